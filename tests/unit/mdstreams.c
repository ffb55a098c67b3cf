/* Test-only builders of the streams the mdbuild baseline lacks (see
 * mdstreams.h). */
#include <stdlib.h>
#include <string.h>

#include "mdstreams.h"

#define OBJINFO_DATA               8u
#define AVRF_HANDLE_OPERATION_SIZE 288u
#define TOKEN_SIZE                 32u
#define NATIVE_DESC_SIZE           8u
#define FUNCTION_ENTRY_SIZE        12u

size_t mds_dir_entry(const struct mdb *b, uint32_t type)
{
	for (uint32_t i = 0; i < b->nstreams; i++)
		if (mdb_get32(b, 32 + 12 * (size_t)i) == type)
			return 32 + 12 * (size_t)i;
	abort();
}

uint32_t mds_rva(const struct mdb *b, uint32_t type)
{
	return mdb_get32(b, mds_dir_entry(b, type) + 8);
}

void mds_remove_stream(struct mdb *b, uint32_t type)
{
	size_t at = mds_dir_entry(b, type), end = 32 + 12 * (size_t)b->nstreams;
	memmove(b->buf + at, b->buf + at + 12, end - at - 12);
	memset(b->buf + end - 12, 0, 12);
	b->nstreams--;
	mdb_set32(b, 8, b->nstreams);
}

uint32_t mds_relocate(struct mdb *b, uint32_t type, uint32_t shift, uint32_t gap_at, uint32_t gap)
{
	size_t at = mds_dir_entry(b, type);
	uint32_t size = mdb_get32(b, at + 4), old = mdb_get32(b, at + 8);
	if (gap_at > size)
		abort();
	uint32_t rva = mdb_zeros(b, shift + size + gap) + shift;
	memcpy(b->buf + rva, b->buf + old, gap_at);
	memcpy(b->buf + rva + gap_at + gap, b->buf + old + gap_at, size - gap_at);
	mdb_set32(b, at + 4, size + gap);
	mdb_set32(b, at + 8, rva);
	return rva;
}

uint32_t mds_copy(struct mdb *b, uint32_t src, uint32_t len)
{
	uint32_t rva = mdb_zeros(b, len); /* may move b->buf: copy after */
	memcpy(b->buf + rva, b->buf + src, len);
	return rva;
}

uint32_t mds_blob(struct mdb *b, uint32_t type, uint32_t len, uint8_t fill)
{
	uint32_t rva = mdb_zeros(b, len);
	memset(b->buf + rva, fill, len);
	mdb_add_stream(b, type, rva, len);
	return rva;
}

size_t mds_thread(const struct mdb *b, uint32_t k)
{
	return mds_rva(b, DC_STREAM_THREAD_LIST) + 4 + k * (size_t)DC_SIZE_MINIDUMP_THREAD;
}

size_t mds_module(const struct mdb *b, uint32_t k)
{
	return mds_rva(b, DC_STREAM_MODULE_LIST) + 4 + k * (size_t)DC_SIZE_MINIDUMP_MODULE;
}

size_t mds_range(const struct mdb *b, uint32_t k)
{
	return mds_rva(b, DC_STREAM_MEMORY_LIST) + 4 +
	       k * (size_t)DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
}

/* Object-information chain of `n` nodes with 8 data bytes each; returns the
 * first node's RVA. */
static uint32_t put_objinfo_chain(struct mdb *b, unsigned n)
{
	uint32_t first = 0, prev = 0;
	for (unsigned k = 0; k < n; k++) {
		uint32_t node =
		    mdb_zeros(b, DC_SIZE_MINIDUMP_HANDLE_OBJECT_INFORMATION + OBJINFO_DATA);
		mdb_set32(b, node + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_InfoType,
		          DC_MiniEventInformation1);
		mdb_set32(b, node + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_SizeOfInfo,
		          OBJINFO_DATA);
		if (prev)
			mdb_set32(b, prev + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva,
			          node);
		else
			first = node;
		prev = node;
	}
	return first;
}

uint32_t mds_handle_data(struct mdb *b, uint32_t desc_size)
{
	uint32_t type_name = mdb_string(b, "Event");
	uint32_t obj_name = mdb_string(b, "\\BaseNamedObjects\\ready");
	uint32_t chain =
	    desc_size >= DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2 ? put_objinfo_chain(b, 3) : 0;
	uint32_t size = DC_SIZE_MINIDUMP_HANDLE_DATA_STREAM + 2 * desc_size;
	uint32_t s = mdb_zeros(b, size);
	mdb_set32(b, s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_SizeOfHeader,
	          DC_SIZE_MINIDUMP_HANDLE_DATA_STREAM);
	mdb_set32(b, s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_SizeOfDescriptor, desc_size);
	mdb_set32(b, s + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_NumberOfDescriptors, 2);
	for (uint32_t k = 0; k < 2; k++) {
		size_t d = s + DC_SIZE_MINIDUMP_HANDLE_DATA_STREAM + k * desc_size;
		mdb_set64(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_Handle, 4 * (k + 1));
		mdb_set32(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_TypeNameRva, type_name);
		mdb_set32(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_ObjectNameRva, k ? 0 : obj_name);
		mdb_set32(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_GrantedAccess, 0x1F0003);
		mdb_set32(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_HandleCount, 1);
		mdb_set32(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_PointerCount, 1);
		if (!k && chain)
			mdb_set32(b, d + DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectInfoRva, chain);
	}
	mdb_add_stream(b, DC_STREAM_HANDLE_DATA, s, size);
	return s;
}

uint32_t mds_unloaded_modules(struct mdb *b)
{
	uint32_t name = mdb_string(b, "C:\\Windows\\System32\\gone.dll");
	uint32_t size = DC_SIZE_MINIDUMP_UNLOADED_MODULE_LIST + DC_SIZE_MINIDUMP_UNLOADED_MODULE;
	uint32_t s = mdb_zeros(b, size);
	size_t e = s + DC_SIZE_MINIDUMP_UNLOADED_MODULE_LIST;
	mdb_set32(b, s + DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_SizeOfHeader,
	          DC_SIZE_MINIDUMP_UNLOADED_MODULE_LIST);
	mdb_set32(b, s + DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_SizeOfEntry,
	          DC_SIZE_MINIDUMP_UNLOADED_MODULE);
	mdb_set32(b, s + DC_OFF_MINIDUMP_UNLOADED_MODULE_LIST_NumberOfEntries, 1);
	mdb_set64(b, e + DC_OFF_MINIDUMP_UNLOADED_MODULE_BaseOfImage, 0x10000000);
	mdb_set32(b, e + DC_OFF_MINIDUMP_UNLOADED_MODULE_SizeOfImage, 0x8000);
	mdb_set32(b, e + DC_OFF_MINIDUMP_UNLOADED_MODULE_TimeDateStamp, 1600000000u);
	mdb_set32(b, e + DC_OFF_MINIDUMP_UNLOADED_MODULE_ModuleNameRva, name);
	mdb_add_stream(b, DC_STREAM_UNLOADED_MODULE_LIST, s, size);
	return s;
}

uint32_t mds_memory_info(struct mdb *b)
{
	uint32_t size = DC_SIZE_MINIDUMP_MEMORY_INFO_LIST + 2 * DC_SIZE_MINIDUMP_MEMORY_INFO;
	uint32_t s = mdb_zeros(b, size);
	mdb_set32(b, s + DC_OFF_MINIDUMP_MEMORY_INFO_LIST_SizeOfHeader,
	          DC_SIZE_MINIDUMP_MEMORY_INFO_LIST);
	mdb_set32(b, s + DC_OFF_MINIDUMP_MEMORY_INFO_LIST_SizeOfEntry,
	          DC_SIZE_MINIDUMP_MEMORY_INFO);
	mdb_set64(b, s + DC_OFF_MINIDUMP_MEMORY_INFO_LIST_NumberOfEntries, 2);
	for (uint32_t k = 0; k < 2; k++) {
		size_t e = s + DC_SIZE_MINIDUMP_MEMORY_INFO_LIST + k * DC_SIZE_MINIDUMP_MEMORY_INFO;
		uint64_t base = 0x10000 + 0x1000 * k;
		mdb_set64(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_BaseAddress, base);
		mdb_set64(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_RegionSize, 0x1000);
		if (k == 0) {
			mdb_set64(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_AllocationBase, base);
			mdb_set32(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_AllocationProtect, 0x04);
			mdb_set32(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_State, DC_MEM_COMMIT);
			mdb_set32(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_Protect, 0x04);
			mdb_set32(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_Type, DC_MEM_PRIVATE);
		} else {
			mdb_set32(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_State, DC_MEM_FREE);
			mdb_set32(b, e + DC_OFF_MINIDUMP_MEMORY_INFO_Protect, 0x01);
		}
	}
	mdb_add_stream(b, DC_STREAM_MEMORY_INFO_LIST, s, size);
	return s;
}

uint32_t mds_thread_info(struct mdb *b)
{
	uint32_t size = DC_SIZE_MINIDUMP_THREAD_INFO_LIST + 2 * DC_SIZE_MINIDUMP_THREAD_INFO;
	uint32_t s = mdb_zeros(b, size);
	mdb_set32(b, s + DC_OFF_MINIDUMP_THREAD_INFO_LIST_SizeOfHeader,
	          DC_SIZE_MINIDUMP_THREAD_INFO_LIST);
	mdb_set32(b, s + DC_OFF_MINIDUMP_THREAD_INFO_LIST_SizeOfEntry,
	          DC_SIZE_MINIDUMP_THREAD_INFO);
	mdb_set32(b, s + DC_OFF_MINIDUMP_THREAD_INFO_LIST_NumberOfEntries, 2);
	for (uint32_t k = 0; k < 2; k++) {
		size_t e = s + DC_SIZE_MINIDUMP_THREAD_INFO_LIST + k * DC_SIZE_MINIDUMP_THREAD_INFO;
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_INFO_ThreadId,
		          k ? BASE_THREAD_ID_1 : BASE_THREAD_ID_0);
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_INFO_DumpFlags,
		          k ? DC_MINIDUMP_THREAD_INFO_WRITING_THREAD : 0);
		mdb_set64(b, e + DC_OFF_MINIDUMP_THREAD_INFO_CreateTime, 133000000000000000ull);
		mdb_set64(b, e + DC_OFF_MINIDUMP_THREAD_INFO_StartAddress, 0x401000);
		mdb_set64(b, e + DC_OFF_MINIDUMP_THREAD_INFO_Affinity, 0xF);
	}
	mdb_add_stream(b, DC_STREAM_THREAD_INFO_LIST, s, size);
	return s;
}

uint32_t mds_handle_operations(struct mdb *b)
{
	uint32_t size = DC_SIZE_MINIDUMP_HANDLE_OPERATION_LIST + AVRF_HANDLE_OPERATION_SIZE;
	uint32_t s = mdb_zeros(b, size);
	size_t e = s + DC_SIZE_MINIDUMP_HANDLE_OPERATION_LIST;
	mdb_set32(b, s + DC_OFF_MINIDUMP_HANDLE_OPERATION_LIST_SizeOfHeader,
	          DC_SIZE_MINIDUMP_HANDLE_OPERATION_LIST);
	mdb_set32(b, s + DC_OFF_MINIDUMP_HANDLE_OPERATION_LIST_SizeOfEntry,
	          AVRF_HANDLE_OPERATION_SIZE);
	mdb_set32(b, s + DC_OFF_MINIDUMP_HANDLE_OPERATION_LIST_NumberOfEntries, 1);
	mdb_set64(b, e, 0x44);                  /* Handle */
	mdb_set32(b, e + 8, 4242);              /* ProcessId */
	mdb_set32(b, e + 12, BASE_THREAD_ID_0); /* ThreadId */
	mdb_set32(b, e + 16, 1);                /* OperationType: OperationDbOpen */
	mdb_add_stream(b, DC_STREAM_HANDLE_OPERATION_LIST, s, size);
	return s;
}

uint32_t mds_token(struct mdb *b)
{
	uint32_t size = DC_SIZE_MINIDUMP_TOKEN_INFO_LIST + 2 * TOKEN_SIZE;
	uint32_t s = mdb_zeros(b, size);
	mdb_set32(b, s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListSize, size);
	mdb_set32(b, s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListEntries, 2);
	mdb_set32(b, s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ListHeaderSize,
	          DC_SIZE_MINIDUMP_TOKEN_INFO_LIST);
	mdb_set32(b, s + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ElementHeaderSize,
	          DC_SIZE_MINIDUMP_TOKEN_INFO_HEADER);
	for (uint32_t k = 0; k < 2; k++) {
		size_t e = s + DC_SIZE_MINIDUMP_TOKEN_INFO_LIST + k * TOKEN_SIZE;
		mdb_set32(b, e + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenSize, TOKEN_SIZE);
		mdb_set32(b, e + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenId,
		          k ? BASE_THREAD_ID_1 : 4242);
		mdb_set64(b, e + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenHandle, 0x100 + 4 * k);
	}
	mdb_add_stream(b, DC_STREAM_TOKEN, s, size);
	return s;
}

uint32_t mds_function_table(struct mdb *b)
{
	uint32_t size = DC_SIZE_MINIDUMP_FUNCTION_TABLE_STREAM +
	                DC_SIZE_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR + NATIVE_DESC_SIZE +
	                2 * FUNCTION_ENTRY_SIZE;
	uint32_t s = mdb_zeros(b, size);
	size_t d = s + DC_SIZE_MINIDUMP_FUNCTION_TABLE_STREAM;
	size_t e = d + DC_SIZE_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR + NATIVE_DESC_SIZE;
	mdb_set32(b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfHeader,
	          DC_SIZE_MINIDUMP_FUNCTION_TABLE_STREAM);
	mdb_set32(b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfDescriptor,
	          DC_SIZE_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR);
	mdb_set32(b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfNativeDescriptor,
	          NATIVE_DESC_SIZE);
	mdb_set32(b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfFunctionEntry,
	          FUNCTION_ENTRY_SIZE);
	mdb_set32(b, s + DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_NumberOfDescriptors, 1);
	mdb_set64(b, d + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_MinimumAddress, 0x401000);
	mdb_set64(b, d + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_MaximumAddress, 0x402000);
	mdb_set64(b, d + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_BaseAddress, 0x400000);
	mdb_set32(b, d + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_EntryCount, 2);
	for (uint32_t k = 0; k < 2; k++) {
		mdb_set32(b, e + k * FUNCTION_ENTRY_SIZE, 0x1000 + 0x100 * k);
		mdb_set32(b, e + k * FUNCTION_ENTRY_SIZE + 4, 0x1080 + 0x100 * k);
		mdb_set32(b, e + k * FUNCTION_ENTRY_SIZE + 8, 0x3000);
	}
	mdb_add_stream(b, DC_STREAM_FUNCTION_TABLE, s, size);
	return s;
}

uint32_t mds_thread_names(struct mdb *b)
{
	uint32_t names[2] = {mdb_string(b, "main"), mdb_string(b, "worker")};
	uint32_t size = 4 + 2 * DC_SIZE_MINIDUMP_THREAD_NAME;
	uint32_t s = mdb_zeros(b, size);
	mdb_set32(b, s, 2);
	for (uint32_t k = 0; k < 2; k++) {
		size_t e = s + 4 + k * DC_SIZE_MINIDUMP_THREAD_NAME;
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_NAME_ThreadId,
		          k ? BASE_THREAD_ID_1 : BASE_THREAD_ID_0);
		mdb_set64(b, e + DC_OFF_MINIDUMP_THREAD_NAME_RvaOfThreadName, names[k]);
	}
	mdb_add_stream(b, DC_STREAM_THREAD_NAMES, s, size);
	return s;
}

uint32_t mds_thread_ex(struct mdb *b)
{
	uint32_t stacks[2], ctx[2];
	for (uint32_t k = 0; k < 2; k++) {
		stacks[k] = mdb_zeros(b, 256);
		ctx[k] = mdb_zeros(b, DC_SIZE_CONTEXT_AMD64);
		mdb_set32(b, ctx[k] + 0x30, 0x0010001Fu);
	}
	uint32_t size = 4 + 2 * DC_SIZE_MINIDUMP_THREAD_EX;
	uint32_t s = mdb_zeros(b, size);
	mdb_set32(b, s, 2);
	for (uint32_t k = 0; k < 2; k++) {
		size_t e = s + 4 + k * DC_SIZE_MINIDUMP_THREAD_EX;
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_EX_ThreadId,
		          k ? BASE_THREAD_ID_1 : BASE_THREAD_ID_0);
		mdb_set64(b, e + DC_OFF_MINIDUMP_THREAD_EX_Teb,
		          0x7FF000000000ull + 0x2000ull * (k + 1));
		mdb_set64(b, e + DC_OFF_MINIDUMP_THREAD_EX_Stack, 0x50000 + 0x10000ull * k);
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_EX_Stack + 8, 256);
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_EX_Stack + 12, stacks[k]);
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_EX_ThreadContext, DC_SIZE_CONTEXT_AMD64);
		mdb_set32(b, e + DC_OFF_MINIDUMP_THREAD_EX_ThreadContext + 4, ctx[k]);
	}
	mdb_add_stream(b, DC_STREAM_THREAD_EX_LIST, s, size);
	return s;
}

uint32_t mds_memory64(struct mdb *b)
{
	static const uint64_t start[2] = {0x30000, 0x40000}, len[2] = {0x100, 0x80};
	uint32_t size = DC_SIZE_MINIDUMP_MEMORY64_LIST + 2 * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64;
	uint32_t s = mdb_zeros(b, size);
	uint32_t data = mdb_zeros(b, (size_t)(len[0] + len[1]));
	mdb_set64(b, s + DC_OFF_MINIDUMP_MEMORY64_LIST_NumberOfMemoryRanges, 2);
	mdb_set64(b, s + DC_OFF_MINIDUMP_MEMORY64_LIST_BaseRva, data);
	for (uint32_t k = 0; k < 2; k++) {
		size_t e =
		    s + DC_SIZE_MINIDUMP_MEMORY64_LIST + k * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64;
		mdb_set64(b, e + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_StartOfMemoryRange, start[k]);
		mdb_set64(b, e + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize, len[k]);
		memset(b->buf + data + (k ? len[0] : 0), 0xA0 + (int)k, (size_t)len[k]);
	}
	mdb_add_stream(b, DC_STREAM_MEMORY64_LIST, s, size);
	return s;
}

uint32_t mds_process_vm(struct mdb *b, uint16_t revision)
{
	uint32_t size = revision == 1 ? DC_SIZE_MINIDUMP_PROCESS_VM_COUNTERS_1
	                              : DC_SIZE_MINIDUMP_PROCESS_VM_COUNTERS_2;
	uint32_t s = mdb_zeros(b, size);
	mdb_set16(b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_Revision, revision);
	mdb_set32(b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_PageFaultCount, 1234);
	mdb_set64(b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_WorkingSetSize, 0x800000);
	if (revision != 1) {
		mdb_set16(b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_Flags,
		          DC_MINIDUMP_PROCESS_VM_COUNTERS |
		              DC_MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE);
		mdb_set64(b, s + DC_OFF_MINIDUMP_PROCESS_VM_COUNTERS_2_VirtualSize, 0x4000000);
	}
	mdb_add_stream(b, DC_STREAM_PROCESS_VM_COUNTERS, s, size);
	return s;
}

uint32_t mds_comment_w(struct mdb *b, const char *ascii)
{
	size_t n = strlen(ascii);
	uint32_t s = mdb_zeros(b, 2 * n);
	for (size_t i = 0; i < n; i++)
		mdb_set16(b, s + 2 * i, (uint8_t)ascii[i]);
	mdb_add_stream(b, DC_STREAM_COMMENT_STREAM_W, s, (uint32_t)(2 * n));
	return s;
}

uint32_t mds_system_memory(struct mdb *b)
{
	uint32_t s = mdb_zeros(b, DC_SIZE_MINIDUMP_SYSTEM_MEMORY_INFO_1);
	size_t basic = s + DC_OFF_MINIDUMP_SYSTEM_MEMORY_INFO_1_BasicInfo;
	mdb_set16(b, s + DC_OFF_MINIDUMP_SYSTEM_MEMORY_INFO_1_Revision, 1);
	mdb_set32(b, basic + 4, 0x1000);             /* PageSize */
	mdb_set32(b, basic + 8, 0x100000);           /* NumberOfPhysicalPages */
	mdb_set64(b, basic + 24, 0x10000);           /* MinimumUserModeAddress */
	mdb_set64(b, basic + 32, 0x7FFFFFFEFFFFull); /* MaximumUserModeAddress */
	mdb_set32(b, basic + 48, 4);                 /* NumberOfProcessors */
	mdb_add_stream(b, DC_STREAM_SYSTEM_MEMORY_INFO, s, DC_SIZE_MINIDUMP_SYSTEM_MEMORY_INFO_1);
	return s;
}
