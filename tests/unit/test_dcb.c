/* Unit tests of the DriverCallback model, scripts, traces and checker
 * (dumpcheck/dcb.h).
 *
 * - per DCB type, the model: what dc_driver_callback returns, delivers and
 *   leaves in the last error;
 * - per dcb.* rule, one trace where it fires and one where it stays quiet,
 *   written with the trace record writers (so the firing traces are what a
 *   defective implementation would record) and judged by dc_dcb_check;
 * - the shipped scripts (spec/dcb-scripts) run on the model: no MUST or
 *   SHOULD finding, and together they exercise every dcb.* rule;
 * - script and trace loader errors.
 * The same defects are data too: the dcb cases of spec/cases/dcb.toml
 * (edits of the scripts' reference traces). Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>

#include "dumpcheck/dcb.h"

#define SCRIPTS "spec/dcb-scripts"

/* ---------------------------------------------------------------- the model per type */

struct sys {
	struct dc_dcb_system s;
	size_t w, t, nq, e, f;
	struct dc_dcb_delivery d[DC_DCB_MAX_DELIVERIES];
};

static void sys_init(struct sys *x, uint32_t capacity)
{
	dc_dcb_system_init(&x->s);
	assert_int_equal(dc_dcb_add(&x->s, "w", DC_DCB_KIND_WINDOW, true, capacity, &x->w), DC_OK);
	assert_int_equal(dc_dcb_add(&x->s, "t", DC_DCB_KIND_THREAD, true, capacity, &x->t), DC_OK);
	assert_int_equal(dc_dcb_add(&x->s, "nq", DC_DCB_KIND_THREAD, false, 0, &x->nq), DC_OK);
	assert_int_equal(dc_dcb_add(&x->s, "e", DC_DCB_KIND_EVENT, false, 0, &x->e), DC_OK);
	assert_int_equal(dc_dcb_add(&x->s, "f", DC_DCB_KIND_FUNCTION, false, 0, &x->f), DC_OK);
}

static uint64_t h(const struct sys *x, size_t i)
{
	return x->s.objects[i].handle;
}

/* One call; returns what was delivered (0 or 1), checks the BOOL. */
static size_t dcb(struct sys *x, uint64_t cb, uint32_t flags, bool want)
{
	bool r = dc_driver_callback(&x->s, cb, flags, 0x1234, 0x3BD, 0xAA, 0xBB, 0xCC);
	assert_int_equal(r, want);
	return dc_dcb_collect(&x->s, x->d, DC_DCB_MAX_DELIVERIES);
}

static void type_null(void **state)
{
	(void)state;
	struct sys x;
	sys_init(&x, 0);
	size_t objs[] = { x.w, x.t, x.e, x.f };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(dcb(&x, h(&x, objs[i]), DC_DCB_NULL, false), 0);
		assert_int_equal(dcb(&x, h(&x, objs[i]), DC_DCB_NULL | DC_DCB_NOSWITCH, false), 0);
	}
	assert_int_equal(dcb(&x, h(&x, x.f), DC_CALLBACK_FUNCTION, false), 0);
}

static void type_window(void **state)
{
	(void)state;
	struct sys x;
	sys_init(&x, 0);
	assert_int_equal(dcb(&x, h(&x, x.w), DC_DCB_WINDOW, true), 1);
	assert_int_equal(x.d[0].via, DC_DCB_KIND_WINDOW);
	assert_int_equal(x.d[0].mode, DC_DCB_POSTED);
	assert_int_equal(x.d[0].target, (int32_t)x.w);
	assert_int_equal(x.d[0].msg, 0x3BD);
	assert_int_equal(x.d[0].wparam, 0x1234); /* hDevice */
	assert_int_equal(x.d[0].lparam, 0xBB);   /* dwParam1 */
	assert_int_equal(dcb(&x, h(&x, x.w), DC_DCB_WINDOW | DC_DCB_NOSWITCH | 0x100, true), 1);
	assert_int_equal(dcb(&x, 0xDEAD, DC_DCB_WINDOW, false), 0);
	assert_int_equal(x.s.last_error, DC_DCB_ERROR_INVALID_WINDOW_HANDLE);
	assert_int_equal(dcb(&x, h(&x, x.e), DC_DCB_WINDOW, false), 0); /* an event is no window */
}

static void type_task(void **state)
{
	(void)state;
	struct sys x;
	sys_init(&x, 0);
	assert_int_equal(dcb(&x, h(&x, x.t), DC_DCB_TASK, true), 1);
	assert_int_equal(x.d[0].via, DC_DCB_KIND_THREAD);
	assert_int_equal(x.d[0].wparam, 0x1234);
	assert_int_equal(x.d[0].lparam, 0xBB);
	assert_int_equal(dcb(&x, h(&x, x.nq), DC_DCB_TASK, false), 0);
	assert_int_equal(x.s.last_error, DC_DCB_ERROR_INVALID_THREAD_ID);
	assert_int_equal(dcb(&x, 0x7FFF0, DC_DCB_TASK, false), 0);
	assert_int_equal(x.s.last_error, DC_DCB_ERROR_INVALID_PARAMETER);
}

static void type_function(void **state)
{
	(void)state;
	struct sys x;
	sys_init(&x, 0);
	assert_int_equal(dcb(&x, h(&x, x.f), DC_DCB_FUNCTION, true), 1);
	assert_int_equal(x.d[0].mode, DC_DCB_CALLED);
	assert_int_equal(x.d[0].target, (int32_t)x.f);
	assert_int_equal(x.d[0].hdrvr, 0x1234);
	assert_int_equal(x.d[0].user, 0xAA);
	assert_int_equal(x.d[0].param1, 0xBB);
	assert_int_equal(x.d[0].param2, 0xCC);
	assert_true(x.d[0].same_thread && x.d[0].during_call);
	assert_int_equal(dcb(&x, 0, DC_DCB_FUNCTION, false), 0); /* no call of address 0 */
	assert_int_equal(dcb(&x, 0x5000, DC_DCB_FUNCTION, true), 1);
	assert_int_equal(x.d[0].target, -1); /* foreign code: called, at no object */
}

static void type_event(void **state)
{
	(void)state;
	struct sys x;
	sys_init(&x, 0);
	assert_int_equal(dcb(&x, h(&x, x.e), DC_DCB_EVENT, true), 1);
	assert_int_equal(x.d[0].mode, DC_DCB_SIGNALED);
	assert_false(x.s.objects[x.e].signaled); /* collect resets it, as the agent does */
	assert_int_equal(dcb(&x, 0xDEAC, DC_DCB_EVENT, false), 0);
	assert_int_equal(x.s.last_error, DC_DCB_ERROR_INVALID_HANDLE);
}

static void type_undocumented(void **state)
{
	(void)state;
	struct sys x;
	sys_init(&x, 0);
	for (uint32_t t = 4; t <= 7; t += t == 4 ? 2 : 1)
		assert_int_equal(dcb(&x, h(&x, x.f), t, false), 0);
}

static void queue_full(void **state)
{
	(void)state;
	struct sys x;
	uint32_t posted, err, removed;
	bool refused;
	sys_init(&x, 3);
	assert_int_equal(dc_dcb_fill(&x.s, x.t, 10, &posted, &refused, &err), DC_OK);
	assert_int_equal(posted, 3);
	assert_true(refused);
	assert_int_equal(err, DC_DCB_ERROR_NOT_ENOUGH_QUOTA);
	assert_int_equal(dcb(&x, h(&x, x.t), DC_DCB_TASK, false), 0);
	assert_int_equal(x.s.last_error, DC_DCB_ERROR_NOT_ENOUGH_QUOTA);
	assert_int_equal(dc_dcb_drain(&x.s, x.t, &removed), DC_OK);
	assert_int_equal(removed, 3);
	assert_int_equal(dcb(&x, h(&x, x.t), DC_DCB_TASK, true), 1);
	assert_int_equal(dc_dcb_fill(&x.s, x.e, 1, &posted, &refused, &err), DC_E_MISUSE);
	assert_int_equal(dc_dcb_fill(&x.s, x.nq, 1, &posted, &refused, &err), DC_E_MISUSE);
}

/* ---------------------------------------------------------------- traces per rule */

enum { W1, T1, E1, F1 }; /* the objects of every hand-written trace */

struct tb {
	char *text;
	size_t len;
	FILE *f;
	struct dc_dcb_script names;
	uint64_t seq, calls;
};

static void tb_begin(struct tb *b)
{
	static const char *const n[] = { "w1", "t1", "e1", "f1" };
	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < 4; i++) {
		snprintf(b->names.objects[i].name, DC_DCB_NAME_MAX, "%s", n[i]);
		b->names.objects[i].kind = (enum dc_dcb_kind)(DC_DCB_KIND_WINDOW + i);
	}
	b->names.nobjects = 4;
	b->f = open_memstream(&b->text, &b->len);
	assert_non_null(b->f);
	struct dc_dcb_trace_run run = { "test", "1", "unit", "amd64" };
	dc_dcb_trace_header(b->f, &run, &b->names);
}

/* A call of `flags` on object `obj` (-1: raw `cb`) with the standard
 * arguments, returning `ret`, with `nd` deliveries. */
static void tb_call(struct tb *b, int obj, uint64_t cb, uint32_t flags, bool full, bool ret,
		    const struct dc_dcb_delivery *d, size_t nd)
{
	struct dc_dcb_call c = { obj >= 0 ? 0x10000u + (unsigned)obj : cb, flags, 0x1234, 0x3BD, 0xAA,
				 0xBB, 0xCC };
	struct dc_dcb_target t = { obj, obj >= 0 ? (enum dc_dcb_kind)(DC_DCB_KIND_WINDOW + obj)
						 : DC_DCB_KIND_NONE,
				   true, full ? 10000 : 0, full };
	dc_dcb_trace_call(b->f, ++b->seq, &c, &t, ret, ret ? 0 : 87, d, nd, &b->names);
	b->calls++;
}

static struct dc_dcb_delivery posted(int obj, uint64_t wparam)
{
	return (struct dc_dcb_delivery){ .via = obj == T1 ? DC_DCB_KIND_THREAD : DC_DCB_KIND_WINDOW,
					 .target = obj, .mode = DC_DCB_POSTED, .msg = 0x3BD,
					 .wparam = wparam, .lparam = 0xBB };
}

static struct dc_dcb_delivery called(int obj, uint64_t param2, bool same_thread)
{
	return (struct dc_dcb_delivery){ .via = DC_DCB_KIND_FUNCTION, .target = obj,
					 .mode = DC_DCB_CALLED, .msg = 0x3BD, .hdrvr = 0x1234,
					 .user = 0xAA, .param1 = 0xBB, .param2 = param2,
					 .same_thread = same_thread, .during_call = true };
}

static const struct dc_dcb_delivery signaled = { .via = DC_DCB_KIND_EVENT, .target = E1,
						 .mode = DC_DCB_SIGNALED };

/* Findings of `rule` in the finished trace; every trace must load. */
static size_t tb_count(struct tb *b, bool result, enum dc_rule rule, bool *exercised)
{
	struct dc_dcb_trace t;
	struct dc_diags d;
	char why[200];
	if (result)
		dc_dcb_trace_result(b->f, b->seq, b->calls);
	assert_int_equal(fclose(b->f), 0);
	memset(&d, 0, sizeof(d));
	enum dc_err err = dc_dcb_trace_load(b->text, b->len, NULL, &t, why, sizeof(why));
	if (err != DC_OK)
		fail_msg("trace does not load: %s", why);
	assert_int_equal(dc_dcb_check(&t, &d, exercised), DC_OK);
	size_t n = d.per_rule[rule];
	dc_diags_free(&d);
	dc_dcb_trace_free(&t);
	free(b->text);
	return n;
}

/* One rule's pair: build(b, true) must make it fire, build(b, false) not. */
typedef void (*build_fn)(struct tb *b, bool fire);

static void pair(enum dc_rule rule, build_fn build, bool result_when_firing)
{
	struct tb b;
	bool ex[DC_RULE_COUNT];
	tb_begin(&b);
	build(&b, true);
	if (tb_count(&b, result_when_firing, rule, NULL) == 0)
		fail_msg("%s did not fire", dc_rule_descs[rule].id);
	tb_begin(&b);
	build(&b, false);
	if (tb_count(&b, true, rule, ex) != 0)
		fail_msg("%s fired on its quiet trace", dc_rule_descs[rule].id);
	if (!ex[rule])
		fail_msg("%s was not exercised by its quiet trace", dc_rule_descs[rule].id);
}

static void b_result(struct tb *b, bool fire)
{
	(void)fire; /* the pair drops the result record when firing */
	tb_call(b, F1, 0, DC_DCB_FUNCTION, false, true, (struct dc_dcb_delivery[]){ called(F1, 0xCC, true) }, 1);
}

static void b_null(struct tb *b, bool fire)
{
	tb_call(b, W1, 0, DC_DCB_NULL, false, fire, NULL, 0);
}

static void b_zero(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = called(-1, 0xCC, true);
	tb_call(b, -1, 0, DC_DCB_FUNCTION, false, fire, &d, fire);
}

static void b_mask(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = called(F1, 0xCC, true);
	tb_call(b, F1, 0, 0x13, false, !fire, &d, !fire);
}

static void b_noswitch(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(W1, 0x1234);
	tb_call(b, W1, 0, DC_DCB_WINDOW | DC_DCB_NOSWITCH, false, !fire, &d, !fire);
}

static void b_unknown(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = called(F1, 0xCC, true);
	tb_call(b, F1, 0, 7, false, fire, &d, fire);
}

static void b_undocumented(struct tb *b, bool fire)
{
	tb_call(b, F1, 0, fire ? 4 : DC_DCB_NULL, false, false, NULL, 0);
}

static void b_callback_constant(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = called(F1, 0xCC, true);
	tb_call(b, F1, 0, DC_CALLBACK_FUNCTION, false, fire, &d, fire);
}

static void b_caller(struct tb *b, bool fire)
{
	tb_call(b, F1, 0, fire ? DC_CALLBACK_FUNCTION : DC_DCB_NULL, false, false, NULL, 0);
}

static void b_window(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(W1, fire ? 0xAA : 0x1234); /* dwUser as wParam */
	tb_call(b, W1, 0, DC_DCB_WINDOW, false, true, &d, 1);
}

static void b_task(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(fire ? W1 : T1, 0x1234); /* to a window, not the thread */
	tb_call(b, T1, 0, DC_DCB_TASK, false, true, &d, 1);
}

static void b_posted(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(W1, 0x1234);
	d.mode = fire ? DC_DCB_SENT : DC_DCB_POSTED;
	tb_call(b, W1, 0, DC_DCB_WINDOW, false, true, &d, 1);
}

static void b_function(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = called(F1, 0xCC, !fire); /* called on another thread */
	tb_call(b, F1, 0, DC_DCB_FUNCTION, false, true, &d, 1);
}

static void b_function_true(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = called(F1, 0xCC, true);
	tb_call(b, F1, 0, DC_DCB_FUNCTION, false, !fire, &d, 1);
}

static void b_event(struct tb *b, bool fire)
{
	tb_call(b, E1, 0, DC_DCB_EVENT, false, true, &signaled, !fire);
}

static void b_success(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(W1, 0x1234);
	tb_call(b, W1, 0, DC_DCB_WINDOW, false, !fire, &d, 1);
}

static void b_invalid(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(W1, 0x1234);
	d.target = -1;
	tb_call(b, -1, 0xDEAD, DC_DCB_WINDOW, false, fire, &d, fire);
}

static void b_full(struct tb *b, bool fire)
{
	struct dc_dcb_delivery d = posted(T1, 0x1234);
	tb_call(b, T1, 0, DC_DCB_TASK, true, fire, &d, fire);
}

static void b_limit(struct tb *b, bool fire)
{
	dc_dcb_trace_fill(b->f, ++b->seq, "t1", 10001, fire ? 10001 : 10000, !fire, fire ? 0 : 1816);
}

static void rules_fire_and_stay_quiet(void **state)
{
	(void)state;
	static const struct {
		enum dc_rule rule;
		build_fn build;
		bool result;
	} pairs[] = {
		{ DC_RULE_DCB_TRACE_RESULT_PRESENT, b_result, false },
		{ DC_RULE_DCB_NULL_RETURNS_FALSE, b_null, true },
		{ DC_RULE_DCB_ZERO_CALLBACK_FALSE, b_zero, true },
		{ DC_RULE_DCB_TYPE_MASK, b_mask, true },
		{ DC_RULE_DCB_TYPE_NOSWITCH_IGNORED, b_noswitch, true },
		{ DC_RULE_DCB_TYPE_UNKNOWN_FALSE, b_unknown, true },
		{ DC_RULE_DCB_TYPE_UNDOCUMENTED, b_undocumented, true },
		{ DC_RULE_DCB_FLAGS_CALLBACK_CONSTANT, b_callback_constant, true },
		{ DC_RULE_DCB_FLAGS_CALLER_CALLBACK_CONSTANT, b_caller, true },
		{ DC_RULE_DCB_WINDOW_DELIVERY, b_window, true },
		{ DC_RULE_DCB_TASK_DELIVERY, b_task, true },
		{ DC_RULE_DCB_POSTED_NOT_SENT, b_posted, true },
		{ DC_RULE_DCB_FUNCTION_DELIVERY, b_function, true },
		{ DC_RULE_DCB_FUNCTION_RETURNS_TRUE, b_function_true, true },
		{ DC_RULE_DCB_EVENT_DELIVERY, b_event, true },
		{ DC_RULE_DCB_SUCCESS_RETURNS_TRUE, b_success, true },
		{ DC_RULE_DCB_INVALID_HANDLE_FALSE, b_invalid, true },
		{ DC_RULE_DCB_QUEUE_FULL_FALSE, b_full, true },
		{ DC_RULE_DCB_QUEUE_LIMIT, b_limit, true },
	};
	size_t ndcb = 0;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		ndcb += strncmp(dc_rule_descs[r].id, "dcb.", 4) == 0;
	assert_int_equal(sizeof(pairs) / sizeof(pairs[0]), ndcb); /* a new rule needs its pair */
	for (size_t i = 0; i < ndcb; i++)
		pair(pairs[i].rule, pairs[i].build, pairs[i].result);
}

/* A defect with bits beyond the type is one finding, under the flag rule. */
static void one_defect_one_finding(void **state)
{
	(void)state;
	struct tb b;
	tb_begin(&b);
	tb_call(&b, F1, 0, DC_DCB_FUNCTION | DC_DCB_NOSWITCH, false, false, NULL, 0);
	assert_int_equal(tb_count(&b, true, DC_RULE_DCB_FUNCTION_DELIVERY, NULL), 0);
	tb_begin(&b);
	tb_call(&b, F1, 0, DC_DCB_FUNCTION | DC_DCB_NOSWITCH, false, false, NULL, 0);
	assert_int_equal(tb_count(&b, true, DC_RULE_DCB_TYPE_NOSWITCH_IGNORED, NULL), 1);
}

/* ---------------------------------------------------------------- scripts */

static void shipped_scripts(void **state)
{
	(void)state;
	bool all[DC_RULE_COUNT] = { false }, ex[DC_RULE_COUNT];
	DIR *d = opendir(SCRIPTS);
	size_t n = 0;
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".toml") != 0)
			continue;
		char path[512], why[256], *text = NULL;
		size_t tlen = 0;
		struct dc_file f;
		struct dc_dcb_script sc;
		struct dc_dcb_trace t;
		struct dc_diags diags;
		snprintf(path, sizeof(path), "%s/%s", SCRIPTS, e->d_name);
		assert_int_equal(dc_file_open(&f, path, 1u << 24), DC_OK);
		if (dc_dcb_script_parse((const char *)f.data, f.size, &sc, why, sizeof(why)) != DC_OK)
			fail_msg("%s: %s", path, why);
		dc_file_close(&f);
		FILE *out = open_memstream(&text, &tlen);
		struct dc_dcb_trace_run run = { "dumpcheck-reference", "test", sc.name, "amd64" };
		assert_int_equal(dc_dcb_run(&sc, &run, out), DC_OK);
		fclose(out);
		assert_int_equal(dc_dcb_trace_load(text, tlen, NULL, &t, why, sizeof(why)), DC_OK);
		memset(&diags, 0, sizeof(diags));
		assert_int_equal(dc_dcb_check(&t, &diags, ex), DC_OK);
		for (size_t i = 0; i < diags.count; i++)
			if (!dc_rule_descs[diags.items[i].rule].impl)
				fail_msg("%s: %s fired: %s", path, dc_rule_descs[diags.items[i].rule].id,
					 diags.items[i].detail);
		for (unsigned r = 0; r < DC_RULE_COUNT; r++)
			all[r] |= ex[r];
		dc_diags_free(&diags);
		dc_dcb_trace_free(&t);
		dc_dcb_script_free(&sc);
		free(text);
		n++;
	}
	closedir(d);
	assert_true(n >= 5);
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		if (strncmp(dc_rule_descs[r].id, "dcb.", 4) == 0 && !all[r])
			fail_msg("%s is exercised by no shipped script", dc_rule_descs[r].id);
}

static void script_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"step = []\n",                                        /* no name */
		"name = \"x\"\n",                                     /* no steps */
		"name = \"x\"\n[[step]]\ncallback = \"nope\"\nflags = 1\n",
		"name = \"x\"\n[[step]]\ncallback = 1\nflags = \"DCB_WINDOWS\"\n",
		"name = \"x\"\n[[step]]\ncallback = 1\nflags = 1\nmsg = 0xBFFF\n",
		"name = \"x\"\n[[step]]\ncallback = 1\nflags = 1\ntypo = 1\n",
		"name = \"x\"\n[[object]]\nname = \"e\"\nkind = \"event\"\n[[step]]\nfill = \"e\"\n",
		"name = \"x\"\n[[object]]\nname = \"t\"\nkind = \"thread\"\nqueue = false\n[[step]]\ndrain = \"t\"\n",
		"name = \"x\"\n[[object]]\nname = \"A\"\nkind = \"window\"\n[[step]]\ncallback = 0\nflags = 0\n",
		"name = \"x\"\n[[step]]\ncallback = 1\nfill = \"w\"\nflags = 0\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dc_dcb_script sc;
		char why[200] = "";
		if (dc_dcb_script_parse(bad[i], strlen(bad[i]), &sc, why, sizeof(why)) == DC_OK)
			fail_msg("script %zu was accepted", i);
		assert_true(why[0] != '\0');
	}
	struct dc_dcb_script sc;
	const char *ok = "name = \"x\"\n[[step]]\ncallback = 5\nflags = \"CALLBACK_FUNCTION|DCB_NOSWITCH\"\n";
	assert_int_equal(dc_dcb_script_parse(ok, strlen(ok), &sc, NULL, 0), DC_OK);
	assert_int_equal(sc.steps[0].call.flags, 0x30008);
	dc_dcb_script_free(&sc);
}

static void loader_errors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"{\"record\":\"call\"}\n",
		"{\"record\":\"header\",\"schema\":\"dumpcheck-trace\",\"schema_version\":1,\"objects\":[]}\n",
		"{\"record\":\"header\",\"schema\":\"dumpcheck-dcb-trace\",\"schema_version\":1,\"objects\":[]}\n"
		"{\"record\":\"call\",\"seq\":1}\n",
		"{\"record\":\"header\",\"schema\":\"dumpcheck-dcb-trace\",\"schema_version\":1,\"objects\":[]}\n"
		"{\"record\":\"fill\",\"seq\":1,\"target\":\"ghost\",\"attempted\":1,\"posted\":1,\"refused\":false}\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dc_dcb_trace t;
		char why[200] = "";
		if (dc_dcb_trace_load(bad[i], strlen(bad[i]), NULL, &t, why, sizeof(why)) == DC_OK)
			fail_msg("trace %zu was accepted", i);
		assert_true(why[0] != '\0');
	}
	struct dc_dcb_trace t;
	const char *v2 = "{\"record\":\"header\",\"schema\":\"dumpcheck-dcb-trace\",\"schema_version\":2}\n";
	assert_int_equal(dc_dcb_trace_load(v2, strlen(v2), NULL, &t, NULL, 0), DC_E_UNSUPPORTED);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(type_null),
	cmocka_unit_test(type_window),
	cmocka_unit_test(type_task),
	cmocka_unit_test(type_function),
	cmocka_unit_test(type_event),
	cmocka_unit_test(type_undocumented),
	cmocka_unit_test(queue_full),
	cmocka_unit_test(rules_fire_and_stay_quiet),
	cmocka_unit_test(one_defect_one_finding),
	cmocka_unit_test(shipped_scripts),
	cmocka_unit_test(script_errors),
	cmocka_unit_test(loader_errors),
};

int main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
