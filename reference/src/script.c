/* The scripted callback routine (dumpcheck/script.h). */
#include <string.h>

#include "dumpcheck/script.h"

void dc_script_reset(struct dc_script *s)
{
	memset(s->calls, 0, sizeof(s->calls));
	s->io_failures = 0;
}

/* The thread id or module base a call is about, if it is about one. */
static bool call_item(const MINIDUMP_CALLBACK_INPUT *in, uint64_t *item)
{
	switch (in->CallbackType) {
	case DC_IncludeThreadCallback:
		*item = in->IncludeThread.ThreadId;
		return true;
	case DC_ThreadCallback:
		*item = in->Thread.ThreadId;
		return true;
	case DC_ThreadExCallback:
		*item = in->ThreadEx.ThreadId;
		return true;
	case DC_IncludeModuleCallback:
		*item = in->IncludeModule.BaseOfImage;
		return true;
	case DC_ModuleCallback:
		*item = in->Module.BaseOfImage;
		return true;
	default:
		return false;
	}
}

static const struct dc_script_rule *match(const struct dc_script *s, const MINIDUMP_CALLBACK_INPUT *in,
					  uint64_t nth)
{
	uint64_t item = 0;
	bool has_item = call_item(in, &item);
	for (size_t i = 0; i < s->nrules; i++) {
		const struct dc_script_rule *r = &s->rules[i];
		if (r->type != in->CallbackType || (r->nth && r->nth != nth))
			continue;
		if (r->has_item && (!has_item || r->item != item))
			continue;
		return r;
	}
	return NULL;
}

static bool is_thread_type(ULONG type)
{
	return type == DC_IncludeThreadCallback || type == DC_ThreadCallback ||
	       type == DC_ThreadExCallback;
}

static void set_write_flags(const struct dc_script_rule *r, ULONG type, MINIDUMP_CALLBACK_OUTPUT *out)
{
	ULONG *flags = is_thread_type(type) ? &out->ThreadWriteFlags : &out->ModuleWriteFlags;
	if (r->set & DC_SCRIPT_WRITE_FLAGS)
		*flags = r->write_flags;
	if (r->set & DC_SCRIPT_CLEAR_FLAGS)
		*flags &= ~r->clear_flags;
}

static void set_vm_fields(const struct dc_script_rule *r, MINIDUMP_CALLBACK_INPUT *in,
			  MINIDUMP_CALLBACK_OUTPUT *out)
{
	if (r->set & DC_SCRIPT_VM_REGION) {
		out->VmRegion.BaseAddress = r->vm_base;
		out->VmRegion.RegionSize = r->vm_size;
	}
	if (r->set & DC_SCRIPT_CONTINUE)
		out->Continue = r->cont;
	if (r->set & DC_SCRIPT_VM_QUERY) {
		out->VmQueryStatus = r->vm_query_status;
		out->VmQueryResult = r->vm_query_result;
	}
	if (r->set & DC_SCRIPT_VM_READ) {
		out->VmReadStatus = r->vm_read_status;
		out->VmReadBytesCompleted = r->vm_read_completed;
	}
	/* The buffer edits are bounded by what the writer said the buffer holds. */
	if ((r->set & DC_SCRIPT_FILL) && in->CallbackType == DC_VmPreReadCallback && in->VmPreRead.Buffer) {
		ULONG n = out->VmReadBytesCompleted < in->VmPreRead.Size ? out->VmReadBytesCompleted
									 : in->VmPreRead.Size;
		memset(in->VmPreRead.Buffer, r->fill, n);
	}
	if ((r->set & DC_SCRIPT_XOR) && in->CallbackType == DC_VmPostReadCallback && in->VmPostRead.Buffer) {
		uint8_t *b = in->VmPostRead.Buffer;
		for (ULONG i = 0; i < in->VmPostRead.Size; i++)
			b[i] ^= r->xor_byte;
	}
}

static void apply(const struct dc_script_rule *r, MINIDUMP_CALLBACK_INPUT *in, MINIDUMP_CALLBACK_OUTPUT *out)
{
	set_write_flags(r, in->CallbackType, out);
	if (r->set & DC_SCRIPT_SECONDARY)
		out->SecondaryFlags = r->secondary_flags;
	if (r->set & DC_SCRIPT_MEMORY) {
		out->MemoryBase = r->memory_base;
		out->MemorySize = r->memory_size;
	}
	if (r->set & DC_SCRIPT_CHECK_CANCEL)
		out->CheckCancel = r->check_cancel;
	if (r->set & DC_SCRIPT_CANCEL)
		out->Cancel = r->cancel;
	if (r->set & DC_SCRIPT_STATUS)
		out->Status = r->status;
	if (r->set & DC_SCRIPT_HANDLE)
		out->Handle = r->handle ? (HANDLE)(uintptr_t)0x4D44 : NULL; /* any non-NULL value */
	set_vm_fields(r, in, out);
}

/* The default IoWriteAll: do the write the writer asked for. */
static BOOL io_write(struct dc_script *s, const MINIDUMP_CALLBACK_INPUT *in, MINIDUMP_CALLBACK_OUTPUT *out)
{
	if (!s->io || (in->Io.BufferBytes && !in->Io.Buffer) ||
	    s->io->write_at(s->io->ctx, in->Io.Offset, in->Io.Buffer, in->Io.BufferBytes) != DC_OK) {
		s->io_failures++;
		out->Status = (HRESULT)DC_HR_E_FAIL;
		return FALSE;
	}
	out->Status = (HRESULT)DC_HR_S_OK;
	return TRUE;
}

BOOL DC_WIN_CALLBACK dc_script_callback(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
					PMINIDUMP_CALLBACK_OUTPUT out)
{
	struct dc_script *s = param;
	ULONG type = in->CallbackType;
	uint64_t nth = type < DC_SCRIPT_TYPES ? ++s->calls[type] : 0;
	const struct dc_script_rule *r = match(s, in, nth);
	BOOL ret = TRUE;
	/* A rule that fails an IoWriteAll must not have written: the bytes
	 * would sit in the file of a dump that failed. */
	bool refuses = r && ((r->has_return && !r->ret) ||
			     ((r->set & DC_SCRIPT_STATUS) && r->status != (int32_t)DC_HR_S_OK));
	if (type == DC_IoWriteAllCallback && !refuses)
		ret = io_write(s, in, out);
	else if (type == DC_IoFinishCallback)
		out->Status = (HRESULT)DC_HR_S_OK;
	if (!r)
		return ret;
	apply(r, in, out);
	return r->has_return ? (BOOL)r->ret : ret;
}
