/* Internals of the scenario parser: a parse context that knows where it
 * is ("process.thread[2].stack") and typed getters that explain failures. */
#ifndef DUMPCHECK_SCENARIO_INT_H
#define DUMPCHECK_SCENARIO_INT_H

#include <stdarg.h>

#include "dumpcheck/scenario.h"
#include "dumpcheck/toml.h"
#include "internal.h"

struct dci_sc {
	struct dc_process *p; /* strings and blobs go into its arena */
	char *why;
	size_t why_len;
	enum dc_err err;
	char path[192];
	size_t path_len;
};

/* Record the first failure, about `v` (for its line) and the current path
 * plus `key` (may be NULL); always returns false. */
bool dci_sc_fail(struct dci_sc *c, const struct dc_toml_value *v, const char *key, const char *fmt,
		 ...) DCI_PRINTF(4, 5);

/* Append a path component; returns the mark dci_sc_pop goes back to. */
size_t dci_sc_push(struct dci_sc *c, const char *fmt, ...) DCI_PRINTF(2, 3);
void dci_sc_pop(struct dci_sc *c, size_t mark);

/* `v` must be a table whose keys are all in the NULL-terminated `allowed`. */
bool dci_sc_table(struct dci_sc *c, const struct dc_toml_value *v, const char *const *allowed);

/* Getters: an absent key leaves *out as it was and succeeds; `required`
 * makes absence a failure. */
bool dci_sc_u64(struct dci_sc *c, const struct dc_toml_value *t, const char *key, uint64_t max,
		bool required, uint64_t *out);
bool dci_sc_u32(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool required,
		uint32_t *out);
bool dci_sc_bool(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool *out);
/* A string copied into the arena (no embedded NUL). */
bool dci_sc_str(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool required,
		const char **out);
/* A hex string ("4d 44 4d 50", spaces and '_' allowed) as bytes in the arena. */
bool dci_sc_hex(struct dci_sc *c, const struct dc_toml_value *t, const char *key, struct dc_blob *out);
/* Value of hex digit `ch`, or -1. */
int dci_sc_hex_digit(char ch);

/* An integer, a value name of set `enum_id`, or (flag sets) an array of names
 * OR'ed together. */
bool dci_sc_enum(struct dci_sc *c, const struct dc_toml_value *t, const char *key, uint16_t enum_id,
		 uint64_t max, uint64_t *out);
/* An HRESULT: an integer or one of the protocol's names ("S_OK", "E_FAIL"). */
bool dci_sc_hresult(struct dci_sc *c, const struct dc_toml_value *t, const char *key, int32_t *out);
/* An array of tables (or absent: zero elements); `n` gets its length. */
bool dci_sc_array(struct dci_sc *c, const struct dc_toml_value *t, const char *key,
		  const struct dc_toml_value **arr, size_t *n);

/* ---- The parsers whose reasons are "line N: what" (DriverCallback scripts,
 * filter-stack scenarios, kernel-dump models). */

/* Where such a parser explains its failure (`why` may be NULL). */
struct dci_why {
	char *why;
	size_t why_len;
};

/* "line N: " (the line of `v`) and the message into w->why; returns
 * DC_E_MALFORMED. */
enum dc_err dci_toml_fail(const struct dci_why *w, const struct dc_toml_value *v, const char *fmt, ...)
	DCI_PRINTF(3, 4);

/* The index of the first key of table `t` that is not in the NULL-terminated
 * `allowed`; dc_toml_len(t) when every key is. */
size_t dci_toml_unknown_key(const struct dc_toml_value *t, const char *const *allowed);

/* `t` must be a table whose keys are all in `allowed` ("what: a table
 * expected", "what: unknown key 'k'"). */
enum dc_err dci_toml_only(const struct dci_why *w, const struct dc_toml_value *t, const char *what,
			  const char *const *allowed);

/* scenario_process.c: the [process] table into c->p (dc_process_init'ed
 * here), with at most `memory_budget` bytes of region contents. */
bool dci_sc_process(struct dci_sc *c, const struct dc_toml_value *proc, uint64_t memory_budget);

#endif
