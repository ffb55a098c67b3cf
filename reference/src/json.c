/* A hardened JSON parser (dumpcheck/json.h) for untrusted trace records.
 *
 * One pass over the text with an explicit stack of open containers, so the
 * C stack stays flat whatever the nesting; values live in a chunked arena
 * (pointers stay valid while the document grows), and every container's
 * children are collected on one work stack and copied out when it closes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/json.h"
#include "internal.h"

#define CHUNK_MIN 4096u

struct dc_json_value {
	enum dc_json_type type;
	bool b;
	bool neg;        /* DC_JSON_INT: the value is -mag */
	uint64_t mag;    /* DC_JSON_INT: magnitude */
	const char *s;   /* string bytes or number text */
	size_t slen;
	const char *key; /* member key in an object, else NULL */
	size_t key_len;
	struct dc_json_value **items; /* container children, in document order */
	size_t n;
	unsigned line, column;
};

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct dc_json {
	struct chunk *chunks;
	struct dc_json_value *root;
};

/* An open container: its node, where its children start on the work
 * stack, and the key its next member gets. */
struct frame {
	struct dc_json_value *node;
	size_t start;
	const char *key;
	size_t key_len;
};

struct parser {
	const unsigned char *p;
	size_t len, pos;
	unsigned line, col;
	struct dc_json_limits lim;
	struct dc_json *doc;
	size_t nodes;
	struct frame *frames;
	size_t nframes, cap_frames;
	struct dc_json_value **work;
	size_t nwork, cap_work;
	struct dc_json_error *err;
};

/* ---------------------------------------------------------------- memory */

static void *arena_alloc(struct dc_json *doc, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	struct chunk *c = doc->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = doc->chunks;
		c->used = 0;
		c->cap = cap;
		doc->chunks = c;
	}
	void *r = (unsigned char *)c->data + c->used;
	c->used += n;
	return r;
}

/* Grow `*arr` (elements of `size`) to hold at least `need`. */
static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

/* ---------------------------------------------------------------- errors */

static enum dc_err fail_at(struct parser *P, unsigned line, unsigned col, enum dc_err code,
			   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static enum dc_err fail_at(struct parser *P, unsigned line, unsigned col, enum dc_err code,
			   const char *fmt, ...)
{
	if (!P->err)
		return code;
	char why[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	P->err->line = line;
	P->err->column = col;
	snprintf(P->err->message, sizeof(P->err->message), "%u:%u: %s", line, col, why);
	return code;
}

#define FAIL(P, code, ...) fail_at((P), (P)->line, (P)->col, (code), __VA_ARGS__)

/* A key quoted in a message: printable ASCII kept, the rest '?', so that a
 * message never carries control bytes to a terminal. */
static void quote_key(char *dst, size_t cap, const char *k, size_t n)
{
	size_t i = 0;
	for (; i < n && i + 4 < cap; i++)
		dst[i] = (k[i] >= 0x20 && k[i] < 0x7F) ? k[i] : '?';
	if (i < n && i + 4 <= cap) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

/* A byte shown in a message. */
static void show_byte(char out[8], unsigned char c)
{
	if (c >= 0x20 && c < 0x7F)
		snprintf(out, 8, "'%c'", c);
	else
		snprintf(out, 8, "0x%02x", c);
}

/* ---------------------------------------------------------------- cursor */

static bool at_end(const struct parser *P)
{
	return P->pos >= P->len;
}

static void adv(struct parser *P)
{
	unsigned char c = P->p[P->pos++];
	if (c == '\n') {
		P->line++;
		P->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		P->col++; /* columns count code points: continuation bytes do not move */
	}
}

static void skip_ws(struct parser *P)
{
	while (!at_end(P) && (P->p[P->pos] == ' ' || P->p[P->pos] == '\t' ||
			      P->p[P->pos] == '\n' || P->p[P->pos] == '\r'))
		adv(P);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629), 0 if none. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t c, min;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, c = p[0] & 0x1Fu, min = 0x80;
	else if ((p[0] & 0xF0) == 0xE0)
		len = 3, c = p[0] & 0x0Fu, min = 0x800;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, c = p[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

/* ---------------------------------------------------------------- values */

static enum dc_err new_node(struct parser *P, enum dc_json_type type, unsigned line,
			    unsigned col, struct dc_json_value **out)
{
	if (P->nodes >= P->lim.max_nodes)
		return fail_at(P, line, col, DC_E_LIMIT, "more than %zu values", P->lim.max_nodes);
	struct dc_json_value *v = arena_alloc(P->doc, sizeof(*v));
	if (!v)
		return DC_E_NOMEM;
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->line = line;
	v->column = col;
	P->nodes++;
	if (P->nframes == 0) {
		P->doc->root = v;
	} else {
		struct frame *f = &P->frames[P->nframes - 1];
		v->key = f->key;
		v->key_len = f->key_len;
		f->key = NULL;
		if (!grow((void **)&P->work, &P->cap_work, P->nwork + 1, sizeof(*P->work)))
			return DC_E_NOMEM;
		P->work[P->nwork++] = v;
	}
	*out = v;
	return DC_OK;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u" (the cursor is on the first). */
static enum dc_err hex4(struct parser *P, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = at_end(P) ? -1 : hexval(P->p[P->pos]);
		if (h < 0)
			return FAIL(P, DC_E_MALFORMED, "\\u needs four hex digits");
		v = (v << 4) | (uint32_t)h;
		adv(P);
	}
	*out = v;
	return DC_OK;
}

/* The code point of a \u escape (the cursor is after "\u"), surrogate pairs combined. */
static enum dc_err unicode_escape(struct parser *P, unsigned line, unsigned col, uint32_t *cp)
{
	enum dc_err r = hex4(P, cp);
	if (r != DC_OK)
		return r;
	if (*cp >= 0xDC00 && *cp <= 0xDFFF)
		return fail_at(P, line, col, DC_E_MALFORMED, "unpaired surrogate \\u%04X", *cp);
	if (*cp < 0xD800 || *cp > 0xDBFF)
		return DC_OK;
	if (P->len - P->pos < 2 || P->p[P->pos] != '\\' || P->p[P->pos + 1] != 'u')
		return fail_at(P, line, col, DC_E_MALFORMED, "unpaired surrogate \\u%04X", *cp);
	adv(P);
	adv(P);
	uint32_t lo;
	if ((r = hex4(P, &lo)) != DC_OK)
		return r;
	if (lo < 0xDC00 || lo > 0xDFFF)
		return fail_at(P, line, col, DC_E_MALFORMED, "unpaired surrogate \\u%04X", *cp);
	*cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
	return DC_OK;
}

/* One escape (the cursor is on the backslash); its UTF-8 goes to `dst`. */
static enum dc_err escape(struct parser *P, char *dst, size_t *n)
{
	unsigned line = P->line, col = P->col;
	adv(P);
	if (at_end(P))
		return FAIL(P, DC_E_MALFORMED, "unterminated string");
	unsigned char c = P->p[P->pos];
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k = c ? strchr(from, c) : NULL;
	if (k) {
		adv(P);
		dst[0] = to[k - from];
		*n = 1;
		return DC_OK;
	}
	if (c != 'u') {
		char b[8];
		show_byte(b, c);
		return fail_at(P, line, col, DC_E_MALFORMED, "invalid escape \\%s", b);
	}
	adv(P);
	uint32_t cp;
	enum dc_err r = unicode_escape(P, line, col, &cp);
	if (r == DC_OK)
		*n = dci_utf8_encode(cp, dst);
	return r;
}

/* Bytes from the opening quote (the cursor) to the closing one; 0 when the
 * string never closes. Escapes decode to no more bytes than they take. */
static size_t raw_span(const struct parser *P)
{
	for (size_t i = P->pos + 1; i < P->len; i++) {
		if (P->p[i] == '\\')
			i++;
		else if (P->p[i] == '"')
			return i - P->pos;
	}
	return 0;
}

/* A string (the cursor is on its opening quote), decoded into the arena. */
static enum dc_err string(struct parser *P, const char **out, size_t *out_len)
{
	unsigned line = P->line, col = P->col;
	size_t span = raw_span(P);
	if (span == 0)
		return FAIL(P, DC_E_MALFORMED, "unterminated string");
	char *buf = arena_alloc(P->doc, span + 1);
	if (!buf)
		return DC_E_NOMEM;
	size_t n = 0;
	adv(P);
	while (P->p[P->pos] != '"') {
		unsigned char c = P->p[P->pos];
		size_t k = 0;
		if (c == '\\') {
			enum dc_err r = escape(P, buf + n, &k);
			if (r != DC_OK)
				return r;
		} else if (c < 0x20) {
			return FAIL(P, DC_E_MALFORMED, "control character 0x%02x in a string", c);
		} else if ((k = utf8_seq(P->p + P->pos, P->len - P->pos)) == 0) {
			return FAIL(P, DC_E_MALFORMED, "invalid UTF-8 byte 0x%02x", c);
		} else {
			memcpy(buf + n, P->p + P->pos, k);
			for (size_t i = 0; i < k; i++)
				adv(P);
		}
		n += k;
		if (n > P->lim.max_string_bytes)
			return fail_at(P, line, col, DC_E_LIMIT, "string longer than %zu bytes",
				       P->lim.max_string_bytes);
	}
	adv(P);
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return DC_OK;
}

static bool is_digit(const struct parser *P)
{
	return !at_end(P) && P->p[P->pos] >= '0' && P->p[P->pos] <= '9';
}

/* Digits at the cursor, accumulated into `*mag` while it fits; `*big` when it did not. */
static void digits(struct parser *P, uint64_t *mag, bool *big)
{
	while (is_digit(P)) {
		unsigned d = P->p[P->pos] - '0';
		if (*mag > (UINT64_MAX - d) / 10)
			*big = true;
		else
			*mag = *mag * 10 + d;
		adv(P);
	}
}

static enum dc_err number(struct parser *P)
{
	unsigned line = P->line, col = P->col;
	size_t start = P->pos;
	uint64_t mag = 0;
	bool neg = false, big = false, frac = false;
	if (P->p[P->pos] == '-') {
		neg = true;
		adv(P);
	}
	if (!is_digit(P))
		return FAIL(P, DC_E_MALFORMED, "a digit must follow '-'");
	if (P->p[P->pos] == '0' && P->pos + 1 < P->len && P->p[P->pos + 1] >= '0' &&
	    P->p[P->pos + 1] <= '9')
		return FAIL(P, DC_E_MALFORMED, "leading zeros are not allowed");
	digits(P, &mag, &big);
	if (!at_end(P) && P->p[P->pos] == '.') {
		adv(P);
		if (!is_digit(P))
			return FAIL(P, DC_E_MALFORMED, "digits must follow '.'");
		uint64_t ignored = 0;
		bool ig = false;
		digits(P, &ignored, &ig);
		frac = true;
	}
	if (!at_end(P) && (P->p[P->pos] == 'e' || P->p[P->pos] == 'E')) {
		adv(P);
		if (!at_end(P) && (P->p[P->pos] == '+' || P->p[P->pos] == '-'))
			adv(P);
		if (!is_digit(P))
			return FAIL(P, DC_E_MALFORMED, "digits must follow the exponent");
		uint64_t ignored = 0;
		bool ig = false;
		digits(P, &ignored, &ig);
		frac = true;
	}
	bool exact = !frac && !big && (!neg || mag <= (uint64_t)INT64_MAX + 1);
	struct dc_json_value *v;
	enum dc_err r = new_node(P, exact ? DC_JSON_INT : DC_JSON_NUMBER, line, col, &v);
	if (r != DC_OK)
		return r;
	size_t n = P->pos - start;
	char *text = arena_alloc(P->doc, n + 1);
	if (!text)
		return DC_E_NOMEM;
	memcpy(text, P->p + start, n);
	text[n] = '\0';
	v->s = text;
	v->slen = n;
	v->mag = mag;
	v->neg = neg && mag != 0;
	return DC_OK;
}

static enum dc_err literal(struct parser *P)
{
	static const struct {
		const char *word;
		enum dc_json_type type;
		bool b;
	} words[] = { { "true", DC_JSON_BOOL, true },
		      { "false", DC_JSON_BOOL, false },
		      { "null", DC_JSON_NULL, false } };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].word);
		if (P->len - P->pos < n || memcmp(P->p + P->pos, words[i].word, n) != 0)
			continue;
		struct dc_json_value *v;
		enum dc_err r = new_node(P, words[i].type, P->line, P->col, &v);
		if (r != DC_OK)
			return r;
		v->b = words[i].b;
		for (size_t k = 0; k < n; k++)
			adv(P);
		return DC_OK;
	}
	char b[8];
	show_byte(b, P->p[P->pos]);
	return FAIL(P, DC_E_MALFORMED, "unexpected %s, a value was expected", b);
}

/* ---------------------------------------------------------------- containers */

static enum dc_err open_container(struct parser *P, enum dc_json_type type)
{
	if (P->nframes >= P->lim.max_depth)
		return FAIL(P, DC_E_LIMIT, "nesting deeper than %zu", P->lim.max_depth);
	struct dc_json_value *v;
	enum dc_err r = new_node(P, type, P->line, P->col, &v);
	if (r != DC_OK)
		return r;
	if (!grow((void **)&P->frames, &P->cap_frames, P->nframes + 1, sizeof(*P->frames)))
		return DC_E_NOMEM;
	P->frames[P->nframes++] = (struct frame){ v, P->nwork, NULL, 0 };
	adv(P);
	return DC_OK;
}

static int key_cmp(const void *a, const void *b)
{
	const struct dc_json_value *x = *(const struct dc_json_value *const *)a;
	const struct dc_json_value *y = *(const struct dc_json_value *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	/* equal keys: document order, so the later one is reported */
	return x->line != y->line ? (x->line < y->line ? -1 : 1)
	       : x->column < y->column ? -1 : x->column > y->column;
}

/* Duplicate keys, found by sorting a copy: O(n log n) for hostile objects. */
static enum dc_err check_duplicates(struct parser *P, struct dc_json_value **items, size_t n)
{
	if (n < 2)
		return DC_OK;
	struct dc_json_value **s = malloc(n * sizeof(*s));
	if (!s)
		return DC_E_NOMEM;
	memcpy(s, items, n * sizeof(*s));
	qsort(s, n, sizeof(*s), key_cmp);
	enum dc_err r = DC_OK;
	for (size_t i = 1; i < n && r == DC_OK; i++) {
		if (s[i]->key_len != s[i - 1]->key_len ||
		    memcmp(s[i]->key, s[i - 1]->key, s[i]->key_len) != 0)
			continue;
		char k[48];
		quote_key(k, sizeof(k), s[i]->key, s[i]->key_len);
		r = fail_at(P, s[i]->line, s[i]->column, DC_E_MALFORMED, "duplicate key '%s'", k);
	}
	free(s);
	return r;
}

static enum dc_err close_container(struct parser *P)
{
	struct frame *f = &P->frames[P->nframes - 1];
	size_t n = P->nwork - f->start;
	adv(P);
	if (n) {
		f->node->items = arena_alloc(P->doc, n * sizeof(*f->node->items));
		if (!f->node->items)
			return DC_E_NOMEM;
		memcpy(f->node->items, P->work + f->start, n * sizeof(*f->node->items));
	}
	f->node->n = n;
	P->nwork = f->start;
	P->nframes--;
	return f->node->type == DC_JSON_OBJECT ? check_duplicates(P, f->node->items, n) : DC_OK;
}

/* A member key and its ':' (the cursor is where the key must start). */
static enum dc_err member_key(struct parser *P)
{
	struct frame *f = &P->frames[P->nframes - 1];
	skip_ws(P);
	if (at_end(P))
		return FAIL(P, DC_E_MALFORMED, "unexpected end of input, a key was expected");
	if (P->p[P->pos] != '"') {
		char b[8];
		show_byte(b, P->p[P->pos]);
		return FAIL(P, DC_E_MALFORMED, "unexpected %s, a key was expected", b);
	}
	unsigned line = P->line, col = P->col;
	enum dc_err r = string(P, &f->key, &f->key_len);
	if (r != DC_OK)
		return r;
	if (memchr(f->key, '\0', f->key_len))
		return fail_at(P, line, col, DC_E_MALFORMED, "keys may not contain U+0000");
	skip_ws(P);
	if (at_end(P) || P->p[P->pos] != ':')
		return FAIL(P, DC_E_MALFORMED, "':' expected after a key");
	adv(P);
	return DC_OK;
}

/* ---------------------------------------------------------------- driver */

/* A value at the cursor; *opened tells that it opened a container. */
static enum dc_err value(struct parser *P, bool *opened)
{
	*opened = false;
	skip_ws(P);
	if (at_end(P))
		return FAIL(P, DC_E_MALFORMED, "unexpected end of input, a value was expected");
	unsigned char c = P->p[P->pos];
	if (c == '{' || c == '[') {
		enum dc_err r = open_container(P, c == '{' ? DC_JSON_OBJECT : DC_JSON_ARRAY);
		*opened = r == DC_OK;
		return r;
	}
	if (c == '"') {
		struct dc_json_value *v;
		unsigned line = P->line, col = P->col;
		const char *s;
		size_t n;
		enum dc_err r = string(P, &s, &n);
		if (r == DC_OK && (r = new_node(P, DC_JSON_STRING, line, col, &v)) == DC_OK) {
			v->s = s;
			v->slen = n;
		}
		return r;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(P);
	return literal(P);
}

/* After "[" or "{": the container may close at once. */
static enum dc_err after_open(struct parser *P, bool *need_value)
{
	struct frame *f = &P->frames[P->nframes - 1];
	char close = f->node->type == DC_JSON_OBJECT ? '}' : ']';
	skip_ws(P);
	if (!at_end(P) && P->p[P->pos] == close) {
		*need_value = false;
		return close_container(P);
	}
	*need_value = true;
	return f->node->type == DC_JSON_OBJECT ? member_key(P) : DC_OK;
}

/* After a complete value inside a container: ',' or the closing bracket. */
static enum dc_err after_value(struct parser *P, bool *need_value)
{
	struct frame *f = &P->frames[P->nframes - 1];
	bool obj = f->node->type == DC_JSON_OBJECT;
	skip_ws(P);
	if (at_end(P))
		return FAIL(P, DC_E_MALFORMED, "unexpected end of input, '%c' expected",
			    obj ? '}' : ']');
	unsigned char c = P->p[P->pos];
	if (c == ',') {
		adv(P);
		*need_value = true;
		return obj ? member_key(P) : DC_OK;
	}
	if (c == (obj ? '}' : ']')) {
		*need_value = false;
		return close_container(P);
	}
	char b[8];
	show_byte(b, c);
	return FAIL(P, DC_E_MALFORMED, "unexpected %s, ',' or '%c' expected", b, obj ? '}' : ']');
}

static enum dc_err run(struct parser *P)
{
	bool need_value = true;
	if (P->len >= 3 && memcmp(P->p, "\xEF\xBB\xBF", 3) == 0)
		P->pos = 3;
	do {
		enum dc_err r;
		if (need_value) {
			bool opened;
			r = value(P, &opened);
			if (r == DC_OK && opened)
				r = after_open(P, &need_value);
			else
				need_value = false;
		} else {
			r = after_value(P, &need_value);
		}
		if (r != DC_OK)
			return r;
	} while (P->nframes > 0);
	skip_ws(P);
	if (!at_end(P))
		return FAIL(P, DC_E_MALFORMED, "unexpected data after the value");
	return DC_OK;
}

struct dc_json_limits dc_json_limits_default(void)
{
	struct dc_json_limits l = { 1u << 20, 32, 1u << 16, 1u << 16 };
	return l;
}

enum dc_err dc_json_parse(const char *text, size_t len, const struct dc_json_limits *lim,
			  struct dc_json **out, struct dc_json_error *err)
{
	struct parser P;
	memset(&P, 0, sizeof(P));
	P.err = err;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || (!text && len))
		return fail_at(&P, 0, 0, DC_E_MISUSE, "bad arguments");
	*out = NULL;
	P.lim = lim ? *lim : dc_json_limits_default();
	P.p = (const unsigned char *)(text ? text : "");
	P.len = len;
	P.line = P.col = 1;
	if (len > P.lim.max_bytes)
		return fail_at(&P, 1, 1, DC_E_LIMIT, "input longer than %zu bytes", P.lim.max_bytes);
	P.doc = calloc(1, sizeof(*P.doc));
	if (!P.doc)
		return DC_E_NOMEM;
	enum dc_err r = run(&P);
	if (r == DC_E_NOMEM)
		fail_at(&P, P.line, P.col, r, "out of memory");
	free(P.frames);
	free(P.work);
	if (r != DC_OK) {
		dc_json_free(P.doc);
		return r;
	}
	*out = P.doc;
	return DC_OK;
}

/* ---------------------------------------------------------------- access */

const struct dc_json_value *dc_json_root(const struct dc_json *doc)
{
	return doc ? doc->root : NULL;
}

enum dc_json_type dc_json_type_of(const struct dc_json_value *v)
{
	return v ? v->type : DC_JSON_NONE;
}

const struct dc_json_value *dc_json_get(const struct dc_json_value *obj, const char *key)
{
	if (!obj || obj->type != DC_JSON_OBJECT || !key)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = 0; i < obj->n; i++)
		if (obj->items[i]->key_len == n && memcmp(obj->items[i]->key, key, n) == 0)
			return obj->items[i];
	return NULL;
}

size_t dc_json_len(const struct dc_json_value *v)
{
	return v && (v->type == DC_JSON_OBJECT || v->type == DC_JSON_ARRAY) ? v->n : 0;
}

const struct dc_json_value *dc_json_at(const struct dc_json_value *v, size_t i)
{
	return i < dc_json_len(v) ? v->items[i] : NULL;
}

const char *dc_json_key_at(const struct dc_json_value *obj, size_t i)
{
	if (!obj || obj->type != DC_JSON_OBJECT || i >= obj->n)
		return NULL;
	return obj->items[i]->key;
}

bool dc_json_int(const struct dc_json_value *v, int64_t *out)
{
	if (!v || v->type != DC_JSON_INT)
		return false;
	if (v->neg) {
		*out = v->mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v->mag;
		return true;
	}
	if (v->mag > (uint64_t)INT64_MAX)
		return false;
	*out = (int64_t)v->mag;
	return true;
}

bool dc_json_u64(const struct dc_json_value *v, uint64_t *out)
{
	if (!v || v->type != DC_JSON_INT || v->neg)
		return false;
	*out = v->mag;
	return true;
}

bool dc_json_bool(const struct dc_json_value *v, bool *out)
{
	if (!v || v->type != DC_JSON_BOOL)
		return false;
	*out = v->b;
	return true;
}

bool dc_json_is_null(const struct dc_json_value *v)
{
	return v && v->type == DC_JSON_NULL;
}

bool dc_json_str(const struct dc_json_value *v, const char **s, size_t *len)
{
	if (!v || v->type != DC_JSON_STRING)
		return false;
	*s = v->s;
	if (len)
		*len = v->slen;
	return true;
}

const char *dc_json_num_text(const struct dc_json_value *v)
{
	return v && (v->type == DC_JSON_INT || v->type == DC_JSON_NUMBER) ? v->s : NULL;
}

unsigned dc_json_line(const struct dc_json_value *v)
{
	return v ? v->line : 0;
}

unsigned dc_json_column(const struct dc_json_value *v)
{
	return v ? v->column : 0;
}

void dc_json_free(struct dc_json *doc)
{
	if (!doc)
		return;
	for (struct chunk *c = doc->chunks, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

bool dc_json_u64_or_hex(const struct dc_json_value *v, uint64_t *out)
{
	const char *s;
	size_t n;
	if (dc_json_u64(v, out))
		return true;
	if (!dc_json_str(v, &s, &n) || n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	uint64_t x = 0;
	for (size_t i = 2; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;
		if (d == 16)
			return false;
		x = x << 4 | d;
	}
	*out = x;
	return true;
}

static bool blank_line(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* One line: parsed under the line limit, then handed to fn. */
static enum dc_err jsonl_line(const char *s, size_t n, size_t max_line, dc_jsonl_fn fn, void *ctx,
			      unsigned line, char *msg, size_t msg_len)
{
	struct dc_json_limits jl = dc_json_limits_default();
	struct dc_json_error je;
	struct dc_json *doc;
	if (n > max_line) {
		snprintf(msg, msg_len, "a record longer than %zu bytes", max_line);
		return DC_E_LIMIT;
	}
	jl.max_bytes = max_line;
	enum dc_err r = dc_json_parse(s, n, &jl, &doc, &je);
	if (r != DC_OK) {
		const char *why = strchr(je.message, ' ') ? strchr(je.message, ' ') + 1 : je.message;
		snprintf(msg, msg_len, "column %u: %s", je.column, why);
		return r;
	}
	r = fn(ctx, line, dc_json_root(doc));
	dc_json_free(doc);
	return r;
}

enum dc_err dc_jsonl_each(const char *text, size_t len, size_t max_line, dc_jsonl_fn fn,
			  void *ctx, unsigned *line, char *msg, size_t msg_len)
{
	enum dc_err r = DC_OK;
	*line = 0;
	if (msg_len)
		msg[0] = '\0';
	for (size_t pos = 0; pos < len && r == DC_OK;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		++*line;
		if (!blank_line(text + pos, n))
			r = jsonl_line(text + pos, n, max_line, fn, ctx, *line, msg, msg_len);
		pos += n + 1;
	}
	return r;
}
