/* Notification traces (JSON Lines, spec/dcb-trace.md) and the reference
 * run of a script over the model. The record writers are shared with the
 * Windows agent, so the reference and the real winmm write one schema. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dumpcheck/dcb.h"
#include "dumpcheck/report.h"
#include "internal.h"

static const char *name_of(const struct dc_dcb_script *names, int32_t i)
{
	return names && i >= 0 && (size_t)i < names->nobjects ? names->objects[i].name : NULL;
}

void dc_dcb_trace_header(FILE *out, const struct dc_dcb_trace_run *run,
			 const struct dc_dcb_script *names)
{
	dci_trace_header_open(out, "dumpcheck-dcb-trace", DC_DCB_TRACE_SCHEMA_VERSION, run->implementation,
			      run->version);
	fputs(",\"script\":", out);
	dci_json_cstr(out, run->script);
	fputs(",\"arch\":", out);
	dci_json_cstr(out, run->arch);
	fputs(",\"objects\":[", out);
	for (size_t i = 0; names && i < names->nobjects; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		dci_json_cstr(out, names->objects[i].name);
		fprintf(out, ",\"kind\":\"%s\"}", dc_dcb_kind_name(names->objects[i].kind));
	}
	fputs("]}\n", out);
}

void dc_dcb_trace_fill(FILE *out, uint64_t seq, const char *target, uint32_t attempted,
		       uint32_t posted, bool refused, uint32_t last_error)
{
	fprintf(out, "{\"record\":\"fill\",\"seq\":%" PRIu64 ",\"target\":", seq);
	dci_json_cstr(out, target);
	fprintf(out, ",\"attempted\":%" PRIu32 ",\"posted\":%" PRIu32 ",\"refused\":%s,\"last_error\":%" PRIu32 "}\n",
		attempted, posted, refused ? "true" : "false", last_error);
}

void dc_dcb_trace_drain(FILE *out, uint64_t seq, const char *target, uint32_t removed)
{
	fprintf(out, "{\"record\":\"drain\",\"seq\":%" PRIu64 ",\"target\":", seq);
	dci_json_cstr(out, target);
	fprintf(out, ",\"removed\":%" PRIu32 "}\n", removed);
}

static void delivery(FILE *out, const struct dc_dcb_delivery *d, const struct dc_dcb_script *names,
		     bool first)
{
	fprintf(out, "%s{\"via\":\"%s\",\"target\":", first ? "" : ",", dc_dcb_kind_name(d->via));
	dci_json_cstr(out, name_of(names, d->target));
	fprintf(out, ",\"mode\":\"%s\"", dc_dcb_mode_name(d->mode));
	if (d->via == DC_DCB_KIND_WINDOW || d->via == DC_DCB_KIND_THREAD) {
		fprintf(out, ",\"msg\":%" PRIu32, d->msg);
		dci_json_hex(out, "wparam", d->wparam);
		dci_json_hex(out, "lparam", d->lparam);
	} else if (d->via == DC_DCB_KIND_FUNCTION) {
		dci_json_hex(out, "hdrvr", d->hdrvr);
		fprintf(out, ",\"msg\":%" PRIu32, d->msg);
		dci_json_hex(out, "user", d->user);
		dci_json_hex(out, "param1", d->param1);
		dci_json_hex(out, "param2", d->param2);
		fprintf(out, ",\"same_thread\":%s,\"during_call\":%s", d->same_thread ? "true" : "false",
			d->during_call ? "true" : "false");
	}
	fputc('}', out);
}

void dc_dcb_trace_call(FILE *out, uint64_t seq, const struct dc_dcb_call *c,
		       const struct dc_dcb_target *target, bool returned, uint32_t last_error,
		       const struct dc_dcb_delivery *d, size_t nd, const struct dc_dcb_script *names)
{
	fprintf(out, "{\"record\":\"call\",\"seq\":%" PRIu64, seq);
	dci_json_hex(out, "callback", c->callback);
	fprintf(out, ",\"flags\":%" PRIu32 ",\"type\":%" PRIu32, c->flags, c->flags & DC_DCB_TYPEMASK);
	dci_json_hex(out, "hdrvr", c->hdrvr);
	fprintf(out, ",\"msg\":%" PRIu32, c->msg);
	dci_json_hex(out, "user", c->user);
	dci_json_hex(out, "param1", c->param1);
	dci_json_hex(out, "param2", c->param2);
	fputs(",\"target\":", out);
	if (!target || target->index < 0) {
		fputs("null", out);
	} else {
		fputs("{\"name\":", out);
		dci_json_cstr(out, name_of(names, target->index));
		fprintf(out, ",\"kind\":\"%s\"", dc_dcb_kind_name(target->kind));
		if (target->kind == DC_DCB_KIND_WINDOW || target->kind == DC_DCB_KIND_THREAD)
			fprintf(out, ",\"queue\":%s,\"queued\":%" PRIu32 ",\"full\":%s",
				target->queue ? "true" : "false", target->queued,
				target->full ? "true" : "false");
		fputc('}', out);
	}
	fprintf(out, ",\"returned\":%s,\"last_error\":%" PRIu32 ",\"deliveries\":[",
		returned ? "true" : "false", last_error);
	for (size_t i = 0; i < nd; i++)
		delivery(out, &d[i], names, i == 0);
	fputs("]}\n", out);
}

void dc_dcb_trace_result(FILE *out, uint64_t steps, uint64_t calls)
{
	fprintf(out, "{\"record\":\"result\",\"steps\":%" PRIu64 ",\"calls\":%" PRIu64 "}\n", steps,
		calls);
}

/* ---------------------------------------------------------------- the reference run */

static enum dc_err build_system(const struct dc_dcb_script *sc, struct dc_dcb_system *s)
{
	dc_dcb_system_init(s);
	for (size_t i = 0; i < sc->nobjects; i++) {
		const struct dc_dcb_script_object *o = &sc->objects[i];
		enum dc_err err = dc_dcb_add(s, o->name, o->kind, o->queue, o->capacity, NULL);
		if (err != DC_OK)
			return err;
	}
	return DC_OK;
}

static void run_call(struct dc_dcb_system *s, const struct dc_dcb_script *sc,
		     const struct dc_dcb_step *st, uint64_t seq, FILE *out)
{
	struct dc_dcb_call c = st->call;
	struct dc_dcb_target tg = { .index = st->object };
	struct dc_dcb_delivery d[DC_DCB_MAX_DELIVERIES];
	if (st->object >= 0) {
		const struct dc_dcb_object *o = &s->objects[st->object];
		c.callback = o->handle;
		tg.kind = o->kind;
		tg.queue = o->queue;
		tg.queued = o->queued;
		tg.full = o->full || (o->queue && o->queued >= o->capacity);
	}
	bool r = dc_driver_callback(s, c.callback, c.flags, c.hdrvr, c.msg, c.user, c.param1, c.param2);
	uint32_t err = s->last_error;
	size_t nd = dc_dcb_collect(s, d, DC_DCB_MAX_DELIVERIES);
	dc_dcb_trace_call(out, seq, &c, &tg, r, err, d, nd, sc);
}

enum dc_err dc_dcb_run(const struct dc_dcb_script *sc, const struct dc_dcb_trace_run *run,
		       FILE *out)
{
	struct dc_dcb_system s;
	uint64_t calls = 0;
	if (!sc || !run || !out)
		return DC_E_MISUSE;
	enum dc_err err = build_system(sc, &s);
	if (err != DC_OK)
		return err;
	dc_dcb_trace_header(out, run, sc);
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct dc_dcb_step *st = &sc->steps[i];
		uint32_t n = 0, last = 0;
		bool refused = false;
		if (st->op == DC_DCB_STEP_CALL) {
			run_call(&s, sc, st, i + 1, out);
			calls++;
		} else if (st->op == DC_DCB_STEP_FILL) {
			if ((err = dc_dcb_fill(&s, (size_t)st->object, st->max, &n, &refused, &last)) != DC_OK)
				return err;
			dc_dcb_trace_fill(out, i + 1, sc->objects[st->object].name,
					  refused ? n + 1 : n, n, refused, last);
		} else {
			if ((err = dc_dcb_drain(&s, (size_t)st->object, &n)) != DC_OK)
				return err;
			dc_dcb_trace_drain(out, i + 1, sc->objects[st->object].name, n);
		}
	}
	dc_dcb_trace_result(out, sc->nsteps, calls);
	return ferror(out) ? DC_E_IO : DC_OK;
}
