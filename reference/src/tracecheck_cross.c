/* The trace-versus-dump rules (phase cross): what the callbacks asked for
 * must show in the dump the run wrote. The dump is read with the hardened
 * reader model (dumpcheck/readmodel.h); memory ranges come straight from
 * MemoryList / Memory64List, the streams the rules name. Only a run that
 * returned TRUE is held to its dump: a failed run's file is invalid by
 * definition (MSDoc), and writer.failed_dump_has_no_header is the reference
 * writer's own choice. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/readmodel.h"
#include "tracecheck_int.h"

#define HEADER_FLAGS_OFFSET 24 /* MINIDUMP_HEADER.Flags */
#define TYPE(c, name) ((c)->type == DC_##name##Callback)

/* A half-open address range [lo, hi). */
struct iv {
	uint64_t lo, hi;
};

struct cross {
	struct dci_tc *c;
	struct dc_process model;
	struct dc_read_extra extra;
	struct iv *dumped; /* MemoryList + Memory64List ranges, sorted and merged */
	size_t ndumped;
	uint64_t mem_off;  /* MemoryList's (else Memory64List's) file offset */
	struct idx *tix, *mix, *iix; /* threads, modules, ThreadInfo ids, sorted */
};

/* An id and where it is in its list, for binary search. */
struct idx {
	uint64_t id;
	long at;
};

/* ---------------------------------------------------------------- trace only */

static void check_failure_hresult(struct dci_tc *c)
{
	const struct dc_trace *t = c->t;
	if (!t->has_result || t->returned)
		return;
	if (t->last_error < 0x80000000u)
		dci_tc_line(c, DC_RULE_CB_CROSS_FAILURE_HRESULT, t->result_line,
			    "returned FALSE with last error 0x%08x, not a failure HRESULT",
			    t->last_error);
	else if (c->cancelled && t->last_error != DC_HR_ERROR_CANCELLED)
		dci_tc_line(c, DC_RULE_CB_CROSS_FAILURE_HRESULT, t->result_line,
			    "cancelled, last error 0x%08x instead of 0x800704c7", t->last_error);
}

/* ---------------------------------------------------------------- intervals */

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge touching or overlapping ranges in place; returns the count. */
static size_t iv_merge(struct iv *v, size_t n)
{
	size_t k = 0;
	qsort(v, n, sizeof(*v), iv_cmp);
	for (size_t i = 0; i < n; i++) {
		if (v[i].hi <= v[i].lo)
			continue;
		if (k && v[i].lo <= v[k - 1].hi) {
			if (v[i].hi > v[k - 1].hi)
				v[k - 1].hi = v[i].hi;
		} else {
			v[k++] = v[i];
		}
	}
	return k;
}

/* The first address of [lo, hi) that merged `v` does not cover; hi if none. */
static uint64_t iv_gap(const struct iv *v, size_t n, uint64_t lo, uint64_t hi)
{
	size_t a = 0, b = n; /* first range whose lo > `lo` */
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (v[mid].lo <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	if (a == 0 || v[a - 1].hi <= lo)
		return lo;
	return v[a - 1].hi >= hi ? hi : v[a - 1].hi;
}

/* True when merged `v` holds any address of [lo, hi); `*at` is the first. */
static bool iv_hits(const struct iv *v, size_t n, uint64_t lo, uint64_t hi, uint64_t *at)
{
	size_t a = 0, b = n; /* first range whose hi > lo */
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (v[mid].hi <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	if (a == n || v[a].lo >= hi)
		return false;
	*at = v[a].lo > lo ? v[a].lo : lo;
	return true;
}

static struct iv range(uint64_t base, uint64_t size)
{
	uint64_t end;
	return (struct iv){ base, dci_add(base, size, &end) ? end : UINT64_MAX };
}

/* ---------------------------------------------------------------- the dump's memory */

static const struct dc_read_stream *stream(const struct cross *x, uint32_t type)
{
	for (size_t i = 0; i < x->extra.nstreams; i++)
		if (x->extra.streams[i].type == type)
			return &x->extra.streams[i];
	return NULL;
}

/* Ranges of the first MemoryList and Memory64List, bounds-checked. */
static enum dc_err dumped_ranges(struct cross *x)
{
	const struct dc_read_stream *ml = stream(x, 5), *m64 = stream(x, 9);
	uint64_t n32 = ml && ml->size >= 4 ? dci_le32(ml->data) : 0;
	uint64_t n64 = m64 && m64->size >= 16 ? dci_le64(m64->data) : 0;
	if (ml && n32 > (ml->size - 4) / 16)
		n32 = (ml->size - 4) / 16;
	if (m64 && n64 > (m64->size - 16) / 16)
		n64 = (m64->size - 16) / 16;
	x->mem_off = ml ? ml->rva : m64 ? m64->rva : 0;
	x->dumped = malloc((size_t)(n32 + n64 + 1) * sizeof(*x->dumped));
	if (!x->dumped)
		return DC_E_NOMEM;
	for (uint64_t i = 0; i < n32; i++) {
		const uint8_t *e = ml->data + 4 + 16 * i;
		x->dumped[x->ndumped++] = range(dci_le64(e), dci_le32(e + 8));
	}
	for (uint64_t i = 0; i < n64; i++) {
		const uint8_t *e = m64->data + 16 + 16 * i;
		x->dumped[x->ndumped++] = range(dci_le64(e), dci_le64(e + 8));
	}
	x->ndumped = iv_merge(x->dumped, x->ndumped);
	return DC_OK;
}

/* Memory calls of `type` that gave a range (TRUE, MemorySize > 0). */
static bool gave_range(const struct dc_trace_call *k, uint32_t type)
{
	return k->type == type && k->returned && k->out_out.memory_size > 0;
}

static void check_removed(struct cross *x)
{
	const struct dc_trace *t = x->c->t;
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct dc_trace_call *k = &t->calls[i];
		uint64_t at;
		struct iv r = range(k->out_out.memory_base, k->out_out.memory_size);
		if (gave_range(k, DC_RemoveMemoryCallback) &&
		    iv_hits(x->dumped, x->ndumped, r.lo, r.hi, &at))
			dci_tc_dump(x->c, DC_RULE_CB_CROSS_REMOVED_MEMORY_ABSENT, x->mem_off,
				    "memory list holds 0x%llx, removed on trace line %u",
				    (unsigned long long)at, k->line);
	}
}

/* What may be missing from the dump: dumped, removed or reported unreadable. */
static enum dc_err excused(const struct cross *x, struct iv **out, size_t *nout)
{
	const struct dc_trace *t = x->c->t;
	size_t n = x->ndumped;
	struct iv *v = malloc((x->ndumped + t->ncalls + 1) * sizeof(*v));
	if (!v)
		return DC_E_NOMEM;
	memcpy(v, x->dumped, x->ndumped * sizeof(*v));
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct dc_trace_call *k = &t->calls[i];
		if (gave_range(k, DC_RemoveMemoryCallback))
			v[n++] = range(k->out_out.memory_base, k->out_out.memory_size);
		if (TYPE(k, ReadMemoryFailure))
			v[n++] = range(k->offset, k->bytes);
	}
	*nout = iv_merge(v, n);
	*out = v;
	return DC_OK;
}

static enum dc_err check_added(struct cross *x)
{
	const struct dc_trace *t = x->c->t;
	struct iv *ok;
	size_t nok;
	enum dc_err r = excused(x, &ok, &nok);
	if (r != DC_OK)
		return r;
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct dc_trace_call *k = &t->calls[i];
		if (!gave_range(k, DC_MemoryCallback))
			continue;
		struct iv a = range(k->out_out.memory_base, k->out_out.memory_size);
		for (uint64_t at = a.lo; at < a.hi;) {
			uint64_t gap = iv_gap(ok, nok, at, a.hi);
			if (gap == at) {
				dci_tc_dump(x->c, DC_RULE_CB_CROSS_ADDED_MEMORY_PRESENT, x->mem_off,
					    "0x%llx, added on trace line %u, is in no memory range",
					    (unsigned long long)at, k->line);
				break;
			}
			at = gap;
		}
	}
	free(ok);
	return DC_OK;
}

/* ---------------------------------------------------------------- lists */

static void check_list_sizes(struct cross *x)
{
	static const struct {
		uint32_t type, entry;
		const char *name;
	} lists[] = { { 3, 48, "ThreadList" }, { 4, 108, "ModuleList" }, { 5, 16, "MemoryList" } };
	for (size_t i = 0; i < 3; i++) {
		const struct dc_read_stream *s = stream(x, lists[i].type);
		if (!s || s->size < 4)
			continue;
		uint64_t want = 4 + (uint64_t)lists[i].entry * dci_le32(s->data);
		if (s->size != want)
			dci_tc_dump(x->c, DC_RULE_CB_CROSS_LIST_DATA_SIZE, s->rva,
				    "%s DataSize %u, 4 + %u x %u = %llu", lists[i].name, s->size,
				    lists[i].entry, dci_le32(s->data), (unsigned long long)want);
	}
}

static int idx_cmp(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at; /* the first of equal ids wins */
}

/* Position in the list of `id` (the first one when repeated), or -1. */
static long idx_find(const struct idx *v, size_t n, uint64_t id)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (v[mid].id < id)
			a = mid + 1;
		else
			b = mid;
	}
	return a < n && v[a].id == id ? v[a].at : -1;
}

/* Sorted ids of the dump's threads, modules and ThreadInfo entries: a
 * hostile trace and dump cost O(n log n) together. */
static enum dc_err index_lists(struct cross *x)
{
	size_t nt = x->model.nthreads, nm = x->model.nmodules, ni = x->extra.nthread_info;
	x->tix = malloc((nt + 1) * sizeof(*x->tix));
	x->mix = malloc((nm + 1) * sizeof(*x->mix));
	x->iix = malloc((ni + 1) * sizeof(*x->iix));
	if (!x->tix || !x->mix || !x->iix)
		return DC_E_NOMEM;
	for (size_t i = 0; i < nt; i++)
		x->tix[i] = (struct idx){ x->model.threads[i].id, (long)i };
	for (size_t i = 0; i < nm; i++)
		x->mix[i] = (struct idx){ x->model.modules[i].base, (long)i };
	for (size_t i = 0; i < ni; i++)
		x->iix[i] = (struct idx){ x->extra.thread_info[i].thread_id, (long)i };
	qsort(x->tix, nt, sizeof(*x->tix), idx_cmp);
	qsort(x->mix, nm, sizeof(*x->mix), idx_cmp);
	qsort(x->iix, ni, sizeof(*x->iix), idx_cmp);
	return DC_OK;
}

static long thread_at(const struct cross *x, uint64_t id)
{
	return idx_find(x->tix, x->model.nthreads, id);
}

static long module_at(const struct cross *x, uint64_t base)
{
	return idx_find(x->mix, x->model.nmodules, base);
}

static bool in_thread_info(const struct cross *x, uint64_t id)
{
	return idx_find(x->iix, x->extra.nthread_info, id) >= 0;
}

/* File offset of entry `i` of list stream `type` (its stream when i < 0). */
static uint64_t entry_off(const struct cross *x, uint32_t type, long i, uint32_t size)
{
	const struct dc_read_stream *s = stream(x, type);
	if (!s)
		return 0;
	return i < 0 ? s->rva : (uint64_t)s->rva + 4 + (uint64_t)size * (uint64_t)i;
}

/* What check_presence needs to know of a thread or a module. */
struct entity_kind {
	const char *what, *list;  /* "thread", "ThreadList" */
	const char *refused_in;   /* where a refused entry must not be */
	enum dc_rule refused_rule;
	uint32_t write_bit;       /* ThreadWriteThread / ModuleWriteModule */
};

static const struct entity_kind thread_kind = { "thread", "ThreadList", "the dump",
						DC_RULE_CB_CROSS_REFUSED_THREAD_ABSENT,
						DC_ThreadWriteThread };
static const struct entity_kind module_kind = { "module", "ModuleList", "ModuleList",
						DC_RULE_CB_CROSS_REFUSED_MODULE_ABSENT,
						DC_ModuleWriteModule };

/* The entry is in the dump exactly when its callbacks keep it (`at`: its
 * list index or -1; `elsewhere`: it shows up in another stream). True when
 * it is listed and kept, so that its write flags' effects are to be checked. */
static bool check_presence(struct cross *x, const struct dci_tc_ent *e, const struct entity_kind *k,
			   long at, bool elsewhere, uint64_t off, uint32_t eff)
{
	unsigned long long id = (unsigned long long)e->id;
	if (e->inc && !e->inc->returned) {
		if (at >= 0 || elsewhere)
			dci_tc_dump(x->c, k->refused_rule, off,
				    "%s 0x%llx, refused on trace line %u, is in %s", k->what, id,
				    e->inc->line, k->refused_in);
		return false;
	}
	if (!e->gather)
		return false;
	if (!e->gather->returned) {
		if (at >= 0)
			dci_tc_dump(x->c, DC_RULE_CB_CROSS_DROPPED_ENTRY_ABSENT, off,
				    "%s 0x%llx, refused on trace line %u, is in %s", k->what, id,
				    e->gather->line, k->list);
		return false;
	}
	if (at < 0) {
		if (eff & k->write_bit)
			dci_tc_dump(x->c, DC_RULE_CB_CROSS_INCLUDED_PRESENT, off,
				    "%s 0x%llx (trace line %u) is not in %s", k->what, id,
				    e->gather->line, k->list);
		return false;
	}
	return true;
}

static void check_thread(struct cross *x, const struct dci_tc_ent *e)
{
	long at = thread_at(x, e->id);
	uint64_t off = entry_off(x, DC_STREAM_THREAD_LIST, at, DC_SIZE_MINIDUMP_THREAD);
	uint32_t eff = dci_tc_effective(e, dci_tc_thread_defaults(x->c->t->dump_type));
	if (!check_presence(x, e, &thread_kind, at, in_thread_info(x, e->id), off, eff))
		return;
	const struct dc_thread *th = &x->model.threads[at];
	const char *why = !(eff & DC_ThreadWriteThread)	   ? "without ThreadWriteThread is listed"
			  : !(eff & DC_ThreadWriteContext) && th->context.size ? "has a context"
			  : !(eff & DC_ThreadWriteStack) && th->stack.size     ? "has stack bytes"
									       : NULL;
	if (why)
		dci_tc_dump(x->c, DC_RULE_CB_CROSS_TRIMMED_FLAGS_EFFECT, off,
			    "thread 0x%llx (flags 0x%x, trace line %u) %s", (unsigned long long)e->id,
			    eff, e->gather->line, why);
}

static void check_module(struct cross *x, const struct dci_tc_ent *e)
{
	long at = module_at(x, e->id);
	uint64_t off = entry_off(x, DC_STREAM_MODULE_LIST, at, DC_SIZE_MINIDUMP_MODULE);
	uint32_t eff = dci_tc_effective(e, dci_tc_module_defaults(x->c->t->dump_type));
	if (!check_presence(x, e, &module_kind, at, false, off, eff))
		return;
	const struct dc_module *m = &x->model.modules[at];
	const char *why = !(eff & DC_ModuleWriteModule)		      ? "without ModuleWriteModule is listed"
			  : !(eff & DC_ModuleWriteCvRecord) && m->cv.size	      ? "has a CodeView record"
			  : !(eff & DC_ModuleWriteMiscRecord) && m->misc.size ? "has a misc record"
									      : NULL;
	if (why)
		dci_tc_dump(x->c, DC_RULE_CB_CROSS_TRIMMED_FLAGS_EFFECT, off,
			    "module 0x%llx (flags 0x%x, trace line %u) %s", (unsigned long long)e->id,
			    eff, e->gather->line, why);
}

/* exception.without_request: a run that passed no ExceptionParam wrote no
 * ExceptionStream (the header record says what was passed). */
static void check_exception(struct cross *x)
{
	if (x->c->t->exception_param)
		return;
	for (size_t i = 0; i < x->extra.nstreams; i++)
		if (x->extra.streams[i].type == DC_STREAM_EXCEPTION) {
			dci_tc_dump(x->c, DC_RULE_EXCEPTION_WITHOUT_REQUEST, x->extra.streams[i].rva,
				    "an ExceptionStream at 0x%x, but the run passed no ExceptionParam",
				    x->extra.streams[i].rva);
			return;
		}
}

/* ---------------------------------------------------------------- driver */

static void check_dump(struct dci_tc *c, const uint8_t *dump, uint64_t size)
{
	struct cross x;
	memset(&x, 0, sizeof(x));
	x.c = c;
	enum dc_err r = dc_minidump_read_process(dump, size, &x.model, &x.extra);
	if (r == DC_E_NOMEM) {
		c->err = r;
		return;
	}
	if (r != DC_OK) {
		dci_tc_dump(c, DC_RULE_CB_CROSS_DUMP_READABLE, 0,
			    "the run returned TRUE but its dump does not read back (%s)",
			    dc_err_name(r));
		return;
	}
	if (x.extra.flags != c->t->dump_type)
		dci_tc_dump(c, DC_RULE_HEADER_FLAGS_MATCH_REQUEST, HEADER_FLAGS_OFFSET,
			    "Header.Flags 0x%llx, DumpType requested 0x%llx",
			    (unsigned long long)x.extra.flags, (unsigned long long)c->t->dump_type);
	check_exception(&x);
	check_list_sizes(&x);
	r = index_lists(&x);
	for (size_t i = 0; r == DC_OK && i < c->nthreads; i++)
		check_thread(&x, &c->threads[i]);
	for (size_t i = 0; r == DC_OK && i < c->nmodules; i++)
		check_module(&x, &c->modules[i]);
	if (r == DC_OK && (r = dumped_ranges(&x)) == DC_OK) {
		check_removed(&x);
		r = check_added(&x);
	}
	if (r != DC_OK)
		c->err = r;
	free(x.dumped);
	free(x.tix);
	free(x.mix);
	free(x.iix);
	dc_process_free(&x.model);
}

void dci_tc_cross(struct dci_tc *c, const uint8_t *dump, uint64_t size)
{
	check_failure_hresult(c);
	if (!dump || !c->t->has_result || !c->t->returned)
		return;
	check_dump(c, dump, size);
	if (c->redirected)
		dci_tc_io_bytes(c, dump, size);
}
