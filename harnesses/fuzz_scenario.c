/* fuzz_scenario: scenario files (vendors hand us these) and, when one
 * parses, the reference writer run on it with its callback script, traced.
 * Oracles: no crash/UB/leak; a failed parse explains itself with a line; a
 * parsed model is consistent; the writer returning TRUE gives a dump with no
 * MUST finding, returning FALSE gives an HRESULT and no valid header. */
#include <string.h>

#include "dumpcheck/scenario.h"
#include "dumpcheck/trace.h"
#include "fuzz_sink.h"

#define MAX_MEMORY (1u << 20) /* region contents one input may ask for */

static void write_dump(struct dc_scenario *sc, FILE *devnull)
{
	struct fuzz_membuf m = { 0 };
	struct dc_sink sink = { &m, fuzz_mem_write };
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
		FUZZ_ASSERT(fuzz_must_findings(m.data, m.size) == 0);
	} else {
		FUZZ_ASSERT(res.hresult >= 0x80000000u);
		FUZZ_ASSERT(m.size < 4 || memcmp(m.data, "MDMP", 4) != 0 ||
			    fuzz_must_findings(m.data, m.size) > 0);
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
