/* The reference writer: layout, memory selection, the two passes.
 *
 * The writer runs twice over the same model: a sizing pass (no sink) that
 * only advances offsets, then the real pass. The sizing pass tells where
 * the Memory64List data will start, so that thread stacks can point into it
 * although it is the last thing in the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"

#define FLAG(w, f) (((w)->req->dump_type & (uint64_t)(f)) != 0)

enum dc_err dc_sink_fd_write(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	int fd = *(const int *)ctx;
	const uint8_t *p = buf;
	while (n) {
		ssize_t k = pwrite(fd, p, n, (off_t)offset);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return DC_E_IO;
		p += k;
		n -= (size_t)k;
		offset += (uint64_t)k;
	}
	return DC_OK;
}

void dci_w_fail(struct dci_writer *w, enum dc_err err, uint32_t hresult)
{
	if (w->err == DC_OK) {
		w->err = err;
		w->hresult = hresult;
	}
}

void dci_w_emit(struct dci_writer *w, uint64_t off, const void *data, uint64_t n)
{
	static const uint8_t zeros[4096];
	if (!w->sink || w->err != DC_OK || n == 0)
		return;
	while (n && w->err == DC_OK) {
		size_t k = n > sizeof(zeros) && !data ? sizeof(zeros) : (size_t)n;
		enum dc_err err = w->sink->write_at(w->sink->ctx, off, data ? data : zeros, k);
		if (err == DC_E_CALLBACK) /* IoWriteAllCallback refused: its HRESULT */
			dci_w_fail(w, err, w->io_hresult);
		else if (err != DC_OK)
			dci_w_fail(w, DC_E_IO, DC_HRESULT_ERROR_WRITE_FAULT);
		off += k;
		n -= k;
		if (data)
			data = (const uint8_t *)data + k;
	}
}

uint64_t dci_w_reserve(struct dci_writer *w, uint64_t n)
{
	uint64_t rva = (w->pos + 7u) & ~(uint64_t)7u;
	if (rva > UINT32_MAX || n > UINT32_MAX - rva) {
		/* a 32-bit RVA cannot address it (Memory64 data goes after the last RVA) */
		dci_w_fail(w, DC_E_LIMIT, DC_HRESULT_E_INVALIDARG);
		return 0;
	}
	dci_w_emit(w, w->pos, NULL, rva - w->pos);
	w->pos = rva + n;
	return w->err == DC_OK ? rva : 0;
}

uint64_t dci_w_put(struct dci_writer *w, const void *data, uint64_t n)
{
	uint64_t rva = dci_w_reserve(w, n);
	if (rva)
		dci_w_emit(w, rva, data, n);
	return w->err == DC_OK ? rva : 0;
}

uint64_t dci_w_string(struct dci_writer *w, const char *s)
{
	/* UTF-8 to UTF-16LE: at most 2 bytes per input byte, plus length and NUL */
	size_t len = strlen(s);
	uint8_t *buf = malloc(4 + 2 * len + 2);
	if (!buf) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return 0;
	}
	size_t units = dci_utf8_to_utf16(s, len, buf + 4);
	dci_st32(buf, 0, (uint32_t)(2 * units));
	dci_st16(buf, (uint32_t)(4 + 2 * units), 0);
	uint64_t rva = dci_w_put(w, buf, 4 + 2 * units + 2);
	free(buf);
	return rva;
}

void dci_w_stream(struct dci_writer *w, uint32_t type, uint64_t rva, uint64_t size)
{
	if (w->ndir >= DCI_MAX_STREAMS || size > UINT32_MAX) {
		dci_w_fail(w, DC_E_LIMIT, DC_HRESULT_E_INVALIDARG);
		return;
	}
	w->dir[w->ndir][0] = type;
	w->dir[w->ndir][1] = (uint32_t)size;
	w->dir[w->ndir][2] = (uint32_t)rva;
	w->ndir++;
}

void dci_st16(uint8_t *b, uint32_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

void dci_st32(uint8_t *b, uint32_t off, uint32_t v)
{
	dci_st16(b, off, (uint16_t)v);
	dci_st16(b, off + 2, (uint16_t)(v >> 16));
}

void dci_st64(uint8_t *b, uint32_t off, uint64_t v)
{
	dci_st32(b, off, (uint32_t)v);
	dci_st32(b, off + 4, (uint32_t)(v >> 32));
}

void dci_st_loc(uint8_t *b, uint32_t off, uint64_t size, uint64_t rva)
{
	dci_st32(b, off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize, (uint32_t)size);
	dci_st32(b, off + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, (uint32_t)rva);
}

uint64_t dci_w_mem_rva(const struct dci_writer *w, uint64_t addr, uint64_t size)
{
	size_t lo = 0, hi = w->nmem;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct dci_wmem *m = &w->mem[mid];
		if (addr < m->start)
			hi = mid;
		else if (addr - m->start >= m->size)
			lo = mid + 1;
		else
			return size <= m->size - (addr - m->start) ? m->rva + (addr - m->start) : 0;
	}
	return 0;
}

/* The bytes of every MemoryList range, in address order; the sizing pass
 * only places them (no read, so no Vm callback). */
static void write_memory_list(struct dci_writer *w)
{
	for (size_t i = 0; i < w->nmem && w->err == DC_OK; i++) {
		w->mem[i].rva = dci_w_reserve(w, w->mem[i].size);
		if (w->sink && w->mem[i].rva)
			dci_w_write_range(w, i, w->mem[i].rva);
	}
	dci_w_ranges_done(w);
}

static void write_memory_list_stream(struct dci_writer *w)
{
	uint64_t size = 4 + (uint64_t)w->nmem * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
	uint8_t *b = calloc(1, size);
	if (!b) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return;
	}
	dci_st32(b, 0, (uint32_t)w->nmem);
	for (size_t i = 0; i < w->nmem; i++) {
		uint32_t at = 4 + (uint32_t)i * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
		dci_st64(b, at + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_StartOfMemoryRange, w->mem[i].start);
		dci_st_loc(b, at + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR_Memory, w->mem[i].size, w->mem[i].rva);
	}
	dci_w_stream(w, DC_STREAM_MEMORY_LIST, dci_w_put(w, b, size), size);
	free(b);
}

/* Memory64List: descriptors, then every range's bytes back to back. */
static void write_memory64(struct dci_writer *w)
{
	uint64_t size = DC_SIZE_MINIDUMP_MEMORY64_LIST + (uint64_t)w->nmem * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64;
	uint8_t *b = calloc(1, size);
	if (!b) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return;
	}
	uint64_t rva = (w->pos + 7u) & ~(uint64_t)7u, base = rva + size;
	if (!w->sink)
		w->mem64_base = base; /* sizing pass: remembered for place_memory64 */
	else if (DC_NEVER(base != w->mem64_base))
		dci_w_fail(w, DC_E_MISUSE, DC_HRESULT_E_INVALIDARG); /* passes disagree: a writer bug */
	dci_st64(b, DC_OFF_MINIDUMP_MEMORY64_LIST_NumberOfMemoryRanges, w->nmem);
	dci_st64(b, DC_OFF_MINIDUMP_MEMORY64_LIST_BaseRva, base);
	for (size_t i = 0; i < w->nmem; i++) {
		uint32_t at = DC_SIZE_MINIDUMP_MEMORY64_LIST + (uint32_t)i * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64;
		dci_st64(b, at + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_StartOfMemoryRange, w->mem[i].start);
		dci_st64(b, at + DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize, w->mem[i].size);
	}
	dci_w_stream(w, DC_STREAM_MEMORY64_LIST, dci_w_put(w, b, size), size);
	free(b);
	for (size_t i = 0; i < w->nmem && w->err == DC_OK; i++) {
		if (w->sink)
			dci_w_write_range(w, i, w->pos);
		w->pos += w->mem[i].size;
	}
	dci_w_ranges_done(w);
}

/* The full-memory RVAs of each range, from the sizing pass's BaseRva. */
static void place_memory64(struct dci_writer *w)
{
	uint64_t rva = w->mem64_base;
	for (size_t i = 0; i < w->nmem; i++) {
		w->mem[i].rva = rva;
		rva += w->mem[i].size;
	}
}

/* ---------------------------------------------------------------- passes */

static void write_header(struct dci_writer *w, uint32_t count)
{
	uint8_t h[DC_SIZE_MINIDUMP_HEADER] = { 0 };
	dci_st32(h, DC_OFF_MINIDUMP_HEADER_Signature, DC_MINIDUMP_SIGNATURE);
	dci_st32(h, DC_OFF_MINIDUMP_HEADER_Version, DC_MINIDUMP_VERSION);
	dci_st32(h, DC_OFF_MINIDUMP_HEADER_NumberOfStreams, count);
	dci_st32(h, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva, DC_SIZE_MINIDUMP_HEADER);
	dci_st32(h, DC_OFF_MINIDUMP_HEADER_TimeDateStamp, w->req->timestamp);
	dci_st64(h, DC_OFF_MINIDUMP_HEADER_Flags, w->req->dump_type);
	dci_w_emit(w, 0, h, sizeof(h));
}

static void write_directory(struct dci_writer *w)
{
	uint8_t e[DC_SIZE_MINIDUMP_DIRECTORY];
	for (uint32_t i = 0; i < w->ndir; i++) {
		dci_st32(e, DC_OFF_MINIDUMP_DIRECTORY_StreamType, w->dir[i][0]);
		dci_st_loc(e, DC_OFF_MINIDUMP_DIRECTORY_Location, w->dir[i][1], w->dir[i][2]);
		dci_w_emit(w, DC_SIZE_MINIDUMP_HEADER + (uint64_t)i * sizeof(e), e, sizeof(e));
	}
}

/* First data offset after a directory of `n` entries (8-aligned, so that
 * every later offset moves by the same multiple of 8 when n changes). */
static uint64_t data_start(uint32_t n)
{
	return (DC_SIZE_MINIDUMP_HEADER + (uint64_t)n * DC_SIZE_MINIDUMP_DIRECTORY + 7u) & ~(uint64_t)7u;
}

/* CancelCallback before each stream of the real pass ("periodically"). */
#define STEP(w, call)                          \
	do {                                   \
		if (!dci_w_cancelled(w))       \
			call;                  \
	} while (0)

/* One pass over the streams in the order Windows writes them. */
static void write_streams(struct dci_writer *w, uint32_t reserved)
{
	bool full = FLAG(w, DC_MiniDumpWithFullMemory);
	w->pos = data_start(reserved);
	w->ndir = 0;
	if (full)
		place_memory64(w);
	else
		STEP(w, write_memory_list(w));
	STEP(w, dci_w_threads(w));
	STEP(w, dci_w_thread_names(w));
	STEP(w, dci_w_modules(w));
	if (FLAG(w, DC_MiniDumpWithUnloadedModules))
		STEP(w, dci_w_unloaded(w));
	if (!full)
		STEP(w, write_memory_list_stream(w));
	if (w->req->with_exception)
		STEP(w, dci_w_exception(w));
	STEP(w, dci_w_system_info(w));
	if (FLAG(w, DC_MiniDumpWithThreadInfo))
		STEP(w, dci_w_thread_info(w));
	if (FLAG(w, DC_MiniDumpWithHandleData))
		STEP(w, dci_w_handles(w));
	if (FLAG(w, DC_MiniDumpWithFullMemoryInfo))
		STEP(w, dci_w_memory_info(w));
	if (FLAG(w, DC_MiniDumpWithTokenInformation))
		STEP(w, dci_w_tokens(w));
	STEP(w, dci_w_misc_info(w));
	STEP(w, dci_w_user_streams(w));
	if (full)
		STEP(w, write_memory64(w));
}

static enum dc_err check_request(const struct dc_process *p, const struct dc_write_request *req)
{
	char why[128];
	if (!p || !req || (req->nuser_streams && !req->user_streams))
		return DC_E_MISUSE;
	if (req->with_exception && !p->has_exception)
		return DC_E_MISUSE;
	/* A user stream of a reserved type would shadow or contradict the
	 * writer's own streams (writer.user_stream_type). */
	for (size_t i = 0; i < req->nuser_streams; i++)
		if (req->user_streams[i].type <= DC_LAST_RESERVED_STREAM ||
		    (req->user_streams[i].size && !req->user_streams[i].buffer))
			return DC_E_MISUSE;
	return dc_process_check(p, why, sizeof(why));
}

/* The caller's copies of the per-thread / per-module decisions (0 when
 * the dump failed before they were taken). */
static void report_flags(const struct dci_writer *w)
{
	uint32_t *tf = w->req->thread_flags_out, *mf = w->req->module_flags_out;
	for (size_t i = 0; tf && i < w->p->nthreads; i++)
		tf[i] = w->tflags ? w->tflags[i] : 0;
	for (size_t i = 0; mf && i < w->p->nmodules; i++)
		mf[i] = w->mflags ? w->mflags[i] : 0;
}

enum dc_err dc_write_minidump(const struct dc_process *p, const struct dc_write_request *req,
			      const struct dc_sink *sink, struct dc_write_result *res)
{
	struct dci_writer w;
	memset(&w, 0, sizeof(w));
	memset(res, 0, sizeof(*res));
	w.p = p;
	w.req = req;
	w.err = check_request(p, req);
	if (w.err != DC_OK) {
		res->hresult = DC_HRESULT_E_INVALIDARG;
		return w.err;
	}
	struct dc_sink io_sink;
	bool redirected = dci_w_io_start(&w, &io_sink);
	if (w.err == DC_OK)
		dci_w_callbacks_start(&w);
	if (w.err == DC_OK && dci_w_callbacks_enumerate(&w) == DC_OK)
		dci_w_select_memory(&w);
	/* Sizing pass (no sink): how many streams, where the Memory64 data goes
	 * with a directory of none; the real pass shifts it by a multiple of 8. */
	if (w.err == DC_OK)
		write_streams(&w, 0);
	uint32_t count = w.ndir;
	w.mem64_base += data_start(count) - data_start(0);
	w.sink = redirected ? &io_sink : sink;
	if (w.err == DC_OK)
		write_streams(&w, count);
	if (w.err == DC_OK && w.ndir != count)
		dci_w_fail(&w, DC_E_MISUSE, DC_HRESULT_E_INVALIDARG); /* passes disagree: a writer bug */
	if (w.err == DC_OK) {
		write_directory(&w);
		write_header(&w, w.ndir); /* last: a failed dump never gets a valid header */
	}
	if (redirected && w.err == DC_OK)
		dci_w_io_finish(&w);
	dci_w_callbacks_kernel(&w);
	report_flags(&w);
	free(w.mem);
	free(w.tflags);
	free(w.mflags);
	res->hresult = w.err == DC_OK ? 0 : w.hresult;
	res->bytes = w.err == DC_OK ? w.pos : 0;
	return w.err;
}
