/* fuzz_drivercallback: the reference DriverCallback model, its tracer, the
 * trace loader and the dcb.* checker. An input that starts like a script
 * ('#', 'n', '[') is parsed as one (spec/dcb-scripts: the seeds); any other
 * input builds the system and the steps from its bytes: objects of every
 * kind, threads with and without a queue, tiny queue capacities (so a full
 * queue is common), fills and drains, calls with any dwCallback (an object,
 * 0, a raw value), dwFlags and parameters. Oracles: never crashes; a call
 * returns TRUE only with a non-zero dwCallback and a type of 1, 2, 3 or 5;
 * the run's own trace loads and the checker finds no MUST or SHOULD rule
 * broken by the reference (i_ notes are fine). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dcb.h"
#include "fuzz_common.h"

struct in {
	const uint8_t *p;
	size_t n, pos;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < bytes; k++)
		v |= (uint64_t)(in->pos < in->n ? in->p[in->pos++] : 0) << (8 * k);
	return v;
}

static void build_call(struct in *in, struct dc_dcb_script *sc, struct dc_dcb_step *st)
{
	uint8_t sel = (uint8_t)take(in, 1);
	st->op = DC_DCB_STEP_CALL;
	st->object = sel < 0xC0 ? (int32_t)(sel % sc->nobjects) : -1;
	st->call.callback = sel < 0xE0 ? 0 : take(in, sel & 1 ? 8 : 2);
	st->call.flags = (uint32_t)take(in, (sel & 2) ? 4 : 1);
	st->call.msg = (uint32_t)take(in, 2);
	st->call.msg = st->call.msg == DC_DCB_FILLER_MSG ? 0x3BD : st->call.msg; /* as the parser */
	st->call.hdrvr = take(in, 2);
	st->call.user = take(in, 8);
	st->call.param1 = take(in, 8);
	st->call.param2 = take(in, 2);
}

/* Objects and steps from raw bytes; false when there is nothing to run. */
static bool build(struct in *in, struct dc_dcb_script *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->nobjects = take(in, 1) % 8 + 1;
	for (size_t i = 0; i < sc->nobjects; i++) {
		uint8_t b = (uint8_t)take(in, 1);
		struct dc_dcb_script_object *o = &sc->objects[i];
		snprintf(o->name, sizeof(o->name), "o%zu", i);
		o->kind = (enum dc_dcb_kind)(DC_DCB_KIND_WINDOW + b % 4);
		o->queue = o->kind == DC_DCB_KIND_WINDOW || (o->kind == DC_DCB_KIND_THREAD && !(b & 4));
		o->capacity = (b >> 3) % 4 + 1;
	}
	size_t cap = in->n / 4 + 1;
	if (!(sc->steps = calloc(cap, sizeof(*sc->steps))))
		return false;
	while (in->pos < in->n && sc->nsteps < cap) {
		struct dc_dcb_step *st = &sc->steps[sc->nsteps];
		uint8_t op = (uint8_t)take(in, 1);
		int32_t target = (int32_t)((op >> 3) % sc->nobjects);
		const struct dc_dcb_script_object *o = &sc->objects[target];
		if ((op & 7) >= 6 && !o->queue) /* fill/drain only where a queue is */
			continue;
		if ((op & 7) == 6)
			*st = (struct dc_dcb_step){ .op = DC_DCB_STEP_FILL, .object = target, .max = op >> 5 };
		else if ((op & 7) == 7)
			*st = (struct dc_dcb_step){ .op = DC_DCB_STEP_DRAIN, .object = target };
		else
			build_call(in, sc, st);
		sc->nsteps++;
	}
	return sc->nsteps > 0;
}

/* The oracle on the model alone: TRUE needs dwCallback and a known type. */
static void direct_calls(const struct dc_dcb_script *sc)
{
	struct dc_dcb_system s;
	struct dc_dcb_delivery d[DC_DCB_MAX_DELIVERIES];
	dc_dcb_system_init(&s);
	for (size_t i = 0; i < sc->nobjects; i++)
		FUZZ_ASSERT(dc_dcb_add(&s, sc->objects[i].name, sc->objects[i].kind, sc->objects[i].queue,
				       sc->objects[i].capacity, NULL) == DC_OK);
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct dc_dcb_step *st = &sc->steps[i];
		if (st->op != DC_DCB_STEP_CALL)
			continue;
		uint64_t cb = st->object >= 0 ? s.objects[st->object].handle : st->call.callback;
		uint32_t type = st->call.flags & DC_DCB_TYPEMASK;
		bool r = dc_driver_callback(&s, cb, st->call.flags, st->call.hdrvr, st->call.msg,
					    st->call.user, st->call.param1, st->call.param2);
		size_t nd = dc_dcb_collect(&s, d, DC_DCB_MAX_DELIVERIES);
		FUZZ_ASSERT(!r || (cb && (type == 1 || type == 2 || type == 3 || type == 5)));
		FUZZ_ASSERT(nd == (r ? 1u : 0u));
	}
}

/* Run, load the trace back, check: the reference breaks no rule. */
static void run_and_check(const struct dc_dcb_script *sc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct dc_dcb_trace_run run = { "dumpcheck-reference", "fuzz", sc->name, "amd64" };
	FUZZ_ASSERT(out);
	FUZZ_ASSERT(dc_dcb_run(sc, &run, out) == DC_OK);
	FUZZ_ASSERT(fclose(out) == 0);
	struct dc_dcb_trace t;
	struct dc_diags diags = { 0 };
	char why[256];
	enum dc_err err = dc_dcb_trace_load(text, len, NULL, &t, why, sizeof(why));
	if (err != DC_OK)
		fprintf(stderr, "reload: %s\n", why);
	FUZZ_ASSERT(err == DC_OK);
	FUZZ_ASSERT(dc_dcb_check(&t, &diags, NULL) == DC_OK);
	for (size_t i = 0; i < diags.count; i++)
		if (!dc_rule_descs[diags.items[i].rule].impl)
			fprintf(stderr, "%s: %s\n", dc_rule_descs[diags.items[i].rule].id,
				diags.items[i].detail);
	FUZZ_ASSERT(dc_diags_count_level(&diags, DC_LEVEL_MUST) == 0);
	FUZZ_ASSERT(dc_diags_count_level(&diags, DC_LEVEL_SHOULD) == 0);
	dc_diags_free(&diags);
	dc_dcb_trace_free(&t);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_dcb_script sc;
	struct in in = { data, size, 0 };
	bool script = size && (data[0] == '#' || data[0] == 'n' || data[0] == '[');
	if (script ? dc_dcb_script_parse((const char *)data, size, &sc, NULL, 0) != DC_OK
		   : !build(&in, &sc)) {
		free(sc.steps);
		return 0;
	}
	direct_calls(&sc);
	run_and_check(&sc);
	if (script)
		dc_dcb_script_free(&sc);
	else
		free(sc.steps);
	return 0;
}
