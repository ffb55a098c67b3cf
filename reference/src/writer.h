/* Internals of the reference writer, shared by writer.c (layout, memory)
 * and writer_streams.c (one function per stream). */
#ifndef DUMPCHECK_WRITER_INTERNAL_H
#define DUMPCHECK_WRITER_INTERNAL_H

#include "dumpcheck/writer.h"
#include "internal.h"

#define DCI_MAX_STREAMS 64u

/* A memory range of the dump and where its bytes are in the file. */
struct dci_wmem {
	uint64_t start;
	uint64_t size;
	uint64_t rva;
};

struct dci_writer {
	const struct dc_process *p;
	const struct dc_write_request *req;
	const struct dc_sink *sink; /* NULL in the sizing pass */
	enum dc_err err;
	uint32_t hresult;
	uint64_t pos; /* next free file offset */
	uint32_t dir[DCI_MAX_STREAMS][3]; /* type, size, rva */
	uint32_t ndir;
	struct dci_wmem *mem; /* ranges of MemoryList or Memory64List, sorted */
	size_t nmem, capmem;
	uint64_t mem64_base; /* sizing pass result: BaseRva of the Memory64 data */
	uint32_t *tflags;    /* per model thread: THREAD_WRITE_FLAGS in effect, 0 = left out */
	uint32_t *mflags;    /* per model module: MODULE_WRITE_FLAGS in effect, 0 = left out */
	bool cancel_checks;  /* CancelCallback still wanted */
	uint32_t io_hresult; /* why the last IoWriteAllCallback failed */
	bool vm_regions_done; /* IncludeVmRegionCallback said stop */
};

/* Fail the write with `err` and the HRESULT a caller would see. */
void dci_w_fail(struct dci_writer *w, enum dc_err err, uint32_t hresult);

/* Append `n` bytes (zeros when `data` is NULL) at the next 8-aligned
 * offset; returns their RVA (0 after a failure). */
uint64_t dci_w_put(struct dci_writer *w, const void *data, uint64_t n);

/* Append a MINIDUMP_STRING of UTF-8 `s` (as UTF-16LE, with the NUL). */
uint64_t dci_w_string(struct dci_writer *w, const char *s);

/* Record a directory entry. */
void dci_w_stream(struct dci_writer *w, uint32_t type, uint64_t rva, uint64_t size);

/* Little-endian stores into a structure being built. */
void dci_st16(uint8_t *b, uint32_t off, uint16_t v);
void dci_st32(uint8_t *b, uint32_t off, uint32_t v);
void dci_st64(uint8_t *b, uint32_t off, uint64_t v);

/* A location descriptor {size, rva} at `off`. */
void dci_st_loc(uint8_t *b, uint32_t off, uint64_t size, uint64_t rva);

/* RVA of the bytes of target address `addr` in the dump's memory, or 0. */
uint64_t dci_w_mem_rva(const struct dci_writer *w, uint64_t addr, uint64_t size);

/* writer_callbacks.c: Include*, Thread and Module callbacks (fills tflags,
 * mflags), the Memory/RemoveMemory loops, and CancelCallback (true when the
 * dump was cancelled or has already failed). */
enum dc_err dci_w_callbacks_enumerate(struct dci_writer *w);
void dci_w_callbacks_add_memory(struct dci_writer *w);
void dci_w_callbacks_remove_memory(struct dci_writer *w);
bool dci_w_cancelled(struct dci_writer *w);

/* IoStartCallback: true when the caller took the I/O (TRUE with S_FALSE);
 * then `sink` sends every write through IoWriteAllCallback, and
 * dci_w_io_finish makes the IoFinishCallback after the last write. */
bool dci_w_io_start(struct dci_writer *w, struct dc_sink *sink);
void dci_w_io_finish(struct dci_writer *w);

/* IsProcessSnapshot, VmStart and SecondaryFlags callbacks, before any read. */
void dci_w_callbacks_start(struct dci_writer *w);
/* ReadMemoryFailureCallback for [addr, addr + size): true to leave the block
 * out and go on, false when the dump failed. */
bool dci_w_read_failure(struct dci_writer *w, uint64_t addr, uint64_t size);
/* IncludeVmRegionCallback for region `r`: the part to keep in [*base,
 * *base + *size) (size 0: none); false when the dump failed. */
bool dci_w_include_vm_region(struct dci_writer *w, const struct dc_region *r, uint64_t *base,
			     uint64_t *size);
/* WriteKernelMinidump (and KernelMinidumpStatus) after a successful dump. */
void dci_w_callbacks_kernel(struct dci_writer *w);

/* writer_memory.c: add the readable part of a range; cut a range out of the
 * (sorted, merged) selection. */
void dci_w_add_readable(struct dci_writer *w, uint64_t start, uint64_t size);
void dci_w_remove_range(struct dci_writer *w, uint64_t start, uint64_t size);

/* writer_memory.c: which memory the dump keeps (w->mem, sorted, merged),
 * and the bytes of range `i` as the dump type shapes them (FilterMemory);
 * *scratch is set when they had to be copied (free it). */
void dci_w_select_memory(struct dci_writer *w);
const uint8_t *dci_w_range_data(struct dci_writer *w, size_t i, uint8_t **scratch);

/* writer_streams.c */
void dci_w_system_info(struct dci_writer *w);
void dci_w_threads(struct dci_writer *w);
void dci_w_modules(struct dci_writer *w);
void dci_w_unloaded(struct dci_writer *w);
void dci_w_exception(struct dci_writer *w);
void dci_w_misc_info(struct dci_writer *w);
void dci_w_thread_info(struct dci_writer *w);
void dci_w_thread_names(struct dci_writer *w);
void dci_w_handles(struct dci_writer *w);
void dci_w_memory_info(struct dci_writer *w);
void dci_w_tokens(struct dci_writer *w);
void dci_w_user_streams(struct dci_writer *w);

#endif
