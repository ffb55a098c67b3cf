/* Loading a filter-stack trace (JSON Lines, spec/filter-trace.md) into
 * struct dc_filter_trace. Traces come from any stack: every line goes
 * through the hardened JSON parser under struct dc_trace_limits, a missing
 * or ill-typed key is named with its line, unknown keys and record kinds
 * are ignored. Filter indexes are checked against the header's list, so
 * the checker indexes its tables without further checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/filter.h"
#include "dumpcheck/json.h"
#include "dumpcheck/tracecheck.h"
#include "jrec.h"

#define SCHEMA "dumpcheck-filter-trace"

struct ld {
	struct dci_jrec j;
	struct dc_filter_trace *t;
};

/* DumpData: a token (>= 0) or null (-1). */
static enum dc_err token(struct ld *L, const struct dc_json_value *o, int64_t *out)
{
	const struct dc_json_value *v = dc_json_get(o, "dump_data");
	uint64_t x;
	if (dc_json_is_null(v)) {
		*out = -1;
		return DC_OK;
	}
	if (!dc_json_u64(v, &x) || x > INT32_MAX)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "dump_data: a token or null expected");
	*out = (int64_t)x;
	return DC_OK;
}

static enum dc_err seq(struct ld *L, const struct dc_json_value *rec)
{
	uint64_t v;
	enum dc_err r = dci_jrec_num(&L->j, rec, "seq", UINT64_MAX, &v);
	if (r == DC_OK && v != ++L->t->nseq && L->t->seq_ok) {
		L->t->seq_ok = false;
		L->t->seq_bad_line = L->j.line;
	}
	return r;
}

static enum dc_err filter_index(struct ld *L, const struct dc_json_value *rec, uint32_t *out)
{
	enum dc_err r = dci_jrec_u32(&L->j, rec, "filter", out);
	if (r == DC_OK && *out >= L->t->nfilters)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "filter: %u is not a filter of the header", *out);
	return r;
}

/* ---------------------------------------------------------------- records */

static enum dc_err header(struct ld *L, const struct dc_json_value *rec)
{
	struct dc_filter_trace *t = L->t;
	const struct dc_json_value *p = dc_json_get(rec, "partition"), *f = dc_json_get(rec, "filters");
	const char *s;
	uint64_t version;
	enum dc_err r;
	if (!dc_json_str(dc_json_get(rec, "schema"), &s, NULL) || strcmp(s, SCHEMA) != 0)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "schema: \"" SCHEMA "\" expected");
	if ((r = dci_jrec_num(&L->j, rec, "schema_version", UINT32_MAX, &version)) != DC_OK)
		return r;
	if (version != DC_FILTER_TRACE_SCHEMA_VERSION)
		return dci_jrec_fail(&L->j, DC_E_UNSUPPORTED, "schema_version %llu (this build reads %d)",
			    (unsigned long long)version, DC_FILTER_TRACE_SCHEMA_VERSION);
	if ((r = dci_jrec_str(&L->j, rec, "implementation", &t->implementation)) ||
	    (r = dci_jrec_str(&L->j, rec, "version", &t->version)) ||
	    (r = dci_jrec_str(&L->j, rec, "scenario", &t->scenario)) ||
	    (r = dci_jrec_u32(&L->j, rec, "dump_type_value", &t->dump_type)) ||
	    (r = dci_jrec_u32(&L->j, rec, "stack_max_pages", &t->stack_max_pages)) ||
	    (r = dci_jrec_u32(&L->j, rec, "extension_size", &t->ext_size)))
		return r;
	if (dc_json_type_of(p) != DC_JSON_OBJECT)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "partition: an object expected");
	if ((r = dci_jrec_num(&L->j, p, "size", UINT64_MAX, &t->part_size)) ||
	    (r = dci_jrec_num(&L->j, p, "dump_offset", UINT64_MAX, &t->dump_offset)))
		return r;
	if (dc_json_type_of(f) != DC_JSON_ARRAY || dc_json_len(f) > DC_FILTER_MAX_FILTERS)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "filters: an array of at most %u names expected",
			    DC_FILTER_MAX_FILTERS);
	t->nfilters = (uint32_t)dc_json_len(f);
	return DC_OK;
}

static enum dc_err init_rec(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x)
{
	enum dc_err r;
	if ((r = filter_index(L, o, &x->filter)) ||
	    (r = dci_jrec_u32(&L->j, o, "status", &x->status)) ||
	    (r = dci_jrec_u32(&L->j, o, "major", &x->major)) ||
	    (r = dci_jrec_u32(&L->j, o, "minor", &x->minor)) ||
	    (r = dci_jrec_u32(&L->j, o, "flags", &x->flags)) ||
	    (r = dci_jrec_u32(&L->j, o, "max_pages", &x->max_pages)) ||
	    (r = dci_jrec_bool(&L->j, o, "dump_start", &x->has_start)) ||
	    (r = dci_jrec_bool(&L->j, o, "dump_write", &x->has_write)) ||
	    (r = dci_jrec_bool(&L->j, o, "dump_finish", &x->has_finish)) ||
	    (r = dci_jrec_bool(&L->j, o, "dump_unload", &x->has_unload)) ||
	    (r = dci_jrec_bool(&L->j, o, "dump_read", &x->has_read)) ||
	    (r = token(L, o, &x->dump_data)) || (r = dci_jrec_bool(&L->j, o, "loaded", &x->loaded)))
		return r;
	return DC_OK;
}

static enum dc_err io_fields(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x)
{
	enum dc_err r;
	if ((r = dci_jrec_num(&L->j, o, "offset_in", UINT64_MAX, &x->offset_in)) ||
	    (r = dci_jrec_num(&L->j, o, "offset_out", UINT64_MAX, &x->offset_out)) ||
	    (r = dci_jrec_u32(&L->j, o, "byte_count_in", &x->count_in)) ||
	    (r = dci_jrec_u32(&L->j, o, "byte_count_out", &x->count_out)) ||
	    (r = dci_jrec_u32(&L->j, o, "byte_offset_in", &x->byte_offset_in)) ||
	    (r = dci_jrec_u32(&L->j, o, "byte_offset_out", &x->byte_offset_out)) ||
	    (r = dci_jrec_u32(&L->j, o, "va_page_offset", &x->va_page_offset)) ||
	    (r = dci_jrec_u32(&L->j, o, "pages", &x->pages)) ||
	    (r = dci_jrec_bool(&L->j, o, "redirected", &x->redirected)) ||
	    (r = dci_jrec_num(&L->j, o, "data_in", UINT64_MAX, &x->data_in)) ||
	    (r = dci_jrec_num(&L->j, o, "data_in_after", UINT64_MAX, &x->data_in_after)) ||
	    (r = dci_jrec_num(&L->j, o, "data_out", UINT64_MAX, &x->data_out)))
		return r;
	return DC_OK;
}

static enum dc_err callback_rec(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x)
{
	enum dc_err r;
	if ((r = filter_index(L, o, &x->filter)) ||
	    (r = dci_jrec_u32(&L->j, o, "callback_value", &x->callback)) ||
	    (r = token(L, o, &x->dump_data)) || (r = dci_jrec_u32(&L->j, o, "status", &x->status)))
		return r;
	if (x->callback == CallbackDumpWrite || x->callback == CallbackDumpRead)
		return io_fields(L, o, x);
	return DC_OK;
}

static enum dc_err io_rec(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x, bool write)
{
	enum dc_err r;
	if ((r = dci_jrec_num(&L->j, o, "offset", UINT64_MAX, &x->offset_in)) ||
	    (r = dci_jrec_u32(&L->j, o, "byte_count", &x->count_in)) ||
	    (r = dci_jrec_num(&L->j, o, write ? "source" : "disk", UINT64_MAX, &x->data_in)) ||
	    (r = dci_jrec_num(&L->j, o, write ? "data" : "delivered", UINT64_MAX, &x->data_out)))
		return r;
	return DC_OK;
}

static enum dc_err result(struct ld *L, const struct dc_json_value *o)
{
	struct dc_filter_trace *t = L->t;
	const struct dc_json_value *img = dc_json_get(o, "image");
	enum dc_err r;
	t->has_result = true;
	t->result_line = L->j.line;
	if ((r = dci_jrec_u32(&L->j, o, "status", &t->result_status)) ||
	    (r = dci_jrec_u32(&L->j, o, "read_status", &t->result_read_status)) ||
	    (r = dci_jrec_num(&L->j, o, "dump_size", UINT64_MAX, &t->result_dump_size)) ||
	    (r = dci_jrec_num(&L->j, o, "bytes_written", UINT64_MAX, &t->result_bytes_written)) ||
	    (r = dci_jrec_num(&L->j, o, "writes", UINT64_MAX, &t->result_writes)) ||
	    (r = dci_jrec_num(&L->j, o, "reads", UINT64_MAX, &t->result_reads)) ||
	    (r = dci_jrec_bool(&L->j, o, "read_back", &t->result_read_back)))
		return r;
	if (!img || dc_json_is_null(img))
		return DC_OK;
	t->has_image = true;
	if ((r = dci_jrec_num(&L->j, img, "size", UINT64_MAX, &t->image_size)) ||
	    (r = dci_jrec_num(&L->j, img, "digest", UINT64_MAX, &t->image_digest)))
		return r;
	return DC_OK;
}

static enum dc_err add(struct ld *L, const struct dc_json_value *rec, enum dc_filter_rec_kind kind)
{
	struct dc_filter_trace *t = L->t;
	enum dc_err r;
	if (t->nrecs >= L->j.max_records)
		return dci_jrec_fail(&L->j, DC_E_LIMIT, "more than %zu records", L->j.max_records);
	if (t->nrecs == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct dc_filter_rec *p = realloc(t->recs, cap * sizeof(*p));
		if (!p)
			return DC_E_NOMEM;
		t->recs = p;
		t->cap = cap;
	}
	struct dc_filter_rec *x = &t->recs[t->nrecs];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->line = L->j.line;
	if ((r = seq(L, rec)) != DC_OK)
		return r;
	r = kind == DC_FREC_INIT       ? init_rec(L, rec, x)
	    : kind == DC_FREC_CALLBACK ? callback_rec(L, rec, x)
				       : io_rec(L, rec, x, kind == DC_FREC_WRITE);
	t->nrecs += r == DC_OK;
	return r;
}

static enum dc_err record(void *ctx, const struct dc_json_value *rec)
{
	struct ld *L = ctx;
	const char *kind;
	enum dc_err r = dci_jrec_kind(&L->j, rec, L->t->has_result, &kind);
	if (r != DC_OK)
		return r;
	if (strcmp(kind, "header") == 0)
		return header(L, rec);
	static const char *const kinds[] = { "init", "callback", "write", "read" };
	for (int i = 0; i < 4; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return add(L, rec, (enum dc_filter_rec_kind)i);
	if (strcmp(kind, "result") == 0)
		return result(L, rec);
	return DC_OK; /* a record kind a later minor version added */
}

enum dc_err dc_filter_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
				 struct dc_filter_trace *t, char *why, size_t why_len)
{
	struct ld L = { { .why = why, .why_len = why_len }, t };
	if (t) {
		memset(t, 0, sizeof(*t));
		t->seq_ok = true;
	}
	enum dc_err r = dci_jrec_load(&L.j, text, len, lim, t, record, &L, SCHEMA);
	if (r != DC_OK)
		dc_filter_trace_free(t);
	return r;
}

void dc_filter_trace_free(struct dc_filter_trace *t)
{
	if (!t)
		return;
	free(t->implementation);
	free(t->version);
	free(t->scenario);
	free(t->recs);
	memset(t, 0, sizeof(*t));
}
