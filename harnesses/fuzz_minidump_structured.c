/* fuzz_minidump_structured: fuzz_minidump_read's target and oracles (its
 * source included, so the two cannot drift) driven by the structure-aware
 * mutator of md_mutator.h. `make bench` compares the edges both reach in
 * the same time. */
#include "fuzz_minidump_read.c"
#include "md_mutator.h"

/* libFuzzer's byte-level mutator; absent (NULL) in the replay build. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max, unsigned int seed)
{
	/* one call in four stays byte-level, so the bytes inside bodies vary too */
	if (seed % 4 != 0) {
		size_t n = md_mutate(data, size, max, seed);
		if (n)
			return n;
	}
	return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max) : size;
}
