/* fuzz_callbacks: the reference writer under hostile callbacks. The input
 * picks the dump type, then scripts every callback: the BOOL it returns and
 * the output fields it sets (write flags, MemoryBase/MemorySize, Cancel).
 * Oracles: never crashes; FALSE (an error) leaves no valid header (unless
 * only IoFinish refused, writer.io_header_before_finish); success
 * gives a dump with no MUST finding. Callback types not dispatched yet by
 * the writer are simply never called. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/writer.h"
#include "fuzz_common.h"

struct script {
	const uint8_t *data;
	size_t size, pos;
	uint8_t *io_out;  /* where IoWriteAllCallback puts the redirected bytes */
	size_t io_size;
	bool finished;    /* IoFinishCallback came: every byte, header too, was handed over */
};

/* Next input byte; 0 once the input is spent (then callbacks change nothing). */
static uint8_t next(struct script *s)
{
	return s->pos < s->size ? s->data[s->pos++] : 0;
}

static uint32_t next32(struct script *s)
{
	uint32_t v = 0;
	for (int k = 0; k < 4; k++)
		v |= (uint32_t)next(s) << (8 * k);
	return v;
}

static BOOL DC_WIN_CALLBACK scripted(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
				     PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct script *s = param;
	uint8_t op = next(s);
	if (in->CallbackType == DC_IoFinishCallback)
		s->finished = true;
	if (op & 0x80)
		return FALSE;
	if (in->CallbackType == DC_IoWriteAllCallback) {
		uint64_t end = in->Io.Offset + in->Io.BufferBytes;
		if (end > (1u << 22) || (op & 0x40)) {
			out->Status = (HRESULT)DC_HR_E_FAIL; /* refused: nothing written */
			return TRUE;
		}
		memcpy(s->io_out + in->Io.Offset, in->Io.Buffer, in->Io.BufferBytes);
		if (end > s->io_size)
			s->io_size = (size_t)end;
		out->Status = (HRESULT)DC_HR_S_OK;
		return TRUE;
	}
	switch (op & 0x7) {
	case 1: out->ModuleWriteFlags &= next32(s); break; /* same offset as ThreadWriteFlags */
	case 2:
		out->MemoryBase = 0x100000ull + (next32(s) & 0x3FFFFu);
		out->MemorySize = next32(s) & 0xFFFFu;
		break;
	case 3:
		out->CheckCancel = next(s) & 1;
		out->Cancel = next(s) & 1;
		break;
	case 4: out->ModuleWriteFlags = next32(s); break; /* tries to add bits: must be ignored */
	case 5: out->Status = (HRESULT)(next(s) & 1); break; /* S_OK or S_FALSE (IoStart, IoFinish) */
	default: break;
	}
	return TRUE;
}

static void add_region(struct dc_process *p, uint64_t base, uint64_t size, uint8_t *bytes)
{
	struct dc_region *r = dc_process_add_region(p);
	r->base = base;
	r->size = size;
	r->allocation_base = base;
	r->state = DC_MEM_COMMIT;
	r->protect = DC_PAGE_READWRITE;
	r->type = DC_MEM_PRIVATE;
	r->contents = bytes;
}

/* A small AMD64 process: 3 threads with stacks in one region, 2 modules. */
static void build(struct dc_process *p, uint8_t *mem)
{
	dc_process_init(p, DC_ARCH_AMD64);
	add_region(p, 0x100000, 0x40000, mem);
	for (uint32_t i = 0; i < 3; i++) {
		struct dc_thread *t = dc_process_add_thread(p);
		t->id = 100 + i;
		t->context.size = dc_arch_context_size(DC_ARCH_AMD64);
		t->context.data = dc_process_copy(p, NULL, t->context.size);
		t->stack.base = 0x100000 + i * 0x2000;
		t->stack.size = 0x1000;
	}
	for (uint32_t i = 0; i < 2; i++) {
		struct dc_module *m = dc_process_add_module(p);
		m->base = 0x400000 + i * 0x100000;
		m->size = 0x10000;
		m->path = i ? "C:\\b.dll" : "C:\\a.exe";
		m->cv.data = (const uint8_t *)"RSDS0123456789abcdef\1\0\0\0x.pdb";
		m->cv.size = 30;
	}
}

static void check_dump(const uint8_t *data, size_t size)
{
	struct dc_validate_opts opts;
	struct dc_diags d;
	memset(&d, 0, sizeof(d));
	dc_validate_opts_default(&opts);
	FUZZ_ASSERT(dc_minidump_validate(data, size, &opts, NULL, &d) == DC_OK);
	FUZZ_ASSERT(dc_diags_count_level(&d, DC_LEVEL_MUST) == 0);
	dc_diags_free(&d);
}

struct membuf {
	uint8_t *data;
	size_t size;
};

static enum dc_err mem_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	struct membuf *b = ctx;
	if (off + n > (1u << 22))
		return DC_E_IO;
	if (off + n > b->size)
		b->size = (size_t)(off + n);
	memcpy(b->data + off, buf, n);
	return DC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[0x40000], out[1u << 22];
	struct script s = { data, size, 0, out, 0, false };
	struct dc_process p;
	uint64_t type = next32(&s) & (DC_MiniDumpWithDataSegs | DC_MiniDumpWithFullMemory |
				      DC_MiniDumpFilterMemory | DC_MiniDumpScanMemory |
				      DC_MiniDumpWithIndirectlyReferencedMemory |
				      DC_MiniDumpWithThreadInfo | DC_MiniDumpWithCodeSegs |
				      DC_MiniDumpFilterModulePaths | DC_MiniDumpWithModuleHeaders);
	build(&p, mem);
	MINIDUMP_CALLBACK_INFORMATION cb = { scripted, &s };
	struct dc_write_request req = { .dump_type = type, .timestamp = 1, .callback = &cb };
	struct membuf buf = { out, 0 };
	struct dc_sink sink = { &buf, mem_write };
	struct dc_write_result res;
	memset(out, 0, 64);
	enum dc_err err = dc_write_minidump(&p, &req, &sink, &res);
	if (err == DC_OK)
		check_dump(out, buf.size > s.io_size ? buf.size : s.io_size);
	else /* a failed dump has no header, unless only IoFinish refused it */
		FUZZ_ASSERT(res.hresult != 0 && (s.finished || memcmp(out, "MDMP", 4) != 0));
	dc_process_free(&p);
	return 0;
}
