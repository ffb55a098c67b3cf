/* fuzz_minidump_read: validate + walk every stream through the generated
 * tables. Oracles: no crash/UB/leak (sanitizers); validation is
 * deterministic (same input twice, same findings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/print.h"
#include "fuzz_common.h"

static void fuzz_limits(struct dc_validate_opts *o)
{
	dc_validate_opts_default(o);
	/* A fixed per-input work cap so that time-outs are real bugs. */
	o->limits.max_work = 1u << 18;
	o->limits.max_alloc = 16u << 20;
	o->limits.max_diags = 256;
}

static void same_findings(const struct dc_diags *a, const struct dc_diags *b)
{
	FUZZ_ASSERT(a->total == b->total);
	FUZZ_ASSERT(a->count == b->count);
	FUZZ_ASSERT(memcmp(a->per_rule, b->per_rule, sizeof(a->per_rule)) == 0);
	for (size_t i = 0; i < a->count; i++) {
		FUZZ_ASSERT(a->items[i].rule == b->items[i].rule);
		FUZZ_ASSERT(a->items[i].offset == b->items[i].offset);
		FUZZ_ASSERT(strcmp(a->items[i].detail, b->items[i].detail) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct dc_validate_opts opts;
	struct dc_diags first = { 0 }, second = { 0 }, printed = { 0 };
	if (!sink)
		sink = fopen("/dev/null", "w");
	fuzz_limits(&opts);
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &first) == DC_OK);
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &second) == DC_OK);
	same_findings(&first, &second);
	if (sink) {
		dc_minidump_print(sink, "fuzz", data, size, (size > 0 && data[size - 1] & 1), &opts,
				  &printed);
		same_findings(&first, &printed);
	}
	dc_diags_free(&first);
	dc_diags_free(&second);
	dc_diags_free(&printed);
	return 0;
}
