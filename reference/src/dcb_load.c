/* Loading a notification trace (JSON Lines, spec/dcb-trace.md) into struct
 * dc_dcb_trace. Traces come from vendors and from the agent under Wine:
 * every line goes through the hardened JSON parser under struct
 * dc_trace_limits, a missing or ill-typed key is named with its line, and
 * keys (and record kinds) the schema does not name are ignored. Object
 * names are resolved against the header's object table, so the checker
 * compares indexes, never strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dcb.h"
#include "dumpcheck/json.h"
#include "dumpcheck/tracecheck.h"
#include "jrec.h"

#define SCHEMA "dumpcheck-dcb-trace"

struct ld {
	struct dci_jrec j;
	struct dc_dcb_trace *t;
};

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
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "%s: an object name or null expected", key);
	for (size_t i = 0; i < L->t->nobjects; i++)
		if (strcmp(L->t->objects[i].name, s) == 0) {
			*index = (int32_t)i;
			return DC_OK;
		}
	return dci_jrec_fail(&L->j, DC_E_MALFORMED, "%s: '%.40s' is not an object of the header", key, s);
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
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "schema: \"" SCHEMA "\" expected");
	if ((r = dci_jrec_num(&L->j, rec, "schema_version", UINT32_MAX, &version)) != DC_OK)
		return r;
	if (version != DC_DCB_TRACE_SCHEMA_VERSION)
		return dci_jrec_fail(&L->j, DC_E_UNSUPPORTED, "schema_version %llu (this build reads %d)",
			    (unsigned long long)version, DC_DCB_TRACE_SCHEMA_VERSION);
	if ((r = dci_jrec_str(&L->j, rec, "implementation", &t->implementation)) != DC_OK ||
	    (r = dci_jrec_str(&L->j, rec, "version", &t->version)) != DC_OK ||
	    (r = dci_jrec_str(&L->j, rec, "script", &t->script)) != DC_OK)
		return r;
	const struct dc_json_value *objs = dc_json_get(rec, "objects");
	if (dc_json_type_of(objs) != DC_JSON_ARRAY || dc_json_len(objs) > DC_DCB_MAX_OBJECTS)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "objects: an array of at most %u expected",
			    DC_DCB_MAX_OBJECTS);
	for (size_t i = 0; i < dc_json_len(objs); i++) {
		const struct dc_json_value *o = dc_json_at(objs, i);
		struct dc_dcb_script_object *so = &t->objects[i];
		if (!dc_json_str(dc_json_get(o, "name"), &s, &n) || n == 0 || n >= DC_DCB_NAME_MAX ||
		    memchr(s, 0, n) || !dc_json_str(dc_json_get(o, "kind"), &kind, NULL) ||
		    !kind_parse(kind, &so->kind) || so->kind == DC_DCB_KIND_NONE)
			return dci_jrec_fail(&L->j, DC_E_MALFORMED, "objects[%zu]: {name, kind} expected", i);
		memcpy(so->name, s, n + 1);
		t->nobjects = i + 1;
	}
	return DC_OK;
}

static enum dc_err seq(struct ld *L, const struct dc_json_value *rec)
{
	uint64_t v;
	enum dc_err r = dci_jrec_num(&L->j, rec, "seq", UINT64_MAX, &v);
	if (r != DC_OK)
		return r;
	if (v != ++L->t->steps && L->t->seq_ok) {
		L->t->seq_ok = false;
		L->t->seq_bad_line = L->j.line;
	}
	return DC_OK;
}

static enum dc_err delivery(struct ld *L, const struct dc_json_value *o, struct dc_dcb_delivery *d)
{
	const char *s;
	enum dc_err r;
	memset(d, 0, sizeof(*d));
	if (!dc_json_str(dc_json_get(o, "via"), &s, NULL) || !kind_parse(s, &d->via))
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "deliveries: via: an object kind expected");
	if (!dc_json_str(dc_json_get(o, "mode"), &s, NULL))
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "deliveries: mode: a string expected");
	d->mode = strcmp(s, "sent") == 0 ? DC_DCB_SENT : strcmp(s, "called") == 0 ? DC_DCB_CALLED
		  : strcmp(s, "signaled") == 0 ? DC_DCB_SIGNALED : DC_DCB_POSTED;
	if ((r = object_ref(L, o, "target", &d->target)) != DC_OK)
		return r;
	if (d->via == DC_DCB_KIND_WINDOW || d->via == DC_DCB_KIND_THREAD) {
		if ((r = dci_jrec_u32(&L->j, o, "msg", &d->msg)) != DC_OK ||
		    (r = dci_jrec_num(&L->j, o, "wparam", UINT64_MAX, &d->wparam)) != DC_OK ||
		    (r = dci_jrec_num(&L->j, o, "lparam", UINT64_MAX, &d->lparam)) != DC_OK)
			return r;
	} else if (d->via == DC_DCB_KIND_FUNCTION) {
		if ((r = dci_jrec_u32(&L->j, o, "msg", &d->msg)) != DC_OK ||
		    (r = dci_jrec_num(&L->j, o, "hdrvr", UINT64_MAX, &d->hdrvr)) != DC_OK ||
		    (r = dci_jrec_num(&L->j, o, "user", UINT64_MAX, &d->user)) != DC_OK ||
		    (r = dci_jrec_num(&L->j, o, "param1", UINT64_MAX, &d->param1)) != DC_OK ||
		    (r = dci_jrec_num(&L->j, o, "param2", UINT64_MAX, &d->param2)) != DC_OK ||
		    (r = dci_jrec_bool(&L->j, o, "same_thread", &d->same_thread)) != DC_OK ||
		    (r = dci_jrec_bool(&L->j, o, "during_call", &d->during_call)) != DC_OK)
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
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "target: an object or null expected");
	if ((r = object_ref(L, o, "name", &tg->index)) != DC_OK)
		return r;
	if (tg->index < 0)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "target: name: an object name expected");
	tg->kind = L->t->objects[tg->index].kind;
	if (tg->kind == DC_DCB_KIND_WINDOW || tg->kind == DC_DCB_KIND_THREAD) {
		if ((r = dci_jrec_bool(&L->j, o, "queue", &tg->queue)) != DC_OK ||
		    (r = dci_jrec_u32(&L->j, o, "queued", &tg->queued)) != DC_OK ||
		    (r = dci_jrec_bool(&L->j, o, "full", &tg->full)) != DC_OK)
			return r;
	}
	return DC_OK;
}

static enum dc_err call(struct ld *L, const struct dc_json_value *rec, struct dc_dcb_trace_call *c)
{
	enum dc_err r;
	memset(c, 0, sizeof(*c));
	c->line = L->j.line;
	if ((r = seq(L, rec)) != DC_OK ||
	    (r = dci_jrec_num(&L->j, rec, "callback", UINT64_MAX, &c->call.callback)) ||
	    (r = dci_jrec_u32(&L->j, rec, "flags", &c->call.flags)) ||
	    (r = dci_jrec_num(&L->j, rec, "hdrvr", UINT64_MAX, &c->call.hdrvr)) ||
	    (r = dci_jrec_u32(&L->j, rec, "msg", &c->call.msg)) ||
	    (r = dci_jrec_num(&L->j, rec, "user", UINT64_MAX, &c->call.user)) ||
	    (r = dci_jrec_num(&L->j, rec, "param1", UINT64_MAX, &c->call.param1)) ||
	    (r = dci_jrec_num(&L->j, rec, "param2", UINT64_MAX, &c->call.param2)) ||
	    (r = target(L, rec, &c->target)) ||
	    (r = dci_jrec_bool(&L->j, rec, "returned", &c->returned)) ||
	    (r = dci_jrec_u32(&L->j, rec, "last_error", &c->last_error)))
		return r;
	const struct dc_json_value *ds = dc_json_get(rec, "deliveries");
	if (dc_json_type_of(ds) != DC_JSON_ARRAY)
		return dci_jrec_fail(&L->j, DC_E_MALFORMED, "deliveries: an array expected");
	c->nd_total = dc_json_len(ds);
	for (size_t i = 0; i < c->nd_total && i < DC_DCB_MAX_DELIVERIES; i++, c->nd++)
		if ((r = delivery(L, dc_json_at(ds, i), &c->d[i])) != DC_OK)
			return r;
	return DC_OK;
}

static enum dc_err add_call(struct ld *L, const struct dc_json_value *rec)
{
	struct dc_dcb_trace *t = L->t;
	if (t->ncalls >= L->j.max_records)
		return dci_jrec_fail(&L->j, DC_E_LIMIT, "more than %zu call records", L->j.max_records);
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

static enum dc_err add_fill(struct ld *L, const struct dc_json_value *rec)
{
	struct dc_dcb_trace *t = L->t;
	int32_t index;
	enum dc_err r;
	if (t->nfills >= L->j.max_records)
		return dci_jrec_fail(&L->j, DC_E_LIMIT, "more than %zu fill records", L->j.max_records);
	if (t->nfills == t->fcap) {
		size_t cap = t->fcap ? t->fcap * 2 : 16;
		struct dc_dcb_trace_fill *p = realloc(t->fills, cap * sizeof(*p));
		if (!p)
			return DC_E_NOMEM;
		t->fills = p;
		t->fcap = cap;
	}
	struct dc_dcb_trace_fill *f = &t->fills[t->nfills];
	f->line = L->j.line;
	if ((r = seq(L, rec)) || (r = object_ref(L, rec, "target", &index)) ||
	    (r = dci_jrec_u32(&L->j, rec, "attempted", &f->attempted)) ||
	    (r = dci_jrec_u32(&L->j, rec, "posted", &f->posted)) ||
	    (r = dci_jrec_bool(&L->j, rec, "refused", &f->refused)))
		return r;
	t->nfills++;
	return DC_OK;
}

static enum dc_err record(void *ctx, const struct dc_json_value *rec)
{
	struct ld *L = ctx;
	struct dc_dcb_trace *t = L->t;
	const char *kind;
	int32_t index;
	enum dc_err r = dci_jrec_kind(&L->j, rec, t->has_result, &kind);
	if (r != DC_OK)
		return r;
	if (strcmp(kind, "header") == 0)
		return header(L, rec);
	if (strcmp(kind, "call") == 0)
		return add_call(L, rec);
	if (strcmp(kind, "fill") == 0)
		return add_fill(L, rec);
	if (strcmp(kind, "drain") == 0) {
		r = seq(L, rec);
		return r != DC_OK ? r : object_ref(L, rec, "target", &index);
	}
	if (strcmp(kind, "result") == 0) {
		t->has_result = true;
		t->result_line = L->j.line;
		r = dci_jrec_num(&L->j, rec, "steps", UINT64_MAX, &t->result_steps);
		return r != DC_OK ? r : dci_jrec_num(&L->j, rec, "calls", UINT64_MAX, &t->result_calls);
	}
	return DC_OK; /* a record kind a later minor version added */
}

enum dc_err dc_dcb_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
			      struct dc_dcb_trace *t, char *why, size_t why_len)
{
	struct ld L = { { .why = why, .why_len = why_len }, t };
	if (t) {
		memset(t, 0, sizeof(*t));
		t->seq_ok = true;
	}
	enum dc_err r = dci_jrec_load(&L.j, text, len, lim, t, record, &L, SCHEMA);
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
