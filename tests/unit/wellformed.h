/* Well-formedness checks for report outputs, shared by the unit tests: a
 * strict JSON validator (RFC 8259, UTF-8 checked) and a small XML checker
 * (balanced tags, quoted attributes without '<', known entities only, no
 * character XML 1.0 forbids). Small on purpose: they only need to reject what
 * a broken escaper would produce. */
#ifndef DUMPCHECK_TESTS_WELLFORMED_H
#define DUMPCHECK_TESTS_WELLFORMED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------- a strict JSON validator */

struct jp {
	const unsigned char *p, *end;
};

static inline bool j_value(struct jp *j);

static inline void j_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static inline bool j_eat(struct jp *j, char c)
{
	j_ws(j);
	if (j->p < j->end && *j->p == (unsigned char)c) {
		j->p++;
		return true;
	}
	return false;
}

/* Accepts one well-formed UTF-8 sequence (RFC 3629). */
static inline bool j_utf8(struct jp *j)
{
	const unsigned char *p = j->p;
	size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
	uint32_t c = p[0] & (0x7F >> len), min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
	if (p[0] < 0xC2 || p[0] > 0xF4 || (size_t)(j->end - p) < len)
		return false;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return false;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return false;
	j->p += len;
	return true;
}

static inline bool j_string(struct jp *j)
{
	if (!j_eat(j, '"'))
		return false;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return false; /* raw control character */
		if (*j->p >= 0x80) {
			if (!j_utf8(j))
				return false;
			continue;
		}
		if (*j->p++ != '\\')
			continue;
		if (j->p >= j->end)
			return false;
		if (*j->p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (j->p + i >= j->end || !strchr("0123456789abcdefABCDEF", j->p[i]) ||
				    !j->p[i])
					return false;
			j->p += 5;
		} else if (*j->p && strchr("\"\\/bfnrt", *j->p)) {
			j->p++;
		} else {
			return false;
		}
	}
	return j->p++ < j->end;
}

static inline bool j_digits(struct jp *j)
{
	const unsigned char *start = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start;
}

static inline bool j_number(struct jp *j)
{
	j_eat(j, '-');
	if (!j_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!j_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		return j_digits(j);
	}
	return true;
}

static inline bool j_members(struct jp *j, char close, bool object)
{
	if (j_eat(j, close))
		return true;
	do {
		if (object && (!j_string(j) || !j_eat(j, ':')))
			return false;
		if (!j_value(j))
			return false;
	} while (j_eat(j, ','));
	return j_eat(j, close);
}

static inline bool j_literal(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static inline bool j_value(struct jp *j)
{
	j_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': j->p++; return j_members(j, '}', true);
	case '[': j->p++; return j_members(j, ']', false);
	case '"': return j_string(j);
	case 't': return j_literal(j, "true");
	case 'f': return j_literal(j, "false");
	case 'n': return j_literal(j, "null");
	default: return j_number(j);
	}
}

static inline bool json_valid(const char *s)
{
	struct jp j = { (const unsigned char *)s, (const unsigned char *)s + strlen(s) };
	if (!j_value(&j))
		return false;
	j_ws(&j);
	return j.p == j.end;
}

/* Number of elements of the JSON array after the member name `key` (quotes
 * included) in `doc`, with *nth at the start of element `n` (NULL when there
 * are fewer); SIZE_MAX when there is no such array or it is malformed. */
static inline size_t json_array_elems(const char *doc, const char *key, size_t n,
				      const char **nth)
{
	const char *at = strstr(doc, key);
	size_t count = 0;
	*nth = NULL;
	if (!at)
		return SIZE_MAX;
	struct jp j = { (const unsigned char *)at + strlen(key),
			(const unsigned char *)doc + strlen(doc) };
	if (!j_eat(&j, ':') || !j_eat(&j, '['))
		return SIZE_MAX;
	if (j_eat(&j, ']'))
		return 0;
	do {
		j_ws(&j);
		if (count == n)
			*nth = (const char *)j.p;
		if (!j_value(&j))
			return SIZE_MAX;
		count++;
	} while (j_eat(&j, ','));
	return j_eat(&j, ']') ? count : SIZE_MAX;
}

/* ---------------------------------------- a small XML well-formedness check */

static inline bool x_name(const char **p, char *name, size_t cap)
{
	size_t n = 0;
	while (**p && (strchr(":_-.", **p) || (**p >= 'a' && **p <= 'z') ||
		       (**p >= 'A' && **p <= 'Z') || (**p >= '0' && **p <= '9'))) {
		if (n + 1 >= cap)
			return false;
		name[n++] = *(*p)++;
	}
	name[n] = '\0';
	return n > 0;
}

static inline bool x_entity(const char **p)
{
	static const char *const ents[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };
	for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (strncmp(*p, ents[i], strlen(ents[i])) == 0) {
			*p += strlen(ents[i]);
			return true;
		}
	if (strncmp(*p, "&#", 2) != 0)
		return false;
	*p += 2;
	bool hex = **p == 'x';
	*p += hex;
	const char *start = *p;
	while (**p && strchr(hex ? "0123456789abcdefABCDEF" : "0123456789", **p))
		(*p)++;
	return *p > start && *(*p)++ == ';';
}

/* Attributes up to '>' or "/>"; values must hold no '<' and only entities. */
static inline bool x_attrs(const char **p, bool *empty)
{
	char name[64];
	for (;;) {
		while (**p == ' ' || **p == '\n')
			(*p)++;
		if (**p == '>' || (**p == '/' && (*p)[1] == '>')) {
			*empty = **p == '/';
			*p += *empty ? 2 : 1;
			return true;
		}
		if (!x_name(p, name, sizeof(name)) || *(*p)++ != '=' || *(*p)++ != '"')
			return false;
		while (**p != '"') {
			if (!**p || **p == '<')
				return false;
			if (**p != '&')
				(*p)++;
			else if (!x_entity(p))
				return false;
		}
		(*p)++;
	}
}

static inline bool xml_wellformed(const char *s)
{
	char stack[8][64];
	int depth = 0, roots = 0;
	for (const unsigned char *b = (const unsigned char *)s; *b; b++)
		if (*b < 0x20 && *b != '\t' && *b != '\n' && *b != '\r')
			return false;
	for (const char *p = s; *p;) {
		if (*p == '&') {
			if (!x_entity(&p))
				return false;
		} else if (strncmp(p, "<?", 2) == 0) {
			const char *q = strstr(p, "?>");
			if (!q)
				return false;
			p = q + 2;
		} else if (strncmp(p, "</", 2) == 0) {
			char name[64];
			p += 2;
			if (!x_name(&p, name, sizeof(name)) || *p++ != '>' || depth == 0 ||
			    strcmp(stack[--depth], name) != 0)
				return false;
		} else if (*p == '<') {
			bool empty;
			p++;
			if (depth == 8 || !x_name(&p, stack[depth], sizeof(stack[0])) ||
			    !x_attrs(&p, &empty))
				return false;
			roots += depth == 0;
			depth += !empty;
		} else {
			if (*p == '>' || (depth == 0 && !strchr(" \n", *p)))
				return false;
			p++;
		}
	}
	return depth == 0 && roots == 1;
}

#endif
