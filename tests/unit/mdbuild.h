/* Test-only minidump builder: a baseline dump that every rule accepts,
 * and helpers to patch it so that one rule fires. */
#ifndef DUMPCHECK_TEST_MDBUILD_H
#define DUMPCHECK_TEST_MDBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/dumpcheck.h"

#define MDB_MAX_STREAMS 32

struct mdb {
	uint8_t *buf;
	size_t len;
	size_t cap;
	uint32_t nstreams;
	uint32_t reserved; /* directory entries reserved at offset 32 */
};

/* Start a dump whose directory (at 32) has room for `reserve` entries. */
void mdb_init(struct mdb *b, uint32_t reserve);
void mdb_free(struct mdb *b);

/* Append bytes at the next 8-aligned offset; returns their RVA. */
uint32_t mdb_put(struct mdb *b, const void *data, size_t len);
/* Append `len` zero bytes at the next 8-aligned offset; returns the RVA. */
uint32_t mdb_zeros(struct mdb *b, size_t len);
/* Append a MINIDUMP_STRING (ASCII text widened to UTF-16, with NUL). */
uint32_t mdb_string(struct mdb *b, const char *ascii);
/* Add a directory entry. */
void mdb_stream(struct mdb *b, uint32_t type, uint32_t rva, uint32_t size);
/* Add a directory entry to a finished dump and update NumberOfStreams. */
void mdb_add_stream(struct mdb *b, uint32_t type, uint32_t rva, uint32_t size);
/* Write the header (Flags = `flags`). */
void mdb_finish(struct mdb *b, uint64_t flags);

void mdb_set8(struct mdb *b, size_t off, uint8_t v);
void mdb_set16(struct mdb *b, size_t off, uint16_t v);
void mdb_set32(struct mdb *b, size_t off, uint32_t v);
void mdb_set64(struct mdb *b, size_t off, uint64_t v);
uint32_t mdb_get32(const struct mdb *b, size_t off);

/* RVA and size of the directory entry of stream `type`; 0 if absent. */
uint32_t mdb_stream_rva(const struct mdb *b, uint32_t type, uint32_t *size);

/* The baseline: SystemInfo (AMD64), ThreadList (2 threads, contexts,
 * stacks), ModuleList (2 modules, names, RSDS and misc records, version
 * info), MemoryList (the stacks), Exception (thread 1), MiscInfo (v2).
 * Every rule stays quiet on it. */
void mdb_baseline(struct mdb *b);

#define BASE_THREAD_ID_0 0x1001u
#define BASE_THREAD_ID_1 0x1002u

/* Validate b's bytes; findings go to `d` (freed by the caller). */
void mdb_validate(const struct mdb *b, struct dc_diags *d);

/* Findings of `rule` when validating b's bytes. */
uint32_t mdb_count(const struct mdb *b, enum dc_rule rule);

#endif
