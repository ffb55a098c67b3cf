/* Loading a filter-stack trace (JSON Lines, spec/filter-trace.md) into
 * struct dc_filter_trace. Traces come from any stack: every line goes
 * through the hardened JSON parser under struct dc_trace_limits, a missing
 * or ill-typed key is named with its line, unknown keys and record kinds
 * are ignored. Filter indexes are checked against the header's list, so
 * the checker indexes its tables without further checks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/filter.h"
#include "dumpcheck/json.h"
#include "dumpcheck/tracecheck.h"

#define SCHEMA "dumpcheck-filter-trace"
#define MAX_COPIED_STRING 256

struct ld {
	unsigned line;
	char *why;
	size_t why_len;
	struct dc_filter_trace *t;
	bool seen_header;
	size_t max_records;
};

static enum dc_err fail(struct ld *L, enum dc_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum dc_err fail(struct ld *L, enum dc_err code, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (L->why && L->why_len)
		snprintf(L->why, L->why_len, "line %u: %s", L->line, msg);
	return code;
}

static enum dc_err num(struct ld *L, const struct dc_json_value *o, const char *key, uint64_t max,
		       uint64_t *out)
{
	const struct dc_json_value *v = dc_json_get(o, key);
	if (!v)
		return fail(L, DC_E_MALFORMED, "%s: missing", key);
	if (!dc_json_u64_or_hex(v, out))
		return fail(L, DC_E_MALFORMED, "%s: a number or a \"0x...\" string expected", key);
	if (*out > max)
		return fail(L, DC_E_MALFORMED, "%s: out of range", key);
	return DC_OK;
}

static enum dc_err u32(struct ld *L, const struct dc_json_value *o, const char *key, uint32_t *out)
{
	uint64_t v = 0;
	enum dc_err r = num(L, o, key, UINT32_MAX, &v);
	*out = (uint32_t)v;
	return r;
}

static enum dc_err boolean(struct ld *L, const struct dc_json_value *o, const char *key, bool *out)
{
	if (!dc_json_bool(dc_json_get(o, key), out))
		return fail(L, DC_E_MALFORMED, "%s: true or false expected", key);
	return DC_OK;
}

static enum dc_err copy_str(struct ld *L, const struct dc_json_value *o, const char *key, char **out)
{
	const struct dc_json_value *v = dc_json_get(o, key);
	const char *s;
	size_t n;
	*out = NULL;
	if (!v || dc_json_is_null(v))
		return DC_OK;
	if (!dc_json_str(v, &s, &n))
		return fail(L, DC_E_MALFORMED, "%s: a string or null expected", key);
	if (!(*out = strndup(s, n > MAX_COPIED_STRING ? MAX_COPIED_STRING : n)))
		return DC_E_NOMEM;
	return DC_OK;
}

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
		return fail(L, DC_E_MALFORMED, "dump_data: a token or null expected");
	*out = (int64_t)x;
	return DC_OK;
}

static enum dc_err seq(struct ld *L, const struct dc_json_value *rec)
{
	uint64_t v;
	enum dc_err r = num(L, rec, "seq", UINT64_MAX, &v);
	if (r == DC_OK && v != ++L->t->nseq && L->t->seq_ok) {
		L->t->seq_ok = false;
		L->t->seq_bad_line = L->line;
	}
	return r;
}

static enum dc_err filter_index(struct ld *L, const struct dc_json_value *rec, uint32_t *out)
{
	enum dc_err r = u32(L, rec, "filter", out);
	if (r == DC_OK && *out >= L->t->nfilters)
		return fail(L, DC_E_MALFORMED, "filter: %u is not a filter of the header", *out);
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
		return fail(L, DC_E_MALFORMED, "schema: \"" SCHEMA "\" expected");
	if ((r = num(L, rec, "schema_version", UINT32_MAX, &version)) != DC_OK)
		return r;
	if (version != DC_FILTER_TRACE_SCHEMA_VERSION)
		return fail(L, DC_E_UNSUPPORTED, "schema_version %llu (this build reads %d)",
			    (unsigned long long)version, DC_FILTER_TRACE_SCHEMA_VERSION);
	if ((r = copy_str(L, rec, "implementation", &t->implementation)) ||
	    (r = copy_str(L, rec, "version", &t->version)) || (r = copy_str(L, rec, "scenario", &t->scenario)) ||
	    (r = u32(L, rec, "dump_type_value", &t->dump_type)) ||
	    (r = u32(L, rec, "stack_max_pages", &t->stack_max_pages)) ||
	    (r = u32(L, rec, "extension_size", &t->ext_size)))
		return r;
	if (dc_json_type_of(p) != DC_JSON_OBJECT)
		return fail(L, DC_E_MALFORMED, "partition: an object expected");
	if ((r = num(L, p, "size", UINT64_MAX, &t->part_size)) ||
	    (r = num(L, p, "dump_offset", UINT64_MAX, &t->dump_offset)))
		return r;
	if (dc_json_type_of(f) != DC_JSON_ARRAY || dc_json_len(f) > DC_FILTER_MAX_FILTERS)
		return fail(L, DC_E_MALFORMED, "filters: an array of at most %u names expected",
			    DC_FILTER_MAX_FILTERS);
	t->nfilters = (uint32_t)dc_json_len(f);
	return DC_OK;
}

static enum dc_err init_rec(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x)
{
	enum dc_err r;
	if ((r = filter_index(L, o, &x->filter)) || (r = u32(L, o, "status", &x->status)) ||
	    (r = u32(L, o, "major", &x->major)) || (r = u32(L, o, "minor", &x->minor)) ||
	    (r = u32(L, o, "flags", &x->flags)) || (r = u32(L, o, "max_pages", &x->max_pages)) ||
	    (r = boolean(L, o, "dump_start", &x->has_start)) || (r = boolean(L, o, "dump_write", &x->has_write)) ||
	    (r = boolean(L, o, "dump_finish", &x->has_finish)) ||
	    (r = boolean(L, o, "dump_unload", &x->has_unload)) || (r = boolean(L, o, "dump_read", &x->has_read)) ||
	    (r = token(L, o, &x->dump_data)) || (r = boolean(L, o, "loaded", &x->loaded)))
		return r;
	return DC_OK;
}

static enum dc_err io_fields(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x)
{
	enum dc_err r;
	if ((r = num(L, o, "offset_in", UINT64_MAX, &x->offset_in)) ||
	    (r = num(L, o, "offset_out", UINT64_MAX, &x->offset_out)) ||
	    (r = u32(L, o, "byte_count_in", &x->count_in)) || (r = u32(L, o, "byte_count_out", &x->count_out)) ||
	    (r = u32(L, o, "byte_offset_in", &x->byte_offset_in)) ||
	    (r = u32(L, o, "byte_offset_out", &x->byte_offset_out)) ||
	    (r = u32(L, o, "va_page_offset", &x->va_page_offset)) || (r = u32(L, o, "pages", &x->pages)) ||
	    (r = boolean(L, o, "redirected", &x->redirected)) ||
	    (r = num(L, o, "data_in", UINT64_MAX, &x->data_in)) ||
	    (r = num(L, o, "data_in_after", UINT64_MAX, &x->data_in_after)) ||
	    (r = num(L, o, "data_out", UINT64_MAX, &x->data_out)))
		return r;
	return DC_OK;
}

static enum dc_err callback_rec(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x)
{
	enum dc_err r;
	if ((r = filter_index(L, o, &x->filter)) || (r = u32(L, o, "callback_value", &x->callback)) ||
	    (r = token(L, o, &x->dump_data)) || (r = u32(L, o, "status", &x->status)))
		return r;
	if (x->callback == CallbackDumpWrite || x->callback == CallbackDumpRead)
		return io_fields(L, o, x);
	return DC_OK;
}

static enum dc_err io_rec(struct ld *L, const struct dc_json_value *o, struct dc_filter_rec *x, bool write)
{
	enum dc_err r;
	if ((r = num(L, o, "offset", UINT64_MAX, &x->offset_in)) || (r = u32(L, o, "byte_count", &x->count_in)) ||
	    (r = num(L, o, write ? "source" : "disk", UINT64_MAX, &x->data_in)) ||
	    (r = num(L, o, write ? "data" : "delivered", UINT64_MAX, &x->data_out)))
		return r;
	return DC_OK;
}

static enum dc_err result(struct ld *L, const struct dc_json_value *o)
{
	struct dc_filter_trace *t = L->t;
	const struct dc_json_value *img = dc_json_get(o, "image");
	enum dc_err r;
	t->has_result = true;
	t->result_line = L->line;
	if ((r = u32(L, o, "status", &t->result_status)) || (r = u32(L, o, "read_status", &t->result_read_status)) ||
	    (r = num(L, o, "dump_size", UINT64_MAX, &t->result_dump_size)) ||
	    (r = num(L, o, "bytes_written", UINT64_MAX, &t->result_bytes_written)) ||
	    (r = num(L, o, "writes", UINT64_MAX, &t->result_writes)) ||
	    (r = num(L, o, "reads", UINT64_MAX, &t->result_reads)) ||
	    (r = boolean(L, o, "read_back", &t->result_read_back)))
		return r;
	if (!img || dc_json_is_null(img))
		return DC_OK;
	t->has_image = true;
	if ((r = num(L, img, "size", UINT64_MAX, &t->image_size)) ||
	    (r = num(L, img, "digest", UINT64_MAX, &t->image_digest)))
		return r;
	return DC_OK;
}

static enum dc_err add(struct ld *L, const struct dc_json_value *rec, enum dc_filter_rec_kind kind)
{
	struct dc_filter_trace *t = L->t;
	enum dc_err r;
	if (t->nrecs >= L->max_records)
		return fail(L, DC_E_LIMIT, "more than %zu records", L->max_records);
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
	x->line = L->line;
	if ((r = seq(L, rec)) != DC_OK)
		return r;
	r = kind == DC_FREC_INIT       ? init_rec(L, rec, x)
	    : kind == DC_FREC_CALLBACK ? callback_rec(L, rec, x)
				       : io_rec(L, rec, x, kind == DC_FREC_WRITE);
	t->nrecs += r == DC_OK;
	return r;
}

static enum dc_err record(struct ld *L, const struct dc_json_value *rec)
{
	const char *kind;
	if (!dc_json_str(dc_json_get(rec, "record"), &kind, NULL))
		return fail(L, DC_E_MALFORMED, "record: a string expected");
	bool is_header = strcmp(kind, "header") == 0;
	if (L->seen_header == is_header)
		return fail(L, DC_E_MALFORMED, is_header ? "a second header record"
							 : "the first record must be the header");
	if (L->t->has_result)
		return fail(L, DC_E_MALFORMED, "a record after the result record");
	if (is_header) {
		L->seen_header = true;
		return header(L, rec);
	}
	static const char *const kinds[] = { "init", "callback", "write", "read" };
	for (int i = 0; i < 4; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return add(L, rec, (enum dc_filter_rec_kind)i);
	if (strcmp(kind, "result") == 0)
		return result(L, rec);
	return DC_OK; /* a record kind a later minor version added */
}

static enum dc_err on_record(void *ctx, unsigned line, const struct dc_json_value *root)
{
	struct ld *L = ctx;
	L->line = line;
	if (dc_json_type_of(root) != DC_JSON_OBJECT)
		return fail(L, DC_E_MALFORMED, "a record must be a JSON object");
	return record(L, root);
}

enum dc_err dc_filter_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
				 struct dc_filter_trace *t, char *why, size_t why_len)
{
	struct dc_trace_limits dl = dc_trace_limits_default();
	struct ld L = { 0, why, why_len, t, false, 0 };
	if (why && why_len)
		why[0] = '\0';
	if (!t)
		return DC_E_MISUSE;
	memset(t, 0, sizeof(*t));
	t->seq_ok = true;
	if (!text && len)
		return fail(&L, DC_E_MISUSE, "no text");
	lim = lim ? lim : &dl;
	L.max_records = lim->max_records;
	if (len > lim->max_bytes)
		return fail(&L, DC_E_LIMIT, "trace longer than %llu bytes", (unsigned long long)lim->max_bytes);
	char msg[200];
	enum dc_err r = dc_jsonl_each(text, len, lim->max_line_bytes, on_record, &L, &L.line, msg, sizeof(msg));
	if (r != DC_OK && msg[0])
		fail(&L, r, "%s", msg);
	if (r == DC_OK && !L.seen_header) {
		L.line = 1;
		r = fail(&L, DC_E_MALFORMED, "no header record: not a " SCHEMA " trace");
	}
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
