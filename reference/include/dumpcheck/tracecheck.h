/* dumpcheck/tracecheck.h: load a MiniDumpWriteDump trace (JSON Lines,
 * schema spec/trace.md) and check it against the callback protocol rules
 * (spec/rules/protocol.toml, phase `protocol`) and, with the dump the run
 * wrote, the trace-versus-dump rules (phase `cross`).
 *
 * Traces come from vendors: every line goes through the hardened JSON
 * parser (dumpcheck/json.h) under struct dc_trace_limits; keys the schema
 * does not name are ignored; a missing or ill-typed key the schema requires
 * is a load error naming its line and key.
 *
 * Findings are the usual struct dc_diag. Their offset depends on the list:
 * in dc_trace_findings.trace it is the 1-based LINE NUMBER of the trace
 * record the finding is about (the detail starts "line N"); in
 * dc_trace_findings.dump it is an absolute FILE OFFSET in the dump (the
 * detail says which structure). */
#ifndef DUMPCHECK_TRACECHECK_H
#define DUMPCHECK_TRACECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/dumpcheck.h"

/* Resource budgets of a trace load; more fails with DC_E_LIMIT. */
struct dc_trace_limits {
	uint64_t max_bytes;      /* the whole trace */
	size_t max_line_bytes;   /* one record */
	size_t max_records;      /* callback records */
};

/* 1 GiB, 1 MiB per line, 2^22 callback records. */
struct dc_trace_limits dc_trace_limits_default(void);

/* The output member a callback type reads, decoded; what a type does not
 * have stays 0 (spec/trace.md, "output_in / output_out by type"). */
struct dc_trace_output {
	uint32_t write_flags;     /* module_write_flags or thread_write_flags */
	uint32_t secondary_flags;
	uint64_t memory_base;
	uint32_t memory_size;
	bool check_cancel, cancel;
	bool handle_set;          /* WriteKernelMinidump: Handle not NULL */
	uint64_t handle;
	uint64_t vm_base, vm_size; /* IncludeVmRegion vm_region */
	bool cont;                /* IncludeVmRegion continue */
	uint32_t status;          /* status, vm_read_status or vm_query_status */
};

/* One callback record. */
struct dc_trace_call {
	unsigned line;            /* 1-based line in the trace */
	uint64_t seq;
	uint32_t type;            /* type_value (MINIDUMP_CALLBACK_TYPE) */
	uint32_t process_id;
	bool process_handle_set;  /* not null */
	uint64_t process_handle;
	bool returned;
	/* input, by type */
	uint32_t thread_id;       /* IncludeThread, Thread, ThreadEx */
	uint64_t base_of_image;   /* IncludeModule, Module */
	uint64_t stack_base, stack_end; /* Thread, ThreadEx */
	uint32_t size_of_context; /* Thread, ThreadEx */
	bool io_handle_set;       /* Io*: Handle not NULL */
	uint64_t io_handle;
	uint64_t offset;          /* IoWriteAll, ReadMemoryFailure, Vm* */
	uint32_t bytes;           /* IoWriteAll buffer_bytes, ReadMemoryFailure bytes, Vm* size */
	bool digest_set;          /* IoWriteAll buffer_digest not null */
	uint64_t digest;
	uint32_t in_secondary_flags;
	struct dc_trace_output out_in, out_out;
};

/* A loaded trace. Strings are NUL-terminated copies (NULL when null). */
struct dc_trace {
	/* header record (line 1) */
	char *implementation, *version, *scenario, *arch;
	uint64_t dump_type;
	uint32_t process_id;
	bool process_handle_set, file_handle_set;
	uint64_t process_handle, file_handle;
	bool callbacks, exception_param;
	uint32_t user_streams;
	/* callback records */
	struct dc_trace_call *calls;
	size_t ncalls, cap;
	/* result record */
	bool has_result;
	unsigned result_line;
	uint64_t result_callbacks;
	bool returned;
	uint32_t last_error;
	uint64_t bytes;
	unsigned lines; /* lines read */
};

/* Parse the trace `text[0..len)` into `t` (freed with dc_trace_free).
 * DC_OK; DC_E_MALFORMED (not JSON, wrong schema or version, a required key
 * missing or of the wrong type, records out of order), DC_E_UNSUPPORTED (a
 * schema_version this build does not know), DC_E_LIMIT, DC_E_NOMEM,
 * DC_E_MISUSE; on error `t` is left empty and `why` says "line N: ...". */
enum dc_err dc_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
			  struct dc_trace *t, char *why, size_t why_len);

/* Release what dc_trace_load allocated; safe on a zeroed trace. */
void dc_trace_free(struct dc_trace *t);

/* Findings of one check: about trace lines, and about dump file offsets. */
struct dc_trace_findings {
	struct dc_diags trace; /* offset = trace line number */
	struct dc_diags dump;  /* offset = dump file offset */
};

/* Release both lists. */
void dc_trace_findings_free(struct dc_trace_findings *f);

/* Check the protocol rules over `t`, and, when `dump` is not NULL, the
 * cross rules over `t` and the dump `dump[0..dump_size)` (the file the run
 * wrote), appending to `out` under `lim` (NULL: defaults). Returns DC_OK
 * when the check ran, DC_E_NOMEM, DC_E_MISUSE. */
enum dc_err dc_trace_check(const struct dc_trace *t, const uint8_t *dump, uint64_t dump_size,
			   const struct dc_limits *lim, struct dc_trace_findings *out);

#endif
