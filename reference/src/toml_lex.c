/* The TOML lexer: text checks, whitespace, keys, strings, integers.
 *
 * Strings decode into one scratch buffer that the parser copies out; a
 * decoded string is never longer than its source, so the buffer never
 * outgrows the input. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_lex.h"

/* ---------------------------------------------------------------- messages */

/* Line and code-point column of byte `off`: scanned from the start, since a
 * failure happens once per parse and the hot path should not track columns. */
static void locate(const struct dci_tlex *lx, size_t off, unsigned *line, unsigned *col)
{
	size_t start = lx->text_start;
	unsigned l = 1, c = 1;
	if (off > lx->n)
		off = lx->n;
	for (size_t k = start; k < off; k++)
		if (lx->s[k] == '\n') {
			l += l < UINT_MAX;
			start = k + 1;
		}
	for (size_t k = start; k < off; k++)
		c += ((unsigned char)lx->s[k] & 0xC0) != 0x80 && c < UINT_MAX;
	*line = l;
	*col = c;
}

enum dc_err dci_tlex_fail(struct dci_tlex *lx, size_t off, enum dc_err code, const char *fmt, ...)
{
	struct dc_toml_error *e = lx->err;
	if (lx->status != DC_OK)
		return lx->status;
	lx->status = code;
	locate(lx, off, &e->line, &e->column);
	int k = snprintf(e->message, sizeof(e->message), "%u:%u: ", e->line, e->column);
	if (k < 0 || (size_t)k >= sizeof(e->message))
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message + k, sizeof(e->message) - (size_t)k, fmt, ap);
	va_end(ap);
	return code;
}

const char *dci_tlex_show(char out[DCI_TSHOW], const char *s, size_t len)
{
	size_t o = 0;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		/* Cut at a code point boundary, but never overrun on bad input. */
		if (o >= DCI_TSHOW - 8 && ((c & 0xC0) != 0x80 || o >= DCI_TSHOW - 5)) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
	}
	out[o] = '\0';
	return out;
}

/* ---------------------------------------------------------------- text */

/* Length of the valid UTF-8 sequence at `s` (Unicode scalar values only,
 * shortest form), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t k;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		k = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		k = 3;
		lo = c == 0xE0 ? 0xA0 : lo; /* overlong */
		hi = c == 0xED ? 0x9F : hi; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		k = 4;
		lo = c == 0xF0 ? 0x90 : lo; /* overlong */
		hi = c == 0xF4 ? 0x8F : hi; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t j = 2; j < k; j++)
		if ((s[j] & 0xC0) != 0x80)
			return 0;
	return k;
}

enum dc_err dci_tlex_check_text(struct dci_tlex *lx)
{
	const unsigned char *s = (const unsigned char *)lx->s;
	size_t n = lx->n, i = 0;
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		i = 3;
	lx->text_start = lx->i = i;
	while (i < n) {
		unsigned c = s[i];
		size_t k = utf8_len(s + i, n - i);
		if (k == 0)
			return dci_tlex_fail(lx, i, DC_E_MALFORMED, "invalid UTF-8");
		if (c == '\r' && (i + 1 >= n || s[i + 1] != '\n'))
			return dci_tlex_fail(lx, i, DC_E_MALFORMED,
					     "carriage return not followed by a newline");
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
			return dci_tlex_fail(lx, i, DC_E_MALFORMED,
					     "control character U+%04X is not allowed", c);
		i += k;
	}
	return DC_OK;
}

/* ---------------------------------------------------------------- blanks */

void dci_tlex_newline(struct dci_tlex *lx)
{
	if (dci_tlex_peek(lx, 0) == '\r')
		lx->i++; /* dci_tlex_check_text made sure "\n" follows */
	if (dci_tlex_peek(lx, 0) == '\n') {
		lx->i++;
		lx->line += lx->line < UINT_MAX;
	}
}

void dci_tlex_ws(struct dci_tlex *lx)
{
	int c;
	while ((c = dci_tlex_peek(lx, 0)) == ' ' || c == '\t')
		lx->i++;
}

void dci_tlex_comment(struct dci_tlex *lx)
{
	if (dci_tlex_peek(lx, 0) != '#')
		return;
	while (lx->i < lx->n && !dci_tlex_at_newline(lx))
		lx->i++;
}

void dci_tlex_blank(struct dci_tlex *lx)
{
	for (;;) {
		dci_tlex_ws(lx);
		dci_tlex_comment(lx);
		if (!dci_tlex_at_newline(lx))
			return;
		dci_tlex_newline(lx);
	}
}

/* ---------------------------------------------------------------- strings */

/* Append `k` decoded bytes to the scratch buffer, within max_string. */
static enum dc_err put(struct dci_tlex *lx, const char *b, size_t k)
{
	if (k > lx->max_string - lx->len)
		return dci_tlex_fail(lx, lx->tok, DC_E_LIMIT,
				     "%s longer than max_string_bytes (%zu)", lx->what,
				     lx->max_string);
	if (k + 1 > lx->cap - lx->len) {
		size_t want = lx->len + k + 1, cap = lx->cap ? lx->cap * 2 : 64;
		/* Decoding never grows a string: the input length bounds the buffer. */
		if (cap > lx->n + 1)
			cap = lx->n + 1;
		if (cap < want)
			cap = want;
		char *grown = realloc(lx->buf, cap);
		if (!grown)
			return dci_tlex_fail(lx, lx->tok, DC_E_NOMEM, "out of memory");
		lx->buf = grown;
		lx->cap = cap;
	}
	memcpy(lx->buf + lx->len, b, k);
	lx->len += k;
	lx->buf[lx->len] = '\0';
	return DC_OK;
}

static bool in_set(const char *set, int c)
{
	return c > 0 && strchr(set, c) != NULL;
}

/* Copy the bytes up to the next one in `stops` as they are. */
static enum dc_err plain_run(struct dci_tlex *lx, const char *stops)
{
	size_t j = lx->i;
	while (j < lx->n && !in_set(stops, (unsigned char)lx->s[j]))
		j++;
	enum dc_err r = put(lx, lx->s + lx->i, j - lx->i);
	lx->i = j;
	return r;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX at the cursor. */
static enum dc_err unicode_escape(struct dci_tlex *lx, unsigned digits)
{
	size_t at = lx->i;
	uint32_t cp = 0;
	for (unsigned k = 0; k < digits; k++) {
		int h = hex_value(dci_tlex_peek(lx, 2 + k));
		if (h < 0)
			return dci_tlex_fail(lx, at, DC_E_MALFORMED,
					     "\\%c escape needs %u hex digits", lx->s[at + 1],
					     digits);
		cp = cp << 4 | (uint32_t)h;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return dci_tlex_fail(lx, at, DC_E_MALFORMED,
				     "escape U+%04lX is not a Unicode scalar value",
				     (unsigned long)cp);
	char out[4];
	lx->i += 2 + digits;
	return put(lx, out, dci_utf8_encode(cp, out));
}

/* A backslash escape of a basic string at the cursor. */
static enum dc_err escape(struct dci_tlex *lx)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	int e = dci_tlex_peek(lx, 1);
	if (e < 0)
		return dci_tlex_fail(lx, lx->tok, DC_E_MALFORMED, "unterminated string");
	if (in_set(from, e)) {
		lx->i += 2;
		return put(lx, &to[strchr(from, e) - from], 1);
	}
	if (e == 'u' || e == 'U')
		return unicode_escape(lx, e == 'u' ? 4 : 8);
	char show[DCI_TSHOW];
	size_t k = utf8_len((const unsigned char *)lx->s + lx->i + 1, lx->n - lx->i - 1);
	return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED, "invalid escape '\\%s'",
			     dci_tlex_show(show, lx->s + lx->i + 1, k ? k : 1));
}

/* "..." on one line. */
static enum dc_err basic(struct dci_tlex *lx)
{
	for (;;) {
		int c = dci_tlex_peek(lx, 0);
		enum dc_err r;
		if (c < 0 || c == '\n' || c == '\r')
			return dci_tlex_fail(lx, lx->tok, DC_E_MALFORMED, "unterminated string");
		if (c == '"') {
			lx->i++;
			return DC_OK;
		}
		r = c == '\\' ? escape(lx) : plain_run(lx, "\"\\\n\r");
		if (r != DC_OK)
			return r;
	}
}

/* '...' on one line. */
static enum dc_err literal(struct dci_tlex *lx)
{
	for (;;) {
		int c = dci_tlex_peek(lx, 0);
		if (c < 0 || c == '\n' || c == '\r')
			return dci_tlex_fail(lx, lx->tok, DC_E_MALFORMED, "unterminated string");
		if (c == '\'') {
			lx->i++;
			return DC_OK;
		}
		enum dc_err r = plain_run(lx, "'\n\r");
		if (r != DC_OK)
			return r;
	}
}

/* A run of quotes in a multi-line string: three or more close it, and up to
 * two before the closing three are content. Extra quotes stay for the
 * parser to reject. */
static enum dc_err ml_quotes(struct dci_tlex *lx, int q, bool *closed)
{
	size_t run = 0;
	while (dci_tlex_peek(lx, run) == q)
		run++;
	size_t content = run < 3 ? run : (run - 3 > 2 ? 2 : run - 3);
	*closed = run >= 3;
	enum dc_err r = put(lx, lx->s + lx->i, content);
	lx->i += *closed ? 3 + content : run;
	return r;
}

/* A newline inside a multi-line string; TOML lets "\r\n" become "\n". */
static enum dc_err ml_newline(struct dci_tlex *lx)
{
	dci_tlex_newline(lx);
	return put(lx, "\n", 1);
}

/* A backslash in a multi-line basic string: a line-ending backslash trims
 * the whitespace and newlines after it, anything else is an escape. */
static enum dc_err ml_backslash(struct dci_tlex *lx)
{
	size_t j = lx->i + 1;
	while (j < lx->n && (lx->s[j] == ' ' || lx->s[j] == '\t'))
		j++;
	if (j >= lx->n || (lx->s[j] != '\n' && lx->s[j] != '\r'))
		return escape(lx);
	lx->i = j;
	for (;;) {
		dci_tlex_ws(lx);
		if (!dci_tlex_at_newline(lx))
			return DC_OK;
		dci_tlex_newline(lx);
	}
}

/* The body of """...""" (basic) or '''...''' (literal). */
static enum dc_err multi_line(struct dci_tlex *lx, int q)
{
	const char *stops = q == '"' ? "\"\\\n\r" : "'\n\r";
	for (;;) {
		int c = dci_tlex_peek(lx, 0);
		enum dc_err r;
		bool closed = false;
		if (c < 0)
			return dci_tlex_fail(lx, lx->tok, DC_E_MALFORMED,
					     "unterminated multi-line string");
		if (c == q)
			r = ml_quotes(lx, q, &closed);
		else if (c == '\\' && q == '"')
			r = ml_backslash(lx);
		else if (c == '\n' || c == '\r')
			r = ml_newline(lx);
		else
			r = plain_run(lx, stops);
		if (r != DC_OK || closed)
			return r;
	}
}

static enum dc_err quoted(struct dci_tlex *lx, bool key)
{
	int q = dci_tlex_peek(lx, 0);
	lx->tok = lx->i;
	lx->len = 0;
	if (dci_tlex_peek(lx, 1) == q && dci_tlex_peek(lx, 2) == q) {
		if (key)
			return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED,
					     "a key cannot be a multi-line string");
		lx->i += 3;
		/* A newline right after the opening delimiter is not content. */
		if (dci_tlex_at_newline(lx))
			dci_tlex_newline(lx);
		return multi_line(lx, q);
	}
	lx->i++;
	return q == '"' ? basic(lx) : literal(lx);
}

enum dc_err dci_tlex_string(struct dci_tlex *lx)
{
	lx->what = "string";
	return quoted(lx, false);
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

enum dc_err dci_tlex_key(struct dci_tlex *lx)
{
	int c = dci_tlex_peek(lx, 0);
	lx->what = "key";
	if (c == '"' || c == '\'')
		return quoted(lx, true);
	size_t j = lx->i;
	while (j < lx->n && is_bare((unsigned char)lx->s[j]))
		j++;
	if (j == lx->i)
		return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED, "expected a key");
	lx->tok = lx->i;
	lx->len = 0;
	enum dc_err r = put(lx, lx->s + lx->i, j - lx->i);
	lx->i = j;
	return r;
}

/* ---------------------------------------------------------------- scalars */

/* Bytes that can belong to a number, boolean, float or date token. */
static bool is_word(int c)
{
	return is_bare(c) || c == '+' || c == '.' || c == ':';
}

static bool word_is(const char *w, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(w, lit, len) == 0;
}

/* Digits of `base` from `off` with TOML's underscores (only between digits),
 * up to `max`; the number starts at `start`. */
static enum dc_err digits(struct dci_tlex *lx, size_t start, size_t off, unsigned base,
			  uint64_t max, uint64_t *out)
{
	const char *d = lx->s + off;
	size_t len = lx->i - off;
	uint64_t v = 0;
	bool prev_digit = false;
	if (len == 0)
		return dci_tlex_fail(lx, off, DC_E_MALFORMED,
				     "expected digits after the base prefix");
	for (size_t k = 0; k < len; k++) {
		int dv = hex_value((unsigned char)d[k]);
		if (d[k] == '_' && prev_digit && k + 1 < len) {
			prev_digit = false;
			continue;
		}
		if (d[k] == '_')
			return dci_tlex_fail(lx, off + k, DC_E_MALFORMED,
					     "'_' in an integer must be between digits");
		if (dv < 0 || (unsigned)dv >= base)
			return dci_tlex_fail(lx, off + k, DC_E_MALFORMED,
					     "invalid character '%c' in a base-%u integer", d[k],
					     base);
		if (v > (max - (unsigned)dv) / base)
			return dci_tlex_fail(lx, start, DC_E_MALFORMED, "integer out of range");
		v = v * base + (unsigned)dv;
		prev_digit = true;
	}
	*out = v;
	return DC_OK;
}

/* 4 digits and '-' (1979-05-27) or 2 digits and ':' (07:32:00). */
static bool looks_like_date(const char *d, size_t len)
{
	size_t k = 0;
	while (k < len && k < 4 && d[k] >= '0' && d[k] <= '9')
		k++;
	return (k == 4 && len > 4 && d[4] == '-') || (k >= 2 && len > 2 && d[2] == ':');
}

static bool looks_like_float(const char *d, size_t len)
{
	bool mark = false;
	for (size_t k = 0; k < len; k++) {
		if (d[k] == '.' || d[k] == 'e' || d[k] == 'E')
			mark = true;
		else if (!in_set("0123456789_+-", (unsigned char)d[k]))
			return false;
	}
	return mark;
}

/* The integer in the word s[start..lx->i), sign at start when `sign`. */
static enum dc_err integer(struct dci_tlex *lx, size_t start, bool sign, struct dci_tscalar *out)
{
	const char *d = lx->s + start + sign;
	size_t len = lx->i - start - sign;
	bool neg = sign && lx->s[start] == '-';
	static const char prefixes[] = "xob";
	static const unsigned bases[] = { 16, 8, 2 };
	if (len >= 2 && d[0] == '0' && in_set(prefixes, (unsigned char)d[1])) {
		if (sign)
			return dci_tlex_fail(lx, start, DC_E_MALFORMED,
					     "hex, octal and binary integers cannot have a sign");
		/* EXTENSION: the full unsigned 64-bit range, for addresses. */
		unsigned base = bases[strchr(prefixes, d[1]) - prefixes];
		return digits(lx, start, start + 2, base, UINT64_MAX, &out->mag);
	}
	if (!sign && looks_like_date(d, len))
		return dci_tlex_fail(lx, start, DC_E_UNSUPPORTED,
				     "dates and times are not supported");
	if (looks_like_float(d, len))
		return dci_tlex_fail(lx, start, DC_E_UNSUPPORTED, "floats are not supported");
	if (len > 1 && d[0] == '0' && in_set("0123456789_", (unsigned char)d[1]))
		return dci_tlex_fail(lx, start, DC_E_MALFORMED, "leading zeros are not allowed");
	uint64_t max = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	enum dc_err r = digits(lx, start, start + sign, 10, max, &out->mag);
	out->neg = neg && out->mag != 0;
	return r;
}

enum dc_err dci_tlex_scalar(struct dci_tlex *lx, struct dci_tscalar *out)
{
	size_t start = lx->i, j = lx->i;
	char show[DCI_TSHOW];
	memset(out, 0, sizeof(*out));
	while (j < lx->n && is_word((unsigned char)lx->s[j]))
		j++;
	if (j == start)
		return dci_tlex_fail(lx, start, DC_E_MALFORMED, "expected a value");
	const char *w = lx->s + start;
	size_t len = j - start;
	lx->i = j;
	if (word_is(w, len, "true") || word_is(w, len, "false")) {
		out->is_bool = true;
		out->b = w[0] == 't';
		return DC_OK;
	}
	bool sign = w[0] == '+' || w[0] == '-';
	if (word_is(w + sign, len - sign, "inf") || word_is(w + sign, len - sign, "nan"))
		return dci_tlex_fail(lx, start, DC_E_UNSUPPORTED, "floats are not supported");
	if (len == (size_t)sign || w[sign] < '0' || w[sign] > '9')
		return dci_tlex_fail(lx, start, DC_E_MALFORMED, "invalid value '%s'",
				     dci_tlex_show(show, w, len));
	return integer(lx, start, sign, out);
}
