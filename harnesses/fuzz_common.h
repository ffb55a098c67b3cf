/* Shared by every harness: the always-on fuzz oracle. */
#ifndef DUMPCHECK_FUZZ_COMMON_H
#define DUMPCHECK_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
