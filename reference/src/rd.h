/* Internals of dc_minidump_read_process, shared by readmodel.c (header,
 * directory, system, threads, modules, memory) and readmodel_lists.c (the
 * versioned lists, names, handles, exception). */
#ifndef DUMPCHECK_RD_H
#define DUMPCHECK_RD_H

#include "cursor.h"
#include "dumpcheck/readmodel.h"

struct dci_rd {
	struct dci_cur file;
	struct dc_process *p;
	struct dc_read_extra *x; /* never NULL inside the reader */
	uint64_t budget;         /* bytes the model may still take */
	enum dc_err err;         /* first error: every step after it does nothing */
};

/* A versioned list (SizeOfHeader, SizeOfEntry, count) whose entries are
 * checked to fit the stream. */
struct dci_rd_vlist {
	struct dci_cur stream;
	uint64_t first; /* offset of entry 0 */
	uint64_t stride;
	uint64_t count;
};

/* Record `err` unless an error is already recorded; always false. */
bool dci_rd_fail(struct dci_rd *r, enum dc_err err);

/* Take `n` bytes from the budget; false (DC_E_LIMIT) when it is spent. */
bool dci_rd_charge(struct dci_rd *r, uint64_t n);

/* `n` zeroed bytes in the model's arena, charged; NULL after an error. */
void *dci_rd_alloc(struct dci_rd *r, uint64_t n);

/* The first directory entry of `type`: false when absent; a stream that
 * does not fit the file already failed the directory. */
bool dci_rd_stream(const struct dci_rd *r, uint32_t type, struct dci_cur *out);

/* The MINIDUMP_STRING at `rva` as UTF-8 in the arena; NULL for RVA 0 (no
 * string) and after an error. */
const char *dci_rd_string(struct dci_rd *r, uint64_t rva);

/* The bytes a LOCATION_DESCRIPTOR at `off` of `c` points at (empty when its
 * size is 0); false after an error. */
bool dci_rd_location(struct dci_rd *r, const struct dci_cur *c, uint64_t off,
		     struct dc_blob *out);

/* Stream `type` as a versioned list with entries of at least `min_entry`
 * bytes; false when absent or after an error. */
bool dci_rd_vlist(struct dci_rd *r, uint32_t type, uint32_t min_entry, struct dci_rd_vlist *out);

/* Stream `type` as a u32 count and entries of `stride` bytes from +4;
 * false when absent or after an error. */
bool dci_rd_list32(struct dci_rd *r, uint32_t type, uint32_t stride, struct dci_rd_vlist *out);

/* Entry `k` of a checked list (always inside the stream). */
struct dci_cur dci_rd_entry(const struct dci_rd_vlist *l, uint64_t k);

/* Fields of a structure already checked to fit its window (0 otherwise). */
static inline uint16_t dci_rd_u16(const struct dci_cur *c, uint64_t off)
{
	uint16_t v = 0;
	dci_at_u16(c, off, &v);
	return v;
}

static inline uint32_t dci_rd_u32(const struct dci_cur *c, uint64_t off)
{
	uint32_t v = 0;
	dci_at_u32(c, off, &v);
	return v;
}

static inline uint64_t dci_rd_u64(const struct dci_cur *c, uint64_t off)
{
	uint64_t v = 0;
	dci_at_u64(c, off, &v);
	return v;
}

/* readmodel_lists.c: ThreadNames and ThreadInfoList (matched to the
 * threads by id), MemoryInfoList, HandleData, UnloadedModuleList,
 * Exception, TokenStream. */
void dci_rd_thread_extras(struct dci_rd *r);
void dci_rd_memory_info(struct dci_rd *r);
void dci_rd_handles(struct dci_rd *r);
void dci_rd_unloaded(struct dci_rd *r);
void dci_rd_exception(struct dci_rd *r);
void dci_rd_tokens(struct dci_rd *r);

#endif
