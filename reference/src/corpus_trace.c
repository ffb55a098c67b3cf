/* Building a trace case's files (dumpcheck/corpus.h): the base scenario
 * through the reference writer with the tracer in between, as `dumpcheck
 * write --trace` runs it, then the trace edits on the JSON Lines and the
 * dump edits on the dump.
 *
 * The edits are textual on purpose: a case must be able to write what no
 * encoder would (a wrong seq, a preset a writer got wrong), and the trace
 * loader is what judges the result. Records are found by the reference
 * encoder's own spelling ("record":"header", "type":"NAME"), which the case
 * traces always come from. The edits serve dcb cases too (corpus_dcb.c):
 * only record selection and renumbering know the trace schema. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/corpus.h"
#include "dumpcheck/scenario.h"
#include "dumpcheck/trace.h"
#include "internal.h"

/* The lines of a trace, each a NUL-terminated malloc'd copy without '\n'. */
struct lines {
	char **v;
	size_t n, cap;
};

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Insert `s` (owned from now on) at index `at`. */
static enum dc_err lines_insert(struct lines *l, size_t at, char *s)
{
	if (!s)
		return DC_E_NOMEM;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			free(s);
			return DC_E_NOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	memmove(&l->v[at + 1], &l->v[at], (l->n - at) * sizeof(*l->v));
	l->v[at] = s;
	l->n++;
	return DC_OK;
}

/* Take line `at` out; the caller owns it. */
static char *lines_take(struct lines *l, size_t at)
{
	char *s = l->v[at];
	memmove(&l->v[at], &l->v[at + 1], (l->n - at - 1) * sizeof(*l->v));
	l->n--;
	return s;
}

static enum dc_err split(const char *text, size_t len, struct lines *l)
{
	enum dc_err err = DC_OK;
	for (size_t pos = 0; err == DC_OK && pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		err = lines_insert(l, l->n, strndup(text + pos, n));
		pos += n + 1;
	}
	return err;
}

/* ---------------------------------------------------------------- selection */

/* A DriverCallback trace names every record by its `record` key, which the
 * dcb encoder writes first: the line's start tells header from call, fill,
 * drain and result without mistaking a value for the key. */
static bool is_dcb_record(const char *line, const char *record)
{
	char key[96];
	snprintf(key, sizeof(key), "{\"record\":\"%s\"", record);
	return strncmp(line, key, strlen(key)) == 0;
}

/* A filter trace (spec/filter-trace.md) also starts every record with its
 * `record` key; a FILTER_CALLBACK name selects the callback records of that
 * routine. */
static bool is_filter_record(const char *line, const char *record)
{
	char key[96];
	if (strncmp(record, "Callback", 8) != 0)
		return is_dcb_record(line, record);
	snprintf(key, sizeof(key), ",\"callback\":\"%s\",", record);
	return is_dcb_record(line, "callback") && strstr(line, key) != NULL;
}

static bool is_record(enum dc_case_kind kind, const char *line, const char *record)
{
	char key[96];
	if (kind == DC_CASE_DCB)
		return is_dcb_record(line, record);
	if (kind == DC_CASE_FILTER)
		return is_filter_record(line, record);
	if (strcmp(record, "header") == 0 || strcmp(record, "result") == 0) {
		snprintf(key, sizeof(key), "\"record\":\"%s\"", record);
		return strstr(line, key) != NULL;
	}
	snprintf(key, sizeof(key), "\"type\":\"%s\",", record);
	return strstr(line, "\"record\":\"callback\"") && strstr(line, key);
}

/* Index of the record `sel` names, or l->n when there is none. */
static size_t find(enum dc_case_kind kind, const struct lines *l, const struct dc_case_tsel *sel)
{
	uint32_t seen = 0;
	for (size_t i = 0; i < l->n; i++)
		if (is_record(kind, l->v[i], sel->record) && ++seen == sel->nth)
			return i;
	return l->n;
}

/* ---------------------------------------------------------------- edits */

struct tctx {
	const struct dc_case *c;
	char *why;
	size_t why_len;
};

static enum dc_err fail(const struct tctx *x, enum dc_err err, unsigned line, size_t k, const char *fmt, ...)
	DCI_PRINTF(5, 6);

static enum dc_err fail(const struct tctx *x, enum dc_err err, unsigned line, size_t k, const char *fmt, ...)
{
	char detail[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(x->why, x->why_len, "%s: case '%s': line %u: trace_edits[%zu]: %s",
		 x->c->source ? x->c->source : "(case)", x->c->id, line, k, detail);
	return err;
}

static enum dc_err sub(struct lines *l, size_t i, const char *from, const char *to)
{
	char *line = l->v[i], *p = strstr(line, from), *s = NULL;
	if (!p)
		return DC_E_MALFORMED;
	size_t head = (size_t)(p - line), nfrom = strlen(from), nto = strlen(to);
	size_t n = strlen(line) - nfrom + nto;
	if (n > DC_CASE_MAX_FILE || !(s = malloc(n + 1)))
		return n > DC_CASE_MAX_FILE ? DC_E_LIMIT : DC_E_NOMEM;
	memcpy(s, line, head);
	memcpy(s + head, to, nto);
	memcpy(s + head + nto, p + nfrom, strlen(p + nfrom) + 1);
	free(line);
	l->v[i] = s;
	return DC_OK;
}

static enum dc_err one_tedit(const struct tctx *x, struct lines *l, size_t k)
{
	const struct dc_case_tedit *ed = &x->c->tedits[k];
	size_t i = find(x->c->kind, l, &ed->at);
	if (i == l->n)
		return fail(x, DC_E_MALFORMED, ed->line, k, "the trace has no %s record #%u", ed->at.record,
			    ed->at.nth);
	enum dc_err err = DC_OK;
	switch (ed->op) {
	case DC_TEDIT_SUB:
		if ((err = sub(l, i, ed->find, ed->with)) == DC_E_MALFORMED)
			return fail(x, err, ed->line, k, "'%s' is not in %s record #%u (trace line %zu)", ed->find,
				    ed->at.record, ed->at.nth, i + 1);
		break;
	case DC_TEDIT_DROP:
		free(lines_take(l, i));
		break;
	case DC_TEDIT_DUP:
		err = lines_insert(l, i + 1, strdup(l->v[i]));
		break;
	default: { /* DC_TEDIT_MOVE */
		char *s = lines_take(l, i);
		size_t to = find(x->c->kind, l, &ed->after);
		if (to == l->n) {
			lines_insert(l, i, s); /* put back: the trace stays whole for the message */
			return fail(x, DC_E_MALFORMED, ed->line, k, "the trace has no %s record #%u to move after",
				    ed->after.record, ed->after.nth);
		}
		err = lines_insert(l, to + 1, s);
		break;
	}
	}
	return err == DC_OK ? DC_OK : fail(x, err, ed->line, k, "%s", dc_err_name(err));
}

/* Replace the digits after `key` in line `i` by `value`. */
static enum dc_err set_number(struct lines *l, size_t i, const char *key, uint64_t value)
{
	char *at = strstr(l->v[i], key), from[64], to[64];
	if (!at)
		return DC_OK;
	size_t nkey = strlen(key), ndig = strspn(at + nkey, "0123456789");
	if (!ndig || nkey + ndig >= sizeof(from))
		return DC_OK; /* not a number: the loader will say so */
	snprintf(from, sizeof(from), "%.*s", (int)(nkey + ndig), at);
	snprintf(to, sizeof(to), "%s%llu", key, (unsigned long long)value);
	return sub(l, i, from, to);
}

/* seq 1, 2, ... over the callback records, and result.callbacks their count. */
static enum dc_err renumber_writer(struct lines *l)
{
	uint64_t seq = 0;
	enum dc_err err = DC_OK;
	for (size_t i = 0; err == DC_OK && i < l->n; i++)
		if (strstr(l->v[i], "\"record\":\"callback\""))
			err = set_number(l, i, "\"seq\":", ++seq);
	for (size_t i = 0; err == DC_OK && i < l->n; i++)
		if (strstr(l->v[i], "\"record\":\"result\""))
			err = set_number(l, i, "\"callbacks\":", seq);
	return err;
}

/* A DriverCallback trace numbers its steps (every record but header and
 * result); result.steps counts them and result.calls the call records. */
static enum dc_err renumber_dcb(struct lines *l)
{
	uint64_t seq = 0, calls = 0;
	enum dc_err err = DC_OK;
	for (size_t i = 0; err == DC_OK && i < l->n; i++) {
		if (is_dcb_record(l->v[i], "header") || is_dcb_record(l->v[i], "result"))
			continue;
		calls += is_dcb_record(l->v[i], "call");
		err = set_number(l, i, "\"seq\":", ++seq);
	}
	for (size_t i = 0; err == DC_OK && i < l->n; i++)
		if (is_dcb_record(l->v[i], "result") && (err = set_number(l, i, "\"steps\":", seq)) == DC_OK)
			err = set_number(l, i, "\"calls\":", calls);
	return err;
}

/* A filter trace numbers every record but header and result; the result
 * counts the write and read records. */
static enum dc_err renumber_filter(struct lines *l)
{
	uint64_t seq = 0, writes = 0, reads = 0;
	enum dc_err err = DC_OK;
	for (size_t i = 0; err == DC_OK && i < l->n; i++) {
		if (is_dcb_record(l->v[i], "header") || is_dcb_record(l->v[i], "result"))
			continue;
		writes += is_dcb_record(l->v[i], "write");
		reads += is_dcb_record(l->v[i], "read");
		err = set_number(l, i, "\"seq\":", ++seq);
	}
	for (size_t i = 0; err == DC_OK && i < l->n; i++)
		if (is_dcb_record(l->v[i], "result") && (err = set_number(l, i, "\"writes\":", writes)) == DC_OK)
			err = set_number(l, i, "\"reads\":", reads);
	return err;
}

static enum dc_err join(const struct lines *l, struct dc_buf *out)
{
	enum dc_err err = DC_OK;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; err == DC_OK && i < l->n; i++) {
		size_t n = strlen(l->v[i]);
		if ((err = dc_sink_buf_write(out, out->len, l->v[i], n)) == DC_OK)
			err = dc_sink_buf_write(out, out->len, "\n", 1);
	}
	if (err != DC_OK)
		dc_buf_free(out);
	return err;
}

enum dc_err dc_case_edit_trace(const struct dc_case *c, const char *text, size_t len, struct dc_buf *out,
			       char *why, size_t why_len)
{
	struct tctx x = { c, why, why_len };
	struct lines l = { 0 };
	if (why_len)
		why[0] = 0;
	if (c->kind == DC_CASE_DUMP) {
		snprintf(why, why_len, "%s: case '%s': not a trace case", c->source, c->id);
		return DC_E_MISUSE;
	}
	enum dc_err err = split(text, len, &l);
	for (size_t k = 0; err == DC_OK && k < c->ntedits; k++)
		err = one_tedit(&x, &l, k);
	if (err == DC_OK && c->renumber)
		err = c->kind == DC_CASE_DCB      ? renumber_dcb(&l)
		      : c->kind == DC_CASE_FILTER ? renumber_filter(&l)
						  : renumber_writer(&l);
	if (err == DC_OK)
		err = join(&l, out);
	if (err != DC_OK && why_len && !why[0])
		snprintf(why, why_len, "%s: case '%s': trace edits: %s", c->source, c->id, dc_err_name(err));
	lines_free(&l);
	return err;
}

/* ---------------------------------------------------------------- build */

static void header(struct dc_tracer *t, const struct dc_scenario *sc)
{
	struct dc_trace_run run;
	dc_scenario_trace_run(sc, &run);
	dc_trace_header(t, &run);
}

/* The traced run into `dump` and the malloc'd `*text`; the run itself may
 * fail (its trace says so). */
static enum dc_err traced_run(struct dc_scenario *sc, struct dc_buf *dump, char **text, size_t *len)
{
	struct dc_sink sink = { dump, dc_sink_buf_write };
	struct dc_write_result res;
	struct dc_tracer tracer;
	MINIDUMP_CALLBACK_INFORMATION traced = { dc_trace_callback, &tracer };
	FILE *tf = open_memstream(text, len);
	if (!tf)
		return DC_E_NOMEM;
	sc->script.io = &sink; /* redirected I/O lands in the same bytes, as in `dumpcheck write` */
	dc_trace_init(&tracer, tf, sc->request.callback);
	header(&tracer, sc);
	if (sc->request.callback)
		sc->request.callback = &traced;
	memset(&res, 0, sizeof(res));
	enum dc_err err = dc_write_minidump(&sc->process, &sc->request, &sink, &res);
	dc_trace_result(&tracer, err == DC_OK, err == DC_OK ? 0 : res.hresult, dump->len);
	bool bad = ferror(tf) != 0;
	if (fclose(tf) != 0 || bad) {
		free(*text);
		*text = NULL;
		return DC_E_NOMEM;
	}
	return err == DC_E_NOMEM ? err : DC_OK;
}

enum dc_err dc_case_build_trace(const struct dc_case *c, const char *scenario_dir, struct dc_buf *dump,
				struct dc_buf *trace, char *why, size_t why_len)
{
	struct dc_scenario sc;
	char *text = NULL;
	size_t len = 0;
	memset(dump, 0, sizeof(*dump));
	memset(trace, 0, sizeof(*trace));
	if (why_len)
		why[0] = 0;
	if (c->kind != DC_CASE_TRACE || !c->base) {
		snprintf(why, why_len, "%s: case '%s': not a trace case", c->source, c->id);
		return DC_E_MISUSE;
	}
	enum dc_err err = dci_case_load_scenario(c, scenario_dir, &sc, why, why_len);
	if (err != DC_OK)
		return err;
	if (c->has_dump_type)
		sc.request.dump_type = c->dump_type;
	if (c->has_user_streams) {
		sc.request.user_streams = c->user_streams;
		sc.request.nuser_streams = c->nuser_streams;
	}
	err = traced_run(&sc, dump, &text, &len);
	dc_scenario_free(&sc);
	if (err != DC_OK)
		snprintf(why, why_len, "%s: case '%s': the traced run of %s: %s", c->source, c->id, c->base,
			 dc_err_name(err));
	if (err == DC_OK)
		err = dc_case_edit_trace(c, text, len, trace, why, why_len);
	free(text);
	if (err == DC_OK)
		err = dc_case_apply(c, dump, dump->len, why, why_len);
	if (err != DC_OK) {
		dc_buf_free(dump);
		dc_buf_free(trace);
	}
	return err;
}
