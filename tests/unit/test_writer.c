/* The reference writer: every dump type validates clean, output is
 * deterministic, failures never leave a valid header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "procbuild.h"

static enum dc_err write_dump(const struct dc_process *p, uint64_t type, struct pb_buf *out,
			      struct dc_write_result *res)
{
	struct dc_write_request req = { .dump_type = type, .with_exception = true,
					.timestamp = 1700000000u };
	struct dc_sink sink = { out, pb_buf_write };
	pb_buf_init(out);
	return dc_write_minidump(p, &req, &sink, res);
}

/* Validate, printing findings so that a failure says why. */
static size_t findings(const struct pb_buf *out, struct dc_diags *d)
{
	struct dc_validate_opts opts;
	dc_validate_opts_default(&opts);
	memset(d, 0, sizeof(*d));
	assert_int_equal(dc_minidump_validate(out->data, out->size, &opts, NULL, d), DC_OK);
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "  %s @0x%llx %s\n", dc_rule_descs[d->items[i].rule].id,
			(unsigned long long)d->items[i].offset, d->items[i].detail);
	return d->total;
}

static void assert_clean(const struct dc_process *p, uint64_t type)
{
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_diags d;
	assert_int_equal(write_dump(p, type, &out, &res), DC_OK);
	assert_int_equal(res.hresult, 0);
	assert_int_equal(res.bytes, out.size);
	if (findings(&out, &d))
		fprintf(stderr, "dump type 0x%llx\n", (unsigned long long)type);
	assert_int_equal(d.total, 0);
	dc_diags_free(&d);
	pb_buf_free(&out);
}

/* Stream `type`'s directory entry: its RVA, or 0 when absent. */
static uint32_t find_stream(const struct pb_buf *out, uint32_t type, uint32_t *size)
{
	uint32_t n = out->data[8] | out->data[9] << 8;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = out->data + 32 + 12 * i;
		if ((uint32_t)(e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24) == type) {
			*size = (uint32_t)(e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24);
			return (uint32_t)(e[8] | e[9] << 8 | e[10] << 16 | (uint32_t)e[11] << 24);
		}
	}
	return 0;
}

static void normal_dump_is_clean(void **state)
{
	(void)state;
	struct dc_process p;
	pb_process(&p);
	assert_clean(&p, 0);
	struct pb_buf out;
	struct dc_write_result res;
	uint32_t size;
	assert_int_equal(write_dump(&p, 0, &out, &res), DC_OK);
	assert_int_not_equal(find_stream(&out, DC_STREAM_THREAD_LIST, &size), 0);
	assert_int_equal(size, 4 + 3 * DC_SIZE_MINIDUMP_THREAD);
	assert_int_not_equal(find_stream(&out, DC_STREAM_THREAD_NAMES, &size), 0);
	assert_int_equal(size, 4 + 2 * DC_SIZE_MINIDUMP_THREAD_NAME);
	uint32_t ml = find_stream(&out, DC_STREAM_MEMORY_LIST, &size);
	assert_int_equal(out.data[ml], 3); /* the three stacks */
	assert_int_equal(find_stream(&out, DC_STREAM_HANDLE_DATA, &size), 0);
	assert_int_equal(find_stream(&out, DC_STREAM_MEMORY64_LIST, &size), 0);
	pb_buf_free(&out);
	dc_process_free(&p);
}

static const uint64_t single_flags[] = {
	DC_MiniDumpWithDataSegs, DC_MiniDumpWithHandleData, DC_MiniDumpFilterMemory,
	DC_MiniDumpScanMemory, DC_MiniDumpWithUnloadedModules,
	DC_MiniDumpWithIndirectlyReferencedMemory, DC_MiniDumpFilterModulePaths,
	DC_MiniDumpWithProcessThreadData, DC_MiniDumpWithPrivateReadWriteMemory,
	DC_MiniDumpWithoutOptionalData, DC_MiniDumpWithFullMemoryInfo, DC_MiniDumpWithThreadInfo,
	DC_MiniDumpWithCodeSegs, DC_MiniDumpWithoutAuxiliaryState,
	DC_MiniDumpWithFullAuxiliaryState, DC_MiniDumpWithPrivateWriteCopyMemory,
	DC_MiniDumpIgnoreInaccessibleMemory, DC_MiniDumpWithTokenInformation,
	DC_MiniDumpWithModuleHeaders, DC_MiniDumpFilterTriage, DC_MiniDumpWithAvxXStateContext,
	DC_MiniDumpWithIptTrace, DC_MiniDumpScanInaccessiblePartialPages,
	DC_MiniDumpFilterWriteCombinedMemory, DC_MiniDumpNoIgnoreInaccessibleMemory,
	DC_MiniDumpWithMemoryCompressed,
	DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory,
};

static void every_flag_alone_is_clean(void **state)
{
	(void)state;
	struct dc_process p;
	pb_process(&p);
	for (size_t i = 0; i < sizeof(single_flags) / sizeof(single_flags[0]); i++)
		assert_clean(&p, single_flags[i]);
	dc_process_free(&p);
}

static void flag_combinations_are_clean(void **state)
{
	(void)state;
	struct dc_process p;
	pb_process(&p);
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (int i = 0; i < 300; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t type = x & DC_MINIDUMP_VALID_TYPE_FLAGS_EX;
		if (type & DC_MiniDumpWithFullMemory)
			type |= DC_MiniDumpIgnoreInaccessibleMemory;
		assert_clean(&p, type);
	}
	assert_clean(&p, DC_MINIDUMP_VALID_TYPE_FLAGS_EX);
	dc_process_free(&p);
}

static void output_is_deterministic(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf a, b;
	struct dc_write_result res;
	uint64_t type = DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory |
			DC_MiniDumpWithHandleData | DC_MiniDumpWithThreadInfo;
	pb_process(&p);
	assert_int_equal(write_dump(&p, type, &a, &res), DC_OK);
	assert_int_equal(write_dump(&p, type, &b, &res), DC_OK);
	assert_int_equal(a.size, b.size);
	assert_memory_equal(a.data, b.data, a.size);
	pb_buf_free(&a);
	pb_buf_free(&b);
	dc_process_free(&p);
}

/* With full memory, a thread's stack descriptor points into the Memory64
 * data, at the model's bytes. */
static void full_memory_stacks_point_into_memory64(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf out;
	struct dc_write_result res;
	uint32_t size;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory,
				    &out, &res), DC_OK);
	assert_int_equal(find_stream(&out, DC_STREAM_MEMORY_LIST, &size), 0);
	uint32_t tl = find_stream(&out, DC_STREAM_THREAD_LIST, &size);
	for (size_t i = 0; i < p.nthreads; i++) {
		const uint8_t *e = out.data + tl + 4 + i * DC_SIZE_MINIDUMP_THREAD;
		const uint8_t *loc = e + DC_OFF_MINIDUMP_THREAD_Stack + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory;
		uint32_t rva = (uint32_t)(loc[4] | loc[5] << 8 | loc[6] << 16 | (uint32_t)loc[7] << 24);
		const struct dc_region *r = dc_process_region_at(&p, p.threads[i].stack.base);
		assert_non_null(r);
		assert_true(rva + p.threads[i].stack.size <= out.size);
		assert_memory_equal(out.data + rva, r->contents + (p.threads[i].stack.base - r->base),
				    p.threads[i].stack.size);
	}
	pb_buf_free(&out);
	dc_process_free(&p);
}

static void unreadable_full_memory_fails(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf out;
	struct dc_write_result res;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithFullMemory, &out, &res), DC_E_IO);
	assert_int_equal(res.hresult, DC_HRESULT_ERROR_PARTIAL_COPY);
	assert_true(out.size == 0);
	pb_buf_free(&out);
	dc_process_free(&p);
}

static void filter_module_paths_keeps_file_names(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf out;
	struct dc_write_result res;
	uint32_t size;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpFilterModulePaths, &out, &res), DC_OK);
	uint32_t ml = find_stream(&out, DC_STREAM_MODULE_LIST, &size);
	const uint8_t *e = out.data + ml + 4 + DC_OFF_MINIDUMP_MODULE_ModuleNameRva;
	uint32_t name = (uint32_t)(e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24);
	static const uint8_t app[] = { 14, 0, 0, 0, 'a', 0, 'p', 0, 'p', 0, '.', 0, 'e', 0, 'x', 0, 'e', 0, 0, 0 };
	assert_memory_equal(out.data + name, app, sizeof(app));
	pb_buf_free(&out);
	dc_process_free(&p);
}

/* Failing the sink at any byte offset fails the dump, never reports
 * success, and never leaves a valid header behind. */
static void io_failure_at_every_offset(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf good, out;
	struct dc_write_result res;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithHandleData, &good, &res), DC_OK);
	for (uint64_t at = 0; at < good.size; at++) {
		struct dc_write_request req = { .dump_type = DC_MiniDumpWithHandleData,
						.with_exception = true, .timestamp = 1700000000u };
		struct dc_sink sink = { &out, pb_buf_write };
		pb_buf_init(&out);
		out.fail_at = at;
		assert_int_equal(dc_write_minidump(&p, &req, &sink, &res), DC_E_IO);
		assert_int_equal(res.hresult, DC_HRESULT_ERROR_WRITE_FAULT);
		assert_int_equal(res.bytes, 0);
		assert_true(out.size < 4 || memcmp(out.data, "MDMP", 4) != 0);
		pb_buf_free(&out);
	}
	pb_buf_free(&good);
	dc_process_free(&p);
}

static uint64_t le64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | b[k];
	return v;
}

/* The first thread's stack bytes as written in the dump. */
static const uint8_t *stack_bytes(const struct pb_buf *out)
{
	uint32_t size, tl = find_stream(out, DC_STREAM_THREAD_LIST, &size);
	const uint8_t *loc = out->data + tl + 4 + DC_OFF_MINIDUMP_THREAD_Stack +
			     DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva;
	return out->data + (loc[0] | loc[1] << 8 | loc[2] << 16 | (uint32_t)loc[3] << 24);
}

static void filter_memory_keeps_only_code_and_stack_pointers(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf plain, filtered;
	struct dc_write_result res;
	pb_process(&p);
	assert_int_equal(write_dump(&p, 0, &plain, &res), DC_OK);
	assert_int_equal(write_dump(&p, DC_MiniDumpFilterMemory, &filtered, &res), DC_OK);
	const uint8_t *a = stack_bytes(&plain), *b = stack_bytes(&filtered);
	assert_int_equal(le64(a + PB_STACK_CODE_PTR), 0x401234);
	assert_int_equal(le64(b + PB_STACK_CODE_PTR), 0x401234);
	assert_int_equal(le64(a + PB_STACK_HEAP_PTR), PB_HEAP_TARGET);
	assert_int_equal(le64(b + PB_STACK_HEAP_PTR), 0);
	assert_int_not_equal(le64(a + 0x20), 0);
	assert_int_equal(le64(b + 0x20), 0);
	pb_buf_free(&plain);
	pb_buf_free(&filtered);
	dc_process_free(&p);
}

/* True when the MemoryList holds [addr, addr + size). */
static bool memory_list_has(const struct pb_buf *out, uint64_t addr, uint64_t size)
{
	uint32_t len, ml = find_stream(out, DC_STREAM_MEMORY_LIST, &len);
	uint32_t n = out->data[ml] | out->data[ml + 1] << 8;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *d = out->data + ml + 4 + i * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
		uint64_t start = le64(d), dsize = d[8] | d[9] << 8 | d[10] << 16 | (uint32_t)d[11] << 24;
		if (start <= addr && addr + size <= start + dsize)
			return true;
	}
	return false;
}

static void indirect_memory_follows_stack_pointers(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf plain, indirect;
	struct dc_write_result res;
	pb_process(&p);
	assert_int_equal(write_dump(&p, 0, &plain, &res), DC_OK);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithIndirectlyReferencedMemory, &indirect, &res), DC_OK);
	assert_false(memory_list_has(&plain, PB_HEAP_TARGET, 1));
	assert_true(memory_list_has(&indirect, PB_HEAP_TARGET - 128, 256));
	pb_buf_free(&plain);
	pb_buf_free(&indirect);
	dc_process_free(&p);
}

static void user_streams_are_written(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf out;
	struct dc_write_result res;
	uint32_t size;
	static const char text[] = "hello";
	struct dc_user_stream us = { 0x10001, text, sizeof(text) };
	struct dc_write_request req = { .user_streams = &us, .nuser_streams = 1,
					.timestamp = 1700000000u };
	struct dc_sink sink = { &out, pb_buf_write };
	pb_process(&p);
	pb_buf_init(&out);
	assert_int_equal(dc_write_minidump(&p, &req, &sink, &res), DC_OK);
	uint32_t rva = find_stream(&out, 0x10001, &size);
	assert_int_equal(size, sizeof(text));
	assert_memory_equal(out.data + rva, text, sizeof(text));
	assert_int_equal(find_stream(&out, DC_STREAM_EXCEPTION, &size), 0);
	pb_buf_free(&out);
	dc_process_free(&p);
}

/* writer.user_stream_type: a reserved type (at or below 0xFFFF) or a
 * missing buffer is refused with E_INVALIDARG before a byte is written. */
static void reserved_user_streams_are_refused(void **state)
{
	(void)state;
	struct dc_process p;
	struct pb_buf out;
	struct dc_write_result res;
	static const char text[] = "x";
	const struct dc_user_stream bad[] = { { DC_STREAM_THREAD_LIST, text, sizeof(text) },
					      { 0xFFFF, text, sizeof(text) },
					      { 0x10000, NULL, 4 } };
	pb_process(&p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dc_write_request req = { .user_streams = &bad[i], .nuser_streams = 1 };
		struct dc_sink sink = { &out, pb_buf_write };
		pb_buf_init(&out);
		assert_int_equal(dc_write_minidump(&p, &req, &sink, &res), DC_E_MISUSE);
		assert_int_equal(res.hresult, DC_HRESULT_E_INVALIDARG);
		assert_int_equal(out.size, 0);
		pb_buf_free(&out);
	}
	dc_process_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normal_dump_is_clean),
		cmocka_unit_test(every_flag_alone_is_clean),
		cmocka_unit_test(flag_combinations_are_clean),
		cmocka_unit_test(output_is_deterministic),
		cmocka_unit_test(full_memory_stacks_point_into_memory64),
		cmocka_unit_test(unreadable_full_memory_fails),
		cmocka_unit_test(filter_module_paths_keeps_file_names),
		cmocka_unit_test(io_failure_at_every_offset),
		cmocka_unit_test(user_streams_are_written),
		cmocka_unit_test(reserved_user_streams_are_refused),
		cmocka_unit_test(filter_memory_keeps_only_code_and_stack_pointers),
		cmocka_unit_test(indirect_memory_follows_stack_pointers),
	};
	return cmocka_run_group_tests_name("writer", tests, NULL, NULL);
}
