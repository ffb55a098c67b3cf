/* The diagnostics list: every finding is counted, the first ones recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static enum dc_err grow(struct dc_diags *d, size_t max_items)
{
	size_t cap = d->cap ? d->cap * 2 : 16;
	if (cap > max_items)
		cap = max_items;
	struct dc_diag *items = realloc(d->items, cap * sizeof(*items));
	if (!items)
		return DC_E_NOMEM;
	d->items = items;
	d->cap = cap;
	return DC_OK;
}

enum dc_err dci_diags_addv(struct dc_diags *d, const struct dc_limits *lim, enum dc_rule rule,
			   uint64_t offset, const char *fmt, va_list ap)
{
	if (DC_NEVER((unsigned)rule >= DC_RULE_COUNT))
		return DC_E_MISUSE;
	d->total++;
	if (d->per_rule[rule] < UINT32_MAX)
		d->per_rule[rule]++;
	if (d->per_rule[rule] > lim->max_per_rule || d->count >= lim->max_diags)
		return DC_OK;
	if (d->count == d->cap) {
		enum dc_err err = grow(d, lim->max_diags);
		if (err != DC_OK)
			return err;
	}
	struct dc_diag *item = &d->items[d->count++];
	item->rule = (uint16_t)rule;
	item->offset = offset;
	vsnprintf(item->detail, sizeof(item->detail), fmt, ap);
	return DC_OK;
}

void dc_diags_free(struct dc_diags *d)
{
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static bool is_impl(unsigned rule)
{
	return dc_rule_descs[rule].impl != 0;
}

size_t dc_diags_count_level(const struct dc_diags *d, enum dc_level level)
{
	size_t n = 0;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		if (!is_impl(r) && dc_rule_descs[r].level == level)
			n += d->per_rule[r];
	return n;
}

size_t dc_diags_count_impl(const struct dc_diags *d)
{
	size_t n = 0;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		if (is_impl(r))
			n += d->per_rule[r];
	return n;
}

enum dc_verdict dc_diags_verdict(const struct dc_diags *d)
{
	if (dc_diags_count_level(d, DC_LEVEL_MUST))
		return DC_VERDICT_N;
	if (dc_diags_count_impl(d))
		return DC_VERDICT_I;
	return DC_VERDICT_Y;
}
