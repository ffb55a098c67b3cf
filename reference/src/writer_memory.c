/* The reference writer: which memory a dump keeps, and how FilterMemory
 * shapes stack bytes. Choices the documentation leaves open are recorded
 * as implementation-defined rules in spec/rules/writer.toml. */
#include <stdlib.h>
#include <string.h>

#include "writer.h"

#define FLAG(w, f) (((w)->req->dump_type & (uint64_t)(f)) != 0)
/* Bytes kept around each address a stack word points at (WithIndirectlyReferencedMemory). */
#define INDIRECT_WINDOW 256u

static void add_range(struct dci_writer *w, uint64_t start, uint64_t size)
{
	if (!size)
		return;
	if (w->nmem == w->capmem) {
		size_t cap = w->capmem ? w->capmem * 2 : 64;
		struct dci_wmem *n = realloc(w->mem, cap * sizeof(*n));
		if (!n) {
			dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
			return;
		}
		w->mem = n;
		w->capmem = cap;
	}
	struct dci_wmem m = { start, size, 0 };
	w->mem[w->nmem++] = m;
}

/* Add the readable part of [start, start + size) (clipped to its region). */
void dci_w_add_readable(struct dci_writer *w, uint64_t start, uint64_t size)
{
	const struct dc_region *r = dc_process_region_at(w->p, start);
	if (!r || !r->contents) {
		dci_w_read_failure(w, start, size); /* left out, or the dump fails */
		return;
	}
	uint64_t left = r->size - (start - r->base);
	add_range(w, start, size < left ? size : left);
}

static int wmem_cmp(const void *a, const void *b)
{
	const struct dci_wmem *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort, then merge overlapping or touching ranges of one region. */
static void merge_ranges(struct dci_writer *w)
{
	if (!w->nmem)
		return;
	qsort(w->mem, w->nmem, sizeof(*w->mem), wmem_cmp);
	size_t out = 0;
	for (size_t i = 1; i < w->nmem; i++) {
		struct dci_wmem *last = &w->mem[out];
		uint64_t end = last->start + last->size;
		const struct dc_region *r = dc_process_region_at(w->p, last->start);
		bool same_region = r && w->mem[i].start - r->base < r->size;
		if (w->mem[i].start <= end && same_region) {
			uint64_t nend = w->mem[i].start + w->mem[i].size;
			if (nend > end)
				last->size = nend - last->start;
		} else {
			w->mem[++out] = w->mem[i];
		}
	}
	w->nmem = out + 1;
}

static bool private_with(const struct dc_region *r, uint32_t protect)
{
	return r->state == DC_MEM_COMMIT && r->type == DC_MEM_PRIVATE &&
	       (r->protect & 0xFFu) == protect;
}

/* The memory a non-full dump keeps, per MINIDUMP_TYPE (spec-notes §1.6). */
static void select_partial_memory(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	for (size_t i = 0; i < p->nthreads; i++) {
		if (w->tflags[i] & DC_ThreadWriteStack)
			dci_w_add_readable(w, p->threads[i].stack.base, p->threads[i].stack.size);
		if (w->tflags[i] & DC_ThreadWriteThreadData)
			dci_w_add_readable(w, p->threads[i].teb, DC_MINIDUMP_PAGE_SIZE);
		uint64_t start, size; /* a PC in no readable region: no window, no failure */
		if ((w->tflags[i] & DC_ThreadWriteInstructionWindow) &&
		    dc_thread_instruction_window(p, &p->threads[i], &start, &size))
			dci_w_add_readable(w, start, size);
	}
	for (size_t i = 0; i < p->nmodules; i++) {
		const struct dc_module *m = &p->modules[i];
		for (size_t k = 0; (w->mflags[i] & DC_ModuleWriteDataSeg) && k < m->ndata_sections; k++)
			dci_w_add_readable(w, m->data_sections[k].base, m->data_sections[k].size);
		for (size_t k = 0; (w->mflags[i] & DC_ModuleWriteCodeSegs) && k < m->ncode_sections; k++)
			dci_w_add_readable(w, m->code_sections[k].base, m->code_sections[k].size);
		if (w->mflags[i] && FLAG(w, DC_MiniDumpWithModuleHeaders))
			dci_w_add_readable(w, m->base, DC_MINIDUMP_PAGE_SIZE);
	}
	for (size_t i = 0; i < p->nregions; i++) {
		const struct dc_region *r = &p->regions[i];
		if ((FLAG(w, DC_MiniDumpWithPrivateReadWriteMemory) && private_with(r, DC_PAGE_READWRITE)) ||
		    (FLAG(w, DC_MiniDumpWithPrivateWriteCopyMemory) && private_with(r, DC_PAGE_WRITECOPY)))
			dci_w_add_readable(w, r->base, r->size);
	}
}

void dci_w_remove_range(struct dci_writer *w, uint64_t start, uint64_t size)
{
	uint64_t end = start + size < start ? UINT64_MAX : start + size;
	for (size_t i = 0; i < w->nmem && w->err == DC_OK; i++) {
		struct dci_wmem *m = &w->mem[i];
		uint64_t mend = m->start + m->size;
		if (end <= m->start || start >= mend)
			continue;
		if (start > m->start && end < mend) {
			/* a hole in the middle: the right part becomes a new range after it */
			dci_w_add_readable(w, end, mend - end); /* appended; re-sorted below */
			w->mem[i].size = start - w->mem[i].start;
			continue;
		}
		if (start <= m->start && end >= mend) {
			m->size = 0; /* all of it: dropped below */
		} else if (start <= m->start) {
			m->size = mend - end;
			m->start = end;
		} else {
			m->size = start - m->start;
		}
	}
	size_t out = 0;
	for (size_t i = 0; i < w->nmem; i++)
		if (w->mem[i].size)
			w->mem[out++] = w->mem[i];
	w->nmem = out;
	merge_ranges(w);
}

/* Full memory: every committed region; unreadable ones fail the dump unless
 * IgnoreInaccessibleMemory says to skip them. */
static void select_full_memory(struct dci_writer *w)
{
	for (size_t i = 0; i < w->p->nregions && w->err == DC_OK; i++) {
		const struct dc_region *r = &w->p->regions[i];
		if (r->state != DC_MEM_COMMIT || (r->protect & DC_PAGE_GUARD) ||
		    (r->protect & 0xFFu) == DC_PAGE_NOACCESS ||
		    (FLAG(w, DC_MiniDumpFilterWriteCombinedMemory) && (r->protect & DC_PAGE_WRITECOMBINE)))
			continue;
		uint64_t base, size;
		if (r->contents) {
			if (dci_w_include_vm_region(w, r, &base, &size))
				add_range(w, base, size);
		} else if (!FLAG(w, DC_MiniDumpIgnoreInaccessibleMemory) &&
			 (!w->req->callback || !w->req->callback->CallbackRoutine))
			dci_w_fail(w, DC_E_IO, DC_HRESULT_ERROR_PARTIAL_COPY);
		else if (!FLAG(w, DC_MiniDumpIgnoreInaccessibleMemory))
			dci_w_read_failure(w, r->base, r->size);
	}
}

/* ---------------------------------------------------------------- stack words */

/* True when `v` points into a module image or a thread stack: the words
 * FilterMemory keeps, since a stack walk needs exactly those. */
static bool points_to_code_or_stack(const struct dc_process *p, uint64_t v)
{
	for (size_t i = 0; i < p->nmodules; i++)
		if (v >= p->modules[i].base && v - p->modules[i].base < p->modules[i].size)
			return true;
	for (size_t i = 0; i < p->nthreads; i++)
		if (v >= p->threads[i].stack.base && v - p->threads[i].stack.base < p->threads[i].stack.size)
			return true;
	return false;
}

/* WithIndirectlyReferencedMemory: a window around every private data
 * address a stack word holds (not images, not stacks: those are kept or
 * not by their own flags). */
static void add_indirect(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	unsigned ps = dc_arch_pointer_size(p->arch);
	for (size_t t = 0; t < p->nthreads && w->err == DC_OK; t++) {
		const struct dc_range64 *s = &p->threads[t].stack;
		if (!(w->tflags[t] & DC_ThreadWriteStack))
			continue;
		const struct dc_region *r = dc_process_region_at(p, s->base);
		if (!r || !r->contents)
			continue;
		const uint8_t *bytes = r->contents + (s->base - r->base);
		for (uint64_t off = 0; off + ps <= s->size; off += ps) {
			uint64_t v = dci_le_word(bytes + off, ps);
			const struct dc_region *target = dc_process_region_at(p, v);
			if (!target || !target->contents || target->type == DC_MEM_IMAGE ||
			    points_to_code_or_stack(p, v))
				continue;
			uint64_t start = v - target->base >= INDIRECT_WINDOW / 2 ? v - INDIRECT_WINDOW / 2
										 : target->base;
			dci_w_add_readable(w, start, INDIRECT_WINDOW);
		}
	}
}

void dci_w_select_memory(struct dci_writer *w)
{
	if (FLAG(w, DC_MiniDumpWithFullMemory)) {
		select_full_memory(w);
		return;
	}
	if (FLAG(w, DC_MiniDumpWithIndirectlyReferencedMemory))
		add_indirect(w);
	select_partial_memory(w);
	dci_w_callbacks_add_memory(w);
	merge_ranges(w);
	dci_w_callbacks_remove_memory(w);
}

const uint8_t *dci_w_model_bytes(const struct dci_writer *w, const struct dci_wmem *m)
{
	const struct dc_region *r = dc_process_region_at(w->p, m->start);
	if (!r || !r->contents || m->size > r->size - (m->start - r->base))
		return NULL;
	return r->contents + (m->start - r->base);
}

static bool overlaps_stack(const struct dc_process *p, const struct dci_wmem *m)
{
	for (size_t t = 0; t < p->nthreads; t++) {
		const struct dc_range64 *s = &p->threads[t].stack;
		if (s->size && s->base < m->start + m->size && m->start < s->base + s->size)
			return true;
	}
	return false;
}

bool dci_w_filters(const struct dci_writer *w, const struct dci_wmem *m)
{
	return FLAG(w, DC_MiniDumpFilterMemory) && overlaps_stack(w->p, m);
}

/* Zero, in `buf`, the stack words of [at, at + n) that FilterMemory drops.
 * The words are those of the whole range `m` (a piece is filtered exactly
 * as the whole range would be, even where a word straddles two pieces),
 * and whether a word stays is decided on the model's value of it, never on
 * bytes a Vm callback supplied (writer.vm_filter_memory). */
void dci_w_filter(const struct dci_writer *w, const struct dci_wmem *m, uint64_t at, uint64_t n,
		  uint8_t *buf)
{
	const struct dc_process *p = w->p;
	const uint8_t *model = dci_w_model_bytes(w, m);
	unsigned ps = dc_arch_pointer_size(p->arch);
	for (size_t t = 0; model && t < p->nthreads; t++) {
		const struct dc_range64 *s = &p->threads[t].stack;
		uint64_t lo = s->base > m->start ? s->base : m->start;
		uint64_t send = s->base + s->size, mend = m->start + m->size, hi = send < mend ? send : mend;
		uint64_t a = at > lo ? lo + (at - lo) / ps * ps : lo; /* the word holding `at` */
		for (; a + ps <= hi && a < at + n; a += ps) {
			if (points_to_code_or_stack(p, dci_le_word(model + (a - m->start), ps)))
				continue;
			uint64_t from = a > at ? a : at, to = a + ps < at + n ? a + ps : at + n;
			memset(buf + (from - at), 0, (size_t)(to - from));
		}
	}
}
