/* fuzz_callbacks: the reference writer under hostile callbacks. The input
 * picks the dump type, then scripts every callback: the BOOL it returns and
 * the output fields it sets (write flags, MemoryBase/MemorySize, Cancel,
 * Status, Vm answers, Vm read buffers). Oracles: never crashes; Vm* calls
 * only after VmStart said S_FALSE (VmQuery: and IsProcessSnapshot too);
 * FALSE (an error) leaves no valid header (unless only IoFinish refused,
 * writer.io_header_before_finish); success gives no MUST finding. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/writer.h"
#include "fuzz_common.h"

struct membuf {
	uint8_t *data;
	size_t size;
};

/* The sink, and IoWriteAllCallback's copy: all or nothing, up to 4 MiB. */
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

struct script {
	const uint8_t *data;
	size_t size, pos;
	struct membuf *out; /* where the sink and IoWriteAllCallback write */
	bool finished;      /* IoFinishCallback came: every byte, header too, was handed over */
	bool vm, snapshot;  /* VmStart, IsProcessSnapshot said TRUE + S_FALSE */
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

static BOOL answer(struct script *s, PMINIDUMP_CALLBACK_INPUT in, PMINIDUMP_CALLBACK_OUTPUT out)
{
	uint8_t op = next(s);
	ULONG type = in->CallbackType;
	if (type == DC_IoFinishCallback)
		s->finished = true;
	if (op & 0x80)
		return FALSE;
	if (type == DC_IoWriteAllCallback) { /* refused (op 0x40) or failed: nothing written */
		bool ok = !(op & 0x40) &&
			  mem_write(s->out, in->Io.Offset, in->Io.Buffer, in->Io.BufferBytes) == DC_OK;
		out->Status = ok ? (HRESULT)DC_HR_S_OK : (HRESULT)DC_HR_E_FAIL;
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
	case 5: out->Status = (HRESULT)(next(s) & 1); break; /* S_OK or S_FALSE (Io*, VmStart, ...) */
	case 6: /* S_OK, then 4 input bytes anywhere after it (VmQueryResult, VmReadBytesCompleted) */
		out->Status = (HRESULT)DC_HR_S_OK;
		for (uint8_t *at = (uint8_t *)out + 4 + next(s) % 45, *end = at + 4; at < end; at++)
			*at = next(s);
		break;
	case 7: /* a Vm read (VmPostRead has Buffer, Size where VmPreRead does): fill, claim all */
		if (type == DC_VmPreReadCallback || type == DC_VmPostReadCallback) {
			memset(in->VmPreRead.Buffer, next(s), in->VmPreRead.Size);
			out->VmReadBytesCompleted = in->VmPreRead.Size;
		}
		break;
	default: break;
	}
	return TRUE;
}

static BOOL DC_WIN_CALLBACK scripted(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
				     PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct script *s = param;
	ULONG type = in->CallbackType;
	if (type >= DC_VmQueryCallback && type <= DC_VmPostReadCallback) /* rule 71 */
		FUZZ_ASSERT(s->vm && (s->snapshot || type != DC_VmQueryCallback));
	BOOL ok = answer(s, in, out);
	bool yes = ok && out->Status == (HRESULT)DC_HR_S_FALSE;
	s->vm = type == DC_VmStartCallback ? yes : s->vm;
	s->snapshot = type == DC_IsProcessSnapshotCallback ? yes : s->snapshot;
	return ok;
}

/* A small AMD64 process: 3 threads with stacks in one region (four 64 KiB
 * read pieces), 2 modules. */
static void build(struct dc_process *p, uint8_t *mem)
{
	dc_process_init(p, DC_ARCH_AMD64);
	struct dc_region *r = dc_process_add_region(p);
	*r = (struct dc_region){ .base = 0x100000, .size = 0x40000, .allocation_base = 0x100000,
				 .state = DC_MEM_COMMIT, .protect = DC_PAGE_READWRITE,
				 .type = DC_MEM_PRIVATE, .contents = mem };
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t mem[0x40000], out[1u << 22];
	struct membuf buf = { out, 0 };
	struct script s = { .data = data, .size = size, .out = &buf };
	struct dc_process p;
	uint64_t type = next32(&s) & (DC_MiniDumpWithDataSegs | DC_MiniDumpWithFullMemory |
				      DC_MiniDumpFilterMemory | DC_MiniDumpScanMemory |
				      DC_MiniDumpWithIndirectlyReferencedMemory |
				      DC_MiniDumpWithThreadInfo | DC_MiniDumpWithCodeSegs |
				      DC_MiniDumpFilterModulePaths | DC_MiniDumpWithModuleHeaders |
				      DC_MiniDumpWithFullMemoryInfo);
	build(&p, mem);
	MINIDUMP_CALLBACK_INFORMATION cb = { scripted, &s };
	struct dc_write_request req = { .dump_type = type, .timestamp = 1, .callback = &cb };
	struct dc_sink sink = { &buf, mem_write };
	struct dc_write_result res;
	struct dc_validate_opts opts;
	struct dc_diags d = { 0 };
	memset(out, 0, 64);
	dc_validate_opts_default(&opts);
	if (dc_write_minidump(&p, &req, &sink, &res) == DC_OK) {
		FUZZ_ASSERT(dc_minidump_validate(out, buf.size, &opts, NULL, &d) == DC_OK);
		FUZZ_ASSERT(dc_diags_count_level(&d, DC_LEVEL_MUST) == 0);
	} else { /* a failed dump has no header, unless only IoFinish refused it */
		FUZZ_ASSERT(res.hresult != 0 && (s.finished || memcmp(out, "MDMP", 4) != 0));
	}
	dc_diags_free(&d);
	dc_process_free(&p);
	return 0;
}
