/* fuzz_toml: the TOML parser of scenario and case files, under small limits
 * and then the defaults. Oracles: no crash/UB/leak (sanitizers); on success
 * every reachable value reads back consistently and the walk stays within
 * max_nodes and max_depth; parsing twice gives the same canonical form (or
 * error); the larger defaults agree unless the small limits were what failed. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/toml.h"
#include "fuzz_common.h"

/* Small enough that fuzz inputs (4 KiB by default) reach every limit. */
static const struct dc_toml_limits small = {
	.max_bytes = 2048, .max_depth = 6, .max_nodes = 64, .max_string_bytes = 64,
};

/* Canonical serialisation of a document (or its error), and the walk's budget. */
struct canon {
	char *p;
	size_t len, cap, nodes;
	unsigned lines; /* lines of the input */
	const struct dc_toml_limits *lim;
};

static void emit(struct canon *c, const void *bytes, size_t n)
{
	if (n > c->cap - c->len) {
		c->cap = c->cap * 2 + n + 64;
		c->p = realloc(c->p, c->cap);
		FUZZ_ASSERT(c->p != NULL);
	}
	memcpy(c->p + c->len, bytes, n);
	c->len += n;
}

/* Shortest-form UTF-8 of Unicode scalar values, as the parser promises. */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		uint32_t cp = s[i];
		k = cp < 0x80 ? 1 : cp < 0xC2 || cp > 0xF4 ? 0 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
		if (k == 0 || n - i < k)
			return false;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (j == 1 ? cp & (0x7Fu >> k) : cp) << 6 | (s[i + j] & 0x3Fu);
		}
		if (cp < (k == 4 ? 0x10000u : k == 3 ? 0x800u : 0) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
	}
	return true;
}

/* Check and serialise `v` and everything below it. */
static void walk(struct canon *c, const struct dc_toml_value *v, size_t depth)
{
	enum dc_toml_type t = dc_toml_type_of(v);
	const char *s = NULL;
	size_t len = dc_toml_len(v);
	int64_t i = 0;
	uint64_t u = 0;
	bool b = false, si = dc_toml_int(v, &i), su = dc_toml_u64(v, &u);
	FUZZ_ASSERT(++c->nodes <= c->lim->max_nodes);
	FUZZ_ASSERT(dc_toml_line(v) >= 1 && dc_toml_line(v) <= c->lines);
	FUZZ_ASSERT(dc_toml_bool(v, &b) == (t == DC_TOML_BOOL));
	FUZZ_ASSERT((si || su) == (t == DC_TOML_INT) && (!(si && su) || (uint64_t)i == u));
	emit(c, &t, sizeof(t));
	emit(c, &len, sizeof(len));
	for (size_t k = 0; k < len; k++) {
		const char *key = dc_toml_key_at(v, k);
		FUZZ_ASSERT((t == DC_TOML_TABLE) == (key != NULL) && dc_toml_at(v, k) != NULL);
		if (key) {
			size_t klen = strlen(key);
			FUZZ_ASSERT(klen <= c->lim->max_string_bytes &&
				    utf8_ok((const unsigned char *)key, klen));
			FUZZ_ASSERT(dc_toml_get(v, key) == dc_toml_at(v, k));
			FUZZ_ASSERT(!klen || strchr(key, '.') ||
				    dc_toml_path(v, key) == dc_toml_at(v, k));
			emit(c, key, klen + 1);
		}
		walk(c, dc_toml_at(v, k), depth + 1);
	}
	FUZZ_ASSERT(dc_toml_at(v, len) == NULL && dc_toml_key_at(v, len) == NULL);
	FUZZ_ASSERT(dc_toml_str(v, &s, &len) == (t == DC_TOML_STRING));
	if (t == DC_TOML_STRING) {
		FUZZ_ASSERT(s[len] == '\0' && len <= c->lim->max_string_bytes &&
			    utf8_ok((const unsigned char *)s, len));
		emit(c, &len, sizeof(len));
		emit(c, s, len);
	} else if (t == DC_TOML_INT || t == DC_TOML_BOOL) {
		emit(c, &si, 1);
		emit(c, si ? (const void *)&i : &u, 8);
		emit(c, &b, 1);
	} else {
		FUZZ_ASSERT(t == DC_TOML_TABLE || t == DC_TOML_ARRAY);
		FUZZ_ASSERT(depth <= c->lim->max_depth);
	}
}

/* Parse and serialise: the tree on success, the error message on failure. */
static enum dc_err run(const uint8_t *data, size_t size, const struct dc_toml_limits *lim,
		       struct canon *c)
{
	struct dc_toml *doc = NULL;
	struct dc_toml_error err;
	char pre[32];
	memset(c, 0, sizeof(*c));
	c->lim = lim;
	c->lines = 1;
	for (size_t k = 0; k < size; k++)
		c->lines += data[k] == '\n';
	enum dc_err r = dc_toml_parse((const char *)data, size, lim, &doc, &err);
	FUZZ_ASSERT((r == DC_OK) == (doc != NULL));
	if (r == DC_OK) {
		FUZZ_ASSERT(dc_toml_type_of(dc_toml_root(doc)) == DC_TOML_TABLE);
		walk(c, dc_toml_root(doc), 0);
	} else {
		int k = snprintf(pre, sizeof(pre), "%u:%u: ", err.line, err.column);
		FUZZ_ASSERT(r != DC_E_MISUSE && err.line >= 1 && err.line <= c->lines);
		FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)) != NULL && k > 0 &&
			    strncmp(err.message, pre, (size_t)k) == 0);
		emit(c, err.message, strlen(err.message) + 1);
	}
	dc_toml_free(doc);
	return r;
}

#define SAME(ra, a, rb, b) \
	((ra) == (rb) && (a).len == (b).len && ((a).len == 0 || memcmp((a).p, (b).p, (a).len) == 0))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct canon first, second, roomy;
	struct dc_toml_limits def = dc_toml_limits_default();
	enum dc_err r1 = run(data, size, &small, &first);
	enum dc_err r2 = run(data, size, &small, &second);
	FUZZ_ASSERT(SAME(r1, first, r2, second));
	if (size <= def.max_bytes) {
		enum dc_err r3 = run(data, size, &def, &roomy);
		FUZZ_ASSERT(r1 == DC_E_LIMIT || SAME(r1, first, r3, roomy));
		free(roomy.p);
	}
	free(first.p);
	free(second.p);
	return 0;
}
