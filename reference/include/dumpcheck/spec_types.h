/* Types of the tables that tools/specgen.py generates from spec/. */
#ifndef DUMPCHECK_SPEC_TYPES_H
#define DUMPCHECK_SPEC_TYPES_H

#include <stdint.h>

#define DC_S_NONE 0xFFFFu

enum dc_ftype { DC_FT_U8, DC_FT_U16, DC_FT_U32, DC_FT_U64, DC_FT_I32, DC_FT_GUID, DC_FT_STRUCT };

enum dc_fmt {
	DC_FMT_DEFAULT, DC_FMT_HEX, DC_FMT_DEC, DC_FMT_TIME_T, DC_FMT_FILETIME,
	DC_FMT_ENUM, DC_FMT_FLAGS, DC_FMT_UTF16, DC_FMT_ASCII, DC_FMT_BYTES
};

/* What a field points at; the walker follows it with bounds checks. */
enum dc_ref {
	DC_REF_NONE, DC_REF_STRING, DC_REF_UTF8, DC_REF_OBJINFO, DC_REF_BLOB,
	DC_REF_MEMORY, DC_REF_CONTEXT, DC_REF_CV, DC_REF_MISC
};

enum dc_shape {
	DC_SHAPE_RESERVED, DC_SHAPE_LIST32, DC_SHAPE_MEMORY64, DC_SHAPE_VLIST, DC_SHAPE_STRUCT,
	DC_SHAPE_VARIANT, DC_SHAPE_TEXT8, DC_SHAPE_TEXT16, DC_SHAPE_TOKEN, DC_SHAPE_FUNCTION_TABLE,
	DC_SHAPE_OPAQUE
};

enum dc_level { DC_LEVEL_MUST, DC_LEVEL_SHOULD, DC_LEVEL_MAY };

enum dc_phase {
	DC_PHASE_DECODE, DC_PHASE_VALIDATE, DC_PHASE_RESOLVE, DC_PHASE_LIMIT, DC_PHASE_PROTOCOL,
	DC_PHASE_CROSS
};

struct dc_field_desc {
	const char *name;
	uint32_t off;
	uint32_t count; /* array length, 1 for a scalar */
	uint8_t type;   /* enum dc_ftype */
	uint8_t fmt;    /* enum dc_fmt */
	uint8_t ref;    /* enum dc_ref */
	uint16_t sub;   /* struct id (DC_FT_STRUCT) or enum id (DC_FMT_ENUM/FLAGS) */
	uint32_t flag;  /* MiscInfo Flags1 bit that validates the field, or 0 */
	uint16_t ref_rule; /* a required string: any defect (RVA 0 too) is this rule's; else DC_RULE_COUNT */
	uint32_t width;    /* bytes: count x the type's size (dc_field_width) */
};

struct dc_struct_desc {
	const char *name;
	uint32_t size;
	uint16_t nfields;
	uint8_t is_union;
	uint8_t has_refs; /* a field, or a field of an embedded struct, has a ref */
	uint8_t align;    /* natural alignment of its widest scalar (1, 2, 4, 8) */
	const struct dc_field_desc *fields;
};

struct dc_enum_value {
	const char *name;
	uint64_t value;
};

struct dc_enum_desc {
	const char *name;
	uint8_t is_flags;
	uint16_t nvalues;
	const struct dc_enum_value *values;
};

struct dc_variant {
	uint32_t value;
	uint16_t struct_id;
};

/* One stream type: the table is sorted by type for binary search. */
struct dc_stream_desc {
	uint32_t type;
	const char *name;
	uint8_t shape;            /* enum dc_shape */
	uint16_t header;          /* header struct (vlist, memory64, token, ...) or the struct */
	uint16_t entry;           /* entry struct */
	uint8_t nalts;            /* alternative entry structs, chosen by entry size */
	const uint16_t *alts;
	uint32_t header_size_off; /* vlist: offsets of SizeOfHeader, SizeOfEntry, count */
	uint32_t entry_size_off;
	uint32_t count_off;
	uint8_t count_width;
	uint32_t sized_by_off;    /* struct shape: field holding the struct's own size */
	uint8_t has_sized_by;
	uint8_t nsizes;
	const uint32_t *sizes;
	uint32_t by_off;          /* variant shape: field choosing the struct */
	uint8_t by_width;
	uint8_t nvariants;
	const struct dc_variant *variants;
	uint16_t size_rule;       /* enum dc_rule fired when the stream is too small */
	uint16_t header_rule;     /* vlist: rule for a too small SizeOfHeader */
	uint16_t entry_rule;      /* vlist: rule for a too small SizeOfEntry */
	char tag;
};

struct dc_rule_desc {
	const char *id;
	uint8_t level; /* enum dc_level */
	uint8_t phase; /* enum dc_phase */
	uint8_t impl;  /* implementation-defined: reported as an i_ finding */
	char tag;
	uint16_t item; /* spec-notes §6 candidate number, 0 if none */
	const char *source;
	const char *text;
};

struct dc_context_desc {
	const char *name;
	uint32_t arch; /* SystemInfo.ProcessorArchitecture */
	uint32_t size;
	uint32_t flags_off;
	uint32_t arch_flag;
	uint32_t all_flags; /* CONTEXT_ALL of the architecture: what a full capture sets */
	uint32_t pc_off;    /* instruction pointer (Eip, Rip, Pc) */
	uint32_t sp_off;    /* stack pointer (Esp, Rsp, Sp) */
	uint32_t reg_size;  /* bytes of those two registers */
};

#endif
