/* The reference writer's Vm* callbacks (spec-notes §3.6 items 16-20, §6
 * rules 71-72; the writer.vm_* rules): VmStart's S_FALSE turns them on, the
 * reads cover every dumped byte once, patches and supplied bytes are what
 * the dump holds, each failure reading fails the dump without a header, and
 * VmQuery describes a snapshot's regions. Each test scripts the callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "procbuild.h"

#define PIECE 0x10000u        /* writer.vm_read_pieces */
#define BIG_BASE 0x7FFA0000F000ull /* a region that spans several pieces */
#define BIG_SIZE 0x22000u
#define MAX_PIECES 256
#define PROCESS_HANDLE ((HANDLE)(uintptr_t)0x4321)

#define FULL (DC_MiniDumpWithFullMemory | DC_MiniDumpIgnoreInaccessibleMemory)
#define PARTIAL DC_MiniDumpWithPrivateReadWriteMemory

struct piece {
	uint64_t offset;
	ULONG size;
};

/* What the scripted callback answers and what it saw. */
struct script {
	HRESULT vm_start, snapshot; /* Status answered to VmStart / IsProcessSnapshot */
	BOOL vm_start_returns;      /* the BOOL VmStart returns (TRUE unless set otherwise) */
	ULONG pre_supply;           /* VmPreRead fills this many bytes itself (capped at Size) */
	BOOL pre_returns;
	unsigned pre_fail_at;       /* VmPreRead call (1-based) answering pre_status / pre_count */
	HRESULT pre_status;
	ULONG pre_count_over;       /* ... with VmReadBytesCompleted = Size + this */
	uint8_t post_xor;           /* VmPostRead xors every byte with it */
	BOOL post_returns;
	unsigned post_fail_at;      /* VmPostRead call answering post_status / post_count */
	HRESULT post_status;
	int post_count_delta;       /* ... with VmReadBytesCompleted = Size + this */
	uint64_t query_region;      /* VmQuery: the region to answer for */
	HRESULT query_status;
	MINIDUMP_MEMORY_INFO query_answer;
	BOOL query_returns;
	/* observations */
	unsigned calls[32];
	struct piece pieces[MAX_PIECES];
	uint64_t post_bytes;
	unsigned bad_presets, post_mismatch, dirty_buffers, query_bad_presets;
	unsigned pid_mismatch; /* Vm* calls get ProcessId and hProcess (spec-notes §3.6 item 21) */
	const struct dc_process *p;
};

/* What the scripted VmPreRead writes for the byte at `addr`. */
static uint8_t pattern(uint64_t addr)
{
	return (uint8_t)(0xA5 ^ (addr >> 3));
}

static BOOL pre_read(struct script *s, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	unsigned n = s->calls[DC_VmPreReadCallback];
	ULONG size = in->VmPreRead.Size;
	uint8_t *buf = in->VmPreRead.Buffer;
	if (out->VmReadStatus != (HRESULT)DC_HR_S_OK || out->VmReadBytesCompleted != 0)
		s->bad_presets++;
	for (ULONG k = 0; k < size; k++)
		if (buf[k])
			s->dirty_buffers++;
	if (n <= MAX_PIECES)
		s->pieces[n - 1] = (struct piece){ in->VmPreRead.Offset, size };
	if (n == s->pre_fail_at) {
		out->VmReadStatus = s->pre_status;
		out->VmReadBytesCompleted = size + s->pre_count_over;
		return TRUE;
	}
	ULONG supply = s->pre_supply < size ? s->pre_supply : size;
	for (ULONG k = 0; k < (s->pre_returns ? supply : size); k++)
		buf[k] = pattern(in->VmPreRead.Offset + k); /* FALSE: written but not claimed */
	out->VmReadBytesCompleted = supply;
	return s->pre_returns;
}

static BOOL post_read(struct script *s, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	unsigned n = s->calls[DC_VmPostReadCallback];
	const struct piece *pre = &s->pieces[s->calls[DC_VmPreReadCallback] - 1];
	ULONG size = in->VmPostRead.Size;
	uint8_t *buf = in->VmPostRead.Buffer;
	if (in->VmPostRead.Offset != pre->offset || size != pre->size ||
	    in->VmPostRead.Completed != size || in->VmPostRead.Status != (HRESULT)DC_HR_S_OK ||
	    n != s->calls[DC_VmPreReadCallback])
		s->post_mismatch++;
	if (out->VmReadStatus != (HRESULT)DC_HR_S_OK || out->VmReadBytesCompleted != size)
		s->bad_presets++;
	s->post_bytes += size;
	for (ULONG k = 0; k < size; k++)
		buf[k] ^= s->post_xor;
	if (n == s->post_fail_at) {
		out->VmReadStatus = s->post_status;
		out->VmReadBytesCompleted = (ULONG)((int64_t)size + s->post_count_delta);
	}
	return s->post_returns;
}

static BOOL query(struct script *s, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	const struct dc_region *r = dc_process_region_at(s->p, in->VmQuery.Offset);
	MINIDUMP_MEMORY_INFO q = out->VmQueryResult;
	if (out->VmQueryStatus != (HRESULT)DC_HR_E_NOTIMPL || !r || q.BaseAddress != r->base ||
	    q.RegionSize != r->size || q.AllocationBase != r->allocation_base ||
	    q.AllocationProtect != r->allocation_protect || q.State != r->state ||
	    q.Protect != r->protect || q.Type != r->type)
		s->query_bad_presets++;
	if (in->VmQuery.Offset != s->query_region)
		return TRUE; /* leaves the pre-set answer: the model's entry */
	out->VmQueryStatus = s->query_status;
	out->VmQueryResult = s->query_answer;
	return s->query_returns;
}

static BOOL DC_WIN_CALLBACK scripted(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
				     PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct script *s = param;
	if (in->CallbackType < 32)
		s->calls[in->CallbackType]++;
	if (in->CallbackType >= DC_VmQueryCallback && in->CallbackType <= DC_VmPostReadCallback &&
	    (in->ProcessId != 4242 || in->ProcessHandle != PROCESS_HANDLE))
		s->pid_mismatch++;
	switch (in->CallbackType) {
	case DC_VmStartCallback:
		out->Status = s->vm_start;
		return s->vm_start_returns;
	case DC_IsProcessSnapshotCallback: out->Status = s->snapshot; return TRUE;
	case DC_VmPreReadCallback: return pre_read(s, in, out);
	case DC_VmPostReadCallback: return post_read(s, in, out);
	case DC_VmQueryCallback: return query(s, in, out);
	}
	return TRUE;
}

/* A script with Vm callbacks on (VmStart TRUE + S_FALSE) that changes nothing. */
static struct script vm_on(void)
{
	struct script s = { .vm_start = (HRESULT)DC_HR_S_FALSE, .snapshot = (HRESULT)DC_HR_S_OK,
			    .vm_start_returns = TRUE, .pre_returns = TRUE, .post_returns = TRUE,
			    .query_returns = TRUE, .query_region = 1 };
	return s;
}

/* pb_process plus a private RW region of several pieces, after the others. */
static void model(struct dc_process *p)
{
	pb_process(p);
	uint8_t *c = dc_process_copy(p, NULL, BIG_SIZE);
	for (uint32_t k = 0; k < BIG_SIZE; k++)
		c[k] = (uint8_t)(k * 7 + (k >> 8));
	struct dc_region *r = dc_process_add_region(p);
	r->base = BIG_BASE;
	r->size = BIG_SIZE;
	r->allocation_base = BIG_BASE;
	r->allocation_protect = DC_PAGE_READWRITE;
	r->state = DC_MEM_COMMIT;
	r->protect = DC_PAGE_READWRITE;
	r->type = DC_MEM_PRIVATE;
	r->contents = c;
}

/* Write a dump of model() with `s` as the callback (NULL: no callback). */
static enum dc_err run(struct script *s, uint64_t type, struct pb_buf *out,
		       struct dc_write_result *res, struct dc_process *p)
{
	MINIDUMP_CALLBACK_INFORMATION cb = { scripted, s };
	struct dc_write_request req = { .dump_type = type, .timestamp = 1700000000u,
					.callback = s ? &cb : NULL, .process_id = 4242,
					.process_handle = PROCESS_HANDLE };
	struct dc_sink sink = { out, pb_buf_write };
	model(p);
	if (s)
		s->p = p;
	pb_buf_init(out);
	return dc_write_minidump(p, &req, &sink, res);
}

static void done(struct pb_buf *out, struct dc_process *p)
{
	pb_buf_free(out);
	dc_process_free(p);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
}

static uint64_t rd64(const uint8_t *b)
{
	return rd32(b) | (uint64_t)rd32(b + 4) << 32;
}

static const uint8_t *stream(const struct pb_buf *out, uint32_t type)
{
	uint32_t n = rd32(out->data + 8);
	for (uint32_t i = 0; i < n; i++)
		if (rd32(out->data + 32 + 12 * i) == type)
			return out->data + rd32(out->data + 32 + 12 * i + 8);
	return NULL;
}

struct range {
	uint64_t start, size, rva;
};

/* The memory ranges of a dump (MemoryList or Memory64List), in file order. */
static size_t ranges(const struct pb_buf *out, struct range *r, size_t max)
{
	const uint8_t *ml = stream(out, DC_STREAM_MEMORY_LIST);
	const uint8_t *m64 = stream(out, DC_STREAM_MEMORY64_LIST);
	size_t n = 0;
	for (uint32_t i = 0; ml && i < rd32(ml) && n < max; i++, n++) {
		const uint8_t *d = ml + 4 + i * DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR;
		r[n] = (struct range){ rd64(d), rd32(d + 8), rd32(d + 12) };
	}
	uint64_t rva = m64 ? rd64(m64 + 8) : 0;
	for (uint64_t i = 0; m64 && i < rd64(m64) && n < max; i++, n++) {
		const uint8_t *d = m64 + 16 + i * 16;
		r[n] = (struct range){ rd64(d), rd64(d + 8), rva };
		rva += rd64(d + 8);
	}
	return n;
}

static void assert_valid(const struct pb_buf *out)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	dc_validate_opts_default(&opts);
	memset(&d, 0, sizeof(d));
	assert_int_equal(dc_minidump_validate(out->data, out->size, &opts, NULL, &d), DC_OK);
	assert_int_equal(d.total, 0);
	dc_diags_free(&d);
}

/* A failed dump: no MDMP header, so the validator finds a MUST violation. */
static void assert_no_valid_header(const struct pb_buf *out)
{
	static const uint8_t empty[1];
	struct dc_validate_opts opts;
	struct dc_diags d;
	assert_true(out->size < 4 || memcmp(out->data, "MDMP", 4) != 0);
	dc_validate_opts_default(&opts);
	memset(&d, 0, sizeof(d));
	assert_int_equal(dc_minidump_validate(out->data ? out->data : empty, out->size, &opts, NULL, &d),
			 DC_OK);
	assert_true(dc_diags_count_level(&d, DC_LEVEL_MUST) > 0);
	dc_diags_free(&d);
}

/* Rule 71: no Vm* callback unless VmStart returned TRUE with S_FALSE. */
static void vm_off_unless_s_false(void **state)
{
	(void)state;
	const HRESULT answers[] = { (HRESULT)DC_HR_S_OK, (HRESULT)DC_HR_E_FAIL, (HRESULT)DC_HR_E_NOTIMPL,
				    (HRESULT)DC_HR_S_FALSE /* but FALSE returned */ };
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	for (size_t k = 0; k < sizeof(answers) / sizeof(answers[0]); k++) {
		for (int full = 0; full < 2; full++) {
			struct script s = vm_on();
			s.vm_start = answers[k];
			s.vm_start_returns = k < 3;
			s.snapshot = (HRESULT)DC_HR_S_FALSE;
			uint64_t type = (full ? FULL : PARTIAL) | DC_MiniDumpWithFullMemoryInfo;
			assert_int_equal(run(&s, type, &out, &res, &p), DC_OK);
			assert_int_equal(s.calls[DC_VmStartCallback], 1);
			assert_int_equal(s.calls[DC_VmPreReadCallback], 0);
			assert_int_equal(s.calls[DC_VmPostReadCallback], 0);
			assert_int_equal(s.calls[DC_VmQueryCallback], 0);
			assert_int_equal(s.calls[DC_ThreadExCallback], 0); /* writer.thread_ex_never */
			done(&out, &p);
		}
	}
	struct script s = vm_on();
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK);
	assert_true(s.calls[DC_VmPreReadCallback] > 0);
	assert_int_equal(s.calls[DC_ThreadExCallback], 0);
	done(&out, &p);
}

/* writer.vm_read_pieces: one VmPreRead/VmPostRead pair per piece, the pieces
 * tile the dump's ranges in file order exactly once, none crosses a 64 KiB
 * boundary; the presets and the zeroed buffer (writer.vm_pre_read). */
static void reads_cover_every_byte(void **state)
{
	(void)state;
	const uint64_t types[] = { 0, PARTIAL, PARTIAL | DC_MiniDumpFilterMemory, FULL,
				   FULL | DC_MiniDumpFilterMemory };
	struct range r[64];
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct script s = vm_on();
		struct pb_buf out;
		struct dc_write_result res;
		struct dc_process p;
		assert_int_equal(run(&s, types[t], &out, &res, &p), DC_OK);
		assert_valid(&out);
		unsigned pairs = s.calls[DC_VmPreReadCallback], k = 0;
		assert_int_equal(s.calls[DC_VmPostReadCallback], pairs);
		assert_true(pairs <= MAX_PIECES);
		assert_int_equal(s.bad_presets + s.post_mismatch + s.dirty_buffers + s.pid_mismatch, 0);
		uint64_t total = 0;
		size_t n = ranges(&out, r, 64);
		for (size_t i = 0; i < n; i++) {
			total += r[i].size;
			for (uint64_t at = r[i].start; at < r[i].start + r[i].size; k++) {
				assert_true(k < pairs);
				assert_int_equal(s.pieces[k].offset, at);
				assert_true(s.pieces[k].size > 0 && s.pieces[k].size <= PIECE);
				assert_int_equal(at / PIECE, (at + s.pieces[k].size - 1) / PIECE);
				at += s.pieces[k].size;
			}
		}
		assert_int_equal(k, pairs);
		assert_int_equal(s.post_bytes, total);
		if (types[t] & (PARTIAL | DC_MiniDumpWithFullMemory))
			assert_true(pairs >= 4); /* the big region alone takes four */
		done(&out, &p);
	}
}

/* True when every memory byte of `vm` is f(that of `ref`, address). */
static bool memory_matches(const struct pb_buf *ref, const struct pb_buf *vm,
			   uint8_t (*f)(uint8_t, uint64_t))
{
	struct range a[64], b[64];
	size_t n = ranges(ref, a, 64);
	if (n == 0 || ranges(vm, b, 64) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (a[i].start != b[i].start || a[i].size != b[i].size)
			return false;
		for (uint64_t k = 0; k < a[i].size; k++)
			if (vm->data[b[i].rva + k] != f(ref->data[a[i].rva + k], a[i].start + k))
				return false;
	}
	return true;
}

static uint8_t xor5a(uint8_t v, uint64_t addr)
{
	(void)addr;
	return v ^ 0x5A;
}

static uint8_t same(uint8_t v, uint64_t addr)
{
	(void)addr;
	return v;
}

/* The dump without Vm callbacks, for comparison. */
static void reference_dump(uint64_t type, struct pb_buf *ref)
{
	struct dc_write_result res;
	struct dc_process p;
	assert_int_equal(run(NULL, type, ref, &res, &p), DC_OK);
	dc_process_free(&p);
}

/* True when the memory of `out` is the model's, each byte xored with `x`. */
static bool memory_is_model(const struct pb_buf *out, const struct dc_process *p, uint8_t x)
{
	struct range r[64];
	size_t n = ranges(out, r, 64);
	for (size_t i = 0; i < n; i++) {
		const struct dc_region *reg = dc_process_region_at(p, r[i].start);
		const uint8_t *model = reg->contents + (r[i].start - reg->base);
		for (uint64_t k = 0; k < r[i].size; k++)
			if (out->data[r[i].rva + k] != (uint8_t)(model[k] ^ x))
				return false;
	}
	return n > 0;
}

/* Undo a xor of every memory byte, in place. */
static void unxor_memory(struct pb_buf *out, uint8_t x)
{
	struct range r[64];
	size_t n = ranges(out, r, 64);
	for (size_t i = 0; i < n; i++)
		for (uint64_t k = 0; k < r[i].size; k++)
			out->data[r[i].rva + k] ^= x;
}

/* writer.vm_post_read, writer.vm_filter_memory: the buffer as VmPostRead
 * leaves it is what the dump holds, filtered words included, and nothing
 * else in the file changes; FALSE changes nothing about that. */
static void post_read_patches(void **state)
{
	(void)state;
	const uint64_t types[] = { 0, PARTIAL | DC_MiniDumpFilterMemory, FULL,
				   FULL | DC_MiniDumpFilterMemory };
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (int ret = 0; ret < 2; ret++) {
			struct script s = vm_on();
			struct pb_buf out, ref;
			struct dc_write_result res;
			struct dc_process p;
			s.post_xor = 0x5A;
			s.post_returns = ret;
			reference_dump(types[t], &ref);
			assert_int_equal(run(&s, types[t], &out, &res, &p), DC_OK);
			assert_true(memory_matches(&ref, &out, xor5a));
			if (!(types[t] & DC_MiniDumpFilterMemory))
				assert_true(memory_is_model(&out, &p, 0x5A));
			assert_valid(&out);
			assert_int_equal(out.size, ref.size);
			unxor_memory(&out, 0x5A);
			assert_memory_equal(out.data, ref.data, ref.size);
			pb_buf_free(&ref);
			done(&out, &p);
		}
	}
}

static uint8_t patterned(uint8_t v, uint64_t addr)
{
	(void)v;
	return pattern(addr);
}

/* writer.vm_pre_read: bytes VmPreRead claims are what the dump holds, the
 * writer reads the rest; FALSE is no answer (the model's bytes). */
static void pre_read_supplies_bytes(void **state)
{
	(void)state;
	const uint64_t types[] = { PARTIAL, FULL };
	for (size_t t = 0; t < 2; t++) {
		struct script s = vm_on();
		struct pb_buf out, ref;
		struct dc_write_result res;
		struct dc_process p;
		reference_dump(types[t], &ref);
		s.pre_supply = PIECE; /* all of every piece */
		assert_int_equal(run(&s, types[t], &out, &res, &p), DC_OK);
		assert_true(memory_matches(&ref, &out, patterned));
		assert_valid(&out);
		done(&out, &p);
		s = vm_on();
		s.pre_supply = PIECE;
		s.pre_returns = FALSE; /* writes the pattern but returns FALSE */
		assert_int_equal(run(&s, types[t], &out, &res, &p), DC_OK);
		assert_true(memory_matches(&ref, &out, same));
		done(&out, &p);
		/* part of each piece: the first 0x10 bytes are the callback's */
		s = vm_on();
		s.pre_supply = 0x10;
		assert_int_equal(run(&s, types[t], &out, &res, &p), DC_OK);
		struct range r[64];
		size_t n = ranges(&out, r, 64);
		unsigned k = 0;
		for (size_t i = 0; i < n; i++)
			for (uint64_t at = r[i].start; at < r[i].start + r[i].size; k++) {
				const uint8_t *d = out.data + r[i].rva + (at - r[i].start);
				const struct dc_region *reg = dc_process_region_at(&p, at);
				uint64_t len = s.pieces[k].size, mine = len < 0x10 ? len : 0x10;
				for (uint64_t b = 0; b < len; b++)
					assert_int_equal(d[b], b < mine ? pattern(at + b)
									: reg->contents[at + b - reg->base]);
				at += len;
			}
		pb_buf_free(&ref);
		done(&out, &p);
	}
}

/* FilterMemory with bytes from VmPreRead: the dropped words are zero, the
 * kept ones hold the callback's bytes (writer.vm_filter_memory). */
static void filter_decides_on_the_model(void **state)
{
	(void)state;
	struct script s = vm_on();
	struct pb_buf out, ref;
	struct dc_write_result res;
	struct dc_process p;
	uint64_t type = DC_MiniDumpFilterMemory;
	reference_dump(type, &ref);
	s.pre_supply = PIECE;
	assert_int_equal(run(&s, type, &out, &res, &p), DC_OK);
	struct range a[64], b[64];
	size_t n = ranges(&ref, a, 64);
	assert_int_equal(ranges(&out, b, 64), n);
	unsigned zeros = 0;
	for (size_t i = 0; i < n; i++)
		for (uint64_t k = 0; k + 8 <= a[i].size; k += 8) {
			const struct dc_region *reg = dc_process_region_at(&p, a[i].start + k);
			const uint8_t *model = reg->contents + (a[i].start + k - reg->base);
			bool dropped = memcmp(ref.data + a[i].rva + k, model, 8) != 0;
			for (unsigned x = 0; x < 8; x++)
				assert_int_equal(out.data[b[i].rva + k + x],
						 dropped ? 0 : pattern(a[i].start + k + x));
			zeros += dropped;
		}
	assert_true(zeros > 0); /* the stacks did have words to drop */
	pb_buf_free(&ref);
	done(&out, &p);
}

struct failure {
	unsigned pre_at, post_at;
	HRESULT status;
	ULONG pre_over;
	int post_delta;
	uint32_t hresult; /* what the dump fails with */
};

/* writer.vm_pre_read, writer.vm_post_read: every failure reading fails the
 * dump with its HRESULT and leaves no valid header. */
static void failures_fail_the_dump(void **state)
{
	(void)state;
	const struct failure cases[] = {
		{ 2, 0, (HRESULT)DC_HR_E_FAIL, 0, 0, DC_HR_E_FAIL },
		{ 3, 0, (HRESULT)0x8007001Eu /* ERROR_READ_FAULT */, 0, 0, 0x8007001Eu },
		{ 2, 0, (HRESULT)DC_HR_S_OK, 1, 0, DC_HRESULT_E_INVALIDARG },
		{ 0, 2, (HRESULT)DC_HR_E_FAIL, 0, 0, DC_HR_E_FAIL },
		{ 0, 3, (HRESULT)DC_HR_S_OK, 0, 1, DC_HRESULT_E_INVALIDARG },
		{ 0, 1, (HRESULT)DC_HR_S_OK, 0, -1, DC_HRESULT_ERROR_PARTIAL_COPY },
		{ 0, 2, (HRESULT)DC_HR_S_FALSE, 0, -0x10, DC_HRESULT_ERROR_PARTIAL_COPY },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int full = 0; full < 2; full++) {
			const struct failure *f = &cases[c];
			struct script s = vm_on();
			struct pb_buf out;
			struct dc_write_result res;
			struct dc_process p;
			s.pre_fail_at = f->pre_at;
			s.pre_status = f->status;
			s.pre_count_over = f->pre_over;
			s.post_fail_at = f->post_at;
			s.post_status = f->status;
			s.post_count_delta = f->post_delta;
			assert_int_equal(run(&s, full ? FULL : PARTIAL, &out, &res, &p), DC_E_CALLBACK);
			assert_int_equal(res.hresult, f->hresult);
			assert_int_equal(res.bytes, 0);
			unsigned at = f->pre_at ? f->pre_at : f->post_at;
			assert_int_equal(s.calls[DC_VmPreReadCallback], at); /* no read after it */
			assert_int_equal(s.calls[DC_VmPostReadCallback], f->pre_at ? at - 1 : at);
			assert_int_equal(s.calls[DC_WriteKernelMinidumpCallback], 0);
			assert_no_valid_header(&out);
			done(&out, &p);
		}
	}
}

/* The dump's MemoryInfoList entry for `base`, or NULL. */
static const uint8_t *info_entry(const struct pb_buf *out, uint64_t base)
{
	const uint8_t *l = stream(out, DC_STREAM_MEMORY_INFO_LIST);
	for (uint64_t i = 0; l && i < rd64(l + 8); i++) {
		const uint8_t *e = l + rd32(l) + i * rd32(l + 4);
		if (rd64(e + DC_OFF_MINIDUMP_MEMORY_INFO_BaseAddress) == base)
			return e;
	}
	return NULL;
}

/* writer.vm_query: only for a snapshot with Vm on and WithFullMemoryInfo,
 * once per region, pre-set to the model's entry. */
static void vm_query_only_for_snapshots(void **state)
{
	(void)state;
	struct pb_buf out;
	struct dc_write_result res;
	struct dc_process p;
	for (int k = 0; k < 4; k++) {
		struct script s = vm_on();
		s.vm_start = k & 1 ? (HRESULT)DC_HR_S_FALSE : (HRESULT)DC_HR_S_OK;
		s.snapshot = k & 2 ? (HRESULT)DC_HR_S_FALSE : (HRESULT)DC_HR_S_OK;
		assert_int_equal(run(&s, DC_MiniDumpWithFullMemoryInfo, &out, &res, &p), DC_OK);
		assert_int_equal(s.calls[DC_IsProcessSnapshotCallback], 1);
		assert_int_equal(s.calls[DC_VmQueryCallback], k == 3 ? p.nregions : 0);
		assert_int_equal(s.query_bad_presets + s.pid_mismatch, 0);
		assert_valid(&out);
		done(&out, &p);
	}
	struct script s = vm_on();
	s.snapshot = (HRESULT)DC_HR_S_FALSE;
	assert_int_equal(run(&s, 0, &out, &res, &p), DC_OK); /* no MemoryInfoList */
	assert_int_equal(s.calls[DC_VmQueryCallback], 0);
	done(&out, &p);
}

/* A snapshot whose VmQuery answers for region 0x200000 with `q`. */
static enum dc_err query_run(MINIDUMP_MEMORY_INFO q, HRESULT status, BOOL ret, struct pb_buf *out,
			     struct dc_write_result *res)
{
	struct script s = vm_on();
	struct dc_process p;
	s.snapshot = (HRESULT)DC_HR_S_FALSE;
	s.query_region = 0x200000;
	s.query_answer = q;
	s.query_status = status;
	s.query_returns = ret;
	enum dc_err err = run(&s, DC_MiniDumpWithFullMemoryInfo, out, res, &p);
	dc_process_free(&p);
	return err;
}

/* writer.vm_query: a consistent S_OK answer is the entry; other answers keep
 * the model's; an inconsistent one fails the dump with E_INVALIDARG. */
static void vm_query_answers(void **state)
{
	(void)state;
	MINIDUMP_MEMORY_INFO q = { .BaseAddress = 0x200000, .AllocationBase = 0x1F0000,
				   .AllocationProtect = DC_PAGE_READWRITE, .RegionSize = 0x2000,
				   .State = DC_MEM_COMMIT, .Protect = DC_PAGE_WRITECOPY,
				   .Type = DC_MEM_MAPPED };
	struct pb_buf out;
	struct dc_write_result res;
	assert_int_equal(query_run(q, (HRESULT)DC_HR_S_OK, TRUE, &out, &res), DC_OK);
	const uint8_t *e = info_entry(&out, 0x200000);
	assert_non_null(e);
	assert_int_equal(rd64(e + DC_OFF_MINIDUMP_MEMORY_INFO_AllocationBase), 0x1F0000);
	assert_int_equal(rd64(e + DC_OFF_MINIDUMP_MEMORY_INFO_RegionSize), 0x2000);
	assert_int_equal(rd32(e + DC_OFF_MINIDUMP_MEMORY_INFO_Protect), DC_PAGE_WRITECOPY);
	assert_int_equal(rd32(e + DC_OFF_MINIDUMP_MEMORY_INFO_Type), DC_MEM_MAPPED);
	e = info_entry(&out, 0x300000); /* the others are the model's */
	assert_int_equal(rd32(e + DC_OFF_MINIDUMP_MEMORY_INFO_Protect), DC_PAGE_WRITECOPY);
	assert_int_equal(rd64(e + DC_OFF_MINIDUMP_MEMORY_INFO_RegionSize), 0x1000);
	assert_valid(&out);
	pb_buf_free(&out);
	q.RegionSize = 0x100000; /* up to the next region at 0x300000: still fits */
	assert_int_equal(query_run(q, (HRESULT)DC_HR_S_OK, TRUE, &out, &res), DC_OK);
	pb_buf_free(&out);
	/* not S_OK, or FALSE: the model's entry */
	const HRESULT others[] = { (HRESULT)DC_HR_S_FALSE, (HRESULT)DC_HR_E_NOTIMPL, (HRESULT)DC_HR_E_FAIL };
	for (int k = 0; k < 4; k++) {
		HRESULT st = k < 3 ? others[k] : (HRESULT)DC_HR_S_OK;
		assert_int_equal(query_run(q, st, k < 3, &out, &res), DC_OK);
		e = info_entry(&out, 0x200000);
		assert_int_equal(rd64(e + DC_OFF_MINIDUMP_MEMORY_INFO_RegionSize), 0x4000);
		assert_int_equal(rd32(e + DC_OFF_MINIDUMP_MEMORY_INFO_Protect), DC_PAGE_READWRITE);
		pb_buf_free(&out);
	}
	/* inconsistent: another base, size 0, into the next region */
	const uint64_t bases[] = { 0x201000, 0x200000, 0x200000, 0x200000 };
	const uint64_t sizes[] = { 0x1000, 0, 0x100001, UINT64_MAX };
	for (int k = 0; k < 4; k++) {
		q.BaseAddress = bases[k];
		q.RegionSize = sizes[k];
		assert_int_equal(query_run(q, (HRESULT)DC_HR_S_OK, TRUE, &out, &res), DC_E_CALLBACK);
		assert_int_equal(res.hresult, DC_HRESULT_E_INVALIDARG);
		assert_no_valid_header(&out);
		pb_buf_free(&out);
	}
}

/* Vm callbacks on but changing nothing give the same bytes as no Vm
 * callbacks (and as no callback at all): one reading, one output. */
static void same_output_when_nothing_changes(void **state)
{
	(void)state;
	const uint64_t types[] = { 0, PARTIAL | DC_MiniDumpFilterMemory,
				   DC_MiniDumpWithIndirectlyReferencedMemory | DC_MiniDumpScanMemory,
				   FULL | DC_MiniDumpWithFullMemoryInfo,
				   FULL | DC_MiniDumpFilterMemory | DC_MiniDumpWithFullMemoryInfo };
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct script on = vm_on(), off = vm_on();
		struct pb_buf a, b, none;
		struct dc_write_result res;
		struct dc_process p;
		on.snapshot = (HRESULT)DC_HR_S_FALSE; /* VmQuery too, answered with the pre-set */
		off.vm_start = (HRESULT)DC_HR_S_OK;
		assert_int_equal(run(&on, types[t], &a, &res, &p), DC_OK);
		dc_process_free(&p);
		assert_int_equal(run(&off, types[t], &b, &res, &p), DC_OK);
		dc_process_free(&p);
		reference_dump(types[t], &none);
		assert_true(on.calls[DC_VmPreReadCallback] > 0);
		assert_int_equal(a.size, b.size);
		assert_memory_equal(a.data, b.data, a.size);
		assert_int_equal(a.size, none.size);
		assert_memory_equal(a.data, none.data, a.size);
		pb_buf_free(&a);
		pb_buf_free(&b);
		pb_buf_free(&none);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vm_off_unless_s_false),
		cmocka_unit_test(reads_cover_every_byte),
		cmocka_unit_test(post_read_patches),
		cmocka_unit_test(pre_read_supplies_bytes),
		cmocka_unit_test(filter_decides_on_the_model),
		cmocka_unit_test(failures_fail_the_dump),
		cmocka_unit_test(vm_query_only_for_snapshots),
		cmocka_unit_test(vm_query_answers),
		cmocka_unit_test(same_output_when_nothing_changes),
	};
	return cmocka_run_group_tests_name("writer Vm callbacks", tests, NULL, NULL);
}
