/* Conformance rules of spec/rules/minidump_file.toml, part 2: references,
 * strings, layout, stream sizes and resource limits. For each rule a patch of
 * the mdbuild baseline that makes it fire, and the nearby input that stays
 * quiet. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mdstreams.h"
#include "rulecheck.h"

/* ---------------------------------------------------------------- helpers */

static uint32_t module_name(const struct mdb *b, uint32_t k)
{
	return mdb_get32(b, mds_module(b, k) + DC_OFF_MINIDUMP_MODULE_ModuleNameRva);
}

/* ---------------------------------------------------------------- references */

static void ref_in_file(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t ctx = mds_thread(&b, 0) + DC_OFF_MINIDUMP_THREAD_ThreadContext;
	mdb_set32(&b, ctx + 4, (uint32_t)b.len - 16);
	rc_only(&b, DC_RULE_REF_IN_FILE);
	/* 0xFFFFFF80 + 0x100 wraps to 0x80 in 32 bits. */
	mdb_set32(&b, ctx, 0x100);
	mdb_set32(&b, ctx + 4, 0xFFFFFF80u);
	rc_only(&b, DC_RULE_REF_IN_FILE);
	mdb_free(&b);
	/* A MemoryList range whose bytes are past the end. */
	mdb_baseline(&b);
	size_t mem = mds_range(&b, 0) + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory;
	mdb_set32(&b, mem + 4, (uint32_t)b.len - 128);
	rc_only(&b, DC_RULE_REF_IN_FILE);
	mdb_free(&b);
	/* A thread's stack, a module's CodeView and misc records past the end. */
	static const size_t refs[] = {
	    DC_OFF_MINIDUMP_THREAD_Stack + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory,
	    DC_OFF_MINIDUMP_MODULE_CvRecord,
	    DC_OFF_MINIDUMP_MODULE_MiscRecord,
	};
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		mdb_baseline(&b);
		size_t at = (i ? mds_module(&b, 1) : mds_thread(&b, 1)) + refs[i];
		mdb_set32(&b, at + 4, (uint32_t)b.len - mdb_get32(&b, at) + 1);
		rc_only(&b, DC_RULE_REF_IN_FILE);
		mdb_free(&b);
	}
	/* Quiet: a context that ends exactly at the end of the file. */
	mdb_baseline(&b);
	ctx = mds_thread(&b, 0) + DC_OFF_MINIDUMP_THREAD_ThreadContext;
	uint32_t copy = mds_copy(&b, mdb_get32(&b, ctx + 4), DC_SIZE_CONTEXT_AMD64);
	assert_int_equal(copy + DC_SIZE_CONTEXT_AMD64, b.len);
	mdb_set32(&b, ctx + 4, copy);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- strings */

static void string_length_even(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t name = module_name(&b, 0);
	mdb_set32(&b, name, mdb_get32(&b, name) - 1);
	rc_only(&b, DC_RULE_STRING_LENGTH_EVEN);
	mdb_free(&b);
}

static void string_in_file(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t name = module_name(&b, 0);
	/* rva + 4 + 0xFFFFFFFE wraps in 32 bits. */
	mdb_set32(&b, name, 0xFFFFFFFEu);
	rc_only(&b, DC_RULE_STRING_IN_FILE);
	mdb_free(&b);
	/* Not even the Length fits. */
	mdb_baseline(&b);
	mdb_set32(&b, mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_ModuleNameRva,
	          (uint32_t)b.len - 2);
	rc_only(&b, DC_RULE_STRING_IN_FILE);
	mdb_free(&b);
}

static void string_trailing_nul(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t name = module_name(&b, 0);
	mdb_set16(&b, name + 4 + mdb_get32(&b, name), 'x');
	rc_only(&b, DC_RULE_STRING_TRAILING_NUL);
	mdb_free(&b);
	/* A string that ends at the end of the file has no room for the NUL. */
	mdb_baseline(&b);
	uint32_t s = mdb_zeros(&b, 8);
	mdb_set32(&b, s, 4);
	mdb_set16(&b, s + 4, 'o');
	mdb_set16(&b, s + 6, 'k');
	mdb_set32(&b, mds_module(&b, 1) + DC_OFF_MINIDUMP_MODULE_ModuleNameRva, s);
	rc_only(&b, DC_RULE_STRING_TRAILING_NUL);
	mdb_free(&b);
}

static void string_utf16_valid(void **state)
{
	(void)state;
	static const uint16_t bad[][2] = {{0xD800, 'a'}, {'a', 0xDC00}, {'a', 0xD83D}};
	struct mdb b;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mdb_baseline(&b);
		uint32_t name = module_name(&b, 0);
		size_t last = name + 4 + mdb_get32(&b, name) - 4;
		mdb_set16(&b, last, bad[i][0]);
		mdb_set16(&b, last + 2, bad[i][1]);
		rc_only(&b, DC_RULE_STRING_UTF16_VALID);
		mdb_free(&b);
	}
	/* Quiet: a well-formed surrogate pair (U+1F600). */
	mdb_baseline(&b);
	uint32_t name = module_name(&b, 0);
	mdb_set16(&b, name + 4, 0xD83D);
	mdb_set16(&b, name + 6, 0xDE00);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- layout */

static void layout_rva_alignment(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t rva = mdb_zeros(&b, 16);
	memcpy(b.buf + rva + 2, "comment", 8);
	/* Text has no structure to align: a comment at +2 is quiet. */
	mdb_add_stream(&b, DC_STREAM_COMMENT_STREAM_A, rva + 2, 8);
	rc_quiet(&b);
	mdb_free(&b);
	/* A whole structured stream moved to an odd offset still decodes. */
	mdb_baseline(&b);
	mds_relocate(&b, DC_STREAM_THREAD_LIST, 1, 0, 0);
	rc_only(&b, DC_RULE_LAYOUT_RVA_ALIGNMENT);
	mdb_free(&b);
}

static void layout_rva_alignment_u64(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* ExceptionStream holds u64 fields: 4-aligned is not enough. */
	uint32_t rva = mds_relocate(&b, DC_STREAM_EXCEPTION, 4, 0, 0);
	assert_int_equal(rva % 8, 4);
	rc_silent(&b, DC_RULE_REF_IN_FILE);
	/* Was a bug: only directory RVAs are checked, and only for 4-byte alignment. */
	RC_FAIL_IF_BUG(rc_bug_unless_fires(&b, DC_RULE_LAYOUT_RVA_ALIGNMENT,
	                                "ExceptionStream (u64 fields) at an RVA = 4 mod 8"),
	            &b);
	mdb_free(&b);
}

static void layout_rva_alignment_structure(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* A MINIDUMP_STRING (u32 Length) at an RVA = 2 mod 4. */
	uint32_t name = module_name(&b, 0);
	uint32_t len = mdb_get32(&b, name);
	uint32_t copy = mdb_zeros(&b, 2 + 4 + len + 2) + 2;
	memcpy(b.buf + copy, b.buf + name, 4 + len + 2);
	mdb_set32(&b, mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_ModuleNameRva, copy);
	rc_silent(&b, DC_RULE_STRING_IN_FILE);
	/* Was a bug: structure RVAs inside streams are never checked for alignment. */
	RC_FAIL_IF_BUG(rc_bug_unless_fires(&b, DC_RULE_LAYOUT_RVA_ALIGNMENT,
	                                "module name MINIDUMP_STRING at an RVA = 2 mod 4"),
	            &b);
	mdb_free(&b);
}

static void list_padding_after_count(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_relocate(&b, DC_STREAM_THREAD_LIST, 0, 4, 4);
	/* The threads are still found: the exception's thread stays known. */
	rc_only(&b, DC_RULE_LIST_PADDING_AFTER_COUNT);
	mds_relocate(&b, DC_STREAM_MODULE_LIST, 0, 4, 4);
	mds_relocate(&b, DC_STREAM_MEMORY_LIST, 0, 4, 4);
	struct dc_diags d;
	rc_validate(&b, NULL, &d);
	assert_int_equal(d.per_rule[DC_RULE_LIST_PADDING_AFTER_COUNT], 3);
	rc_diags_only(&d, (const int[]){DC_RULE_LIST_PADDING_AFTER_COUNT, RC_END});
	dc_diags_free(&d);
	mdb_free(&b);
	/* Quiet: the unpadded lists of the baseline, and an empty padded-size list. */
	mdb_baseline(&b);
	rc_quiet(&b);
	uint32_t empty = mdb_zeros(&b, 8);
	mdb_add_stream(&b, DC_STREAM_THREAD_NAMES, empty, 8);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- stream sizes */

static void stream_too_small(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_system_memory(&b);
	rc_quiet(&b);
	mdb_set32(&b, mds_dir_entry(&b, DC_STREAM_SYSTEM_MEMORY_INFO) + 4, 100);
	rc_only(&b, DC_RULE_STREAM_TOO_SMALL);
	mdb_free(&b);
	/* ProcessVmCounters: no room for the Revision, or a short revision 2. */
	mdb_baseline(&b);
	mds_process_vm(&b, 2);
	rc_quiet(&b);
	size_t at = mds_dir_entry(&b, DC_STREAM_PROCESS_VM_COUNTERS);
	mdb_set32(&b, at + 4, 1);
	rc_only(&b, DC_RULE_STREAM_TOO_SMALL);
	mdb_set32(&b, at + 4, DC_SIZE_MINIDUMP_PROCESS_VM_COUNTERS_1);
	rc_only(&b, DC_RULE_STREAM_TOO_SMALL);
	mdb_free(&b);
}

static void stream_text_utf16_odd(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_comment_w(&b, "written by dumpcheck");
	rc_quiet(&b);
	size_t at = mds_dir_entry(&b, DC_STREAM_COMMENT_STREAM_W);
	mdb_set32(&b, at + 4, mdb_get32(&b, at + 4) - 1);
	rc_only(&b, DC_RULE_STREAM_TEXT_UTF16_ODD);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- limits */

static void limit_streams(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	mdb_baseline(&b);
	dc_validate_opts_default(&o);
	o.limits.max_streams = 2;
	rc_only_opts(&b, &o, DC_RULE_LIMIT_STREAMS);
	o.limits.max_streams = b.nstreams;
	rc_only_opts(&b, &o, RC_END);
	mdb_free(&b);
}

static void limit_entries(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	mdb_baseline(&b);
	dc_validate_opts_default(&o);
	o.limits.max_entries = 1;
	rc_only_opts(&b, &o, DC_RULE_LIMIT_ENTRIES);
	o.limits.max_entries = 2; /* the baseline's lists hold 2 entries each */
	rc_only_opts(&b, &o, RC_END);
	mdb_free(&b);
}

static void limit_memory(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	mdb_baseline(&b);
	dc_validate_opts_default(&o);
	o.limits.max_alloc = 1;
	struct dc_diags d;
	rc_validate(&b, &o, &d);
	assert_true(d.per_rule[DC_RULE_LIMIT_MEMORY] >= 1);
	dc_diags_free(&d);
	rc_mark(DC_RULE_LIMIT_MEMORY);
	/* The directory checks that needed the memory were skipped (a duplicate
	 * stream goes unreported), yet the walk goes on (ref.in_file fires). */
	uint32_t size, rva = mdb_stream_rva(&b, DC_STREAM_MISC_INFO, &size);
	mdb_add_stream(&b, DC_STREAM_MISC_INFO, mds_copy(&b, rva, size), size);
	size_t ctx = mds_thread(&b, 0) + DC_OFF_MINIDUMP_THREAD_ThreadContext + 4;
	mdb_set32(&b, ctx, (uint32_t)b.len);
	rc_validate(&b, &o, &d);
	assert_true(d.per_rule[DC_RULE_LIMIT_MEMORY] >= 1);
	assert_int_equal(d.per_rule[DC_RULE_DIRECTORY_DUPLICATE_STANDARD], 0);
	assert_true(d.per_rule[DC_RULE_REF_IN_FILE] >= 1);
	dc_diags_free(&d);
	/* Quiet with the default budget. */
	rc_only(&b, DC_RULE_DIRECTORY_DUPLICATE_STANDARD, DC_RULE_REF_IN_FILE);
	mdb_free(&b);
}

/* A check skipped for lack of memory reports nothing: when the ThreadList
 * ids could not be gathered, the exception's thread is not "unknown". */
static void limit_memory_skips_quietly(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	struct dc_diags d;
	mdb_baseline(&b);
	dc_validate_opts_default(&o);
	o.limits.max_alloc = 1;
	rc_validate(&b, &o, &d);
	assert_true(d.per_rule[DC_RULE_LIMIT_MEMORY] >= 1);
	bool wrong = d.per_rule[DC_RULE_EXCEPTION_THREAD_KNOWN] > 0;
	if (wrong) {
		rc_dump(&d);
		fprintf(stderr,
		        "    BUG: exception.thread_known fires when limit.memory refused the "
		        "ThreadList id table (the thread is in the list)\n");
	}
	dc_diags_free(&d);
	/* Was a bug: the refused id table reads as an empty ThreadList. */
	RC_FAIL_IF_BUG(wrong, &b);
	rc_only_opts(&b, &o, DC_RULE_LIMIT_MEMORY);
	mdb_free(&b);
}

/* Whether limit.entries fires on `b` with an entry budget of 2. */
static bool entries_2_fires(const struct mdb *b)
{
	struct dc_validate_opts o;
	struct dc_diags d;
	dc_validate_opts_default(&o);
	o.limits.max_entries = 2;
	rc_validate(b, &o, &d);
	bool fired = d.per_rule[DC_RULE_LIMIT_ENTRIES] > 0;
	dc_diags_free(&d);
	return fired;
}

/* The token and function-table lists count entries too (3 > 2). */
static void limit_entries_other_lists(void **state)
{
	(void)state;
	struct mdb tok, ft;
	mdb_baseline(&tok);
	mds_token(&tok);
	uint32_t s = mds_relocate(&tok, DC_STREAM_TOKEN, 0, 80, 32);
	mdb_set32(&tok, s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListSize, 112);
	mdb_set32(&tok, s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListEntries, 3);
	mdb_set32(&tok, s + 80 + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenSize, 32);
	rc_quiet(&tok);
	mdb_baseline(&ft);
	mds_function_table(&ft);
	s = mds_relocate(&ft, DC_STREAM_FUNCTION_TABLE, 0, 88, 128);
	memcpy(ft.buf + s + 88, ft.buf + s + 24, 64);
	memcpy(ft.buf + s + 152, ft.buf + s + 24, 64);
	mdb_set32(&ft, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_NumberOfDescriptors, 3);
	rc_quiet(&ft);
	bool tok_silent = !entries_2_fires(&tok), ft_silent = !entries_2_fires(&ft);
	mdb_free(&tok);
	if (tok_silent)
		fprintf(stderr,
		        "    BUG: limit.entries silent for a TokenStream of 3 tokens, budget 2\n");
	if (ft_silent)
		fprintf(
		    stderr,
		    "    BUG: limit.entries silent for a FunctionTable of 3 tables, budget 2\n");
	/* Was a bug: only list32, vlist and memory64 lists go through the entry budget. */
	RC_FAIL_IF_BUG(tok_silent || ft_silent, &ft);
	rc_mark(DC_RULE_LIMIT_ENTRIES);
	mdb_free(&ft);
}

static bool work_fires(const struct mdb *b, uint64_t work)
{
	struct dc_validate_opts o;
	struct dc_diags d;
	dc_validate_opts_default(&o);
	o.limits.max_work = work;
	rc_validate(b, &o, &d);
	bool fired = d.per_rule[DC_RULE_LIMIT_WORK] > 0;
	assert_true(d.per_rule[DC_RULE_LIMIT_WORK] <= 1);
	dc_diags_free(&d);
	return fired;
}

static void limit_work(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	mdb_baseline(&b);
	dc_validate_opts_default(&o);
	o.limits.max_work = 10;
	rc_only_opts(&b, &o, DC_RULE_LIMIT_WORK);
	/* The smallest budget the baseline fits in: quiet there, fires one below. */
	uint64_t lo = 10, hi = 1u << 20;
	assert_false(work_fires(&b, hi));
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (work_fires(&b, mid))
			lo = mid;
		else
			hi = mid;
	}
	assert_true(work_fires(&b, hi - 1));
	o.limits.max_work = hi;
	rc_only_opts(&b, &o, RC_END);
	mdb_free(&b);
}

static void limit_diagnostics(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	struct dc_diags d;
	mdb_baseline(&b);
	mdb_set32(&b, 4, 0x0001A793u); /* header.version_high */
	mdb_set32(&b, 16, 1);          /* header.checksum */
	mdb_set32(&b, 20, 0);          /* header.timestamp */
	mdb_set64(&b, 24, 1ull << 40); /* header.flags_known */
	dc_validate_opts_default(&o);
	o.limits.max_diags = 1;
	rc_validate(&b, &o, &d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.total, 5); /* the four, and limit.diagnostics once */
	assert_int_equal(d.per_rule[DC_RULE_LIMIT_DIAGNOSTICS], 1);
	rc_diags_only(&d,
	              (const int[]){DC_RULE_HEADER_VERSION_HIGH, DC_RULE_HEADER_CHECKSUM,
	                            DC_RULE_HEADER_TIMESTAMP, DC_RULE_HEADER_FLAGS_KNOWN,
	                            DC_RULE_LIMIT_DIAGNOSTICS, RC_END});
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		assert_true(d.per_rule[r] <= 1);
	dc_diags_free(&d);
	mdb_free(&b);
	/* max_per_rule: 3 findings of one rule, 1 recorded, all counted. */
	mdb_baseline(&b);
	for (uint32_t k = 0; k < 3; k++)
		mds_blob(&b, 0x10000u + k, 8, 0);
	dc_validate_opts_default(&o);
	o.limits.max_per_rule = 1;
	rc_validate(&b, &o, &d);
	assert_int_equal(d.count, 2); /* one unknown_stream, and the note saying 2 were dropped */
	assert_int_equal(d.items[1].rule, DC_RULE_LIMIT_DIAGNOSTICS);
	assert_int_equal(d.total, 4);
	assert_int_equal(d.per_rule[DC_RULE_DIRECTORY_UNKNOWN_STREAM], 3);
	dc_diags_free(&d);
	mdb_free(&b);
	rc_mark(DC_RULE_LIMIT_DIAGNOSTICS);
}

static void limit_string(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_validate_opts o;
	struct dc_diags d;
	mdb_baseline(&b);
	dc_validate_opts_default(&o);
	o.limits.max_string_bytes = 8; /* every baseline name is longer */
	rc_validate(&b, &o, &d);
	assert_true(d.per_rule[DC_RULE_LIMIT_STRING] >= 1);
	assert_int_equal(dc_diags_count_level(&d, DC_LEVEL_MUST), 0);
	dc_diags_free(&d);
	rc_mark(DC_RULE_LIMIT_STRING);
	/* A surrogate pair cut by the budget (units 3 and 4 of a 4-unit budget)
	 * is not reported as an unpaired surrogate. */
	uint32_t size, list = mdb_stream_rva(&b, DC_STREAM_MODULE_LIST, &size);
	uint32_t name = mdb_string(&b, "abcde");
	mdb_set16(&b, name + 4 + 6, 0xD83D);
	mdb_set16(&b, name + 4 + 8, 0xDE00);
	mdb_set32(&b, list + 4 + DC_OFF_MINIDUMP_MODULE_ModuleNameRva, name);
	rc_validate(&b, &o, &d);
	assert_int_equal(d.per_rule[DC_RULE_STRING_UTF16_VALID], 0);
	dc_diags_free(&d);
	o.limits.max_string_bytes = 6; /* cut before the pair: still valid */
	rc_validate(&b, &o, &d);
	assert_int_equal(d.per_rule[DC_RULE_STRING_UTF16_VALID], 0);
	dc_diags_free(&d);
	mdb_free(&b);
}

/* Each case and the rules it asserts to fire (checked when it runs). */
static const struct rc_case cases[] = {
    RC_FIRES(ref_in_file, DC_RULE_REF_IN_FILE),
    RC_FIRES(string_length_even, DC_RULE_STRING_LENGTH_EVEN),
    RC_FIRES(string_in_file, DC_RULE_STRING_IN_FILE),
    RC_FIRES(string_trailing_nul, DC_RULE_STRING_TRAILING_NUL),
    RC_FIRES(string_utf16_valid, DC_RULE_STRING_UTF16_VALID),
    RC_FIRES(layout_rva_alignment, DC_RULE_LAYOUT_RVA_ALIGNMENT),
    RC_FIRES(layout_rva_alignment_u64, DC_RULE_LAYOUT_RVA_ALIGNMENT),
    RC_FIRES(layout_rva_alignment_structure, DC_RULE_LAYOUT_RVA_ALIGNMENT),
    RC_FIRES(list_padding_after_count, DC_RULE_LIST_PADDING_AFTER_COUNT),
    RC_FIRES(stream_too_small, DC_RULE_STREAM_TOO_SMALL),
    RC_FIRES(stream_text_utf16_odd, DC_RULE_STREAM_TEXT_UTF16_ODD),
    RC_FIRES(limit_streams, DC_RULE_LIMIT_STREAMS),
    RC_FIRES(limit_entries, DC_RULE_LIMIT_ENTRIES),
    RC_FIRES(limit_entries_other_lists, DC_RULE_LIMIT_ENTRIES),
    RC_FIRES(limit_work, DC_RULE_LIMIT_WORK),
    RC_FIRES(limit_memory, DC_RULE_LIMIT_MEMORY),
    RC_FIRES(limit_memory_skips_quietly, DC_RULE_LIMIT_MEMORY),
    RC_FIRES(limit_diagnostics, DC_RULE_LIMIT_DIAGNOSTICS),
    RC_FIRES(limit_string, DC_RULE_LIMIT_STRING),
};

int main(void)
{
	return rc_run_group("rules_refs", cases, sizeof(cases) / sizeof(cases[0]), RC_PART_REFS);
}
