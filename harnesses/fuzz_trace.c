/* fuzz_trace: writer traces (vendors hand us these) through the JSON Lines
 * loader and the protocol checker, and, when the input holds a dump after
 * the separator line "--dump--", the cross rules over that dump.
 * Oracles: no crash/UB/leak; a rejected trace explains itself ("line N: ...")
 * and leaves nothing allocated; a trace finding points at a line of the trace
 * and says so; checking twice gives the same findings (determinism). */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/tracecheck.h"
#include "fuzz_common.h"

#define SEPARATOR "\n--dump--\n"

/* Small enough that fuzz inputs reach every limit. */
static const struct dc_trace_limits lim = {
	.max_bytes = 1u << 20, .max_line_bytes = 1u << 14, .max_records = 1u << 12,
};

static void check(const struct dc_trace *t, const uint8_t *dump, size_t size,
		  struct dc_trace_findings *f)
{
	struct dc_limits dl;
	dc_limits_default(&dl);
	dl.max_diags = 256;
	memset(f, 0, sizeof(*f));
	FUZZ_ASSERT(dc_trace_check(t, dump, size, &dl, f) == DC_OK);
	for (size_t i = 0; i < f->trace.count; i++) {
		const struct dc_diag *g = &f->trace.items[i];
		FUZZ_ASSERT(g->offset >= 1 && g->offset <= t->lines);
		FUZZ_ASSERT(memcmp(g->detail, "line ", 5) == 0);
		FUZZ_ASSERT(dc_rule_descs[g->rule].phase == DC_PHASE_PROTOCOL ||
			    dc_rule_descs[g->rule].phase == DC_PHASE_CROSS);
	}
	for (size_t i = 0; i < f->dump.count; i++)
		FUZZ_ASSERT(dc_rule_descs[f->dump.items[i].rule].phase == DC_PHASE_CROSS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *dump = NULL;
	size_t trace_len = size, dump_len = 0;
	const uint8_t *sep = memmem(data, size, SEPARATOR, strlen(SEPARATOR));
	if (sep) {
		trace_len = (size_t)(sep - data) + 1;
		dump = sep + strlen(SEPARATOR);
		dump_len = size - (size_t)(dump - data);
	}
	struct dc_trace t;
	char why[256] = "";
	enum dc_err err = dc_trace_load((const char *)data, trace_len, &lim, &t, why, sizeof(why));
	if (err != DC_OK) {
		FUZZ_ASSERT(err != DC_E_MISUSE && memcmp(why, "line ", 5) == 0);
		FUZZ_ASSERT(t.calls == NULL && t.implementation == NULL && t.ncalls == 0);
		return 0;
	}
	FUZZ_ASSERT(t.ncalls <= lim.max_records && t.lines >= 1);
	struct dc_trace_findings a, b;
	check(&t, dump, dump_len, &a);
	check(&t, dump, dump_len, &b);
	fuzz_same_findings(&a.trace, &b.trace);
	fuzz_same_findings(&a.dump, &b.dump);
	dc_trace_findings_free(&a);
	dc_trace_findings_free(&b);
	dc_trace_free(&t);
	return 0;
}
