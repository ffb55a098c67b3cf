/* Scenario files: a process model, a dump request and a callback script in
 * TOML (format: spec/scenarios/README.md).
 *
 * Vendors hand us scenarios, so the text is untrusted: every problem is an
 * error value and a "line N: path: why" message, unknown keys included (a
 * typo must not silently change the test). */
#ifndef DUMPCHECK_SCENARIO_H
#define DUMPCHECK_SCENARIO_H

#include "dumpcheck/process.h"
#include "dumpcheck/script.h"
#include "dumpcheck/trace.h"
#include "dumpcheck/writer.h"

struct dc_scenario {
	const char *name;        /* never NULL after a successful parse */
	const char *description; /* "" when absent */
	struct dc_process process;
	struct dc_write_request request; /* request.callback points into this struct */
	struct dc_script script;          /* the [[callback]] rules; script.io unset */
	MINIDUMP_CALLBACK_INFORMATION callback;
	bool callbacks; /* request.callback is set: [request] callbacks = false clears it */
	/* [expect]: what the reference writer must do with this scenario */
	bool expect_returned;     /* MiniDumpWriteDump's BOOL (default TRUE) */
	int32_t expect_hresult;   /* its last error when it returns FALSE */
	bool expect_roundtrip;    /* the dump reads back as the model (default TRUE) */
};

/* Region contents a scenario may hold when the caller gives no budget. */
#define DC_SCENARIO_MAX_MEMORY (4ull << 30)

/* Parse scenario `text[0..len)` into `sc` (which must not move afterwards:
 * the request points at sc->callback), with at most `max_memory` bytes of
 * region contents (0: DC_SCENARIO_MAX_MEMORY). On failure `sc` is freed and
 * `why` holds the reason; the result is DC_E_MALFORMED, DC_E_UNSUPPORTED,
 * DC_E_LIMIT or DC_E_NOMEM. */
enum dc_err dc_scenario_parse(const char *text, size_t len, uint64_t max_memory, struct dc_scenario *sc,
			      char *why, size_t why_len);

/* Read and parse the scenario file `path`. A scenario may name a `base`
 * file in its own directory: the base's [process] and [request] apply where
 * the scenario has none, and only the scenario's [[callback]] rules count.
 * Errors as dc_scenario_parse, plus DC_E_IO when a file cannot be read. */
enum dc_err dc_scenario_load(const char *path, uint64_t max_memory, struct dc_scenario *sc, char *why,
			     size_t why_len);

/* Free everything `sc` owns. Safe on a zeroed or freed scenario. */
void dc_scenario_free(struct dc_scenario *sc);

/* Architecture name ("x86", "amd64", "arm64"), or NULL. */
const char *dc_arch_name(enum dc_arch arch);

/* The trace header of the reference writer running `sc` (implementation
 * "dumpcheck-reference", the request's DumpType, ids and handles). */
void dc_scenario_trace_run(const struct dc_scenario *sc, struct dc_trace_run *run);

#endif
