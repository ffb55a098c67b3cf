/* Shared by the harnesses that run the writer: a growing in-memory dc_sink
 * and the "no MUST finding" oracle. Header-only: every harness is built
 * from its own .c plus the library. */
#ifndef DUMPCHECK_FUZZ_SINK_H
#define DUMPCHECK_FUZZ_SINK_H

#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "fuzz_common.h"

#define FUZZ_MAX_DUMP (64u << 20) /* a dump above this is refused as an I/O error */

struct fuzz_membuf {
	uint8_t *data;
	uint64_t size, cap;
};

/* dc_sink.write: bytes at any offset, gaps zero-filled. */
static enum dc_err fuzz_mem_write(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	struct fuzz_membuf *m = ctx;
	if (offset > FUZZ_MAX_DUMP || n > FUZZ_MAX_DUMP - offset)
		return DC_E_IO;
	if (offset + n > m->cap) {
		uint64_t cap = (offset + n) * 2;
		uint8_t *d = realloc(m->data, cap);
		FUZZ_ASSERT(d != NULL);
		memset(d + m->cap, 0, cap - m->cap);
		m->data = d;
		m->cap = cap;
	}
	memcpy(m->data + offset, buf, n);
	if (offset + n > m->size)
		m->size = offset + n;
	return DC_OK;
}

/* How many MUST findings the validator reports on `data[0..size)`. */
static size_t fuzz_must_findings(const uint8_t *data, uint64_t size)
{
	struct dc_validate_opts opts;
	struct dc_diags diags;
	memset(&diags, 0, sizeof(diags));
	dc_validate_opts_default(&opts);
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &diags) == DC_OK);
	size_t n = dc_diags_count_level(&diags, DC_LEVEL_MUST);
	dc_diags_free(&diags);
	return n;
}

#endif
