/* The clean-room Windows ABI header at run time: members written through the
 * declared structs land on the bytes spec/ names (and the bytes dbghelp.dll
 * exchanges), union members alias, a callback round trip through
 * MINIDUMP_CALLBACK_INFORMATION. Sizes and offsets are already pinned at
 * compile time by the header itself; these tests check what _Static_assert
 * cannot: the code the compiler emits for anonymous unions and structs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dumpcheck/win/minidumpapiset.h"

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The first non-zero byte of an object, or -1. */
static long first_set(const void *obj, size_t n)
{
	const unsigned char *p = obj;
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return (long)i;
	return -1;
}

static void target_is_the_host(void **state)
{
	(void)state;
	assert_int_equal(DC_ABI_POINTER_SIZE, sizeof(void *));
#if defined(__x86_64__)
	assert_string_equal(DC_ABI_ARCH_NAME, "x64");
	assert_int_equal(DC_ABI_CONTEXT_SIZE, 1232);
	assert_int_equal(DC_ABI_CONTEXT_ALIGN, 16);
#elif defined(__aarch64__)
	assert_string_equal(DC_ABI_ARCH_NAME, "arm64");
	assert_int_equal(DC_ABI_CONTEXT_SIZE, 912);
#elif defined(__i386__)
	assert_string_equal(DC_ABI_ARCH_NAME, "x86");
	assert_int_equal(DC_ABI_CONTEXT_SIZE, 716);
#endif
}

/* Output is one 52-byte union: the sub-members of its anonymous structs land
 * at 4, 8 and 48, everything else at 0 (spec-notes §3.4). */
static void output_members_land_on_their_bytes(void **state)
{
	(void)state;
	MINIDUMP_CALLBACK_OUTPUT out;
	assert_int_equal(sizeof out, 52);

	memset(&out, 0, sizeof out);
	out.Cancel = TRUE;
	assert_int_equal(first_set(&out, sizeof out), 4);
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_Cancel, 4);

	memset(&out, 0, sizeof out);
	out.MemorySize = 0x1234;
	assert_int_equal(first_set(&out, sizeof out), 8);
	assert_int_equal(get32((unsigned char *)&out + 8), 0x1234);
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_MemorySize, 8);

	memset(&out, 0, sizeof out);
	out.Continue = TRUE;
	assert_int_equal(first_set(&out, sizeof out), 48);
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_Continue, 48);

	memset(&out, 0, sizeof out);
	out.VmQueryResult.BaseAddress = 0xAB;
	assert_int_equal(first_set(&out, sizeof out), 4);
	memset(&out, 0, sizeof out);
	out.VmQueryResult.__alignment2 = 0xCD; /* the last 4 bytes of the union */
	assert_int_equal(first_set(&out, sizeof out), 48);

	memset(&out, 0, sizeof out);
	out.VmReadBytesCompleted = 7;
	assert_int_equal(first_set(&out, sizeof out), 4);
}

static void output_flag_members_alias_at_zero(void **state)
{
	(void)state;
	MINIDUMP_CALLBACK_OUTPUT out;
	memset(&out, 0, sizeof out);
	out.Status = (HRESULT)DC_HR_E_FAIL;
	assert_int_equal(first_set(&out, sizeof out), 0);
	assert_int_equal(out.ModuleWriteFlags, DC_HR_E_FAIL);
	assert_int_equal(out.ThreadWriteFlags, DC_HR_E_FAIL);
	assert_int_equal(out.SecondaryFlags, DC_HR_E_FAIL);
	assert_int_equal((uint32_t)out.VmQueryStatus, DC_HR_E_FAIL);
	assert_int_equal((uint32_t)out.VmReadStatus, DC_HR_E_FAIL);
	assert_int_equal((uint32_t)out.CheckCancel, DC_HR_E_FAIL);
	assert_int_equal((uint32_t)out.VmRegion.BaseAddress, DC_HR_E_FAIL);
	assert_int_equal((uint32_t)out.MemoryBase, DC_HR_E_FAIL);
	assert_ptr_equal((void *)&out.Handle, (void *)&out);
}

/* Input: pid, handle, type, then the union (16 on x64/ARM64, 12 on x86). */
static void input_header_bytes(void **state)
{
	(void)state;
	MINIDUMP_CALLBACK_INPUT in;
	memset(&in, 0, sizeof in);
	in.CallbackType = IoWriteAllCallback;
	assert_int_equal(first_set(&in, sizeof in),
	                 DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_CallbackType);
	memset(&in, 0, sizeof in);
	in.Status = 1;
	assert_int_equal(first_set(&in, sizeof in), DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_Status);
#if defined(DC_ABI_ARCH_X64)
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_CallbackType, 12);
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_Status, 16);
	assert_int_equal(sizeof in, 1312);
	/* Context at 16 inside the thread struct, at 32 in the input: not 12/28 */
	assert_int_equal((char *)&in.Thread.Context - (char *)&in, 32);
	assert_int_equal((char *)&in.Thread.SizeOfContext - (char *)&in, 16 + 0x4E0);
	assert_int_equal((char *)&in.Io.BufferBytes - (char *)&in, 16 + 24);
	assert_int_equal((char *)&in.VmPostRead.Status - (char *)&in, 16 + 24);
#elif defined(DC_ABI_ARCH_X86)
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_CallbackType, 8);
	assert_int_equal(DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_Status, 12);
	assert_int_equal((char *)&in.Thread.Context - (char *)&in, 20);
#endif
}

static void input_union_members_share_one_offset(void **state)
{
	(void)state;
	MINIDUMP_CALLBACK_INPUT in;
	const char *u = (const char *)&in.Status;
	const char *members[] = {
	    (const char *)&in.Thread,
	    (const char *)&in.ThreadEx,
	    (const char *)&in.Module,
	    (const char *)&in.IncludeThread,
	    (const char *)&in.IncludeModule,
	    (const char *)&in.Io,
	    (const char *)&in.ReadMemoryFailure,
	    (const char *)&in.SecondaryFlags,
	    (const char *)&in.VmQuery,
	    (const char *)&in.VmPreRead,
	    (const char *)&in.VmPostRead,
	};
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
		assert_ptr_equal(members[i], u);
	memset(&in, 0, sizeof in);
	in.IncludeThread.ThreadId = 0x1234;
	assert_int_equal(in.SecondaryFlags, 0x1234);
	assert_int_equal(in.Thread.ThreadId, 0x1234);
}

/* Bytes laid out the way dbghelp.dll hands them over, at spec/'s offsets,
 * read back through the declared struct. */
static void input_from_raw_bytes(void **state)
{
	(void)state;
	unsigned char raw[DC_ABI_SIZE_MINIDUMP_CALLBACK_INPUT];
	memset(raw, 0, sizeof raw);
	const size_t u = DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_Module;
	put32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_ProcessId, 4242);
	put32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_CallbackType, ModuleCallback);
	put64(raw + u + DC_ABI_OFF_MINIDUMP_MODULE_CALLBACK_BaseOfImage, 0x7FF612340000ull);
	put32(raw + u + DC_ABI_OFF_MINIDUMP_MODULE_CALLBACK_SizeOfImage, 0x5000);
	put32(raw + u + DC_ABI_OFF_MINIDUMP_MODULE_CALLBACK_VersionInfo, 0xFEEF04BDu);
	put32(raw + u + DC_ABI_OFF_MINIDUMP_MODULE_CALLBACK_SizeOfMiscRecord, 99);

	MINIDUMP_CALLBACK_INPUT in;
	memcpy(&in, raw, sizeof in);
	assert_int_equal(in.ProcessId, 4242);
	assert_int_equal(in.CallbackType, ModuleCallback);
	assert_true(in.Module.BaseOfImage == 0x7FF612340000ull);
	assert_int_equal(in.Module.SizeOfImage, 0x5000);
	assert_int_equal(in.Module.VersionInfo.dwSignature, 0xFEEF04BDu);
	assert_int_equal(in.Module.SizeOfMiscRecord, 99);

	memset(raw, 0, sizeof raw);
	put32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_Thread +
	          DC_ABI_OFF_MINIDUMP_THREAD_CALLBACK_Context,
	      0x0010001Fu); /* ContextFlags of an x86 context, first bytes of the CONTEXT */
	put64(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_INPUT_Thread +
	          DC_ABI_OFF_MINIDUMP_THREAD_CALLBACK_StackEnd,
	      0x1000);
	memcpy(&in, raw, sizeof in);
	assert_int_equal(get32(in.Thread.Context), 0x0010001Fu);
	assert_true(in.Thread.StackEnd == 0x1000);
}

static BOOL DC_WIN_CALLBACK answer(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
                                   PMINIDUMP_CALLBACK_OUTPUT out)
{
	*(int *)param += 1;
	switch (in->CallbackType) {
	case CancelCallback:
		out->Cancel = TRUE;
		out->CheckCancel = FALSE;
		return TRUE;
	case IncludeModuleCallback:
		out->ModuleWriteFlags &= ~(ULONG)ModuleWriteCvRecord;
		return TRUE;
	case IoStartCallback: out->Status = S_FALSE; return TRUE;
	case MemoryCallback:
		out->MemoryBase = in->ProcessId;
		out->MemorySize = 0x100;
		return TRUE;
	default: return FALSE;
	}
}

/* What a dispatcher sees after the call: the answer's bytes at spec/'s offsets. */
static void callback_round_trip(void **state)
{
	(void)state;
	int calls = 0;
	MINIDUMP_CALLBACK_INFORMATION info = {answer, &calls};
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	unsigned char raw[sizeof out];

	memset(&in, 0, sizeof in);
	memset(&out, 0, sizeof out);
	in.CallbackType = CancelCallback;
	assert_true(info.CallbackRoutine(info.CallbackParam, &in, &out));
	memcpy(raw, &out, sizeof raw);
	assert_int_equal(get32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_CheckCancel), FALSE);
	assert_int_equal(get32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_Cancel), TRUE);

	in.CallbackType = IncludeModuleCallback;
	out.ModuleWriteFlags = ModuleWriteModule | ModuleWriteMiscRecord | ModuleWriteCvRecord;
	assert_true(info.CallbackRoutine(info.CallbackParam, &in, &out));
	memcpy(raw, &out, sizeof raw);
	assert_int_equal(get32(raw), ModuleWriteModule | ModuleWriteMiscRecord);

	in.CallbackType = IoStartCallback;
	out.Status = E_NOTIMPL; /* native's value on entry */
	assert_true(info.CallbackRoutine(info.CallbackParam, &in, &out));
	memcpy(raw, &out, sizeof raw);
	assert_int_equal(get32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_Status), DC_HR_S_FALSE);

	memset(&out, 0, sizeof out);
	in.CallbackType = MemoryCallback;
	in.ProcessId = 0x4000;
	assert_true(info.CallbackRoutine(info.CallbackParam, &in, &out));
	memcpy(raw, &out, sizeof raw);
	assert_int_equal(get32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_MemoryBase), 0x4000);
	assert_int_equal(get32(raw + DC_ABI_OFF_MINIDUMP_CALLBACK_OUTPUT_MemorySize), 0x100);

	in.CallbackType = ThreadCallback;
	assert_false(info.CallbackRoutine(info.CallbackParam, &in, &out));
	assert_int_equal(calls, 5);
}

/* The CONTEXT-bearing input is 16-aligned on x64/ARM64, as MSVC makes it, so
 * an array of them keeps every CONTEXT on a 16-byte boundary. */
static void input_alignment(void **state)
{
	(void)state;
	static MINIDUMP_CALLBACK_INPUT two[2];
	assert_int_equal((char *)&two[1] - (char *)&two[0], DC_ABI_SIZE_MINIDUMP_CALLBACK_INPUT);
	assert_int_equal(_Alignof(MINIDUMP_CALLBACK_INPUT), DC_ABI_ALIGN_MINIDUMP_CALLBACK_INPUT);
	assert_int_equal((uintptr_t)two[1].Thread.Context % DC_ABI_CONTEXT_ALIGN, 0);
}

/* A file header and module entry decoded through the declared structs. */
static void file_structs_from_raw_bytes(void **state)
{
	(void)state;
	unsigned char raw[DC_SIZE_MINIDUMP_MODULE];
	memset(raw, 0, sizeof raw);
	put32(raw + DC_OFF_MINIDUMP_HEADER_Signature, MINIDUMP_SIGNATURE);
	put32(raw + DC_OFF_MINIDUMP_HEADER_TimeDateStamp, 0x5F000000u);
	put64(raw + DC_OFF_MINIDUMP_HEADER_Flags, MiniDumpWithThreadInfo | MiniDumpWithCodeSegs);
	MINIDUMP_HEADER h;
	memcpy(&h, raw, sizeof h);
	assert_int_equal(h.Signature, DC_MINIDUMP_SIGNATURE);
	assert_int_equal(h.Reserved, 0x5F000000u);
	assert_true(h.Flags == (DC_MiniDumpWithThreadInfo | DC_MiniDumpWithCodeSegs));

	memset(raw, 0, sizeof raw);
	put64(raw + DC_OFF_MINIDUMP_MODULE_Reserved0, 0x1122334455667788ull);
	MINIDUMP_MODULE m;
	memcpy(&m, raw, sizeof m);
	assert_true(m.Reserved0 == 0x1122334455667788ull); /* at 92, not 96 */
	assert_int_equal(sizeof(MINIDUMP_MODULE), 108);
	assert_int_equal(sizeof(MINIDUMP_THREAD_NAME), 12);
	assert_int_equal(sizeof(MINIDUMP_MISC_INFO_5), 1364);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(target_is_the_host),
	    cmocka_unit_test(output_members_land_on_their_bytes),
	    cmocka_unit_test(output_flag_members_alias_at_zero),
	    cmocka_unit_test(input_header_bytes),
	    cmocka_unit_test(input_union_members_share_one_offset),
	    cmocka_unit_test(input_from_raw_bytes),
	    cmocka_unit_test(callback_round_trip),
	    cmocka_unit_test(input_alignment),
	    cmocka_unit_test(file_structs_from_raw_bytes),
	};
	return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
