/* Shared by the dumpcheck CLI's command files. */
#ifndef DUMPCHECK_CLI_H
#define DUMPCHECK_CLI_H

#include <stdbool.h>

#define EXIT_CONFORMANT 0
#define EXIT_NONCONFORMANT 1
#define EXIT_USAGE 2
#define MAX_COPY (1ull << 30) /* unmappable inputs (pipes) are read up to 1 GiB */

/* Print "dumpcheck: <why>" and `usage` to stderr; returns EXIT_USAGE. */
int usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -h or --help */
bool is_help(const char *arg);

/* One option of a command: `NAME VALUE` into *value, or (value NULL) the
 * flag NAME into *flag. */
struct cli_opt {
	const char *name;
	const char **value;
	bool *flag;
};

/* Parse argv[1..argc): the options of `opts` (a NULL name ends them) and at
 * most `max` operands into operands[0..*n). 0 to go on; -1 when -h/--help
 * printed `usage`; EXIT_USAGE after a usage error (explained on stderr). */
int cli_parse(int argc, char **argv, const char *usage, const struct cli_opt *opts,
	      const char **operands, int max, int *n);

extern const char *const usage_write;

/* dumpcheck write (cmd_write.c) */
int cmd_write(int argc, char **argv);

/* dumpcheck corpus (cmd_corpus.c) */
extern const char *const usage_corpus;
int cmd_corpus(int argc, char **argv);

/* dumpcheck check-trace (cmd_check_trace.c) and conform (cmd_conform.c) */
#include "dumpcheck/report.h"
extern const char *const usage_check_trace;
extern const char *const usage_conform;
int cmd_check_trace(int argc, char **argv);
int cmd_conform(int argc, char **argv);
/* Check TRACE (and DUMP, may be NULL) into res[0] (trace findings, offsets
 * are line numbers) and res[1] (dump findings, file offsets; with
 * `validate`, the validator's findings too when the run returned TRUE).
 * On error res[i].err/reason say which input failed and `why` holds it. */
enum dc_err cli_check_trace(const char *trace_path, const char *dump_path, bool validate,
			    struct dc_file_result res[2], char *why, size_t why_len);
/* A MUST or SHOULD (not implementation-defined) finding is in `d`. */
bool cli_fails(const struct dc_diags *d);
/* Checks one input (dcb-check: a trace; filter-check: a trace and the image,
 * `image` NULL when not given) into r->diags (r is zeroed, r->path set);
 * `exercised` (DC_RULE_COUNT entries) gets the rules judged; on an error,
 * `why` says what went wrong. */
typedef enum dc_err (*cli_check_fn)(const char *trace, const char *image, struct dc_file_result *r,
				    bool *exercised, char *why, size_t why_len);
/* A one-trace check command (dcb-check, filter-check): options --format F,
 * -o FILE, --exercised FILE (the ids of the rules judged, one a line), one to
 * `maxfiles` operands, given to `check`; the report, the exit status. */
int cli_check_command(int argc, char **argv, const char *usage, int maxfiles, cli_check_fn check);
/* The options and the first exit-code line of a check command's usage. */
#define CLI_CHECK_OPTIONS \
	"  --format F        report format (default text)\n" \
	"  -o FILE           write the report to FILE instead of standard output\n" \
	"  --exercised FILE  write the ids of the rules the trace exercised, one a line\n" \
	"\n" \
	"exit codes: 0 no MUST or SHOULD finding, 1 a MUST or SHOULD rule fired,\n"

/* dumpcheck filter-run and filter-check (cmd_filter.c) */
extern const char *const usage_filter_run;
extern const char *const usage_filter_check;
int cmd_filter_run(int argc, char **argv);
int cmd_filter_check(int argc, char **argv);

/* dumpcheck dcb-run and dcb-check (cmd_dcb.c) */
extern const char *const usage_dcb_run;
extern const char *const usage_dcb_check;
int cmd_dcb_run(int argc, char **argv);
int cmd_dcb_check(int argc, char **argv);

/* dumpcheck kdump-write and kdump-page (cmd_kdump.c) */
extern const char *const usage_kdump_write;
extern const char *const usage_kdump_page;
int cmd_kdump_write(int argc, char **argv);
int cmd_kdump_page(int argc, char **argv);

#endif
