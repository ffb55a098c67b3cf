/* DriverCallback scripts (spec/dcb-scripts/README.md): TOML through the
 * hardened parser, every key checked, unknown keys refused (a typo must not
 * silently become a default), so the reference, the agent and the fuzzer
 * run exactly what the file says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dcb.h"
#include "dumpcheck/toml.h"
#include "scenario_int.h"

struct ps {
	struct dc_dcb_script *sc;
	struct dci_why w;
};

static int32_t object_index(const struct dc_dcb_script *sc, const char *name)
{
	for (size_t i = 0; i < sc->nobjects; i++)
		if (strcmp(sc->objects[i].name, name) == 0)
			return (int32_t)i;
	return -1;
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= DC_DCB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

static enum dc_err parse_object(struct ps *p, const struct dc_toml_value *t, size_t k)
{
	static const char *const keys[] = { "name", "kind", "queue", "capacity", NULL };
	static const char *const kinds[] = { "window", "thread", "event", "function" };
	struct dc_dcb_script_object *o = &p->sc->objects[k];
	const char *s;
	size_t n;
	int64_t cap = 0;
	if (dc_toml_type_of(t) != DC_TOML_TABLE)
		return dci_toml_fail(&p->w, t, "object[%zu]: a table expected", k);
	enum dc_err err = dci_toml_only(&p->w, t, "object", keys);
	if (err != DC_OK)
		return err;
	const struct dc_toml_value *v = dc_toml_get(t, "name");
	if (!dc_toml_str(v, &s, &n) || !name_ok(s, n))
		return dci_toml_fail(&p->w, t, "object[%zu].name: 1 to %u characters of a-z 0-9 _ - expected", k,
			   DC_DCB_NAME_MAX - 1);
	if (object_index(p->sc, s) >= 0)
		return dci_toml_fail(&p->w, v, "object[%zu].name: '%s' is declared twice", k, s);
	memcpy(o->name, s, n + 1);
	o->kind = DC_DCB_KIND_NONE;
	v = dc_toml_get(t, "kind");
	for (size_t i = 0; i < 4 && dc_toml_str(v, &s, NULL); i++)
		if (strcmp(s, kinds[i]) == 0)
			o->kind = (enum dc_dcb_kind)(DC_DCB_KIND_WINDOW + i);
	if (o->kind == DC_DCB_KIND_NONE)
		return dci_toml_fail(&p->w, t, "object '%s'.kind: window, thread, event or function expected", o->name);
	o->queue = true;
	v = dc_toml_get(t, "queue");
	if (v && (o->kind != DC_DCB_KIND_THREAD || !dc_toml_bool(v, &o->queue)))
		return dci_toml_fail(&p->w, v, "object '%s'.queue: true or false, for a thread only", o->name);
	v = dc_toml_get(t, "capacity");
	if (v && (o->kind == DC_DCB_KIND_EVENT || o->kind == DC_DCB_KIND_FUNCTION ||
		  !dc_toml_int(v, &cap) || cap < 1 || cap > (int64_t)DC_DCB_FILL_MAX))
		return dci_toml_fail(&p->w, v, "object '%s'.capacity: 1 to %u, for a window or thread", o->name,
			   DC_DCB_FILL_MAX);
	o->capacity = (uint32_t)cap;
	return DC_OK;
}

/* One name of dwFlags: a DCB_* type, a CALLBACK_* value, DCB_NOSWITCH. */
static bool flag_name(const char *s, size_t n, uint32_t *out)
{
	char name[40];
	uint64_t v;
	if (n == 0 || n >= sizeof(name))
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	if (strcmp(name, "DCB_NOSWITCH") == 0) {
		*out = DC_DCB_NOSWITCH;
		return true;
	}
	bool known = (strncmp(name, "DCB_", 4) == 0 && dc_enum_parse(DC_E_DCB_TYPE, name, &v)) ||
		     (strncmp(name, "CALLBACK_", 9) == 0 && dc_enum_parse(DC_E_CALLBACK_TYPE, name, &v));
	*out = known ? (uint32_t)v : 0;
	return known;
}

/* dwFlags: a number, or names joined by '|' ("DCB_WINDOW|DCB_NOSWITCH"). */
static enum dc_err parse_flags(struct ps *p, const struct dc_toml_value *v, uint32_t *out)
{
	int64_t i;
	const char *s;
	size_t n;
	*out = 0;
	if (!v)
		return dci_toml_fail(&p->w, v, "step: a call needs flags");
	if (dc_toml_int(v, &i) && i >= 0 && i <= (int64_t)UINT32_MAX) {
		*out = (uint32_t)i;
		return DC_OK;
	}
	if (!dc_toml_str(v, &s, &n) || n == 0)
		return dci_toml_fail(&p->w, v, "flags: a number or DCB_*/CALLBACK_* names joined by '|' expected");
	for (size_t at = 0; at <= n;) {
		size_t len = strcspn(s + at, "|");
		uint32_t bit;
		if (!flag_name(s + at, len, &bit))
			return dci_toml_fail(&p->w, v, "flags: unknown name '%.*s'", (int)(len < 40 ? len : 40), s + at);
		*out |= bit;
		at += len + 1;
	}
	return DC_OK;
}

static enum dc_err get_u64(struct ps *p, const struct dc_toml_value *t, const char *key,
			   uint64_t max, uint64_t *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	*out = 0;
	if (v && (!dc_toml_u64(v, out) || *out > max))
		return dci_toml_fail(&p->w, v, "%s: a number from 0 to 0x%llx expected", key, (unsigned long long)max);
	return DC_OK;
}

static enum dc_err parse_call(struct ps *p, const struct dc_toml_value *t, struct dc_dcb_step *st)
{
	static const char *const keys[] = { "callback", "flags", "hdrvr", "msg", "user", "param1",
					    "param2", "note", NULL };
	const struct dc_toml_value *cb = dc_toml_get(t, "callback");
	const char *s;
	uint64_t msg;
	enum dc_err err = dci_toml_only(&p->w, t, "call step", keys);
	st->op = DC_DCB_STEP_CALL;
	st->object = -1;
	if (err == DC_OK && dc_toml_str(cb, &s, NULL)) {
		if ((st->object = object_index(p->sc, s)) < 0)
			return dci_toml_fail(&p->w, cb, "callback: no object '%s'", s);
	} else if (err == DC_OK && !dc_toml_u64(cb, &st->call.callback)) {
		return dci_toml_fail(&p->w, cb, "callback: an object name or a number expected");
	}
	if (err == DC_OK)
		err = parse_flags(p, dc_toml_get(t, "flags"), &st->call.flags);
	if (err == DC_OK)
		err = get_u64(p, t, "msg", UINT32_MAX, &msg);
	if (err == DC_OK && msg == DC_DCB_FILLER_MSG)
		return dci_toml_fail(&p->w, t, "msg: 0x%x is the filler message of fill steps", DC_DCB_FILLER_MSG);
	st->call.msg = (uint32_t)msg;
	if (err == DC_OK)
		err = get_u64(p, t, "hdrvr", UINT64_MAX, &st->call.hdrvr);
	if (err == DC_OK)
		err = get_u64(p, t, "user", UINT64_MAX, &st->call.user);
	if (err == DC_OK)
		err = get_u64(p, t, "param1", UINT64_MAX, &st->call.param1);
	if (err == DC_OK)
		err = get_u64(p, t, "param2", UINT64_MAX, &st->call.param2);
	return err;
}

/* fill = "t1" [max = N] or drain = "t1": a window or a thread with a queue. */
static enum dc_err parse_queue_step(struct ps *p, const struct dc_toml_value *t, bool fill,
				    struct dc_dcb_step *st)
{
	static const char *const fill_keys[] = { "fill", "max", "note", NULL };
	static const char *const drain_keys[] = { "drain", "note", NULL };
	const struct dc_toml_value *v = dc_toml_get(t, fill ? "fill" : "drain");
	const char *s;
	uint64_t max;
	enum dc_err err = dci_toml_only(&p->w, t, fill ? "fill step" : "drain step", fill ? fill_keys : drain_keys);
	if (err != DC_OK)
		return err;
	st->op = fill ? DC_DCB_STEP_FILL : DC_DCB_STEP_DRAIN;
	if (!dc_toml_str(v, &s, NULL) || (st->object = object_index(p->sc, s)) < 0)
		return dci_toml_fail(&p->w, v, "%s: the name of a declared object expected", fill ? "fill" : "drain");
	const struct dc_dcb_script_object *o = &p->sc->objects[st->object];
	if (o->kind != DC_DCB_KIND_WINDOW && !(o->kind == DC_DCB_KIND_THREAD && o->queue))
		return dci_toml_fail(&p->w, v, "%s: '%s' has no message queue", fill ? "fill" : "drain", s);
	if (!dc_toml_get(t, "max"))
		max = DC_DCB_FILL_DEFAULT;
	else if ((err = get_u64(p, t, "max", DC_DCB_FILL_MAX, &max)) != DC_OK)
		return err;
	st->max = (uint32_t)max;
	return DC_OK;
}

static enum dc_err parse_step(struct ps *p, const struct dc_toml_value *t, size_t k)
{
	struct dc_dcb_step *st = &p->sc->steps[k];
	memset(st, 0, sizeof(*st));
	st->line = dc_toml_line(t);
	if (dc_toml_type_of(t) != DC_TOML_TABLE)
		return dci_toml_fail(&p->w, t, "step[%zu]: a table expected", k);
	bool call = dc_toml_get(t, "callback"), fill = dc_toml_get(t, "fill"),
	     drain = dc_toml_get(t, "drain");
	if (call + fill + drain != 1)
		return dci_toml_fail(&p->w, t, "step[%zu]: exactly one of callback, fill, drain expected", k);
	return call ? parse_call(p, t, st) : parse_queue_step(p, t, fill, st);
}

static enum dc_err parse_root(struct ps *p, const struct dc_toml_value *root)
{
	static const char *const keys[] = { "name", "description", "object", "step", NULL };
	const struct dc_toml_value *objs = dc_toml_get(root, "object"), *steps = dc_toml_get(root, "step");
	const char *s;
	enum dc_err err = dci_toml_only(&p->w, root, "script", keys);
	if (err != DC_OK)
		return err;
	if (!dc_toml_str(dc_toml_get(root, "name"), &s, NULL) || !(p->sc->name = strdup(s)))
		return dci_toml_fail(&p->w, root, "name: a string is required");
	if (dc_toml_str(dc_toml_get(root, "description"), &s, NULL) && !(p->sc->description = strdup(s)))
		return DC_E_NOMEM;
	if ((objs && dc_toml_type_of(objs) != DC_TOML_ARRAY) || dc_toml_len(objs) > DC_DCB_MAX_OBJECTS)
		return dci_toml_fail(&p->w, objs, "object: an array of at most %u tables expected", DC_DCB_MAX_OBJECTS);
	for (size_t i = 0; i < dc_toml_len(objs) && err == DC_OK; i++, p->sc->nobjects++)
		err = parse_object(p, dc_toml_at(objs, i), i);
	if (err != DC_OK)
		return err;
	if (dc_toml_type_of(steps) != DC_TOML_ARRAY || !dc_toml_len(steps) ||
	    dc_toml_len(steps) > DC_DCB_MAX_STEPS)
		return dci_toml_fail(&p->w, root, "step: an array of 1 to %u tables is required", DC_DCB_MAX_STEPS);
	if (!(p->sc->steps = calloc(dc_toml_len(steps), sizeof(*p->sc->steps))))
		return DC_E_NOMEM;
	for (size_t i = 0; i < dc_toml_len(steps) && err == DC_OK; i++, p->sc->nsteps++)
		err = parse_step(p, dc_toml_at(steps, i), i);
	return err;
}

enum dc_err dc_dcb_script_parse(const char *text, size_t len, struct dc_dcb_script *sc, char *why,
				size_t why_len)
{
	struct dc_toml *doc = NULL;
	struct dc_toml_error te;
	struct ps p = { sc, { why, why_len } };
	if (!sc || (!text && len))
		return DC_E_MISUSE;
	memset(sc, 0, sizeof(*sc));
	enum dc_err err = dc_toml_parse(text, len, NULL, &doc, &te);
	if (err != DC_OK) {
		if (why && why_len)
			snprintf(why, why_len, "%s", te.message);
		return err;
	}
	err = parse_root(&p, dc_toml_root(doc));
	dc_toml_free(doc);
	if (err != DC_OK)
		dc_dcb_script_free(sc);
	return err;
}

void dc_dcb_script_free(struct dc_dcb_script *sc)
{
	if (!sc)
		return;
	free(sc->name);
	free(sc->description);
	free(sc->steps);
	memset(sc, 0, sizeof(*sc));
}
