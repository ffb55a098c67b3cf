/* dumpcheck/kdump.h: Windows kernel crash dumps (DUMP_HEADER "PAGE"/"DUMP",
 * DUMP_HEADER64 "PAGE"/"DU64"; spec-notes §4.6; rules spec/rules/kdump.toml).
 *
 * - The MODEL describes a machine's physical memory and the header facts of
 *   one dump: the runs of PhysicalMemoryBlock, which pages a bitmap dump
 *   keeps, and the page contents (a deterministic pattern per page, plus
 *   explicit byte patches). It is small whatever the dump size: a 16 GiB
 *   dump is a few runs.
 * - The RENDERER produces any byte range of the dump the model describes, so
 *   a writer (the filter stack, a file writer, a benchmark) streams the dump
 *   out in pieces without ever holding it.
 * - The VALIDATOR checks a kernel dump in O(header + bitmap) time and memory,
 *   with findings as struct dc_diag (rules kdump.*), like the minidump one.
 *
 * Contract shared by the kernel-dump code and the filter stack
 * (dumpcheck/filter.h): keep it stable; extend, never reshape. */
#ifndef DUMPCHECK_KDUMP_H
#define DUMPCHECK_KDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/toml.h"

#define DC_KDUMP_PAGE_SIZE 4096u

/* A range of page frame numbers. */
struct dc_kdump_range {
	uint64_t first_pfn;
	uint64_t count;
};

/* Bytes written over a page's pattern (page contents the model pins). */
struct dc_kdump_patch {
	uint64_t pfn;
	uint32_t offset;        /* within the page */
	uint32_t len;           /* offset + len <= DC_KDUMP_PAGE_SIZE */
	const uint8_t *bytes;   /* owned by the model */
};

/* What one kernel dump holds. Arrays are owned by the model
 * (dc_kdump_model_free releases them when it was loaded from TOML). */
struct dc_kdump_model {
	bool is64;                 /* DUMP_HEADER64 (0x2000 header) vs DUMP_HEADER (0x1000) */
	uint32_t dump_type;        /* DumpType: 1 full, 5 bitmap (others: header only) */
	uint32_t bitmap_signature; /* bitmap dumps: "SDMP" kernel or "FDMP" full */
	uint32_t major_version, minor_version;
	uint32_t machine_image_type; /* 0x8664, 0x14c, ... */
	uint32_t number_processors;
	uint32_t bugcheck_code;
	uint64_t bugcheck_params[4];
	uint64_t directory_table_base;
	uint64_t pfn_database, ps_loaded_module_list, ps_active_process_head;
	uint64_t kd_debugger_data_block;
	struct dc_kdump_range *runs;    /* PhysicalMemoryBlock runs, as declared */
	size_t nruns;
	struct dc_kdump_range *present; /* bitmap dumps: pages kept (within runs); NULL = all */
	size_t npresent;
	uint64_t fill_seed;             /* page pattern seed (dc_kdump_page_pattern) */
	struct dc_kdump_patch *patches;
	size_t npatches;
};

/* Load a model from a TOML table (a kernel-dump scenario's [memory] table,
 * documented in spec/kdump-scenarios/README.md). On failure returns
 * DC_E_MALFORMED (or DC_E_NOMEM) and writes "line N: why" into err. */
enum dc_err dc_kdump_model_from_toml(const struct dc_toml_value *table,
				     struct dc_kdump_model *m, char *err, size_t errlen);

/* Release what dc_kdump_model_from_toml allocated; safe on a zeroed model. */
void dc_kdump_model_free(struct dc_kdump_model *m);

/* The page pattern: the bytes a page of the model holds before patches. */
void dc_kdump_page_pattern(uint64_t seed, uint64_t pfn, uint8_t page[DC_KDUMP_PAGE_SIZE]);

/* File size of the dump the model describes (header, bitmap summary and
 * bitmap when dump_type is 5, then the pages). DC_E_MALFORMED when the model
 * is inconsistent in a way no dump can express (overflow, unsorted present
 * ranges outside the runs). */
enum dc_err dc_kdump_size(const struct dc_kdump_model *m, uint64_t *size);

/* File offset of the first page of the dump the model describes (the end of
 * the header, or of the bitmap summary and bitmap rounded up to a page);
 * dc_kdump_size's errors. A sparse writer writes [0, first page) and leaves
 * the pages as holes. */
enum dc_err dc_kdump_first_page(const struct dc_kdump_model *m, uint64_t *offset);

/* Render bytes [offset, offset + len) of the dump into buf. Random access,
 * O(len + runs) work, no allocation. DC_E_MISUSE when the range passes the
 * end of the dump. */
enum dc_err dc_kdump_render(const struct dc_kdump_model *m, uint64_t offset,
			    uint8_t *buf, size_t len);

/* True when data starts with a kernel dump signature ("PAGE" then "DUMP" or
 * "DU64"): the CLI uses it to choose the validator. */
bool dc_kdump_sniff(const uint8_t *data, uint64_t size);

/* Validate the kernel dump data[0..size), appending kdump.* findings to out.
 * Returns DC_OK when the validation ran (whatever it found). */
enum dc_err dc_kdump_validate(const uint8_t *data, uint64_t size,
			      const struct dc_validate_opts *opts, struct dc_diags *out);

/* Load a kernel-dump scenario file (spec/kdump-scenarios/README.md: an
 * optional `description` and the [memory] table) into `m`. DC_E_IO when the
 * file cannot be read; the TOML parser's and dc_kdump_model_from_toml's
 * errors otherwise, with "PATH: line N: why" in err. */
enum dc_err dc_kdump_scenario_load(const char *path, struct dc_kdump_model *m, char *err, size_t errlen);

/* A kernel dump opened for reading: the header facts a page lookup needs.
 * Points into the caller's bytes (a mapped file); owns nothing. */
struct dc_kdump_view {
	const uint8_t *data;
	uint64_t size;
	bool is64;
	uint32_t dump_type;
	uint64_t header_size;   /* 0x1000 or 0x2000 */
	uint64_t nruns;         /* run list entries (0 when NumberOfRuns is the 'PAGE' fill) */
	uint64_t runs_off;      /* file offset of the first run */
	uint64_t bitmap_off;    /* bitmap dumps: file offset of the bitmap */
	uint64_t bitmap_bits;   /* bitmap dumps: DUMP_BITMAP_HEADER.Pages */
	uint64_t first_page;    /* file offset of the first page */
};

/* Open data[0..size) as a kernel dump of type 1 (full) or 5 (bitmap) for page
 * lookups, in O(1). DC_E_MALFORMED (not a kernel dump, the run list does not
 * fit the header, or a bitmap dump's FirstPage lies before the end of its
 * bitmap), DC_E_TRUNCATED (shorter than its header, summary header or
 * bitmap), DC_E_UNSUPPORTED (another DumpType). */
enum dc_err dc_kdump_open(const uint8_t *data, uint64_t size, struct dc_kdump_view *v);

/* File offset of the page of physical frame `pfn`: *present is false when the
 * dump does not hold it. Full dumps: O(runs); bitmap dumps: O(bitmap), never
 * touching page data. DC_E_TRUNCATED (with *present true) when the page lies
 * (partly) past the end of the file: *offset is still set, UINT64_MAX when
 * it passes 64 bits. DC_E_MISUSE on NULL arguments. */
enum dc_err dc_kdump_page_offset(const struct dc_kdump_view *v, uint64_t pfn, bool *present,
				 uint64_t *offset);

/* Print the header fields, the run list and the bitmap summary of kernel dump
 * data[0..size) as text (or, with `json`, one JSON object) to `out`; the
 * header must be whole. DC_E_MALFORMED when it is not a kernel dump,
 * DC_E_TRUNCATED when the header is cut, DC_E_IO when writing fails. */
enum dc_err dc_kdump_print(const uint8_t *data, uint64_t size, bool json, FILE *out);

/* Write the dump the model describes to `out` in chunks of at most `chunk`
 * bytes (0, or more than 64 KiB: 64 KiB), never holding more. DC_E_IO when writing fails. */
enum dc_err dc_kdump_write_file(const struct dc_kdump_model *m, FILE *out, size_t chunk);

#endif
