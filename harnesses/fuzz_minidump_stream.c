/* fuzz_minidump_stream: one stream body behind a minimal valid minidump
 * (header + one directory entry), so that mutations are spent in a stream's
 * decoder rather than on the header and directory fuzz_minidump_read must
 * first get right. Input: a little-endian u32 stream type, then the body.
 * A type of the generated table (dc_stream_descs) is used as it is; any
 * other value picks table entry value % count, so every input reaches a
 * known decoder and seeds (cut from the writer's dumps by tools/mkseeds.py)
 * keep their stream when the table grows. The body sits at RVA 44: RVAs
 * inside it point into the synthetic file, which is the point (the mutator
 * finds in-range references quickly).
 * The body is validated and walked (printed to /dev/null, as JSON when the
 * input's last byte is odd: fuzz_tail).
 * Oracles: no crash/UB/leak; validation is deterministic, printed or not;
 * the wrapper itself never draws a MUST finding of a header.* rule. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/print.h"
#include "fuzz_common.h"

#define BODY_RVA (DC_SIZE_MINIDUMP_HEADER + DC_SIZE_MINIDUMP_DIRECTORY)
#define MAX_BODY (1u << 20) /* libFuzzer's max_len is far below; replay may be bigger */

static void put32(uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* The stream type the input's first 4 bytes stand for (always in the table). */
static uint32_t pick_type(const uint8_t *data, size_t size)
{
	uint32_t v = 0;
	for (size_t k = 0; k < 4 && k < size; k++)
		v |= (uint32_t)data[k] << (8 * k);
	return dc_stream_lookup(v) ? v : dc_stream_descs[v % DC_STREAM_DESC_COUNT].type;
}

/* Header (signature, version, 1 stream, directory at 32, no flags) and the
 * one directory entry, then the body. Caller frees. */
static uint8_t *wrap(uint32_t type, const uint8_t *body, size_t n, size_t *out_size)
{
	uint8_t *f = calloc(1, BODY_RVA + n);
	FUZZ_ASSERT(f != NULL);
	put32(f, DC_MINIDUMP_SIGNATURE);
	put32(f + 4, DC_MINIDUMP_VERSION);
	put32(f + 8, 1);
	put32(f + 12, DC_SIZE_MINIDUMP_HEADER);
	put32(f + DC_SIZE_MINIDUMP_HEADER, type);
	put32(f + DC_SIZE_MINIDUMP_HEADER + 4, (uint32_t)n);
	put32(f + DC_SIZE_MINIDUMP_HEADER + 8, BODY_RVA);
	if (n)
		memcpy(f + BODY_RVA, body, n);
	*out_size = BODY_RVA + n;
	return f;
}

/* The wrapper is a valid header: no header.* MUST rule may fire. */
static void header_quiet(const struct dc_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct dc_rule_desc *r = &dc_rule_descs[d->items[i].rule];
		if (r->level == DC_LEVEL_MUST && !r->impl && strncmp(r->id, "header.", 7) == 0) {
			fprintf(stderr, "wrapper drew %s: %s\n", r->id, d->items[i].detail);
			FUZZ_ASSERT(!"header rule fired on the synthetic header");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct fuzz_tail tail = fuzz_tail_init(data, size);
	bool json = fuzz_tail_bool(&tail);
	size_t body = size > 4 ? size - 4 : 0, fsize;
	if (body > MAX_BODY)
		return 0;
	uint8_t *file = wrap(pick_type(data, size), data + (size - body), body, &fsize);
	struct dc_validate_opts opts;
	struct dc_diags first = { 0 }, second = { 0 }, printed = { 0 };
	if (!sink)
		sink = fopen("/dev/null", "w");
	FUZZ_ASSERT(sink != NULL);
	dc_validate_opts_default(&opts);
	/* A fixed per-input work cap so that time-outs are real bugs. */
	opts.limits.max_work = 1u << 18;
	opts.limits.max_alloc = 16u << 20;
	opts.limits.max_diags = 256;
	FUZZ_ASSERT(dc_minidump_validate(file, fsize, &opts, NULL, &first) == DC_OK);
	FUZZ_ASSERT(dc_minidump_validate(file, fsize, &opts, NULL, &second) == DC_OK);
	dc_minidump_print(sink, "fuzz", file, fsize, json, &opts, &printed);
	fuzz_same_findings(&first, &second);
	fuzz_same_findings(&first, &printed);
	header_quiet(&first);
	dc_diags_free(&first);
	dc_diags_free(&second);
	dc_diags_free(&printed);
	free(file);
	return 0;
}
