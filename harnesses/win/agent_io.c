/* The agent's file sink (the script's IoWriteAll target) and the version of
 * the dbghelp.dll under test. */
#include <stdio.h>
#include <stdlib.h>

#include "agent.h"

#include <winver.h> /* after agent.h, whose <windows.h> it needs */

enum dc_err dci_agent_file_write(void *ctx, uint64_t offset, const void *buf, size_t n)
{
	HANDLE file = *(HANDLE *)ctx;
	const uint8_t *p = buf;
	while (n) {
		/* WriteFile takes a DWORD count; an OVERLAPPED offset makes each
		 * piece a positioned write, like pwrite, whatever the file pointer. */
		DWORD piece = n > (1u << 30) ? (1u << 30) : (DWORD)n, done = 0;
		OVERLAPPED at = { 0 };
		at.Offset = (DWORD)offset;
		at.OffsetHigh = (DWORD)(offset >> 32);
		if (!WriteFile(file, p, piece, &done, &at) || done == 0)
			return DC_E_IO;
		p += done;
		n -= done;
		offset += done;
	}
	return DC_OK;
}

/* "a.b.c.d" from the version resource of the file at `path`. */
static bool file_version(const wchar_t *path, char *buf, size_t len)
{
	DWORD ignored = 0, size = GetFileVersionInfoSizeW(path, &ignored);
	void *info = size ? malloc(size) : NULL;
	VS_FIXEDFILEINFO *fixed = NULL;
	UINT fixed_len = 0;
	bool ok = info && GetFileVersionInfoW(path, 0, size, info) &&
		  VerQueryValueW(info, L"\\", (void **)&fixed, &fixed_len) && fixed_len >= sizeof(*fixed);
	if (ok)
		snprintf(buf, len, "%lu.%lu.%lu.%lu", (unsigned long)HIWORD(fixed->dwFileVersionMS),
			 (unsigned long)LOWORD(fixed->dwFileVersionMS), (unsigned long)HIWORD(fixed->dwFileVersionLS),
			 (unsigned long)LOWORD(fixed->dwFileVersionLS));
	free(info);
	return ok;
}

/* Wine's ntdll exports wine_get_version; Windows' does not. The dbghelp
 * file version alone does not tell Wine's from Microsoft's. */
static const char *wine_version(void)
{
	typedef const char *(CDECL * get_version_fn)(void);
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	FARPROC f = ntdll ? GetProcAddress(ntdll, "wine_get_version") : NULL;
	get_version_fn get;
	if (!f)
		return NULL;
	/* A FARPROC is a generic function pointer: the cast through void
	 * (*)(void) is the documented way to give it its real type. */
	get = (get_version_fn)(void (*)(void))f;
	return get();
}

void dci_agent_dbghelp_version(char *buf, size_t len)
{
	dci_agent_dll_version(L"dbghelp.dll", buf, len);
}

void dci_agent_dll_version(const wchar_t *name, char *buf, size_t len)
{
	wchar_t path[MAX_PATH];
	HMODULE dll = GetModuleHandleW(name);
	DWORD n = dll ? GetModuleFileNameW(dll, path, MAX_PATH) : 0;
	char version[64] = "unknown";
	if (n && n < MAX_PATH)
		file_version(path, version, sizeof(version));
	const char *wine = wine_version();
	if (wine)
		snprintf(buf, len, "%s (Wine %s)", version, wine);
	else
		snprintf(buf, len, "%s", version);
}
