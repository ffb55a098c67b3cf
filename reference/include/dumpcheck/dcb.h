/* dumpcheck/dcb.h: winmm DriverCallback, as a model, a script, a trace and
 * a checker (spec-notes §5; rules spec/rules/dcb.toml; trace schema
 * spec/dcb-trace.md).
 *
 * - The MODEL is a small system: windows (HWND -> message queue), threads
 *   (thread id -> message queue of bounded capacity, or none), events and
 *   callback functions. dc_driver_callback does what DriverCallback does on
 *   it: posts, sets, calls, or fails as Windows does (last error included).
 *   Notifications that arrive are collected per call as deliveries.
 * - A SCRIPT (TOML, spec/dcb-scripts/README.md) names the objects and the
 *   steps: calls, and fill / drain of a queue. The reference runs it on the
 *   model (dc_dcb_run); the Windows agent runs it on the real winmm.
 * - A TRACE (JSON Lines) records each step and what arrived; both write it
 *   with dc_dcb_trace_* so the schema is one.
 * - The CHECKER loads a trace (untrusted: the hardened JSON parser) and
 *   judges every call against the dcb.* rules.
 *
 * Plain C over stdio: the agent cross-compiles the script, tracer and
 * model code with mingw-w64. */
#ifndef DUMPCHECK_DCB_H
#define DUMPCHECK_DCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dumpcheck/dumpcheck.h"

/* Version of the notification trace schema (spec/dcb-trace.md). */
#define DC_DCB_TRACE_SCHEMA_VERSION 1

#define DC_DCB_MAX_OBJECTS 64u     /* objects of one script or system */
#define DC_DCB_MAX_STEPS 100000u   /* steps of one script */
#define DC_DCB_NAME_MAX 32u        /* object name bytes, NUL included */
#define DC_DCB_MAX_DELIVERIES 16u  /* deliveries recorded for one call */
#define DC_DCB_FILL_DEFAULT (DC_DCB_POSTED_MESSAGE_LIMIT + 1u) /* fill step's default max */
#define DC_DCB_FILL_MAX 1000000u   /* largest fill step */

enum dc_dcb_kind {
	DC_DCB_KIND_NONE,     /* dwCallback names no object */
	DC_DCB_KIND_WINDOW,   /* an HWND */
	DC_DCB_KIND_THREAD,   /* a thread id */
	DC_DCB_KIND_EVENT,    /* an event HANDLE */
	DC_DCB_KIND_FUNCTION  /* a DRVCALLBACK address */
};

/* "none", "window", "thread", "event", "function". */
const char *dc_dcb_kind_name(enum dc_dcb_kind k);

/* One object of a system. */
struct dc_dcb_object {
	char name[DC_DCB_NAME_MAX];
	enum dc_dcb_kind kind;
	uint64_t handle;   /* HWND, thread id, HANDLE or address */
	bool queue;        /* window/thread: has a message queue (a thread may not) */
	uint32_t capacity; /* window/thread: posted messages the queue holds */
	uint32_t queued;   /* messages in the queue now (fillers between calls) */
	bool full;         /* the last fill was refused and no drain came since */
	bool signaled;     /* event */
};

/* How a notification arrived. */
enum dc_dcb_mode {
	DC_DCB_POSTED,   /* through a message queue */
	DC_DCB_SENT,     /* a window procedure ran inside DriverCallback */
	DC_DCB_CALLED,   /* a function was called */
	DC_DCB_SIGNALED  /* an event was set */
};

/* "posted", "sent", "called", "signaled". */
const char *dc_dcb_mode_name(enum dc_dcb_mode m);

/* One notification that arrived while a call ran. */
struct dc_dcb_delivery {
	enum dc_dcb_kind via;  /* the kind of object it arrived at */
	int32_t target;        /* object index, -1 for none of the system's */
	enum dc_dcb_mode mode;
	uint32_t msg;          /* window/thread/function */
	uint64_t wparam, lparam; /* window/thread */
	uint64_t hdrvr, user, param1, param2; /* function */
	bool same_thread;      /* function: called on the thread calling DriverCallback */
	bool during_call;      /* function: called before DriverCallback returned */
};

/* DriverCallback's arguments. */
struct dc_dcb_call {
	uint64_t callback; /* dwCallback */
	uint32_t flags;    /* dwFlags */
	uint64_t hdrvr;    /* hDevice */
	uint32_t msg;      /* dwMsg */
	uint64_t user, param1, param2;
};

/* The model. Zero it with dc_dcb_system_init; no allocation. */
struct dc_dcb_system {
	struct dc_dcb_object objects[DC_DCB_MAX_OBJECTS];
	size_t nobjects;
	struct dc_dcb_delivery pending[DC_DCB_MAX_DELIVERIES]; /* since the last collect */
	size_t npending;
	uint32_t last_error; /* GetLastError() after the last call */
};

void dc_dcb_system_init(struct dc_dcb_system *s);

/* Add an object with a model handle unique over the system (windows
 * 0x10010, 0x10020, ...; threads 0x104, 0x108, ...; events 0x40, 0x44, ...;
 * functions 0x7FF710001000, ...). `capacity` applies to windows and threads
 * (0: DC_DCB_POSTED_MESSAGE_LIMIT); `queue` to threads (windows always have
 * one). DC_E_LIMIT when full, DC_E_MISUSE on a bad kind; `*index` gets the
 * object's index. */
enum dc_err dc_dcb_add(struct dc_dcb_system *s, const char *name, enum dc_dcb_kind kind,
		       bool queue, uint32_t capacity, size_t *index);

/* The index of the object of `kind` whose handle is `handle`, or -1. */
int32_t dc_dcb_find(const struct dc_dcb_system *s, enum dc_dcb_kind kind, uint64_t handle);

/* DriverCallback(dwCallback, dwFlags, hDevice, dwMsg, dwUser, dwParam1,
 * dwParam2) on the model: TRUE when the notification was delivered; the
 * deliveries are appended to s->pending, s->last_error is set as Windows
 * sets it (0 on success). A function address the system does not know is
 * "called" (recorded with target -1): the model cannot run foreign code. */
bool dc_driver_callback(struct dc_dcb_system *s, uint64_t callback, uint32_t flags, uint64_t hdrvr,
			uint32_t msg, uint64_t user, uint64_t param1, uint64_t param2);

/* Post up to `max` filler messages (DC_DCB_FILLER_MSG) to object `index`
 * until one is refused; `*posted` gets how many went in, `*refused` whether
 * one was refused (the queue is then full), `*last_error` its error. */
enum dc_err dc_dcb_fill(struct dc_dcb_system *s, size_t index, uint32_t max, uint32_t *posted,
			bool *refused, uint32_t *last_error);

/* Remove the fillers of object `index`; `*removed` gets how many. */
enum dc_err dc_dcb_drain(struct dc_dcb_system *s, size_t index, uint32_t *removed);

/* Move what arrived since the last collect into `out` (at most `cap`), as
 * the agent's PeekMessage loops and event waits do: posted messages leave
 * their queue, events are reset. Returns how many were stored. */
size_t dc_dcb_collect(struct dc_dcb_system *s, struct dc_dcb_delivery *out, size_t cap);

/* ---------------------------------------------------------------- scripts */

enum dc_dcb_step_op { DC_DCB_STEP_CALL, DC_DCB_STEP_FILL, DC_DCB_STEP_DRAIN };

struct dc_dcb_step {
	enum dc_dcb_step_op op;
	unsigned line;            /* in the script */
	int32_t object;           /* call: the object dwCallback names, -1 for a raw value; fill/drain: the target */
	struct dc_dcb_call call;  /* call: callback holds the raw value when object < 0 */
	uint32_t max;             /* fill */
};

struct dc_dcb_script_object {
	char name[DC_DCB_NAME_MAX];
	enum dc_dcb_kind kind;
	bool queue;
	uint32_t capacity;
};

/* A parsed script (free with dc_dcb_script_free). */
struct dc_dcb_script {
	char *name, *description;
	struct dc_dcb_script_object objects[DC_DCB_MAX_OBJECTS];
	size_t nobjects;
	struct dc_dcb_step *steps;
	size_t nsteps;
};

/* Parse a script from `text[0..len)` (untrusted: dumpcheck/toml.h).
 * DC_E_MALFORMED / DC_E_UNSUPPORTED / DC_E_LIMIT / DC_E_NOMEM with `why`
 * ("line N: key: what"); on error `sc` is left empty. */
enum dc_err dc_dcb_script_parse(const char *text, size_t len, struct dc_dcb_script *sc, char *why,
				size_t why_len);

/* Release what dc_dcb_script_parse allocated; safe on a zeroed script. */
void dc_dcb_script_free(struct dc_dcb_script *sc);

/* ---------------------------------------------------------------- traces */

/* What the header record says. */
struct dc_dcb_trace_run {
	const char *implementation; /* "dumpcheck-reference", "winmm", a vendor's */
	const char *version;
	const char *script;         /* script name, or NULL */
	const char *arch;           /* "x86", "amd64", "arm64" */
};

/* The state of the object dwCallback named, as it was before the call. */
struct dc_dcb_target {
	int32_t index;      /* -1: dwCallback named no object */
	enum dc_dcb_kind kind;
	bool queue;
	uint32_t queued;
	bool full;
};

/* Writers of the records, in the order of spec/dcb-trace.md; `names`
 * resolves object indexes (its objects[i].name), `seq` counts steps. */
void dc_dcb_trace_header(FILE *out, const struct dc_dcb_trace_run *run,
			 const struct dc_dcb_script *names);
void dc_dcb_trace_fill(FILE *out, uint64_t seq, const char *target, uint32_t attempted,
		       uint32_t posted, bool refused, uint32_t last_error);
void dc_dcb_trace_drain(FILE *out, uint64_t seq, const char *target, uint32_t removed);
void dc_dcb_trace_call(FILE *out, uint64_t seq, const struct dc_dcb_call *c,
		       const struct dc_dcb_target *target, bool returned, uint32_t last_error,
		       const struct dc_dcb_delivery *d, size_t nd, const struct dc_dcb_script *names);
void dc_dcb_trace_result(FILE *out, uint64_t steps, uint64_t calls);

/* Run `sc` on a fresh model, tracing into `out` as `run` says. */
enum dc_err dc_dcb_run(const struct dc_dcb_script *sc, const struct dc_dcb_trace_run *run,
		       FILE *out);

/* ---------------------------------------------------------------- checker */

/* One call record of a loaded trace. */
struct dc_dcb_trace_call {
	unsigned line;
	struct dc_dcb_call call;
	struct dc_dcb_target target; /* index -1 when none */
	bool returned;
	uint32_t last_error;
	struct dc_dcb_delivery d[DC_DCB_MAX_DELIVERIES];
	size_t nd;       /* deliveries kept */
	size_t nd_total; /* deliveries in the record (more than DC_DCB_MAX_DELIVERIES are counted only) */
};

/* One fill record. */
struct dc_dcb_trace_fill {
	unsigned line;
	uint32_t attempted, posted;
	bool refused;
};

/* A loaded trace (free with dc_dcb_trace_free). */
struct dc_dcb_trace {
	char *implementation, *version, *script;
	struct dc_dcb_script_object objects[DC_DCB_MAX_OBJECTS]; /* the header's (name, kind) */
	size_t nobjects;
	struct dc_dcb_trace_call *calls;
	size_t ncalls, cap;
	struct dc_dcb_trace_fill *fills;
	size_t nfills, fcap;
	bool has_result;
	unsigned result_line;
	uint64_t result_steps, result_calls, steps;
	bool seq_ok;           /* every record's seq was 1, 2, ... */
	unsigned seq_bad_line; /* the first that was not */
};

/* Parse trace `text[0..len)` under `lim` (NULL: dc_trace_limits_default of
 * dumpcheck/tracecheck.h). DC_E_MALFORMED / DC_E_UNSUPPORTED / DC_E_LIMIT /
 * DC_E_NOMEM with `why` "line N: ..."; on error `t` is empty. */
struct dc_trace_limits;
enum dc_err dc_dcb_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
			      struct dc_dcb_trace *t, char *why, size_t why_len);

/* Release what dc_dcb_trace_load allocated; safe on a zeroed trace. */
void dc_dcb_trace_free(struct dc_dcb_trace *t);

/* Judge every record of `t` against the dcb.* rules, appending findings
 * (offset = trace line) to `out`; `exercised` (may be NULL; DC_RULE_COUNT
 * entries) gets true for each rule some record was judged by. DC_OK,
 * DC_E_NOMEM, DC_E_MISUSE. */
enum dc_err dc_dcb_check(const struct dc_dcb_trace *t, struct dc_diags *out, bool *exercised);

#endif
