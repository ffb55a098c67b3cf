/* dumpcheck/filter.h: a simulated crash-dump stack with filter drivers
 * (ntdddump.h; spec-notes §4.1-4.5; rules spec/rules/filter.toml; trace
 * schema spec/filter-trace.md; scenarios spec/filter-scenarios/).
 *
 * - A FILTER is its DriverEntry (called, as crashdmp.sys does, with a
 *   FILTER_EXTENSION and a FILTER_INITIALIZATION_DATA to fill) plus a
 *   pointer standing in for the driver's globals (the library has none).
 * - The STACK loads the filters, then writes the kernel dump a kdump.h model
 *   renders to a dump partition (any struct dc_filter_disk) in writes of at
 *   most MaxPagesPerWrite pages, calling Dump_Start, Dump_Write per write and
 *   Dump_Finish of every loaded filter in load order; then reads the dump
 *   back (Dump_Read for the filters that may have it, last loaded first),
 *   and unloads (Dump_Unload). Memory does not grow with the dump size: one
 *   write buffer and one read buffer of the write size. What it does when a
 *   routine fails is spec/rules/filter.toml's filter.error.* rules.
 * - Every call is traced (JSON Lines); the CHECKER loads a trace from any
 *   implementation (the hardened JSON parser) and judges it against the
 *   filter.* rules, and the partition image against the cross rules.
 * - EXAMPLE FILTERS (struct dc_fx): a pass-through observer, an encrypting
 *   filter, and knobs that make them fail or misbehave. */
#ifndef DUMPCHECK_FILTER_H
#define DUMPCHECK_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/kdump.h"
#include "dumpcheck/win/ntdddump.h"

#define DC_FILTER_TRACE_SCHEMA_VERSION 1
#define DC_FILTER_PAGE_SIZE 4096u
#define DC_FILTER_MAX_FILTERS 8u      /* filters one stack loads */
#define DC_FILTER_STACK_MAX_PAGES 64u /* the stack's own cap on pages per write (256 KiB) */
#define DC_FILTER_NAME_MAX 32u        /* filter name bytes, NUL included */
#define DC_FILTER_UNLOAD 6u           /* CallbackDumpUnload: the trace's number for Dump_Unload */

/* A filter driver. `entry` is its DriverEntry; `driver` is handed to it
 * unchanged (its "globals"). */
typedef NTSTATUS (*dc_filter_entry_fn)(void *driver, PFILTER_EXTENSION ext,
				       PFILTER_INITIALIZATION_DATA init);
struct dc_filter_driver {
	const char *name;
	dc_filter_entry_fn entry;
	void *driver;
};

/* The dump partition and its disk, as FILTER_EXTENSION describes them. */
struct dc_filter_partition {
	uint64_t size;        /* partition bytes (FILTER_EXTENSION.DiskSize) */
	uint64_t dump_offset; /* where the dump starts, within the partition */
	uint64_t cylinders;   /* 0: size / (tracks * sectors * bytes per sector) */
	uint32_t tracks_per_cylinder, sectors_per_track, bytes_per_sector;
	uint32_t mbr_signature;
};

/* The device under the stack: offsets are partition offsets. */
struct dc_filter_disk {
	void *ctx;
	enum dc_err (*write)(void *ctx, uint64_t off, const void *buf, size_t len);
	enum dc_err (*read)(void *ctx, uint64_t off, void *buf, size_t len);
};

/* A partition held in memory (tests, small scenarios): `data` of `size`
 * bytes, zeroed, owned (free with dc_filter_memdisk_free). */
struct dc_filter_memdisk {
	uint8_t *data;
	uint64_t size;
};
enum dc_err dc_filter_memdisk_init(struct dc_filter_memdisk *m, uint64_t size,
				   struct dc_filter_disk *disk);
void dc_filter_memdisk_free(struct dc_filter_memdisk *m);

/* A partition in an open file (pread/pwrite on `*fd`). */
void dc_filter_filedisk(int *fd, struct dc_filter_disk *disk);

/* One run of the stack. */
struct dc_filter_run {
	const char *implementation, *version, *scenario; /* header record; may be NULL */
	FILTER_DUMP_TYPE dump_type;
	struct dc_filter_partition part;
	const struct dc_kdump_model *model;
	const struct dc_filter_driver *filters;
	size_t nfilters;
	uint32_t stack_max_pages;  /* 0: DC_FILTER_STACK_MAX_PAGES */
	bool no_read_back;         /* skip the read path */
	const char *image_name;    /* the result record's image name, or NULL */
	/* Receives the dump as the read path delivers it (offset from the dump's
	 * start), or NULL. */
	enum dc_err (*image)(void *ctx, uint64_t off, const void *buf, size_t len);
	void *image_ctx;
};

/* What the run did (also in the trace's result record). */
struct dc_filter_result {
	NTSTATUS status;      /* the dump: STATUS_SUCCESS or the first error */
	NTSTATUS read_status; /* the read path: STATUS_SUCCESS or its first error */
	size_t loaded;        /* filters initialised and kept */
	bool read_back;       /* the read path ran to the end */
	uint64_t dump_size, bytes_written, writes, reads;
	uint64_t image_digest; /* FNV-1a 64 of what the read path delivered */
};

/* Run the stack; `trace` (may be NULL: no trace, no digests) gets the
 * records of spec/filter-trace.md. DC_OK when the run happened (whatever the
 * filters did: `res` says); DC_E_MISUSE on bad arguments (partition too
 * small for the dump, no model), DC_E_NOMEM, DC_E_IO from the disk. */
enum dc_err dc_filter_stack_run(const struct dc_filter_run *run, const struct dc_filter_disk *disk,
				FILE *trace, struct dc_filter_result *res);

/* ---------------------------------------------------------------- example filters */

enum dc_fx_kind { DC_FX_OBSERVER, DC_FX_ENCRYPT };

/* Protocol violations an example filter can be told to commit in Dump_Write
 * (OFFSET .. OVERSIZE) or in Dump_Read (READ_OFFSET, READ_MDL). */
enum dc_fx_misbehave {
	DC_FX_OK,
	DC_FX_OFFSET,      /* changes DiskByteOffset */
	DC_FX_COUNT,       /* changes Mdl->ByteCount */
	DC_FX_IN_PLACE,    /* modifies the buffer it was given */
	DC_FX_UNALIGNED,   /* repoints the MDL at a buffer that is not page-aligned */
	DC_FX_OVERSIZE,    /* repoints the MDL at a buffer of more than MaxPagesPerWrite pages */
	DC_FX_READ_OFFSET, /* Dump_Read: does its work, then changes DiskByteOffset */
	DC_FX_READ_MDL     /* Dump_Read: works the Dump_Write way: copies into its buffer, undoes
			    * the transform there and repoints the MDL at it */
};
#define DC_FX_MISBEHAVE_COUNT 8

/* True for the misbehaviours of Dump_Read (their `nth` counts Dump_Read calls). */
bool dc_fx_misbehave_is_read(enum dc_fx_misbehave m);

/* "observer", "encrypt"; "ok", "offset", "count", "in_place", "unaligned", "oversize",
 * "read_offset", "read_mdl". */
const char *dc_fx_kind_name(enum dc_fx_kind k);
const char *dc_fx_misbehave_name(enum dc_fx_misbehave m);
bool dc_fx_kind_parse(const char *s, enum dc_fx_kind *k);
bool dc_fx_misbehave_parse(const char *s, enum dc_fx_misbehave *m);

/* What an example filter returns from its DriverEntry and how it behaves. */
struct dc_fx_params {
	enum dc_fx_kind kind;
	uint32_t major, minor, flags, max_pages;
	bool no_start, no_write, no_finish, no_unload; /* leave the routine NULL */
	bool dump_read;      /* set DumpRead */
	uint64_t key;        /* encrypt: keystream key */
	int32_t fail_cb;     /* FILTER_CALLBACK (DC_FILTER_UNLOAD for Dump_Unload) that fails, -1 none */
	uint32_t fail_nth;   /* its nth call fails (1-based; 0: every call) */
	NTSTATUS fail_status;
	enum dc_fx_misbehave misbehave;
	uint32_t misbehave_nth; /* the nth Dump_Write (Dump_Read for the read ones) misbehaves (0: every one) */
};

/* Defaults: observer, version 2.0, flags 0, 16 pages, every routine but
 * DumpRead (encrypt: DumpRead and the read flag), no failure. */
void dc_fx_params_default(struct dc_fx_params *p, enum dc_fx_kind kind);

/* One example filter instance: a driver's globals. */
struct dc_fx {
	struct dc_fx_params p;
	uint8_t *buf;      /* private buffer: (max_pages + 1) pages, page-aligned */
	size_t buf_len;
	uint32_t calls[8]; /* per FILTER_CALLBACK value (DC_FILTER_UNLOAD included) */
	bool loaded;
};

/* The DriverEntry of the example filters (`driver` is a struct dc_fx). */
NTSTATUS dc_fx_entry(void *driver, PFILTER_EXTENSION ext, PFILTER_INITIALIZATION_DATA init);

/* `d` names `fx` as a driver of the stack. */
void dc_fx_driver(struct dc_fx *fx, const char *name, struct dc_filter_driver *d);

/* Release what the filter allocated (its Dump_Unload does it too). */
void dc_fx_free(struct dc_fx *fx);

/* ---------------------------------------------------------------- scenarios */

struct dc_filter_scenario_filter {
	char name[DC_FILTER_NAME_MAX];
	struct dc_fx_params p;
};

/* A parsed scenario (spec/filter-scenarios/README.md); free with
 * dc_filter_scenario_free. */
struct dc_filter_scenario {
	char *name, *description;
	FILTER_DUMP_TYPE dump_type;
	struct dc_filter_partition part;
	uint32_t stack_max_pages;
	bool no_read_back;
	struct dc_kdump_model model;
	struct dc_filter_scenario_filter filters[DC_FILTER_MAX_FILTERS];
	size_t nfilters;
};

/* Parse scenario text[0..len) (untrusted: dumpcheck/toml.h). DC_E_MALFORMED
 * / DC_E_LIMIT / DC_E_NOMEM with `why` ("line N: key: what"); on error `sc`
 * is empty. */
enum dc_err dc_filter_scenario_parse(const char *text, size_t len, struct dc_filter_scenario *sc,
				     char *why, size_t why_len);
void dc_filter_scenario_free(struct dc_filter_scenario *sc);

/* Run scenario `sc` on a fresh set of example filters over `disk`, tracing
 * into `trace` (may be NULL); `image` as in struct dc_filter_run. */
enum dc_err dc_filter_scenario_run(const struct dc_filter_scenario *sc,
				   const struct dc_filter_disk *disk, FILE *trace,
				   const char *image_name,
				   enum dc_err (*image)(void *ctx, uint64_t off, const void *buf, size_t len),
				   void *image_ctx, struct dc_filter_result *res);

/* ---------------------------------------------------------------- traces and checker */

/* One record of a loaded trace: init, callback, write or read. */
enum dc_filter_rec_kind { DC_FREC_INIT, DC_FREC_CALLBACK, DC_FREC_WRITE, DC_FREC_READ };

struct dc_filter_rec {
	enum dc_filter_rec_kind kind;
	unsigned line;
	uint32_t filter;   /* init, callback */
	uint32_t callback; /* callback: FILTER_CALLBACK value or DC_FILTER_UNLOAD */
	uint32_t status;   /* init, callback: the NTSTATUS returned */
	int64_t dump_data; /* the DumpData token (-1: null) */
	/* init */
	uint32_t major, minor, flags, max_pages;
	bool has_start, has_write, has_finish, has_unload, has_read, loaded;
	/* callback (write, read), write, read */
	uint64_t offset_in, offset_out;
	uint32_t count_in, count_out, byte_offset_in, byte_offset_out, va_page_offset;
	uint32_t pages;
	bool redirected;
	uint64_t data_in, data_in_after, data_out; /* digests; write: source, -, written; read: disk, -, delivered */
};

/* A loaded trace (free with dc_filter_trace_free). */
struct dc_filter_trace {
	char *implementation, *version, *scenario;
	uint32_t dump_type;
	uint64_t part_size, dump_offset;
	uint32_t stack_max_pages, ext_size, nfilters;
	struct dc_filter_rec *recs;
	size_t nrecs, cap;
	bool seq_ok;
	unsigned seq_bad_line;
	uint64_t nseq;
	bool has_result;
	unsigned result_line;
	uint32_t result_status, result_read_status;
	bool result_read_back;
	uint64_t result_dump_size, result_bytes_written, result_writes, result_reads;
	bool has_image;
	uint64_t image_size, image_digest;
};

struct dc_trace_limits;
/* Parse trace text[0..len) under `lim` (NULL: dc_trace_limits_default).
 * DC_E_MALFORMED / DC_E_UNSUPPORTED / DC_E_LIMIT / DC_E_NOMEM with `why`
 * "line N: ..."; on error `t` is empty. */
enum dc_err dc_filter_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
				 struct dc_filter_trace *t, char *why, size_t why_len);
void dc_filter_trace_free(struct dc_filter_trace *t);

/* Judge `t` against the filter.* protocol rules and, when `image` is not
 * NULL, `image[0..image_size)` (the dump as the read path delivered it)
 * against the cross rules; findings (offset = trace line) into `out`;
 * `exercised` (may be NULL; DC_RULE_COUNT entries) marks the rules judged. */
enum dc_err dc_filter_check(const struct dc_filter_trace *t, const uint8_t *image, uint64_t image_size,
			    struct dc_diags *out, bool *exercised);

/* FNV-1a 64 (the trace digests), continued from `h` (start: DC_FILTER_FNV_BASIS). */
#define DC_FILTER_FNV_BASIS 0xcbf29ce484222325ull
uint64_t dc_filter_fnv(uint64_t h, const void *data, size_t n);

#endif
