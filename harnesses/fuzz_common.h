/* Shared by every harness: the always-on fuzz oracle, the determinism
 * oracle over findings, the tail-reading data producer. */
#ifndef DUMPCHECK_FUZZ_COMMON_H
#define DUMPCHECK_FUZZ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"

/* Always on, whatever NDEBUG says: a fuzz oracle, never a library check. */
#define FUZZ_ASSERT(cond)                                                        \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "FUZZ_ASSERT failed: %s (%s:%d)\n", #cond, \
				__FILE__, __LINE__);                             \
			abort();                                                 \
		}                                                                \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two runs over one input found the same: counts, per-rule counts and every
 * recorded finding (rule, offset, detail). */
static inline void fuzz_same_findings(const struct dc_diags *a, const struct dc_diags *b)
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

/* Tail-reading data producer, after LLVM's FuzzedDataProvider: a harness
 * takes its choices (options, flags, small numbers) from the END of the
 * input, so the front stays a valid file that seeds and the mutator's
 * splices keep intact. A spent input reads as zeros: every choice has a
 * default, and an empty tail means "the plain run". */
struct fuzz_tail {
	const uint8_t *data;
	size_t size; /* data[0..size) is not consumed yet */
};

static inline struct fuzz_tail fuzz_tail_init(const uint8_t *data, size_t size)
{
	struct fuzz_tail t = { data, size };
	return t;
}

/* The last `nbytes` (at most 8) unconsumed bytes, the last one lowest,
 * as FuzzedDataProvider::ConsumeIntegral reads them. */
static inline uint64_t fuzz_tail_uint(struct fuzz_tail *t, unsigned nbytes)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < nbytes && k < 8 && t->size > 0; k++)
		v = (v << 8) | t->data[--t->size];
	return v;
}

/* A value in [lo, hi], consuming only the bytes the range needs. */
static inline uint64_t fuzz_tail_range(struct fuzz_tail *t, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo, v = 0;
	unsigned used = 0;
	for (; used < 8 && (span >> (8 * used)) != 0 && t->size > 0; used++)
		v = (v << 8) | t->data[--t->size];
	return span == UINT64_MAX ? v : lo + v % (span + 1);
}

static inline bool fuzz_tail_bool(struct fuzz_tail *t)
{
	return (fuzz_tail_uint(t, 1) & 1) != 0;
}

/* Up to `n` bytes from the end, in file order; returns how many. */
static inline size_t fuzz_tail_bytes(struct fuzz_tail *t, const uint8_t **out, size_t n)
{
	n = n < t->size ? n : t->size;
	t->size -= n;
	*out = t->data + t->size;
	return n;
}

#endif
