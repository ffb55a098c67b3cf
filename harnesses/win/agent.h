/* Internals of the Windows agent (harnesses/win/): a scenario's callback
 * script run against the real MiniDumpWriteDump of the dbghelp.dll the agent
 * is linked to (Microsoft's on Windows, Wine's under Wine).
 *
 * A real process cannot take the scenario's process model, so the agent
 * dumps itself: it starts as many parked threads as the scenario has and
 * uses the modules it has loaded. Script rules that name a thread id or a
 * module base are mapped by index (dci_agent_map_rules). Everything here is
 * Windows-only; the scenario, script and trace code is the library's. */
#ifndef DUMPCHECK_AGENT_H
#define DUMPCHECK_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dumpcheck/scenario.h"

/* Threads beyond this many in a scenario are not started; rules naming them
 * never match (a real process with thousands of idle threads only slows
 * the dump down). */
#define DCI_AGENT_MAX_THREADS 256u

/* Modules enumerated at most (a Wine console process has about 20). */
#define DCI_AGENT_MAX_MODULES 1024u

/* Threads parked on one manual-reset event until dci_agent_threads_stop. */
struct dci_agent_threads {
	HANDLE release;
	HANDLE handles[DCI_AGENT_MAX_THREADS];
	DWORD ids[DCI_AGENT_MAX_THREADS];
	size_t n;
};

/* Start `n` parked threads (at most DCI_AGENT_MAX_THREADS); false when one
 * could not be created (those started are stopped again). */
bool dci_agent_threads_start(struct dci_agent_threads *t, size_t n);

/* Release and join the parked threads. Safe on a zeroed struct. */
void dci_agent_threads_stop(struct dci_agent_threads *t);

/* Bases of the modules of `process` in EnumProcessModules order (the
 * loader's: the .exe first, then ntdll, kernel32, ...), at most `cap`.
 * Returns how many were stored. */
size_t dci_agent_modules(HANDLE process, uint64_t *bases, size_t cap);

/* How the scenario's threads and modules map to the agent's own. */
struct dci_agent_map {
	const DWORD *tids;      /* agent thread of the scenario's n-th thread */
	size_t ntids;
	const uint64_t *bases;  /* agent module of the scenario's n-th module */
	size_t nbases;
};

/* A copy of the scenario's script rules whose thread ids and module bases
 * are replaced by the agent's: the n-th thread (module) of the scenario
 * becomes the n-th agent thread (module). A rule naming an item the map
 * has no counterpart for is made unmatchable. NULL on ENOMEM; free() it. */
struct dc_script_rule *dci_agent_map_rules(const struct dc_scenario *sc, const struct dci_agent_map *m);

/* The ExceptionParam of a scenario with [request] exception_param: the
 * scenario's code, flags, address and parameters, raised (on paper) by the
 * agent thread mapped from the exception thread, with that thread's real
 * context. ClientPointers is FALSE: the pointers are the agent's own. */
struct dci_agent_exception {
	EXCEPTION_RECORD record;
	CONTEXT context;
	EXCEPTION_POINTERS pointers;
	MINIDUMP_EXCEPTION_INFORMATION info;
};

/* Fill `e` for `sc`; false when the exception thread has no agent thread
 * or its context cannot be read. */
bool dci_agent_exception(struct dci_agent_exception *e, const struct dc_scenario *sc,
			 const struct dci_agent_map *m, const struct dci_agent_threads *t);

/* dc_sink write_at over a file HANDLE (ctx points to the HANDLE). */
enum dc_err dci_agent_file_write(void *ctx, uint64_t offset, const void *buf, size_t n);

/* The file version of the dbghelp.dll in use ("a.b.c.d"), followed by
 * " (Wine x.y)" under Wine; "unknown" when no version resource exists. */
void dci_agent_dbghelp_version(char *buf, size_t len);

/* The same for the loaded DLL `name` (L"winmm.dll"). */
void dci_agent_dll_version(const wchar_t *name, char *buf, size_t len);

/* agent.exe dcb SCRIPT.toml TRACE.jsonl (agent_dcb.c): a DriverCallback
 * script against the real winmm; argv[1] is "dcb". Exit 0 when the script
 * ran, 2 on a usage, script or setup error. */
int dci_agent_dcb_main(int argc, char **argv);

#endif
