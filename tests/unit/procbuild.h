/* Test-only process models and a memory sink for the reference writer. */
#ifndef DUMPCHECK_TEST_PROCBUILD_H
#define DUMPCHECK_TEST_PROCBUILD_H

#include "dumpcheck/writer.h"

/* A small AMD64 process: 3 threads (one named) with stacks, 3 modules with
 * CodeView/misc records, data and code sections, private RW/WC regions, a
 * region that fails to read, 2 handles (one with an object-info chain), an
 * unloaded module, tokens and an exception on thread 2. */
void pb_process(struct dc_process *p);

/* Words of thread 0x1001's stack (offsets from its base): one points into
 * app.exe, one into the heap region at 0x200000. */
#define PB_STACK_CODE_PTR 0x10u
#define PB_STACK_HEAP_PTR 0x18u
#define PB_HEAP_TARGET 0x202000ull

/* A growable in-memory dump file (the sink's ctx). */
struct pb_buf {
	uint8_t *data;
	uint64_t size;
	uint64_t cap;
	uint64_t fail_at; /* a write touching this offset fails; UINT64_MAX never */
	unsigned writes;
};

void pb_buf_init(struct pb_buf *b);
void pb_buf_free(struct pb_buf *b);
enum dc_err pb_buf_write(void *ctx, uint64_t offset, const void *buf, size_t n);

#endif
