/* libdumpcheck: hardened reader and validator of Windows minidumps.
 *
 * Untrusted bytes are only ever read through checked cursors; rule
 * violations are data (struct dc_diag), never aborts. */
#ifndef DUMPCHECK_H
#define DUMPCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dumpcheck/spec_types.h"
#include "dc_spec.h"

#define DC_VERSION "0.1.0"

/* DC_VERSION as the library was built; for code that also sees <windows.h>,
 * whose wingdi.h has a DC_VERSION of its own. */
const char *dc_version(void);
/* Version of the JSON documents written by `dumpcheck dump --json` and
 * `dumpcheck validate --format json`; bumped on any incompatible change. */
#define DC_JSON_SCHEMA_VERSION 1

enum dc_err {
	DC_OK = 0,
	DC_E_TRUNCATED,  /* the input ends before a structure it declares */
	DC_E_MALFORMED,  /* the input is not what it claims to be */
	DC_E_LIMIT,      /* a resource budget (struct dc_limits) was reached */
	DC_E_NOMEM,      /* an allocation failed */
	DC_E_IO,         /* the operating system refused a read or write */
	DC_E_CALLBACK,   /* a callback reported failure */
	DC_E_CANCELLED,  /* a callback cancelled the operation */
	DC_E_MISUSE,     /* the caller broke an API contract */
	DC_E_UNSUPPORTED /* the input uses a format this library does not handle */
};

/* Stable upper-case name of an error ("DC_E_TRUNCATED"), never NULL. */
const char *dc_err_name(enum dc_err err);

/* Resource budgets: hostile input stops at these, with a limit.* finding. */
struct dc_limits {
	uint32_t max_streams;      /* directory entries examined */
	uint64_t max_entries;      /* entries of one list */
	uint64_t max_string_bytes; /* bytes of one decoded string */
	uint64_t max_alloc;        /* bytes allocated in total for one validation */
	uint64_t max_work;         /* steps (entries, fields, chain links) in total */
	uint32_t max_diags;        /* diagnostics recorded (all are counted) */
	uint32_t max_per_rule;     /* diagnostics recorded per rule */
};

/* Fill `lim` with the defaults (generous for real dumps, bounded for fuzzing). */
void dc_limits_default(struct dc_limits *lim);

/* One rule violation or implementation-defined finding. */
struct dc_diag {
	uint16_t rule;   /* enum dc_rule */
	uint64_t offset; /* absolute file offset the finding is about */
	char detail[128];
};

/* Growable list of findings; counts every finding, records up to the limits. */
struct dc_diags {
	struct dc_diag *items;
	size_t count;
	size_t cap;
	size_t total;                    /* findings seen, recorded or not */
	uint32_t per_rule[DC_RULE_COUNT]; /* findings seen per rule */
};

/* Release the memory of `d` and reset it to empty. */
void dc_diags_free(struct dc_diags *d);

/* Verdict of a validation, in conformance-corpus terms. */
enum dc_verdict {
	DC_VERDICT_Y, /* conformant: no MUST violation, no implementation-defined finding */
	DC_VERDICT_N, /* non-conformant: at least one MUST violation */
	DC_VERDICT_I  /* conformant, but relies on implementation-defined behaviour */
};

/* Verdict implied by the findings in `d`. */
enum dc_verdict dc_diags_verdict(const struct dc_diags *d);

/* Number of findings of `level` (non-implementation-defined) in `d`. */
size_t dc_diags_count_level(const struct dc_diags *d, enum dc_level level);

/* Number of implementation-defined (i_) findings in `d`. */
size_t dc_diags_count_impl(const struct dc_diags *d);

/* Read-only view of a whole input file. */
struct dc_file {
	const uint8_t *data;
	uint64_t size;
	void *map_base; /* mmap'ed region, or NULL */
	uint8_t *owned; /* heap copy for inputs that cannot be mapped */
};

/* Map `path` read-only (mmap; pipes and other unmappable inputs are read into
 * memory up to `max_copy` bytes). On error `f` is left empty. */
enum dc_err dc_file_open(struct dc_file *f, const char *path, uint64_t max_copy);

/* Unmap or free what dc_file_open acquired. Safe on an empty `f`. */
void dc_file_close(struct dc_file *f);

/* Events of a walk over a minidump, in file order; any member may be NULL. */
struct dc_visitor {
	void *ctx;
	void (*begin_stream)(void *ctx, uint32_t index, uint32_t type, const char *name,
			     uint64_t rva, uint64_t size);
	void (*end_stream)(void *ctx);
	/* label is the field name, or NULL for an array element */
	void (*begin_struct)(void *ctx, const char *label, const struct dc_struct_desc *sd,
			     uint64_t offset);
	void (*end_struct)(void *ctx);
	void (*begin_array)(void *ctx, const char *label, uint64_t count);
	void (*end_array)(void *ctx);
	/* a scalar field; `bytes` holds the field's checked little-endian bytes */
	void (*field)(void *ctx, const struct dc_field_desc *fd, const uint8_t *bytes,
		      uint64_t offset);
	/* decoded text (UTF-8) found through a reference or a text stream */
	void (*text)(void *ctx, const char *label, const char *utf8, size_t len,
		     uint64_t offset);
	/* a range of raw bytes (memory, context, unknown stream) */
	void (*blob)(void *ctx, const char *label, uint64_t offset, uint64_t size);
};

struct dc_validate_opts {
	struct dc_limits limits;
	int strict; /* stop at the first MUST violation */
};

/* Fill `o` with default limits, lenient mode. */
void dc_validate_opts_default(struct dc_validate_opts *o);

/* Validate the minidump `data[0..size)`, appending findings to `out`, and
 * report the walk to `vis` when it is not NULL. Returns DC_OK when the
 * validation ran (whatever it found), DC_E_NOMEM when memory ran out,
 * DC_E_MISUSE on bad arguments. */
enum dc_err dc_minidump_validate(const uint8_t *data, uint64_t size,
				 const struct dc_validate_opts *opts,
				 const struct dc_visitor *vis, struct dc_diags *out);

/* Descriptor of stream `type`, or NULL when the type is unknown. */
const struct dc_stream_desc *dc_stream_lookup(uint32_t type);

/* Descriptor of the rule with dotted `id`, or NULL. */
const struct dc_rule_desc *dc_rule_lookup(const char *id);

/* Name of `value` in value set `enum_id`, or NULL when it has none. */
const char *dc_enum_name(uint16_t enum_id, uint64_t value);

/* Parse `name` as a value of set `enum_id`: the exact name, or the name
 * without the prefix or suffix every value of the set shares ("WithDataSegs"
 * for MiniDumpWithDataSegs, "IncludeModule" for IncludeModuleCallback).
 * False when no value has that name. */
bool dc_enum_parse(uint16_t enum_id, const char *name, uint64_t *out);

/* Parse a 32-bit flags value of set `enum_id`: a number ("0x21", "33") or
 * names joined by '|' ("WithDataSegs|WithHandleData", as dc_enum_parse
 * reads each). False on an empty or unknown name or a number above 32 bits. */
bool dc_flags_parse(uint16_t enum_id, const char *s, uint64_t *out);

/* The CONTEXT record of SystemInfo.ProcessorArchitecture `arch`, or NULL. */
const struct dc_context_desc *dc_context_lookup(uint32_t arch);

/* Bytes a field occupies: its type's width times its count. */
uint64_t dc_field_width(const struct dc_field_desc *fd);

/* "MUST", "SHOULD", "MAY". */
const char *dc_level_name(enum dc_level level);

/* "decode", "validate", ... */
const char *dc_phase_name(enum dc_phase phase);

/* "y", "n", "i". */
const char *dc_verdict_name(enum dc_verdict v);

#endif
