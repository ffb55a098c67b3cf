/* Internals of the round-trip comparator, shared by roundtrip.c (threads,
 * modules, lists, extra) and roundtrip_memory.c (memory). */
#ifndef DUMPCHECK_RT_H
#define DUMPCHECK_RT_H

#include "dumpcheck/readmodel.h"
#include "internal.h"

struct dci_rt {
	const struct dc_process *model;
	const struct dc_process *read;
	uint64_t type; /* MINIDUMP_TYPE, plus DC_ROUNDTRIP_CALLBACK_MEMORY */
	const uint32_t *tflags, *mflags;
	char *why;
	size_t why_len;
	enum dc_err err; /* the first difference wins: later comparisons do nothing */
};

#define DCI_RT_FLAG(t, f) (((t)->type & (uint64_t)(f)) != 0)

/* Record a difference (the first one only); always false. */
bool dci_rt_diff(struct dci_rt *t, const char *fmt, ...) DCI_PRINTF(2, 3);

/* Compare one value, strings (NULL reads as ""), byte blobs; the path
 * (e.g. "threads[2].teb") is a printf format. True when equal. */
bool dci_rt_val(struct dci_rt *t, uint64_t model, uint64_t dump, const char *fmt, ...)
	DCI_PRINTF(4, 5);
bool dci_rt_str(struct dci_rt *t, const char *model, const char *dump, const char *fmt, ...)
	DCI_PRINTF(4, 5);
bool dci_rt_blob(struct dci_rt *t, const struct dc_blob *model, const struct dc_blob *dump,
		 const char *fmt, ...) DCI_PRINTF(4, 5);

/* roundtrip_memory.c: every dumped byte, and which ranges must be there. */
void dci_rt_memory(struct dci_rt *t);

/* True when [start, start + size) lies in the union of the read regions. */
bool dci_rt_covered(const struct dc_process *read, uint64_t start, uint64_t size);
/* A region WithFullMemory keeps (false for NULL). */
bool dci_rt_full_memory_region(const struct dci_rt *t, const struct dc_region *r);

#endif
