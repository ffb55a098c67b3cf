/* Lookups in the generated tables. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"

const struct dc_stream_desc *dc_stream_lookup(uint32_t type)
{
	/* The standard types 0..N sit at their own index of the sorted table:
	 * every directory entry is looked up, most of them are standard. */
	if (type < DC_STREAM_DESC_COUNT && dc_stream_descs[type].type == type)
		return &dc_stream_descs[type];
	size_t lo = 0, hi = DC_STREAM_DESC_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t t = dc_stream_descs[mid].type;
		if (t == type)
			return &dc_stream_descs[mid];
		if (t < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct dc_rule_desc *dc_rule_lookup(const char *id)
{
	for (unsigned i = 0; i < DC_RULE_COUNT; i++)
		if (strcmp(dc_rule_descs[i].id, id) == 0)
			return &dc_rule_descs[i];
	return NULL;
}

const char *dc_enum_name(uint16_t enum_id, uint64_t value)
{
	if (enum_id >= DC_E_COUNT)
		return NULL;
	const struct dc_enum_desc *e = &dc_enum_descs[enum_id];
	for (unsigned i = 0; i < e->nvalues; i++)
		if (e->values[i].value == value)
			return e->values[i].name;
	return NULL;
}

/* Length of the prefix (or suffix) every value name of `e` shares. */
static size_t shared_affix(const struct dc_enum_desc *e, bool suffix)
{
	if (e->nvalues < 2)
		return 0;
	const char *first = e->values[0].name;
	size_t n = strlen(first);
	for (unsigned i = 1; i < e->nvalues; i++) {
		const char *s = e->values[i].name;
		size_t len = strlen(s), k = 0;
		while (k < n && k < len &&
		       (suffix ? first[strlen(first) - 1 - k] == s[len - 1 - k] : first[k] == s[k]))
			k++;
		n = k;
	}
	return n;
}

bool dc_enum_parse(uint16_t enum_id, const char *name, uint64_t *out)
{
	if (enum_id >= DC_E_COUNT || !name)
		return false;
	const struct dc_enum_desc *e = &dc_enum_descs[enum_id];
	size_t pre = shared_affix(e, false), suf = shared_affix(e, true), len = strlen(name);
	for (unsigned i = 0; i < e->nvalues; i++) {
		const char *v = e->values[i].name;
		size_t vlen = strlen(v);
		bool bare_pre = vlen == pre + len && memcmp(v + pre, name, len) == 0;
		bool bare_suf = vlen == len + suf && memcmp(v, name, len) == 0;
		if (strcmp(v, name) == 0 || (pre && bare_pre) || (suf && bare_suf)) {
			*out = e->values[i].value;
			return true;
		}
	}
	return false;
}

const struct dc_context_desc *dc_context_lookup(uint32_t arch)
{
	for (unsigned i = 0; i < DC_CONTEXT_DESC_COUNT; i++)
		if (dc_context_descs[i].arch == arch)
			return &dc_context_descs[i];
	return NULL;
}

/* Generated (specgen computes it from the type and count): the walker asks
 * for every field it visits. */
uint64_t dc_field_width(const struct dc_field_desc *fd)
{
	return fd->width;
}

bool dc_flags_parse(uint16_t enum_id, const char *s, uint64_t *out)
{
	char *end, buf[64];
	unsigned long long v = strtoull(s, &end, 0);
	if (*s >= '0' && *s <= '9' && !*end) {
		*out = v;
		return v <= UINT32_MAX;
	}
	*out = 0;
	while (*s) {
		size_t n = strcspn(s, "|");
		uint64_t one;
		if (n == 0 || n >= sizeof(buf))
			return false;
		memcpy(buf, s, n);
		buf[n] = 0;
		if (!dc_enum_parse(enum_id, buf, &one))
			return false;
		*out |= one;
		s += n + (s[n] == '|');
	}
	return true;
}

const char *dc_version(void)
{
	return DC_VERSION;
}
