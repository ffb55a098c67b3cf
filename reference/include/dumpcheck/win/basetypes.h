/* Windows base types for the clean-room minidump ABI header (minidumpapiset.h
 * beside this file), with their Windows sizes on every host.
 *
 * On Windows (_WIN32: MSVC, mingw-w64, clang-cl) the real <windows.h> is
 * included and its types are used as they are: they are the ABI by definition,
 * and the agent's code mixes them with our structs without casts. Elsewhere
 * (the Linux reference, fuzzers, unit tests) the same names are declared with
 * fixed-width types, so LP64 hosts get Windows' LLP64 sizes: ULONG is 32 bits,
 * WCHAR 16, HANDLE and pointers the host's width. Either way the sizes are
 * pinned below. Calling-convention and Windows-only macros are wrapped in
 * DC_WIN_* names so nothing generic (WINAPI, CALLBACK) leaks into Linux code. */
#ifndef DUMPCHECK_WIN_BASETYPES_H
#define DUMPCHECK_WIN_BASETYPES_H

#include <stdint.h>

#if defined(_WIN32)

#include <windows.h>

#define DC_WIN_CALLBACK CALLBACK
#define DC_WIN_WINAPI WINAPI

#else /* !_WIN32 */

#define DC_WIN_CALLBACK
#define DC_WIN_WINAPI

typedef int32_t BOOL;
typedef uint8_t BYTE;
typedef uint8_t UCHAR;
typedef uint16_t USHORT;
typedef uint16_t WCHAR; /* UTF-16 code unit; wchar_t is 32 bits on Linux */
typedef WCHAR *PWCHAR;
typedef int32_t LONG;
typedef int64_t LONG64;
typedef uint32_t ULONG;
typedef uint32_t ULONG32;
typedef uint64_t ULONG64;
typedef uint32_t DWORD;
typedef uint64_t DWORD64;
typedef int32_t HRESULT;
typedef void *PVOID;
typedef void *HANDLE;

/* Only ever handled by pointer here (MINIDUMP_EXCEPTION_INFORMATION). */
struct _EXCEPTION_POINTERS;
typedef struct _EXCEPTION_POINTERS *PEXCEPTION_POINTERS;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef MAX_PATH
#define MAX_PATH 260
#endif
#ifndef EXCEPTION_MAXIMUM_PARAMETERS
#define EXCEPTION_MAXIMUM_PARAMETERS 15
#endif
#ifndef MAXIMUM_XSTATE_FEATURES
#define MAXIMUM_XSTATE_FEATURES 64
#endif

/* HRESULTs of the callback protocol (spec/minidump/callbacks.toml pins them). */
#ifndef S_OK
#define S_OK ((HRESULT)0x00000000)
#endif
#ifndef S_FALSE
#define S_FALSE ((HRESULT)0x00000001)
#endif
#ifndef E_NOTIMPL
#define E_NOTIMPL ((HRESULT)0x80004001u)
#endif
#ifndef E_FAIL
#define E_FAIL ((HRESULT)0x80004005u)
#endif
#ifndef ERROR_CANCELLED
#define ERROR_CANCELLED 1223L
#endif
#ifndef HRESULT_FROM_WIN32
#define HRESULT_FROM_WIN32(x) \
	((HRESULT)(x) <= 0 ? (HRESULT)(x) : (HRESULT)(((uint32_t)(x) & 0x0000FFFFu) | 0x80070000u))
#endif

/* Structs that <windows.h> declares (winver.h, minwinbase.h, timezoneapi.h,
 * winnt.h) and the minidump structs embed. All members are 2 or 4 bytes wide,
 * so no packing question arises. */
typedef struct tagVS_FIXEDFILEINFO {
	DWORD dwSignature;
	DWORD dwStrucVersion;
	DWORD dwFileVersionMS;
	DWORD dwFileVersionLS;
	DWORD dwProductVersionMS;
	DWORD dwProductVersionLS;
	DWORD dwFileFlagsMask;
	DWORD dwFileFlags;
	DWORD dwFileOS;
	DWORD dwFileType;
	DWORD dwFileSubtype;
	DWORD dwFileDateMS;
	DWORD dwFileDateLS;
} VS_FIXEDFILEINFO;

typedef struct _SYSTEMTIME {
	USHORT wYear;
	USHORT wMonth;
	USHORT wDayOfWeek;
	USHORT wDay;
	USHORT wHour;
	USHORT wMinute;
	USHORT wSecond;
	USHORT wMilliseconds;
} SYSTEMTIME;

typedef struct _TIME_ZONE_INFORMATION {
	LONG Bias;
	WCHAR StandardName[32];
	SYSTEMTIME StandardDate;
	LONG StandardBias;
	WCHAR DaylightName[32];
	SYSTEMTIME DaylightDate;
	LONG DaylightBias;
} TIME_ZONE_INFORMATION;

typedef struct _XSTATE_FEATURE {
	DWORD Offset;
	DWORD Size;
} XSTATE_FEATURE;

#endif /* _WIN32 */

/* The Windows sizes, whichever branch declared the types. */
_Static_assert(sizeof(BOOL) == 4, "BOOL is 32 bits");
_Static_assert(sizeof(UCHAR) == 1 && sizeof(BYTE) == 1, "UCHAR/BYTE are 8 bits");
_Static_assert(sizeof(USHORT) == 2 && sizeof(WCHAR) == 2, "USHORT/WCHAR are 16 bits");
_Static_assert(sizeof(LONG) == 4 && sizeof(ULONG) == 4 && sizeof(ULONG32) == 4,
	       "LONG/ULONG/ULONG32 are 32 bits (LLP64)");
_Static_assert(sizeof(DWORD) == 4 && sizeof(HRESULT) == 4, "DWORD/HRESULT are 32 bits");
_Static_assert(sizeof(ULONG64) == 8 && sizeof(LONG64) == 8 && sizeof(DWORD64) == 8,
	       "ULONG64/LONG64/DWORD64 are 64 bits");
_Static_assert(sizeof(HANDLE) == sizeof(void *) && sizeof(PVOID) == sizeof(void *),
	       "HANDLE/PVOID are pointer-sized");
_Static_assert(MAX_PATH == 260 && EXCEPTION_MAXIMUM_PARAMETERS == 15 &&
		       MAXIMUM_XSTATE_FEATURES == 64,
	       "array bounds of the minidump structs");

#endif
