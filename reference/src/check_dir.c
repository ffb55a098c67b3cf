/* Header and stream-directory rules. */
#include <stdlib.h>
#include <string.h>

#include "md.h"

#define DIR_ENTRY_SIZE DC_SIZE_MINIDUMP_DIRECTORY
#define FIRST_STANDARD_STREAM DC_STREAM_THREAD_LIST
#define LAST_STANDARD_STREAM DC_STREAM_COMPRESSED_MEMORY

static bool check_signature(struct dci_md *m)
{
	uint32_t sig;
	if (!dci_at_u32(&m->file, DC_OFF_MINIDUMP_HEADER_Signature, &sig)) {
		dci_diag(m, DC_RULE_HEADER_TRUNCATED, 0, "file is %llu bytes, the header needs %u",
			 (unsigned long long)m->file.len, DC_SIZE_MINIDUMP_HEADER);
		return false;
	}
	if (sig == DC_MINIDUMP_SIGNATURE_SWAPPED) {
		dci_diag(m, DC_RULE_HEADER_BYTE_ORDER, 0, "signature 'PMDM': big-endian dump, not decoded");
		return false;
	}
	if (sig != DC_MINIDUMP_SIGNATURE) {
		dci_diag(m, DC_RULE_HEADER_SIGNATURE, 0, "signature is 0x%08X, not 0x%08X", sig,
			 DC_MINIDUMP_SIGNATURE);
		return false;
	}
	if (m->file.len < DC_SIZE_MINIDUMP_HEADER) {
		dci_diag(m, DC_RULE_HEADER_TRUNCATED, 0, "file is %llu bytes, the header needs %u",
			 (unsigned long long)m->file.len, DC_SIZE_MINIDUMP_HEADER);
		return false;
	}
	return true;
}

static void check_version(struct dci_md *m, uint32_t version)
{
	if ((version & 0xFFFFu) != DC_MINIDUMP_VERSION)
		dci_diag(m, DC_RULE_HEADER_VERSION, DC_OFF_MINIDUMP_HEADER_Version,
			 "version low word is 0x%04X, not 0x%04X", version & 0xFFFFu,
			 DC_MINIDUMP_VERSION);
	if (version >> 16)
		dci_diag(m, DC_RULE_HEADER_VERSION_HIGH, DC_OFF_MINIDUMP_HEADER_Version,
			 "version high word is 0x%04X", version >> 16);
}

/* Clamp the directory to what the file and the budget hold. */
static void check_directory_extent(struct dci_md *m, uint32_t count)
{
	uint64_t end = (uint64_t)m->dir_rva + (uint64_t)count * DIR_ENTRY_SIZE;
	uint64_t fit = 0;
	if (m->dir_rva <= m->file.len)
		fit = (m->file.len - m->dir_rva) / DIR_ENTRY_SIZE;
	if (end > m->file.len)
		dci_diag(m, DC_RULE_HEADER_DIRECTORY_IN_FILE, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva,
			 "directory of %u entries at 0x%X ends at 0x%llX, past the file end 0x%llX",
			 count, m->dir_rva, (unsigned long long)end, (unsigned long long)m->file.len);
	m->nstreams = (uint32_t)(count < fit ? count : fit);
	if (m->nstreams > m->opts->limits.max_streams) {
		dci_diag(m, DC_RULE_LIMIT_STREAMS, DC_OFF_MINIDUMP_HEADER_NumberOfStreams,
			 "%u directory entries, budget %u", m->nstreams, m->opts->limits.max_streams);
		m->nstreams = m->opts->limits.max_streams;
	}
}

bool dci_check_header(struct dci_md *m)
{
	if (!check_signature(m))
		return false;
	uint32_t version = 0, count = 0, checksum = 0, stamp = 0;
	dci_at_u32(&m->file, DC_OFF_MINIDUMP_HEADER_Version, &version);
	dci_at_u32(&m->file, DC_OFF_MINIDUMP_HEADER_NumberOfStreams, &count);
	dci_at_u32(&m->file, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva, &m->dir_rva);
	dci_at_u32(&m->file, DC_OFF_MINIDUMP_HEADER_CheckSum, &checksum);
	dci_at_u32(&m->file, DC_OFF_MINIDUMP_HEADER_TimeDateStamp, &stamp);
	dci_at_u64(&m->file, DC_OFF_MINIDUMP_HEADER_Flags, &m->flags);
	check_version(m, version);
	if (checksum)
		dci_diag(m, DC_RULE_HEADER_CHECKSUM, DC_OFF_MINIDUMP_HEADER_CheckSum,
			 "checksum is 0x%08X", checksum);
	if (!stamp)
		dci_diag(m, DC_RULE_HEADER_TIMESTAMP, DC_OFF_MINIDUMP_HEADER_TimeDateStamp,
			 "time stamp is 0");
	if (m->flags & ~(uint64_t)DC_MINIDUMP_VALID_TYPE_FLAGS_EX)
		dci_diag(m, DC_RULE_HEADER_FLAGS_KNOWN, DC_OFF_MINIDUMP_HEADER_Flags,
			 "unknown MINIDUMP_TYPE bits 0x%llX",
			 (unsigned long long)(m->flags & ~(uint64_t)DC_MINIDUMP_VALID_TYPE_FLAGS_EX));
	if (m->dir_rva != DC_SIZE_MINIDUMP_HEADER)
		dci_diag(m, DC_RULE_HEADER_DIRECTORY_RVA, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva,
			 "directory at 0x%X", m->dir_rva);
	check_directory_extent(m, count);
	return !m->stop;
}

static bool decode_entry(const struct dci_md *m, uint32_t index, struct dci_dir_ent *e)
{
	uint64_t at = (uint64_t)m->dir_rva + (uint64_t)index * DIR_ENTRY_SIZE;
	return dci_at_u32(&m->file, at + DC_OFF_MINIDUMP_DIRECTORY_StreamType, &e->type) &&
	       dci_at_u32(&m->file, at + DC_OFF_MINIDUMP_DIRECTORY_Location +
					    DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize, &e->size) &&
	       dci_at_u32(&m->file, at + DC_OFF_MINIDUMP_DIRECTORY_Location +
					    DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, &e->rva);
}

bool dci_dir_entry(const struct dci_md *m, uint32_t index, uint32_t *type, uint32_t *size,
		   uint32_t *rva)
{
	struct dci_dir_ent e;
	if (index >= m->nstreams)
		return false;
	if (m->dir)
		e = m->dir[index];
	else if (!decode_entry(m, index, &e))
		return false;
	*type = e.type;
	*size = e.size;
	*rva = e.rva;
	return true;
}

/* Every pass reads the directory (checks, fact gathering, the walk, the
 * stream lookups): decode it once. The copy is no larger than the entries
 * it holds (12 bytes each), and when the budget has no room for it the
 * passes decode from the file instead, so it never adds a finding. */
static void decode_directory(struct dci_md *m)
{
	uint64_t bytes = (uint64_t)m->nstreams * sizeof(struct dci_dir_ent), total;
	if (!m->nstreams || !dci_add(m->alloc, bytes, &total) || total > m->opts->limits.max_alloc)
		return;
	struct dci_dir_ent *dir = malloc((size_t)bytes);
	if (!dir)
		return;
	for (uint32_t i = 0; i < m->nstreams; i++)
		if (!decode_entry(m, i, &dir[i])) {
			free(dir);
			return;
		}
	m->dir = dir;
	m->alloc = total;
}

void dci_release_directory(struct dci_md *m)
{
	dci_free(m, m->dir, (uint64_t)m->nstreams * sizeof(struct dci_dir_ent));
	m->dir = NULL;
}

static uint64_t entry_offset(const struct dci_md *m, uint32_t index)
{
	return (uint64_t)m->dir_rva + (uint64_t)index * DIR_ENTRY_SIZE;
}

/* A used directory entry, read back from the file by index. */
struct dir_item {
	uint32_t type;
	uint32_t size;
	uint32_t rva;
};

static struct dir_item item_at(const struct dci_md *m, uint32_t index)
{
	struct dir_item it = { 0, 0, 0 };
	dci_dir_entry(m, index, &it.type, &it.size, &it.rva);
	return it;
}

/* Alignment a stream's structures call for: 1 for text and bytes. */
static unsigned stream_align(const struct dc_stream_desc *sd)
{
	unsigned align = 1;
	if (!sd)
		return 1;
	if (sd->header != DC_S_NONE && dc_struct_descs[sd->header].align > align)
		align = dc_struct_descs[sd->header].align;
	if (sd->entry != DC_S_NONE && dc_struct_descs[sd->entry].align > align)
		align = dc_struct_descs[sd->entry].align;
	if (sd->shape == DC_SHAPE_LIST32)
		return 4; /* the u32 count; entries then sit at +4, wherever that lands */
	return align;
}

static void check_type(struct dci_md *m, uint32_t i, uint32_t type, uint32_t size, uint32_t rva)
{
	uint64_t at = entry_offset(m, i);
	if (type == DC_STREAM_UNUSED) {
		if (size || rva)
			dci_diag(m, DC_RULE_DIRECTORY_UNUSED_LOCATION_ZERO, at,
				 "entry %u: UnusedStream with location {%u, 0x%X}", i, size, rva);
		return;
	}
	const struct dc_stream_desc *sd = dc_stream_lookup(type);
	if (!sd) {
		if (type <= DC_LAST_RESERVED_STREAM)
			dci_diag(m, DC_RULE_DIRECTORY_RESERVED_TYPE, at,
				 "entry %u: type 0x%X is in the reserved range", i, type);
		else
			dci_diag(m, DC_RULE_DIRECTORY_UNKNOWN_STREAM, at,
				 "entry %u: unknown type 0x%X (%u bytes) kept", i, type, size);
	}
	if ((uint64_t)rva + size > m->file.len)
		dci_diag(m, DC_RULE_DIRECTORY_LOCATION_IN_FILE, at,
			 "entry %u: stream 0x%X at 0x%X + %u ends past the file end 0x%llX", i,
			 type, rva, size, (unsigned long long)m->file.len);
	else if (rva % stream_align(sd))
		dci_diag(m, DC_RULE_LAYOUT_RVA_ALIGNMENT, at, "entry %u: stream RVA 0x%X, %u-byte structures",
			 i, rva, stream_align(sd));
}

/* Sort keys: a 32-bit field of an entry in the high half, the entry's index
 * in the low half, so equal fields keep directory order. 8 bytes per used
 * entry: the copy never outgrows the 12-byte entries it comes from, and the
 * sort compares integers instead of decoding entries per comparison. */
static int u64_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint32_t key_index(uint64_t key)
{
	return (uint32_t)key;
}

static void sort_by(const struct dci_md *m, uint64_t *keys, size_t n, bool by_rva)
{
	for (size_t i = 0; i < n; i++) {
		struct dir_item it = item_at(m, key_index(keys[i]));
		keys[i] = (uint64_t)(by_rva ? it.rva : it.type) << 32 | key_index(keys[i]);
	}
	qsort(keys, n, sizeof(*keys), u64_order);
}

static void check_duplicates(struct dci_md *m, uint64_t *keys, size_t n)
{
	sort_by(m, keys, n, false);
	for (size_t i = 1; i < n; i++) {
		uint32_t prev = key_index(keys[i - 1]), cur = key_index(keys[i]);
		uint32_t type = (uint32_t)(keys[i] >> 32);
		if (type != (uint32_t)(keys[i - 1] >> 32))
			continue;
		bool standard = type >= FIRST_STANDARD_STREAM && type <= LAST_STANDARD_STREAM;
		dci_diag(m, standard ? DC_RULE_DIRECTORY_DUPLICATE_STANDARD
				     : DC_RULE_DIRECTORY_DUPLICATE_OTHER,
			 entry_offset(m, cur), "entry %u repeats stream type 0x%X of entry %u", cur, type, prev);
	}
}

/* Only streams wholly inside the file take part: the rest already fired. */
static void check_overlaps(struct dci_md *m, uint64_t *keys, size_t n)
{
	sort_by(m, keys, n, true);
	uint64_t end = 0;
	size_t last = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		struct dir_item it = item_at(m, key_index(keys[i]));
		uint64_t this_end = (uint64_t)it.rva + it.size;
		if (!it.size || this_end > m->file.len)
			continue;
		if (any && it.rva < end) {
			struct dir_item prev = item_at(m, key_index(keys[last]));
			dci_diag(m, DC_RULE_DIRECTORY_STREAMS_OVERLAP, entry_offset(m, key_index(keys[i])),
				 "stream 0x%X (entry %u) at 0x%X overlaps stream 0x%X (entry %u)", it.type,
				 key_index(keys[i]), it.rva, prev.type, key_index(keys[last]));
		}
		if (this_end > end) {
			end = this_end;
			last = i;
		}
		any = true;
	}
}

/* Gathers the used entries, checks each, then duplicates and overlaps. */
void dci_check_directory(struct dci_md *m)
{
	if (!m->nstreams)
		return;
	decode_directory(m);
	uint64_t bytes = (uint64_t)m->nstreams * sizeof(uint64_t);
	uint64_t *items = dci_alloc(m, bytes);
	size_t n = 0, unused = 0;
	for (uint32_t i = 0; i < m->nstreams && dci_step(m, 1); i++) {
		uint32_t type, size, rva;
		if (!dci_dir_entry(m, i, &type, &size, &rva))
			break;
		check_type(m, i, type, size, rva);
		if (type == DC_STREAM_UNUSED) {
			unused++;
			continue;
		}
		bool inside = (uint64_t)rva + size <= m->file.len;
		if (inside && size && type != DC_STREAM_MEMORY64_LIST &&
		    (uint64_t)rva + size > m->max_stream_end)
			m->max_stream_end = (uint64_t)rva + size;
		if (items)
			items[n++] = i;
	}
	if (unused)
		dci_diag(m, DC_RULE_DIRECTORY_UNUSED_ENTRIES, m->dir_rva,
			 "%zu of %u directory entries are UnusedStream", unused, m->nstreams);
	/* two sorts of n indices: charge n log n each */
	if (items && dci_step(m, 2 * n * (uint64_t)(64 - __builtin_clzll(n | 1)))) {
		check_overlaps(m, items, n);
		check_duplicates(m, items, n);
	}
	dci_free(m, items, bytes);
}
