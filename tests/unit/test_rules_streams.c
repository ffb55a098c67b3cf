/* Conformance rules of spec/rules/minidump_streams.toml, part 2: HandleData,
 * versioned lists, ThreadInfo, ThreadNames, modules and their records,
 * contexts, dump flags and the other streams. For each rule a patch of the
 * mdbuild baseline, or of a stream the mdstreams builders add to it, that
 * makes the rule fire, and the nearby valid input that stays quiet. */
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

/* `count` entries declared in the list stream `type` (u32 count at +0). */
static void set_count(struct mdb *b, uint32_t type, uint32_t count)
{
	mdb_set32(b, mds_rva(b, type), count);
}

/* ---------------------------------------------------------------- HandleData */

static void handledata_header_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	rc_quiet(&b);
	size_t hs = s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_SizeOfHeader;
	mdb_set32(&b, hs, 8);
	rc_only(&b, DC_RULE_HANDLEDATA_HEADER_SIZE);
	mdb_set32(&b, hs, mdb_get32(&b, size_field(&b, DC_STREAM_HANDLE_DATA)) + 4);
	rc_only(&b, DC_RULE_HANDLEDATA_HEADER_SIZE);
	mdb_free(&b);
}

static void handledata_descriptor_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR);
	rc_quiet(&b);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_SizeOfDescriptor, 24);
	rc_only(&b, DC_RULE_HANDLEDATA_DESCRIPTOR_SIZE);
	mdb_free(&b);
}

static void handledata_reserved(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	rc_quiet(&b);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_Reserved, 1);
	rc_only(&b, DC_RULE_HANDLEDATA_RESERVED);
	mdb_free(&b);
}

static void handledata_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	rc_quiet(&b);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_NumberOfDescriptors, 3);
	rc_only(&b, DC_RULE_HANDLEDATA_SIZE);
	mdb_free(&b);
}

/* The object-information chain of the first descriptor; node[k] RVAs. */
static void chain_nodes(const struct mdb *b, uint32_t s, uint32_t node[3])
{
	node[0] = mdb_get32(b, s + DC_SIZE_MINIDUMP_HANDLE_DATA_STREAM +
	                           DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectInfoRva);
	for (int k = 1; k < 3; k++)
		node[k] = mdb_get32(b, node[k - 1] +
		                           DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva);
	assert_true(node[0] && node[1] && node[2]);
	assert_int_equal(
	    mdb_get32(b, node[2] + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva), 0);
}

static void handledata_objinfo_chain(void **state)
{
	(void)state;
	struct mdb b;
	uint32_t node[3];
	mdb_baseline(&b);
	uint32_t s = mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	chain_nodes(&b, s, node);
	rc_quiet(&b); /* 3 nodes ending with NextInfoRva 0 */
	/* A 2-node cycle: node 1 back to node 0. */
	size_t next1 = node[1] + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva;
	mdb_set32(&b, next1, node[0]);
	rc_only(&b, DC_RULE_HANDLEDATA_OBJINFO_CHAIN);
	/* A node that points at itself. */
	mdb_set32(&b, next1, node[1]);
	rc_only(&b, DC_RULE_HANDLEDATA_OBJINFO_CHAIN);
	/* A node past the end of the file. */
	mdb_set32(&b, next1, (uint32_t)b.len - 4);
	rc_only(&b, DC_RULE_HANDLEDATA_OBJINFO_CHAIN);
	/* A node whose SizeOfInfo bytes run past the end of the file. */
	mdb_set32(&b, next1, node[2]);
	mdb_set32(&b, node[2] + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_SizeOfInfo, 0x7FFFFFF0u);
	rc_only(&b, DC_RULE_HANDLEDATA_OBJINFO_CHAIN);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- versioned lists */

struct vlist {
	uint32_t (*build)(struct mdb *);
	uint32_t type;
	uint32_t header_off, entry_off, count_off; /* SizeOfHeader, SizeOfEntry, count */
	uint32_t too_small_entry;
};

static const struct vlist vlists[] = {
    {mds_unloaded_modules, DC_STREAM_UNLOADED_MODULE_LIST,
     DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_SizeOfHeader,
     DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_SizeOfEntry,
     DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_NumberOfEntries, DC_SIZE_MINIDUMP_UNLOADED_MODULE - 4},
    {mds_memory_info, DC_STREAM_MEMORY_INFO_LIST, DC_OFF_MINIDUMP_MEMORY_INFO_LIST_SizeOfHeader,
     DC_OFF_MINIDUMP_MEMORY_INFO_LIST_SizeOfEntry, DC_OFF_MINIDUMP_MEMORY_INFO_LIST_NumberOfEntries,
     DC_SIZE_MINIDUMP_MEMORY_INFO - 8},
    {mds_thread_info, DC_STREAM_THREAD_INFO_LIST, DC_OFF_MINIDUMP_THREAD_INFO_LIST_SizeOfHeader,
     DC_OFF_MINIDUMP_THREAD_INFO_LIST_SizeOfEntry, DC_OFF_MINIDUMP_THREAD_INFO_LIST_NumberOfEntries,
     DC_SIZE_MINIDUMP_THREAD_INFO - 4},
    {mds_handle_operations, DC_STREAM_HANDLE_OPERATION_LIST,
     DC_OFF_MINIDUMP_HANDLE_OPERATION_LIST_SizeOfHeader,
     DC_OFF_MINIDUMP_HANDLE_OPERATION_LIST_SizeOfEntry,
     DC_OFF_MINIDUMP_HANDLE_OPERATION_LIST_NumberOfEntries, 0},
};

#define NVLISTS (sizeof(vlists) / sizeof(vlists[0]))

static void vlist_header_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVLISTS; i++) {
		struct mdb b;
		mdb_baseline(&b);
		uint32_t s = vlists[i].build(&b);
		rc_quiet(&b);
		uint32_t hs = mdb_get32(&b, s + vlists[i].header_off);
		mdb_set32(&b, s + vlists[i].header_off, hs - 4);
		rc_only(&b, DC_RULE_VLIST_HEADER_SIZE);
		mdb_set32(&b, s + vlists[i].header_off,
		          mdb_get32(&b, size_field(&b, vlists[i].type)) + 1);
		rc_only(&b, DC_RULE_VLIST_HEADER_SIZE);
		mdb_free(&b);
	}
}

static void vlist_entry_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVLISTS; i++) {
		struct mdb b;
		mdb_baseline(&b);
		uint32_t s = vlists[i].build(&b);
		mdb_set32(&b, s + vlists[i].entry_off, vlists[i].too_small_entry);
		rc_only(&b, DC_RULE_VLIST_ENTRY_SIZE);
		mdb_free(&b);
	}
	/* Quiet: entries larger than documented are read by stride. */
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_unloaded_modules(&b);
	mdb_zeros(&b, 8);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_SizeOfEntry, 32);
	mdb_set32(&b, size_field(&b, DC_STREAM_UNLOADED_MODULE_LIST),
	          DC_SIZE_MINIDUMP_UNLOADED_MODULE_LIST + 32);
	rc_quiet(&b);
	mdb_free(&b);
}

static void vlist_size(void **state)
{
	(void)state;
	for (size_t i = 0; i < NVLISTS; i++) {
		struct mdb b;
		mdb_baseline(&b);
		uint32_t s = vlists[i].build(&b);
		size_t count = s + vlists[i].count_off;
		mdb_set32(&b, count, mdb_get32(&b, count) + 1);
		rc_only(&b, DC_RULE_VLIST_SIZE);
		mdb_free(&b);
	}
	/* MemoryInfoList's u64 count: 2^60 x 48 overflows 64 bits. */
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_memory_info(&b);
	mdb_set64(&b, s + DC_OFF_MINIDUMP_MEMORY_INFO_LIST_NumberOfEntries, 1ull << 60);
	rc_only(&b, DC_RULE_VLIST_SIZE);
	mdb_free(&b);
}

static size_t thread_info(const struct mdb *b, uint32_t s, uint32_t k)
{
	(void)b;
	return s + DC_SIZE_MINIDUMP_THREAD_INFO_LIST + k * (size_t)DC_SIZE_MINIDUMP_THREAD_INFO +
	       DC_OFF_MINIDUMP_THREAD_INFO_DumpFlags;
}

static void threadinfo_dump_flags(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_thread_info(&b);
	rc_quiet(&b);
	mdb_set32(&b, thread_info(&b, s, 0), 0x40);
	rc_only(&b, DC_RULE_THREADINFO_DUMP_FLAGS);
	mdb_set32(&b, thread_info(&b, s, 0), 0x3D); /* every documented bit but WRITING_THREAD */
	rc_quiet(&b);
	mdb_free(&b);
}

static void threadinfo_writing_thread(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_thread_info(&b);
	rc_quiet(&b); /* one writing thread */
	mdb_set32(&b, thread_info(&b, s, 0), DC_MINIDUMP_THREAD_INFO_WRITING_THREAD);
	rc_only(&b, DC_RULE_THREADINFO_WRITING_THREAD);
	mdb_free(&b);
}

static void threadnames_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_thread_names(&b);
	rc_quiet(&b);
	set_count(&b, DC_STREAM_THREAD_NAMES, 3);
	rc_only(&b, DC_RULE_THREADNAMES_SIZE);
	mdb_free(&b);
}

static void threadnames_rva64(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_thread_names(&b);
	size_t rva = s + 4 + DC_OFF_MINIDUMP_THREAD_NAME_RvaOfThreadName;
	/* RvaOfThreadName is an RVA64: its high half counts. */
	mdb_set32(&b, rva + 4, 1);
	rc_only(&b, DC_RULE_STRING_IN_FILE);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- modules */

static void modulelist_overlap(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t base1 = mds_module(&b, 1) + DC_OFF_MINIDUMP_MODULE_BaseOfImage;
	mdb_set64(&b, base1, 0x400000 + 0x8000);
	rc_only(&b, DC_RULE_MODULELIST_OVERLAP);
	mdb_set64(&b, base1, 0x400000);
	rc_only(&b, DC_RULE_MODULELIST_OVERLAP);
	mdb_set64(&b, base1, 0x400000 - 0x8000); /* unsorted */
	rc_only(&b, DC_RULE_MODULELIST_OVERLAP);
	mdb_set64(&b, base1, 0x400000 + 0x10000); /* adjacent: quiet */
	rc_quiet(&b);
	mdb_free(&b);
}

static void modulelist_same_base_empty(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* Two modules at one BaseOfImage, the second with SizeOfImage 0. */
	mdb_set64(&b, mds_module(&b, 1) + DC_OFF_MINIDUMP_MODULE_BaseOfImage, 0x400000);
	mdb_set32(&b, mds_module(&b, 1) + DC_OFF_MINIDUMP_MODULE_SizeOfImage, 0);
	/* Was a bug: empty images are left out of the check, so the shared base goes unseen. */
	RC_FAIL_IF_BUG(
	    rc_bug_unless_fires(&b, DC_RULE_MODULELIST_OVERLAP,
	                        "two modules share BaseOfImage 0x400000 (one of SizeOfImage 0); "
	                        "the rule asks for distinct bases"),
	    &b);
	rc_only(&b, DC_RULE_MODULELIST_OVERLAP);
	mdb_free(&b);
}

static void module_version_signature(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t vi = mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_VersionInfo;
	mdb_set32(&b, vi, 0xFEEF04BEu);
	rc_only(&b, DC_RULE_MODULE_VERSION_SIGNATURE);
	memset(b.buf + vi, 0, DC_SIZE_VS_FIXEDFILEINFO); /* no version resource: quiet */
	rc_quiet(&b);
	mdb_free(&b);
}

static size_t cv_field(const struct mdb *b)
{
	return mds_module(b, 0) + DC_OFF_MINIDUMP_MODULE_CvRecord;
}

static void cv_signature(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t cv = mdb_get32(&b, cv_field(&b) + 4);
	memcpy(b.buf + cv, "XXXX", 4);
	rc_only(&b, DC_RULE_CV_SIGNATURE);
	/* Quiet: an NB10 record, and a record too short to hold a signature. */
	static const char nb10[] = "NB10\0\0\0\0\x01\x02\x03\x04\x01\0\0\0app.pdb";
	mdb_set32(&b, cv_field(&b), sizeof(nb10));
	mdb_set32(&b, cv_field(&b) + 4, mdb_put(&b, nb10, sizeof(nb10)));
	rc_quiet(&b);
	mdb_set32(&b, cv_field(&b), 3);
	rc_quiet(&b);
	mdb_free(&b);
}

static void cv_pdb70_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t cv = mdb_get32(&b, cv_field(&b) + 4), size = mdb_get32(&b, cv_field(&b));
	mdb_set32(&b, cv_field(&b), DC_SIZE_CV_INFO_PDB70);
	rc_only(&b, DC_RULE_CV_PDB70_SIZE);
	/* The name's NUL lies outside the record. */
	mdb_set32(&b, cv_field(&b), size - 1);
	rc_only(&b, DC_RULE_CV_PDB70_SIZE);
	/* Quiet: 25 bytes, an empty NUL-terminated name. */
	mdb_set8(&b, cv + DC_SIZE_CV_INFO_PDB70, 0);
	mdb_set32(&b, cv_field(&b), DC_SIZE_CV_INFO_PDB70 + 1);
	rc_quiet(&b);
	mdb_free(&b);
}

static void misc_record_length(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t field = mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_MiscRecord;
	uint32_t misc = mdb_get32(&b, field + 4);
	mdb_set32(&b, field, 8);
	rc_only(&b, DC_RULE_MISC_RECORD_LENGTH);
	mdb_set32(&b, field, DC_SIZE_IMAGE_DEBUG_MISC);
	mdb_set32(&b, misc + DC_OFF_IMAGE_DEBUG_MISC_Length, DC_SIZE_IMAGE_DEBUG_MISC + 1);
	rc_only(&b, DC_RULE_MISC_RECORD_LENGTH);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- contexts */

static size_t context_field(const struct mdb *b, uint32_t k)
{
	return mds_thread(b, k) + DC_OFF_MINIDUMP_THREAD_ThreadContext;
}

static void context_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, context_field(&b, 0), 1000);
	rc_only(&b, DC_RULE_CONTEXT_SIZE); /* ref.in_file stays quiet */
	mdb_set32(&b, context_field(&b, 0), DC_SIZE_CONTEXT_AMD64);
	mdb_set32(&b,
	          mds_rva(&b, DC_STREAM_EXCEPTION) + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadContext,
	          DC_SIZE_CONTEXT_AMD64 - 1);
	rc_only(&b, DC_RULE_CONTEXT_SIZE);
	mdb_free(&b);
	/* ARM64: 912 bytes, flags at 0. */
	mdb_baseline(&b);
	mdb_set16(&b,
	          mds_rva(&b, DC_STREAM_SYSTEM_INFO) +
	              DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture,
	          DC_PROCESSOR_ARCHITECTURE_ARM64);
	mdb_set32(&b, mdb_get32(&b, context_field(&b, 0) + 4), 0x00400007u);
	mdb_set32(&b, mdb_get32(&b, context_field(&b, 1) + 4), 0x00400007u);
	mdb_set32(&b,
	          mdb_get32(&b, mds_rva(&b, DC_STREAM_EXCEPTION) +
	                            DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadContext + 4),
	          0x00400007u);
	mdb_set32(&b, context_field(&b, 0), DC_SIZE_CONTEXT_ARM64);
	rc_quiet(&b);
	mdb_set32(&b, context_field(&b, 0), DC_SIZE_CONTEXT_ARM64 - 12);
	rc_only(&b, DC_RULE_CONTEXT_SIZE);
	mdb_free(&b);
}

static void context_size_tiny(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* 16 bytes: not even AMD64's ContextFlags (at 0x30) fits. */
	mdb_set32(&b, context_field(&b, 0), 16);
	/* Was a bug: dci_check_context returns before the size check when ContextFlags is unreadable. */
	RC_FAIL_IF_BUG(rc_bug_unless_fires(&b, DC_RULE_CONTEXT_SIZE,
	                                "an AMD64 thread context of 16 bytes (< 1232)"),
	            &b);
	rc_only(&b, DC_RULE_CONTEXT_SIZE);
	mdb_free(&b);
}

static void context_flags_arch(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t ctx = mdb_get32(&b, context_field(&b, 0) + 4);
	mdb_set32(&b, ctx + 0x30, 0x0001001Fu); /* CONTEXT_i386 bits in an AMD64 dump */
	rc_only(&b, DC_RULE_CONTEXT_FLAGS_ARCH);
	mdb_set32(&b, ctx + 0x30, 0x00100000u);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- dump flags */

static void flags_full_memory_list(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set64(&b, 24, DC_MiniDumpWithFullMemory);
	struct dc_diags d;
	rc_validate(&b, NULL, &d);
	assert_int_equal(d.per_rule[DC_RULE_FLAGS_FULL_MEMORY_LIST], 2); /* no 64, a 32 list */
	rc_diags_only(&d, (const int[]){DC_RULE_FLAGS_FULL_MEMORY_LIST, RC_END});
	dc_diags_free(&d);
	mds_memory64(&b);
	rc_only(&b, DC_RULE_FLAGS_FULL_MEMORY_LIST); /* both lists */
	mds_remove_stream(&b, DC_STREAM_MEMORY_LIST);
	rc_quiet(&b);
	mdb_free(&b);
}

static void flags_requested_streams(void **state)
{
	(void)state;
	static const struct {
		uint32_t flag;
		uint32_t (*build)(struct mdb *);
	} requests[] = {
	    {DC_MiniDumpWithThreadInfo, mds_thread_info},
	    {DC_MiniDumpWithTokenInformation, mds_token},
	    {DC_MiniDumpWithFullMemoryInfo, mds_memory_info},
	    {DC_MiniDumpWithHandleData, NULL},
	};
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		struct mdb b;
		mdb_baseline(&b);
		mdb_set64(&b, 24, requests[i].flag);
		rc_only(&b, DC_RULE_FLAGS_REQUESTED_STREAMS);
		if (requests[i].build)
			requests[i].build(&b);
		else
			mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
		rc_quiet(&b);
		mdb_free(&b);
	}
	/* dbghelp omits an empty UnloadedModuleList: the flag alone is quiet */
	struct mdb b;
	mdb_baseline(&b);
	mdb_set64(&b, 24, DC_MiniDumpWithUnloadedModules);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- other streams */

static void memoryinfo_values(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_memory_info(&b);
	rc_quiet(&b); /* COMMIT/PRIVATE and FREE/0 */
	size_t e = s + DC_SIZE_MINIDUMP_MEMORY_INFO_LIST;
	mdb_set32(&b, e + DC_OFF_MINIDUMP_MEMORY_INFO_State, DC_MEM_COMMIT | DC_MEM_RESERVE);
	rc_only(&b, DC_RULE_MEMORYINFO_VALUES);
	mdb_set32(&b, e + DC_OFF_MINIDUMP_MEMORY_INFO_State, DC_MEM_COMMIT);
	mdb_set32(&b, e + DC_OFF_MINIDUMP_MEMORY_INFO_Type, 0x80000);
	rc_only(&b, DC_RULE_MEMORYINFO_VALUES);
	mdb_set32(&b, e + DC_OFF_MINIDUMP_MEMORY_INFO_Type, DC_MEM_IMAGE);
	rc_quiet(&b);
	mdb_free(&b);
}

static void processvm_revision(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_process_vm(&b, 2);
	mdb_set16(&b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_Revision, 3);
	rc_only(&b, DC_RULE_PROCESSVM_REVISION);
	mdb_set16(&b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_Revision, 1); /* 152 >= 80: quiet */
	rc_quiet(&b);
	mdb_free(&b);
}

static void token_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_token(&b);
	rc_quiet(&b);
	size_t list = s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListSize;
	size_t header = s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ListHeaderSize;
	size_t tok1 =
	    s + DC_SIZE_MINIDUMP_TOKEN_INFO_LIST + 32 + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenSize;
	uint32_t size = mdb_get32(&b, list);
	mdb_set32(&b, list, size + 4);
	rc_only(&b, DC_RULE_TOKEN_SIZE);
	mdb_set32(&b, list, size);
	mdb_set32(&b, header, 8);
	rc_only(&b, DC_RULE_TOKEN_SIZE);
	mdb_set32(&b, header, DC_SIZE_MINIDUMP_TOKEN_INFO_LIST);
	mdb_set32(&b, tok1, 36); /* past the list */
	rc_only(&b, DC_RULE_TOKEN_SIZE);
	mdb_set32(&b, tok1, 8); /* smaller than its own header */
	rc_only(&b, DC_RULE_TOKEN_SIZE);
	mdb_free(&b);
}

static void functiontable_size(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t s = mds_function_table(&b);
	rc_quiet(&b);
	size_t desc = s + DC_SIZE_MINIDUMP_FUNCTION_TABLE_STREAM;
	size_t entries = desc + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_EntryCount;
	size_t pad = desc + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_SizeOfAlignPad;
	mdb_set32(&b, entries, 3);
	rc_only(&b, DC_RULE_FUNCTIONTABLE_SIZE);
	mdb_set32(&b, entries, 2);
	mdb_set32(&b, pad, 4);
	rc_only(&b, DC_RULE_FUNCTIONTABLE_SIZE);
	mdb_set32(&b, pad, 0);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_NumberOfDescriptors, 2);
	rc_only(&b, DC_RULE_FUNCTIONTABLE_SIZE);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_NumberOfDescriptors, 1);
	mdb_set32(&b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfHeader, 16);
	rc_only(&b, DC_RULE_FUNCTIONTABLE_SIZE);
	mdb_free(&b);
}

/* Each case and the rules it asserts to fire (checked when it runs). */
static const struct rc_case cases[] = {
    RC_FIRES(handledata_header_size, DC_RULE_HANDLEDATA_HEADER_SIZE),
    RC_FIRES(handledata_descriptor_size, DC_RULE_HANDLEDATA_DESCRIPTOR_SIZE),
    RC_FIRES(handledata_reserved, DC_RULE_HANDLEDATA_RESERVED),
    RC_FIRES(handledata_size, DC_RULE_HANDLEDATA_SIZE),
    RC_FIRES(handledata_objinfo_chain, DC_RULE_HANDLEDATA_OBJINFO_CHAIN),
    RC_FIRES(vlist_header_size, DC_RULE_VLIST_HEADER_SIZE),
    RC_FIRES(vlist_entry_size, DC_RULE_VLIST_ENTRY_SIZE),
    RC_FIRES(vlist_size, DC_RULE_VLIST_SIZE),
    RC_FIRES(threadinfo_dump_flags, DC_RULE_THREADINFO_DUMP_FLAGS),
    RC_FIRES(threadinfo_writing_thread, DC_RULE_THREADINFO_WRITING_THREAD),
    RC_FIRES(threadnames_size, DC_RULE_THREADNAMES_SIZE),
    RC_FIRES(threadnames_rva64, DC_RULE_STRING_IN_FILE),
    RC_FIRES(modulelist_overlap, DC_RULE_MODULELIST_OVERLAP),
    RC_FIRES(modulelist_same_base_empty, DC_RULE_MODULELIST_OVERLAP),
    RC_FIRES(module_version_signature, DC_RULE_MODULE_VERSION_SIGNATURE),
    RC_FIRES(cv_signature, DC_RULE_CV_SIGNATURE),
    RC_FIRES(cv_pdb70_size, DC_RULE_CV_PDB70_SIZE),
    RC_FIRES(misc_record_length, DC_RULE_MISC_RECORD_LENGTH),
    RC_FIRES(context_size, DC_RULE_CONTEXT_SIZE),
    RC_FIRES(context_size_tiny, DC_RULE_CONTEXT_SIZE),
    RC_FIRES(context_flags_arch, DC_RULE_CONTEXT_FLAGS_ARCH),
    RC_FIRES(flags_full_memory_list, DC_RULE_FLAGS_FULL_MEMORY_LIST),
    RC_FIRES(flags_requested_streams, DC_RULE_FLAGS_REQUESTED_STREAMS),
    RC_FIRES(memoryinfo_values, DC_RULE_MEMORYINFO_VALUES),
    RC_FIRES(processvm_revision, DC_RULE_PROCESSVM_REVISION),
    RC_FIRES(token_size, DC_RULE_TOKEN_SIZE),
    RC_FIRES(functiontable_size, DC_RULE_FUNCTIONTABLE_SIZE),
};

int main(void)
{
	return rc_run_group("rules_streams", cases, sizeof(cases) / sizeof(cases[0]),
	                    RC_PART_STREAMS);
}
