/* fuzz_minidump_read: validate + walk every stream through the generated
 * tables. Oracles: no crash/UB/leak (sanitizers); every offset and range
 * the walk reports lies inside the input; validation is deterministic: a
 * second pass, without the walker, must find the same.
 * Options come from the input's tail (fuzz_tail): the last byte turns on
 * strict mode, picks the per-rule cap and whether the second pass runs, in
 * one input of eight. A second pass doubles an input's cost; the
 * determinism it checks does not depend on which input carries it, and any
 * input is one tail mutation from it.
 * Printing (text and JSON) is fuzz_minidump_stream's: it prints every file
 * it builds. Here a printing pass cost five validations, and the inputs
 * that took it were kept for print.c's edges until they were most of the
 * corpus.
 * The whole input is still the dump: a writer's last stream runs to the
 * end of the file, and cutting the option bytes off would truncate every
 * seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "fuzz_common.h"

static void fuzz_limits(struct dc_validate_opts *o, struct fuzz_tail *t, bool *second)
{
	dc_validate_opts_default(o);
	/* A fixed per-input work cap so that time-outs are real bugs. Every
	 * real dump of ../shared/real-dumps under the 64 KiB max_len validates
	 * in under 4,000 steps; above the cap the fuzzer only repeats a path
	 * (a 46 KB input printed 10 MB of one handle chain under 2^18) and the
	 * limit.work path runs instead. */
	o->limits.max_work = 1u << 13;
	o->limits.max_alloc = 16u << 20;
	/* Formatting a finding costs more than finding it, and the 9th takes
	 * the path of the 3rd; past the cap findings are counted, which is a
	 * path of its own. */
	o->limits.max_diags = 8;
	/* Real writers use at most 16 streams (../shared/real-dumps); more
	 * only repeat one path per entry, and the fuzzer grows directories to
	 * the cap. Above it the limit.streams path runs instead. */
	o->limits.max_streams = 32;
	uint8_t pick = (uint8_t)fuzz_tail_uint(t, 1);
	o->strict = pick & 1;
	if (pick & 2) /* the per-rule cap is a path of its own (counted, not recorded) */
		o->limits.max_per_rule = 1u + (pick >> 2 & 3u);
	/* all three bits set, not all clear: a dump's tail is mostly zero
	 * padding, and "clear" would make nearly every seed run twice */
	*second = (pick >> 5) == 7;
}

/* The walk's events: every field and blob it read must lie inside the
 * input (a stream's or a structure's own event gives the declared extent,
 * which may not: a short stream shows the fields that fit). */
static uint64_t walked_size;

static void inside(uint64_t offset, uint64_t size)
{
	FUZZ_ASSERT(offset <= walked_size && size <= walked_size - offset);
}

static void on_field(void *ctx, const struct dc_field_desc *fd, const uint8_t *bytes, uint64_t offset)
{
	(void)ctx, (void)bytes;
	inside(offset, dc_field_width(fd));
}

static void on_blob(void *ctx, const char *label, uint64_t offset, uint64_t size)
{
	(void)ctx, (void)label;
	inside(offset, size);
}

static const struct dc_visitor walker = {
	.field = on_field, .blob = on_blob,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dc_validate_opts opts;
	struct dc_diags first = { 0 }, second = { 0 };
	struct fuzz_tail tail = fuzz_tail_init(data, size);
	bool twice;
	fuzz_limits(&opts, &tail, &twice);
	walked_size = size;
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, &walker, &first) == DC_OK);
	if (twice) {
		FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &second) == DC_OK);
		fuzz_same_findings(&first, &second);
	}
	dc_diags_free(&first);
	dc_diags_free(&second);
	return 0;
}
