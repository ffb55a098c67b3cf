/* dc_roundtrip_check: a model read back from a dump against the model it
 * was written from. This file: the comparison helpers, system, threads,
 * modules and the lists; roundtrip_memory.c the memory; roundtrip_extra.c
 * what only struct dc_read_extra shows. */
#include <stdio.h>
#include <string.h>

#include "rt.h"

bool dci_rt_diff(struct dci_rt *t, const char *fmt, ...)
{
	va_list ap;
	if (t->err != DC_OK)
		return false;
	t->err = DC_E_MALFORMED;
	if (t->why && t->why_len) {
		va_start(ap, fmt);
		vsnprintf(t->why, t->why_len, fmt, ap);
		va_end(ap);
	}
	return false;
}

DCI_PRINTF(3, 0) static void path_of(char *path, size_t n, const char *fmt, va_list ap)
{
	vsnprintf(path, n, fmt, ap);
}

bool dci_rt_val(struct dci_rt *t, uint64_t model, uint64_t dump, const char *fmt, ...)
{
	char path[128];
	va_list ap;
	if (model == dump || t->err != DC_OK)
		return model == dump;
	va_start(ap, fmt);
	path_of(path, sizeof(path), fmt, ap);
	va_end(ap);
	return dci_rt_diff(t, "%s: model 0x%llX, dump 0x%llX", path, (unsigned long long)model,
			   (unsigned long long)dump);
}

bool dci_rt_str(struct dci_rt *t, const char *model, const char *dump, const char *fmt, ...)
{
	char path[128];
	va_list ap;
	model = model ? model : "";
	dump = dump ? dump : "";
	if (strcmp(model, dump) == 0 || t->err != DC_OK)
		return strcmp(model, dump) == 0;
	va_start(ap, fmt);
	path_of(path, sizeof(path), fmt, ap);
	va_end(ap);
	return dci_rt_diff(t, "%s: model \"%s\", dump \"%s\"", path, model, dump);
}

bool dci_rt_blob(struct dci_rt *t, const struct dc_blob *model, const struct dc_blob *dump,
		 const char *fmt, ...)
{
	char path[128];
	va_list ap;
	uint64_t off = 0;
	bool same = model->size == dump->size &&
		    (!model->size || memcmp(model->data, dump->data, (size_t)model->size) == 0);
	if (same || t->err != DC_OK)
		return same;
	va_start(ap, fmt);
	path_of(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (model->size != dump->size)
		return dci_rt_diff(t, "%s: model %llu bytes, dump %llu bytes", path,
				   (unsigned long long)model->size, (unsigned long long)dump->size);
	while (model->data[off] == dump->data[off])
		off++;
	return dci_rt_diff(t, "%s: byte +0x%llX: model 0x%02X, dump 0x%02X", path,
			   (unsigned long long)off, model->data[off], dump->data[off]);
}

/* ---------------------------------------------------------------- system, misc */

static void system_info(struct dci_rt *t)
{
	const struct dc_system *m = &t->model->system, *d = &t->read->system;
	struct dc_blob mcpu = { m->cpu, sizeof(m->cpu) }, dcpu = { d->cpu, sizeof(d->cpu) };
	dci_rt_val(t, (uint64_t)t->model->arch, (uint64_t)t->read->arch, "system.arch");
	dci_rt_val(t, m->processor_level, d->processor_level, "system.processor_level");
	dci_rt_val(t, m->processor_revision, d->processor_revision, "system.processor_revision");
	dci_rt_val(t, m->processors, d->processors, "system.processors");
	dci_rt_val(t, m->product_type, d->product_type, "system.product_type");
	dci_rt_val(t, m->major, d->major, "system.major");
	dci_rt_val(t, m->minor, d->minor, "system.minor");
	dci_rt_val(t, m->build, d->build, "system.build");
	dci_rt_val(t, m->platform_id, d->platform_id, "system.platform_id");
	dci_rt_str(t, m->csd, d->csd, "system.csd");
	dci_rt_val(t, m->suite_mask, d->suite_mask, "system.suite_mask");
	dci_rt_blob(t, &mcpu, &dcpu, "system.cpu");
	dci_rt_val(t, t->model->pid, t->read->pid, "misc.pid");
	dci_rt_val(t, t->model->create_time, t->read->create_time, "misc.create_time");
	dci_rt_val(t, t->model->user_time, t->read->user_time, "misc.user_time");
	dci_rt_val(t, t->model->kernel_time, t->read->kernel_time, "misc.kernel_time");
}

/* ---------------------------------------------------------------- threads */

static void thread_info(struct dci_rt *t, size_t i, const struct dc_thread *m, const struct dc_thread *d)
{
	bool kept = DCI_RT_FLAG(t, DC_MiniDumpWithThreadInfo) && (t->tflags[i] & DC_ThreadWriteThreadInfo);
	dci_rt_val(t, kept ? m->exit_status : 0, d->exit_status, "threads[%zu].exit_status", i);
	dci_rt_val(t, kept ? m->create_time : 0, d->create_time, "threads[%zu].create_time", i);
	dci_rt_val(t, kept ? m->exit_time : 0, d->exit_time, "threads[%zu].exit_time", i);
	dci_rt_val(t, kept ? m->kernel_time : 0, d->kernel_time, "threads[%zu].kernel_time", i);
	dci_rt_val(t, kept ? m->user_time : 0, d->user_time, "threads[%zu].user_time", i);
	dci_rt_val(t, kept ? m->start_address : 0, d->start_address, "threads[%zu].start_address", i);
	dci_rt_val(t, kept ? m->affinity : 0, d->affinity, "threads[%zu].affinity", i);
}

static void thread_stack(struct dci_rt *t, size_t i, const struct dc_thread *m, const struct dc_thread *d)
{
	/* a full-memory dump holds a stack only as part of a region it keeps */
	bool dumped = !DCI_RT_FLAG(t, DC_MiniDumpWithFullMemory) ||
		      dci_rt_full_memory_region(t, dc_process_region_at(t->model, m->stack.base));
	if (!(t->tflags[i] & DC_ThreadWriteStack) || !m->stack.size || !dumped) {
		dci_rt_val(t, 0, d->stack.size, "threads[%zu].stack.size", i);
		return;
	}
	if (DCI_RT_FLAG(t, DC_ROUNDTRIP_CALLBACK_MEMORY) && !d->stack.size)
		return; /* a callback may have removed its memory */
	dci_rt_val(t, m->stack.base, d->stack.base, "threads[%zu].stack.base", i);
	dci_rt_val(t, m->stack.size, d->stack.size, "threads[%zu].stack.size", i);
	if (t->err == DC_OK && !dci_rt_covered(t->read, d->stack.base, d->stack.size))
		dci_rt_diff(t, "threads[%zu].stack: 0x%llX+0x%llX is not in the dump's memory", i,
			    (unsigned long long)d->stack.base, (unsigned long long)d->stack.size);
}

static void thread_one(struct dci_rt *t, size_t i, const struct dc_thread *d)
{
	static const struct dc_blob none = { NULL, 0 };
	const struct dc_thread *m = &t->model->threads[i];
	dci_rt_val(t, m->id, d->id, "threads[%zu].id", i);
	dci_rt_val(t, m->suspend_count, d->suspend_count, "threads[%zu].suspend_count", i);
	dci_rt_val(t, m->priority_class, d->priority_class, "threads[%zu].priority_class", i);
	dci_rt_val(t, m->priority, d->priority, "threads[%zu].priority", i);
	dci_rt_val(t, m->teb, d->teb, "threads[%zu].teb", i);
	dci_rt_str(t, m->name, d->name, "threads[%zu].name", i);
	dci_rt_blob(t, (t->tflags[i] & DC_ThreadWriteContext) ? &m->context : &none, &d->context,
		    "threads[%zu].context", i);
	thread_stack(t, i, m, d);
	thread_info(t, i, m, d);
}

/* A dump thread past those the flags keep: say whether it was left out. */
static void extra_thread(struct dci_rt *t, size_t k)
{
	uint32_t id = t->read->threads[k].id;
	for (size_t i = 0; i < t->model->nthreads; i++)
		if (t->model->threads[i].id == id && !(t->tflags[i] & DC_ThreadWriteThread)) {
			dci_rt_diff(t, "threads[%zu] (id 0x%X): left out (flags 0x%X), but the dump has it", i,
				    id, t->tflags[i]);
			return;
		}
	dci_rt_diff(t, "threads: dump thread %zu (id 0x%X) is not one the flags keep", k, id);
}

static void threads(struct dci_rt *t)
{
	size_t k = 0;
	for (size_t i = 0; i < t->model->nthreads && t->err == DC_OK; i++) {
		if (!(t->tflags[i] & DC_ThreadWriteThread))
			continue;
		if (k == t->read->nthreads) {
			dci_rt_diff(t, "threads[%zu] (id 0x%X): kept (flags 0x%X), but the dump has %zu threads",
				    i, t->model->threads[i].id, t->tflags[i], t->read->nthreads);
			return;
		}
		thread_one(t, i, &t->read->threads[k++]);
	}
	if (t->err == DC_OK && k < t->read->nthreads)
		extra_thread(t, k);
}

/* ---------------------------------------------------------------- modules */

/* FilterModulePaths keeps only the file name. */
static const char *module_path(const struct dci_rt *t, const char *path)
{
	const char *base = path ? path : "";
	if (!DCI_RT_FLAG(t, DC_MiniDumpFilterModulePaths))
		return base;
	for (const char *c = base; *c; c++)
		if (*c == '\\' || *c == '/')
			base = c + 1;
	return base;
}

static void module_one(struct dci_rt *t, size_t i, const struct dc_module *d)
{
	static const struct dc_blob none = { NULL, 0 };
	const struct dc_module *m = &t->model->modules[i];
	uint32_t f = t->mflags[i];
	dci_rt_val(t, m->base, d->base, "modules[%zu].base", i);
	dci_rt_str(t, module_path(t, m->path), d->path, "modules[%zu].path", i);
	dci_rt_val(t, m->size, d->size, "modules[%zu].size", i);
	dci_rt_val(t, m->checksum, d->checksum, "modules[%zu].checksum", i);
	dci_rt_val(t, m->timestamp, d->timestamp, "modules[%zu].timestamp", i);
	for (size_t k = 0; k < 13; k++)
		dci_rt_val(t, m->version[k], d->version[k], "modules[%zu].version[%zu]", i, k);
	dci_rt_blob(t, (f & DC_ModuleWriteCvRecord) ? &m->cv : &none, &d->cv, "modules[%zu].cv", i);
	dci_rt_blob(t, (f & DC_ModuleWriteMiscRecord) ? &m->misc : &none, &d->misc, "modules[%zu].misc", i);
}

static void modules(struct dci_rt *t)
{
	size_t k = 0;
	for (size_t i = 0; i < t->model->nmodules && t->err == DC_OK; i++) {
		if (!(t->mflags[i] & DC_ModuleWriteModule))
			continue;
		if (k == t->read->nmodules) {
			dci_rt_diff(t, "modules[%zu] (0x%llX): kept (flags 0x%X), but the dump has %zu modules",
				    i, (unsigned long long)t->model->modules[i].base, t->mflags[i],
				    t->read->nmodules);
			return;
		}
		module_one(t, i, &t->read->modules[k++]);
	}
	if (t->err == DC_OK && k < t->read->nmodules)
		dci_rt_diff(t, "modules: dump module %zu (0x%llX) is not one the flags keep", k,
			    (unsigned long long)t->read->modules[k].base);
}

/* ---------------------------------------------------------------- lists */

static void handle_one(struct dci_rt *t, size_t i, const struct dc_handle *m, const struct dc_handle *d)
{
	dci_rt_val(t, m->handle, d->handle, "handles[%zu].handle", i);
	dci_rt_str(t, m->type_name, d->type_name, "handles[%zu].type_name", i);
	dci_rt_str(t, m->object_name, d->object_name, "handles[%zu].object_name", i);
	dci_rt_val(t, m->attributes, d->attributes, "handles[%zu].attributes", i);
	dci_rt_val(t, m->granted_access, d->granted_access, "handles[%zu].granted_access", i);
	dci_rt_val(t, m->handle_count, d->handle_count, "handles[%zu].handle_count", i);
	dci_rt_val(t, m->pointer_count, d->pointer_count, "handles[%zu].pointer_count", i);
	if (!dci_rt_val(t, m->nobjinfo, d->nobjinfo, "handles[%zu].objinfo.count", i))
		return;
	for (size_t k = 0; k < m->nobjinfo; k++) {
		dci_rt_val(t, m->objinfo[k].info_type, d->objinfo[k].info_type,
			   "handles[%zu].objinfo[%zu].info_type", i, k);
		dci_rt_blob(t, &m->objinfo[k].bytes, &d->objinfo[k].bytes, "handles[%zu].objinfo[%zu].bytes",
			    i, k);
	}
}

static void handles(struct dci_rt *t)
{
	size_t n = DCI_RT_FLAG(t, DC_MiniDumpWithHandleData) ? t->model->nhandles : 0;
	if (!dci_rt_val(t, n, t->read->nhandles, "handles.count"))
		return;
	for (size_t i = 0; i < n && t->err == DC_OK; i++)
		handle_one(t, i, &t->model->handles[i], &t->read->handles[i]);
}

static void unloaded(struct dci_rt *t)
{
	size_t n = DCI_RT_FLAG(t, DC_MiniDumpWithUnloadedModules) ? t->model->nunloaded : 0;
	if (!dci_rt_val(t, n, t->read->nunloaded, "unloaded.count"))
		return;
	for (size_t i = 0; i < n && t->err == DC_OK; i++) {
		const struct dc_unloaded_module *m = &t->model->unloaded[i], *d = &t->read->unloaded[i];
		dci_rt_val(t, m->base, d->base, "unloaded[%zu].base", i);
		dci_rt_val(t, m->size, d->size, "unloaded[%zu].size", i);
		dci_rt_val(t, m->checksum, d->checksum, "unloaded[%zu].checksum", i);
		dci_rt_val(t, m->timestamp, d->timestamp, "unloaded[%zu].timestamp", i);
		dci_rt_str(t, m->name, d->name, "unloaded[%zu].name", i);
	}
}

static void tokens(struct dci_rt *t)
{
	static const struct dc_blob none = { NULL, 0 };
	bool kept = DCI_RT_FLAG(t, DC_MiniDumpWithTokenInformation);
	dci_rt_blob(t, kept ? &t->model->tokens : &none, &t->read->tokens, "tokens");
}

/* Whether a dump has an exception is the request's choice, not the dump
 * type's: only its contents are compared here (see dc_roundtrip_check_extra). */
static void exception(struct dci_rt *t)
{
	const struct dc_exception *m = &t->model->exception, *d = &t->read->exception;
	if (!t->read->has_exception)
		return;
	if (!t->model->has_exception) {
		dci_rt_diff(t, "exception: the dump has one, the model none");
		return;
	}
	dci_rt_val(t, m->thread_id, d->thread_id, "exception.thread_id");
	dci_rt_val(t, m->code, d->code, "exception.code");
	dci_rt_val(t, m->flags, d->flags, "exception.flags");
	dci_rt_val(t, m->record, d->record, "exception.record");
	dci_rt_val(t, m->address, d->address, "exception.address");
	dci_rt_val(t, m->nparams, d->nparams, "exception.nparams");
	for (size_t k = 0; k < 15; k++)
		dci_rt_val(t, m->params[k], d->params[k], "exception.params[%zu]", k);
	dci_rt_blob(t, &m->context, &d->context, "exception.context");
}

enum dc_err dc_roundtrip_check(const struct dc_process *model, uint64_t dump_type,
			       const uint32_t *thread_flags, const uint32_t *module_flags,
			       const struct dc_process *read, char *why, size_t why_len)
{
	if (!model || !read || (model->nthreads && !thread_flags) ||
	    (model->nmodules && !module_flags))
		return DC_E_MISUSE;
	struct dci_rt t = { model, read, dump_type, thread_flags, module_flags, why, why_len, DC_OK };
	if (why && why_len)
		why[0] = '\0';
	system_info(&t);
	threads(&t);
	modules(&t);
	dci_rt_memory(&t);
	handles(&t);
	unloaded(&t);
	tokens(&t);
	exception(&t);
	return t.err;
}
