/* Cross-compile check of the clean-room ABI header (make abi-check): built for
 * Windows with mingw-w64 (-std=c11 -Wall -Wextra -Werror, linked against
 * dbghelp), it exercises the header's _Static_assert pins with the target's
 * real <windows.h> types, and a callback with the real calling convention.
 * Run on Windows, it prints the layout it was built with. */
#include <stdio.h>

#include "dumpcheck/win/minidumpapiset.h"

static BOOL DC_WIN_CALLBACK on_callback(PVOID param, PMINIDUMP_CALLBACK_INPUT in,
                                        PMINIDUMP_CALLBACK_OUTPUT out)
{
	(void)param;
	switch (in->CallbackType) {
	case CancelCallback:
		out->CheckCancel = FALSE;
		out->Cancel = FALSE;
		return TRUE;
	case IncludeVmRegionCallback: out->Continue = TRUE; return TRUE;
	case IoStartCallback: out->Status = E_NOTIMPL; return TRUE;
	default: return TRUE;
	}
}

int main(void)
{
	MINIDUMP_CALLBACK_INFORMATION info = {on_callback, NULL};
	/* Referenced so the link proves the import from dbghelp.dll resolves. */
	BOOL(DC_WIN_WINAPI * write_dump)
	(HANDLE, DWORD, HANDLE, MINIDUMP_TYPE, PMINIDUMP_EXCEPTION_INFORMATION,
	 PMINIDUMP_USER_STREAM_INFORMATION, PMINIDUMP_CALLBACK_INFORMATION) = MiniDumpWriteDump;
	printf("target %s: CALLBACK_INPUT %u (CallbackType @%u, union @%u), THREAD_CALLBACK %u "
	       "(Context @%u), CALLBACK_OUTPUT %u\n",
	       DC_ABI_ARCH_NAME, (unsigned)sizeof(MINIDUMP_CALLBACK_INPUT),
	       (unsigned)offsetof(MINIDUMP_CALLBACK_INPUT, CallbackType),
	       (unsigned)offsetof(MINIDUMP_CALLBACK_INPUT, Thread),
	       (unsigned)sizeof(MINIDUMP_THREAD_CALLBACK),
	       (unsigned)offsetof(MINIDUMP_THREAD_CALLBACK, Context),
	       (unsigned)sizeof(MINIDUMP_CALLBACK_OUTPUT));
	return write_dump != NULL && info.CallbackRoutine != NULL ? 0 : 1;
}
