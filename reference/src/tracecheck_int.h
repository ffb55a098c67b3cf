/* Shared by the trace checker's files (tracecheck.c: protocol rules,
 * tracecheck_cross.c: trace-versus-dump rules). */
#ifndef DUMPCHECK_TRACECHECK_INT_H
#define DUMPCHECK_TRACECHECK_INT_H

#include "dumpcheck/tracecheck.h"
#include "internal.h"

/* What one Include/gather callback pair says about a thread or module:
 * the first IncludeThread/IncludeModule call and the first (and second)
 * Thread/ThreadEx/Module call for one id. */
struct dci_tc_ent {
	uint64_t id; /* thread id or module base */
	const struct dc_trace_call *inc, *gather, *gather2;
	size_t inc_index, gather_index;
};

struct dci_tc {
	const struct dc_trace *t;
	const struct dc_limits *lim;
	struct dc_trace_findings *out;
	enum dc_err err; /* DC_E_NOMEM once recording failed */
	struct dci_tc_ent *threads, *modules;
	size_t nthreads, nmodules;
	bool redirected;    /* an IoStart answered TRUE with S_FALSE */
	bool cancelled;     /* a Cancel answered TRUE with Cancel TRUE */
};

/* A finding about trace line `line` ("line N: " + the detail). */
void dci_tc_line(struct dci_tc *c, enum dc_rule rule, unsigned line, const char *fmt, ...)
	DCI_PRINTF(4, 5);

/* A finding about dump file offset `off`. */
void dci_tc_dump(struct dci_tc *c, enum dc_rule rule, uint64_t off, const char *fmt, ...)
	DCI_PRINTF(4, 5);

/* Default write flags for `dump_type` (spec-notes §3.5). */
uint32_t dci_tc_thread_defaults(uint64_t dump_type);
uint32_t dci_tc_module_defaults(uint64_t dump_type);

/* The flags a thread or module ends with: the defaults AND what each of its
 * callbacks left (a callback that returned FALSE leaves nothing). */
uint32_t dci_tc_effective(const struct dci_tc_ent *e, uint32_t defaults);

/* The cross rules over the trace and `dump[0..size)` (NULL: the trace-only ones). */
void dci_tc_cross(struct dci_tc *c, const uint8_t *dump, uint64_t size);

/* The I/O redirection rule (tracecheck_io.c). */
void dci_tc_io_bytes(struct dci_tc *c, const uint8_t *dump, uint64_t size);

#endif
