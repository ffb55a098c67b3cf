/* Unit tests of the trace loader and checker (dumpcheck/tracecheck.h).
 *
 * The per-rule checks are data: every kind = "trace" case of spec/cases
 * (the clean reference traces of the example scenarios, and per protocol
 * or cross rule a trace or dump edited so that exactly that rule fires) is
 * built in process and held to its expectation; exact cases are also
 * checked without their dump, where their protocol rules must fire alone.
 * That every rule has a firing and a quiet case is make check-gen's job
 * (tools/specgen.py). The loader and its limits are tested here in C.
 * Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>

#include "dumpcheck/corpus.h"
#include "dumpcheck/tracecheck.h"

#define CASES "spec/cases"
#define SCENARIOS "spec/scenarios"
#define MAX_CASE_FILES 64
#define MAX_TRACE_CASES 512

/* ---------------------------------------------------------------- trace cases */

struct tcase {
	const struct dc_case *c;
	char name[64];
};

static struct dc_case_set sets[MAX_CASE_FILES];
static size_t nsets;
static struct tcase tcases[MAX_TRACE_CASES];
static size_t ntcases;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every kind = "trace" case of spec/cases, in file-name order. */
static void load_trace_cases(void)
{
	char *names[MAX_CASE_FILES], path[512], why[512];
	size_t n = 0;
	DIR *d = opendir(CASES);
	struct dirent *de;
	if (!d) {
		fprintf(stderr, "%s: cannot open (run from the repository root)\n", CASES);
		exit(1);
	}
	while ((de = readdir(d)) != NULL && n < MAX_CASE_FILES) {
		size_t len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".toml") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), CASES "/%s", names[i]);
		if (dc_cases_load(path, &sets[nsets], why, sizeof(why)) != DC_OK) {
			fprintf(stderr, "%s\n", why);
			exit(1);
		}
		for (size_t k = 0; k < sets[nsets].ncases && ntcases < MAX_TRACE_CASES; k++)
			if (sets[nsets].cases[k].kind == DC_CASE_TRACE) {
				tcases[ntcases].c = &sets[nsets].cases[k];
				snprintf(tcases[ntcases].name, sizeof(tcases[0].name), "%s", sets[nsets].cases[k].id);
				ntcases++;
			}
		nsets++;
		free(names[i]);
	}
}

static void print_findings(const struct dc_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		print_message("    %s @%llu: %s\n", dc_rule_descs[d->items[i].rule].id,
			      (unsigned long long)d->items[i].offset, d->items[i].detail);
}

/* Load `trace` and check it (with `dump` when not NULL) into `f`; the number
 * of lines read goes to `lines`. */
static void check(const struct dc_buf *trace, const struct dc_buf *dump, struct dc_trace_findings *f,
		  unsigned *lines)
{
	struct dc_trace t;
	char why[256];
	memset(f, 0, sizeof(*f));
	enum dc_err err = dc_trace_load((const char *)trace->data, trace->len, NULL, &t, why, sizeof(why));
	if (err != DC_OK)
		fail_msg("load: %s: %s", dc_err_name(err), why);
	assert_int_equal(dc_trace_check(&t, dump ? dump->data : NULL, dump ? dump->len : 0, NULL, f), DC_OK);
	*lines = t.lines;
	dc_trace_free(&t);
}

static bool listed(const struct dc_case *c, unsigned rule)
{
	for (size_t i = 0; i < c->nfires; i++)
		if (c->fires[i] == rule)
			return true;
	return false;
}

/* Protocol rules need nothing but the trace: without the dump, an exact
 * case's protocol rules fire just the same and nothing else does. */
static void trace_only(const struct dc_case *c, const struct dc_buf *trace)
{
	struct dc_trace_findings f;
	unsigned lines;
	check(trace, NULL, &f, &lines);
	assert_int_equal(f.dump.total, 0);
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		bool want = listed(c, r) && dc_rule_descs[r].phase == DC_PHASE_PROTOCOL;
		if (want != (f.trace.per_rule[r] > 0) && (want || dc_rule_descs[r].phase == DC_PHASE_PROTOCOL)) {
			print_findings(&f.trace);
			fail_msg("%s without its dump: %s %s", c->id, dc_rule_descs[r].id,
				 want ? "does not fire" : "fires");
		}
	}
	dc_trace_findings_free(&f);
}

/* One trace case: its expectation holds in process (as `dumpcheck corpus
 * --verify` judges it), and trace findings point at a line of the trace. */
static void trace_case_holds(void **state)
{
	const struct tcase *tc = *state;
	const struct dc_case *c = tc->c;
	struct dc_buf dump, trace;
	struct dc_trace_findings f;
	char why[1024];
	unsigned lines;
	if (dc_case_build_trace(c, SCENARIOS, &dump, &trace, why, sizeof(why)) != DC_OK)
		fail_msg("%s", why);
	check(&trace, &dump, &f, &lines);
	if (!dc_case_check_trace(c, &f.trace, &f.dump, why, sizeof(why))) {
		print_findings(&f.trace);
		print_findings(&f.dump);
		fail_msg("%s (%s:%u): %s", c->id, c->source, c->line, why);
	}
	for (size_t i = 0; i < f.trace.count; i++) {
		assert_true(f.trace.items[i].offset >= 1 && f.trace.items[i].offset <= lines);
		assert_memory_equal(f.trace.items[i].detail, "line ", 5);
	}
	if (c->exact)
		trace_only(c, &trace);
	dc_trace_findings_free(&f);
	dc_buf_free(&dump);
	dc_buf_free(&trace);
}

/* ---------------------------------------------------------------- the loader */

#define HDR "{\"record\":\"header\",\"schema\":\"dumpcheck-trace\",\"schema_version\":1," \
	    "\"implementation\":\"x\",\"dump_type\":\"0x0\",\"process_id\":1,"            \
	    "\"process_handle\":\"0x4\",\"file_handle\":\"0x8\",\"callbacks\":true}\n"
#define CANCEL "{\"record\":\"callback\",\"seq\":1,\"type\":\"CancelCallback\",\"type_value\":6," \
	       "\"process_id\":1,\"process_handle\":\"0x4\",\"input\":{},"                   \
	       "\"output_in\":{\"check_cancel\":false,\"cancel\":false},\"returned\":true,"   \
	       "\"output_out\":{\"check_cancel\":false,\"cancel\":false}}\n"
#define RES "{\"record\":\"result\",\"callbacks\":1,\"returned\":true,\"last_error\":\"0x0\",\"bytes\":\"0x0\"}\n"

static void load_rejects(const char *text, enum dc_err code, const char *why)
{
	struct dc_trace t;
	char msg[256];
	enum dc_err err = dc_trace_load(text, strlen(text), NULL, &t, msg, sizeof(msg));
	if (err != code || strcmp(msg, why) != 0)
		fail_msg("got %s '%s', expected %s '%s'", dc_err_name(err), msg, dc_err_name(code), why);
	assert_null(t.calls);
	assert_null(t.implementation);
}

static void loader_errors(void **state)
{
	(void)state;
	load_rejects("", DC_E_MALFORMED, "line 1: no header record: not a dumpcheck-trace trace");
	load_rejects("{\"record\":\"header\",\"schema\":\"other\"}\n", DC_E_MALFORMED,
		     "line 1: schema: \"dumpcheck-trace\" expected");
	load_rejects("{\"record\":\"header\",\"schema\":\"dumpcheck-trace\",\"schema_version\":2}\n",
		     DC_E_UNSUPPORTED, "line 1: schema_version 2 is not supported (this build reads 1)");
	load_rejects(CANCEL, DC_E_MALFORMED, "line 1: the first record must be the header");
	load_rejects(HDR "{\"record\":\"callback\",\"seq\":1,\"type_value\":6,\"process_id\":1,"
			 "\"process_handle\":null,\"returned\":true,\"input\":{},"
			 "\"output_in\":{\"check_cancel\":false,\"cancel\":false}}\n",
		     DC_E_MALFORMED, "line 2: output_out: missing");
	load_rejects(HDR "{\"record\":\"callback\",\"seq\":1,\"type_value\":5,\"process_id\":1,"
			 "\"process_handle\":null,\"returned\":true,\"input\":{},"
			 "\"output_in\":{\"memory_base\":\"0x0\",\"memory_size\":\"x\"}}\n",
		     DC_E_MALFORMED,
		     "line 2: output_in.memory_size: a number or a \"0x...\" string expected");
	load_rejects(HDR "\n{\"record\":1}\n", DC_E_MALFORMED, "line 3: record: a string expected");
	load_rejects(HDR "{\"record\":\"callback\",,}\n", DC_E_MALFORMED,
		     "line 2: column 22: unexpected ',', a key was expected");
	load_rejects(HDR RES CANCEL, DC_E_MALFORMED, "line 3: a record after the result record");
	load_rejects(HDR HDR, DC_E_MALFORMED, "line 2: a second header record");
}

/* Unknown keys and records are ignored; CRLF line ends and blank lines are fine. */
static void loader_tolerates(void **state)
{
	(void)state;
	const char *text = "{\"record\":\"header\",\"future\":[1.5e3,{\"k\":null}],\"schema\":"
			   "\"dumpcheck-trace\",\"schema_version\":1,\"implementation\":\"x\","
			   "\"dump_type\":\"0x0\",\"process_id\":1,\"process_handle\":\"0x4\","
			   "\"file_handle\":\"0x8\",\"callbacks\":true}\r\n\r\n"
			   "{\"record\":\"note\",\"text\":\"later minor version\"}\n" CANCEL RES;
	struct dc_trace t;
	struct dc_trace_findings f;
	char why[256];
	assert_int_equal(dc_trace_load(text, strlen(text), NULL, &t, why, sizeof(why)), DC_OK);
	assert_int_equal(t.ncalls, 1);
	assert_int_equal(t.calls[0].line, 4);
	assert_true(t.has_result && t.returned);
	assert_string_equal(t.implementation, "x");
	memset(&f, 0, sizeof(f));
	assert_int_equal(dc_trace_check(&t, NULL, 0, NULL, &f), DC_OK);
	assert_int_equal(f.trace.total + f.dump.total, 0);
	dc_trace_findings_free(&f);
	dc_trace_free(&t);
}

/* Limits: a line too long, too many records. */
static void loader_limits(void **state)
{
	(void)state;
	struct dc_trace_limits lim = dc_trace_limits_default();
	struct dc_trace t;
	char why[256];
	const char *text = HDR CANCEL CANCEL RES;
	lim.max_records = 1;
	assert_int_equal(dc_trace_load(text, strlen(text), &lim, &t, why, sizeof(why)), DC_E_LIMIT);
	assert_string_equal(why, "line 3: more than 1 callback records");
	lim = dc_trace_limits_default();
	lim.max_line_bytes = 64;
	assert_int_equal(dc_trace_load(text, strlen(text), &lim, &t, why, sizeof(why)), DC_E_LIMIT);
	assert_string_equal(why, "line 1: a record longer than 64 bytes");
}

#define LOAD_TESTS 3
static const struct CMUnitTest load_tests[LOAD_TESTS] = {
	cmocka_unit_test(loader_errors),
	cmocka_unit_test(loader_tolerates),
	cmocka_unit_test(loader_limits),
};

int main(void)
{
	static struct CMUnitTest tests[MAX_TRACE_CASES + LOAD_TESTS];
	size_t k = 0;
	load_trace_cases();
	if (ntcases == 0) {
		fprintf(stderr, "no kind = \"trace\" case in " CASES "\n");
		return 1;
	}
	for (size_t i = 0; i < ntcases; i++)
		tests[k++] = (struct CMUnitTest){ tcases[i].name, trace_case_holds, NULL, NULL, &tcases[i] };
	for (size_t i = 0; i < LOAD_TESTS; i++)
		tests[k++] = load_tests[i];
	int failed = _cmocka_run_group_tests("tracecheck", tests, k, NULL, NULL);
	for (size_t i = 0; i < nsets; i++)
		dc_cases_free(&sets[i]);
	return failed;
}
