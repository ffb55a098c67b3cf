/* Clean-room declaration of Microsoft's minidump API types (minidumpapiset.h /
 * DbgHelp.h): the stream structs of the file format and the in-memory structs
 * of MiniDumpWriteDump and its callback protocol, with Microsoft's names and
 * Microsoft's layout, written from the documentation and the facts in spec/
 * (spec-notes §1–§3), not from any SDK header.
 *
 * Layout. Everything is declared under 4-byte packing, as the SDK does. The
 * file structs are the same bytes on every target. The callback structs are
 * not: pointers and HANDLEs are the target's width, and the CPU CONTEXT is
 * embedded by value. MSVC keeps the CONTEXT's DECLSPEC_ALIGN(16) on x64 and
 * ARM64 even inside a 4-packed struct, so MINIDUMP_THREAD_CALLBACK.Context is
 * at 16, not 12, and the struct is padded to a multiple of 16; GCC and clang let
 * the packing win, so this header spells that padding out (DcPad, DcTail) and
 * declares the CONTEXT as an opaque byte array of the target's CONTEXT size
 * (x64 1232, x86 716, ARM64 912). The target is chosen by dc_spec.h
 * (DC_ABI_ARCH_*: compiler macros for x64, x86, ARM64; other hosts by pointer
 * width, so a 64-bit Linux build sees the x64 layout).
 *
 * Single source of truth. Every size and offset below is pinned with
 * _Static_assert: file structs against DC_SIZE_<S> / DC_OFF_<S>_<F>
 * (spec/minidump/layouts.toml, header.toml), in-memory structs against
 * DC_ABI_SIZE_<S> / DC_ABI_OFF_<S>_<F> / DC_ABI_ALIGN_<S>
 * (spec/minidump/callbacks.toml), values against the generated DC_* macros.
 * A wrong declaration does not compile. Build with -Ireference/include
 * -Ireference/gen; C11 (anonymous unions and structs, as Microsoft's header).
 *
 * The ABI hazard. mingw-w64's own headers (psdk_inc/_dbg_common.h, 10.x) get
 * several of these wrong: with GCC, MINIDUMP_THREAD_CALLBACK.Context lands at 12
 * on x64 (4-packing beats the CONTEXT's alignment); its MINIDUMP_CALLBACK_OUTPUT
 * puts VmRegion/Continue and Status outside the union (68 bytes on x64 instead
 * of 52); its MINIDUMP_CALLBACK_INPUT union lacks Status, Io,
 * ReadMemoryFailure, SecondaryFlags and the Vm* members (spec-notes §3.3–3.4;
 * `make abi-check` prints the differences). A callback built against those
 * headers reads and writes the wrong bytes of what dbghelp.dll passes it. The
 * Windows agent must include this header, not <dbghelp.h> or
 * <minidumpapiset.h>; the two cannot be mixed in one translation unit. */
#ifndef DUMPCHECK_WIN_MINIDUMPAPISET_H
#define DUMPCHECK_WIN_MINIDUMPAPISET_H

#if defined(MINIDUMP_SIGNATURE) || defined(_DBGHELP_)
#error "dumpcheck/win/minidumpapiset.h replaces <dbghelp.h>/<minidumpapiset.h>; include only one"
#endif

#include <stddef.h>
#include <stdint.h>

#include "dc_spec.h"
#include "dumpcheck/win/basetypes.h"

/* Alignment of the CONTEXT-bearing callback structs (16 on x64/ARM64): offsets
 * and sizes come from the explicit padding; this only gives the types MSVC's
 * alignment, where the compiler can say so. */
#if DC_ABI_CONTEXT_ALIGN > 4u
#define DCI_WIN_CONTEXT_PADDED 1
#if defined(_MSC_VER)
#define DCI_WIN_CONTEXT_ALIGN __declspec(align(16))
#define DCI_WIN_HAVE_ALIGN 1
#elif defined(__GNUC__) || defined(__clang__)
#define DCI_WIN_CONTEXT_ALIGN __attribute__((aligned(DC_ABI_CONTEXT_ALIGN)))
#define DCI_WIN_HAVE_ALIGN 1
#endif
#endif
#ifndef DCI_WIN_CONTEXT_ALIGN
#define DCI_WIN_CONTEXT_ALIGN
#endif

#pragma pack(push, 4)

#define MINIDUMP_SIGNATURE 0x504D444Du /* 'MDMP' */
#define MINIDUMP_VERSION 42899u        /* low 16 bits of MINIDUMP_HEADER.Version */

typedef ULONG32 RVA;   /* 32-bit file offset */
typedef ULONG64 RVA64; /* 64-bit file offset */

/* ------------------------------------------------------------ value sets */

typedef enum _MINIDUMP_TYPE {
	MiniDumpNormal = 0x00000000,
	MiniDumpWithDataSegs = 0x00000001,
	MiniDumpWithFullMemory = 0x00000002,
	MiniDumpWithHandleData = 0x00000004,
	MiniDumpFilterMemory = 0x00000008,
	MiniDumpScanMemory = 0x00000010,
	MiniDumpWithUnloadedModules = 0x00000020,
	MiniDumpWithIndirectlyReferencedMemory = 0x00000040,
	MiniDumpFilterModulePaths = 0x00000080,
	MiniDumpWithProcessThreadData = 0x00000100,
	MiniDumpWithPrivateReadWriteMemory = 0x00000200,
	MiniDumpWithoutOptionalData = 0x00000400,
	MiniDumpWithFullMemoryInfo = 0x00000800,
	MiniDumpWithThreadInfo = 0x00001000,
	MiniDumpWithCodeSegs = 0x00002000,
	MiniDumpWithoutAuxiliaryState = 0x00004000,
	MiniDumpWithFullAuxiliaryState = 0x00008000,
	MiniDumpWithPrivateWriteCopyMemory = 0x00010000,
	MiniDumpIgnoreInaccessibleMemory = 0x00020000,
	MiniDumpWithTokenInformation = 0x00040000,
	MiniDumpWithModuleHeaders = 0x00080000,
	MiniDumpFilterTriage = 0x00100000,
	MiniDumpWithAvxXStateContext = 0x00200000,
	MiniDumpWithIptTrace = 0x00400000,
	MiniDumpScanInaccessiblePartialPages = 0x00800000,
	MiniDumpFilterWriteCombinedMemory = 0x01000000,
	MiniDumpNoIgnoreInaccessibleMemory = 0x02000000,
	MiniDumpWithMemoryCompressed = 0x04000000,
	/* MiniDumpValidTypeFlags is left out: its value differs by SDK vintage
	 * (spec-notes §1.6); DC_MINIDUMP_VALID_TYPE_FLAGS_EX is the newest mask. */
} MINIDUMP_TYPE;

typedef enum _MINIDUMP_SECONDARY_FLAGS {
	MiniSecondaryWithoutPowerInfo = 0x00000001,
	MiniSecondaryValidFlags = 0x00000001,
} MINIDUMP_SECONDARY_FLAGS;

typedef enum _MINIDUMP_STREAM_TYPE {
	UnusedStream = 0,
	ReservedStream0 = 1,
	ReservedStream1 = 2,
	ThreadListStream = 3,
	ModuleListStream = 4,
	MemoryListStream = 5,
	ExceptionStream = 6,
	SystemInfoStream = 7,
	ThreadExListStream = 8,
	Memory64ListStream = 9,
	CommentStreamA = 10,
	CommentStreamW = 11,
	HandleDataStream = 12,
	FunctionTableStream = 13,
	UnloadedModuleListStream = 14,
	MiscInfoStream = 15,
	MemoryInfoListStream = 16,
	ThreadInfoListStream = 17,
	HandleOperationListStream = 18,
	TokenStream = 19,
	JavaScriptDataStream = 20,
	SystemMemoryInfoStream = 21,
	ProcessVmCountersStream = 22,
	IptTraceStream = 23,
	ThreadNamesStream = 24,
	ceStreamNull = 0x8000,
	ceStreamSystemInfo = 0x8001,
	ceStreamException = 0x8002,
	ceStreamModuleList = 0x8003,
	ceStreamProcessList = 0x8004,
	ceStreamThreadList = 0x8005,
	ceStreamThreadContextList = 0x8006,
	ceStreamThreadCallStackList = 0x8007,
	ceStreamMemoryVirtualList = 0x8008,
	ceStreamMemoryPhysicalList = 0x8009,
	ceStreamBucketParameters = 0x800A,
	ceStreamProcessModuleMap = 0x800B,
	ceStreamDiagnosisList = 0x800C,
	LastReservedStream = 0xFFFF,
} MINIDUMP_STREAM_TYPE;

typedef enum _MINIDUMP_CALLBACK_TYPE {
	ModuleCallback = 0,
	ThreadCallback = 1,
	ThreadExCallback = 2,
	IncludeThreadCallback = 3,
	IncludeModuleCallback = 4,
	MemoryCallback = 5,
	CancelCallback = 6,
	WriteKernelMinidumpCallback = 7,
	KernelMinidumpStatusCallback = 8,
	RemoveMemoryCallback = 9,
	IncludeVmRegionCallback = 10,
	IoStartCallback = 11,
	IoWriteAllCallback = 12,
	IoFinishCallback = 13,
	ReadMemoryFailureCallback = 14,
	SecondaryFlagsCallback = 15,
	IsProcessSnapshotCallback = 16,
	VmStartCallback = 17,
	VmQueryCallback = 18,
	VmPreReadCallback = 19,
	VmPostReadCallback = 20,
	CompressedMemoryStreamStartCallback = 21,  /* newest SDK metadata only */
	CompressedMemoryStreamFinishCallback = 22, /* newest SDK metadata only */
} MINIDUMP_CALLBACK_TYPE;

typedef enum _THREAD_WRITE_FLAGS {
	ThreadWriteThread = 0x0001,
	ThreadWriteStack = 0x0002,
	ThreadWriteContext = 0x0004,
	ThreadWriteBackingStore = 0x0008,
	ThreadWriteInstructionWindow = 0x0010,
	ThreadWriteThreadData = 0x0020,
	ThreadWriteThreadInfo = 0x0040,
} THREAD_WRITE_FLAGS;

typedef enum _MODULE_WRITE_FLAGS {
	ModuleWriteModule = 0x0001,
	ModuleWriteDataSeg = 0x0002,
	ModuleWriteMiscRecord = 0x0004,
	ModuleWriteCvRecord = 0x0008,
	ModuleReferencedByMemory = 0x0010,
	ModuleWriteTlsData = 0x0020,
	ModuleWriteCodeSegs = 0x0040,
} MODULE_WRITE_FLAGS;

typedef enum _MINIDUMP_HANDLE_OBJECT_INFORMATION_TYPE {
	MiniHandleObjectInformationNone,
	MiniThreadInformation1,
	MiniMutantInformation1,
	MiniMutantInformation2,
	MiniProcessInformation1,
	MiniProcessInformation2,
	MiniEventInformation1,
	MiniSectionInformation1,
	MiniSemaphoreInformation1,
	MiniHandleObjectInformationTypeMax
} MINIDUMP_HANDLE_OBJECT_INFORMATION_TYPE;

#define MINIDUMP_MISC1_PROCESS_ID 0x00000001
#define MINIDUMP_MISC1_PROCESS_TIMES 0x00000002
#define MINIDUMP_MISC1_PROCESSOR_POWER_INFO 0x00000004
#define MINIDUMP_MISC3_PROCESS_INTEGRITY 0x00000010
#define MINIDUMP_MISC3_PROCESS_EXECUTE_FLAGS 0x00000020
#define MINIDUMP_MISC3_TIMEZONE 0x00000040
#define MINIDUMP_MISC3_PROTECTED_PROCESS 0x00000080
#define MINIDUMP_MISC4_BUILDSTRING 0x00000100
#define MINIDUMP_MISC5_PROCESS_COOKIE 0x00000200

#define MINIDUMP_THREAD_INFO_ERROR_THREAD 0x00000001
#define MINIDUMP_THREAD_INFO_WRITING_THREAD 0x00000002
#define MINIDUMP_THREAD_INFO_EXITED_THREAD 0x00000004
#define MINIDUMP_THREAD_INFO_INVALID_INFO 0x00000008
#define MINIDUMP_THREAD_INFO_INVALID_CONTEXT 0x00000010
#define MINIDUMP_THREAD_INFO_INVALID_TEB 0x00000020

#define MINIDUMP_PROCESS_VM_COUNTERS 0x0001
#define MINIDUMP_PROCESS_VM_COUNTERS_VIRTUALSIZE 0x0002
#define MINIDUMP_PROCESS_VM_COUNTERS_EX 0x0004
#define MINIDUMP_PROCESS_VM_COUNTERS_EX2 0x0008
#define MINIDUMP_PROCESS_VM_COUNTERS_JOB 0x0010

#define MINIDUMP_SYSMEMINFO1_FILECACHE_TRANSITIONREPURPOSECOUNT_FLAGS 0x0001
#define MINIDUMP_SYSMEMINFO1_BASICPERF 0x0002
#define MINIDUMP_SYSMEMINFO1_PERF_CCTOTALDIRTYPAGES_CCDIRTYPAGETHRESHOLD 0x0004
#define MINIDUMP_SYSMEMINFO1_PERF_RESIDENTAVAILABLEPAGES_SHAREDCOMMITPAGES 0x0008

/* ------------------------------------------------------------ file: header, locators */

typedef struct _MINIDUMP_LOCATION_DESCRIPTOR {
	ULONG32 DataSize;
	RVA Rva;
} MINIDUMP_LOCATION_DESCRIPTOR;

typedef struct _MINIDUMP_LOCATION_DESCRIPTOR64 {
	ULONG64 DataSize;
	RVA64 Rva;
} MINIDUMP_LOCATION_DESCRIPTOR64;

typedef struct _MINIDUMP_MEMORY_DESCRIPTOR {
	ULONG64 StartOfMemoryRange;
	MINIDUMP_LOCATION_DESCRIPTOR Memory;
} MINIDUMP_MEMORY_DESCRIPTOR, *PMINIDUMP_MEMORY_DESCRIPTOR;

typedef struct _MINIDUMP_MEMORY_DESCRIPTOR64 {
	ULONG64 StartOfMemoryRange;
	ULONG64 DataSize;
} MINIDUMP_MEMORY_DESCRIPTOR64, *PMINIDUMP_MEMORY_DESCRIPTOR64;

typedef struct _MINIDUMP_HEADER {
	ULONG32 Signature;
	ULONG32 Version;
	ULONG32 NumberOfStreams;
	RVA StreamDirectoryRva;
	ULONG32 CheckSum;
	union {
		ULONG32 Reserved;
		ULONG32 TimeDateStamp;
	};
	ULONG64 Flags;
} MINIDUMP_HEADER, *PMINIDUMP_HEADER;

typedef struct _MINIDUMP_DIRECTORY {
	ULONG32 StreamType;
	MINIDUMP_LOCATION_DESCRIPTOR Location;
} MINIDUMP_DIRECTORY, *PMINIDUMP_DIRECTORY;

typedef struct _MINIDUMP_STRING {
	ULONG32 Length; /* bytes, without the terminating NUL */
	WCHAR Buffer[];
} MINIDUMP_STRING, *PMINIDUMP_STRING;

/* ------------------------------------------------------------ file: threads, modules, memory */

typedef struct _MINIDUMP_THREAD {
	ULONG32 ThreadId;
	ULONG32 SuspendCount;
	ULONG32 PriorityClass;
	ULONG32 Priority;
	ULONG64 Teb;
	MINIDUMP_MEMORY_DESCRIPTOR Stack;
	MINIDUMP_LOCATION_DESCRIPTOR ThreadContext;
} MINIDUMP_THREAD, *PMINIDUMP_THREAD;

typedef struct _MINIDUMP_THREAD_LIST {
	ULONG32 NumberOfThreads;
	MINIDUMP_THREAD Threads[];
} MINIDUMP_THREAD_LIST, *PMINIDUMP_THREAD_LIST;

typedef struct _MINIDUMP_THREAD_EX {
	ULONG32 ThreadId;
	ULONG32 SuspendCount;
	ULONG32 PriorityClass;
	ULONG32 Priority;
	ULONG64 Teb;
	MINIDUMP_MEMORY_DESCRIPTOR Stack;
	MINIDUMP_LOCATION_DESCRIPTOR ThreadContext;
	MINIDUMP_MEMORY_DESCRIPTOR BackingStore;
} MINIDUMP_THREAD_EX, *PMINIDUMP_THREAD_EX;

typedef struct _MINIDUMP_THREAD_EX_LIST {
	ULONG32 NumberOfThreads;
	MINIDUMP_THREAD_EX Threads[];
} MINIDUMP_THREAD_EX_LIST, *PMINIDUMP_THREAD_EX_LIST;

typedef struct _MINIDUMP_MODULE {
	ULONG64 BaseOfImage;
	ULONG32 SizeOfImage;
	ULONG32 CheckSum;
	ULONG32 TimeDateStamp;
	RVA ModuleNameRva;
	VS_FIXEDFILEINFO VersionInfo;
	MINIDUMP_LOCATION_DESCRIPTOR CvRecord;
	MINIDUMP_LOCATION_DESCRIPTOR MiscRecord;
	ULONG64 Reserved0; /* at 92: 4-packed */
	ULONG64 Reserved1;
} MINIDUMP_MODULE, *PMINIDUMP_MODULE;

typedef struct _MINIDUMP_MODULE_LIST {
	ULONG32 NumberOfModules;
	MINIDUMP_MODULE Modules[];
} MINIDUMP_MODULE_LIST, *PMINIDUMP_MODULE_LIST;

typedef struct _MINIDUMP_MEMORY_LIST {
	ULONG32 NumberOfMemoryRanges;
	MINIDUMP_MEMORY_DESCRIPTOR MemoryRanges[];
} MINIDUMP_MEMORY_LIST, *PMINIDUMP_MEMORY_LIST;

typedef struct _MINIDUMP_MEMORY64_LIST {
	ULONG64 NumberOfMemoryRanges;
	RVA64 BaseRva;
	MINIDUMP_MEMORY_DESCRIPTOR64 MemoryRanges[];
} MINIDUMP_MEMORY64_LIST, *PMINIDUMP_MEMORY64_LIST;

/* ------------------------------------------------------------ file: exception, system info */

typedef struct _MINIDUMP_EXCEPTION {
	ULONG32 ExceptionCode;
	ULONG32 ExceptionFlags;
	ULONG64 ExceptionRecord;
	ULONG64 ExceptionAddress;
	ULONG32 NumberParameters;
	ULONG32 __unusedAlignment;
	ULONG64 ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} MINIDUMP_EXCEPTION, *PMINIDUMP_EXCEPTION;

typedef struct MINIDUMP_EXCEPTION_STREAM {
	ULONG32 ThreadId;
	ULONG32 __alignment;
	MINIDUMP_EXCEPTION ExceptionRecord;
	MINIDUMP_LOCATION_DESCRIPTOR ThreadContext;
} MINIDUMP_EXCEPTION_STREAM, *PMINIDUMP_EXCEPTION_STREAM;

typedef union _CPU_INFORMATION {
	struct {
		ULONG32 VendorId[3];          /* CPUID 0: EBX, EDX, ECX */
		ULONG32 VersionInformation;   /* CPUID 1: EAX */
		ULONG32 FeatureInformation;   /* CPUID 1: EDX */
		ULONG32 AMDExtendedCpuFeatures; /* CPUID 0x80000001 */
	} X86CpuInfo;
	struct {
		ULONG64 ProcessorFeatures[2];
	} OtherCpuInfo;
} CPU_INFORMATION, *PCPU_INFORMATION;

typedef struct _MINIDUMP_SYSTEM_INFO {
	USHORT ProcessorArchitecture;
	USHORT ProcessorLevel;
	USHORT ProcessorRevision;
	union {
		USHORT Reserved0;
		struct {
			UCHAR NumberOfProcessors;
			UCHAR ProductType;
		};
	};
	ULONG32 MajorVersion;
	ULONG32 MinorVersion;
	ULONG32 BuildNumber;
	ULONG32 PlatformId;
	RVA CSDVersionRva;
	union {
		ULONG32 Reserved1;
		struct {
			USHORT SuiteMask;
			USHORT Reserved2;
		};
	};
	CPU_INFORMATION Cpu;
} MINIDUMP_SYSTEM_INFO, *PMINIDUMP_SYSTEM_INFO;

/* ------------------------------------------------------------ file: handles, function tables */

typedef struct _MINIDUMP_HANDLE_DATA_STREAM {
	ULONG32 SizeOfHeader;
	ULONG32 SizeOfDescriptor;
	ULONG32 NumberOfDescriptors;
	ULONG32 Reserved;
} MINIDUMP_HANDLE_DATA_STREAM, *PMINIDUMP_HANDLE_DATA_STREAM;

typedef struct _MINIDUMP_HANDLE_DESCRIPTOR {
	ULONG64 Handle;
	RVA TypeNameRva;
	RVA ObjectNameRva;
	ULONG32 Attributes;
	ULONG32 GrantedAccess;
	ULONG32 HandleCount;
	ULONG32 PointerCount;
} MINIDUMP_HANDLE_DESCRIPTOR, *PMINIDUMP_HANDLE_DESCRIPTOR;

typedef struct _MINIDUMP_HANDLE_DESCRIPTOR_2 {
	ULONG64 Handle;
	RVA TypeNameRva;
	RVA ObjectNameRva;
	ULONG32 Attributes;
	ULONG32 GrantedAccess;
	ULONG32 HandleCount;
	ULONG32 PointerCount;
	RVA ObjectInfoRva;
	ULONG32 Reserved0;
} MINIDUMP_HANDLE_DESCRIPTOR_2, *PMINIDUMP_HANDLE_DESCRIPTOR_2;

typedef struct _MINIDUMP_HANDLE_OBJECT_INFORMATION {
	RVA NextInfoRva;
	ULONG32 InfoType;
	ULONG32 SizeOfInfo;
} MINIDUMP_HANDLE_OBJECT_INFORMATION;

typedef struct _MINIDUMP_HANDLE_OPERATION_LIST {
	ULONG32 SizeOfHeader;
	ULONG32 SizeOfEntry;
	ULONG32 NumberOfEntries;
	ULONG32 Reserved;
} MINIDUMP_HANDLE_OPERATION_LIST, *PMINIDUMP_HANDLE_OPERATION_LIST;

typedef struct _MINIDUMP_FUNCTION_TABLE_DESCRIPTOR {
	ULONG64 MinimumAddress;
	ULONG64 MaximumAddress;
	ULONG64 BaseAddress;
	ULONG32 EntryCount;
	ULONG32 SizeOfAlignPad;
} MINIDUMP_FUNCTION_TABLE_DESCRIPTOR, *PMINIDUMP_FUNCTION_TABLE_DESCRIPTOR;

typedef struct _MINIDUMP_FUNCTION_TABLE_STREAM {
	ULONG32 SizeOfHeader;
	ULONG32 SizeOfDescriptor;
	ULONG32 SizeOfNativeDescriptor;
	ULONG32 SizeOfFunctionEntry;
	ULONG32 NumberOfDescriptors;
	ULONG32 SizeOfAlignPad;
} MINIDUMP_FUNCTION_TABLE_STREAM, *PMINIDUMP_FUNCTION_TABLE_STREAM;

/* ------------------------------------------------------------ file: versioned lists */

typedef struct _MINIDUMP_UNLOADED_MODULE {
	ULONG64 BaseOfImage;
	ULONG32 SizeOfImage;
	ULONG32 CheckSum;
	ULONG32 TimeDateStamp;
	RVA ModuleNameRva;
} MINIDUMP_UNLOADED_MODULE, *PMINIDUMP_UNLOADED_MODULE;

typedef struct _MINIDUMP_UNLOADED_MODULE_LIST {
	ULONG32 SizeOfHeader;
	ULONG32 SizeOfEntry;
	ULONG32 NumberOfEntries;
} MINIDUMP_UNLOADED_MODULE_LIST, *PMINIDUMP_UNLOADED_MODULE_LIST;

typedef struct _MINIDUMP_MEMORY_INFO {
	ULONG64 BaseAddress;
	ULONG64 AllocationBase;
	ULONG32 AllocationProtect;
	ULONG32 __alignment1;
	ULONG64 RegionSize;
	ULONG32 State;
	ULONG32 Protect;
	ULONG32 Type;
	ULONG32 __alignment2;
} MINIDUMP_MEMORY_INFO, *PMINIDUMP_MEMORY_INFO;

typedef struct _MINIDUMP_MEMORY_INFO_LIST {
	ULONG SizeOfHeader;
	ULONG SizeOfEntry;
	ULONG64 NumberOfEntries;
} MINIDUMP_MEMORY_INFO_LIST, *PMINIDUMP_MEMORY_INFO_LIST;

typedef struct _MINIDUMP_THREAD_INFO {
	ULONG32 ThreadId;
	ULONG32 DumpFlags;
	ULONG32 DumpError;
	ULONG32 ExitStatus;
	ULONG64 CreateTime;
	ULONG64 ExitTime;
	ULONG64 KernelTime;
	ULONG64 UserTime;
	ULONG64 StartAddress;
	ULONG64 Affinity;
} MINIDUMP_THREAD_INFO, *PMINIDUMP_THREAD_INFO;

typedef struct _MINIDUMP_THREAD_INFO_LIST {
	ULONG SizeOfHeader;
	ULONG SizeOfEntry;
	ULONG NumberOfEntries;
} MINIDUMP_THREAD_INFO_LIST, *PMINIDUMP_THREAD_INFO_LIST;

typedef struct _MINIDUMP_THREAD_NAME {
	ULONG ThreadId;
	RVA64 RvaOfThreadName; /* at 4: 4-packed */
} MINIDUMP_THREAD_NAME, *PMINIDUMP_THREAD_NAME;

typedef struct _MINIDUMP_THREAD_NAME_LIST {
	ULONG NumberOfThreadNames;
	MINIDUMP_THREAD_NAME ThreadNames[];
} MINIDUMP_THREAD_NAME_LIST, *PMINIDUMP_THREAD_NAME_LIST;

typedef struct _MINIDUMP_TOKEN_INFO_HEADER {
	ULONG TokenSize;
	ULONG TokenId;
	ULONG64 TokenHandle;
} MINIDUMP_TOKEN_INFO_HEADER, *PMINIDUMP_TOKEN_INFO_HEADER;

typedef struct _MINIDUMP_TOKEN_INFO_LIST {
	ULONG TokenListSize;
	ULONG TokenListEntries;
	ULONG ListHeaderSize;
	ULONG ElementHeaderSize;
} MINIDUMP_TOKEN_INFO_LIST, *PMINIDUMP_TOKEN_INFO_LIST;

/* ------------------------------------------------------------ file: MiscInfo versions */

#define DCI_WIN_MISC_INFO_1                                                                        \
	ULONG32 SizeOfInfo;                                                                        \
	ULONG32 Flags1;                                                                            \
	ULONG32 ProcessId;                                                                         \
	ULONG32 ProcessCreateTime;                                                                 \
	ULONG32 ProcessUserTime;                                                                   \
	ULONG32 ProcessKernelTime;
#define DCI_WIN_MISC_INFO_2                                                                        \
	DCI_WIN_MISC_INFO_1                                                                        \
	ULONG32 ProcessorMaxMhz;                                                                   \
	ULONG32 ProcessorCurrentMhz;                                                               \
	ULONG32 ProcessorMhzLimit;                                                                 \
	ULONG32 ProcessorMaxIdleState;                                                             \
	ULONG32 ProcessorCurrentIdleState;
#define DCI_WIN_MISC_INFO_3                                                                        \
	DCI_WIN_MISC_INFO_2                                                                        \
	ULONG32 ProcessIntegrityLevel;                                                             \
	ULONG32 ProcessExecuteFlags;                                                               \
	ULONG32 ProtectedProcess;                                                                  \
	ULONG32 TimeZoneId;                                                                        \
	TIME_ZONE_INFORMATION TimeZone;
#define DCI_WIN_MISC_INFO_4                                                                        \
	DCI_WIN_MISC_INFO_3                                                                        \
	WCHAR BuildString[MAX_PATH];                                                               \
	WCHAR DbgBldStr[40];

typedef struct _XSTATE_CONFIG_FEATURE_MSC_INFO {
	ULONG32 SizeOfInfo;
	ULONG32 ContextSize;
	ULONG64 EnabledFeatures;
	XSTATE_FEATURE Features[MAXIMUM_XSTATE_FEATURES];
} XSTATE_CONFIG_FEATURE_MSC_INFO, *PXSTATE_CONFIG_FEATURE_MSC_INFO;

typedef struct _MINIDUMP_MISC_INFO {
	DCI_WIN_MISC_INFO_1
} MINIDUMP_MISC_INFO, *PMINIDUMP_MISC_INFO;

typedef struct _MINIDUMP_MISC_INFO_2 {
	DCI_WIN_MISC_INFO_2
} MINIDUMP_MISC_INFO_2, *PMINIDUMP_MISC_INFO_2;

typedef struct _MINIDUMP_MISC_INFO_3 {
	DCI_WIN_MISC_INFO_3
} MINIDUMP_MISC_INFO_3, *PMINIDUMP_MISC_INFO_3;

typedef struct _MINIDUMP_MISC_INFO_4 {
	DCI_WIN_MISC_INFO_4
} MINIDUMP_MISC_INFO_4, *PMINIDUMP_MISC_INFO_4;

typedef struct _MINIDUMP_MISC_INFO_5 {
	DCI_WIN_MISC_INFO_4
	XSTATE_CONFIG_FEATURE_MSC_INFO XStateData;
	ULONG32 ProcessCookie; /* at 1360: size 1364, 4-packed */
} MINIDUMP_MISC_INFO_5, *PMINIDUMP_MISC_INFO_5;

/* ------------------------------------------------------------ file: VM counters, system memory */

typedef struct _MINIDUMP_PROCESS_VM_COUNTERS_1 {
	USHORT Revision;
	ULONG PageFaultCount;
	ULONG64 PeakWorkingSetSize;
	ULONG64 WorkingSetSize;
	ULONG64 QuotaPeakPagedPoolUsage;
	ULONG64 QuotaPagedPoolUsage;
	ULONG64 QuotaPeakNonPagedPoolUsage;
	ULONG64 QuotaNonPagedPoolUsage;
	ULONG64 PagefileUsage;
	ULONG64 PeakPagefileUsage;
	ULONG64 PrivateUsage;
} MINIDUMP_PROCESS_VM_COUNTERS_1, *PMINIDUMP_PROCESS_VM_COUNTERS_1;

typedef struct _MINIDUMP_PROCESS_VM_COUNTERS_2 {
	USHORT Revision;
	USHORT Flags;
	ULONG PageFaultCount;
	ULONG64 PeakWorkingSetSize;
	ULONG64 WorkingSetSize;
	ULONG64 QuotaPeakPagedPoolUsage;
	ULONG64 QuotaPagedPoolUsage;
	ULONG64 QuotaPeakNonPagedPoolUsage;
	ULONG64 QuotaNonPagedPoolUsage;
	ULONG64 PagefileUsage;
	ULONG64 PeakPagefileUsage;
	ULONG64 PeakVirtualSize;
	ULONG64 VirtualSize;
	ULONG64 PrivateUsage;
	ULONG64 PrivateWorkingSetSize;
	ULONG64 SharedCommitUsage;
	ULONG64 JobSharedCommitUsage;
	ULONG64 JobPrivateCommitUsage;
	ULONG64 JobPeakPrivateCommitUsage;
	ULONG64 JobPrivateCommitLimit;
	ULONG64 JobTotalCommitLimit;
} MINIDUMP_PROCESS_VM_COUNTERS_2, *PMINIDUMP_PROCESS_VM_COUNTERS_2;

typedef struct _MINIDUMP_SYSTEM_BASIC_INFORMATION {
	ULONG TimerResolution, PageSize, NumberOfPhysicalPages, LowestPhysicalPageNumber,
		HighestPhysicalPageNumber, AllocationGranularity;
	ULONG64 MinimumUserModeAddress, MaximumUserModeAddress, ActiveProcessorsAffinityMask;
	ULONG NumberOfProcessors;
} MINIDUMP_SYSTEM_BASIC_INFORMATION, *PMINIDUMP_SYSTEM_BASIC_INFORMATION;

typedef struct _MINIDUMP_SYSTEM_FILECACHE_INFORMATION {
	ULONG64 CurrentSize, PeakSize;
	ULONG PageFaultCount;
	ULONG64 MinimumWorkingSet, MaximumWorkingSet, CurrentSizeIncludingTransitionInPages,
		PeakSizeIncludingTransitionInPages;
	ULONG TransitionRePurposeCount, Flags;
} MINIDUMP_SYSTEM_FILECACHE_INFORMATION, *PMINIDUMP_SYSTEM_FILECACHE_INFORMATION;

typedef struct _MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION {
	ULONG64 AvailablePages, CommittedPages, CommitLimit, PeakCommitment;
} MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION, *PMINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION;

typedef struct _MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION {
	ULONG64 IdleProcessTime, IoReadTransferCount, IoWriteTransferCount, IoOtherTransferCount;
	ULONG IoReadOperationCount, IoWriteOperationCount, IoOtherOperationCount;
	ULONG AvailablePages, CommittedPages, CommitLimit, PeakCommitment;
	ULONG PageFaultCount, CopyOnWriteCount, TransitionCount, CacheTransitionCount;
	ULONG DemandZeroCount, PageReadCount, PageReadIoCount, CacheReadCount, CacheIoCount;
	ULONG DirtyPagesWriteCount, DirtyWriteIoCount, MappedPagesWriteCount, MappedWriteIoCount;
	ULONG PagedPoolPages, NonPagedPoolPages, PagedPoolAllocs, PagedPoolFrees;
	ULONG NonPagedPoolAllocs, NonPagedPoolFrees, FreeSystemPtes, ResidentSystemCodePage;
	ULONG TotalSystemDriverPages, TotalSystemCodePages, NonPagedPoolLookasideHits;
	ULONG PagedPoolLookasideHits, AvailablePagedPoolPages, ResidentSystemCachePage;
	ULONG ResidentPagedPoolPage, ResidentSystemDriverPage;
	ULONG CcFastReadNoWait, CcFastReadWait, CcFastReadResourceMiss, CcFastReadNotPossible;
	ULONG CcFastMdlReadNoWait, CcFastMdlReadWait, CcFastMdlReadResourceMiss,
		CcFastMdlReadNotPossible;
	ULONG CcMapDataNoWait, CcMapDataWait, CcMapDataNoWaitMiss, CcMapDataWaitMiss;
	ULONG CcPinMappedDataCount, CcPinReadNoWait, CcPinReadWait, CcPinReadNoWaitMiss,
		CcPinReadWaitMiss;
	ULONG CcCopyReadNoWait, CcCopyReadWait, CcCopyReadNoWaitMiss, CcCopyReadWaitMiss;
	ULONG CcMdlReadNoWait, CcMdlReadWait, CcMdlReadNoWaitMiss, CcMdlReadWaitMiss;
	ULONG CcReadAheadIos, CcLazyWriteIos, CcLazyWritePages, CcDataFlushes, CcDataPages;
	ULONG ContextSwitches, FirstLevelTbFills, SecondLevelTbFills, SystemCalls;
	ULONG64 CcTotalDirtyPages, CcDirtyPageThreshold;
	LONG64 ResidentAvailablePages;
	ULONG64 SharedCommittedPages;
} MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION, *PMINIDUMP_SYSTEM_PERFORMANCE_INFORMATION;

typedef struct _MINIDUMP_SYSTEM_MEMORY_INFO_1 {
	USHORT Revision;
	USHORT Flags;
	MINIDUMP_SYSTEM_BASIC_INFORMATION BasicInfo;
	MINIDUMP_SYSTEM_FILECACHE_INFORMATION FileCacheInfo;
	MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION BasicPerfInfo;
	MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION PerfInfo;
} MINIDUMP_SYSTEM_MEMORY_INFO_1, *PMINIDUMP_SYSTEM_MEMORY_INFO_1;

/* ------------------------------------------------------------ MiniDumpWriteDump parameters */

typedef struct _MINIDUMP_EXCEPTION_INFORMATION {
	DWORD ThreadId;
	PEXCEPTION_POINTERS ExceptionPointers; /* at 4 on x64: 4-packed */
	BOOL ClientPointers;
} MINIDUMP_EXCEPTION_INFORMATION, *PMINIDUMP_EXCEPTION_INFORMATION;

typedef struct _MINIDUMP_USER_STREAM {
	ULONG32 Type;
	ULONG BufferSize;
	PVOID Buffer;
} MINIDUMP_USER_STREAM, *PMINIDUMP_USER_STREAM;

typedef struct _MINIDUMP_USER_STREAM_INFORMATION {
	ULONG UserStreamCount;
	PMINIDUMP_USER_STREAM UserStreamArray;
} MINIDUMP_USER_STREAM_INFORMATION, *PMINIDUMP_USER_STREAM_INFORMATION;

/* ------------------------------------------------------------ callback input */

/* The CONTEXT-bearing structs: padding before the CONTEXT (x64: MSVC's
 * implicit 4 bytes; ARM64: the SDK's named Pad) and after the last member (to a
 * multiple of 16), both sized from spec/. */
#define DCI_WIN_THREAD_CALLBACK_HEAD(S)                                                            \
	ULONG ThreadId;                                                                            \
	HANDLE ThreadHandle;                                                                       \
	DCI_WIN_CONTEXT_PAD(S)                                                                     \
	BYTE Context[DC_ABI_CONTEXT_SIZE]; /* the target's CONTEXT, opaque */                    \
	ULONG SizeOfContext;                                                                       \
	ULONG64 StackBase;                                                                         \
	ULONG64 StackEnd;
#if defined(DC_ABI_ARCH_ARM64)
#define DCI_WIN_CONTEXT_PAD(S) ULONG Pad;
#elif defined(DCI_WIN_CONTEXT_PADDED)
#define DCI_WIN_CONTEXT_PAD(S)                                                                     \
	BYTE DcPad[DC_ABI_OFF_##S##_Context - DC_ABI_OFF_##S##_ThreadHandle - sizeof(HANDLE)];
#else
#define DCI_WIN_CONTEXT_PAD(S)
#endif

typedef struct DCI_WIN_CONTEXT_ALIGN _MINIDUMP_THREAD_CALLBACK {
	DCI_WIN_THREAD_CALLBACK_HEAD(MINIDUMP_THREAD_CALLBACK)
#if defined(DCI_WIN_CONTEXT_PADDED)
	BYTE DcTail[DC_ABI_SIZE_MINIDUMP_THREAD_CALLBACK - DC_ABI_OFF_MINIDUMP_THREAD_CALLBACK_StackEnd -
		    sizeof(ULONG64)];
#endif
} MINIDUMP_THREAD_CALLBACK, *PMINIDUMP_THREAD_CALLBACK;

typedef struct DCI_WIN_CONTEXT_ALIGN _MINIDUMP_THREAD_EX_CALLBACK {
	DCI_WIN_THREAD_CALLBACK_HEAD(MINIDUMP_THREAD_EX_CALLBACK)
	ULONG64 BackingStoreBase;
	ULONG64 BackingStoreEnd;
#if defined(DCI_WIN_CONTEXT_PADDED)
	BYTE DcTail[DC_ABI_SIZE_MINIDUMP_THREAD_EX_CALLBACK -
		    DC_ABI_OFF_MINIDUMP_THREAD_EX_CALLBACK_BackingStoreEnd - sizeof(ULONG64)];
#endif
} MINIDUMP_THREAD_EX_CALLBACK, *PMINIDUMP_THREAD_EX_CALLBACK;

typedef struct _MINIDUMP_MODULE_CALLBACK {
	PWCHAR FullPath;
	ULONG64 BaseOfImage;
	ULONG SizeOfImage;
	ULONG CheckSum;
	ULONG TimeDateStamp;
	VS_FIXEDFILEINFO VersionInfo;
	PVOID CvRecord;
	ULONG SizeOfCvRecord;
	PVOID MiscRecord;
	ULONG SizeOfMiscRecord;
} MINIDUMP_MODULE_CALLBACK, *PMINIDUMP_MODULE_CALLBACK;

typedef struct _MINIDUMP_INCLUDE_THREAD_CALLBACK {
	ULONG ThreadId;
} MINIDUMP_INCLUDE_THREAD_CALLBACK, *PMINIDUMP_INCLUDE_THREAD_CALLBACK;

typedef struct _MINIDUMP_INCLUDE_MODULE_CALLBACK {
	ULONG64 BaseOfImage;
} MINIDUMP_INCLUDE_MODULE_CALLBACK, *PMINIDUMP_INCLUDE_MODULE_CALLBACK;

typedef struct _MINIDUMP_IO_CALLBACK {
	HANDLE Handle;
	ULONG64 Offset;
	PVOID Buffer;
	ULONG BufferBytes;
} MINIDUMP_IO_CALLBACK, *PMINIDUMP_IO_CALLBACK;

typedef struct _MINIDUMP_READ_MEMORY_FAILURE_CALLBACK {
	ULONG64 Offset;
	ULONG Bytes;
	HRESULT FailureStatus;
} MINIDUMP_READ_MEMORY_FAILURE_CALLBACK, *PMINIDUMP_READ_MEMORY_FAILURE_CALLBACK;

typedef struct _MINIDUMP_VM_QUERY_CALLBACK {
	ULONG64 Offset;
} MINIDUMP_VM_QUERY_CALLBACK, *PMINIDUMP_VM_QUERY_CALLBACK;

typedef struct _MINIDUMP_VM_PRE_READ_CALLBACK {
	ULONG64 Offset;
	PVOID Buffer;
	ULONG Size;
} MINIDUMP_VM_PRE_READ_CALLBACK, *PMINIDUMP_VM_PRE_READ_CALLBACK;

typedef struct _MINIDUMP_VM_POST_READ_CALLBACK {
	ULONG64 Offset;
	PVOID Buffer;
	ULONG Size;
	ULONG Completed;
	HRESULT Status;
} MINIDUMP_VM_POST_READ_CALLBACK, *PMINIDUMP_VM_POST_READ_CALLBACK;

/* GCC warns that the 16-aligned members sit in a 4-packed union: that is the
 * MSVC layout this header reproduces, and the offsets are pinned below. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpacked-not-aligned"
#endif
typedef struct DCI_WIN_CONTEXT_ALIGN _MINIDUMP_CALLBACK_INPUT {
	ULONG ProcessId;
	HANDLE ProcessHandle; /* at 4 on x64: 4-packed */
	ULONG CallbackType;   /* MINIDUMP_CALLBACK_TYPE; at 12 on x64 */
	union {               /* at 16 on x64 and ARM64, 12 on x86 */
		HRESULT Status;
		MINIDUMP_THREAD_CALLBACK Thread;
		MINIDUMP_THREAD_EX_CALLBACK ThreadEx;
		MINIDUMP_MODULE_CALLBACK Module;
		MINIDUMP_INCLUDE_THREAD_CALLBACK IncludeThread;
		MINIDUMP_INCLUDE_MODULE_CALLBACK IncludeModule;
		MINIDUMP_IO_CALLBACK Io;
		MINIDUMP_READ_MEMORY_FAILURE_CALLBACK ReadMemoryFailure;
		ULONG SecondaryFlags;
		MINIDUMP_VM_QUERY_CALLBACK VmQuery;
		MINIDUMP_VM_PRE_READ_CALLBACK VmPreRead;
		MINIDUMP_VM_POST_READ_CALLBACK VmPostRead;
	};
} MINIDUMP_CALLBACK_INPUT, *PMINIDUMP_CALLBACK_INPUT;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* ------------------------------------------------------------ callback output, routine */

/* One 52-byte union on every target: each member, or anonymous struct of
 * members, starts at offset 0. */
typedef struct _MINIDUMP_CALLBACK_OUTPUT {
	union {
		ULONG ModuleWriteFlags; /* MODULE_WRITE_FLAGS */
		ULONG ThreadWriteFlags; /* THREAD_WRITE_FLAGS */
		ULONG SecondaryFlags;   /* MINIDUMP_SECONDARY_FLAGS */
		struct {
			ULONG64 MemoryBase;
			ULONG MemorySize;
		};
		struct {
			BOOL CheckCancel;
			BOOL Cancel;
		};
		HANDLE Handle;
		struct {
			MINIDUMP_MEMORY_INFO VmRegion;
			BOOL Continue;
		};
		struct {
			HRESULT VmQueryStatus;
			MINIDUMP_MEMORY_INFO VmQueryResult; /* at 4: 4-packed */
		};
		struct {
			HRESULT VmReadStatus;
			ULONG VmReadBytesCompleted;
		};
		HRESULT Status;
	};
} MINIDUMP_CALLBACK_OUTPUT, *PMINIDUMP_CALLBACK_OUTPUT;

typedef BOOL(DC_WIN_CALLBACK *MINIDUMP_CALLBACK_ROUTINE)(PVOID CallbackParam,
							   PMINIDUMP_CALLBACK_INPUT CallbackInput,
							   PMINIDUMP_CALLBACK_OUTPUT CallbackOutput);

typedef struct _MINIDUMP_CALLBACK_INFORMATION {
	MINIDUMP_CALLBACK_ROUTINE CallbackRoutine;
	PVOID CallbackParam;
} MINIDUMP_CALLBACK_INFORMATION, *PMINIDUMP_CALLBACK_INFORMATION;

#if defined(_WIN32)
/* dbghelp.dll's entry points (link with -ldbghelp). */
BOOL DC_WIN_WINAPI MiniDumpWriteDump(HANDLE hProcess, DWORD ProcessId, HANDLE hFile,
				     MINIDUMP_TYPE DumpType,
				     PMINIDUMP_EXCEPTION_INFORMATION ExceptionParam,
				     PMINIDUMP_USER_STREAM_INFORMATION UserStreamParam,
				     PMINIDUMP_CALLBACK_INFORMATION CallbackParam);
BOOL DC_WIN_WINAPI MiniDumpReadDumpStream(PVOID BaseOfDump, ULONG StreamNumber,
					  PMINIDUMP_DIRECTORY *Dir, PVOID *StreamPointer,
					  ULONG *StreamSize);
#endif

#pragma pack(pop)

#include "dumpcheck/win/minidumpapiset_pins.h"

#endif
