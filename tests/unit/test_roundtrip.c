/* Write round trips: model -> dc_write_minidump -> dump (no MUST finding)
 * -> dc_minidump_read_process -> dc_roundtrip_check, for every
 * MINIDUMP_TYPE flag and some combinations; the comparator's negative
 * cases; and the reader on truncated and damaged input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dumpcheck/readmodel.h"
#include "procbuild.h"

#define MAX_ITEMS 16

/* One write and read back. */
struct trip {
	struct dc_write_request req;
	struct pb_buf out;
	uint32_t tflags[MAX_ITEMS], mflags[MAX_ITEMS];
	struct dc_process read;
	struct dc_read_extra extra;
	char why[256];
};

static enum dc_err write_dump(const struct dc_process *p, uint64_t type, struct trip *t,
			      const MINIDUMP_CALLBACK_INFORMATION *cb)
{
	struct dc_write_result res;
	struct dc_sink sink = { &t->out, pb_buf_write };
	memset(t, 0, sizeof(*t));
	assert_true(p->nthreads <= MAX_ITEMS && p->nmodules <= MAX_ITEMS);
	t->req.dump_type = type;
	t->req.with_exception = true;
	t->req.timestamp = 1700000000u;
	t->req.callback = cb;
	t->req.thread_flags_out = t->tflags;
	t->req.module_flags_out = t->mflags;
	pb_buf_init(&t->out);
	return dc_write_minidump(p, &t->req, &sink, &res);
}

/* No MUST finding (findings printed so that a failure says why). */
static void assert_no_must(const struct trip *t)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	dc_validate_opts_default(&opts);
	memset(&d, 0, sizeof(d));
	assert_int_equal(dc_minidump_validate(t->out.data, t->out.size, &opts, NULL, &d), DC_OK);
	size_t must = dc_diags_count_level(&d, DC_LEVEL_MUST);
	for (size_t i = 0; must && i < d.count; i++)
		fprintf(stderr, "  %s @0x%llx %s\n", dc_rule_descs[d.items[i].rule].id,
			(unsigned long long)d.items[i].offset, d.items[i].detail);
	assert_int_equal(must, 0);
	dc_diags_free(&d);
}

static void read_back(struct trip *t)
{
	assert_int_equal(dc_minidump_read_process(t->out.data, t->out.size, &t->read, &t->extra), DC_OK);
}

static enum dc_err check(const struct dc_process *p, struct trip *t, uint64_t extra_bits)
{
	return dc_roundtrip_check(p, t->req.dump_type | extra_bits, t->tflags, t->mflags, &t->read,
				  t->why, sizeof(t->why));
}

static void assert_check_ok(const struct dc_process *p, struct trip *t, uint64_t extra_bits)
{
	enum dc_err err = check(p, t, extra_bits);
	if (err != DC_OK)
		fprintf(stderr, "dump type 0x%llx: %s\n", (unsigned long long)t->req.dump_type, t->why);
	assert_int_equal(err, DC_OK);
	err = dc_roundtrip_check_extra(p, &t->req, t->tflags, &t->extra, t->why, sizeof(t->why));
	if (err != DC_OK)
		fprintf(stderr, "dump type 0x%llx (extra): %s\n", (unsigned long long)t->req.dump_type, t->why);
	assert_int_equal(err, DC_OK);
}

static void trip_free(struct trip *t)
{
	dc_process_free(&t->read);
	pb_buf_free(&t->out);
}

static void round_trip(const struct dc_process *p, uint64_t type)
{
	struct trip t;
	assert_int_equal(write_dump(p, type, &t, NULL), DC_OK);
	assert_no_must(&t);
	read_back(&t);
	assert_check_ok(p, &t, 0);
	trip_free(&t);
}

/* ---------------------------------------------------------------- positive */

static void every_flag_alone(void **state)
{
	(void)state;
	struct dc_process p;
	const struct dc_enum_desc *e = &dc_enum_descs[DC_E_MINIDUMP_TYPE];
	pb_process(&p);
	round_trip(&p, 0); /* MiniDumpNormal */
	assert_true(e->nvalues >= 27);
	for (unsigned i = 0; i < e->nvalues; i++) {
		uint64_t type = e->values[i].value;
		if (type == DC_MiniDumpWithFullMemory) {
			/* pb_process has an unreadable region: alone, the dump fails */
			struct trip t;
			assert_int_equal(write_dump(&p, type, &t, NULL), DC_E_IO);
			pb_buf_free(&t.out);
			type |= DC_MiniDumpIgnoreInaccessibleMemory;
		}
		round_trip(&p, type);
	}
	dc_process_free(&p);
}

static const uint64_t combinations[] = {
	DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory | DC_MiniDumpFilterMemory |
		DC_MiniDumpWithFullMemoryInfo | DC_MiniDumpWithHandleData | DC_MiniDumpWithThreadInfo |
		DC_MiniDumpWithTokenInformation | DC_MiniDumpWithUnloadedModules,
	DC_MiniDumpWithDataSegs | DC_MiniDumpWithCodeSegs | DC_MiniDumpWithModuleHeaders |
		DC_MiniDumpWithProcessThreadData | DC_MiniDumpWithPrivateReadWriteMemory |
		DC_MiniDumpWithPrivateWriteCopyMemory | DC_MiniDumpFilterModulePaths |
		DC_MiniDumpFilterMemory | DC_MiniDumpScanMemory,
	DC_MiniDumpWithIndirectlyReferencedMemory | DC_MiniDumpFilterMemory |
		DC_MiniDumpWithPrivateReadWriteMemory,
	DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory |
		DC_MiniDumpFilterWriteCombinedMemory | DC_MiniDumpWithFullMemoryInfo,
	DC_MiniDumpWithPrivateReadWriteMemory | DC_MiniDumpFilterMemory | DC_MiniDumpWithFullMemoryInfo,
};

static void flag_combinations(void **state)
{
	(void)state;
	struct dc_process p;
	pb_process(&p);
	for (size_t i = 0; i < sizeof(combinations) / sizeof(combinations[0]); i++)
		round_trip(&p, combinations[i]);
	uint64_t x = 0x2545F4914F6CDD1Dull;
	for (int i = 0; i < 64; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t type = x & DC_MINIDUMP_VALID_TYPE_FLAGS_EX;
		if (type & DC_MiniDumpWithFullMemory)
			type |= DC_MiniDumpIgnoreInaccessibleMemory;
		round_trip(&p, type);
	}
	dc_process_free(&p);
}

/* pb_process as a 32-bit process: 716-byte contexts, 4-byte stack words
 * for FilterMemory. */
static void x86_process(struct dc_process *p)
{
	pb_process(p);
	p->arch = DC_ARCH_X86;
	uint32_t size = dc_arch_context_size(DC_ARCH_X86);
	for (size_t i = 0; i < p->nthreads; i++) {
		p->threads[i].context.data = dc_process_copy(p, NULL, size);
		p->threads[i].context.size = size;
	}
	p->exception.context = p->threads[1].context;
}

static void x86_round_trips(void **state)
{
	(void)state;
	struct dc_process p;
	const struct dc_enum_desc *e = &dc_enum_descs[DC_E_MINIDUMP_TYPE];
	x86_process(&p);
	round_trip(&p, 0);
	for (unsigned i = 0; i < e->nvalues; i++)
		round_trip(&p, e->values[i].value | DC_MiniDumpIgnoreInaccessibleMemory);
	round_trip(&p, combinations[0]);
	round_trip(&p, combinations[1]);
	dc_process_free(&p);
}

/* What the reader gives back, beyond what the comparator looks at. */
static void reader_fills_extra(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithFullMemoryInfo | DC_MiniDumpWithThreadInfo, &t, NULL),
			 DC_OK);
	read_back(&t);
	assert_int_equal(t.extra.flags, DC_MiniDumpWithFullMemoryInfo | DC_MiniDumpWithThreadInfo);
	assert_int_equal(t.extra.timestamp, 1700000000u);
	assert_int_equal(t.extra.nmemory_info, p.nregions);
	assert_int_equal(t.extra.nthread_info, 3);
	assert_true(t.extra.has_system_info && t.extra.has_misc_info && t.extra.has_memory_info);
	assert_int_equal(t.read.arch, DC_ARCH_AMD64);
	assert_string_equal(t.read.threads[0].name, "main");
	assert_null(t.read.threads[1].name);
	assert_int_equal(t.read.nregions, 3); /* the stacks: bytes shared with their threads */
	for (size_t i = 0; i < t.read.nregions; i++) /* zero copy: inside the dump */
		assert_true(t.read.regions[i].contents >= t.out.data &&
			    t.read.regions[i].contents < t.out.data + t.out.size);
	assert_int_equal(t.read.regions[0].protect, DC_PAGE_READWRITE);
	assert_int_equal(t.tflags[0], DC_ThreadWriteThread | DC_ThreadWriteStack | DC_ThreadWriteContext |
					   DC_ThreadWriteInstructionWindow | DC_ThreadWriteThreadInfo);
	trip_free(&t);
	/* extra is optional */
	assert_int_equal(write_dump(&p, 0, &t, NULL), DC_OK);
	assert_int_equal(dc_minidump_read_process(t.out.data, t.out.size, &t.read, NULL), DC_OK);
	assert_int_equal(t.read.nthreads, 3);
	trip_free(&t);
	dc_process_free(&p);
}

static void user_streams_round_trip(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	static const char text[] = "hello";
	struct dc_user_stream us[2] = { { 0x10001, text, sizeof(text) }, { 0x10002, text, 2 } };
	pb_process(&p);
	memset(&t, 0, sizeof(t));
	assert_int_equal(write_dump(&p, 0, &t, NULL), DC_OK);
	pb_buf_free(&t.out);
	struct dc_sink sink = { &t.out, pb_buf_write };
	struct dc_write_result res;
	t.req.user_streams = us;
	t.req.nuser_streams = 2;
	pb_buf_init(&t.out);
	assert_int_equal(dc_write_minidump(&p, &t.req, &sink, &res), DC_OK);
	read_back(&t);
	assert_int_equal(t.extra.nuser_streams, 2);
	assert_memory_equal(t.extra.user_streams[0].data, text, sizeof(text));
	assert_check_ok(&p, &t, 0);
	us[1].size = 3; /* the request now says something else */
	assert_int_equal(dc_roundtrip_check_extra(&p, &t.req, t.tflags, &t.extra, t.why, sizeof(t.why)),
			 DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "user_streams[1]"));
	trip_free(&t);
	dc_process_free(&p);
}

/* ---------------------------------------------------------------- callbacks */

struct drop {
	uint32_t thread;       /* IncludeThreadCallback: FALSE for it */
	ULONG thread_clear;    /* ThreadCallback clears these for every thread */
	uint64_t module;       /* ModuleCallback clears module_clear for it */
	ULONG module_clear;
};

static BOOL DC_WIN_CALLBACK drop_callback(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
					  PMINIDUMP_CALLBACK_OUTPUT out)
{
	const struct drop *d = param;
	switch (in->CallbackType) {
	case DC_IncludeThreadCallback: return in->IncludeThread.ThreadId != d->thread;
	case DC_ThreadCallback: out->ThreadWriteFlags &= ~d->thread_clear; return TRUE;
	case DC_ModuleCallback:
		if (in->Module.BaseOfImage == d->module)
			out->ModuleWriteFlags &= ~d->module_clear;
		return TRUE;
	}
	return TRUE;
}

/* The flags the writer reports are the ones it used: the round trip holds
 * with them, and fails when they lie. */
static void reported_flags_match_the_dump(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	struct drop d = { 0x1003, DC_ThreadWriteContext, 0x7FF800000000ull, DC_ModuleWriteCvRecord };
	MINIDUMP_CALLBACK_INFORMATION cb = { drop_callback, &d };
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithThreadInfo, &t, &cb), DC_OK);
	assert_int_equal(t.tflags[2], 0);
	assert_int_equal(t.tflags[0] & DC_ThreadWriteContext, 0);
	assert_int_equal(t.mflags[1] & DC_ModuleWriteCvRecord, 0);
	assert_no_must(&t);
	read_back(&t);
	assert_int_equal(t.read.nthreads, 2);
	assert_check_ok(&p, &t, 0);
	/* a thread left out, flags saying it was kept: "drop a thread" */
	t.tflags[2] = t.tflags[1];
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "threads[2] (id 0x1003): kept"));
	t.tflags[2] = 0;
	/* a CV record left out, flags saying it was kept */
	t.mflags[1] |= DC_ModuleWriteCvRecord;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "modules[1].cv"));
	t.mflags[1] &= ~(uint32_t)DC_ModuleWriteCvRecord;
	assert_int_equal(check(&p, &t, 0), DC_OK);
	/* a kept thread said to be left out */
	t.tflags[1] = 0;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "left out"));
	trip_free(&t);
	dc_process_free(&p);
}

/* A thread removed from the dump the reader gave back, flags unchanged. */
static void dropped_thread_is_found(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, 0, &t, NULL), DC_OK);
	read_back(&t);
	t.read.threads[1] = t.read.threads[2];
	t.read.nthreads = 2;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "threads[1].id"));
	trip_free(&t);
	dc_process_free(&p);
}

/* ---------------------------------------------------------------- damaged dumps */

/* The file offset of the bytes the read model points at. */
static size_t offset_in(const struct trip *t, const uint8_t *p)
{
	assert_true(p >= t->out.data && p < t->out.data + t->out.size);
	return (size_t)(p - t->out.data);
}

static void corrupt_stack_byte(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, 0, &t, NULL), DC_OK);
	read_back(&t);
	const struct dc_region *g = dc_process_region_at(&t.read, p.threads[2].stack.base);
	assert_non_null(g);
	t.out.data[offset_in(&t, g->contents) + 0x123] ^= 0x40; /* the read model sees it too */
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "memory["));
	assert_non_null(strstr(t.why, "+0x123"));
	trip_free(&t);
	dc_process_free(&p);
}

static void corrupt_full_memory_byte(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory,
				    &t, NULL), DC_OK);
	read_back(&t);
	const struct dc_region *g = dc_process_region_at(&t.read, PB_HEAP_TARGET);
	assert_non_null(g);
	t.out.data[offset_in(&t, g->contents) + (PB_HEAP_TARGET - g->base)] ^= 1;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "byte at 0x202000"));
	trip_free(&t);
	dc_process_free(&p);
}

static void uint32_at(uint8_t *b, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		b[k] = (uint8_t)(v >> (8 * k));
}

static const struct dc_read_stream *stream_of(const struct trip *t, uint32_t type)
{
	for (size_t i = 0; i < t->extra.nstreams; i++)
		if (t->extra.streams[i].type == type)
			return &t->extra.streams[i];
	fail_msg("no stream of type %u", type);
	return NULL;
}

static void changed_module_timestamp(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, 0, &t, NULL), DC_OK);
	read_back(&t);
	size_t at = offset_in(&t, stream_of(&t, DC_STREAM_MODULE_LIST)->data) + 4 +
		    DC_SIZE_MINIDUMP_MODULE + DC_OFF_MINIDUMP_MODULE_TimeDateStamp;
	dc_process_free(&t.read);
	uint32_at(t.out.data + at, 1600000001u);
	read_back(&t);
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_string_equal(t.why, "modules[1].timestamp: model 0x5F5E1000, dump 0x5F5E1001");
	trip_free(&t);
	dc_process_free(&p);
}

/* FilterMemory: the comparator expects the writer's zeroed words, and
 * sees a word that should have been zeroed. */
static void filtered_word_must_be_zero(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpFilterMemory, &t, NULL), DC_OK);
	read_back(&t);
	assert_check_ok(&p, &t, 0);
	const struct dc_region *g = dc_process_region_at(&t.read, p.threads[0].stack.base);
	const uint8_t *stack = g->contents + (p.threads[0].stack.base - g->base);
	static const uint8_t zero[8];
	assert_memory_equal(stack + PB_STACK_HEAP_PTR, zero, 8);          /* heap pointer: dropped */
	assert_memory_not_equal(stack + PB_STACK_CODE_PTR, zero, 8);      /* code pointer: kept */
	t.out.data[offset_in(&t, stack) + PB_STACK_HEAP_PTR] = 0x42;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "FilterMemory"));
	trip_free(&t);
	dc_process_free(&p);
}

/* Memory the model cannot read must never be in a dump. */
static void unreadable_memory_is_found(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, 0, &t, NULL), DC_OK);
	read_back(&t);
	struct dc_region *g = dc_process_add_region(&t.read);
	g->base = 0x310000;
	g->size = 16;
	g->contents = t.out.data;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "unreadable"));
	trip_free(&t);
	dc_process_free(&p);
}

/* Memory nothing asks for, and memory asked for but missing. */
static void extra_and_missing_memory_are_found(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	pb_process(&p);
	assert_int_equal(write_dump(&p, DC_MiniDumpWithPrivateReadWriteMemory, &t, NULL), DC_OK);
	read_back(&t);
	/* read as a Normal dump, the private heap is memory nobody asked for */
	assert_int_equal(dc_roundtrip_check(&p, 0, t.tflags, t.mflags, &t.read, t.why, sizeof(t.why)),
			 DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "nothing the flags keep asks for it"));
	/* unless callbacks may have added memory */
	assert_int_equal(dc_roundtrip_check(&p, DC_ROUNDTRIP_CALLBACK_MEMORY, t.tflags, t.mflags, &t.read,
					    t.why, sizeof(t.why)), DC_OK);
	/* with DataSegs too, the data sections are missing */
	for (size_t i = 0; i < p.nmodules; i++)
		t.mflags[i] |= DC_ModuleWriteDataSeg;
	assert_int_equal(check(&p, &t, 0), DC_E_MALFORMED);
	assert_non_null(strstr(t.why, "modules[0].data[0]"));
	trip_free(&t);
	dc_process_free(&p);
}

/* A stack ending at the last address (0xFFFF...FF): FilterMemory's words
 * must stop before the top instead of wrapping (found by fuzzing the
 * comparator; the writer's dci_w_filter still wraps there, so the dump
 * side is built by hand). */
static void top_process(struct dc_process *p, bool filtered)
{
	dc_process_init(p, DC_ARCH_AMD64);
	struct dc_region *r = dc_process_add_region(p);
	r->base = 0xFFFFFFFFFFFFF000ull;
	r->size = 0xFFF;
	r->state = DC_MEM_COMMIT;
	r->protect = DC_PAGE_READWRITE;
	r->type = DC_MEM_PRIVATE;
	uint8_t *c = dc_process_copy(p, NULL, r->size);
	memset(c, 0x11, (size_t)r->size);
	if (filtered)
		memset(c, 0, 0xFF8); /* every whole word points nowhere; the 7-byte tail stays */
	r->contents = c;
	struct dc_thread *t = dc_process_add_thread(p);
	t->id = 1;
	t->context.size = dc_arch_context_size(DC_ARCH_AMD64);
	t->context.data = dc_process_copy(p, NULL, t->context.size);
	t->stack.base = 0xFFFFFFFFFFFFF000ull;
	t->stack.size = 0xFFF;
}

static void filter_at_top_of_memory(void **state)
{
	(void)state;
	struct dc_process model, read;
	char why[256];
	uint32_t tf = DC_ThreadWriteThread | DC_ThreadWriteStack | DC_ThreadWriteContext;
	top_process(&model, false);
	top_process(&read, true);
	assert_int_equal(dc_process_check(&model, why, sizeof(why)), DC_OK);
	assert_int_equal(dc_roundtrip_check(&model, DC_MiniDumpFilterMemory, &tf, NULL, &read, why,
					    sizeof(why)), DC_OK);
	assert_int_equal(dc_roundtrip_check(&model, 0, &tf, NULL, &read, why, sizeof(why)),
			 DC_E_MALFORMED);
	dc_process_free(&model);
	dc_process_free(&read);
}

/* ---------------------------------------------------------------- hostile input */

static enum dc_err read_copy(const uint8_t *data, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
	struct dc_process r;
	struct dc_read_extra x;
	assert_non_null(copy);
	memcpy(copy, data, n);
	enum dc_err err = dc_minidump_read_process(copy, n, &r, &x);
	if (err == DC_OK)
		dc_process_free(&r);
	else
		assert_int_equal(r.nthreads + r.nregions + x.nstreams, 0);
	free(copy);
	return err;
}

static void small_dump(struct trip *t, struct dc_process *p)
{
	pb_process(p);
	assert_int_equal(write_dump(p, DC_MiniDumpWithHandleData | DC_MiniDumpWithThreadInfo |
					       DC_MiniDumpWithUnloadedModules | DC_MiniDumpWithTokenInformation |
					       DC_MiniDumpWithFullMemoryInfo,
				    t, NULL), DC_OK);
}

static void every_truncation(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	small_dump(&t, &p);
	for (size_t n = 0; n < t.out.size; n++) {
		enum dc_err err = read_copy(t.out.data, n);
		assert_true(err == DC_OK || err == DC_E_TRUNCATED || err == DC_E_MALFORMED);
	}
	assert_int_equal(read_copy(t.out.data, t.out.size), DC_OK);
	trip_free(&t);
	dc_process_free(&p);
}

static void every_byte_damaged(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	small_dump(&t, &p);
	uint8_t *copy = malloc(t.out.size);
	assert_non_null(copy);
	for (size_t i = 0; i < t.out.size; i++)
		for (unsigned v = 0; v < 3; v++) {
			static const uint8_t values[3] = { 0xFF, 0x80, 0x01 };
			memcpy(copy, t.out.data, t.out.size);
			copy[i] = v == 2 ? copy[i] ^ 1 : values[v];
			enum dc_err err = read_copy(copy, t.out.size);
			assert_true(err == DC_OK || err == DC_E_TRUNCATED || err == DC_E_MALFORMED ||
				    err == DC_E_LIMIT);
		}
	free(copy);
	trip_free(&t);
	dc_process_free(&p);
}

static void garbage_and_misuse(void **state)
{
	(void)state;
	uint8_t junk[512];
	struct dc_process r;
	uint64_t x = 88172645463325252ull;
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			junk[i] = (uint8_t)x;
		}
		memcpy(junk, "MDMP", 4);
		junk[8] = (uint8_t)(round % 8); /* a few streams */
		junk[9] = junk[10] = junk[11] = 0;
		junk[12] = 32;
		junk[13] = junk[14] = junk[15] = 0;
		read_copy(junk, sizeof(junk));
	}
	assert_int_equal(read_copy((const uint8_t *)"PMDM", 4), DC_E_MALFORMED);
	assert_int_equal(read_copy((const uint8_t *)"MDMP", 4), DC_E_TRUNCATED);
	assert_int_equal(dc_minidump_read_process(NULL, 4, &r, NULL), DC_E_MISUSE);
	assert_int_equal(dc_minidump_read_process(junk, 4, NULL, NULL), DC_E_MISUSE);
}

/* A handle's object-information chain that loops is MALFORMED. */
static void objinfo_loop_is_malformed(void **state)
{
	(void)state;
	struct dc_process p;
	struct trip t;
	small_dump(&t, &p);
	read_back(&t);
	const uint8_t *h = stream_of(&t, DC_STREAM_HANDLE_DATA)->data;
	uint32_t rva = (uint32_t)(h[16 + 32] | h[16 + 33] << 8 | h[16 + 34] << 16 |
				  (uint32_t)h[16 + 35] << 24);
	assert_int_not_equal(rva, 0);
	assert_int_equal(t.read.handles[0].nobjinfo, 2);
	dc_process_free(&t.read);
	uint32_at(t.out.data + rva, rva); /* NextInfoRva: itself */
	assert_int_equal(dc_minidump_read_process(t.out.data, t.out.size, &t.read, &t.extra),
			 DC_E_MALFORMED);
	trip_free(&t);
	dc_process_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_flag_alone),
		cmocka_unit_test(flag_combinations),
		cmocka_unit_test(x86_round_trips),
		cmocka_unit_test(reader_fills_extra),
		cmocka_unit_test(user_streams_round_trip),
		cmocka_unit_test(reported_flags_match_the_dump),
		cmocka_unit_test(dropped_thread_is_found),
		cmocka_unit_test(corrupt_stack_byte),
		cmocka_unit_test(corrupt_full_memory_byte),
		cmocka_unit_test(changed_module_timestamp),
		cmocka_unit_test(filtered_word_must_be_zero),
		cmocka_unit_test(unreadable_memory_is_found),
		cmocka_unit_test(extra_and_missing_memory_are_found),
		cmocka_unit_test(filter_at_top_of_memory),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(every_byte_damaged),
		cmocka_unit_test(garbage_and_misuse),
		cmocka_unit_test(objinfo_loop_is_malformed),
	};
	return cmocka_run_group_tests_name("roundtrip", tests, NULL, NULL);
}
