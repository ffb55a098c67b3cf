/* The reference writer's callback dispatch, first part: Include*, Thread,
 * Module, Memory, RemoveMemory and Cancel callbacks (spec-notes §3.5-3.6).
 * Every callback is made once per dump: the decisions are taken before the
 * writer's two layout passes and kept in w->tflags / w->mflags. */
#include <stdlib.h>
#include <string.h>

#include "writer.h"

#define FLAG(w, f) (((w)->req->dump_type & (uint64_t)(f)) != 0)
/* A MemoryCallback or RemoveMemoryCallback loop that never ends is cut here
 * (writer.callback_loop_cap); native dbghelp would loop for ever. */
#define CALLBACK_LOOP_CAP 65536u

static uint32_t default_thread_flags(const struct dci_writer *w)
{
	uint32_t f = DC_ThreadWriteThread | DC_ThreadWriteStack | DC_ThreadWriteContext |
		     DC_ThreadWriteInstructionWindow;
	if (FLAG(w, DC_MiniDumpWithThreadInfo))
		f |= DC_ThreadWriteThreadInfo;
	if (FLAG(w, DC_MiniDumpWithProcessThreadData))
		f |= DC_ThreadWriteThreadData;
	return f;
}

static uint32_t default_module_flags(const struct dci_writer *w)
{
	uint32_t f = DC_ModuleWriteModule | DC_ModuleWriteMiscRecord | DC_ModuleWriteCvRecord;
	if (FLAG(w, DC_MiniDumpWithDataSegs))
		f |= DC_ModuleWriteDataSeg;
	if (FLAG(w, DC_MiniDumpWithCodeSegs))
		f |= DC_ModuleWriteCodeSegs;
	if (FLAG(w, DC_MiniDumpWithProcessThreadData))
		f |= DC_ModuleWriteTlsData;
	return f;
}

BOOL dci_w_call(struct dci_writer *w, ULONG type, MINIDUMP_CALLBACK_INPUT *in,
		MINIDUMP_CALLBACK_OUTPUT *out)
{
	const MINIDUMP_CALLBACK_INFORMATION *cb = w->req->callback;
	bool no_process = type == DC_IoStartCallback || type == DC_IoWriteAllCallback ||
			  type == DC_IoFinishCallback || type == DC_WriteKernelMinidumpCallback ||
			  type == DC_KernelMinidumpStatusCallback;
	bool handle_only = type == DC_IsProcessSnapshotCallback || type == DC_VmStartCallback;
	/* spec-notes §3.6 item 21: ProcessId 0 for these; the handle only for the last two */
	in->ProcessId = no_process || handle_only ? 0 : w->req->process_id;
	in->ProcessHandle = no_process ? NULL : w->req->process_handle;
	in->CallbackType = type;
	return cb->CallbackRoutine(cb->CallbackParam, in, out);
}

bool dci_w_have_callback(const struct dci_writer *w)
{
	return w->req->callback && w->req->callback->CallbackRoutine;
}

/* ---------------------------------------------------------------- include */

static void include_threads(struct dci_writer *w, MINIDUMP_CALLBACK_INPUT *in)
{
	for (size_t i = 0; i < w->p->nthreads; i++) {
		MINIDUMP_CALLBACK_OUTPUT out;
		memset(in, 0, sizeof(*in));
		memset(&out, 0, sizeof(out));
		in->IncludeThread.ThreadId = w->p->threads[i].id;
		out.ThreadWriteFlags = w->tflags[i];
		bool ok = dci_w_call(w, DC_IncludeThreadCallback, in, &out);
		w->tflags[i] = ok ? w->tflags[i] & out.ThreadWriteFlags : 0;
	}
}

static void include_modules(struct dci_writer *w, MINIDUMP_CALLBACK_INPUT *in)
{
	for (size_t i = 0; i < w->p->nmodules; i++) {
		MINIDUMP_CALLBACK_OUTPUT out;
		memset(in, 0, sizeof(*in));
		memset(&out, 0, sizeof(out));
		in->IncludeModule.BaseOfImage = w->p->modules[i].base;
		out.ModuleWriteFlags = w->mflags[i];
		bool ok = dci_w_call(w, DC_IncludeModuleCallback, in, &out);
		w->mflags[i] = ok ? w->mflags[i] & out.ModuleWriteFlags : 0;
	}
}

/* ---------------------------------------------------------------- thread / module */

static void thread_callbacks(struct dci_writer *w, MINIDUMP_CALLBACK_INPUT *in)
{
	for (size_t i = 0; i < w->p->nthreads; i++) {
		const struct dc_thread *t = &w->p->threads[i];
		MINIDUMP_CALLBACK_OUTPUT out;
		if (!w->tflags[i])
			continue; /* refused by IncludeThreadCallback: gathered nothing */
		memset(in, 0, sizeof(*in));
		memset(&out, 0, sizeof(out));
		in->Thread.ThreadId = t->id;
		size_t n = t->context.size < sizeof(in->Thread.Context) ? (size_t)t->context.size
									 : sizeof(in->Thread.Context);
		memcpy(in->Thread.Context, t->context.data, n);
		in->Thread.SizeOfContext = (ULONG)t->context.size;
		in->Thread.StackBase = t->stack.base;
		in->Thread.StackEnd = t->stack.base + t->stack.size;
		out.ThreadWriteFlags = w->tflags[i];
		bool ok = dci_w_call(w, DC_ThreadCallback, in, &out);
		w->tflags[i] = ok ? w->tflags[i] & out.ThreadWriteFlags : 0;
	}
}

/* ScanMemory: a module a stack word points into gets ModuleReferencedByMemory. */
static bool referenced_by_stack(const struct dci_writer *w, const struct dc_module *m)
{
	unsigned ps = dc_arch_pointer_size(w->p->arch);
	for (size_t i = 0; i < w->p->nthreads; i++) {
		const struct dc_range64 *s = &w->p->threads[i].stack;
		const struct dc_region *r = dc_process_region_at(w->p, s->base);
		if (!w->tflags[i] || !r || !r->contents)
			continue;
		const uint8_t *b = r->contents + (s->base - r->base);
		for (uint64_t off = 0; off + ps <= s->size; off += ps) {
			uint64_t v = dci_le_word(b + off, ps);
			if (v >= m->base && v - m->base < m->size)
				return true;
		}
	}
	return false;
}

/* The module's path as UTF-16 with a NUL, for MINIDUMP_MODULE_CALLBACK.FullPath. */
static WCHAR *wide_path(struct dci_writer *w, const char *path)
{
	size_t len = strlen(path);
	WCHAR *wide = calloc(len + 1, sizeof(WCHAR));
	if (!wide) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return NULL;
	}
	size_t units = dci_utf8_to_utf16(path, len, (uint8_t *)wide);
	wide[units] = 0;
	return wide;
}

static void module_callback(struct dci_writer *w, MINIDUMP_CALLBACK_INPUT *in, size_t i)
{
	const struct dc_module *m = &w->p->modules[i];
	MINIDUMP_CALLBACK_OUTPUT out;
	WCHAR *path = wide_path(w, m->path ? m->path : "");
	if (!path)
		return;
	memset(in, 0, sizeof(*in));
	memset(&out, 0, sizeof(out));
	in->Module.FullPath = path;
	in->Module.BaseOfImage = m->base;
	in->Module.SizeOfImage = m->size;
	in->Module.CheckSum = m->checksum;
	in->Module.TimeDateStamp = m->timestamp;
	memcpy(&in->Module.VersionInfo, m->version, sizeof(in->Module.VersionInfo));
	in->Module.CvRecord = (PVOID)m->cv.data; /* the callback may read, never write */
	in->Module.SizeOfCvRecord = (ULONG)m->cv.size;
	in->Module.MiscRecord = (PVOID)m->misc.data;
	in->Module.SizeOfMiscRecord = (ULONG)m->misc.size;
	if (FLAG(w, DC_MiniDumpScanMemory) && referenced_by_stack(w, m))
		w->mflags[i] |= DC_ModuleReferencedByMemory;
	out.ModuleWriteFlags = w->mflags[i];
	bool ok = dci_w_call(w, DC_ModuleCallback, in, &out);
	w->mflags[i] = ok ? w->mflags[i] & out.ModuleWriteFlags : 0;
	free(path);
}

/* ---------------------------------------------------------------- memory */

/* MemoryCallback / RemoveMemoryCallback: called again after each TRUE with
 * MemorySize > 0, with the output zeroed before every call. */
static void memory_loop(struct dci_writer *w, MINIDUMP_CALLBACK_INPUT *in, ULONG type,
			void (*take)(struct dci_writer *, uint64_t, uint64_t))
{
	for (unsigned n = 0; w->err == DC_OK; n++) {
		MINIDUMP_CALLBACK_OUTPUT out;
		if (n == CALLBACK_LOOP_CAP) {
			dci_w_fail(w, DC_E_CALLBACK, DC_HR_E_FAIL);
			return;
		}
		memset(in, 0, sizeof(*in));
		memset(&out, 0, sizeof(out));
		if (!dci_w_call(w, type, in, &out) || out.MemorySize == 0)
			return;
		take(w, out.MemoryBase, out.MemorySize);
	}
}

static void memory_callbacks(struct dci_writer *w, ULONG type,
			     void (*take)(struct dci_writer *, uint64_t, uint64_t))
{
	if (!dci_w_have_callback(w) || FLAG(w, DC_MiniDumpWithFullMemory))
		return; /* neither loop runs for full-memory dumps */
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	if (!in) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return;
	}
	memory_loop(w, in, type, take);
	free(in);
}

void dci_w_callbacks_add_memory(struct dci_writer *w)
{
	memory_callbacks(w, DC_MemoryCallback, dci_w_add_readable);
}

void dci_w_callbacks_remove_memory(struct dci_writer *w)
{
	memory_callbacks(w, DC_RemoveMemoryCallback, dci_w_remove_range);
}

/* ---------------------------------------------------------------- cancel */

bool dci_w_cancelled(struct dci_writer *w)
{
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!w->sink || !w->cancel_checks || !dci_w_have_callback(w) || w->err != DC_OK)
		return w->err != DC_OK;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out)); /* CheckCancel = Cancel = FALSE on entry */
	if (!dci_w_call(w, DC_CancelCallback, &in, &out) || !out.CheckCancel)
		w->cancel_checks = false;
	if (out.Cancel && out.CheckCancel) {
		dci_w_fail(w, DC_E_CANCELLED, DC_HR_ERROR_CANCELLED);
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- I/O */

/* IoWriteAllCallback for every write; BufferBytes is 32-bit, so large
 * writes go in pieces. Status is pre-set to E_NOTIMPL: a callback that does
 * not say S_OK has not written (writer.io_status_preset). */
static enum dc_err io_write_all(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	struct dci_writer *w = ctx;
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	enum dc_err err = in ? DC_OK : DC_E_NOMEM;
	for (size_t done = 0; err == DC_OK && done < n;) {
		MINIDUMP_CALLBACK_OUTPUT out;
		size_t k = n - done < 0x80000000u ? n - done : 0x80000000u;
		memset(in, 0, sizeof(*in));
		memset(&out, 0, sizeof(out));
		in->Io.Handle = w->req->file_handle;
		in->Io.Offset = offset + done;
		in->Io.Buffer = (PVOID)((const uint8_t *)buf + done); /* read-only for the callback */
		in->Io.BufferBytes = (ULONG)k;
		out.Status = (HRESULT)DC_HR_E_NOTIMPL;
		BOOL ok = dci_w_call(w, DC_IoWriteAllCallback, in, &out);
		if (!ok || out.Status != (HRESULT)DC_HR_S_OK) {
			w->io_hresult = !ok || out.Status >= 0 ? DC_HR_E_FAIL : (uint32_t)out.Status;
			err = DC_E_CALLBACK;
		}
		done += k;
	}
	free(in);
	return err;
}

/* IoStart or IoFinish, Status pre-set to E_NOTIMPL; returns the BOOL, *status the Status. */
static BOOL io_call(struct dci_writer *w, ULONG type, HRESULT *status)
{
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!in) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return FALSE;
	}
	memset(in, 0, sizeof(*in));
	memset(&out, 0, sizeof(out));
	in->Io.Handle = w->req->file_handle;
	out.Status = (HRESULT)DC_HR_E_NOTIMPL;
	BOOL ok = dci_w_call(w, type, in, &out);
	*status = out.Status;
	free(in);
	return ok;
}

bool dci_w_io_start(struct dci_writer *w, struct dc_sink *sink)
{
	HRESULT status;
	if (!dci_w_have_callback(w) || !io_call(w, DC_IoStartCallback, &status) ||
	    status != (HRESULT)DC_HR_S_FALSE)
		return false;
	sink->ctx = w;
	sink->write_at = io_write_all;
	return true;
}

void dci_w_io_finish(struct dci_writer *w)
{
	HRESULT status;
	if (!io_call(w, DC_IoFinishCallback, &status) || status != (HRESULT)DC_HR_S_OK)
		dci_w_fail(w, DC_E_CALLBACK, status < 0 ? (uint32_t)status : DC_HR_E_FAIL);
}

/* ---------------------------------------------------------------- start, failures, kernel */

/* One callback with no input member; Status pre-set as given. */
static BOOL simple_call(struct dci_writer *w, ULONG type, HRESULT preset, MINIDUMP_CALLBACK_OUTPUT *out)
{
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	if (!in) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return FALSE;
	}
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	out->Status = preset;
	BOOL ok = dci_w_call(w, type, in, out);
	free(in);
	return ok;
}

/* IsProcessSnapshot, VmStart, SecondaryFlags: asked before any read, Status
 * pre-set S_OK. TRUE with S_FALSE from VmStart turns the Vm* callbacks on
 * (the documented answer); the same answer from IsProcessSnapshot marks a
 * snapshot, one reading of an undocumented encoding (writer.start_callbacks).
 * SecondaryFlags has no effect: MiscInfo carries no processor power data. */
void dci_w_callbacks_start(struct dci_writer *w)
{
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!dci_w_have_callback(w))
		return;
	w->snapshot = simple_call(w, DC_IsProcessSnapshotCallback, (HRESULT)DC_HR_S_OK, &out) &&
		      out.Status == (HRESULT)DC_HR_S_FALSE;
	w->vm = simple_call(w, DC_VmStartCallback, (HRESULT)DC_HR_S_OK, &out) &&
		out.Status == (HRESULT)DC_HR_S_FALSE;
	simple_call(w, DC_SecondaryFlagsCallback, 0, &out); /* input and output SecondaryFlags 0 */
}

bool dci_w_read_failure(struct dci_writer *w, uint64_t addr, uint64_t size)
{
	MINIDUMP_CALLBACK_INPUT *in;
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!dci_w_have_callback(w))
		return true; /* nobody to ask: the block is left out */
	in = malloc(sizeof(*in));
	if (!in) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return false;
	}
	memset(in, 0, sizeof(*in));
	memset(&out, 0, sizeof(out));
	in->ReadMemoryFailure.Offset = addr;
	in->ReadMemoryFailure.Bytes = size > UINT32_MAX ? UINT32_MAX : (ULONG)size;
	in->ReadMemoryFailure.FailureStatus = (HRESULT)DC_HRESULT_ERROR_PARTIAL_COPY;
	out.Status = (HRESULT)DC_HRESULT_ERROR_PARTIAL_COPY; /* must opt in to go on */
	BOOL ok = dci_w_call(w, DC_ReadMemoryFailureCallback, in, &out);
	free(in);
	if (ok && out.Status == (HRESULT)DC_HR_S_OK)
		return true;
	dci_w_fail(w, DC_E_IO, DC_HRESULT_ERROR_PARTIAL_COPY);
	return false;
}

/* After a successful dump: a kernel minidump may be asked for; the
 * reference writer cannot write one and reports E_NOTIMPL. */
void dci_w_callbacks_kernel(struct dci_writer *w)
{
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!dci_w_have_callback(w) || w->err != DC_OK)
		return;
	if (!simple_call(w, DC_WriteKernelMinidumpCallback, 0, &out) || !out.Handle)
		return;
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	if (!in)
		return;
	memset(in, 0, sizeof(*in));
	memset(&out, 0, sizeof(out));
	in->Status = (HRESULT)DC_HR_E_NOTIMPL;
	dci_w_call(w, DC_KernelMinidumpStatusCallback, in, &out);
	free(in);
}

/* ---------------------------------------------------------------- full memory */

/* IncludeVmRegionCallback, once per region of a full-memory dump while the
 * callback keeps saying TRUE with Continue. VmRegion comes pre-set to the
 * region and Continue to TRUE; only a page-aligned part of the region may
 * come back (else E_INVALIDARG).
 * FALSE or Continue = FALSE ends the calls and keeps the later regions
 * whole, or fails the dump when the request asks for the other reading of
 * the documentation (writer.include_vm_region). */
bool dci_w_include_vm_region(struct dci_writer *w, const struct dc_region *r, uint64_t *base,
			     uint64_t *size)
{
	*base = r->base;
	*size = r->size;
	if (!dci_w_have_callback(w) || w->vm_regions_done)
		return true;
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!in) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return false;
	}
	memset(in, 0, sizeof(*in));
	memset(&out, 0, sizeof(out));
	out.VmRegion.BaseAddress = r->base;
	out.VmRegion.AllocationBase = r->allocation_base;
	out.VmRegion.AllocationProtect = r->allocation_protect;
	out.VmRegion.RegionSize = r->size;
	out.VmRegion.State = r->state;
	out.VmRegion.Protect = r->protect;
	out.VmRegion.Type = r->type;
	out.Continue = TRUE; /* a callback that ignores this type keeps the dump going */
	BOOL ok = dci_w_call(w, DC_IncludeVmRegionCallback, in, &out);
	free(in);
	if (!ok || !out.Continue) {
		w->vm_regions_done = true;
		if (w->req->vm_region_stop_fails)
			dci_w_fail(w, DC_E_CALLBACK, DC_HR_E_FAIL);
		return w->err == DC_OK;
	}
	uint64_t nb = out.VmRegion.BaseAddress, ns = out.VmRegion.RegionSize, page = DC_MINIDUMP_PAGE_SIZE;
	if (nb < r->base || nb % page || ns % page || ns > r->size - (nb - r->base) ||
	    nb - r->base > r->size) {
		dci_w_fail(w, DC_E_CALLBACK, DC_HRESULT_E_INVALIDARG);
		return false;
	}
	*base = nb;
	*size = ns; /* 0: the region is filtered out */
	return true;
}

/* ---------------------------------------------------------------- entry */

enum dc_err dci_w_callbacks_enumerate(struct dci_writer *w)
{
	size_t nt = w->p->nthreads, nm = w->p->nmodules;
	w->tflags = calloc(nt ? nt : 1, sizeof(*w->tflags));
	w->mflags = calloc(nm ? nm : 1, sizeof(*w->mflags));
	if (!w->tflags || !w->mflags) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return w->err;
	}
	for (size_t i = 0; i < nt; i++)
		w->tflags[i] = default_thread_flags(w);
	for (size_t i = 0; i < nm; i++)
		w->mflags[i] = default_module_flags(w);
	w->cancel_checks = true;
	if (!dci_w_have_callback(w))
		return DC_OK;
	MINIDUMP_CALLBACK_INPUT *in = malloc(sizeof(*in));
	if (!in) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return w->err;
	}
	include_threads(w, in);
	include_modules(w, in);
	thread_callbacks(w, in);
	for (size_t i = 0; i < nm && w->err == DC_OK; i++)
		if (w->mflags[i])
			module_callback(w, in, i);
	free(in);
	return w->err;
}
