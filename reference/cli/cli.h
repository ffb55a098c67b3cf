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

#endif
