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

/* dumpcheck dcb-run and dcb-check (cmd_dcb.c) */
extern const char *const usage_dcb_run;
extern const char *const usage_dcb_check;
int cmd_dcb_run(int argc, char **argv);
int cmd_dcb_check(int argc, char **argv);

#endif
