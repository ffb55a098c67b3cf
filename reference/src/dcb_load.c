/* Loading a notification trace (JSON Lines, spec/dcb-trace.md) into struct
 * dc_dcb_trace. Traces come from vendors and from the agent under Wine:
 * every line goes through the hardened JSON parser under struct
 * dc_trace_limits, a missing or ill-typed key is named with its line, and
 * keys (and record kinds) the schema does not name are ignored. Object
 * names are resolved against the header's object table, so the checker
 * compares indexes, never strings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dcb.h"
#include "dumpcheck/json.h"
#include "dumpcheck/tracecheck.h"

#define SCHEMA "dumpcheck-dcb-trace"
#define MAX_COPIED_STRING 256

struct ld {
	unsigned line;
	char *why;
	size_t why_len;
	struct dc_dcb_trace *t;
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

/* A JSON integer or a "0x…" string, at most `max`. */
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

/* A string or null, copied (at most MAX_COPIED_STRING bytes). */
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

static bool kind_parse(const char *s, enum dc_dcb_kind *k)
{
	for (int i = DC_DCB_KIND_NONE; i <= DC_DCB_KIND_FUNCTION; i++)
		if (strcmp(s, dc_dcb_kind_name((enum dc_dcb_kind)i)) == 0) {
			*k = (enum dc_dcb_kind)i;
			return true;
		}
	return false;
}

/* The object `key` names: -1 for null, else its index in the header's table. */
static enum dc_err object_ref(struct ld *L, const struct dc_json_value *o, const char *key,
			      int32_t *index)
{
	const struct dc_json_value *v = dc_json_get(o, key);
	const char *s;
	*index = -1;
	if (dc_json_is_null(v))
		return DC_OK;
	if (!dc_json_str(v, &s, NULL))
		return fail(L, DC_E_MALFORMED, "%s: an object name or null expected", key);
	for (size_t i = 0; i < L->t->nobjects; i++)
		if (strcmp(L->t->objects[i].name, s) == 0) {
			*index = (int32_t)i;
			return DC_OK;
		}
	return fail(L, DC_E_MALFORMED, "%s: '%.40s' is not an object of the header", key, s);
}

/* ---------------------------------------------------------------- records */

static enum dc_err header(struct ld *L, const struct dc_json_value *rec)
{
	struct dc_dcb_trace *t = L->t;
	const char *s, *kind;
	size_t n;
	uint64_t version;
	enum dc_err r;
	if (!dc_json_str(dc_json_get(rec, "schema"), &s, NULL) || strcmp(s, SCHEMA) != 0)
		return fail(L, DC_E_MALFORMED, "schema: \"" SCHEMA "\" expected");
	if ((r = num(L, rec, "schema_version", UINT32_MAX, &version)) != DC_OK)
		return r;
	if (version != DC_DCB_TRACE_SCHEMA_VERSION)
		return fail(L, DC_E_UNSUPPORTED, "schema_version %llu (this build reads %d)",
			    (unsigned long long)version, DC_DCB_TRACE_SCHEMA_VERSION);
	if ((r = copy_str(L, rec, "implementation", &t->implementation)) != DC_OK ||
	    (r = copy_str(L, rec, "version", &t->version)) != DC_OK ||
	    (r = copy_str(L, rec, "script", &t->script)) != DC_OK)
		return r;
	const struct dc_json_value *objs = dc_json_get(rec, "objects");
	if (dc_json_type_of(objs) != DC_JSON_ARRAY || dc_json_len(objs) > DC_DCB_MAX_OBJECTS)
		return fail(L, DC_E_MALFORMED, "objects: an array of at most %u expected",
			    DC_DCB_MAX_OBJECTS);
	for (size_t i = 0; i < dc_json_len(objs); i++) {
		const struct dc_json_value *o = dc_json_at(objs, i);
		struct dc_dcb_script_object *so = &t->objects[i];
		if (!dc_json_str(dc_json_get(o, "name"), &s, &n) || n == 0 || n >= DC_DCB_NAME_MAX ||
		    memchr(s, 0, n) || !dc_json_str(dc_json_get(o, "kind"), &kind, NULL) ||
		    !kind_parse(kind, &so->kind) || so->kind == DC_DCB_KIND_NONE)
			return fail(L, DC_E_MALFORMED, "objects[%zu]: {name, kind} expected", i);
		memcpy(so->name, s, n + 1);
		t->nobjects = i + 1;
	}
	return DC_OK;
}

static enum dc_err seq(struct ld *L, const struct dc_json_value *rec)
{
	uint64_t v;
	enum dc_err r = num(L, rec, "seq", UINT64_MAX, &v);
	if (r != DC_OK)
		return r;
	if (v != ++L->t->steps && L->t->seq_ok) {
		L->t->seq_ok = false;
		L->t->seq_bad_line = L->line;
	}
	return DC_OK;
}

static enum dc_err delivery(struct ld *L, const struct dc_json_value *o, struct dc_dcb_delivery *d)
{
	const char *s;
	enum dc_err r;
	memset(d, 0, sizeof(*d));
	if (!dc_json_str(dc_json_get(o, "via"), &s, NULL) || !kind_parse(s, &d->via))
		return fail(L, DC_E_MALFORMED, "deliveries: via: an object kind expected");
	if (!dc_json_str(dc_json_get(o, "mode"), &s, NULL))
		return fail(L, DC_E_MALFORMED, "deliveries: mode: a string expected");
	d->mode = strcmp(s, "sent") == 0 ? DC_DCB_SENT : strcmp(s, "called") == 0 ? DC_DCB_CALLED
		  : strcmp(s, "signaled") == 0 ? DC_DCB_SIGNALED : DC_DCB_POSTED;
	if ((r = object_ref(L, o, "target", &d->target)) != DC_OK)
		return r;
	if (d->via == DC_DCB_KIND_WINDOW || d->via == DC_DCB_KIND_THREAD) {
		if ((r = u32(L, o, "msg", &d->msg)) != DC_OK ||
		    (r = num(L, o, "wparam", UINT64_MAX, &d->wparam)) != DC_OK ||
		    (r = num(L, o, "lparam", UINT64_MAX, &d->lparam)) != DC_OK)
			return r;
	} else if (d->via == DC_DCB_KIND_FUNCTION) {
		if ((r = u32(L, o, "msg", &d->msg)) != DC_OK ||
		    (r = num(L, o, "hdrvr", UINT64_MAX, &d->hdrvr)) != DC_OK ||
		    (r = num(L, o, "user", UINT64_MAX, &d->user)) != DC_OK ||
		    (r = num(L, o, "param1", UINT64_MAX, &d->param1)) != DC_OK ||
		    (r = num(L, o, "param2", UINT64_MAX, &d->param2)) != DC_OK ||
		    (r = boolean(L, o, "same_thread", &d->same_thread)) != DC_OK ||
		    (r = boolean(L, o, "during_call", &d->during_call)) != DC_OK)
			return r;
	}
	return DC_OK;
}

static enum dc_err target(struct ld *L, const struct dc_json_value *rec, struct dc_dcb_target *tg)
{
	const struct dc_json_value *o = dc_json_get(rec, "target");
	enum dc_err r;
	memset(tg, 0, sizeof(*tg));
	tg->index = -1;
	if (dc_json_is_null(o))
		return DC_OK;
	if (dc_json_type_of(o) != DC_JSON_OBJECT)
		return fail(L, DC_E_MALFORMED, "target: an object or null expected");
	if ((r = object_ref(L, o, "name", &tg->index)) != DC_OK)
		return r;
	if (tg->index < 0)
		return fail(L, DC_E_MALFORMED, "target: name: an object name expected");
	tg->kind = L->t->objects[tg->index].kind;
	if (tg->kind == DC_DCB_KIND_WINDOW || tg->kind == DC_DCB_KIND_THREAD) {
		if ((r = boolean(L, o, "queue", &tg->queue)) != DC_OK ||
		    (r = u32(L, o, "queued", &tg->queued)) != DC_OK ||
		    (r = boolean(L, o, "full", &tg->full)) != DC_OK)
			return r;
	}
	return DC_OK;
}

static enum dc_err call(struct ld *L, const struct dc_json_value *rec, struct dc_dcb_trace_call *c)
{
	enum dc_err r;
	memset(c, 0, sizeof(*c));
	c->line = L->line;
	if ((r = seq(L, rec)) != DC_OK || (r = num(L, rec, "callback", UINT64_MAX, &c->call.callback)) ||
	    (r = u32(L, rec, "flags", &c->call.flags)) || (r = num(L, rec, "hdrvr", UINT64_MAX, &c->call.hdrvr)) ||
	    (r = u32(L, rec, "msg", &c->call.msg)) || (r = num(L, rec, "user", UINT64_MAX, &c->call.user)) ||
	    (r = num(L, rec, "param1", UINT64_MAX, &c->call.param1)) ||
	    (r = num(L, rec, "param2", UINT64_MAX, &c->call.param2)) || (r = target(L, rec, &c->target)) ||
	    (r = boolean(L, rec, "returned", &c->returned)) || (r = u32(L, rec, "last_error", &c->last_error)))
		return r;
	const struct dc_json_value *ds = dc_json_get(rec, "deliveries");
	if (dc_json_type_of(ds) != DC_JSON_ARRAY)
		return fail(L, DC_E_MALFORMED, "deliveries: an array expected");
	c->nd_total = dc_json_len(ds);
	for (size_t i = 0; i < c->nd_total && i < DC_DCB_MAX_DELIVERIES; i++, c->nd++)
		if ((r = delivery(L, dc_json_at(ds, i), &c->d[i])) != DC_OK)
			return r;
	return DC_OK;
}

static enum dc_err add_call(struct ld *L, const struct dc_json_value *rec, size_t max)
{
	struct dc_dcb_trace *t = L->t;
	if (t->ncalls >= max)
		return fail(L, DC_E_LIMIT, "more than %zu call records", max);
	if (t->ncalls == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct dc_dcb_trace_call *p = realloc(t->calls, cap * sizeof(*p));
		if (!p)
			return DC_E_NOMEM;
		t->calls = p;
		t->cap = cap;
	}
	enum dc_err r = call(L, rec, &t->calls[t->ncalls]);
	t->ncalls += r == DC_OK;
	return r;
}

static enum dc_err add_fill(struct ld *L, const struct dc_json_value *rec, size_t max)
{
	struct dc_dcb_trace *t = L->t;
	int32_t index;
	enum dc_err r;
	if (t->nfills >= max)
		return fail(L, DC_E_LIMIT, "more than %zu fill records", max);
	if (t->nfills == t->fcap) {
		size_t cap = t->fcap ? t->fcap * 2 : 16;
		struct dc_dcb_trace_fill *p = realloc(t->fills, cap * sizeof(*p));
		if (!p)
			return DC_E_NOMEM;
		t->fills = p;
		t->fcap = cap;
	}
	struct dc_dcb_trace_fill *f = &t->fills[t->nfills];
	f->line = L->line;
	if ((r = seq(L, rec)) || (r = object_ref(L, rec, "target", &index)) ||
	    (r = u32(L, rec, "attempted", &f->attempted)) || (r = u32(L, rec, "posted", &f->posted)) ||
	    (r = boolean(L, rec, "refused", &f->refused)))
		return r;
	t->nfills++;
	return DC_OK;
}

static enum dc_err record(struct ld *L, const struct dc_json_value *rec, bool *seen_header,
			  size_t max)
{
	struct dc_dcb_trace *t = L->t;
	const char *kind;
	int32_t index;
	if (!dc_json_str(dc_json_get(rec, "record"), &kind, NULL))
		return fail(L, DC_E_MALFORMED, "record: a string expected");
	bool is_header = strcmp(kind, "header") == 0;
	if (*seen_header == is_header)
		return fail(L, DC_E_MALFORMED, is_header ? "a second header record"
							 : "the first record must be the header");
	if (t->has_result)
		return fail(L, DC_E_MALFORMED, "a record after the result record");
	if (is_header) {
		*seen_header = true;
		return header(L, rec);
	}
	if (strcmp(kind, "call") == 0)
		return add_call(L, rec, max);
	if (strcmp(kind, "fill") == 0)
		return add_fill(L, rec, max);
	if (strcmp(kind, "drain") == 0) {
		enum dc_err r = seq(L, rec);
		return r != DC_OK ? r : object_ref(L, rec, "target", &index);
	}
	if (strcmp(kind, "result") == 0) {
		t->has_result = true;
		t->result_line = L->line;
		enum dc_err r = num(L, rec, "steps", UINT64_MAX, &t->result_steps);
		return r != DC_OK ? r : num(L, rec, "calls", UINT64_MAX, &t->result_calls);
	}
	return DC_OK; /* a record kind a later minor version added */
}

/* dc_jsonl_each's callback: one record into the trace. */
struct each {
	struct ld *L;
	bool seen_header;
	size_t max_records;
};

static enum dc_err on_record(void *ctx, unsigned line, const struct dc_json_value *root)
{
	struct each *e = ctx;
	e->L->line = line;
	if (dc_json_type_of(root) != DC_JSON_OBJECT)
		return fail(e->L, DC_E_MALFORMED, "a record must be a JSON object");
	return record(e->L, root, &e->seen_header, e->max_records);
}

enum dc_err dc_dcb_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
			      struct dc_dcb_trace *t, char *why, size_t why_len)
{
	struct dc_trace_limits dl = dc_trace_limits_default();
	struct ld L = { 0, why, why_len, t };
	if (why && why_len)
		why[0] = '\0';
	if (!t)
		return DC_E_MISUSE;
	memset(t, 0, sizeof(*t));
	t->seq_ok = true;
	if (!text && len)
		return fail(&L, DC_E_MISUSE, "no text");
	lim = lim ? lim : &dl;
	if (len > lim->max_bytes)
		return fail(&L, DC_E_LIMIT, "trace longer than %llu bytes",
			    (unsigned long long)lim->max_bytes);
	struct each e = { &L, false, lim->max_records };
	char msg[200];
	enum dc_err r = dc_jsonl_each(text, len, lim->max_line_bytes, on_record, &e, &L.line, msg,
				      sizeof(msg));
	if (r != DC_OK && msg[0]) /* a line that did not parse (on_record says why itself) */
		fail(&L, r, "%s", msg);
	if (r == DC_OK && !e.seen_header) {
		L.line = 1;
		r = fail(&L, DC_E_MALFORMED, "no header record: not a " SCHEMA " trace");
	}
	if (r != DC_OK)
		dc_dcb_trace_free(t);
	return r;
}

void dc_dcb_trace_free(struct dc_dcb_trace *t)
{
	if (!t)
		return;
	free(t->implementation);
	free(t->version);
	free(t->script);
	free(t->calls);
	free(t->fills);
	memset(t, 0, sizeof(*t));
}
