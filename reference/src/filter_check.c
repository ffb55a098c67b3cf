/* The filter.* rules over a loaded filter-stack trace (spec/rules/filter.toml)
 * and, for the cross rules, the dump the read path delivered.
 *
 * One pass in trace order keeps each filter's state (not loaded, loaded,
 * started, finished, unloaded) and the writes seen so far; each record is
 * judged against what that state allows. The filter.error.* rules are
 * implementation-defined: a routine that returned an error gives one i_
 * finding whose detail says what the stack did next (found by looking at
 * the rest of the trace). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/filter.h"
#include "internal.h"

#define PAGE         DC_FILTER_PAGE_SIZE
#define IS_ERROR(st) (((uint32_t)(st) >> 30) == 3u)

enum fstate { F_NONE, F_LOADED, F_STARTED, F_FINISHED, F_UNLOADED };

struct ck {
	struct dci_check c; /* findings, exercised rules, the first recording failure */
	const struct dc_filter_trace *t;
	const struct dc_filter_rec *init[DC_FILTER_MAX_FILTERS];
	bool usable[DC_FILTER_MAX_FILTERS], wrote[DC_FILTER_MAX_FILTERS];
	enum fstate st[DC_FILTER_MAX_FILTERS];
	uint32_t min_pages;
	uint64_t wnext, rnext, wsum, rsum, nwrites, nreads;
	bool wgap, rgap;
	size_t wi;      /* the next write record to pair with a read */
	size_t left[4]; /* writes, reads, Dump_Finish, Dump_Unload after the current record */
	bool no_dump;   /* a Dump_Start or a critical filter's initialisation failed */
};

static const char *cb_name(uint32_t cb)
{
	const char *n = dc_enum_name(DC_E_FILTER_CALLBACK, cb);
	return n && strlen(n) > 12 ? n + 12 : "unknown"; /* without "CallbackDump" */
}

/* Records of `kind` after the one being judged (of callback `cb` when kind is
 * a callback: Dump_Finish or Dump_Unload). O(1): dc_filter_check counts them
 * once and takes each record off as it reaches it, so a trace full of failed
 * routines costs linear time, not quadratic. */
static size_t count_after(const struct ck *k, enum dc_filter_rec_kind kind, int64_t cb)
{
	if (kind == DC_FREC_WRITE)
		return k->left[0];
	if (kind == DC_FREC_READ)
		return k->left[1];
	return cb == CallbackDumpFinish ? k->left[2] : cb == DC_FILTER_UNLOAD ? k->left[3] : 0;
}

/* Which of the counters of count_after record `r` belongs to (-1: none). */
static int left_slot(const struct dc_filter_rec *r)
{
	if (r->kind == DC_FREC_WRITE)
		return 0;
	if (r->kind == DC_FREC_READ)
		return 1;
	if (r->kind == DC_FREC_CALLBACK && r->callback == CallbackDumpFinish)
		return 2;
	if (r->kind == DC_FREC_CALLBACK && r->callback == DC_FILTER_UNLOAD)
		return 3;
	return -1;
}

static void status_rule(struct ck *k, const struct dc_filter_rec *r, const char *what)
{
	dci_check_exercise(&k->c, DC_RULE_FILTER_STATUS_SUCCESS);
	if (r->status && !IS_ERROR(r->status))
		dci_check_line(&k->c, DC_RULE_FILTER_STATUS_SUCCESS, r->line,
		               "%s of filter %" PRIu32 " returned 0x%" PRIx32
		               ": neither STATUS_SUCCESS nor an error",
		               what, r->filter, r->status);
}

/* ---------------------------------------------------------------- init */

static void judge_init(struct ck *k, size_t i)
{
	const struct dc_filter_rec *r = &k->t->recs[i];
	const struct dc_filter_trace *t = k->t;
	bool ok_status = !IS_ERROR(r->status);
	bool version = (r->major == 1 || r->major == 2) && r->minor == 0;
	k->init[r->filter] = r;
	k->usable[r->filter] =
	    ok_status && version && r->max_pages != 0; /* as the stack reads it */
	k->st[r->filter] = k->usable[r->filter] ? F_LOADED : F_NONE;
	if (k->usable[r->filter] && r->max_pages < k->min_pages)
		k->min_pages = r->max_pages;
	status_rule(k, r, "DriverEntry");
	dci_check_exercise(&k->c, DC_RULE_FILTER_INIT_VERSION);
	dci_check_exercise(&k->c, DC_RULE_FILTER_INIT_MAX_PAGES);
	dci_check_exercise(&k->c, DC_RULE_FILTER_INIT_REJECTED);
	if (ok_status && !version)
		dci_check_line(&k->c, DC_RULE_FILTER_INIT_VERSION, r->line,
		               "filter %" PRIu32 " returned version %" PRIu32 ".%" PRIu32,
		               r->filter, r->major, r->minor);
	if (ok_status && r->max_pages == 0)
		dci_check_line(&k->c, DC_RULE_FILTER_INIT_MAX_PAGES, r->line,
		               "filter %" PRIu32 " returned MaxPagesPerWrite 0", r->filter);
	if (r->loaded && !k->usable[r->filter])
		dci_check_line(&k->c, DC_RULE_FILTER_INIT_REJECTED, r->line,
		               "filter %" PRIu32 " is reported loaded", r->filter);
	if (k->usable[r->filter])
		return; /* an error status or init data the stack cannot use: a failed
		           initialisation */
	size_t writes = count_after(k, DC_FREC_WRITE, -1);
	bool critical = r->flags & DUMP_FILTER_CRITICAL;
	k->no_dump |= critical;
	dci_check_line(&k->c,
	               critical ? DC_RULE_FILTER_ERROR_INIT_CRITICAL
	                        : DC_RULE_FILTER_ERROR_INIT_NONCRITICAL,
	               r->line,
	               "filter %" PRIu32 " (Flags 0x%" PRIx32 ") failed with 0x%" PRIx32
	               "; then %zu writes, status 0x%" PRIx32,
	               r->filter, r->flags, r->status, writes, t->result_status);
}

/* ---------------------------------------------------------------- callbacks */

static void judge_write_call(struct ck *k, const struct dc_filter_rec *r)
{
	const struct dc_filter_rec *in = k->init[r->filter];
	dci_check_exercise(&k->c, DC_RULE_FILTER_WRITE_OFFSET_UNCHANGED);
	dci_check_exercise(&k->c, DC_RULE_FILTER_WRITE_COUNT_UNCHANGED);
	dci_check_exercise(&k->c, DC_RULE_FILTER_WRITE_NO_IN_PLACE);
	if (r->offset_out != r->offset_in)
		dci_check_line(&k->c, DC_RULE_FILTER_WRITE_OFFSET_UNCHANGED, r->line,
		               "DiskByteOffset 0x%" PRIx64 " -> 0x%" PRIx64, r->offset_in,
		               r->offset_out);
	if (r->count_out != r->count_in)
		dci_check_line(&k->c, DC_RULE_FILTER_WRITE_COUNT_UNCHANGED, r->line,
		               "ByteCount %" PRIu32 " -> %" PRIu32, r->count_in, r->count_out);
	if (r->data_in_after != r->data_in)
		dci_check_line(&k->c, DC_RULE_FILTER_WRITE_NO_IN_PLACE, r->line,
		               "the buffer given changed (digest 0x%" PRIx64 " -> 0x%" PRIx64 ")",
		               r->data_in, r->data_in_after);
	if (!r->redirected)
		return;
	dci_check_exercise(&k->c, DC_RULE_FILTER_WRITE_BUFFER_ALIGNED);
	dci_check_exercise(&k->c, DC_RULE_FILTER_WRITE_BUFFER_SIZE);
	if (((uint64_t)r->va_page_offset + r->byte_offset_out) % PAGE)
		dci_check_line(&k->c, DC_RULE_FILTER_WRITE_BUFFER_ALIGNED, r->line,
		               "data at page offset %" PRIu64,
		               ((uint64_t)r->va_page_offset + r->byte_offset_out) % PAGE);
	if (in && r->pages > in->max_pages)
		dci_check_line(&k->c, DC_RULE_FILTER_WRITE_BUFFER_SIZE, r->line,
		               "MDL spans %" PRIu32 " pages, MaxPagesPerWrite %" PRIu32, r->pages,
		               in->max_pages);
}

/* Dump_Read's parameters are [in]: the offset and the MDL stay as given; only
 * the bytes of the buffer may change. */
static void judge_read_call(struct ck *k, const struct dc_filter_rec *r)
{
	dci_check_exercise(&k->c, DC_RULE_FILTER_READ_OFFSET_UNCHANGED);
	dci_check_exercise(&k->c, DC_RULE_FILTER_READ_MDL_UNCHANGED);
	if (r->offset_out != r->offset_in)
		dci_check_line(&k->c, DC_RULE_FILTER_READ_OFFSET_UNCHANGED, r->line,
		               "DiskByteOffset 0x%" PRIx64 " -> 0x%" PRIx64, r->offset_in,
		               r->offset_out);
	if (r->count_out != r->count_in)
		dci_check_line(&k->c, DC_RULE_FILTER_READ_MDL_UNCHANGED, r->line,
		               "ByteCount %" PRIu32 " -> %" PRIu32, r->count_in, r->count_out);
	else if (r->byte_offset_out != r->byte_offset_in || r->redirected)
		dci_check_line(&k->c, DC_RULE_FILTER_READ_MDL_UNCHANGED, r->line,
		               "MDL repointed (ByteOffset %" PRIu32 " -> %" PRIu32
		               ", va_page_offset %" PRIu32 ")",
		               r->byte_offset_in, r->byte_offset_out, r->va_page_offset);
}

static void judge_order(struct ck *k, const struct dc_filter_rec *r)
{
	enum fstate *st = &k->st[r->filter];
	uint32_t f = r->filter;
	const struct dc_filter_rec *in = k->init[f];
	/* a filter without Dump_Start is started by the dump itself */
	if (*st == F_LOADED && !in->has_start &&
	    (r->callback == CallbackDumpWrite || r->callback == CallbackDumpFinish))
		*st = F_STARTED;
	if (*st == F_UNLOADED) {
		dci_check_line(&k->c, DC_RULE_FILTER_ORDER_UNLOAD_LAST, r->line,
		               "Dump_%s of filter %" PRIu32 " after its Dump_Unload",
		               cb_name(r->callback), f);
		return;
	}
	switch (r->callback) {
	case CallbackDumpStart:
		if (*st == F_STARTED)
			dci_check_line(&k->c, DC_RULE_FILTER_ORDER_FINISH_AFTER_START, r->line,
			               "Dump_Start of filter %" PRIu32 " again before Dump_Finish",
			               f);
		else if (!IS_ERROR(r->status))
			*st = F_STARTED;
		break;
	case CallbackDumpWrite:
		if (*st != F_STARTED)
			dci_check_line(&k->c, DC_RULE_FILTER_ORDER_START_BEFORE_WRITE, r->line,
			               "Dump_Write of filter %" PRIu32
			               " outside Dump_Start .. Dump_Finish",
			               f);
		k->wrote[f] = true;
		break;
	case CallbackDumpFinish:
		if (*st != F_STARTED)
			dci_check_line(&k->c, DC_RULE_FILTER_ORDER_FINISH_AFTER_START, r->line,
			               "Dump_Finish of filter %" PRIu32 " without a Dump_Start", f);
		*st = F_FINISHED;
		break;
	case DC_FILTER_UNLOAD:
		if (*st == F_STARTED && in->has_finish)
			dci_check_line(&k->c, DC_RULE_FILTER_ORDER_UNLOAD_LAST, r->line,
			               "Dump_Unload of filter %" PRIu32 " before its Dump_Finish",
			               f);
		*st = F_UNLOADED;
		break;
	default: break;
	}
}

static void judge_error(struct ck *k, size_t i)
{
	const struct dc_filter_rec *r = &k->t->recs[i];
	const struct dc_filter_trace *t = k->t;
	size_t w = count_after(k, DC_FREC_WRITE, -1), rd = count_after(k, DC_FREC_READ, -1);
	switch (r->callback) {
	case CallbackDumpStart:
		dci_check_line(&k->c, DC_RULE_FILTER_ERROR_START, r->line,
		               "0x%" PRIx32 "; then %zu writes, %zu Dump_Finish, status 0x%" PRIx32,
		               r->status, w, count_after(k, DC_FREC_CALLBACK, CallbackDumpFinish),
		               t->result_status);
		break;
	case CallbackDumpWrite:
		dci_check_line(&k->c, DC_RULE_FILTER_ERROR_WRITE, r->line,
		               "0x%" PRIx32 "; chunk %s, %zu more writes, status 0x%" PRIx32,
		               r->status, i + 1 < t->nrecs && w ? "written" : "not written",
		               w ? w - 1 : 0, t->result_status);
		break;
	case CallbackDumpFinish:
		dci_check_line(&k->c, DC_RULE_FILTER_ERROR_FINISH, r->line,
		               "0x%" PRIx32 "; %zu more Dump_Finish, status 0x%" PRIx32, r->status,
		               count_after(k, DC_FREC_CALLBACK, CallbackDumpFinish),
		               t->result_status);
		break;
	case CallbackDumpRead:
		dci_check_line(&k->c, DC_RULE_FILTER_ERROR_READ, r->line,
		               "0x%" PRIx32 "; then %zu reads, read_back %s", r->status, rd,
		               t->result_read_back ? "true" : "false");
		break;
	case DC_FILTER_UNLOAD:
		dci_check_line(&k->c, DC_RULE_FILTER_ERROR_UNLOAD, r->line,
		               "0x%" PRIx32 "; %zu more Dump_Unload", r->status,
		               count_after(k, DC_FREC_CALLBACK, DC_FILTER_UNLOAD));
		break;
	default: break;
	}
}

static void judge_callback(struct ck *k, size_t i)
{
	const struct dc_filter_rec *r = &k->t->recs[i];
	const struct dc_filter_rec *in = k->init[r->filter];
	dci_check_exercise(&k->c, DC_RULE_FILTER_DUMP_DATA_ECHOED);
	dci_check_exercise(&k->c, DC_RULE_FILTER_INIT_REJECTED);
	dci_check_exercise(&k->c, DC_RULE_FILTER_ORDER_UNLOAD_LAST);
	if (!in || !k->usable[r->filter]) {
		dci_check_line(&k->c, DC_RULE_FILTER_INIT_REJECTED, r->line,
		               "Dump_%s of filter %" PRIu32 ", which was not loaded",
		               cb_name(r->callback), r->filter);
		return; /* no state to judge it against */
	}
	if (r->dump_data != in->dump_data) {
		dci_check_line(&k->c, DC_RULE_FILTER_DUMP_DATA_ECHOED, r->line,
		               "DumpData token %" PRId64 ", init returned %" PRId64, r->dump_data,
		               in->dump_data);
	}
	status_rule(k, r, cb_name(r->callback));
	if (r->callback == CallbackDumpWrite || r->callback == CallbackDumpStart ||
	    r->callback == CallbackDumpFinish)
		dci_check_exercise(&k->c, r->callback == CallbackDumpWrite
		                              ? DC_RULE_FILTER_ORDER_START_BEFORE_WRITE
		                              : DC_RULE_FILTER_ORDER_FINISH_AFTER_START);
	judge_order(k, r);
	if (r->callback == CallbackDumpWrite)
		judge_write_call(k, r);
	if (r->callback == CallbackDumpRead) {
		judge_read_call(k, r);
		dci_check_exercise(&k->c, DC_RULE_FILTER_READ_ALLOWED);
		if (!in || in->major != 2 || !(in->flags & DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ) ||
		    !in->has_read)
			dci_check_line(&k->c, DC_RULE_FILTER_READ_ALLOWED, r->line,
			               "Dump_Read of filter %" PRIu32 " (init: version %" PRIu32
			               ", Flags 0x%" PRIx32 ", DumpRead %s)",
			               r->filter, in ? in->major : 0, in ? in->flags : 0,
			               in && in->has_read ? "set" : "NULL");
	}
	if (IS_ERROR(r->status) && r->callback == CallbackDumpStart)
		k->no_dump = true;
	if (IS_ERROR(r->status))
		judge_error(k, i);
}

/* ---------------------------------------------------------------- writes and reads */

static void judge_extent(struct ck *k, const struct dc_filter_rec *r, bool write)
{
	const struct dc_filter_trace *t = k->t;
	dci_check_exercise(&k->c, DC_RULE_FILTER_STACK_OFFSET_IN_PARTITION);
	dci_check_exercise(&k->c, DC_RULE_FILTER_STACK_COVERS_DUMP);
	if (r->offset_in < t->dump_offset || r->offset_in > t->part_size ||
	    r->count_in > t->part_size - r->offset_in)
		dci_check_line(&k->c, DC_RULE_FILTER_STACK_OFFSET_IN_PARTITION, r->line,
		               "%s of %" PRIu32 " bytes at 0x%" PRIx64 " (partition 0x%" PRIx64
		               ", dump at 0x%" PRIx64 ")",
		               write ? "write" : "read", r->count_in, r->offset_in, t->part_size,
		               t->dump_offset);
	uint64_t *next = write ? &k->wnext : &k->rnext;
	bool *gap = write ? &k->wgap : &k->rgap;
	if (r->offset_in != *next && !*gap) {
		*gap = true;
		dci_check_line(&k->c, DC_RULE_FILTER_STACK_COVERS_DUMP, r->line,
		               "%s at 0x%" PRIx64 ", 0x%" PRIx64 " expected",
		               write ? "write" : "read", r->offset_in, *next);
	}
	*next = r->offset_in + r->count_in;
	*(write ? &k->wsum : &k->rsum) += r->count_in;
}

static void judge_write(struct ck *k, const struct dc_filter_rec *r)
{
	uint32_t max = k->min_pages;
	dci_check_exercise(&k->c, DC_RULE_FILTER_STACK_MAX_PAGES);
	dci_check_exercise(&k->c, DC_RULE_FILTER_ORDER_START_BEFORE_WRITE);
	k->nwrites++;
	if (r->count_in == 0 || r->count_in > (uint64_t)max * PAGE)
		dci_check_line(&k->c, DC_RULE_FILTER_STACK_MAX_PAGES, r->line,
		               "write of %" PRIu32 " bytes, at most %" PRIu32 " pages allowed",
		               r->count_in, max);
	for (uint32_t f = 0; f < k->t->nfilters; f++) {
		/* a loaded filter without Dump_Start is started by the dump itself */
		bool started = k->st[f] == F_STARTED ||
		               (k->st[f] == F_LOADED && k->init[f] && !k->init[f]->has_start);
		if (started && k->init[f] && k->init[f]->has_write && !k->wrote[f])
			dci_check_line(&k->c, DC_RULE_FILTER_ORDER_START_BEFORE_WRITE, r->line,
			               "written without a Dump_Write of started filter %" PRIu32,
			               f);
		/* Dump_Finish comes after all data is written: data written later
		 * bypassed the filter (an encrypting one: plaintext on the disk) */
		if (k->st[f] == F_FINISHED && k->init[f] && k->init[f]->has_write)
			dci_check_line(&k->c, DC_RULE_FILTER_ORDER_START_BEFORE_WRITE, r->line,
			               "written after the Dump_Finish of filter %" PRIu32, f);
		k->wrote[f] = false;
	}
	judge_extent(k, r, true);
}

static void judge_read(struct ck *k, const struct dc_filter_rec *r)
{
	const struct dc_filter_trace *t = k->t;
	k->nreads++;
	judge_extent(k, r, false);
	dci_check_exercise(&k->c, DC_RULE_FILTER_CROSS_READ_BACK);
	const struct dc_filter_rec *w = NULL;
	while (k->wi < t->nrecs && !w) {
		const struct dc_filter_rec *x = &t->recs[k->wi++];
		if (x->kind == DC_FREC_WRITE && x->offset_in == r->offset_in)
			w = x;
	}
	if (!w)
		dci_check_line(&k->c, DC_RULE_FILTER_CROSS_READ_BACK, r->line,
		               "read at 0x%" PRIx64 " matches no write", r->offset_in);
	else if (w->count_in != r->count_in || w->data_out != r->data_in)
		dci_check_line(&k->c, DC_RULE_FILTER_CROSS_READ_BACK, r->line,
		               "read 0x%" PRIx64 ": disk digest 0x%" PRIx64 ", written 0x%" PRIx64,
		               r->offset_in, r->data_in, w->data_out);
	else if (w->data_in != r->data_out)
		dci_check_line(&k->c, DC_RULE_FILTER_CROSS_READ_BACK, r->line,
		               "read 0x%" PRIx64 ": delivered 0x%" PRIx64 ", rendered 0x%" PRIx64,
		               r->offset_in, r->data_out, w->data_in);
}

/* ---------------------------------------------------------------- the whole */

static void judge_end(struct ck *k)
{
	const struct dc_filter_trace *t = k->t;
	dci_check_exercise(&k->c, DC_RULE_FILTER_TRACE_RESULT_PRESENT);
	if (!t->seq_ok)
		dci_check_line(&k->c, DC_RULE_FILTER_TRACE_RESULT_PRESENT, t->seq_bad_line,
		               "seq is not the record's number");
	if (!t->has_result) {
		dci_check_line(&k->c, DC_RULE_FILTER_TRACE_RESULT_PRESENT, 1,
		               "no result record: the run did not finish");
		return;
	}
	if (t->result_writes != k->nwrites || t->result_reads != k->nreads)
		dci_check_line(&k->c, DC_RULE_FILTER_TRACE_RESULT_PRESENT, t->result_line,
		               "result says %" PRIu64 " writes / %" PRIu64
		               " reads, the trace has %" PRIu64 " / %" PRIu64,
		               t->result_writes, t->result_reads, k->nwrites, k->nreads);
	/* no write at all is a gap too, unless the dump was never started */
	if (!k->nwrites && t->result_dump_size && !k->no_dump)
		dci_check_line(&k->c, DC_RULE_FILTER_STACK_COVERS_DUMP, t->result_line,
		               "no write, dump_size 0x%" PRIx64 " (no Dump_Start or critical "
		               "initialisation failed)",
		               t->result_dump_size);
	if (k->nwrites && !k->wgap && k->wsum != t->result_dump_size)
		dci_check_line(&k->c, DC_RULE_FILTER_STACK_COVERS_DUMP, t->result_line,
		               "writes add up to 0x%" PRIx64 ", dump_size 0x%" PRIx64, k->wsum,
		               t->result_dump_size);
	if (t->result_read_back && !k->rgap && k->rsum != t->result_dump_size)
		dci_check_line(&k->c, DC_RULE_FILTER_STACK_COVERS_DUMP, t->result_line,
		               "reads add up to 0x%" PRIx64 ", dump_size 0x%" PRIx64, k->rsum,
		               t->result_dump_size);
}

static void judge_image(struct ck *k, const uint8_t *image, uint64_t size)
{
	const struct dc_filter_trace *t = k->t;
	struct dc_validate_opts o;
	struct dc_diags d;
	if (!image || !t->has_image)
		return;
	dci_check_exercise(&k->c, DC_RULE_FILTER_CROSS_IMAGE_VALID);
	uint64_t h = dc_filter_fnv(DC_FILTER_FNV_BASIS, image, (size_t)size);
	if (size != t->image_size || h != t->image_digest) {
		dci_check_line(&k->c, DC_RULE_FILTER_CROSS_IMAGE_VALID, t->result_line,
		               "image: %" PRIu64 " bytes, digest 0x%" PRIx64
		               "; the result says %" PRIu64 ", 0x%" PRIx64,
		               size, h, t->image_size, t->image_digest);
		return;
	}
	memset(&d, 0, sizeof(d));
	dc_validate_opts_default(&o);
	enum dc_err e = dc_kdump_validate(image, size, &o, &d);
	size_t must = dc_diags_count_level(&d, DC_LEVEL_MUST);
	if (e != DC_OK || must)
		dci_check_line(&k->c, DC_RULE_FILTER_CROSS_IMAGE_VALID, t->result_line,
		               "the image is not a valid kernel dump (%zu MUST findings%s%s)", must,
		               d.count ? ", first " : "",
		               d.count ? dc_rule_descs[d.items[0].rule].id : "");
	dc_diags_free(&d);
}

enum dc_err dc_filter_check(const struct dc_filter_trace *t, const uint8_t *image,
                            uint64_t image_size, struct dc_diags *out, bool *exercised)
{
	if (!t || !out || t->nfilters > DC_FILTER_MAX_FILTERS)
		return DC_E_MISUSE;
	struct ck *k = calloc(1, sizeof(*k));
	if (!k)
		return DC_E_NOMEM;
	k->t = t;
	dci_check_init(&k->c, out, exercised);
	k->min_pages = t->stack_max_pages ? t->stack_max_pages : DC_FILTER_STACK_MAX_PAGES;
	k->wnext = k->rnext = t->dump_offset;
	for (int r = DC_RULE_FILTER_ERROR_INIT_CRITICAL; r <= DC_RULE_FILTER_ERROR_UNLOAD; r++)
		dci_check_exercise(&k->c,
		                   (enum dc_rule)r); /* every trace says whether a routine failed */
	for (size_t i = 0; i < t->nrecs; i++) {
		int slot = left_slot(&t->recs[i]);
		if (slot >= 0)
			k->left[slot]++;
	}
	for (size_t i = 0; i < t->nrecs && k->c.err == DC_OK; i++) {
		const struct dc_filter_rec *r = &t->recs[i];
		int slot = left_slot(r);
		if (slot >= 0)
			k->left[slot]--;
		if (r->kind == DC_FREC_INIT)
			judge_init(k, i);
		else if (r->kind == DC_FREC_CALLBACK)
			judge_callback(k, i);
		else if (r->kind == DC_FREC_WRITE)
			judge_write(k, r);
		else
			judge_read(k, r);
	}
	if (k->c.err == DC_OK)
		judge_end(k);
	if (k->c.err == DC_OK)
		judge_image(k, image, image_size);
	enum dc_err err = k->c.err;
	free(k);
	return err;
}
