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
	lim->max_work = 1ull << 25; /* ~100x the 310,000 steps of a 10,000-module, 10,000-thread dump */
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
	if (n == 0)
		return NULL;
	if (n > m->file.len || !dci_add(m->alloc, n, &total) ||
	    total > m->opts->limits.max_alloc || n > SIZE_MAX) {
		dci_diag(m, DC_RULE_LIMIT_MEMORY, 0, "%llu bytes refused (%llu in use, budget %llu)",
			 (unsigned long long)n, (unsigned long long)m->alloc,
			 (unsigned long long)m->opts->limits.max_alloc);
		return NULL;
	}
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

/* When findings were counted but not recorded, say so once. */
static void note_unrecorded(struct dci_md *m)
{
	if (m->diags->total > m->diags->count && !m->diags->per_rule[DC_RULE_LIMIT_DIAGNOSTICS]) {
		m->stop = false; /* a note about the findings, even after a stop */
		dci_diag(m, DC_RULE_LIMIT_DIAGNOSTICS, 0, "%zu of %zu findings were not recorded",
			 m->diags->total - m->diags->count, m->diags->total);
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
	dci_free(&m, m.thread_ids, (uint64_t)m.nthread_ids * sizeof(uint32_t));
	dci_release_directory(&m);
	note_unrecorded(&m);
	return m.err;
}
