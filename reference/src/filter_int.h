/* Internals of the filter stack: its state and the trace record writers
 * (filter_trace.c) it calls. */
#ifndef DUMPCHECK_FILTER_INT_H
#define DUMPCHECK_FILTER_INT_H

#include "dumpcheck/filter.h"

/* What the stack saw around one Dump_Write or Dump_Read call. */
struct dci_fcall {
	uint32_t filter, callback;
	int64_t dump_data;
	NTSTATUS status;
	bool io; /* write or read: the fields below are set */
	uint64_t offset_in, offset_out;
	uint32_t count_in, count_out, byte_offset_in, byte_offset_out, va_page_offset, pages;
	bool redirected;
	uint64_t data_in, data_in_after, data_out;
};

struct dci_fstack {
	const struct dc_filter_run *run;
	const struct dc_filter_disk *disk;
	FILE *trace;
	uint64_t seq;
	FILTER_EXTENSION ext[DC_FILTER_MAX_FILTERS];
	FILTER_INITIALIZATION_DATA init[DC_FILTER_MAX_FILTERS];
	bool loaded[DC_FILTER_MAX_FILTERS], started[DC_FILTER_MAX_FILTERS];
	bool read_ok[DC_FILTER_MAX_FILTERS];
	const void *tokens[2 * DC_FILTER_MAX_FILTERS]; /* DumpData values seen: token = index */
	size_t ntokens;
	uint32_t pages;  /* pages per write */
	uint8_t *wbuf, *rbuf;
	struct dc_filter_result *res;
};

/* The token of a DumpData value in the trace (-1 for NULL). */
int64_t dci_fstack_token(struct dci_fstack *s, const void *p);

void dci_ftrace_header(struct dci_fstack *s);
void dci_ftrace_init(struct dci_fstack *s, uint32_t i, NTSTATUS st);
void dci_ftrace_call(struct dci_fstack *s, const struct dci_fcall *c);
void dci_ftrace_io(struct dci_fstack *s, bool write, uint64_t off, uint32_t count, uint64_t a,
		   uint64_t b);
void dci_ftrace_result(struct dci_fstack *s);

#endif
