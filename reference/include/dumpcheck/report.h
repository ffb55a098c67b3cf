/* Reports of validation results: text, JSON, JUnit XML, TAP, SARIF 2.1.0. */
#ifndef DUMPCHECK_REPORT_H
#define DUMPCHECK_REPORT_H

#include "dumpcheck/dumpcheck.h"

enum dc_report_format {
	DC_REPORT_TEXT,
	DC_REPORT_JSON,
	DC_REPORT_JUNIT,
	DC_REPORT_TAP,
	DC_REPORT_SARIF
};

/* The outcome of validating one input file. */
struct dc_file_result {
	const char *path;
	enum dc_err err;     /* DC_OK when the file was read and validated */
	const char *reason;  /* why it could not be read, when err != DC_OK */
	uint64_t size;
	struct dc_diags diags;
	enum dc_verdict verdict;
};

/* Parse "text", "json", "junit", "tap" or "sarif"; returns -1 when unknown. */
int dc_report_format_parse(const char *name);

/* Write a report of `n` results to `out`. Returns DC_E_IO if writing failed. */
enum dc_err dc_report_write(FILE *out, enum dc_report_format fmt,
			    const struct dc_file_result *results, size_t n);

/* Write `s[0..len)` as a JSON string literal (quotes included). */
void dc_json_string(FILE *out, const char *s, size_t len);

/* Write `s[0..len)` with XML special characters escaped. */
void dc_xml_text(FILE *out, const char *s, size_t len);

#endif
