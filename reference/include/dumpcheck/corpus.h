/* Conformance cases (spec/cases/NAME.toml; format: spec/cases/README.md) and
 * the patch language that turns a reference-writer dump into each case's
 * file.
 *
 * A case is a recipe: a base scenario written by the reference writer, then
 * edits (inserts, writes, field-path patches, a truncation), and the expected
 * verdict and rules. Vendors hand us case files, so the text is untrusted:
 * every problem is an error value and a "line N: case[k].key: why" message;
 * every edit is bounds-checked against the bytes it edits. */
#ifndef DUMPCHECK_CORPUS_H
#define DUMPCHECK_CORPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/process.h"
#include "dumpcheck/writer.h"

/* No case file grows past this (writer output and edits alike). */
#define DC_CASE_MAX_FILE (64u << 20)
/* Marks (named offsets) one case may define. */
#define DC_CASE_MAX_MARKS 16

enum dc_case_kind {
	DC_CASE_DUMP,  /* a dump file, materialised by `dumpcheck corpus` */
	DC_CASE_TRACE, /* a writer trace and its dump (protocol/cross rules) */
	DC_CASE_DCB,   /* a DriverCallback trace of a dcb script (dcb.* rules) */
	DC_CASE_KDUMP, /* a kernel dump file of a kernel-dump scenario (kdump.* rules) */
	DC_CASE_FILTER /* a filter-stack trace and its partition image (filter.* rules) */
};

/* Operations of the trace edit language (spec/cases/README.md). */
enum dc_case_tedit_op {
	DC_TEDIT_SUB,  /* replace the first `find` in the record's line by `with` */
	DC_TEDIT_DROP, /* remove the record */
	DC_TEDIT_DUP,  /* repeat the record right after itself */
	DC_TEDIT_MOVE  /* take the record out, put it right after record `after` */
};

/* A record of a trace, and which occurrence of it (1-based): in a writer
 * trace "header", "result" or a MINIDUMP_CALLBACK_TYPE name
 * ("IncludeThreadCallback"); in a DriverCallback trace "header", "call",
 * "fill", "drain" or "result". */
struct dc_case_tsel {
	const char *record;
	uint32_t nth;
};

/* One element of `trace_edits`. */
struct dc_case_tedit {
	unsigned line;
	uint8_t op;                /* enum dc_case_tedit_op */
	struct dc_case_tsel at;    /* the record edited */
	const char *find, *with;   /* DC_TEDIT_SUB */
	struct dc_case_tsel after; /* DC_TEDIT_MOVE: chosen once the record is out */
};

/* A number or an expression of the patch language (spec/cases/README.md). */
struct dc_case_expr {
	const char *text; /* the expression, or NULL when `value` is a plain integer */
	uint64_t value;
	unsigned line;
};

enum dc_case_src { DC_CASE_SRC_HEX, DC_CASE_SRC_FILL, DC_CASE_SRC_COPY };

/* One element of `inserts` or `writes`. */
struct dc_case_edit {
	unsigned line;
	bool at_end;             /* at = "end" */
	struct dc_case_expr at;  /* otherwise: the offset */
	uint8_t src;             /* enum dc_case_src */
	const uint8_t *hex;      /* DC_CASE_SRC_HEX */
	size_t hex_len;
	uint8_t fill;            /* DC_CASE_SRC_FILL */
	struct dc_case_expr from; /* DC_CASE_SRC_COPY: offset of the bytes to copy */
	struct dc_case_expr size; /* FILL and COPY: byte count */
	uint64_t repeat;         /* the bytes, this many times (>= 1) */
	uint64_t align;          /* at = "end": zero-pad the file to a multiple first (0: none) */
	const char *mark;        /* name bound to the offset of the bytes, or NULL */
};

struct dc_case_patch {
	unsigned line;
	const char *path;
	struct dc_case_expr value;
};

struct dc_case {
	const char *id;          /* as written; may start with its verdict ("n_...") */
	const char *file_name;   /* "<verdict>_<id without prefix>.dmp" */
	const char *trace_name;  /* trace and dcb cases: the same with ".jsonl" */
	const char *description;
	const char *source;      /* the case file's label (as passed to dc_cases_parse) */
	unsigned line;
	char verdict;            /* 'y', 'n' or 'i' */
	enum dc_case_kind kind;
	const char *base;        /* scenario file name in spec/scenarios (dcb: script in spec/dcb-scripts) */
	bool has_dump_type;
	uint64_t dump_type;
	bool has_user_streams;   /* replaces the scenario's user streams */
	const struct dc_user_stream *user_streams;
	size_t nuser_streams;
	bool has_limits;         /* reader budgets the expectation holds under */
	struct dc_limits limits; /* defaults overridden by the case's `limits` */
	const uint16_t *fires, *quiet; /* enum dc_rule */
	size_t nfires, nquiet;
	bool exact;              /* no rule outside `fires` may fire */
	const struct dc_case_tedit *tedits; /* trace and dcb cases: trace_edits, in order */
	size_t ntedits;
	bool renumber;           /* trace and dcb cases: seq 1, 2, ... and the result's counts after the edits */
	const struct dc_case_edit *inserts, *writes;
	size_t ninserts, nwrites;
	const struct dc_case_patch *patches;
	size_t npatches;
	bool has_truncate;
	struct dc_case_expr truncate;
};

/* The cases of one file; owns everything they point at. */
struct dc_case_set {
	struct dc_case *cases;
	size_t ncases;
	struct dc_process arena; /* used only as an allocator */
	bool arena_live;
};

/* Parse case file text `text[0..len)`, labelled `source` in messages and in
 * dc_case.source, into `set`. Expressions and paths are checked for syntax
 * here, for meaning when a case is applied. On failure `set` is freed and
 * `why` holds "SOURCE: line N: case[k].key: why"; the result is
 * DC_E_MALFORMED, DC_E_UNSUPPORTED, DC_E_LIMIT or DC_E_NOMEM. */
enum dc_err dc_cases_parse(const char *text, size_t len, const char *source, struct dc_case_set *set,
			   char *why, size_t why_len);

/* Read and parse the case file `path` (also its label). DC_E_IO when it
 * cannot be read. */
enum dc_err dc_cases_load(const char *path, struct dc_case_set *set, char *why, size_t why_len);

/* Free everything `set` owns. Safe on a zeroed or freed set. */
void dc_cases_free(struct dc_case_set *set);

/* A growable byte buffer (capped at DC_CASE_MAX_FILE). */
struct dc_buf {
	uint8_t *data;
	size_t len, cap;
};

void dc_buf_free(struct dc_buf *b);

/* A writer sink into a struct dc_buf (`ctx` points to it); gaps read as 0. */
enum dc_err dc_sink_buf_write(void *ctx, uint64_t offset, const void *buf, size_t n);

/* Apply the edits of `c` to `b` in the documented order: inserts, writes,
 * patches, truncate. `base_size` is the size of the base dump (the
 * expression name base_size). On failure `b` may be partly edited and `why`
 * says which edit failed ("line N: patches[k]: ..."); DC_E_MALFORMED (a
 * path, expression or offset that does not fit the bytes), DC_E_LIMIT,
 * DC_E_NOMEM. */
enum dc_err dc_case_apply(const struct dc_case *c, struct dc_buf *b, uint64_t base_size, char *why,
			  size_t why_len);

/* Build the bytes of dump case `c`: load `scenario_dir`/c->base, write it
 * with the reference writer (dump_type and user_streams overridden), apply
 * the edits. DC_E_IO and the loader's errors for the scenario; DC_E_CALLBACK
 * when the writer fails on it; dc_case_apply's errors. */
enum dc_err dc_case_build(const struct dc_case *c, const char *scenario_dir, struct dc_buf *out,
			  char *why, size_t why_len);

/* Build the files of trace case `c`: run `scenario_dir`/c->base through the
 * reference writer with a tracer (as `dumpcheck write --trace`: the run may
 * return FALSE, the trace records it), apply the trace edits to the trace
 * and the dump edits to the dump. The trace's result.bytes is the size of
 * the dump as written. DC_E_IO and the loader's errors for the scenario;
 * DC_E_MALFORMED when an edit does not fit the trace or the dump ("line N:
 * trace_edits[k]: ..."), DC_E_LIMIT, DC_E_NOMEM. */
enum dc_err dc_case_build_trace(const struct dc_case *c, const char *scenario_dir, struct dc_buf *dump,
				struct dc_buf *trace, char *why, size_t why_len);

/* Build the file of kdump case `c`: load the kernel-dump scenario
 * `scenario_dir`/c->base, render its dump with the reference model (at most
 * DC_CASE_MAX_FILE bytes), apply the byte edits (inserts, writes, truncate).
 * DC_E_IO and the scenario loader's errors for the scenario; DC_E_LIMIT for a
 * dump too large; dc_case_apply's errors. Judged by dc_kdump_validate and
 * dc_case_check. */
enum dc_err dc_case_build_kdump(const struct dc_case *c, const char *scenario_dir, struct dc_buf *out,
				char *why, size_t why_len);

/* Apply the trace edits of trace or dcb case `c` to the trace
 * `text[0..len)`, in order, then renumber when the case asks; records are
 * chosen by the names of the case's kind (struct dc_case_tsel). `out` gets
 * the edited trace. DC_E_MALFORMED when an edit does not fit the trace
 * ("SOURCE: case 'ID': line N: trace_edits[k]: ..."), DC_E_LIMIT,
 * DC_E_NOMEM. */
enum dc_err dc_case_edit_trace(const struct dc_case *c, const char *text, size_t len, struct dc_buf *out,
			       char *why, size_t why_len);

/* Build the trace of dcb case `c`: parse `script_dir`/c->base, run it on the
 * reference DriverCallback model with its tracer (as `dumpcheck dcb-run`),
 * apply the trace edits. DC_E_IO and the script parser's errors for the
 * script; dc_case_edit_trace's errors. Judged by dc_dcb_check and
 * dc_case_check. */
enum dc_err dc_case_build_dcb(const struct dc_case *c, const char *script_dir, struct dc_buf *trace,
			      char *why, size_t why_len);

/* Build the files of filter case `c`: parse `scenario_dir`/c->base (a
 * scenario of spec/filter-scenarios), run it on the reference crash-dump
 * stack with its example filters over a partition in memory (as `dumpcheck
 * filter-run`), apply the trace edits. `trace` gets the edited trace, `image`
 * the dump the read path delivered (empty when the read path did not
 * finish). DC_E_IO and the scenario parser's errors for the scenario;
 * DC_E_LIMIT for a partition above DC_CASE_MAX_FILE; dc_case_edit_trace's
 * errors. Judged by dc_filter_check and dc_case_check. */
enum dc_err dc_case_build_filter(const struct dc_case *c, const char *scenario_dir, struct dc_buf *trace,
				 struct dc_buf *image, char *why, size_t why_len);

/* Whether the findings `d` of the case's file meet its expectations: every
 * `fires` rule fired, no `quiet` rule did, and the verdict holds: y no MUST
 * and no implementation-defined finding; n a MUST finding outside phase
 * limit; i an implementation-defined finding and no MUST one, or a limit.*
 * finding and no MUST finding outside phase limit (the outcome depends on
 * the reader's budgets); with `exact`, no rule outside `fires` fired. When
 * not, `why` lists every reason. */
bool dc_case_check(const struct dc_case *c, const struct dc_diags *d, char *why, size_t why_len);

/* dc_case_check for a trace case over both lists of a trace check (the
 * findings about the trace and about the dump count together). */
bool dc_case_check_trace(const struct dc_case *c, const struct dc_diags *trace, const struct dc_diags *dump,
			 char *why, size_t why_len);

/* The patch language, on its own (for tools and tests). */

/* Offset and width (1, 2, 4, 8; 0 for anything that is not a scalar field)
 * of what `path` names in `data[0..len)`. */
enum dc_err dc_patch_resolve(const uint8_t *data, size_t len, const char *path, uint64_t *offset,
			     uint32_t *width, char *why, size_t why_len);

/* Value of expression `expr` over `data[0..len)` (base_size = len, no
 * marks; names of value sets are not known here). */
enum dc_err dc_patch_eval(const uint8_t *data, size_t len, const char *expr, uint64_t *value,
			  char *why, size_t why_len);

/* Syntax check of a path (`is_path`) or an expression, without bytes. */
enum dc_err dc_patch_syntax(const char *text, bool is_path, char *why, size_t why_len);

#endif
