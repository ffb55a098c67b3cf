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

#endif
