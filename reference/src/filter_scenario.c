/* Filter-stack scenarios (TOML, spec/filter-scenarios/README.md): the
 * partition, the dump type, the kernel-dump model ([memory], read by
 * dc_kdump_model_from_toml) and the example filters to load; and their run
 * on fresh example filters. Scenario text is untrusted (the hardened TOML
 * parser; every key checked, unknown keys refused). */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"
#include "dumpcheck/filter.h"
#include "dumpcheck/toml.h"
#include "scenario_int.h"

#define MAX_PARTITION (1ull << 44) /* 16 TiB */

static enum dc_err u64(struct dci_why *p, const struct dc_toml_value *t, const char *key, uint64_t max,
		       uint64_t *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	if (!v)
		return DC_OK;
	if (!dc_toml_u64(v, out) || *out > max)
		return dci_toml_fail(p, v, "%s: an integer in [0, %llu] expected", key, (unsigned long long)max);
	return DC_OK;
}

static enum dc_err u32(struct dci_why *p, const struct dc_toml_value *t, const char *key, uint32_t *out)
{
	uint64_t v = *out;
	enum dc_err e = u64(p, t, key, UINT32_MAX, &v);
	*out = (uint32_t)v;
	return e;
}

static enum dc_err boolean(struct dci_why *p, const struct dc_toml_value *t, const char *key, bool *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	if (v && !dc_toml_bool(v, out))
		return dci_toml_fail(p, v, "%s: true or false expected", key);
	return DC_OK;
}

/* An integer or a name of value set `enum_id`. */
static enum dc_err named(struct dci_why *p, const struct dc_toml_value *t, const char *key, uint16_t enum_id,
			 uint32_t *out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	const char *s;
	uint64_t x;
	if (!v)
		return DC_OK;
	if (dc_toml_str(v, &s, NULL)) {
		if (!dc_enum_parse(enum_id, s, &x))
			return dci_toml_fail(p, v, "%s: unknown name '%.40s'", key, s);
	} else if (!dc_toml_u64(v, &x) || x > UINT32_MAX) {
		return dci_toml_fail(p, v, "%s: a name or a 32-bit integer expected", key);
	}
	*out = (uint32_t)x;
	return DC_OK;
}

static enum dc_err partition(struct dci_why *p, const struct dc_toml_value *t, struct dc_filter_partition *pt)
{
	static const char *const keys[] = { "size", "dump_offset", "cylinders", "tracks_per_cylinder",
					    "sectors_per_track", "bytes_per_sector", "mbr_signature", NULL };
	enum dc_err e;
	pt->tracks_per_cylinder = 255;
	pt->sectors_per_track = 63;
	pt->bytes_per_sector = 512;
	if (!t)
		return dci_toml_fail(p, NULL, "[partition]: missing");
	if ((e = dci_toml_only(p, t, "partition", keys)) || (e = u64(p, t, "size", MAX_PARTITION, &pt->size)) ||
	    (e = u64(p, t, "dump_offset", MAX_PARTITION, &pt->dump_offset)) ||
	    (e = u64(p, t, "cylinders", UINT64_MAX, &pt->cylinders)) ||
	    (e = u32(p, t, "tracks_per_cylinder", &pt->tracks_per_cylinder)) ||
	    (e = u32(p, t, "sectors_per_track", &pt->sectors_per_track)) ||
	    (e = u32(p, t, "bytes_per_sector", &pt->bytes_per_sector)) ||
	    (e = u32(p, t, "mbr_signature", &pt->mbr_signature)))
		return e;
	if (!dc_toml_get(t, "size"))
		return dci_toml_fail(p, t, "partition: size: missing");
	if (pt->dump_offset % DC_FILTER_PAGE_SIZE)
		return dci_toml_fail(p, dc_toml_get(t, "dump_offset"), "partition: dump_offset: a multiple of 4096 expected");
	return DC_OK;
}

static enum dc_err fail_spec(struct dci_why *p, const struct dc_toml_value *t, struct dc_fx_params *fp)
{
	static const char *const keys[] = { "callback", "nth", "status", NULL };
	uint32_t cb = 0, st = (uint32_t)STATUS_UNSUCCESSFUL;
	enum dc_err e;
	if ((e = dci_toml_only(p, t, "fail", keys)) || (e = named(p, t, "callback", DC_E_FILTER_CALLBACK, &cb)) ||
	    (e = u32(p, t, "nth", &fp->fail_nth)) || (e = named(p, t, "status", DC_E_NTSTATUS, &st)))
		return e;
	if (!dc_toml_get(t, "callback") || cb == CallbackMaxCallback || cb > DC_FILTER_UNLOAD)
		return dci_toml_fail(p, t, "fail: callback: a FILTER_CALLBACK name (or CallbackDumpUnload) expected");
	fp->fail_cb = (int32_t)cb;
	fp->fail_status = (NTSTATUS)st;
	return DC_OK;
}

static enum dc_err misbehave_spec(struct dci_why *p, const struct dc_toml_value *t, struct dc_fx_params *fp)
{
	static const char *const keys[] = { "what", "nth", NULL };
	const char *s;
	enum dc_err e = dci_toml_only(p, t, "misbehave", keys);
	if (e)
		return e;
	if (!dc_toml_str(dc_toml_get(t, "what"), &s, NULL) || !dc_fx_misbehave_parse(s, &fp->misbehave))
		return dci_toml_fail(p, t, "misbehave: what: \"offset\", \"count\", \"in_place\", \"unaligned\", \"oversize\", "
			       "\"read_offset\" or \"read_mdl\" expected");
	return u32(p, t, "nth", &fp->misbehave_nth);
}

static enum dc_err filter(struct dci_why *p, const struct dc_toml_value *t, struct dc_filter_scenario_filter *f)
{
	static const char *const keys[] = { "name", "kind", "major", "minor", "flags", "max_pages",
					    "dump_read", "dump_start", "dump_write", "dump_finish",
					    "dump_unload", "key", "fail", "misbehave", NULL };
	const char *s;
	size_t n;
	enum dc_fx_kind kind = DC_FX_OBSERVER;
	enum dc_err e = dci_toml_only(p, t, "filter", keys);
	if (e)
		return e;
	const struct dc_toml_value *kv = dc_toml_get(t, "kind");
	if (kv && (!dc_toml_str(kv, &s, NULL) || !dc_fx_kind_parse(s, &kind)))
		return dci_toml_fail(p, kv, "filter: kind: \"observer\" or \"encrypt\" expected");
	dc_fx_params_default(&f->p, kind);
	if (!dc_toml_str(dc_toml_get(t, "name"), &s, &n) || n == 0 || n >= DC_FILTER_NAME_MAX || memchr(s, 0, n))
		return dci_toml_fail(p, t, "filter: name: a string of 1 to %u bytes expected", DC_FILTER_NAME_MAX - 1);
	memcpy(f->name, s, n + 1);
	bool start = true, write = true, finish = true, unload = true;
	if ((e = u32(p, t, "major", &f->p.major)) || (e = u32(p, t, "minor", &f->p.minor)) ||
	    (e = u32(p, t, "flags", &f->p.flags)) || (e = u32(p, t, "max_pages", &f->p.max_pages)) ||
	    (e = boolean(p, t, "dump_read", &f->p.dump_read)) || (e = boolean(p, t, "dump_start", &start)) ||
	    (e = boolean(p, t, "dump_write", &write)) || (e = boolean(p, t, "dump_finish", &finish)) ||
	    (e = boolean(p, t, "dump_unload", &unload)) || (e = u64(p, t, "key", UINT64_MAX, &f->p.key)))
		return e;
	f->p.no_start = !start;
	f->p.no_write = !write;
	f->p.no_finish = !finish;
	f->p.no_unload = !unload;
	if (dc_toml_get(t, "fail") && (e = fail_spec(p, dc_toml_get(t, "fail"), &f->p)))
		return e;
	if (dc_toml_get(t, "misbehave") && (e = misbehave_spec(p, dc_toml_get(t, "misbehave"), &f->p)))
		return e;
	return DC_OK;
}

static enum dc_err strdup_key(struct dci_why *p, const struct dc_toml_value *t, const char *key, char **out)
{
	const struct dc_toml_value *v = dc_toml_get(t, key);
	const char *s;
	size_t n;
	if (!v)
		return DC_OK;
	if (!dc_toml_str(v, &s, &n) || memchr(s, 0, n))
		return dci_toml_fail(p, v, "%s: a string expected", key);
	return (*out = strndup(s, n)) ? DC_OK : DC_E_NOMEM;
}

/* [expect]: what a conformance run of the scenario must see (tools/trace_conform.py);
 * the stack ignores it, the parser only checks its shape: fires = [rule ids]. */
static enum dc_err expect(struct dci_why *p, const struct dc_toml_value *t)
{
	static const char *const keys[] = { "fires", NULL };
	enum dc_err e;
	if (!t)
		return DC_OK;
	if ((e = dci_toml_only(p, t, "expect", keys)))
		return e;
	const struct dc_toml_value *fires = dc_toml_get(t, "fires");
	if (fires && dc_toml_type_of(fires) != DC_TOML_ARRAY)
		return dci_toml_fail(p, fires, "expect.fires: an array of rule ids expected");
	for (size_t i = 0; i < dc_toml_len(fires); i++) {
		const char *id;
		if (!dc_toml_str(dc_toml_at(fires, i), &id, NULL) || !dc_rule_lookup(id))
			return dci_toml_fail(p, dc_toml_at(fires, i), "expect.fires: a known rule id expected");
	}
	return DC_OK;
}

static enum dc_err scenario(struct dci_why *p, const struct dc_toml_value *root, struct dc_filter_scenario *sc)
{
	static const char *const keys[] = { "name", "description", "dump_type", "stack_max_pages",
					    "read_back", "partition", "memory", "filter", "expect", NULL };
	uint32_t dt = DumpTypeCrashdump;
	bool read_back = true;
	enum dc_err e;
	if ((e = dci_toml_only(p, root, "scenario", keys)) || (e = strdup_key(p, root, "name", &sc->name)) ||
	    (e = strdup_key(p, root, "description", &sc->description)) ||
	    (e = named(p, root, "dump_type", DC_E_FILTER_DUMP_TYPE, &dt)) ||
	    (e = u32(p, root, "stack_max_pages", &sc->stack_max_pages)) ||
	    (e = boolean(p, root, "read_back", &read_back)) || (e = expect(p, dc_toml_get(root, "expect"))) ||
	    (e = partition(p, dc_toml_get(root, "partition"), &sc->part)))
		return e;
	if (dt > DumpTypeHibernation || sc->stack_max_pages > (1u << 16))
		return dci_toml_fail(p, root, "dump_type or stack_max_pages out of range");
	sc->dump_type = (FILTER_DUMP_TYPE)dt;
	sc->no_read_back = !read_back;
	const struct dc_toml_value *arr = dc_toml_get(root, "filter");
	if (arr && (dc_toml_type_of(arr) != DC_TOML_ARRAY || dc_toml_len(arr) > DC_FILTER_MAX_FILTERS))
		return dci_toml_fail(p, arr, "filter: an array of at most %u tables expected", DC_FILTER_MAX_FILTERS);
	for (size_t i = 0; i < dc_toml_len(arr); i++, sc->nfilters++)
		if ((e = filter(p, dc_toml_at(arr, i), &sc->filters[i])))
			return e;
	const struct dc_toml_value *mem = dc_toml_get(root, "memory");
	if (!mem)
		return dci_toml_fail(p, root, "[memory]: missing");
	char why[200];
	if ((e = dc_kdump_model_from_toml(mem, &sc->model, why, sizeof(why))) != DC_OK) {
		if (p->why && p->why_len)
			snprintf(p->why, p->why_len, "memory: %s", why);
		return e;
	}
	return DC_OK;
}

enum dc_err dc_filter_scenario_parse(const char *text, size_t len, struct dc_filter_scenario *sc,
				     char *why, size_t why_len)
{
	struct dci_why p = { why, why_len };
	struct dc_toml *doc = NULL;
	struct dc_toml_error terr;
	if (why && why_len)
		why[0] = 0;
	if (!sc || (!text && len))
		return DC_E_MISUSE;
	memset(sc, 0, sizeof(*sc));
	enum dc_err e = dc_toml_parse(text, len, NULL, &doc, &terr);
	if (e != DC_OK) {
		if (why && why_len)
			snprintf(why, why_len, "%s", terr.message);
		return e;
	}
	e = scenario(&p, dc_toml_root(doc), sc);
	dc_toml_free(doc);
	if (e != DC_OK)
		dc_filter_scenario_free(sc);
	return e;
}

void dc_filter_scenario_free(struct dc_filter_scenario *sc)
{
	if (!sc)
		return;
	free(sc->name);
	free(sc->description);
	dc_kdump_model_free(&sc->model);
	memset(sc, 0, sizeof(*sc));
}

enum dc_err dc_filter_scenario_run(const struct dc_filter_scenario *sc,
				   const struct dc_filter_disk *disk, FILE *trace,
				   const char *image_name,
				   enum dc_err (*image)(void *ctx, uint64_t off, const void *buf, size_t len),
				   void *image_ctx, struct dc_filter_result *res)
{
	struct dc_fx fx[DC_FILTER_MAX_FILTERS];
	struct dc_filter_driver drv[DC_FILTER_MAX_FILTERS];
	if (!sc || sc->nfilters > DC_FILTER_MAX_FILTERS)
		return DC_E_MISUSE;
	memset(fx, 0, sizeof(fx));
	for (size_t i = 0; i < sc->nfilters; i++) {
		fx[i].p = sc->filters[i].p;
		dc_fx_driver(&fx[i], sc->filters[i].name, &drv[i]);
	}
	struct dc_filter_run run = {
		.implementation = "dumpcheck-reference", .version = DC_VERSION, .scenario = sc->name,
		.dump_type = sc->dump_type, .part = sc->part, .model = &sc->model, .filters = drv,
		.nfilters = sc->nfilters, .stack_max_pages = sc->stack_max_pages,
		.no_read_back = sc->no_read_back, .image_name = image_name, .image = image,
		.image_ctx = image_ctx,
	};
	enum dc_err err = dc_filter_stack_run(&run, disk, trace, res);
	for (size_t i = 0; i < sc->nfilters; i++)
		dc_fx_free(&fx[i]);
	return err;
}
