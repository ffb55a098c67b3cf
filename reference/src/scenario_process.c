/* The [process] table of a scenario into a struct dc_process
 * (format: spec/scenarios/README.md). */
#include <string.h>

#include "internal.h"
#include "scenario_int.h"

#define KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NOMEM(c) ((c)->err = DC_E_NOMEM, snprintf((c)->why, (c)->why_len, "out of memory"), false)

static void st(uint8_t *b, uint32_t off, uint64_t v, uint32_t width)
{
	for (uint32_t k = 0; k < width; k++)
		b[off + k] = (uint8_t)(v >> (8 * k));
}

/* ---------------------------------------------------------------- contexts */

/* context = { flags, pc, sp, hex }: zeros, then the hex prefix, then the
 * registers named; ContextFlags defaults to the architecture's CONTEXT_ALL. */
static bool context(struct dci_sc *c, const struct dc_toml_value *t, const char *key, struct dc_blob *out)
{
	const struct dc_context_desc *d = dc_context_lookup((uint32_t)c->p->arch);
	const struct dc_toml_value *v = dc_toml_get(t, key);
	struct dc_blob prefix = { 0 };
	uint64_t reg_max = d->reg_size == 4 ? UINT32_MAX : UINT64_MAX;
	uint64_t pc = 0, sp = 0;
	uint32_t flags = d->all_flags;
	size_t mark = dci_sc_push(c, ".%s", key);
	bool ok = !v || (dci_sc_table(c, v, KEYS("flags", "pc", "sp", "hex")) &&
			 dci_sc_u32(c, v, "flags", false, &flags) &&
			 dci_sc_u64(c, v, "pc", reg_max, false, &pc) &&
			 dci_sc_u64(c, v, "sp", reg_max, false, &sp) && dci_sc_hex(c, v, "hex", &prefix));
	if (ok && prefix.size > d->size)
		ok = dci_sc_fail(c, v, "hex", "%llu bytes, the CONTEXT has %u",
				 (unsigned long long)prefix.size, d->size);
	dci_sc_pop(c, mark);
	if (!ok)
		return false;
	uint8_t *b = dc_process_copy(c->p, NULL, d->size);
	if (!b)
		return NOMEM(c);
	if (prefix.size)
		memcpy(b, prefix.data, prefix.size);
	st(b, d->flags_off, flags, 4);
	st(b, d->pc_off, pc, d->reg_size);
	st(b, d->sp_off, sp, d->reg_size);
	out->data = b;
	out->size = d->size;
	return true;
}

/* { base, size } */
static bool range(struct dci_sc *c, const struct dc_toml_value *v, struct dc_range64 *r)
{
	return dci_sc_table(c, v, KEYS("base", "size")) && dci_sc_u64(c, v, "base", UINT64_MAX, true, &r->base) &&
	       dci_sc_u64(c, v, "size", UINT64_MAX - r->base, true, &r->size);
}

/* ---------------------------------------------------------------- threads */

static bool thread(struct dci_sc *c, const struct dc_toml_value *v, struct dc_thread *t)
{
	const struct dc_toml_value *stack = dc_toml_get(v, "stack");
	bool ok = dci_sc_table(c, v, KEYS("id", "suspend_count", "priority_class", "priority", "teb", "name",
					  "context", "stack", "exit_status", "create_time", "exit_time",
					  "kernel_time", "user_time", "start_address", "affinity")) &&
		  dci_sc_u32(c, v, "id", true, &t->id) && dci_sc_u32(c, v, "suspend_count", false, &t->suspend_count) &&
		  dci_sc_u32(c, v, "priority_class", false, &t->priority_class) &&
		  dci_sc_u32(c, v, "priority", false, &t->priority) &&
		  dci_sc_u64(c, v, "teb", UINT64_MAX, false, &t->teb) && dci_sc_str(c, v, "name", false, &t->name) &&
		  context(c, v, "context", &t->context) &&
		  dci_sc_u32(c, v, "exit_status", false, &t->exit_status) &&
		  dci_sc_u64(c, v, "create_time", UINT64_MAX, false, &t->create_time) &&
		  dci_sc_u64(c, v, "exit_time", UINT64_MAX, false, &t->exit_time) &&
		  dci_sc_u64(c, v, "kernel_time", UINT64_MAX, false, &t->kernel_time) &&
		  dci_sc_u64(c, v, "user_time", UINT64_MAX, false, &t->user_time) &&
		  dci_sc_u64(c, v, "start_address", UINT64_MAX, false, &t->start_address) &&
		  dci_sc_u64(c, v, "affinity", UINT64_MAX, false, &t->affinity);
	if (!ok || !stack)
		return ok;
	size_t mark = dci_sc_push(c, ".stack");
	ok = range(c, stack, &t->stack);
	dci_sc_pop(c, mark);
	return ok;
}

/* ---------------------------------------------------------------- modules */

/* version = [major, minor, build, revision] or the 13 VS_FIXEDFILEINFO words. */
static bool version(struct dci_sc *c, const struct dc_toml_value *t, uint32_t out[13])
{
	const struct dc_toml_value *v = dc_toml_get(t, "version");
	size_t n = dc_toml_len(v);
	uint64_t w[13] = { 0 };
	if (!v)
		return true;
	if (dc_toml_type_of(v) != DC_TOML_ARRAY || (n != 4 && n != 13))
		return dci_sc_fail(c, v, "version", "expected 4 numbers (a.b.c.d) or the 13 VS_FIXEDFILEINFO words");
	for (size_t i = 0; i < n; i++)
		if (!dc_toml_u64(dc_toml_at(v, i), &w[i]) || w[i] > (n == 4 ? 0xFFFFu : UINT32_MAX))
			return dci_sc_fail(c, v, "version", "element %zu out of range", i + 1);
	if (n == 13) {
		for (size_t i = 0; i < 13; i++)
			out[i] = (uint32_t)w[i];
		return true;
	}
	out[0] = 0xFEEF04BDu; /* dwSignature */
	out[1] = 0x00010000u; /* dwStrucVersion */
	out[2] = out[4] = (uint32_t)(w[0] << 16 | w[1]);
	out[3] = out[5] = (uint32_t)(w[2] << 16 | w[3]);
	out[6] = 0x3F;        /* dwFileFlagsMask */
	out[8] = 0x00040004u; /* dwFileOS: VOS_NT_WINDOWS32 */
	return true;
}

/* GUID text "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" in its in-memory byte order. */
static bool guid(const char *s, uint8_t out[16])
{
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t raw[16];
	size_t n = 0;
	for (size_t i = 0; s[i] && n < 16; i++) {
		if (s[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23))
			continue;
		int hi = dci_sc_hex_digit(s[i]), lo = s[i + 1] ? dci_sc_hex_digit(s[i + 1]) : -1;
		if (hi < 0 || lo < 0)
			return false;
		raw[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (n != 16 || strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 16; i++)
		out[i] = raw[order[i]];
	return true;
}

/* codeview = { guid, age, pdb }: an RSDS record. */
static bool codeview(struct dci_sc *c, const struct dc_toml_value *t, struct dc_blob *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, "codeview");
	const char *g = NULL, *pdb = NULL;
	uint32_t age = 1;
	uint8_t id[16];
	if (!v)
		return true;
	size_t mark = dci_sc_push(c, ".codeview");
	bool ok = dci_sc_table(c, v, KEYS("guid", "age", "pdb")) && dci_sc_str(c, v, "guid", true, &g) &&
		  dci_sc_u32(c, v, "age", false, &age) && dci_sc_str(c, v, "pdb", true, &pdb);
	if (ok && !guid(g, id))
		ok = dci_sc_fail(c, v, "guid", "expected XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX");
	dci_sc_pop(c, mark);
	if (!ok)
		return false;
	size_t len = 24 + strlen(pdb) + 1;
	uint8_t *b = dc_process_copy(c->p, NULL, len);
	if (!b)
		return NOMEM(c);
	memcpy(b, "RSDS", 4);
	memcpy(b + 4, id, 16);
	st(b, 20, age, 4);
	memcpy(b + 24, pdb, strlen(pdb));
	out->data = b;
	out->size = len;
	return true;
}

static bool sections(struct dci_sc *c, const struct dc_toml_value *t, const char *key,
		     struct dc_range64 **out, size_t *n)
{
	const struct dc_toml_value *arr;
	if (!dci_sc_array(c, t, key, &arr, n) || !*n)
		return c->err == DC_OK;
	*out = (struct dc_range64 *)dc_process_copy(c->p, NULL, *n * sizeof(**out));
	if (!*out)
		return NOMEM(c);
	for (size_t i = 0; i < *n; i++) {
		size_t mark = dci_sc_push(c, ".%s[%zu]", key, i);
		bool ok = range(c, dc_toml_at(arr, i), &(*out)[i]);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	return true;
}

static bool module(struct dci_sc *c, const struct dc_toml_value *v, struct dc_module *m)
{
	uint32_t size = 0;
	bool ok = dci_sc_table(c, v, KEYS("path", "base", "size", "checksum", "timestamp", "version",
					  "codeview", "cv", "misc", "data_sections", "code_sections")) &&
		  dci_sc_str(c, v, "path", true, &m->path) && dci_sc_u64(c, v, "base", UINT64_MAX, true, &m->base) &&
		  dci_sc_u32(c, v, "size", true, &size) && dci_sc_u32(c, v, "checksum", false, &m->checksum) &&
		  dci_sc_u32(c, v, "timestamp", false, &m->timestamp) && version(c, v, m->version) &&
		  dci_sc_hex(c, v, "cv", &m->cv) && codeview(c, v, &m->cv) && dci_sc_hex(c, v, "misc", &m->misc) &&
		  sections(c, v, "data_sections", &m->data_sections, &m->ndata_sections) &&
		  sections(c, v, "code_sections", &m->code_sections, &m->ncode_sections);
	m->size = size;
	if (ok && dc_toml_get(v, "cv") && dc_toml_get(v, "codeview"))
		ok = dci_sc_fail(c, v, "cv", "give either cv or codeview, not both");
	return ok;
}

/* ---------------------------------------------------------------- regions */

/* Plant the little-endian words = [{ off, value, size }] into the contents. */
static bool words(struct dci_sc *c, const struct dc_toml_value *v, struct dc_region *r, uint8_t *b)
{
	const struct dc_toml_value *arr;
	size_t n;
	if (!dci_sc_array(c, v, "words", &arr, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct dc_toml_value *w = dc_toml_at(arr, i);
		uint64_t off = 0, value = 0;
		uint32_t width = dc_arch_pointer_size(c->p->arch);
		size_t mark = dci_sc_push(c, ".words[%zu]", i);
		bool ok = dci_sc_table(c, w, KEYS("off", "value", "size")) &&
			  dci_sc_u64(c, w, "off", r->size, true, &off) &&
			  dci_sc_u64(c, w, "value", UINT64_MAX, true, &value) && dci_sc_u32(c, w, "size", false, &width);
		if (ok && width != 1 && width != 2 && width != 4 && width != 8)
			ok = dci_sc_fail(c, w, "size", "expected 1, 2, 4 or 8");
		if (ok && (width > r->size || off > r->size - width))
			ok = dci_sc_fail(c, w, "off", "the word does not fit in the region");
		if (ok && !b)
			ok = dci_sc_fail(c, w, NULL, "an unreadable region has no contents");
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
		for (uint32_t k = 0; k < width; k++)
			b[off + k] = (uint8_t)(value >> (8 * k));
	}
	return true;
}

/* Contents: fill = byte, hex = prefix (then zeros), or the default pattern
 * (a byte of the page number xor the offset); none when unreadable. */
static bool contents(struct dci_sc *c, const struct dc_toml_value *v, struct dc_region *r, uint64_t *budget)
{
	bool unreadable = false;
	uint64_t fill = 0;
	struct dc_blob hex = { 0 };
	if (!dci_sc_bool(c, v, "unreadable", &unreadable) || !dci_sc_u64(c, v, "fill", 0xFF, false, &fill) ||
	    !dci_sc_hex(c, v, "hex", &hex))
		return false;
	if (hex.size > r->size)
		return dci_sc_fail(c, v, "hex", "longer than the region");
	if (unreadable || r->state != DC_MEM_COMMIT)
		return words(c, v, r, NULL);
	if (r->size > *budget)
		return dci_sc_fail(c, v, "size", "the scenario's regions exceed its memory budget");
	*budget -= r->size;
	uint8_t *b = dc_process_copy(c->p, NULL, r->size);
	if (!b)
		return NOMEM(c);
	if (dc_toml_get(v, "fill"))
		memset(b, (int)fill, r->size);
	else if (hex.size)
		memcpy(b, hex.data, hex.size);
	else
		for (uint64_t i = 0; i < r->size; i++)
			b[i] = (uint8_t)((r->base + i) >> 12) ^ (uint8_t)i;
	r->contents = b;
	return words(c, v, r, b);
}

static bool region(struct dci_sc *c, const struct dc_toml_value *v, struct dc_region *r, uint64_t *budget)
{
	uint64_t state = DC_MEM_COMMIT, protect = DC_PAGE_READWRITE, type = DC_MEM_PRIVATE, aprot;
	bool ok = dci_sc_table(c, v, KEYS("base", "size", "allocation_base", "allocation_protect", "state",
					  "protect", "type", "fill", "hex", "unreadable", "words")) &&
		  dci_sc_u64(c, v, "base", UINT64_MAX, true, &r->base) &&
		  dci_sc_u64(c, v, "size", UINT64_MAX - r->base, true, &r->size) &&
		  dci_sc_enum(c, v, "state", DC_E_MEMORY_STATE, UINT32_MAX, &state) &&
		  dci_sc_enum(c, v, "protect", DC_E_MEMORY_PROTECT, UINT32_MAX, &protect) &&
		  dci_sc_enum(c, v, "type", DC_E_MEMORY_TYPE, UINT32_MAX, &type);
	aprot = protect;
	r->allocation_base = r->base;
	ok = ok && dci_sc_u64(c, v, "allocation_base", UINT64_MAX, false, &r->allocation_base) &&
	     dci_sc_enum(c, v, "allocation_protect", DC_E_MEMORY_PROTECT, UINT32_MAX, &aprot);
	if (ok && r->size == 0)
		ok = dci_sc_fail(c, v, "size", "a region is at least one byte");
	r->state = (uint32_t)state;
	r->protect = (uint32_t)protect;
	r->type = (uint32_t)type;
	r->allocation_protect = (uint32_t)aprot;
	return ok && contents(c, v, r, budget);
}

/* ---------------------------------------------------------------- handles, unloaded */

static bool objinfo(struct dci_sc *c, const struct dc_toml_value *v, struct dc_handle *h)
{
	const struct dc_toml_value *arr;
	if (!dci_sc_array(c, v, "objinfo", &arr, &h->nobjinfo) || !h->nobjinfo)
		return c->err == DC_OK;
	h->objinfo = (struct dc_objinfo *)dc_process_copy(c->p, NULL, h->nobjinfo * sizeof(*h->objinfo));
	if (!h->objinfo)
		return NOMEM(c);
	for (size_t i = 0; i < h->nobjinfo; i++) {
		const struct dc_toml_value *o = dc_toml_at(arr, i);
		size_t mark = dci_sc_push(c, ".objinfo[%zu]", i);
		uint64_t type = 0;
		bool ok = dci_sc_table(c, o, KEYS("type", "hex")) &&
			  (dc_toml_get(o, "type") || dci_sc_fail(c, o, "type", "missing")) &&
			  dci_sc_enum(c, o, "type", DC_E_HANDLE_OBJECT_INFO_TYPE, UINT32_MAX, &type) &&
			  dci_sc_hex(c, o, "hex", &h->objinfo[i].bytes);
		h->objinfo[i].info_type = (uint32_t)type;
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	return true;
}

static bool handle(struct dci_sc *c, const struct dc_toml_value *v, struct dc_handle *h)
{
	return dci_sc_table(c, v, KEYS("handle", "type_name", "object_name", "attributes", "granted_access",
				       "handle_count", "pointer_count", "objinfo")) &&
	       dci_sc_u64(c, v, "handle", UINT64_MAX, true, &h->handle) &&
	       dci_sc_str(c, v, "type_name", false, &h->type_name) &&
	       dci_sc_str(c, v, "object_name", false, &h->object_name) &&
	       dci_sc_u32(c, v, "attributes", false, &h->attributes) &&
	       dci_sc_u32(c, v, "granted_access", false, &h->granted_access) &&
	       dci_sc_u32(c, v, "handle_count", false, &h->handle_count) &&
	       dci_sc_u32(c, v, "pointer_count", false, &h->pointer_count) && objinfo(c, v, h);
}

static bool unloaded(struct dci_sc *c, const struct dc_toml_value *v, struct dc_unloaded_module *u)
{
	return dci_sc_table(c, v, KEYS("name", "base", "size", "checksum", "timestamp")) &&
	       dci_sc_str(c, v, "name", true, &u->name) && dci_sc_u64(c, v, "base", UINT64_MAX, true, &u->base) &&
	       dci_sc_u32(c, v, "size", true, &u->size) && dci_sc_u32(c, v, "checksum", false, &u->checksum) &&
	       dci_sc_u32(c, v, "timestamp", false, &u->timestamp);
}

/* ---------------------------------------------------------------- tokens */

/* [[process.token]] { id, handle, hex } into a MINIDUMP_TOKEN_INFO_LIST:
 * built here, so a scenario cannot describe an inconsistent list. */
static bool tokens(struct dci_sc *c, const struct dc_toml_value *t)
{
	const struct dc_toml_value *arr;
	size_t n;
	uint64_t total = DC_SIZE_MINIDUMP_TOKEN_INFO_LIST;
	if (!dci_sc_array(c, t, "token", &arr, &n) || !n)
		return c->err == DC_OK;
	struct dc_blob *bytes = (struct dc_blob *)dc_process_copy(c->p, NULL, n * sizeof(*bytes));
	uint64_t *ids = (uint64_t *)dc_process_copy(c->p, NULL, n * 2 * sizeof(*ids));
	if (!bytes || !ids)
		return NOMEM(c);
	for (size_t i = 0; i < n; i++) {
		const struct dc_toml_value *v = dc_toml_at(arr, i);
		size_t mark = dci_sc_push(c, ".token[%zu]", i);
		bool ok = dci_sc_table(c, v, KEYS("id", "handle", "hex")) &&
			  dci_sc_u64(c, v, "id", UINT32_MAX, true, &ids[2 * i]) &&
			  dci_sc_u64(c, v, "handle", UINT64_MAX, false, &ids[2 * i + 1]) &&
			  dci_sc_hex(c, v, "hex", &bytes[i]);
		total += DC_SIZE_MINIDUMP_TOKEN_INFO_HEADER + bytes[i].size;
		if (ok && total > UINT32_MAX)
			ok = dci_sc_fail(c, v, "hex", "the token list passes 4 GiB");
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	uint8_t *b = dc_process_copy(c->p, NULL, total);
	if (!b)
		return NOMEM(c);
	st(b, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListSize, total, 4);
	st(b, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListEntries, n, 4);
	st(b, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ListHeaderSize, DC_SIZE_MINIDUMP_TOKEN_INFO_LIST, 4);
	st(b, DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ElementHeaderSize, DC_SIZE_MINIDUMP_TOKEN_INFO_HEADER, 4);
	uint32_t pos = DC_SIZE_MINIDUMP_TOKEN_INFO_LIST;
	for (size_t i = 0; i < n; i++) {
		uint32_t size = DC_SIZE_MINIDUMP_TOKEN_INFO_HEADER + (uint32_t)bytes[i].size;
		st(b, pos + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenSize, size, 4);
		st(b, pos + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenId, ids[2 * i], 4);
		st(b, pos + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenHandle, ids[2 * i + 1], 8);
		if (bytes[i].size)
			memcpy(b + pos + DC_SIZE_MINIDUMP_TOKEN_INFO_HEADER, bytes[i].data, bytes[i].size);
		pos += size;
	}
	c->p->tokens.data = b;
	c->p->tokens.size = total;
	return true;
}

/* ---------------------------------------------------------------- system, exception */

static bool system_info(struct dci_sc *c, const struct dc_toml_value *t)
{
	const struct dc_toml_value *v = dc_toml_get(t, "system");
	struct dc_system *s = &c->p->system;
	struct dc_blob cpu = { 0 };
	uint32_t level = 6, revision = 0, processors = 4, product = 1, suite = 0;
	s->major = 10;
	s->build = 19045;
	s->platform_id = 2; /* VER_PLATFORM_WIN32_NT */
	s->csd = "";
	size_t mark = dci_sc_push(c, ".system");
	bool ok = !v || (dci_sc_table(c, v, KEYS("processor_level", "processor_revision", "processors",
						  "product_type", "major", "minor", "build", "platform_id",
						  "csd", "suite_mask", "cpu")) &&
			 dci_sc_u32(c, v, "processor_level", false, &level) &&
			 dci_sc_u32(c, v, "processor_revision", false, &revision) &&
			 dci_sc_u32(c, v, "processors", false, &processors) &&
			 dci_sc_u32(c, v, "product_type", false, &product) &&
			 dci_sc_u32(c, v, "major", false, &s->major) && dci_sc_u32(c, v, "minor", false, &s->minor) &&
			 dci_sc_u32(c, v, "build", false, &s->build) &&
			 dci_sc_u32(c, v, "platform_id", false, &s->platform_id) &&
			 dci_sc_str(c, v, "csd", false, &s->csd) && dci_sc_u32(c, v, "suite_mask", false, &suite) &&
			 dci_sc_hex(c, v, "cpu", &cpu));
	if (ok && (level > 0xFFFF || revision > 0xFFFF || processors > 0xFF || product > 0xFF || suite > 0xFFFF))
		ok = dci_sc_fail(c, v, NULL, "a value does not fit its SYSTEM_INFO field");
	if (ok && cpu.size > sizeof(s->cpu))
		ok = dci_sc_fail(c, v, "cpu", "CPU_INFORMATION has %zu bytes", sizeof(s->cpu));
	dci_sc_pop(c, mark);
	s->processor_level = (uint16_t)level;
	s->processor_revision = (uint16_t)revision;
	s->processors = (uint8_t)processors;
	s->product_type = (uint8_t)product;
	s->suite_mask = (uint16_t)suite;
	if (ok && cpu.size)
		memcpy(s->cpu, cpu.data, cpu.size);
	return ok;
}

static const struct dc_thread *find_thread(const struct dc_process *p, uint32_t id)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].id == id)
			return &p->threads[i];
	return NULL;
}

/* exception = { thread, code, flags, record, address, params, context }; the
 * context defaults to the thread's. */
static bool exception(struct dci_sc *c, const struct dc_toml_value *t)
{
	const struct dc_toml_value *v = dc_toml_get(t, "exception"), *params;
	struct dc_exception *e = &c->p->exception;
	if (!v)
		return true;
	size_t mark = dci_sc_push(c, ".exception"), n = 0;
	bool ok = dci_sc_table(c, v, KEYS("thread", "code", "flags", "record", "address", "params", "context")) &&
		  dci_sc_u32(c, v, "thread", true, &e->thread_id) && dci_sc_u32(c, v, "code", true, &e->code) &&
		  dci_sc_u32(c, v, "flags", false, &e->flags) &&
		  dci_sc_u64(c, v, "record", UINT64_MAX, false, &e->record) &&
		  dci_sc_u64(c, v, "address", UINT64_MAX, false, &e->address);
	params = dc_toml_get(v, "params");
	n = dc_toml_len(params);
	if (ok && params && (dc_toml_type_of(params) != DC_TOML_ARRAY || n > 15))
		ok = dci_sc_fail(c, params, "params", "expected at most 15 integers");
	for (size_t i = 0; ok && i < n; i++)
		if (!dc_toml_u64(dc_toml_at(params, i), &e->params[i]))
			ok = dci_sc_fail(c, params, "params", "element %zu is not a non-negative integer", i + 1);
	e->nparams = (uint32_t)n;
	const struct dc_thread *th = ok ? find_thread(c->p, e->thread_id) : NULL;
	if (ok && !th)
		ok = dci_sc_fail(c, v, "thread", "no thread %u in the process", e->thread_id);
	if (ok && dc_toml_get(v, "context"))
		ok = context(c, v, "context", &e->context);
	else if (ok)
		e->context = th->context;
	dci_sc_pop(c, mark);
	c->p->has_exception = ok;
	return ok;
}

/* ---------------------------------------------------------------- lists */

static bool add_thread(struct dci_sc *c, const struct dc_toml_value *v, uint64_t *budget)
{
	struct dc_thread *t = dc_process_add_thread(c->p);
	(void)budget;
	return t ? thread(c, v, t) : NOMEM(c);
}

static bool add_module(struct dci_sc *c, const struct dc_toml_value *v, uint64_t *budget)
{
	struct dc_module *m = dc_process_add_module(c->p);
	(void)budget;
	return m ? module(c, v, m) : NOMEM(c);
}

static bool add_region(struct dci_sc *c, const struct dc_toml_value *v, uint64_t *budget)
{
	struct dc_region *r = dc_process_add_region(c->p);
	return r ? region(c, v, r, budget) : NOMEM(c);
}

static bool add_handle(struct dci_sc *c, const struct dc_toml_value *v, uint64_t *budget)
{
	struct dc_handle *h = dc_process_add_handle(c->p);
	(void)budget;
	return h ? handle(c, v, h) : NOMEM(c);
}

static bool add_unloaded(struct dci_sc *c, const struct dc_toml_value *v, uint64_t *budget)
{
	struct dc_unloaded_module *u = dc_process_add_unloaded(c->p);
	(void)budget;
	return u ? unloaded(c, v, u) : NOMEM(c);
}

static bool each(struct dci_sc *c, const struct dc_toml_value *t, const char *key, uint64_t *budget,
		 bool (*one)(struct dci_sc *, const struct dc_toml_value *, uint64_t *))
{
	const struct dc_toml_value *arr;
	size_t n;
	if (!dci_sc_array(c, t, key, &arr, &n))
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t mark = dci_sc_push(c, ".%s[%zu]", key, i);
		bool ok = one(c, dc_toml_at(arr, i), budget);
		dci_sc_pop(c, mark);
		if (!ok)
			return false;
	}
	return true;
}

static bool arch(struct dci_sc *c, const struct dc_toml_value *t, enum dc_arch *out)
{
	static const enum dc_arch all[] = { DC_ARCH_X86, DC_ARCH_AMD64, DC_ARCH_ARM64 };
	const struct dc_toml_value *v = dc_toml_get(t, "arch");
	const char *s;
	if (!v)
		return dci_sc_fail(c, t, "arch", "missing (x86, amd64 or arm64)");
	if (dc_toml_str(v, &s, NULL))
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (strcmp(dc_arch_name(all[i]), s) == 0) {
				*out = all[i];
				return true;
			}
	return dci_sc_fail(c, v, "arch", "expected x86, amd64 or arm64");
}

bool dci_sc_process(struct dci_sc *c, const struct dc_toml_value *proc, uint64_t memory_budget)
{
	enum dc_arch a = DC_ARCH_AMD64;
	size_t mark = dci_sc_push(c, "process");
	bool ok = dci_sc_table(c, proc, KEYS("arch", "pid", "create_time", "user_time", "kernel_time", "token",
					     "system", "thread", "module", "region", "handle", "unloaded",
					     "exception")) &&
		  arch(c, proc, &a);
	if (ok && dc_process_init(c->p, a) != DC_OK)
		ok = NOMEM(c);
	ok = ok && dci_sc_u32(c, proc, "pid", false, &c->p->pid) &&
	     dci_sc_u32(c, proc, "create_time", false, &c->p->create_time) &&
	     dci_sc_u32(c, proc, "user_time", false, &c->p->user_time) &&
	     dci_sc_u32(c, proc, "kernel_time", false, &c->p->kernel_time) &&
	     tokens(c, proc) && system_info(c, proc) &&
	     each(c, proc, "thread", NULL, add_thread) && each(c, proc, "module", NULL, add_module) &&
	     each(c, proc, "region", &memory_budget, add_region) && each(c, proc, "handle", NULL, add_handle) &&
	     each(c, proc, "unloaded", NULL, add_unloaded) && exception(c, proc);
	dci_sc_pop(c, mark);
	return ok;
}
