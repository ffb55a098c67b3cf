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
	bool vm;             /* VmStartCallback said S_FALSE: VmPreRead, VmPostRead, VmQuery on */
	bool snapshot;       /* IsProcessSnapshotCallback said S_FALSE */
	uint8_t *chunk;      /* the one read buffer of the writing pass (writer_vm.c) */
};

/* Fail the write with `err` and the HRESULT a caller would see. */
void dci_w_fail(struct dci_writer *w, enum dc_err err, uint32_t hresult);

/* Write `n` bytes (zeros when `data` is NULL) at file offset `off`; nothing
 * in the sizing pass or after a failure. */
void dci_w_emit(struct dci_writer *w, uint64_t off, const void *data, uint64_t n);

/* Append `n` bytes (zeros when `data` is NULL) at the next 8-aligned
 * offset; returns their RVA (0 after a failure). */
uint64_t dci_w_put(struct dci_writer *w, const void *data, uint64_t n);

/* As dci_w_put, but only the alignment padding is written: the caller
 * writes the `n` bytes at the returned RVA itself. */
uint64_t dci_w_reserve(struct dci_writer *w, uint64_t n);

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

/* writer_callbacks.c: make one callback (the input's header is filled
 * here; the caller fills the union member and pre-sets the output), and
 * whether there is a callback routine at all. */
BOOL dci_w_call(struct dci_writer *w, ULONG type, MINIDUMP_CALLBACK_INPUT *in,
		MINIDUMP_CALLBACK_OUTPUT *out);
bool dci_w_have_callback(const struct dci_writer *w);

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

/* IsProcessSnapshot, VmStart and SecondaryFlags callbacks, before any read:
 * they set w->snapshot and w->vm. */
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

/* writer_memory.c: which memory the dump keeps (w->mem, sorted, merged). */
void dci_w_select_memory(struct dci_writer *w);

/* writer_memory.c: the model's bytes of range `m` (NULL if unreadable);
 * whether FilterMemory changes any of them; and the FilterMemory shaping of
 * `buf`, which holds the bytes of [at, at + n), a part of range `m`. */
const uint8_t *dci_w_model_bytes(const struct dci_writer *w, const struct dci_wmem *m);
bool dci_w_filters(const struct dci_writer *w, const struct dci_wmem *m);
void dci_w_filter(const struct dci_writer *w, const struct dci_wmem *m, uint64_t at, uint64_t n,
		  uint8_t *buf);

/* writer_vm.c: write the bytes of range `i` at file offset `rva` (writing
 * pass only): straight from the model, or piece by piece through the read
 * buffer when Vm callbacks or FilterMemory touch them. dci_w_ranges_done
 * frees the read buffer once a memory list is written. */
void dci_w_write_range(struct dci_writer *w, size_t i, uint64_t rva);
void dci_w_ranges_done(struct dci_writer *w);

/* writer_vm.c: VmQueryCallback for region `i`, whose MemoryInfoList entry
 * `info` holds the model's description; a consistent answer replaces it. */
void dci_w_vm_query(struct dci_writer *w, size_t i, MINIDUMP_MEMORY_INFO *info);

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
