/* The kernel-dump validator (rules kdump.*, spec/rules/kdump.toml): the
 * header, the run list, the bitmap summary and bitmap, and the file size the
 * layout needs. O(header + bitmap) time, no allocation, page data untouched. */
#include <stdarg.h>
#include <string.h>

#include "cursor.h"
#include "dumpcheck/kdump.h"
#include "internal.h"
#include "kdump_int.h"

#define PAGE DC_KDUMP_PAGE_SIZE
#define MAX_PFN_END (1ull << 52)

struct kv {
	const struct dc_validate_opts *opts;
	struct dc_diags *out;
	struct dci_cur file;
	enum dc_err err;
	bool stop;
	bool is64;
	uint32_t dump_type;
	uint64_t hsize;
	uint64_t pmb;        /* offset of PhysicalMemoryBlock */
	uint64_t runs_off;   /* offset of the first run */
	uint64_t run_size;   /* 8 or 16 */
	uint64_t max_runs;
	uint64_t nruns;      /* runs to read (0: no usable run list) */
	bool runs_ok;        /* sorted, no overflow: usable for outside_runs */
	bool have_pages;     /* the sum of PageCount did not overflow */
	uint64_t run_pages;  /* sum of PageCount */
};

static void diag(struct kv *k, enum dc_rule rule, uint64_t off, const char *fmt, ...) DCI_PRINTF(4, 5);

static void diag(struct kv *k, enum dc_rule rule, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	if (k->stop)
		return;
	va_start(ap, fmt);
	enum dc_err err = dci_diags_addv(k->out, &k->opts->limits, rule, off, fmt, ap);
	va_end(ap);
	if (err != DC_OK) {
		k->err = err;
		k->stop = true;
	}
	const struct dc_rule_desc *rd = &dc_rule_descs[rule];
	if (k->opts->strict && rd->level == DC_LEVEL_MUST && !rd->impl)
		k->stop = true;
}

/* Signature, ValidDump and the header's size; false when nothing more can be read. */
static bool check_header(struct kv *k)
{
	uint32_t sig, valid;
	if (!dci_at_u32(&k->file, DC_OFF_DUMP_HEADER_Signature, &sig) ||
	    !dci_at_u32(&k->file, DC_OFF_DUMP_HEADER_ValidDump, &valid)) {
		diag(k, DC_RULE_KDUMP_HEADER_TRUNCATED, 0, "file is %llu bytes, too short for a signature",
		     (unsigned long long)k->file.len);
		return false;
	}
	if (sig != DC_KDUMP_SIGNATURE) {
		diag(k, DC_RULE_KDUMP_HEADER_SIGNATURE, 0, "signature is 0x%08X, not 0x%08X ('PAGE')", sig,
		     DC_KDUMP_SIGNATURE);
		return false;
	}
	if (valid != DC_KDUMP_VALID_DUMP && valid != DC_KDUMP_VALID_DUMP64) {
		diag(k, DC_RULE_KDUMP_HEADER_VALID_DUMP, DC_OFF_DUMP_HEADER_ValidDump,
		     "ValidDump is 0x%08X, neither 'DUMP' nor 'DU64'", valid);
		return false;
	}
	k->is64 = valid == DC_KDUMP_VALID_DUMP64;
	k->hsize = k->is64 ? DC_KDUMP_HEADER_SIZE64 : DC_KDUMP_HEADER_SIZE32;
	if (k->file.len < k->hsize) {
		diag(k, DC_RULE_KDUMP_HEADER_TRUNCATED, 0, "file is %llu bytes, the %s header needs 0x%llX",
		     (unsigned long long)k->file.len, k->is64 ? "DUMP_HEADER64" : "DUMP_HEADER",
		     (unsigned long long)k->hsize);
		return false;
	}
	uint64_t off = k->is64 ? DC_OFF_DUMP_HEADER64_DumpType : DC_OFF_DUMP_HEADER_DumpType;
	dci_at_u32(&k->file, off, &k->dump_type);
	if (!dc_enum_name(DC_E_KDUMP_DUMP_TYPE, k->dump_type))
		diag(k, DC_RULE_KDUMP_HEADER_DUMP_TYPE, off, "DumpType %u is not a known value", k->dump_type);
	return true;
}

static void check_exception(struct kv *k)
{
	uint64_t off = k->is64 ? DC_OFF_DUMP_HEADER64_Exception + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters
			       : DC_OFF_DUMP_HEADER_Exception + DC_OFF_KDUMP_EXCEPTION_RECORD32_NumberParameters;
	uint32_t n = 0;
	dci_at_u32(&k->file, off, &n);
	if (n != DC_KDUMP_SIGNATURE && n > DC_KDUMP_EXCEPTION_MAXIMUM_PARAMETERS)
		diag(k, DC_RULE_KDUMP_EXCEPTION_PARAMETERS, off, "exception NumberParameters is %u, above %u", n,
		     DC_KDUMP_EXCEPTION_MAXIMUM_PARAMETERS);
}

/* The ContextRecord is a CONTEXT of MachineImageType's architecture. */
static void check_context(struct kv *k)
{
	uint32_t machine = 0, flags = 0;
	dci_at_u32(&k->file, k->is64 ? DC_OFF_DUMP_HEADER64_MachineImageType : DC_OFF_DUMP_HEADER_MachineImageType,
		   &machine);
	const struct dc_context_desc *cd = dc_context_lookup(dci_kd_machine_arch(machine));
	if (!cd)
		return; /* an unknown machine: nothing to compare with */
	uint64_t off = (k->is64 ? DC_OFF_DUMP_HEADER64_ContextRecord : DC_OFF_DUMP_HEADER_ContextRecord) + cd->flags_off;
	dci_at_u32(&k->file, off, &flags);
	if (flags != DC_KDUMP_SIGNATURE && (flags & cd->arch_flag) != cd->arch_flag)
		diag(k, DC_RULE_KDUMP_CONTEXT_ARCH, off, "ContextFlags 0x%08X lack %s's 0x%08X (MachineImageType 0x%X)",
		     flags, cd->name, cd->arch_flag, machine);
}

static void read_run(const struct kv *k, uint64_t i, uint64_t *base, uint64_t *count)
{
	uint64_t off = k->runs_off + i * k->run_size;
	uint32_t b32 = 0, c32 = 0;
	if (k->is64) {
		dci_at_u64(&k->file, off + DC_OFF_PHYSICAL_MEMORY_RUN64_BasePage, base);
		dci_at_u64(&k->file, off + DC_OFF_PHYSICAL_MEMORY_RUN64_PageCount, count);
		return;
	}
	dci_at_u32(&k->file, off + DC_OFF_PHYSICAL_MEMORY_RUN32_BasePage, &b32);
	dci_at_u32(&k->file, off + DC_OFF_PHYSICAL_MEMORY_RUN32_PageCount, &c32);
	*base = b32;
	*count = c32;
}

/* The 'PAGE' fill of the run slots after the last run. */
static void check_fill(struct kv *k)
{
	for (uint64_t i = k->nruns; i < k->max_runs; i++) {
		uint64_t off = k->runs_off + i * k->run_size;
		for (uint64_t w = 0; w < k->run_size; w += 4) {
			uint32_t v = 0;
			dci_at_u32(&k->file, off + w, &v);
			if (v != DC_KDUMP_SIGNATURE) {
				diag(k, DC_RULE_KDUMP_HEADER_FILL, off + w,
				     "run slot %llu holds 0x%08X, not the 'PAGE' fill", (unsigned long long)i, v);
				return;
			}
		}
	}
}

static void check_run_list(struct kv *k, uint64_t declared_pages)
{
	uint64_t prev_end = 0, sum = 0;
	k->runs_ok = k->have_pages = true;
	for (uint64_t i = 0; i < k->nruns; i++) {
		uint64_t base = 0, count = 0, end, off = k->runs_off + i * k->run_size;
		read_run(k, i, &base, &count);
		if (!dci_add(base, count, &end) || end > MAX_PFN_END) {
			diag(k, DC_RULE_KDUMP_RUNS_OVERFLOW, off, "run %llu: BasePage 0x%llX + PageCount 0x%llX "
			     "passes PFN 2^52", (unsigned long long)i, (unsigned long long)base,
			     (unsigned long long)count);
			k->runs_ok = false;
			end = base;
		}
		if (i > 0 && base < prev_end) {
			diag(k, DC_RULE_KDUMP_RUNS_ORDER, off, "run %llu starts at PFN 0x%llX, before the end "
			     "0x%llX of run %llu", (unsigned long long)i, (unsigned long long)base,
			     (unsigned long long)prev_end, (unsigned long long)(i - 1));
			k->runs_ok = false;
		}
		if (end > prev_end)
			prev_end = end;
		if (!dci_add(sum, count, &sum))
			k->have_pages = false;
	}
	k->run_pages = sum;
	if (!k->have_pages)
		diag(k, DC_RULE_KDUMP_RUNS_OVERFLOW, k->pmb, "the runs' PageCounts overflow 64 bits");
	else if (sum != declared_pages)
		diag(k, DC_RULE_KDUMP_RUNS_PAGES_SUM, k->pmb, "NumberOfPages is %llu, the runs hold %llu",
		     (unsigned long long)declared_pages, (unsigned long long)sum);
}

static void check_runs(struct kv *k)
{
	uint32_t nruns = 0, p32 = 0;
	uint64_t pages = 0;
	k->pmb = k->is64 ? DC_OFF_DUMP_HEADER64_PhysicalMemoryBlock : DC_OFF_DUMP_HEADER_PhysicalMemoryBlock;
	k->runs_off = k->is64 ? DC_OFF_DUMP_HEADER64_Runs : DC_OFF_DUMP_HEADER_Runs;
	k->run_size = k->is64 ? DC_SIZE_PHYSICAL_MEMORY_RUN64 : DC_SIZE_PHYSICAL_MEMORY_RUN32;
	k->max_runs = k->is64 ? DC_KDUMP_MAX_RUNS64 : DC_KDUMP_MAX_RUNS32;
	dci_at_u32(&k->file, k->pmb, &nruns);
	if (k->is64) {
		dci_at_u64(&k->file, k->pmb + DC_OFF_PHYSICAL_MEMORY_DESCRIPTOR64_NumberOfPages, &pages);
	} else {
		dci_at_u32(&k->file, k->pmb + DC_OFF_PHYSICAL_MEMORY_DESCRIPTOR32_NumberOfPages, &p32);
		pages = p32;
	}
	if (nruns == DC_KDUMP_SIGNATURE) {
		if (k->dump_type == DC_KDUMP_TYPE_FULL)
			diag(k, DC_RULE_KDUMP_RUNS_COUNT, k->pmb, "NumberOfRuns is the 'PAGE' fill: a full dump "
			     "without a run list");
		return;
	}
	if (nruns > k->max_runs) {
		diag(k, DC_RULE_KDUMP_RUNS_COUNT, k->pmb, "NumberOfRuns is %u, the header holds %llu", nruns,
		     (unsigned long long)k->max_runs);
		return;
	}
	k->nruns = nruns;
	check_run_list(k, pages);
	check_fill(k);
}

/* Header + pages against the file size: short is truncated, long is trailing. */
static void check_size(struct kv *k, uint64_t first, uint64_t pages, enum dc_rule short_rule)
{
	uint64_t bytes, need;
	if (!dci_mul(pages, PAGE, &bytes) || !dci_add(first, bytes, &need)) {
		diag(k, short_rule, 0, "0x%llX + %llu pages overflows 64 bits", (unsigned long long)first,
		     (unsigned long long)pages);
		return;
	}
	if (k->file.len < need)
		diag(k, short_rule, k->file.len, "file is 0x%llX bytes, %llu pages from 0x%llX need 0x%llX",
		     (unsigned long long)k->file.len, (unsigned long long)pages, (unsigned long long)first,
		     (unsigned long long)need);
	else if (k->file.len > need)
		diag(k, DC_RULE_KDUMP_FILE_TRAILING, need, "0x%llX bytes after the last page",
		     (unsigned long long)(k->file.len - need));
}

static void check_full(struct kv *k)
{
	if (k->nruns == 0 && k->run_pages == 0 && !k->have_pages)
		return; /* no usable run list: kdump.runs.count said so */
	if (k->have_pages)
		check_size(k, k->hsize, k->run_pages, DC_RULE_KDUMP_FULL_TRUNCATED);
}

/* Set bits of bitmap `bm` in [lo, hi). */
static uint64_t popcount_range(const struct dci_cur *bm, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;
	while (lo < hi && lo % 64) {
		uint8_t b = 0;
		dci_at_u8(bm, lo / 8, &b);
		n += (b >> (lo % 8)) & 1u;
		lo++;
	}
	for (; lo + 64 <= hi; lo += 64) {
		uint64_t w = 0;
		if (!dci_at_u64(bm, lo / 8, &w))
			break; /* the caller keeps hi within the bitmap */
		n += (uint64_t)__builtin_popcountll(w);
	}
	for (; lo < hi; lo++) {
		uint8_t b = 0;
		dci_at_u8(bm, lo / 8, &b);
		n += (b >> (lo % 8)) & 1u;
	}
	return n;
}

/* Set bits in [0, bits) outside every run. */
static void check_outside_runs(struct kv *k, const struct dci_cur *bm, uint64_t bits, uint64_t set)
{
	uint64_t inside = 0;
	if (!k->runs_ok || k->nruns == 0)
		return;
	for (uint64_t i = 0; i < k->nruns; i++) {
		uint64_t base = 0, count = 0;
		read_run(k, i, &base, &count);
		uint64_t end = base + count; /* runs_ok: no overflow */
		if (base < bits)
			inside += popcount_range(bm, base, end < bits ? end : bits);
	}
	if (set > inside)
		diag(k, DC_RULE_KDUMP_BITMAP_OUTSIDE_RUNS, bm->base, "%llu present page(s) lie outside the runs",
		     (unsigned long long)(set - inside));
}

static void check_bitmap_bits(struct kv *k, const struct dci_cur *bm, uint64_t bits, uint64_t present,
			      uint64_t first)
{
	uint64_t set = popcount_range(bm, 0, bits);
	if (bits % 8) {
		uint8_t last = 0;
		dci_at_u8(bm, bits / 8, &last);
		if (last >> (bits % 8))
			diag(k, DC_RULE_KDUMP_BITMAP_PADDING, bm->base + bits / 8,
			     "bits past Pages %llu are set in the last byte 0x%02X", (unsigned long long)bits, last);
	}
	if (set != present)
		diag(k, DC_RULE_KDUMP_BITMAP_PRESENT_COUNT, k->hsize + DC_OFF_DUMP_BITMAP_HEADER_TotalPresentPages,
		     "TotalPresentPages is %llu, the bitmap has %llu set bits", (unsigned long long)present,
		     (unsigned long long)set);
	check_outside_runs(k, bm, bits, set);
	check_size(k, first, set, DC_RULE_KDUMP_BITMAP_TRUNCATED);
}

static void check_summary_ids(struct kv *k, const struct dci_cur *s)
{
	uint32_t sig = 0, valid = 0;
	dci_at_u32(s, DC_OFF_DUMP_BITMAP_HEADER_Signature, &sig);
	dci_at_u32(s, DC_OFF_DUMP_BITMAP_HEADER_ValidDump, &valid);
	if (sig != DC_KDUMP_BITMAP_SDMP && sig != DC_KDUMP_BITMAP_FDMP)
		diag(k, DC_RULE_KDUMP_BITMAP_SIGNATURE, s->base, "summary signature is 0x%08X, neither 'SDMP' "
		     "nor 'FDMP'", sig);
	if (valid != DC_KDUMP_VALID_DUMP)
		diag(k, DC_RULE_KDUMP_BITMAP_VALID_DUMP, s->base + DC_OFF_DUMP_BITMAP_HEADER_ValidDump,
		     "summary ValidDump is 0x%08X, not 'DUMP'", valid);
}

static void check_bitmap(struct kv *k)
{
	struct dci_cur s, bm;
	uint64_t first = 0, present = 0, bits = 0;
	if (!dci_cur_sub(&k->file, k->hsize, DC_SIZE_DUMP_BITMAP_HEADER, &s)) {
		diag(k, DC_RULE_KDUMP_BITMAP_IN_FILE, k->hsize, "file ends before the 0x38-byte summary header");
		return;
	}
	check_summary_ids(k, &s);
	dci_at_u64(&s, DC_OFF_DUMP_BITMAP_HEADER_FirstPage, &first);
	dci_at_u64(&s, DC_OFF_DUMP_BITMAP_HEADER_TotalPresentPages, &present);
	dci_at_u64(&s, DC_OFF_DUMP_BITMAP_HEADER_Pages, &bits);
	uint64_t bytes = bits / 8 + (bits % 8 != 0), bm_off = k->hsize + DC_SIZE_DUMP_BITMAP_HEADER, bm_end;
	if (!dci_add(bm_off, bytes, &bm_end) || !dci_cur_sub(&k->file, bm_off, bytes, &bm)) {
		diag(k, DC_RULE_KDUMP_BITMAP_IN_FILE, s.base + DC_OFF_DUMP_BITMAP_HEADER_Pages,
		     "bitmap of %llu bits (0x%llX bytes at 0x%llX) passes the file end 0x%llX",
		     (unsigned long long)bits, (unsigned long long)bytes, (unsigned long long)bm_off,
		     (unsigned long long)k->file.len);
		return;
	}
	if (first < bm_end)
		diag(k, DC_RULE_KDUMP_BITMAP_FIRST_PAGE, s.base + DC_OFF_DUMP_BITMAP_HEADER_FirstPage,
		     "FirstPage 0x%llX is before the end of the bitmap 0x%llX", (unsigned long long)first,
		     (unsigned long long)bm_end);
	if (first % PAGE)
		diag(k, DC_RULE_KDUMP_BITMAP_FIRST_PAGE_ALIGN, s.base + DC_OFF_DUMP_BITMAP_HEADER_FirstPage,
		     "FirstPage 0x%llX is not page-aligned", (unsigned long long)first);
	if (bytes / 8 > k->opts->limits.max_work) {
		diag(k, DC_RULE_KDUMP_LIMIT_BITMAP, bm_off, "bitmap of 0x%llX bytes, work budget %llu words",
		     (unsigned long long)bytes, (unsigned long long)k->opts->limits.max_work);
		return;
	}
	check_bitmap_bits(k, &bm, bits, present, first);
}

enum dc_err dc_kdump_validate(const uint8_t *data, uint64_t size, const struct dc_validate_opts *opts,
			      struct dc_diags *out)
{
	struct dc_validate_opts defaults;
	if ((!data && size) || !out)
		return DC_E_MISUSE;
	if (!opts) {
		dc_validate_opts_default(&defaults);
		opts = &defaults;
	}
	struct kv k = { .opts = opts, .out = out, .file = dci_cur_whole(data, size) };
	if (!check_header(&k))
		return k.err;
	check_exception(&k);
	check_context(&k);
	check_runs(&k);
	if (k.dump_type == DC_KDUMP_TYPE_FULL)
		check_full(&k);
	else if (k.dump_type == DC_KDUMP_TYPE_BITMAP)
		check_bitmap(&k);
	else if (dc_enum_name(DC_E_KDUMP_DUMP_TYPE, k.dump_type))
		diag(&k, DC_RULE_KDUMP_HEADER_TYPE_UNCHECKED, k.is64 ? DC_OFF_DUMP_HEADER64_DumpType
								   : DC_OFF_DUMP_HEADER_DumpType,
		     "DumpType %u: checked as far as the header", k.dump_type);
	return k.err;
}
