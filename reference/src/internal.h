/* Internals shared across libdumpcheck's files (prefix dci_). */
#ifndef DUMPCHECK_INTERNAL_H
#define DUMPCHECK_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "dumpcheck/dumpcheck.h"

/* Defensive checks: true when the condition holds, never abort. */
#define DC_ALWAYS(cond) (__builtin_expect(!!(cond), 1))
#define DC_NEVER(cond) (__builtin_expect(!!(cond), 0))

#if defined(__MINGW32__)
/* mingw-w64's gcc takes "printf" to mean msvcrt's (no %zu); the Windows agent
 * builds with __USE_MINGW_ANSI_STDIO, whose printf is C99's. */
#define DCI_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define DCI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DCI_PRINTF(a, b)
#endif

/* Append one finding to `d`; returns DC_E_NOMEM only when recording failed. */
enum dc_err dci_diags_addv(struct dc_diags *d, const struct dc_limits *lim, enum dc_rule rule,
			   uint64_t offset, const char *fmt, va_list ap) DCI_PRINTF(5, 0);

/* A rule checker's output (findings.c): the findings into `out` under
 * `lim`, the rules it looked at into `exercised` (may be NULL), the first
 * failure to record in `err`. */
struct dci_check {
	struct dc_diags *out;
	struct dc_limits lim;
	bool *exercised;
	enum dc_err err;
};

/* Default limits, no finding failed, no rule exercised yet. */
void dci_check_init(struct dci_check *c, struct dc_diags *out, bool *exercised);

/* A finding about trace line `line`: "line N: " and the detail (at most 111 bytes). */
void dci_check_line(struct dci_check *c, enum dc_rule rule, unsigned line, const char *fmt, ...)
	DCI_PRINTF(4, 5);

/* Rule `rule` was looked at. */
void dci_check_exercise(struct dci_check *c, enum dc_rule rule);

/* The trace writers' JSON (report.c): `s` as a JSON string, null when NULL. */
void dci_json_cstr(FILE *out, const char *s);

/* ,"key":"0x…": a 64-bit value as the trace schemas write it. */
void dci_json_hex(FILE *out, const char *key, uint64_t v);

/* The start of a trace's header record, {"record":"header","schema":…,
 * "schema_version":…,"implementation":…,"version":… (the caller goes on
 * with its own keys and closes it). */
void dci_trace_header_open(FILE *out, const char *schema, int version, const char *implementation,
			   const char *ver);

/* Checked a + b; false on unsigned 64-bit overflow. */
static inline bool dci_add(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/* Checked a * b; false on unsigned 64-bit overflow. */
static inline bool dci_mul(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Little-endian loads from bytes the caller has already bounds-checked. */
static inline uint16_t dci_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dci_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t dci_le64(const uint8_t *p)
{
	return (uint64_t)dci_le32(p) | ((uint64_t)dci_le32(p + 4) << 32);
}

/* A little-endian pointer-sized word (4 or 8 bytes). */
static inline uint64_t dci_le_word(const uint8_t *p, unsigned size)
{
	return size == 8 ? dci_le64(p) : dci_le32(p);
}

/* Decode `nchars` UTF-16LE units at `src` into NUL-terminated UTF-8 in
 * `dst[0..cap)`, truncating; unpaired surrogates become U+FFFD. Returns the
 * UTF-8 length written. */
size_t dci_utf16_to_utf8(const uint8_t *src, uint64_t nchars, char *dst, size_t cap);

/* Bytes dci_utf16_to_utf8 needs for `nchars` units, without the NUL: the
 * exact size, so that a reader allocates no more than it keeps. */
uint64_t dci_utf16_utf8_size(const uint8_t *src, uint64_t nchars);

/* True when `nchars` UTF-16LE units at `src` contain no unpaired surrogate. */
bool dci_utf16_valid(const uint8_t *src, uint64_t nchars);

/* Code point `cp` (at most U+10FFFF) as 1-4 UTF-8 bytes in `out`; returns how many. */
size_t dci_utf8_encode(uint32_t cp, char out[4]);

/* Encode UTF-8 `s[0..len)` as UTF-16LE units at `dst` (room for `len`
 * units: never more units than bytes); invalid sequences become U+FFFD.
 * Returns the number of units written. */
size_t dci_utf8_to_utf16(const char *s, size_t len, uint8_t *dst);

struct dc_case;
struct dc_scenario;
/* `dir`/c->base into path[0..n); false with `why` "SOURCE: case 'ID': WHAT
 * path too long" when it does not fit (corpus_apply.c). */
bool dci_case_base_path(const struct dc_case *c, const char *dir, const char *what, char *path, size_t n,
			char *why, size_t why_len);
/* Load the case's base scenario from `dir`; DC_E_LIMIT / the loader's error
 * with `why` "SOURCE: case 'ID': ..." (corpus_apply.c). */
enum dc_err dci_case_load_scenario(const struct dc_case *c, const char *dir, struct dc_scenario *sc,
				   char *why, size_t why_len);

#endif
