/* Test-only minidump builder (see mdbuild.h). Aborts on allocation
 * failure: this is test code, never linked into the library. */
#include <stdlib.h>
#include <string.h>

#include "mdbuild.h"

static void reserve(struct mdb *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	b->buf = realloc(b->buf, cap);
	if (!b->buf)
		abort();
	memset(b->buf + b->cap, 0, cap - b->cap);
	b->cap = cap;
}

void mdb_init(struct mdb *b, uint32_t reserve_entries)
{
	memset(b, 0, sizeof(*b));
	b->reserved = reserve_entries;
	reserve(b, 32 + 12 * (size_t)reserve_entries);
	b->len = 32 + 12 * (size_t)reserve_entries;
}

void mdb_free(struct mdb *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static void align8(struct mdb *b)
{
	size_t pad = (8 - b->len % 8) % 8;
	reserve(b, pad);
	b->len += pad;
}

uint32_t mdb_put(struct mdb *b, const void *data, size_t len)
{
	align8(b);
	reserve(b, len);
	uint32_t rva = (uint32_t)b->len;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	return rva;
}

uint32_t mdb_zeros(struct mdb *b, size_t len)
{
	align8(b);
	reserve(b, len);
	uint32_t rva = (uint32_t)b->len;
	memset(b->buf + b->len, 0, len);
	b->len += len;
	return rva;
}

uint32_t mdb_string(struct mdb *b, const char *ascii)
{
	size_t n = strlen(ascii);
	uint32_t rva = mdb_zeros(b, 4 + 2 * n + 2);
	mdb_set32(b, rva, (uint32_t)(2 * n));
	for (size_t i = 0; i < n; i++)
		mdb_set16(b, rva + 4 + 2 * i, (uint8_t)ascii[i]);
	return rva;
}

void mdb_stream(struct mdb *b, uint32_t type, uint32_t rva, uint32_t size)
{
	if (b->nstreams >= b->reserved)
		abort();
	size_t at = 32 + 12 * (size_t)b->nstreams++;
	mdb_set32(b, at, type);
	mdb_set32(b, at + 4, size);
	mdb_set32(b, at + 8, rva);
}

void mdb_add_stream(struct mdb *b, uint32_t type, uint32_t rva, uint32_t size)
{
	mdb_stream(b, type, rva, size);
	mdb_set32(b, 8, b->nstreams);
}

void mdb_finish(struct mdb *b, uint64_t flags)
{
	mdb_set32(b, 0, DC_MINIDUMP_SIGNATURE);
	mdb_set32(b, 4, DC_MINIDUMP_VERSION);
	mdb_set32(b, 8, b->nstreams);
	mdb_set32(b, 12, 32);
	mdb_set32(b, 16, 0);
	mdb_set32(b, 20, 1700000000u);
	mdb_set64(b, 24, flags);
}

void mdb_set8(struct mdb *b, size_t off, uint8_t v)
{
	reserve(b, off + 1 > b->len ? off + 1 - b->len : 0);
	b->buf[off] = v;
}

void mdb_set16(struct mdb *b, size_t off, uint16_t v)
{
	mdb_set8(b, off, (uint8_t)v);
	mdb_set8(b, off + 1, (uint8_t)(v >> 8));
}

void mdb_set32(struct mdb *b, size_t off, uint32_t v)
{
	mdb_set16(b, off, (uint16_t)v);
	mdb_set16(b, off + 2, (uint16_t)(v >> 16));
}

void mdb_set64(struct mdb *b, size_t off, uint64_t v)
{
	mdb_set32(b, off, (uint32_t)v);
	mdb_set32(b, off + 4, (uint32_t)(v >> 32));
}

uint32_t mdb_get32(const struct mdb *b, size_t off)
{
	return (uint32_t)b->buf[off] | ((uint32_t)b->buf[off + 1] << 8) |
	       ((uint32_t)b->buf[off + 2] << 16) | ((uint32_t)b->buf[off + 3] << 24);
}

uint32_t mdb_stream_rva(const struct mdb *b, uint32_t type, uint32_t *size)
{
	for (uint32_t i = 0; i < b->nstreams; i++)
		if (mdb_get32(b, 32 + 12 * i) == type) {
			if (size)
				*size = mdb_get32(b, 32 + 12 * i + 4);
			return mdb_get32(b, 32 + 12 * i + 8);
		}
	return 0;
}

/* ---------------------------------------------------------------- baseline */

static uint32_t put_context(struct mdb *b)
{
	uint32_t rva = mdb_zeros(b, DC_SIZE_CONTEXT_AMD64);
	mdb_set32(b, rva + 0x30, 0x0010001Fu);
	return rva;
}

static void put_thread(struct mdb *b, size_t at, uint32_t id, uint64_t stack, uint32_t stack_rva)
{
	mdb_set32(b, at + DC_OFF_MINIDUMP_THREAD_ThreadId, id);
	mdb_set64(b, at + DC_OFF_MINIDUMP_THREAD_Teb, 0x7FF000000000ull + id * 0x2000ull);
	mdb_set64(b, at + DC_OFF_MINIDUMP_THREAD_Stack, stack);
	mdb_set32(b, at + DC_OFF_MINIDUMP_THREAD_Stack + 8, 256);
	mdb_set32(b, at + DC_OFF_MINIDUMP_THREAD_Stack + 12, stack_rva);
	uint32_t ctx = put_context(b);
	mdb_set32(b, at + DC_OFF_MINIDUMP_THREAD_ThreadContext, DC_SIZE_CONTEXT_AMD64);
	mdb_set32(b, at + DC_OFF_MINIDUMP_THREAD_ThreadContext + 4, ctx);
}

static void put_threads_and_memory(struct mdb *b)
{
	uint32_t stacks[2] = { mdb_zeros(b, 256), mdb_zeros(b, 256) };
	uint32_t tl = mdb_zeros(b, 4 + 2 * DC_SIZE_MINIDUMP_THREAD);
	mdb_set32(b, tl, 2);
	put_thread(b, tl + 4, BASE_THREAD_ID_0, 0x10000, stacks[0]);
	put_thread(b, tl + 4 + DC_SIZE_MINIDUMP_THREAD, BASE_THREAD_ID_1, 0x20000, stacks[1]);
	mdb_stream(b, DC_STREAM_THREAD_LIST, tl, 4 + 2 * DC_SIZE_MINIDUMP_THREAD);
	uint32_t ml = mdb_zeros(b, 4 + 2 * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR);
	mdb_set32(b, ml, 2);
	for (uint32_t i = 0; i < 2; i++) {
		size_t at = ml + 4 + i * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
		mdb_set64(b, at, 0x10000u * (i + 1));
		mdb_set32(b, at + 8, 256);
		mdb_set32(b, at + 12, stacks[i]);
	}
	mdb_stream(b, DC_STREAM_MEMORY_LIST, ml, 4 + 2 * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR);
}

static uint32_t put_cv(struct mdb *b, uint32_t *size)
{
	static const char pdb[] = "app.pdb";
	*size = DC_SIZE_CV_INFO_PDB70 + sizeof(pdb);
	uint32_t rva = mdb_zeros(b, *size);
	mdb_set32(b, rva, 0x53445352u);
	mdb_set32(b, rva + 20, 1);
	memcpy(b->buf + rva + DC_SIZE_CV_INFO_PDB70, pdb, sizeof(pdb));
	return rva;
}

static void put_module(struct mdb *b, size_t at, uint64_t base, const char *name)
{
	uint32_t cv_size, cv = put_cv(b, &cv_size);
	uint32_t misc = mdb_zeros(b, DC_SIZE_IMAGE_DEBUG_MISC);
	mdb_set32(b, misc + DC_OFF_IMAGE_DEBUG_MISC_DataType, 1);
	mdb_set32(b, misc + DC_OFF_IMAGE_DEBUG_MISC_Length, DC_SIZE_IMAGE_DEBUG_MISC);
	uint32_t name_rva = mdb_string(b, name);
	mdb_set64(b, at + DC_OFF_MINIDUMP_MODULE_BaseOfImage, base);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_SizeOfImage, 0x10000);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_TimeDateStamp, 1600000000u);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_ModuleNameRva, name_rva);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_VersionInfo, 0xFEEF04BDu);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_VersionInfo + 4, 0x00010000u);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_CvRecord, cv_size);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_CvRecord + 4, cv);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_MiscRecord, DC_SIZE_IMAGE_DEBUG_MISC);
	mdb_set32(b, at + DC_OFF_MINIDUMP_MODULE_MiscRecord + 4, misc);
}

static void put_modules(struct mdb *b)
{
	uint32_t list = mdb_zeros(b, 4 + 2 * DC_SIZE_MINIDUMP_MODULE);
	mdb_set32(b, list, 2);
	put_module(b, list + 4, 0x400000, "C:\\app\\app.exe");
	put_module(b, list + 4 + DC_SIZE_MINIDUMP_MODULE, 0x7FF800000000ull, "C:\\Windows\\ntdll.dll");
	mdb_stream(b, DC_STREAM_MODULE_LIST, list, 4 + 2 * DC_SIZE_MINIDUMP_MODULE);
}

static void put_system_info(struct mdb *b)
{
	uint32_t csd = mdb_string(b, "Service Pack 1");
	uint32_t si = mdb_zeros(b, DC_SIZE_MINIDUMP_SYSTEM_INFO);
	mdb_set16(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture,
		  DC_PROCESSOR_ARCHITECTURE_AMD64);
	mdb_set8(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_NumberOfProcessors, 4);
	mdb_set8(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_ProductType, 1);
	mdb_set32(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_MajorVersion, 10);
	mdb_set32(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_BuildNumber, 19045);
	mdb_set32(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId, 2);
	mdb_set32(b, si + DC_OFF_MINIDUMP_SYSTEM_INFO_CSDVersionRva, csd);
	mdb_stream(b, DC_STREAM_SYSTEM_INFO, si, DC_SIZE_MINIDUMP_SYSTEM_INFO);
}

static void put_exception(struct mdb *b)
{
	uint32_t ctx = put_context(b);
	uint32_t ex = mdb_zeros(b, DC_SIZE_MINIDUMP_EXCEPTION_STREAM);
	size_t rec = ex + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord;
	mdb_set32(b, ex + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadId, BASE_THREAD_ID_1);
	mdb_set32(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionCode, 0xC0000005u);
	mdb_set64(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionAddress, 0x401000);
	mdb_set32(b, rec + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters, 2);
	mdb_set64(b, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionInformation + 8, 0xDEAD);
	mdb_set32(b, ex + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadContext, DC_SIZE_CONTEXT_AMD64);
	mdb_set32(b, ex + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadContext + 4, ctx);
	mdb_stream(b, DC_STREAM_EXCEPTION, ex, DC_SIZE_MINIDUMP_EXCEPTION_STREAM);
}

static void put_misc_info(struct mdb *b)
{
	uint32_t mi = mdb_zeros(b, 44);
	mdb_set32(b, mi + DC_OFF_MINIDUMP_MISC_INFO_N_SizeOfInfo, 44);
	mdb_set32(b, mi + DC_OFF_MINIDUMP_MISC_INFO_N_Flags1,
		  DC_MINIDUMP_MISC1_PROCESS_ID | DC_MINIDUMP_MISC1_PROCESSOR_POWER_INFO);
	mdb_set32(b, mi + DC_OFF_MINIDUMP_MISC_INFO_N_ProcessId, 4242);
	mdb_stream(b, DC_STREAM_MISC_INFO, mi, 44);
}

void mdb_baseline(struct mdb *b)
{
	mdb_init(b, 16);
	put_system_info(b);
	put_threads_and_memory(b);
	put_modules(b);
	put_exception(b);
	put_misc_info(b);
	mdb_finish(b, 0);
}

void mdb_validate(const struct mdb *b, struct dc_diags *d)
{
	struct dc_validate_opts opts;
	dc_validate_opts_default(&opts);
	memset(d, 0, sizeof(*d));
	if (dc_minidump_validate(b->buf, b->len, &opts, NULL, d) != DC_OK)
		abort();
}

uint32_t mdb_count(const struct mdb *b, enum dc_rule rule)
{
	struct dc_diags d;
	mdb_validate(b, &d);
	uint32_t n = d.per_rule[rule];
	dc_diags_free(&d);
	return n;
}
