/* dumpcheck/json.h: a hardened JSON (RFC 8259) parser for untrusted input:
 * vendor traces (spec/trace.md) are one JSON document per line.
 *
 * Like dumpcheck/toml.h: every failure is an enum dc_err plus a
 * "line:column: why" message, never a crash; input size, nesting, value
 * count and string size stop at struct dc_json_limits. The parser keeps an
 * explicit stack, so deep nesting costs heap (bounded by max_depth), never C
 * stack.
 *
 * Numbers: an integer (no fraction, no exponent) in [INT64_MIN, UINT64_MAX]
 * is kept exactly (read it with dc_json_int or dc_json_u64); any other
 * number (fraction, exponent, larger magnitude) is accepted as
 * DC_JSON_NUMBER, whose only reading is its source text (dc_json_num_text),
 * so unknown keys holding floats do not break a document.
 *
 * Strings: every RFC 8259 escape; \uXXXX surrogate pairs are combined and an
 * unpaired surrogate is an error; raw bytes must be well-formed UTF-8 (no
 * overlong forms, no surrogates, nothing above U+10FFFF); raw control
 * characters are errors. Values may hold U+0000; keys may not (a C string
 * could not tell "a\u0000b" from "a").
 *
 * Duplicate keys in one object are rejected (DC_E_MALFORMED, "duplicate key
 * 'k'" at the later one): RFC 8259 leaves their meaning open, and readers
 * that keep the first or the last would disagree on the same trace.
 *
 * A UTF-8 byte order mark at the start is skipped; after the one value
 * only whitespace may follow. */
#ifndef DUMPCHECK_JSON_H
#define DUMPCHECK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/dumpcheck.h"

enum dc_json_type {
	DC_JSON_OBJECT,
	DC_JSON_ARRAY,
	DC_JSON_STRING,
	DC_JSON_INT,    /* an integer kept exactly */
	DC_JSON_NUMBER, /* any other number: only its text is kept */
	DC_JSON_BOOL,
	DC_JSON_NULL,
	DC_JSON_NONE /* no value: what dc_json_type_of(NULL) says */
};

/* Resource budgets; a document that needs more fails with DC_E_LIMIT. */
struct dc_json_limits {
	size_t max_bytes;        /* length of the input text */
	size_t max_depth;        /* deepest container: a top-level object or array is 1 */
	size_t max_nodes;        /* values in the document (keys not counted) */
	size_t max_string_bytes; /* decoded bytes of one string or one key */
};

/* Where and why a parse failed. */
struct dc_json_error {
	unsigned line, column; /* 1-based; column counts code points; 0:0 for misuse */
	char message[160];     /* "1:14: duplicate key 'seq'" */
};

struct dc_json;       /* a parsed document (owns every value) */
struct dc_json_value; /* one value inside a document */

/* Limits for one trace record: 1 MiB, depth 32, 2^16 values, 64 KiB strings. */
struct dc_json_limits dc_json_limits_default(void);

/* Parse `text[0..len)` (need not be NUL-terminated) under `lim` (NULL: the
 * defaults) into `*out`; on failure `*out` is NULL, `err` (may be NULL) says
 * where and why, and the result is DC_E_MALFORMED, DC_E_LIMIT, DC_E_NOMEM or
 * DC_E_MISUSE. */
enum dc_err dc_json_parse(const char *text, size_t len, const struct dc_json_limits *lim,
			  struct dc_json **out, struct dc_json_error *err);

/* The top-level value of `doc` (NULL when `doc` is NULL). */
const struct dc_json_value *dc_json_root(const struct dc_json *doc);

/* The type of `v`, DC_JSON_NONE when `v` is NULL. */
enum dc_json_type dc_json_type_of(const struct dc_json_value *v);

/* The value of `key` in object `obj`; NULL when absent or `obj` is not an object. */
const struct dc_json_value *dc_json_get(const struct dc_json_value *obj, const char *key);

/* Number of elements of an array or members of an object; 0 for anything else. */
size_t dc_json_len(const struct dc_json_value *v);

/* Element `i` of an array, or the value of member `i` of an object in
 * document order; NULL when out of range. */
const struct dc_json_value *dc_json_at(const struct dc_json_value *v, size_t i);

/* Key of member `i` of an object (UTF-8, NUL-terminated, no embedded NUL);
 * NULL when out of range or not an object. */
const char *dc_json_key_at(const struct dc_json_value *obj, size_t i);

/* Store an integer that fits int64_t in `*out`; false for anything else. */
bool dc_json_int(const struct dc_json_value *v, int64_t *out);

/* Store a non-negative integer (up to 2^64-1) in `*out`; false for anything else. */
bool dc_json_u64(const struct dc_json_value *v, uint64_t *out);

/* One record of a JSON Lines text: its 1-based line number and its root
 * value (valid during the call only). */
typedef enum dc_err (*dc_jsonl_fn)(void *ctx, unsigned line, const struct dc_json_value *root);

/* Parse `text[0..len)` as JSON Lines: every line that is not blank (spaces,
 * tabs, CR) is one JSON document of at most `max_line` bytes, handed to
 * `fn` in order. Stops at the first error and returns it (fn's own, or
 * DC_E_LIMIT / DC_E_MALFORMED / DC_E_NOMEM for a line that does not parse,
 * with "column N: why" in `msg`); `*line` is the line it stopped at, or the
 * number of lines when all went well. */
enum dc_err dc_jsonl_each(const char *text, size_t len, size_t max_line, dc_jsonl_fn fn,
			  void *ctx, unsigned *line, char *msg, size_t msg_len);

/* A non-negative integer, or a string "0x" + 1 to 16 hex digits (how the
 * trace schemas write 64-bit values and HRESULTs), into `*out`. */
bool dc_json_u64_or_hex(const struct dc_json_value *v, uint64_t *out);

/* Store a boolean in `*out`; false when `v` is not a boolean. */
bool dc_json_bool(const struct dc_json_value *v, bool *out);

/* True when `v` is JSON null. */
bool dc_json_is_null(const struct dc_json_value *v);

/* Point `*s` at a string's UTF-8 bytes (NUL-terminated, but they may hold
 * NUL themselves) and store their count in `*len` (may be NULL); false when
 * `v` is not a string. */
bool dc_json_str(const struct dc_json_value *v, const char **s, size_t *len);

/* The source text of a number (DC_JSON_INT or DC_JSON_NUMBER), NUL-terminated;
 * NULL for anything else. */
const char *dc_json_num_text(const struct dc_json_value *v);

/* 1-based line and column where `v` starts; 0 for NULL. */
unsigned dc_json_line(const struct dc_json_value *v);
unsigned dc_json_column(const struct dc_json_value *v);

/* Release `doc` and every value in it; NULL is fine. */
void dc_json_free(struct dc_json *doc);

#endif
