/* dc_roundtrip_check_extra: what only struct dc_read_extra shows of a
 * round trip (header, which streams, user streams, the MemoryInfoList and
 * ThreadInfoList as lists). */
#include <string.h>

#include "rt.h"

static size_t count_type(const struct dc_read_extra *x, uint32_t type)
{
	size_t n = 0;
	for (size_t i = 0; i < x->nstreams; i++)
		n += x->streams[i].type == type;
	return n;
}

static bool any_named(const struct dc_process *p, const uint32_t *tflags)
{
	for (size_t i = 0; i < p->nthreads; i++)
		if (p->threads[i].name && (tflags[i] & DC_ThreadWriteThread))
			return true;
	return false;
}

/* Each flag-driven stream is there once exactly when the request asks for
 * it (a user stream of the same type counts on top). */
static void stream_set(struct dci_rt *t, const struct dc_write_request *req,
		       const struct dc_read_extra *x)
{
	bool full = DCI_RT_FLAG(t, DC_MiniDumpWithFullMemory);
	const struct {
		uint32_t type;
		bool want;
	} set[] = {
		{ DC_STREAM_THREAD_LIST, true },
		{ DC_STREAM_MODULE_LIST, true },
		{ DC_STREAM_SYSTEM_INFO, true },
		{ DC_STREAM_MISC_INFO, true },
		{ DC_STREAM_MEMORY_LIST, !full },
		{ DC_STREAM_MEMORY64_LIST, full },
		{ DC_STREAM_EXCEPTION, req->with_exception },
		{ DC_STREAM_UNLOADED_MODULE_LIST, DCI_RT_FLAG(t, DC_MiniDumpWithUnloadedModules) },
		{ DC_STREAM_THREAD_INFO_LIST, DCI_RT_FLAG(t, DC_MiniDumpWithThreadInfo) },
		{ DC_STREAM_HANDLE_DATA, DCI_RT_FLAG(t, DC_MiniDumpWithHandleData) },
		{ DC_STREAM_MEMORY_INFO_LIST, DCI_RT_FLAG(t, DC_MiniDumpWithFullMemoryInfo) },
		{ DC_STREAM_TOKEN,
		  DCI_RT_FLAG(t, DC_MiniDumpWithTokenInformation) && t->model->tokens.size },
		{ DC_STREAM_THREAD_NAMES, any_named(t->model, t->tflags) },
	};
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		size_t user = 0;
		for (size_t k = 0; k < req->nuser_streams; k++)
			user += req->user_streams[k].type == set[i].type;
		dci_rt_val(t, set[i].want + user, count_type(x, set[i].type), "directory: streams of type %u",
			   set[i].type);
	}
}

static bool same_stream(const struct dc_user_stream *u, const struct dc_read_stream *s)
{
	return u->type == s->type && u->size == s->size &&
	       (!u->size || memcmp(u->buffer, s->data, u->size) == 0);
}

/* Every user stream of the request, in order, with its bytes. */
static void user_streams(struct dci_rt *t, const struct dc_write_request *req,
			 const struct dc_read_extra *x)
{
	size_t at = 0;
	for (size_t k = 0; k < req->nuser_streams && t->err == DC_OK; k++) {
		const struct dc_user_stream *u = &req->user_streams[k];
		while (at < x->nstreams && !same_stream(u, &x->streams[at]))
			at++;
		if (at == x->nstreams) {
			dci_rt_diff(t, "user_streams[%zu] (type 0x%X, %u bytes): not in the directory after "
				       "the earlier ones", k, u->type, u->size);
			return;
		}
		at++;
	}
}

static void memory_info(struct dci_rt *t, const struct dc_read_extra *x)
{
	const struct dc_process *m = t->model;
	size_t n = DCI_RT_FLAG(t, DC_MiniDumpWithFullMemoryInfo) ? m->nregions : 0;
	if (!dci_rt_val(t, n, x->nmemory_info, "memory_info.count"))
		return;
	for (size_t i = 0; i < n && t->err == DC_OK; i++) {
		const struct dc_region *r = &m->regions[i], *g = &x->memory_info[i];
		dci_rt_val(t, r->base, g->base, "memory_info[%zu].base", i);
		dci_rt_val(t, r->size, g->size, "memory_info[%zu].size", i);
		dci_rt_val(t, r->allocation_base, g->allocation_base, "memory_info[%zu].allocation_base", i);
		dci_rt_val(t, r->allocation_protect, g->allocation_protect,
			   "memory_info[%zu].allocation_protect", i);
		dci_rt_val(t, r->state, g->state, "memory_info[%zu].state", i);
		dci_rt_val(t, r->protect, g->protect, "memory_info[%zu].protect", i);
		dci_rt_val(t, r->type, g->type, "memory_info[%zu].type", i);
	}
}

static void thread_info_one(struct dci_rt *t, size_t i, const struct dc_read_thread_info *d)
{
	const struct dc_thread *m = &t->model->threads[i];
	dci_rt_val(t, m->id, d->thread_id, "thread_info[%zu].thread_id", i);
	dci_rt_val(t, m->exit_status, d->exit_status, "thread_info[%zu].exit_status", i);
	dci_rt_val(t, m->create_time, d->create_time, "thread_info[%zu].create_time", i);
	dci_rt_val(t, m->exit_time, d->exit_time, "thread_info[%zu].exit_time", i);
	dci_rt_val(t, m->kernel_time, d->kernel_time, "thread_info[%zu].kernel_time", i);
	dci_rt_val(t, m->user_time, d->user_time, "thread_info[%zu].user_time", i);
	dci_rt_val(t, m->start_address, d->start_address, "thread_info[%zu].start_address", i);
	dci_rt_val(t, m->affinity, d->affinity, "thread_info[%zu].affinity", i);
}

/* The ThreadInfoList: the threads with ThreadWriteThreadInfo, in model
 * order, whether or not the ThreadList keeps them. */
static void thread_info(struct dci_rt *t, const struct dc_read_extra *x)
{
	size_t k = 0;
	bool on = DCI_RT_FLAG(t, DC_MiniDumpWithThreadInfo);
	for (size_t i = 0; on && i < t->model->nthreads && t->err == DC_OK; i++) {
		if (!(t->tflags[i] & DC_ThreadWriteThreadInfo))
			continue;
		if (k == x->nthread_info) {
			dci_rt_diff(t, "thread_info: threads[%zu] (id 0x%X) has ThreadWriteThreadInfo, the list "
				       "ends after %zu entries", i, t->model->threads[i].id, k);
			return;
		}
		thread_info_one(t, i, &x->thread_info[k++]);
	}
	dci_rt_val(t, k, x->nthread_info, "thread_info.count");
}

enum dc_err dc_roundtrip_check_extra(const struct dc_process *model,
				     const struct dc_write_request *req,
				     const uint32_t *thread_flags,
				     const struct dc_read_extra *extra, char *why, size_t why_len)
{
	if (!model || !req || !extra || (model->nthreads && !thread_flags) ||
	    (req->nuser_streams && !req->user_streams))
		return DC_E_MISUSE;
	struct dci_rt t = { model, NULL, req->dump_type, thread_flags, NULL, why, why_len, DC_OK };
	if (why && why_len)
		why[0] = '\0';
	dci_rt_val(&t, req->dump_type, extra->flags, "header.Flags");
	dci_rt_val(&t, req->timestamp, extra->timestamp, "header.TimeDateStamp");
	stream_set(&t, req, extra);
	user_streams(&t, req, extra);
	memory_info(&t, extra);
	thread_info(&t, extra);
	dci_rt_val(&t, 0, extra->orphan_thread_names, "thread_names.orphans");
	return t.err;
}
