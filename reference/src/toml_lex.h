/* The TOML lexer (toml_lex.c), shared with the parser (toml.c) only.
 *
 * The cursor never reads past `n`; dci_tlex_check_text() has rejected bad
 * UTF-8 and stray control characters before any token is read, so the token
 * functions need not look for them again. */
#ifndef DUMPCHECK_TOML_LEX_H
#define DUMPCHECK_TOML_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/toml.h"
#include "internal.h"

/* Room for one quoted excerpt of the input in a message. */
#define DCI_TSHOW 48

struct dci_tlex {
	const char *s;     /* the whole input (NULL only when n is 0) */
	size_t n;          /* its length */
	size_t i;          /* the cursor */
	size_t text_start; /* 3 after a byte order mark, else 0 */
	unsigned line;     /* 1-based line of s[i] */
	size_t max_string; /* bytes of one decoded string or key */
	char *buf;         /* the last decoded string or key (owned, NUL-terminated) */
	size_t len, cap;
	size_t tok;        /* where that string or key starts, for messages */
	const char *what;  /* "string" or "key", for messages */
	enum dc_err status;        /* the first failure, or DC_OK */
	struct dc_toml_error *err; /* where it is described */
};

/* An integer or boolean token. */
struct dci_tscalar {
	bool is_bool;
	bool b;
	bool neg;     /* the integer is -mag (never set for 0) */
	uint64_t mag; /* its magnitude */
};

/* Record the first failure at byte `off` as "line:col: message"; returns `code`
 * (or the failure already recorded). */
enum dc_err dci_tlex_fail(struct dci_tlex *lx, size_t off, enum dc_err code, const char *fmt,
			  ...) DCI_PRINTF(4, 5);

/* `s[0..len)` quoted for a message: at most DCI_TSHOW - 1 bytes, control
 * characters as '?', cut on a code point with "..." when too long. */
const char *dci_tlex_show(char out[DCI_TSHOW], const char *s, size_t len);

/* Reject invalid UTF-8, control characters other than tab and newlines, and a
 * carriage return not followed by a newline; skip a byte order mark. */
enum dc_err dci_tlex_check_text(struct dci_tlex *lx);

/* The byte `k` ahead of the cursor, or -1 past the end. */
static inline int dci_tlex_peek(const struct dci_tlex *lx, size_t k)
{
	return lx->n - lx->i > k ? (unsigned char)lx->s[lx->i + k] : -1;
}

/* True at "\n" or "\r\n". */
static inline bool dci_tlex_at_newline(const struct dci_tlex *lx)
{
	int c = dci_tlex_peek(lx, 0);
	return c == '\n' || c == '\r';
}

/* Skip one newline, counting the line. */
void dci_tlex_newline(struct dci_tlex *lx);

/* Skip spaces and tabs. */
void dci_tlex_ws(struct dci_tlex *lx);

/* Skip a comment, if the cursor is at one, up to its newline. */
void dci_tlex_comment(struct dci_tlex *lx);

/* Skip whitespace, comments and newlines (between array elements). */
void dci_tlex_blank(struct dci_tlex *lx);

/* Decode one key component (bare or quoted) into buf. */
enum dc_err dci_tlex_key(struct dci_tlex *lx);

/* Decode a string value (any of the four kinds) into buf. */
enum dc_err dci_tlex_string(struct dci_tlex *lx);

/* Read an integer or boolean; floats and dates fail as DC_E_UNSUPPORTED. */
enum dc_err dci_tlex_scalar(struct dci_tlex *lx, struct dci_tscalar *out);

#endif
