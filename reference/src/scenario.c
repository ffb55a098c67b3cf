/* Scenario files (dumpcheck/scenario.h; format: spec/scenarios/README.md):
 * the top level, [request] and the [[callback]] script. The [process]
 * table is scenario_process.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_int.h"

#define KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NOMEM(c) ((c)->err = DC_E_NOMEM, snprintf((c)->why, (c)->why_len, "out of memory"), false)

const char *dc_arch_name(enum dc_arch arch)
{
	switch (arch) {
	case DC_ARCH_X86:
		return "x86";
	case DC_ARCH_AMD64:
		return "amd64";
	case DC_ARCH_ARM64:
		return "arm64";
	}
	return NULL;
}

/* ---------------------------------------------------------------- request */

static bool user_stream(struct dci_sc *c, const struct dc_toml_value *v, struct dc_user_stream *u)
{
	struct dc_blob hex = { 0 };
	const char *text = NULL;
	bool ok = dci_sc_table(c, v, KEYS("type", "text", "hex")) && dci_sc_u32(c, v, "type", true, &u->type) &&
		  dci_sc_str(c, v, "text", false, &text) && dci_sc_hex(c, v, "hex", &hex);
	if (ok && text && hex.data)
		ok = dci_sc_fail(c, v, "hex", "give either text or hex, not both");
	if (ok && u->type <= DC_LAST_RESERVED_STREAM)
		ok = dci_sc_fail(c, v, "type", "0x%X is a reserved stream type; user streams are above 0xFFFF",
				 u->type);
	if (ok && hex.size > UINT32_MAX)
		ok = dci_sc_fail(c, v, "hex", "too long");
	u->buffer = text ? (const void *)text : hex.data;
	u->size = text ? (uint32_t)strlen(text) : (uint32_t)hex.size;
	return ok;
}

static bool user_streams(struct dci_sc *c, const struct dc_toml_value *req, struct dc_write_request *r)
{
	const struct dc_toml_value *arr;
	size_t n;
	if (!dci_sc_array(c, req, "user_streams", &arr, &n) || !n)
		return c->err == DC_OK;
	struct dc_user_stream *u = (struct dc_user_stream *)dc_process_copy(c->p, NULL, n * sizeof(*u));
	if (!u)
		return NOMEM(c);
	for (size_t i = 0; i < n; i++) {
		size_t mark = dci_sc_push(c, ".user_streams[%zu]", i);
		bool ok = user_stream(c, dc_toml_at(arr, i), &u[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	r->user_streams = u;
	r->nuser_streams = n;
	return true;
}

static bool request(struct dci_sc *c, const struct dc_toml_value *req, struct dc_scenario *sc)
{
	struct dc_write_request *r = &sc->request;
	uint64_t process_handle = 0x1234, file_handle = 0x5678;
	r->process_id = sc->process.pid;
	sc->callbacks = true;
	if (!req)
		return true;
	size_t mark = dci_sc_push(c, "request");
	bool ok = dci_sc_table(c, req, KEYS("dump_type", "exception_param", "timestamp", "process_id",
					    "process_handle", "file_handle", "user_streams",
					    "vm_region_stop_fails", "callbacks")) &&
		  dci_sc_enum(c, req, "dump_type", DC_E_MINIDUMP_TYPE, UINT32_MAX, &r->dump_type) &&
		  dci_sc_bool(c, req, "exception_param", &r->with_exception) &&
		  dci_sc_u32(c, req, "timestamp", false, &r->timestamp) &&
		  dci_sc_u32(c, req, "process_id", false, &r->process_id) &&
		  dci_sc_u64(c, req, "process_handle", UINTPTR_MAX, false, &process_handle) &&
		  dci_sc_u64(c, req, "file_handle", UINTPTR_MAX, false, &file_handle) && user_streams(c, req, r) &&
		  dci_sc_bool(c, req, "vm_region_stop_fails", &r->vm_region_stop_fails) &&
		  dci_sc_bool(c, req, "callbacks", &sc->callbacks);
	if (ok && r->with_exception && !sc->process.has_exception)
		ok = dci_sc_fail(c, req, "exception_param", "the process has no exception");
	dci_sc_pop(c, mark);
	r->process_handle = (HANDLE)(uintptr_t)process_handle;
	r->file_handle = (HANDLE)(uintptr_t)file_handle;
	return ok;
}

/* ---------------------------------------------------------------- callback script */

#define T(x) (1u << DC_##x##Callback)
#define THREADS (T(IncludeThread) | T(Thread) | T(ThreadEx))
#define MODULES (T(IncludeModule) | T(Module))

/* Which callback types an output key means something for: a key given for
 * another type is a mistake in the scenario, not a no-op. */
static const struct {
	const char *key;
	uint32_t types;
} output_keys[] = {
	{ "thread_write_flags", THREADS },
	{ "module_write_flags", MODULES },
	{ "clear_flags", THREADS | MODULES },
	{ "secondary_flags", T(SecondaryFlags) },
	{ "memory_base", T(Memory) | T(RemoveMemory) },
	{ "memory_size", T(Memory) | T(RemoveMemory) },
	{ "check_cancel", T(Cancel) },
	{ "cancel", T(Cancel) },
	{ "status", T(ReadMemoryFailure) | T(IoStart) | T(IoWriteAll) | T(IoFinish) | T(IsProcessSnapshot) |
			    T(VmStart) },
	{ "handle", T(WriteKernelMinidump) },
	{ "vm_region", T(IncludeVmRegion) },
	{ "continue", T(IncludeVmRegion) },
	{ "vm_query_status", T(VmQuery) },
	{ "vm_query_result", T(VmQuery) },
	{ "vm_read_status", T(VmPreRead) | T(VmPostRead) },
	{ "vm_read_bytes_completed", T(VmPreRead) | T(VmPostRead) },
	{ "fill", T(VmPreRead) },
	{ "xor", T(VmPostRead) },
	{ "thread", THREADS },
	{ "module", MODULES },
};

static bool keys_fit_type(struct dci_sc *c, const struct dc_toml_value *v, uint32_t type)
{
	for (size_t i = 0; i < sizeof(output_keys) / sizeof(output_keys[0]); i++)
		if (dc_toml_get(v, output_keys[i].key) && !(output_keys[i].types & (1u << type)))
			return dci_sc_fail(c, v, output_keys[i].key, "means nothing for %s",
					   dc_enum_name(DC_E_MINIDUMP_CALLBACK_TYPE, type));
	return true;
}

/* Record in r->set that `key` was given. */
static void mark_set(const struct dc_toml_value *v, const char *key, uint32_t bit, struct dc_script_rule *r)
{
	if (dc_toml_get(v, key))
		r->set |= bit;
}

static bool vm_region(struct dci_sc *c, const struct dc_toml_value *v, struct dc_script_rule *r)
{
	const struct dc_toml_value *t = dc_toml_get(v, "vm_region");
	if (!t)
		return true;
	size_t mark = dci_sc_push(c, ".vm_region");
	bool ok = dci_sc_table(c, t, KEYS("base", "size")) && dci_sc_u64(c, t, "base", UINT64_MAX, true, &r->vm_base) &&
		  dci_sc_u64(c, t, "size", UINT64_MAX, true, &r->vm_size);
	dci_sc_pop(c, mark);
	return ok;
}

static bool vm_query_result(struct dci_sc *c, const struct dc_toml_value *v, struct dc_script_rule *r)
{
	const struct dc_toml_value *t = dc_toml_get(v, "vm_query_result");
	MINIDUMP_MEMORY_INFO *m = &r->vm_query_result;
	uint64_t state = DC_MEM_COMMIT, protect = DC_PAGE_READWRITE, type = DC_MEM_PRIVATE, aprot = 0;
	if (!t)
		return true;
	size_t mark = dci_sc_push(c, ".vm_query_result");
	bool ok = dci_sc_table(c, t, KEYS("base", "allocation_base", "allocation_protect", "size", "state",
					  "protect", "type")) &&
		  dci_sc_u64(c, t, "base", UINT64_MAX, true, &m->BaseAddress) &&
		  dci_sc_u64(c, t, "size", UINT64_MAX, true, &m->RegionSize) &&
		  dci_sc_u64(c, t, "allocation_base", UINT64_MAX, false, &m->AllocationBase) &&
		  dci_sc_enum(c, t, "allocation_protect", DC_E_MEMORY_PROTECT, UINT32_MAX, &aprot) &&
		  dci_sc_enum(c, t, "state", DC_E_MEMORY_STATE, UINT32_MAX, &state) &&
		  dci_sc_enum(c, t, "protect", DC_E_MEMORY_PROTECT, UINT32_MAX, &protect) &&
		  dci_sc_enum(c, t, "type", DC_E_MEMORY_TYPE, UINT32_MAX, &type);
	dci_sc_pop(c, mark);
	m->AllocationProtect = (ULONG32)aprot;
	m->State = (ULONG32)state;
	m->Protect = (ULONG32)protect;
	m->Type = (ULONG32)type;
	return ok;
}

static bool write_flags(struct dci_sc *c, const struct dc_toml_value *v, struct dc_script_rule *r)
{
	uint64_t tf = 0, mf = 0, clear = 0;
	bool thread = r->type != DC_IncludeModuleCallback && r->type != DC_ModuleCallback;
	bool ok = dci_sc_enum(c, v, "thread_write_flags", DC_E_THREAD_WRITE_FLAGS, UINT32_MAX, &tf) &&
		  dci_sc_enum(c, v, "module_write_flags", DC_E_MODULE_WRITE_FLAGS, UINT32_MAX, &mf) &&
		  dci_sc_enum(c, v, "clear_flags", thread ? DC_E_THREAD_WRITE_FLAGS : DC_E_MODULE_WRITE_FLAGS,
			      UINT32_MAX, &clear);
	r->write_flags = (uint32_t)(tf | mf);
	r->clear_flags = (uint32_t)clear;
	mark_set(v, "thread_write_flags", DC_SCRIPT_WRITE_FLAGS, r);
	mark_set(v, "module_write_flags", DC_SCRIPT_WRITE_FLAGS, r);
	mark_set(v, "clear_flags", DC_SCRIPT_CLEAR_FLAGS, r);
	return ok;
}

static bool outputs(struct dci_sc *c, const struct dc_toml_value *v, struct dc_script_rule *r)
{
	uint64_t fill = 0, xor_byte = 0, secondary = 0;
	bool ok = write_flags(c, v, r) &&
		  dci_sc_enum(c, v, "secondary_flags", DC_E_MINIDUMP_SECONDARY_FLAGS, UINT32_MAX, &secondary) &&
		  dci_sc_u64(c, v, "memory_base", UINT64_MAX, false, &r->memory_base) &&
		  dci_sc_u32(c, v, "memory_size", false, &r->memory_size) &&
		  dci_sc_bool(c, v, "check_cancel", &r->check_cancel) && dci_sc_bool(c, v, "cancel", &r->cancel) &&
		  dci_sc_hresult(c, v, "status", &r->status) && dci_sc_bool(c, v, "handle", &r->handle) &&
		  vm_region(c, v, r) && dci_sc_bool(c, v, "continue", &r->cont) &&
		  dci_sc_hresult(c, v, "vm_query_status", &r->vm_query_status) && vm_query_result(c, v, r) &&
		  dci_sc_hresult(c, v, "vm_read_status", &r->vm_read_status) &&
		  dci_sc_u32(c, v, "vm_read_bytes_completed", false, &r->vm_read_completed) &&
		  dci_sc_u64(c, v, "fill", 0xFF, false, &fill) && dci_sc_u64(c, v, "xor", 0xFF, false, &xor_byte);
	r->secondary_flags = (uint32_t)secondary;
	r->fill = (uint8_t)fill;
	r->xor_byte = (uint8_t)xor_byte;
	if (dc_toml_get(v, "memory_base") || dc_toml_get(v, "memory_size"))
		r->set |= DC_SCRIPT_MEMORY;
	if (dc_toml_get(v, "vm_query_status") || dc_toml_get(v, "vm_query_result"))
		r->set |= DC_SCRIPT_VM_QUERY;
	if (dc_toml_get(v, "vm_read_status") || dc_toml_get(v, "vm_read_bytes_completed"))
		r->set |= DC_SCRIPT_VM_READ;
	mark_set(v, "secondary_flags", DC_SCRIPT_SECONDARY, r);
	mark_set(v, "check_cancel", DC_SCRIPT_CHECK_CANCEL, r);
	mark_set(v, "cancel", DC_SCRIPT_CANCEL, r);
	mark_set(v, "status", DC_SCRIPT_STATUS, r);
	mark_set(v, "handle", DC_SCRIPT_HANDLE, r);
	mark_set(v, "vm_region", DC_SCRIPT_VM_REGION, r);
	mark_set(v, "continue", DC_SCRIPT_CONTINUE, r);
	mark_set(v, "fill", DC_SCRIPT_FILL, r);
	mark_set(v, "xor", DC_SCRIPT_XOR, r);
	return ok;
}

static bool callback_rule(struct dci_sc *c, const struct dc_toml_value *v, struct dc_script_rule *r)
{
	uint64_t type = UINT64_MAX, item = 0;
	bool ok = dci_sc_table(c, v, KEYS("type", "nth", "thread", "module", "return", "thread_write_flags",
					  "module_write_flags", "clear_flags", "secondary_flags",
					  "memory_base", "memory_size", "check_cancel", "cancel", "status",
					  "handle", "vm_region", "continue", "vm_query_status",
					  "vm_query_result", "vm_read_status", "vm_read_bytes_completed",
					  "fill", "xor")) &&
		  (dc_toml_get(v, "type") || dci_sc_fail(c, v, "type", "missing")) &&
		  dci_sc_enum(c, v, "type", DC_E_MINIDUMP_CALLBACK_TYPE, DC_SCRIPT_TYPES - 1, &type) &&
		  dci_sc_u32(c, v, "nth", false, &r->nth) && dci_sc_u64(c, v, "thread", UINT32_MAX, false, &item) &&
		  dci_sc_u64(c, v, "module", UINT64_MAX, false, &item) && dci_sc_bool(c, v, "return", &r->ret);
	r->type = (uint32_t)type;
	r->line = dc_toml_line(v);
	r->has_item = dc_toml_get(v, "thread") || dc_toml_get(v, "module");
	r->item = item;
	r->has_return = dc_toml_get(v, "return") != NULL;
	return ok && keys_fit_type(c, v, r->type) && outputs(c, v, r);
}

static bool script(struct dci_sc *c, const struct dc_toml_value *root, struct dc_scenario *sc)
{
	const struct dc_toml_value *arr;
	size_t n;
	if (!dci_sc_array(c, root, "callback", &arr, &n) || !n)
		return c->err == DC_OK;
	struct dc_script_rule *rules = (struct dc_script_rule *)dc_process_copy(c->p, NULL, n * sizeof(*rules));
	if (!rules)
		return NOMEM(c);
	for (size_t i = 0; i < n; i++) {
		size_t mark = dci_sc_push(c, "callback[%zu]", i);
		bool ok = callback_rule(c, dc_toml_at(arr, i), &rules[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	sc->script.rules = rules;
	sc->script.nrules = n;
	return true;
}

/* ---------------------------------------------------------------- expect */

static bool expect(struct dci_sc *c, const struct dc_toml_value *v, struct dc_scenario *sc)
{
	sc->expect_returned = true;
	sc->expect_roundtrip = true;
	if (!v)
		return true;
	size_t mark = dci_sc_push(c, "expect");
	bool ok = dci_sc_table(c, v, KEYS("returned", "last_error", "roundtrip")) &&
		  dci_sc_bool(c, v, "returned", &sc->expect_returned) &&
		  dci_sc_hresult(c, v, "last_error", &sc->expect_hresult) &&
		  dci_sc_bool(c, v, "roundtrip", &sc->expect_roundtrip);
	if (ok && sc->expect_returned != !dc_toml_get(v, "last_error"))
		ok = dci_sc_fail(c, v, "last_error", "give last_error exactly when returned = false");
	dci_sc_pop(c, mark);
	return ok;
}

/* ---------------------------------------------------------------- entry */

/* A table of the scenario, or of its base when the scenario has none. */
static const struct dc_toml_value *own_or_base(const struct dc_toml_value *root,
					       const struct dc_toml_value *base, const char *key)
{
	const struct dc_toml_value *v = dc_toml_get(root, key);
	return v ? v : dc_toml_get(base, key);
}

static bool top(struct dci_sc *c, const struct dc_toml_value *root, const struct dc_toml_value *base,
		struct dc_scenario *sc, uint64_t budget)
{
	const struct dc_toml_value *proc = own_or_base(root, base, "process");
	char why[256];
	if (!dci_sc_table(c, root, KEYS("name", "description", "base", "process", "request", "callback", "expect")))
		return false;
	if (dc_toml_get(root, "base") && !base)
		return dci_sc_fail(c, dc_toml_get(root, "base"), "base", "a base is only read from a file (dc_scenario_load)");
	if (!proc)
		return dci_sc_fail(c, root, "process", "missing");
	if (!dci_sc_process(c, proc, budget))
		return false;
	sc->description = "";
	if (!dci_sc_str(c, root, "name", true, &sc->name) || !dci_sc_str(c, root, "description", false, &sc->description))
		return false;
	if (dc_process_check(&sc->process, why, sizeof(why)) != DC_OK) {
		dci_sc_push(c, "process");
		return dci_sc_fail(c, proc, NULL, "%s", why);
	}
	return request(c, own_or_base(root, base, "request"), sc) && script(c, root, sc) &&
	       expect(c, dc_toml_get(root, "expect"), sc);
}

static enum dc_err parse_doc(const char *text, size_t len, const char *what, struct dc_toml **doc,
			     char *why, size_t why_len)
{
	struct dc_toml_error terr;
	enum dc_err err = dc_toml_parse(text, len, NULL, doc, &terr);
	if (err != DC_OK)
		snprintf(why, why_len, "%s%s", what, terr.message);
	return err;
}

static enum dc_err parse(const char *text, size_t len, const char *base_text, size_t base_len,
			 uint64_t max_memory, struct dc_scenario *sc, char *why, size_t why_len)
{
	struct dc_toml *doc = NULL, *base = NULL;
	memset(sc, 0, sizeof(*sc));
	enum dc_err err = parse_doc(text, len, "", &doc, why, why_len);
	if (err == DC_OK && base_text)
		err = parse_doc(base_text, base_len, "base: ", &base, why, why_len);
	if (err != DC_OK) {
		dc_toml_free(doc);
		return err;
	}
	struct dci_sc c = { .p = &sc->process, .why = why, .why_len = why_len };
	top(&c, dc_toml_root(doc), base ? dc_toml_root(base) : NULL, sc,
	    max_memory ? max_memory : DC_SCENARIO_MAX_MEMORY);
	dc_toml_free(doc);
	dc_toml_free(base);
	if (c.err != DC_OK) {
		dc_scenario_free(sc);
		return c.err;
	}
	sc->callback.CallbackRoutine = dc_script_callback;
	sc->callback.CallbackParam = &sc->script;
	sc->request.callback = sc->callbacks ? &sc->callback : NULL;
	return DC_OK;
}

enum dc_err dc_scenario_parse(const char *text, size_t len, uint64_t max_memory, struct dc_scenario *sc,
			      char *why, size_t why_len)
{
	return parse(text, len, NULL, 0, max_memory, sc, why, why_len);
}

/* The whole of a file (at most 8 MiB, the TOML parser's own limit). */
static enum dc_err slurp(const char *path, char **text, size_t *len, char *why, size_t why_len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 8u << 20;
	*text = f ? malloc(cap + 1) : NULL;
	if (!f || !*text) {
		snprintf(why, why_len, "%s: %s", path, f ? "out of memory" : "cannot open");
		if (f)
			fclose(f);
		return f ? DC_E_NOMEM : DC_E_IO;
	}
	*len = fread(*text, 1, cap + 1, f);
	bool bad = ferror(f) || *len > cap;
	fclose(f);
	if (bad) {
		snprintf(why, why_len, "%s: %s", path, *len > cap ? "larger than 8 MiB" : "read error");
		free(*text);
		*text = NULL;
		return *len > cap ? DC_E_LIMIT : DC_E_IO;
	}
	return DC_OK;
}

/* The base file a scenario names, next to the scenario; one level only. */
static enum dc_err load_base(const char *path, const char *text, size_t len, char **base, size_t *base_len,
			     char *why, size_t why_len)
{
	struct dc_toml *doc = NULL;
	const char *name;
	*base = NULL;
	if (dc_toml_parse(text, len, NULL, &doc, NULL) != DC_OK)
		return DC_OK; /* parse() reports it */
	const struct dc_toml_value *v = dc_toml_get(dc_toml_root(doc), "base");
	enum dc_err err = DC_OK;
	if (v && (!dc_toml_str(v, &name, NULL) || strchr(name, '/') || strchr(name, '\\') || !*name)) {
		snprintf(why, why_len, "line %u: base: expected a file name in the scenario's directory",
			 dc_toml_line(v));
		err = DC_E_MALFORMED;
	} else if (v) {
		const char *slash = strrchr(path, '/');
		size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
		char *full = malloc(dir + strlen(name) + 1);
		if (!full) {
			err = DC_E_NOMEM;
		} else {
			memcpy(full, path, dir);
			strcpy(full + dir, name);
			err = slurp(full, base, base_len, why, why_len);
			free(full);
		}
	}
	dc_toml_free(doc);
	return err;
}

enum dc_err dc_scenario_load(const char *path, uint64_t max_memory, struct dc_scenario *sc, char *why,
			     size_t why_len)
{
	char *text = NULL, *base = NULL;
	size_t len = 0, base_len = 0;
	memset(sc, 0, sizeof(*sc));
	enum dc_err err = slurp(path, &text, &len, why, why_len);
	if (err == DC_OK)
		err = load_base(path, text, len, &base, &base_len, why, why_len);
	if (err == DC_OK)
		err = parse(text, len, base, base_len, max_memory, sc, why, why_len);
	free(text);
	free(base);
	return err;
}

void dc_scenario_free(struct dc_scenario *sc)
{
	dc_process_free(&sc->process);
	memset(sc, 0, sizeof(*sc));
}

void dc_scenario_trace_run(const struct dc_scenario *sc, struct dc_trace_run *run)
{
	memset(run, 0, sizeof(*run));
	run->implementation = "dumpcheck-reference";
	run->version = dc_version();
	run->scenario = sc->name;
	run->arch = dc_arch_name(sc->process.arch);
	run->dump_type = sc->request.dump_type;
	run->process_id = sc->request.process_id;
	run->process_handle = sc->request.process_handle;
	run->file_handle = sc->request.file_handle;
	run->callbacks = sc->request.callback != NULL;
	run->exception_param = sc->request.with_exception;
	run->user_streams = (uint32_t)sc->request.nuser_streams;
}
