/* dumpcheck check-trace: a writer's trace against the callback protocol
 * rules, and with its dump against the trace-versus-dump rules. Reports go
 * through the usual writers (dumpcheck/report.h): one result for the trace
 * (finding offsets are trace LINE numbers) and one for the dump (file
 * offsets). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dumpcheck/report.h"
#include "dumpcheck/tracecheck.h"

const char *const usage_check_trace =
	"usage: dumpcheck check-trace [--format text|json|junit|tap|sarif] [-o FILE]\n"
	"                             TRACE.jsonl [DUMP.dmp]\n"
	"\n"
	"Checks a MiniDumpWriteDump trace (schema spec/trace.md) against the callback\n"
	"protocol rules (cb.*, phase protocol) and, with the dump the run wrote, the\n"
	"trace-versus-dump rules (phase cross). Findings on the trace give the trace\n"
	"LINE number as their offset; findings on the dump give a file offset.\n"
	"\n"
	"  --format F   report format (default text)\n"
	"  -o FILE      write the report to FILE instead of standard output\n"
	"\n"
	"exit codes: 0 no MUST or SHOULD finding, 1 a MUST or SHOULD rule fired,\n"
	"2 usage error, or the trace or dump could not be read\n";

/* Fill `r` with an input error on `path`. */
static void input_error(struct dc_file_result *r, enum dc_err err, const char *why)
{
	r->err = err;
	r->reason = why;
}

enum dc_err cli_check_trace(const char *trace_path, const char *dump_path, bool validate,
			    struct dc_file_result res[2], char *why, size_t why_len)
{
	struct dc_file tf, df;
	struct dc_trace t;
	struct dc_trace_findings f;
	memset(res, 0, 2 * sizeof(*res));
	memset(&f, 0, sizeof(f));
	memset(&df, 0, sizeof(df));
	res[0].path = trace_path;
	res[1].path = dump_path;
	enum dc_err err = dc_file_open(&tf, trace_path, MAX_COPY);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s", err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		input_error(&res[0], err, why);
		return err;
	}
	res[0].size = tf.size;
	err = dc_trace_load((const char *)tf.data, tf.size, NULL, &t, why, why_len);
	dc_file_close(&tf);
	if (err != DC_OK) {
		input_error(&res[0], err, why);
		input_error(&res[1], err, "not checked: the trace could not be read");
		return err;
	}
	if (dump_path && (err = dc_file_open(&df, dump_path, MAX_COPY)) != DC_OK) {
		snprintf(why, why_len, "%s", err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		input_error(&res[1], err, why);
		dc_trace_free(&t);
		return err;
	}
	res[1].size = df.size;
	err = dc_trace_check(&t, dump_path ? df.data : NULL, dump_path ? df.size : 0, NULL, &f);
	if (err == DC_OK && validate && dump_path && t.has_result && t.returned) {
		struct dc_validate_opts opts;
		dc_validate_opts_default(&opts);
		err = dc_minidump_validate(df.data, df.size, &opts, NULL, &f.dump);
	}
	dc_file_close(&df);
	dc_trace_free(&t);
	res[0].diags = f.trace;
	res[1].diags = f.dump;
	res[0].verdict = dc_diags_verdict(&res[0].diags);
	res[1].verdict = dc_diags_verdict(&res[1].diags);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s while checking", dc_err_name(err));
		input_error(&res[0], err, why);
	}
	return err;
}

bool cli_fails(const struct dc_diags *d)
{
	return dc_diags_count_level(d, DC_LEVEL_MUST) + dc_diags_count_level(d, DC_LEVEL_SHOULD) > 0;
}

/* The options and operands of a check command: --format F, -o FILE,
 * --exercised FILE (when `exercised`), one to `maxfiles` operands. */
struct check_args {
	const char *files[2];
	int nfiles;
	const char *outpath, *expath; /* NULL: standard output / not asked for */
	int fmt;
};

/* Parse argv[1..argc) into `a`: -1 to go on, or the exit status to return
 * (--help: usage printed; a usage error: explained on stderr). */
static int check_args(int argc, char **argv, const char *usage, int maxfiles, bool exercised,
		      struct check_args *a)
{
	memset(a, 0, sizeof(*a));
	a->fmt = DC_REPORT_TEXT;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage, stdout);
			return EXIT_CONFORMANT;
		} else if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "-o") ||
			   (exercised && !strcmp(argv[i], "--exercised"))) {
			if (i + 1 >= argc)
				return usage_error(usage, "%s needs a value", argv[i]);
			if (argv[i][1] == 'o')
				a->outpath = argv[++i];
			else if (argv[i][2] == 'e')
				a->expath = argv[++i];
			else if ((a->fmt = dc_report_format_parse(argv[++i])) < 0)
				return usage_error(usage, "unknown format '%s'", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error(usage, "unknown option '%s'", argv[i]);
		} else if (a->nfiles == maxfiles) {
			return usage_error(usage, "unexpected argument '%s'", argv[i]);
		} else {
			a->files[a->nfiles++] = argv[i];
		}
	}
	return a->nfiles ? -1 : usage_error(usage, "%s", "no TRACE given");
}

/* Write the report of res[0..n) in format `fmt` to `outpath` (NULL: standard
 * output); 0, or -1 with a message on stderr. */
static int report(const char *outpath, int fmt, const struct dc_file_result *res, size_t n)
{
	int rc = 0;
	FILE *out = outpath ? fopen(outpath, "w") : stdout;
	if (!out) {
		fprintf(stderr, "dumpcheck: %s: %s\n", outpath, strerror(errno));
		return -1;
	}
	if (dc_report_write(out, (enum dc_report_format)fmt, res, n) != DC_OK) {
		fprintf(stderr, "dumpcheck: cannot write the report\n");
		rc = -1;
	}
	if (out != stdout && fclose(out) != 0)
		rc = -1;
	return rc;
}

static int write_exercised(const char *path, const bool *exercised)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "dumpcheck: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < DC_RULE_COUNT; i++)
		if (exercised[i])
			fprintf(f, "%s\n", dc_rule_descs[i].id);
	return fclose(f) == 0 ? 0 : -1;
}

int cli_check_command(int argc, char **argv, const char *usage, int maxfiles, cli_check_fn check)
{
	struct check_args a;
	int status = check_args(argc, argv, usage, maxfiles, true, &a);
	if (status >= 0)
		return status;
	bool exercised[DC_RULE_COUNT];
	struct dc_file_result res;
	char why[256];
	memset(&res, 0, sizeof(res));
	res.path = a.files[0];
	enum dc_err err = check(a.files[0], a.files[1], &res, exercised, why, sizeof(why));
	res.err = err;
	res.reason = err != DC_OK ? why : NULL;
	res.verdict = dc_diags_verdict(&res.diags);
	status = err != DC_OK ? EXIT_USAGE : cli_fails(&res.diags) ? EXIT_NONCONFORMANT : EXIT_CONFORMANT;
	if (err != DC_OK)
		fprintf(stderr, "dumpcheck: %s: %s\n", res.path, why);
	else if (a.expath && write_exercised(a.expath, exercised) != 0)
		status = EXIT_USAGE;
	if (report(a.outpath, a.fmt, &res, 1) != 0)
		status = EXIT_USAGE;
	dc_diags_free(&res.diags);
	return status;
}

int cmd_check_trace(int argc, char **argv)
{
	struct check_args a;
	int rc = check_args(argc, argv, usage_check_trace, 2, false, &a);
	if (rc >= 0)
		return rc;
	const char *const *files = a.files;
	struct dc_file_result res[2];
	char why[256];
	enum dc_err err = cli_check_trace(files[0], files[1], false, res, why, sizeof(why));
	int status = err != DC_OK ? EXIT_USAGE
		     : cli_fails(&res[0].diags) || cli_fails(&res[1].diags) ? EXIT_NONCONFORMANT
									     : EXIT_CONFORMANT;
	if (err != DC_OK)
		fprintf(stderr, "dumpcheck: %s: %s\n",
			res[1].err != DC_OK ? files[1] : files[0], why);
	if (report(a.outpath, a.fmt, res, files[1] ? 2 : 1) != 0)
		status = EXIT_USAGE;
	dc_diags_free(&res[0].diags);
	dc_diags_free(&res[1].diags);
	return status;
}
