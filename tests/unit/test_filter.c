/* Unit tests of the crash-dump filter stack, its example filters, traces and
 * checker (dumpcheck/filter.h).
 *
 * - the ABI header's layouts at run time (they are pinned at compile time);
 * - the example scenarios (spec/filter-scenarios): full, bitmap, the
 *   encrypting round trip (ciphertext on the partition, the read path gives
 *   back the rendered dump, which validates), the v1 filter asking for reads
 *   (gets none), a failing filter at each routine (the documented outcome of
 *   spec/rules/filter.toml's filter.error.* rules), the misbehaving filters
 *   (Dump_Write's and Dump_Read's rules);
 * - per filter.* rule, a firing and a quiet case: every case of
 *   spec/cases/filter.toml built and judged here;
 * - MaxPagesPerWrite chunking (every write within the limit, the writes add
 *   up to the dump) over several limits;
 * - scenario and trace loader errors.
 * Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dumpcheck/corpus.h"
#include "dumpcheck/filter.h"

#define SCEN "spec/filter-scenarios"

struct run {
	struct dc_filter_scenario sc;
	struct dc_filter_memdisk mem;
	struct dc_filter_result res;
	struct dc_buf image;
	char *text;
	size_t len;
	struct dc_filter_trace t;
	struct dc_diags d;
};

static enum dc_err sink(void *ctx, uint64_t off, const void *buf, size_t len)
{
	return dc_sink_buf_write(ctx, off, buf, len);
}

static void load_scenario(const char *name, struct dc_filter_scenario *sc)
{
	char path[256], why[256];
	struct dc_file f;
	snprintf(path, sizeof(path), SCEN "/%s.toml", name);
	assert_int_equal(dc_file_open(&f, path, 1u << 24), DC_OK);
	enum dc_err e = dc_filter_scenario_parse((const char *)f.data, f.size, sc, why, sizeof(why));
	if (e != DC_OK)
		fail_msg("%s: %s", path, why);
	dc_file_close(&f);
}

/* Run the loaded scenario, load its trace and check it with the image. */
static void run_loaded(struct run *r)
{
	struct dc_filter_disk disk;
	char why[256];
	assert_int_equal(dc_filter_memdisk_init(&r->mem, r->sc.part.size, &disk), DC_OK);
	FILE *tf = open_memstream(&r->text, &r->len);
	assert_non_null(tf);
	assert_int_equal(dc_filter_scenario_run(&r->sc, &disk, tf, "image.dmp", sink, &r->image, &r->res), DC_OK);
	assert_int_equal(fclose(tf), 0);
	if (dc_filter_trace_load(r->text, r->len, NULL, &r->t, why, sizeof(why)) != DC_OK)
		fail_msg("trace: %s", why);
	const uint8_t *img = r->res.read_back ? r->image.data : NULL;
	assert_int_equal(dc_filter_check(&r->t, img, r->res.read_back ? r->image.len : 0, &r->d, NULL), DC_OK);
}

static void run(const char *name, struct run *r)
{
	memset(r, 0, sizeof(*r));
	load_scenario(name, &r->sc);
	run_loaded(r);
}

static void run_free(struct run *r)
{
	dc_filter_scenario_free(&r->sc);
	dc_filter_memdisk_free(&r->mem);
	dc_buf_free(&r->image);
	free(r->text);
	dc_filter_trace_free(&r->t);
	dc_diags_free(&r->d);
}

static unsigned fired(const struct run *r, const char *rule)
{
	const struct dc_rule_desc *rd = dc_rule_lookup(rule);
	assert_non_null(rd);
	return r->d.per_rule[rd - dc_rule_descs];
}

static size_t count_cb(const struct run *r, uint32_t filter, uint32_t cb)
{
	size_t n = 0;
	for (size_t i = 0; i < r->t.nrecs; i++)
		n += r->t.recs[i].kind == DC_FREC_CALLBACK && r->t.recs[i].filter == filter && r->t.recs[i].callback == cb;
	return n;
}

/* The writes: each at most `pages` pages, adding up to the dump. */
static void check_chunks(const struct run *r, uint32_t pages)
{
	uint64_t sum = 0, n = 0;
	for (size_t i = 0; i < r->t.nrecs; i++)
		if (r->t.recs[i].kind == DC_FREC_WRITE) {
			assert_true(r->t.recs[i].count_in > 0);
			assert_true(r->t.recs[i].count_in <= (uint64_t)pages * DC_FILTER_PAGE_SIZE);
			assert_int_equal(r->t.recs[i].offset_in, r->sc.part.dump_offset + sum);
			sum += r->t.recs[i].count_in;
			n++;
		}
	assert_int_equal(sum, r->res.dump_size);
	assert_int_equal(n, r->res.writes);
	assert_int_equal((r->res.dump_size + (uint64_t)pages * DC_FILTER_PAGE_SIZE - 1) / (pages * DC_FILTER_PAGE_SIZE),
			 n);
}

/* The image is the rendered dump, and a valid kernel dump. */
static void check_image_is_dump(const struct run *r)
{
	uint8_t *want = malloc(r->res.dump_size);
	struct dc_validate_opts o;
	struct dc_diags d = { 0 };
	assert_non_null(want);
	assert_true(r->res.read_back);
	assert_int_equal(r->image.len, r->res.dump_size);
	assert_int_equal(dc_kdump_render(&r->sc.model, 0, want, r->res.dump_size), DC_OK);
	assert_memory_equal(r->image.data, want, r->res.dump_size);
	dc_validate_opts_default(&o);
	assert_int_equal(dc_kdump_validate(r->image.data, r->image.len, &o, &d), DC_OK);
	assert_int_equal(dc_diags_count_level(&d, DC_LEVEL_MUST), 0);
	dc_diags_free(&d);
	free(want);
}

/* ---------------------------------------------------------------- ABI */

static void abi_layouts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(FILTER_INITIALIZATION_DATA), 72);
	assert_int_equal(offsetof(FILTER_INITIALIZATION_DATA, DumpData), 40);
	assert_int_equal(offsetof(FILTER_INITIALIZATION_DATA, MaxPagesPerWrite), 48);
	assert_int_equal(offsetof(FILTER_INITIALIZATION_DATA, Flags), 52);
	assert_int_equal(offsetof(FILTER_INITIALIZATION_DATA, DumpRead), 56);
	assert_int_equal(offsetof(FILTER_INITIALIZATION_DATA, DumpPreReadWrite), 64);
	assert_int_equal(DUMP_FILTER_EXTENSION_SIZE_V1, 80);
	assert_int_equal(DUMP_FILTER_EXTENSION_SIZE_V2, 88);
	assert_int_equal(offsetof(FILTER_EXTENSION, DumpData), 72);
	assert_int_equal(offsetof(MDL, ByteCount), 40);
	assert_int_equal(DUMP_FILTER_CRITICAL, DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ);
}

/* ---------------------------------------------------------------- scenarios */

static void scenario_full(void **state)
{
	struct run r;
	(void)state;
	run("full", &r);
	assert_int_equal(r.d.total, 0);
	assert_int_equal(r.res.status, STATUS_SUCCESS);
	check_chunks(&r, 4);
	check_image_is_dump(&r);
	/* pass-through: the partition holds the dump itself */
	assert_memory_equal(r.mem.data + r.sc.part.dump_offset, r.image.data, r.res.dump_size);
	assert_int_equal(count_cb(&r, 0, CallbackDumpStart), 1);
	assert_int_equal(count_cb(&r, 0, CallbackDumpWrite), r.res.writes);
	assert_int_equal(count_cb(&r, 0, CallbackDumpFinish), 1);
	assert_int_equal(count_cb(&r, 0, DC_FILTER_UNLOAD), 1);
	assert_int_equal(count_cb(&r, 0, CallbackDumpRead), 0);
	run_free(&r);
}

static void scenario_bitmap(void **state)
{
	struct run r;
	(void)state;
	run("bitmap", &r);
	assert_int_equal(r.d.total, 0);
	assert_int_equal(r.t.dump_type, DumpTypeHibernation);
	check_chunks(&r, 3);
	check_image_is_dump(&r);
	run_free(&r);
}

static void scenario_encrypting(void **state)
{
	struct run r;
	(void)state;
	run("encrypting", &r);
	assert_int_equal(r.d.total, 0);
	check_chunks(&r, 4);
	check_image_is_dump(&r);
	/* ciphertext on the partition: no "PAGE" signature, bytes differ */
	assert_memory_not_equal(r.mem.data + r.sc.part.dump_offset, r.image.data, 8);
	assert_int_equal(count_cb(&r, 1, CallbackDumpRead), r.res.reads);
	assert_int_equal(count_cb(&r, 0, CallbackDumpRead), 0); /* the observer did not ask */
	for (size_t i = 0; i < r.t.nrecs; i++)
		if (r.t.recs[i].kind == DC_FREC_CALLBACK && r.t.recs[i].callback == CallbackDumpWrite &&
		    r.t.recs[i].filter == 1)
			assert_true(r.t.recs[i].redirected && r.t.recs[i].va_page_offset == 0);
	run_free(&r);
}

static void scenario_v1_read_flag(void **state)
{
	struct run r;
	(void)state;
	run("v1-read-flag", &r);
	assert_int_equal(r.d.total, 0);
	assert_int_equal(r.t.recs[0].major, 1);
	assert_true(r.t.recs[0].flags & DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ);
	assert_true(r.t.recs[0].has_read);
	assert_int_equal(count_cb(&r, 0, CallbackDumpRead), 0);
	assert_true(r.res.read_back && r.res.reads > 0);
	run_free(&r);
}

static void scenario_no_filters(void **state)
{
	struct run r;
	(void)state;
	run("no-filters", &r);
	assert_int_equal(r.d.total, 0);
	check_chunks(&r, DC_FILTER_STACK_MAX_PAGES);
	check_image_is_dump(&r);
	run_free(&r);
}

/* ---------------------------------------------------------------- failing filters */

static void fail_init(void **state)
{
	struct run r;
	(void)state;
	run("fail-init-critical", &r); /* Flags 0x1: critical */
	assert_int_equal(r.res.status, STATUS_INSUFFICIENT_RESOURCES);
	assert_int_equal(r.res.writes, 0);
	assert_int_equal(r.res.loaded, 1);
	assert_int_equal(count_cb(&r, 0, CallbackDumpStart), 0);
	assert_int_equal(count_cb(&r, 0, DC_FILTER_UNLOAD), 1); /* loaded, no dump happened */
	assert_int_equal(count_cb(&r, 1, DC_FILTER_UNLOAD), 0); /* never loaded */
	assert_int_equal(fired(&r, "filter.error.init_critical"), 1);
	run_free(&r);
	run("fail-init", &r); /* Flags 0: dropped */
	assert_int_equal(r.res.status, STATUS_SUCCESS);
	assert_int_equal(r.res.loaded, 1);
	assert_int_equal(count_cb(&r, 1, CallbackDumpStart) + count_cb(&r, 1, DC_FILTER_UNLOAD), 0);
	check_image_is_dump(&r);
	assert_int_equal(fired(&r, "filter.error.init_noncritical"), 1);
	run_free(&r);
}

static void fail_start(void **state)
{
	struct run r;
	(void)state;
	run("fail-start", &r);
	assert_int_equal(r.res.status, STATUS_IO_DEVICE_ERROR);
	assert_int_equal(r.res.writes, 0);
	assert_false(r.res.read_back);
	assert_int_equal(count_cb(&r, 0, CallbackDumpFinish), 1); /* started before the failure */
	assert_int_equal(count_cb(&r, 1, CallbackDumpFinish), 0);
	assert_int_equal(count_cb(&r, 0, DC_FILTER_UNLOAD) + count_cb(&r, 1, DC_FILTER_UNLOAD), 2);
	assert_int_equal(fired(&r, "filter.error.start"), 1);
	run_free(&r);
}

static void fail_write_finish(void **state)
{
	struct run r;
	(void)state;
	run("fail-write", &r); /* the data still reaches the disk, the dump goes on */
	assert_int_equal(r.res.status, STATUS_IO_DEVICE_ERROR);
	assert_int_equal(r.res.bytes_written, r.res.dump_size);
	check_image_is_dump(&r);
	assert_int_equal(fired(&r, "filter.error.write"), 1);
	run_free(&r);
	run("fail-finish", &r);
	assert_int_equal(r.res.status, STATUS_IO_DEVICE_ERROR);
	assert_int_equal(r.res.bytes_written, r.res.dump_size);
	assert_int_equal(count_cb(&r, 0, CallbackDumpFinish), 1);
	assert_int_equal(fired(&r, "filter.error.finish"), 1);
	run_free(&r);
}

static void fail_read_unload(void **state)
{
	struct run r;
	(void)state;
	run("fail-read", &r); /* the read path stops at the second chunk */
	assert_int_equal(r.res.status, STATUS_SUCCESS);
	assert_int_equal(r.res.read_status, STATUS_IO_DEVICE_ERROR);
	assert_false(r.res.read_back);
	assert_int_equal(r.res.reads, 1);
	assert_int_equal(fired(&r, "filter.error.read"), 1);
	run_free(&r);
	run("fail-unload", &r);
	assert_int_equal(r.res.status, STATUS_SUCCESS);
	assert_int_equal(count_cb(&r, 0, DC_FILTER_UNLOAD) + count_cb(&r, 1, DC_FILTER_UNLOAD), 2);
	assert_int_equal(fired(&r, "filter.error.unload"), 1);
	check_image_is_dump(&r);
	run_free(&r);
}

static void misbehaving(void **state)
{
	static const char *const pairs[][2] = {
		{ "misbehave-offset", "filter.write.offset_unchanged" },
		{ "misbehave-count", "filter.write.count_unchanged" },
		{ "misbehave-in-place", "filter.write.no_in_place" },
		{ "misbehave-unaligned", "filter.write.buffer_aligned" },
		{ "misbehave-oversize", "filter.write.buffer_size" },
		{ "bad-version", "filter.init.version" },
		{ "zero-pages", "filter.init.max_pages" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct run r;
		run(pairs[i][0], &r);
		if (fired(&r, pairs[i][1]) != 1)
			fail_msg("%s: %s fired %u times", pairs[i][0], pairs[i][1], fired(&r, pairs[i][1]));
		run_free(&r);
	}
}

/* Dump_Read's offset and MDL (filter.read.*): the misbehaving scenarios fire
 * their rule once (their second Dump_Read), the stack does not follow the
 * change; the clean encrypting run keeps both quiet though it judged every
 * Dump_Read; an observer repointing on every Dump_Read fires per read. */
static void misbehaving_read(void **state)
{
	struct run r;
	bool ex[DC_RULE_COUNT];
	enum dc_fx_misbehave m;
	(void)state;
	assert_true(dc_fx_misbehave_parse("read_offset", &m) && m == DC_FX_READ_OFFSET);
	assert_true(dc_fx_misbehave_parse("read_mdl", &m) && dc_fx_misbehave_is_read(m));
	assert_string_equal(dc_fx_misbehave_name(DC_FX_READ_MDL), "read_mdl");
	assert_false(dc_fx_misbehave_is_read(DC_FX_OFFSET));
	run("misbehave-read-offset", &r); /* decrypts, then moves the offset: the data is right */
	assert_int_equal(fired(&r, "filter.read.offset_unchanged"), 1);
	assert_int_equal(fired(&r, "filter.read.mdl_unchanged"), 0);
	assert_int_equal(r.d.total, 1);
	check_image_is_dump(&r); /* read and delivered at the stack's own offset */
	run_free(&r);
	run("misbehave-read-mdl", &r); /* decrypts into its buffer: the stack delivers its own */
	assert_int_equal(fired(&r, "filter.read.mdl_unchanged"), 1);
	assert_int_equal(fired(&r, "filter.read.offset_unchanged"), 0);
	assert_int_equal(fired(&r, "filter.cross.read_back"), 1);
	assert_true(r.res.read_back);
	run_free(&r);
	run("encrypting", &r);
	dc_diags_free(&r.d);
	memset(&r.d, 0, sizeof(r.d));
	assert_int_equal(dc_filter_check(&r.t, r.image.data, r.image.len, &r.d, ex), DC_OK);
	assert_int_equal(r.d.total, 0);
	assert_true(ex[dc_rule_lookup("filter.read.offset_unchanged") - dc_rule_descs]);
	assert_true(ex[dc_rule_lookup("filter.read.mdl_unchanged") - dc_rule_descs]);
	run_free(&r);
	memset(&r, 0, sizeof(r));
	load_scenario("full", &r.sc);
	r.sc.filters[0].p.dump_read = true;
	r.sc.filters[0].p.flags = DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ;
	r.sc.filters[0].p.misbehave = DC_FX_READ_MDL;
	run_loaded(&r);
	assert_true(r.res.reads > 1);
	assert_int_equal(fired(&r, "filter.read.mdl_unchanged"), r.res.reads);
	assert_int_equal(fired(&r, "filter.cross.read_back"), 0); /* an observer's copy changes nothing */
	assert_int_equal(fired(&r, "filter.write.offset_unchanged"), 0); /* a read misbehaviour: writes clean */
	check_image_is_dump(&r);
	run_free(&r);
}

/* ---------------------------------------------------------------- chunking */

static void chunking(void **state)
{
	static const uint32_t limits[][2] = { { 1, 0 }, { 3, 0 }, { 7, 5 }, { 64, 0 }, { 2, 1 }, { 16, 16 } };
	(void)state;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct run r;
		memset(&r, 0, sizeof(r));
		load_scenario("encrypting", &r.sc);
		r.sc.filters[1].p.max_pages = limits[i][0];
		r.sc.stack_max_pages = limits[i][1];
		run_loaded(&r);
		uint32_t want = limits[i][0] < 8 ? limits[i][0] : 8; /* the observer's 8 */
		if (limits[i][1] && limits[i][1] < want)
			want = limits[i][1];
		assert_int_equal(r.d.total, 0);
		check_chunks(&r, want);
		check_image_is_dump(&r);
		run_free(&r);
	}
}

/* ---------------------------------------------------------------- every case */

static void every_case(void **state)
{
	struct dc_case_set set;
	char why[1024];
	(void)state;
	assert_int_equal(dc_cases_load("spec/cases/filter.toml", &set, why, sizeof(why)), DC_OK);
	for (size_t i = 0; i < set.ncases; i++) {
		const struct dc_case *c = &set.cases[i];
		struct dc_buf trace, image;
		struct dc_filter_trace t;
		struct dc_diags d = { 0 };
		if (dc_case_build_filter(c, SCEN, &trace, &image, why, sizeof(why)) != DC_OK)
			fail_msg("%s", why);
		if (dc_filter_trace_load((const char *)trace.data, trace.len, NULL, &t, why, sizeof(why)) != DC_OK)
			fail_msg("%s: %s", c->id, why);
		assert_int_equal(dc_filter_check(&t, image.len ? image.data : NULL, image.len, &d, NULL), DC_OK);
		if (!dc_case_check(c, &d, why, sizeof(why)))
			fail_msg("%s: %s", c->id, why);
		dc_filter_trace_free(&t);
		dc_diags_free(&d);
		dc_buf_free(&trace);
		dc_buf_free(&image);
	}
	dc_cases_free(&set);
}

/* ---------------------------------------------------------------- loader errors */

#define EXPECT_BASE "[partition]\nsize = 1048576\n[memory]\narch = \"x64\"\ndump_type = \"full\"\nruns = []\n"

static void scenario_errors(void **state)
{
	static const char *const bad[] = {
		"name = \"x\"\n", /* no partition */
		"[partition]\nsize = 4096\nbogus = 1\n[memory]\narch = \"x64\"\n",
		"[partition]\nsize = 1048576\n[memory]\narch = \"x64\"\ndump_type = \"full\"\nruns = []\n"
		"[[filter]]\nname = \"a\"\nfail = { callback = \"CallbackNope\" }\n",
		"[partition]\nsize = 1048576\n[memory]\narch = \"x64\"\ndump_type = \"full\"\nruns = []\n"
		"[[filter]]\nname = \"a\"\nmisbehave = { what = \"dance\" }\n",
		"[partition]\nsize = 1048576\ndump_offset = 3\n[memory]\narch = \"x64\"\n",
		EXPECT_BASE "[expect]\nfires = [\"filter.no.such_rule\"]\n",
		EXPECT_BASE "[expect]\nfires = \"filter.init.version\"\n",
		EXPECT_BASE "[expect]\nquiet = []\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dc_filter_scenario sc;
		char why[256];
		assert_int_not_equal(dc_filter_scenario_parse(bad[i], strlen(bad[i]), &sc, why, sizeof(why)), DC_OK);
		assert_true(why[0] != 0);
	}
	/* [expect] (tools/trace_conform.py's) is accepted and ignored by the stack */
	static const char good[] = EXPECT_BASE "[expect]\nfires = [\"filter.init.version\", \"filter.cross.read_back\"]\n";
	struct dc_filter_scenario sc;
	char why[256] = "";
	assert_int_equal(dc_filter_scenario_parse(good, strlen(good), &sc, why, sizeof(why)), DC_OK);
	dc_filter_scenario_free(&sc);
}

static void trace_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"{\"record\":\"init\",\"seq\":1}\n",
		"{\"record\":\"header\",\"schema\":\"dumpcheck-filter-trace\",\"schema_version\":9}\n",
		"{\"record\":\"header\",\"schema\":\"dumpcheck-filter-trace\",\"schema_version\":1,\"dump_type_value\":1,"
		"\"stack_max_pages\":4,\"extension_size\":88,\"partition\":{\"size\":\"0x1000\",\"dump_offset\":0},"
		"\"filters\":[]}\n{\"record\":\"init\",\"seq\":1,\"filter\":0}\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dc_filter_trace t;
		char why[256];
		assert_int_not_equal(dc_filter_trace_load(bad[i], strlen(bad[i]), NULL, &t, why, sizeof(why)), DC_OK);
		assert_true(why[0] != 0);
	}
}

/* ---------------------------------------------------------------- checker: hand-made traces */

#define HAND_HEADER                                                                                    \
	"{\"record\":\"header\",\"schema\":\"dumpcheck-filter-trace\",\"schema_version\":1,"             \
	"\"implementation\":\"hand\",\"version\":\"1\",\"scenario\":\"hand\",\"dump_type_value\":1,"      \
	"\"stack_max_pages\":4,\"extension_size\":88,\"partition\":{\"size\":\"0x100000\","             \
	"\"dump_offset\":\"0x1000\"},\"filters\":[\"a\"]}\n"
#define HAND_INIT(start)                                                                                \
	"{\"record\":\"init\",\"seq\":1,\"filter\":0,\"status\":\"0x0\",\"major\":2,\"minor\":0,"        \
	"\"flags\":0,\"max_pages\":4,\"dump_start\":" start ",\"dump_write\":true,"                      \
	"\"dump_finish\":true,\"dump_unload\":false,\"dump_read\":false,\"dump_data\":1,"              \
	"\"loaded\":true}\n"

static unsigned check_text(const char *text, size_t len, const char *rule)
{
	struct dc_filter_trace t;
	struct dc_diags d = { 0 };
	char why[256];
	if (dc_filter_trace_load(text, len, NULL, &t, why, sizeof(why)) != DC_OK)
		fail_msg("trace: %s", why);
	assert_int_equal(dc_filter_check(&t, NULL, 0, &d, NULL), DC_OK);
	const struct dc_rule_desc *rd = dc_rule_lookup(rule);
	assert_non_null(rd);
	unsigned n = d.per_rule[rd - dc_rule_descs];
	dc_filter_trace_free(&t);
	dc_diags_free(&d);
	return n;
}

/* A filter without Dump_Start is started by the dump: a stack that writes
 * without calling its Dump_Write breaks filter.order.start_before_write as
 * much as for a filter that has one. */
static void startless_filter_skipped(void **state)
{
	static const char skipped[] = HAND_HEADER HAND_INIT("false")
		"{\"record\":\"write\",\"seq\":2,\"offset\":\"0x1000\",\"byte_count\":4096,\"source\":\"0x1\","
		"\"data\":\"0x1\"}\n";
	static const char called[] = HAND_HEADER HAND_INIT("false")
		"{\"record\":\"callback\",\"seq\":2,\"filter\":0,\"callback_value\":2,\"dump_data\":1,"
		"\"offset_in\":\"0x1000\",\"offset_out\":\"0x1000\",\"byte_count_in\":4096,\"byte_count_out\":4096,"
		"\"byte_offset_in\":0,\"byte_offset_out\":0,\"va_page_offset\":0,\"pages\":1,\"redirected\":false,"
		"\"data_in\":\"0x1\",\"data_in_after\":\"0x1\",\"data_out\":\"0x1\",\"status\":\"0x0\"}\n"
		"{\"record\":\"write\",\"seq\":3,\"offset\":\"0x1000\",\"byte_count\":4096,\"source\":\"0x1\","
		"\"data\":\"0x1\"}\n";
	(void)state;
	assert_int_equal(check_text(skipped, strlen(skipped), "filter.order.start_before_write"), 1);
	assert_int_equal(check_text(called, strlen(called), "filter.order.start_before_write"), 0);
}

/* Dump_Finish comes after all data is written: a write record after a
 * filter's Dump_Finish put data on the disk its Dump_Write never saw. */
static void write_after_finish(void **state)
{
#define WAF_START                                                                                       \
	"{\"record\":\"callback\",\"seq\":2,\"filter\":0,\"callback_value\":1,\"dump_data\":1,"         \
	"\"status\":\"0x0\"}\n"                                                                         \
	"{\"record\":\"callback\",\"seq\":3,\"filter\":0,\"callback_value\":2,\"dump_data\":1,"         \
	"\"offset_in\":\"0x1000\",\"offset_out\":\"0x1000\",\"byte_count_in\":4096,"                   \
	"\"byte_count_out\":4096,\"byte_offset_in\":0,\"byte_offset_out\":0,\"va_page_offset\":0,"      \
	"\"pages\":1,\"redirected\":false,\"data_in\":\"0x1\",\"data_in_after\":\"0x1\","               \
	"\"data_out\":\"0x1\",\"status\":\"0x0\"}\n"                                                    \
	"{\"record\":\"write\",\"seq\":4,\"offset\":\"0x1000\",\"byte_count\":4096,\"source\":\"0x1\","  \
	"\"data\":\"0x1\"}\n"                                                                           \
	"{\"record\":\"callback\",\"seq\":5,\"filter\":0,\"callback_value\":3,\"dump_data\":1,"         \
	"\"status\":\"0x0\"}\n"
	static const char after[] = HAND_HEADER HAND_INIT("true") WAF_START
		"{\"record\":\"write\",\"seq\":6,\"offset\":\"0x2000\",\"byte_count\":4096,\"source\":\"0x2\","
		"\"data\":\"0x2\"}\n";
	static const char clean[] = HAND_HEADER HAND_INIT("true") WAF_START;
#undef WAF_START
	(void)state;
	assert_int_equal(check_text(after, strlen(after), "filter.order.start_before_write"), 1);
	assert_int_equal(check_text(clean, strlen(clean), "filter.order.start_before_write"), 0);
}

/* A stack that writes nothing of a dump it started breaks
 * filter.stack.covers_dump (zero writes add up to 0, not dump_size); a dump
 * whose Dump_Start failed is not started, so no write is right there. */
static void unwritten_dump(void **state)
{
	static const char nothing[] = HAND_HEADER HAND_INIT("true")
		"{\"record\":\"callback\",\"seq\":2,\"filter\":0,\"callback_value\":1,\"dump_data\":1,"
		"\"status\":\"0x0\"}\n"
		"{\"record\":\"result\",\"status\":\"0x0\",\"read_status\":\"0x0\",\"dump_size\":\"0x3000\","
		"\"bytes_written\":\"0x0\",\"writes\":0,\"reads\":0,\"read_back\":false}\n";
	static const char start_failed[] = HAND_HEADER HAND_INIT("true")
		"{\"record\":\"callback\",\"seq\":2,\"filter\":0,\"callback_value\":1,\"dump_data\":1,"
		"\"status\":\"0xc0000001\"}\n"
		"{\"record\":\"result\",\"status\":\"0xc0000001\",\"read_status\":\"0x0\",\"dump_size\":\"0x3000\","
		"\"bytes_written\":\"0x0\",\"writes\":0,\"reads\":0,\"read_back\":false}\n";
	(void)state;
	assert_int_equal(check_text(nothing, strlen(nothing), "filter.stack.covers_dump"), 1);
	assert_int_equal(check_text(start_failed, strlen(start_failed), "filter.stack.covers_dump"), 0);
}

/* A trace of many failing routines is judged in linear time (the
 * filter.error.* details count the records after each failure). */
/* Every one of many failed Dump_Start records is reported. (The checker
 * keeps running counts, so this is linear; speed is not asserted here:
 * targets belong to benchmarks, not unit tests.) */
static void many_errors_each_reported(void **state)
{
	enum { N = 20000 };
	char *text = NULL;
	size_t len = 0;
	(void)state;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs(HAND_HEADER HAND_INIT("true"), f);
	for (unsigned i = 0; i < N; i++)
		fprintf(f, "{\"record\":\"callback\",\"seq\":%u,\"filter\":0,\"callback_value\":1,\"dump_data\":1,"
			"\"status\":\"0xc0000001\"}\n", i + 2);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(check_text(text, len, "filter.error.start"), N);
	free(text);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(abi_layouts),
	cmocka_unit_test(scenario_full),
	cmocka_unit_test(scenario_bitmap),
	cmocka_unit_test(scenario_encrypting),
	cmocka_unit_test(scenario_v1_read_flag),
	cmocka_unit_test(scenario_no_filters),
	cmocka_unit_test(fail_init),
	cmocka_unit_test(fail_start),
	cmocka_unit_test(fail_write_finish),
	cmocka_unit_test(fail_read_unload),
	cmocka_unit_test(misbehaving),
	cmocka_unit_test(misbehaving_read),
	cmocka_unit_test(chunking),
	cmocka_unit_test(every_case),
	cmocka_unit_test(scenario_errors),
	cmocka_unit_test(trace_errors),
	cmocka_unit_test(startless_filter_skipped),
	cmocka_unit_test(many_errors_each_reported),
	cmocka_unit_test(unwritten_dump),
	cmocka_unit_test(write_after_finish),
};

int main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
