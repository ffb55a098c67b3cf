/* Semantic rules over decoded structures, lists and the whole dump. */
#include <stdlib.h>
#include <string.h>

#include "md.h"

#define EXCEPTION_MAXIMUM_PARAMETERS 15u
#define THREAD_INFO_KNOWN_FLAGS 0x3Fu
#define FEEF04BD 0xFEEF04BDu

static bool at32(const struct dci_cur *c, uint64_t off, uint32_t *v)
{
	*v = 0;
	return dci_at_u32(c, off, v);
}

/* ---------------------------------------------------------------- facts */

static bool find_stream(const struct dci_md *m, uint32_t want, struct dci_cur *out)
{
	for (uint32_t i = 0; i < m->nstreams; i++) {
		uint32_t type, size, rva;
		if (dci_dir_entry(m, i, &type, &size, &rva) && type == want)
			return dci_cur_sub(&m->file, rva, size, out);
	}
	return false;
}

static bool has_stream(const struct dci_md *m, uint32_t want)
{
	for (uint32_t i = 0; i < m->nstreams; i++) {
		uint32_t type, size, rva;
		if (dci_dir_entry(m, i, &type, &size, &rva) && type == want)
			return true;
	}
	return false;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void gather_thread_ids(struct dci_md *m, const struct dci_cur *tl)
{
	uint32_t count;
	if (!dci_at_u32(tl, 0, &count))
		return;
	uint64_t first = tl->len == 8 + (uint64_t)count * DC_SIZE_MINIDUMP_THREAD ? 8 : 4;
	uint64_t fit = tl->len >= first ? (tl->len - first) / DC_SIZE_MINIDUMP_THREAD : 0;
	uint64_t n = count < fit ? count : fit;
	if (n > m->opts->limits.max_entries)
		return; /* walk_entries reports limit.entries; ids unknown, no judging */
	m->has_thread_list = true;
	if (!n || !dci_step(m, n))
		return;
	m->thread_ids = dci_alloc(m, n * sizeof(uint32_t));
	if (!m->thread_ids) {
		m->has_thread_list = false; /* unknown ids: exception.thread_known cannot judge */
		return;
	}
	for (uint64_t k = 0; k < n; k++)
		dci_at_u32(tl, first + k * DC_SIZE_MINIDUMP_THREAD + DC_OFF_MINIDUMP_THREAD_ThreadId,
			   &m->thread_ids[k]);
	m->nthread_ids = (size_t)n;
	qsort(m->thread_ids, m->nthread_ids, sizeof(uint32_t), u32_cmp);
}

void dci_gather_facts(struct dci_md *m)
{
	struct dci_cur c;
	uint16_t arch;
	uint32_t platform;
	m->windows_platform = true; /* without SystemInfo, judge as Windows */
	if (find_stream(m, DC_STREAM_SYSTEM_INFO, &c) &&
	    dci_at_u16(&c, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture, &arch)) {
		m->has_arch = true;
		m->context = dc_context_lookup(arch);
	}
	if (find_stream(m, DC_STREAM_SYSTEM_INFO, &c) &&
	    dci_at_u32(&c, DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId, &platform))
		m->windows_platform = platform <= DC_VER_PLATFORM_WIN32_CE;
	if (find_stream(m, DC_STREAM_THREAD_LIST, &c))
		gather_thread_ids(m, &c);
}

/* ---------------------------------------------------------------- contexts */

/* Breakpad writes its own ARM layouts, flagged by bits Windows never sets. */
static bool breakpad_layout(const struct dc_context_desc *cd, uint32_t flags)
{
	return (cd->arch == DC_PROCESSOR_ARCHITECTURE_ARM &&
		((flags & DC_MD_CONTEXT_ARM) ||
		 ((flags & DC_MD_CONTEXT_CPU_MASK) == 0 && (flags & DC_MD_CONTEXT_ARM_OLD)))) ||
	       (cd->arch == DC_PROCESSOR_ARCHITECTURE_ARM64 && (flags & DC_MD_CONTEXT_ARM64_OLD));
}

void dci_check_context(struct dci_md *m, const struct dci_cur *ctx)
{
	const struct dc_context_desc *cd = m->context;
	uint32_t flags;
	if (!cd)
		return;
	bool have_flags = dci_at_u32(ctx, cd->flags_off, &flags);
	if (have_flags && breakpad_layout(cd, flags))
		return;
	if (have_flags && !(flags & cd->arch_flag))
		dci_diag(m, DC_RULE_CONTEXT_FLAGS_ARCH, ctx->base + cd->flags_off,
			 "ContextFlags 0x%08X lack the %s bit 0x%X", flags, cd->name, cd->arch_flag);
	if (ctx->len < cd->size)
		dci_diag(m, DC_RULE_CONTEXT_SIZE, ctx->base, "context of %llu bytes, %s is %u",
			 (unsigned long long)ctx->len, cd->name, cd->size);
}

/* ---------------------------------------------------------------- overlaps */

enum { RANGE_NONE, RANGE_OK, RANGE_WRAPS };

/* [start, end) of a module image or memory descriptor entry. */
static int entry_range(uint16_t sid, const struct dci_cur *c, uint64_t *start, uint64_t *end)
{
	uint64_t size = 0;
	uint32_t size32 = 0;
	bool ok;
	switch (sid) {
	case DC_S_MINIDUMP_MODULE:
		ok = dci_at_u64(c, DC_OFF_MINIDUMP_MODULE_BaseOfImage, start) &&
		     dci_at_u32(c, DC_OFF_MINIDUMP_MODULE_SizeOfImage, &size32);
		size = size32;
		break;
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR:
		ok = dci_at_u64(c, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_StartOfMemoryRange, start) &&
		     dci_at_u32(c, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory +
					   DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize, &size32);
		size = size32;
		break;
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR64:
		ok = dci_at_u64(c, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_StartOfMemoryRange, start) &&
		     dci_at_u64(c, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize, &size);
		break;
	default: return RANGE_NONE;
	}
	if (!ok)
		return RANGE_NONE;
	if (size == 0) {
		if (sid != DC_S_MINIDUMP_MODULE)
			return RANGE_NONE;
		size = 1; /* an empty image still claims its BaseOfImage */
	}
	if (dci_add(*start, size, end))
		return RANGE_OK;
	/* [start, 2^64) ends exactly at the top: allowed, kept as ..., 2^64 - 1 */
	if (*start + size == 0) {
		*end = UINT64_MAX;
		return RANGE_OK;
	}
	return RANGE_WRAPS;
}

/* The overlap rule of a list's entry struct, 0 when its entries are not checked. */
static unsigned overlap_rule(uint16_t sid)
{
	switch (sid) {
	case DC_S_MINIDUMP_MODULE: return DC_RULE_MODULELIST_OVERLAP;
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR:
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR64: return DC_RULE_MEMORY_OVERLAP;
	default: return 0;
	}
}

/* First pass, as entries arrive: no memory, only "sorted?" and "overlap?". */
static void overlap_see(struct dci_md *m, const struct dci_cur *c)
{
	struct dci_overlap *o = &m->overlap;
	uint64_t start, end;
	if (entry_range(o->sid, c, &start, &end) != RANGE_OK)
		return;
	if (o->seen && start < o->prev_start)
		o->unsorted = true;
	if (o->seen && start < o->max_end)
		o->overlaps = true;
	o->prev_start = start;
	if (end > o->max_end)
		o->max_end = end;
	o->seen++;
}

/* The range of entry `k` of the list; false when it has none. */
static bool range_of(const struct dci_overlap *o, uint64_t k, struct dci_range *r)
{
	struct dci_cur c;
	if (!dci_cur_sub(&o->list, o->first + k * o->stride, o->stride, &c) ||
	    entry_range(o->sid, &c, &r->start, &r->end) != RANGE_OK)
		return false;
	r->at = c.base;
	return true;
}

/* An entry of the list by its range's start: sorting these compares two
 * integers, where sorting indices decoded both entries per comparison. */
struct start_key {
	uint64_t start;
	uint64_t index;
};

static int by_start(const void *a, const void *b)
{
	const struct start_key *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Second pass, only when the first found an overlap: the entries' keys
 * (16 bytes each, no more than any entry of the lists checked: memory
 * descriptors are 16 bytes, modules 108) sorted by start when the list
 * was not. */
static void report_overlaps(struct dci_md *m)
{
	const struct dci_overlap *o = &m->overlap;
	uint64_t bytes = o->seen * sizeof(struct start_key);
	struct start_key *keys = dci_alloc(m, bytes);
	size_t n = 0;
	if (!keys)
		return;
	for (uint64_t k = 0; k < o->n && n < o->seen && dci_step(m, 1); k++) {
		struct dci_range r;
		if (range_of(o, k, &r))
			keys[n++] = (struct start_key){ r.start, k };
	}
	if (o->unsorted && dci_step(m, n * (uint64_t)(64 - __builtin_clzll(n | 1))))
		qsort(keys, n, sizeof(*keys), by_start);
	struct dci_range widest = { 0, 0, 0 }, cur;
	for (size_t i = 0; i < n && !m->stop; i++) {
		range_of(o, keys[i].index, &cur);
		if (i && cur.start < widest.end)
			dci_diag(m, overlap_rule(o->sid), cur.at,
				 "[0x%llX, 0x%llX) overlaps [0x%llX, 0x%llX) declared at 0x%llX",
				 (unsigned long long)cur.start, (unsigned long long)cur.end,
				 (unsigned long long)widest.start, (unsigned long long)widest.end,
				 (unsigned long long)widest.at);
		if (!i || cur.end > widest.end)
			widest = cur;
	}
	dci_free(m, keys, bytes);
}

/* ---------------------------------------------------------------- structs */

static void check_module(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t sig, any = 0;
	uint64_t vi = DC_OFF_MINIDUMP_MODULE_VersionInfo;
	for (uint64_t off = 0; off < DC_SIZE_VS_FIXEDFILEINFO; off += 4) {
		uint32_t w;
		if (at32(c, vi + off, &w))
			any |= w;
	}
	if (at32(c, vi + DC_OFF_VS_FIXEDFILEINFO_dwSignature, &sig) && any && sig != FEEF04BD)
		dci_diag(m, DC_RULE_MODULE_VERSION_SIGNATURE, c->base + vi,
			 "VersionInfo signature 0x%08X", sig);
}

static void check_memory_range(struct dci_md *m, const struct dci_cur *c, uint16_t sid)
{
	uint64_t start, end;
	if (entry_range(sid, c, &start, &end) == RANGE_WRAPS)
		dci_diag(m, DC_RULE_MEMORY_RANGE_WRAP, c->base, "range at 0x%llX wraps past 2^64",
			 (unsigned long long)start);
}

static bool thread_known(const struct dci_md *m, uint32_t id)
{
	return m->nthread_ids &&
	       bsearch(&id, m->thread_ids, m->nthread_ids, sizeof(uint32_t), u32_cmp) != NULL;
}

static void check_exception(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t tid, flags, nparams;
	uint64_t rec = DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord;
	if (at32(c, rec + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters, &nparams) &&
	    nparams > EXCEPTION_MAXIMUM_PARAMETERS)
		dci_diag(m, DC_RULE_EXCEPTION_PARAMETERS, c->base + rec +
			 DC_OFF_MINIDUMP_EXCEPTION_NumberParameters, "NumberParameters %u", nparams);
	/* Breakpad and Crashpad keep si_code or the Mach code here off Windows */
	if (m->windows_platform && at32(c, rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionFlags, &flags) &&
	    (flags & ~(uint32_t)(DC_EXCEPTION_NONCONTINUABLE | DC_EXCEPTION_SOFTWARE_ORIGINATE)))
		dci_diag(m, DC_RULE_EXCEPTION_FLAGS, c->base + rec + DC_OFF_MINIDUMP_EXCEPTION_ExceptionFlags,
			 "ExceptionFlags 0x%08X", flags);
	if (at32(c, DC_OFF_MINIDUMP_EXCEPTION_STREAM_ThreadId, &tid) && m->has_thread_list &&
	    !thread_known(m, tid))
		dci_diag(m, DC_RULE_EXCEPTION_THREAD_KNOWN, c->base, "thread %u is not in ThreadList", tid);
}

static void check_system_info(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t platform;
	uint16_t arch;
	/* CSDVersionRva: its ref_rule in spec/ reports it while the walk follows it */
	if (at32(c, DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId, &platform) &&
	    !dc_enum_name(DC_E_PLATFORM_ID, platform))
		dci_diag(m, DC_RULE_SYSTEMINFO_PLATFORM_KNOWN, c->base + DC_OFF_MINIDUMP_SYSTEM_INFO_PlatformId,
			 "PlatformId 0x%X", platform);
	if (dci_at_u16(c, DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture, &arch) &&
	    !dc_enum_name(DC_E_PROCESSOR_ARCHITECTURE, arch))
		dci_diag(m, DC_RULE_SYSTEMINFO_ARCH_KNOWN,
			 c->base + DC_OFF_MINIDUMP_SYSTEM_INFO_ProcessorArchitecture,
			 "ProcessorArchitecture 0x%X", arch);
}

static uint32_t known_flags(uint16_t enum_id)
{
	uint32_t all = 0;
	const struct dc_enum_desc *e = &dc_enum_descs[enum_id];
	for (unsigned i = 0; i < e->nvalues; i++)
		all |= (uint32_t)e->values[i].value;
	return all;
}

static void check_misc_info(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t flags, size;
	if (!at32(c, DC_OFF_MINIDUMP_MISC_INFO_N_Flags1, &flags) ||
	    !at32(c, DC_OFF_MINIDUMP_MISC_INFO_N_SizeOfInfo, &size))
		return;
	/* judged against SizeOfInfo: a stream shorter than that is miscinfo.size's */
	const struct dc_struct_desc *s = &dc_struct_descs[DC_S_MINIDUMP_MISC_INFO_N];
	for (uint16_t i = 0; i < s->nfields; i++) {
		const struct dc_field_desc *f = &s->fields[i];
		if ((flags & f->flag) && f->off + dc_field_width(f) > size) {
			dci_diag(m, DC_RULE_MISCINFO_FLAG_BEYOND_SIZE, c->base + DC_OFF_MINIDUMP_MISC_INFO_N_Flags1,
				 "Flags1 bit 0x%X set, %s lies beyond SizeOfInfo %u", f->flag, f->name, size);
			break;
		}
	}
	uint32_t unknown = flags & ~known_flags(DC_E_MISC_INFO_FLAGS);
	if (unknown)
		dci_diag(m, DC_RULE_MISCINFO_UNKNOWN_FLAGS, c->base + DC_OFF_MINIDUMP_MISC_INFO_N_Flags1,
			 "unknown Flags1 bits 0x%X", unknown);
}

static void check_thread_info(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t flags;
	if (!at32(c, DC_OFF_MINIDUMP_THREAD_INFO_DumpFlags, &flags))
		return;
	if (flags & ~THREAD_INFO_KNOWN_FLAGS)
		dci_diag(m, DC_RULE_THREADINFO_DUMP_FLAGS, c->base + DC_OFF_MINIDUMP_THREAD_INFO_DumpFlags,
			 "DumpFlags 0x%X", flags);
	if (flags & DC_MINIDUMP_THREAD_INFO_WRITING_THREAD)
		m->writing_threads++;
}

static void check_memory_info(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t state, type;
	if (!at32(c, DC_OFF_MINIDUMP_MEMORY_INFO_State, &state) ||
	    !at32(c, DC_OFF_MINIDUMP_MEMORY_INFO_Type, &type))
		return;
	if (!dc_enum_name(DC_E_MEMORY_STATE, state) ||
	    (type && !dc_enum_name(DC_E_MEMORY_TYPE, type)))
		dci_diag(m, DC_RULE_MEMORYINFO_VALUES, c->base, "State 0x%X, Type 0x%X", state, type);
}

static void check_handle_header(struct dci_md *m, const struct dci_cur *c)
{
	uint32_t reserved;
	if (at32(c, DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_Reserved, &reserved) && reserved)
		dci_diag(m, DC_RULE_HANDLEDATA_RESERVED, c->base + DC_OFF_MINIDUMP_HANDLE_DATA_STREAM_Reserved,
			 "Reserved is 0x%X", reserved);
}

void dci_check_struct(struct dci_md *m, const struct dc_stream_desc *sd, uint16_t sid,
		      const struct dci_cur *c)
{
	(void)sd;
	switch (sid) {
	case DC_S_MINIDUMP_MODULE: check_module(m, c); break;
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR:
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR64: check_memory_range(m, c, sid); break;
	case DC_S_MINIDUMP_EXCEPTION_STREAM: check_exception(m, c); break;
	case DC_S_MINIDUMP_SYSTEM_INFO: check_system_info(m, c); break;
	case DC_S_MINIDUMP_MISC_INFO_N: check_misc_info(m, c); break;
	case DC_S_MINIDUMP_THREAD_INFO: check_thread_info(m, c); break;
	case DC_S_MINIDUMP_MEMORY_INFO: check_memory_info(m, c); break;
	case DC_S_MINIDUMP_HANDLE_DATA_STREAM: check_handle_header(m, c); break;
	default: break;
	}
	if (m->overlap.sid == sid)
		overlap_see(m, c);
}

/* ---------------------------------------------------------------- lists */

void dci_check_list_begin(struct dci_md *m, const struct dc_stream_desc *sd, uint16_t sid,
			  const struct dci_cur *list, uint64_t first, uint64_t stride, uint64_t n)
{
	(void)sd;
	struct dci_overlap *o = &m->overlap;
	memset(o, 0, sizeof(*o));
	o->sid = overlap_rule(sid) ? sid : DC_S_NONE;
	o->list = *list;
	o->first = first;
	o->stride = stride;
	o->n = n;
	m->writing_threads = 0;
}

void dci_check_list_end(struct dci_md *m, const struct dc_stream_desc *sd)
{
	switch (sd->entry) {
	case DC_S_MINIDUMP_MODULE:
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR:
	case DC_S_MINIDUMP_MEMORY_DESCRIPTOR64:
		if (m->overlap.overlaps)
			report_overlaps(m);
		break;
	case DC_S_MINIDUMP_THREAD_INFO:
		if (m->writing_threads > 1)
			dci_diag(m, DC_RULE_THREADINFO_WRITING_THREAD, 0,
				 "%u threads are marked as writing the dump", m->writing_threads);
		break;
	default: break;
	}
}

/* ---------------------------------------------------------------- dump */

static const struct {
	uint32_t flag;
	uint32_t stream;
} flag_streams[] = {
	{ DC_MiniDumpWithThreadInfo, DC_STREAM_THREAD_INFO_LIST },
	{ DC_MiniDumpWithTokenInformation, DC_STREAM_TOKEN },
	{ DC_MiniDumpWithFullMemoryInfo, DC_STREAM_MEMORY_INFO_LIST },
	{ DC_MiniDumpWithHandleData, DC_STREAM_HANDLE_DATA },
};

void dci_check_dump_end(struct dci_md *m)
{
	if (m->flags & DC_MiniDumpWithFullMemory) {
		if (!has_stream(m, DC_STREAM_MEMORY64_LIST))
			dci_diag(m, DC_RULE_FLAGS_FULL_MEMORY_LIST, DC_OFF_MINIDUMP_HEADER_Flags,
				 "WithFullMemory without a Memory64ListStream");
		if (has_stream(m, DC_STREAM_MEMORY_LIST))
			dci_diag(m, DC_RULE_FLAGS_FULL_MEMORY_LIST, DC_OFF_MINIDUMP_HEADER_Flags,
				 "WithFullMemory with a MemoryListStream");
	}
	for (size_t i = 0; i < sizeof(flag_streams) / sizeof(flag_streams[0]); i++)
		if ((m->flags & flag_streams[i].flag) && !has_stream(m, flag_streams[i].stream))
			dci_diag(m, DC_RULE_FLAGS_REQUESTED_STREAMS, DC_OFF_MINIDUMP_HEADER_Flags,
				 "Flags bit 0x%X without stream %s", flag_streams[i].flag,
				 dc_stream_lookup(flag_streams[i].stream)->name);
}
