/* dumpcheck filter-run / filter-check: a filter-stack scenario run on the
 * reference crash-dump stack into a trace and the read-back dump, and a
 * trace (from any stack) judged against the filter.* rules
 * (dumpcheck/filter.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dumpcheck/filter.h"
#include "dumpcheck/report.h"

const char *const usage_filter_run =
	"usage: dumpcheck filter-run SCENARIO.toml [--trace TRACE.jsonl] [--image IMAGE.dmp]\n"
	"                            [--partition FILE]\n"
	"\n"
	"Runs a filter-stack scenario (spec/filter-scenarios/README.md): loads its\n"
	"example filters into the reference crash-dump stack, writes the kernel dump\n"
	"of its [memory] model through them to the dump partition, reads it back\n"
	"through Dump_Read and unloads them.\n"
	"\n"
	"  --trace FILE      the trace of every call (spec/filter-trace.md; \"-\": stdout)\n"
	"  --image FILE      the dump as the read path delivered it\n"
	"  --partition FILE  the partition in FILE (created, sized) instead of memory\n"
	"\n"
	"exit codes: 0 the run happened (the trace says how it went), 2 usage error,\n"
	"the scenario could not be read, or an output could not be written\n";

const char *const usage_filter_check =
	"usage: dumpcheck filter-check [--format text|json|junit|tap|sarif] [-o FILE]\n"
	"                              [--exercised FILE] TRACE.jsonl [IMAGE.dmp]\n"
	"\n"
	"Checks a filter-stack trace (spec/filter-trace.md) against the filter.*\n"
	"rules and, with IMAGE (the dump the read path delivered), the cross rules.\n"
	"Finding offsets are trace LINE numbers.\n"
	"\n"
	CLI_CHECK_OPTIONS
	"2 usage error, or an input could not be read\n";

static enum dc_err image_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	FILE *f = ctx;
	if (fseeko(f, (off_t)off, SEEK_SET) != 0 || fwrite(buf, 1, len, f) != len)
		return DC_E_IO;
	return DC_OK;
}

struct run_args {
	const char *scenario, *trace, *image, *partition;
};

static int parse_run(int argc, char **argv, struct run_args *a)
{
	const struct cli_opt opts[] = { { "--trace", &a->trace, NULL }, { "--image", &a->image, NULL },
					{ "--partition", &a->partition, NULL }, { NULL, NULL, NULL } };
	int n;
	memset(a, 0, sizeof(*a));
	int rc = cli_parse(argc, argv, usage_filter_run, opts, &a->scenario, 1, &n);
	return rc || n ? rc : usage_error(usage_filter_run, "%s", "no SCENARIO given");
}

static enum dc_err load(const char *path, struct dc_filter_scenario *sc, char *why, size_t why_len)
{
	struct dc_file f;
	enum dc_err err = dc_file_open(&f, path, 1u << 26);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s", err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		return err;
	}
	err = dc_filter_scenario_parse((const char *)f.data, f.size, sc, why, why_len);
	dc_file_close(&f);
	return err;
}

/* The disk: `path` (created, sized to the partition) or memory. */
static enum dc_err open_disk(const struct run_args *a, const struct dc_filter_scenario *sc, int *fd,
			     struct dc_filter_memdisk *mem, struct dc_filter_disk *disk)
{
	if (!a->partition)
		return dc_filter_memdisk_init(mem, sc->part.size, disk);
	*fd = open(a->partition, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (*fd < 0 || ftruncate(*fd, (off_t)sc->part.size) != 0)
		return DC_E_IO;
	dc_filter_filedisk(fd, disk);
	return DC_OK;
}

static int close_out(FILE *f, const char *path, int status)
{
	if (f && f != stdout && fclose(f) != 0) {
		fprintf(stderr, "dumpcheck: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (f == stdout && fflush(stdout) != 0)
		return EXIT_USAGE;
	return status;
}

int cmd_filter_run(int argc, char **argv)
{
	struct run_args a;
	int rc = parse_run(argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_CONFORMANT : rc;
	struct dc_filter_scenario sc;
	char why[256];
	if (load(a.scenario, &sc, why, sizeof(why)) != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s\n", a.scenario, why);
		return EXIT_USAGE;
	}
	FILE *trace = !a.trace ? NULL : !strcmp(a.trace, "-") ? stdout : fopen(a.trace, "w");
	FILE *image = a.image ? fopen(a.image, "w") : NULL;
	int fd = -1, status = EXIT_CONFORMANT;
	struct dc_filter_memdisk mem = { 0 };
	struct dc_filter_disk disk;
	struct dc_filter_result res;
	enum dc_err err = (a.trace && !trace) || (a.image && !image) ? DC_E_IO : open_disk(&a, &sc, &fd, &mem, &disk);
	if (err == DC_OK) {
		const char *slash = a.image ? strrchr(a.image, '/') : NULL;
		err = dc_filter_scenario_run(&sc, &disk, trace, a.image ? (slash ? slash + 1 : a.image) : NULL,
					     image ? image_write : NULL, image, &res);
	}
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s%s\n", a.scenario, dc_err_name(err),
			err == DC_E_IO ? " (an output could not be written)" : "");
		status = EXIT_USAGE;
	}
	status = close_out(trace, a.trace, status);
	status = close_out(image, a.image, status);
	if (fd >= 0 && close(fd) != 0)
		status = EXIT_USAGE;
	dc_filter_memdisk_free(&mem);
	dc_filter_scenario_free(&sc);
	return status;
}

/* ---------------------------------------------------------------- filter-check */

/* Load and check trace `tpath` (and image `ipath`, may be NULL) into `r` (a cli_check_fn). */
static enum dc_err check_files(const char *tpath, const char *ipath, struct dc_file_result *r, bool *exercised,
			       char *why, size_t why_len)
{
	struct dc_file f, img = { 0 };
	struct dc_filter_trace t;
	enum dc_err err = dc_file_open(&f, tpath, MAX_COPY);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s", err == DC_E_IO ? strerror(errno) : dc_err_name(err));
		return err;
	}
	r->size = f.size;
	err = dc_filter_trace_load((const char *)f.data, f.size, NULL, &t, why, why_len);
	dc_file_close(&f);
	if (err == DC_OK && ipath && (err = dc_file_open(&img, ipath, MAX_COPY)) != DC_OK)
		snprintf(why, why_len, "%s: %s", ipath, err == DC_E_IO ? strerror(errno) : dc_err_name(err));
	if (err == DC_OK) {
		err = dc_filter_check(&t, ipath ? img.data : NULL, img.size, &r->diags, exercised);
		if (err != DC_OK)
			snprintf(why, why_len, "%s while checking", dc_err_name(err));
	}
	if (ipath)
		dc_file_close(&img);
	dc_filter_trace_free(&t);
	return err;
}

int cmd_filter_check(int argc, char **argv)
{
	return cli_check_command(argc, argv, usage_filter_check, 2, check_files);
}
