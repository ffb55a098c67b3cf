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
	CLI_CHECK_OPTIONS
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
	const struct cli_opt none[] = { { NULL, NULL, NULL } };
	const char *files[2] = { NULL, NULL };
	int n;
	int rc = cli_parse(argc, argv, usage_dcb_run, none, files, 2, &n);
	if (rc)
		return rc < 0 ? EXIT_CONFORMANT : rc;
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

/* Load and check trace `path` into `r` (a cli_check_fn; no image). */
static enum dc_err check_file(const char *path, const char *image, struct dc_file_result *r,
			      bool *exercised, char *why, size_t why_len)
{
	struct dc_file f;
	struct dc_dcb_trace t;
	(void)image;
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
	return err;
}

int cmd_dcb_check(int argc, char **argv)
{
	return cli_check_command(argc, argv, usage_dcb_check, 1, check_file);
}
