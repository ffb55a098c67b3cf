/* The kernel-dump model: loaded from a scenario's [memory] table
 * (spec/kdump-scenarios/README.md), plus the page pattern. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/kdump.h"
#include "scenario_int.h"

/* A model names at most this many runs, present ranges and patches: the
 * header holds 86 runs at most; the rest keeps hostile scenarios small. */
#define MAX_RANGES 4096u
#define MAX_PATCHES 4096u

static const char *const KEYS[] = {
	"arch", "dump_type", "bitmap_signature", "major_version", "minor_version",
	"machine_image_type", "number_processors", "bugcheck_code", "bugcheck_params",
	"directory_table_base", "pfn_database", "ps_loaded_module_list",
	"ps_active_process_head", "kd_debugger_data_block", "runs", "present", "fill_seed",
	"patches", NULL,
};

static enum dc_err check_keys(struct dci_why *l, const struct dc_toml_value *t)
{
	size_t i = dci_toml_unknown_key(t, KEYS);
	if (i < dc_toml_len(t))
		return dci_toml_fail(l, dc_toml_at(t, i), "memory.%s: unknown key", dc_toml_key_at(t, i));
	return DC_OK;
}

/* `key` of `t` as an integer up to `max`; `*out` keeps its default when absent. */
static enum dc_err get_uint(struct dci_why *l, const struct dc_toml_value *t, const char *key,
			    uint64_t max, uint64_t *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	uint64_t x;
	if (!v)
		return DC_OK;
	if (!dc_toml_u64(v, &x) || x > max)
		return dci_toml_fail(l, v, "%s: expected an integer 0..0x%llX", key, (unsigned long long)max);
	*out = x;
	return DC_OK;
}

static enum dc_err get_u32(struct dci_why *l, const struct dc_toml_value *t, const char *key,
			   uint32_t *out)
{
	uint64_t x = *out;
	enum dc_err err = get_uint(l, t, key, UINT32_MAX, &x);
	*out = (uint32_t)x;
	return err;
}

static enum dc_err get_arch(struct dci_why *l, const struct dc_toml_value *t, struct dc_kdump_model *m)
{
	const struct dc_toml_value *v = dc_toml_get(t, "arch");
	const char *s;
	m->is64 = true;
	m->machine_image_type = 0x8664;
	if (!v)
		return DC_OK;
	if (!dc_toml_str(v, &s, NULL))
		return dci_toml_fail(l, v, "arch: expected \"x64\" or \"x86\"");
	if (strcmp(s, "x64") == 0 || strcmp(s, "amd64") == 0)
		return DC_OK;
	if (strcmp(s, "x86") == 0) {
		m->is64 = false;
		m->machine_image_type = 0x14C;
		return DC_OK;
	}
	return dci_toml_fail(l, v, "arch: expected \"x64\" or \"x86\", not \"%s\"", s);
}

static enum dc_err get_dump_type(struct dci_why *l, const struct dc_toml_value *t, struct dc_kdump_model *m)
{
	const struct dc_toml_value *v = dc_toml_get(t, "dump_type");
	const char *s;
	uint64_t x;
	m->dump_type = DC_KDUMP_TYPE_FULL;
	if (!v)
		return DC_OK;
	if (dc_toml_str(v, &s, NULL)) {
		if (strcmp(s, "full") == 0)
			x = DC_KDUMP_TYPE_FULL;
		else if (strcmp(s, "bitmap") == 0)
			x = DC_KDUMP_TYPE_BITMAP;
		else if (!dc_enum_parse(DC_E_KDUMP_DUMP_TYPE, s, &x))
			return dci_toml_fail(l, v, "dump_type: unknown name \"%s\"", s);
	} else if (!dc_toml_u64(v, &x) || x > UINT32_MAX) {
		return dci_toml_fail(l, v, "dump_type: expected a name or a 32-bit integer");
	}
	m->dump_type = (uint32_t)x;
	return DC_OK;
}

static enum dc_err get_bitmap_sig(struct dci_why *l, const struct dc_toml_value *t, struct dc_kdump_model *m)
{
	const struct dc_toml_value *v = dc_toml_get(t, "bitmap_signature");
	const char *s;
	size_t n;
	m->bitmap_signature = DC_KDUMP_BITMAP_SDMP;
	if (!v)
		return DC_OK;
	if (dc_toml_str(v, &s, &n)) {
		if (n != 4)
			return dci_toml_fail(l, v, "bitmap_signature: expected 4 characters (\"SDMP\", \"FDMP\")");
		m->bitmap_signature = dci_le32((const uint8_t *)s);
		return DC_OK;
	}
	uint64_t x;
	if (!dc_toml_u64(v, &x) || x > UINT32_MAX)
		return dci_toml_fail(l, v, "bitmap_signature: expected 4 characters or a 32-bit integer");
	m->bitmap_signature = (uint32_t)x;
	return DC_OK;
}

static enum dc_err get_params(struct dci_why *l, const struct dc_toml_value *t, struct dc_kdump_model *m)
{
	const struct dc_toml_value *v = dc_toml_get(t, "bugcheck_params");
	if (!v)
		return DC_OK;
	if (dc_toml_type_of(v) != DC_TOML_ARRAY || dc_toml_len(v) > 4)
		return dci_toml_fail(l, v, "bugcheck_params: expected an array of at most 4 integers");
	for (size_t i = 0; i < dc_toml_len(v); i++)
		if (!dc_toml_u64(dc_toml_at(v, i), &m->bugcheck_params[i]))
			return dci_toml_fail(l, dc_toml_at(v, i), "bugcheck_params[%zu]: expected an integer", i);
	return DC_OK;
}

/* `key`: an array of { first_pfn, count } tables. */
static enum dc_err get_ranges(struct dci_why *l, const struct dc_toml_value *t, const char *key,
			      struct dc_kdump_range **out, size_t *n)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	if (!v)
		return DC_OK;
	if (dc_toml_type_of(v) != DC_TOML_ARRAY || dc_toml_len(v) > MAX_RANGES)
		return dci_toml_fail(l, v, "%s: expected an array of at most %u { first_pfn, count } tables", key,
			    MAX_RANGES);
	size_t len = dc_toml_len(v);
	*out = calloc(len ? len : 1, sizeof(**out));
	if (!*out)
		return DC_E_NOMEM;
	for (size_t i = 0; i < len; i++) {
		const struct dc_toml_value *e = dc_toml_at(v, i);
		const struct dc_toml_value *f = dc_toml_get(e, "first_pfn"), *c = dc_toml_get(e, "count");
		if (dc_toml_type_of(e) != DC_TOML_TABLE || dc_toml_len(e) != 2 ||
		    !dc_toml_u64(f, &(*out)[i].first_pfn) || !dc_toml_u64(c, &(*out)[i].count))
			return dci_toml_fail(l, e, "%s[%zu]: expected { first_pfn = N, count = N }", key, i);
	}
	*n = len;
	return DC_OK;
}

static enum dc_err get_patch(struct dci_why *l, const struct dc_toml_value *e, size_t i,
			     struct dc_kdump_patch *p)
{
	const struct dc_toml_value *hv = dc_toml_get(e, "hex");
	uint64_t pfn, off = 0;
	const char *hex;
	size_t n;
	if (dc_toml_type_of(e) != DC_TOML_TABLE || !dc_toml_u64(dc_toml_get(e, "pfn"), &pfn) ||
	    !dc_toml_str(hv, &hex, &n) || dc_toml_len(e) != 2u + (dc_toml_get(e, "offset") != NULL) ||
	    (dc_toml_get(e, "offset") && !dc_toml_u64(dc_toml_get(e, "offset"), &off)))
		return dci_toml_fail(l, e, "patches[%zu]: expected { pfn = N, offset = N, hex = \"..\" }", i);
	if (n == 0 || n % 2 || off >= DC_KDUMP_PAGE_SIZE || n / 2 > DC_KDUMP_PAGE_SIZE - off)
		return dci_toml_fail(l, hv, "patches[%zu]: hex needs an even, non-zero length and must fit the page", i);
	uint8_t *bytes = malloc(n / 2);
	if (!bytes)
		return DC_E_NOMEM;
	for (size_t k = 0; k < n / 2; k++) {
		int hi = dci_sc_hex_digit(hex[2 * k]), lo = dci_sc_hex_digit(hex[2 * k + 1]);
		if (hi < 0 || lo < 0) {
			free(bytes);
			return dci_toml_fail(l, hv, "patches[%zu]: hex holds a non-hex digit", i);
		}
		bytes[k] = (uint8_t)(hi << 4 | lo);
	}
	p->pfn = pfn;
	p->offset = (uint32_t)off;
	p->len = (uint32_t)(n / 2);
	p->bytes = bytes;
	return DC_OK;
}

static enum dc_err get_patches(struct dci_why *l, const struct dc_toml_value *t, struct dc_kdump_model *m)
{
	const struct dc_toml_value *v = dc_toml_get(t, "patches");
	if (!v)
		return DC_OK;
	if (dc_toml_type_of(v) != DC_TOML_ARRAY || dc_toml_len(v) > MAX_PATCHES)
		return dci_toml_fail(l, v, "patches: expected an array of at most %u tables", MAX_PATCHES);
	size_t len = dc_toml_len(v);
	m->patches = calloc(len ? len : 1, sizeof(*m->patches));
	if (!m->patches)
		return DC_E_NOMEM;
	for (size_t i = 0; i < len; i++) {
		enum dc_err err = get_patch(l, dc_toml_at(v, i), i, &m->patches[i]);
		if (err != DC_OK)
			return err;
		m->npatches = i + 1;
	}
	return DC_OK;
}

static enum dc_err load_scalars(struct dci_why *l, const struct dc_toml_value *t, struct dc_kdump_model *m)
{
	enum dc_err err;
	m->major_version = 15;
	m->minor_version = 19041;
	m->number_processors = 1;
	if ((err = get_arch(l, t, m)) || (err = get_dump_type(l, t, m)) || (err = get_bitmap_sig(l, t, m)) ||
	    (err = get_u32(l, t, "major_version", &m->major_version)) ||
	    (err = get_u32(l, t, "minor_version", &m->minor_version)) ||
	    (err = get_u32(l, t, "machine_image_type", &m->machine_image_type)) ||
	    (err = get_u32(l, t, "number_processors", &m->number_processors)) ||
	    (err = get_u32(l, t, "bugcheck_code", &m->bugcheck_code)) || (err = get_params(l, t, m)) ||
	    (err = get_uint(l, t, "directory_table_base", UINT64_MAX, &m->directory_table_base)) ||
	    (err = get_uint(l, t, "pfn_database", UINT64_MAX, &m->pfn_database)) ||
	    (err = get_uint(l, t, "ps_loaded_module_list", UINT64_MAX, &m->ps_loaded_module_list)) ||
	    (err = get_uint(l, t, "ps_active_process_head", UINT64_MAX, &m->ps_active_process_head)) ||
	    (err = get_uint(l, t, "kd_debugger_data_block", UINT64_MAX, &m->kd_debugger_data_block)) ||
	    (err = get_uint(l, t, "fill_seed", UINT64_MAX, &m->fill_seed)))
		return err;
	return DC_OK;
}

enum dc_err dc_kdump_model_from_toml(const struct dc_toml_value *table, struct dc_kdump_model *m,
				     char *err, size_t errlen)
{
	struct dci_why l = { err, errlen };
	enum dc_err e;
	if (!m)
		return DC_E_MISUSE;
	memset(m, 0, sizeof(*m));
	if (err && errlen)
		err[0] = '\0';
	if (dc_toml_type_of(table) != DC_TOML_TABLE)
		return dci_toml_fail(&l, table, "memory: expected a table");
	if ((e = check_keys(&l, table)) || (e = load_scalars(&l, table, m)) ||
	    (e = get_ranges(&l, table, "runs", &m->runs, &m->nruns)) ||
	    (e = get_ranges(&l, table, "present", &m->present, &m->npresent)) ||
	    (e = get_patches(&l, table, m))) {
		if (e == DC_E_NOMEM && err && errlen)
			snprintf(err, errlen, "line %u: out of memory", dc_toml_line(table));
		dc_kdump_model_free(m);
		return e;
	}
	uint64_t size;
	if (dc_kdump_size(m, &size) != DC_OK) {
		dc_kdump_model_free(m);
		return dci_toml_fail(&l, table, "memory: no dump can express these runs / present ranges "
			    "(more runs than the header holds, an overflow, or present ranges unsorted "
			    "or outside the runs)");
	}
	return DC_OK;
}

void dc_kdump_model_free(struct dc_kdump_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->npatches; i++)
		free((void *)m->patches[i].bytes);
	free(m->patches);
	free(m->runs);
	free(m->present);
	m->patches = NULL;
	m->runs = m->present = NULL;
	m->npatches = m->nruns = m->npresent = 0;
}

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Word 0 is the PFN, word 1 the seed (a page found by a lookup says which it
 * is); the rest is a splitmix64 stream of (seed, pfn). */
void dc_kdump_page_pattern(uint64_t seed, uint64_t pfn, uint8_t page[DC_KDUMP_PAGE_SIZE])
{
	uint64_t state = seed ^ (pfn * 0xD1B54A32D192ED03ull);
	for (unsigned w = 0; w < DC_KDUMP_PAGE_SIZE / 8; w++) {
		uint64_t x = w == 0 ? pfn : w == 1 ? seed : splitmix(&state);
		for (unsigned b = 0; b < 8; b++)
			page[8 * w + b] = (uint8_t)(x >> (8 * b));
	}
}

enum dc_err dc_kdump_scenario_load(const char *path, struct dc_kdump_model *m, char *err, size_t errlen)
{
	struct dc_file f;
	struct dc_toml *doc = NULL;
	struct dc_toml_error te;
	char why[200];
	if (!path || !m)
		return DC_E_MISUSE;
	memset(m, 0, sizeof(*m));
	enum dc_err e = dc_file_open(&f, path, 1u << 20);
	if (e != DC_OK) {
		snprintf(err, errlen, "%s: %s", path, dc_err_name(e));
		return e;
	}
	e = dc_toml_parse((const char *)f.data, (size_t)f.size, NULL, &doc, &te);
	dc_file_close(&f);
	if (e != DC_OK) {
		snprintf(err, errlen, "%s: %s", path, te.message);
		return e;
	}
	const struct dc_toml_value *root = dc_toml_root(doc);
	for (size_t i = 0; i < dc_toml_len(root); i++) {
		const char *k = dc_toml_key_at(root, i);
		if (strcmp(k, "description") != 0 && strcmp(k, "memory") != 0) {
			snprintf(err, errlen, "%s: line %u: %s: unknown key (description, [memory])", path,
				 dc_toml_line(dc_toml_at(root, i)), k);
			dc_toml_free(doc);
			return DC_E_MALFORMED;
		}
	}
	e = dc_kdump_model_from_toml(dc_toml_get(root, "memory"), m, why, sizeof(why));
	if (e != DC_OK)
		snprintf(err, errlen, "%s: %s", path, dc_toml_get(root, "memory") ? why : "no [memory] table");
	dc_toml_free(doc);
	return e;
}
