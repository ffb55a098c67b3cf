/* Round trip of every example scenario (spec/scenarios): load, write with
 * its callback script, and hold the result to the scenario's [expect]: the
 * HRESULT of a failure, or a dump with no MUST finding that reads back as
 * the model (as far as the dump type and the effective write flags keep it).
 * plain.toml is also written once per MINIDUMP_TYPE flag. Run from the
 * repository root. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dumpcheck/readmodel.h"
#include "dumpcheck/scenario.h"
#include "procbuild.h"

#define SCENARIOS "spec/scenarios"

static size_t must_findings(const struct pb_buf *b)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	memset(&d, 0, sizeof(d));
	dc_validate_opts_default(&opts);
	assert_int_equal(dc_minidump_validate(b->data, b->size, &opts, NULL, &d), DC_OK);
	size_t n = dc_diags_count_level(&d, DC_LEVEL_MUST);
	for (size_t i = 0; n && i < d.count; i++)
		print_message("  %s: %s\n", dc_rule_descs[d.items[i].rule].id, d.items[i].detail);
	dc_diags_free(&d);
	return n;
}

/* Callbacks that add or remove memory make the flags alone unable to say
 * which ranges the dump holds. */
static bool script_moves_memory(const struct dc_script *s)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (s->rules[i].type == DC_MemoryCallback || s->rules[i].type == DC_RemoveMemoryCallback ||
		    s->rules[i].type == DC_IncludeVmRegionCallback)
			return true;
	return false;
}

static void read_back(const char *name, struct dc_scenario *sc, const struct pb_buf *b,
		      const uint32_t *tf, const uint32_t *mf)
{
	struct dc_process read;
	struct dc_read_extra extra;
	char why[512] = "";
	uint64_t type = sc->request.dump_type | (script_moves_memory(&sc->script) ? DC_ROUNDTRIP_CALLBACK_MEMORY : 0);
	assert_int_equal(dc_minidump_read_process(b->data, b->size, &read, &extra), DC_OK);
	if (dc_roundtrip_check(&sc->process, type, tf, mf, &read, why, sizeof(why)) != DC_OK ||
	    dc_roundtrip_check_extra(&sc->process, &sc->request, tf, &extra, why, sizeof(why)) != DC_OK)
		fail_msg("%s (DumpType 0x%llX): %s", name, (unsigned long long)sc->request.dump_type, why);
	dc_process_free(&read);
}

/* Write `sc` and check it against its [expect]. */
static void write_and_check(const char *name, struct dc_scenario *sc)
{
	size_t nt = sc->process.nthreads, nm = sc->process.nmodules;
	uint32_t *tf = calloc(nt + 1, sizeof(*tf)), *mf = calloc(nm + 1, sizeof(*mf));
	struct pb_buf b;
	struct dc_sink sink = { &b, pb_buf_write };
	struct dc_write_result res;
	assert_true(tf && mf);
	pb_buf_init(&b);
	sc->script.io = &sink;
	dc_script_reset(&sc->script);
	sc->request.thread_flags_out = tf;
	sc->request.module_flags_out = mf;
	enum dc_err err = dc_write_minidump(&sc->process, &sc->request, &sink, &res);
	if ((err == DC_OK) != sc->expect_returned)
		fail_msg("%s: the writer returned %s (%s), the scenario expects %s", name,
			 err == DC_OK ? "TRUE" : "FALSE", dc_err_name(err), sc->expect_returned ? "TRUE" : "FALSE");
	if (err != DC_OK) {
		assert_int_equal(res.hresult, (uint32_t)sc->expect_hresult);
		assert_true(b.size < 4 || memcmp(b.data, "MDMP", 4) != 0); /* no valid header */
	} else {
		assert_int_equal(res.bytes, b.size);
		if (must_findings(&b))
			fail_msg("%s: the dump has MUST findings", name);
		if (sc->expect_roundtrip)
			read_back(name, sc, &b, tf, mf);
	}
	pb_buf_free(&b);
	free(tf);
	free(mf);
}

static void every_example_scenario(void **state)
{
	DIR *dir = opendir(SCENARIOS);
	struct dirent *e;
	unsigned n = 0;
	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL) {
		char path[512], why[256];
		struct dc_scenario sc;
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".toml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", SCENARIOS, e->d_name);
		if (dc_scenario_load(path, 0, &sc, why, sizeof(why)) != DC_OK)
			fail_msg("%s: %s", path, why);
		write_and_check(e->d_name, &sc);
		dc_scenario_free(&sc);
		n++;
	}
	closedir(dir);
	assert_true(n >= 15);
}

static void plain_with_every_dump_type_flag(void **state)
{
	struct dc_scenario sc;
	char why[256];
	(void)state;
	assert_int_equal(dc_scenario_load(SCENARIOS "/plain.toml", 0, &sc, why, sizeof(why)), DC_OK);
	for (unsigned bit = 0; bit < 27; bit++) {
		sc.request.dump_type = 1ull << bit;
		if (sc.request.dump_type == DC_MiniDumpWithFullMemory)
			sc.request.dump_type |= DC_MiniDumpIgnoreInaccessibleMemory; /* an unreadable page */
		write_and_check("plain.toml", &sc);
	}
	sc.request.dump_type = 0x3FFFFFF & ~(uint64_t)DC_MiniDumpFilterModulePaths; /* all at once */
	write_and_check("plain.toml", &sc);
	dc_scenario_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_example_scenario),
		cmocka_unit_test(plain_with_every_dump_type_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
