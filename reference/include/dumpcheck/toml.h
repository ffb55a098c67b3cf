/* dumpcheck/toml.h: a hardened parser for the TOML subset of dumpcheck's
 * scenario and case files.
 *
 * Vendors hand us these files, so the text is untrusted: every failure is an
 * enum dc_err plus a "line:column: why" message, never a crash, and memory,
 * nesting and node counts stop at struct dc_toml_limits.
 *
 * Supported (TOML 1.0): comments; bare, quoted and dotted keys; [table] and
 * [[array.of.tables]] headers; basic, literal and multi-line strings with
 * every TOML 1.0 escape; decimal, hex (0x), octal (0o) and binary (0b)
 * integers with underscores; booleans; arrays (mixed, nested, multi-line);
 * inline tables; TOML 1.0's redefinition rules. A UTF-8 byte order mark at
 * the start is skipped; newlines in multi-line strings read back as "\n"
 * whether the file has "\n" or "\r\n".
 *
 * Not supported: floats (also inf and nan) and dates/times are rejected with
 * DC_E_UNSUPPORTED ("floats are not supported", "dates and times are not
 * supported").
 *
 * EXTENSION: hex, octal and binary integers may go up to 2^64-1 (minidump
 * addresses such as 0xFFFF800000000000 exceed INT64_MAX); decimal integers
 * keep TOML's signed 64-bit range. Read them back with dc_toml_u64 (fails on
 * negative values) or dc_toml_int (fails above INT64_MAX).
 *
 * RESTRICTIONS beyond TOML 1.0: keys may not contain U+0000 (a C string
 * could not tell "a\u0000b" from "a"); string values may. Tables made by
 * headers and dotted keys count against max_depth too, not just arrays and
 * inline tables, so that callers may walk a document recursively.
 *
 * Redefinition follows TOML 1.0 as toml-test and Python's tomllib read it:
 * a [table] is defined once (a table only implied by a deeper header may
 * still be defined once later, by its header or by dotted keys); a table
 * made by dotted keys may get [sub.tables] but not its own header, and only
 * the table section that made it may add keys to it with dotted keys; a
 * table defined by a header never takes dotted keys from elsewhere; inline
 * tables and arrays written as values are closed; [[a.b]] and [a.b] below
 * [[a]] go into a's last element. */
#ifndef DUMPCHECK_TOML_H
#define DUMPCHECK_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/dumpcheck.h"

enum dc_toml_type {
	DC_TOML_TABLE,
	DC_TOML_ARRAY,
	DC_TOML_STRING,
	DC_TOML_INT,
	DC_TOML_BOOL,
	DC_TOML_NONE /* no value: what dc_toml_type_of(NULL) says */
};

/* max_depth above this is treated as this: the parser recurses once per
 * nested array or inline table, and the stack must stay small. */
#define DC_TOML_DEPTH_CAP 256

/* Resource budgets; a document that needs more fails with DC_E_LIMIT. */
struct dc_toml_limits {
	size_t max_bytes;        /* length of the input text */
	size_t max_depth;        /* deepest table or array: the root is 0, each one inside adds 1 */
	size_t max_nodes;        /* values in the document, the root table included */
	size_t max_string_bytes; /* decoded bytes of one string or one key */
};

/* Where and why a parse failed. */
struct dc_toml_error {
	unsigned line, column; /* 1-based; column counts code points; 0:0 for misuse */
	char message[160];     /* "3:14: duplicate key 'base'" */
};

struct dc_toml;       /* a parsed document (owns every value) */
struct dc_toml_value; /* one value inside a document */

/* Limits for hand-written scenario files: 8 MiB, depth 64, 2^18 values, 1 MiB strings. */
struct dc_toml_limits dc_toml_limits_default(void);

/* Parse `text[0..len)` (need not be NUL-terminated) under `lim` (NULL: the
 * defaults) into `*out`; on failure `*out` is NULL, `err` (may be NULL) says
 * where and why, and the result is DC_E_MALFORMED, DC_E_UNSUPPORTED,
 * DC_E_LIMIT, DC_E_NOMEM or DC_E_MISUSE. */
enum dc_err dc_toml_parse(const char *text, size_t len, const struct dc_toml_limits *lim,
			  struct dc_toml **out, struct dc_toml_error *err);

/* The root table of `doc` (NULL when `doc` is NULL). */
const struct dc_toml_value *dc_toml_root(const struct dc_toml *doc);

/* The type of `v`, DC_TOML_NONE when `v` is NULL. */
enum dc_toml_type dc_toml_type_of(const struct dc_toml_value *v);

/* The value of `key` in `table`; NULL when absent or `table` is not a table. */
const struct dc_toml_value *dc_toml_get(const struct dc_toml_value *table, const char *key);

/* The value at a dotted path of bare key names ("process.arch") below
 * `table`; NULL when a component is absent or a step is not a table. */
const struct dc_toml_value *dc_toml_path(const struct dc_toml_value *table, const char *dotted);

/* Number of elements of an array or entries of a table; 0 for anything else. */
size_t dc_toml_len(const struct dc_toml_value *v);

/* Element `i` of an array, or the value of entry `i` of a table in insertion
 * order; NULL when out of range. */
const struct dc_toml_value *dc_toml_at(const struct dc_toml_value *array_or_table, size_t i);

/* Key of entry `i` of a table in insertion order (UTF-8, NUL-terminated, no
 * embedded NUL); NULL when out of range or not a table. */
const char *dc_toml_key_at(const struct dc_toml_value *table, size_t i);

/* Store an integer that fits int64_t in `*out`; false for anything else. */
bool dc_toml_int(const struct dc_toml_value *v, int64_t *out);

/* Store a non-negative integer (up to 2^64-1) in `*out`; false for anything else. */
bool dc_toml_u64(const struct dc_toml_value *v, uint64_t *out);

/* Store a boolean in `*out`; false when `v` is not a boolean. */
bool dc_toml_bool(const struct dc_toml_value *v, bool *out);

/* Point `*s` at a string's UTF-8 bytes (NUL-terminated, but they may hold NUL
 * themselves) and store their count in `*len` (may be NULL); false when `v`
 * is not a string. */
bool dc_toml_str(const struct dc_toml_value *v, const char **s, size_t *len);

/* 1-based source line of `v`: where a value starts, or the [header] or key
 * that defined a table; 0 for NULL. */
unsigned dc_toml_line(const struct dc_toml_value *v);

/* Release `doc` and every value in it; NULL is fine. */
void dc_toml_free(struct dc_toml *doc);

#endif
