/* dc_minidump_read_process: a minidump back into a process model. This
 * file: the shared reading helpers, header, directory, SystemInfo,
 * MiscInfo, threads, modules and memory; readmodel_lists.c the rest. */
#include <stdlib.h>
#include <string.h>

#include "rd.h"

/* Budget beyond the input size: the fixed part of a small model (the
 * first array slots, the arena's first block). */
#define SLACK (64u * 1024u)

bool dci_rd_fail(struct dci_rd *r, enum dc_err err)
{
	if (r->err == DC_OK)
		r->err = err;
	return false;
}

bool dci_rd_charge(struct dci_rd *r, uint64_t n)
{
	if (r->err != DC_OK)
		return false;
	if (n > r->budget)
		return dci_rd_fail(r, DC_E_LIMIT);
	r->budget -= n;
	return true;
}

void *dci_rd_alloc(struct dci_rd *r, uint64_t n)
{
	if (n == 0 || !dci_rd_charge(r, n))
		return NULL;
	void *m = n <= SIZE_MAX ? dc_process_copy(r->p, NULL, (size_t)n) : NULL;
	if (!m)
		dci_rd_fail(r, DC_E_NOMEM);
	return m;
}

bool dci_rd_stream(const struct dci_rd *r, uint32_t type, struct dci_cur *out)
{
	if (r->err != DC_OK)
		return false;
	for (size_t i = 0; i < r->x->nstreams; i++) {
		const struct dc_read_stream *s = &r->x->streams[i];
		if (s->type == type)
			return dci_cur_sub(&r->file, s->rva, s->size, out);
	}
	return false;
}

const char *dci_rd_string(struct dci_rd *r, uint64_t rva)
{
	uint32_t len;
	struct dci_cur s;
	if (r->err != DC_OK || rva == 0)
		return NULL;
	if (!dci_at_u32(&r->file, rva, &len) || !dci_cur_sub(&r->file, rva + 4, len, &s)) {
		dci_rd_fail(r, DC_E_TRUNCATED);
		return NULL;
	}
	if (len % 2) {
		dci_rd_fail(r, DC_E_MALFORMED);
		return NULL;
	}
	/* Charge the least the text can take before sizing it, so that many
	 * references to one long string cost budget, not just time. */
	if (!dci_rd_charge(r, len / 2))
		return NULL;
	uint64_t n = dci_utf16_utf8_size(s.p, len / 2);
	r->budget += len / 2;
	char *out = dci_rd_alloc(r, n + 1);
	if (out)
		dci_utf16_to_utf8(s.p, len / 2, out, (size_t)n + 1);
	return out;
}

bool dci_rd_location(struct dci_rd *r, const struct dci_cur *c, uint64_t off, struct dc_blob *out)
{
	uint32_t size, rva;
	struct dci_cur b;
	out->data = NULL;
	out->size = 0;
	if (r->err != DC_OK)
		return false;
	if (!dci_at_u32(c, off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize, &size) ||
	    !dci_at_u32(c, off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, &rva))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	if (size == 0)
		return true;
	if (!dci_cur_sub(&r->file, rva, size, &b))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	out->data = b.p;
	out->size = size;
	return true;
}

bool dci_rd_vlist(struct dci_rd *r, uint32_t type, uint32_t min_entry, struct dci_rd_vlist *out)
{
	const struct dc_stream_desc *sd = dc_stream_lookup(type);
	struct dci_cur *s = &out->stream;
	uint32_t hs, es;
	uint64_t n, bytes;
	if (!sd || sd->shape != DC_SHAPE_VLIST || !dci_rd_stream(r, type, s))
		return false;
	if (s->len < dc_struct_descs[sd->header].size || !dci_at_u32(s, sd->header_size_off, &hs) ||
	    !dci_at_u32(s, sd->entry_size_off, &es) ||
	    !dci_at_uint(s, sd->count_off, sd->count_width, &n))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	if (hs < dc_struct_descs[sd->header].size || es < min_entry)
		return dci_rd_fail(r, DC_E_MALFORMED);
	if (hs > s->len || !dci_mul(n, es, &bytes) || bytes > s->len - hs)
		return dci_rd_fail(r, DC_E_TRUNCATED);
	out->first = hs;
	out->stride = es;
	out->count = n;
	return true;
}

bool dci_rd_list32(struct dci_rd *r, uint32_t type, uint32_t stride, struct dci_rd_vlist *out)
{
	uint32_t n;
	if (!dci_rd_stream(r, type, &out->stream))
		return false;
	if (!dci_at_u32(&out->stream, 0, &n) || (uint64_t)n * stride > out->stream.len - 4)
		return dci_rd_fail(r, DC_E_TRUNCATED);
	out->first = 4;
	out->stride = stride;
	out->count = n;
	return true;
}

struct dci_cur dci_rd_entry(const struct dci_rd_vlist *l, uint64_t k)
{
	struct dci_cur e = { l->stream.p, l->stream.base, 0, 0 }; /* empty: every read fails */
	uint64_t off;
	if (dci_mul(k, l->stride, &off) && dci_add(off, l->first, &off))
		dci_cur_sub(&l->stream, off, l->stride, &e);
	return e;
}

/* ---------------------------------------------------------------- header, directory */

static bool read_header(struct dci_rd *r, uint32_t *count, uint32_t *dir)
{
	uint32_t sig;
	struct dc_read_extra *x = r->x;
	if (!dci_at_u32(&r->file, DC_OFF_MINIDUMP_HEADER_Signature, &sig))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	if (sig != DC_MINIDUMP_SIGNATURE)
		return dci_rd_fail(r, DC_E_MALFORMED);
	if (r->file.len < DC_SIZE_MINIDUMP_HEADER)
		return dci_rd_fail(r, DC_E_TRUNCATED);
	x->version = dci_rd_u32(&r->file, DC_OFF_MINIDUMP_HEADER_Version);
	*count = dci_rd_u32(&r->file, DC_OFF_MINIDUMP_HEADER_NumberOfStreams);
	*dir = dci_rd_u32(&r->file, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva);
	x->checksum = dci_rd_u32(&r->file, DC_OFF_MINIDUMP_HEADER_CheckSum);
	x->timestamp = dci_rd_u32(&r->file, DC_OFF_MINIDUMP_HEADER_TimeDateStamp);
	x->flags = dci_rd_u64(&r->file, DC_OFF_MINIDUMP_HEADER_Flags);
	return true;
}

/* Every used entry must lie inside the file: a stream the reader cannot
 * reach is a truncated dump, whatever its type. */
static bool read_entry(struct dci_rd *r, const struct dci_cur *dir, uint32_t k,
		       struct dc_read_stream *s)
{
	struct dci_cur e, b;
	if (!dci_cur_sub(dir, (uint64_t)k * DC_SIZE_MINIDUMP_DIRECTORY, DC_SIZE_MINIDUMP_DIRECTORY,
			 &e))
		return dci_rd_fail(r, DC_E_TRUNCATED); /* the caller sized dir: cannot happen */
	uint32_t loc = DC_OFF_MINIDUMP_DIRECTORY_Location;
	s->type = dci_rd_u32(&e, DC_OFF_MINIDUMP_DIRECTORY_StreamType);
	s->size = dci_rd_u32(&e, loc + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize);
	s->rva = dci_rd_u32(&e, loc + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva);
	s->data = NULL;
	if (s->type == DC_STREAM_UNUSED)
		return true;
	if (!dci_cur_sub(&r->file, s->rva, s->size, &b))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	s->data = b.p;
	return true;
}

static bool read_directory(struct dci_rd *r, uint32_t count, uint32_t rva)
{
	struct dc_read_extra *x = r->x;
	struct dci_cur dir;
	size_t used = 0, user = 0;
	if (!dci_cur_sub(&r->file, rva, (uint64_t)count * DC_SIZE_MINIDUMP_DIRECTORY, &dir))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	for (uint32_t k = 0; k < count; k++) {
		uint32_t type = dci_rd_u32(&dir, (uint64_t)k * DC_SIZE_MINIDUMP_DIRECTORY);
		used += type != DC_STREAM_UNUSED;
		user += type > DC_LAST_RESERVED_STREAM;
	}
	x->streams = dci_rd_alloc(r, (uint64_t)used * sizeof(*x->streams));
	x->user_streams = dci_rd_alloc(r, (uint64_t)user * sizeof(*x->user_streams));
	for (uint32_t k = 0; k < count && r->err == DC_OK; k++) {
		struct dc_read_stream s;
		if (!read_entry(r, &dir, k, &s) || s.type == DC_STREAM_UNUSED)
			continue;
		x->streams[x->nstreams++] = s;
		if (s.type > DC_LAST_RESERVED_STREAM)
			x->user_streams[x->nuser_streams++] = s;
	}
	return r->err == DC_OK;
}

/* ---------------------------------------------------------------- system, misc */

static void read_system(struct dci_rd *r)
{
	struct dci_cur s;
	struct dc_system *sys = &r->p->system;
	if (!dci_rd_stream(r, DC_STREAM_SYSTEM_INFO, &s)) {
		r->p->arch = (enum dc_arch)DC_PROCESSOR_ARCHITECTURE_UNKNOWN;
		return;
	}
	if (s.len < DC_SIZE_MINIDUMP_SYSTEM_INFO) {
		dci_rd_fail(r, DC_E_TRUNCATED);
		return;
	}
	r->x->has_system_info = true;
	r->p->arch = (enum dc_arch)dci_rd_u16(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture);
	sys->processor_level = dci_rd_u16(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorLevel);
	sys->processor_revision = dci_rd_u16(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorRevision);
	dci_at_u8(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_NumberOfProcessors, &sys->processors);
	dci_at_u8(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_ProductType, &sys->product_type);
	sys->major = dci_rd_u32(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_MajorVersion);
	sys->minor = dci_rd_u32(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_MinorVersion);
	sys->build = dci_rd_u32(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_BuildNumber);
	sys->platform_id = dci_rd_u32(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId);
	sys->suite_mask = dci_rd_u16(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_SuiteMask);
	for (uint32_t k = 0; k < sizeof(sys->cpu); k++)
		dci_at_u8(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_Cpu + k, &sys->cpu[k]);
	const char *csd = dci_rd_string(r, dci_rd_u32(&s, DC_OFF_MINIDUMP_SYSTEM_INFO_CSDVersionRva));
	sys->csd = csd ? csd : "";
}

/* A MiscInfo field is valid when inside SizeOfInfo and the stream, and its
 * Flags1 bit is set (spec-notes §2.2). */
static void read_misc(struct dci_rd *r)
{
	struct dci_cur s;
	uint32_t size, flags;
	struct dc_process *p = r->p;
	if (!dci_rd_stream(r, DC_STREAM_MISC_INFO, &s))
		return;
	if (!dci_at_u32(&s, DC_OFF_MINIDUMP_MISC_INFO_N_SizeOfInfo, &size) ||
	    !dci_at_u32(&s, DC_OFF_MINIDUMP_MISC_INFO_N_Flags1, &flags)) {
		dci_rd_fail(r, DC_E_TRUNCATED);
		return;
	}
	r->x->has_misc_info = true;
	r->x->misc_flags1 = flags;
	uint64_t avail = size < s.len ? size : s.len;
	if ((flags & DC_MINIDUMP_MISC1_PROCESS_ID) && avail >= DC_OFF_MINIDUMP_MISC_INFO_N_ProcessId + 4)
		p->pid = dci_rd_u32(&s, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessId);
	if ((flags & DC_MINIDUMP_MISC1_PROCESS_TIMES) &&
	    avail >= DC_OFF_MINIDUMP_MISC_INFO_N_ProcessKernelTime + 4) {
		p->create_time = dci_rd_u32(&s, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessCreateTime);
		p->user_time = dci_rd_u32(&s, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessUserTime);
		p->kernel_time = dci_rd_u32(&s, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessKernelTime);
	}
}

/* ---------------------------------------------------------------- memory */

/* A region over `bytes` (inside the input) at target address `base`. */
static void add_region(struct dci_rd *r, uint64_t base, const struct dc_blob *bytes)
{
	uint64_t end;
	if (!bytes->size)
		return;
	if (!dci_add(base, bytes->size, &end)) {
		dci_rd_fail(r, DC_E_MALFORMED);
		return;
	}
	struct dc_region *g = dci_rd_charge(r, sizeof(*g)) ? dc_process_add_region(r->p) : NULL;
	if (!g) {
		dci_rd_fail(r, DC_E_NOMEM);
		return;
	}
	g->base = base;
	g->size = bytes->size;
	g->contents = bytes->data;
}

static void read_memory_list(struct dci_rd *r)
{
	struct dci_rd_vlist l;
	if (!dci_rd_list32(r, DC_STREAM_MEMORY_LIST, DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR, &l))
		return;
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		struct dc_blob bytes;
		if (dci_rd_location(r, &e, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory, &bytes))
			add_region(r, dci_rd_u64(&e, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_StartOfMemoryRange),
				   &bytes);
	}
}

/* Memory64List data is implied: range k starts where range k-1 ended,
 * from BaseRva on. */
static void read_memory64(struct dci_rd *r)
{
	struct dci_rd_vlist l = { .first = DC_SIZE_MINIDUMP_MEMORY64_LIST,
				  .stride = DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64 };
	uint64_t at, bytes;
	if (!dci_rd_stream(r, DC_STREAM_MEMORY64_LIST, &l.stream))
		return;
	if (!dci_at_u64(&l.stream, DC_OFF_MINIDUMP_MEMORY64_LIST_NumberOfMemoryRanges, &l.count) ||
	    !dci_at_u64(&l.stream, DC_OFF_MINIDUMP_MEMORY64_LIST_BaseRva, &at) ||
	    !dci_mul(l.count, l.stride, &bytes) || bytes > l.stream.len - l.first) {
		dci_rd_fail(r, DC_E_TRUNCATED);
		return;
	}
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k), data;
		uint64_t size = dci_rd_u64(&e, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize);
		if (!dci_cur_sub(&r->file, at, size, &data)) {
			dci_rd_fail(r, DC_E_TRUNCATED);
			return;
		}
		struct dc_blob b = { data.p, size };
		add_region(r, dci_rd_u64(&e, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_StartOfMemoryRange), &b);
		at += size;
	}
}

static int region_order(const void *a, const void *b)
{
	const struct dc_region *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1; /* the larger first: it holds the other */
	uintptr_t px = (uintptr_t)x->contents, py = (uintptr_t)y->contents;
	return px < py ? -1 : px > py;
}

/* `g` is a part of `c` with the same file bytes (a stack inside a memory
 * range, or a range listed twice). */
static bool same_bytes(const struct dc_region *c, const struct dc_region *g)
{
	uint64_t off = g->base - c->base;
	return g->base >= c->base && off < c->size && g->size <= c->size - off &&
	       g->contents == c->contents + off;
}

/* Sort by base; drop the regions whose bytes another region already gives. */
static void drop_repeats(struct dc_process *p)
{
	size_t out = 0, c = 0; /* c: the kept region reaching furthest */
	if (p->nregions > 1)
		qsort(p->regions, p->nregions, sizeof(*p->regions), region_order);
	for (size_t i = 0; i < p->nregions; i++) {
		struct dc_region g = p->regions[i];
		if (out && same_bytes(&p->regions[c], &g))
			continue;
		p->regions[out] = g;
		if (!out || g.base + g.size > p->regions[c].base + p->regions[c].size)
			c = out;
		out++;
	}
	p->nregions = out;
}

static bool sorted_info(const struct dc_read_extra *x)
{
	for (size_t i = 1; i < x->nmemory_info; i++) {
		const struct dc_region *a = &x->memory_info[i - 1];
		if (x->memory_info[i].base < a->base || x->memory_info[i].base - a->base < a->size)
			return false;
	}
	return true;
}

/* The MemoryInfoList entry (sorted, disjoint) holding `addr`, or NULL. */
static const struct dc_region *info_at(const struct dc_read_extra *x, uint64_t addr)
{
	size_t lo = 0, hi = x->nmemory_info;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dc_region *g = &x->memory_info[mid];
		if (addr < g->base)
			hi = mid;
		else if (addr - g->base >= g->size)
			lo = mid + 1;
		else
			return g;
	}
	return NULL;
}

static void finish_regions(struct dci_rd *r)
{
	struct dc_process *p = r->p;
	bool lookup = r->x->nmemory_info && sorted_info(r->x);
	if (r->err != DC_OK)
		return;
	drop_repeats(p);
	for (size_t i = 0; i < p->nregions; i++) {
		struct dc_region *g = &p->regions[i];
		const struct dc_region *info = lookup ? info_at(r->x, g->base) : NULL;
		g->state = info ? info->state : DC_MEM_COMMIT;
		if (!info)
			continue;
		g->allocation_base = info->allocation_base;
		g->allocation_protect = info->allocation_protect;
		g->protect = info->protect;
		g->type = info->type;
	}
}

/* ---------------------------------------------------------------- threads, modules */

static void read_thread(struct dci_rd *r, const struct dci_cur *e)
{
	struct dc_thread *t = dci_rd_charge(r, sizeof(*t)) ? dc_process_add_thread(r->p) : NULL;
	struct dc_blob stack;
	if (!t) {
		dci_rd_fail(r, DC_E_NOMEM);
		return;
	}
	t->id = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_ThreadId);
	t->suspend_count = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_SuspendCount);
	t->priority_class = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_PriorityClass);
	t->priority = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_Priority);
	t->teb = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_Teb);
	t->stack.base = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_Stack +
					      DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_StartOfMemoryRange);
	if (!dci_rd_location(r, e, DC_OFF_MINIDUMP_THREAD_Stack + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory,
			     &stack) ||
	    !dci_rd_location(r, e, DC_OFF_MINIDUMP_THREAD_ThreadContext, &t->context))
		return;
	t->stack.size = stack.size;
	add_region(r, t->stack.base, &stack); /* dropped later if a range gives the same bytes */
}

static void read_threads(struct dci_rd *r)
{
	struct dci_rd_vlist l;
	if (!dci_rd_list32(r, DC_STREAM_THREAD_LIST, DC_SIZE_MINIDUMP_THREAD, &l))
		return;
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		read_thread(r, &e);
	}
}

static void read_module(struct dci_rd *r, const struct dci_cur *e)
{
	struct dc_module *m = dci_rd_charge(r, sizeof(*m)) ? dc_process_add_module(r->p) : NULL;
	if (!m) {
		dci_rd_fail(r, DC_E_NOMEM);
		return;
	}
	m->base = dci_rd_u64(e, DC_OFF_MINIDUMP_MODULE_BaseOfImage);
	m->size = dci_rd_u32(e, DC_OFF_MINIDUMP_MODULE_SizeOfImage);
	m->checksum = dci_rd_u32(e, DC_OFF_MINIDUMP_MODULE_CheckSum);
	m->timestamp = dci_rd_u32(e, DC_OFF_MINIDUMP_MODULE_TimeDateStamp);
	for (uint32_t k = 0; k < 13; k++)
		m->version[k] = dci_rd_u32(e, DC_OFF_MINIDUMP_MODULE_VersionInfo + 4 * k);
	m->path = dci_rd_string(r, dci_rd_u32(e, DC_OFF_MINIDUMP_MODULE_ModuleNameRva));
	if (dci_rd_location(r, e, DC_OFF_MINIDUMP_MODULE_CvRecord, &m->cv))
		dci_rd_location(r, e, DC_OFF_MINIDUMP_MODULE_MiscRecord, &m->misc);
}

static void read_modules(struct dci_rd *r)
{
	struct dci_rd_vlist l;
	if (!dci_rd_list32(r, DC_STREAM_MODULE_LIST, DC_SIZE_MINIDUMP_MODULE, &l))
		return;
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		read_module(r, &e);
	}
}

/* ---------------------------------------------------------------- entry point */

static void read_all(struct dci_rd *r)
{
	uint32_t count, dir;
	if (!read_header(r, &count, &dir) || !read_directory(r, count, dir))
		return;
	read_system(r);
	read_misc(r);
	read_threads(r);
	read_modules(r);
	read_memory_list(r);
	read_memory64(r);
	dci_rd_thread_extras(r);
	dci_rd_memory_info(r);
	finish_regions(r);
	dci_rd_handles(r);
	dci_rd_unloaded(r);
	dci_rd_tokens(r);
	dci_rd_exception(r);
}

enum dc_err dc_minidump_read_process(const uint8_t *data, uint64_t size, struct dc_process *out,
				     struct dc_read_extra *extra)
{
	struct dc_read_extra local;
	struct dci_rd r;
	if (!out || (!data && size))
		return DC_E_MISUSE;
	memset(&r, 0, sizeof(r));
	r.x = extra ? extra : &local;
	memset(r.x, 0, sizeof(*r.x));
	r.file = dci_cur_whole(data, size);
	r.budget = size > UINT64_MAX - SLACK ? UINT64_MAX : size + SLACK;
	r.p = out;
	enum dc_err err = dc_process_init(out, DC_ARCH_X86);
	if (err != DC_OK) {
		dc_process_free(out);
		return err;
	}
	read_all(&r);
	if (r.err != DC_OK) {
		dc_process_free(out);
		memset(r.x, 0, sizeof(*r.x));
	}
	return r.err;
}
