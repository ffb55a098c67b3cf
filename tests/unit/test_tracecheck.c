/* Unit tests of the trace loader and checker (dumpcheck/tracecheck.h).
 *
 * The reference writer traces every example scenario (spec/scenarios, but
 * huge.toml) in memory; a clean trace with its dump gives no finding at all.
 * Then each protocol/cross rule gets a mutation: one scenario's trace (or
 * dump) edited so that exactly that rule breaks, and the test asserts that
 * exactly that rule fires. A coverage test holds every cb.* rule (and
 * header.flags_match_request) to a mutation. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dumpcheck/scenario.h"
#include "dumpcheck/trace.h"
#include "dumpcheck/tracecheck.h"
#include "procbuild.h"

#define SCENARIOS "spec/scenarios"
#define MAX_LINES 512

/* ---------------------------------------------------------------- reference runs */

struct runout {
	char *trace;
	size_t trace_len;
	struct pb_buf dump;
};

static void reference_run(const char *name, struct runout *o)
{
	char path[256], why[256];
	struct dc_scenario sc;
	snprintf(path, sizeof(path), SCENARIOS "/%s.toml", name);
	if (dc_scenario_load(path, 0, &sc, why, sizeof(why)) != DC_OK)
		fail_msg("%s: %s", path, why);
	pb_buf_init(&o->dump);
	struct dc_sink sink = { &o->dump, pb_buf_write };
	FILE *tf = open_memstream(&o->trace, &o->trace_len);
	assert_non_null(tf);
	struct dc_tracer tracer;
	MINIDUMP_CALLBACK_INFORMATION traced = { dc_trace_callback, &tracer };
	sc.script.io = &sink;
	dc_trace_init(&tracer, tf, sc.request.callback);
	struct dc_trace_run run = {
		"dumpcheck-reference", DC_VERSION, sc.name, dc_arch_name(sc.process.arch),
		sc.request.dump_type, sc.request.process_id, sc.request.process_handle,
		sc.request.file_handle, sc.request.callback != NULL, sc.request.with_exception,
		(uint32_t)sc.request.nuser_streams,
	};
	dc_trace_header(&tracer, &run);
	if (sc.request.callback)
		sc.request.callback = &traced;
	struct dc_write_result res;
	enum dc_err err = dc_write_minidump(&sc.process, &sc.request, &sink, &res);
	dc_trace_result(&tracer, err == DC_OK, err == DC_OK ? 0 : res.hresult, o->dump.size);
	fclose(tf);
	dc_scenario_free(&sc);
}

static void runout_free(struct runout *o)
{
	free(o->trace);
	pb_buf_free(&o->dump);
}

/* Load and check `trace` (and `dump` when not NULL) into `f`. */
static void check(const char *trace, size_t len, const uint8_t *dump, uint64_t size,
		  struct dc_trace_findings *f)
{
	struct dc_trace t;
	char why[256];
	memset(f, 0, sizeof(*f));
	enum dc_err err = dc_trace_load(trace, len, NULL, &t, why, sizeof(why));
	if (err != DC_OK)
		fail_msg("load: %s: %s", dc_err_name(err), why);
	assert_int_equal(dc_trace_check(&t, dump, size, NULL, f), DC_OK);
	dc_trace_free(&t);
}

static void print_findings(const struct dc_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		print_message("    %s @%llu: %s\n", dc_rule_descs[d->items[i].rule].id,
			      (unsigned long long)d->items[i].offset, d->items[i].detail);
}

static const char *const scenarios[] = {
	"plain", "cancel", "exclude-include-module", "exclude-include-thread",
	"exclude-module-callback", "exclude-thread-callback", "full-memory-vm-region",
	"io-redirect", "io-write-failure", "kernel-minidump", "memory-add-remove", "no-callbacks",
	"read-failure", "read-failure-fatal", "secondary-flags", "trim-flags", "user-streams",
	"vm-callbacks",
};

static void clean_traces_are_quiet(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct runout o;
		struct dc_trace_findings f;
		reference_run(scenarios[i], &o);
		check(o.trace, o.trace_len, o.dump.data, o.dump.size, &f);
		if (f.trace.total || f.dump.total) {
			print_message("  %s:\n", scenarios[i]);
			print_findings(&f.trace);
			print_findings(&f.dump);
			fail_msg("the reference trace of %s has findings", scenarios[i]);
		}
		dc_trace_findings_free(&f);
		runout_free(&o);
	}
}

/* ---------------------------------------------------------------- mutations */

enum op {
	SUB,       /* in the `nth` line containing `at`, replace the first `find` by `with` */
	DROP,      /* drop the `nth` line containing `at` */
	MOVE,      /* move the `nth` line containing `at` after the first line containing `with` */
	DUP,       /* repeat the `nth` line containing `at` */
	DUMP_CUT,  /* cut the dump to 16 bytes */
	DUMP_FLAGS,/* Header.Flags |= 4 */
	DUMP_SIZE, /* the ThreadList directory entry's DataSize += 4 */
};

struct mutation {
	const char *rule, *scenario;
	enum op op;
	const char *at;
	int nth;
	const char *find, *with;
	bool with_dump; /* check the cross rules too */
	bool keep_seq;  /* do not renumber seq and result.callbacks */
	const char *dump_from; /* check against this scenario's dump instead */
};

#define IT "\"IncludeThreadCallback\""
#define IM "\"IncludeModuleCallback\""
#define TC "\"ThreadCallback\""
#define MC "\"ModuleCallback\""
#define RESULT "\"record\":\"result\""

static const struct mutation mutations[] = {
	{ "cb.trace.sequence", "plain", SUB, "\"seq\":5,", 1, "\"seq\":5,", "\"seq\":50,", false, true, NULL },
	{ "cb.trace.result_present", "plain", DROP, RESULT, 1, NULL, NULL, false, false, NULL },
	{ "cb.no_callbacks_without_param", "plain", SUB, "\"header\"", 1, "\"callbacks\":true", "\"callbacks\":false", false, false, NULL },
	{ "cb.process_id.conventions", "plain", SUB, "IoStartCallback", 1, "\"process_id\":0", "\"process_id\":7", false, false, NULL },
	{ "cb.include_thread.preset_flags", "plain", SUB, IT, 1, "\"output_in\":{\"thread_write_flags\":23}", "\"output_in\":{\"thread_write_flags\":31}", false, false, NULL },
	{ "cb.include_module.preset_flags", "plain", SUB, IM, 1, "\"output_in\":{\"module_write_flags\":13}", "\"output_in\":{\"module_write_flags\":12}", false, false, NULL },
	{ "cb.thread_module.preset_flags", "plain", SUB, TC, 1, "\"output_in\":{\"thread_write_flags\":23}", "\"output_in\":{\"thread_write_flags\":31}", false, false, NULL },
	{ "cb.order.include_before_thread", "plain", MOVE, IT, 3, NULL, "\"thread_id\":4099,\"thread_handle\"", false, false, NULL },
	{ "cb.include_thread.false_excludes", "plain", SUB, IT, 1, "\"returned\":true", "\"returned\":false", false, false, NULL },
	{ "cb.include_module.false_excludes", "plain", SUB, IM, 1, "\"returned\":true", "\"returned\":false", false, false, NULL },
	{ "cb.count.one_per_included", "plain", DROP, TC, 1, NULL, NULL, false, false, NULL },
	{ "cb.include.called_for_each", "plain", DROP, IM, 1, NULL, NULL, false, false, NULL },
	{ "cb.thread.input_layout", "plain", SUB, TC, 1, "\"size_of_context\":1232", "\"size_of_context\":139264", false, false, NULL },
	{ "cb.memory.preset_zero", "plain", SUB, "\"MemoryCallback\"", 1, "\"output_in\":{\"memory_base\":\"0x0\"", "\"output_in\":{\"memory_base\":\"0x10\"", false, false, NULL },
	{ "cb.memory.loop_ends_on_zero_size", "memory-add-remove", DUP, "\"MemoryCallback\"", 3, NULL, NULL, false, false, NULL },
	{ "cb.memory.loop_continues", "memory-add-remove", DROP, "\"MemoryCallback\"", 3, NULL, NULL, false, false, NULL },
	{ "cb.memory.not_with_full_memory", "plain", SUB, "\"header\"", 1, "\"dump_type\":\"0x0\"", "\"dump_type\":\"0x2\"", false, false, NULL },
	{ "cb.cancel.preset_false", "plain", SUB, "CancelCallback", 1, "\"output_in\":{\"check_cancel\":false", "\"output_in\":{\"check_cancel\":true", false, false, NULL },
	{ "cb.cancel.check_cancel_stops", "cancel", SUB, "CancelCallback", 1, "\"output_out\":{\"check_cancel\":true", "\"output_out\":{\"check_cancel\":false", false, false, NULL },
	{ "cb.cancel.cancel_fails", "plain", SUB, "CancelCallback", 1, "\"output_out\":{\"check_cancel\":false,\"cancel\":false", "\"output_out\":{\"check_cancel\":false,\"cancel\":true", false, false, NULL },
	{ "cb.io.start_preset", "plain", SUB, "IoStartCallback", 1, "\"output_in\":{\"status\":\"0x80004001\"}", "\"output_in\":{\"status\":\"0x0\"}", false, false, NULL },
	{ "cb.io.handle_is_file", "plain", SUB, "IoStartCallback", 1, "\"input\":{\"handle\":\"0x5678\"}", "\"input\":{\"handle\":\"0x5679\"}", false, false, NULL },
	{ "cb.io.no_redirect_without_accept", "io-redirect", SUB, "IoStartCallback", 1, "\"output_out\":{\"status\":\"0x1\"}", "\"output_out\":{\"status\":\"0x0\"}", false, false, NULL },
	{ "cb.io.failure_fails", "io-redirect", SUB, "IoWriteAllCallback", 1, "\"output_out\":{\"status\":\"0x0\"}", "\"output_out\":{\"status\":\"0x80004005\"}", false, false, NULL },
	{ "cb.io.finish_after_writes", "io-redirect", DROP, "IoFinishCallback", 1, NULL, NULL, false, false, NULL },
	{ "cb.read_failure.refusal_fails", "read-failure", SUB, "ReadMemoryFailureCallback", 1, "\"output_out\":{\"status\":\"0x0\"}", "\"output_out\":{\"status\":\"0x8007012b\"}", false, false, NULL },
	{ "cb.read_failure.not_in_stack", "read-failure", SUB, "ReadMemoryFailureCallback", 1, "\"offset\":\"0x310000\"", "\"offset\":\"0x101800\"", false, false, NULL },
	{ "cb.secondary_flags.preset", "plain", SUB, "SecondaryFlagsCallback", 1, "\"input\":{\"secondary_flags\":0}", "\"input\":{\"secondary_flags\":1}", false, false, NULL },
	{ "cb.vm.requires_vm_start", "vm-callbacks", SUB, "VmStartCallback", 1, "\"output_out\":{\"status\":\"0x1\"}", "\"output_out\":{\"status\":\"0x0\"}", false, false, NULL },
	{ "cb.kernel.after_dump", "plain", MOVE, "WriteKernelMinidumpCallback", 1, NULL, "\"RemoveMemoryCallback\"", false, false, NULL },
	{ "cb.kernel.preset_null", "plain", SUB, "WriteKernelMinidumpCallback", 1, "\"output_in\":{\"handle\":null}", "\"output_in\":{\"handle\":\"0x1\"}", false, false, NULL },
	{ "cb.kernel.status_after_handle", "kernel-minidump", SUB, "WriteKernelMinidumpCallback", 1, "\"output_out\":{\"handle\":\"0x4d44\"}", "\"output_out\":{\"handle\":null}", false, false, NULL },
	{ "cb.vm_region.full_memory_only", "full-memory-vm-region", SUB, "\"header\"", 1, "\"dump_type\":\"0x20802\"", "\"dump_type\":\"0x20800\"", false, false, NULL },
	{ "cb.vm_region.false_stops", "full-memory-vm-region", SUB, "IncludeVmRegionCallback", 1, "\"continue\":true}}", "\"continue\":false}}", false, false, NULL },
	{ "cb.order.start_before_reads", "io-redirect", MOVE, "VmStartCallback", 1, NULL, "IoWriteAllCallback", false, false, NULL },
	{ "cb.cross.failure_hresult", "cancel", SUB, RESULT, 1, "\"last_error\":\"0x800704c7\"", "\"last_error\":\"0x80004005\"", true, false, NULL },
	{ "cb.cross.dump_readable", "plain", DUMP_CUT, NULL, 0, NULL, NULL, true, false, NULL },
	{ "header.flags_match_request", "plain", DUMP_FLAGS, NULL, 0, NULL, NULL, true, false, NULL },
	/* the trace of a run that refused a thread or module, the dump of one that did not */
	{ "cb.cross.refused_thread_absent", "exclude-include-thread", SUB, "\"header\"", 1, "", "", true, false, "plain" },
	{ "cb.cross.refused_module_absent", "exclude-include-module", SUB, "\"header\"", 1, "", "", true, false, "plain" },
	{ "cb.cross.dropped_entry_absent", "plain", SUB, TC, 1, "\"returned\":true", "\"returned\":false", true, false, NULL },
	{ "cb.cross.trimmed_flags_effect", "plain", SUB, TC, 1, "\"output_out\":{\"thread_write_flags\":23}", "\"output_out\":{\"thread_write_flags\":19}", true, false, NULL },
	{ "cb.cross.included_present", "exclude-thread-callback", SUB, "\"returned\":false,\"output_out\":{\"thread_write_flags\"", 1, "\"returned\":false", "\"returned\":true", true, false, NULL },
	{ "cb.cross.added_memory_present", "memory-add-remove", SUB, "\"MemoryCallback\"", 1, "\"memory_base\":\"0x200000\"", "\"memory_base\":\"0x900000\"", true, false, NULL },
	{ "cb.cross.removed_memory_absent", "memory-add-remove", SUB, "\"RemoveMemoryCallback\"", 1, "\"memory_base\":\"0x101800\"", "\"memory_base\":\"0x200000\"", true, false, NULL },
	{ "cb.cross.list_data_size", "plain", DUMP_SIZE, NULL, 0, NULL, NULL, true, false, NULL },
	{ "cb.cross.io_bytes_match_dump", "io-redirect", SUB, "IoWriteAllCallback", 2, "\"buffer_bytes\":4096", "\"buffer_bytes\":4095", true, false, NULL },
};

/* ---------------------------------------------------------------- editing */

struct lines {
	char *v[MAX_LINES];
	size_t n;
};

static void split(const char *text, size_t len, struct lines *l)
{
	l->n = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		assert_true(l->n < MAX_LINES);
		l->v[l->n++] = strndup(text + pos, n);
		pos += n + 1;
	}
}

static char *join(const struct lines *l, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->v[i]);
	fclose(f);
	return out;
}

static size_t find_line(const struct lines *l, const char *at, int nth)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], at) && --nth == 0)
			return i;
	fail_msg("no line %d with %s", nth, at);
	return 0;
}

static void sub(struct lines *l, size_t i, const char *find, const char *with)
{
	char *p = strstr(l->v[i], find);
	if (!p)
		fail_msg("'%s' is not in line %zu: %s", find, i + 1, l->v[i]);
	char *s = NULL;
	if (asprintf(&s, "%.*s%s%s", (int)(p - l->v[i]), l->v[i], with, p + strlen(find)) < 0)
		fail();
	free(l->v[i]);
	l->v[i] = s;
}

/* seq 1, 2, ... and the result's callbacks count, after lines moved. */
static void renumber(struct lines *l)
{
	unsigned seq = 0;
	char buf[64];
	for (size_t i = 0; i < l->n; i++) {
		char *p = strstr(l->v[i], "\"seq\":");
		char *q = strstr(l->v[i], RESULT) ? strstr(l->v[i], "\"callbacks\":") : NULL;
		char *at = p ? p : q;
		if (!at)
			continue;
		size_t klen = p ? 6 : 12;
		char *end = at + klen + strspn(at + klen, "0123456789");
		snprintf(buf, sizeof(buf), "%.*s%u", (int)klen, at, p ? ++seq : seq);
		char *s = NULL;
		if (asprintf(&s, "%.*s%s%s", (int)(at - l->v[i]), l->v[i], buf, end) < 0)
			fail();
		free(l->v[i]);
		l->v[i] = s;
	}
}

static void edit_trace(const struct mutation *m, struct lines *l)
{
	size_t i = m->at ? find_line(l, m->at, m->nth) : 0;
	char *line;
	switch (m->op) {
	case SUB:
		sub(l, i, m->find, m->with);
		break;
	case DROP:
		free(l->v[i]);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(char *));
		l->n--;
		break;
	case DUP:
		memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(char *));
		l->v[i + 1] = strdup(l->v[i]);
		l->n++;
		break;
	case MOVE: {
		line = l->v[i];
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(char *));
		l->n--;
		size_t k = find_line(l, m->with, 1);
		memmove(&l->v[k + 2], &l->v[k + 1], (l->n - k - 1) * sizeof(char *));
		l->v[k + 1] = line;
		l->n++;
		break;
	}
	default:
		break;
	}
	if (!m->keep_seq)
		renumber(l);
}

/* The ThreadList directory entry (type 3), as an offset in the dump. */
static size_t thread_list_entry(const struct pb_buf *d)
{
	uint32_t n, rva;
	memcpy(&n, d->data + 8, 4);
	memcpy(&rva, d->data + 12, 4);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t type;
		memcpy(&type, d->data + rva + 12 * i, 4);
		if (type == 3)
			return rva + 12 * i;
	}
	fail_msg("no ThreadList");
	return 0;
}

static void edit_dump(const struct mutation *m, struct pb_buf *d)
{
	uint32_t v;
	size_t at;
	switch (m->op) {
	case DUMP_CUT:
		d->size = 16;
		break;
	case DUMP_FLAGS:
		d->data[24] |= 4;
		break;
	case DUMP_SIZE:
		at = thread_list_entry(d) + 4;
		memcpy(&v, d->data + at, 4);
		v += 4;
		memcpy(d->data + at, &v, 4);
		break;
	default:
		break;
	}
}

static void mutated_rule_fires(void **state)
{
	const struct mutation *m = *state;
	struct runout o;
	struct lines l;
	struct dc_trace_findings f;
	size_t len;
	reference_run(m->scenario, &o);
	split(o.trace, o.trace_len, &l);
	if (m->dump_from) {
		struct runout other;
		reference_run(m->dump_from, &other);
		pb_buf_free(&o.dump);
		o.dump = other.dump;
		free(other.trace);
	}
	if (m->op <= DUP)
		edit_trace(m, &l);
	else
		edit_dump(m, &o.dump);
	char *text = join(&l, &len);
	check(text, len, m->with_dump ? o.dump.data : NULL, m->with_dump ? o.dump.size : 0, &f);
	const struct dc_rule_desc *want = dc_rule_lookup(m->rule);
	assert_non_null(want);
	bool only = f.trace.total + f.dump.total > 0;
	for (size_t i = 0; i < f.trace.count; i++)
		only = only && strcmp(dc_rule_descs[f.trace.items[i].rule].id, m->rule) == 0;
	for (size_t i = 0; i < f.dump.count; i++)
		only = only && strcmp(dc_rule_descs[f.dump.items[i].rule].id, m->rule) == 0;
	if (!only) {
		print_findings(&f.trace);
		print_findings(&f.dump);
		fail_msg("%s: expected exactly %s to fire", m->scenario, m->rule);
	}
	/* trace findings point at a line of the trace, and say so */
	for (size_t i = 0; i < f.trace.count; i++) {
		assert_true(f.trace.items[i].offset >= 1 && f.trace.items[i].offset <= l.n);
		assert_memory_equal(f.trace.items[i].detail, "line ", 5);
	}
	dc_trace_findings_free(&f);
	free(text);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	runout_free(&o);
}

/* Every cb.* rule and header.flags_match_request has a mutation. */
static void every_rule_has_a_mutation(void **state)
{
	(void)state;
	unsigned missing = 0;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		const char *id = dc_rule_descs[r].id;
		if (strncmp(id, "cb.", 3) != 0 && strcmp(id, "header.flags_match_request") != 0)
			continue;
		bool found = false;
		for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]) && !found; i++)
			found = strcmp(mutations[i].rule, id) == 0;
		if (!found) {
			print_message("    no mutation for %s\n", id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/* ---------------------------------------------------------------- the loader */

#define HDR "{\"record\":\"header\",\"schema\":\"dumpcheck-trace\",\"schema_version\":1," \
	    "\"implementation\":\"x\",\"dump_type\":\"0x0\",\"process_id\":1,"            \
	    "\"process_handle\":\"0x4\",\"file_handle\":\"0x8\",\"callbacks\":true}\n"
#define CANCEL "{\"record\":\"callback\",\"seq\":1,\"type\":\"CancelCallback\",\"type_value\":6," \
	       "\"process_id\":1,\"process_handle\":\"0x4\",\"input\":{},"                   \
	       "\"output_in\":{\"check_cancel\":false,\"cancel\":false},\"returned\":true,"   \
	       "\"output_out\":{\"check_cancel\":false,\"cancel\":false}}\n"
#define RES "{\"record\":\"result\",\"callbacks\":1,\"returned\":true,\"last_error\":\"0x0\",\"bytes\":\"0x0\"}\n"

static void load_rejects(const char *text, enum dc_err code, const char *why)
{
	struct dc_trace t;
	char msg[256];
	enum dc_err err = dc_trace_load(text, strlen(text), NULL, &t, msg, sizeof(msg));
	if (err != code || strcmp(msg, why) != 0)
		fail_msg("got %s '%s', expected %s '%s'", dc_err_name(err), msg, dc_err_name(code), why);
	assert_null(t.calls);
	assert_null(t.implementation);
}

static void loader_errors(void **state)
{
	(void)state;
	load_rejects("", DC_E_MALFORMED, "line 1: no header record: not a dumpcheck-trace trace");
	load_rejects("{\"record\":\"header\",\"schema\":\"other\"}\n", DC_E_MALFORMED,
		     "line 1: schema: \"dumpcheck-trace\" expected");
	load_rejects("{\"record\":\"header\",\"schema\":\"dumpcheck-trace\",\"schema_version\":2}\n",
		     DC_E_UNSUPPORTED, "line 1: schema_version 2 is not supported (this build reads 1)");
	load_rejects(CANCEL, DC_E_MALFORMED, "line 1: the first record must be the header");
	load_rejects(HDR "{\"record\":\"callback\",\"seq\":1,\"type_value\":6,\"process_id\":1,"
			 "\"process_handle\":null,\"returned\":true,\"input\":{},"
			 "\"output_in\":{\"check_cancel\":false,\"cancel\":false}}\n",
		     DC_E_MALFORMED, "line 2: output_out: missing");
	load_rejects(HDR "{\"record\":\"callback\",\"seq\":1,\"type_value\":5,\"process_id\":1,"
			 "\"process_handle\":null,\"returned\":true,\"input\":{},"
			 "\"output_in\":{\"memory_base\":\"0x0\",\"memory_size\":\"x\"}}\n",
		     DC_E_MALFORMED,
		     "line 2: output_in.memory_size: a number or a \"0x...\" string expected");
	load_rejects(HDR "\n{\"record\":1}\n", DC_E_MALFORMED, "line 3: record: a string expected");
	load_rejects(HDR "{\"record\":\"callback\",,}\n", DC_E_MALFORMED,
		     "line 2: column 22: unexpected ',', a key was expected");
	load_rejects(HDR RES CANCEL, DC_E_MALFORMED, "line 3: a record after the result record");
	load_rejects(HDR HDR, DC_E_MALFORMED, "line 2: a second header record");
}

/* Unknown keys and records are ignored; CRLF line ends and blank lines are fine. */
static void loader_tolerates(void **state)
{
	(void)state;
	const char *text = "{\"record\":\"header\",\"future\":[1.5e3,{\"k\":null}],\"schema\":"
			   "\"dumpcheck-trace\",\"schema_version\":1,\"implementation\":\"x\","
			   "\"dump_type\":\"0x0\",\"process_id\":1,\"process_handle\":\"0x4\","
			   "\"file_handle\":\"0x8\",\"callbacks\":true}\r\n\r\n"
			   "{\"record\":\"note\",\"text\":\"later minor version\"}\n" CANCEL RES;
	struct dc_trace t;
	struct dc_trace_findings f;
	char why[256];
	assert_int_equal(dc_trace_load(text, strlen(text), NULL, &t, why, sizeof(why)), DC_OK);
	assert_int_equal(t.ncalls, 1);
	assert_int_equal(t.calls[0].line, 4);
	assert_true(t.has_result && t.returned);
	assert_string_equal(t.implementation, "x");
	memset(&f, 0, sizeof(f));
	assert_int_equal(dc_trace_check(&t, NULL, 0, NULL, &f), DC_OK);
	assert_int_equal(f.trace.total + f.dump.total, 0);
	dc_trace_findings_free(&f);
	dc_trace_free(&t);
}

/* Limits: a line too long, too many records. */
static void loader_limits(void **state)
{
	(void)state;
	struct dc_trace_limits lim = dc_trace_limits_default();
	struct dc_trace t;
	char why[256];
	const char *text = HDR CANCEL CANCEL RES;
	lim.max_records = 1;
	assert_int_equal(dc_trace_load(text, strlen(text), &lim, &t, why, sizeof(why)), DC_E_LIMIT);
	assert_string_equal(why, "line 3: more than 1 callback records");
	lim = dc_trace_limits_default();
	lim.max_line_bytes = 64;
	assert_int_equal(dc_trace_load(text, strlen(text), &lim, &t, why, sizeof(why)), DC_E_LIMIT);
	assert_string_equal(why, "line 1: a record longer than 64 bytes");
}

#define LOAD_TESTS 3
static const struct CMUnitTest load_tests[LOAD_TESTS] = {
	cmocka_unit_test(loader_errors),
	cmocka_unit_test(loader_tolerates),
	cmocka_unit_test(loader_limits),
};

int main(void)
{
	enum { N = sizeof(mutations) / sizeof(mutations[0]) };
	struct CMUnitTest tests[N + 3 + LOAD_TESTS];
	size_t k = 0;
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(clean_traces_are_quiet);
	tests[k++] = (struct CMUnitTest)cmocka_unit_test(every_rule_has_a_mutation);
	for (size_t i = 0; i < N; i++)
		tests[k++] = (struct CMUnitTest){ mutations[i].rule, mutated_rule_fires, NULL, NULL,
						  (void *)&mutations[i] };
	for (size_t i = 0; i < LOAD_TESTS; i++)
		tests[k++] = load_tests[i];
	return _cmocka_run_group_tests("tracecheck", tests, k, NULL, NULL);
}
