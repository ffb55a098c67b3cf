/* The kernel-dump renderer: any byte range of the dump a model describes,
 * computed on the fly (header, bitmap summary and bitmap, pages), with no
 * allocation. */
#include <string.h>

#include "dumpcheck/kdump.h"
#include "internal.h"
#include "kdump_int.h"

#define PAGE DC_KDUMP_PAGE_SIZE
/* PFNs whose byte offset (pfn * 4096) fits 64 bits. */
#define MAX_PFN_END (1ull << 52)

static bool ranges_sorted(const struct dc_kdump_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (r[i].first_pfn < r[i - 1].first_pfn + r[i - 1].count)
			return false;
	return true;
}

/* Every range of `r` lies inside one range of the sorted `runs`. */
static bool ranges_within(const struct dc_kdump_range *r, size_t n, const struct dc_kdump_range *runs,
			  size_t nruns)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (r[i].count == 0)
			continue;
		while (k < nruns && runs[k].first_pfn + runs[k].count <= r[i].first_pfn)
			k++;
		if (k == nruns || runs[k].first_pfn > r[i].first_pfn ||
		    r[i].first_pfn + r[i].count > runs[k].first_pfn + runs[k].count)
			return false;
	}
	return true;
}

/* Sum of counts of `r` and the highest end PFN; false on overflow. */
static bool ranges_total(const struct dc_kdump_range *r, size_t n, uint64_t *pages, uint64_t *end)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t e;
		if (!dci_add(r[i].first_pfn, r[i].count, &e) || e > MAX_PFN_END ||
		    !dci_add(*pages, r[i].count, pages))
			return false;
		if (e > *end)
			*end = e;
	}
	return true;
}

static enum dc_err layout_bitmap(const struct dc_kdump_model *m, struct dci_kd_layout *lay)
{
	uint64_t run_pages = 0, end = 0, bytes;
	lay->ranges = m->present ? m->present : m->runs;
	lay->nranges = m->present ? m->npresent : m->nruns;
	if (!ranges_total(m->runs, m->nruns, &run_pages, &end) || !ranges_sorted(m->runs, m->nruns) ||
	    !ranges_total(lay->ranges, lay->nranges, &lay->npages, &end) ||
	    !ranges_sorted(lay->ranges, lay->nranges) ||
	    (m->present && !ranges_within(m->present, m->npresent, m->runs, m->nruns)))
		return DC_E_MALFORMED;
	lay->bitmap_bits = (end + 63) / 64 * 64;
	lay->bitmap_off = lay->hsize + DC_SIZE_DUMP_BITMAP_HEADER;
	bytes = lay->bitmap_bits / 8;
	lay->first_page = (lay->bitmap_off + bytes + PAGE - 1) / PAGE * PAGE;
	return DC_OK;
}

enum dc_err dci_kd_layout(const struct dc_kdump_model *m, struct dci_kd_layout *lay)
{
	uint64_t end = 0, bytes;
	memset(lay, 0, sizeof(*lay));
	lay->hsize = m->is64 ? DC_KDUMP_HEADER_SIZE64 : DC_KDUMP_HEADER_SIZE32;
	lay->first_page = lay->hsize;
	if (m->nruns > (m->is64 ? DC_KDUMP_MAX_RUNS64 : DC_KDUMP_MAX_RUNS32) || (m->nruns && !m->runs) ||
	    (m->npresent && !m->present) || (m->npatches && !m->patches))
		return DC_E_MALFORMED;
	for (size_t i = 0; !m->is64 && i < m->nruns; i++)
		if (m->runs[i].first_pfn > UINT32_MAX || m->runs[i].count > UINT32_MAX)
			return DC_E_MALFORMED; /* BasePage and PageCount are u32 in DUMP_HEADER */
	if (m->dump_type == DC_KDUMP_TYPE_FULL) {
		lay->ranges = m->runs;
		lay->nranges = m->nruns;
		if (!ranges_total(m->runs, m->nruns, &lay->npages, &end))
			return DC_E_MALFORMED;
	} else if (m->dump_type == DC_KDUMP_TYPE_BITMAP) {
		enum dc_err err = layout_bitmap(m, lay);
		if (err != DC_OK)
			return err;
	}
	if (!m->is64 && lay->npages > UINT32_MAX)
		return DC_E_MALFORMED; /* NumberOfPages is a u32 there */
	if (!dci_mul(lay->npages, PAGE, &bytes) || !dci_add(lay->first_page, bytes, &lay->size))
		return DC_E_MALFORMED;
	return DC_OK;
}

enum dc_err dc_kdump_size(const struct dc_kdump_model *m, uint64_t *size)
{
	struct dci_kd_layout lay;
	if (!m || !size)
		return DC_E_MISUSE;
	enum dc_err err = dci_kd_layout(m, &lay);
	if (err == DC_OK)
		*size = lay.size;
	return err;
}

enum dc_err dc_kdump_first_page(const struct dc_kdump_model *m, uint64_t *offset)
{
	struct dci_kd_layout lay;
	if (!m || !offset)
		return DC_E_MISUSE;
	enum dc_err err = dci_kd_layout(m, &lay);
	if (err == DC_OK)
		*offset = lay.first_page;
	return err;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t run_pages(const struct dc_kdump_model *m)
{
	uint64_t n = 0;
	for (size_t i = 0; i < m->nruns; i++)
		n += m->runs[i].count; /* no overflow: dci_kd_layout checked the runs */
	return n;
}

static void header64(const struct dc_kdump_model *m, const struct dci_kd_layout *lay, uint8_t *h)
{
	put32(h + DC_OFF_DUMP_HEADER64_ValidDump, DC_KDUMP_VALID_DUMP64);
	put64(h + DC_OFF_DUMP_HEADER64_DirectoryTableBase, m->directory_table_base);
	put64(h + DC_OFF_DUMP_HEADER64_PfnDataBase, m->pfn_database);
	put64(h + DC_OFF_DUMP_HEADER64_PsLoadedModuleList, m->ps_loaded_module_list);
	put64(h + DC_OFF_DUMP_HEADER64_PsActiveProcessHead, m->ps_active_process_head);
	put32(h + DC_OFF_DUMP_HEADER64_MachineImageType, m->machine_image_type);
	put32(h + DC_OFF_DUMP_HEADER64_NumberProcessors, m->number_processors);
	put32(h + DC_OFF_DUMP_HEADER64_BugCheckCode, m->bugcheck_code);
	for (unsigned i = 0; i < 4; i++)
		put64(h + DC_OFF_DUMP_HEADER64_BugCheckParameter + 8 * i, m->bugcheck_params[i]);
	put64(h + DC_OFF_DUMP_HEADER64_KdDebuggerDataBlock, m->kd_debugger_data_block);
	uint8_t *pmb = h + DC_OFF_DUMP_HEADER64_PhysicalMemoryBlock;
	put32(pmb + DC_OFF_PHYSICAL_MEMORY_DESCRIPTOR64_NumberOfRuns, (uint32_t)m->nruns);
	put64(pmb + DC_OFF_PHYSICAL_MEMORY_DESCRIPTOR64_NumberOfPages, run_pages(m));
	for (size_t i = 0; i < m->nruns; i++) {
		uint8_t *r = h + DC_OFF_DUMP_HEADER64_Runs + i * DC_SIZE_PHYSICAL_MEMORY_RUN64;
		put64(r + DC_OFF_PHYSICAL_MEMORY_RUN64_BasePage, m->runs[i].first_pfn);
		put64(r + DC_OFF_PHYSICAL_MEMORY_RUN64_PageCount, m->runs[i].count);
	}
	memset(h + DC_OFF_DUMP_HEADER64_Exception, 0, DC_SIZE_MINIDUMP_EXCEPTION);
	put32(h + DC_OFF_DUMP_HEADER64_DumpType, m->dump_type);
	put64(h + DC_OFF_DUMP_HEADER64_RequiredDumpSpace, lay->size);
	put64(h + DC_OFF_DUMP_HEADER64_SystemTime, 0);
	put64(h + DC_OFF_DUMP_HEADER64_SystemUpTime, 0);
	put32(h + DC_OFF_DUMP_HEADER64_MiniDumpFields, 0);
	put32(h + DC_OFF_DUMP_HEADER64_SecondaryDataState, 0);
	put32(h + DC_OFF_DUMP_HEADER64_ProductType, 1);
	put32(h + DC_OFF_DUMP_HEADER64_SuiteMask, 0x100);
	put32(h + DC_OFF_DUMP_HEADER64_WriterStatus, 0);
}

static void header32(const struct dc_kdump_model *m, const struct dci_kd_layout *lay, uint8_t *h)
{
	put32(h + DC_OFF_DUMP_HEADER_ValidDump, DC_KDUMP_VALID_DUMP);
	put32(h + DC_OFF_DUMP_HEADER_DirectoryTableBase, (uint32_t)m->directory_table_base);
	put32(h + DC_OFF_DUMP_HEADER_PfnDataBase, (uint32_t)m->pfn_database);
	put32(h + DC_OFF_DUMP_HEADER_PsLoadedModuleList, (uint32_t)m->ps_loaded_module_list);
	put32(h + DC_OFF_DUMP_HEADER_PsActiveProcessHead, (uint32_t)m->ps_active_process_head);
	put32(h + DC_OFF_DUMP_HEADER_MachineImageType, m->machine_image_type);
	put32(h + DC_OFF_DUMP_HEADER_NumberProcessors, m->number_processors);
	put32(h + DC_OFF_DUMP_HEADER_BugCheckCode, m->bugcheck_code);
	for (unsigned i = 0; i < 4; i++)
		put32(h + DC_OFF_DUMP_HEADER_BugCheckParameter + 4 * i, (uint32_t)m->bugcheck_params[i]);
	h[DC_OFF_DUMP_HEADER_PaeEnabled] = 0;
	put32(h + DC_OFF_DUMP_HEADER_KdDebuggerDataBlock, (uint32_t)m->kd_debugger_data_block);
	uint8_t *pmb = h + DC_OFF_DUMP_HEADER_PhysicalMemoryBlock;
	put32(pmb + DC_OFF_PHYSICAL_MEMORY_DESCRIPTOR32_NumberOfRuns, (uint32_t)m->nruns);
	put32(pmb + DC_OFF_PHYSICAL_MEMORY_DESCRIPTOR32_NumberOfPages, (uint32_t)run_pages(m));
	for (size_t i = 0; i < m->nruns; i++) {
		uint8_t *r = h + DC_OFF_DUMP_HEADER_Runs + i * DC_SIZE_PHYSICAL_MEMORY_RUN32;
		put32(r + DC_OFF_PHYSICAL_MEMORY_RUN32_BasePage, (uint32_t)m->runs[i].first_pfn);
		put32(r + DC_OFF_PHYSICAL_MEMORY_RUN32_PageCount, (uint32_t)m->runs[i].count);
	}
	memset(h + DC_OFF_DUMP_HEADER_Exception, 0, DC_SIZE_KDUMP_EXCEPTION_RECORD32);
	put32(h + DC_OFF_DUMP_HEADER_DumpType, m->dump_type);
	put32(h + DC_OFF_DUMP_HEADER_MiniDumpFields, 0);
	put32(h + DC_OFF_DUMP_HEADER_SecondaryDataState, 0);
	put32(h + DC_OFF_DUMP_HEADER_ProductType, 1);
	put32(h + DC_OFF_DUMP_HEADER_SuiteMask, 0x100);
	put32(h + DC_OFF_DUMP_HEADER_WriterStatus, 0);
	put64(h + DC_OFF_DUMP_HEADER_RequiredDumpSpace, lay->size);
	put64(h + DC_OFF_DUMP_HEADER_SystemUpTime, 0);
	put64(h + DC_OFF_DUMP_HEADER_SystemTime, 0);
}

/* A zeroed CONTEXT of MachineImageType's architecture with its full
 * ContextFlags; an unknown machine keeps the fill. */
static void render_context(const struct dc_kdump_model *m, uint8_t *h)
{
	const struct dc_context_desc *cd = dc_context_lookup(dci_kd_machine_arch(m->machine_image_type));
	uint8_t *ctx = h + (m->is64 ? DC_OFF_DUMP_HEADER64_ContextRecord : DC_OFF_DUMP_HEADER_ContextRecord);
	uint32_t room = m->is64 ? 3000u : 1200u;
	if (!cd || cd->size > room)
		return;
	memset(ctx, 0, cd->size);
	put32(ctx + cd->flags_off, cd->all_flags);
}

/* The whole header (and, for bitmap dumps, the summary header after it):
 * 'PAGE' everywhere, then the fields. */
static void render_header(const struct dc_kdump_model *m, const struct dci_kd_layout *lay,
			  uint8_t h[DC_KDUMP_HEADER_SIZE64 + DC_SIZE_DUMP_BITMAP_HEADER])
{
	for (uint64_t i = 0; i < lay->hsize; i += 4)
		put32(h + i, DC_KDUMP_SIGNATURE);
	if (m->is64)
		header64(m, lay, h);
	else
		header32(m, lay, h);
	render_context(m, h);
	put32(h, DC_KDUMP_SIGNATURE);
	put32(h + DC_OFF_DUMP_HEADER_MajorVersion, m->major_version);
	put32(h + DC_OFF_DUMP_HEADER_MinorVersion, m->minor_version);
	if (m->dump_type != DC_KDUMP_TYPE_BITMAP)
		return;
	uint8_t *s = h + lay->hsize;
	memset(s, 0, DC_SIZE_DUMP_BITMAP_HEADER);
	put32(s + DC_OFF_DUMP_BITMAP_HEADER_Signature, m->bitmap_signature);
	put32(s + DC_OFF_DUMP_BITMAP_HEADER_ValidDump, DC_KDUMP_VALID_DUMP);
	put64(s + DC_OFF_DUMP_BITMAP_HEADER_FirstPage, lay->first_page);
	put64(s + DC_OFF_DUMP_BITMAP_HEADER_TotalPresentPages, lay->npages);
	put64(s + DC_OFF_DUMP_BITMAP_HEADER_Pages, lay->bitmap_bits);
}

/* Bitmap bytes [from, from + n) into out: the bits of the present ranges. */
static void render_bitmap(const struct dci_kd_layout *lay, uint64_t from, uint8_t *out, size_t n)
{
	uint64_t lo = from * 8, hi = (from + n) * 8;
	memset(out, 0, n);
	for (size_t i = 0; i < lay->nranges; i++) {
		uint64_t a = lay->ranges[i].first_pfn, b = a + lay->ranges[i].count;
		if (a < lo)
			a = lo;
		if (b > hi)
			b = hi;
		for (uint64_t bit = a; bit < b; bit++)
			out[bit / 8 - from] |= (uint8_t)(1u << (bit % 8));
	}
}

/* PFN of the k-th page in the file. */
static uint64_t nth_pfn(const struct dci_kd_layout *lay, uint64_t k)
{
	for (size_t i = 0; i < lay->nranges; i++) {
		if (k < lay->ranges[i].count)
			return lay->ranges[i].first_pfn + k;
		k -= lay->ranges[i].count;
	}
	return 0; /* not reached: callers stay below lay->npages */
}

/* The bytes of page `pfn`: pattern, then the patches in model order. */
void dci_kd_page(const struct dc_kdump_model *m, uint64_t pfn, uint8_t page[DC_KDUMP_PAGE_SIZE])
{
	dc_kdump_page_pattern(m->fill_seed, pfn, page);
	for (size_t i = 0; i < m->npatches; i++) {
		const struct dc_kdump_patch *p = &m->patches[i];
		if (p->pfn == pfn && p->offset <= PAGE && p->len <= PAGE - p->offset)
			memcpy(page + p->offset, p->bytes, p->len);
	}
}

static void render_pages(const struct dc_kdump_model *m, const struct dci_kd_layout *lay, uint64_t off,
			 uint8_t *buf, size_t len)
{
	uint8_t page[PAGE];
	while (len) {
		uint64_t k = (off - lay->first_page) / PAGE, in = (off - lay->first_page) % PAGE;
		size_t n = (size_t)(PAGE - in) < len ? (size_t)(PAGE - in) : len;
		dci_kd_page(m, nth_pfn(lay, k), page);
		memcpy(buf, page + in, n);
		buf += n;
		off += n;
		len -= n;
	}
}

enum dc_err dc_kdump_render(const struct dc_kdump_model *m, uint64_t offset, uint8_t *buf, size_t len)
{
	struct dci_kd_layout lay;
	uint64_t end;
	if (!m || (!buf && len))
		return DC_E_MISUSE;
	enum dc_err err = dci_kd_layout(m, &lay);
	if (err != DC_OK)
		return err;
	if (!dci_add(offset, len, &end) || end > lay.size)
		return DC_E_MISUSE;
	uint64_t head_end = m->dump_type == DC_KDUMP_TYPE_BITMAP ? lay.bitmap_off : lay.hsize;
	if (offset < head_end) {
		uint8_t h[DC_KDUMP_HEADER_SIZE64 + DC_SIZE_DUMP_BITMAP_HEADER];
		size_t n = (size_t)(head_end - offset) < len ? (size_t)(head_end - offset) : len;
		render_header(m, &lay, h);
		memcpy(buf, h + offset, n);
		buf += n, offset += n, len -= n;
	}
	if (len && offset < lay.first_page) {
		uint64_t bm_end = lay.bitmap_off + lay.bitmap_bits / 8;
		size_t n = (size_t)(lay.first_page - offset) < len ? (size_t)(lay.first_page - offset) : len;
		if (offset < bm_end) {
			size_t b = (size_t)(bm_end - offset) < n ? (size_t)(bm_end - offset) : n;
			render_bitmap(&lay, offset - lay.bitmap_off, buf, b);
			memset(buf + b, 0, n - b);
		} else {
			memset(buf, 0, n);
		}
		buf += n, offset += n, len -= n;
	}
	if (len)
		render_pages(m, &lay, offset, buf, len);
	return DC_OK;
}

bool dc_kdump_sniff(const uint8_t *data, uint64_t size)
{
	if (!data || size < 8 || dci_le32(data) != DC_KDUMP_SIGNATURE)
		return false;
	uint32_t valid = dci_le32(data + 4);
	return valid == DC_KDUMP_VALID_DUMP || valid == DC_KDUMP_VALID_DUMP64;
}

enum dc_err dc_kdump_write_file(const struct dc_kdump_model *m, FILE *out, size_t chunk)
{
	uint8_t buf[1u << 16];
	uint64_t size;
	if (chunk == 0 || chunk > sizeof(buf))
		chunk = sizeof(buf);
	if (!m || !out)
		return DC_E_MISUSE;
	enum dc_err err = dc_kdump_size(m, &size);
	for (uint64_t off = 0; err == DC_OK && off < size;) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk;
		err = dc_kdump_render(m, off, buf, n);
		if (err == DC_OK && fwrite(buf, 1, n, out) != n)
			err = DC_E_IO;
		off += n;
	}
	if (err == DC_OK && fflush(out) != 0)
		err = DC_E_IO;
	return err;
}
