/* The TOML parser (grammar and TOML 1.0's redefinition rules) and the value
 * tree of dumpcheck/toml.h. Tokens come from toml_lex.c.
 *
 * Keys are parsed one dotted component at a time, and each component is
 * resolved as soon as it is read, so no key path is ever stored. Every value
 * is counted against max_nodes and every table or array against max_depth
 * before it exists; recursion (arrays, inline tables) is bounded by
 * max_depth, and every table keeps a balanced tree of its keys so that hostile
 * key counts stay O(n log n). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml_lex.h"

#define NIL UINT32_MAX

/* Key tree indices are 32-bit, and entry arrays (cap * 40 bytes) must fit
 * size_t on 32-bit hosts too: max_nodes is clamped to both. */
#define NODES_CAP \
	((size_t)UINT32_MAX - 1 < SIZE_MAX / 256 ? (size_t)UINT32_MAX - 1 : SIZE_MAX / 256)

/* How a table or array came to be: TOML's redefinition rules depend on it. */
enum origin {
	O_IMPLICIT, /* table only named on the way to a deeper [header] */
	O_HEADER,   /* table defined by [header], or an element of [[header]] */
	O_DOTTED,   /* table made by dotted keys in table section `section` */
	O_INLINE,   /* inline table: closed once written */
	O_STATIC,   /* array written as a value: closed once written */
	O_AOT       /* array made by [[header]]: takes more elements */
};

struct entry {
	char *key; /* NULL in arrays */
	size_t klen;
	struct dc_toml_value *v;
	uint32_t left, right; /* the table's key tree (left-leaning red-black) */
	bool red;
};

struct dc_toml_value {
	struct dc_toml_value *next; /* every value, so that freeing needs no recursion */
	struct entry *ents;         /* tables and arrays, in insertion order */
	size_t len, cap;
	uint32_t root;  /* tables: the key tree's root in ents */
	size_t section; /* O_DOTTED tables: the section that made them */
	char *str;      /* strings: NUL-terminated, may hold NUL */
	size_t slen;
	uint64_t mag; /* integers: magnitude */
	bool neg;     /* integers: the value is -mag */
	bool b;
	unsigned char type, origin;
	unsigned depth; /* tables and arrays above this one */
	unsigned line;
};

struct dc_toml {
	struct dc_toml_value *root;
	struct dc_toml_value *all; /* linked through ->next */
};

struct parser {
	struct dci_tlex lx;
	struct dc_toml *doc;
	size_t nodes, max_nodes, max_depth;
	size_t section, sections;  /* the current table section; sections opened so far */
	struct dc_toml_value *cur; /* the table key/value lines go to */
};

/* Where the key being resolved is: the whole dotted key from `start`, the
 * current component at [off, end). */
struct keypos {
	size_t start, off, end;
};

/* ---------------------------------------------------------------- nodes */

static struct dc_toml_value *new_value(struct parser *p, enum dc_toml_type type, size_t depth,
				       size_t off)
{
	struct dc_toml_value *v;
	if (p->nodes >= p->max_nodes) {
		dci_tlex_fail(&p->lx, off, DC_E_LIMIT, "more than max_nodes (%zu) values",
			      p->max_nodes);
		return NULL;
	}
	if ((type == DC_TOML_TABLE || type == DC_TOML_ARRAY) && depth > p->max_depth) {
		dci_tlex_fail(&p->lx, off, DC_E_LIMIT, "nesting deeper than max_depth (%zu)",
			      p->max_depth);
		return NULL;
	}
	if (!(v = calloc(1, sizeof(*v)))) {
		dci_tlex_fail(&p->lx, off, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	v->type = (unsigned char)type;
	v->depth = (unsigned)depth;
	v->line = p->lx.line;
	v->root = NIL;
	v->next = p->doc->all;
	p->doc->all = v;
	p->nodes++;
	return v;
}

/* A heap copy of the lexer's last string or key. */
static char *copy_buf(struct parser *p)
{
	char *s = malloc(p->lx.len + 1);
	if (!s) {
		dci_tlex_fail(&p->lx, p->lx.tok, DC_E_NOMEM, "out of memory");
		return NULL;
	}
	if (p->lx.len)
		memcpy(s, p->lx.buf, p->lx.len);
	s[p->lx.len] = '\0';
	return s;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = alen && blen ? memcmp(a, b, alen < blen ? alen : blen) : 0;
	return c ? c : (alen > blen) - (alen < blen);
}

/* ---------------------------------------------------------------- key tree */

static bool is_red(const struct dc_toml_value *t, uint32_t h)
{
	return h != NIL && t->ents[h].red;
}

static uint32_t rotate_left(struct dc_toml_value *t, uint32_t h)
{
	struct entry *e = t->ents;
	uint32_t x = e[h].right;
	e[h].right = e[x].left;
	e[x].left = h;
	e[x].red = e[h].red;
	e[h].red = true;
	return x;
}

static uint32_t rotate_right(struct dc_toml_value *t, uint32_t h)
{
	struct entry *e = t->ents;
	uint32_t x = e[h].left;
	e[h].left = e[x].right;
	e[x].right = h;
	e[x].red = e[h].red;
	e[h].red = true;
	return x;
}

/* Insert entry `nu` below `h` (Sedgewick's 2-3 left-leaning red-black
 * tree): the recursion is at most 2·log2(entries) deep. */
static uint32_t tree_put(struct dc_toml_value *t, uint32_t h, uint32_t nu)
{
	struct entry *e = t->ents;
	if (h == NIL)
		return nu;
	if (key_cmp(e[nu].key, e[nu].klen, e[h].key, e[h].klen) < 0)
		e[h].left = tree_put(t, e[h].left, nu);
	else
		e[h].right = tree_put(t, e[h].right, nu);
	if (is_red(t, e[h].right) && !is_red(t, e[h].left))
		h = rotate_left(t, h);
	if (is_red(t, e[h].left) && is_red(t, e[e[h].left].left))
		h = rotate_right(t, h);
	if (is_red(t, e[h].left) && is_red(t, e[h].right)) {
		e[h].red = !e[h].red;
		e[e[h].left].red = !e[e[h].left].red;
		e[e[h].right].red = !e[e[h].right].red;
	}
	return h;
}

static struct dc_toml_value *find(const struct dc_toml_value *t, const char *key, size_t klen)
{
	uint32_t h = t->root;
	while (h != NIL) {
		const struct entry *e = &t->ents[h];
		int c = key_cmp(key, klen, e->key, e->klen);
		if (c == 0)
			return e->v;
		h = c < 0 ? e->left : e->right;
	}
	return NULL;
}

/* Add `v` to container `c` under `key` (taken over; NULL for arrays). */
static enum dc_err append(struct parser *p, struct dc_toml_value *c, char *key, size_t klen,
			  struct dc_toml_value *v)
{
	if (c->len == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct entry *grown = realloc(c->ents, cap * sizeof(*grown));
		if (!grown) {
			free(key);
			return dci_tlex_fail(&p->lx, p->lx.i, DC_E_NOMEM, "out of memory");
		}
		c->ents = grown;
		c->cap = cap;
	}
	uint32_t idx = (uint32_t)c->len;
	c->ents[c->len++] = (struct entry){ key, klen, v, NIL, NIL, true };
	if (key) {
		c->root = tree_put(c, c->root, idx);
		c->ents[c->root].red = false;
	}
	return DC_OK;
}

/* ---------------------------------------------------------------- keys */

static const char *key_name(struct parser *p, const struct keypos *kp, char show[DCI_TSHOW])
{
	return dci_tlex_show(show, p->lx.s + kp->start, kp->end - kp->start);
}

static const char *kind(const struct dc_toml_value *v)
{
	switch (v->type) {
	case DC_TOML_TABLE: return v->origin == O_INLINE ? "an inline table" : "a table";
	case DC_TOML_ARRAY: return v->origin == O_AOT ? "an array of tables" : "an array";
	case DC_TOML_STRING: return "a string";
	case DC_TOML_INT: return "an integer";
	default: return "a boolean";
	}
}

/* The failure for a key whose value is in the way; always NULL. */
static struct dc_toml_value *already(struct parser *p, const struct dc_toml_value *v,
				     const struct keypos *kp)
{
	char show[DCI_TSHOW];
	dci_tlex_fail(&p->lx, kp->start, DC_E_MALFORMED, "'%s' is already defined as %s",
		      key_name(p, kp, show), kind(v));
	return NULL;
}

/* Read one key component, then the whitespace after it. */
static enum dc_err key_part(struct parser *p, struct keypos *kp)
{
	struct dci_tlex *lx = &p->lx;
	kp->off = lx->i;
	enum dc_err r = dci_tlex_key(lx);
	if (r != DC_OK)
		return r;
	kp->end = lx->i;
	/* Callers look keys up as C strings: an embedded NUL would alias. */
	if (lx->len && memchr(lx->buf, '\0', lx->len))
		return dci_tlex_fail(lx, kp->off, DC_E_MALFORMED, "keys cannot contain U+0000");
	dci_tlex_ws(lx);
	return DC_OK;
}

/* A new table named by the current key component in `parent`. */
static struct dc_toml_value *new_table(struct parser *p, struct dc_toml_value *parent,
				       enum origin origin, const struct keypos *kp)
{
	struct dc_toml_value *v = new_value(p, DC_TOML_TABLE, parent->depth + 1, kp->off);
	char *key = v ? copy_buf(p) : NULL;
	if (!key || append(p, parent, key, p->lx.len, v) != DC_OK)
		return NULL;
	v->origin = (unsigned char)origin;
	v->section = p->section;
	return v;
}

/* ---------------------------------------------------------------- headers */

/* A component before the last of a [header] or [[header]]: any table but an
 * inline one, or the last element of an array of tables. */
static struct dc_toml_value *header_step(struct parser *p, struct dc_toml_value *t,
					 const struct keypos *kp)
{
	struct dc_toml_value *v = find(t, p->lx.buf, p->lx.len);
	if (!v)
		return new_table(p, t, O_IMPLICIT, kp);
	if (v->type == DC_TOML_ARRAY && v->origin == O_AOT)
		return v->ents[v->len - 1].v;
	if (v->type == DC_TOML_TABLE && v->origin != O_INLINE)
		return v;
	return already(p, v, kp);
}

/* The last component of [header]: a new table, or one only implied so far. */
static struct dc_toml_value *header_table(struct parser *p, struct dc_toml_value *t,
					  const struct keypos *kp)
{
	char show[DCI_TSHOW];
	struct dc_toml_value *v = find(t, p->lx.buf, p->lx.len);
	if (!v)
		return new_table(p, t, O_HEADER, kp);
	if (v->type == DC_TOML_TABLE && v->origin == O_IMPLICIT) {
		v->origin = O_HEADER;
		v->line = p->lx.line;
		return v;
	}
	if (v->type == DC_TOML_TABLE && v->origin == O_HEADER)
		dci_tlex_fail(&p->lx, kp->start, DC_E_MALFORMED, "table '%s' is already defined",
			      key_name(p, kp, show));
	else if (v->type == DC_TOML_TABLE && v->origin == O_DOTTED)
		dci_tlex_fail(&p->lx, kp->start, DC_E_MALFORMED,
			      "table '%s' is already defined by dotted keys",
			      key_name(p, kp, show));
	else
		already(p, v, kp);
	return NULL;
}

/* The last component of [[header]]: a new element of an array of tables. */
static struct dc_toml_value *header_aot(struct parser *p, struct dc_toml_value *t,
					const struct keypos *kp)
{
	struct dc_toml_value *v = find(t, p->lx.buf, p->lx.len), *elem;
	if (!v) {
		char *key;
		if (!(v = new_value(p, DC_TOML_ARRAY, t->depth + 1, kp->off)) ||
		    !(key = copy_buf(p)) || append(p, t, key, p->lx.len, v) != DC_OK)
			return NULL;
		v->origin = O_AOT;
	} else if (v->type != DC_TOML_ARRAY || v->origin != O_AOT) {
		return already(p, v, kp);
	}
	if (!(elem = new_value(p, DC_TOML_TABLE, v->depth + 1, kp->off)) ||
	    append(p, v, NULL, 0, elem) != DC_OK)
		return NULL;
	elem->origin = O_HEADER;
	return elem;
}

/* [a.b] or [[a.b]]: opens a new table section. */
static enum dc_err header(struct parser *p)
{
	struct dci_tlex *lx = &p->lx;
	bool aot = dci_tlex_peek(lx, 1) == '[';
	struct dc_toml_value *t = p->doc->root;
	struct keypos kp;
	lx->i += aot ? 2 : 1;
	dci_tlex_ws(lx);
	kp.start = lx->i;
	for (;;) {
		enum dc_err r = key_part(p, &kp);
		if (r != DC_OK)
			return r;
		if (dci_tlex_peek(lx, 0) != '.')
			break;
		if (!(t = header_step(p, t, &kp)))
			return lx->status;
		lx->i++;
		dci_tlex_ws(lx);
	}
	if (!(t = aot ? header_aot(p, t, &kp) : header_table(p, t, &kp)))
		return lx->status;
	if (dci_tlex_peek(lx, 0) != ']' || (aot && dci_tlex_peek(lx, 1) != ']'))
		return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED, "expected '%s' after the %s name",
				     aot ? "]]" : "]", aot ? "array-of-tables" : "table");
	lx->i += aot ? 2 : 1;
	p->cur = t;
	p->section = ++p->sections;
	return DC_OK;
}

/* ---------------------------------------------------------------- key/value */

/* A component before the last of a dotted key: a table this section made
 * with dotted keys, or one only implied so far. */
static struct dc_toml_value *dotted_step(struct parser *p, struct dc_toml_value *t,
					 const struct keypos *kp)
{
	char show[DCI_TSHOW];
	struct dc_toml_value *v = find(t, p->lx.buf, p->lx.len);
	if (!v)
		return new_table(p, t, O_DOTTED, kp);
	if (v->type != DC_TOML_TABLE || v->origin == O_INLINE)
		return already(p, v, kp);
	if (v->origin == O_IMPLICIT) {
		v->origin = O_DOTTED;
		v->section = p->section;
	}
	if (v->origin == O_DOTTED && v->section == p->section)
		return v;
	dci_tlex_fail(&p->lx, kp->start, DC_E_MALFORMED,
		      v->origin == O_HEADER
			      ? "table '%s' has a [header]: it takes no dotted keys from elsewhere"
			      : "table '%s' was made by dotted keys in another table section",
		      key_name(p, kp, show));
	return NULL;
}

static struct dc_toml_value *value(struct parser *p, size_t depth);

/* key = value, into table `t`. */
static enum dc_err keyval(struct parser *p, struct dc_toml_value *t)
{
	struct dci_tlex *lx = &p->lx;
	struct keypos kp = { .start = lx->i };
	char show[DCI_TSHOW];
	for (;;) {
		enum dc_err r = key_part(p, &kp);
		if (r != DC_OK)
			return r;
		if (dci_tlex_peek(lx, 0) != '.')
			break;
		if (!(t = dotted_step(p, t, &kp)))
			return lx->status;
		lx->i++;
		dci_tlex_ws(lx);
	}
	if (find(t, lx->buf, lx->len))
		return dci_tlex_fail(lx, kp.start, DC_E_MALFORMED, "duplicate key '%s'",
				     key_name(p, &kp, show));
	if (dci_tlex_peek(lx, 0) != '=')
		return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED, "expected '=' after a key");
	lx->i++;
	dci_tlex_ws(lx);
	size_t klen = lx->len;
	char *key = copy_buf(p);
	struct dc_toml_value *v = key ? value(p, t->depth + 1) : NULL;
	if (!v) {
		free(key);
		return lx->status;
	}
	return append(p, t, key, klen, v);
}

/* ---------------------------------------------------------------- values */

static struct dc_toml_value *string_value(struct parser *p, size_t depth)
{
	struct dc_toml_value *v = new_value(p, DC_TOML_STRING, depth, p->lx.i);
	if (!v || dci_tlex_string(&p->lx) != DC_OK || !(v->str = copy_buf(p)))
		return NULL;
	v->slen = p->lx.len;
	return v;
}

static struct dc_toml_value *scalar_value(struct parser *p, size_t depth)
{
	struct dci_tscalar sc;
	size_t off = p->lx.i;
	if (dci_tlex_scalar(&p->lx, &sc) != DC_OK)
		return NULL;
	struct dc_toml_value *v =
		new_value(p, sc.is_bool ? DC_TOML_BOOL : DC_TOML_INT, depth, off);
	if (v) {
		v->b = sc.b;
		v->neg = sc.neg;
		v->mag = sc.mag;
	}
	return v;
}

/* [ a, b, ] with newlines and comments anywhere between elements. */
static struct dc_toml_value *array(struct parser *p, size_t depth)
{
	struct dci_tlex *lx = &p->lx;
	size_t open = lx->i;
	struct dc_toml_value *v = new_value(p, DC_TOML_ARRAY, depth, open), *elem;
	if (!v)
		return NULL;
	v->origin = O_STATIC;
	lx->i++;
	for (;;) {
		dci_tlex_blank(lx);
		if (dci_tlex_peek(lx, 0) == ']')
			break;
		if (dci_tlex_peek(lx, 0) < 0)
			goto unterminated;
		if (!(elem = value(p, depth + 1)) || append(p, v, NULL, 0, elem) != DC_OK)
			return NULL;
		dci_tlex_blank(lx);
		if (dci_tlex_peek(lx, 0) == ']')
			break;
		if (dci_tlex_peek(lx, 0) < 0)
			goto unterminated;
		if (dci_tlex_peek(lx, 0) != ',') {
			dci_tlex_fail(lx, lx->i, DC_E_MALFORMED,
				      "expected ',' or ']' after an array element");
			return NULL;
		}
		lx->i++;
	}
	lx->i++;
	return v;
unterminated:
	dci_tlex_fail(lx, open, DC_E_MALFORMED, "unterminated array");
	return NULL;
}

/* The entries of { a = 1, b.c = 2 }: one line, no trailing comma. */
static enum dc_err inline_body(struct parser *p, struct dc_toml_value *t, size_t open)
{
	struct dci_tlex *lx = &p->lx;
	for (bool entry = true;; entry = !entry) {
		dci_tlex_ws(lx);
		int c = dci_tlex_peek(lx, 0);
		enum dc_err r = DC_OK;
		if (c < 0)
			return dci_tlex_fail(lx, open, DC_E_MALFORMED, "unterminated inline table");
		if (c == '\n' || c == '\r')
			return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED,
					     "newlines are not allowed in inline tables");
		if (entry && c == '}')
			return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED,
					     "trailing comma in an inline table");
		if (entry)
			r = keyval(p, t);
		else if (c == '}' || c == ',')
			lx->i++;
		else
			r = dci_tlex_fail(lx, lx->i, DC_E_MALFORMED,
					  "expected ',' or '}' after an inline table entry");
		if (r != DC_OK || (!entry && c == '}'))
			return r;
	}
}

/* { ... }: its own table section, so that dotted keys inside stay inside. */
static struct dc_toml_value *inline_table(struct parser *p, size_t depth)
{
	struct dci_tlex *lx = &p->lx;
	size_t open = lx->i, outer = p->section;
	struct dc_toml_value *v = new_value(p, DC_TOML_TABLE, depth, open);
	enum dc_err r = DC_OK;
	if (!v)
		return NULL;
	v->origin = O_INLINE;
	lx->i++;
	dci_tlex_ws(lx);
	p->section = ++p->sections;
	if (dci_tlex_peek(lx, 0) == '}')
		lx->i++;
	else
		r = inline_body(p, v, open);
	p->section = outer;
	return r == DC_OK ? v : NULL;
}

/* Any value; `depth` is what a table or array here would have. */
static struct dc_toml_value *value(struct parser *p, size_t depth)
{
	switch (dci_tlex_peek(&p->lx, 0)) {
	case '"':
	case '\'': return string_value(p, depth);
	case '[': return array(p, depth);
	case '{': return inline_table(p, depth);
	default: return scalar_value(p, depth);
	}
}

/* ---------------------------------------------------------------- document */

/* After a key/value line or a header: a comment at most, then a newline. */
static enum dc_err end_of_line(struct parser *p, const char *after)
{
	struct dci_tlex *lx = &p->lx;
	dci_tlex_ws(lx);
	dci_tlex_comment(lx);
	if (dci_tlex_peek(lx, 0) < 0 || dci_tlex_at_newline(lx))
		return DC_OK;
	return dci_tlex_fail(lx, lx->i, DC_E_MALFORMED, "expected a newline after %s", after);
}

static enum dc_err document(struct parser *p)
{
	struct dci_tlex *lx = &p->lx;
	for (;;) {
		dci_tlex_ws(lx);
		dci_tlex_comment(lx);
		int c = dci_tlex_peek(lx, 0);
		if (c < 0)
			return DC_OK;
		if (c == '\n' || c == '\r') {
			dci_tlex_newline(lx);
			continue;
		}
		enum dc_err r = c == '[' ? header(p) : keyval(p, p->cur);
		if (r == DC_OK)
			r = end_of_line(p, c == '[' ? "a table header" : "a value");
		if (r != DC_OK)
			return r;
	}
}

/* ---------------------------------------------------------------- API */

struct dc_toml_limits dc_toml_limits_default(void)
{
	struct dc_toml_limits l = {
		.max_bytes = 8u << 20,
		.max_depth = 64,
		.max_nodes = 1u << 18,
		.max_string_bytes = 1u << 20,
	};
	return l;
}

/* Parse into p->doc, which the caller frees on failure. */
static enum dc_err parse_doc(struct parser *p)
{
	enum dc_err r = dci_tlex_check_text(&p->lx);
	if (r != DC_OK)
		return r;
	struct dc_toml_value *root = new_value(p, DC_TOML_TABLE, 0, p->lx.i);
	if (!root)
		return p->lx.status;
	root->origin = O_HEADER;
	p->doc->root = p->cur = root;
	return document(p);
}

enum dc_err dc_toml_parse(const char *text, size_t len, const struct dc_toml_limits *lim,
			  struct dc_toml **out, struct dc_toml_error *err)
{
	struct dc_toml_error scratch;
	struct dc_toml_limits l = lim ? *lim : dc_toml_limits_default();
	struct parser p = { 0 };
	if (!err)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (out)
		*out = NULL;
	if (!out || (!text && len)) {
		snprintf(err->message, sizeof(err->message), "0:0: invalid arguments");
		return DC_E_MISUSE;
	}
	p.lx = (struct dci_tlex){ .s = text, .n = len, .line = 1,
				  .max_string = l.max_string_bytes, .err = err };
	if (len > l.max_bytes)
		return dci_tlex_fail(&p.lx, 0, DC_E_LIMIT,
				     "input is %zu bytes, more than max_bytes (%zu)", len,
				     l.max_bytes);
	p.max_depth = l.max_depth < DC_TOML_DEPTH_CAP ? l.max_depth : DC_TOML_DEPTH_CAP;
	p.max_nodes = l.max_nodes < NODES_CAP ? l.max_nodes : NODES_CAP;
	if (!(p.doc = calloc(1, sizeof(*p.doc))))
		return dci_tlex_fail(&p.lx, 0, DC_E_NOMEM, "out of memory");
	enum dc_err r = parse_doc(&p);
	free(p.lx.buf);
	if (r != DC_OK) {
		dc_toml_free(p.doc);
		return r;
	}
	*out = p.doc;
	return DC_OK;
}

const struct dc_toml_value *dc_toml_root(const struct dc_toml *doc)
{
	return doc ? doc->root : NULL;
}

enum dc_toml_type dc_toml_type_of(const struct dc_toml_value *v)
{
	return v ? (enum dc_toml_type)v->type : DC_TOML_NONE;
}

const struct dc_toml_value *dc_toml_get(const struct dc_toml_value *table, const char *key)
{
	if (!table || table->type != DC_TOML_TABLE || !key)
		return NULL;
	return find(table, key, strlen(key));
}

const struct dc_toml_value *dc_toml_path(const struct dc_toml_value *table, const char *dotted)
{
	while (dotted && table && table->type == DC_TOML_TABLE) {
		const char *dot = strchr(dotted, '.');
		size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
		if (len == 0)
			return NULL;
		table = find(table, dotted, len);
		if (!dot)
			return table;
		dotted = dot + 1;
	}
	return NULL;
}

size_t dc_toml_len(const struct dc_toml_value *v)
{
	return v && (v->type == DC_TOML_TABLE || v->type == DC_TOML_ARRAY) ? v->len : 0;
}

const struct dc_toml_value *dc_toml_at(const struct dc_toml_value *array_or_table, size_t i)
{
	return i < dc_toml_len(array_or_table) ? array_or_table->ents[i].v : NULL;
}

const char *dc_toml_key_at(const struct dc_toml_value *table, size_t i)
{
	if (!table || table->type != DC_TOML_TABLE || i >= table->len)
		return NULL;
	return table->ents[i].key;
}

bool dc_toml_int(const struct dc_toml_value *v, int64_t *out)
{
	if (!v || v->type != DC_TOML_INT || (!v->neg && v->mag > INT64_MAX))
		return false;
	if (out)
		*out = !v->neg ? (int64_t)v->mag
		       : v->mag > INT64_MAX ? INT64_MIN : -(int64_t)v->mag;
	return true;
}

bool dc_toml_u64(const struct dc_toml_value *v, uint64_t *out)
{
	if (!v || v->type != DC_TOML_INT || v->neg)
		return false;
	if (out)
		*out = v->mag;
	return true;
}

bool dc_toml_bool(const struct dc_toml_value *v, bool *out)
{
	if (!v || v->type != DC_TOML_BOOL)
		return false;
	if (out)
		*out = v->b;
	return true;
}

bool dc_toml_str(const struct dc_toml_value *v, const char **s, size_t *len)
{
	if (!v || v->type != DC_TOML_STRING)
		return false;
	if (s)
		*s = v->str;
	if (len)
		*len = v->slen;
	return true;
}

unsigned dc_toml_line(const struct dc_toml_value *v)
{
	return v ? v->line : 0;
}

void dc_toml_free(struct dc_toml *doc)
{
	if (!doc)
		return;
	for (struct dc_toml_value *v = doc->all, *next; v; v = next) {
		next = v->next;
		for (size_t k = 0; k < v->len; k++)
			free(v->ents[k].key);
		free(v->ents);
		free(v->str);
		free(v);
	}
	free(doc);
}
