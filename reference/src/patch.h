/* Internals of the case patch language (patch.c), shared with corpus_apply.c. */
#ifndef DUMPCHECK_PATCH_H
#define DUMPCHECK_PATCH_H

#include "dumpcheck/corpus.h"

struct dci_mark {
	const char *name;
	uint64_t off;
};

/* What paths and expressions are evaluated over. */
struct dci_penv {
	const uint8_t *data; /* NULL: check the syntax only */
	uint64_t len;
	uint64_t base_size;
	const struct dci_mark *marks;
	size_t nmarks;
	uint16_t enum_id; /* value set whose names an expression may use; DC_E_COUNT: none */
	char *why;
	size_t why_len;
};

/* What a path names: where it is, and its width when it is a scalar field. */
struct dci_ploc {
	uint64_t off;
	uint32_t width;   /* 1, 2, 4, 8; 0 when not a scalar field */
	uint16_t enum_id; /* the field's value set (fmt enum/flags), or DC_E_COUNT */
};

/* Resolve `path` over e->data; DC_E_MALFORMED with e->why on failure. */
enum dc_err dci_patch_path(struct dci_penv *e, const char *path, struct dci_ploc *out);

/* Evaluate `expr` over e->data (64-bit, overflow and underflow are errors). */
enum dc_err dci_patch_expr(struct dci_penv *e, const char *expr, uint64_t *out);

/* Little-endian load/store of `width` bytes (1, 2, 4, 8). */
uint64_t dci_patch_load(const uint8_t *p, uint32_t width);
void dci_patch_store(uint8_t *p, uint32_t width, uint64_t v);

#endif
