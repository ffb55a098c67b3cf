/* Reports of validation results: text, JSON, JUnit XML, TAP 13, SARIF 2.1.0.
 *
 * Paths and details are untrusted bytes (a path can hold anything a file
 * system allows; a detail can quote bytes of the dump), so every format runs
 * them through an escaper that keeps its output well-formed. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "dumpcheck/report.h"
#include "internal.h"

/* How a finding is shown: its rule's level, except that implementation-defined
 * rules form their own group and never count as failures. */
enum sev { SEV_MUST, SEV_SHOULD, SEV_MAY, SEV_IMPL, SEV_COUNT };

/* Per-file counts derived once from the findings. */
struct tally {
	size_t sev[SEV_COUNT];            /* findings seen, recorded or not */
	uint32_t recorded[DC_RULE_COUNT]; /* findings recorded in items[] */
};

/* Writes `len` bytes of `s` escaped for one output context. */
typedef void (*escape_fn)(FILE *out, const char *s, size_t len);

/* U+2014 EM DASH, spelled in bytes so the source stays ASCII. */
#define EM_DASH "\xe2\x80\x94"

static const char *const sev_label[SEV_COUNT] = { "MUST", "SHOULD", "MAY", "IMPL" };
static const char *const sarif_level[SEV_COUNT] = { "error", "warning", "note", "note" };

/* ------------------------------------------------------------ helpers */

static enum sev rule_sev(unsigned rule)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[rule];
	if (rd->impl)
		return SEV_IMPL;
	if (rd->level == DC_LEVEL_MUST)
		return SEV_MUST;
	return rd->level == DC_LEVEL_SHOULD ? SEV_SHOULD : SEV_MAY;
}

/* A hand-built or corrupted result may carry a rule id beyond the table. */
static bool diag_valid(const struct dc_diag *g)
{
	return g->rule < DC_RULE_COUNT;
}

/* detail[] is normally NUL-terminated by vsnprintf, but do not rely on it. */
static size_t detail_len(const struct dc_diag *g)
{
	const char *nul = memchr(g->detail, '\0', sizeof(g->detail));
	return nul ? (size_t)(nul - g->detail) : sizeof(g->detail);
}

static size_t cstr_len(const char *s)
{
	return s ? strlen(s) : 0;
}

static const char *path_of(const struct dc_file_result *r)
{
	return r->path ? r->path : "";
}

static const char *reason_of(const struct dc_file_result *r)
{
	return r->reason ? r->reason : dc_err_name(r->err);
}

static void tally_init(struct tally *t, const struct dc_diags *d)
{
	memset(t, 0, sizeof(*t));
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++)
		t->sev[rule_sev(rule)] += d->per_rule[rule];
	for (size_t i = 0; i < d->count; i++)
		if (diag_valid(&d->items[i]) && t->recorded[d->items[i].rule] < UINT32_MAX)
			t->recorded[d->items[i].rule]++;
}

/* Findings of `rule` that were counted but not kept (limits reached). */
static uint32_t unrecorded(const struct dc_diags *d, const struct tally *t, unsigned rule)
{
	return d->per_rule[rule] > t->recorded[rule] ? d->per_rule[rule] - t->recorded[rule] : 0;
}

static bool has_unrecorded(const struct dc_diags *d, const struct tally *t)
{
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++)
		if (unrecorded(d, t, rule))
			return true;
	return false;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when p does not start one. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c, min;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2, c = p[0] & 0x1Fu, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		len = 3, c = p[0] & 0x0Fu, min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4, c = p[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* C0, DEL and C1 controls: C1 includes CSI (U+009B), a terminal escape. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Text for people: controls and broken UTF-8 are shown escaped so that a
 * hostile path cannot forge report lines or drive the terminal. */
static void put_text(FILE *out, const char *s, size_t len, bool tap)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_seq(p + i, len - i, &cp);
		if (k == 0) {
			fprintf(out, "\\x%02x", p[i]);
			k = 1;
		} else if (cp < 0x80 && is_control(cp)) {
			fprintf(out, "\\x%02x", (unsigned)cp);
		} else if (is_control(cp)) {
			fprintf(out, "\\u%04" PRIx32, cp);
		} else if (tap && cp == '#') { /* TAP 13: '#' starts a directive */
			fputs("\\#", out);
		} else {
			fwrite(p + i, 1, k, out);
		}
		i += k;
	}
}

static void put_plain(FILE *out, const char *s, size_t len)
{
	put_text(out, s, len, false);
}

/* Everything outside RFC 3986 unreserved characters and '/' is
 * percent-encoded: SARIF requires artifactLocation.uri to be a URI reference,
 * and a ':' in the first segment would read as a scheme. */
static void put_uri(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
			    c == '~' || c == '/';
		if (keep)
			fputc(c, out);
		else
			fprintf(out, "%%%02X", c);
	}
}

void dci_json_cstr(FILE *out, const char *s)
{
	if (s)
		dc_json_string(out, s, strlen(s));
	else
		fputs("null", out);
}

void dci_json_hex(FILE *out, const char *key, uint64_t v)
{
	fprintf(out, ",\"%s\":\"0x%" PRIx64 "\"", key, v);
}

void dci_trace_header_open(FILE *out, const char *schema, int version, const char *implementation,
			   const char *ver)
{
	fprintf(out, "{\"record\":\"header\",\"schema\":\"%s\",\"schema_version\":%d,\"implementation\":",
		schema, version);
	dci_json_cstr(out, implementation);
	fputs(",\"version\":", out);
	dci_json_cstr(out, ver);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* U+2028/U+2029 break JavaScript string literals; U+FFFE/U+FFFF are
 * noncharacters that strict YAML readers refuse (TAP reuses this escaper). */
static bool json_needs_escape(uint32_t cp)
{
	return is_control(cp) || cp == 0x2028 || cp == 0x2029 || cp == 0xFFFE || cp == 0xFFFF;
}

void dc_json_string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!s)
		len = 0;
	fputc('"', out);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_seq(p + i, len - i, &cp);
		if (k == 0) {
			/* Not UTF-8: JSON text must be Unicode, so the byte is lost. */
			fputs("\\ufffd", out);
			k = 1;
		} else if (cp == '"' || cp == '\\') {
			fputc('\\', out);
			fputc((int)cp, out);
		} else if (json_needs_escape(cp)) {
			fprintf(out, "\\u%04" PRIx32, cp);
		} else {
			fwrite(p + i, 1, k, out);
		}
		i += k;
	}
	fputc('"', out);
}

/* Characters XML 1.0 allows at all (even a character reference to anything
 * else makes the document ill-formed). */
static bool xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
	       (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static const char *xml_entity(uint32_t cp)
{
	switch (cp) {
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '&': return "&amp;";
	case '"': return "&quot;";
	case '\'': return "&apos;";
	/* as references, so attribute-value normalisation keeps them */
	case '\t': return "&#9;";
	case '\n': return "&#10;";
	case '\r': return "&#13;";
	}
	return NULL;
}

void dc_xml_text(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!s)
		return;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_seq(p + i, len - i, &cp);
		const char *ent = k ? xml_entity(cp) : NULL;
		if (k == 0 || !xml_char(cp))
			fputs("\xef\xbf\xbd", out); /* U+FFFD REPLACEMENT CHARACTER */
		else if (ent)
			fputs(ent, out);
		else
			fwrite(p + i, 1, k, out);
		i += k ? k : 1;
	}
}

static void xml_cstr(FILE *out, const char *s)
{
	dc_xml_text(out, s, cstr_len(s));
}

/* ---------------------------------------------- finding lines (shared) */

/* Line-oriented rendering shared by text, JUnit bodies and TAP comments. */
struct lines {
	const char *indent;
	escape_fn esc;
};

static void line_finding(FILE *out, const struct lines *ls, const struct dc_diag *g)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[g->rule];
	size_t dlen = detail_len(g);
	fprintf(out, "%s%-6s %s @0x%" PRIx64 ":", ls->indent, sev_label[rule_sev(g->rule)],
		rd->id, g->offset);
	if (dlen) {
		fputc(' ', out);
		ls->esc(out, g->detail, dlen);
	}
	fputs(" " EM_DASH " ", out);
	ls->esc(out, rd->text, cstr_len(rd->text));
	fputc('\n', out);
}

/* The findings of one severity: the recorded ones, then how many of each rule
 * were only counted. */
static void lines_sev(FILE *out, const struct lines *ls, const struct dc_diags *d,
		      const struct tally *t, enum sev s)
{
	for (size_t i = 0; i < d->count; i++)
		if (diag_valid(&d->items[i]) && rule_sev(d->items[i].rule) == s)
			line_finding(out, ls, &d->items[i]);
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++) {
		uint32_t more = unrecorded(d, t, rule);
		if (more && rule_sev(rule) == s)
			fprintf(out, "%s... and %" PRIu32 " more %s\n", ls->indent, more,
				dc_rule_descs[rule].id);
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void counts_text(FILE *out, const size_t sev[SEV_COUNT])
{
	fprintf(out, "%zu %s, %zu %s, %zu %s, %zu implementation-defined", sev[SEV_MUST],
		plural(sev[SEV_MUST], "error", "errors"), sev[SEV_SHOULD],
		plural(sev[SEV_SHOULD], "warning", "warnings"), sev[SEV_MAY],
		plural(sev[SEV_MAY], "note", "notes"), sev[SEV_IMPL]);
}

/* ---------------------------------------------------------------- text */

static const char *verdict_word(enum dc_verdict v)
{
	switch (v) {
	case DC_VERDICT_Y: return "conformant";
	case DC_VERDICT_N: return "NON-CONFORMANT";
	case DC_VERDICT_I: return "conformant (implementation-defined)";
	}
	return "?";
}

/* Totals over all files, for the summary line. */
struct summary {
	size_t verdicts[3];
	size_t unreadable;
	size_t sev[SEV_COUNT];
};

static void text_file(FILE *out, const struct dc_file_result *r, struct summary *sum)
{
	static const struct lines ls = { "  ", put_plain };
	struct tally t;
	put_plain(out, path_of(r), strlen(path_of(r)));
	if (r->err != DC_OK) {
		fputs(": ERROR: ", out);
		put_plain(out, reason_of(r), strlen(reason_of(r)));
		fputc('\n', out);
		sum->unreadable++;
		return;
	}
	tally_init(&t, &r->diags);
	fprintf(out, ": %s (", verdict_word(r->verdict));
	counts_text(out, t.sev);
	fputs(")\n", out);
	for (int s = 0; s < SEV_COUNT; s++) {
		lines_sev(out, &ls, &r->diags, &t, (enum sev)s);
		sum->sev[s] += t.sev[s];
	}
	if ((unsigned)r->verdict < 3)
		sum->verdicts[r->verdict]++;
}

static void write_text(FILE *out, const struct dc_file_result *res, size_t n)
{
	struct summary sum;
	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; i < n; i++)
		text_file(out, &res[i], &sum);
	fprintf(out,
		"summary: %zu %s, %zu conformant, %zu conformant (implementation-defined), "
		"%zu NON-CONFORMANT, %zu unreadable (",
		n, plural(n, "file", "files"), sum.verdicts[DC_VERDICT_Y],
		sum.verdicts[DC_VERDICT_I], sum.verdicts[DC_VERDICT_N], sum.unreadable);
	counts_text(out, sum.sev);
	fputs(")\n", out);
}

/* ---------------------------------------------------------------- JSON */

static void json_finding(FILE *out, const struct dc_diag *g, bool first)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[g->rule];
	fprintf(out, "%s\n        {\"rule\": ", first ? "" : ",");
	dci_json_cstr(out, rd->id);
	fprintf(out, ", \"level\": \"%s\", \"phase\": \"%s\", \"impl\": %s, \"offset\": %" PRIu64
		     ", \"detail\": ",
		dc_level_name((enum dc_level)rd->level), dc_phase_name((enum dc_phase)rd->phase),
		json_bool(rd->impl), g->offset);
	dc_json_string(out, g->detail, detail_len(g));
	fputc('}', out);
}

static void json_findings(FILE *out, const struct dc_diags *d)
{
	bool first = true;
	fputs("      \"findings\": [", out);
	for (size_t i = 0; i < d->count; i++) {
		if (!diag_valid(&d->items[i]))
			continue;
		json_finding(out, &d->items[i], first);
		first = false;
	}
	fputs(first ? "],\n" : "\n      ],\n", out);
}

static void json_unrecorded(FILE *out, const struct dc_diags *d, const struct tally *t)
{
	bool first = true;
	fputs("      \"unrecorded\": {", out);
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++) {
		uint32_t more = unrecorded(d, t, rule);
		if (!more)
			continue;
		fputs(first ? "" : ", ", out);
		dci_json_cstr(out, dc_rule_descs[rule].id);
		fprintf(out, ": %" PRIu32, more);
		first = false;
	}
	fputs("}\n", out);
}

static void json_file(FILE *out, const struct dc_file_result *r)
{
	struct tally t;
	tally_init(&t, &r->diags);
	fputs("    {\n      \"path\": ", out);
	dci_json_cstr(out, path_of(r));
	fprintf(out, ",\n      \"size\": %" PRIu64 ",\n", r->size);
	/* An unreadable file has no verdict: "y" there would read as a pass. */
	if (r->err != DC_OK) {
		fprintf(out, "      \"verdict\": null,\n      \"error\": {\"code\": \"%s\", \"reason\": ",
			dc_err_name(r->err));
		dci_json_cstr(out, r->reason);
		fputs("},\n", out);
	} else {
		fprintf(out, "      \"verdict\": \"%s\",\n      \"error\": null,\n",
			dc_verdict_name(r->verdict));
	}
	fprintf(out,
		"      \"counts\": {\"must\": %zu, \"should\": %zu, \"may\": %zu, \"impl\": %zu, "
		"\"total\": %zu},\n",
		t.sev[SEV_MUST], t.sev[SEV_SHOULD], t.sev[SEV_MAY], t.sev[SEV_IMPL], r->diags.total);
	json_findings(out, &r->diags);
	json_unrecorded(out, &r->diags, &t);
	fputs("    }", out);
}

static void write_json(FILE *out, const struct dc_file_result *res, size_t n)
{
	fprintf(out,
		"{\n  \"schema\": \"dumpcheck-validate\",\n  \"version\": %d,\n"
		"  \"tool\": {\"name\": \"dumpcheck\", \"version\": \"%s\"},\n  \"files\": [",
		DC_JSON_SCHEMA_VERSION, DC_VERSION);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_file(out, &res[i]);
	}
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* --------------------------------------------------------------- JUnit */

static bool is_failure(const struct dc_file_result *r)
{
	return r->err == DC_OK && r->verdict == DC_VERDICT_N;
}

static void junit_case(FILE *out, const struct dc_file_result *r)
{
	static const struct lines ls = { "", dc_xml_text };
	struct tally t;
	tally_init(&t, &r->diags);
	fputs("  <testcase classname=\"dumpcheck.validate\" name=\"", out);
	xml_cstr(out, path_of(r));
	fputs("\">\n", out);
	if (r->err != DC_OK) {
		fputs("    <error message=\"", out);
		xml_cstr(out, reason_of(r));
		fprintf(out, "\" type=\"%s\"/>\n", dc_err_name(r->err));
	} else if (is_failure(r)) {
		fprintf(out, "    <failure message=\"%zu MUST %s\" type=\"non-conformant\">",
			t.sev[SEV_MUST], plural(t.sev[SEV_MUST], "violation", "violations"));
		lines_sev(out, &ls, &r->diags, &t, SEV_MUST);
		fputs("</failure>\n", out);
	}
	if (r->err == DC_OK && t.sev[SEV_SHOULD] + t.sev[SEV_MAY] + t.sev[SEV_IMPL]) {
		fputs("    <system-out>", out);
		for (int s = SEV_SHOULD; s < SEV_COUNT; s++)
			lines_sev(out, &ls, &r->diags, &t, (enum sev)s);
		fputs("</system-out>\n", out);
	}
	fputs("  </testcase>\n", out);
}

static void write_junit(FILE *out, const struct dc_file_result *res, size_t n)
{
	size_t failures = 0, errors = 0;
	for (size_t i = 0; i < n; i++) {
		failures += is_failure(&res[i]);
		errors += res[i].err != DC_OK;
	}
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"dumpcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		n, failures, errors);
	for (size_t i = 0; i < n; i++)
		junit_case(out, &res[i]);
	fputs("</testsuite>\n", out);
}

/* ----------------------------------------------------------------- TAP */

static void tap_desc(FILE *out, const char *s)
{
	put_text(out, s, strlen(s), true);
}

static void yaml_finding(FILE *out, const struct dc_diag *g)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[g->rule];
	fprintf(out, "    - rule: %s\n      level: %s\n      impl: %s\n      offset: %" PRIu64
		     "\n      detail: ",
		rd->id, dc_level_name((enum dc_level)rd->level), json_bool(rd->impl), g->offset);
	/* A JSON string literal is a valid YAML double-quoted scalar. */
	dc_json_string(out, g->detail, detail_len(g));
	fputs("\n      text: ", out);
	dci_json_cstr(out, rd->text);
	fputc('\n', out);
}

static void yaml_findings(FILE *out, const struct dc_diags *d, const struct tally *t)
{
	if (d->count)
		fputs("  findings:\n", out);
	for (int s = 0; s < SEV_COUNT; s++)
		for (size_t i = 0; i < d->count; i++)
			if (diag_valid(&d->items[i]) && rule_sev(d->items[i].rule) == (enum sev)s)
				yaml_finding(out, &d->items[i]);
	if (!has_unrecorded(d, t))
		return;
	fputs("  unrecorded:\n", out);
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++)
		if (unrecorded(d, t, rule))
			fprintf(out, "    %s: %" PRIu32 "\n", dc_rule_descs[rule].id,
				unrecorded(d, t, rule));
}

/* The YAML diagnostic block of a "not ok" line. */
static void tap_yaml(FILE *out, const struct dc_file_result *r, const struct tally *t)
{
	fputs("  ---\n", out);
	if (r->err != DC_OK) {
		fputs("  message: ", out);
		dci_json_cstr(out, reason_of(r));
		fprintf(out, "\n  severity: error\n  error: %s\n", dc_err_name(r->err));
	} else {
		fprintf(out, "  message: \"%zu MUST %s\"\n  severity: fail\n  verdict: %s\n",
			t->sev[SEV_MUST], plural(t->sev[SEV_MUST], "violation", "violations"),
			dc_verdict_name(r->verdict));
		fprintf(out,
			"  counts: {must: %zu, should: %zu, may: %zu, impl: %zu, total: %zu}\n",
			t->sev[SEV_MUST], t->sev[SEV_SHOULD], t->sev[SEV_MAY], t->sev[SEV_IMPL],
			r->diags.total);
		yaml_findings(out, &r->diags, t);
	}
	fputs("  ...\n", out);
}

static void tap_test(FILE *out, const struct dc_file_result *r, size_t number)
{
	static const struct lines ls = { "# ", put_plain };
	struct tally t;
	bool ok = r->err == DC_OK && r->verdict != DC_VERDICT_N;
	tally_init(&t, &r->diags);
	fprintf(out, "%sok %zu - ", ok ? "" : "not ", number);
	tap_desc(out, path_of(r));
	fputc('\n', out);
	if (!ok) {
		tap_yaml(out, r, &t);
		return;
	}
	for (int s = 0; s < SEV_COUNT; s++)
		lines_sev(out, &ls, &r->diags, &t, (enum sev)s);
}

static void write_tap(FILE *out, const struct dc_file_result *res, size_t n)
{
	fprintf(out, "TAP version 13\n1..%zu\n", n);
	for (size_t i = 0; i < n; i++)
		tap_test(out, &res[i], i + 1);
}

/* --------------------------------------------------------------- SARIF */

static void sarif_rule(FILE *out, unsigned rule)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[rule];
	char tag[2] = { rd->tag, '\0' };
	fputs(rule ? ",\n            {\"id\": " : "\n            {\"id\": ", out);
	dci_json_cstr(out, rd->id);
	fputs(", \"shortDescription\": {\"text\": ", out);
	dci_json_cstr(out, rd->text ? rd->text : "");
	fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}, ",
		sarif_level[rule_sev(rule)]);
	fprintf(out, "\"properties\": {\"level\": \"%s\", \"phase\": \"%s\", \"tag\": ",
		dc_level_name((enum dc_level)rd->level), dc_phase_name((enum dc_phase)rd->phase));
	dci_json_cstr(out, tag);
	fprintf(out, ", \"implementationDefined\": %s}}", json_bool(rd->impl));
}

static void sarif_location(FILE *out, const char *path)
{
	fputs("\"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"", out);
	put_uri(out, path);
	fputs("\"}", out);
}

static void sarif_result(FILE *out, const char *path, const struct dc_diag *g, bool first)
{
	const struct dc_rule_desc *rd = &dc_rule_descs[g->rule];
	size_t dlen = detail_len(g);
	fprintf(out, "%s\n        {\"ruleId\": ", first ? "" : ",");
	dci_json_cstr(out, rd->id);
	fprintf(out, ", \"ruleIndex\": %u, \"level\": \"%s\", \"message\": {\"text\": ",
		(unsigned)g->rule, sarif_level[rule_sev(g->rule)]);
	/* SARIF wants a non-empty message: fall back on the rule's text. */
	if (dlen)
		dc_json_string(out, g->detail, dlen);
	else
		dci_json_cstr(out, rd->text ? rd->text : rd->id);
	fputs("}, ", out);
	sarif_location(out, path);
	fprintf(out, ", \"region\": {\"byteOffset\": %" PRIu64 "}}}]}", g->offset);
}

/* Writes the results of every file; returns whether none was written. */
static bool sarif_results(FILE *out, const struct dc_file_result *res, size_t n)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const struct dc_diags *d = &res[i].diags;
		for (size_t k = 0; res[i].err == DC_OK && k < d->count; k++) {
			if (!diag_valid(&d->items[k]))
				continue;
			sarif_result(out, path_of(&res[i]), &d->items[k], first);
			first = false;
		}
	}
	return first;
}

static void sarif_note(FILE *out, bool *first, const char *level, const char *path)
{
	fprintf(out, "%s\n            {\"level\": \"%s\", ", *first ? "" : ",", level);
	sarif_location(out, path);
	fputs("}}], ", out);
	*first = false;
}

/* One notification per unreadable file, and per rule whose findings were only
 * counted, so that a truncated result list does not pass for a complete one. */
static void sarif_notes(FILE *out, const struct dc_file_result *r, bool *first)
{
	struct tally t;
	if (r->err != DC_OK) {
		sarif_note(out, first, "error", path_of(r));
		fprintf(out, "\"descriptor\": {\"id\": \"%s\"}, \"message\": {\"text\": ",
			dc_err_name(r->err));
		dci_json_cstr(out, reason_of(r));
		fputs("}}", out);
		return;
	}
	tally_init(&t, &r->diags);
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++) {
		uint32_t more = unrecorded(&r->diags, &t, rule);
		if (!more)
			continue;
		sarif_note(out, first, "note", path_of(r));
		fputs("\"associatedRule\": {\"id\": ", out);
		dci_json_cstr(out, dc_rule_descs[rule].id);
		fprintf(out, ", \"index\": %u}, \"message\": {\"text\": \"%" PRIu32
			     " more findings of this rule were counted but not recorded\"}}",
			rule, more);
	}
}

static void sarif_invocation(FILE *out, const struct dc_file_result *res, size_t n)
{
	bool ok = true, first = true;
	for (size_t i = 0; i < n; i++)
		ok = ok && res[i].err == DC_OK;
	fprintf(out, "      \"invocations\": [{\"executionSuccessful\": %s, "
		     "\"toolExecutionNotifications\": [", json_bool(ok));
	for (size_t i = 0; i < n; i++)
		sarif_notes(out, &res[i], &first);
	fputs(first ? "]}],\n" : "\n          ]}],\n", out);
}

static void write_sarif(FILE *out, const struct dc_file_result *res, size_t n)
{
	fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n", out);
	fprintf(out, "      \"tool\": {\"driver\": {\"name\": \"dumpcheck\", \"version\": \"%s\", "
		     "\"rules\": [", DC_VERSION);
	for (unsigned rule = 0; rule < DC_RULE_COUNT; rule++)
		sarif_rule(out, rule);
	fputs("\n          ]}},\n", out);
	sarif_invocation(out, res, n);
	fputs("      \"results\": [", out);
	fputs(sarif_results(out, res, n) ? "]\n" : "\n      ]\n", out);
	fputs("    }\n  ]\n}\n", out);
}

/* ------------------------------------------------------------- public */

int dc_report_format_parse(const char *name)
{
	static const char *const names[] = { "text", "json", "junit", "tap", "sarif" };
	static const enum dc_report_format fmts[] = { DC_REPORT_TEXT, DC_REPORT_JSON,
						       DC_REPORT_JUNIT, DC_REPORT_TAP,
						       DC_REPORT_SARIF };
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)fmts[i];
	return -1;
}

enum dc_err dc_report_write(FILE *out, enum dc_report_format fmt,
			    const struct dc_file_result *results, size_t n)
{
	if (!out || (!results && n))
		return DC_E_MISUSE;
	switch (fmt) {
	case DC_REPORT_TEXT: write_text(out, results, n); break;
	case DC_REPORT_JSON: write_json(out, results, n); break;
	case DC_REPORT_JUNIT: write_junit(out, results, n); break;
	case DC_REPORT_TAP: write_tap(out, results, n); break;
	case DC_REPORT_SARIF: write_sarif(out, results, n); break;
	default: return DC_E_MISUSE;
	}
	/* Buffered bytes may only fail to reach the disk on the flush. */
	if (fflush(out) != 0 || ferror(out))
		return DC_E_IO;
	return DC_OK;
}
