/* Unit tests of the kernel-dump model, renderer, reader and validator
 * (dumpcheck/kdump.h, rules kdump.*):
 * - the model loader (spec/kdump-scenarios/README.md) and its errors;
 * - render round trip: a rendered dump validates clean, 32- and 64-bit, full
 *   and bitmap, and every page lookup finds the page's pattern and patches;
 * - render random access equals render-all;
 * - per kdump.* rule, one edit of a clean dump where it fires and the clean
 *   dump where it stays quiet;
 * - a dump cut at every length: findings, never a crash or DC_E_MISUSE.
 * Run from the repository root (the shipped scenarios are loaded too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dumpcheck/kdump.h"

#define PAGE DC_KDUMP_PAGE_SIZE

static struct dc_kdump_range runs64[] = { { 0x1, 2 }, { 0x10, 3 } };
static struct dc_kdump_range runs_bm[] = { { 0x0, 0x20 }, { 0x40, 0x20 } };
static struct dc_kdump_range present_bm[] = { { 0x1, 2 }, { 0x41, 1 } };
static const uint8_t patch_bytes[] = { 'K', 'D', 'M', 'P' };
static struct dc_kdump_patch patches[] = { { 0x10, 0x100, 4, patch_bytes }, { 0x41, 0xFFC, 4, patch_bytes } };

enum shape { FULL64, BITMAP64, FULL32, BITMAP32, NSHAPES };

static struct dc_kdump_model model(enum shape s)
{
	struct dc_kdump_model m;
	memset(&m, 0, sizeof(m));
	m.is64 = s == FULL64 || s == BITMAP64;
	m.dump_type = s == FULL64 || s == FULL32 ? DC_KDUMP_TYPE_FULL : DC_KDUMP_TYPE_BITMAP;
	m.bitmap_signature = s == BITMAP32 ? DC_KDUMP_BITMAP_FDMP : DC_KDUMP_BITMAP_SDMP;
	m.major_version = 15;
	m.minor_version = 19041;
	m.machine_image_type = m.is64 ? 0x8664 : 0x14C;
	m.number_processors = 2;
	m.bugcheck_code = 0xE2;
	m.fill_seed = 0x1234 + (uint64_t)s;
	if (m.dump_type == DC_KDUMP_TYPE_FULL) {
		m.runs = runs64;
		m.nruns = 2;
	} else {
		m.runs = runs_bm;
		m.nruns = 2;
		m.present = present_bm;
		m.npresent = 2;
	}
	m.patches = patches;
	m.npatches = 2;
	return m;
}

static uint8_t *render_all(const struct dc_kdump_model *m, uint64_t *size)
{
	assert_int_equal(dc_kdump_size(m, size), DC_OK);
	uint8_t *buf = malloc((size_t)*size);
	assert_non_null(buf);
	assert_int_equal(dc_kdump_render(m, 0, buf, (size_t)*size), DC_OK);
	return buf;
}

static void validate(const uint8_t *d, uint64_t n, struct dc_diags *out)
{
	memset(out, 0, sizeof(*out));
	assert_int_equal(dc_kdump_validate(d, n, NULL, out), DC_OK);
}

static void expect_clean(const uint8_t *d, uint64_t n)
{
	struct dc_diags diags;
	validate(d, n, &diags);
	for (size_t i = 0; i < diags.count; i++)
		print_message("unexpected: %s @0x%llx %s\n", dc_rule_descs[diags.items[i].rule].id,
			      (unsigned long long)diags.items[i].offset, diags.items[i].detail);
	assert_int_equal(diags.total, 0);
	dc_diags_free(&diags);
}

/* ---------------------------------------------------------------- round trip */

static void check_pages(const struct dc_kdump_model *m, const uint8_t *d, uint64_t n)
{
	struct dc_kdump_view v;
	uint8_t page[PAGE];
	const struct dc_kdump_range *r = m->present ? m->present : m->runs;
	size_t nr = m->present ? m->npresent : m->nruns, found = 0;
	assert_int_equal(dc_kdump_open(d, n, &v), DC_OK);
	for (uint64_t pfn = 0; pfn < 0x80; pfn++) {
		bool present = false, want = false;
		uint64_t off;
		for (size_t i = 0; i < nr; i++)
			want |= pfn >= r[i].first_pfn && pfn < r[i].first_pfn + r[i].count;
		assert_int_equal(dc_kdump_page_offset(&v, pfn, &present, &off), DC_OK);
		assert_int_equal(present, want);
		if (!present)
			continue;
		found++;
		dc_kdump_page_pattern(m->fill_seed, pfn, page);
		for (size_t i = 0; i < m->npatches; i++)
			if (m->patches[i].pfn == pfn)
				memcpy(page + m->patches[i].offset, m->patches[i].bytes, m->patches[i].len);
		assert_memory_equal(d + off, page, PAGE);
		assert_true(d[off] == (uint8_t)pfn); /* word 0 of the pattern is the PFN */
	}
	assert_true(found > 0);
}

static void round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < NSHAPES; s++) {
		struct dc_kdump_model m = model((enum shape)s);
		uint64_t n;
		uint8_t *d = render_all(&m, &n);
		assert_true(dc_kdump_sniff(d, n));
		expect_clean(d, n);
		check_pages(&m, d, n);
		free(d);
	}
}

static void random_access(void **state)
{
	(void)state;
	uint32_t rng = 12345;
	for (int s = 0; s < NSHAPES; s++) {
		struct dc_kdump_model m = model((enum shape)s);
		uint64_t n;
		uint8_t *all = render_all(&m, &n), *part = malloc((size_t)n);
		assert_non_null(part);
		for (int k = 0; k < 300; k++) {
			rng = rng * 1103515245u + 12345u;
			uint64_t off = (rng >> 4) % n;
			rng = rng * 1103515245u + 12345u;
			size_t len = (size_t)((rng >> 4) % (n - off + 1));
			assert_int_equal(dc_kdump_render(&m, off, part, len), DC_OK);
			assert_memory_equal(part, all + off, len);
		}
		assert_int_equal(dc_kdump_render(&m, n, part, 1), DC_E_MISUSE);
		assert_int_equal(dc_kdump_render(&m, UINT64_MAX, part, 2), DC_E_MISUSE);
		assert_int_equal(dc_kdump_render(&m, n, part, 0), DC_OK);
		free(all);
		free(part);
	}
}

static void size_errors(void **state)
{
	(void)state;
	struct dc_kdump_model m = model(BITMAP64);
	struct dc_kdump_range unsorted[] = { { 0x41, 1 }, { 0x1, 2 } }, outside[] = { { 0x30, 1 } },
			      huge[] = { { 1ull << 60, 1 } };
	uint64_t n;
	m.present = unsorted;
	assert_int_equal(dc_kdump_size(&m, &n), DC_E_MALFORMED);
	m.present = outside;
	m.npresent = 1;
	assert_int_equal(dc_kdump_size(&m, &n), DC_E_MALFORMED);
	m = model(FULL64);
	m.runs = huge;
	m.nruns = 1;
	assert_int_equal(dc_kdump_size(&m, &n), DC_E_MALFORMED);
	m = model(FULL32);
	m.nruns = DC_KDUMP_MAX_RUNS32 + 1;
	assert_int_equal(dc_kdump_size(&m, &n), DC_E_MALFORMED);
	/* DUMP_HEADER's runs are u32: a 32-bit model cannot name PFN 2^32 (it
	 * would be rendered as PFN 0) nor a run of 2^32 pages */
	struct dc_kdump_range wide[] = { { 1ull << 32, 1 } }, long_run[] = { { 0, 1ull << 32 } };
	for (int s = FULL32; s <= BITMAP32; s++) {
		m = model((enum shape)s);
		m.present = NULL;
		m.npresent = 0;
		m.nruns = 1;
		m.runs = wide;
		assert_int_equal(dc_kdump_size(&m, &n), DC_E_MALFORMED);
		m.runs = long_run;
		assert_int_equal(dc_kdump_size(&m, &n), DC_E_MALFORMED);
		m.is64 = true; /* DUMP_HEADER64 holds both */
		m.runs = wide;
		assert_int_equal(dc_kdump_size(&m, &n), DC_OK);
	}
	assert_int_equal(dc_kdump_size(NULL, &n), DC_E_MISUSE);
	/* a 16 GiB model is a few runs, and its size is arithmetic */
	struct dc_kdump_range big[] = { { 0, 4ull << 20 } };
	m = model(BITMAP64);
	m.runs = big;
	m.nruns = 1;
	m.present = NULL;
	m.npresent = 0;
	assert_int_equal(dc_kdump_size(&m, &n), DC_OK);
	assert_true(n > (16ull << 30));
}

/* ---------------------------------------------------------------- the loader */

static enum dc_err load(const char *text, struct dc_kdump_model *m, char *err, size_t errlen)
{
	struct dc_toml *doc = NULL;
	struct dc_toml_error te;
	assert_int_equal(dc_toml_parse(text, strlen(text), NULL, &doc, &te), DC_OK);
	enum dc_err e = dc_kdump_model_from_toml(dc_toml_get(dc_toml_root(doc), "memory"), m, err, errlen);
	dc_toml_free(doc);
	return e;
}

static void loader(void **state)
{
	(void)state;
	struct dc_kdump_model m;
	char err[256];
	assert_int_equal(load("[memory]\narch = \"x86\"\ndump_type = \"bitmap\"\nbitmap_signature = \"FDMP\"\n"
			      "runs = [{ first_pfn = 0, count = 16 }]\npresent = [{ first_pfn = 3, count = 1 }]\n"
			      "patches = [{ pfn = 3, offset = 8, hex = \"0102\" }]\n",
			      &m, err, sizeof(err)),
			 DC_OK);
	assert_false(m.is64);
	assert_int_equal(m.dump_type, 5);
	assert_int_equal(m.bitmap_signature, DC_KDUMP_BITMAP_FDMP);
	assert_int_equal(m.nruns, 1);
	assert_int_equal(m.npatches, 1);
	assert_int_equal(m.patches[0].bytes[1], 2);
	dc_kdump_model_free(&m);
	dc_kdump_model_free(&m); /* twice is fine */
	static const char *const bad[] = {
		"[memory]\nbogus = 1\n",
		"[memory]\narch = \"arm\"\n",
		"[memory]\ndump_type = \"nonsense\"\n",
		"[memory]\nruns = [{ first_pfn = 1 }]\n",
		"[memory]\npatches = [{ pfn = 1, offset = 4095, hex = \"0102\" }]\n",
		"[memory]\npatches = [{ pfn = 1, hex = \"0g\" }]\n",
		"[memory]\nbitmap_signature = \"SDM\"\n",
		"[memory]\ndump_type = 5\nruns = [{ first_pfn = 0, count = 4 }]\npresent = [{ first_pfn = 9, count = 1 }]\n",
		"[memory]\nbugcheck_params = [1, 2, 3, 4, 5]\n",
		"[memory]\nnumber_processors = 0x100000000\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(bad[i], &m, err, sizeof(err)), DC_E_MALFORMED);
		assert_non_null(strstr(err, "line "));
		assert_null(m.runs);
	}
	assert_int_equal(dc_kdump_model_from_toml(NULL, &m, err, sizeof(err)), DC_E_MALFORMED);
}

static void shipped_scenarios(void **state)
{
	(void)state;
	static const char *const names[] = { "full64", "bitmap64", "full32", "bitmap32", "kernel64" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128], err[512];
		struct dc_kdump_model m;
		uint64_t n;
		snprintf(path, sizeof(path), "spec/kdump-scenarios/%s.toml", names[i]);
		assert_int_equal(dc_kdump_scenario_load(path, &m, err, sizeof(err)), DC_OK);
		uint8_t *d = render_all(&m, &n);
		struct dc_diags diags;
		validate(d, n, &diags);
		/* type 8 is header-only: one i_ finding, nothing else */
		assert_int_equal(diags.total, m.dump_type == 8 ? 1 : 0);
		dc_diags_free(&diags);
		free(d);
		dc_kdump_model_free(&m);
	}
	char err[512];
	struct dc_kdump_model m;
	assert_int_equal(dc_kdump_scenario_load("spec/kdump-scenarios/none.toml", &m, err, sizeof(err)), DC_E_IO);
}

/* ---------------------------------------------------------------- per rule */

struct edit {
	const char *rule;
	enum shape shape;
	uint64_t at;
	uint8_t bytes[16];
	size_t len;
	int64_t truncate; /* -1: keep; else the new length (negative offsets from the end below -1) */
	uint64_t max_work;
};

#define U32(v) { (v) & 0xFF, ((v) >> 8) & 0xFF, ((v) >> 16) & 0xFF, ((v) >> 24) & 0xFF }
#define NOCUT -1
#define CUT_FROM_END(n) (-1 - (n))

static const struct edit edits[] = {
	{ "kdump.header.truncated", FULL64, 0, { 0 }, 0, 0x1FFF, 0 },
	{ "kdump.header.truncated", FULL32, 0, { 0 }, 0, 6, 0 },
	{ "kdump.header.signature", FULL64, 0, U32(0x504D444Du), 4, NOCUT, 0 },
	{ "kdump.header.valid_dump", FULL32, 4, U32(0x34365545u), 4, NOCUT, 0 },
	{ "kdump.header.dump_type", FULL64, 0xF98, U32(7u), 4, NOCUT, 0 },
	{ "kdump.header.type_unchecked", FULL32, 0xF88, U32(4u), 4, NOCUT, 0 },
	{ "kdump.header.fill", FULL32, 0x6C + 2 * 8, { 0 }, 8, NOCUT, 0 },
	{ "kdump.runs.count", FULL32, 0x64, U32(87u), 4, NOCUT, 0 },
	{ "kdump.runs.count", FULL64, 0x88, U32(0x45474150u), 4, NOCUT, 0 },
	{ "kdump.runs.pages_sum", FULL32, 0x68, U32(9u), 4, NOCUT, 0 },
	{ "kdump.runs.order", FULL64, 0xA8, { 1 }, 8, NOCUT, 0 },
	{ "kdump.runs.overflow", FULL64, 0xA8, { 0, 0, 0, 0, 0, 0, 0x10, 0 }, 8, NOCUT, 0 },
	{ "kdump.full.truncated", FULL32, 0, { 0 }, 0, CUT_FROM_END(1), 0 },
	{ "kdump.file.trailing", BITMAP64, 0x2020, { 0, 0x20 }, 8, NOCUT, 0 },
	{ "kdump.bitmap.signature", BITMAP32, 0x1000, U32(0x504D4446u + 1), 4, NOCUT, 0 },
	{ "kdump.bitmap.valid_dump", BITMAP64, 0x2004, U32(0u), 4, NOCUT, 0 },
	{ "kdump.bitmap.in_file", BITMAP64, 0x2030, { 0, 0, 0, 0, 0, 0, 0, 1 }, 8, NOCUT, 0 },
	{ "kdump.bitmap.in_file", BITMAP32, 0, { 0 }, 0, 0x1037, 0 },
	{ "kdump.bitmap.present_count", BITMAP32, 0x1028, { 1 }, 8, NOCUT, 0 },
	{ "kdump.bitmap.first_page", BITMAP64, 0x2020, { 0x40, 0x20 }, 8, NOCUT, 0 },
	{ "kdump.bitmap.first_page_align", BITMAP64, 0x2020, { 0x01, 0x30 }, 8, NOCUT, 0 },
	{ "kdump.bitmap.truncated", BITMAP32, 0, { 0 }, 0, CUT_FROM_END(4096), 0 },
	{ "kdump.bitmap.padding", BITMAP64, 0x2030, { 0x41 }, 8, NOCUT, 0 }, /* bit 0x41 is present */
	{ "kdump.bitmap.outside_runs", BITMAP64, 0x2038 + 0x30 / 8, { 0x01 }, 1, NOCUT, 0 },
	{ "kdump.exception.parameters", FULL64, 0xF18, U32(16u), 4, NOCUT, 0 },
	{ "kdump.exception.parameters", FULL32, 0x7E0, U32(0xFFFFFFFFu), 4, NOCUT, 0 },
	{ "kdump.context.arch", FULL32, 0x320, U32(0x0010001Fu), 4, NOCUT, 0 },
	{ "kdump.context.arch", BITMAP64, 0x348 + 0x30, U32(0x0001003Fu), 4, NOCUT, 0 },
	{ "kdump.limit.bitmap", BITMAP64, 0, { 0 }, 0, NOCUT, 1 },
};

static bool fired(const struct dc_diags *d, const char *id)
{
	const struct dc_rule_desc *rd = dc_rule_lookup(id);
	assert_non_null(rd);
	return d->per_rule[rd - dc_rule_descs] > 0;
}

static void one_edit(const struct edit *e)
{
	struct dc_kdump_model m = model(e->shape);
	uint64_t n;
	uint8_t *d = render_all(&m, &n);
	struct dc_validate_opts opts;
	struct dc_diags diags;
	dc_validate_opts_default(&opts);
	/* quiet on the clean dump (under the default budgets) */
	memset(&diags, 0, sizeof(diags));
	assert_int_equal(dc_kdump_validate(d, n, &opts, &diags), DC_OK);
	assert_false(fired(&diags, e->rule));
	dc_diags_free(&diags);
	if (e->max_work)
		opts.limits.max_work = e->max_work;
	/* fires on the edited one */
	memcpy(d + e->at, e->bytes, e->len);
	if (e->truncate >= 0)
		n = (uint64_t)e->truncate;
	else if (e->truncate < NOCUT)
		n -= (uint64_t)(-(e->truncate + 1));
	assert_int_equal(dc_kdump_validate(d, n, &opts, &diags), DC_OK);
	if (!fired(&diags, e->rule))
		fail_msg("%s did not fire", e->rule);
	dc_diags_free(&diags);
	free(d);
}

static void per_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
		one_edit(&edits[i]);
	/* every kdump.* rule has an edit here */
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		bool have = strncmp(dc_rule_descs[r].id, "kdump.", 6) != 0;
		for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]) && !have; i++)
			have = strcmp(edits[i].rule, dc_rule_descs[r].id) == 0;
		if (!have)
			fail_msg("no edit fires %s", dc_rule_descs[r].id);
	}
}

/* ---------------------------------------------------------------- hostile input */

static void truncated_everywhere(void **state)
{
	(void)state;
	for (int s = 0; s < NSHAPES; s++) {
		struct dc_kdump_model m = model((enum shape)s);
		uint64_t n;
		uint8_t *d = render_all(&m, &n);
		for (uint64_t len = 0; len < n; len++) {
			struct dc_diags diags;
			struct dc_kdump_view v;
			uint8_t *copy = malloc(len ? (size_t)len : 1); /* ASan sees reads past the cut */
			assert_non_null(copy);
			memcpy(copy, d, (size_t)len);
			memset(&diags, 0, sizeof(diags));
			assert_int_equal(dc_kdump_validate(copy, len, NULL, &diags), DC_OK);
			if (diags.total == 0)
				fail_msg("shape %d cut at %llu: no finding", s, (unsigned long long)len);
			assert_true(dc_diags_verdict(&diags) == DC_VERDICT_N);
			dc_diags_free(&diags);
			if (dc_kdump_open(copy, len, &v) == DC_OK) {
				bool present;
				uint64_t off;
				enum dc_err err = dc_kdump_page_offset(&v, 0x41, &present, &off);
				assert_true(err == DC_OK || err == DC_E_TRUNCATED);
			}
			free(copy);
		}
		free(d);
	}
}

static void misuse_and_sniff(void **state)
{
	(void)state;
	struct dc_diags diags;
	memset(&diags, 0, sizeof(diags));
	assert_int_equal(dc_kdump_validate(NULL, 5, NULL, &diags), DC_E_MISUSE);
	assert_int_equal(dc_kdump_validate(NULL, 0, NULL, &diags), DC_OK);
	assert_true(diags.total == 1);
	dc_diags_free(&diags);
	assert_false(dc_kdump_sniff((const uint8_t *)"PAGEDUM", 7));
	assert_true(dc_kdump_sniff((const uint8_t *)"PAGEDUMP", 8));
	assert_true(dc_kdump_sniff((const uint8_t *)"PAGEDU64", 8));
	assert_false(dc_kdump_sniff((const uint8_t *)"MDMP\x93\xa7\0\0", 8));
	struct dc_kdump_view v;
	assert_int_equal(dc_kdump_open((const uint8_t *)"MDMP\x93\xa7\0\0", 8, &v), DC_E_MALFORMED);
	bool present;
	uint64_t off;
	assert_int_equal(dc_kdump_page_offset(NULL, 0, &present, &off), DC_E_MISUSE);
}

static void strict_stops(void **state)
{
	(void)state;
	struct dc_kdump_model m = model(FULL64);
	uint64_t n;
	uint8_t *d = render_all(&m, &n);
	struct dc_validate_opts opts;
	struct dc_diags diags;
	dc_validate_opts_default(&opts);
	opts.strict = 1;
	d[0xF18] = 0x20;                    /* exception parameters */
	d[0x90] = 9;                        /* pages sum */
	memset(&diags, 0, sizeof(diags));
	assert_int_equal(dc_kdump_validate(d, n - 1, &opts, &diags), DC_OK);
	assert_int_equal(diags.total, 1);
	dc_diags_free(&diags);
	free(d);
}

static void print_text_and_json(void **state)
{
	(void)state;
	for (int s = 0; s < NSHAPES; s++) {
		struct dc_kdump_model m = model((enum shape)s);
		uint64_t n;
		uint8_t *d = render_all(&m, &n);
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_non_null(f);
		assert_int_equal(dc_kdump_print(d, n, s % 2 == 1, f), DC_OK);
		fclose(f);
		assert_non_null(strstr(text, "NumberOfRuns"));
		if (m.dump_type == DC_KDUMP_TYPE_BITMAP)
			assert_non_null(strstr(text, "TotalPresentPages"));
		free(text);
		free(d);
	}
}

static void write_file_and_first_page(void **state)
{
	(void)state;
	for (int s = 0; s < NSHAPES; s++) {
		struct dc_kdump_model m = model((enum shape)s);
		uint64_t n, first;
		uint8_t *d = render_all(&m, &n);
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);
		assert_non_null(f);
		assert_int_equal(dc_kdump_write_file(&m, f, 1000), DC_OK);
		fclose(f);
		assert_int_equal(len, n);
		assert_memory_equal(text, d, len);
		free(text);
		assert_int_equal(dc_kdump_first_page(&m, &first), DC_OK);
		struct dc_kdump_view v;
		assert_int_equal(dc_kdump_open(d, n, &v), DC_OK);
		assert_int_equal(v.first_page, first);
		assert_int_equal(first % PAGE, 0);
		free(d);
	}
}

/* A bitmap whose FirstPage is near 2^64: the page is held, its offset passes 64 bits. */
static void page_offset_overflow(void **state)
{
	(void)state;
	struct dc_kdump_model m = model(BITMAP64);
	uint64_t n, off = 0;
	uint8_t *d = render_all(&m, &n);
	memset(d + 0x2020, 0xFF, 8);
	struct dc_kdump_view v;
	bool present = false;
	assert_int_equal(dc_kdump_open(d, n, &v), DC_OK);
	assert_int_equal(dc_kdump_page_offset(&v, 0x41, &present, &off), DC_E_TRUNCATED);
	assert_true(present);
	assert_int_equal(off, UINT64_MAX);
	assert_int_equal(dc_kdump_page_offset(&v, 0x40, &present, &off), DC_OK);
	assert_false(present);
	free(d);
}

/* kdump.runs.overflow's bound: a run may end at PFN 2^52 (its last page's
 * address, (2^52 - 1) x 4096, fits 64 bits), not one page later. */
static void runs_overflow_bound(void **state)
{
	(void)state;
	struct dc_kdump_model m = model(FULL64);
	uint64_t n;
	uint8_t *d = render_all(&m, &n);
	struct dc_diags diags;
	for (int past = 0; past <= 1; past++) {
		uint64_t base = (1ull << 52) - 3 + (uint64_t)past; /* run 1 has 3 pages */
		for (unsigned b = 0; b < 8; b++)
			d[0xA8 + b] = (uint8_t)(base >> (8 * b));
		validate(d, n, &diags);
		assert_int_equal(fired(&diags, "kdump.runs.overflow"), past == 1);
		dc_diags_free(&diags);
	}
	free(d);
}

/* A bitmap whose FirstPage points into the header or the bitmap: a lookup
 * would hand out header bytes as page data, so the reader refuses the dump
 * (the validator's kdump.bitmap.first_page, a decode rule). */
static void first_page_before_bitmap_end(void **state)
{
	(void)state;
	static const uint64_t bad[] = { 0, 0x2000, 0x2038, 0x2047 };
	struct dc_kdump_model m = model(BITMAP64);
	uint64_t n;
	uint8_t *d = render_all(&m, &n);
	struct dc_kdump_view v;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (unsigned b = 0; b < 8; b++)
			d[0x2020 + b] = (uint8_t)(bad[i] >> (8 * b));
		assert_int_equal(dc_kdump_open(d, n, &v), DC_E_MALFORMED);
	}
	/* the end of the 16-byte bitmap (0x2048) is the first offset allowed */
	d[0x2020] = 0x48;
	assert_int_equal(dc_kdump_open(d, n, &v), DC_OK);
	free(d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(write_file_and_first_page),
	cmocka_unit_test(page_offset_overflow),
	cmocka_unit_test(first_page_before_bitmap_end),
	cmocka_unit_test(runs_overflow_bound),
	cmocka_unit_test(round_trip),
	cmocka_unit_test(random_access),
	cmocka_unit_test(size_errors),
	cmocka_unit_test(loader),
	cmocka_unit_test(shipped_scenarios),
	cmocka_unit_test(per_rule),
	cmocka_unit_test(truncated_everywhere),
	cmocka_unit_test(misuse_and_sniff),
	cmocka_unit_test(strict_stops),
	cmocka_unit_test(print_text_and_json),
};

int main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
