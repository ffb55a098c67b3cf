/* Filter-stack traces (JSON Lines, spec/filter-trace.md): the record
 * writers of the reference stack. Digests are FNV-1a 64 as "0x..." strings,
 * pointers never appear: DumpData is a token (1, 2, ... per distinct value,
 * null for NULL), so the checker compares what a filter returned with what
 * each callback was given. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dumpcheck/report.h"
#include "filter_int.h"
#include "internal.h"

static void token(FILE *out, int64_t t)
{
	if (t < 0)
		fputs(",\"dump_data\":null", out);
	else
		fprintf(out, ",\"dump_data\":%" PRId64, t);
}

static const char *callback_name(uint32_t cb)
{
	const char *n = dc_enum_name(DC_E_FILTER_CALLBACK, cb);
	return n ? n : "unknown";
}

void dci_ftrace_header(struct dci_fstack *s)
{
	FILE *out = s->trace;
	const struct dc_filter_run *run = s->run;
	const struct dc_filter_partition *p = &run->part;
	if (!out)
		return;
	dci_trace_header_open(out, "dumpcheck-filter-trace", DC_FILTER_TRACE_SCHEMA_VERSION,
			      run->implementation, run->version);
	fputs(",\"scenario\":", out);
	dci_json_cstr(out, run->scenario);
	const char *dt = dc_enum_name(DC_E_FILTER_DUMP_TYPE, (uint64_t)run->dump_type);
	fputs(",\"dump_type\":", out);
	dci_json_cstr(out, dt);
	fprintf(out, ",\"dump_type_value\":%u,\"partition\":{", (unsigned)run->dump_type);
	fprintf(out, "\"size\":\"0x%" PRIx64 "\"", p->size);
	dci_json_hex(out, "dump_offset", p->dump_offset);
	fprintf(out, ",\"bytes_per_sector\":%" PRIu32 ",\"sectors_per_track\":%" PRIu32
		     ",\"tracks_per_cylinder\":%" PRIu32 "}",
		p->bytes_per_sector, p->sectors_per_track, p->tracks_per_cylinder);
	fprintf(out, ",\"stack_max_pages\":%" PRIu32 ",\"extension_size\":%zu,\"filters\":[",
		run->stack_max_pages ? run->stack_max_pages : DC_FILTER_STACK_MAX_PAGES,
		sizeof(FILTER_EXTENSION));
	for (size_t i = 0; i < run->nfilters; i++) {
		fputs(i ? "," : "", out);
		dci_json_cstr(out, run->filters[i].name);
	}
	fputs("]}\n", out);
}

void dci_ftrace_init(struct dci_fstack *s, uint32_t i, NTSTATUS st)
{
	FILE *out = s->trace;
	const FILTER_INITIALIZATION_DATA *d = &s->init[i];
	if (!out)
		return;
	fprintf(out, "{\"record\":\"init\",\"seq\":%" PRIu64 ",\"filter\":%" PRIu32, ++s->seq, i);
	dci_json_hex(out, "status", (uint32_t)st);
	fprintf(out, ",\"major\":%" PRIu32 ",\"minor\":%" PRIu32 ",\"flags\":%" PRIu32
		     ",\"max_pages\":%" PRIu32,
		(uint32_t)d->MajorVersion, (uint32_t)d->MinorVersion, (uint32_t)d->Flags,
		(uint32_t)d->MaxPagesPerWrite);
	fprintf(out, ",\"dump_start\":%s,\"dump_write\":%s,\"dump_finish\":%s,\"dump_unload\":%s,\"dump_read\":%s",
		d->DumpStart ? "true" : "false", d->DumpWrite ? "true" : "false",
		d->DumpFinish ? "true" : "false", d->DumpUnload ? "true" : "false",
		d->DumpRead ? "true" : "false");
	token(out, dci_fstack_token(s, d->DumpData));
	fprintf(out, ",\"loaded\":%s}\n", s->loaded[i] ? "true" : "false");
}

void dci_ftrace_call(struct dci_fstack *s, const struct dci_fcall *c)
{
	FILE *out = s->trace;
	if (!out)
		return;
	fprintf(out, "{\"record\":\"callback\",\"seq\":%" PRIu64 ",\"filter\":%" PRIu32
		     ",\"callback\":\"%s\",\"callback_value\":%" PRIu32,
		++s->seq, c->filter, callback_name(c->callback), c->callback);
	token(out, c->dump_data);
	if (c->io) {
		dci_json_hex(out, "offset_in", c->offset_in);
		dci_json_hex(out, "offset_out", c->offset_out);
		fprintf(out, ",\"byte_count_in\":%" PRIu32 ",\"byte_count_out\":%" PRIu32
			     ",\"byte_offset_in\":%" PRIu32 ",\"byte_offset_out\":%" PRIu32
			     ",\"va_page_offset\":%" PRIu32 ",\"pages\":%" PRIu32 ",\"redirected\":%s",
			c->count_in, c->count_out, c->byte_offset_in, c->byte_offset_out,
			c->va_page_offset, c->pages, c->redirected ? "true" : "false");
		dci_json_hex(out, "data_in", c->data_in);
		dci_json_hex(out, "data_in_after", c->data_in_after);
		dci_json_hex(out, "data_out", c->data_out);
	}
	dci_json_hex(out, "status", (uint32_t)c->status);
	fputs("}\n", out);
}

void dci_ftrace_io(struct dci_fstack *s, bool write, uint64_t off, uint32_t count, uint64_t a,
		   uint64_t b)
{
	FILE *out = s->trace;
	if (!out)
		return;
	fprintf(out, "{\"record\":\"%s\",\"seq\":%" PRIu64, write ? "write" : "read", ++s->seq);
	dci_json_hex(out, "offset", off);
	fprintf(out, ",\"byte_count\":%" PRIu32, count);
	dci_json_hex(out, write ? "source" : "disk", a);
	dci_json_hex(out, write ? "data" : "delivered", b);
	fputs("}\n", out);
}

void dci_ftrace_result(struct dci_fstack *s)
{
	FILE *out = s->trace;
	const struct dc_filter_result *r = s->res;
	if (!out)
		return;
	fputs("{\"record\":\"result\"", out);
	dci_json_hex(out, "status", (uint32_t)r->status);
	dci_json_hex(out, "read_status", (uint32_t)r->read_status);
	fprintf(out, ",\"loaded\":%zu,\"pages_per_write\":%" PRIu32, r->loaded, s->pages);
	dci_json_hex(out, "dump_size", r->dump_size);
	dci_json_hex(out, "bytes_written", r->bytes_written);
	fprintf(out, ",\"writes\":%" PRIu64 ",\"reads\":%" PRIu64 ",\"read_back\":%s,\"image\":", r->writes,
		r->reads, r->read_back ? "true" : "false");
	if (!r->read_back) {
		fputs("null}\n", out);
		return;
	}
	fputs("{\"name\":", out);
	dci_json_cstr(out, s->run->image_name);
	dci_json_hex(out, "size", r->dump_size);
	dci_json_hex(out, "digest", r->image_digest);
	fputs("}}\n", out);
}
