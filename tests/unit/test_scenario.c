/* Scenario files, the scripted callback routine and the tracer
 * (dumpcheck/scenario.h, script.h, trace.h). Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dumpcheck/scenario.h"
#include "dumpcheck/trace.h"
#include "procbuild.h"

static uint64_t le(const uint8_t *b, unsigned width)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < width; k++)
		v |= (uint64_t)b[k] << (8 * k);
	return v;
}

static enum dc_err parse(const char *text, struct dc_scenario *sc, char *why)
{
	return dc_scenario_parse(text, strlen(text), 1u << 20, sc, why, 256);
}

/* ---------------------------------------------------------------- the model */

static void plain_file_builds_the_model(void **state)
{
	struct dc_scenario sc;
	char why[256];
	(void)state;
	assert_int_equal(dc_scenario_load("spec/scenarios/plain.toml", 0, &sc, why, sizeof(why)), DC_OK);
	assert_string_equal(sc.name, "plain");
	const struct dc_process *p = &sc.process;
	assert_int_equal(p->arch, DC_ARCH_AMD64);
	assert_int_equal(p->nthreads, 3);
	assert_int_equal(p->nmodules, 3);
	assert_int_equal(p->nhandles, 2);
	assert_int_equal(p->nunloaded, 1);
	/* context = { pc, sp }: ContextFlags CONTEXT_ALL at 0x30, Rip 0xF8, Rsp 0x98 */
	const uint8_t *ctx = p->threads[0].context.data;
	assert_int_equal(p->threads[0].context.size, 1232);
	assert_int_equal(le(ctx + 0x30, 4), 0x0010001F);
	assert_int_equal(le(ctx + 0xF8, 8), 0x401100);
	assert_int_equal(le(ctx + 0x98, 8), 0x101F00);
	/* version = [1, 2, 3, 4] */
	assert_int_equal(p->modules[0].version[0], 0xFEEF04BDu);
	assert_int_equal(p->modules[0].version[2], 0x00010002u);
	assert_int_equal(p->modules[0].version[3], 0x00030004u);
	/* codeview: RSDS, GUID in memory order, age, "app.pdb\0" */
	const struct dc_blob *cv = &p->modules[0].cv;
	assert_int_equal(cv->size, 24 + 8);
	assert_memory_equal(cv->data, "RSDS\xC4\xA3\xB7\x1E\x6F\x5E\x1B\x4A\x9C\x2D", 14);
	assert_int_equal(le(cv->data + 20, 4), 1);
	assert_string_equal((const char *)cv->data + 24, "app.pdb");
	/* words planted in the first stack, pattern elsewhere, unreadable page */
	assert_int_equal(le(p->regions[0].contents + 0x1010, 8), 0x401234);
	assert_int_equal(p->regions[1].contents[5], (uint8_t)((0x110005 >> 12) ^ 0x110005));
	assert_null(dc_process_region_at(p, 0x310000)->contents);
	assert_int_equal(p->handles[0].nobjinfo, 2);
	/* one token: list header 16 + element header 16 + 8 bytes */
	assert_int_equal(p->tokens.size, 40);
	assert_int_equal(le(p->tokens.data, 4), 40);
	assert_int_equal(le(p->tokens.data + 4, 4), 1);
	assert_int_equal(le(p->tokens.data + 16, 4), 24);
	assert_int_equal(le(p->tokens.data + 20, 4), 7);
	assert_int_equal(le(p->tokens.data + 24, 8), 0x3C);
	assert_true(p->has_exception);
	assert_ptr_equal(p->exception.context.data, p->threads[1].context.data);
	assert_true(sc.request.with_exception);
	assert_int_equal(sc.request.process_id, 4242);
	assert_ptr_equal(sc.request.callback, &sc.callback);
	assert_true(sc.expect_returned && sc.expect_roundtrip);
	dc_scenario_free(&sc);
	dc_scenario_free(&sc); /* twice is fine */
}

static void base_file_supplies_process_and_request(void **state)
{
	struct dc_scenario sc;
	char why[256];
	(void)state;
	assert_int_equal(dc_scenario_load("spec/scenarios/cancel.toml", 0, &sc, why, sizeof(why)), DC_OK);
	assert_string_equal(sc.name, "cancel");
	assert_int_equal(sc.process.nthreads, 3);
	assert_true(sc.request.with_exception);
	assert_int_equal(sc.script.nrules, 2);
	assert_int_equal(sc.script.rules[0].type, DC_CancelCallback);
	assert_int_equal(sc.script.rules[0].nth, 3);
	assert_false(sc.expect_returned);
	assert_int_equal((uint32_t)sc.expect_hresult, DC_HR_ERROR_CANCELLED);
	dc_scenario_free(&sc);
	assert_int_equal(dc_scenario_load("spec/scenarios/no-such.toml", 0, &sc, why, sizeof(why)), DC_E_IO);
}

/* ---------------------------------------------------------------- errors */

#define PROC "name = \"x\"\n[process]\narch = \"amd64\"\n"

static void bad_scenarios_explain_themselves(void **state)
{
	static const struct {
		const char *text, *why;
		enum dc_err err;
	} cases[] = {
		{ "name = \"x\"\n", "(top).process: missing", DC_E_MALFORMED },
		{ "[process]\narch = \"x86\"\n", "(top).name: missing", DC_E_MALFORMED },
		{ PROC "colour = 1\n", "line 4: process.colour: unknown key", DC_E_MALFORMED },
		{ PROC "pid = -1\n", "process.pid: expected a non-negative integer", DC_E_MALFORMED },
		{ PROC "pid = 0x100000000\n", "process.pid: 4294967296 is above the maximum", DC_E_MALFORMED },
		{ PROC "[[process.token]]\nid = 1\nhex = \"0g\"\n", "process.token[0].hex: not a pair of hex digits",
		  DC_E_MALFORMED },
		{ PROC "[[process.region]]\nbase = 0\nsize = 4096\nprotect = \"PAGE_BOGUS\"\n",
		  "process.region[0].protect: unknown name 'PAGE_BOGUS'", DC_E_MALFORMED },
		{ PROC "[[process.region]]\nbase = 0\nsize = 0x200000\n",
		  "process.region[0].size: the scenario's regions exceed its memory budget", DC_E_MALFORMED },
		{ PROC "[[process.region]]\nbase = 0\nsize = 16\nwords = [{ off = 12, value = 1 }]\n",
		  "process.region[0].words[0].off: the word does not fit", DC_E_MALFORMED },
		{ PROC "[[process.module]]\npath = \"a\"\nbase = 0\nsize = 1\ncodeview = { guid = \"x\", pdb = \"a\" }\n",
		  "process.module[0].codeview.guid: expected XXXXXXXX", DC_E_MALFORMED },
		{ PROC "[[process.module]]\npath = \"a\"\nbase = 0\nsize = 1\nversion = [1, 2]\n",
		  "process.module[0].version: expected 4 numbers", DC_E_MALFORMED },
		{ PROC "[process.exception]\nthread = 9\ncode = 1\n", "process.exception.thread: no thread 9",
		  DC_E_MALFORMED },
		{ PROC "[[process.thread]]\nid = 1\nstack = { base = 0, size = 16 }\n",
		  "line 2: process: thread 1: stack is not inside one readable region", DC_E_MALFORMED },
		{ PROC "[request]\ndump_type = [\"WithDataSegs\", \"WithNothing\"]\n",
		  "request.dump_type: unknown name 'WithNothing'", DC_E_MALFORMED },
		{ PROC "[request]\nexception_param = true\n", "request.exception_param: the process has no exception",
		  DC_E_MALFORMED },
		{ PROC "[request]\nuser_streams = [{ type = 3, text = \"x\" }]\n",
		  "request.user_streams[0].type: 0x3 is a reserved stream type", DC_E_MALFORMED },
		{ PROC "[[callback]]\nnth = 1\n", "callback[0].type: missing", DC_E_MALFORMED },
		{ PROC "[[callback]]\ntype = \"Nope\"\n", "callback[0].type: unknown name 'Nope'", DC_E_MALFORMED },
		{ PROC "[[callback]]\ntype = \"Cancel\"\nmemory_size = 1\n",
		  "callback[0].memory_size: means nothing for CancelCallback", DC_E_MALFORMED },
		{ PROC "[[callback]]\ntype = \"IoStart\"\nstatus = \"S_MAYBE\"\n",
		  "callback[0].status: unknown HRESULT name 'S_MAYBE'", DC_E_MALFORMED },
		{ PROC "[expect]\nreturned = false\n", "expect.last_error: give last_error exactly when",
		  DC_E_MALFORMED },
		{ "base = \"plain.toml\"\n" PROC, "(top).base: a base is only read from a file", DC_E_MALFORMED },
		{ PROC "x = 1.5\n", "floats are not supported", DC_E_UNSUPPORTED },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dc_scenario sc;
		char why[256] = "";
		enum dc_err err = parse(cases[i].text, &sc, why);
		if (err != cases[i].err || !strstr(why, cases[i].why))
			fail_msg("case %zu: got %s \"%s\", want %s \"%s\"", i, dc_err_name(err), why,
				 dc_err_name(cases[i].err), cases[i].why);
		assert_null(sc.name);
		assert_null(sc.process.arena);
	}
}

static void names_without_shared_prefix_or_suffix(void **state)
{
	uint64_t v;
	(void)state;
	assert_true(dc_enum_parse(DC_E_MINIDUMP_TYPE, "MiniDumpWithDataSegs", &v) && v == 1);
	assert_true(dc_enum_parse(DC_E_MINIDUMP_TYPE, "WithHandleData", &v) && v == 4);
	assert_true(dc_enum_parse(DC_E_MINIDUMP_CALLBACK_TYPE, "IncludeModule", &v) && v == 4);
	assert_true(dc_enum_parse(DC_E_MEMORY_PROTECT, "READWRITE", &v) && v == 4);
	assert_false(dc_enum_parse(DC_E_MINIDUMP_TYPE, "DataSegs", &v));
	assert_false(dc_enum_parse(DC_E_MINIDUMP_TYPE, "", &v));
	assert_false(dc_enum_parse(DC_E_COUNT, "x", &v));
}

/* ---------------------------------------------------------------- script */

static BOOL call(struct dc_script *s, ULONG type, MINIDUMP_CALLBACK_INPUT *in, MINIDUMP_CALLBACK_OUTPUT *out)
{
	in->CallbackType = type;
	return dc_script_callback(s, in, out);
}

static void script_first_matching_rule_decides(void **state)
{
	struct dc_script_rule rules[3] = {
		{ .type = DC_IncludeThreadCallback, .has_item = true, .item = 7, .has_return = true, .ret = false },
		{ .type = DC_IncludeThreadCallback, .nth = 2, .set = DC_SCRIPT_CLEAR_FLAGS, .clear_flags = 0x2 },
		{ .type = DC_IncludeThreadCallback, .set = DC_SCRIPT_WRITE_FLAGS, .write_flags = 0x1 },
	};
	struct dc_script s = { .rules = rules, .nrules = 3 };
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	(void)state;
	memset(&in, 0, sizeof(in));
	in.IncludeThread.ThreadId = 7;
	out.ThreadWriteFlags = 0x17;
	assert_false(call(&s, DC_IncludeThreadCallback, &in, &out)); /* call 1: thread 7 */
	in.IncludeThread.ThreadId = 8;
	assert_true(call(&s, DC_IncludeThreadCallback, &in, &out)); /* call 2: nth = 2 */
	assert_int_equal(out.ThreadWriteFlags, 0x15);
	assert_true(call(&s, DC_IncludeThreadCallback, &in, &out)); /* call 3: the catch-all */
	assert_int_equal(out.ThreadWriteFlags, 0x1);
	out.ModuleWriteFlags = 0xD; /* no rule: TRUE, output untouched */
	assert_true(call(&s, DC_IncludeModuleCallback, &in, &out));
	assert_int_equal(out.ModuleWriteFlags, 0xD);
	assert_int_equal(s.calls[DC_IncludeThreadCallback], 3);
	dc_script_reset(&s);
	assert_int_equal(s.calls[DC_IncludeThreadCallback], 0);
}

static void script_io_write_all_writes_unless_refused(void **state)
{
	struct dc_script_rule fail = { .type = DC_IoWriteAllCallback, .nth = 2, .set = DC_SCRIPT_STATUS,
				       .status = (int32_t)DC_HR_E_FAIL };
	struct pb_buf b;
	struct dc_sink sink = { &b, pb_buf_write };
	struct dc_script s = { .rules = &fail, .nrules = 1, .io = &sink };
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	(void)state;
	pb_buf_init(&b);
	memset(&in, 0, sizeof(in));
	in.Io.Offset = 4;
	in.Io.Buffer = "MDMP";
	in.Io.BufferBytes = 4;
	out.Status = (HRESULT)DC_HR_E_NOTIMPL;
	assert_true(call(&s, DC_IoWriteAllCallback, &in, &out));
	assert_int_equal((uint32_t)out.Status, DC_HR_S_OK);
	assert_int_equal(b.size, 8);
	assert_memory_equal(b.data + 4, "MDMP", 4);
	in.Io.Offset = 100; /* the rule fails this one: nothing may land in the file */
	assert_true(call(&s, DC_IoWriteAllCallback, &in, &out));
	assert_int_equal((uint32_t)out.Status, DC_HR_E_FAIL);
	assert_int_equal(b.size, 8);
	s.io = NULL; /* nowhere to write: the default fails */
	assert_false(call(&s, DC_IoWriteAllCallback, &in, &out));
	assert_int_equal(s.io_failures, 1);
	out.Status = (HRESULT)DC_HR_E_NOTIMPL;
	assert_true(call(&s, DC_IoFinishCallback, &in, &out));
	assert_int_equal((uint32_t)out.Status, DC_HR_S_OK);
	pb_buf_free(&b);
}

static void script_vm_reads_fill_and_xor(void **state)
{
	struct dc_script_rule rules[2] = {
		{ .type = DC_VmPreReadCallback, .set = DC_SCRIPT_VM_READ | DC_SCRIPT_FILL, .vm_read_completed = 99,
		  .fill = 0xEE },
		{ .type = DC_VmPostReadCallback, .set = DC_SCRIPT_XOR, .xor_byte = 0x0F },
	};
	struct dc_script s = { .rules = rules, .nrules = 2 };
	uint8_t buf[8] = { 0 };
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	(void)state;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.VmPreRead.Buffer = buf;
	in.VmPreRead.Size = 4; /* Completed 99 is clipped to the buffer's 4 */
	assert_true(call(&s, DC_VmPreReadCallback, &in, &out));
	assert_int_equal(out.VmReadBytesCompleted, 99);
	assert_memory_equal(buf, "\xEE\xEE\xEE\xEE\0\0\0\0", 8);
	in.VmPostRead.Buffer = buf;
	in.VmPostRead.Size = 2;
	assert_true(call(&s, DC_VmPostReadCallback, &in, &out));
	assert_memory_equal(buf, "\xE1\xE1\xEE\xEE", 4);
}

/* ---------------------------------------------------------------- trace */

static BOOL DC_WIN_CALLBACK refuse_module(PVOID param, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	*(int *)param += 1;
	out->ModuleWriteFlags &= ~1u;
	return in->CallbackType != DC_ModuleCallback;
}

static void tracer_records_input_output_and_result(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int calls = 0;
	MINIDUMP_CALLBACK_INFORMATION inner = { refuse_module, &calls };
	struct dc_tracer t;
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	WCHAR path[] = { 'C', ':', '\\', 0xE9, 0 };
	struct dc_trace_run run = { .implementation = "test", .arch = "amd64", .dump_type = 0x21,
				    .process_id = 5, .process_handle = (HANDLE)(uintptr_t)0x10 };
	(void)state;
	assert_non_null(f);
	dc_trace_init(&t, f, &inner);
	dc_trace_header(&t, &run);
	memset(&in, 0, sizeof(in));
	in.CallbackType = DC_ModuleCallback;
	in.ProcessId = 5;
	in.Module.FullPath = path;
	in.Module.BaseOfImage = 0x7FF800000000ull;
	in.Module.CvRecord = "a";
	in.Module.SizeOfCvRecord = 1;
	out.ModuleWriteFlags = 0xD;
	assert_false(dc_trace_callback(&t, &in, &out));
	assert_int_equal(out.ModuleWriteFlags, 0xC);
	dc_trace_result(&t, false, DC_HR_ERROR_CANCELLED, 1234);
	fclose(f);
	assert_int_equal(calls, 1);
	assert_non_null(strstr(text, "\"dump_type\":\"0x21\",\"process_id\":5,\"process_handle\":\"0x10\","
				     "\"file_handle\":null"));
	assert_non_null(strstr(text, "\"seq\":1,\"type\":\"ModuleCallback\",\"type_value\":0"));
	assert_non_null(strstr(text, "\"full_path\":\"C:\\\\\xC3\xA9\",\"base_of_image\":\"0x7ff800000000\""));
	/* FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; a NULL record is null */
	assert_non_null(strstr(text, "\"cv_record_digest\":\"0xaf63dc4c8601ec8c\""));
	assert_non_null(strstr(text, "\"misc_record_digest\":null"));
	assert_non_null(strstr(text, "\"output_in\":{\"module_write_flags\":13},\"returned\":false,"
				     "\"output_out\":{\"module_write_flags\":12}"));
	assert_non_null(strstr(text, "{\"record\":\"result\",\"callbacks\":1,\"returned\":false,"
				     "\"last_error\":\"0x800704c7\",\"bytes\":\"0x4d2\"}\n"));
	assert_int_equal(dc_trace_digest("a", 1), 0xaf63dc4c8601ec8cull);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_file_builds_the_model),
		cmocka_unit_test(base_file_supplies_process_and_request),
		cmocka_unit_test(bad_scenarios_explain_themselves),
		cmocka_unit_test(names_without_shared_prefix_or_suffix),
		cmocka_unit_test(script_first_matching_rule_decides),
		cmocka_unit_test(script_io_write_all_writes_unless_refused),
		cmocka_unit_test(script_vm_reads_fill_and_xor),
		cmocka_unit_test(tracer_records_input_output_and_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
