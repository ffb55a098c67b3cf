/* Typed getters of the scenario parser, and the helpers of the parsers
 * whose reasons are "line N: what" (scenario_int.h). */
#include <stdio.h>
#include <string.h>

#include "scenario_int.h"

bool dci_sc_fail(struct dci_sc *c, const struct dc_toml_value *v, const char *key, const char *fmt, ...)
{
	if (c->err != DC_OK)
		return false; /* keep the first reason */
	c->err = DC_E_MALFORMED;
	int n = snprintf(c->why, c->why_len, "line %u: %s%s%s: ", dc_toml_line(v),
			 c->path_len ? c->path : "(top)", key ? "." : "", key ? key : "");
	if (n < 0 || (size_t)n >= c->why_len)
		return false;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why + n, c->why_len - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

size_t dci_sc_push(struct dci_sc *c, const char *fmt, ...)
{
	size_t mark = c->path_len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(c->path + mark, sizeof(c->path) - mark, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->path_len = strnlen(c->path, sizeof(c->path) - 1);
	return mark;
}

void dci_sc_pop(struct dci_sc *c, size_t mark)
{
	c->path_len = mark;
	c->path[mark] = 0;
}

bool dci_sc_table(struct dci_sc *c, const struct dc_toml_value *v, const char *const *allowed)
{
	if (dc_toml_type_of(v) != DC_TOML_TABLE)
		return dci_sc_fail(c, v, NULL, "expected a table");
	size_t i = dci_toml_unknown_key(v, allowed);
	if (i < dc_toml_len(v))
		return dci_sc_fail(c, dc_toml_at(v, i), dc_toml_key_at(v, i), "unknown key");
	return true;
}

bool dci_sc_u64(struct dci_sc *c, const struct dc_toml_value *t, const char *key, uint64_t max,
		bool required, uint64_t *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	uint64_t u;
	if (!v)
		return !required || dci_sc_fail(c, t, key, "missing");
	if (!dc_toml_u64(v, &u))
		return dci_sc_fail(c, v, key, "expected a non-negative integer");
	if (u > max)
		return dci_sc_fail(c, v, key, "%llu is above the maximum %llu", (unsigned long long)u,
				   (unsigned long long)max);
	*out = u;
	return true;
}

bool dci_sc_u32(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool required,
		uint32_t *out)
{
	uint64_t u = *out;
	if (!dci_sc_u64(c, t, key, UINT32_MAX, required, &u))
		return false;
	*out = (uint32_t)u;
	return true;
}

bool dci_sc_bool(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	return !v || dc_toml_bool(v, out) || dci_sc_fail(c, v, key, "expected true or false");
}

bool dci_sc_str(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool required,
		const char **out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	const char *s;
	size_t len;
	if (!v)
		return !required || dci_sc_fail(c, t, key, "missing");
	if (!dc_toml_str(v, &s, &len))
		return dci_sc_fail(c, v, key, "expected a string");
	if (strlen(s) != len)
		return dci_sc_fail(c, v, key, "a NUL character is not allowed here");
	*out = dc_process_strdup(c->p, s);
	if (!*out) {
		c->err = DC_E_NOMEM;
		snprintf(c->why, c->why_len, "out of memory");
		return false;
	}
	return true;
}

int dci_sc_hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool dci_sc_hex(struct dci_sc *c, const struct dc_toml_value *t, const char *key, struct dc_blob *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	const char *s;
	size_t len, n = 0;
	if (!v)
		return true;
	if (!dc_toml_str(v, &s, &len))
		return dci_sc_fail(c, v, key, "expected a hex string");
	uint8_t *b = dc_process_copy(c->p, NULL, len / 2 + 1);
	if (!b) {
		c->err = DC_E_NOMEM;
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == ' ' || s[i] == '_' || s[i] == '\n')
			continue;
		int hi = dci_sc_hex_digit(s[i]), lo = i + 1 < len ? dci_sc_hex_digit(s[i + 1]) : -1;
		if (hi < 0 || lo < 0)
			return dci_sc_fail(c, v, key, "not a pair of hex digits at character %zu", i + 1);
		b[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	out->data = b;
	out->size = n;
	return true;
}

static bool enum_name(struct dci_sc *c, const struct dc_toml_value *v, const char *key, uint16_t enum_id,
		      uint64_t *out)
{
	const char *s;
	if (!dc_toml_str(v, &s, NULL))
		return dci_sc_fail(c, v, key, "expected an integer or a name");
	if (!dc_enum_parse(enum_id, s, out))
		return dci_sc_fail(c, v, key, "unknown name '%s' (set %s)", s, dc_enum_descs[enum_id].name);
	return true;
}

bool dci_sc_enum(struct dci_sc *c, const struct dc_toml_value *t, const char *key, uint16_t enum_id,
		 uint64_t max, uint64_t *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	uint64_t u = 0, one;
	if (!v)
		return true;
	if (dc_toml_type_of(v) == DC_TOML_INT)
		return dci_sc_u64(c, t, key, max, true, out);
	if (dc_toml_type_of(v) != DC_TOML_ARRAY) {
		if (!enum_name(c, v, key, enum_id, &u))
			return false;
	} else if (!dc_enum_descs[enum_id].is_flags) {
		return dci_sc_fail(c, v, key, "%s is not a set of flags", dc_enum_descs[enum_id].name);
	}
	for (size_t i = 0; dc_toml_type_of(v) == DC_TOML_ARRAY && i < dc_toml_len(v); i++) {
		if (!enum_name(c, dc_toml_at(v, i), key, enum_id, &one))
			return false;
		u |= one;
	}
	if (u > max)
		return dci_sc_fail(c, v, key, "value above the maximum");
	*out = u;
	return true;
}

bool dci_sc_hresult(struct dci_sc *c, const struct dc_toml_value *t, const char *key, int32_t *out)
{
	static const struct {
		const char *name;
		uint32_t value;
	} names[] = {
		{ "S_OK", DC_HR_S_OK },
		{ "S_FALSE", DC_HR_S_FALSE },
		{ "E_NOTIMPL", DC_HR_E_NOTIMPL },
		{ "E_FAIL", DC_HR_E_FAIL },
		{ "E_OUTOFMEMORY", DC_HRESULT_E_OUTOFMEMORY },
		{ "E_INVALIDARG", DC_HRESULT_E_INVALIDARG },
		{ "ERROR_CANCELLED", DC_HR_ERROR_CANCELLED },
		{ "ERROR_PARTIAL_COPY", DC_HRESULT_ERROR_PARTIAL_COPY },
		{ "ERROR_WRITE_FAULT", DC_HRESULT_ERROR_WRITE_FAULT },
	};
	const struct dc_toml_value *v = dc_toml_get(t, key);
	const char *s;
	uint64_t u;
	if (!v)
		return true;
	if (dc_toml_u64(v, &u) && u <= UINT32_MAX) {
		*out = (int32_t)(uint32_t)u;
		return true;
	}
	if (!dc_toml_str(v, &s, NULL))
		return dci_sc_fail(c, v, key, "expected an HRESULT (a 32-bit integer or a name)");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, s) == 0) {
			*out = (int32_t)names[i].value;
			return true;
		}
	return dci_sc_fail(c, v, key, "unknown HRESULT name '%s'", s);
}

bool dci_sc_array(struct dci_sc *c, const struct dc_toml_value *t, const char *key,
		  const struct dc_toml_value **arr, size_t *n)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	*arr = v;
	*n = 0;
	if (!v)
		return true;
	if (dc_toml_type_of(v) != DC_TOML_ARRAY)
		return dci_sc_fail(c, v, key, "expected an array of tables");
	*n = dc_toml_len(v);
	return true;
}

/* ---------------------------------------------------------------- "line N: what" parsers */

enum dc_err dci_toml_fail(const struct dci_why *w, const struct dc_toml_value *v, const char *fmt, ...)
{
	if (!w->why || !w->why_len)
		return DC_E_MALFORMED;
	int n = snprintf(w->why, w->why_len, "line %u: ", dc_toml_line(v));
	if (n >= 0 && (size_t)n < w->why_len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->why + n, w->why_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return DC_E_MALFORMED;
}

size_t dci_toml_unknown_key(const struct dc_toml_value *t, const char *const *allowed)
{
	size_t i = 0;
	for (; i < dc_toml_len(t); i++) {
		const char *k = dc_toml_key_at(t, i);
		size_t j = 0;
		while (allowed[j] && strcmp(allowed[j], k) != 0)
			j++;
		if (!allowed[j])
			break;
	}
	return i;
}

enum dc_err dci_toml_only(const struct dci_why *w, const struct dc_toml_value *t, const char *what,
			  const char *const *allowed)
{
	if (dc_toml_type_of(t) != DC_TOML_TABLE)
		return dci_toml_fail(w, t, "%s: a table expected", what);
	size_t i = dci_toml_unknown_key(t, allowed);
	if (i < dc_toml_len(t))
		return dci_toml_fail(w, dc_toml_at(t, i), "%s: unknown key '%s'", what, dc_toml_key_at(t, i));
	return DC_OK;
}
