/* Cross-compile check of the clean-room crash-dump filter header (make
 * abi-check): built for Windows with mingw-w64 (-std=c11 -Wall -Wextra
 * -Werror), it exercises ntdddump.h's _Static_assert pins with the target's
 * real <windows.h> types (LARGE_INTEGER, GUID, DISK_GEOMETRY,
 * DISK_PARTITION_INFO come from it; FILTER_INITIALIZATION_DATA,
 * FILTER_EXTENSION and MDL are ours, laid out by the target compiler), and a
 * filter's routines with the real calling convention. Run on Windows, it
 * prints the layout it was built with. */
#include <stdio.h>

#include "dumpcheck/win/ntdddump.h"

static NTSTATUS DC_WIN_WINAPI on_start(PFILTER_EXTENSION ext)
{
	return ext->DumpData ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

static NTSTATUS DC_WIN_WINAPI on_write(PFILTER_EXTENSION ext, PLARGE_INTEGER off, PMDL mdl)
{
	(void)ext;
	return off->QuadPart >= 0 && mdl->ByteCount ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

static NTSTATUS DC_WIN_WINAPI on_read(PFILTER_EXTENSION ext, PLARGE_INTEGER off, PMDL mdl)
{
	return on_write(ext, off, mdl);
}

/* What a filter's DriverEntry does with the two pointers it is given. */
static NTSTATUS filter_entry(PFILTER_EXTENSION ext, PFILTER_INITIALIZATION_DATA init)
{
	static int context;
	init->MajorVersion = DUMP_FILTER_MAJOR_VERSION;
	init->MinorVersion = DUMP_FILTER_MINOR_VERSION;
	init->DumpStart = on_start;
	init->DumpWrite = on_write;
	init->DumpRead = on_read;
	init->DumpData = &context;
	init->MaxPagesPerWrite = 16;
	init->Flags = DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ;
	return ext->Size >= DUMP_FILTER_EXTENSION_SIZE_V2 ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
}

int main(void)
{
	FILTER_EXTENSION ext = {0};
	FILTER_INITIALIZATION_DATA init = {0};
	ext.Size = sizeof(ext);
	NTSTATUS st = filter_entry(&ext, &init);
	ext.DumpData = init.DumpData;
	printf("target %s: FILTER_INITIALIZATION_DATA %u (DumpData @%u, MaxPagesPerWrite @%u, DumpRead @%u), "
	       "FILTER_EXTENSION %u (DiskSize @%u, PartitionInfo @%u, DumpData @%u, Size @%u), MDL %u "
	       "(ByteCount @%u)\n",
	       DC_ABI_ARCH_NAME, (unsigned)sizeof(FILTER_INITIALIZATION_DATA),
	       (unsigned)offsetof(FILTER_INITIALIZATION_DATA, DumpData),
	       (unsigned)offsetof(FILTER_INITIALIZATION_DATA, MaxPagesPerWrite),
	       (unsigned)offsetof(FILTER_INITIALIZATION_DATA, DumpRead), (unsigned)sizeof(FILTER_EXTENSION),
	       (unsigned)offsetof(FILTER_EXTENSION, DiskSize), (unsigned)offsetof(FILTER_EXTENSION, PartitionInfo),
	       (unsigned)offsetof(FILTER_EXTENSION, DumpData), (unsigned)offsetof(FILTER_EXTENSION, Size),
	       (unsigned)sizeof(MDL), (unsigned)offsetof(MDL, ByteCount));
	return st == STATUS_SUCCESS && init.DumpStart(&ext) == STATUS_SUCCESS ? 0 : 1;
}
