/* The reference writer's callback dispatch (spec-notes §3.5-3.6, §6 items
 * 45-61): each test scripts the callback and checks the effect in the dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "procbuild.h"

#define MAX_CALLS 256

/* What the scripted callback does and what it saw. */
struct script {
	uint32_t drop_thread;      /* IncludeThreadCallback returns FALSE for it */
	uint64_t drop_module;      /* IncludeModuleCallback returns FALSE for it */
	uint64_t false_module;     /* ModuleCallback returns FALSE for it */
	ULONG thread_clear;        /* ThreadCallback clears these ThreadWriteFlags */
	ULONG module_clear;        /* ModuleCallback clears these ModuleWriteFlags */
	uint64_t add_base, remove_base; /* one range for Memory / RemoveMemory callbacks */
	ULONG add_size, remove_size;
	unsigned cancel_at;        /* CancelCallback call that sets Cancel (1-based), 0 never */
	BOOL check_cancel;         /* CheckCancel returned by every CancelCallback */
	bool memory_forever;       /* MemoryCallback never ends its loop */
	bool accept_read_failure;  /* ReadMemoryFailureCallback answers S_OK */
	bool want_kernel;          /* WriteKernelMinidumpCallback returns a handle */
	uint64_t failed_at;        /* ReadMemoryFailure.Offset seen */
	HRESULT kernel_status;     /* KernelMinidumpStatus input seen */
	uint64_t vm_region;        /* IncludeVmRegion: the region to edit */
	uint64_t vm_base, vm_size; /* ... its new base and size */
	bool vm_stop;              /* ... answer FALSE there */
	bool vm_stop_fails;        /* the request's other reading of that FALSE */
	/* observations */
	unsigned calls[32];
	ULONG seen_flags[32][MAX_CALLS]; /* output write flags on entry, per type */
	unsigned memory_outputs_nonzero, cancel_presets_nonzero;
	unsigned param_mismatch, pid_mismatch;
};

static struct script *the_script;

static BOOL include_or_flags(struct script *s, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	switch (in->CallbackType) {
	case DC_IncludeThreadCallback: return in->IncludeThread.ThreadId != s->drop_thread;
	case DC_IncludeModuleCallback: return in->IncludeModule.BaseOfImage != s->drop_module;
	case DC_ThreadCallback:
		out->ThreadWriteFlags &= ~s->thread_clear;
		return TRUE;
	case DC_ModuleCallback:
		out->ModuleWriteFlags &= ~s->module_clear;
		return in->Module.BaseOfImage != s->false_module;
	}
	return TRUE;
}

static BOOL memory(struct script *s, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	bool add = in->CallbackType == DC_MemoryCallback;
	unsigned n = s->calls[in->CallbackType];
	if (out->MemoryBase || out->MemorySize)
		s->memory_outputs_nonzero++;
	if (add && s->memory_forever) {
		out->MemoryBase = s->add_base;
		out->MemorySize = 0x10;
		return TRUE;
	}
	if (n == 1 && (add ? s->add_size : s->remove_size)) {
		out->MemoryBase = add ? s->add_base : s->remove_base;
		out->MemorySize = add ? s->add_size : s->remove_size;
	}
	return TRUE; /* MemorySize 0 on the next call ends the loop */
}

#define PROCESS_HANDLE ((HANDLE)(uintptr_t)0x4321)

/* Item 72, spec-notes §3.6 item 21: who gets ProcessId and ProcessHandle. */
static ULONG expected_pid(ULONG type)
{
	switch (type) {
	case DC_IoStartCallback:
	case DC_IoWriteAllCallback:
	case DC_IoFinishCallback:
	case DC_WriteKernelMinidumpCallback:
	case DC_KernelMinidumpStatusCallback:
	case DC_IsProcessSnapshotCallback:
	case DC_VmStartCallback: return 0;
	}
	return 4242;
}

static HANDLE expected_handle(ULONG type)
{
	switch (type) {
	case DC_IoStartCallback:
	case DC_IoWriteAllCallback:
	case DC_IoFinishCallback:
	case DC_WriteKernelMinidumpCallback:
	case DC_KernelMinidumpStatusCallback: return NULL;
	}
	return PROCESS_HANDLE;
}

static BOOL DC_WIN_CALLBACK scripted(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
				     PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct script *s = the_script;
	if (param != s)
		s->param_mismatch++;
	if (in->ProcessId != expected_pid(in->CallbackType) ||
	    in->ProcessHandle != expected_handle(in->CallbackType))
		s->pid_mismatch++;
	if (in->CallbackType < 32) {
		unsigned n = s->calls[in->CallbackType]++;
		if (n < MAX_CALLS)
			s->seen_flags[in->CallbackType][n] = out->ThreadWriteFlags;
	}
	switch (in->CallbackType) {
	case DC_MemoryCallback:
	case DC_RemoveMemoryCallback: return memory(s, in, out);
	case DC_ReadMemoryFailureCallback:
		s->failed_at = in->ReadMemoryFailure.Offset;
		if (s->accept_read_failure)
			out->Status = (HRESULT)DC_HR_S_OK;
		return TRUE;
	case DC_WriteKernelMinidumpCallback:
		if (out->Handle)
			s->cancel_presets_nonzero++; /* Handle is pre-set NULL */
		if (s->want_kernel)
			out->Handle = (HANDLE)(uintptr_t)0x99;
		return TRUE;
	case DC_KernelMinidumpStatusCallback:
		s->kernel_status = in->Status;
		return TRUE;
	case DC_IncludeVmRegionCallback:
		if (!out->Continue)
			s->cancel_presets_nonzero++; /* Continue is pre-set TRUE */
		if (out->VmRegion.BaseAddress != s->vm_region)
			return TRUE;
		if (s->vm_stop)
			return FALSE;
		out->VmRegion.BaseAddress = s->vm_base;
		out->VmRegion.RegionSize = s->vm_size;
		return TRUE;
	case DC_CancelCallback:
		if (out->CheckCancel || out->Cancel)
			s->cancel_presets_nonzero++;
		out->CheckCancel = s->check_cancel;
		out->Cancel = s->cancel_at && s->calls[DC_CancelCallback] == s->cancel_at;
		return TRUE;
	}
	return include_or_flags(s, in, out);
}

static enum dc_err run(struct script *s, uint64_t type, struct pb_buf *out,
		       struct dc_write_result *res, struct dc_process *p)
{
	MINIDUMP_CALLBACK_INFORMATION cb = { scripted, s };
	struct dc_write_request req = { .dump_type = type, .with_exception = true,
					.timestamp = 1700000000u, .callback = &cb,
					.process_id = 4242, .process_handle = PROCESS_HANDLE,
					.vm_region_stop_fails = s->vm_stop_fails };
	struct dc_sink sink = { out, pb_buf_write };
	the_script = s;
	pb_process(p);
	pb_buf_init(out);
	return dc_write_minidump(p, &req, &sink, res);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
}

static uint64_t rd64(const uint8_t *b)
{
	return rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

static const uint8_t *stream(const struct pb_buf *out, uint32_t type)
{
	uint32_t n = rd32(out->data + 8);
	for (uint32_t i = 0; i < n; i++)
		if (rd32(out->data + 32 + 12 * i) == type)
			return out->data + rd32(out->data + 32 + 12 * i + 8);
	return NULL;
}

/* Entry of ThreadList for thread `id`, or NULL. */
static const uint8_t *thread_entry(const struct pb_buf *out, uint32_t id)
{
	const uint8_t *tl = stream(out, DC_STREAM_THREAD_LIST);
	for (uint32_t i = 0; tl && i < rd32(tl); i++)
		if (rd32(tl + 4 + i * DC_SIZE_MINIDUMP_THREAD) == id)
			return tl + 4 + i * DC_SIZE_MINIDUMP_THREAD;
	return NULL;
}

static const uint8_t *module_entry(const struct pb_buf *out, uint64_t base)
{
	const uint8_t *ml = stream(out, DC_STREAM_MODULE_LIST);
	for (uint32_t i = 0; ml && i < rd32(ml); i++)
		if (rd64(ml + 4 + i * DC_SIZE_MINIDUMP_MODULE) == base)
			return ml + 4 + i * DC_SIZE_MINIDUMP_MODULE;
	return NULL;
}

/* True when MemoryList holds some of [addr, addr + size). */
static bool memory_touches(const struct pb_buf *out, uint64_t addr, uint64_t size)
{
	const uint8_t *ml = stream(out, DC_STREAM_MEMORY_LIST);
	for (uint32_t i = 0; ml && i < rd32(ml); i++) {
		const uint8_t *d = ml + 4 + i * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
		uint64_t start = rd64(d), len = rd32(d + 8);
		if (start < addr + size && addr < start + len)
			return true;
	}
	return false;
}

static void assert_valid(const struct pb_buf *out)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	dc_validate_opts_default(&opts);
	memset(&d, 0, sizeof(d));
	assert_int_equal(dc_minidump_validate(out->data, out->size, &opts, NULL, &d), DC_OK);
	assert_int_equal(d.total, 0);
	dc_diags_free(&d);
}

static void done(struct pb_buf *out, struct dc_process *p)
{
	pb_buf_free(out);
	dc_process_free(p);
}

/* Items 46, 47, 54: the param comes back unchanged, defaults are pre-set,
 * one Thread/Module callback per included thread/module. */
static void defaults_and_counts(void **state)
{
	(void)state;
	struct script s = { 0 };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_int_equal(s.param_mismatch, 0);
	assert_int_equal(s.pid_mismatch, 0);
	assert_int_equal(s.calls[DC_IncludeThreadCallback], 3);
	assert_int_equal(s.calls[DC_ThreadCallback], 3);
	assert_int_equal(s.calls[DC_IncludeModuleCallback], 3);
	assert_int_equal(s.calls[DC_ModuleCallback], 3);
	assert_int_equal(s.seen_flags[DC_IncludeThreadCallback][0], 0x17);
	assert_int_equal(s.seen_flags[DC_ThreadCallback][0], 0x17);
	assert_int_equal(s.seen_flags[DC_IncludeModuleCallback][0], 0x0D);
	assert_int_equal(s.calls[DC_IsProcessSnapshotCallback], 1);
	assert_int_equal(s.calls[DC_VmStartCallback], 1);
	assert_int_equal(s.calls[DC_SecondaryFlagsCallback], 1);
	assert_int_equal(s.calls[DC_WriteKernelMinidumpCallback], 1);
	assert_int_equal(s.calls[DC_KernelMinidumpStatusCallback], 0);
	assert_int_equal(s.calls[DC_ReadMemoryFailureCallback], 0);
	assert_valid(&out);
	done(&out, &p);
	memset(&s, 0, sizeof(s));
	assert_int_equal(run(&s, DC_MiniDumpWithDataSegs | DC_MiniDumpWithThreadInfo |
				     DC_MiniDumpWithCodeSegs, &out, &res, &p), DC_OK);
	assert_int_equal(s.seen_flags[DC_IncludeThreadCallback][0], 0x17 | DC_ThreadWriteThreadInfo);
	assert_int_equal(s.seen_flags[DC_IncludeModuleCallback][0],
			 0x0D | DC_ModuleWriteDataSeg | DC_ModuleWriteCodeSegs);
	done(&out, &p);
}

/* Items 48, 49: refused by Include* ⇒ absent, and no Thread/Module callback. */
static void include_false_excludes(void **state)
{
	(void)state;
	struct script s = { .drop_thread = 0x1003, .drop_module = 0x7FF800000000ull };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_null(thread_entry(&out, 0x1003));
	assert_non_null(thread_entry(&out, 0x1001));
	assert_false(memory_touches(&out, 0x121000, 0x1000)); /* its stack is gone too */
	assert_null(module_entry(&out, 0x7FF800000000ull));
	assert_int_equal(s.calls[DC_ThreadCallback], 2);
	assert_int_equal(s.calls[DC_ModuleCallback], 2);
	const uint8_t *names = stream(&out, DC_STREAM_THREAD_NAMES);
	assert_int_equal(rd32(names), 1); /* "worker" belonged to 0x1003 */
	assert_valid(&out);
	done(&out, &p);
}

/* Items 50-53: FALSE from ModuleCallback drops it; trimmed flags take effect. */
static void trimming_takes_effect(void **state)
{
	(void)state;
	struct script s = { .thread_clear = DC_ThreadWriteContext | DC_ThreadWriteStack,
			    .module_clear = DC_ModuleWriteCvRecord,
			    .false_module = 0x7FF810000000ull };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	const uint8_t *t = thread_entry(&out, 0x1001);
	assert_non_null(t);
	assert_int_equal(rd32(t + DC_OFF_MINIDUMP_THREAD_ThreadContext), 0);
	assert_int_equal(rd32(t + DC_OFF_MINIDUMP_THREAD_ThreadContext + 4), 0);
	assert_int_equal(rd32(t + DC_OFF_MINIDUMP_THREAD_Stack + 8), 0);
	assert_false(memory_touches(&out, 0x101000, 0x1000));
	const uint8_t *m = module_entry(&out, 0x400000);
	assert_non_null(m);
	assert_int_equal(rd32(m + DC_OFF_MINIDUMP_MODULE_CvRecord), 0);
	assert_int_not_equal(rd32(m + DC_OFF_MINIDUMP_MODULE_MiscRecord), 0);
	assert_null(module_entry(&out, 0x7FF810000000ull));
	done(&out, &p);
}

/* Items 55-57: the Memory/RemoveMemory loops, outputs zeroed on entry. */
static void memory_add_and_remove(void **state)
{
	(void)state;
	struct script s = { .add_base = PB_HEAP_TARGET, .add_size = 0x100,
			    .remove_base = 0x101400, .remove_size = 0x200 };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_int_equal(s.calls[DC_MemoryCallback], 2);       /* the range, then size 0 */
	assert_int_equal(s.calls[DC_RemoveMemoryCallback], 2);
	assert_int_equal(s.memory_outputs_nonzero, 0);
	assert_true(memory_touches(&out, PB_HEAP_TARGET, 0x100));
	assert_false(memory_touches(&out, 0x101400, 0x200));    /* the hole */
	assert_true(memory_touches(&out, 0x101000, 0x400));     /* the stack around it stays */
	assert_true(memory_touches(&out, 0x101600, 0xA00));
	assert_valid(&out);
	done(&out, &p);
}

/* Item 58: no Memory/RemoveMemory callbacks for full-memory dumps. */
static void no_memory_callbacks_with_full_memory(void **state)
{
	(void)state;
	struct script s = { .add_base = PB_HEAP_TARGET, .add_size = 0x100 };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory,
			     &out, &res, &p), DC_OK);
	assert_int_equal(s.calls[DC_MemoryCallback], 0);
	assert_int_equal(s.calls[DC_RemoveMemoryCallback], 0);
	done(&out, &p);
}

/* Items 59-61: Cancel fails with HRESULT_FROM_WIN32(ERROR_CANCELLED) and
 * leaves no header; CheckCancel FALSE stops the checks; presets FALSE. */
static void cancel(void **state)
{
	(void)state;
	struct script s = { .cancel_at = 3, .check_cancel = TRUE };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_E_CANCELLED);
	assert_int_equal(res.hresult, DC_HR_ERROR_CANCELLED);
	assert_int_equal(s.calls[DC_CancelCallback], 3);
	assert_int_equal(s.cancel_presets_nonzero, 0);
	assert_true(out.size < 4 || memcmp(out.data, "MDMP", 4) != 0);
	done(&out, &p);
	memset(&s, 0, sizeof(s));
	s.check_cancel = FALSE;
	s.cancel_at = 2; /* never reached: the first answer stopped the checks */
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_int_equal(s.calls[DC_CancelCallback], 1);
	assert_valid(&out);
	done(&out, &p);
}

/* A MemoryCallback that never ends its loop fails the dump at the cap. */
static void endless_memory_loop_is_cut(void **state)
{
	(void)state;
	struct script s = { .add_base = PB_HEAP_TARGET, .memory_forever = true };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_E_CALLBACK);
	assert_int_equal(res.hresult, DC_HR_E_FAIL);
	done(&out, &p);
}

/* Item 68: a read that fails asks ReadMemoryFailureCallback; TRUE with
 * S_OK leaves the block out, anything else fails the dump. */
static void read_failure(void **state)
{
	(void)state;
	struct script s = { .add_base = 0x310000, .add_size = 0x100 }; /* the unreadable page */
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_E_IO);
	assert_int_equal(res.hresult, DC_HRESULT_ERROR_PARTIAL_COPY);
	assert_int_equal(s.failed_at, 0x310000);
	done(&out, &p);
	memset(&s, 0, sizeof(s));
	s.add_base = 0x310000;
	s.add_size = 0x100;
	s.accept_read_failure = true;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_false(memory_touches(&out, 0x310000, 0x100));
	assert_valid(&out);
	done(&out, &p);
	/* full memory without IgnoreInaccessibleMemory asks too */
	memset(&s, 0, sizeof(s));
	s.accept_read_failure = true;
	assert_int_equal(run(&s, DC_MiniDumpWithFullMemory, &out, &res, &p), DC_OK);
	assert_int_equal(s.calls[DC_ReadMemoryFailureCallback], 1);
	assert_valid(&out);
	done(&out, &p);
}

/* Item 73: WriteKernelMinidump after success, Handle pre-set NULL; asking
 * for one gets a KernelMinidumpStatus (E_NOTIMPL: the model has no kernel). */
static void kernel_minidump(void **state)
{
	(void)state;
	struct script s = { .want_kernel = true };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_int_equal(s.calls[DC_WriteKernelMinidumpCallback], 1);
	assert_int_equal(s.calls[DC_KernelMinidumpStatusCallback], 1);
	assert_int_equal(s.kernel_status, (HRESULT)DC_HR_E_NOTIMPL);
	assert_int_equal(s.cancel_presets_nonzero, 0);
	assert_int_equal(s.pid_mismatch, 0);
	done(&out, &p);
	memset(&s, 0, sizeof(s));
	s.cancel_at = 1;
	s.check_cancel = TRUE;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_E_CANCELLED);
	assert_int_equal(s.calls[DC_WriteKernelMinidumpCallback], 0); /* only after success */
	done(&out, &p);
}

/* True when Memory64List holds some of [addr, addr + size). */
static bool memory64_touches(const struct pb_buf *out, uint64_t addr, uint64_t size)
{
	const uint8_t *ml = stream(out, DC_STREAM_MEMORY64_LIST);
	for (uint64_t i = 0; ml && i < rd64(ml); i++) {
		const uint8_t *d = ml + 16 + i * 16;
		uint64_t start = rd64(d), len = rd64(d + 8);
		if (start < addr + size && addr < start + len)
			return true;
	}
	return false;
}

/* Item 74: IncludeVmRegion edits a full-memory dump's regions. */
static void include_vm_region(void **state)
{
	(void)state;
	uint64_t full = DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory;
	struct script s = { .vm_region = 0x200000, .vm_base = 0x201000, .vm_size = 0x1000 };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(&s, full, &out, &res, &p), DC_OK);
	assert_false(memory64_touches(&out, 0x200000, 0x1000));
	assert_true(memory64_touches(&out, 0x201000, 0x1000));
	assert_false(memory64_touches(&out, 0x202000, 0x2000));
	assert_int_equal(s.cancel_presets_nonzero, 0);
	assert_valid(&out);
	unsigned all = s.calls[DC_IncludeVmRegionCallback];
	done(&out, &p);
	/* size 0 leaves the region out */
	memset(&s, 0, sizeof(s));
	s.vm_region = 0x200000;
	s.vm_base = 0x200000;
	assert_int_equal(run(&s, full, &out, &res, &p), DC_OK);
	assert_false(memory64_touches(&out, 0x200000, 0x4000));
	done(&out, &p);
	/* FALSE: no more calls, the later regions whole (the default reading) */
	memset(&s, 0, sizeof(s));
	s.vm_region = 0x200000;
	s.vm_stop = true;
	assert_int_equal(run(&s, full, &out, &res, &p), DC_OK);
	assert_true(s.calls[DC_IncludeVmRegionCallback] < all);
	assert_true(memory64_touches(&out, 0x400000, 0x4000));
	done(&out, &p);
	/* the other reading, when asked for: FALSE fails the dump */
	s.calls[DC_IncludeVmRegionCallback] = 0;
	s.vm_stop_fails = true;
	assert_int_equal(run(&s, full, &out, &res, &p), DC_E_CALLBACK);
	assert_int_equal(res.hresult, DC_HR_E_FAIL);
	done(&out, &p);
	/* not a page-aligned part of the region: E_INVALIDARG */
	memset(&s, 0, sizeof(s));
	s.vm_region = 0x200000;
	s.vm_base = 0x200800;
	s.vm_size = 0x1000;
	assert_int_equal(run(&s, full, &out, &res, &p), DC_E_CALLBACK);
	assert_int_equal(res.hresult, DC_HRESULT_E_INVALIDARG);
	done(&out, &p);
}

/* ---------------------------------------------------------------- I/O redirection */

struct io_script {
	HRESULT start_status;   /* what IoStart answers */
	unsigned fail_write;    /* IoWriteAll call (1-based) that returns FALSE, 0 never */
	BOOL finish_ok;
	unsigned starts, writes, finishes, other_after_finish;
	unsigned bad_start_entry; /* pid, handle or preset wrong on IoStart */
	unsigned wrong_handle;
	struct pb_buf file;       /* what IoWriteAll delivered */
};

#define FILE_HANDLE ((HANDLE)(uintptr_t)0x1234)

static BOOL DC_WIN_CALLBACK io_cb(PVOID param, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct io_script *s = param;
	if (s->finishes && in->CallbackType != DC_WriteKernelMinidumpCallback)
		s->other_after_finish++; /* only the kernel-minidump question may follow */
	switch (in->CallbackType) {
	case DC_IoStartCallback:
		s->starts++;
		if (in->ProcessId != 0 || in->ProcessHandle != NULL ||
		    out->Status != (HRESULT)DC_HR_E_NOTIMPL || in->Io.Handle != FILE_HANDLE)
			s->bad_start_entry++;
		out->Status = s->start_status;
		return TRUE;
	case DC_IoWriteAllCallback:
		s->writes++;
		if (in->Io.Handle != FILE_HANDLE)
			s->wrong_handle++;
		if (s->writes == s->fail_write)
			return FALSE;
		pb_buf_write(&s->file, in->Io.Offset, in->Io.Buffer, in->Io.BufferBytes);
		out->Status = (HRESULT)DC_HR_S_OK;
		return TRUE;
	case DC_IoFinishCallback:
		s->finishes++;
		out->Status = s->finish_ok ? (HRESULT)DC_HR_S_OK : (HRESULT)DC_HR_E_FAIL;
		return s->finish_ok;
	}
	return TRUE;
}

static enum dc_err run_io(struct io_script *s, struct pb_buf *direct, struct dc_write_result *res)
{
	struct dc_process p;
	MINIDUMP_CALLBACK_INFORMATION cb = { io_cb, s };
	struct dc_write_request req = { .dump_type = DC_MiniDumpWithHandleData, .timestamp = 1,
					.callback = &cb, .process_id = 4242,
					.file_handle = FILE_HANDLE };
	struct dc_sink sink = { direct, pb_buf_write };
	pb_process(&p);
	pb_buf_init(direct);
	pb_buf_init(&s->file);
	enum dc_err err = dc_write_minidump(&p, &req, &sink, res);
	dc_process_free(&p);
	return err;
}

/* Items 62, 63, 65, 66: IoStart's conventions; with S_FALSE every byte goes
 * through IoWriteAll (none to the file) and the pieces make a valid dump;
 * IoFinish comes last. */
static void io_redirection(void **state)
{
	(void)state;
	struct io_script s = { .start_status = (HRESULT)DC_HR_S_FALSE, .finish_ok = TRUE };
	struct pb_buf direct;
	struct dc_write_result res;
	assert_int_equal(run_io(&s, &direct, &res), DC_OK);
	assert_int_equal(s.starts, 1);
	assert_int_equal(s.bad_start_entry, 0);
	assert_int_equal(s.wrong_handle, 0);
	assert_true(s.writes > 10);
	assert_int_equal(s.finishes, 1);
	assert_int_equal(s.other_after_finish, 0);
	assert_int_equal(direct.writes, 0);
	assert_int_equal(s.file.size, res.bytes);
	assert_valid(&s.file);
	pb_buf_free(&s.file);
	pb_buf_free(&direct);
}

/* Item 67: no redirection unless IoStart said S_FALSE: no IoWriteAll or IoFinish. */
static void io_start_declined(void **state)
{
	(void)state;
	struct io_script s = { .start_status = (HRESULT)DC_HR_E_NOTIMPL, .finish_ok = TRUE };
	struct pb_buf direct;
	struct dc_write_result res;
	assert_int_equal(run_io(&s, &direct, &res), DC_OK);
	assert_int_equal(s.starts, 1);
	assert_int_equal(s.writes, 0);
	assert_int_equal(s.finishes, 0);
	assert_valid(&direct);
	pb_buf_free(&s.file);
	pb_buf_free(&direct);
}

/* Items 64, 66: failing any IoWriteAll call, or IoFinish, fails the dump. */
static void io_failure_at_every_call(void **state)
{
	(void)state;
	struct io_script s = { .start_status = (HRESULT)DC_HR_S_FALSE, .finish_ok = TRUE };
	struct pb_buf direct;
	struct dc_write_result res;
	assert_int_equal(run_io(&s, &direct, &res), DC_OK);
	unsigned total = s.writes;
	pb_buf_free(&s.file);
	pb_buf_free(&direct);
	for (unsigned k = 1; k <= total; k++) {
		struct io_script f = { .start_status = (HRESULT)DC_HR_S_FALSE, .fail_write = k,
				       .finish_ok = TRUE };
		assert_int_equal(run_io(&f, &direct, &res), DC_E_CALLBACK);
		assert_int_equal(res.hresult, DC_HR_E_FAIL);
		assert_int_equal(res.bytes, 0);
		assert_int_equal(f.writes, k); /* no write after the failed one */
		assert_int_equal(f.finishes, 0);
		assert_true(f.file.size < 4 || memcmp(f.file.data, "MDMP", 4) != 0);
		pb_buf_free(&f.file);
		pb_buf_free(&direct);
	}
	struct io_script g = { .start_status = (HRESULT)DC_HR_S_FALSE, .finish_ok = FALSE };
	assert_int_equal(run_io(&g, &direct, &res), DC_E_CALLBACK);
	assert_int_equal(res.hresult, DC_HR_E_FAIL);
	pb_buf_free(&g.file);
	pb_buf_free(&direct);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_counts),
		cmocka_unit_test(include_false_excludes),
		cmocka_unit_test(trimming_takes_effect),
		cmocka_unit_test(memory_add_and_remove),
		cmocka_unit_test(no_memory_callbacks_with_full_memory),
		cmocka_unit_test(cancel),
		cmocka_unit_test(endless_memory_loop_is_cut),
		cmocka_unit_test(read_failure),
		cmocka_unit_test(include_vm_region),
		cmocka_unit_test(kernel_minidump),
		cmocka_unit_test(io_redirection),
		cmocka_unit_test(io_start_declined),
		cmocka_unit_test(io_failure_at_every_call),
	};
	return cmocka_run_group_tests_name("writer callbacks", tests, NULL, NULL);
}
