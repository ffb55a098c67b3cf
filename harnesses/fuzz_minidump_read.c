/* fuzz_minidump_read: validate + walk every stream through the generated
 * tables. Oracles: no crash/UB/leak (sanitizers); validation is
 * deterministic: a second pass, which walks every stream, must find the
 * same; every offset and range the walk reports lies inside the input.
 * Options come from the input's tail (fuzz_tail): last byte bit 0 prints
 * JSON instead of text (as before the producer), the byte before it turns
 * on strict mode and picks the per-rule cap, and one input in four is
 * printed (text or JSON) in the second pass instead of walked silently:
 * formatting costs more than the walk and has little new to reach.
 * The whole input is still the dump: a writer's last stream runs to the
 * end of the file, and cutting the option bytes off would truncate every
 * seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/print.h"
#include "fuzz_common.h"

static void fuzz_limits(struct dc_validate_opts *o, struct fuzz_tail *t, bool *print)
{
	dc_validate_opts_default(o);
	/* A fixed per-input work cap so that time-outs are real bugs. Every
	 * real dump of ../shared/real-dumps validates in 2^15 steps; above it
	 * the fuzzer only repeats a path (a 46 KB input printed 10 MB of one
	 * handle chain under 2^18) and the limit.work path runs instead. */
	o->limits.max_work = 1u << 15;
	o->limits.max_alloc = 16u << 20;
	o->limits.max_diags = 256;
	/* Real writers use under 30 streams; thousands only repeat one path
	 * per entry. Above this the limit.streams path runs instead. */
	o->limits.max_streams = 256;
	uint8_t pick = (uint8_t)fuzz_tail_uint(t, 1);
	o->strict = pick & 1;
	if (pick & 2) /* the per-rule cap is a path of its own (counted, not recorded) */
		o->limits.max_per_rule = 1u + (pick >> 2 & 3u);
	/* both bits set, not both clear: a dump's tail is mostly zero padding,
	 * and "clear" made nearly every corpus input a printing one */
	*print = (pick & 0x30) == 0x30;
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
	static FILE *sink;
	struct dc_validate_opts opts;
	struct dc_diags first = { 0 }, second = { 0 };
	struct fuzz_tail tail = fuzz_tail_init(data, size);
	bool json = fuzz_tail_bool(&tail), print;
	if (!sink)
		sink = fopen("/dev/null", "w");
	FUZZ_ASSERT(sink != NULL);
	fuzz_limits(&opts, &tail, &print);
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &first) == DC_OK);
	walked_size = size;
	if (print)
		dc_minidump_print(sink, "fuzz", data, size, json, &opts, &second);
	else
		FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, &walker, &second) == DC_OK);
	fuzz_same_findings(&first, &second);
	dc_diags_free(&first);
	dc_diags_free(&second);
	return 0;
}
