/* Test-only process models and a memory sink (see procbuild.h). */
#include <stdlib.h>
#include <string.h>

#include "procbuild.h"

#define PAGE 0x1000u

static uint8_t *region(struct dc_process *p, uint64_t base, uint64_t size, uint32_t protect,
		       uint32_t type, bool readable)
{
	uint8_t *c = NULL;
	struct dc_region *r = dc_process_add_region(p);
	r->base = base;
	r->size = size;
	r->allocation_base = base;
	r->allocation_protect = protect;
	r->state = DC_MEM_COMMIT;
	r->protect = protect;
	r->type = type;
	if (readable) {
		c = dc_process_copy(p, NULL, size);
		for (uint64_t i = 0; i < size; i++)
			c[i] = (uint8_t)(base >> 12) ^ (uint8_t)i;
		r->contents = c;
	}
	return c;
}

static void store64(uint8_t *b, uint64_t v)
{
	for (int k = 0; k < 8; k++)
		b[k] = (uint8_t)(v >> (8 * k));
}

static void thread(struct dc_process *p, uint32_t id, uint64_t stack, const char *name)
{
	struct dc_thread *t = dc_process_add_thread(p);
	uint32_t ctx_size = dc_arch_context_size(p->arch);
	uint8_t *ctx = dc_process_copy(p, NULL, ctx_size);
	ctx[0x30] = 0x1F;
	ctx[0x32] = 0x10; /* ContextFlags 0x0010001F: CONTEXT_AMD64 | CONTEXT_ALL */
	t->id = id;
	t->priority_class = 0x20;
	t->teb = 0x7FFE0000ull + id * PAGE;
	t->context.data = ctx;
	t->context.size = ctx_size;
	t->stack.base = stack + PAGE;
	t->stack.size = PAGE;
	t->name = name ? dc_process_strdup(p, name) : NULL;
	t->create_time = 133000000000000000ull + id;
	t->start_address = 0x401000;
	t->affinity = 0xF;
}

static void module(struct dc_process *p, uint64_t base, const char *path)
{
	static const uint8_t cv[] = { 'R', 'S', 'D', 'S', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				      13, 14, 15, 16, 1, 0, 0, 0, 'm', '.', 'p', 'd', 'b', 0 };
	static const uint8_t misc[12] = { 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0 };
	struct dc_module *m = dc_process_add_module(p);
	m->base = base;
	m->size = 4 * PAGE;
	m->timestamp = 1600000000u;
	m->path = dc_process_strdup(p, path);
	m->version[0] = 0xFEEF04BDu;
	m->version[1] = 0x00010000u;
	m->cv.data = dc_process_copy(p, cv, sizeof(cv));
	m->cv.size = sizeof(cv);
	m->misc.data = dc_process_copy(p, misc, sizeof(misc));
	m->misc.size = sizeof(misc);
	struct dc_range64 *sections = (struct dc_range64 *)dc_process_copy(p, NULL, 2 * sizeof(*sections));
	sections[0].base = base + PAGE;      /* code */
	sections[0].size = PAGE;
	sections[1].base = base + 2 * PAGE;  /* data */
	sections[1].size = 0x800;
	m->code_sections = &sections[0];
	m->ncode_sections = 1;
	m->data_sections = &sections[1];
	m->ndata_sections = 1;
}

static void handles(struct dc_process *p)
{
	static const uint8_t info[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct dc_handle *h = dc_process_add_handle(p);
	h->handle = 4;
	h->type_name = dc_process_strdup(p, "Event");
	h->handle_count = 1;
	h->objinfo = (struct dc_objinfo *)dc_process_copy(p, NULL, 2 * sizeof(*h->objinfo));
	h->nobjinfo = 2;
	h->objinfo[0].info_type = 6;
	h->objinfo[0].bytes.data = dc_process_copy(p, info, sizeof(info));
	h->objinfo[0].bytes.size = sizeof(info);
	h->objinfo[1].info_type = 1;
	h = dc_process_add_handle(p);
	h->handle = 8;
	h->type_name = dc_process_strdup(p, "File");
	h->object_name = dc_process_strdup(p, "\\Device\\HarddiskVolume1\\log.txt");
}

static void tokens(struct dc_process *p)
{
	uint8_t t[16 + 24] = { 0 };
	t[0] = sizeof(t);  /* TokenListSize */
	t[4] = 1;          /* TokenListEntries */
	t[8] = 16;         /* ListHeaderSize */
	t[12] = 16;        /* ElementHeaderSize */
	t[16] = 24;        /* TokenSize */
	t[20] = 7;         /* TokenId */
	p->tokens.data = dc_process_copy(p, t, sizeof(t));
	p->tokens.size = sizeof(t);
}

void pb_process(struct dc_process *p)
{
	dc_process_init(p, DC_ARCH_AMD64);
	p->pid = 4242;
	p->system.processors = 8;
	p->system.product_type = 1;
	p->system.major = 10;
	p->system.build = 19045;
	p->system.csd = dc_process_strdup(p, "");
	p->create_time = 1700000000u;
	module(p, 0x400000, "C:\\app\\app.exe");
	module(p, 0x7FF800000000ull, "C:\\Windows\\System32\\ntdll.dll");
	module(p, 0x7FF810000000ull, "C:\\Windows\\System32\\kernel32.dll");
	/* regions sorted by base: stacks, heap, an unreadable page, images */
	uint8_t *stack0 = region(p, 0x100000, 2 * PAGE, DC_PAGE_READWRITE, DC_MEM_PRIVATE, true);
	store64(stack0 + PAGE + PB_STACK_CODE_PTR, 0x401234);  /* into app.exe */
	store64(stack0 + PAGE + PB_STACK_HEAP_PTR, PB_HEAP_TARGET);
	region(p, 0x110000, 2 * PAGE, DC_PAGE_READWRITE, DC_MEM_PRIVATE, true);
	region(p, 0x120000, 2 * PAGE, DC_PAGE_READWRITE, DC_MEM_PRIVATE, true);
	region(p, 0x200000, 4 * PAGE, DC_PAGE_READWRITE, DC_MEM_PRIVATE, true);
	region(p, 0x300000, PAGE, DC_PAGE_WRITECOPY, DC_MEM_PRIVATE, true);
	region(p, 0x310000, PAGE, DC_PAGE_READWRITE, DC_MEM_MAPPED, false);
	region(p, 0x400000, 4 * PAGE, 0x20 /* PAGE_EXECUTE_READ */, DC_MEM_IMAGE, true);
	region(p, 0x7FF800000000ull, 4 * PAGE, 0x20, DC_MEM_IMAGE, true);
	region(p, 0x7FF810000000ull, 4 * PAGE, 0x20, DC_MEM_IMAGE, true);
	thread(p, 0x1001, 0x100000, "main");
	thread(p, 0x1002, 0x110000, NULL);
	thread(p, 0x1003, 0x120000, "worker");
	handles(p);
	struct dc_unloaded_module *u = dc_process_add_unloaded(p);
	u->base = 0x500000;
	u->size = 2 * PAGE;
	u->name = dc_process_strdup(p, "C:\\app\\plugin.dll");
	tokens(p);
	p->has_exception = true;
	p->exception.thread_id = 0x1002;
	p->exception.code = 0xC0000005u;
	p->exception.address = 0x401234;
	p->exception.nparams = 2;
	p->exception.params[1] = 0xDEAD;
	p->exception.context = p->threads[1].context;
}

void pb_buf_init(struct pb_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->fail_at = UINT64_MAX;
}

void pb_buf_free(struct pb_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

enum dc_err pb_buf_write(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	struct pb_buf *b = ctx;
	b->writes++;
	if (b->fail_at >= offset && b->fail_at - offset < n)
		return DC_E_IO;
	uint64_t end = offset + n;
	if (end > b->cap) {
		uint64_t cap = b->cap ? b->cap : 4096;
		while (cap < end)
			cap *= 2;
		uint8_t *d = realloc(b->data, cap);
		if (!d)
			return DC_E_NOMEM;
		memset(d + b->cap, 0, cap - b->cap);
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + offset, buf, n);
	if (end > b->size)
		b->size = end;
	return DC_OK;
}
