/* The reference DriverCallback over a model of a system (dumpcheck/dcb.h).
 *
 * What it does per type follows Wine's winmm (spec-notes §5), which says it
 * copies native: dwCallback 0 and DCB_NULL fail before anything else; the
 * type is dwFlags & DCB_TYPEMASK, so DCB_NOSWITCH and every higher bit are
 * ignored; windows and tasks get a posted message (wParam = hDevice, lParam
 * = dwParam1), events are set, functions are called; an object that does
 * not exist, a thread without a message queue and a full queue fail with
 * the last error user32/kernel32 set. */
#include <stdio.h>
#include <string.h>

#include "dumpcheck/dcb.h"

const char *dc_dcb_kind_name(enum dc_dcb_kind k)
{
	switch (k) {
	case DC_DCB_KIND_WINDOW: return "window";
	case DC_DCB_KIND_THREAD: return "thread";
	case DC_DCB_KIND_EVENT: return "event";
	case DC_DCB_KIND_FUNCTION: return "function";
	case DC_DCB_KIND_NONE: break;
	}
	return "none";
}

const char *dc_dcb_mode_name(enum dc_dcb_mode m)
{
	switch (m) {
	case DC_DCB_SENT: return "sent";
	case DC_DCB_CALLED: return "called";
	case DC_DCB_SIGNALED: return "signaled";
	case DC_DCB_POSTED: break;
	}
	return "posted";
}

void dc_dcb_system_init(struct dc_dcb_system *s)
{
	memset(s, 0, sizeof(*s));
}

/* Model handles look like the real ones (HWNDs near 0x10000, small thread
 * ids and handle values, user-space code addresses) but never collide
 * across kinds, so a handle passed with the wrong type finds nothing. */
static uint64_t model_handle(enum dc_dcb_kind kind, size_t i)
{
	switch (kind) {
	case DC_DCB_KIND_WINDOW: return 0x10010u + 0x10u * i;
	case DC_DCB_KIND_THREAD: return 0x104u + 4u * i;
	case DC_DCB_KIND_EVENT: return 0x40u + 4u * i;
	default: return 0x7FF710001000ull + 0x40u * i;
	}
}

enum dc_err dc_dcb_add(struct dc_dcb_system *s, const char *name, enum dc_dcb_kind kind,
		       bool queue, uint32_t capacity, size_t *index)
{
	if (kind == DC_DCB_KIND_NONE || (unsigned)kind > DC_DCB_KIND_FUNCTION || !name)
		return DC_E_MISUSE;
	if (s->nobjects >= DC_DCB_MAX_OBJECTS)
		return DC_E_LIMIT;
	size_t i = s->nobjects++;
	struct dc_dcb_object *o = &s->objects[i];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->kind = kind;
	o->handle = model_handle(kind, i);
	o->queue = kind == DC_DCB_KIND_WINDOW || (kind == DC_DCB_KIND_THREAD && queue);
	o->capacity = capacity ? capacity : DC_DCB_POSTED_MESSAGE_LIMIT;
	if (index)
		*index = i;
	return DC_OK;
}

int32_t dc_dcb_find(const struct dc_dcb_system *s, enum dc_dcb_kind kind, uint64_t handle)
{
	for (size_t i = 0; i < s->nobjects; i++)
		if (s->objects[i].kind == kind && s->objects[i].handle == handle)
			return (int32_t)i;
	return -1;
}

static void record(struct dc_dcb_system *s, const struct dc_dcb_delivery *d)
{
	/* one delivery per call at most: the bound is never reached, but a
	 * caller that never collects must not overflow the array */
	if (s->npending < DC_DCB_MAX_DELIVERIES)
		s->pending[s->npending++] = *d;
}

/* PostMessage / PostThreadMessage into object `i`'s queue. */
static bool post(struct dc_dcb_system *s, int32_t i, enum dc_dcb_kind via, uint32_t msg,
		 uint64_t wparam, uint64_t lparam)
{
	struct dc_dcb_object *o = &s->objects[i];
	if (o->queued >= o->capacity) {
		s->last_error = DC_DCB_ERROR_NOT_ENOUGH_QUOTA;
		return false;
	}
	o->queued++;
	struct dc_dcb_delivery d = { .via = via, .target = i, .mode = DC_DCB_POSTED, .msg = msg,
				     .wparam = wparam, .lparam = lparam };
	record(s, &d);
	return true;
}

static bool to_window(struct dc_dcb_system *s, uint64_t hwnd, uint32_t msg, uint64_t hdrvr,
		      uint64_t p1)
{
	int32_t i = dc_dcb_find(s, DC_DCB_KIND_WINDOW, hwnd);
	if (i < 0) {
		s->last_error = DC_DCB_ERROR_INVALID_WINDOW_HANDLE;
		return false;
	}
	return post(s, i, DC_DCB_KIND_WINDOW, msg, hdrvr, p1);
}

static bool to_thread(struct dc_dcb_system *s, uint64_t tid, uint32_t msg, uint64_t hdrvr,
		      uint64_t p1)
{
	int32_t i = dc_dcb_find(s, DC_DCB_KIND_THREAD, tid);
	if (i < 0 || !s->objects[i].queue) {
		/* Wine: no such thread is ERROR_INVALID_PARAMETER, a thread
		 * without a queue ERROR_INVALID_THREAD_ID */
		s->last_error = i < 0 ? DC_DCB_ERROR_INVALID_PARAMETER : DC_DCB_ERROR_INVALID_THREAD_ID;
		return false;
	}
	return post(s, i, DC_DCB_KIND_THREAD, msg, hdrvr, p1);
}

static bool to_event(struct dc_dcb_system *s, uint64_t handle)
{
	int32_t i = dc_dcb_find(s, DC_DCB_KIND_EVENT, handle);
	if (i < 0) {
		s->last_error = DC_DCB_ERROR_INVALID_HANDLE;
		return false;
	}
	s->objects[i].signaled = true;
	struct dc_dcb_delivery d = { .via = DC_DCB_KIND_EVENT, .target = i, .mode = DC_DCB_SIGNALED };
	record(s, &d);
	return true;
}

static bool to_function(struct dc_dcb_system *s, uint64_t addr, uint32_t msg, uint64_t hdrvr,
			uint64_t user, uint64_t p1, uint64_t p2)
{
	struct dc_dcb_delivery d = { .via = DC_DCB_KIND_FUNCTION,
				     .target = dc_dcb_find(s, DC_DCB_KIND_FUNCTION, addr),
				     .mode = DC_DCB_CALLED, .msg = msg, .hdrvr = hdrvr, .user = user,
				     .param1 = p1, .param2 = p2, .same_thread = true,
				     .during_call = true };
	record(s, &d);
	return true;
}

bool dc_driver_callback(struct dc_dcb_system *s, uint64_t callback, uint32_t flags, uint64_t hdrvr,
			uint32_t msg, uint64_t user, uint64_t param1, uint64_t param2)
{
	s->last_error = 0;
	if (!callback)
		return false;
	switch (flags & DC_DCB_TYPEMASK) {
	case DC_DCB_WINDOW: return to_window(s, callback, msg, hdrvr, param1);
	case DC_DCB_TASK: return to_thread(s, callback, msg, hdrvr, param1);
	case DC_DCB_FUNCTION: return to_function(s, callback, msg, hdrvr, user, param1, param2);
	case DC_DCB_EVENT: return to_event(s, callback);
	default: return false; /* DCB_NULL ("native returns FALSE") and 4, 6, 7 */
	}
}

enum dc_err dc_dcb_fill(struct dc_dcb_system *s, size_t index, uint32_t max, uint32_t *posted,
			bool *refused, uint32_t *last_error)
{
	if (index >= s->nobjects || !s->objects[index].queue)
		return DC_E_MISUSE;
	struct dc_dcb_object *o = &s->objects[index];
	uint32_t room = o->capacity > o->queued ? o->capacity - o->queued : 0;
	*posted = max < room ? max : room;
	*refused = max > room;
	*last_error = *refused ? DC_DCB_ERROR_NOT_ENOUGH_QUOTA : 0;
	o->queued += *posted;
	o->full = *refused;
	return DC_OK;
}

enum dc_err dc_dcb_drain(struct dc_dcb_system *s, size_t index, uint32_t *removed)
{
	if (index >= s->nobjects || !s->objects[index].queue)
		return DC_E_MISUSE;
	*removed = s->objects[index].queued;
	s->objects[index].queued = 0;
	s->objects[index].full = false;
	return DC_OK;
}

size_t dc_dcb_collect(struct dc_dcb_system *s, struct dc_dcb_delivery *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < s->npending; i++) {
		const struct dc_dcb_delivery *d = &s->pending[i];
		if (d->target >= 0 && d->mode == DC_DCB_POSTED && s->objects[d->target].queued)
			s->objects[d->target].queued--;
		if (d->target >= 0 && d->mode == DC_DCB_SIGNALED)
			s->objects[d->target].signaled = false;
		if (n < cap)
			out[n++] = *d;
	}
	s->npending = 0;
	return n;
}
