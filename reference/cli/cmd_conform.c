/* dumpcheck conform --writer ADAPTER: every scenario of spec/scenarios run
 * through a writer adapter (a TOML file naming a command; README "Writer
 * adapters"), each run checked: the trace against the protocol rules, the
 * dump against the validator and the trace-versus-dump rules. Writes
 * OUT/<adapter>/<scenario>.{dmp,jsonl,log} and OUT/<adapter>/result.json
 * (schema dumpcheck-conform-writer). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dumpcheck/scenario.h"
#include "dumpcheck/toml.h"
#include "dumpcheck/tracecheck.h"

#define EXIT_CRASH 3
#define MAX_ARGS 64
#define DEFAULT_TIMEOUT 60

const char *const usage_conform =
	"usage: dumpcheck conform --writer ADAPTER [--scenarios DIR] [--out DIR]\n"
	"                         [--root DIR] [--format text|json|junit|tap|sarif] [-o FILE]\n"
	"\n"
	"Runs every scenario (*.toml in DIR, default ROOT/spec/scenarios) through the\n"
	"writer adapter ADAPTER (a name in ROOT/adapters/writers/, or a path to a\n"
	"TOML file; format in README), then checks each run: the trace against the\n"
	"cb.* protocol rules, the dump against the validator and the cross rules.\n"
	"Writes OUT/<adapter>/<scenario>.{dmp,jsonl,log} and OUT/<adapter>/result.json\n"
	"(default OUT build/conform/writers). ROOT defaults to the source tree the\n"
	"dumpcheck binary was built in, else the current directory.\n"
	"\n"
	"exit codes: 0 no MUST or SHOULD finding (or the adapter is not available\n"
	"here: \"n.a.\"), 1 a MUST or SHOULD rule fired, 2 usage or adapter error,\n"
	"3 the writer crashed or timed out in some run\n";

struct adapter {
	char *name, *description, *path;
	char **command; /* NULL-terminated */
	size_t ncommand;
	char **requires;
	size_t nrequires;
	int64_t timeout;
};

struct run {
	char *scenario;     /* the scenario's name */
	char *file;         /* its path */
	char *expect_json;  /* its [expect] table as JSON */
	const char *status; /* returned-true, returned-false, error, crash, timeout, n.a. */
	int exit_code;
	char error[256];    /* why the run or its check failed, "" when nothing did */
	char *dump, *trace, *implementation;
	struct dc_file_result res[2];
	bool checked;
};

struct opts {
	const char *writer, *scenarios, *out, *root, *outfile;
	int fmt;
	char root_buf[PATH_MAX], self[PATH_MAX];
};

/* ---------------------------------------------------------------- small helpers */

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *dupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static int mkdirs(const char *path)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* An executable on PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* The source tree: two levels above build/<variant>/dumpcheck when that
 * holds spec/, else the current directory. */
static void find_root(struct opts *o)
{
	ssize_t n = readlink("/proc/self/exe", o->self, sizeof(o->self) - 1);
	o->self[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(o->self, sizeof(o->self), "dumpcheck");
	if (o->root)
		return;
	snprintf(o->root_buf, sizeof(o->root_buf), "%s", o->self);
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(o->root_buf, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	char spec[PATH_MAX];
	if (snprintf(spec, sizeof(spec), "%s/spec/scenarios", o->root_buf) < (int)sizeof(spec) &&
	    exists(spec))
		o->root = o->root_buf;
	else
		o->root = ".";
}

/* ---------------------------------------------------------------- the adapter */

static char **string_array(const struct dc_toml_value *v, size_t *n)
{
	*n = dc_toml_len(v);
	char **a = calloc(*n + 1, sizeof(*a));
	for (size_t i = 0; a && i < *n; i++) {
		const char *s;
		if (!dc_toml_str(dc_toml_at(v, i), &s, NULL) || !(a[i] = strdup(s))) {
			for (size_t k = 0; k < i; k++)
				free(a[k]);
			free(a);
			return NULL;
		}
	}
	return a;
}

static void adapter_free(struct adapter *a)
{
	for (size_t i = 0; a->command && i < a->ncommand; i++)
		free(a->command[i]);
	for (size_t i = 0; a->requires && i < a->nrequires; i++)
		free(a->requires[i]);
	free(a->command);
	free(a->requires);
	free(a->name);
	free(a->description);
	free(a->path);
}

static int adapter_parse(struct adapter *a, const char *text, size_t len, char *why, size_t wl)
{
	struct dc_toml *doc;
	struct dc_toml_error te;
	const char *s;
	if (dc_toml_parse(text, len, NULL, &doc, &te) != DC_OK) {
		snprintf(why, wl, "%s", te.message);
		return -1;
	}
	const struct dc_toml_value *root = dc_toml_root(doc), *cmd = dc_toml_get(root, "command");
	const struct dc_toml_value *req = dc_toml_get(root, "requires");
	int rc = 0;
	if (!dc_toml_str(dc_toml_get(root, "name"), &s, NULL) || !(a->name = strdup(s)))
		snprintf(why, wl, "name: a string is required"), rc = -1;
	else if (dc_toml_type_of(cmd) != DC_TOML_ARRAY || !dc_toml_len(cmd) ||
		 dc_toml_len(cmd) > MAX_ARGS || !(a->command = string_array(cmd, &a->ncommand)))
		snprintf(why, wl, "command: an array of 1 to %d strings is required", MAX_ARGS), rc = -1;
	else if (req && (dc_toml_type_of(req) != DC_TOML_ARRAY ||
			 !(a->requires = string_array(req, &a->nrequires))))
		snprintf(why, wl, "requires: an array of strings expected"), rc = -1;
	a->timeout = DEFAULT_TIMEOUT;
	const struct dc_toml_value *to = dc_toml_get(root, "timeout");
	if (rc == 0 && to && (!dc_toml_int(to, &a->timeout) || a->timeout <= 0 || a->timeout > 86400))
		snprintf(why, wl, "timeout: seconds from 1 to 86400 expected"), rc = -1;
	if (rc == 0 && dc_toml_str(dc_toml_get(root, "description"), &s, NULL))
		a->description = strdup(s);
	dc_toml_free(doc);
	return rc;
}

/* --writer NAME (ROOT/adapters/writers/NAME.toml) or a path. */
static int adapter_load(const struct opts *o, struct adapter *a, char *why, size_t wl)
{
	memset(a, 0, sizeof(*a));
	bool is_path = strchr(o->writer, '/') || strstr(o->writer, ".toml");
	a->path = is_path ? strdup(o->writer) : dupf("%s/adapters/writers/%s.toml", o->root, o->writer);
	struct dc_file f;
	if (!a->path || dc_file_open(&f, a->path, 1u << 20) != DC_OK) {
		snprintf(why, wl, "%s: cannot read the adapter (%s)", a->path ? a->path : o->writer,
			 strerror(errno));
		return -1;
	}
	char sub[200];
	int rc = adapter_parse(a, (const char *)f.data, f.size, sub, sizeof(sub));
	if (rc != 0)
		snprintf(why, wl, "%s: %s", a->path, sub);
	dc_file_close(&f);
	return rc;
}

/* ---------------------------------------------------------------- placeholders */

struct vars {
	const char *scenario, *dump, *trace, *dump_type, *dumpcheck, *root;
};

static const char *var(const struct vars *v, const char *name, size_t n)
{
	static const char *const names[] = { "scenario", "dump", "trace", "dump_type", "dumpcheck", "root" };
	const char *vals[] = { v->scenario, v->dump, v->trace, v->dump_type, v->dumpcheck, v->root };
	for (size_t i = 0; i < 6; i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return vals[i];
	return NULL;
}

/* `s` with every {placeholder} replaced; NULL (and `why`) on an unknown one. */
static char *expand(const char *s, const struct vars *v, char *why, size_t wl)
{
	size_t cap = strlen(s) + 1, n = 0;
	char *out = malloc(cap);
	while (out && *s) {
		const char *close = *s == '{' ? strchr(s, '}') : NULL;
		const char *val = close ? var(v, s + 1, (size_t)(close - s - 1)) : NULL;
		if (close && !val) {
			snprintf(why, wl, "unknown placeholder %.*s", (int)(close - s + 1), s);
			free(out);
			return NULL;
		}
		const char *piece = val ? val : s;
		size_t len = val ? strlen(val) : 1;
		if (n + len + 1 > cap) {
			char *p = realloc(out, cap = (n + len + 1) * 2);
			if (!p) {
				free(out);
				return NULL;
			}
			out = p;
		}
		memcpy(out + n, piece, len);
		n += len;
		s = val ? close + 1 : s + 1;
	}
	if (out)
		out[n] = '\0';
	return out;
}

/* The first `requires` entry that is missing (a path, relative to ROOT,
 * when it has a '/'; else an executable on PATH), or NULL. */
static char *missing_requirement(const struct adapter *a, const struct vars *v)
{
	char why[128];
	for (size_t i = 0; i < a->nrequires; i++) {
		char *r = expand(a->requires[i], v, why, sizeof(why));
		if (!r)
			return strdup(a->requires[i]);
		char *full = strchr(r, '/') && r[0] != '/' ? dupf("%s/%s", v->root, r) : NULL;
		bool ok = strchr(r, '/') ? exists(full ? full : r) : on_path(r);
		free(full);
		if (!ok)
			return r;
		free(r);
	}
	return NULL;
}

/* ---------------------------------------------------------------- one run */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run argv with stdout and stderr into `log`; the exit code, or -1 after a
 * timeout (the process group is killed), or 128 + signal. */
static int spawn(char **argv, const char *log, int64_t timeout, char *why, size_t wl)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	pid_t pid = fd < 0 ? -1 : fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		fprintf(stderr, "dumpcheck conform: %s: %s\n", argv[0], strerror(errno));
		_exit(2);
	}
	if (fd >= 0)
		close(fd);
	if (pid < 0) {
		snprintf(why, wl, "cannot run %s: %s", argv[0], strerror(errno));
		return 2;
	}
	setpgid(pid, pid);
	double deadline = now() + (double)timeout;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 2;
		if (now() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static const char *status_of(int code)
{
	switch (code) {
	case -1: return "timeout";
	case 0: return "returned-true";
	case 1: return "returned-false";
	case 3: return "crash";
	default: return code > 128 ? "crash" : "error";
	}
}

static char *hex_dump_type(const char *file)
{
	struct dc_scenario sc;
	char why[256];
	if (dc_scenario_load(file, 0, &sc, why, sizeof(why)) != DC_OK)
		return NULL;
	char *s = dupf("0x%" PRIx64, sc.request.dump_type);
	dc_scenario_free(&sc);
	return s;
}

static void run_one(const struct opts *o, const struct adapter *a, const char *dir, struct run *r)
{
	char *log = dupf("%s/%s.log", dir, r->scenario), *dt = hex_dump_type(r->file);
	struct vars v = { r->file, r->dump, r->trace, dt ? dt : "0x0", o->self, o->root };
	char *argv[MAX_ARGS + 1] = { 0 };
	int code = 2;
	unlink(r->dump);
	unlink(r->trace);
	for (size_t i = 0; i < a->ncommand; i++)
		if (!(argv[i] = expand(a->command[i], &v, r->error, sizeof(r->error))))
			goto out;
	if (!dt)
		snprintf(r->error, sizeof(r->error), "the scenario does not load");
	else if (log)
		code = spawn(argv, log, a->timeout, r->error, sizeof(r->error));
	if (code == 2 && !r->error[0])
		snprintf(r->error, sizeof(r->error), "the adapter reported a usage or input error (see %s)",
			 log);
out:
	r->exit_code = code;
	r->status = status_of(code);
	for (size_t i = 0; i < a->ncommand; i++)
		free(argv[i]);
	free(log);
	free(dt);
}

/* Check the run's trace (and dump) when the adapter left one. */
static void check_one(struct run *r)
{
	char why[256];
	struct stat st;
	if (stat(r->trace, &st) != 0 || st.st_size == 0) {
		if (!r->error[0] && strcmp(r->status, "error") != 0)
			snprintf(r->error, sizeof(r->error), "no trace was written");
		return;
	}
	enum dc_err err = cli_check_trace(r->trace, exists(r->dump) ? r->dump : NULL, true, r->res,
					  why, sizeof(why));
	r->checked = err == DC_OK;
	if (err != DC_OK && !r->error[0])
		snprintf(r->error, sizeof(r->error), "trace check: %.200s", why);
	if (!r->res[1].path)
		r->res[1].path = r->dump;
}


/* The implementation the trace names, or NULL. */
static char *trace_implementation(const char *path)
{
	struct dc_file f;
	struct dc_trace t;
	char *impl = NULL;
	if (dc_file_open(&f, path, MAX_COPY) != DC_OK)
		return NULL;
	if (dc_trace_load((const char *)f.data, f.size, NULL, &t, NULL, 0) == DC_OK) {
		impl = t.implementation ? strdup(t.implementation) : NULL;
		dc_trace_free(&t);
	}
	dc_file_close(&f);
	return impl;
}

/* ---------------------------------------------------------------- scenarios */

static void toml_json(FILE *out, const struct dc_toml_value *v)
{
	const char *s;
	size_t n;
	int64_t i;
	uint64_t u;
	bool b;
	switch (dc_toml_type_of(v)) {
	case DC_TOML_TABLE:
	case DC_TOML_ARRAY: {
		bool table = dc_toml_type_of(v) == DC_TOML_TABLE;
		fputc(table ? '{' : '[', out);
		for (size_t k = 0; k < dc_toml_len(v); k++) {
			fputs(k ? ", " : "", out);
			if (table) {
				dc_json_string(out, dc_toml_key_at(v, k), strlen(dc_toml_key_at(v, k)));
				fputs(": ", out);
			}
			toml_json(out, dc_toml_at(v, k));
		}
		fputc(table ? '}' : ']', out);
		break;
	}
	case DC_TOML_STRING:
		dc_toml_str(v, &s, &n);
		dc_json_string(out, s, n);
		break;
	case DC_TOML_INT:
		if (dc_toml_int(v, &i))
			fprintf(out, "%" PRId64, i);
		else if (dc_toml_u64(v, &u))
			fprintf(out, "%" PRIu64, u);
		break;
	case DC_TOML_BOOL:
		dc_toml_bool(v, &b);
		fputs(b ? "true" : "false", out);
		break;
	default:
		fputs("null", out);
	}
}

/* The scenario's name (else the file stem) and its [expect] table as JSON. */
static int scenario_info(struct run *r, const char *stem)
{
	struct dc_file f;
	struct dc_toml *doc = NULL;
	const char *name = NULL;
	char *buf = NULL;
	size_t len = 0;
	if (dc_file_open(&f, r->file, 1u << 24) == DC_OK) {
		dc_toml_parse((const char *)f.data, f.size, NULL, &doc, NULL);
		dc_file_close(&f);
	}
	const struct dc_toml_value *root = dc_toml_root(doc), *expect = dc_toml_get(root, "expect");
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		dc_toml_free(doc);
		return -1;
	}
	if (expect)
		toml_json(m, expect);
	else
		fputs("{}", m);
	fclose(m);
	r->expect_json = buf;
	r->scenario = dc_toml_str(dc_toml_get(root, "name"), &name, NULL) ? strdup(name) : strdup(stem);
	dc_toml_free(doc);
	return r->scenario ? 0 : -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.toml of `dir`, sorted. */
static char **list_scenarios(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".toml") != 0 || e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			char **p = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));
			if (!p)
				break;
			v = p;
		}
		v[(*n)++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), name_cmp);
	return d ? v : NULL;
}

/* ---------------------------------------------------------------- reports */

static void json_finding(FILE *out, const struct dc_diag *g, const char *source, bool first)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[g->rule];
	fputs(first ? "\n        {\"rule\": " : ",\n        {\"rule\": ", out);
	dc_json_string(out, rd->id, strlen(rd->id));
	fprintf(out, ", \"level\": \"%s\", \"phase\": \"%s\", \"impl\": %s, \"source\": \"%s\", "
		     "\"offset\": %" PRIu64 ", \"detail\": ",
		dc_level_name((enum dc_level)rd->level), dc_phase_name((enum dc_phase)rd->phase),
		rd->impl ? "true" : "false", source, g->offset);
	dc_json_string(out, g->detail, strnlen(g->detail, sizeof(g->detail)));
	fputc('}', out);
}

static void json_str_or_null(FILE *out, const char *s)
{
	if (s)
		dc_json_string(out, s, strlen(s));
	else
		fputs("null", out);
}

static void json_run(FILE *out, const struct run *r, bool first)
{
	static const char *const sources[2] = { "trace", "dump" };
	fputs(first ? "\n    {\"scenario\": " : ",\n    {\"scenario\": ", out);
	json_str_or_null(out, r->scenario);
	fprintf(out, ", \"status\": \"%s\", \"exit_code\": %d, \"expect\": %s,\n     \"dump\": ",
		r->status, r->exit_code, r->expect_json ? r->expect_json : "{}");
	json_str_or_null(out, exists(r->dump) ? r->dump : NULL);
	fputs(", \"trace\": ", out);
	json_str_or_null(out, exists(r->trace) ? r->trace : NULL);
	fputs(", \"implementation\": ", out);
	json_str_or_null(out, r->implementation);
	fputs(", \"error\": ", out);
	json_str_or_null(out, r->error[0] ? r->error : NULL);
	fputs(",\n     \"findings\": [", out);
	bool none = true;
	for (int s = 0; s < 2 && r->checked; s++)
		for (size_t i = 0; i < r->res[s].diags.count; i++) {
			json_finding(out, &r->res[s].diags.items[i], sources[s], none);
			none = false;
		}
	fputs(none ? "]}" : "\n     ]}", out);
}

static void write_json(FILE *out, const struct adapter *a, const struct run *runs, size_t n,
		       const char *missing)
{
	const char *impl = NULL;
	for (size_t i = 0; i < n && !impl; i++)
		impl = runs[i].implementation;
	fprintf(out, "{\n  \"schema\": \"dumpcheck-conform-writer\",\n  \"version\": 1,\n"
		     "  \"tool\": {\"name\": \"dumpcheck\", \"version\": \"%s\"},\n  \"implementation\": ",
		DC_VERSION);
	json_str_or_null(out, impl);
	fputs(",\n  \"adapter\": ", out);
	json_str_or_null(out, a->name);
	fputs(",\n  \"description\": ", out);
	json_str_or_null(out, a->description);
	fprintf(out, ",\n  \"available\": %s,\n  \"missing\": ", missing ? "false" : "true");
	json_str_or_null(out, missing);
	fputs(",\n  \"runs\": [", out);
	for (size_t i = 0; i < n; i++)
		json_run(out, &runs[i], i == 0);
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* Text, JUnit, TAP, SARIF: the usual report over two results per checked run. */
static enum dc_err write_report(FILE *out, int fmt, const struct run *runs, size_t n)
{
	struct dc_file_result *res = calloc(2 * n + 1, sizeof(*res));
	size_t k = 0;
	if (!res)
		return DC_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!runs[i].checked)
			continue;
		res[k++] = runs[i].res[0];
		if (runs[i].res[1].path && exists(runs[i].res[1].path))
			res[k++] = runs[i].res[1];
	}
	enum dc_err err = dc_report_write(out, (enum dc_report_format)fmt, res, k);
	free(res);
	return err;
}

/* ---------------------------------------------------------------- driver */

static int parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->fmt = DC_REPORT_TEXT;
	o->out = "build/conform/writers";
	for (int i = 1; i < argc; i++) {
		const char **dst = strcmp(argv[i], "--writer") == 0	 ? &o->writer
				   : strcmp(argv[i], "--scenarios") == 0 ? &o->scenarios
				   : strcmp(argv[i], "--out") == 0	 ? &o->out
				   : strcmp(argv[i], "--root") == 0	 ? &o->root
				   : strcmp(argv[i], "-o") == 0		 ? &o->outfile
									 : NULL;
		if (is_help(argv[i])) {
			fputs(usage_conform, stdout);
			return -1;
		} else if (strcmp(argv[i], "--format") == 0) {
			if (i + 1 >= argc || (o->fmt = dc_report_format_parse(argv[++i])) < 0)
				return usage_error(usage_conform, "%s", "--format needs a known format");
		} else if (dst) {
			if (i + 1 >= argc)
				return usage_error(usage_conform, "%s needs a value", argv[i]);
			*dst = argv[++i];
		} else {
			return usage_error(usage_conform, "unexpected argument '%s'", argv[i]);
		}
	}
	if (!o->writer)
		return usage_error(usage_conform, "%s", "--writer is required");
	find_root(o);
	return 0;
}

static void progress(const struct run *r, size_t i, size_t n)
{
	size_t must = 0, should = 0;
	for (int s = 0; s < 2 && r->checked; s++) {
		must += dc_diags_count_level(&r->res[s].diags, DC_LEVEL_MUST);
		should += dc_diags_count_level(&r->res[s].diags, DC_LEVEL_SHOULD);
	}
	fprintf(stderr, "[%zu/%zu] %s: %s, %zu MUST, %zu SHOULD%s%s\n", i + 1, n, r->scenario,
		r->status, must, should, r->error[0] ? "; " : "", r->error);
}

static int run_all(const struct opts *o, const struct adapter *a, struct run *runs, size_t n,
		   const char *dir, const char *missing)
{
	int status = EXIT_CONFORMANT;
	for (size_t i = 0; i < n; i++) {
		struct run *r = &runs[i];
		if (missing) {
			r->status = "n.a.";
		} else {
			run_one(o, a, dir, r);
			check_one(r);
			r->implementation = trace_implementation(r->trace);
		}
		progress(r, i, n);
		bool fails = r->checked && (cli_fails(&r->res[0].diags) || cli_fails(&r->res[1].diags));
		if (strcmp(r->status, "crash") == 0 || strcmp(r->status, "timeout") == 0)
			status = EXIT_CRASH;
		else if (fails && status == EXIT_CONFORMANT)
			status = EXIT_NONCONFORMANT;
		else if (strcmp(r->status, "error") == 0 && status != EXIT_CRASH)
			status = EXIT_USAGE;
	}
	return status;
}

static int prepare_runs(const struct opts *o, const char *sdir, const char *dir, struct run **out,
			size_t *n)
{
	char **names = list_scenarios(sdir, n);
	if (!names) {
		fprintf(stderr, "dumpcheck: %s: cannot list scenarios\n", sdir);
		return -1;
	}
	struct run *runs = calloc(*n + 1, sizeof(*runs));
	for (size_t i = 0; runs && i < *n; i++) {
		char stem[256];
		snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(names[i]) - 5), names[i]);
		runs[i].file = dupf("%s/%s", sdir, names[i]);
		runs[i].status = "error";
		if (!runs[i].file || scenario_info(&runs[i], stem) != 0)
			continue;
		runs[i].dump = dupf("%s/%s.dmp", dir, runs[i].scenario);
		runs[i].trace = dupf("%s/%s.jsonl", dir, runs[i].scenario);
	}
	for (size_t i = 0; i < *n; i++)
		free(names[i]);
	free(names);
	(void)o;
	*out = runs;
	return runs ? 0 : -1;
}

static void free_runs(struct run *runs, size_t n)
{
	for (size_t i = 0; runs && i < n; i++) {
		free(runs[i].scenario);
		free(runs[i].file);
		free(runs[i].expect_json);
		free(runs[i].dump);
		free(runs[i].trace);
		free(runs[i].implementation);
		dc_diags_free(&runs[i].res[0].diags);
		dc_diags_free(&runs[i].res[1].diags);
	}
	free(runs);
}

static int write_outputs(const struct opts *o, const struct adapter *a, const struct run *runs,
			 size_t n, const char *dir, const char *missing)
{
	char *path = dupf("%s/result.json", dir);
	FILE *rf = path ? fopen(path, "w") : NULL;
	int rc = 0;
	if (rf) {
		write_json(rf, a, runs, n, missing);
		rc |= fclose(rf);
	} else {
		rc = -1;
	}
	FILE *out = o->outfile ? fopen(o->outfile, "w") : stdout;
	if (!out)
		rc = -1;
	else if (o->fmt == DC_REPORT_JSON)
		write_json(out, a, runs, n, missing);
	else if (write_report(out, o->fmt, runs, n) != DC_OK)
		rc = -1;
	if (out && out != stdout)
		rc |= fclose(out);
	if (rc)
		fprintf(stderr, "dumpcheck: cannot write %s\n", o->outfile ? o->outfile : path);
	free(path);
	return rc;
}

int cmd_conform(int argc, char **argv)
{
	struct opts o;
	struct adapter a;
	char why[512], abs_dir[PATH_MAX];
	int status = parse_opts(argc, argv, &o);
	if (status)
		return status < 0 ? EXIT_CONFORMANT : status;
	if (adapter_load(&o, &a, why, sizeof(why)) != 0) {
		adapter_free(&a);
		fprintf(stderr, "dumpcheck: %s\n", why);
		return EXIT_USAGE;
	}
	char *sdir = o.scenarios ? strdup(o.scenarios) : dupf("%s/spec/scenarios", o.root);
	char *dir = dupf("%s/%s", o.out, a.name);
	struct run *runs = NULL;
	size_t n = 0;
	if (!sdir || !dir || mkdirs(dir) != 0 || !realpath(dir, abs_dir)) {
		fprintf(stderr, "dumpcheck: %s: %s\n", dir ? dir : o.out, strerror(errno));
		status = EXIT_USAGE;
	} else if (prepare_runs(&o, sdir, abs_dir, &runs, &n) != 0) {
		status = EXIT_USAGE;
	} else {
		struct vars v = { "", "", "", "", o.self, o.root };
		char *missing = missing_requirement(&a, &v);
		if (missing)
			fprintf(stderr, "dumpcheck: adapter %s: n.a. here (missing %s)\n", a.name, missing);
		status = run_all(&o, &a, runs, n, abs_dir, missing);
		if (write_outputs(&o, &a, runs, n, abs_dir, missing) != 0)
			status = EXIT_USAGE;
		free(missing);
	}
	free_runs(runs, n);
	free(sdir);
	free(dir);
	adapter_free(&a);
	return status;
}
