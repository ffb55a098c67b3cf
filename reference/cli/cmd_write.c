/* dumpcheck write: the reference MiniDumpWriteDump on a scenario file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dumpcheck/scenario.h"
#include "dumpcheck/trace.h"

const char *const usage_write =
	"usage: dumpcheck write [--trace TRACE.jsonl] [--dump-type TYPE] SCENARIO.toml OUT.dmp\n"
	"\n"
	"Runs the reference writer on the process model, request and callback\n"
	"script of SCENARIO (format: spec/scenarios/README.md) and writes OUT.\n"
	"\n"
	"  --trace T       record every callback as JSON Lines (spec/trace.md)\n"
	"  --dump-type D   override the scenario's DumpType: a number, or\n"
	"                  MINIDUMP_TYPE names joined by '|' (WithDataSegs|WithHandleData)\n"
	"\n"
	"A failed or cancelled dump leaves OUT without a valid header.\n"
	"exit codes: 0 the writer returned TRUE, 1 it returned FALSE (the reason\n"
	"and HRESULT go to stderr), 2 usage, scenario or file error\n";

struct write_args {
	const char *scenario, *out, *trace, *dump_type;
};

static int parse_args(int argc, char **argv, struct write_args *a)
{
	const struct cli_opt opts[] = { { "--trace", &a->trace, NULL }, { "--dump-type", &a->dump_type, NULL },
					{ NULL, NULL, NULL } };
	const char *files[2];
	int n;
	int rc = cli_parse(argc, argv, usage_write, opts, files, 2, &n);
	if (rc)
		return rc;
	if (n < 2)
		return usage_error(usage_write, "%s", "write needs SCENARIO and OUT");
	a->scenario = files[0];
	a->out = files[1];
	return 0;
}

static int load(const char *path, struct dc_scenario *sc)
{
	char why[256];
	enum dc_err err = dc_scenario_load(path, 0, sc, why, sizeof(why));
	if (err != DC_OK) {
		fprintf(stderr, "dumpcheck: %s: %s (%s)\n", path, why, dc_err_name(err));
		return EXIT_USAGE;
	}
	return EXIT_CONFORMANT;
}

static void trace_header(struct dc_tracer *t, const struct dc_scenario *sc)
{
	struct dc_trace_run run;
	dc_scenario_trace_run(sc, &run);
	dc_trace_header(t, &run);
}

/* Write the dump, tracing the callbacks into `tf` when it is not NULL. */
static int run(struct dc_scenario *sc, int fd, FILE *tf)
{
	struct dc_sink sink = { &fd, dc_sink_fd_write };
	struct dc_write_result res;
	struct dc_tracer tracer;
	MINIDUMP_CALLBACK_INFORMATION traced = { dc_trace_callback, &tracer };
	struct stat st;
	sc->script.io = &sink; /* redirected I/O lands in the same file */
	dc_trace_init(&tracer, tf, sc->request.callback);
	if (tf) {
		trace_header(&tracer, sc);
		if (sc->request.callback)
			sc->request.callback = &traced;
	}
	enum dc_err err = dc_write_minidump(&sc->process, &sc->request, &sink, &res);
	uint64_t bytes = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : res.bytes;
	if (tf)
		dc_trace_result(&tracer, err == DC_OK, err == DC_OK ? 0 : res.hresult, bytes);
	if (err == DC_OK)
		return EXIT_CONFORMANT;
	fprintf(stderr, "dumpcheck: the writer returned FALSE: %s, HRESULT 0x%08X\n", dc_err_name(err),
		(unsigned)res.hresult);
	return EXIT_NONCONFORMANT;
}

int cmd_write(int argc, char **argv)
{
	struct write_args a = { 0 };
	struct dc_scenario sc;
	int status = parse_args(argc, argv, &a);
	if (status)
		return status < 0 ? EXIT_CONFORMANT : status;
	if ((status = load(a.scenario, &sc)) != EXIT_CONFORMANT)
		return status;
	if (a.dump_type && !dc_flags_parse(DC_E_MINIDUMP_TYPE, a.dump_type, &sc.request.dump_type)) {
		dc_scenario_free(&sc);
		return usage_error(usage_write, "bad --dump-type '%s'", a.dump_type);
	}
	int fd = open(a.out, O_RDWR | O_CREAT | O_TRUNC, 0644);
	FILE *tf = fd >= 0 && a.trace ? fopen(a.trace, "w") : NULL;
	if (fd < 0 || (a.trace && !tf)) {
		fprintf(stderr, "dumpcheck: %s: %s\n", fd < 0 ? a.out : a.trace, strerror(errno));
		status = EXIT_USAGE;
	} else {
		status = run(&sc, fd, tf);
	}
	if ((tf && fclose(tf) != 0) || (fd >= 0 && close(fd) != 0))
		status = EXIT_USAGE;
	dc_scenario_free(&sc);
	return status;
}
