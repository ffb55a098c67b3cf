/* Reading the records of a JSON Lines trace (the MiniDumpWriteDump,
 * DriverCallback and filter-stack loaders): one loop over the lines under
 * struct dc_trace_limits, the record order every schema shares (the header
 * first and once, nothing after the result) and typed field readers whose
 * failures name the line ("line N: key: what"). */
#ifndef DUMPCHECK_JREC_H
#define DUMPCHECK_JREC_H

#include "dumpcheck/json.h"
#include "dumpcheck/tracecheck.h"
#include "internal.h"

/* Strings a loader copies keep at most this many bytes. */
#define DCI_JREC_MAX_STRING 256

struct dci_jrec {
	unsigned line;      /* the line being read */
	char *why;          /* where a failure is explained (may be NULL) */
	size_t why_len;
	size_t max_records; /* the limits' max_records, set by dci_jrec_load */
	bool seen_header;
};

/* One record (a JSON object) of line j->line. */
typedef enum dc_err (*dci_jrec_fn)(void *ctx, const struct dc_json_value *rec);

/* Read `text[0..len)` line by line into `fn`: clears `why`, refuses a NULL
 * `out` or text and a text over the limits (NULL `lim`: the defaults), says
 * which line did not parse or was not an object, and that a trace without
 * a header record is "not a <schema> trace". */
enum dc_err dci_jrec_load(struct dci_jrec *j, const char *text, size_t len,
			  const struct dc_trace_limits *lim, const void *out, dci_jrec_fn fn, void *ctx,
			  const char *schema);

/* The kind of record `rec` ("record"); refuses a record out of order (the
 * header not first or twice, a record after the result: `after_result`). */
enum dc_err dci_jrec_kind(struct dci_jrec *j, const struct dc_json_value *rec, bool after_result,
			  const char **kind);

/* "line N: " and the message into j->why; returns `code`. */
enum dc_err dci_jrec_fail(struct dci_jrec *j, enum dc_err code, const char *fmt, ...) DCI_PRINTF(3, 4);

/* Key `key` of `o`: a JSON integer or a "0x…" string, at most `max`; `part`
 * ("" or "output_in.") comes before the key in messages. */
enum dc_err dci_jrec_num_in(struct dci_jrec *j, const struct dc_json_value *o, const char *part,
			    const char *key, uint64_t max, uint64_t *out);

static inline enum dc_err dci_jrec_num(struct dci_jrec *j, const struct dc_json_value *o,
				       const char *key, uint64_t max, uint64_t *out)
{
	return dci_jrec_num_in(j, o, "", key, max, out);
}

enum dc_err dci_jrec_u32(struct dci_jrec *j, const struct dc_json_value *o, const char *key,
			 uint32_t *out);

/* true or false (a missing key is "true or false expected" too). */
enum dc_err dci_jrec_bool_in(struct dci_jrec *j, const struct dc_json_value *o, const char *part,
			     const char *key, bool *out);

static inline enum dc_err dci_jrec_bool(struct dci_jrec *j, const struct dc_json_value *o,
					const char *key, bool *out)
{
	return dci_jrec_bool_in(j, o, "", key, out);
}

/* A string or null (absent: null), copied (at most DCI_JREC_MAX_STRING
 * bytes) into *out (NULL for null). */
enum dc_err dci_jrec_str(struct dci_jrec *j, const struct dc_json_value *o, const char *key, char **out);

#endif
