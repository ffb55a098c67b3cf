/* Conformance rules of spec/rules/minidump_streams.toml, part 1: the
 * builders' streams, list sizes, Memory64List, memory ranges, Exception,
 * SystemInfo and MiscInfo. For each rule a patch of the mdbuild baseline, or
 * of a stream the mdstreams builders add to it, that makes the rule fire, and
 * the nearby valid input that stays quiet. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mdstreams.h"
#include "rulecheck.h"

/* ---------------------------------------------------------------- helpers */

static size_t size_field(const struct mdb *b, uint32_t type)
{
	return mds_dir_entry(b, type) + 4;
}

static size_t exception_record(const struct mdb *b)
{
	return mds_rva(b, DC_STREAM_EXCEPTION) + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord;
}

static size_t system_info(const struct mdb *b)
{
	return mds_rva(b, DC_STREAM_SYSTEM_INFO);
}

static size_t memory64_range(const struct mdb *b, uint32_t k)
{
	return mds_rva(b, DC_STREAM_MEMORY64_LIST) + DC_SIZE_MINIDUMP_MEMORY64_LIST +
	       k * (size_t)DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64;
}

/* Every builder's stream is valid: on the baseline, alone and all together. */
static void added_streams_are_quiet(void **state)
{
	(void)state;
	struct mdb b, all;
	uint32_t (*const builders[])(struct mdb *) = {
	    mds_unloaded_modules,  mds_memory_info, mds_thread_info,
	    mds_handle_operations, mds_token,       mds_function_table,
	    mds_thread_names,      mds_thread_ex,   mds_system_memory,
	    mds_memory64,
	};
	size_t n = sizeof(builders) / sizeof(builders[0]);
	for (size_t i = 0; i < n; i++) {
		mdb_baseline(&b);
		builders[i](&b);
		rc_quiet(&b);
		mdb_free(&b);
	}
	for (uint32_t size = DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR; size <= 48; size += 8) {
		mdb_baseline(&b);
		mds_handle_data(&b, size);
		rc_quiet(&b);
		mdb_free(&b);
	}
	for (uint16_t rev = 1; rev <= 2; rev++) {
		mdb_baseline(&b);
		mds_process_vm(&b, rev);
		rc_quiet(&b);
		mdb_free(&b);
	}
	mdb_baseline(&b);
	mds_comment_w(&b, "dumpcheck");
	rc_quiet(&b);
	mdb_free(&b);
	/* Together (in two dumps: the baseline has room for 16 directory
	 * entries), with every flag that asks for a stream. */
	mdb_baseline(&all);
	mds_handle_data(&all, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	mds_process_vm(&all, 2);
	mds_comment_w(&all, "dumpcheck");
	for (size_t i = 0; i < 4; i++)
		builders[i](&all);
	mdb_set64(&all, 24,
	          DC_MiniDumpWithHandleData | DC_MiniDumpWithUnloadedModules |
	              DC_MiniDumpWithFullMemoryInfo | DC_MiniDumpWithThreadInfo);
	rc_quiet(&all);
	mdb_free(&all);
	mdb_baseline(&all);
	for (size_t i = 4; i < n; i++) /* Memory64List last */
		builders[i](&all);
	mds_remove_stream(&all, DC_STREAM_MEMORY_LIST);
	mdb_set64(&all, 24, DC_MiniDumpWithFullMemory | DC_MiniDumpWithTokenInformation);
	rc_quiet(&all);
	mdb_free(&all);
}

/* ---------------------------------------------------------------- list sizes */

/* `count` entries declared in the list stream `type` (u32 count at +0). */
static void set_count(struct mdb *b, uint32_t type, uint32_t count)
{
	mdb_set32(b, mds_rva(b, type), count);
}

static void threadlist_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	set_count(&b, DC_STREAM_THREAD_LIST, 3);
	rc_only(&b, DC_RULE_THREADLIST_SIZE);
	/* Not even the count: no thread list to check the exception against. */
	uint32_t size = mdb_get32(&b, size_field(&b, DC_STREAM_THREAD_LIST));
	mdb_set32(&b, size_field(&b, DC_STREAM_THREAD_LIST), 2);
	rc_only(&b, DC_RULE_THREADLIST_SIZE);
	mdb_set32(&b, size_field(&b, DC_STREAM_THREAD_LIST), size);
	/* Quiet: more bytes than the entries need ("at least"). */
	set_count(&b, DC_STREAM_THREAD_LIST, 2);
	mdb_set32(&b, size_field(&b, DC_STREAM_THREAD_LIST), 4 + 2 * DC_SIZE_MINIDUMP_THREAD + 16);
	rc_quiet(&b);
	mdb_free(&b);
}

static void threadexlist_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_thread_ex(&b);
	rc_quiet(&b);
	set_count(&b, DC_STREAM_THREAD_EX_LIST, 3);
	rc_only(&b, DC_RULE_THREADEXLIST_SIZE);
	mdb_free(&b);
}

static void modulelist_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	set_count(&b, DC_STREAM_MODULE_LIST, 3);
	rc_only(&b, DC_RULE_MODULELIST_SIZE);
	mdb_free(&b);
}

static void modulelist_natural_alignment(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t old = mds_rva(&b, DC_STREAM_MODULE_LIST), size = 4 + 2 * 112;
	uint32_t list = mdb_zeros(&b, size);
	mdb_set32(&b, list, 2);
	for (uint32_t k = 0; k < 2; k++)
		memcpy(b.buf + list + 4 + 112 * k, b.buf + old + 4 + DC_SIZE_MINIDUMP_MODULE * k,
		       DC_SIZE_MINIDUMP_MODULE);
	size_t at = mds_dir_entry(&b, DC_STREAM_MODULE_LIST);
	mdb_set32(&b, at + 4, size);
	mdb_set32(&b, at + 8, list);
	rc_only(&b, DC_RULE_MODULELIST_NATURAL_ALIGNMENT);
	mdb_free(&b);
}

static void memorylist_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	set_count(&b, DC_STREAM_MEMORY_LIST, 3);
	rc_only(&b, DC_RULE_MEMORYLIST_SIZE);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- Memory64List */

static void memory64_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_memory64(&b);
	rc_quiet(&b);
	mdb_set64(&b, s + DC_OFF_MINIDUMP_MEMORY64_LIST_NumberOfMemoryRanges, 3);
	rc_only(&b, DC_RULE_MEMORY64_SIZE);
	/* Not even the 16-byte header. */
	mdb_set64(&b, s + DC_OFF_MINIDUMP_MEMORY64_LIST_NumberOfMemoryRanges, 2);
	mdb_set32(&b, size_field(&b, DC_STREAM_MEMORY64_LIST), 8);
	rc_only(&b, DC_RULE_MEMORY64_SIZE);
	mdb_free(&b);
}

static void memory64_data_in_file(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_memory64(&b);
	size_t base = s + DC_OFF_MINIDUMP_MEMORY64_LIST_BaseRva;
	uint64_t data = mdb_get32(&b, base);
	/* The data ends exactly at the end of the file: quiet. */
	assert_int_equal(data + 0x180, b.len);
	rc_quiet(&b);
	/* One byte more in the last range. */
	mdb_set64(&b, memory64_range(&b, 1) + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize, 0x81);
	rc_only(&b, DC_RULE_MEMORY64_DATA_IN_FILE);
	mdb_set64(&b, memory64_range(&b, 1) + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize, 0x80);
	/* BaseRva + 0x180 wraps past 2^64. */
	mdb_set64(&b, base, UINT64_MAX - 0x7F);
	rc_only(&b, DC_RULE_MEMORY64_DATA_IN_FILE);
	mdb_free(&b);
}

static void memory64_data_last(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_memory64(&b);
	rc_quiet(&b);
	mds_blob(&b, DC_STREAM_COMMENT_STREAM_A, 8, 'x');
	rc_only(&b, DC_RULE_MEMORY64_DATA_LAST);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- memory ranges */

static void memory_overlap(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* Range 1 [0x20000, +256) moved into range 0 [0x10000, +256). */
	mdb_set64(&b, mds_range(&b, 1), 0x10080);
	rc_only(&b, DC_RULE_MEMORY_OVERLAP);
	/* Unsorted: range 0 moved into range 1. */
	mdb_set64(&b, mds_range(&b, 1), 0x20000);
	mdb_set64(&b, mds_range(&b, 0), 0x20080);
	rc_only(&b, DC_RULE_MEMORY_OVERLAP);
	/* Quiet: adjacent ranges. */
	mdb_set64(&b, mds_range(&b, 0), 0x10000);
	mdb_set64(&b, mds_range(&b, 1), 0x10100);
	rc_quiet(&b);
	/* Three ranges: B overlaps A, C only touches B: one finding, for B. */
	uint32_t ml = mds_relocate(&b, DC_STREAM_MEMORY_LIST, 0, 4 + 32, 16);
	mdb_set32(&b, ml, 3);
	memcpy(b.buf + ml + 4 + 32, b.buf + ml + 4, 16);
	mdb_set64(&b, mds_range(&b, 1), 0x10080);
	mdb_set64(&b, mds_range(&b, 2), 0x10180);
	struct dc_diags d;
	rc_validate(&b, NULL, &d);
	assert_int_equal(d.per_rule[DC_RULE_MEMORY_OVERLAP], 1);
	assert_int_equal(d.items[0].offset, mds_range(&b, 1));
	rc_diags_only(&d, (const int[]){DC_RULE_MEMORY_OVERLAP, RC_END});
	dc_diags_free(&d);
	mdb_free(&b);
	/* Memory64List. */
	mdb_baseline(&b);
	mds_memory64(&b);
	mdb_set64(&b, memory64_range(&b, 1), 0x30080);
	rc_only(&b, DC_RULE_MEMORY_OVERLAP);
	mdb_set64(&b, memory64_range(&b, 1), 0x30100);
	rc_quiet(&b);
	mdb_free(&b);
}

static void memory_range_wrap(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set64(&b, mds_range(&b, 0), UINT64_MAX - 0x7F);
	rc_only(&b, DC_RULE_MEMORY_RANGE_WRAP);
	mdb_free(&b);
	mdb_baseline(&b);
	mds_memory64(&b);
	mdb_set64(&b, memory64_range(&b, 0), UINT64_MAX - 0xF);
	rc_only(&b, DC_RULE_MEMORY_RANGE_WRAP);
	mdb_free(&b);
}

static void memory_range_ends_at_top(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* [2^64 - 256, 2^64): the sum is 2^64, nothing wraps past it. */
	mdb_set64(&b, mds_range(&b, 1), 0 - (uint64_t)256);
	/* Was a bug: memory.range_wrap fires for a range ending exactly at 2^64. */
	RC_FAIL_IF_BUG(
	    rc_bug_if_fires(&b, DC_RULE_MEMORY_RANGE_WRAP,
	                    "a MemoryList range [2^64 - 256, 2^64) does not wrap past 2^64"),
	    &b);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- exception */

static void exception_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, size_field(&b, DC_STREAM_EXCEPTION), 100);
	rc_only(&b, DC_RULE_EXCEPTION_SIZE);
	mdb_free(&b);
}

static void exception_parameters(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t n = exception_record(&b) + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters;
	mdb_set32(&b, n, 16);
	rc_only(&b, DC_RULE_EXCEPTION_PARAMETERS);
	mdb_set32(&b, n, 15);
	rc_quiet(&b);
	mdb_free(&b);
}

static void exception_thread_known(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t tid = mds_rva(&b, DC_STREAM_EXCEPTION) + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadId;
	mdb_set32(&b, tid, 0x9999);
	rc_only(&b, DC_RULE_EXCEPTION_THREAD_KNOWN);
	mdb_set32(&b, tid, BASE_THREAD_ID_0);
	rc_quiet(&b);
	/* A ThreadList of no thread names no thread. */
	set_count(&b, DC_STREAM_THREAD_LIST, 0);
	rc_only(&b, DC_RULE_EXCEPTION_THREAD_KNOWN);
	/* Quiet: without a ThreadList there is nothing to check against. */
	mds_remove_stream(&b, DC_STREAM_THREAD_LIST);
	rc_quiet(&b);
	mdb_free(&b);
}

static void exception_flags(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t flags = exception_record(&b) + DC_OFF_MINIDUMP_EXCEPTION_ExceptionFlags;
	mdb_set32(&b, flags, 0x2);
	rc_only(&b, DC_RULE_EXCEPTION_FLAGS);
	mdb_set32(&b, flags, DC_EXCEPTION_NONCONTINUABLE | DC_EXCEPTION_SOFTWARE_ORIGINATE);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- SystemInfo */

static void systeminfo_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, size_field(&b, DC_STREAM_SYSTEM_INFO), 40);
	rc_only(&b, DC_RULE_SYSTEMINFO_SIZE);
	mdb_free(&b);
}

static void systeminfo_csd_string(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t csd = system_info(&b) + DC_OFF_MINIDUMP_SYSTEM_INFO_CSDVersionRva;
	uint32_t good = mdb_get32(&b, csd);
	mdb_set32(&b, csd, 0);
	rc_only(&b, DC_RULE_SYSTEMINFO_CSD_STRING);
	/* one defect, one finding: the required string's rule, not string.* too */
	mdb_set32(&b, csd, (uint32_t)b.len - 2);
	rc_only(&b, DC_RULE_SYSTEMINFO_CSD_STRING);
	mdb_set32(&b, csd, good);
	mdb_set32(&b, good, mdb_get32(&b, good) - 1);
	rc_only(&b, DC_RULE_SYSTEMINFO_CSD_STRING);
	/* Quiet: the empty string of a system without service pack. */
	mdb_set32(&b, csd, mdb_string(&b, ""));
	rc_quiet(&b);
	mdb_free(&b);
}

static void systeminfo_platform_known(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t platform = system_info(&b) + DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId;
	mdb_set32(&b, platform, 7);
	rc_only(&b, DC_RULE_SYSTEMINFO_PLATFORM_KNOWN);
	mdb_set32(&b, platform, 3);
	rc_quiet(&b);
	mdb_set32(&b, platform, DC_MD_OS_LINUX);
	rc_quiet(&b);
	mdb_free(&b);
}

static void systeminfo_arch_known(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t arch = system_info(&b) + DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture;
	mdb_set16(&b, arch, 0x20);
	rc_only(&b, DC_RULE_SYSTEMINFO_ARCH_KNOWN);
	mdb_set16(&b, arch, DC_PROCESSOR_ARCHITECTURE_UNKNOWN);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- MiscInfo */

/* Replace MiscInfo with one of `data_size` bytes saying SizeOfInfo `info`. */
static void put_misc(struct mdb *b, uint32_t info, uint32_t data_size, uint32_t flags1)
{
	uint32_t mi = mdb_zeros(b, data_size);
	mdb_set32(b, mi + DC_OFF_MINIDUMP_MISC_INFO_N_SizeOfInfo, info);
	mdb_set32(b, mi + DC_OFF_MINIDUMP_MISC_INFO_N_Flags1, flags1);
	mdb_set32(b, mi + DC_OFF_MINIDUMP_MISC_INFO_N_ProcessId, 4242);
	size_t at = mds_dir_entry(b, DC_STREAM_MISC_INFO);
	mdb_set32(b, at + 4, data_size);
	mdb_set32(b, at + 8, mi);
}

static void miscinfo_size(void **state)
{
	(void)state;
	static const uint32_t sizes[] = {24, 44, 232, 832, 1364, 1400};
	struct mdb b;
	mdb_baseline(&b);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		put_misc(&b, sizes[i], sizes[i], DC_MINIDUMP_MISC1_PROCESS_ID);
		rc_quiet(&b);
	}
	put_misc(&b, 100, 100, DC_MINIDUMP_MISC1_PROCESS_ID);
	rc_only(&b, DC_RULE_MISCINFO_SIZE);
	/* SizeOfInfo larger than the stream. */
	put_misc(&b, 232, 44, DC_MINIDUMP_MISC1_PROCESS_ID);
	rc_only(&b, DC_RULE_MISCINFO_SIZE);
	/* Quiet: a stream larger than its SizeOfInfo. */
	put_misc(&b, 44, 232, DC_MINIDUMP_MISC1_PROCESS_ID);
	rc_quiet(&b);
	mdb_free(&b);
}

static void miscinfo_flag_beyond_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	put_misc(&b, 24, 24, DC_MINIDUMP_MISC1_PROCESS_ID | DC_MINIDUMP_MISC1_PROCESSOR_POWER_INFO);
	rc_only(&b, DC_RULE_MISCINFO_FLAG_BEYOND_SIZE);
	put_misc(&b, 832, 832, DC_MINIDUMP_MISC1_PROCESS_ID | DC_MINIDUMP_MISC5_PROCESS_COOKIE);
	rc_only(&b, DC_RULE_MISCINFO_FLAG_BEYOND_SIZE);
	/* The field's bit within SizeOfInfo (and a big stream) is quiet. */
	put_misc(&b, 1364, 1364, DC_MINIDUMP_MISC1_PROCESS_ID | DC_MINIDUMP_MISC5_PROCESS_COOKIE);
	rc_quiet(&b);
	mdb_free(&b);
}

static void miscinfo_unknown_flags(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	put_misc(&b, 44, 44, DC_MINIDUMP_MISC1_PROCESS_ID | 0x8);
	rc_only(&b, DC_RULE_MISCINFO_UNKNOWN_FLAGS);
	put_misc(&b, 1364, 1364, DC_MINIDUMP_MISC1_PROCESS_ID | 0x400);
	rc_only(&b, DC_RULE_MISCINFO_UNKNOWN_FLAGS);
	mdb_free(&b);
}

/* Each case and the rules it asserts to fire (checked when it runs). */
static const struct rc_case cases[] = {
    RC_QUIET(added_streams_are_quiet),
    RC_FIRES(threadlist_size, DC_RULE_THREADLIST_SIZE),
    RC_FIRES(threadexlist_size, DC_RULE_THREADEXLIST_SIZE),
    RC_FIRES(modulelist_size, DC_RULE_MODULELIST_SIZE),
    RC_FIRES(modulelist_natural_alignment, DC_RULE_MODULELIST_NATURAL_ALIGNMENT),
    RC_FIRES(memorylist_size, DC_RULE_MEMORYLIST_SIZE),
    RC_FIRES(memory64_size, DC_RULE_MEMORY64_SIZE),
    RC_FIRES(memory64_data_in_file, DC_RULE_MEMORY64_DATA_IN_FILE),
    RC_FIRES(memory64_data_last, DC_RULE_MEMORY64_DATA_LAST),
    RC_FIRES(memory_overlap, DC_RULE_MEMORY_OVERLAP),
    RC_FIRES(memory_range_wrap, DC_RULE_MEMORY_RANGE_WRAP),
    RC_QUIET(memory_range_ends_at_top),
    RC_FIRES(exception_size, DC_RULE_EXCEPTION_SIZE),
    RC_FIRES(exception_parameters, DC_RULE_EXCEPTION_PARAMETERS),
    RC_FIRES(exception_thread_known, DC_RULE_EXCEPTION_THREAD_KNOWN),
    RC_FIRES(exception_flags, DC_RULE_EXCEPTION_FLAGS),
    RC_FIRES(systeminfo_size, DC_RULE_SYSTEMINFO_SIZE),
    RC_FIRES(systeminfo_csd_string, DC_RULE_SYSTEMINFO_CSD_STRING),
    RC_FIRES(systeminfo_platform_known, DC_RULE_SYSTEMINFO_PLATFORM_KNOWN),
    RC_FIRES(systeminfo_arch_known, DC_RULE_SYSTEMINFO_ARCH_KNOWN),
    RC_FIRES(miscinfo_size, DC_RULE_MISCINFO_SIZE),
    RC_FIRES(miscinfo_flag_beyond_size, DC_RULE_MISCINFO_FLAG_BEYOND_SIZE),
    RC_FIRES(miscinfo_unknown_flags, DC_RULE_MISCINFO_UNKNOWN_FLAGS),
};

int main(void)
{
	return rc_run_group("rules_lists", cases, sizeof(cases) / sizeof(cases[0]), RC_PART_LISTS);
}
