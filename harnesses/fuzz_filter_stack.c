/* fuzz_filter_stack: the reference crash-dump stack under 1-4 scripted example filters (kind,
 * version, Flags, MaxPagesPerWrite, DumpRead, which routine fails on which call with which
 * NTSTATUS, which Dump_Write/Dump_Read misbehaviour when), dump type and page limit. Oracles: no
 * crash; the trace loads; every violation the script made a filter commit, and every error it made
 * a routine return, is reported by its rule; a clean successful run reads back a valid dump. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/filter.h"
#include "fuzz_common.h"

static const NTSTATUS statuses[] = { STATUS_UNSUCCESSFUL, STATUS_IO_DEVICE_ERROR, STATUS_NOT_SUPPORTED,
				     (NTSTATUS)0x00000103, STATUS_INSUFFICIENT_RESOURCES };

static uint8_t next(const uint8_t **p, size_t *n)
{
	return *n ? (*n)--, *(*p)++ : 0;
}

/* One filter's parameters from 7 input bytes. */
static void script_filter(const uint8_t **p, size_t *n, uint32_t i, struct dc_fx_params *fp)
{
	uint8_t a = next(p, n), b = next(p, n), c = next(p, n), d = next(p, n), e = next(p, n), f = next(p, n), g = next(p, n);
	dc_fx_params_default(fp, a & 1 ? DC_FX_ENCRYPT : DC_FX_OBSERVER);
	fp->key = 0x9e3779b97f4a7c15ull * (i + 1);
	fp->major = (a >> 1) & 7; /* 1 and 2 valid; 0, 3..7 not */
	fp->minor = (a >> 4) == 15 ? 1 : 0;
	fp->flags = b & 3;
	fp->dump_read = b & 4;
	fp->no_start = b & 8 && b & 16;
	fp->max_pages = c % 21; /* 0 is invalid */
	fp->fail_cb = d % 9 < 7 && d % 9 != CallbackMaxCallback ? (int32_t)(d % 9) : -1;
	fp->fail_nth = e % 4;
	fp->fail_status = statuses[(e >> 2) % 5];
	fp->misbehave = (enum dc_fx_misbehave)(f % 8); /* 6, 7: Dump_Read's (were "ok": no seed used them) */
	fp->misbehave_nth = g % 5;
}

static const struct dc_filter_rec *init_rec(const struct dc_filter_trace *t, uint32_t i)
{
	for (size_t k = 0; k < t->nrecs; k++)
		if (t->recs[k].kind == DC_FREC_INIT && t->recs[k].filter == i)
			return &t->recs[k];
	return NULL;
}
#define fired(d, r) ((d)->per_rule[r])

/* What filter i's script made it do, and the rule that must say so. */
static void oracles(const struct dc_fx *fx, uint32_t i, const struct dc_filter_trace *t, const struct dc_diags *d,
		    bool *dirty)
{
	const struct dc_fx_params *p = &fx->p;
	const struct dc_filter_rec *in = init_rec(t, i);
	bool init_failed = p->fail_cb == CallbackDumpInit && p->fail_status != 0x103;
	if (!in) { /* never loaded: only after a critical filter failed before it */
		FUZZ_ASSERT(fired(d, DC_RULE_FILTER_ERROR_INIT_CRITICAL) && !fx->calls[CallbackDumpInit]);
		return;
	}
	if (!init_failed && (p->major < 1 || p->major > 2 || p->minor))
		FUZZ_ASSERT(fired(d, DC_RULE_FILTER_INIT_VERSION));
	if (!init_failed && !p->max_pages)
		FUZZ_ASSERT(fired(d, DC_RULE_FILTER_INIT_MAX_PAGES));
	if (p->fail_cb >= 0 && fx->calls[p->fail_cb] >= (p->fail_nth ? p->fail_nth : 1)) {
		static const enum dc_rule err_rule[] = { 0, DC_RULE_FILTER_ERROR_START, DC_RULE_FILTER_ERROR_WRITE,
							 DC_RULE_FILTER_ERROR_FINISH, DC_RULE_FILTER_ERROR_READ, 0,
							 DC_RULE_FILTER_ERROR_UNLOAD };
		if (p->fail_status == 0x103)
			FUZZ_ASSERT(fired(d, DC_RULE_FILTER_STATUS_SUCCESS));
		else if (p->fail_cb == CallbackDumpInit)
			FUZZ_ASSERT(fired(d, DC_RULE_FILTER_ERROR_INIT_CRITICAL) ||
				    fired(d, DC_RULE_FILTER_ERROR_INIT_NONCRITICAL));
		else
			FUZZ_ASSERT(fired(d, err_rule[p->fail_cb]));
	}
	uint32_t writes = fx->calls[CallbackDumpWrite];
	uint32_t done = fx->calls[dc_fx_misbehave_is_read(p->misbehave) ? CallbackDumpRead : CallbackDumpWrite];
	bool misbehaved = p->misbehave && done >= (p->misbehave_nth ? p->misbehave_nth : 1);
	static const enum dc_rule mis_rule[] = { 0, DC_RULE_FILTER_WRITE_OFFSET_UNCHANGED, DC_RULE_FILTER_WRITE_COUNT_UNCHANGED,
		DC_RULE_FILTER_WRITE_NO_IN_PLACE, DC_RULE_FILTER_WRITE_BUFFER_ALIGNED, 0, DC_RULE_FILTER_READ_OFFSET_UNCHANGED,
		DC_RULE_FILTER_READ_MDL_UNCHANGED };
	if (misbehaved && p->misbehave != DC_FX_OVERSIZE) /* oversize: only when the write is full */
		FUZZ_ASSERT(fired(d, mis_rule[p->misbehave]));
	bool reads = in->loaded && in->major == 2 && (in->flags & 1) && in->has_read;
	bool transforms = p->kind == DC_FX_ENCRYPT && writes > 0;
	if (transforms && !reads)
		FUZZ_ASSERT(fired(d, DC_RULE_FILTER_CROSS_READ_BACK) || !t->result_reads);
	*dirty |= (transforms && !reads) || /* an observer in place; an encrypter's read_mdl work is dropped */
		  (misbehaved && p->misbehave == (transforms ? DC_FX_READ_MDL : DC_FX_IN_PLACE));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dc_kdump_range runs[] = { { 1, 9 }, { 0x30, 4 } }, present[] = { { 2, 3 }, { 0x31, 2 } };
	struct dc_kdump_model m = { .is64 = true, .dump_type = 1, .machine_image_type = 0x8664,
				    .number_processors = 1, .major_version = 15, .runs = runs, .nruns = 2 };
	struct dc_fx fx[4];
	struct dc_filter_driver drv[4];
	const uint8_t *p = data;
	size_t n = size;
	uint8_t h = next(&p, &n);
	if (h & 0x40) /* a bitmap dump */
		m.dump_type = 5, m.bitmap_signature = 0x504D4453, m.present = present, m.npresent = 2;
	memset(fx, 0, sizeof(fx));
	uint32_t nf = 1 + (h & 3);
	for (uint32_t i = 0; i < nf; i++) {
		script_filter(&p, &n, i, &fx[i].p);
		dc_fx_driver(&fx[i], "f", &drv[i]);
	}
	struct dc_filter_run run = { .dump_type = h & 0x80 ? DumpTypeHibernation : DumpTypeCrashdump,
				     .part = { .size = 1 << 20, .dump_offset = (h >> 2 & 3) * 4096,
					       .tracks_per_cylinder = 255, .sectors_per_track = 63, .bytes_per_sector = 512 },
				     .model = &m, .filters = drv, .nfilters = nf, .stack_max_pages = (h >> 4) & 3 ? (h >> 4) & 3 : 0 };
	struct dc_filter_memdisk mem;
	struct dc_filter_disk disk;
	struct dc_filter_result res;
	struct dc_filter_trace t;
	struct dc_diags d = { 0 }, kd = { 0 };
	struct dc_validate_opts o;
	char *text = NULL, why[256];
	size_t len = 0;
	bool dirty = false;
	FUZZ_ASSERT(dc_filter_memdisk_init(&mem, run.part.size, &disk) == DC_OK);
	FILE *tf = open_memstream(&text, &len);
	FUZZ_ASSERT(tf && dc_filter_stack_run(&run, &disk, tf, &res) == DC_OK && fclose(tf) == 0);
	FUZZ_ASSERT(dc_filter_trace_load(text, len, NULL, &t, why, sizeof(why)) == DC_OK);
	FUZZ_ASSERT(dc_filter_check(&t, NULL, 0, &d, NULL) == DC_OK);
	for (uint32_t i = 0; i < nf; i++)
		oracles(&fx[i], i, &t, &d, &dirty);
	if (res.status == STATUS_SUCCESS && res.writes && !dirty) {
		FUZZ_ASSERT(!fired(&d, DC_RULE_FILTER_CROSS_READ_BACK));
		uint8_t *want = malloc(res.dump_size);
		dc_validate_opts_default(&o);
		FUZZ_ASSERT(want && dc_kdump_render(&m, 0, want, res.dump_size) == DC_OK);
		if (res.read_back) { /* the read path gave back what was rendered: a valid dump */
			FUZZ_ASSERT(res.image_digest == dc_filter_fnv(DC_FILTER_FNV_BASIS, want, res.dump_size));
			FUZZ_ASSERT(dc_kdump_validate(want, res.dump_size, &o, &kd) == DC_OK);
			FUZZ_ASSERT(dc_diags_count_level(&kd, DC_LEVEL_MUST) == 0);
		}
		dc_diags_free(&kd);
		free(want);
	}
	dc_diags_free(&d);
	dc_filter_trace_free(&t);
	free(text);
	dc_filter_memdisk_free(&mem);
	for (uint32_t i = 0; i < nf; i++)
		dc_fx_free(&fx[i]);
	return 0;
}
