/* `dumpcheck dump`: every stream and field, driven by the generated tables. */
#ifndef DUMPCHECK_PRINT_H
#define DUMPCHECK_PRINT_H

#include "dumpcheck/dumpcheck.h"

/* Print the minidump `data[0..size)` named `path` to `out` as indented text
 * or, when `json` is set, as one JSON document (schema "dumpcheck-dump",
 * version DC_JSON_SCHEMA_VERSION; see docs in README). Findings met on the
 * way are appended to `diags` and printed at the end. */
enum dc_err dc_minidump_print(FILE *out, const char *path, const uint8_t *data, uint64_t size,
			      int json, const struct dc_validate_opts *opts, struct dc_diags *diags);

#endif
