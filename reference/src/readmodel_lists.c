/* dc_minidump_read_process, second part: ThreadNames and ThreadInfoList
 * (matched to the threads by id), MemoryInfoList, HandleData with its
 * object-information chains, UnloadedModuleList, Exception, TokenStream. */
#include <stdlib.h>
#include <string.h>

#include "rd.h"

/* ---------------------------------------------------------------- by thread id */

static int key_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Keys id << 32 | index of every thread, sorted: a lookup by id is then
 * logarithmic, so a hostile list of names costs n log n, not n x m. The
 * index is charged while it lives. */
static uint64_t *id_index(struct dci_rd *r)
{
	size_t n = r->p->nthreads;
	if (!n)
		return NULL;
	if (n > UINT32_MAX) {
		dci_rd_fail(r, DC_E_LIMIT);
		return NULL;
	}
	uint64_t *ix = dci_rd_charge(r, (uint64_t)n * sizeof(*ix)) ? malloc(n * sizeof(*ix)) : NULL;
	if (!ix) {
		dci_rd_fail(r, DC_E_NOMEM);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		ix[i] = (uint64_t)r->p->threads[i].id << 32 | i;
	qsort(ix, n, sizeof(*ix), key_order);
	return ix;
}

static void free_index(struct dci_rd *r, uint64_t *ix)
{
	if (ix)
		r->budget += (uint64_t)r->p->nthreads * sizeof(*ix);
	free(ix);
}

/* The first thread (in list order) with `id`, or NULL. */
static struct dc_thread *thread_by_id(struct dci_rd *r, const uint64_t *ix, uint32_t id)
{
	size_t lo = 0, hi = ix ? r->p->nthreads : 0;
	uint64_t key = (uint64_t)id << 32;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < (ix ? r->p->nthreads : 0) && ix[lo] >> 32 == id)
		return &r->p->threads[(uint32_t)ix[lo]];
	return NULL;
}

static void thread_names(struct dci_rd *r, const uint64_t *ix)
{
	struct dci_rd_vlist l;
	if (!dci_rd_list32(r, DC_STREAM_THREAD_NAMES, DC_SIZE_MINIDUMP_THREAD_NAME, &l))
		return;
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		struct dc_thread *t = thread_by_id(r, ix, dci_rd_u32(&e, DC_OFF_MINIDUMP_THREAD_NAME_ThreadId));
		if (!t || t->name) {
			r->x->orphan_thread_names++;
			continue;
		}
		t->name = dci_rd_string(r, dci_rd_u64(&e, DC_OFF_MINIDUMP_THREAD_NAME_RvaOfThreadName));
	}
}

static void thread_info_entry(const struct dci_cur *e, struct dc_read_thread_info *i)
{
	i->thread_id = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_INFO_ThreadId);
	i->dump_flags = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_INFO_DumpFlags);
	i->dump_error = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_INFO_DumpError);
	i->exit_status = dci_rd_u32(e, DC_OFF_MINIDUMP_THREAD_INFO_ExitStatus);
	i->create_time = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_INFO_CreateTime);
	i->exit_time = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_INFO_ExitTime);
	i->kernel_time = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_INFO_KernelTime);
	i->user_time = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_INFO_UserTime);
	i->start_address = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_INFO_StartAddress);
	i->affinity = dci_rd_u64(e, DC_OFF_MINIDUMP_THREAD_INFO_Affinity);
}

static void thread_info(struct dci_rd *r, const uint64_t *ix)
{
	struct dc_read_extra *x = r->x;
	struct dci_rd_vlist l;
	if (!dci_rd_vlist(r, DC_STREAM_THREAD_INFO_LIST, DC_SIZE_MINIDUMP_THREAD_INFO, &l))
		return;
	/* count * stride fits the stream, and an entry is smaller than its stride */
	x->thread_info = dci_rd_alloc(r, l.count * sizeof(*x->thread_info));
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		struct dc_read_thread_info *i = &x->thread_info[x->nthread_info++];
		thread_info_entry(&e, i);
		struct dc_thread *t = thread_by_id(r, ix, i->thread_id);
		if (!t)
			continue;
		t->exit_status = i->exit_status;
		t->create_time = i->create_time;
		t->exit_time = i->exit_time;
		t->kernel_time = i->kernel_time;
		t->user_time = i->user_time;
		t->start_address = i->start_address;
		t->affinity = i->affinity;
	}
}

void dci_rd_thread_extras(struct dci_rd *r)
{
	if (r->err != DC_OK)
		return;
	uint64_t *ix = id_index(r);
	thread_names(r, ix);
	thread_info(r, ix);
	free_index(r, ix);
}

/* ---------------------------------------------------------------- memory info */

void dci_rd_memory_info(struct dci_rd *r)
{
	struct dc_read_extra *x = r->x;
	struct dci_rd_vlist l;
	if (!dci_rd_vlist(r, DC_STREAM_MEMORY_INFO_LIST, DC_SIZE_MINIDUMP_MEMORY_INFO, &l))
		return;
	x->has_memory_info = true;
	x->memory_info = dci_rd_alloc(r, l.count * sizeof(*x->memory_info));
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		struct dc_region *g = &x->memory_info[x->nmemory_info++];
		g->base = dci_rd_u64(&e, DC_OFF_MINIDUMP_MEMORY_INFO_BaseAddress);
		g->allocation_base = dci_rd_u64(&e, DC_OFF_MINIDUMP_MEMORY_INFO_AllocationBase);
		g->allocation_protect = dci_rd_u32(&e, DC_OFF_MINIDUMP_MEMORY_INFO_AllocationProtect);
		g->size = dci_rd_u64(&e, DC_OFF_MINIDUMP_MEMORY_INFO_RegionSize);
		g->state = dci_rd_u32(&e, DC_OFF_MINIDUMP_MEMORY_INFO_State);
		g->protect = dci_rd_u32(&e, DC_OFF_MINIDUMP_MEMORY_INFO_Protect);
		g->type = dci_rd_u32(&e, DC_OFF_MINIDUMP_MEMORY_INFO_Type);
	}
}

/* ---------------------------------------------------------------- handles */

/* The object-information node at `rva` and the bytes after it. */
static bool objinfo_node(struct dci_rd *r, uint32_t rva, struct dci_cur *node, struct dc_blob *bytes)
{
	struct dci_cur b;
	if (!dci_cur_sub(&r->file, rva, DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION, node))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	uint32_t size = dci_rd_u32(node, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_SizeOfInfo);
	if (!dci_cur_sub(&r->file, (uint64_t)rva + DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION, size, &b))
		return dci_rd_fail(r, DC_E_TRUNCATED);
	bytes->data = size ? b.p : NULL;
	bytes->size = size;
	return true;
}

/* Nodes of the chain from `rva`. Brent's cycle detection (as the
 * validator's) makes a loop MALFORMED; each node is charged as it is
 * visited, so that handles sharing one long chain cost budget. */
static bool chain_length(struct dci_rd *r, uint32_t rva, uint64_t *n)
{
	uint32_t tortoise = rva, hare = rva;
	uint64_t power = 1, lam = 0;
	*n = 0;
	while (hare) {
		struct dci_cur node;
		struct dc_blob bytes;
		if (!objinfo_node(r, hare, &node, &bytes) || !dci_rd_charge(r, sizeof(struct dc_objinfo)))
			return false;
		++*n;
		hare = dci_rd_u32(&node, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva);
		if (hare && hare == tortoise)
			return dci_rd_fail(r, DC_E_MALFORMED);
		if (++lam == power) {
			tortoise = hare;
			power *= 2;
			lam = 0;
		}
	}
	return true;
}

static void read_objinfo(struct dci_rd *r, struct dc_handle *h, uint32_t rva)
{
	uint64_t n;
	if (!rva || !chain_length(r, rva, &n))
		return;
	r->budget += n * sizeof(*h->objinfo); /* charged by the walk; dci_rd_alloc charges again */
	h->objinfo = dci_rd_alloc(r, n * sizeof(*h->objinfo));
	for (uint64_t k = 0; k < n && r->err == DC_OK; k++) {
		struct dci_cur node;
		struct dc_objinfo *o = &h->objinfo[h->nobjinfo++];
		objinfo_node(r, rva, &node, &o->bytes);
		o->info_type = dci_rd_u32(&node, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_InfoType);
		rva = dci_rd_u32(&node, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva);
	}
}

static void read_handle(struct dci_rd *r, const struct dci_cur *e, uint64_t stride)
{
	struct dc_handle *h = dci_rd_charge(r, sizeof(*h)) ? dc_process_add_handle(r->p) : NULL;
	if (!h) {
		dci_rd_fail(r, DC_E_NOMEM);
		return;
	}
	h->handle = dci_rd_u64(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_Handle);
	h->attributes = dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_Attributes);
	h->granted_access = dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_GrantedAccess);
	h->handle_count = dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_HandleCount);
	h->pointer_count = dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_PointerCount);
	h->type_name = dci_rd_string(r, dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_TypeNameRva));
	h->object_name = dci_rd_string(r, dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectNameRva));
	if (stride >= DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2) /* the first version has no chain */
		read_objinfo(r, h, dci_rd_u32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectInfoRva));
}

void dci_rd_handles(struct dci_rd *r)
{
	struct dci_rd_vlist l;
	if (!dci_rd_vlist(r, DC_STREAM_HANDLE_DATA, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR, &l))
		return;
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		read_handle(r, &e, l.stride);
	}
}

/* ---------------------------------------------------------------- unloaded, exception, tokens */

void dci_rd_unloaded(struct dci_rd *r)
{
	struct dci_rd_vlist l;
	if (!dci_rd_vlist(r, DC_STREAM_UNLOADED_MODULE_LIST, DC_SIZE_MINIDUMP_UNLOADED_MODULE, &l))
		return;
	for (uint64_t k = 0; k < l.count && r->err == DC_OK; k++) {
		struct dci_cur e = dci_rd_entry(&l, k);
		struct dc_unloaded_module *u = dci_rd_charge(r, sizeof(*u)) ? dc_process_add_unloaded(r->p) : NULL;
		if (!u) {
			dci_rd_fail(r, DC_E_NOMEM);
			return;
		}
		u->base = dci_rd_u64(&e, DC_OFF_MINIDUMP_UNLOADED_MODULE_BaseOfImage);
		u->size = dci_rd_u32(&e, DC_OFF_MINIDUMP_UNLOADED_MODULE_SizeOfImage);
		u->checksum = dci_rd_u32(&e, DC_OFF_MINIDUMP_UNLOADED_MODULE_CheckSum);
		u->timestamp = dci_rd_u32(&e, DC_OFF_MINIDUMP_UNLOADED_MODULE_TimeDateStamp);
		u->name = dci_rd_string(r, dci_rd_u32(&e, DC_OFF_MINIDUMP_UNLOADED_MODULE_ModuleNameRva));
	}
}

void dci_rd_exception(struct dci_rd *r)
{
	struct dci_cur s;
	struct dc_exception *x = &r->p->exception;
	const uint32_t rec = DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord;
	if (!dci_rd_stream(r, DC_STREAM_EXCEPTION, &s))
		return;
	if (s.len < DC_SIZE_MINIDUMP_EXCEPTION_STREAM) {
		dci_rd_fail(r, DC_E_TRUNCATED);
		return;
	}
	r->p->has_exception = true;
	x->thread_id = dci_rd_u32(&s, DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadId);
	x->code = dci_rd_u32(&s, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionCode);
	x->flags = dci_rd_u32(&s, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionFlags);
	x->record = dci_rd_u64(&s, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionRecord);
	x->address = dci_rd_u64(&s, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionAddress);
	x->nparams = dci_rd_u32(&s, rec + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters);
	for (uint32_t k = 0; k < 15; k++)
		x->params[k] = dci_rd_u64(&s, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionInformation + 8 * k);
	dci_rd_location(r, &s, DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadContext, &x->context);
}

/* The payload is kept whole (MINIDUMP_TOKEN_INFO_LIST and its elements):
 * the model holds it as bytes, and the validator checks its shape. */
void dci_rd_tokens(struct dci_rd *r)
{
	struct dci_cur s;
	if (!dci_rd_stream(r, DC_STREAM_TOKEN, &s))
		return;
	r->p->tokens.data = s.len ? s.p : NULL;
	r->p->tokens.size = s.len;
}
