/* Clean-room declaration of the crash-dump filter driver interface
 * (ntdddump.h; WDK pages filter_initialization_data, filter_extension,
 * dump_start/write/finish/unload/read; spec-notes §4.1-4.5;
 * spec/filter/ntdddump.toml), with the Microsoft layout: the compiler's
 * default packing, so pointers and LARGE_INTEGERs are naturally aligned
 * (unlike the 4-packed minidump structs). Every size and offset is pinned
 * by _Static_assert to the numbers tools/specgen.py generates from spec/
 * (x64 on 64-bit hosts, x86 on 32-bit ones), every value to its DC_*
 * macro. MDL is a minimal model: the members a dump filter touches.
 *
 * Kernel headers are not available to user-mode builds (the reference, the
 * fuzzers, the mingw agent), so the kernel names are declared here in every
 * build; the ones <windows.h> has (LARGE_INTEGER, GUID, DISK_GEOMETRY,
 * DISK_PARTITION_INFO and their enums, some STATUS_* values) are taken from it
 * on Windows and pinned all the same. */
#ifndef DUMPCHECK_WIN_NTDDDUMP_H
#define DUMPCHECK_WIN_NTDDDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "dc_spec.h"
#include "dumpcheck/win/basetypes.h"

/* ------------------------------------------------------------ base types */

#if !defined(_WIN32) || !defined(NT_SUCCESS)
typedef LONG NTSTATUS;
#define NT_SUCCESS(s) ((NTSTATUS)(s) >= 0)
#endif
typedef int16_t CSHORT;
typedef int64_t LONGLONG;

#if !defined(_WIN32)
/* Windows aligns 64-bit members to 8 on x86 too (the i386 SysV ABI: 4). */
typedef union _LARGE_INTEGER {
	struct {
		ULONG LowPart;
		LONG HighPart;
	} u;
	LONGLONG QuadPart;
} __attribute__((aligned(8))) LARGE_INTEGER;
typedef struct _GUID {
	ULONG Data1;
	USHORT Data2;
	USHORT Data3;
	UCHAR Data4[8];
} GUID;
#endif
typedef LARGE_INTEGER *PLARGE_INTEGER;

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#endif
#ifndef STATUS_UNSUCCESSFUL
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#endif
#ifndef STATUS_NOT_IMPLEMENTED
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#endif
#ifndef STATUS_INVALID_PARAMETER
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#endif
#ifndef STATUS_INVALID_DEVICE_REQUEST
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#endif
#ifndef STATUS_INSUFFICIENT_RESOURCES
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#endif
#ifndef STATUS_DEVICE_NOT_READY
#define STATUS_DEVICE_NOT_READY ((NTSTATUS)0xC00000A3L)
#endif
#ifndef STATUS_NOT_SUPPORTED
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#endif
#ifndef STATUS_IO_DEVICE_ERROR
#define STATUS_IO_DEVICE_ERROR ((NTSTATUS)0xC0000185L)
#endif

/* ------------------------------------------------------------ constants */

#define DUMP_FILTER_MAJOR_VERSION_1 1
#define DUMP_FILTER_MAJOR_VERSION 2
#define DUMP_FILTER_MINOR_VERSION 0
#define DUMP_FILTER_CRITICAL 0x00000001
#define DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ 0x00000001
#define DUMP_FILTER_FLAG_SYSTEM_SUPPORT_FILTER_EXTENSION_EX 0x00000002
#define DUMP_FILTER_EXT_FLAG_DUMP_DEVICE_POWER_OFF 0x00000001

typedef enum _FILTER_DUMP_TYPE {
	DumpTypeUndefined,
	DumpTypeCrashdump,
	DumpTypeHibernation
} FILTER_DUMP_TYPE;

typedef enum _FILTER_CALLBACK {
	CallbackDumpInit,
	CallbackDumpStart,
	CallbackDumpWrite,
	CallbackDumpFinish,
	CallbackDumpRead,
	CallbackMaxCallback
} FILTER_CALLBACK;

#if !defined(_WIN32) /* winioctl.h has these */
typedef enum _MEDIA_TYPE { Unknown = 0, FixedMedia = 12 } MEDIA_TYPE;
typedef enum _PARTITION_STYLE {
	PARTITION_STYLE_MBR,
	PARTITION_STYLE_GPT,
	PARTITION_STYLE_RAW
} PARTITION_STYLE;
#endif

/* ------------------------------------------------------------ structs */

struct _DEVICE_OBJECT; /* opaque: only handled by pointer */
struct _EPROCESS;
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _EPROCESS *PEPROCESS;

#if !defined(_WIN32)
typedef struct _DISK_GEOMETRY {
	LARGE_INTEGER Cylinders;
	MEDIA_TYPE MediaType;
	ULONG TracksPerCylinder;
	ULONG SectorsPerTrack;
	ULONG BytesPerSector;
} DISK_GEOMETRY;

typedef struct _DISK_PARTITION_INFO {
	ULONG SizeOfPartitionInfo;
	PARTITION_STYLE PartitionStyle;
	union {
		struct {
			ULONG Signature;
			ULONG CheckSum;
		} Mbr;
		struct {
			GUID DiskId;
		} Gpt;
	};
} DISK_PARTITION_INFO;
#endif

typedef struct _MDL {
	struct _MDL *Next;
	CSHORT Size;
	CSHORT MdlFlags;
	PEPROCESS Process;
	PVOID MappedSystemVa;
	PVOID StartVa;
	ULONG ByteCount;
	ULONG ByteOffset;
} MDL, *PMDL;

typedef struct _FILTER_EXTENSION {
	FILTER_DUMP_TYPE DumpType;
	PDEVICE_OBJECT DeviceObject;
	DISK_GEOMETRY Geometry;
	LARGE_INTEGER DiskSize;
	DISK_PARTITION_INFO PartitionInfo;
	PVOID DumpData;
	ULONG Size;  /* Win8+: read only when Size > DUMP_FILTER_EXTENSION_SIZE_V1 */
	ULONG Flags; /* Win8+ */
} FILTER_EXTENSION, *PFILTER_EXTENSION;

#define DUMP_FILTER_EXTENSION_SIZE_V1 offsetof(FILTER_EXTENSION, Size)
#define DUMP_FILTER_EXTENSION_SIZE_V2 sizeof(FILTER_EXTENSION)

typedef NTSTATUS(DC_WIN_WINAPI DUMP_START)(PFILTER_EXTENSION FilterExtension);
typedef NTSTATUS(DC_WIN_WINAPI DUMP_WRITE)(PFILTER_EXTENSION FilterExtension,
					   PLARGE_INTEGER DiskByteOffset, PMDL Mdl);
typedef NTSTATUS(DC_WIN_WINAPI DUMP_FINISH)(PFILTER_EXTENSION FilterExtension);
typedef NTSTATUS(DC_WIN_WINAPI DUMP_UNLOAD)(PFILTER_EXTENSION FilterExtension);
typedef NTSTATUS(DC_WIN_WINAPI DUMP_READ)(PFILTER_EXTENSION FilterExtension,
					  PLARGE_INTEGER DiskByteOffset, PMDL Mdl);
/* Newest headers only; no source documents its arguments' meaning. */
typedef NTSTATUS(DC_WIN_WINAPI DUMP_PRE_READ_WRITE)(PFILTER_EXTENSION FilterExtension,
						    PLARGE_INTEGER DiskByteOffset, PMDL Mdl);
typedef DUMP_START *PDUMP_START;
typedef DUMP_WRITE *PDUMP_WRITE;
typedef DUMP_FINISH *PDUMP_FINISH;
typedef DUMP_UNLOAD *PDUMP_UNLOAD;
typedef DUMP_READ *PDUMP_READ;
typedef DUMP_PRE_READ_WRITE *PDUMP_PRE_READ_WRITE;

typedef struct _FILTER_INITIALIZATION_DATA {
	ULONG MajorVersion;
	ULONG MinorVersion;
	PDUMP_START DumpStart;
	PDUMP_WRITE DumpWrite;
	PDUMP_FINISH DumpFinish;
	PDUMP_UNLOAD DumpUnload;
	PVOID DumpData;
	ULONG MaxPagesPerWrite;
	ULONG Flags;
	PDUMP_READ DumpRead;                 /* Win8+ (MajorVersion 2) */
	PDUMP_PRE_READ_WRITE DumpPreReadWrite; /* newest headers */
} FILTER_INITIALIZATION_DATA, *PFILTER_INITIALIZATION_DATA;

/* ------------------------------------------------------------ pins */

#define DCI_NT_SIZE(T) _Static_assert(sizeof(T) == DC_ABI_SIZE_##T, #T ": size differs from spec/")
#define DCI_NT_OFF(T, F)                                                                           \
	_Static_assert(offsetof(T, F) == DC_ABI_OFF_##T##_##F, #T "." #F ": offset differs from spec/")
#define DCI_NT_VAL(n) _Static_assert((uint32_t)(n) == DC_##n, #n ": value differs from spec/")

DCI_NT_SIZE(FILTER_INITIALIZATION_DATA);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, MajorVersion);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, MinorVersion);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpStart);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpWrite);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpFinish);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpUnload);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpData);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, MaxPagesPerWrite);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, Flags);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpRead);
DCI_NT_OFF(FILTER_INITIALIZATION_DATA, DumpPreReadWrite);

DCI_NT_SIZE(DISK_GEOMETRY);
DCI_NT_OFF(DISK_GEOMETRY, Cylinders);
DCI_NT_OFF(DISK_GEOMETRY, MediaType);
DCI_NT_OFF(DISK_GEOMETRY, TracksPerCylinder);
DCI_NT_OFF(DISK_GEOMETRY, SectorsPerTrack);
DCI_NT_OFF(DISK_GEOMETRY, BytesPerSector);

DCI_NT_SIZE(DISK_PARTITION_INFO);
DCI_NT_OFF(DISK_PARTITION_INFO, SizeOfPartitionInfo);
DCI_NT_OFF(DISK_PARTITION_INFO, PartitionStyle);
DCI_NT_OFF(DISK_PARTITION_INFO, Mbr);
DCI_NT_OFF(DISK_PARTITION_INFO, Gpt);
_Static_assert(sizeof(((DISK_PARTITION_INFO *)0)->Mbr) == DC_ABI_SIZE_DISK_PARTITION_INFO_MBR,
	       "DISK_PARTITION_INFO.Mbr: size differs from spec/");

DCI_NT_SIZE(FILTER_EXTENSION);
DCI_NT_OFF(FILTER_EXTENSION, DumpType);
DCI_NT_OFF(FILTER_EXTENSION, DeviceObject);
DCI_NT_OFF(FILTER_EXTENSION, Geometry);
DCI_NT_OFF(FILTER_EXTENSION, DiskSize);
DCI_NT_OFF(FILTER_EXTENSION, PartitionInfo);
DCI_NT_OFF(FILTER_EXTENSION, DumpData);
DCI_NT_OFF(FILTER_EXTENSION, Size);
DCI_NT_OFF(FILTER_EXTENSION, Flags);

DCI_NT_SIZE(MDL);
DCI_NT_OFF(MDL, Next);
DCI_NT_OFF(MDL, Size);
DCI_NT_OFF(MDL, MdlFlags);
DCI_NT_OFF(MDL, Process);
DCI_NT_OFF(MDL, MappedSystemVa);
DCI_NT_OFF(MDL, StartVa);
DCI_NT_OFF(MDL, ByteCount);
DCI_NT_OFF(MDL, ByteOffset);

DCI_NT_VAL(DUMP_FILTER_MAJOR_VERSION_1);
DCI_NT_VAL(DUMP_FILTER_MAJOR_VERSION);
DCI_NT_VAL(DUMP_FILTER_MINOR_VERSION);
DCI_NT_VAL(DUMP_FILTER_CRITICAL);
DCI_NT_VAL(DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ);
DCI_NT_VAL(DUMP_FILTER_FLAG_SYSTEM_SUPPORT_FILTER_EXTENSION_EX);
DCI_NT_VAL(DUMP_FILTER_EXT_FLAG_DUMP_DEVICE_POWER_OFF);
DCI_NT_VAL(DumpTypeUndefined);
DCI_NT_VAL(DumpTypeCrashdump);
DCI_NT_VAL(DumpTypeHibernation);
DCI_NT_VAL(CallbackDumpInit);
DCI_NT_VAL(CallbackDumpStart);
DCI_NT_VAL(CallbackDumpWrite);
DCI_NT_VAL(CallbackDumpFinish);
DCI_NT_VAL(CallbackDumpRead);
DCI_NT_VAL(CallbackMaxCallback);
DCI_NT_VAL(STATUS_SUCCESS);
DCI_NT_VAL(STATUS_UNSUCCESSFUL);
DCI_NT_VAL(STATUS_NOT_IMPLEMENTED);
DCI_NT_VAL(STATUS_INVALID_PARAMETER);
DCI_NT_VAL(STATUS_INVALID_DEVICE_REQUEST);
DCI_NT_VAL(STATUS_INSUFFICIENT_RESOURCES);
DCI_NT_VAL(STATUS_DEVICE_NOT_READY);
DCI_NT_VAL(STATUS_NOT_SUPPORTED);
DCI_NT_VAL(STATUS_IO_DEVICE_ERROR);
_Static_assert(DUMP_FILTER_EXTENSION_SIZE_V1 == DC_ABI_OFF_FILTER_EXTENSION_Size,
	       "DUMP_FILTER_EXTENSION_SIZE_V1 is offsetof(Size)");

#endif
