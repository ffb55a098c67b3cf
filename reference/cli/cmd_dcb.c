/* dumpcheck dcb-run / dcb-check: a DriverCallback script run on the
 * reference model into a notification trace, and a trace (from any
 * implementation) judged against the dcb.* rules (dumpcheck/dcb.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dumpcheck/dcb.h"
#include "dumpcheck/report.h"

const char *const usage_dcb_run =
	"usage: dumpcheck dcb-run SCRIPT.toml TRACE.jsonl\n"
	"\n"
	"Runs a DriverCallback script (spec/dcb-scripts/README.md) on the reference\n"
	"model of winmm's DriverCallback (windows, threads with bounded message\n"
	"queues, events, functions) and writes the notification trace (JSON Lines,\n"
	"spec/dcb-trace.md) to TRACE (\"-\": standard output).\n"
	"\n"
	"exit codes: 0 the script ran, 2 usage error or the script could not be read\n";

const char *const usage_dcb_check =
	"usage: dumpcheck dcb-check [--format text|json|junit|tap|sarif] [-o FILE]\n"
	"                           [--exercised FILE] TRACE.jsonl\n"
	"\n"
	"Checks a DriverCallback notification trace (spec/dcb-trace.md) against the\n"
	"dcb.* rules. Finding offsets are trace LINE numbers.\n"
	"\n"
	"  --format F        report format (default text)\n"
	"  -o FILE           write the report to FILE instead of standard output\n"
	"  --exercised FILE  write the ids of the rules the trace exercised, one a line\n"
	"\n"
	"exit codes: 0 no MUST or SHOULD finding, 1 a MUST or SHOULD rule fired,\n"
	"2 usage error, or the trace could not be read\n";

static const char *arch_name(void)
{
#if defined(__x86_64__) || defined(_M_X64)
	return "amd64";
#elif defined(__aarch64__) || defined(_M_ARM64)
	return "arm64";
#else
	return "x86";
#endif
}

int cmd_dcb_run(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL };
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage_dcb_run, stdout);
			return EXIT_CONFORMANT;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error(usage_dcb_run, "unknown option '%s'", argv[i]);
		} else if (n == 2) {
			return usage_error(usage_dcb_run, "unexpected argument '%s'", argv[i]);
		}
		files[n++] = argv[i];
	}
	if (n != 2)
		return usage_error(usage_dcb_run, "%s", "SCRIPT and TRACE are required");
	struct dc_file f;
	struct dc_dcb_script sc;
	char why[256];
	enum dc_err err = dc_file_open(&f, files[0], 1u << 26);
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s\n", files[0],
			err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		return EXIT_USAGE;
	}
	err = dc_dcb_script_parse((const char *)f.data, f.size, &sc, why, sizeof(why));
	dc_file_close(&f);
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s\n", files[0], why);
		return EXIT_USAGE;
	}
	FILE *out = strcmp(files[1], "-") == 0 ? stdout : fopen(files[1], "w");
	if (!out) {
		fprintf(stderr, "dumpcheck: %s: %s\n", files[1], strerror(errno));
		dc_dcb_script_free(&sc);
		return EXIT_USAGE;
	}
	struct dc_dcb_trace_run run = { "dumpcheck-reference", DC_VERSION, sc.name, arch_name() };
	err = dc_dcb_run(&sc, &run, out);
	if ((out != stdout && fclose(out) != 0) || (out == stdout && fflush(out) != 0))
		err = err == DC_OK ? DC_E_IO : err;
	if (err != DC_OK)
		fprintf(stderr, "dumpcheck: %s: %s\n", files[1], dc_err_name(err));
	dc_dcb_script_free(&sc);
	return err == DC_OK ? EXIT_CONFORMANT : EXIT_USAGE;
}

/* Load and check `path` into `r`; `exercised` gets the rules judged. */
static enum dc_err check_file(const char *path, struct dc_file_result *r, bool *exercised,
			      char *why, size_t why_len)
{
	struct dc_file f;
	struct dc_dcb_trace t;
	memset(r, 0, sizeof(*r));
	r->path = path;
	enum dc_err err = dc_file_open(&f, path, MAX_COPY);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s", err == DC_E_IO ? strerror(errno) : dc_err_name(err));
	} else {
		r->size = f.size;
		err = dc_dcb_trace_load((const char *)f.data, f.size, NULL, &t, why, why_len);
		dc_file_close(&f);
	}
	if (err == DC_OK) {
		err = dc_dcb_check(&t, &r->diags, exercised);
		dc_dcb_trace_free(&t);
		if (err != DC_OK)
			snprintf(why, why_len, "%s while checking", dc_err_name(err));
	}
	r->err = err;
	r->reason = err != DC_OK ? why : NULL;
	r->verdict = dc_diags_verdict(&r->diags);
	return err;
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

int cmd_dcb_check(int argc, char **argv)
{
	const char *file = NULL, *outpath = NULL, *expath = NULL;
	int fmt = DC_REPORT_TEXT;
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(usage_dcb_check, stdout);
			return EXIT_CONFORMANT;
		} else if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "-o") ||
			   !strcmp(argv[i], "--exercised")) {
			if (i + 1 >= argc)
				return usage_error(usage_dcb_check, "%s needs a value", argv[i]);
			if (argv[i][1] == 'o')
				outpath = argv[++i];
			else if (argv[i][2] == 'e')
				expath = argv[++i];
			else if ((fmt = dc_report_format_parse(argv[++i])) < 0)
				return usage_error(usage_dcb_check, "unknown format '%s'", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error(usage_dcb_check, "unknown option '%s'", argv[i]);
		} else if (file) {
			return usage_error(usage_dcb_check, "unexpected argument '%s'", argv[i]);
		} else {
			file = argv[i];
		}
	}
	if (!file)
		return usage_error(usage_dcb_check, "%s", "no TRACE given");
	bool exercised[DC_RULE_COUNT];
	struct dc_file_result res;
	char why[256];
	enum dc_err err = check_file(file, &res, exercised, why, sizeof(why));
	int status = err != DC_OK ? EXIT_USAGE : cli_fails(&res.diags) ? EXIT_NONCONFORMANT
								      : EXIT_CONFORMANT;
	if (err != DC_OK)
		fprintf(stderr, "dumpcheck: %s: %s\n", file, why);
	else if (expath && write_exercised(expath, exercised) != 0)
		status = EXIT_USAGE;
	FILE *out = outpath ? fopen(outpath, "w") : stdout;
	if (!out) {
		fprintf(stderr, "dumpcheck: %s: %s\n", outpath, strerror(errno));
		status = EXIT_USAGE;
	} else if (dc_report_write(out, (enum dc_report_format)fmt, &res, 1) != DC_OK) {
		fprintf(stderr, "dumpcheck: cannot write the report\n");
		status = EXIT_USAGE;
	}
	if (out && out != stdout && fclose(out) != 0)
		status = EXIT_USAGE;
	dc_diags_free(&res.diags);
	return status;
}
