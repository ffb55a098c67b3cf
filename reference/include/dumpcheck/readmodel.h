/* Reading a minidump back into a process model (dumpcheck/process.h), and
 * checking a write round trip: model -> dc_write_minidump -> dump ->
 * dc_minidump_read_process -> model, compared with what the dump type and
 * the writer's effective write flags keep.
 *
 * The reader is hardened like the validator: every byte through the checked
 * cursor, counts checked against the bytes that hold them, no abort. It is
 * strict where the validator is lenient: a structure it needs that does not
 * fit or make sense fails the whole read. It keeps no copy of memory: the
 * model's region contents, contexts, debug records, object information and
 * token bytes point into the input, which the caller keeps alive and
 * unchanged for as long as the model is used. */
#ifndef DUMPCHECK_READMODEL_H
#define DUMPCHECK_READMODEL_H

#include "dumpcheck/writer.h"

/* One directory entry. */
struct dc_read_stream {
	uint32_t type;
	uint32_t rva;
	uint32_t size;
	const uint8_t *data; /* the stream's `size` bytes, inside the input */
};

/* One ThreadInfoList entry, with the fields the model has no place for. */
struct dc_read_thread_info {
	uint32_t thread_id;
	uint32_t dump_flags;
	uint32_t dump_error;
	uint32_t exit_status;
	uint64_t create_time, exit_time, kernel_time, user_time;
	uint64_t start_address;
	uint64_t affinity;
};

/* What a dump holds that the process model has no place for. Its arrays
 * live in the model's arena: valid until dc_process_free of that model. */
struct dc_read_extra {
	uint32_t version;   /* Header.Version */
	uint32_t checksum;  /* Header.CheckSum */
	uint32_t timestamp; /* Header.TimeDateStamp */
	uint64_t flags;     /* Header.Flags: the MINIDUMP_TYPE of the dump */
	struct dc_read_stream *streams; /* directory entries in order, UnusedStream left out */
	size_t nstreams;
	struct dc_read_stream *user_streams; /* the entries of types above LastReservedStream */
	size_t nuser_streams;
	struct dc_region *memory_info; /* MemoryInfoList entries in order (contents NULL) */
	size_t nmemory_info;
	struct dc_read_thread_info *thread_info; /* ThreadInfoList entries in order */
	size_t nthread_info;
	size_t orphan_thread_names; /* ThreadNames entries naming no (or an already named) thread */
	uint32_t misc_flags1;       /* MiscInfo Flags1 */
	bool has_system_info;       /* else the model's arch is 0xFFFF (unknown) */
	bool has_misc_info;
	bool has_memory_info;
};

/* Read the minidump `data[0..size)` into `out`, a fresh model the caller
 * later frees with dc_process_free, and what the model cannot hold into
 * `extra` (may be NULL). What the model gets:
 *  - arch and system from SystemInfo; pid and times from MiscInfo (when
 *    its Flags1 says they are valid);
 *  - threads in ThreadList order (ThreadExList is not read): context bytes,
 *    stack range {StartOfMemoryRange, DataSize} (size 0: no stack bytes);
 *    names from ThreadNames and the ThreadInfoList fields, by thread id;
 *  - modules in ModuleList order, path as UTF-8, VS_FIXEDFILEINFO, CV and
 *    misc record bytes (empty when their size is 0);
 *  - one region per MemoryList / Memory64List range and per stack whose
 *    bytes are not already those of a range, sorted by base; a range that is
 *    part of another range with the same file bytes is dropped (a dump
 *    giving one address two different byte sources keeps both, so regions
 *    may overlap). Region attributes come from the MemoryInfoList entry
 *    that holds the base when that list is sorted; otherwise state is
 *    MEM_COMMIT and the rest 0. Empty ranges are left out;
 *  - handles with their object-information chains, unloaded modules, the
 *    TokenStream bytes and the exception.
 * The first stream of each standard type is read (as MiniDumpReadDumpStream
 * does); later duplicates are only listed in extra->streams.
 * Allocation is charged against a budget of `size` + 64 KiB bytes (every
 * array element and string the model and `extra` keep; growing arrays may
 * reserve up to twice that). Returns DC_OK; DC_E_TRUNCATED when a structure
 * or a location points past the end of the input; DC_E_MALFORMED for a bad
 * signature, an odd string length, a wrapping range, a versioned list whose
 * SizeOfHeader or SizeOfEntry is below its structure's size, or an
 * object-information chain that loops; DC_E_LIMIT when the budget is spent; DC_E_NOMEM;
 * DC_E_MISUSE for bad arguments. On error `out` and `extra` are left empty
 * (zeroed). */
enum dc_err dc_minidump_read_process(const uint8_t *data, uint64_t size, struct dc_process *out,
				     struct dc_read_extra *extra);

/* A bit for dc_roundtrip_check's `dump_type`, outside every MINIDUMP_TYPE
 * value: callbacks (Memory, RemoveMemory, IncludeVmRegion) may have added
 * or removed memory, so which ranges the dump must hold is not known from
 * the flags. The completeness checks (every range the flags ask for is
 * there, nothing else is) are then skipped, and a stack may be empty; every
 * dumped byte is still compared with the model (bytes a VmPreRead or
 * VmPostRead callback supplied are differences). */
#define DC_ROUNDTRIP_CALLBACK_MEMORY (1ull << 63)

/* Compare `read` (from dc_minidump_read_process) with the `model` the dump
 * was written from, by what `dump_type` and the effective flags the writer
 * reported (dc_write_request.thread_flags_out / module_flags_out, required
 * when the model has threads / modules) keep:
 *  - system info, MiscInfo pid and times;
 *  - threads with ThreadWriteThread, in model order, and no other: id,
 *    suspend count, priorities, TEB, name; context bytes with
 *    ThreadWriteContext (else none); with ThreadWriteStack the stack range
 *    and its bytes in the dump's memory (else an empty stack); the
 *    ThreadInfoList fields with WithThreadInfo and ThreadWriteThreadInfo
 *    (else zero);
 *  - modules with ModuleWriteModule, in order: path (the file name only with
 *    FilterModulePaths), base, size, checksum, time stamp, version, CV and
 *    misc bytes only with ModuleWriteCvRecord / ModuleWriteMiscRecord;
 *  - memory: every dumped byte equals the model's (FilterMemory: a word of
 *    a thread stack that points into no module and no stack is zero, as the
 *    reference writer filters); no dumped byte is unreadable in the model;
 *    with WithFullMemoryInfo the region attributes equal the model's. Unless
 *    DC_ROUNDTRIP_CALLBACK_MEMORY: with WithFullMemory every committed
 *    readable region (not guard, not no-access, not write-combined under
 *    FilterWriteCombinedMemory) is there whole and nothing else is; without
 *    it every range the flags ask for (kept stacks, TEB pages, data and code
 *    sections, module header pages, private read-write / write-copy
 *    regions) is there, and (unless WithIndirectlyReferencedMemory, whose
 *    windows are not recomputed) nothing else is;
 *  - handles (WithHandleData), unloaded modules (WithUnloadedModules),
 *    tokens (WithTokenInformation): equal, or absent without the flag;
 *  - the exception, when the dump has one.
 * DC_OK when all agree; DC_E_MALFORMED with the first difference in `why`
 * (field path, model value, dump value); DC_E_MISUSE for bad arguments. */
enum dc_err dc_roundtrip_check(const struct dc_process *model, uint64_t dump_type,
			       const uint32_t *thread_flags, const uint32_t *module_flags,
			       const struct dc_process *read, char *why, size_t why_len);

/* The part of a round trip only `extra` shows: Header.Flags and
 * TimeDateStamp equal the request's; the flag-driven streams are present
 * exactly when the request asks for them; every user stream of the request
 * is in the directory, in order, with its bytes; with WithFullMemoryInfo the
 * MemoryInfoList equals the model's regions; with WithThreadInfo the
 * ThreadInfoList holds exactly the threads with ThreadWriteThreadInfo in
 * `thread_flags`, in order, with their fields; no thread name is orphaned.
 * Returns like dc_roundtrip_check. */
enum dc_err dc_roundtrip_check_extra(const struct dc_process *model,
				     const struct dc_write_request *req,
				     const uint32_t *thread_flags,
				     const struct dc_read_extra *extra, char *why, size_t why_len);

#endif
