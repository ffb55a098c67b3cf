/* Loading a MiniDumpWriteDump trace (JSON Lines, spec/trace.md) into
 * struct dc_trace. Every line goes through the hardened JSON parser; the
 * keys a check needs are decoded through one table per record part, so a
 * missing or ill-typed key is named with its line, and keys the schema does
 * not name are ignored (the schema says readers must). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/json.h"
#include "dumpcheck/trace.h"
#include "dumpcheck/tracecheck.h"
#include "jrec.h"

#define SCHEMA "dumpcheck-trace"
#define T(type) (1u << (DC_##type##Callback))
#define ALL_TYPES 0xFFFFFFFFu

enum kind { K_U32, K_U64, K_BOOL, K_NULLABLE };

/* One decoded key: the callback types that have it, where it goes, and
 * (K_NULLABLE) the bool that says it was not null. */
struct field {
	uint32_t types;
	const char *key;
	enum kind kind;
	size_t off, set_off;
};

#define CALL(m) offsetof(struct dc_trace_call, m)
#define OUT(m) offsetof(struct dc_trace_output, m)

static const struct field input_fields[] = {
	{ T(Thread) | T(ThreadEx) | T(IncludeThread), "thread_id", K_U32, CALL(thread_id), 0 },
	{ T(Thread) | T(ThreadEx), "stack_base", K_U64, CALL(stack_base), 0 },
	{ T(Thread) | T(ThreadEx), "stack_end", K_U64, CALL(stack_end), 0 },
	{ T(Thread) | T(ThreadEx), "size_of_context", K_U32, CALL(size_of_context), 0 },
	{ T(Module) | T(IncludeModule), "base_of_image", K_U64, CALL(base_of_image), 0 },
	{ T(IoStart) | T(IoWriteAll) | T(IoFinish), "handle", K_NULLABLE, CALL(io_handle),
	  CALL(io_handle_set) },
	{ T(IoWriteAll) | T(ReadMemoryFailure) | T(VmQuery) | T(VmPreRead) | T(VmPostRead), "offset",
	  K_U64, CALL(offset), 0 },
	{ T(IoWriteAll), "buffer_bytes", K_U32, CALL(bytes), 0 },
	{ T(IoWriteAll), "buffer_digest", K_NULLABLE, CALL(digest), CALL(digest_set) },
	{ T(ReadMemoryFailure), "bytes", K_U32, CALL(bytes), 0 },
	{ T(VmPreRead) | T(VmPostRead), "size", K_U32, CALL(bytes), 0 },
	{ T(SecondaryFlags), "secondary_flags", K_U32, CALL(in_secondary_flags), 0 },
};

static const struct field output_fields[] = {
	{ T(Module) | T(IncludeModule), "module_write_flags", K_U32, OUT(write_flags), 0 },
	{ T(Thread) | T(ThreadEx) | T(IncludeThread), "thread_write_flags", K_U32, OUT(write_flags),
	  0 },
	{ T(SecondaryFlags), "secondary_flags", K_U32, OUT(secondary_flags), 0 },
	{ T(Memory) | T(RemoveMemory), "memory_base", K_U64, OUT(memory_base), 0 },
	{ T(Memory) | T(RemoveMemory), "memory_size", K_U32, OUT(memory_size), 0 },
	{ T(Cancel), "check_cancel", K_BOOL, OUT(check_cancel), 0 },
	{ T(Cancel), "cancel", K_BOOL, OUT(cancel), 0 },
	{ T(WriteKernelMinidump), "handle", K_NULLABLE, OUT(handle), OUT(handle_set) },
	{ T(IncludeVmRegion), "continue", K_BOOL, OUT(cont), 0 },
	{ T(VmQuery), "vm_query_status", K_U32, OUT(status), 0 },
	{ T(VmPreRead) | T(VmPostRead), "vm_read_status", K_U32, OUT(status), 0 },
	{ T(ReadMemoryFailure) | T(IoStart) | T(IoWriteAll) | T(IoFinish) | T(IsProcessSnapshot) |
		  T(VmStart),
	  "status", K_U32, OUT(status), 0 },
};

static const struct field vm_region_fields[] = {
	{ ALL_TYPES, "base_address", K_U64, OUT(vm_base), 0 },
	{ ALL_TYPES, "region_size", K_U64, OUT(vm_size), 0 },
};

/* ---------------------------------------------------------------- scalars */

/* true or false; this schema names a missing key as missing. */
static enum dc_err get_bool(struct dci_jrec *L, const struct dc_json_value *obj, const char *part,
			    const char *key, bool *out)
{
	if (!dc_json_get(obj, key))
		return dci_jrec_fail(L, DC_E_MALFORMED, "%s%s: missing", part, key);
	return dci_jrec_bool_in(L, obj, part, key, out);
}

/* A handle or digest: null, or a number. */
static enum dc_err get_nullable(struct dci_jrec *L, const struct dc_json_value *obj, const char *part,
				const char *key, uint64_t *out, bool *set)
{
	*set = !dc_json_is_null(dc_json_get(obj, key));
	*out = 0;
	return *set ? dci_jrec_num_in(L, obj, part, key, UINT64_MAX, out) : DC_OK;
}

static enum dc_err get_field(struct dci_jrec *L, const struct dc_json_value *obj, const char *part,
			     const struct field *f, void *base)
{
	char *p = base;
	uint64_t v;
	enum dc_err r;
	switch (f->kind) {
	case K_U32:
		r = dci_jrec_num_in(L, obj, part, f->key, UINT32_MAX, &v);
		if (r == DC_OK)
			*(uint32_t *)(p + f->off) = (uint32_t)v;
		return r;
	case K_U64:
		return dci_jrec_num_in(L, obj, part, f->key, UINT64_MAX, (uint64_t *)(p + f->off));
	case K_BOOL:
		return get_bool(L, obj, part, f->key, (bool *)(p + f->off));
	case K_NULLABLE:
		return get_nullable(L, obj, part, f->key, (uint64_t *)(p + f->off),
				    (bool *)(p + f->set_off));
	}
	return DC_E_MISUSE;
}

static enum dc_err get_fields(struct dci_jrec *L, const struct dc_json_value *obj, const char *part,
			      const struct field *fs, size_t n, uint32_t type, void *base)
{
	uint32_t bit = type < 32 ? 1u << type : 0;
	for (size_t i = 0; i < n; i++) {
		if (!(fs[i].types & bit))
			continue;
		enum dc_err r = get_field(L, obj, part, &fs[i], base);
		if (r != DC_OK)
			return r;
	}
	return DC_OK;
}

static enum dc_err get_object(struct dci_jrec *L, const struct dc_json_value *rec, const char *key,
			      const struct dc_json_value **out)
{
	*out = dc_json_get(rec, key);
	if (!*out)
		return dci_jrec_fail(L, DC_E_MALFORMED, "%s: missing", key);
	if (dc_json_type_of(*out) != DC_JSON_OBJECT)
		return dci_jrec_fail(L, DC_E_MALFORMED, "%s: an object expected", key);
	return DC_OK;
}

/* A string or null, copied (at most DCI_JREC_MAX_STRING bytes, cut at a NUL). */
static enum dc_err get_string(struct dci_jrec *L, const struct dc_json_value *obj, const char *key,
			      bool required, char **out)
{
	const struct dc_json_value *v = dc_json_get(obj, key);
	const char *s;
	size_t n;
	*out = NULL;
	if (!v || dc_json_is_null(v)) {
		if (required)
			return dci_jrec_fail(L, DC_E_MALFORMED, "%s: %s", key, v ? "null" : "missing");
		return DC_OK;
	}
	if (!dc_json_str(v, &s, &n))
		return dci_jrec_fail(L, DC_E_MALFORMED, "%s: a string expected", key);
	bool cut = n > DCI_JREC_MAX_STRING;
	n = strnlen(s, cut ? DCI_JREC_MAX_STRING : n);
	/* keep a cut on a UTF-8 boundary */
	while (cut && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	*out = malloc(n + 1);
	if (!*out)
		return DC_E_NOMEM;
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	return DC_OK;
}

/* ---------------------------------------------------------------- records */

static enum dc_err header_strings(struct dci_jrec *L, const struct dc_json_value *rec, struct dc_trace *t)
{
	enum dc_err r;
	if ((r = get_string(L, rec, "implementation", true, &t->implementation)) != DC_OK ||
	    (r = get_string(L, rec, "version", false, &t->version)) != DC_OK ||
	    (r = get_string(L, rec, "scenario", false, &t->scenario)) != DC_OK ||
	    (r = get_string(L, rec, "arch", false, &t->arch)) != DC_OK)
		return r;
	return DC_OK;
}

static enum dc_err header(struct dci_jrec *L, const struct dc_json_value *rec, struct dc_trace *t)
{
	const struct dc_json_value *schema = dc_json_get(rec, "schema");
	const char *s;
	size_t n;
	uint64_t v;
	enum dc_err r;
	if (!dc_json_str(schema, &s, &n) || n != strlen(SCHEMA) || memcmp(s, SCHEMA, n) != 0)
		return dci_jrec_fail(L, DC_E_MALFORMED, "schema: \"" SCHEMA "\" expected");
	if ((r = dci_jrec_num_in(L, rec, "", "schema_version", UINT32_MAX, &v)) != DC_OK)
		return r;
	if (v != DC_TRACE_SCHEMA_VERSION)
		return dci_jrec_fail(L, DC_E_UNSUPPORTED, "schema_version %llu is not supported (this build reads %d)",
			    (unsigned long long)v, DC_TRACE_SCHEMA_VERSION);
	if ((r = header_strings(L, rec, t)) != DC_OK ||
	    (r = dci_jrec_num_in(L, rec, "", "dump_type", UINT64_MAX, &t->dump_type)) != DC_OK ||
	    (r = dci_jrec_num_in(L, rec, "", "process_id", UINT32_MAX, &v)) != DC_OK ||
	    (r = get_nullable(L, rec, "", "process_handle", &t->process_handle,
			      &t->process_handle_set)) != DC_OK ||
	    (r = get_nullable(L, rec, "", "file_handle", &t->file_handle, &t->file_handle_set)) !=
		    DC_OK ||
	    (r = get_bool(L, rec, "", "callbacks", &t->callbacks)) != DC_OK)
		return r;
	t->process_id = (uint32_t)v;
	/* optional: nothing checks them */
	bool b;
	if (dc_json_bool(dc_json_get(rec, "exception_param"), &b))
		t->exception_param = b;
	if (dc_json_u64(dc_json_get(rec, "user_streams"), &v) && v <= UINT32_MAX)
		t->user_streams = (uint32_t)v;
	return DC_OK;
}

static enum dc_err output(struct dci_jrec *L, const struct dc_json_value *rec, const char *key,
			  uint32_t type, struct dc_trace_output *o)
{
	const struct dc_json_value *obj;
	char part[32];
	enum dc_err r = get_object(L, rec, key, &obj);
	snprintf(part, sizeof(part), "%s.", key);
	if (r == DC_OK)
		r = get_fields(L, obj, part, output_fields,
			       sizeof(output_fields) / sizeof(output_fields[0]), type, o);
	if (r != DC_OK || type != DC_IncludeVmRegionCallback)
		return r;
	const struct dc_json_value *vm = dc_json_get(obj, "vm_region");
	if (dc_json_type_of(vm) != DC_JSON_OBJECT)
		return dci_jrec_fail(L, DC_E_MALFORMED, "%svm_region: an object expected", part);
	snprintf(part, sizeof(part), "%s.vm_region.", key);
	return get_fields(L, vm, part, vm_region_fields, 2, type, o);
}

static enum dc_err callback(struct dci_jrec *L, const struct dc_json_value *rec, struct dc_trace_call *c)
{
	uint64_t v;
	enum dc_err r;
	const struct dc_json_value *in;
	memset(c, 0, sizeof(*c));
	c->line = L->line;
	if ((r = dci_jrec_num_in(L, rec, "", "seq", UINT64_MAX, &c->seq)) != DC_OK ||
	    (r = dci_jrec_num_in(L, rec, "", "type_value", UINT32_MAX, &v)) != DC_OK)
		return r;
	c->type = (uint32_t)v;
	if ((r = dci_jrec_num_in(L, rec, "", "process_id", UINT32_MAX, &v)) != DC_OK ||
	    (r = get_nullable(L, rec, "", "process_handle", &c->process_handle,
			      &c->process_handle_set)) != DC_OK ||
	    (r = get_bool(L, rec, "", "returned", &c->returned)) != DC_OK ||
	    (r = get_object(L, rec, "input", &in)) != DC_OK)
		return r;
	c->process_id = (uint32_t)v;
	if ((r = get_fields(L, in, "input.", input_fields,
			    sizeof(input_fields) / sizeof(input_fields[0]), c->type, c)) != DC_OK ||
	    (r = output(L, rec, "output_in", c->type, &c->out_in)) != DC_OK)
		return r;
	return output(L, rec, "output_out", c->type, &c->out_out);
}

static enum dc_err result(struct dci_jrec *L, const struct dc_json_value *rec, struct dc_trace *t)
{
	uint64_t v;
	enum dc_err r;
	if ((r = dci_jrec_num_in(L, rec, "", "callbacks", UINT64_MAX, &t->result_callbacks)) != DC_OK ||
	    (r = get_bool(L, rec, "", "returned", &t->returned)) != DC_OK ||
	    (r = dci_jrec_num_in(L, rec, "", "last_error", UINT32_MAX, &v)) != DC_OK ||
	    (r = dci_jrec_num_in(L, rec, "", "bytes", UINT64_MAX, &t->bytes)) != DC_OK)
		return r;
	t->last_error = (uint32_t)v;
	t->has_result = true;
	t->result_line = L->line;
	return DC_OK;
}

static enum dc_err add_call(struct dci_jrec *L, const struct dc_json_value *rec, struct dc_trace *t)
{
	if (t->ncalls >= L->max_records)
		return dci_jrec_fail(L, DC_E_LIMIT, "more than %zu callback records", L->max_records);
	if (t->ncalls == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct dc_trace_call *p = realloc(t->calls, cap * sizeof(*p));
		if (!p)
			return DC_E_NOMEM;
		t->calls = p;
		t->cap = cap;
	}
	enum dc_err r = callback(L, rec, &t->calls[t->ncalls]);
	if (r == DC_OK)
		t->ncalls++;
	return r;
}

/* ---------------------------------------------------------------- lines */

/* The loader's state: where failures go, and the trace. */
struct ld {
	struct dci_jrec j;
	struct dc_trace *t;
};

/* One record of `e->t`. */
static enum dc_err record(void *ctx, const struct dc_json_value *rec)
{
	struct ld *e = ctx;
	struct dci_jrec *L = &e->j;
	struct dc_trace *t = e->t;
	const char *kind;
	enum dc_err r = dci_jrec_kind(L, rec, t->has_result, &kind);
	if (r != DC_OK)
		return r;
	if (strcmp(kind, "header") == 0)
		return header(L, rec, t);
	if (strcmp(kind, "callback") == 0)
		return add_call(L, rec, t);
	if (strcmp(kind, "result") == 0)
		return result(L, rec, t);
	return DC_OK; /* a record kind a later minor version added */
}

struct dc_trace_limits dc_trace_limits_default(void)
{
	struct dc_trace_limits l = { 1ull << 30, 1u << 20, 1u << 22 };
	return l;
}

enum dc_err dc_trace_load(const char *text, size_t len, const struct dc_trace_limits *lim,
			  struct dc_trace *t, char *why, size_t why_len)
{
	struct ld e = { { .why = why, .why_len = why_len }, t };
	if (t)
		memset(t, 0, sizeof(*t));
	enum dc_err r = dci_jrec_load(&e.j, text, len, lim, t, record, &e, SCHEMA);
	if (r == DC_OK)
		t->lines = e.j.line;
	else
		dc_trace_free(t);
	return r;
}

void dc_trace_free(struct dc_trace *t)
{
	if (!t)
		return;
	free(t->implementation);
	free(t->version);
	free(t->scenario);
	free(t->arch);
	free(t->calls);
	memset(t, 0, sizeof(*t));
}
