/* Building a case's bytes (dumpcheck/corpus.h): the base scenario through
 * the reference writer into memory, then the case's edits in their fixed
 * order: inserts, writes, patches, truncate. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/scenario.h"
#include "internal.h"
#include "patch.h"

void dc_buf_free(struct dc_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Make room for `len` bytes (new bytes are zero). */
static enum dc_err buf_grow(struct dc_buf *b, uint64_t len)
{
	if (len > DC_CASE_MAX_FILE)
		return DC_E_LIMIT;
	if (len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < len)
			cap *= 2;
		uint8_t *p = realloc(b->data, cap);
		if (!p)
			return DC_E_NOMEM;
		memset(p + b->cap, 0, cap - b->cap);
		b->data = p;
		b->cap = cap;
	}
	if (len > b->len)
		b->len = (size_t)len;
	return DC_OK;
}

enum dc_err dc_sink_buf_write(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	struct dc_buf *b = ctx;
	uint64_t end;
	if (!dci_add(offset, n, &end))
		return DC_E_LIMIT;
	enum dc_err err = buf_grow(b, end);
	if (err == DC_OK && n)
		memcpy(b->data + offset, buf, n);
	return err;
}

/* ---------------------------------------------------------------- edits */

struct apply {
	const struct dc_case *c;
	struct dc_buf *b;
	struct dci_penv env;
	struct dci_mark marks[DC_CASE_MAX_MARKS];
	char msg[256];
	char *why;
	size_t why_len;
};

static enum dc_err failv(struct apply *a, enum dc_err err, unsigned line, const char *what, const char *fmt,
			 ...) DCI_PRINTF(5, 6);

static enum dc_err failv(struct apply *a, enum dc_err err, unsigned line, const char *what, const char *fmt,
			 ...)
{
	char detail[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(a->why, a->why_len, "%s: case '%s': line %u: %s: %s", a->c->source ? a->c->source : "(case)",
		 a->c->id, line, what, detail);
	return err;
}

static void env_sync(struct apply *a, uint16_t enum_id)
{
	a->env.data = a->b->data ? a->b->data : (const uint8_t *)"";
	a->env.len = a->b->len;
	a->env.enum_id = enum_id;
}

static enum dc_err eval(struct apply *a, const struct dc_case_expr *x, const char *what, uint16_t enum_id,
			uint64_t *out)
{
	if (!x->text) {
		*out = x->value;
		return DC_OK;
	}
	env_sync(a, enum_id);
	if (dci_patch_expr(&a->env, x->text, out) != DC_OK)
		return failv(a, DC_E_MALFORMED, x->line, what, "%s", a->msg);
	return DC_OK;
}

/* The bytes of one edit, repeated: a fresh buffer the caller frees. */
static enum dc_err source_bytes(struct apply *a, const struct dc_case_edit *ed, const char *what,
				uint8_t **out, uint64_t *n)
{
	uint64_t unit, from = 0, total;
	enum dc_err err = DC_OK;
	*out = NULL;
	if (ed->src == DC_CASE_SRC_HEX)
		unit = ed->hex_len;
	else if ((err = eval(a, &ed->size, what, DC_E_COUNT, &unit)) != DC_OK)
		return err;
	if (ed->src == DC_CASE_SRC_COPY && (err = eval(a, &ed->from, what, DC_E_COUNT, &from)) != DC_OK)
		return err;
	if (!dci_mul(unit, ed->repeat, &total) || total > DC_CASE_MAX_FILE)
		return failv(a, DC_E_LIMIT, ed->line, what, "more than %u bytes", DC_CASE_MAX_FILE);
	uint64_t end;
	if (ed->src == DC_CASE_SRC_COPY && (!dci_add(from, unit, &end) || end > a->b->len))
		return failv(a, DC_E_MALFORMED, ed->line, what, "copy of %llu bytes at 0x%llX: past the end (0x%zX)",
			     (unsigned long long)unit, (unsigned long long)from, a->b->len);
	uint8_t *p = malloc(total ? (size_t)total : 1);
	if (!p)
		return failv(a, DC_E_NOMEM, ed->line, what, "out of memory");
	for (uint64_t r = 0; r < ed->repeat && unit; r++) {
		uint8_t *dst = p + r * unit;
		if (ed->src == DC_CASE_SRC_HEX)
			memcpy(dst, ed->hex, (size_t)unit);
		else if (ed->src == DC_CASE_SRC_FILL)
			memset(dst, ed->fill, (size_t)unit);
		else
			memcpy(dst, a->b->data + from, (size_t)unit);
	}
	*out = p;
	*n = total;
	return DC_OK;
}

static void add_mark(struct apply *a, const char *name, uint64_t off)
{
	if (name && a->env.nmarks < DC_CASE_MAX_MARKS) { /* the parser capped them */
		a->marks[a->env.nmarks].name = name;
		a->marks[a->env.nmarks++].off = off;
	}
}

static enum dc_err one_edit(struct apply *a, const struct dc_case_edit *ed, bool insert, const char *what)
{
	uint8_t *bytes;
	uint64_t n = 0, at = a->b->len, old = a->b->len, end;
	enum dc_err err = source_bytes(a, ed, what, &bytes, &n);
	if (err != DC_OK)
		return err;
	if (ed->at_end && ed->align && at % ed->align)
		at += ed->align - at % ed->align;
	if (!ed->at_end && (err = eval(a, &ed->at, what, DC_E_COUNT, &at)) != DC_OK)
		goto out;
	if (!ed->at_end && (at > a->b->len || (!insert && (!dci_add(at, n, &end) || end > a->b->len)))) {
		err = failv(a, DC_E_MALFORMED, ed->line, what, "%llu bytes at 0x%llX do not fit a file of 0x%zX bytes",
			    (unsigned long long)n, (unsigned long long)at, a->b->len);
		goto out;
	}
	if (ed->at_end || !insert) {
		err = buf_grow(a->b, at + n); /* at = "end" appends; a write stays inside */
	} else if ((err = buf_grow(a->b, old + n)) == DC_OK) {
		memmove(a->b->data + at + n, a->b->data + at, (size_t)(old - at));
	}
	if (err != DC_OK) {
		err = failv(a, err, ed->line, what, "%s", err == DC_E_LIMIT ? "the file would pass the size cap"
										  : "out of memory");
		goto out;
	}
	if (n)
		memcpy(a->b->data + at, bytes, (size_t)n);
	add_mark(a, ed->mark, at);
out:
	free(bytes);
	return err;
}

static enum dc_err one_patch(struct apply *a, const struct dc_case_patch *p, const char *what)
{
	struct dci_ploc loc;
	uint64_t v;
	env_sync(a, DC_E_COUNT);
	if (dci_patch_path(&a->env, p->path, &loc) != DC_OK)
		return failv(a, DC_E_MALFORMED, p->line, what, "%s", a->msg);
	if (!loc.width)
		return failv(a, DC_E_MALFORMED, p->line, what, "'%s' is not a scalar field", p->path);
	enum dc_err err = eval(a, &p->value, what, loc.enum_id, &v);
	if (err != DC_OK)
		return err;
	if (loc.width < 8 && v >> (8 * loc.width))
		return failv(a, DC_E_MALFORMED, p->line, what, "0x%llX does not fit the %u-byte field %s",
			     (unsigned long long)v, loc.width, p->path);
	dci_patch_store(a->b->data + loc.off, loc.width, v);
	return DC_OK;
}

enum dc_err dc_case_apply(const struct dc_case *c, struct dc_buf *b, uint64_t base_size, char *why,
			  size_t why_len)
{
	struct apply a;
	char what[48];
	enum dc_err err = DC_OK;
	memset(&a, 0, sizeof(a));
	a.c = c;
	a.b = b;
	a.why = why;
	a.why_len = why_len;
	a.env.base_size = base_size;
	a.env.marks = a.marks;
	a.env.why = a.msg;
	a.env.why_len = sizeof(a.msg);
	for (size_t i = 0; err == DC_OK && i < c->ninserts; i++) {
		snprintf(what, sizeof(what), "inserts[%zu]", i);
		err = one_edit(&a, &c->inserts[i], true, what);
	}
	for (size_t i = 0; err == DC_OK && i < c->nwrites; i++) {
		snprintf(what, sizeof(what), "writes[%zu]", i);
		err = one_edit(&a, &c->writes[i], false, what);
	}
	for (size_t i = 0; err == DC_OK && i < c->npatches; i++) {
		snprintf(what, sizeof(what), "patches[%zu]", i);
		err = one_patch(&a, &c->patches[i], what);
	}
	uint64_t size;
	if (err == DC_OK && c->has_truncate && (err = eval(&a, &c->truncate, "truncate", DC_E_COUNT, &size)) == DC_OK) {
		if (size > b->len)
			return failv(&a, DC_E_MALFORMED, c->truncate.line, "truncate",
				     "%llu is longer than the file (%zu bytes)", (unsigned long long)size, b->len);
		b->len = (size_t)size;
	}
	return err;
}

/* ---------------------------------------------------------------- build */

bool dci_case_base_path(const struct dc_case *c, const char *dir, const char *what, char *path, size_t n,
			char *why, size_t why_len)
{
	if ((size_t)snprintf(path, n, "%s/%s", dir, c->base) < n)
		return true;
	snprintf(why, why_len, "%s: case '%s': %s path too long", c->source, c->id, what);
	return false;
}

enum dc_err dci_case_load_scenario(const struct dc_case *c, const char *dir, struct dc_scenario *sc,
				   char *why, size_t why_len)
{
	char path[4096], msg[256];
	if (!dci_case_base_path(c, dir, "scenario", path, sizeof(path), why, why_len))
		return DC_E_LIMIT;
	enum dc_err err = dc_scenario_load(path, DC_CASE_MAX_FILE, sc, msg, sizeof(msg));
	if (err != DC_OK)
		snprintf(why, why_len, "%s: case '%s': base %s: %s", c->source, c->id, path, msg);
	return err;
}

enum dc_err dc_case_build(const struct dc_case *c, const char *scenario_dir, struct dc_buf *out, char *why,
			  size_t why_len)
{
	struct dc_scenario sc;
	struct dc_write_result res;
	memset(out, 0, sizeof(*out));
	if (c->kind != DC_CASE_DUMP || !c->base) {
		snprintf(why, why_len, "%s: case '%s': not a dump case", c->source, c->id);
		return DC_E_MISUSE;
	}
	enum dc_err err = dci_case_load_scenario(c, scenario_dir, &sc, why, why_len);
	if (err != DC_OK)
		return err;
	struct dc_sink sink = { out, dc_sink_buf_write };
	sc.script.io = &sink; /* redirected I/O lands in the same bytes, as in `dumpcheck write` */
	if (c->has_dump_type)
		sc.request.dump_type = c->dump_type;
	if (c->has_user_streams) {
		sc.request.user_streams = c->user_streams;
		sc.request.nuser_streams = c->nuser_streams;
	}
	err = dc_write_minidump(&sc.process, &sc.request, &sink, &res);
	dc_scenario_free(&sc);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': the reference writer failed on %s: %s (HRESULT 0x%08X)",
			 c->source, c->id, c->base, dc_err_name(err), (unsigned)res.hresult);
		dc_buf_free(out);
		return err == DC_E_NOMEM || err == DC_E_LIMIT ? err : DC_E_CALLBACK;
	}
	err = dc_case_apply(c, out, out->len, why, why_len);
	if (err != DC_OK)
		dc_buf_free(out);
	return err;
}

/* ---------------------------------------------------------------- expectations */

static void add_reason(char *why, size_t why_len, const char *fmt, ...) DCI_PRINTF(3, 4);

static void add_reason(char *why, size_t why_len, const char *fmt, ...)
{
	size_t n = strnlen(why, why_len);
	va_list ap;
	if (n + 2 >= why_len)
		return;
	if (n)
		n += (size_t)snprintf(why + n, why_len - n, "; ");
	va_start(ap, fmt);
	vsnprintf(why + n, why_len - n, fmt, ap);
	va_end(ap);
}

bool dc_case_check(const struct dc_case *c, const struct dc_diags *d, char *why, size_t why_len)
{
	size_t must = 0, must_other = 0, limit = 0, impl = 0;
	if (why_len)
		why[0] = 0;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		const struct dc_rule_desc *rd = &dc_rule_descs[r];
		uint32_t n = d->per_rule[r];
		impl += rd->impl ? n : 0;
		limit += rd->phase == DC_PHASE_LIMIT ? n : 0;
		must += !rd->impl && rd->level == DC_LEVEL_MUST ? n : 0;
		must_other += !rd->impl && rd->level == DC_LEVEL_MUST && rd->phase != DC_PHASE_LIMIT ? n : 0;
	}
	for (size_t i = 0; i < c->nfires; i++)
		if (!d->per_rule[c->fires[i]])
			add_reason(why, why_len, "%s does not fire", dc_rule_descs[c->fires[i]].id);
	for (size_t i = 0; i < c->nquiet; i++)
		if (d->per_rule[c->quiet[i]])
			add_reason(why, why_len, "%s fires (%u findings)", dc_rule_descs[c->quiet[i]].id,
				   d->per_rule[c->quiet[i]]);
	bool ok = c->verdict == 'y'   ? must == 0 && impl == 0
		  : c->verdict == 'n' ? must_other > 0
				      : (must == 0 && impl > 0) || (limit > 0 && must_other == 0);
	if (!ok)
		add_reason(why, why_len, "verdict %c does not hold (%zu MUST findings, %zu outside phase limit, "
			   "%zu limit, %zu implementation-defined)", c->verdict, must, must_other, limit, impl);
	for (unsigned r = 0; c->exact && r < DC_RULE_COUNT; r++) {
		bool listed = false;
		for (size_t i = 0; i < c->nfires && !listed; i++)
			listed = c->fires[i] == r;
		if (d->per_rule[r] && !listed)
			add_reason(why, why_len, "%s fires (%u findings) outside fires of an exact case",
				   dc_rule_descs[r].id, d->per_rule[r]);
	}
	return why_len && why[0] == 0;
}

bool dc_case_check_trace(const struct dc_case *c, const struct dc_diags *trace, const struct dc_diags *dump,
			 char *why, size_t why_len)
{
	struct dc_diags all;
	memset(&all, 0, sizeof(all));
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		all.per_rule[r] = trace->per_rule[r] + dump->per_rule[r];
	return dc_case_check(c, &all, why, why_len);
}
