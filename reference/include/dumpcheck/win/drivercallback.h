/* Clean-room declaration of winmm's DriverCallback and its DCB_* flags
 * (MSDoc DriverCallback, mmddk.h; spec/dcb/driver_callback.toml), for the
 * Windows agent: mingw-w64 declares the DCB_* values in <mmddk.h> but not
 * the function. The values are pinned to the generated DC_DCB_* constants. */
#ifndef DUMPCHECK_WIN_DRIVERCALLBACK_H
#define DUMPCHECK_WIN_DRIVERCALLBACK_H

#include "dc_spec.h"
#include "dumpcheck/win/basetypes.h"

#ifndef DCB_NULL
#define DCB_NULL 0x0000
#define DCB_WINDOW 0x0001
#define DCB_TASK 0x0002
#define DCB_FUNCTION 0x0003
#define DCB_EVENT 0x0005
#define DCB_TYPEMASK 0x0007
#define DCB_NOSWITCH 0x0008
#endif

_Static_assert(DCB_NULL == DC_DCB_NULL, "DCB_NULL");
_Static_assert(DCB_WINDOW == DC_DCB_WINDOW, "DCB_WINDOW");
_Static_assert(DCB_TASK == DC_DCB_TASK, "DCB_TASK");
_Static_assert(DCB_FUNCTION == DC_DCB_FUNCTION, "DCB_FUNCTION");
_Static_assert(DCB_EVENT == DC_DCB_EVENT, "DCB_EVENT");
_Static_assert(DCB_TYPEMASK == DC_DCB_TYPEMASK, "DCB_TYPEMASK");
_Static_assert(DCB_NOSWITCH == DC_DCB_NOSWITCH, "DCB_NOSWITCH");

#if defined(_WIN32)
#include <mmsystem.h> /* HDRVR */

/* What a DCB_FUNCTION callback is called with (DRVCALLBACK). */
typedef void(CALLBACK *DC_WIN_DRVCALLBACK)(HDRVR hdrvr, UINT msg, DWORD_PTR user, DWORD_PTR param1,
					   DWORD_PTR param2);

/* winmm.dll; returns TRUE when the notification was delivered. */
BOOL WINAPI DriverCallback(DWORD_PTR dwCallback, DWORD dwFlags, HDRVR hDevice, DWORD dwMsg,
			   DWORD_PTR dwUser, DWORD_PTR dwParam1, DWORD_PTR dwParam2);
#endif

#endif
