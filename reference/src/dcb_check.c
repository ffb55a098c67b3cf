/* The dcb.* rules over a loaded notification trace (spec/rules/dcb.toml).
 *
 * Each call record is judged on its own: from dwCallback, the type
 * (dwFlags & DCB_TYPEMASK) and the state of the object dwCallback named,
 * the call has one expectation (FALSE and nothing, or one delivery of a
 * given shape and TRUE) and one governing rule. A call that misses its
 * expectation gives one finding, under the governing rule, or under the
 * flag rule when dwFlags carries bits beyond the type: those bits are then
 * the likeliest cause (one defect, one finding). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dumpcheck/dcb.h"
#include "internal.h"

enum expect { E_NOTHING, E_POST, E_CALL, E_SIGNAL };

struct judge {
	const struct dc_dcb_trace_call *c;
	enum expect e;
	enum dc_dcb_kind via; /* E_POST: window or thread */
	enum dc_rule rule;    /* the governing rule */
	bool lenient;         /* E_POST: FALSE with nothing is also fine (msg may be refused) */
};

/* Messages every implementation must be able to post: the MM_* driver
 * notifications and WM_USER .. WM_APP + 0x3FFE. Below WM_USER, user32
 * refuses (or marshals) messages that carry pointers, so a FALSE there is
 * no evidence against DriverCallback. */
static bool plain_msg(uint32_t m)
{
	return (m >= 0x3B5 && m <= 0x3DF) || (m >= 0x400 && m < DC_DCB_FILLER_MSG);
}

/* The expectation and governing rule of one call. */
static void expect(struct judge *j)
{
	const struct dc_dcb_call *a = &j->c->call;
	const struct dc_dcb_target *t = &j->c->target;
	uint32_t type = a->flags & DC_DCB_TYPEMASK;
	bool has_queue = t->index >= 0 && t->queue;
	j->e = E_NOTHING;
	j->lenient = false;
	if (!a->callback) {
		j->rule = DC_RULE_DCB_ZERO_CALLBACK_FALSE;
	} else if (type == DC_DCB_NULL) {
		j->rule = a->flags & DC_CALLBACK_TYPEMASK ? DC_RULE_DCB_FLAGS_CALLBACK_CONSTANT
							  : DC_RULE_DCB_NULL_RETURNS_FALSE;
	} else if (type == DC_DCB_FUNCTION) {
		j->e = E_CALL;
		j->rule = DC_RULE_DCB_FUNCTION_DELIVERY;
	} else if (type == DC_DCB_EVENT) {
		bool ok = t->index >= 0 && t->kind == DC_DCB_KIND_EVENT;
		j->e = ok ? E_SIGNAL : E_NOTHING;
		j->rule = ok ? DC_RULE_DCB_EVENT_DELIVERY : DC_RULE_DCB_INVALID_HANDLE_FALSE;
	} else if (type == DC_DCB_WINDOW || type == DC_DCB_TASK) {
		j->via = type == DC_DCB_WINDOW ? DC_DCB_KIND_WINDOW : DC_DCB_KIND_THREAD;
		bool ok = t->index >= 0 && t->kind == j->via && has_queue;
		j->e = ok && !t->full ? E_POST : E_NOTHING;
		j->rule = !ok ? DC_RULE_DCB_INVALID_HANDLE_FALSE
			  : t->full ? DC_RULE_DCB_QUEUE_FULL_FALSE
			  : type == DC_DCB_WINDOW ? DC_RULE_DCB_WINDOW_DELIVERY
						  : DC_RULE_DCB_TASK_DELIVERY;
		j->lenient = j->e == E_POST && !plain_msg(a->msg);
	} else {
		j->rule = DC_RULE_DCB_TYPE_UNKNOWN_FALSE;
	}
}

/* The rule a defect is reported under: bits of dwFlags beyond the type
 * come first (a type rule stays with its own rule for a CALLBACK_* value). */
static enum dc_rule blame(const struct judge *j, enum dc_rule rule)
{
	uint32_t f = j->c->call.flags;
	if (!j->c->call.callback || rule == DC_RULE_DCB_FLAGS_CALLBACK_CONSTANT)
		return rule;
	if (f & ~(uint32_t)(DC_DCB_TYPEMASK | DC_DCB_NOSWITCH))
		return DC_RULE_DCB_TYPE_MASK;
	if (f & DC_DCB_NOSWITCH)
		return DC_RULE_DCB_TYPE_NOSWITCH_IGNORED;
	return rule;
}

static void exercise_call(struct dci_check *k, const struct judge *j)
{
	uint32_t f = j->c->call.flags;
	dci_check_exercise(k, j->rule);
	dci_check_exercise(k, DC_RULE_DCB_FLAGS_CALLER_CALLBACK_CONSTANT);
	if (j->c->call.callback && (f & ~(uint32_t)(DC_DCB_TYPEMASK | DC_DCB_NOSWITCH)))
		dci_check_exercise(k, DC_RULE_DCB_TYPE_MASK);
	if (j->c->call.callback && (f & DC_DCB_NOSWITCH))
		dci_check_exercise(k, DC_RULE_DCB_TYPE_NOSWITCH_IGNORED);
	if (j->e == E_POST)
		dci_check_exercise(k, DC_RULE_DCB_POSTED_NOT_SENT);
	if (j->e == E_POST || j->e == E_SIGNAL)
		dci_check_exercise(k, DC_RULE_DCB_SUCCESS_RETURNS_TRUE);
	if (j->e == E_CALL)
		dci_check_exercise(k, DC_RULE_DCB_FUNCTION_RETURNS_TRUE);
	dci_check_exercise(k, DC_RULE_DCB_TYPE_UNDOCUMENTED); /* every call says whether it is one */
}

/* What is wrong with the one delivery an expectation wants, or NULL. */
static const char *bad_delivery(const struct judge *j, const struct dc_dcb_delivery *d)
{
	const struct dc_dcb_call *a = &j->c->call;
	if (j->e == E_SIGNAL)
		return d->via != DC_DCB_KIND_EVENT || d->mode != DC_DCB_SIGNALED ? "not an event set"
		       : d->target != j->c->target.index ? "another event was set" : NULL;
	if (j->e == E_CALL) {
		if (d->via != DC_DCB_KIND_FUNCTION || d->mode != DC_DCB_CALLED)
			return "not a function call";
		/* a dwCallback that names no function object is foreign code: the
		 * call must still happen, at no object of the trace */
		int32_t want = j->c->target.kind == DC_DCB_KIND_FUNCTION ? j->c->target.index : -1;
		if (d->target != want)
			return "another function was called";
		if (d->hdrvr != a->hdrvr || d->msg != a->msg || d->user != a->user ||
		    d->param1 != a->param1 || d->param2 != a->param2)
			return "called with other arguments";
		return !d->during_call || !d->same_thread ? "not called synchronously on the caller's thread"
							  : NULL;
	}
	if (d->via != j->via)
		return j->via == DC_DCB_KIND_WINDOW ? "not a window message" : "not a thread message";
	if (d->target != j->c->target.index)
		return "arrived at another object";
	if (d->msg != a->msg || d->wparam != a->hdrvr || d->lparam != a->param1)
		return "message, wParam or lParam differ from msg, hDevice, dwParam1";
	return NULL;
}

static void judge_delivery(struct dci_check *k, const struct judge *j)
{
	const struct dc_dcb_trace_call *c = j->c;
	unsigned line = c->line;
	if (j->e == E_POST)
		for (size_t i = 0; i < c->nd; i++)
			if (c->d[i].mode == DC_DCB_SENT) {
				dci_check_line(k, DC_RULE_DCB_POSTED_NOT_SENT, line, "msg 0x%" PRIx32 " was sent to %s",
					c->d[i].msg, dc_dcb_kind_name(c->d[i].via));
				return;
			}
	if (c->nd_total == 0) {
		if (!(c->returned == false && j->lenient))
			dci_check_line(k, blame(j, j->rule), line, "nothing arrived (returned %s, last error %" PRIu32 ")",
				c->returned ? "TRUE" : "FALSE", c->last_error);
		return;
	}
	const char *why = c->nd_total > 1 ? "more than one notification arrived" : bad_delivery(j, &c->d[0]);
	if (why) {
		dci_check_line(k, blame(j, j->rule), line, "%s", why);
	} else if (!c->returned) {
		enum dc_rule r = j->e == E_CALL ? DC_RULE_DCB_FUNCTION_RETURNS_TRUE
						: DC_RULE_DCB_SUCCESS_RETURNS_TRUE;
		dci_check_line(k, blame(j, r), line, "delivered, but returned FALSE (last error %" PRIu32 ")",
			c->last_error);
	}
}

static void judge_call(struct dci_check *k, const struct dc_dcb_trace_call *c)
{
	struct judge j = { .c = c };
	expect(&j);
	exercise_call(k, &j);
	uint32_t type = c->call.flags & DC_DCB_TYPEMASK;
	if (c->call.flags & DC_CALLBACK_TYPEMASK)
		dci_check_line(k, DC_RULE_DCB_FLAGS_CALLER_CALLBACK_CONSTANT, c->line,
			"dwFlags 0x%" PRIx32 ": type %" PRIu32 " (%s)", c->call.flags, type,
			dc_enum_name(DC_E_DCB_TYPE, type) ? dc_enum_name(DC_E_DCB_TYPE, type) : "undocumented");
	if (c->call.callback && j.rule == DC_RULE_DCB_TYPE_UNKNOWN_FALSE)
		dci_check_line(k, DC_RULE_DCB_TYPE_UNDOCUMENTED, c->line,
			"type %" PRIu32 ": returned %s, %zu notification(s)", type,
			c->returned ? "TRUE" : "FALSE", c->nd_total);
	if (j.e != E_NOTHING) {
		judge_delivery(k, &j);
	} else if (c->returned || c->nd_total) {
		dci_check_line(k, blame(&j, j.rule), c->line, "returned %s, %zu notification(s) arrived%s",
			c->returned ? "TRUE" : "FALSE", c->nd_total,
			c->nd_total ? c->d[0].mode == DC_DCB_CALLED ? " (a function was called)" : "" : "");
	}
}

static void judge_trace(struct dci_check *k, const struct dc_dcb_trace *t)
{
	dci_check_exercise(k, DC_RULE_DCB_TRACE_RESULT_PRESENT);
	if (!t->seq_ok)
		dci_check_line(k, DC_RULE_DCB_TRACE_RESULT_PRESENT, t->seq_bad_line,
			"seq is not the record's step number");
	if (!t->has_result)
		dci_check_line(k, DC_RULE_DCB_TRACE_RESULT_PRESENT, 1, "no result record: the run did not finish");
	else if (t->result_calls != t->ncalls || t->result_steps != t->steps)
		dci_check_line(k, DC_RULE_DCB_TRACE_RESULT_PRESENT, t->result_line,
			"result says %" PRIu64 " calls / %" PRIu64 " steps, the trace has %zu / %" PRIu64,
			t->result_calls, t->result_steps, t->ncalls, t->steps);
	for (size_t i = 0; i < t->nfills; i++) {
		const struct dc_dcb_trace_fill *f = &t->fills[i];
		dci_check_exercise(k, DC_RULE_DCB_QUEUE_LIMIT);
		if (!f->refused && f->posted > DC_DCB_POSTED_MESSAGE_LIMIT)
			dci_check_line(k, DC_RULE_DCB_QUEUE_LIMIT, f->line,
				"%" PRIu32 " messages posted to one queue, none refused", f->posted);
	}
}

enum dc_err dc_dcb_check(const struct dc_dcb_trace *t, struct dc_diags *out, bool *exercised)
{
	if (!t || !out)
		return DC_E_MISUSE;
	struct dci_check k;
	dci_check_init(&k, out, exercised);
	judge_trace(&k, t);
	for (size_t i = 0; i < t->ncalls && k.err == DC_OK; i++)
		judge_call(&k, &t->calls[i]);
	return k.err;
}
