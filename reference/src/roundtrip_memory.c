/* dc_roundtrip_check, memory: every dumped byte against the model, and
 * which ranges the dump type and the write flags ask for. The rules are
 * the reference writer's (writer_memory.c), restated here independently so
 * that a change there that breaks them shows as a difference. */
#include <stdlib.h>
#include <string.h>

#include "rt.h"

/* ---------------------------------------------------------------- FilterMemory */

static bool inside(uint64_t v, uint64_t base, uint64_t size)
{
	return v >= base && v - base < size;
}

/* The stack words FilterMemory keeps: pointers into a module image or a
 * thread stack (what a stack walk needs). */
static bool kept_word(const struct dc_process *p, uint64_t v)
{
	for (size_t i = 0; i < p->nmodules; i++)
		if (inside(v, p->modules[i].base, p->modules[i].size))
			return true;
	for (size_t i = 0; i < p->nthreads; i++)
		if (inside(v, p->threads[i].stack.base, p->threads[i].stack.size))
			return true;
	return false;
}

static bool overlaps_stack(const struct dc_process *p, const struct dc_region *g)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct dc_range64 *s = &p->threads[i].stack;
		if (s->size && s->base < g->base + g->size && g->base < s->base + s->size)
			return true;
	}
	return false;
}

/* Zero in `buf` (the model's bytes of dumped range `g`) the words of every
 * thread's stack that FilterMemory drops. Words are counted from the start
 * of the stack or of the range, whichever is later, and judged by their
 * `model` value. */
static void filter_words(const struct dc_process *p, const struct dc_region *g, const uint8_t *model,
			 uint8_t *buf)
{
	unsigned ps = dc_arch_pointer_size(p->arch);
	uint64_t gend = g->base + g->size;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct dc_range64 *s = &p->threads[i].stack;
		uint64_t lo = s->base > g->base ? s->base : g->base;
		uint64_t hi = s->base + s->size < gend ? s->base + s->size : gend;
		for (uint64_t a = lo; a < hi && hi - a >= ps; a += ps) /* no wrap at the top of memory */
			if (!kept_word(p, dci_le_word(model + (a - g->base), ps)))
				memset(buf + (a - g->base), 0, ps);
	}
}

/* The bytes the dump must hold for `g`, inside model region `mr`; *scratch
 * is set when they had to be filtered (free it). NULL on ENOMEM. */
static const uint8_t *expected_bytes(struct dci_rt *t, const struct dc_region *g,
				     const struct dc_region *mr, uint8_t **scratch)
{
	const uint8_t *bytes = mr->contents + (g->base - mr->base);
	*scratch = NULL;
	if (!DCI_RT_FLAG(t, DC_MiniDumpFilterMemory) || !overlaps_stack(t->model, g))
		return bytes;
	*scratch = g->size <= SIZE_MAX ? malloc((size_t)g->size) : NULL;
	if (!*scratch) {
		t->err = DC_E_NOMEM;
		return NULL;
	}
	memcpy(*scratch, bytes, (size_t)g->size);
	filter_words(t->model, g, bytes, *scratch);
	return *scratch;
}

/* ---------------------------------------------------------------- dumped bytes */

static void region_attributes(struct dci_rt *t, size_t k, const struct dc_region *mr,
			      const struct dc_region *g)
{
	if (!DCI_RT_FLAG(t, DC_MiniDumpWithFullMemoryInfo))
		return; /* without MemoryInfoList the reader cannot know them */
	dci_rt_val(t, mr->allocation_base, g->allocation_base, "memory[%zu].allocation_base", k);
	dci_rt_val(t, mr->allocation_protect, g->allocation_protect, "memory[%zu].allocation_protect", k);
	dci_rt_val(t, mr->state, g->state, "memory[%zu].state", k);
	dci_rt_val(t, mr->protect, g->protect, "memory[%zu].protect", k);
	dci_rt_val(t, mr->type, g->type, "memory[%zu].type", k);
}

static void region_bytes(struct dci_rt *t, size_t k)
{
	const struct dc_region *g = &t->read->regions[k];
	const struct dc_region *mr = dc_process_region_at(t->model, g->base);
	uint8_t *scratch;
	if (!mr || !mr->contents) {
		dci_rt_diff(t, "memory[%zu] 0x%llX+0x%llX: %s in the model", k, (unsigned long long)g->base,
			    (unsigned long long)g->size, mr ? "unreadable" : "not mapped");
		return;
	}
	if (g->size > mr->size - (g->base - mr->base)) {
		dci_rt_diff(t, "memory[%zu] 0x%llX+0x%llX: runs past its model region's end 0x%llX", k,
			    (unsigned long long)g->base, (unsigned long long)g->size,
			    (unsigned long long)(mr->base + mr->size));
		return;
	}
	region_attributes(t, k, mr, g);
	const uint8_t *want = expected_bytes(t, g, mr, &scratch);
	if (want && memcmp(want, g->contents, (size_t)g->size) != 0) {
		uint64_t off = 0;
		while (want[off] == g->contents[off])
			off++;
		dci_rt_diff(t, "memory[%zu] byte at 0x%llX (+0x%llX): model 0x%02X, dump 0x%02X%s", k,
			    (unsigned long long)(g->base + off), (unsigned long long)off, want[off],
			    g->contents[off], scratch ? " (FilterMemory applied)" : "");
	}
	free(scratch);
}

bool dci_rt_covered(const struct dc_process *read, uint64_t start, uint64_t size)
{
	uint64_t cur = start, end;
	if (!dci_add(start, size, &end))
		return false;
	while (cur < end) {
		uint64_t reach = cur;
		for (size_t i = 0; i < read->nregions; i++) {
			const struct dc_region *g = &read->regions[i];
			if (inside(cur, g->base, g->size) && g->base + g->size > reach)
				reach = g->base + g->size;
		}
		if (reach == cur)
			return false;
		cur = reach;
	}
	return true;
}

/* ---------------------------------------------------------------- wanted ranges */

/* One range the flags ask for. `what` names its source for messages. */
struct want {
	uint64_t start, size;
	char what[64];
};

/* Called per wanted range; false stops the enumeration. */
typedef bool (*want_fn)(struct dci_rt *t, const struct want *w, void *ctx);

/* The readable part of [start, start + size), clipped to the region
 * holding `start` (what the writer's dci_w_add_readable keeps), to `fn`. */
static bool clip(struct dci_rt *t, uint64_t start, uint64_t size, want_fn fn, void *ctx,
		 struct want *w)
{
	const struct dc_region *r = dc_process_region_at(t->model, start);
	if (!r || !r->contents || !size)
		return true;
	uint64_t left = r->size - (start - r->base);
	w->start = start;
	w->size = size < left ? size : left;
	return fn(t, w, ctx);
}

static bool private_with(const struct dc_region *r, uint32_t protect)
{
	return r->state == DC_MEM_COMMIT && r->type == DC_MEM_PRIVATE && (r->protect & 0xFFu) == protect;
}

static bool want_threads(struct dci_rt *t, want_fn fn, void *ctx, struct want *w)
{
	const struct dc_process *p = t->model;
	bool go = true;
	for (size_t i = 0; i < p->nthreads && go; i++) {
		snprintf(w->what, sizeof(w->what), "threads[%zu].stack", i);
		if (t->tflags[i] & DC_ThreadWriteStack)
			go = clip(t, p->threads[i].stack.base, p->threads[i].stack.size, fn, ctx, w);
		snprintf(w->what, sizeof(w->what), "threads[%zu].teb page", i);
		if (go && (t->tflags[i] & DC_ThreadWriteThreadData))
			go = clip(t, p->threads[i].teb, DC_MINIDUMP_PAGE_SIZE, fn, ctx, w);
		snprintf(w->what, sizeof(w->what), "threads[%zu] instruction window", i);
		uint64_t start, size;
		if (go && (t->tflags[i] & DC_ThreadWriteInstructionWindow) &&
		    dc_thread_instruction_window(p, &p->threads[i], &start, &size))
			go = clip(t, start, size, fn, ctx, w);
	}
	return go;
}

static bool want_sections(struct dci_rt *t, size_t i, const struct dc_range64 *s, size_t n,
			  const char *kind, want_fn fn, void *ctx, struct want *w)
{
	bool go = true;
	for (size_t k = 0; k < n && go; k++) {
		snprintf(w->what, sizeof(w->what), "modules[%zu].%s[%zu]", i, kind, k);
		go = clip(t, s[k].base, s[k].size, fn, ctx, w);
	}
	return go;
}

static bool want_modules(struct dci_rt *t, want_fn fn, void *ctx, struct want *w)
{
	const struct dc_process *p = t->model;
	bool go = true;
	for (size_t i = 0; i < p->nmodules && go; i++) {
		const struct dc_module *m = &p->modules[i];
		if (t->mflags[i] & DC_ModuleWriteDataSeg)
			go = want_sections(t, i, m->data_sections, m->ndata_sections, "data", fn, ctx, w);
		if (go && (t->mflags[i] & DC_ModuleWriteCodeSegs))
			go = want_sections(t, i, m->code_sections, m->ncode_sections, "code", fn, ctx, w);
		snprintf(w->what, sizeof(w->what), "modules[%zu] header page", i);
		if (go && t->mflags[i] && DCI_RT_FLAG(t, DC_MiniDumpWithModuleHeaders))
			go = clip(t, m->base, DC_MINIDUMP_PAGE_SIZE, fn, ctx, w);
	}
	return go;
}

/* A region WithFullMemory keeps: committed, readable, not a guard page,
 * not write-combined when FilterWriteCombinedMemory drops those. */
bool dci_rt_full_memory_region(const struct dci_rt *t, const struct dc_region *r)
{
	return r && r->contents && r->state == DC_MEM_COMMIT && !(r->protect & DC_PAGE_GUARD) &&
	       (r->protect & 0xFFu) != DC_PAGE_NOACCESS &&
	       !(DCI_RT_FLAG(t, DC_MiniDumpFilterWriteCombinedMemory) && (r->protect & DC_PAGE_WRITECOMBINE));
}

static bool want_regions(struct dci_rt *t, want_fn fn, void *ctx, struct want *w)
{
	const struct dc_process *p = t->model;
	bool full = DCI_RT_FLAG(t, DC_MiniDumpWithFullMemory), go = true;
	for (size_t i = 0; i < p->nregions && go; i++) {
		const struct dc_region *r = &p->regions[i];
		bool rw = DCI_RT_FLAG(t, DC_MiniDumpWithPrivateReadWriteMemory) && private_with(r, DC_PAGE_READWRITE);
		bool wc = DCI_RT_FLAG(t, DC_MiniDumpWithPrivateWriteCopyMemory) && private_with(r, DC_PAGE_WRITECOPY);
		snprintf(w->what, sizeof(w->what), "regions[%zu]", i);
		if (full ? dci_rt_full_memory_region(t, r) : rw || wc)
			go = clip(t, r->base, r->size, fn, ctx, w);
	}
	return go;
}

/* Every range the dump type and the flags ask for. */
static void each_wanted(struct dci_rt *t, want_fn fn, void *ctx)
{
	struct want w;
	if (!DCI_RT_FLAG(t, DC_MiniDumpWithFullMemory) &&
	    (!want_threads(t, fn, ctx, &w) || !want_modules(t, fn, ctx, &w)))
		return;
	want_regions(t, fn, ctx, &w);
}

static bool check_present(struct dci_rt *t, const struct want *w, void *ctx)
{
	(void)ctx;
	if (dci_rt_covered(t->read, w->start, w->size))
		return true;
	return dci_rt_diff(t, "memory: %s 0x%llX+0x%llX is not (all) in the dump", w->what,
			   (unsigned long long)w->start, (unsigned long long)w->size);
}

/* The furthest end of a wanted range holding address *ctx. */
struct reach {
	uint64_t at, end;
};

static bool extend_reach(struct dci_rt *t, const struct want *w, void *ctx)
{
	struct reach *r = ctx;
	(void)t;
	if (inside(r->at, w->start, w->size) && w->start + w->size > r->end)
		r->end = w->start + w->size;
	return true;
}

/* Every dumped byte lies in a range the flags ask for. */
static void check_asked(struct dci_rt *t)
{
	for (size_t k = 0; k < t->read->nregions && t->err == DC_OK; k++) {
		const struct dc_region *g = &t->read->regions[k];
		struct reach r = { g->base, g->base };
		while (r.at < g->base + g->size) {
			each_wanted(t, extend_reach, &r);
			if (r.end == r.at) {
				dci_rt_diff(t, "memory[%zu] 0x%llX: in the dump, but nothing the flags keep asks for it",
					    k, (unsigned long long)r.at);
				return;
			}
			r.at = r.end;
		}
	}
}

void dci_rt_memory(struct dci_rt *t)
{
	for (size_t k = 0; k < t->read->nregions && t->err == DC_OK; k++)
		region_bytes(t, k);
	if (t->err != DC_OK || DCI_RT_FLAG(t, DC_ROUNDTRIP_CALLBACK_MEMORY))
		return;
	each_wanted(t, check_present, NULL);
	/* the windows WithIndirectlyReferencedMemory adds are not recomputed */
	if (t->err == DC_OK && (DCI_RT_FLAG(t, DC_MiniDumpWithFullMemory) ||
				!DCI_RT_FLAG(t, DC_MiniDumpWithIndirectlyReferencedMemory)))
		check_asked(t);
}
