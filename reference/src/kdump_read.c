/* Reading kernel dumps: opening one for physical page lookups by PFN, and
 * printing its header, run list and bitmap summary. Every untrusted byte is
 * read through the cursor. */
#include <inttypes.h>
#include <string.h>

#include "cursor.h"
#include "dumpcheck/kdump.h"
#include "internal.h"

#define PAGE DC_KDUMP_PAGE_SIZE

static enum dc_err open_bitmap(const struct dci_cur *f, struct dc_kdump_view *v)
{
	uint64_t bits = 0, first = 0, bytes;
	struct dci_cur s, bm;
	if (!dci_cur_sub(f, v->header_size, DC_SIZE_DUMP_BITMAP_HEADER, &s))
		return DC_E_TRUNCATED;
	dci_at_u64(&s, DC_OFF_DUMP_BITMAP_HEADER_FirstPage, &first);
	dci_at_u64(&s, DC_OFF_DUMP_BITMAP_HEADER_Pages, &bits);
	v->bitmap_off = v->header_size + DC_SIZE_DUMP_BITMAP_HEADER;
	bytes = bits / 8 + (bits % 8 != 0);
	if (!dci_cur_sub(f, v->bitmap_off, bytes, &bm))
		return DC_E_TRUNCATED;
	/* pages inside the header or the bitmap (kdump.bitmap.first_page); the
	 * bitmap is in the file, so the sum does not wrap */
	if (first < v->bitmap_off + bytes)
		return DC_E_MALFORMED;
	v->bitmap_bits = bits;
	v->first_page = first;
	return DC_OK;
}

enum dc_err dc_kdump_open(const uint8_t *data, uint64_t size, struct dc_kdump_view *v)
{
	if ((!data && size) || !v)
		return DC_E_MISUSE;
	memset(v, 0, sizeof(*v));
	struct dci_cur f = dci_cur_whole(data, size);
	if (!dc_kdump_sniff(data, size))
		return size < 8 ? DC_E_TRUNCATED : DC_E_MALFORMED;
	uint32_t valid = 0, nruns = 0;
	dci_at_u32(&f, DC_OFF_DUMP_HEADER_ValidDump, &valid);
	v->data = data;
	v->size = size;
	v->is64 = valid == DC_KDUMP_VALID_DUMP64;
	v->header_size = v->is64 ? DC_KDUMP_HEADER_SIZE64 : DC_KDUMP_HEADER_SIZE32;
	if (size < v->header_size)
		return DC_E_TRUNCATED;
	dci_at_u32(&f, v->is64 ? DC_OFF_DUMP_HEADER64_DumpType : DC_OFF_DUMP_HEADER_DumpType, &v->dump_type);
	dci_at_u32(&f, v->is64 ? DC_OFF_DUMP_HEADER64_PhysicalMemoryBlock : DC_OFF_DUMP_HEADER_PhysicalMemoryBlock,
		   &nruns);
	v->runs_off = v->is64 ? DC_OFF_DUMP_HEADER64_Runs : DC_OFF_DUMP_HEADER_Runs;
	v->first_page = v->header_size;
	if (nruns != DC_KDUMP_SIGNATURE) {
		if (nruns > (v->is64 ? DC_KDUMP_MAX_RUNS64 : DC_KDUMP_MAX_RUNS32))
			return DC_E_MALFORMED;
		v->nruns = nruns;
	}
	if (v->dump_type == DC_KDUMP_TYPE_BITMAP)
		return open_bitmap(&f, v);
	if (v->dump_type != DC_KDUMP_TYPE_FULL)
		return DC_E_UNSUPPORTED;
	return nruns == DC_KDUMP_SIGNATURE ? DC_E_MALFORMED : DC_OK;
}

static void view_run(const struct dc_kdump_view *v, const struct dci_cur *f, uint64_t i, uint64_t *base,
		     uint64_t *count)
{
	uint32_t b = 0, c = 0;
	*base = *count = 0;
	if (v->is64) {
		uint64_t off = v->runs_off + i * DC_SIZE_PHYSICAL_MEMORY_RUN64;
		dci_at_u64(f, off + DC_OFF_PHYSICAL_MEMORY_RUN64_BasePage, base);
		dci_at_u64(f, off + DC_OFF_PHYSICAL_MEMORY_RUN64_PageCount, count);
		return;
	}
	uint64_t off = v->runs_off + i * DC_SIZE_PHYSICAL_MEMORY_RUN32;
	dci_at_u32(f, off + DC_OFF_PHYSICAL_MEMORY_RUN32_BasePage, &b);
	dci_at_u32(f, off + DC_OFF_PHYSICAL_MEMORY_RUN32_PageCount, &c);
	*base = b;
	*count = c;
}

/* Full dumps: pages are stored run after run (the first run holding the PFN wins). */
static bool full_index(const struct dc_kdump_view *v, const struct dci_cur *f, uint64_t pfn, uint64_t *index)
{
	uint64_t before = 0;
	for (uint64_t i = 0; i < v->nruns; i++) {
		uint64_t base, count;
		view_run(v, f, i, &base, &count);
		if (pfn >= base && pfn - base < count) {
			return dci_add(before, pfn - base, index);
		}
		if (!dci_add(before, count, &before))
			return false;
	}
	return false;
}

/* Bitmap dumps: the page's index is the number of set bits before it. */
static bool bitmap_index(const struct dc_kdump_view *v, const struct dci_cur *f, uint64_t pfn, uint64_t *index)
{
	struct dci_cur bm;
	uint8_t b = 0;
	uint64_t n = 0, bytes = v->bitmap_bits / 8 + (v->bitmap_bits % 8 != 0);
	if (pfn >= v->bitmap_bits || !dci_cur_sub(f, v->bitmap_off, bytes, &bm))
		return false;
	dci_at_u8(&bm, pfn / 8, &b);
	if (!((b >> (pfn % 8)) & 1u))
		return false;
	uint64_t w, i = 0;
	for (; i + 64 <= pfn; i += 64)
		if (dci_at_u64(&bm, i / 8, &w))
			n += (uint64_t)__builtin_popcountll(w);
	for (; i < pfn; i++) {
		dci_at_u8(&bm, i / 8, &b);
		n += (b >> (i % 8)) & 1u;
	}
	*index = n;
	return true;
}

enum dc_err dc_kdump_page_offset(const struct dc_kdump_view *v, uint64_t pfn, bool *present, uint64_t *offset)
{
	uint64_t index = 0, bytes, end;
	if (!v || !present || !offset || (!v->data && v->size))
		return DC_E_MISUSE;
	struct dci_cur f = dci_cur_whole(v->data, v->size);
	*present = false;
	*offset = 0;
	if (v->dump_type == DC_KDUMP_TYPE_FULL ? !full_index(v, &f, pfn, &index)
	    : v->dump_type == DC_KDUMP_TYPE_BITMAP ? !bitmap_index(v, &f, pfn, &index) : true)
		return DC_OK;
	*present = true; /* the run list or bitmap holds it, wherever the file ends */
	if (!dci_mul(index, PAGE, &bytes) || !dci_add(v->first_page, bytes, offset) ||
	    !dci_add(*offset, PAGE, &end)) {
		*offset = UINT64_MAX; /* past any file */
		return DC_E_TRUNCATED;
	}
	return end <= v->size ? DC_OK : DC_E_TRUNCATED;
}

/* ---------------------------------------------------------------- printing */

struct printer {
	FILE *out;
	bool json;
	bool first; /* no member written yet in the current JSON object or array */
};

static void member(struct printer *p, const char *name, uint64_t v, bool hex)
{
	if (p->json)
		fprintf(p->out, "%s\"%s\":%" PRIu64, p->first ? "" : ",", name, v);
	else if (hex)
		fprintf(p->out, "  %-22s 0x%" PRIX64 "\n", name, v);
	else
		fprintf(p->out, "  %-22s %" PRIu64 "\n", name, v);
	p->first = false;
}

/* The scalar fields of struct `sid` at `off` (arrays of up to four words as name[k]). */
static void print_fields(struct printer *p, const struct dci_cur *f, uint16_t sid, uint64_t off)
{
	const struct dc_struct_desc *sd = &dc_struct_descs[sid];
	for (uint16_t i = 0; i < sd->nfields; i++) {
		const struct dc_field_desc *fd = &sd->fields[i];
		unsigned width = fd->type == DC_FT_U8 ? 1 : fd->type == DC_FT_U16 ? 2 : fd->type == DC_FT_U64 ? 8 : 4;
		if (fd->type == DC_FT_STRUCT || fd->type == DC_FT_GUID || fd->count > 4 ||
		    strstr(fd->name, "Padding") || strncmp(fd->name, "Unused", 6) == 0 ||
		    strncmp(fd->name, "Spare", 5) == 0)
			continue;
		for (uint32_t k = 0; k < fd->count; k++) {
			char name[64];
			uint64_t v = 0;
			if (fd->count > 1)
				snprintf(name, sizeof(name), "%s[%u]", fd->name, k);
			else
				snprintf(name, sizeof(name), "%s", fd->name);
			dci_at_uint(f, off + fd->off + (uint64_t)k * width, width, &v);
			member(p, name, v, fd->fmt != DC_FMT_DEC);
		}
	}
}

static void open_section(struct printer *p, const char *name, bool array)
{
	if (p->json)
		fprintf(p->out, ",\"%s\":%c", name, array ? '[' : '{');
	else
		fprintf(p->out, "%s:\n", name);
	p->first = true;
}

static void close_section(struct printer *p, bool array)
{
	if (p->json)
		fputc(array ? ']' : '}', p->out);
}

static void print_runs(struct printer *p, const struct dci_cur *f, const struct dc_kdump_view *v)
{
	open_section(p, "runs", true);
	for (uint64_t i = 0; i < v->nruns; i++) {
		uint64_t base, count;
		view_run(v, f, i, &base, &count);
		if (p->json)
			fprintf(p->out, "%s{\"BasePage\":%" PRIu64 ",\"PageCount\":%" PRIu64 "}", i ? "," : "", base,
				count);
		else
			fprintf(p->out, "  [%" PRIu64 "] BasePage 0x%" PRIX64 " PageCount %" PRIu64 " (physical 0x%" PRIX64
				")\n", i, base, count, base * PAGE);
	}
	close_section(p, true);
}

static void print_summary(struct printer *p, const struct dci_cur *f, uint64_t hsize)
{
	struct dci_cur s;
	if (!dci_cur_sub(f, hsize, DC_SIZE_DUMP_BITMAP_HEADER, &s)) {
		if (!p->json)
			fprintf(p->out, "bitmap summary: cut by the end of the file\n");
		return;
	}
	open_section(p, "bitmap_summary", false);
	print_fields(p, f, DC_S_DUMP_BITMAP_HEADER, hsize);
	close_section(p, false);
}

enum dc_err dc_kdump_print(const uint8_t *data, uint64_t size, bool json, FILE *out)
{
	struct dc_kdump_view v;
	if (!out || (!data && size))
		return DC_E_MISUSE;
	enum dc_err err = dc_kdump_open(data, size, &v);
	if (err == DC_E_MALFORMED && !dc_kdump_sniff(data, size))
		return DC_E_MALFORMED;
	if (v.header_size == 0 || size < v.header_size)
		return DC_E_TRUNCATED;
	struct dci_cur f = dci_cur_whole(data, size);
	struct printer p = { out, json, true };
	uint16_t sid = v.is64 ? DC_S_DUMP_HEADER64 : DC_S_DUMP_HEADER;
	const char *type = dc_enum_name(DC_E_KDUMP_DUMP_TYPE, v.dump_type);
	if (json)
		fprintf(out, "{\"schema\":%d,\"format\":\"%s\",\"size\":%" PRIu64 ",\"header\":{",
			DC_JSON_SCHEMA_VERSION, v.is64 ? "DUMP_HEADER64" : "DUMP_HEADER", size);
	else
		fprintf(out, "%s (%s), %" PRIu64 " bytes, DumpType %u (%s)\nheader:\n",
			v.is64 ? "DUMP_HEADER64" : "DUMP_HEADER", v.is64 ? "64-bit" : "32-bit", size, v.dump_type,
			type ? type : "unknown");
	print_fields(&p, &f, sid, 0);
	uint64_t pmb = v.is64 ? DC_OFF_DUMP_HEADER64_PhysicalMemoryBlock : DC_OFF_DUMP_HEADER_PhysicalMemoryBlock;
	print_fields(&p, &f, v.is64 ? DC_S_PHYSICAL_MEMORY_DESCRIPTOR64 : DC_S_PHYSICAL_MEMORY_DESCRIPTOR32, pmb);
	close_section(&p, false);
	print_runs(&p, &f, &v);
	if (v.dump_type == DC_KDUMP_TYPE_BITMAP)
		print_summary(&p, &f, v.header_size);
	if (json)
		fputs("}\n", out);
	return ferror(out) ? DC_E_IO : DC_OK;
}
