/* agent.exe: a scenario's callback script run against the real
 * MiniDumpWriteDump (dbghelp.dll), traced with the same encoder and schema
 * as `dumpcheck write --trace` (spec/trace.md).
 *
 *   agent.exe SCENARIO.toml OUT.dmp TRACE.jsonl [--dump-type FLAGS]
 *
 * The agent dumps its own process. Of the scenario it uses the callback
 * script, the DumpType, the exception (code, flags, address, parameters),
 * the user streams and whether callbacks are passed at all; the process
 * model is replaced by the agent's own threads and modules (agent.h says
 * how rules are mapped). Exit codes as `dumpcheck write`: 0 MiniDumpWriteDump
 * returned TRUE, 1 FALSE, 2 usage, scenario or file error. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "dumpcheck/trace.h"

#define EXIT_TRUE 0
#define EXIT_FALSE 1
#define EXIT_USAGE 2

static const char usage[] =
	"usage: agent.exe SCENARIO.toml OUT.dmp TRACE.jsonl [--dump-type TYPE]\n"
	"       agent.exe dcb SCRIPT.toml TRACE.jsonl   (winmm DriverCallback, agent_dcb.c)\n"
	"\n"
	"Runs the callback script of SCENARIO against this process's real\n"
	"MiniDumpWriteDump (dbghelp.dll), writes the dump to OUT and every callback\n"
	"to TRACE (JSON Lines, spec/trace.md). The scenario's n-th thread / module\n"
	"stands for the agent's n-th parked thread / n-th loaded module.\n"
	"\n"
	"  --dump-type D   override the scenario's DumpType: a number, or\n"
	"                  MINIDUMP_TYPE names joined by '|'\n"
	"\n"
	"exit codes: 0 MiniDumpWriteDump returned TRUE, 1 it returned FALSE,\n"
	"2 usage, scenario or file error\n";

struct args {
	const char *scenario, *out, *trace, *dump_type;
};

struct agent {
	struct dc_scenario sc;
	struct dci_agent_threads threads;
	uint64_t bases[DCI_AGENT_MAX_MODULES];
	struct dci_agent_map map;
	struct dc_script_rule *rules;
	HANDLE process, file;
	FILE *trace;
};

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "agent: %s%s%s\n\n%s", what, arg ? " " : "", arg ? arg : "", usage);
	return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	const char **positional[] = { &a->scenario, &a->out, &a->trace };
	size_t npos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dump-type") == 0) {
			if (i + 1 >= argc)
				return usage_error("--dump-type needs a value", NULL);
			a->dump_type = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return -1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("unknown option", argv[i]);
		} else if (npos < 3) {
			*positional[npos++] = argv[i];
		} else {
			return usage_error("unexpected argument", argv[i]);
		}
	}
	return npos == 3 ? 0 : usage_error("needs SCENARIO, OUT and TRACE", NULL);
}

/* The scenario loader finds a `base` file next to the scenario by the last
 * '/', so Windows paths are given with forward slashes (Windows takes both). */
static int load(const char *path, struct dc_scenario *sc)
{
	char *p = malloc(strlen(path) + 1), why[256];
	if (!p)
		return EXIT_USAGE;
	strcpy(p, path);
	for (char *c = p; *c; c++)
		if (*c == '\\')
			*c = '/';
	enum dc_err err = dc_scenario_load(p, 0, sc, why, sizeof(why));
	free(p);
	if (err != DC_OK) {
		fprintf(stderr, "agent: %s: %s (%s)\n", path, why, dc_err_name(err));
		return EXIT_USAGE;
	}
	return EXIT_TRUE;
}

/* Threads, modules and the mapped script: the agent's process model. */
static bool stand_in(struct agent *a)
{
	if (a->sc.process.nthreads > DCI_AGENT_MAX_THREADS)
		fprintf(stderr, "agent: only the first %u of %zu threads are started\n", DCI_AGENT_MAX_THREADS,
			a->sc.process.nthreads);
	if (!dci_agent_threads_start(&a->threads, a->sc.process.nthreads)) {
		fprintf(stderr, "agent: cannot start threads (error %lu)\n", (unsigned long)GetLastError());
		return false;
	}
	a->map.tids = a->threads.ids;
	a->map.ntids = a->threads.n;
	a->map.bases = a->bases;
	a->map.nbases = dci_agent_modules(a->process, a->bases, DCI_AGENT_MAX_MODULES);
	a->rules = dci_agent_map_rules(&a->sc, &a->map);
	if (!a->rules)
		return false;
	a->sc.script.rules = a->rules;
	return true;
}

static void trace_header(struct dc_tracer *t, const struct agent *a, bool exception)
{
	char version[128];
	dci_agent_dbghelp_version(version, sizeof(version));
	struct dc_trace_run run = {
		.implementation = "dbghelp",
		.version = version,
		.scenario = a->sc.name,
#if defined(_M_ARM64) || defined(__aarch64__)
		.arch = "arm64",
#elif defined(_WIN64)
		.arch = "amd64",
#else
		.arch = "x86",
#endif
		.dump_type = a->sc.request.dump_type,
		.process_id = GetCurrentProcessId(),
		.process_handle = a->process,
		.file_handle = a->file,
		.callbacks = a->sc.request.callback != NULL,
		.exception_param = exception,
		.user_streams = (uint32_t)a->sc.request.nuser_streams,
	};
	dc_trace_header(t, &run);
}

/* What the agent's own callback routine notices besides the trace. */
struct watch {
	struct dc_tracer tracer;
	unsigned gcc_layout; /* ThreadCallbacks laid out with the Context at 12 */
};

/* A dbghelp built by GCC from a header that lets 4-packing beat the
 * CONTEXT's 16-byte alignment (Wine's) puts Context at 12, so its
 * SizeOfContext lands 4 bytes before where Microsoft's layout reads it
 * (spec-notes §3.3). The trace keeps what a Microsoft-ABI callback sees;
 * this only tells the person reading it why the thread inputs look wrong. */
static bool gcc_thread_layout(const MINIDUMP_CALLBACK_INPUT *in)
{
	ULONG early;
	if (in->CallbackType != DC_ThreadCallback && in->CallbackType != DC_ThreadExCallback)
		return false;
	memcpy(&early, (const uint8_t *)&in->Thread + offsetof(MINIDUMP_THREAD_CALLBACK, SizeOfContext) - 4,
	       sizeof(early));
	return early == sizeof(CONTEXT) && in->Thread.SizeOfContext != sizeof(CONTEXT);
}

/* The tracer, flushed after every record: a crash inside dbghelp must
 * leave every callback seen so far on disk (a trace without a result
 * record is how a crash shows). */
static BOOL DC_WIN_CALLBACK flushed(PVOID param, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct watch *w = param;
	w->gcc_layout += gcc_thread_layout(in);
	BOOL ret = dc_trace_callback(&w->tracer, in, out);
	fflush(w->tracer.out);
	return ret;
}

static int run(struct agent *a)
{
	struct dc_sink sink = { &a->file, dci_agent_file_write };
	struct watch w = { 0 };
	struct dc_tracer *tracer = &w.tracer;
	MINIDUMP_CALLBACK_INFORMATION cb = { flushed, &w };
	size_t nstreams = a->sc.request.nuser_streams;
	MINIDUMP_USER_STREAM *streams = calloc(nstreams ? nstreams : 1, sizeof(*streams));
	MINIDUMP_USER_STREAM_INFORMATION us = { (ULONG)nstreams, streams };
	static struct dci_agent_exception exc; /* a CONTEXT: keep it off the stack */
	bool with_exc = a->sc.request.with_exception;
	if (!streams || (with_exc && !dci_agent_exception(&exc, &a->sc, &a->map, &a->threads))) {
		fprintf(stderr, "agent: cannot build the %s\n", streams ? "exception" : "user streams");
		free(streams);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < nstreams; i++) {
		streams[i].Type = a->sc.request.user_streams[i].type;
		streams[i].BufferSize = a->sc.request.user_streams[i].size;
		streams[i].Buffer = (PVOID)a->sc.request.user_streams[i].buffer;
	}
	a->sc.script.io = &sink; /* redirected I/O lands in the output file */
	dc_trace_init(tracer, a->trace, a->sc.request.callback);
	trace_header(tracer, a, with_exc);
	fflush(a->trace);
	BOOL ok = MiniDumpWriteDump(a->process, GetCurrentProcessId(), a->file,
				    (MINIDUMP_TYPE)a->sc.request.dump_type, with_exc ? &exc.info : NULL,
				    us.UserStreamCount ? &us : NULL, a->sc.request.callback ? &cb : NULL);
	DWORD err = ok ? 0 : GetLastError();
	LARGE_INTEGER size = { 0 };
	GetFileSizeEx(a->file, &size);
	dc_trace_result(tracer, ok != FALSE, err, (uint64_t)size.QuadPart);
	free(streams);
	if (w.gcc_layout)
		fprintf(stderr,
			"agent: note: %u ThreadCallback inputs had the GCC layout (Context at 12, not 16):\n"
			"agent: their size_of_context/stack_base/stack_end in the trace are misread\n",
			w.gcc_layout);
	if (ok)
		return EXIT_TRUE;
	fprintf(stderr, "agent: MiniDumpWriteDump returned FALSE, last error 0x%08lX\n", (unsigned long)err);
	return EXIT_FALSE;
}

/* The process handle dbghelp reads through: a real handle with the rights
 * the documentation asks for, else the pseudo-handle. */
static HANDLE open_self(void)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | PROCESS_DUP_HANDLE, FALSE,
			       GetCurrentProcessId());
	return h ? h : GetCurrentProcess();
}

static int open_outputs(struct agent *a, const struct args *args)
{
	a->file = CreateFileA(args->out, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL, CREATE_ALWAYS,
			      FILE_ATTRIBUTE_NORMAL, NULL);
	if (a->file == INVALID_HANDLE_VALUE) {
		fprintf(stderr, "agent: %s: cannot create (error %lu)\n", args->out, (unsigned long)GetLastError());
		return EXIT_USAGE;
	}
	/* Binary: the trace's lines end in \n, never \r\n. */
	a->trace = fopen(args->trace, "wb");
	if (!a->trace) {
		fprintf(stderr, "agent: %s: cannot create\n", args->trace);
		return EXIT_USAGE;
	}
	return EXIT_TRUE;
}

static void cleanup(struct agent *a)
{
	dci_agent_threads_stop(&a->threads);
	if (a->trace)
		fclose(a->trace);
	if (a->file && a->file != INVALID_HANDLE_VALUE)
		CloseHandle(a->file);
	if (a->process && a->process != GetCurrentProcess())
		CloseHandle(a->process);
	free(a->rules);
	dc_scenario_free(&a->sc);
}

int main(int argc, char **argv)
{
	static struct agent a; /* large (module table): not on the stack */
	struct args args = { 0 };
	if (argc > 1 && strcmp(argv[1], "dcb") == 0)
		return dci_agent_dcb_main(argc, argv);
	int status = parse_args(argc, argv, &args);
	if (status)
		return status < 0 ? EXIT_TRUE : status;
	if ((status = load(args.scenario, &a.sc)) != EXIT_TRUE)
		return status;
	if (args.dump_type && !dc_flags_parse(DC_E_MINIDUMP_TYPE, args.dump_type, &a.sc.request.dump_type)) {
		dc_scenario_free(&a.sc);
		return usage_error("bad --dump-type", args.dump_type);
	}
	a.process = open_self();
	if ((status = open_outputs(&a, &args)) == EXIT_TRUE)
		status = stand_in(&a) ? run(&a) : EXIT_USAGE;
	cleanup(&a);
	return status;
}
