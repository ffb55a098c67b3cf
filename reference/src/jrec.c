/* Reading the records of a JSON Lines trace (jrec.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jrec.h"

enum dc_err dci_jrec_fail(struct dci_jrec *j, enum dc_err code, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->why && j->why_len)
		snprintf(j->why, j->why_len, "line %u: %s", j->line, msg);
	return code;
}

enum dc_err dci_jrec_num_in(struct dci_jrec *j, const struct dc_json_value *o, const char *part,
			    const char *key, uint64_t max, uint64_t *out)
{
	const struct dc_json_value *v = dc_json_get(o, key);
	if (!v)
		return dci_jrec_fail(j, DC_E_MALFORMED, "%s%s: missing", part, key);
	if (!dc_json_u64_or_hex(v, out))
		return dci_jrec_fail(j, DC_E_MALFORMED, "%s%s: a number or a \"0x...\" string expected",
				     part, key);
	if (*out > max)
		return dci_jrec_fail(j, DC_E_MALFORMED, "%s%s: out of range", part, key);
	return DC_OK;
}

enum dc_err dci_jrec_u32(struct dci_jrec *j, const struct dc_json_value *o, const char *key,
			 uint32_t *out)
{
	uint64_t v = 0;
	enum dc_err r = dci_jrec_num(j, o, key, UINT32_MAX, &v);
	*out = (uint32_t)v;
	return r;
}

enum dc_err dci_jrec_bool_in(struct dci_jrec *j, const struct dc_json_value *o, const char *part,
			     const char *key, bool *out)
{
	if (!dc_json_bool(dc_json_get(o, key), out))
		return dci_jrec_fail(j, DC_E_MALFORMED, "%s%s: true or false expected", part, key);
	return DC_OK;
}

enum dc_err dci_jrec_str(struct dci_jrec *j, const struct dc_json_value *o, const char *key, char **out)
{
	const struct dc_json_value *v = dc_json_get(o, key);
	const char *s;
	size_t n;
	*out = NULL;
	if (!v || dc_json_is_null(v))
		return DC_OK;
	if (!dc_json_str(v, &s, &n))
		return dci_jrec_fail(j, DC_E_MALFORMED, "%s: a string or null expected", key);
	if (!(*out = strndup(s, n > DCI_JREC_MAX_STRING ? DCI_JREC_MAX_STRING : n)))
		return DC_E_NOMEM;
	return DC_OK;
}

enum dc_err dci_jrec_kind(struct dci_jrec *j, const struct dc_json_value *rec, bool after_result,
			  const char **kind)
{
	if (!dc_json_str(dc_json_get(rec, "record"), kind, NULL))
		return dci_jrec_fail(j, DC_E_MALFORMED, "record: a string expected");
	bool is_header = strcmp(*kind, "header") == 0;
	if (j->seen_header == is_header)
		return dci_jrec_fail(j, DC_E_MALFORMED,
				     is_header ? "a second header record" : "the first record must be the header");
	if (after_result)
		return dci_jrec_fail(j, DC_E_MALFORMED, "a record after the result record");
	j->seen_header = j->seen_header || is_header;
	return DC_OK;
}

/* dc_jsonl_each's callback: the line number, then the loader's record. */
struct each {
	struct dci_jrec *j;
	dci_jrec_fn fn;
	void *ctx;
};

static enum dc_err on_line(void *ctx, unsigned line, const struct dc_json_value *root)
{
	struct each *e = ctx;
	e->j->line = line;
	if (dc_json_type_of(root) != DC_JSON_OBJECT)
		return dci_jrec_fail(e->j, DC_E_MALFORMED, "a record must be a JSON object");
	return e->fn(e->ctx, root);
}

enum dc_err dci_jrec_load(struct dci_jrec *j, const char *text, size_t len,
			  const struct dc_trace_limits *lim, const void *out, dci_jrec_fn fn, void *ctx,
			  const char *schema)
{
	struct dc_trace_limits dl = dc_trace_limits_default();
	if (j->why && j->why_len)
		j->why[0] = '\0';
	if (!out)
		return DC_E_MISUSE;
	if (!text && len)
		return dci_jrec_fail(j, DC_E_MISUSE, "no text");
	lim = lim ? lim : &dl;
	j->max_records = lim->max_records;
	if (len > lim->max_bytes)
		return dci_jrec_fail(j, DC_E_LIMIT, "trace longer than %llu bytes",
				     (unsigned long long)lim->max_bytes);
	struct each e = { j, fn, ctx };
	char msg[200];
	enum dc_err r = dc_jsonl_each(text, len, lim->max_line_bytes, on_line, &e, &j->line, msg, sizeof(msg));
	if (r != DC_OK && msg[0]) /* a line that did not parse (on_line says why itself) */
		dci_jrec_fail(j, r, "%s", msg);
	if (r == DC_OK && !j->seen_header) {
		j->line = 1;
		r = dci_jrec_fail(j, DC_E_MALFORMED, "no header record: not a %s trace", schema);
	}
	return r;
}
