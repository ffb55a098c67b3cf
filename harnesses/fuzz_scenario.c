/* fuzz_scenario: scenario files (vendors hand us these) and, when one
 * parses, the reference writer run on it with its callback script, traced.
 * Oracles: no crash/UB/leak; a failed parse explains itself with a line; a
 * parsed model is consistent; the writer returning TRUE gives a dump with no
 * MUST finding, returning FALSE gives an HRESULT and no valid header. */
#include <string.h>

#include "dumpcheck/scenario.h"
#include "dumpcheck/trace.h"
#include "fuzz_common.h"

#define MAX_MEMORY (1u << 20) /* region contents one input may ask for */
#define MAX_DUMP (64u << 20)

struct membuf {
	uint8_t *data;
	uint64_t size, cap;
};

static enum dc_err mem_write(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	struct membuf *m = ctx;
	if (offset > MAX_DUMP || n > MAX_DUMP - offset)
		return DC_E_IO;
	if (offset + n > m->cap) {
		uint64_t cap = (offset + n) * 2;
		uint8_t *d = realloc(m->data, cap);
		FUZZ_ASSERT(d != NULL);
		memset(d + m->cap, 0, cap - m->cap);
		m->data = d;
		m->cap = cap;
	}
	memcpy(m->data + offset, buf, n);
	if (offset + n > m->size)
		m->size = offset + n;
	return DC_OK;
}

static size_t must_findings(const struct membuf *m)
{
	struct dc_validate_opts opts;
	struct dc_diags diags;
	memset(&diags, 0, sizeof(diags));
	dc_validate_opts_default(&opts);
	FUZZ_ASSERT(dc_minidump_validate(m->data, m->size, &opts, NULL, &diags) == DC_OK);
	size_t n = dc_diags_count_level(&diags, DC_LEVEL_MUST);
	dc_diags_free(&diags);
	return n;
}

static void write_dump(struct dc_scenario *sc, FILE *devnull)
{
	struct membuf m = { 0 };
	struct dc_sink sink = { &m, mem_write };
	struct dc_write_result res;
	struct dc_tracer tracer;
	MINIDUMP_CALLBACK_INFORMATION traced = { dc_trace_callback, &tracer };
	sc->script.io = &sink;
	dc_trace_init(&tracer, devnull, sc->request.callback);
	if (sc->request.callback)
		sc->request.callback = &traced;
	enum dc_err err = dc_write_minidump(&sc->process, &sc->request, &sink, &res);
	if (err == DC_OK) {
		FUZZ_ASSERT(res.hresult == 0 && res.bytes == m.size);
		FUZZ_ASSERT(must_findings(&m) == 0);
	} else {
		FUZZ_ASSERT(res.hresult >= 0x80000000u);
		FUZZ_ASSERT(m.size < 4 || memcmp(m.data, "MDMP", 4) != 0 || must_findings(&m) > 0);
	}
	free(m.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct dc_scenario sc;
	char why[256] = "";
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	FUZZ_ASSERT(devnull != NULL);
	enum dc_err err = dc_scenario_parse((const char *)data, size, MAX_MEMORY, &sc, why, sizeof(why));
	if (err != DC_OK) {
		FUZZ_ASSERT(err != DC_E_MISUSE && why[0] != '\0');
		FUZZ_ASSERT(sc.name == NULL && sc.process.arena == NULL);
		return 0;
	}
	FUZZ_ASSERT(sc.name != NULL && dc_process_check(&sc.process, why, sizeof(why)) == DC_OK);
	write_dump(&sc, devnull);
	dc_scenario_free(&sc);
	return 0;
}
