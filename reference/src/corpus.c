/* Case files (dumpcheck/corpus.h; format: spec/cases/README.md): the TOML
 * `[[case]]` tables into struct dc_case, with every key checked. The typed
 * getters and the "line N: path: why" messages are the scenario parser's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/corpus.h"
#include "scenario_int.h"

#define KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define MAX_ID 100
#define MAX_EDITS 4096
#define MAX_REPEAT (64ull << 20)

static bool nomem(struct dci_sc *c)
{
	c->err = DC_E_NOMEM;
	snprintf(c->why, c->why_len, "out of memory");
	return false;
}

static void *alloc(struct dci_sc *c, size_t n, size_t size)
{
	void *p = n ? dc_process_copy(c->p, NULL, n * size) : NULL;
	if (n && !p)
		nomem(c);
	return p;
}

/* ---------------------------------------------------------------- small values */

static bool id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
}

/* `id` is file-name safe; a verdict prefix, when there is one, is the case's. */
static bool check_id(struct dci_sc *c, const struct dc_toml_value *table, struct dc_case *k)
{
	const struct dc_toml_value *t = dc_toml_get(table, "id");
	const char *id = k->id;
	size_t n = strlen(id);
	if (n == 0 || n > MAX_ID || id[0] == '.' || id[0] == '-')
		return dci_sc_fail(c, t, "id", "1 to %d characters, not starting with '.' or '-'", MAX_ID);
	for (size_t i = 0; i < n; i++)
		if (!id_char(id[i]))
			return dci_sc_fail(c, t, "id", "'%c' is not allowed (use a-z, 0-9, _ - .)", id[i]);
	bool prefixed = n > 2 && id[1] == '_' && strchr("yni", id[0]);
	if (prefixed && id[0] != k->verdict)
		return dci_sc_fail(c, t, "id", "prefix '%c_' contradicts verdict \"%c\"", id[0], k->verdict);
	char name[MAX_ID + 8];
	snprintf(name, sizeof(name), "%c_%s.dmp", k->verdict, prefixed ? id + 2 : id);
	k->file_name = dc_process_strdup(c->p, name);
	if (!k->file_name)
		return nomem(c);
	if (k->kind == DC_CASE_DUMP || k->kind == DC_CASE_KDUMP)
		return true;
	snprintf(name, sizeof(name), "%c_%s.jsonl", k->verdict, prefixed ? id + 2 : id);
	k->trace_name = dc_process_strdup(c->p, name);
	return k->trace_name || nomem(c);
}

static bool verdict_kind(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	const char *verdict = NULL, *kind = "dump";
	if (!dci_sc_str(c, t, "verdict", true, &verdict) || !dci_sc_str(c, t, "kind", false, &kind))
		return false;
	if (strlen(verdict) != 1 || !strchr("yni", verdict[0]))
		return dci_sc_fail(c, dc_toml_get(t, "verdict"), "verdict", "\"y\", \"n\" or \"i\", not \"%s\"", verdict);
	k->verdict = verdict[0];
	static const char *const kinds[] = { "dump", "trace", "dcb", "kdump", "filter" }; /* enum dc_case_kind */
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i]) == 0) {
			k->kind = (enum dc_case_kind)i;
			return true;
		}
	return dci_sc_fail(c, dc_toml_get(t, "kind"), "kind", "\"dump\", \"trace\", \"dcb\", \"kdump\" or \"filter\", not \"%s\"", kind);
}

/* A scenario file name in spec/scenarios (dcb cases: a script file name in
 * spec/dcb-scripts): no directory part. */
static bool base_name(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	if (!dci_sc_str(c, t, "base", true, &k->base))
		return false;
	if (!k->base)
		return true;
	size_t n = strlen(k->base);
	if (n < 6 || strcmp(k->base + n - 5, ".toml") != 0 || k->base[0] == '.' || strchr(k->base, '/') ||
	    strchr(k->base, '\\'))
		return dci_sc_fail(c, dc_toml_get(t, "base"), "base",
				   k->kind == DC_CASE_DCB ? "a script file name in spec/dcb-scripts (\"window.toml\")"
				   : k->kind == DC_CASE_KDUMP
					   ? "a kernel-dump scenario file name in spec/kdump-scenarios (\"full64.toml\")"
				   : k->kind == DC_CASE_FILTER
					   ? "a scenario file name in spec/filter-scenarios (\"encrypting.toml\")"
					   : "a scenario file name in spec/scenarios (\"plain.toml\")");
	return true;
}

/* An integer, or an expression string checked for syntax. */
static bool expr(struct dci_sc *c, const struct dc_toml_value *t, const char *key, bool required,
		 struct dc_case_expr *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	char why[200];
	out->line = dc_toml_line(v ? v : t);
	if (!v)
		return !required || dci_sc_fail(c, t, key, "missing");
	if (dc_toml_type_of(v) == DC_TOML_INT)
		return dci_sc_u64(c, t, key, UINT64_MAX, true, &out->value);
	if (!dci_sc_str(c, t, key, true, &out->text))
		return false;
	if (dc_patch_syntax(out->text, false, why, sizeof(why)) != DC_OK)
		return dci_sc_fail(c, v, key, "%s", why);
	return true;
}

static bool rule_list(struct dci_sc *c, const struct dc_toml_value *t, const char *key, const uint16_t **out,
		      size_t *n)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	*n = 0;
	if (!v)
		return true;
	if (dc_toml_type_of(v) != DC_TOML_ARRAY)
		return dci_sc_fail(c, v, key, "expected an array of rule ids");
	uint16_t *rules = alloc(c, dc_toml_len(v), sizeof(uint16_t));
	if (dc_toml_len(v) && !rules)
		return false;
	for (size_t i = 0; i < dc_toml_len(v); i++) {
		const char *id;
		const struct dc_rule_desc *r;
		if (!dc_toml_str(dc_toml_at(v, i), &id, NULL))
			return dci_sc_fail(c, dc_toml_at(v, i), key, "expected a rule id string");
		if (!(r = dc_rule_lookup(id)))
			return dci_sc_fail(c, dc_toml_at(v, i), key, "unknown rule '%s'", id);
		rules[i] = (uint16_t)(r - dc_rule_descs);
		for (size_t j = 0; j < i; j++)
			if (rules[j] == rules[i])
				return dci_sc_fail(c, dc_toml_at(v, i), key, "rule '%s' listed twice", id);
	}
	*out = rules;
	*n = dc_toml_len(v);
	return true;
}

/* ---------------------------------------------------------------- tables */

static bool limits(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	const struct dc_toml_value *v = dc_toml_get(t, "limits");
	struct dc_limits *l = &k->limits;
	dc_limits_default(l);
	if (!v)
		return true;
	k->has_limits = true;
	size_t mark = dci_sc_push(c, ".limits");
	bool ok = dci_sc_table(c, v, KEYS("max_streams", "max_entries", "max_string_bytes", "max_alloc",
					   "max_work", "max_diags", "max_per_rule")) &&
		  dci_sc_u32(c, v, "max_streams", false, &l->max_streams) &&
		  dci_sc_u64(c, v, "max_entries", UINT64_MAX, false, &l->max_entries) &&
		  dci_sc_u64(c, v, "max_string_bytes", UINT64_MAX, false, &l->max_string_bytes) &&
		  dci_sc_u64(c, v, "max_alloc", UINT64_MAX, false, &l->max_alloc) &&
		  dci_sc_u64(c, v, "max_work", UINT64_MAX, false, &l->max_work) &&
		  dci_sc_u32(c, v, "max_diags", false, &l->max_diags) &&
		  dci_sc_u32(c, v, "max_per_rule", false, &l->max_per_rule);
	dci_sc_pop(c, mark);
	return ok;
}

static bool user_stream(struct dci_sc *c, const struct dc_toml_value *v, struct dc_user_stream *u)
{
	struct dc_blob hex = { 0 };
	const char *text = NULL;
	bool ok = dci_sc_table(c, v, KEYS("type", "text", "hex")) && dci_sc_u32(c, v, "type", true, &u->type) &&
		  dci_sc_str(c, v, "text", false, &text) && dci_sc_hex(c, v, "hex", &hex);
	if (ok && (!text) == (!hex.data))
		return dci_sc_fail(c, v, NULL, "give text or hex");
	if (ok && u->type <= DC_LAST_RESERVED_STREAM)
		return dci_sc_fail(c, v, "type", "user streams are above 0xFFFF (retype them with a patch)");
	if (ok && hex.size > DC_CASE_MAX_FILE)
		return dci_sc_fail(c, v, "hex", "too long");
	u->buffer = text ? (const void *)text : hex.data;
	u->size = text ? (uint32_t)strlen(text) : (uint32_t)hex.size;
	return ok;
}

static bool user_streams(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	const struct dc_toml_value *arr;
	size_t n;
	k->has_user_streams = dc_toml_get(t, "user_streams") != NULL;
	if (!dci_sc_array(c, t, "user_streams", &arr, &n) || !n)
		return c->err == DC_OK;
	struct dc_user_stream *u = alloc(c, n, sizeof(*u));
	for (size_t i = 0; u && i < n; i++) {
		size_t mark = dci_sc_push(c, ".user_streams[%zu]", i);
		bool ok = user_stream(c, dc_toml_at(arr, i), &u[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	k->user_streams = u;
	k->nuser_streams = n;
	return u != NULL;
}

static bool mark_name(struct dci_sc *c, const struct dc_toml_value *v, struct dc_case_edit *ed)
{
	if (!dci_sc_str(c, v, "mark", false, &ed->mark) || !ed->mark)
		return c->err == DC_OK;
	static const char *const reserved[] = { "header", "directory", "stream", "file_size", "base_size",
						"sizeof", "end" };
	const char *m = ed->mark;
	bool ok = (m[0] >= 'a' && m[0] <= 'z') || m[0] == '_';
	for (size_t i = 0; ok && m[i]; i++)
		ok = (m[i] >= 'a' && m[i] <= 'z') || (m[i] >= '0' && m[i] <= '9') || m[i] == '_';
	for (size_t i = 0; ok && i < sizeof(reserved) / sizeof(reserved[0]); i++)
		ok = strcmp(m, reserved[i]) != 0;
	return ok || dci_sc_fail(c, v, "mark", "'%s': a lower-case name that is not a keyword", m);
}

/* The bytes an edit puts: hex, fill + size, or copy + size. */
static bool edit_source(struct dci_sc *c, const struct dc_toml_value *v, struct dc_case_edit *ed)
{
	bool has_hex = dc_toml_get(v, "hex"), has_fill = dc_toml_get(v, "fill"), has_copy = dc_toml_get(v, "copy");
	if (has_hex + has_fill + has_copy != 1)
		return dci_sc_fail(c, v, NULL, "give exactly one of hex, fill or copy");
	if (has_hex) {
		struct dc_blob b = { 0 };
		if (dc_toml_get(v, "size"))
			return dci_sc_fail(c, v, "size", "hex gives its own size");
		if (!dci_sc_hex(c, v, "hex", &b))
			return false;
		ed->src = DC_CASE_SRC_HEX;
		ed->hex = b.data;
		ed->hex_len = b.size;
		return true;
	}
	uint64_t fill = 0;
	ed->src = has_fill ? DC_CASE_SRC_FILL : DC_CASE_SRC_COPY;
	if (has_fill && !dci_sc_u64(c, v, "fill", 0xFF, true, &fill))
		return false;
	ed->fill = (uint8_t)fill;
	return (has_fill || expr(c, v, "copy", true, &ed->from)) && expr(c, v, "size", true, &ed->size);
}

static bool edit(struct dci_sc *c, const struct dc_toml_value *v, struct dc_case_edit *ed)
{
	const struct dc_toml_value *at = dc_toml_get(v, "at");
	const char *s;
	ed->line = dc_toml_line(v);
	ed->repeat = 1;
	if (!dci_sc_table(c, v, KEYS("at", "hex", "fill", "copy", "size", "repeat", "align", "mark")))
		return false;
	ed->at_end = at && dc_toml_str(at, &s, NULL) && strcmp(s, "end") == 0;
	if (!ed->at_end && !expr(c, v, "at", true, &ed->at))
		return false;
	if (!edit_source(c, v, ed) || !dci_sc_u64(c, v, "repeat", MAX_REPEAT, false, &ed->repeat) ||
	    !dci_sc_u64(c, v, "align", 4096, false, &ed->align) || !mark_name(c, v, ed))
		return false;
	if (ed->repeat == 0)
		return dci_sc_fail(c, v, "repeat", "at least 1");
	if (ed->align && !ed->at_end)
		return dci_sc_fail(c, v, "align", "only with at = \"end\"");
	return true;
}

static bool edits(struct dci_sc *c, const struct dc_toml_value *t, const char *key,
		  const struct dc_case_edit **out, size_t *n)
{
	const struct dc_toml_value *arr;
	if (!dci_sc_array(c, t, key, &arr, n) || !*n)
		return c->err == DC_OK;
	if (*n > MAX_EDITS)
		return dci_sc_fail(c, arr, key, "more than %d edits", MAX_EDITS);
	struct dc_case_edit *ed = alloc(c, *n, sizeof(*ed));
	for (size_t i = 0; ed && i < *n; i++) {
		size_t mark = dci_sc_push(c, ".%s[%zu]", key, i);
		bool ok = edit(c, dc_toml_at(arr, i), &ed[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	*out = ed;
	return ed != NULL;
}

static bool patch(struct dci_sc *c, const struct dc_toml_value *v, struct dc_case_patch *p)
{
	char why[200];
	p->line = dc_toml_line(v);
	if (!dci_sc_table(c, v, KEYS("path", "value")) || !dci_sc_str(c, v, "path", true, &p->path) ||
	    !expr(c, v, "value", true, &p->value))
		return false;
	if (dc_patch_syntax(p->path, true, why, sizeof(why)) != DC_OK)
		return dci_sc_fail(c, dc_toml_get(v, "path"), "path", "%s", why);
	return true;
}

static bool patches(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	const struct dc_toml_value *arr;
	size_t n;
	if (!dci_sc_array(c, t, "patches", &arr, &n) || !n)
		return c->err == DC_OK;
	if (n > MAX_EDITS)
		return dci_sc_fail(c, arr, "patches", "more than %d patches", MAX_EDITS);
	struct dc_case_patch *p = alloc(c, n, sizeof(*p));
	for (size_t i = 0; p && i < n; i++) {
		size_t mark = dci_sc_push(c, ".patches[%zu]", i);
		bool ok = patch(c, dc_toml_at(arr, i), &p[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	k->patches = p;
	k->npatches = n;
	return p != NULL;
}

/* ---------------------------------------------------------------- trace edits */

/* "header", "result" or a MINIDUMP_CALLBACK_TYPE name spelt in full, as a
 * trace's `type` key has it (dc_enum_parse would also take "Thread"). */
static bool writer_record_name(const char *name)
{
	const struct dc_enum_desc *e = &dc_enum_descs[DC_E_MINIDUMP_CALLBACK_TYPE];
	if (strcmp(name, "header") == 0 || strcmp(name, "result") == 0)
		return true;
	for (unsigned i = 0; i < e->nvalues; i++)
		if (strcmp(e->values[i].name, name) == 0)
			return true;
	return false;
}

/* The record kinds of spec/dcb-trace.md. */
static bool dcb_record_name(const char *name)
{
	static const char *const names[] = { "header", "call", "fill", "drain", "result" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* The record kinds of spec/filter-trace.md, or a FILTER_CALLBACK name
 * (the callback records of that routine). */
static bool filter_record_name(const char *name)
{
	static const char *const names[] = { "header", "init", "callback", "write", "read", "result" };
	uint64_t v;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return strncmp(name, "Callback", 8) == 0 && dc_enum_parse(DC_E_FILTER_CALLBACK, name, &v);
}

/* `record` (+ `nth`, default 1) naming a record of a `kind` case's trace;
 * `rkey`/`nkey` are the keys read. */
static bool trace_sel(struct dci_sc *c, const struct dc_toml_value *v, enum dc_case_kind kind, const char *rkey,
		      const char *nkey, struct dc_case_tsel *sel)
{
	sel->nth = 1;
	if (!dci_sc_str(c, v, rkey, true, &sel->record) || !dci_sc_u32(c, v, nkey, false, &sel->nth))
		return false;
	if (sel->nth == 0)
		return dci_sc_fail(c, v, nkey, "1 for the first occurrence, 2 for the second, ...");
	if (kind == DC_CASE_DCB && !dcb_record_name(sel->record))
		return dci_sc_fail(c, v, rkey, "'%s': \"header\", \"call\", \"fill\", \"drain\" or \"result\"",
				   sel->record);
	if (kind == DC_CASE_FILTER && !filter_record_name(sel->record))
		return dci_sc_fail(c, v, rkey, "'%s': \"header\", \"init\", \"callback\", \"write\", \"read\", "
				   "\"result\" or a FILTER_CALLBACK name", sel->record);
	if (kind != DC_CASE_DCB && kind != DC_CASE_FILTER && !writer_record_name(sel->record))
		return dci_sc_fail(c, v, rkey, "'%s': \"header\", \"result\" or a MINIDUMP_CALLBACK_TYPE name",
				   sel->record);
	return true;
}

static bool trace_edit(struct dci_sc *c, const struct dc_toml_value *v, enum dc_case_kind kind,
		       struct dc_case_tedit *ed)
{
	static const char *const ops[] = { "sub", "drop", "dup", "move" };
	const char *op = NULL;
	ed->line = dc_toml_line(v);
	if (!dci_sc_table(c, v, KEYS("record", "nth", "op", "find", "with", "after", "after_nth")) ||
	    !trace_sel(c, v, kind, "record", "nth", &ed->at) || !dci_sc_str(c, v, "op", true, &op))
		return false;
	ed->op = 0xFF;
	for (uint8_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i]) == 0)
			ed->op = i;
	if (ed->op == 0xFF)
		return dci_sc_fail(c, v, "op", "\"sub\", \"drop\", \"dup\" or \"move\", not \"%s\"", op);
	bool sub = ed->op == DC_TEDIT_SUB, move = ed->op == DC_TEDIT_MOVE;
	if (!dci_sc_str(c, v, "find", sub, &ed->find) || !dci_sc_str(c, v, "with", sub, &ed->with))
		return false;
	if (!sub && (ed->find || ed->with))
		return dci_sc_fail(c, v, ed->find ? "find" : "with", "only with op = \"sub\"");
	if (sub && !ed->find[0])
		return dci_sc_fail(c, v, "find", "an empty fragment matches nothing in particular");
	if (sub && (strchr(ed->with, '\n') || strchr(ed->with, '\r')))
		return dci_sc_fail(c, v, "with", "a record is one line");
	if (move)
		return trace_sel(c, v, kind, "after", "after_nth", &ed->after);
	if (dc_toml_get(v, "after") || dc_toml_get(v, "after_nth"))
		return dci_sc_fail(c, v, "after", "only with op = \"move\"");
	return true;
}

static bool trace_edits(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	const struct dc_toml_value *arr;
	size_t n;
	if (!dci_sc_array(c, t, "trace_edits", &arr, &n) || !n)
		return c->err == DC_OK;
	if (n > MAX_EDITS)
		return dci_sc_fail(c, arr, "trace_edits", "more than %d edits", MAX_EDITS);
	struct dc_case_tedit *ed = alloc(c, n, sizeof(*ed));
	for (size_t i = 0; ed && i < n; i++) {
		size_t mark = dci_sc_push(c, ".trace_edits[%zu]", i);
		bool ok = trace_edit(c, dc_toml_at(arr, i), k->kind, &ed[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	k->tedits = ed;
	k->ntedits = n;
	return ed != NULL;
}

/* ---------------------------------------------------------------- one case */

static bool fires_quiet(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	if (!rule_list(c, t, "fires", &k->fires, &k->nfires) || !rule_list(c, t, "quiet", &k->quiet, &k->nquiet))
		return false;
	for (size_t i = 0; i < k->nfires; i++)
		for (size_t j = 0; j < k->nquiet; j++)
			if (k->fires[i] == k->quiet[j])
				return dci_sc_fail(c, t, "quiet", "rule '%s' is also in fires",
						   dc_rule_descs[k->quiet[j]].id);
	if (!dci_sc_bool(c, t, "exact", &k->exact))
		return false;
	if (!k->nfires && !k->nquiet && !k->exact)
		return dci_sc_fail(c, t, NULL, "a case names rules in fires or quiet");
	return true;
}

/* Keys of one kind only: a trace case has no reader limits (the trace
 * checker runs under its defaults); only trace and dcb cases have trace
 * edits; a dcb case has no dump, so none of the dump's keys. */
static bool kind_keys(struct dci_sc *c, const struct dc_toml_value *t, const struct dc_case *k)
{
	static const char *const not_trace[] = { "limits", NULL };
	static const char *const not_dump[] = { "trace_edits", "renumber", NULL };
	static const char *const not_dcb[] = { "limits", "dump_type", "user_streams", "inserts",
					       "writes", "patches", "truncate", NULL };
	/* a kernel dump has no minidump field paths, no DumpType or user streams to override */
	static const char *const not_kdump[] = { "trace_edits", "renumber", "dump_type", "user_streams",
						 "patches", NULL };
	static const char *const *const keys[] = { not_dump, not_trace, not_dcb, not_kdump,
						    not_dcb /* filter: trace edits only */ }; /* enum dc_case_kind */
	static const char *const why[] = { "only with kind = \"trace\" or \"dcb\"",
					   "not a key of kind = \"trace\"", "not a key of kind = \"dcb\"",
					   "not a key of kind = \"kdump\" (edit the bytes with writes)",
					   "not a key of kind = \"filter\" (it has trace edits only)" };
	if ((size_t)k->kind >= sizeof(keys) / sizeof(keys[0]))
		return true; /* kinds without a list here check their keys when built */
	for (size_t i = 0; keys[k->kind][i]; i++)
		if (dc_toml_get(t, keys[k->kind][i]))
			return dci_sc_fail(c, t, keys[k->kind][i], "%s", why[k->kind]);
	return true;
}

static bool one_case(struct dci_sc *c, const struct dc_toml_value *t, struct dc_case *k)
{
	k->line = dc_toml_line(t);
	if (!dci_sc_table(c, t, KEYS("id", "verdict", "description", "kind", "base", "dump_type", "user_streams",
				      "limits", "fires", "quiet", "exact", "inserts", "writes", "patches",
				      "truncate", "trace_edits", "renumber")))
		return false;
	if (!dci_sc_str(c, t, "id", true, &k->id) || !verdict_kind(c, t, k) || !check_id(c, t, k) ||
	    !dci_sc_str(c, t, "description", true, &k->description) || !base_name(c, t, k))
		return false;
	k->has_dump_type = dc_toml_get(t, "dump_type") != NULL;
	if (!dci_sc_enum(c, t, "dump_type", DC_E_MINIDUMP_TYPE, UINT32_MAX, &k->dump_type) ||
	    !fires_quiet(c, t, k) || !kind_keys(c, t, k))
		return false;
	k->has_truncate = dc_toml_get(t, "truncate") != NULL;
	return user_streams(c, t, k) && limits(c, t, k) && edits(c, t, "inserts", &k->inserts, &k->ninserts) &&
	       edits(c, t, "writes", &k->writes, &k->nwrites) && patches(c, t, k) &&
	       expr(c, t, "truncate", false, &k->truncate) && trace_edits(c, t, k) &&
	       dci_sc_bool(c, t, "renumber", &k->renumber);
}

/* Marks are unique within a case, and defined before they are used only at
 * apply time (their offsets depend on the bytes). */
static bool unique_marks(struct dci_sc *c, const struct dc_toml_value *t, const struct dc_case *k)
{
	const struct dc_case_edit *all[2] = { k->inserts, k->writes };
	size_t ns[2] = { k->ninserts, k->nwrites };
	const char *seen[DC_CASE_MAX_MARKS];
	size_t nseen = 0;
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < ns[l]; i++) {
			const char *m = all[l][i].mark;
			if (!m)
				continue;
			for (size_t j = 0; j < nseen; j++)
				if (strcmp(seen[j], m) == 0)
					return dci_sc_fail(c, t, NULL, "mark '%s' defined twice", m);
			if (nseen == DC_CASE_MAX_MARKS)
				return dci_sc_fail(c, t, NULL, "more than %d marks", DC_CASE_MAX_MARKS);
			seen[nseen++] = m;
		}
	return true;
}

static bool all_cases(struct dci_sc *c, const struct dc_toml_value *rootv, struct dc_case_set *set)
{
	const struct dc_toml_value *arr;
	size_t n;
	for (size_t i = 0; i < dc_toml_len(rootv); i++)
		if (strcmp(dc_toml_key_at(rootv, i), "case") != 0)
			return dci_sc_fail(c, dc_toml_at(rootv, i), dc_toml_key_at(rootv, i),
					   "unknown key (a case file holds [[case]] tables)");
	if (!dci_sc_array(c, rootv, "case", &arr, &n))
		return false;
	if (!n)
		return dci_sc_fail(c, rootv, NULL, "no [[case]]");
	set->cases = alloc(c, n, sizeof(struct dc_case));
	for (size_t i = 0; set->cases && i < n; i++) {
		struct dc_case *k = &set->cases[i];
		const struct dc_toml_value *t = dc_toml_at(arr, i);
		size_t mark = dci_sc_push(c, "case[%zu]", i);
		bool ok = one_case(c, t, k) && unique_marks(c, t, k);
		for (size_t j = 0; ok && j < i; j++)
			if (strcmp(set->cases[j].file_name, k->file_name) == 0)
				ok = dci_sc_fail(c, t, "id", "'%s' is taken by case %zu", k->id, j);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
		set->ncases = i + 1;
	}
	return set->cases != NULL;
}

/* ---------------------------------------------------------------- public */

void dc_cases_free(struct dc_case_set *set)
{
	if (set->arena_live)
		dc_process_free(&set->arena);
	memset(set, 0, sizeof(*set));
}

enum dc_err dc_cases_parse(const char *text, size_t len, const char *source, struct dc_case_set *set,
			   char *why, size_t why_len)
{
	struct dc_toml *doc = NULL;
	struct dc_toml_error terr;
	char msg[320] = "";
	struct dci_sc c = { .p = &set->arena, .why = msg, .why_len = sizeof(msg), .err = DC_OK };
	memset(set, 0, sizeof(*set));
	enum dc_err err = dc_toml_parse(text, len, NULL, &doc, &terr);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: %s", source, terr.message);
		return err;
	}
	err = dc_process_init(&set->arena, DC_ARCH_AMD64);
	set->arena_live = err == DC_OK;
	const char *label = set->arena_live ? dc_process_strdup(&set->arena, source) : NULL;
	if (!label) {
		dc_toml_free(doc);
		dc_cases_free(set);
		snprintf(why, why_len, "%s: out of memory", source);
		return DC_E_NOMEM;
	}
	bool ok = all_cases(&c, dc_toml_root(doc), set);
	for (size_t i = 0; ok && i < set->ncases; i++)
		set->cases[i].source = label;
	dc_toml_free(doc); /* every string the cases keep was copied into the arena */
	if (!ok) {
		snprintf(why, why_len, "%s: %s", source, msg);
		dc_cases_free(set);
		return c.err != DC_OK ? c.err : DC_E_MALFORMED;
	}
	return DC_OK;
}

enum dc_err dc_cases_load(const char *path, struct dc_case_set *set, char *why, size_t why_len)
{
	FILE *f = fopen(path, "rb");
	struct dc_toml_limits lim = dc_toml_limits_default();
	memset(set, 0, sizeof(*set));
	if (!f) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return DC_E_IO;
	}
	char *buf = malloc(lim.max_bytes + 1);
	size_t n = buf ? fread(buf, 1, lim.max_bytes + 1, f) : 0;
	bool bad = !buf || ferror(f);
	fclose(f);
	if (bad || n > lim.max_bytes) {
		free(buf);
		snprintf(why, why_len, "%s: %s", path, !buf ? "out of memory" : bad ? "read error" : "file too large");
		return !buf ? DC_E_NOMEM : bad ? DC_E_IO : DC_E_LIMIT;
	}
	enum dc_err err = dc_cases_parse(buf, n, path, set, why, why_len);
	free(buf);
	return err;
}
