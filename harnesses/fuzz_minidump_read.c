/* fuzz_minidump_read: validate + walk every stream through the generated
 * tables. Oracles: no crash/UB/leak (sanitizers); validation is
 * deterministic: the printing pass validates the input a second time and
 * must find the same (a third, silent pass would only cost speed).
 * Options come from the input's tail (fuzz_tail): last byte bit 0 prints
 * JSON instead of text (as before the producer), the byte before it turns
 * on strict mode and picks the per-rule cap. The whole input is still the
 * dump: a writer's last stream runs to the end of the file, and cutting
 * the option bytes off would truncate every seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/print.h"
#include "fuzz_common.h"

static void fuzz_limits(struct dc_validate_opts *o, struct fuzz_tail *t)
{
	dc_validate_opts_default(o);
	/* A fixed per-input work cap so that time-outs are real bugs. */
	o->limits.max_work = 1u << 18;
	o->limits.max_alloc = 16u << 20;
	o->limits.max_diags = 256;
	uint8_t pick = (uint8_t)fuzz_tail_uint(t, 1);
	o->strict = pick & 1;
	if (pick & 2) /* the per-rule cap is a path of its own (counted, not recorded) */
		o->limits.max_per_rule = 1u + (pick >> 2 & 3u);
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
	struct dc_diags first = { 0 }, printed = { 0 };
	struct fuzz_tail tail = fuzz_tail_init(data, size);
	bool json = fuzz_tail_bool(&tail);
	if (!sink)
		sink = fopen("/dev/null", "w");
	fuzz_limits(&opts, &tail);
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &first) == DC_OK);
	FUZZ_ASSERT(sink != NULL);
	dc_minidump_print(sink, "fuzz", data, size, json, &opts, &printed);
	same_findings(&first, &printed);
	dc_diags_free(&first);
	dc_diags_free(&printed);
	return 0;
}
