/* Trace records of MiniDumpWriteDump callbacks (dumpcheck/trace.h,
 * schema in spec/trace.md). Numbers that may pass 2^53 (addresses,
 * offsets, 64-bit sizes, handles, digests) and HRESULTs are hex strings;
 * other 32-bit values are JSON numbers. Pointers are never printed (they
 * differ from run to run): a buffer is given by its digest, or null. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/report.h"
#include "dumpcheck/trace.h"
#include "internal.h"

/* Longest Module.FullPath decoded (UTF-16 units): Windows' long-path limit. */
#define MAX_PATH_UNITS 32767u

uint64_t dc_trace_digest(const void *data, uint64_t n)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	for (uint64_t i = 0; p && i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ---------------------------------------------------------------- JSON members */

struct jw {
	FILE *f;
	bool first;
};

static void key(struct jw *j, const char *k)
{
	fprintf(j->f, "%s\"%s\":", j->first ? "" : ",", k);
	j->first = false;
}

static void open_obj(struct jw *j, const char *k)
{
	key(j, k);
	fputc('{', j->f);
	j->first = true;
}

static void close_obj(struct jw *j)
{
	fputc('}', j->f);
	j->first = false;
}

static void num(struct jw *j, const char *k, uint32_t v)
{
	key(j, k);
	fprintf(j->f, "%" PRIu32, v);
}

static void count(struct jw *j, const char *k, uint64_t v)
{
	key(j, k);
	fprintf(j->f, "%" PRIu64, v);
}

static void hex(struct jw *j, const char *k, uint64_t v)
{
	key(j, k);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

static void boolean(struct jw *j, const char *k, bool v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->f);
}

static void str(struct jw *j, const char *k, const char *s)
{
	key(j, k);
	if (s)
		dc_json_string(j->f, s, strlen(s));
	else
		fputs("null", j->f);
}

static void handle(struct jw *j, const char *k, HANDLE h)
{
	if (h)
		hex(j, k, (uint64_t)(uintptr_t)h);
	else
		str(j, k, NULL);
}

/* A buffer by its digest, or null when the pointer is NULL. */
static void digest(struct jw *j, const char *k, const void *p, uint64_t n)
{
	if (p)
		hex(j, k, dc_trace_digest(p, n));
	else
		str(j, k, NULL);
}

static void type_name(struct jw *j, ULONG type)
{
	str(j, "type", dc_enum_name(DC_E_MINIDUMP_CALLBACK_TYPE, type));
	num(j, "type_value", type);
}

/* ---------------------------------------------------------------- inputs */

static void full_path(struct jw *j, const WCHAR *path)
{
	size_t n = 0;
	while (path && n < MAX_PATH_UNITS && path[n])
		n++;
	char *utf8 = path ? malloc(3 * n + 1) : NULL;
	if (utf8)
		dci_utf16_to_utf8((const uint8_t *)path, n, utf8, 3 * n + 1);
	str(j, "full_path", utf8);
	free(utf8);
}

static void in_thread(struct jw *j, const MINIDUMP_THREAD_CALLBACK *t)
{
	uint64_t n = t->SizeOfContext < sizeof(t->Context) ? t->SizeOfContext : sizeof(t->Context);
	num(j, "thread_id", t->ThreadId);
	handle(j, "thread_handle", t->ThreadHandle);
	num(j, "size_of_context", t->SizeOfContext);
	hex(j, "context_digest", dc_trace_digest(t->Context, n));
	hex(j, "stack_base", t->StackBase);
	hex(j, "stack_end", t->StackEnd);
}

static void in_module(struct jw *j, const MINIDUMP_MODULE_CALLBACK *m)
{
	full_path(j, m->FullPath);
	hex(j, "base_of_image", m->BaseOfImage);
	num(j, "size_of_image", m->SizeOfImage);
	num(j, "checksum", m->CheckSum);
	num(j, "time_date_stamp", m->TimeDateStamp);
	hex(j, "version_digest", dc_trace_digest(&m->VersionInfo, sizeof(m->VersionInfo)));
	num(j, "size_of_cv_record", m->SizeOfCvRecord);
	digest(j, "cv_record_digest", m->CvRecord, m->SizeOfCvRecord);
	num(j, "size_of_misc_record", m->SizeOfMiscRecord);
	digest(j, "misc_record_digest", m->MiscRecord, m->SizeOfMiscRecord);
}

static void in_io(struct jw *j, const MINIDUMP_CALLBACK_INPUT *in)
{
	handle(j, "handle", in->Io.Handle);
	if (in->CallbackType != DC_IoWriteAllCallback)
		return;
	hex(j, "offset", in->Io.Offset);
	num(j, "buffer_bytes", in->Io.BufferBytes);
	digest(j, "buffer_digest", in->Io.Buffer, in->Io.BufferBytes);
}

static void in_vm(struct jw *j, const MINIDUMP_CALLBACK_INPUT *in)
{
	switch (in->CallbackType) {
	case DC_VmQueryCallback:
		hex(j, "offset", in->VmQuery.Offset);
		break;
	case DC_VmPreReadCallback:
		hex(j, "offset", in->VmPreRead.Offset);
		num(j, "size", in->VmPreRead.Size);
		boolean(j, "buffer", in->VmPreRead.Buffer != NULL);
		break;
	default:
		hex(j, "offset", in->VmPostRead.Offset);
		num(j, "size", in->VmPostRead.Size);
		num(j, "completed", in->VmPostRead.Completed);
		hex(j, "status", (uint32_t)in->VmPostRead.Status);
		digest(j, "buffer_digest", in->VmPostRead.Buffer, in->VmPostRead.Size);
	}
}

/* The union member the type names; nothing for the types that have none. */
static void input_member(struct jw *j, const MINIDUMP_CALLBACK_INPUT *in)
{
	switch (in->CallbackType) {
	case DC_ThreadCallback:
		in_thread(j, &in->Thread);
		break;
	case DC_ThreadExCallback:
		in_thread(j, (const MINIDUMP_THREAD_CALLBACK *)&in->ThreadEx);
		hex(j, "backing_store_base", in->ThreadEx.BackingStoreBase);
		hex(j, "backing_store_end", in->ThreadEx.BackingStoreEnd);
		break;
	case DC_ModuleCallback:
		in_module(j, &in->Module);
		break;
	case DC_IncludeThreadCallback:
		num(j, "thread_id", in->IncludeThread.ThreadId);
		break;
	case DC_IncludeModuleCallback:
		hex(j, "base_of_image", in->IncludeModule.BaseOfImage);
		break;
	case DC_IoStartCallback:
	case DC_IoWriteAllCallback:
	case DC_IoFinishCallback:
		in_io(j, in);
		break;
	case DC_ReadMemoryFailureCallback:
		hex(j, "offset", in->ReadMemoryFailure.Offset);
		num(j, "bytes", in->ReadMemoryFailure.Bytes);
		hex(j, "failure_status", (uint32_t)in->ReadMemoryFailure.FailureStatus);
		break;
	case DC_SecondaryFlagsCallback:
		num(j, "secondary_flags", in->SecondaryFlags);
		break;
	case DC_KernelMinidumpStatusCallback:
		hex(j, "status", (uint32_t)in->Status);
		break;
	case DC_VmQueryCallback:
	case DC_VmPreReadCallback:
	case DC_VmPostReadCallback:
		in_vm(j, in);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- outputs */

static void memory_info(struct jw *j, const char *k, const MINIDUMP_MEMORY_INFO *m)
{
	open_obj(j, k);
	hex(j, "base_address", m->BaseAddress);
	hex(j, "allocation_base", m->AllocationBase);
	num(j, "allocation_protect", m->AllocationProtect);
	hex(j, "region_size", m->RegionSize);
	num(j, "state", m->State);
	num(j, "protect", m->Protect);
	num(j, "type", m->Type);
	close_obj(j);
}

/* The output member the type reads; all 52 bytes for unknown types. */
static void output_member(struct jw *j, ULONG type, const MINIDUMP_CALLBACK_OUTPUT *o)
{
	switch (type) {
	case DC_ModuleCallback:
	case DC_IncludeModuleCallback:
		num(j, "module_write_flags", o->ModuleWriteFlags);
		break;
	case DC_ThreadCallback:
	case DC_ThreadExCallback:
	case DC_IncludeThreadCallback:
		num(j, "thread_write_flags", o->ThreadWriteFlags);
		break;
	case DC_SecondaryFlagsCallback:
		num(j, "secondary_flags", o->SecondaryFlags);
		break;
	case DC_MemoryCallback:
	case DC_RemoveMemoryCallback:
		hex(j, "memory_base", o->MemoryBase);
		num(j, "memory_size", o->MemorySize);
		break;
	case DC_CancelCallback:
		boolean(j, "check_cancel", o->CheckCancel != FALSE);
		boolean(j, "cancel", o->Cancel != FALSE);
		break;
	case DC_WriteKernelMinidumpCallback:
		handle(j, "handle", o->Handle);
		break;
	case DC_IncludeVmRegionCallback:
		memory_info(j, "vm_region", &o->VmRegion);
		boolean(j, "continue", o->Continue != FALSE);
		break;
	case DC_VmQueryCallback:
		hex(j, "vm_query_status", (uint32_t)o->VmQueryStatus);
		memory_info(j, "vm_query_result", &o->VmQueryResult);
		break;
	case DC_VmPreReadCallback:
	case DC_VmPostReadCallback:
		hex(j, "vm_read_status", (uint32_t)o->VmReadStatus);
		num(j, "vm_read_bytes_completed", o->VmReadBytesCompleted);
		break;
	case DC_KernelMinidumpStatusCallback:
		break; /* reads no output */
	case DC_ReadMemoryFailureCallback:
	case DC_IoStartCallback:
	case DC_IoWriteAllCallback:
	case DC_IoFinishCallback:
	case DC_IsProcessSnapshotCallback:
	case DC_VmStartCallback:
		hex(j, "status", (uint32_t)o->Status);
		break;
	default: {
		const uint8_t *b = (const uint8_t *)o;
		key(j, "raw");
		fputc('"', j->f);
		for (size_t i = 0; i < sizeof(*o); i++)
			fprintf(j->f, "%02x", b[i]);
		fputc('"', j->f);
	}
	}
}

static void output_obj(struct jw *j, const char *k, ULONG type, const MINIDUMP_CALLBACK_OUTPUT *o)
{
	open_obj(j, k);
	output_member(j, type, o);
	close_obj(j);
}

/* ---------------------------------------------------------------- records */

void dc_trace_init(struct dc_tracer *t, FILE *out, const MINIDUMP_CALLBACK_INFORMATION *inner)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	if (inner)
		t->inner = *inner;
}

void dc_trace_header(struct dc_tracer *t, const struct dc_trace_run *run)
{
	struct jw j = { t->out, true };
	fputc('{', j.f);
	str(&j, "record", "header");
	str(&j, "schema", "dumpcheck-trace");
	num(&j, "schema_version", DC_TRACE_SCHEMA_VERSION);
	str(&j, "implementation", run->implementation);
	str(&j, "version", run->version);
	str(&j, "scenario", run->scenario);
	str(&j, "arch", run->arch);
	hex(&j, "dump_type", run->dump_type);
	num(&j, "process_id", run->process_id);
	handle(&j, "process_handle", run->process_handle);
	handle(&j, "file_handle", run->file_handle);
	boolean(&j, "callbacks", run->callbacks);
	boolean(&j, "exception_param", run->exception_param);
	num(&j, "user_streams", run->user_streams);
	fputs("}\n", j.f);
}

BOOL DC_WIN_CALLBACK dc_trace_callback(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
				       PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct dc_tracer *t = param;
	struct jw j = { t->out, true };
	ULONG type = in->CallbackType;
	fputc('{', j.f);
	str(&j, "record", "callback");
	count(&j, "seq", ++t->seq);
	type_name(&j, type);
	num(&j, "process_id", in->ProcessId);
	handle(&j, "process_handle", in->ProcessHandle);
	open_obj(&j, "input");
	input_member(&j, in);
	close_obj(&j);
	output_obj(&j, "output_in", type, out);
	BOOL ret = t->inner.CallbackRoutine ? t->inner.CallbackRoutine(t->inner.CallbackParam, in, out)
					    : TRUE;
	boolean(&j, "returned", ret != FALSE);
	output_obj(&j, "output_out", type, out);
	/* VmPreRead's buffer is only known after the routine filled it. */
	if (type == DC_VmPreReadCallback)
		digest(&j, "buffer_digest_out", in->VmPreRead.Buffer, in->VmPreRead.Size);
	fputs("}\n", j.f);
	return ret;
}

void dc_trace_result(struct dc_tracer *t, bool returned, uint32_t last_error, uint64_t bytes)
{
	struct jw j = { t->out, true };
	fputc('{', j.f);
	str(&j, "record", "result");
	count(&j, "callbacks", t->seq);
	boolean(&j, "returned", returned);
	hex(&j, "last_error", last_error);
	hex(&j, "bytes", bytes);
	fputs("}\n", j.f);
}
