/* dumpcheck corpus: materialise the conformance cases of spec/cases into one
 * dump per case and a manifest.json (schema "dumpcheck-corpus"). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dumpcheck/corpus.h"
#include "dumpcheck/dcb.h"
#include "dumpcheck/filter.h"
#include "dumpcheck/kdump.h"
#include "dumpcheck/report.h"
#include "dumpcheck/tracecheck.h"

#define CORPUS_SCHEMA_VERSION 1
#define MAX_CASE_FILES 1024
/* Trace cases go to OUT_DIR/TRACE_DIR: their dumps are judged with their
 * traces, and a reader run over OUT_DIR's [yni]_*.dmp must not mistake a
 * sound dump with a broken trace (n_) for a dump it should reject. */
#define TRACE_DIR "trace"
/* DriverCallback cases go to OUT_DIR/DCB_DIR: a trace alone, of another
 * schema, judged by `dumpcheck dcb-check`. */
#define DCB_DIR "dcb"
/* Kernel dump cases go to OUT_DIR/KDUMP_DIR: not minidumps, judged by the
 * kernel-dump validator (`dumpcheck validate` picks it by signature). */
#define KDUMP_DIR "kdump"
/* Filter-stack cases go to OUT_DIR/FILTER_DIR: a trace and the image the
 * read path delivered (empty when it did not finish), judged by `dumpcheck
 * filter-check TRACE IMAGE`. */
#define FILTER_DIR "filter"

const char *const usage_corpus =
	"usage: dumpcheck corpus [--spec DIR] [--verify] OUT_DIR\n"
	"\n"
	"Writes one file per conformance case of DIR/cases/*.toml (format:\n"
	"spec/cases/README.md), named <verdict>_<id>.dmp, and OUT_DIR/manifest.json\n"
	"(schema \"dumpcheck-corpus\"): y_ must be accepted, n_ rejected, i_ is\n"
	"implementation-defined. Trace cases (kind = \"trace\") write a writer trace\n"
	"and its dump, OUT_DIR/trace/<verdict>_<id>.jsonl and .dmp, judged by\n"
	"`dumpcheck check-trace TRACE DUMP`. DriverCallback cases (kind = \"dcb\")\n"
	"write a trace of a dcb script, OUT_DIR/dcb/<verdict>_<id>.jsonl, judged by\n"
	"`dumpcheck dcb-check TRACE`. Kernel dump cases (kind = \"kdump\") write\n"
	"OUT_DIR/kdump/<verdict>_<id>.dmp, judged by `dumpcheck validate`. Filter-stack\n"
	"cases (kind = \"filter\") write OUT_DIR/filter/<verdict>_<id>.jsonl and the\n"
	"read-back image <verdict>_<id>.dmp (empty when the read path stopped), judged\n"
	"by `dumpcheck filter-check TRACE IMAGE`. Earlier [yni]_*.dmp files in OUT_DIR (and\n"
	"[yni]_*.dmp, .jsonl in OUT_DIR/trace and OUT_DIR/dcb) are replaced.\n"
	"\n"
	"  --spec DIR   the spec folder (default: ./spec when it has cases/, else the\n"
	"               spec/ of the source tree the binary was built in,\n"
	"               <binary>/../../spec)\n"
	"  --verify     also validate every file with the reference validator (under\n"
	"               the case's limits), check every trace case with the trace\n"
	"               checker and every dcb case with the dcb checker, and\n"
	"               report each case whose expectation fails\n"
	"\n"
	"exit codes: 0 written (and verified), 1 a case failed --verify, 2 usage,\n"
	"case file, scenario or output error\n";

struct corpus_args {
	const char *spec, *out;
	bool verify;
};

struct loaded {
	char name[256];            /* file name in DIR/cases */
	struct dc_case_set set;
};

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --spec, else ./spec, else the source tree's spec/ next to build/<variant>/. */
static bool find_spec(const char *given, char *out, size_t len)
{
	char exe[PATH_MAX - 32], probe[PATH_MAX];
	if (given) {
		snprintf(out, len, "%s", given);
		return true;
	}
	if (is_dir("spec/cases")) {
		snprintf(out, len, "spec");
		return true;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = 0;
	snprintf(probe, sizeof(probe), "%s/../../spec/cases", exe);
	if (!is_dir(probe))
		return false;
	return (size_t)snprintf(out, len, "%s/../../spec", exe) < len;
}

static int cmp_loaded(const void *a, const void *b)
{
	return strcmp(((const struct loaded *)a)->name, ((const struct loaded *)b)->name);
}

/* Every .toml file of DIR/cases, parsed, in file-name order. */
static int load_all(const char *spec, struct loaded **out, size_t *n)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], why[512];
	if ((size_t)snprintf(dir, sizeof(dir), "%s/cases", spec) >= sizeof(dir)) {
		fprintf(stderr, "dumpcheck: %s: path too long\n", spec);
		return EXIT_USAGE;
	}
	DIR *d = opendir(dir);
	struct dirent *de;
	*out = calloc(MAX_CASE_FILES, sizeof(struct loaded));
	*n = 0;
	if (!d || !*out) {
		fprintf(stderr, "dumpcheck: %s: %s\n", dir, d ? "out of memory" : strerror(errno));
		if (d)
			closedir(d);
		return EXIT_USAGE;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".toml") != 0 ||
		    len >= sizeof((*out)->name) || *n == MAX_CASE_FILES)
			continue;
		snprintf((*out)[(*n)++].name, sizeof((*out)->name), "%s", de->d_name);
	}
	closedir(d);
	qsort(*out, *n, sizeof(struct loaded), cmp_loaded);
	for (size_t i = 0; i < *n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, (*out)[i].name);
		if (dc_cases_load(path, &(*out)[i].set, why, sizeof(why)) != DC_OK) {
			fprintf(stderr, "dumpcheck: %s\n", why);
			return EXIT_USAGE;
		}
	}
	return EXIT_CONFORMANT;
}

/* Case file names are unique across files too (one output file each). */
static int check_unique(const struct loaded *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < l[i].set.ncases; k++)
			for (size_t j = 0; j <= i; j++)
				for (size_t m = 0; m < (j == i ? k : l[j].set.ncases); m++)
					if (strcmp(l[i].set.cases[k].file_name, l[j].set.cases[m].file_name) == 0) {
						fprintf(stderr, "dumpcheck: %s: case '%s': %s is also case '%s' of %s\n",
							l[i].set.cases[k].source, l[i].set.cases[k].id,
							l[i].set.cases[k].file_name, l[j].set.cases[m].id,
							l[j].set.cases[m].source);
						return EXIT_USAGE;
					}
	return EXIT_CONFORMANT;
}

static bool has_suffix(const char *name, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len > n && strcmp(name + len - n, suffix) == 0;
}

/* Remove OUT's own earlier output: [yni]_*.dmp (and, `traces`, [yni]_*.jsonl). */
static void remove_stale(const char *out, bool traces)
{
	char path[PATH_MAX + 300];
	DIR *d = opendir(out);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len > 6 && strchr("yni", de->d_name[0]) && de->d_name[1] == '_' &&
		    (has_suffix(de->d_name, len, ".dmp") || (traces && has_suffix(de->d_name, len, ".jsonl")))) {
			snprintf(path, sizeof(path), "%s/%s", out, de->d_name);
			unlink(path);
		}
	}
	if (d)
		closedir(d);
}

/* ---------------------------------------------------------------- manifest */

static void json_str(FILE *f, const char *s)
{
	dc_json_string(f, s, strlen(s));
}

static void json_rules(FILE *f, const char *key, const uint16_t *rules, size_t n)
{
	fprintf(f, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		json_str(f, dc_rule_descs[rules[i]].id);
	}
	fputc(']', f);
}

static void json_limits(FILE *f, const struct dc_limits *l)
{
	fprintf(f, ",\"limits\":{\"max_streams\":%u,\"max_entries\":%llu,\"max_string_bytes\":%llu,"
		   "\"max_alloc\":%llu,\"max_work\":%llu,\"max_diags\":%u,\"max_per_rule\":%u}",
		l->max_streams, (unsigned long long)l->max_entries, (unsigned long long)l->max_string_bytes,
		(unsigned long long)l->max_alloc, (unsigned long long)l->max_work, l->max_diags, l->max_per_rule);
}

/* "file" (the dump) and "trace" of a case, relative to OUT_DIR: a dcb case
 * has a trace only. */
static void json_files(FILE *f, const struct dc_case *c)
{
	char buf[320];
	if (c->kind == DC_CASE_DUMP) {
		fputs(",\"file\":", f);
		json_str(f, c->file_name);
		return;
	}
	if (c->kind == DC_CASE_KDUMP) {
		snprintf(buf, sizeof(buf), KDUMP_DIR "/%s", c->file_name);
		fputs(",\"file\":", f);
		json_str(f, buf);
		return;
	}
	if (c->kind == DC_CASE_TRACE || c->kind == DC_CASE_FILTER) {
		snprintf(buf, sizeof(buf), "%s/%s", c->kind == DC_CASE_TRACE ? TRACE_DIR : FILTER_DIR, c->file_name);
		fputs(",\"file\":", f);
		json_str(f, buf);
	}
	snprintf(buf, sizeof(buf), "%s/%s",
		 c->kind == DC_CASE_TRACE ? TRACE_DIR : c->kind == DC_CASE_FILTER ? FILTER_DIR : DCB_DIR, c->trace_name);
	fputs(",\"trace\":", f);
	json_str(f, buf);
}

/* "source": the case file, line, and the scenario (dcb: scenario null and
 * the script). */
static void json_source(FILE *f, const struct dc_case *c, const char *case_file)
{
	char buf[320];
	snprintf(buf, sizeof(buf), "spec/cases/%s", case_file);
	fputs(",\"source\":{\"case_file\":", f);
	json_str(f, buf);
	fprintf(f, ",\"line\":%u,\"scenario\":", c->line);
	if (c->base && c->kind != DC_CASE_DCB) {
		snprintf(buf, sizeof(buf), "spec/%s/%s",
			 c->kind == DC_CASE_KDUMP    ? "kdump-scenarios"
			 : c->kind == DC_CASE_FILTER ? "filter-scenarios"
						     : "scenarios",
			 c->base);
		json_str(f, buf);
	} else {
		fputs("null", f);
	}
	if (c->kind == DC_CASE_DCB) {
		snprintf(buf, sizeof(buf), "spec/dcb-scripts/%s", c->base);
		fputs(",\"script\":", f);
		json_str(f, buf);
	}
	if (c->has_dump_type)
		fprintf(f, ",\"dump_type\":\"0x%llX\"", (unsigned long long)c->dump_type);
	fputc('}', f);
}

static void json_case(FILE *f, const struct dc_case *c, const char *case_file, uint64_t size, bool first)
{
	static const char *const kinds[] = { "dump", "trace", "dcb", "kdump", "filter" }; /* enum dc_case_kind */
	fputs(first ? "\n    {\"id\":" : ",\n    {\"id\":", f);
	json_str(f, c->id);
	json_files(f, c);
	fprintf(f, ",\"verdict\":\"%c\",\"kind\":\"%s\",\"description\":", c->verdict, kinds[c->kind]);
	json_str(f, c->description);
	json_rules(f, "fires", c->fires, c->nfires);
	json_rules(f, "quiet", c->quiet, c->nquiet);
	json_source(f, c, case_file);
	if (c->has_limits)
		json_limits(f, &c->limits);
	if (c->exact)
		fputs(",\"exact\":true", f);
	fprintf(f, ",\"size\":%llu", (unsigned long long)size);
	fputc('}', f);
}

/* ---------------------------------------------------------------- cases */

static int write_file(const char *out, const char *name, const struct dc_buf *b)
{
	char path[PATH_MAX + 300];
	snprintf(path, sizeof(path), "%s/%s", out, name);
	FILE *f = fopen(path, "wb");
	bool ok = f && (b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len);
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "dumpcheck: %s: %s\n", path, strerror(errno));
	return ok ? EXIT_CONFORMANT : EXIT_USAGE;
}

/* Validate `b` under the case's limits; true when its expectation holds. */
static bool verify(const struct dc_case *c, const struct dc_buf *b)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	char why[1024];
	dc_validate_opts_default(&opts);
	opts.limits = c->limits;
	memset(&d, 0, sizeof(d));
	bool ok = dc_minidump_validate(b->data, b->len, &opts, NULL, &d) == DC_OK &&
		  dc_case_check(c, &d, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "dumpcheck: corpus: %s (%s:%u): %s\n", c->file_name, c->source, c->line,
			why[0] ? why : "out of memory");
	dc_diags_free(&d);
	return ok;
}

/* Check trace case `c` with the trace checker; true when its expectation holds. */
static bool verify_trace(const struct dc_case *c, const struct dc_buf *dump, const struct dc_buf *trace)
{
	struct dc_trace t;
	struct dc_trace_findings f;
	char why[1024];
	memset(&f, 0, sizeof(f));
	enum dc_err err = dc_trace_load((const char *)trace->data, trace->len, NULL, &t, why, sizeof(why));
	bool ok = err == DC_OK && dc_trace_check(&t, dump->data, dump->len, NULL, &f) == DC_OK &&
		  dc_case_check_trace(c, &f.trace, &f.dump, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "dumpcheck: corpus: " TRACE_DIR "/%s (%s:%u): %s\n", c->trace_name, c->source,
			c->line, why[0] ? why : "out of memory");
	if (err == DC_OK)
		dc_trace_free(&t);
	dc_trace_findings_free(&f);
	return ok;
}

/* Check dcb case `c` with the dcb checker; true when its expectation holds. */
static bool verify_dcb(const struct dc_case *c, const struct dc_buf *trace)
{
	struct dc_dcb_trace t;
	struct dc_diags d;
	char why[1024];
	memset(&d, 0, sizeof(d));
	enum dc_err err = dc_dcb_trace_load((const char *)trace->data, trace->len, NULL, &t, why, sizeof(why));
	bool ok = err == DC_OK && dc_dcb_check(&t, &d, NULL) == DC_OK && dc_case_check(c, &d, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "dumpcheck: corpus: " DCB_DIR "/%s (%s:%u): %s\n", c->trace_name, c->source, c->line,
			why[0] ? why : "out of memory");
	if (err == DC_OK)
		dc_dcb_trace_free(&t);
	dc_diags_free(&d);
	return ok;
}

struct tally {
	size_t written, traces, dcbs, kdumps, filters, failed, per_verdict[3];
};

/* Check filter case `c` with the filter checker (the image when the read
 * path delivered one); true when its expectation holds. */
static bool verify_filter(const struct dc_case *c, const struct dc_buf *trace, const struct dc_buf *image)
{
	struct dc_filter_trace t;
	struct dc_diags d;
	char why[1024];
	memset(&d, 0, sizeof(d));
	enum dc_err err = dc_filter_trace_load((const char *)trace->data, trace->len, NULL, &t, why, sizeof(why));
	bool ok = err == DC_OK && dc_filter_check(&t, image->len ? image->data : NULL, image->len, &d, NULL) == DC_OK &&
		  dc_case_check(c, &d, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "dumpcheck: corpus: " FILTER_DIR "/%s (%s:%u): %s\n", c->trace_name, c->source,
			c->line, why[0] ? why : "out of memory");
	if (err == DC_OK)
		dc_filter_trace_free(&t);
	dc_diags_free(&d);
	return ok;
}

/* Build, write (and verify) filter case `c`; `b` gets the trace (its size is
 * the manifest's). */
static int one_filter_case(const struct corpus_args *a, const char *fscen, const struct dc_case *c,
			   struct dc_buf *b, struct tally *t)
{
	char why[768], name[300];
	struct dc_buf image = { 0 };
	if (dc_case_build_filter(c, fscen, b, &image, why, sizeof(why)) != DC_OK) {
		fprintf(stderr, "dumpcheck: %s\n", why);
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), FILTER_DIR "/%s", c->trace_name);
	int status = write_file(a->out, name, b);
	snprintf(name, sizeof(name), FILTER_DIR "/%s", c->file_name);
	if (status == EXIT_CONFORMANT)
		status = write_file(a->out, name, &image);
	if (status == EXIT_CONFORMANT && a->verify && !verify_filter(c, b, &image))
		t->failed++;
	dc_buf_free(&image);
	t->filters++;
	return status;
}

/* Validate kdump case `c`'s file with the kernel-dump validator under the
 * case's limits; true when its expectation holds. */
static bool verify_kdump(const struct dc_case *c, const struct dc_buf *b)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	char why[1024] = "";
	dc_validate_opts_default(&opts);
	opts.limits = c->limits;
	memset(&d, 0, sizeof(d));
	bool ok = dc_kdump_validate(b->data, b->len, &opts, &d) == DC_OK && dc_case_check(c, &d, why, sizeof(why));
	if (!ok)
		fprintf(stderr, "dumpcheck: corpus: " KDUMP_DIR "/%s (%s:%u): %s\n", c->file_name, c->source, c->line,
			why[0] ? why : "out of memory");
	dc_diags_free(&d);
	return ok;
}

/* Build, write (and verify) kdump case `c`; `b` gets the file. */
static int one_kdump_case(const struct corpus_args *a, const char *kscen, const struct dc_case *c,
			  struct dc_buf *b, struct tally *t)
{
	char why[768], name[300];
	if (dc_case_build_kdump(c, kscen, b, why, sizeof(why)) != DC_OK) {
		fprintf(stderr, "dumpcheck: %s\n", why);
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), KDUMP_DIR "/%s", c->file_name);
	int status = write_file(a->out, name, b);
	if (status == EXIT_CONFORMANT && a->verify && !verify_kdump(c, b))
		t->failed++;
	t->kdumps++;
	return status;
}

/* Build, write (and verify) dcb case `c`; `b` gets the trace (its size is
 * the manifest's). */
static int one_dcb_case(const struct corpus_args *a, const char *scripts, const struct dc_case *c,
			struct dc_buf *b, struct tally *t)
{
	char why[768], name[300];
	if (dc_case_build_dcb(c, scripts, b, why, sizeof(why)) != DC_OK) {
		fprintf(stderr, "dumpcheck: %s\n", why);
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), DCB_DIR "/%s", c->trace_name);
	int status = write_file(a->out, name, b);
	if (status == EXIT_CONFORMANT && a->verify && !verify_dcb(c, b))
		t->failed++;
	t->dcbs++;
	return status;
}

/* Build, write (and verify) one case; `b` gets the dump. */
static int one_case(const struct corpus_args *a, const char *scen, const struct dc_case *c, struct dc_buf *b,
		    struct tally *t)
{
	char why[768], name[300];
	struct dc_buf trace = { 0 };
	bool is_trace = c->kind == DC_CASE_TRACE;
	enum dc_err err = is_trace ? dc_case_build_trace(c, scen, b, &trace, why, sizeof(why))
				   : dc_case_build(c, scen, b, why, sizeof(why));
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s\n", why);
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "%s%s", is_trace ? TRACE_DIR "/" : "", c->file_name);
	int status = write_file(a->out, name, b);
	if (status == EXIT_CONFORMANT && is_trace) {
		snprintf(name, sizeof(name), TRACE_DIR "/%s", c->trace_name);
		status = write_file(a->out, name, &trace);
	}
	if (status == EXIT_CONFORMANT && a->verify && !(is_trace ? verify_trace(c, b, &trace) : verify(c, b)))
		t->failed++;
	dc_buf_free(&trace);
	t->traces += is_trace;
	return status;
}

static int run_cases(const struct corpus_args *a, const char *spec, const struct loaded *l, size_t n,
		     FILE *manifest, struct tally *t)
{
	char scen[PATH_MAX + 16], scripts[PATH_MAX + 16], kscen[PATH_MAX + 24], fscen[PATH_MAX + 24];
	bool first = true;
	snprintf(scen, sizeof(scen), "%s/scenarios", spec);
	snprintf(kscen, sizeof(kscen), "%s/kdump-scenarios", spec);
	snprintf(scripts, sizeof(scripts), "%s/dcb-scripts", spec);
	snprintf(fscen, sizeof(fscen), "%s/filter-scenarios", spec);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < l[i].set.ncases; k++) {
			const struct dc_case *c = &l[i].set.cases[k];
			struct dc_buf b = { 0 };
			int status = c->kind == DC_CASE_DCB     ? one_dcb_case(a, scripts, c, &b, t)
				     : c->kind == DC_CASE_KDUMP ? one_kdump_case(a, kscen, c, &b, t)
				     : c->kind == DC_CASE_FILTER ? one_filter_case(a, fscen, c, &b, t)
								: one_case(a, scen, c, &b, t);
			if (status == EXIT_CONFORMANT)
				json_case(manifest, c, l[i].name, b.len, first);
			first = false;
			dc_buf_free(&b);
			if (status != EXIT_CONFORMANT)
				return status;
			t->written++;
			t->per_verdict[c->verdict == 'y' ? 0 : c->verdict == 'n' ? 1 : 2]++;
		}
	return EXIT_CONFORMANT;
}

static int parse_args(int argc, char **argv, struct corpus_args *a)
{
	const struct cli_opt opts[] = { { "--spec", &a->spec, NULL }, { "--verify", NULL, &a->verify },
					{ NULL, NULL, NULL } };
	int n;
	int rc = cli_parse(argc, argv, usage_corpus, opts, &a->out, 1, &n);
	return rc || n ? rc : usage_error(usage_corpus, "%s", "no OUT_DIR given");
}

/* OUT_DIR and its case folders. */
static int make_dirs(const char *out)
{
	char path[PATH_MAX + 32];
	const char *const sub[] = { "", "/" TRACE_DIR, "/" DCB_DIR, "/" KDUMP_DIR, "/" FILTER_DIR };
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", out, sub[i]);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "dumpcheck: %s: %s\n", path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	return EXIT_CONFORMANT;
}

static int materialise(const struct corpus_args *a, const char *spec, const struct loaded *l, size_t n)
{
	char path[PATH_MAX + 32];
	struct tally t = { 0 };
	if (make_dirs(a->out) != EXIT_CONFORMANT)
		return EXIT_USAGE;
	snprintf(path, sizeof(path), "%s/" TRACE_DIR, a->out);
	remove_stale(path, true);
	snprintf(path, sizeof(path), "%s/" DCB_DIR, a->out);
	remove_stale(path, true);
	snprintf(path, sizeof(path), "%s/" KDUMP_DIR, a->out);
	remove_stale(path, false);
	snprintf(path, sizeof(path), "%s/" FILTER_DIR, a->out);
	remove_stale(path, true);
	remove_stale(a->out, false);
	snprintf(path, sizeof(path), "%s/manifest.json", a->out);
	FILE *m = fopen(path, "w");
	if (!m) {
		fprintf(stderr, "dumpcheck: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	fprintf(m, "{\n  \"schema\": \"dumpcheck-corpus\",\n  \"version\": %d,\n  \"tool\": {\"name\": "
		   "\"dumpcheck\", \"version\": \"%s\"},\n  \"cases\": [",
		CORPUS_SCHEMA_VERSION, DC_VERSION);
	int status = run_cases(a, spec, l, n, m, &t);
	fputs("\n  ],\n  \"skipped\": []\n}\n", m); /* kept for version 1 readers: nothing is skipped now */
	if (fclose(m) != 0 && status == EXIT_CONFORMANT) {
		fprintf(stderr, "dumpcheck: %s: %s\n", path, strerror(errno));
		status = EXIT_USAGE;
	}
	if (status != EXIT_CONFORMANT)
		return status;
	printf("dumpcheck corpus: %zu cases in %s (%zu y, %zu n, %zu i), %zu of them trace cases in %s/" TRACE_DIR
	       ", %zu dcb cases in %s/" DCB_DIR "\n",
	       t.written, a->out, t.per_verdict[0], t.per_verdict[1], t.per_verdict[2], t.traces, a->out, t.dcbs,
	       a->out);
	printf("dumpcheck corpus: %zu kernel dump cases in %s/" KDUMP_DIR "\n", t.kdumps, a->out);
	printf("dumpcheck corpus: %zu filter-stack cases in %s/" FILTER_DIR "\n", t.filters, a->out);
	if (a->verify)
		printf("dumpcheck corpus: verified: %zu of %zu cases hold\n", t.written - t.failed, t.written);
	return t.failed ? EXIT_NONCONFORMANT : EXIT_CONFORMANT;
}

int cmd_corpus(int argc, char **argv)
{
	struct corpus_args a = { 0 };
	char spec[PATH_MAX];
	struct loaded *l = NULL;
	size_t n = 0;
	int status = parse_args(argc, argv, &a);
	if (status)
		return status < 0 ? EXIT_CONFORMANT : status;
	if (!find_spec(a.spec, spec, sizeof(spec))) {
		fprintf(stderr, "dumpcheck: cannot find the spec folder (no ./spec/cases, none next to the "
				"binary): give --spec DIR\n");
		return EXIT_USAGE;
	}
	status = load_all(spec, &l, &n);
	if (status == EXIT_CONFORMANT)
		status = check_unique(l, n);
	if (status == EXIT_CONFORMANT)
		status = materialise(&a, spec, l, n);
	for (size_t i = 0; l && i < n; i++)
		dc_cases_free(&l[i].set);
	free(l);
	return status;
}
