/* The reference writer: the bytes of memory ranges, and the Vm* callbacks
 * (spec-notes §3.6 items 17-20, §6 rule 71).
 *
 * Without Vm callbacks a range goes from the model to the sink as it is
 * (no copy). With them (VmStartCallback said S_FALSE), every range is read
 * in pieces through one buffer: VmPreRead may supply leading bytes, the
 * writer reads the rest from the model, FilterMemory zeroes the words it
 * drops, VmPostRead may patch the buffer, and the buffer is written. The
 * layout is fixed by then (the sizing pass made no read), so a callback can
 * change bytes but never sizes: every failure it reports fails the dump.
 * The choices are the writer.vm_* rules of spec/rules/writer.toml. */
#include <stdlib.h>
#include <string.h>

#include "writer.h"

/* One read covers the part of a range inside one 64 KiB-aligned window of
 * the address space: page-aligned inside a range, and the buffer stays
 * this small whatever the dump's size (writer.vm_read_pieces). */
#define READ_PIECE 0x10000u

/* VmPreReadCallback for the `n` bytes at `addr`, in w->chunk (zeroed):
 * how many leading bytes the callback supplied. Pre-set S_OK and 0, so a
 * callback that ignores the type leaves the whole read to the writer; so
 * does FALSE (writer.vm_pre_read). */
static uint32_t pre_read(struct dci_writer *w, uint64_t addr, uint32_t n)
{
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.VmPreRead.Offset = addr;
	in.VmPreRead.Buffer = w->chunk;
	in.VmPreRead.Size = n;
	out.VmReadStatus = (HRESULT)DC_HR_S_OK;
	out.VmReadBytesCompleted = 0;
	if (!dci_w_call(w, DC_VmPreReadCallback, &in, &out))
		return 0;
	if (out.VmReadStatus < 0)
		dci_w_fail(w, DC_E_CALLBACK, (uint32_t)out.VmReadStatus);
	else if (out.VmReadBytesCompleted > n)
		dci_w_fail(w, DC_E_CALLBACK, DC_HRESULT_E_INVALIDARG); /* may have overrun the buffer */
	return w->err == DC_OK ? out.VmReadBytesCompleted : 0;
}

/* VmPostReadCallback once the `n` bytes at `addr` are all in w->chunk. The
 * output is pre-set to echo the input (S_OK, n): TRUE with anything else
 * claims a failed or short read, which can no longer leave bytes out, so
 * the dump fails (writer.vm_post_read). Whatever it returns, the buffer as
 * the callback left it is what the dump holds. */
static void post_read(struct dci_writer *w, uint64_t addr, uint32_t n)
{
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.VmPostRead.Offset = addr;
	in.VmPostRead.Buffer = w->chunk;
	in.VmPostRead.Size = n;
	in.VmPostRead.Completed = n;
	in.VmPostRead.Status = (HRESULT)DC_HR_S_OK;
	out.VmReadStatus = (HRESULT)DC_HR_S_OK;
	out.VmReadBytesCompleted = n;
	if (!dci_w_call(w, DC_VmPostReadCallback, &in, &out))
		return;
	if (out.VmReadStatus < 0)
		dci_w_fail(w, DC_E_CALLBACK, (uint32_t)out.VmReadStatus);
	else if (out.VmReadBytesCompleted > n)
		dci_w_fail(w, DC_E_CALLBACK, DC_HRESULT_E_INVALIDARG);
	else if (out.VmReadBytesCompleted < n)
		dci_w_fail(w, DC_E_CALLBACK, DC_HRESULT_ERROR_PARTIAL_COPY);
}

/* Fill w->chunk with the `n` bytes at `addr` of range `m` (model bytes
 * `model`) as the dump will hold them; false when the dump failed. */
static bool read_piece(struct dci_writer *w, const struct dci_wmem *m, const uint8_t *model,
		       uint64_t addr, uint32_t n)
{
	uint32_t done = 0;
	if (w->vm) {
		memset(w->chunk, 0, n); /* the callback never sees an earlier piece's bytes */
		done = pre_read(w, addr, n);
		if (w->err != DC_OK)
			return false;
	}
	memcpy(w->chunk + done, model + (addr - m->start) + done, n - done);
	if (dci_w_filters(w, m))
		dci_w_filter(w, m, addr, n, w->chunk);
	if (w->vm)
		post_read(w, addr, n);
	return w->err == DC_OK;
}

void dci_w_write_range(struct dci_writer *w, size_t i, uint64_t rva)
{
	const struct dci_wmem *m = &w->mem[i];
	const uint8_t *model = dci_w_model_bytes(w, m);
	if (w->err != DC_OK)
		return;
	if (DC_NEVER(!model)) { /* selection keeps readable memory only: a writer bug */
		dci_w_fail(w, DC_E_MISUSE, DC_HRESULT_E_INVALIDARG);
		return;
	}
	if (!w->vm && !dci_w_filters(w, m)) {
		dci_w_emit(w, rva, model, m->size); /* no copy */
		return;
	}
	if (!w->chunk && !(w->chunk = malloc(READ_PIECE))) {
		dci_w_fail(w, DC_E_NOMEM, DC_HRESULT_E_OUTOFMEMORY);
		return;
	}
	for (uint64_t off = 0; off < m->size && w->err == DC_OK;) {
		uint64_t addr = m->start + off, n = READ_PIECE - addr % READ_PIECE;
		if (n > m->size - off)
			n = m->size - off;
		if (read_piece(w, m, model, addr, (uint32_t)n))
			dci_w_emit(w, rva + off, w->chunk, n);
		off += n;
	}
}

void dci_w_ranges_done(struct dci_writer *w)
{
	free(w->chunk);
	w->chunk = NULL;
}

/* True when `q`, an answer for region `i`, describes that region: the same
 * base, and a size that neither is 0 nor reaches the next region. */
static bool query_fits(const struct dci_writer *w, size_t i, const MINIDUMP_MEMORY_INFO *q)
{
	const struct dc_region *r = &w->p->regions[i];
	uint64_t limit = i + 1 < w->p->nregions ? w->p->regions[i + 1].base : UINT64_MAX;
	return q->BaseAddress == r->base && q->RegionSize && q->RegionSize <= limit - r->base;
}

/* Only for a snapshot with Vm callbacks on, once per region, in the writing
 * pass: the answers change entry contents, never sizes, so the sizing pass
 * need not know them. VmQueryStatus is pre-set E_NOTIMPL and VmQueryResult
 * to the model's entry; only TRUE with S_OK replaces it (writer.vm_query). */
void dci_w_vm_query(struct dci_writer *w, size_t i, MINIDUMP_MEMORY_INFO *info)
{
	MINIDUMP_CALLBACK_INPUT in;
	MINIDUMP_CALLBACK_OUTPUT out;
	if (!w->sink || !w->vm || !w->snapshot || w->err != DC_OK)
		return;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.VmQuery.Offset = info->BaseAddress;
	out.VmQueryStatus = (HRESULT)DC_HR_E_NOTIMPL;
	out.VmQueryResult = *info;
	BOOL ok = dci_w_call(w, DC_VmQueryCallback, &in, &out);
	if (!ok || out.VmQueryStatus != (HRESULT)DC_HR_S_OK)
		return; /* the model's entry stays */
	MINIDUMP_MEMORY_INFO q = out.VmQueryResult; /* an aligned copy: the member is 4-packed */
	if (query_fits(w, i, &q))
		*info = q;
	else
		dci_w_fail(w, DC_E_CALLBACK, DC_HRESULT_E_INVALIDARG);
}
