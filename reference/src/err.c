/* Names of errors, levels, phases and verdicts. */
#include "dumpcheck/dumpcheck.h"

const char *dc_err_name(enum dc_err err)
{
	switch (err) {
	case DC_OK: return "DC_OK";
	case DC_E_TRUNCATED: return "DC_E_TRUNCATED";
	case DC_E_MALFORMED: return "DC_E_MALFORMED";
	case DC_E_LIMIT: return "DC_E_LIMIT";
	case DC_E_NOMEM: return "DC_E_NOMEM";
	case DC_E_IO: return "DC_E_IO";
	case DC_E_CALLBACK: return "DC_E_CALLBACK";
	case DC_E_CANCELLED: return "DC_E_CANCELLED";
	case DC_E_MISUSE: return "DC_E_MISUSE";
	case DC_E_UNSUPPORTED: return "DC_E_UNSUPPORTED";
	}
	return "DC_E_UNKNOWN";
}

const char *dc_level_name(enum dc_level level)
{
	static const char *const names[] = { "MUST", "SHOULD", "MAY" };
	return (unsigned)level < 3 ? names[level] : "?";
}

const char *dc_phase_name(enum dc_phase phase)
{
	static const char *const names[] = { "decode", "validate", "resolve",
					     "limit", "protocol", "cross" };
	return (unsigned)phase < 6 ? names[phase] : "?";
}

const char *dc_verdict_name(enum dc_verdict v)
{
	static const char *const names[] = { "y", "n", "i" };
	return (unsigned)v < 3 ? names[v] : "?";
}
