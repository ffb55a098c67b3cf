/* The reference minidump writer over a process model (dumpcheck/process.h).
 *
 * Output is deterministic: the same model and request give the same bytes.
 * Layout: header at 0, directory at 32, every structure 8-byte aligned,
 * memory bytes before the lists that point at them, and with WithFullMemory
 * the Memory64List and its data last. Callbacks (MINIDUMP_CALLBACK_INFORMATION,
 * the Microsoft ABI) dispatched: IoStart, IoWriteAll, IoFinish,
 * IsProcessSnapshot, VmStart, SecondaryFlags, IncludeThread, IncludeModule,
 * Thread, Module, Memory, RemoveMemory, ReadMemoryFailure, IncludeVmRegion,
 * Cancel, WriteKernelMinidump and KernelMinidumpStatus; VmPreRead and
 * VmPostRead around every read of memory bytes once VmStart answered S_FALSE,
 * and VmQuery per MemoryInfoList region when IsProcessSnapshot did too
 * (writer.vm_* rules). Never made: ThreadEx (Itanium only; the model has no
 * IA64 architecture, writer.thread_ex_never). */
#ifndef DUMPCHECK_WRITER_H
#define DUMPCHECK_WRITER_H

#include "dumpcheck/process.h"
#include "dumpcheck/win/minidumpapiset.h"

/* Where the dump goes: every byte is written at an explicit offset (the
 * header and directory are written last). */
struct dc_sink {
	void *ctx;
	/* Write all `n` bytes of `buf` at `offset`; DC_OK or an error. */
	enum dc_err (*write_at)(void *ctx, uint64_t offset, const void *buf, size_t n);
};

/* A sink over a file descriptor (pwrite). `ctx` must point to an int fd. */
enum dc_err dc_sink_fd_write(void *ctx, uint64_t offset, const void *buf, size_t n);

struct dc_user_stream {
	uint32_t type;
	const void *buffer;
	uint32_t size;
};

struct dc_write_request {
	uint64_t dump_type;   /* MINIDUMP_TYPE flags */
	bool with_exception;  /* MiniDumpWriteDump got an ExceptionParam */
	const struct dc_user_stream *user_streams;
	size_t nuser_streams;
	uint32_t timestamp;   /* Header.TimeDateStamp */
	const MINIDUMP_CALLBACK_INFORMATION *callback; /* NULL: no callbacks */
	uint32_t process_id;  /* ProcessId passed to MiniDumpWriteDump, echoed to callbacks */
	HANDLE process_handle;
	HANDLE file_handle;   /* hFile: MINIDUMP_IO_CALLBACK.Handle under I/O redirection */
	/* The documentation's two readings of IncludeVmRegionCallback returning
	 * FALSE or Continue = FALSE: stop asking (false, the default) or fail the
	 * dump (true). */
	bool vm_region_stop_fails;
	/* Optional outputs (NULL: not wanted): arrays of p->nthreads /
	 * p->nmodules entries that receive the THREAD_WRITE_FLAGS /
	 * MODULE_WRITE_FLAGS in effect for each model thread / module after the
	 * dump type and every callback (0: left out), so that the writer's
	 * decisions can be checked against the dump (dc_roundtrip_check). Here
	 * and not in struct dc_write_result because callers leave the result
	 * uninitialised. Filled whenever the request passed its argument
	 * checks, also when the dump then failed (all 0 if it failed before the
	 * decisions were taken). */
	uint32_t *thread_flags_out;
	uint32_t *module_flags_out;
};

struct dc_write_result {
	uint32_t hresult; /* S_OK, or the HRESULT MiniDumpWriteDump would leave as last error */
	uint64_t bytes;   /* size of the dump written */
};

/* Write a minidump of `p` as `req` asks to `sink`. Returns DC_OK, or the
 * error that stopped it (and res->hresult says which HRESULT a
 * MiniDumpWriteDump caller would see). A failed dump leaves whatever bytes
 * were written but never a valid header: the header is written last. */
enum dc_err dc_write_minidump(const struct dc_process *p, const struct dc_write_request *req,
			      const struct dc_sink *sink, struct dc_write_result *res);

#endif
