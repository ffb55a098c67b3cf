/* The agent's stand-ins for the scenario's process model: parked threads,
 * its own modules, and the index mapping of script rules onto them. */
#include <stdlib.h>
#include <string.h>

#include "agent.h"

#include <psapi.h> /* after agent.h, whose <windows.h> it needs */

/* Parked threads do nothing but wait, so the dump sees idle threads whose
 * stacks and contexts are stable while it runs. */
static DWORD WINAPI parked(LPVOID release)
{
	WaitForSingleObject((HANDLE)release, INFINITE);
	return 0;
}

bool dci_agent_threads_start(struct dci_agent_threads *t, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->release = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!t->release)
		return false;
	if (n > DCI_AGENT_MAX_THREADS)
		n = DCI_AGENT_MAX_THREADS;
	for (; t->n < n; t->n++) {
		/* A small reserve: hundreds of threads must not cost gigabytes. */
		HANDLE h = CreateThread(NULL, 64 * 1024, parked, t->release, STACK_SIZE_PARAM_IS_A_RESERVATION,
					&t->ids[t->n]);
		if (!h) {
			dci_agent_threads_stop(t);
			return false;
		}
		t->handles[t->n] = h;
	}
	return true;
}

void dci_agent_threads_stop(struct dci_agent_threads *t)
{
	if (t->release)
		SetEvent(t->release);
	for (size_t i = 0; i < t->n; i++) {
		WaitForSingleObject(t->handles[i], INFINITE);
		CloseHandle(t->handles[i]);
	}
	if (t->release)
		CloseHandle(t->release);
	memset(t, 0, sizeof(*t));
}

size_t dci_agent_modules(HANDLE process, uint64_t *bases, size_t cap)
{
	HMODULE mods[DCI_AGENT_MAX_MODULES];
	DWORD needed = 0;
	if (!EnumProcessModules(process, mods, sizeof(mods), &needed))
		return 0;
	size_t n = needed / sizeof(HMODULE);
	if (n > cap)
		n = cap;
	if (n > DCI_AGENT_MAX_MODULES)
		n = DCI_AGENT_MAX_MODULES;
	for (size_t i = 0; i < n; i++)
		bases[i] = (uint64_t)(uintptr_t)mods[i];
	return n;
}

static bool is_thread_type(uint32_t type)
{
	return type == DC_IncludeThreadCallback || type == DC_ThreadCallback || type == DC_ThreadExCallback;
}

static bool is_module_type(uint32_t type)
{
	return type == DC_IncludeModuleCallback || type == DC_ModuleCallback;
}

/* The agent's thread id for the scenario's thread `id`; UINT64_MAX (no
 * thread id is that wide, so the rule never matches) when there is none. */
static uint64_t map_thread(const struct dc_process *p, const struct dci_agent_map *m, uint64_t id)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].id == id)
			return i < m->ntids ? m->tids[i] : UINT64_MAX;
	return UINT64_MAX;
}

/* The agent's module base for the scenario's module at `base`; UINT64_MAX
 * (never a module base) when there is none. */
static uint64_t map_module(const struct dc_process *p, const struct dci_agent_map *m, uint64_t base)
{
	for (size_t i = 0; i < p->nmodules; i++)
		if (p->modules[i].base == base)
			return i < m->nbases ? m->bases[i] : UINT64_MAX;
	return UINT64_MAX;
}

struct dc_script_rule *dci_agent_map_rules(const struct dc_scenario *sc, const struct dci_agent_map *m)
{
	size_t n = sc->script.nrules;
	struct dc_script_rule *rules = malloc(n ? n * sizeof(*rules) : 1);
	if (!rules)
		return NULL;
	if (n)
		memcpy(rules, sc->script.rules, n * sizeof(*rules));
	for (size_t i = 0; i < n; i++) {
		if (!rules[i].has_item)
			continue;
		if (is_thread_type(rules[i].type))
			rules[i].item = map_thread(&sc->process, m, rules[i].item);
		else if (is_module_type(rules[i].type))
			rules[i].item = map_module(&sc->process, m, rules[i].item);
	}
	return rules;
}

/* The real context of a parked thread: suspended for the read so that the
 * registers are a consistent snapshot. */
static bool thread_context(HANDLE h, CONTEXT *ctx)
{
	if (SuspendThread(h) == (DWORD)-1)
		return false;
	memset(ctx, 0, sizeof(*ctx));
	ctx->ContextFlags = CONTEXT_FULL;
	BOOL ok = GetThreadContext(h, ctx);
	ResumeThread(h);
	return ok != FALSE;
}

bool dci_agent_exception(struct dci_agent_exception *e, const struct dc_scenario *sc,
			 const struct dci_agent_map *m, const struct dci_agent_threads *t)
{
	const struct dc_exception *x = &sc->process.exception;
	size_t i = 0;
	while (i < sc->process.nthreads && sc->process.threads[i].id != x->thread_id)
		i++;
	if (i >= sc->process.nthreads || i >= m->ntids || i >= t->n ||
	    !thread_context(t->handles[i], &e->context))
		return false;
	memset(&e->record, 0, sizeof(e->record));
	e->record.ExceptionCode = x->code;
	e->record.ExceptionFlags = x->flags;
	/* The model's chained-record address means nothing here: no chain. */
	e->record.ExceptionAddress = (PVOID)(uintptr_t)x->address;
	e->record.NumberParameters = x->nparams;
	for (uint32_t k = 0; k < x->nparams && k < EXCEPTION_MAXIMUM_PARAMETERS; k++)
		e->record.ExceptionInformation[k] = (ULONG_PTR)x->params[k];
	e->pointers.ExceptionRecord = &e->record;
	e->pointers.ContextRecord = &e->context;
	e->info.ThreadId = m->tids[i];
	e->info.ExceptionPointers = &e->pointers;
	e->info.ClientPointers = FALSE;
	return true;
}
