/* The simulated crash-dump stack (dumpcheck/filter.h): loads the filters,
 * streams the rendered kernel dump through their Dump_Write routines to the
 * partition, reads it back through Dump_Read, unloads them. What it does on
 * an error NTSTATUS is decided in spec/rules/filter.toml (filter.error.*):
 *   init fails:   DUMP_FILTER_CRITICAL (0x1) set: the stack fails, no dump;
 *                 else that filter is dropped (no callback at all);
 *   Dump_Start:   nothing is written; the filters started get Dump_Finish;
 *   Dump_Write:   the chunk still reaches the disk (as TrueCrypt observed)
 *                 and the dump goes on; the dump's status is the error;
 *   Dump_Finish:  the other filters still finish; the status is the error;
 *   Dump_Read:    the read path stops there; the dump's status is unchanged;
 *   Dump_Unload:  recorded only: the filter is gone either way.
 * A filter that changes DiskByteOffset or ByteCount is not obeyed: the stack
 * writes where and what it meant to (the trace shows the change). Nor is a
 * Dump_Read that changes the offset or repoints the MDL (filter.read.*): the
 * stack delivers its own read buffer, and the next filter gets a fresh MDL
 * over it at the stack's offset. */
#include <stdlib.h>
#include <string.h>

#include "filter_int.h"

#define PAGE DC_FILTER_PAGE_SIZE
#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define IS_ERROR(st) (((uint32_t)(st) >> 30) == 3u)

uint64_t dc_filter_fnv(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int64_t dci_fstack_token(struct dci_fstack *s, const void *p)
{
	if (!p)
		return -1;
	for (size_t i = 0; i < s->ntokens; i++)
		if (s->tokens[i] == p)
			return (int64_t)i + 1;
	if (s->ntokens < sizeof(s->tokens) / sizeof(s->tokens[0]))
		s->tokens[s->ntokens++] = p;
	return (int64_t)s->ntokens; /* a full table gives its last token again */
}

static uint64_t digest(const struct dci_fstack *s, const void *p, size_t n)
{
	return s->trace ? dc_filter_fnv(DC_FILTER_FNV_BASIS, p, n) : 0;
}

/* A status other than STATUS_SUCCESS that is not an error (an informational
 * or warning code) is a protocol violation of the filter (filter.status.
 * success) but no failure: the stack goes on as after STATUS_SUCCESS. */
static void note_error(NTSTATUS *slot, NTSTATUS st)
{
	if (*slot == STATUS_SUCCESS && IS_ERROR(st))
		*slot = st;
}

/* ---------------------------------------------------------------- init */

static void fill_extension(const struct dc_filter_run *run, FILTER_EXTENSION *e)
{
	const struct dc_filter_partition *p = &run->part;
	memset(e, 0, sizeof(*e));
	e->DumpType = run->dump_type;
	e->Geometry.MediaType = FixedMedia;
	e->Geometry.TracksPerCylinder = p->tracks_per_cylinder;
	e->Geometry.SectorsPerTrack = p->sectors_per_track;
	e->Geometry.BytesPerSector = p->bytes_per_sector;
	uint64_t cyl = p->cylinders;
	uint64_t per = (uint64_t)p->tracks_per_cylinder * p->sectors_per_track * p->bytes_per_sector;
	if (!cyl && per)
		cyl = p->size / per;
	e->Geometry.Cylinders.QuadPart = (LONGLONG)cyl;
	e->DiskSize.QuadPart = (LONGLONG)p->size;
	e->PartitionInfo.SizeOfPartitionInfo = sizeof(DISK_PARTITION_INFO);
	e->PartitionInfo.PartitionStyle = PARTITION_STYLE_MBR;
	e->PartitionInfo.Mbr.Signature = p->mbr_signature;
	e->Size = sizeof(FILTER_EXTENSION);
}

/* Whether the init data a filter returned lets the stack keep it. */
static bool init_valid(const FILTER_INITIALIZATION_DATA *d)
{
	return (d->MajorVersion == DUMP_FILTER_MAJOR_VERSION_1 ||
		d->MajorVersion == DUMP_FILTER_MAJOR_VERSION) &&
	       d->MinorVersion == DUMP_FILTER_MINOR_VERSION && d->MaxPagesPerWrite != 0;
}

/* Load every filter; false when a critical one failed (the stack fails). */
static bool load_filters(struct dci_fstack *s)
{
	const struct dc_filter_run *run = s->run;
	for (uint32_t i = 0; i < run->nfilters; i++) {
		FILTER_INITIALIZATION_DATA *d = &s->init[i];
		fill_extension(run, &s->ext[i]);
		memset(d, 0, sizeof(*d));
		NTSTATUS st = run->filters[i].entry(run->filters[i].driver, &s->ext[i], d);
		bool ok = !IS_ERROR(st) && init_valid(d);
		s->loaded[i] = ok;
		if (ok) {
			s->ext[i].DumpData = d->DumpData;
			s->read_ok[i] = d->MajorVersion == DUMP_FILTER_MAJOR_VERSION &&
					(d->Flags & DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ) && d->DumpRead;
			s->res->loaded++;
		}
		dci_ftrace_init(s, i, st);
		if (!ok && (d->Flags & DUMP_FILTER_CRITICAL)) {
			note_error(&s->res->status, IS_ERROR(st) ? st : STATUS_UNSUCCESSFUL);
			return false;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- simple callbacks */

static NTSTATUS call_simple(struct dci_fstack *s, uint32_t i, uint32_t cb, PDUMP_START fn)
{
	struct dci_fcall c = { .filter = i, .callback = cb };
	c.dump_data = dci_fstack_token(s, s->ext[i].DumpData);
	c.status = fn(&s->ext[i]);
	dci_ftrace_call(s, &c);
	return c.status;
}

static bool start_all(struct dci_fstack *s)
{
	for (uint32_t i = 0; i < s->run->nfilters; i++) {
		if (!s->loaded[i])
			continue;
		NTSTATUS st = s->init[i].DumpStart
				      ? call_simple(s, i, CallbackDumpStart, s->init[i].DumpStart)
				      : STATUS_SUCCESS;
		if (IS_ERROR(st)) {
			note_error(&s->res->status, st);
			return false;
		}
		s->started[i] = true;
	}
	return true;
}

static void finish_all(struct dci_fstack *s)
{
	for (uint32_t i = 0; i < s->run->nfilters; i++)
		if (s->started[i] && s->init[i].DumpFinish)
			note_error(&s->res->status,
				   call_simple(s, i, CallbackDumpFinish, s->init[i].DumpFinish));
}

static void unload_all(struct dci_fstack *s)
{
	for (uint32_t i = 0; i < s->run->nfilters; i++)
		if (s->loaded[i] && s->init[i].DumpUnload)
			(void)call_simple(s, i, DC_FILTER_UNLOAD, s->init[i].DumpUnload);
}

/* ---------------------------------------------------------------- writes and reads */

static void mdl_init(MDL *m, uint8_t *buf, uint32_t len)
{
	memset(m, 0, sizeof(*m));
	m->Size = (CSHORT)(sizeof(MDL) + ((len + PAGE - 1) / PAGE) * sizeof(uint64_t));
	m->MdlFlags = MDL_MAPPED_TO_SYSTEM_VA;
	m->MappedSystemVa = buf;
	m->StartVa = buf;
	m->ByteCount = len;
}

static uint8_t *mdl_data(const MDL *m)
{
	return (uint8_t *)m->StartVa + m->ByteOffset;
}

/* One Dump_Write or Dump_Read of filter `i` on (off, mdl); the stack's own
 * offset and count are put back afterwards. */
static NTSTATUS call_io(struct dci_fstack *s, uint32_t i, bool write, uint64_t off, MDL *m,
			uint32_t count)
{
	struct dci_fcall c = { .filter = i, .callback = write ? CallbackDumpWrite : CallbackDumpRead, .io = true };
	LARGE_INTEGER dbo = { .QuadPart = (LONGLONG)off };
	uint8_t *in = mdl_data(m);
	c.dump_data = dci_fstack_token(s, s->ext[i].DumpData);
	c.offset_in = off;
	c.count_in = m->ByteCount;
	c.byte_offset_in = m->ByteOffset;
	c.data_in = digest(s, in, count);
	c.status = (write ? s->init[i].DumpWrite : s->init[i].DumpRead)(&s->ext[i], &dbo, m);
	c.offset_out = (uint64_t)dbo.QuadPart;
	c.count_out = m->ByteCount;
	c.byte_offset_out = m->ByteOffset;
	c.va_page_offset = (uint32_t)((uintptr_t)m->StartVa % PAGE);
	c.pages = (uint32_t)(((uint64_t)c.va_page_offset + m->ByteOffset + count + PAGE - 1) / PAGE);
	c.redirected = mdl_data(m) != in;
	c.data_in_after = c.redirected ? digest(s, in, count) : 0;
	c.data_out = digest(s, mdl_data(m), count);
	if (!c.redirected)
		c.data_in_after = c.data_out;
	m->ByteCount = count;
	dci_ftrace_call(s, &c);
	return c.status;
}

static enum dc_err write_chunk(struct dci_fstack *s, uint64_t pos, uint32_t len)
{
	const struct dc_filter_run *run = s->run;
	uint64_t off = run->part.dump_offset + pos;
	MDL m;
	enum dc_err err = dc_kdump_render(run->model, pos, s->wbuf, len);
	if (err != DC_OK)
		return err;
	uint64_t source = digest(s, s->wbuf, len);
	mdl_init(&m, s->wbuf, len);
	for (uint32_t i = 0; i < run->nfilters; i++)
		if (s->started[i] && s->init[i].DumpWrite)
			note_error(&s->res->status, call_io(s, i, true, off, &m, len));
	const uint8_t *data = mdl_data(&m);
	if ((err = s->disk->write(s->disk->ctx, off, data, len)) != DC_OK)
		return err;
	s->res->bytes_written += len;
	s->res->writes++;
	dci_ftrace_io(s, true, off, len, source, digest(s, data, len));
	return DC_OK;
}

static enum dc_err read_chunk(struct dci_fstack *s, uint64_t pos, uint32_t len, uint64_t *h)
{
	const struct dc_filter_run *run = s->run;
	uint64_t off = run->part.dump_offset + pos;
	MDL m;
	enum dc_err err = s->disk->read(s->disk->ctx, off, s->rbuf, len);
	if (err != DC_OK)
		return err;
	uint64_t disk = digest(s, s->rbuf, len);
	for (uint32_t k = run->nfilters; k-- > 0;) {
		if (!s->loaded[k] || !s->read_ok[k])
			continue;
		mdl_init(&m, s->rbuf, len);
		NTSTATUS st = call_io(s, k, false, off, &m, len);
		if (IS_ERROR(st)) {
			note_error(&s->res->read_status, st);
			return DC_OK;
		}
	}
	s->res->reads++;
	*h = dc_filter_fnv(*h, s->rbuf, len);
	dci_ftrace_io(s, false, off, len, disk, digest(s, s->rbuf, len));
	return run->image ? run->image(run->image_ctx, pos, s->rbuf, len) : DC_OK;
}

static enum dc_err dump_and_read(struct dci_fstack *s)
{
	struct dc_filter_result *r = s->res;
	uint64_t chunk = (uint64_t)s->pages * PAGE, h = DC_FILTER_FNV_BASIS;
	enum dc_err err = DC_OK;
	bool started = start_all(s);
	for (uint64_t pos = 0; started && err == DC_OK && pos < r->dump_size; pos += chunk)
		err = write_chunk(s, pos, (uint32_t)(r->dump_size - pos < chunk ? r->dump_size - pos : chunk));
	finish_all(s);
	if (err != DC_OK || !r->writes || s->run->no_read_back)
		return err;
	for (uint64_t pos = 0; err == DC_OK && r->read_status == STATUS_SUCCESS && pos < r->dump_size;
	     pos += chunk)
		err = read_chunk(s, pos, (uint32_t)(r->dump_size - pos < chunk ? r->dump_size - pos : chunk), &h);
	r->read_back = err == DC_OK && r->read_status == STATUS_SUCCESS;
	r->image_digest = r->read_back ? h : 0;
	return err;
}

/* ---------------------------------------------------------------- the run */

static uint32_t pages_per_write(const struct dci_fstack *s)
{
	uint32_t pages = s->run->stack_max_pages ? s->run->stack_max_pages : DC_FILTER_STACK_MAX_PAGES;
	for (uint32_t i = 0; i < s->run->nfilters; i++)
		if (s->loaded[i] && s->init[i].MaxPagesPerWrite < pages)
			pages = s->init[i].MaxPagesPerWrite;
	return pages;
}

static enum dc_err check_run(const struct dc_filter_run *run, const struct dc_filter_disk *disk,
			     struct dc_filter_result *res)
{
	if (!run || !disk || !disk->write || !disk->read || !res || !run->model ||
	    run->nfilters > DC_FILTER_MAX_FILTERS || (run->nfilters && !run->filters) ||
	    (run->stack_max_pages > 1u << 16))
		return DC_E_MISUSE;
	for (size_t i = 0; i < run->nfilters; i++)
		if (!run->filters[i].entry)
			return DC_E_MISUSE;
	enum dc_err err = dc_kdump_size(run->model, &res->dump_size);
	if (err != DC_OK)
		return err;
	if (run->part.dump_offset > run->part.size ||
	    res->dump_size > run->part.size - run->part.dump_offset)
		return DC_E_MISUSE;
	return DC_OK;
}

enum dc_err dc_filter_stack_run(const struct dc_filter_run *run, const struct dc_filter_disk *disk,
				FILE *trace, struct dc_filter_result *res)
{
	if (res)
		memset(res, 0, sizeof(*res));
	enum dc_err err = check_run(run, disk, res);
	if (err != DC_OK)
		return err;
	struct dci_fstack *s = calloc(1, sizeof(*s));
	if (!s)
		return DC_E_NOMEM;
	s->run = run;
	s->disk = disk;
	s->trace = trace;
	s->res = res;
	dci_ftrace_header(s);
	if (load_filters(s)) {
		s->pages = pages_per_write(s);
		size_t n = (size_t)s->pages * PAGE;
		s->wbuf = aligned_alloc(PAGE, n);
		s->rbuf = aligned_alloc(PAGE, n);
		err = s->wbuf && s->rbuf ? dump_and_read(s) : DC_E_NOMEM;
	}
	unload_all(s);
	dci_ftrace_result(s);
	free(s->wbuf);
	free(s->rbuf);
	free(s);
	if (err == DC_OK && trace && ferror(trace))
		err = DC_E_IO;
	return err;
}
