/* The process model: an arena for its bytes and growable arrays of facts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/process.h"
#include "internal.h"
#include "tokens.h"

/* A chunked arena: blocks never move, so returned pointers stay valid. */
struct dci_arena {
	struct arena_block *head;
};

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	uint8_t data[];
};

#define ARENA_BLOCK (64u * 1024u)

static void *arena_alloc(struct dci_arena *a, size_t n)
{
	size_t need = (n + 15u) & ~(size_t)15u;
	if (need < n)
		return NULL;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	return p;
}

enum dc_err dc_process_init(struct dc_process *p, enum dc_arch arch)
{
	memset(p, 0, sizeof(*p));
	p->arch = arch;
	p->arena = calloc(1, sizeof(*p->arena));
	if (!p->arena)
		return DC_E_NOMEM;
	p->system.platform_id = 2; /* VER_PLATFORM_WIN32_NT */
	p->system.csd = "";
	return DC_OK;
}

void dc_process_free(struct dc_process *p)
{
	if (p->arena) {
		struct arena_block *b = p->arena->head;
		while (b) {
			struct arena_block *next = b->next;
			free(b);
			b = next;
		}
		free(p->arena);
	}
	free(p->threads);
	free(p->modules);
	free(p->regions);
	free(p->handles);
	free(p->unloaded);
	memset(p, 0, sizeof(*p));
}

uint8_t *dc_process_copy(struct dc_process *p, const void *data, size_t n)
{
	uint8_t *dst = arena_alloc(p->arena, n ? n : 1);
	if (!dst)
		return NULL;
	if (data)
		memcpy(dst, data, n);
	else
		memset(dst, 0, n);
	return dst;
}

const char *dc_process_strdup(struct dc_process *p, const char *s)
{
	return (const char *)dc_process_copy(p, s, strlen(s) + 1);
}

/* Append one zeroed element to a growable array; NULL on ENOMEM. */
static void *grow(void **items, size_t *count, size_t *cap, size_t size)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *n = realloc(*items, ncap * size);
		if (!n)
			return NULL;
		*items = n;
		*cap = ncap;
	}
	uint8_t *slot = (uint8_t *)*items + (*count)++ * size;
	memset(slot, 0, size);
	return slot;
}

struct dc_thread *dc_process_add_thread(struct dc_process *p)
{
	return grow((void **)&p->threads, &p->nthreads, &p->caps[0], sizeof(*p->threads));
}

struct dc_module *dc_process_add_module(struct dc_process *p)
{
	return grow((void **)&p->modules, &p->nmodules, &p->caps[1], sizeof(*p->modules));
}

struct dc_region *dc_process_add_region(struct dc_process *p)
{
	return grow((void **)&p->regions, &p->nregions, &p->caps[2], sizeof(*p->regions));
}

struct dc_handle *dc_process_add_handle(struct dc_process *p)
{
	return grow((void **)&p->handles, &p->nhandles, &p->caps[3], sizeof(*p->handles));
}

struct dc_unloaded_module *dc_process_add_unloaded(struct dc_process *p)
{
	return grow((void **)&p->unloaded, &p->nunloaded, &p->caps[4], sizeof(*p->unloaded));
}

uint32_t dc_arch_context_size(enum dc_arch arch)
{
	const struct dc_context_desc *c = dc_context_lookup((uint32_t)arch);
	return c ? c->size : 0;
}

const struct dc_region *dc_process_region_at(const struct dc_process *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nregions;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dc_region *r = &p->regions[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* True when [base, base + size) lies inside one readable region. */
static bool readable(const struct dc_process *p, uint64_t base, uint64_t size)
{
	const struct dc_region *r = dc_process_region_at(p, base);
	return r && r->contents && size <= r->size - (base - r->base);
}

DCI_PRINTF(3, 4) static enum dc_err fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why && len)
		vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return DC_E_MALFORMED;
}

static enum dc_err check_regions(const struct dc_process *p, char *why, size_t len)
{
	for (size_t i = 0; i < p->nregions; i++) {
		const struct dc_region *r = &p->regions[i];
		uint64_t end;
		if (!r->size || !dci_add(r->base, r->size, &end))
			return fail(why, len, "region at 0x%llX is empty or wraps", (unsigned long long)r->base);
		if (i && r->base < p->regions[i - 1].base + p->regions[i - 1].size)
			return fail(why, len, "region at 0x%llX overlaps or is out of order", (unsigned long long)r->base);
	}
	return DC_OK;
}

static enum dc_err check_threads(const struct dc_process *p, char *why, size_t len)
{
	uint32_t ctx = dc_arch_context_size(p->arch);
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct dc_thread *t = &p->threads[i];
		if (t->context.size != ctx)
			return fail(why, len, "thread %u: context of %llu bytes, the architecture's is %u",
				    t->id, (unsigned long long)t->context.size, ctx);
		if (t->stack.size && !readable(p, t->stack.base, t->stack.size))
			return fail(why, len, "thread %u: stack is not inside one readable region", t->id);
	}
	return DC_OK;
}

/* The token bytes are copied into TokenStream as they are: they must have
 * the shape the validator asks of it (token.size). */
static enum dc_err check_tokens(const struct dc_process *p, char *why, size_t len)
{
	struct dci_cur s = dci_cur_whole(p->tokens.data, p->tokens.size), list, elem;
	uint64_t pos;
	uint32_t entries;
	if (!p->tokens.size)
		return DC_OK;
	if (!p->tokens.data || !dci_token_list(&s, &list, &pos, &entries))
		return fail(why, len, "token list: its header does not fit its %llu bytes",
			    (unsigned long long)p->tokens.size);
	for (uint32_t k = 0; k < entries; k++)
		if (!dci_token_next(&list, &pos, &elem))
			return fail(why, len, "token list: token %u does not fit the list", k);
	return DC_OK;
}

enum dc_err dc_process_check(const struct dc_process *p, char *why, size_t why_len)
{
	if (!dc_arch_context_size(p->arch))
		return fail(why, why_len, "unsupported architecture %u", (unsigned)p->arch);
	enum dc_err err = check_regions(p, why, why_len);
	if (err == DC_OK)
		err = check_threads(p, why, why_len);
	if (err == DC_OK)
		err = check_tokens(p, why, why_len);
	if (err != DC_OK || !p->has_exception)
		return err;
	if (p->exception.nparams > 15)
		return fail(why, why_len, "exception with %u parameters, at most 15",
			    p->exception.nparams);
	if (p->exception.context.size && p->exception.context.size != dc_arch_context_size(p->arch))
		return fail(why, why_len, "exception context of %llu bytes, the architecture's is %u",
			    (unsigned long long)p->exception.context.size, dc_arch_context_size(p->arch));
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].id == p->exception.thread_id)
			return DC_OK;
	return fail(why, why_len, "exception thread %u is not a thread of the process",
		    p->exception.thread_id);
}

bool dc_thread_instruction_window(const struct dc_process *p, const struct dc_thread *t,
				  uint64_t *start, uint64_t *size)
{
	const struct dc_context_desc *cd = dc_context_lookup(p->arch);
	if (!cd || !t->context.data || t->context.size < (uint64_t)cd->pc_off + cd->reg_size)
		return false;
	const uint8_t *b = t->context.data + cd->pc_off;
	uint64_t pc = dci_le_word(b, cd->reg_size);
	const struct dc_region *r = dc_process_region_at(p, pc);
	if (!r || !r->contents)
		return false;
	uint64_t half = DC_INSTRUCTION_WINDOW / 2, end = r->base + (r->size - 1);
	*start = pc - r->base >= half ? pc - half : r->base;
	uint64_t last = end - pc >= half ? pc + half - 1 : end; /* inclusive: a region may end at 2^64 */
	*size = last - *start + 1;
	return true;
}

unsigned dc_arch_pointer_size(enum dc_arch arch)
{
	return arch == DC_ARCH_X86 ? 4u : 8u;
}
