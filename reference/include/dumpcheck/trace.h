/* Traces of MiniDumpWriteDump runs (JSON Lines, schema spec/trace.md).
 *
 * A tracer sits between the writer and the callback routine under test:
 * install dc_trace_callback with the tracer as CallbackParam, and every call
 * is recorded with its decoded input, the output as it came, the BOOL the
 * routine returned and the output as it left. The caller writes the header
 * record before the run and the result record after it.
 *
 * Plain C over the Microsoft ABI header and stdio, so the Windows agent
 * records the real dbghelp's calls with the same code and schema. */
#ifndef DUMPCHECK_TRACE_H
#define DUMPCHECK_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dumpcheck/win/minidumpapiset.h"

/* Version of the trace schema (spec/trace.md); bumped on any incompatible change. */
#define DC_TRACE_SCHEMA_VERSION 1

struct dc_tracer {
	FILE *out;
	MINIDUMP_CALLBACK_INFORMATION inner; /* the routine traced; a NULL routine answers TRUE */
	uint64_t seq;                        /* callback records written */
};

/* What the header record says about the run. */
struct dc_trace_run {
	const char *implementation; /* "dumpcheck-reference", "dbghelp", a vendor's name */
	const char *version;
	const char *scenario;       /* scenario name, or NULL */
	const char *arch;           /* "x86", "amd64", "arm64" */
	uint64_t dump_type;
	uint32_t process_id;
	HANDLE process_handle;
	HANDLE file_handle;
	bool callbacks;             /* a CallbackParam was passed */
	bool exception_param;
	uint32_t user_streams;
};

/* Trace the calls to `inner` (may be NULL: every call answers TRUE) into `out`. */
void dc_trace_init(struct dc_tracer *t, FILE *out, const MINIDUMP_CALLBACK_INFORMATION *inner);

/* The header record, before the run. */
void dc_trace_header(struct dc_tracer *t, const struct dc_trace_run *run);

/* The callback routine that records; CallbackParam must be the tracer. */
BOOL DC_WIN_CALLBACK dc_trace_callback(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
				       PMINIDUMP_CALLBACK_OUTPUT out);

/* The result record: what MiniDumpWriteDump returned, its last error, and
 * the size of the dump file afterwards. */
void dc_trace_result(struct dc_tracer *t, bool returned, uint32_t last_error, uint64_t bytes);

/* FNV-1a 64 of `n` bytes: the digest traces give for buffers (written
 * bytes, contexts, debug records) so checkers can compare them with a dump. */
uint64_t dc_trace_digest(const void *data, uint64_t n);

#endif
