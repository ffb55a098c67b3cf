/* The reference writer: one function per stream. Structures are built as
 * bytes at the offsets generated from spec/, never by casting. */
#include <stdlib.h>
#include <string.h>

#include "writer.h"

#define FLAG(w, f) (((w)->req->dump_type & (uint64_t)(f)) != 0)

/* A zeroed buffer for a stream; NULL (and the writer failed) on ENOMEM. */
static uint8_t *stream_buf(struct dci_writer *w, uint64_t size)
{
	uint8_t *b = size <= SIZE_MAX ? calloc(1, (size_t)(size ? size : 1)) : NULL;
	if (!b)
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
	return b;
}

/* A versioned-list stream (vlist shape) of `n` entries of `es` bytes, its
 * header filled from the generated stream table: SizeOfHeader, SizeOfEntry
 * and the count, wherever that stream's header keeps them. */
static uint8_t *vlist_buf(struct dci_writer *w, uint32_t type, uint64_t n, uint32_t es,
			  uint64_t *size, uint32_t *hs)
{
	const struct dc_stream_desc *sd = dc_stream_lookup(type);
	*hs = dc_struct_descs[sd->header].size;
	*size = *hs + n * es;
	uint8_t *b = stream_buf(w, *size);
	if (!b)
		return NULL;
	dci_st32(b, sd->header_size_off, *hs);
	dci_st32(b, sd->entry_size_off, es);
	if (sd->count_width == 8)
		dci_st64(b, sd->count_off, n);
	else
		dci_st32(b, sd->count_off, (uint32_t)n);
	return b;
}

/* Write `b[0..size)` as stream `type` and free it. */
static void finish_stream(struct dci_writer *w, uint32_t type, uint8_t *b, uint64_t size)
{
	if (b)
		dci_w_stream(w, type, dci_w_put(w, b, size), size);
	free(b);
}

/* Blob of `size` bytes, or {0, 0} when empty. */
static uint64_t put_blob(struct dci_writer *w, const struct dc_blob *blob)
{
	return blob->size ? dci_w_put(w, blob->data, blob->size) : 0;
}

/* ---------------------------------------------------------------- threads */

static void put_thread(struct dci_writer *w, uint8_t *e, const struct dc_thread *t, uint32_t flags,
		       uint64_t ctx)
{
	dci_st32(e, DC_OFF_MINIDUMP_THREAD_ThreadId, t->id);
	dci_st32(e, DC_OFF_MINIDUMP_THREAD_SuspendCount, t->suspend_count);
	dci_st32(e, DC_OFF_MINIDUMP_THREAD_PriorityClass, t->priority_class);
	dci_st32(e, DC_OFF_MINIDUMP_THREAD_Priority, t->priority);
	dci_st64(e, DC_OFF_MINIDUMP_THREAD_Teb, t->teb);
	uint64_t stack_rva = (flags & DC_ThreadWriteStack) ? dci_w_mem_rva(w, t->stack.base, t->stack.size) : 0;
	uint32_t stack = DC_OFF_MINIDUMP_THREAD_Stack;
	dci_st64(e, stack + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_StartOfMemoryRange, t->stack.base);
	dci_st_loc(e, stack + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory, stack_rva ? t->stack.size : 0,
		   stack_rva);
	dci_st_loc(e, DC_OFF_MINIDUMP_THREAD_ThreadContext, ctx ? t->context.size : 0, ctx);
}

/* Threads and modules that stay in their list (ThreadWriteThread / ModuleWriteModule). */
static size_t kept(const uint32_t *flags, size_t n, uint32_t bit)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += (flags[i] & bit) != 0;
	return k;
}

void dci_w_threads(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	size_t n = kept(w->tflags, p->nthreads, DC_ThreadWriteThread), k = 0;
	uint64_t size = 4 + (uint64_t)n * DC_SIZE_MINIDUMP_THREAD;
	uint64_t *ctx = calloc(p->nthreads ? p->nthreads : 1, sizeof(*ctx));
	uint8_t *b = ctx ? stream_buf(w, size) : NULL;
	if (!ctx)
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
	for (size_t i = 0; b && i < p->nthreads; i++)
		if ((w->tflags[i] & DC_ThreadWriteThread) && (w->tflags[i] & DC_ThreadWriteContext))
			ctx[i] = put_blob(w, &p->threads[i].context);
	if (b) {
		dci_st32(b, 0, (uint32_t)n);
		for (size_t i = 0; i < p->nthreads; i++)
			if (w->tflags[i] & DC_ThreadWriteThread)
				put_thread(w, b + 4 + k++ * DC_SIZE_MINIDUMP_THREAD, &p->threads[i],
					   w->tflags[i], ctx[i]);
	}
	free(ctx);
	finish_stream(w, DC_STREAM_THREAD_LIST, b, size);
}

void dci_w_thread_names(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	size_t named = 0;
	for (size_t i = 0; i < p->nthreads; i++)
		named += p->threads[i].name && (w->tflags[i] & DC_ThreadWriteThread);
	if (!named)
		return; /* as Wine and Windows: no stream when no thread has a name */
	uint64_t size = 4 + (uint64_t)named * DC_SIZE_MINIDUMP_THREAD_NAME;
	uint8_t *b = stream_buf(w, size);
	size_t k = 0;
	for (size_t i = 0; b && i < p->nthreads; i++) {
		if (!p->threads[i].name || !(w->tflags[i] & DC_ThreadWriteThread))
			continue;
		uint8_t *e = b + 4 + k++ * DC_SIZE_MINIDUMP_THREAD_NAME;
		dci_st32(e, DC_OFF_MINIDUMP_THREAD_NAME_ThreadId, p->threads[i].id);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_NAME_RvaOfThreadName, dci_w_string(w, p->threads[i].name));
	}
	if (b)
		dci_st32(b, 0, (uint32_t)named);
	finish_stream(w, DC_STREAM_THREAD_NAMES, b, size);
}

void dci_w_thread_info(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	size_t n = kept(w->tflags, p->nthreads, DC_ThreadWriteThreadInfo), k = 0;
	uint64_t size;
	uint32_t hs;
	uint8_t *b = vlist_buf(w, DC_STREAM_THREAD_INFO_LIST, n, DC_SIZE_MINIDUMP_THREAD_INFO, &size, &hs);
	if (!b)
		return;
	for (size_t i = 0; i < p->nthreads; i++) {
		const struct dc_thread *t = &p->threads[i];
		if (!(w->tflags[i] & DC_ThreadWriteThreadInfo))
			continue;
		uint8_t *e = b + hs + k++ * DC_SIZE_MINIDUMP_THREAD_INFO;
		dci_st32(e, DC_OFF_MINIDUMP_THREAD_INFO_ThreadId, t->id);
		dci_st32(e, DC_OFF_MINIDUMP_THREAD_INFO_ExitStatus, t->exit_status);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_INFO_CreateTime, t->create_time);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_INFO_ExitTime, t->exit_time);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_INFO_KernelTime, t->kernel_time);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_INFO_UserTime, t->user_time);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_INFO_StartAddress, t->start_address);
		dci_st64(e, DC_OFF_MINIDUMP_THREAD_INFO_Affinity, t->affinity);
	}
	finish_stream(w, DC_STREAM_THREAD_INFO_LIST, b, size);
}

/* ---------------------------------------------------------------- modules */

/* FilterModulePaths keeps only the file name of a module's path. */
static const char *module_path(const struct dci_writer *w, const char *path)
{
	if (!FLAG(w, DC_MiniDumpFilterModulePaths))
		return path;
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '\\' || *c == '/')
			base = c + 1;
	return base;
}

static void put_module(struct dci_writer *w, uint8_t *e, const struct dc_module *m, uint32_t flags)
{
	static const struct dc_blob none = { NULL, 0 };
	const struct dc_blob *cvb = (flags & DC_ModuleWriteCvRecord) ? &m->cv : &none;
	const struct dc_blob *miscb = (flags & DC_ModuleWriteMiscRecord) ? &m->misc : &none;
	uint64_t name = dci_w_string(w, module_path(w, m->path ? m->path : ""));
	uint64_t cv = put_blob(w, cvb), misc = put_blob(w, miscb);
	dci_st64(e, DC_OFF_MINIDUMP_MODULE_BaseOfImage, m->base);
	dci_st32(e, DC_OFF_MINIDUMP_MODULE_SizeOfImage, m->size);
	dci_st32(e, DC_OFF_MINIDUMP_MODULE_CheckSum, m->checksum);
	dci_st32(e, DC_OFF_MINIDUMP_MODULE_TimeDateStamp, m->timestamp);
	dci_st32(e, DC_OFF_MINIDUMP_MODULE_ModuleNameRva, (uint32_t)name);
	for (uint32_t k = 0; k < 13; k++)
		dci_st32(e, DC_OFF_MINIDUMP_MODULE_VersionInfo + 4 * k, m->version[k]);
	dci_st_loc(e, DC_OFF_MINIDUMP_MODULE_CvRecord, cvb->size, cv);
	dci_st_loc(e, DC_OFF_MINIDUMP_MODULE_MiscRecord, miscb->size, misc);
}

void dci_w_modules(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	size_t n = kept(w->mflags, p->nmodules, DC_ModuleWriteModule), k = 0;
	uint64_t size = 4 + (uint64_t)n * DC_SIZE_MINIDUMP_MODULE;
	uint8_t *b = stream_buf(w, size);
	if (!b)
		return;
	dci_st32(b, 0, (uint32_t)n);
	for (size_t i = 0; i < p->nmodules; i++)
		if (w->mflags[i] & DC_ModuleWriteModule)
			put_module(w, b + 4 + k++ * DC_SIZE_MINIDUMP_MODULE, &p->modules[i], w->mflags[i]);
	finish_stream(w, DC_STREAM_MODULE_LIST, b, size);
}

void dci_w_unloaded(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	const uint32_t es = DC_SIZE_MINIDUMP_UNLOADED_MODULE;
	uint64_t size;
	uint32_t hs;
	uint8_t *b = vlist_buf(w, DC_STREAM_UNLOADED_MODULE_LIST, p->nunloaded, es, &size, &hs);
	if (!b)
		return;
	for (size_t i = 0; i < p->nunloaded; i++) {
		const struct dc_unloaded_module *u = &p->unloaded[i];
		uint8_t *e = b + hs + i * es;
		dci_st64(e, DC_OFF_MINIDUMP_UNLOADED_MODULE_BaseOfImage, u->base);
		dci_st32(e, DC_OFF_MINIDUMP_UNLOADED_MODULE_SizeOfImage, u->size);
		dci_st32(e, DC_OFF_MINIDUMP_UNLOADED_MODULE_CheckSum, u->checksum);
		dci_st32(e, DC_OFF_MINIDUMP_UNLOADED_MODULE_TimeDateStamp, u->timestamp);
		dci_st32(e, DC_OFF_MINIDUMP_UNLOADED_MODULE_ModuleNameRva,
			 (uint32_t)dci_w_string(w, u->name ? u->name : ""));
	}
	finish_stream(w, DC_STREAM_UNLOADED_MODULE_LIST, b, size);
}

/* ---------------------------------------------------------------- process */

void dci_w_exception(struct dci_writer *w)
{
	const struct dc_exception *x = &w->p->exception;
	uint64_t ctx = put_blob(w, &x->context);
	uint8_t *b = stream_buf(w, DC_SIZE_MINIDUMP_EXCEPTION_STREAM);
	if (!b)
		return;
	uint32_t rec = DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord;
	dci_st32(b, DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadId, x->thread_id);
	dci_st32(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionCode, x->code);
	dci_st32(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionFlags, x->flags);
	dci_st64(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionRecord, x->record);
	dci_st64(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionAddress, x->address);
	dci_st32(b, rec + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters, x->nparams);
	for (uint32_t k = 0; k < 15; k++)
		dci_st64(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionInformation + 8 * k, x->params[k]);
	dci_st_loc(b, DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadContext, x->context.size, ctx);
	finish_stream(w, DC_STREAM_EXCEPTION, b, DC_SIZE_MINIDUMP_EXCEPTION_STREAM);
}

void dci_w_system_info(struct dci_writer *w)
{
	const struct dc_system *s = &w->p->system;
	uint64_t csd = dci_w_string(w, s->csd ? s->csd : "");
	uint8_t *b = stream_buf(w, DC_SIZE_MINIDUMP_SYSTEM_INFO);
	if (!b)
		return;
	dci_st16(b, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture, (uint16_t)w->p->arch);
	dci_st16(b, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorLevel, s->processor_level);
	dci_st16(b, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorRevision, s->processor_revision);
	b[DC_OFF_MINIDUMP_SYSTEM_INFO_NumberOfProcessors] = s->processors;
	b[DC_OFF_MINIDUMP_SYSTEM_INFO_ProductType] = s->product_type;
	dci_st32(b, DC_OFF_MINIDUMP_SYSTEM_INFO_MajorVersion, s->major);
	dci_st32(b, DC_OFF_MINIDUMP_SYSTEM_INFO_MinorVersion, s->minor);
	dci_st32(b, DC_OFF_MINIDUMP_SYSTEM_INFO_BuildNumber, s->build);
	dci_st32(b, DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId, s->platform_id);
	dci_st32(b, DC_OFF_MINIDUMP_SYSTEM_INFO_CSDVersionRva, (uint32_t)csd);
	dci_st16(b, DC_OFF_MINIDUMP_SYSTEM_INFO_SuiteMask, s->suite_mask);
	memcpy(b + DC_OFF_MINIDUMP_SYSTEM_INFO_Cpu, s->cpu, sizeof(s->cpu));
	finish_stream(w, DC_STREAM_SYSTEM_INFO, b, DC_SIZE_MINIDUMP_SYSTEM_INFO);
}

/* MISC_INFO (24 bytes): the process id and times the model knows. */
void dci_w_misc_info(struct dci_writer *w)
{
	const uint32_t size = DC_OFF_MINIDUMP_MISC_INFO_N_ProcessorMaxMhz;
	uint8_t *b = stream_buf(w, size);
	if (!b)
		return;
	dci_st32(b, DC_OFF_MINIDUMP_MISC_INFO_N_SizeOfInfo, size);
	dci_st32(b, DC_OFF_MINIDUMP_MISC_INFO_N_Flags1,
		 DC_MINIDUMP_MISC1_PROCESS_ID | DC_MINIDUMP_MISC1_PROCESS_TIMES);
	dci_st32(b, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessId, w->p->pid);
	dci_st32(b, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessCreateTime, w->p->create_time);
	dci_st32(b, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessUserTime, w->p->user_time);
	dci_st32(b, DC_OFF_MINIDUMP_MISC_INFO_N_ProcessKernelTime, w->p->kernel_time);
	finish_stream(w, DC_STREAM_MISC_INFO, b, size);
}

/* ---------------------------------------------------------------- handles */

/* The object-information chain, last node first, so each node knows the
 * RVA of the next. Returns the RVA of the first node (0 when none). */
static uint64_t put_objinfo(struct dci_writer *w, const struct dc_handle *h)
{
	uint64_t next = 0;
	for (size_t k = h->nobjinfo; k-- > 0 && w->err == DC_OK;) {
		const struct dc_objinfo *o = &h->objinfo[k];
		uint64_t size = DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION + o->bytes.size;
		uint8_t *b = stream_buf(w, size);
		if (!b)
			return 0;
		dci_st32(b, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva, (uint32_t)next);
		dci_st32(b, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_InfoType, o->info_type);
		dci_st32(b, DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_SizeOfInfo, (uint32_t)o->bytes.size);
		if (o->bytes.size)
			memcpy(b + DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION, o->bytes.data, o->bytes.size);
		next = dci_w_put(w, b, size);
		free(b);
	}
	return next;
}

static void put_handle(struct dci_writer *w, uint8_t *e, const struct dc_handle *h)
{
	uint64_t type = h->type_name ? dci_w_string(w, h->type_name) : 0;
	uint64_t object = h->object_name ? dci_w_string(w, h->object_name) : 0;
	uint64_t info = put_objinfo(w, h);
	dci_st64(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_Handle, h->handle);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_TypeNameRva, (uint32_t)type);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectNameRva, (uint32_t)object);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_Attributes, h->attributes);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_GrantedAccess, h->granted_access);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_HandleCount, h->handle_count);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_PointerCount, h->pointer_count);
	dci_st32(e, DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectInfoRva, (uint32_t)info);
}

void dci_w_handles(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	const uint32_t es = DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2;
	uint64_t size;
	uint32_t hs;
	uint8_t *b = vlist_buf(w, DC_STREAM_HANDLE_DATA, p->nhandles, es, &size, &hs);
	if (!b)
		return;
	for (size_t i = 0; i < p->nhandles; i++)
		put_handle(w, b + hs + i * es, &p->handles[i]);
	finish_stream(w, DC_STREAM_HANDLE_DATA, b, size);
}

/* ---------------------------------------------------------------- memory info, tokens, user */

void dci_w_memory_info(struct dci_writer *w)
{
	const struct dc_process *p = w->p;
	const uint32_t es = DC_SIZE_MINIDUMP_MEMORY_INFO;
	uint64_t size;
	uint32_t hs;
	uint8_t *b = vlist_buf(w, DC_STREAM_MEMORY_INFO_LIST, p->nregions, es, &size, &hs);
	if (!b)
		return;
	for (size_t i = 0; i < p->nregions && w->err == DC_OK; i++) {
		const struct dc_region *r = &p->regions[i];
		MINIDUMP_MEMORY_INFO m = { .BaseAddress = r->base, .AllocationBase = r->allocation_base,
					   .AllocationProtect = r->allocation_protect, .RegionSize = r->size,
					   .State = r->state, .Protect = r->protect, .Type = r->type };
		dci_w_vm_query(w, i, &m); /* a snapshot's VmQueryCallback may describe it instead */
		uint8_t *e = b + hs + i * es;
		dci_st64(e, DC_OFF_MINIDUMP_MEMORY_INFO_BaseAddress, m.BaseAddress);
		dci_st64(e, DC_OFF_MINIDUMP_MEMORY_INFO_AllocationBase, m.AllocationBase);
		dci_st32(e, DC_OFF_MINIDUMP_MEMORY_INFO_AllocationProtect, m.AllocationProtect);
		dci_st64(e, DC_OFF_MINIDUMP_MEMORY_INFO_RegionSize, m.RegionSize);
		dci_st32(e, DC_OFF_MINIDUMP_MEMORY_INFO_State, m.State);
		dci_st32(e, DC_OFF_MINIDUMP_MEMORY_INFO_Protect, m.Protect);
		dci_st32(e, DC_OFF_MINIDUMP_MEMORY_INFO_Type, m.Type);
	}
	finish_stream(w, DC_STREAM_MEMORY_INFO_LIST, b, size);
}

void dci_w_tokens(struct dci_writer *w)
{
	const struct dc_blob *t = &w->p->tokens;
	if (t->size)
		dci_w_stream(w, DC_STREAM_TOKEN, dci_w_put(w, t->data, t->size), t->size);
}

void dci_w_user_streams(struct dci_writer *w)
{
	for (size_t i = 0; i < w->req->nuser_streams; i++) {
		const struct dc_user_stream *u = &w->req->user_streams[i];
		dci_w_stream(w, u->type, dci_w_put(w, u->buffer, u->size), u->size);
	}
}
