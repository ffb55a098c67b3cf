/* dc_minidump_validate: the entry point, and the budget bookkeeping. */
#include <stdlib.h>
#include <string.h>

#include "md.h"

void dc_limits_default(struct dc_limits *lim)
{
	lim->max_streams = 1u << 16;
	lim->max_entries = 1u << 24;
	lim->max_string_bytes = 1u << 20;
	lim->max_alloc = 256u << 20;
	lim->max_work = 1ull << 28;
	lim->max_diags = 4096;
	lim->max_per_rule = 16;
}

void dc_validate_opts_default(struct dc_validate_opts *o)
{
	memset(o, 0, sizeof(*o));
	dc_limits_default(&o->limits);
}

void dci_diag(struct dci_md *m, enum dc_rule rule, uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	if (m->stop)
		return; /* strict mode already stopped, or a budget ran out */
	va_start(ap, fmt);
	enum dc_err err = dci_diags_addv(m->diags, &m->opts->limits, rule, offset, fmt, ap);
	va_end(ap);
	if (err != DC_OK && m->err == DC_OK) {
		m->err = err;
		m->stop = true;
	}
	const struct dc_rule_desc *rd = &dc_rule_descs[rule];
	if (m->opts->strict && rd->level == DC_LEVEL_MUST && !rd->impl)
		m->stop = true;
}

bool dci_step(struct dci_md *m, uint64_t n)
{
	if (m->stop)
		return false;
	if (!dci_add(m->work, n, &m->work) || m->work > m->opts->limits.max_work) {
		dci_diag(m, DC_RULE_LIMIT_WORK, 0, "work budget of %llu steps spent",
			 (unsigned long long)m->opts->limits.max_work);
		m->stop = true;
		return false;
	}
	return true;
}

void *dci_alloc(struct dci_md *m, uint64_t n)
{
	uint64_t total;
	if (n == 0 || n > m->file.len || !dci_add(m->alloc, n, &total) ||
	    total > m->opts->limits.max_alloc || n > SIZE_MAX)
		return NULL;
	void *p = malloc((size_t)n);
	if (!p) {
		m->err = DC_E_NOMEM;
		m->stop = true;
		return NULL;
	}
	m->alloc = total;
	return p;
}

void dci_free(struct dci_md *m, void *p, uint64_t n)
{
	if (!p)
		return;
	free(p);
	m->alloc -= n;
}

bool dci_ranges_push(struct dci_md *m, struct dci_ranges *r, uint64_t start, uint64_t end,
		     uint64_t at)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		uint64_t bytes = (uint64_t)cap * sizeof(*r->items);
		struct dci_range *items = dci_alloc(m, bytes);
		if (!items)
			return false;
		if (r->count)
			memcpy(items, r->items, r->count * sizeof(*r->items));
		dci_free(m, r->items, (uint64_t)r->cap * sizeof(*r->items));
		r->items = items;
		r->cap = cap;
	}
	r->items[r->count].start = start;
	r->items[r->count].end = end;
	r->items[r->count].at = at;
	r->count++;
	return true;
}

void dci_ranges_reset(struct dci_ranges *r)
{
	r->count = 0;
}

void dci_ranges_free(struct dci_md *m, struct dci_ranges *r)
{
	dci_free(m, r->items, (uint64_t)r->cap * sizeof(*r->items));
	memset(r, 0, sizeof(*r));
}

static int range_cmp(const void *a, const void *b)
{
	const struct dci_range *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

void dci_ranges_sort(struct dci_ranges *r)
{
	for (size_t i = 1; i < r->count; i++)
		if (range_cmp(&r->items[i - 1], &r->items[i]) > 0) {
			qsort(r->items, r->count, sizeof(*r->items), range_cmp);
			return;
		}
}

enum dc_err dc_minidump_validate(const uint8_t *data, uint64_t size,
				 const struct dc_validate_opts *opts,
				 const struct dc_visitor *vis, struct dc_diags *out)
{
	if ((!data && size) || !opts || !out)
		return DC_E_MISUSE;
	struct dci_md m;
	memset(&m, 0, sizeof(m));
	m.file = dci_cur_whole(data, size);
	m.opts = opts;
	m.vis = vis;
	m.diags = out;
	if (dci_check_header(&m)) {
		dci_check_directory(&m);
		dci_gather_facts(&m);
		dci_walk_streams(&m);
		if (!m.stop)
			dci_check_dump_end(&m);
	}
	dci_ranges_free(&m, &m.ranges);
	dci_free(&m, m.thread_ids, (uint64_t)m.nthread_ids * sizeof(uint32_t));
	return m.err;
}
