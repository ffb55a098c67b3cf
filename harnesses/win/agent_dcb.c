/* agent.exe dcb SCRIPT.toml TRACE.jsonl: a DriverCallback script
 * (spec/dcb-scripts/README.md) run against the real DriverCallback of the
 * winmm.dll the agent is linked to, traced with the library's record
 * writers (spec/dcb-trace.md), so its trace is judged like the reference's.
 *
 * The script's objects become real ones: a window is a message-only window
 * of the main thread; a thread is a worker thread that made a message queue
 * (or, with queue = false, one that never touches user32); an event is a
 * manual-reset event; a function is one of DCI_DCB_FUNCTIONS trampolines.
 * After every call the agent gathers what arrived anywhere: posted messages
 * (PeekMessage on the main thread and, by command, on each worker), messages
 * a window procedure received while DriverCallback ran (sent), events found
 * set (then reset), function calls. Filler messages (fill steps) are never
 * taken by a gather, only by a drain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "dumpcheck/dcb.h"
#include "dumpcheck/win/drivercallback.h"

#define DCI_DCB_FUNCTIONS 8
#if defined(_M_IX86) || defined(__i386__)
#define DCI_AGENT_ARCH "x86"
#elif defined(_M_ARM64) || defined(__aarch64__)
#define DCI_AGENT_ARCH "arm64"
#else
#define DCI_AGENT_ARCH "amd64"
#endif
#define WORKER_WAIT_MS 10000

enum worker_cmd { CMD_NONE, CMD_GATHER, CMD_DRAIN, CMD_QUIT };

struct worker {
	HANDLE thread, cmd, done;
	DWORD tid;
	bool queue;
	volatile LONG op;
	struct dc_dcb_delivery got[DC_DCB_MAX_DELIVERIES];
	size_t ngot;
	uint32_t removed;
};

struct dobj {
	uint64_t handle;
	HWND hwnd;
	HANDLE event;
	struct worker *w;
	uint32_t fillers; /* filler messages in the queue */
	bool full;
};

/* What the function trampolines and the window procedure record. They get
 * no context pointer (dwUser is a value under test), so this is the one
 * process-wide state of the agent's dcb mode. */
static struct {
	volatile LONG in_call;
	DWORD caller;
	struct dc_dcb_delivery got[DC_DCB_MAX_DELIVERIES];
	size_t ngot;
	const struct dobj *objs;
	size_t nobjs;
} rec;

static void note(const struct dc_dcb_delivery *d)
{
	if (rec.ngot < DC_DCB_MAX_DELIVERIES)
		rec.got[rec.ngot++] = *d;
}

static void function_called(int k, HDRVR h, UINT msg, DWORD_PTR user, DWORD_PTR p1, DWORD_PTR p2)
{
	struct dc_dcb_delivery d = { .via = DC_DCB_KIND_FUNCTION, .target = k, .mode = DC_DCB_CALLED,
				     .msg = msg, .hdrvr = (uint64_t)(uintptr_t)h, .user = user,
				     .param1 = p1, .param2 = p2,
				     .same_thread = GetCurrentThreadId() == rec.caller,
				     .during_call = rec.in_call != 0 };
	note(&d);
}

/* Trampoline k records itself as the k-th function slot; fn_target maps
 * the slot to the script object. */
static int32_t fn_target[DCI_DCB_FUNCTIONS];
#define TRAMPOLINE(k)                                                                         \
	static void CALLBACK fn##k(HDRVR h, UINT m, DWORD_PTR u, DWORD_PTR a, DWORD_PTR b)     \
	{                                                                                     \
		function_called(fn_target[k], h, m, u, a, b);                                \
	}
TRAMPOLINE(0) TRAMPOLINE(1) TRAMPOLINE(2) TRAMPOLINE(3)
TRAMPOLINE(4) TRAMPOLINE(5) TRAMPOLINE(6) TRAMPOLINE(7)
static const DC_WIN_DRVCALLBACK trampolines[DCI_DCB_FUNCTIONS] = { fn0, fn1, fn2, fn3,
								   fn4, fn5, fn6, fn7 };

static int32_t window_index(HWND hwnd)
{
	for (size_t i = 0; i < rec.nobjs; i++)
		if (rec.objs[i].hwnd && rec.objs[i].hwnd == hwnd)
			return (int32_t)i;
	return -1;
}

static LRESULT CALLBACK wndproc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
	if (rec.in_call && msg != DC_DCB_FILLER_MSG) {
		struct dc_dcb_delivery d = { .via = DC_DCB_KIND_WINDOW, .target = window_index(hwnd),
					     .mode = DC_DCB_SENT, .msg = msg, .wparam = wp,
					     .lparam = (uint64_t)lp };
		note(&d);
	}
	return DefWindowProcA(hwnd, msg, wp, lp);
}

/* ---------------------------------------------------------------- workers */

/* Posted messages of the calling thread's queue except fillers (hwnd NULL:
 * thread messages, else window messages), into `out`. */
static size_t gather_queue(struct dc_dcb_delivery *out, size_t n, size_t cap, int32_t self)
{
	MSG m;
	static const UINT ranges[2][2] = { { 0, DC_DCB_FILLER_MSG - 1 }, { DC_DCB_FILLER_MSG + 1, 0xFFFFFFFFu } };
	for (int r = 0; r < 2; r++)
		while (PeekMessageA(&m, NULL, ranges[r][0], ranges[r][1], PM_REMOVE | PM_NOYIELD)) {
			struct dc_dcb_delivery d = { .via = m.hwnd ? DC_DCB_KIND_WINDOW : DC_DCB_KIND_THREAD,
						     .target = m.hwnd ? window_index(m.hwnd) : self,
						     .mode = DC_DCB_POSTED, .msg = m.message,
						     .wparam = m.wParam, .lparam = (uint64_t)m.lParam };
			if (n < cap)
				out[n++] = d;
		}
	return n;
}

static uint32_t drain_fillers(HWND hwnd)
{
	MSG m;
	uint32_t n = 0;
	while (PeekMessageA(&m, hwnd, DC_DCB_FILLER_MSG, DC_DCB_FILLER_MSG, PM_REMOVE | PM_NOYIELD))
		n++;
	return n;
}

struct worker_arg {
	struct worker *w;
	int32_t self;
};

static DWORD WINAPI worker_main(LPVOID p)
{
	struct worker_arg *a = p;
	struct worker *w = a->w;
	int32_t self = a->self;
	MSG m;
	if (w->queue) /* the documented way to make a thread's message queue */
		PeekMessageA(&m, NULL, 0, 0, PM_NOREMOVE);
	SetEvent(w->done);
	for (;;) {
		WaitForSingleObject(w->cmd, INFINITE);
		LONG op = w->op;
		if (op == CMD_GATHER && w->queue)
			w->ngot = gather_queue(w->got, 0, DC_DCB_MAX_DELIVERIES, self);
		else if (op == CMD_DRAIN && w->queue)
			w->removed = drain_fillers(NULL);
		SetEvent(w->done);
		if (op == CMD_QUIT)
			return 0;
	}
}

static bool worker_do(struct worker *w, enum worker_cmd op)
{
	w->op = op;
	w->ngot = 0;
	w->removed = 0;
	SetEvent(w->cmd);
	return WaitForSingleObject(w->done, WORKER_WAIT_MS) == WAIT_OBJECT_0;
}

static struct worker *worker_start(bool queue, int32_t self)
{
	struct worker *w = calloc(1, sizeof(*w));
	static struct worker_arg args[DC_DCB_MAX_OBJECTS];
	if (!w)
		return NULL;
	w->queue = queue;
	w->cmd = CreateEventA(NULL, FALSE, FALSE, NULL);
	w->done = CreateEventA(NULL, FALSE, FALSE, NULL);
	args[self] = (struct worker_arg){ w, self };
	if (w->cmd && w->done)
		w->thread = CreateThread(NULL, 0, worker_main, &args[self], 0, &w->tid);
	if (!w->thread || WaitForSingleObject(w->done, WORKER_WAIT_MS) != WAIT_OBJECT_0) {
		free(w);
		return NULL;
	}
	return w;
}

static void worker_stop(struct worker *w)
{
	if (!w)
		return;
	if (worker_do(w, CMD_QUIT))
		WaitForSingleObject(w->thread, WORKER_WAIT_MS);
	CloseHandle(w->thread);
	CloseHandle(w->cmd);
	CloseHandle(w->done);
	free(w);
}

/* ---------------------------------------------------------------- objects */

static HWND make_window(void)
{
	WNDCLASSA wc = { 0 };
	wc.lpfnWndProc = wndproc;
	wc.hInstance = GetModuleHandleA(NULL);
	wc.lpszClassName = "dumpcheck-dcb";
	RegisterClassA(&wc); /* a second window finds the class registered */
	return CreateWindowExA(0, "dumpcheck-dcb", "", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL,
			       wc.hInstance, NULL);
}

static bool make_objects(const struct dc_dcb_script *sc, struct dobj *o)
{
	int nfn = 0;
	for (size_t i = 0; i < sc->nobjects; i++) {
		const struct dc_dcb_script_object *so = &sc->objects[i];
		switch (so->kind) {
		case DC_DCB_KIND_WINDOW:
			o[i].hwnd = make_window();
			o[i].handle = (uint64_t)(uintptr_t)o[i].hwnd;
			break;
		case DC_DCB_KIND_THREAD:
			o[i].w = worker_start(so->queue, (int32_t)i);
			o[i].handle = o[i].w ? o[i].w->tid : 0;
			break;
		case DC_DCB_KIND_EVENT:
			o[i].event = CreateEventA(NULL, TRUE, FALSE, NULL);
			o[i].handle = (uint64_t)(uintptr_t)o[i].event;
			break;
		default:
			if (nfn == DCI_DCB_FUNCTIONS) {
				fprintf(stderr, "agent: at most %d function objects\n", DCI_DCB_FUNCTIONS);
				return false;
			}
			fn_target[nfn] = (int32_t)i;
			o[i].handle = (uint64_t)(uintptr_t)trampolines[nfn++];
		}
		if (!o[i].handle) {
			fprintf(stderr, "agent: cannot create %s '%s' (error %lu)\n",
				dc_dcb_kind_name(so->kind), so->name, (unsigned long)GetLastError());
			return false;
		}
	}
	return true;
}

static void free_objects(const struct dc_dcb_script *sc, struct dobj *o)
{
	for (size_t i = 0; i < sc->nobjects; i++) {
		worker_stop(o[i].w);
		if (o[i].hwnd)
			DestroyWindow(o[i].hwnd);
		if (o[i].event)
			CloseHandle(o[i].event);
	}
}

/* Steps the real DriverCallback would turn into a jump to an address that
 * is no function (type 3, and 4, 6, 7 whose meaning is unknown, with a
 * dwCallback that is not a function object): the agent refuses the script. */
static bool runnable(const struct dc_dcb_script *sc)
{
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct dc_dcb_step *st = &sc->steps[i];
		uint32_t type = st->call.flags & DC_DCB_TYPEMASK;
		bool maybe_code = type == DC_DCB_FUNCTION || type == 4 || type == 6 || type == 7;
		bool fn = st->object >= 0 && sc->objects[st->object].kind == DC_DCB_KIND_FUNCTION;
		bool zero = st->object < 0 && st->call.callback == 0;
		if (st->op == DC_DCB_STEP_CALL && maybe_code && !fn && !zero) {
			fprintf(stderr, "agent: line %u: type %u with a dwCallback that is not a function "
					"object would make winmm jump to it; not run\n", st->line, type);
			return false;
		}
	}
	return true;
}

/* ---------------------------------------------------------------- steps */

static size_t gather(const struct dc_dcb_script *sc, struct dobj *o, struct dc_dcb_delivery *d)
{
	size_t n = gather_queue(d, 0, DC_DCB_MAX_DELIVERIES, -1);
	for (size_t i = 0; i < rec.ngot && n < DC_DCB_MAX_DELIVERIES; i++)
		d[n++] = rec.got[i];
	rec.ngot = 0;
	for (size_t i = 0; i < sc->nobjects; i++) {
		if (o[i].w && o[i].w->queue && worker_do(o[i].w, CMD_GATHER))
			for (size_t k = 0; k < o[i].w->ngot && n < DC_DCB_MAX_DELIVERIES; k++)
				d[n++] = o[i].w->got[k];
		if (o[i].event && WaitForSingleObject(o[i].event, 0) == WAIT_OBJECT_0 &&
		    n < DC_DCB_MAX_DELIVERIES) {
			d[n++] = (struct dc_dcb_delivery){ .via = DC_DCB_KIND_EVENT, .target = (int32_t)i,
							   .mode = DC_DCB_SIGNALED };
			ResetEvent(o[i].event);
		}
	}
	return n;
}

static void call_step(const struct dc_dcb_script *sc, struct dobj *o, const struct dc_dcb_step *st,
		      uint64_t seq, FILE *out)
{
	struct dc_dcb_call c = st->call;
	struct dc_dcb_target tg = { .index = st->object };
	struct dc_dcb_delivery d[DC_DCB_MAX_DELIVERIES];
	if (st->object >= 0) {
		const struct dobj *x = &o[st->object];
		c.callback = x->handle;
		tg.kind = sc->objects[st->object].kind;
		tg.queue = tg.kind == DC_DCB_KIND_WINDOW || (x->w && x->w->queue);
		tg.queued = x->fillers;
		tg.full = x->full;
	}
	rec.caller = GetCurrentThreadId();
	SetLastError(0);
	rec.in_call = 1;
	BOOL r = DriverCallback((DWORD_PTR)c.callback, c.flags, (HDRVR)(uintptr_t)c.hdrvr, c.msg,
				(DWORD_PTR)c.user, (DWORD_PTR)c.param1, (DWORD_PTR)c.param2);
	rec.in_call = 0;
	DWORD err = r ? 0 : GetLastError();
	size_t nd = gather(sc, o, d);
	dc_dcb_trace_call(out, seq, &c, &tg, r != FALSE, err, d, nd, sc);
}

static void fill_step(const struct dc_dcb_script *sc, struct dobj *x, const struct dc_dcb_step *st,
		      uint64_t seq, FILE *out)
{
	uint32_t posted = 0, attempted = 0;
	DWORD err = 0;
	while (attempted < st->max) {
		attempted++;
		BOOL ok = x->hwnd ? PostMessageA(x->hwnd, DC_DCB_FILLER_MSG, 0, (LPARAM)posted)
				  : PostThreadMessageA(x->w->tid, DC_DCB_FILLER_MSG, 0, (LPARAM)posted);
		if (!ok) {
			err = GetLastError();
			break;
		}
		posted++;
	}
	x->fillers += posted;
	x->full = posted < attempted;
	dc_dcb_trace_fill(out, seq, sc->objects[st->object].name, attempted, posted, x->full, err);
}

static void drain_step(const struct dc_dcb_script *sc, struct dobj *x, const struct dc_dcb_step *st,
		       uint64_t seq, FILE *out)
{
	uint32_t removed = 0;
	if (x->hwnd)
		removed = drain_fillers(x->hwnd);
	else if (worker_do(x->w, CMD_DRAIN))
		removed = x->w->removed;
	x->fillers = 0;
	x->full = false;
	dc_dcb_trace_drain(out, seq, sc->objects[st->object].name, removed);
}

static void run_steps(const struct dc_dcb_script *sc, struct dobj *o, FILE *out)
{
	uint64_t calls = 0;
	for (size_t i = 0; i < sc->nsteps; i++) {
		const struct dc_dcb_step *st = &sc->steps[i];
		if (st->op == DC_DCB_STEP_CALL) {
			call_step(sc, o, st, i + 1, out);
			calls++;
		} else if (st->op == DC_DCB_STEP_FILL) {
			fill_step(sc, &o[st->object], st, i + 1, out);
		} else {
			drain_step(sc, &o[st->object], st, i + 1, out);
		}
		fflush(out); /* a crash in the next step leaves this one on disk */
	}
	dc_dcb_trace_result(out, sc->nsteps, calls);
}

static int load_script(const char *path, struct dc_dcb_script *sc)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(1u << 24) : NULL, why[256];
	size_t n = buf ? fread(buf, 1, 1u << 24, f) : 0;
	if (f)
		fclose(f);
	enum dc_err err = buf ? dc_dcb_script_parse(buf, n, sc, why, sizeof(why)) : DC_E_IO;
	free(buf);
	if (err != DC_OK)
		fprintf(stderr, "agent: %s: %s\n", path, err == DC_E_IO ? "cannot read" : why);
	return err == DC_OK ? 0 : 2;
}

int dci_agent_dcb_main(int argc, char **argv)
{
	static struct dobj objs[DC_DCB_MAX_OBJECTS];
	struct dc_dcb_script sc;
	char version[128];
	if (argc != 4) {
		fputs("usage: agent.exe dcb SCRIPT.toml TRACE.jsonl\n", stderr);
		return 2;
	}
	if (load_script(argv[2], &sc) != 0)
		return 2;
	FILE *out = runnable(&sc) ? fopen(argv[3], "w") : NULL;
	int status = 2;
	rec.objs = objs;
	rec.nobjs = sc.nobjects;
	if (out && make_objects(&sc, objs)) {
		struct dc_dcb_delivery stray[DC_DCB_MAX_DELIVERIES];
		gather_queue(stray, 0, DC_DCB_MAX_DELIVERIES, -1); /* window creation leftovers */
		dci_agent_dll_version(L"winmm.dll", version, sizeof(version));
		struct dc_dcb_trace_run run = { "winmm", version, sc.name, DCI_AGENT_ARCH };
		dc_dcb_trace_header(out, &run, &sc);
		run_steps(&sc, objs, out);
		status = ferror(out) ? 2 : 0;
	}
	free_objects(&sc, objs);
	if (out && fclose(out) != 0)
		status = 2;
	dc_dcb_script_free(&sc);
	return status;
}
