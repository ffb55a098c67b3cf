/* The callback protocol rules (spec/rules/protocol.toml, phase protocol)
 * over a loaded trace. Each rule is one pass over the callback records;
 * what several rules share (per-thread and per-module callback pairs) is
 * gathered once by sorting, so a hostile trace of millions of records costs
 * O(n log n), never O(n^2). A rule reports each kind of breach once per
 * record; dc_limits caps what is recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/scenario.h"
#include "tracecheck_int.h"

#define TYPE(c, name) ((c)->type == DC_##name##Callback)
#define FULL_MEMORY(t) (((t)->dump_type & DC_MiniDumpWithFullMemory) != 0)

/* ---------------------------------------------------------------- findings */

static void add(struct dci_tc *c, struct dc_diags *d, enum dc_rule rule, uint64_t off,
		const char *fmt, ...) DCI_PRINTF(5, 6);

static void add(struct dci_tc *c, struct dc_diags *d, enum dc_rule rule, uint64_t off,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (dci_diags_addv(d, c->lim, rule, off, fmt, ap) != DC_OK)
		c->err = DC_E_NOMEM;
	va_end(ap);
}

void dci_tc_line(struct dci_tc *c, enum dc_rule rule, unsigned line, const char *fmt, ...)
{
	char msg[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add(c, &c->out->trace, rule, line, "line %u: %s", line, msg);
}

void dci_tc_dump(struct dci_tc *c, enum dc_rule rule, uint64_t off, const char *fmt, ...)
{
	char msg[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add(c, &c->out->dump, rule, off, "%s", msg);
}

/* ---------------------------------------------------------------- defaults */

uint32_t dci_tc_thread_defaults(uint64_t dt)
{
	uint32_t f = DC_ThreadWriteThread | DC_ThreadWriteStack | DC_ThreadWriteContext |
		     DC_ThreadWriteInstructionWindow;
	if (dt & DC_MiniDumpWithThreadInfo)
		f |= DC_ThreadWriteThreadInfo;
	if (dt & DC_MiniDumpWithProcessThreadData)
		f |= DC_ThreadWriteThreadData;
	return f;
}

uint32_t dci_tc_module_defaults(uint64_t dt)
{
	uint32_t f = DC_ModuleWriteModule | DC_ModuleWriteMiscRecord | DC_ModuleWriteCvRecord;
	if (dt & DC_MiniDumpWithDataSegs)
		f |= DC_ModuleWriteDataSeg;
	if (dt & DC_MiniDumpWithCodeSegs)
		f |= DC_ModuleWriteCodeSegs;
	if (dt & DC_MiniDumpWithProcessThreadData)
		f |= DC_ModuleWriteTlsData;
	return f;
}

/* ScanMemory may add ModuleReferencedByMemory (0x10) to a module's flags. */
static uint32_t module_allowed(uint64_t dt)
{
	return dci_tc_module_defaults(dt) | ((dt & DC_MiniDumpScanMemory) ? 0x10u : 0u);
}

uint32_t dci_tc_effective(const struct dci_tc_ent *e, uint32_t defaults)
{
	uint32_t f = defaults;
	if (e->inc)
		f &= e->inc->returned ? e->inc->out_out.write_flags : 0;
	if (e->gather)
		f &= e->gather->returned ? e->gather->out_out.write_flags : 0;
	return f;
}

/* ---------------------------------------------------------------- entities */

struct key {
	uint64_t id;
	size_t index;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Group the Include (`inc`) and gather (`g1`, `g2`) calls by id. */
static enum dc_err entities(const struct dc_trace *t, uint32_t inc, uint32_t g1, uint32_t g2,
			    bool by_thread, struct dci_tc_ent **out, size_t *nout)
{
	size_t n = 0, ne = 0;
	struct key *keys = malloc((t->ncalls ? t->ncalls : 1) * sizeof(*keys));
	struct dci_tc_ent *ents = malloc((t->ncalls ? t->ncalls : 1) * sizeof(*ents));
	if (!keys || !ents) {
		free(keys);
		free(ents);
		return DC_E_NOMEM;
	}
	for (size_t i = 0; i < t->ncalls; i++) {
		uint32_t ty = t->calls[i].type;
		if (ty == inc || ty == g1 || ty == g2)
			keys[n++] = (struct key){ by_thread ? t->calls[i].thread_id
							    : t->calls[i].base_of_image, i };
	}
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || keys[i].id != keys[i - 1].id)
			ents[ne++] = (struct dci_tc_ent){ .id = keys[i].id };
		struct dci_tc_ent *e = &ents[ne - 1];
		const struct dc_trace_call *call = &t->calls[keys[i].index];
		if (call->type == inc && !e->inc) {
			e->inc = call;
			e->inc_index = keys[i].index;
		} else if (call->type != inc && !e->gather) {
			e->gather = call;
			e->gather_index = keys[i].index;
		} else if (call->type != inc && !e->gather2) {
			e->gather2 = call;
		}
	}
	free(keys);
	*out = ents;
	*nout = ne;
	return DC_OK;
}

/* ---------------------------------------------------------------- the trace itself */

static void check_sequence(struct dci_tc *c)
{
	const struct dc_trace *t = c->t;
	for (size_t i = 0; i < t->ncalls; i++) {
		if (t->calls[i].seq != i + 1) {
			dci_tc_line(c, DC_RULE_CB_TRACE_SEQUENCE, t->calls[i].line,
				    "seq %llu, expected %zu", (unsigned long long)t->calls[i].seq, i + 1);
			break;
		}
	}
	if (t->has_result && t->result_callbacks != t->ncalls)
		dci_tc_line(c, DC_RULE_CB_TRACE_SEQUENCE, t->result_line,
			    "result says %llu callbacks, the trace has %zu",
			    (unsigned long long)t->result_callbacks, t->ncalls);
	if (!t->has_result)
		dci_tc_line(c, DC_RULE_CB_TRACE_RESULT_PRESENT, t->lines,
			    "no result record: the run crashed or was killed");
	if (!t->callbacks && t->ncalls)
		dci_tc_line(c, DC_RULE_CB_NO_CALLBACKS_WITHOUT_PARAM, t->calls[0].line,
			    "CallbackParam was NULL, yet callback type %u was called", t->calls[0].type);
}

/* ---------------------------------------------------------------- per call */

/* ProcessId/ProcessHandle expected for `c` (false: not checked). */
static bool expected_ids(const struct dc_trace *t, const struct dc_trace_call *c, uint32_t *pid,
			 bool *hset, uint64_t *h)
{
	switch (c->type) {
	case DC_IoStartCallback:
	case DC_WriteKernelMinidumpCallback:
		*pid = 0, *hset = false, *h = 0;
		return true;
	case DC_IsProcessSnapshotCallback:
	case DC_VmStartCallback:
		*pid = 0, *hset = t->process_handle_set, *h = t->process_handle;
		return true;
	case DC_IoWriteAllCallback:
	case DC_IoFinishCallback:
	case DC_KernelMinidumpStatusCallback:
		return false;
	default:
		*pid = t->process_id, *hset = t->process_handle_set, *h = t->process_handle;
		return c->type <= DC_VmPostReadCallback;
	}
}

static void check_ids(struct dci_tc *c, const struct dc_trace_call *k)
{
	uint32_t pid;
	bool hset;
	uint64_t h;
	if (!expected_ids(c->t, k, &pid, &hset, &h))
		return;
	if (k->process_id != pid || k->process_handle_set != hset || (hset && k->process_handle != h))
		dci_tc_line(c, DC_RULE_CB_PROCESS_ID_CONVENTIONS, k->line,
			    "type %u got ProcessId %u, handle %s0x%llx; expected %u, %s0x%llx", k->type,
			    k->process_id, k->process_handle_set ? "" : "NULL ",
			    (unsigned long long)k->process_handle, pid, hset ? "" : "NULL ",
			    (unsigned long long)h);
}

/* Pre-set outputs that do not depend on earlier calls. */
static void check_presets(struct dci_tc *c, const struct dc_trace_call *k)
{
	uint64_t dt = c->t->dump_type;
	const struct dc_trace_output *o = &k->out_in;
	if (TYPE(k, IncludeThread) && o->write_flags != dci_tc_thread_defaults(dt))
		dci_tc_line(c, DC_RULE_CB_INCLUDE_THREAD_PRESET_FLAGS, k->line,
			    "ThreadWriteFlags pre-set 0x%x, defaults 0x%x", o->write_flags,
			    dci_tc_thread_defaults(dt));
	if (TYPE(k, IncludeModule) && o->write_flags != dci_tc_module_defaults(dt) &&
	    o->write_flags != module_allowed(dt))
		dci_tc_line(c, DC_RULE_CB_INCLUDE_MODULE_PRESET_FLAGS, k->line,
			    "ModuleWriteFlags pre-set 0x%x, defaults 0x%x", o->write_flags,
			    dci_tc_module_defaults(dt));
	if ((TYPE(k, Memory) || TYPE(k, RemoveMemory)) && (o->memory_base || o->memory_size))
		dci_tc_line(c, DC_RULE_CB_MEMORY_PRESET_ZERO, k->line,
			    "MemoryBase 0x%llx, MemorySize %u pre-set", (unsigned long long)o->memory_base,
			    o->memory_size);
	if (TYPE(k, Cancel) && (o->check_cancel || o->cancel))
		dci_tc_line(c, DC_RULE_CB_CANCEL_PRESET_FALSE, k->line,
			    "CheckCancel %d, Cancel %d pre-set", o->check_cancel, o->cancel);
	if (TYPE(k, IoStart) && o->status != DC_HR_E_NOTIMPL)
		dci_tc_line(c, DC_RULE_CB_IO_START_PRESET, k->line, "Status pre-set 0x%08x", o->status);
	if ((TYPE(k, IoStart) || TYPE(k, IoWriteAll) || TYPE(k, IoFinish)) &&
	    (k->io_handle_set != c->t->file_handle_set ||
	     (k->io_handle_set && k->io_handle != c->t->file_handle)))
		dci_tc_line(c, DC_RULE_CB_IO_HANDLE_IS_FILE, k->line,
			    "Io.Handle %s0x%llx, hFile %s0x%llx", k->io_handle_set ? "" : "NULL ",
			    (unsigned long long)k->io_handle, c->t->file_handle_set ? "" : "NULL ",
			    (unsigned long long)c->t->file_handle);
	if (TYPE(k, SecondaryFlags) && (k->in_secondary_flags || o->secondary_flags))
		dci_tc_line(c, DC_RULE_CB_SECONDARY_FLAGS_PRESET, k->line,
			    "input SecondaryFlags 0x%x, output pre-set 0x%x", k->in_secondary_flags,
			    o->secondary_flags);
	if (TYPE(k, WriteKernelMinidump) && o->handle_set)
		dci_tc_line(c, DC_RULE_CB_KERNEL_PRESET_NULL, k->line, "Handle pre-set 0x%llx",
			    (unsigned long long)o->handle);
	if ((TYPE(k, Memory) || TYPE(k, RemoveMemory)) && FULL_MEMORY(c->t))
		dci_tc_line(c, DC_RULE_CB_MEMORY_NOT_WITH_FULL_MEMORY, k->line,
			    "type %u called for a WithFullMemory dump", k->type);
	if (TYPE(k, IncludeVmRegion) && !FULL_MEMORY(c->t))
		dci_tc_line(c, DC_RULE_CB_VM_REGION_FULL_MEMORY_ONLY, k->line,
			    "IncludeVmRegionCallback without WithFullMemory");
}

/* MINIDUMP_THREAD_CALLBACK as a Microsoft-layout callback reads it: a
 * writer with another layout (Wine puts Context at 12, not 16) shows up as
 * a SizeOfContext that is no CONTEXT size and a stack that ends before it
 * begins (spec-notes §6 item 76). */
static void check_thread_layout(struct dci_tc *c, const struct dc_trace_call *k)
{
	static const enum dc_arch arches[] = { DC_ARCH_X86, DC_ARCH_AMD64, DC_ARCH_ARM64 };
	uint32_t want = 0;
	if (!TYPE(k, Thread) && !TYPE(k, ThreadEx))
		return;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (c->t->arch && strcmp(c->t->arch, dc_arch_name(arches[i])) == 0)
			want = dc_arch_context_size(arches[i]);
	if ((want && k->size_of_context != want) || k->stack_base > k->stack_end)
		dci_tc_line(c, DC_RULE_CB_THREAD_INPUT_LAYOUT, k->line,
			    "SizeOfContext %u (the %s CONTEXT is %u), StackBase 0x%llx, StackEnd 0x%llx",
			    k->size_of_context, c->t->arch ? c->t->arch : "?", want,
			    (unsigned long long)k->stack_base, (unsigned long long)k->stack_end);
}

/* A callback answer that should have failed the run (it returned TRUE). */
static void check_failing_answers(struct dci_tc *c, const struct dc_trace_call *k)
{
	if (!c->t->has_result || !c->t->returned)
		return;
	bool ok = k->returned && k->out_out.status == 0;
	if ((TYPE(k, IoWriteAll) || TYPE(k, IoFinish)) && !ok)
		dci_tc_line(c, DC_RULE_CB_IO_FAILURE_FAILS, k->line,
			    "answered %s with Status 0x%08x, yet the run returned TRUE",
			    k->returned ? "TRUE" : "FALSE", k->out_out.status);
	if (TYPE(k, ReadMemoryFailure) && !ok)
		dci_tc_line(c, DC_RULE_CB_READ_FAILURE_REFUSAL_FAILS, k->line,
			    "answered %s with Status 0x%08x, yet the run returned TRUE",
			    k->returned ? "TRUE" : "FALSE", k->out_out.status);
	if (TYPE(k, Cancel) && k->returned && k->out_out.cancel)
		dci_tc_line(c, DC_RULE_CB_CANCEL_CANCEL_FAILS, k->line,
			    "Cancel = TRUE, yet the run returned TRUE");
}

/* ---------------------------------------------------------------- state over the sequence */

/* Loops and one-way switches, walked in call order. */
struct walk {
	bool mem_ended[2];    /* Memory, RemoveMemory loop over */
	bool cancel_ended;
	bool vm_region_ended;
	bool vm_on;
	bool kernel_asked, kernel_handle;
	bool io_finished;
	bool reported[8];     /* each "after X" rule reports its first breach only */
};

static void once(struct dci_tc *c, struct walk *w, int slot, enum dc_rule rule,
		 const struct dc_trace_call *k, const char *what)
{
	if (w->reported[slot])
		return;
	w->reported[slot] = true;
	dci_tc_line(c, rule, k->line, "%s", what);
}

static void walk_loops(struct dci_tc *c, struct walk *w, const struct dc_trace_call *k)
{
	if (TYPE(k, Memory) || TYPE(k, RemoveMemory)) {
		int i = TYPE(k, RemoveMemory);
		if (w->mem_ended[i])
			once(c, w, i, DC_RULE_CB_MEMORY_LOOP_ENDS_ON_ZERO_SIZE, k,
			     "called again after the loop ended (FALSE or MemorySize 0)");
		if (!k->returned || k->out_out.memory_size == 0)
			w->mem_ended[i] = true;
	}
	if (TYPE(k, Cancel)) {
		if (w->cancel_ended)
			once(c, w, 2, DC_RULE_CB_CANCEL_CHECK_CANCEL_STOPS, k,
			     "CancelCallback after one returned TRUE with CheckCancel FALSE");
		if (k->returned && !k->out_out.check_cancel)
			w->cancel_ended = true;
		if (k->returned && k->out_out.cancel)
			c->cancelled = true;
	}
	if (TYPE(k, IncludeVmRegion)) {
		if (w->vm_region_ended)
			once(c, w, 3, DC_RULE_CB_VM_REGION_FALSE_STOPS, k,
			     "IncludeVmRegionCallback after FALSE or Continue FALSE");
		if (!k->returned || !k->out_out.cont)
			w->vm_region_ended = true;
	}
}

static void walk_switches(struct dci_tc *c, struct walk *w, const struct dc_trace_call *k)
{
	if (w->kernel_asked && !TYPE(k, KernelMinidumpStatus))
		once(c, w, 4, DC_RULE_CB_KERNEL_AFTER_DUMP, k,
		     "a callback after WriteKernelMinidumpCallback");
	if (TYPE(k, KernelMinidumpStatus) && !w->kernel_handle)
		once(c, w, 5, DC_RULE_CB_KERNEL_STATUS_AFTER_HANDLE, k,
		     "KernelMinidumpStatusCallback without a kernel dump handle");
	if (TYPE(k, WriteKernelMinidump)) {
		w->kernel_asked = true;
		w->kernel_handle = w->kernel_handle || (k->returned && k->out_out.handle_set);
	}
	if ((TYPE(k, VmQuery) || TYPE(k, VmPreRead) || TYPE(k, VmPostRead)) && !w->vm_on)
		once(c, w, 6, DC_RULE_CB_VM_REQUIRES_VM_START, k,
		     "Vm* callback without VmStart answering TRUE with S_FALSE");
	if (TYPE(k, VmStart) && k->returned && k->out_out.status == DC_HR_S_FALSE)
		w->vm_on = true;
	if (TYPE(k, IoStart) && k->returned && k->out_out.status == DC_HR_S_FALSE)
		c->redirected = true;
	if ((TYPE(k, IoWriteAll) || TYPE(k, IoFinish)) && !c->redirected)
		once(c, w, 7, DC_RULE_CB_IO_NO_REDIRECT_WITHOUT_ACCEPT, k,
		     "IoWriteAll/IoFinish without IoStart answering TRUE with S_FALSE");
	if ((TYPE(k, IoWriteAll) || TYPE(k, IoFinish)) && w->io_finished)
		dci_tc_line(c, DC_RULE_CB_IO_FINISH_AFTER_WRITES, k->line,
			    "type %u after IoFinishCallback", k->type);
	if (TYPE(k, IoFinish))
		w->io_finished = true;
}

/* The loops that must go on, the redirection that must finish, and the
 * start callbacks that must come first: facts of the whole sequence. */
static void check_sequence_end(struct dci_tc *c, const struct walk *w)
{
	const struct dc_trace *t = c->t;
	const struct dc_trace_call *last[2] = { NULL, NULL };
	size_t first_read = t->ncalls;
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct dc_trace_call *k = &t->calls[i];
		if (TYPE(k, Memory) || TYPE(k, RemoveMemory))
			last[TYPE(k, RemoveMemory)] = k;
		bool read = TYPE(k, IoWriteAll) || TYPE(k, ReadMemoryFailure) || TYPE(k, VmQuery) ||
			    TYPE(k, VmPreRead) || TYPE(k, VmPostRead);
		if (read && first_read == t->ncalls)
			first_read = i;
		bool start = TYPE(k, IoStart) || TYPE(k, IsProcessSnapshot) || TYPE(k, VmStart);
		if (start && i > first_read)
			dci_tc_line(c, DC_RULE_CB_ORDER_START_BEFORE_READS, k->line,
				    "type %u after the read or write on line %u", k->type,
				    t->calls[first_read].line);
	}
	bool ok_run = t->has_result && t->returned;
	for (int i = 0; i < 2 && ok_run; i++)
		if (last[i] && last[i]->returned && last[i]->out_out.memory_size > 0)
			dci_tc_line(c, DC_RULE_CB_MEMORY_LOOP_CONTINUES, last[i]->line,
				    "returned TRUE with MemorySize %u and was not called again",
				    last[i]->out_out.memory_size);
	if (ok_run && c->redirected && !w->io_finished)
		dci_tc_line(c, DC_RULE_CB_IO_FINISH_AFTER_WRITES, t->result_line,
			    "redirected run returned TRUE without IoFinishCallback");
}

/* ---------------------------------------------------------------- threads and modules */

static void check_entity(struct dci_tc *c, const struct dci_tc_ent *e, bool thread)
{
	const struct dc_trace *t = c->t;
	uint32_t defaults = thread ? dci_tc_thread_defaults(t->dump_type) : module_allowed(t->dump_type);
	const char *what = thread ? "thread" : "module";
	unsigned long long id = (unsigned long long)e->id;
	if (e->inc && e->gather && e->inc_index > e->gather_index)
		dci_tc_line(c, DC_RULE_CB_ORDER_INCLUDE_BEFORE_THREAD, e->inc->line,
			    "Include callback for %s 0x%llx after its line %u", what, id,
			    e->gather->line);
	if (!e->inc && e->gather)
		dci_tc_line(c, DC_RULE_CB_INCLUDE_CALLED_FOR_EACH, e->gather->line,
			    "%s 0x%llx gets a %s callback but had no Include%s callback", what, id,
			    thread ? "Thread" : "Module", thread ? "Thread" : "Module");
	if (e->inc && !e->inc->returned && e->gather)
		dci_tc_line(c, thread ? DC_RULE_CB_INCLUDE_THREAD_FALSE_EXCLUDES
				      : DC_RULE_CB_INCLUDE_MODULE_FALSE_EXCLUDES,
			    e->gather->line, "%s 0x%llx refused on line %u gets a callback", what, id,
			    e->inc->line);
	if (e->gather2)
		dci_tc_line(c, DC_RULE_CB_COUNT_ONE_PER_INCLUDED, e->gather2->line,
			    "second callback for %s 0x%llx", what, id);
	if (e->inc && e->inc->returned && !e->gather && t->has_result && t->returned)
		dci_tc_line(c, DC_RULE_CB_COUNT_ONE_PER_INCLUDED, e->inc->line,
			    "%s 0x%llx was included but got no Thread/Module callback", what, id);
	if (!e->gather)
		return;
	uint32_t in = e->gather->out_in.write_flags;
	uint32_t after_inc = e->inc ? defaults & e->inc->out_out.write_flags : defaults;
	bool plain = in == defaults || (!thread && in == dci_tc_module_defaults(t->dump_type));
	if ((in & ~defaults) || (!plain && in != after_inc))
		dci_tc_line(c, DC_RULE_CB_THREAD_MODULE_PRESET_FLAGS, e->gather->line,
			    "%s 0x%llx: write flags pre-set 0x%x (defaults 0x%x)", what, id, in,
			    defaults);
}

/* Thread stacks as ThreadCallback gave them, sorted by their low end with
 * the running maximum of their high ends, so each ReadMemoryFailure is one
 * binary search. */
struct span {
	uint64_t lo, hi, id;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void check_read_failure(struct dci_tc *c, const struct span *s, size_t n,
			       const struct dc_trace_call *r)
{
	size_t lo = 0, hi = n; /* first span whose lo > offset */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s[mid].lo <= r->offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && s[lo - 1].hi > r->offset)
		dci_tc_line(c, DC_RULE_CB_READ_FAILURE_NOT_IN_STACK, r->line,
			    "block at 0x%llx is in thread 0x%llx's stack",
			    (unsigned long long)r->offset, (unsigned long long)s[lo - 1].id);
}

static void check_read_failures(struct dci_tc *c)
{
	struct span *s = malloc((c->nthreads ? c->nthreads : 1) * sizeof(*s));
	size_t n = 0;
	if (!s) {
		c->err = DC_E_NOMEM;
		return;
	}
	for (size_t i = 0; i < c->nthreads; i++) {
		const struct dc_trace_call *g = c->threads[i].gather;
		if (!g || g->stack_base == g->stack_end)
			continue;
		bool up = g->stack_base < g->stack_end; /* the order is not documented */
		s[n++] = (struct span){ up ? g->stack_base : g->stack_end,
					up ? g->stack_end : g->stack_base, c->threads[i].id };
	}
	qsort(s, n, sizeof(*s), span_cmp);
	for (size_t i = 1; i < n; i++)
		if (s[i].hi < s[i - 1].hi) { /* keep the widest reach and whose it is */
			s[i].hi = s[i - 1].hi;
			s[i].id = s[i - 1].id;
		}
	for (size_t k = 0; k < c->t->ncalls; k++)
		if (TYPE(&c->t->calls[k], ReadMemoryFailure))
			check_read_failure(c, s, n, &c->t->calls[k]);
	free(s);
}

static void check_calls(struct dci_tc *c)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	for (size_t i = 0; i < c->t->ncalls; i++) {
		const struct dc_trace_call *k = &c->t->calls[i];
		check_ids(c, k);
		check_presets(c, k);
		check_thread_layout(c, k);
		check_failing_answers(c, k);
		walk_loops(c, &w, k);
		walk_switches(c, &w, k);
	}
	check_sequence_end(c, &w);
	for (size_t i = 0; i < c->nthreads; i++)
		check_entity(c, &c->threads[i], true);
	for (size_t i = 0; i < c->nmodules; i++)
		check_entity(c, &c->modules[i], false);
}

static bool has_read_failures(const struct dc_trace *t)
{
	for (size_t i = 0; i < t->ncalls; i++)
		if (t->calls[i].type == DC_ReadMemoryFailureCallback)
			return true;
	return false;
}

enum dc_err dc_trace_check(const struct dc_trace *t, const uint8_t *dump, uint64_t dump_size,
			   const struct dc_limits *lim, struct dc_trace_findings *out)
{
	struct dc_limits dl;
	struct dci_tc c;
	if (!t || !out || (!dump && dump_size))
		return DC_E_MISUSE;
	dc_limits_default(&dl);
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.lim = lim ? lim : &dl;
	c.out = out;
	enum dc_err r = entities(t, DC_IncludeThreadCallback, DC_ThreadCallback, DC_ThreadExCallback,
				 true, &c.threads, &c.nthreads);
	if (r == DC_OK)
		r = entities(t, DC_IncludeModuleCallback, DC_ModuleCallback, DC_ModuleCallback, false,
			     &c.modules, &c.nmodules);
	if (r == DC_OK) {
		check_sequence(&c);
		check_calls(&c);
		/* stacks x read failures: only traces that have both pay for it */
		if (has_read_failures(t))
			check_read_failures(&c);
		dci_tc_cross(&c, dump, dump_size);
		r = c.err;
	}
	free(c.threads);
	free(c.modules);
	return r;
}

void dc_trace_findings_free(struct dc_trace_findings *f)
{
	if (!f)
		return;
	dc_diags_free(&f->trace);
	dc_diags_free(&f->dump);
}
