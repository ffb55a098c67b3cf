/* Unit tests of the report writers: every format, escaping of hostile paths,
 * counts of unrecorded findings, and well-formedness of JSON, SARIF and XML. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/report.h"
#include "internal.h"
#include "wellformed.h"

/* Every byte class that breaks a naive writer: quote, newline, XML specials,
 * TAP's '#', and a byte that is not UTF-8. */
#define WEIRD_PATH "we\"ird\n<&>#\xff.dmp"

enum { F_GOOD, F_BAD, F_IMPL, F_MISSING, F_WEIRD, F_WARN, F_COUNT };

struct fixture {
	struct dc_file_result res[F_COUNT];
	enum dc_rule must, should, may, impl;
};

static const struct dc_limits test_limits = {
	.max_streams = 100, .max_entries = 100, .max_string_bytes = 100, .max_alloc = 1 << 20,
	.max_work = 1 << 20, .max_diags = 100, .max_per_rule = 2,
};

DCI_PRINTF(5, 6)
static void add_lim(struct dc_diags *d, const struct dc_limits *lim, enum dc_rule rule,
		    uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	assert_int_equal(dci_diags_addv(d, lim, rule, offset, fmt, ap), DC_OK);
	va_end(ap);
}

#define add(d, ...) add_lim((d), &test_limits, __VA_ARGS__)

/* The first rule of `level` with the given impl flag: the tests need one of
 * each kind, whatever spec/ currently declares. */
static enum dc_rule find_rule(enum dc_level level, int impl)
{
	for (unsigned r = 0; r < DC_RULE_COUNT; r++)
		if (dc_rule_descs[r].level == level && !!dc_rule_descs[r].impl == impl)
			return (enum dc_rule)r;
	fail_msg("no rule of level %d impl %d in dc_rule_descs", (int)level, impl);
	return DC_RULE_COUNT;
}

static void finish(struct dc_file_result *r, const char *path, uint64_t size)
{
	r->path = path;
	r->size = size;
	r->err = DC_OK;
	r->verdict = dc_diags_verdict(&r->diags);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->must = DC_RULE_HEADER_SIGNATURE;
	f->should = find_rule(DC_LEVEL_SHOULD, 0);
	f->may = find_rule(DC_LEVEL_MAY, 0);
	f->impl = find_rule(DC_LEVEL_MAY, 1);

	finish(&f->res[F_GOOD], "good.dmp", 1024);

	/* Added in reverse severity order so that grouping is observable. */
	struct dc_diags *bad = &f->res[F_BAD].diags;
	add(bad, f->impl, 0x20, "impl finding");
	add(bad, f->may, 0x30, "may finding");
	add(bad, f->should, 0x40, "should finding");
	for (int i = 0; i < 5; i++) /* max_per_rule 2: three are only counted */
		add(bad, f->must, 0x10 * (unsigned)i, "signature is 0x%08X", 0x12345678u + (unsigned)i);
	finish(&f->res[F_BAD], "bad.dmp", 32);

	add(&f->res[F_IMPL].diags, f->impl, 0x18, "checksum 0x1");
	finish(&f->res[F_IMPL], "impl.dmp", 64);

	struct dc_file_result *miss = &f->res[F_MISSING];
	miss->path = "missing.dmp";
	miss->err = DC_E_IO;
	miss->reason = "No such file or directory";
	miss->verdict = DC_VERDICT_N;

	add(&f->res[F_WEIRD].diags, f->must, 0, "bad \"sig\" \x01<x>&");
	finish(&f->res[F_WEIRD], WEIRD_PATH, 7);

	add(&f->res[F_WARN].diags, f->should, 0x44, "should finding");
	finish(&f->res[F_WARN], "warn.dmp", 128);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < F_COUNT; i++)
		dc_diags_free(&f->res[i].diags);
	free(f);
	return 0;
}

static char *render(enum dc_report_format fmt, const struct dc_file_result *res, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(dc_report_write(out, fmt, res, n), DC_OK);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(strlen(buf), len); /* no NUL byte inside the report */
	return buf;
}

static char *render_all(void **state, enum dc_report_format fmt)
{
	struct fixture *f = *state;
	return render(fmt, f->res, F_COUNT);
}

static char *esc_json(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	assert_non_null(out);
	dc_json_string(out, s, len);
	fclose(out);
	return buf;
}

static char *esc_xml(const char *s, size_t len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *out = open_memstream(&buf, &n);
	assert_non_null(out);
	dc_xml_text(out, s, len);
	fclose(out);
	return buf;
}

/* Position of `needle` in `hay`, failing the test when it is absent. */
static size_t pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	if (!p)
		fail_msg("missing %s in:\n%s", needle, hay);
	return (size_t)(p - hay);
}

static void assert_has(const char *hay, const char *needle)
{
	(void)pos(hay, needle);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("unexpected %s in:\n%s", needle, hay);
}

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Every line of `doc` starts with one of the NULL-terminated `prefixes`. */
static void assert_line_prefixes(const char *doc, const char *const *prefixes)
{
	for (const char *line = doc; *line;) {
		const char *nl = strchr(line, '\n');
		bool ok = false;
		for (size_t i = 0; prefixes[i] && !ok; i++)
			ok = strncmp(line, prefixes[i], strlen(prefixes[i])) == 0;
		if (!ok)
			fail_msg("unexpected line: %.*s", (int)(nl ? nl - line : (long)strlen(line)), line);
		line = nl ? nl + 1 : line + strlen(line);
	}
}

/* ---------------------------------------------------------------- tests */

static void test_format_parse(void **state)
{
	(void)state;
	assert_int_equal(dc_report_format_parse("text"), DC_REPORT_TEXT);
	assert_int_equal(dc_report_format_parse("json"), DC_REPORT_JSON);
	assert_int_equal(dc_report_format_parse("junit"), DC_REPORT_JUNIT);
	assert_int_equal(dc_report_format_parse("tap"), DC_REPORT_TAP);
	assert_int_equal(dc_report_format_parse("sarif"), DC_REPORT_SARIF);
	assert_int_equal(dc_report_format_parse("JSON"), -1);
	assert_int_equal(dc_report_format_parse("xml"), -1);
	assert_int_equal(dc_report_format_parse(""), -1);
	assert_int_equal(dc_report_format_parse(NULL), -1);
}

/* The checkers the report tests rely on reject what a broken escaper emits. */
static void test_checkers(void **state)
{
	const char *elem;
	(void)state;
	assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"\\u00e9\\n\xc3\xa9\"], \"b\": {}}"));
	assert_false(json_valid("{\"a\": \"x\ny\"}"));  /* raw control character */
	assert_false(json_valid("{\"a\": \"\xff\"}"));  /* not UTF-8 */
	assert_false(json_valid("{\"a\": \"x\"y\"}")); /* unescaped quote */
	assert_false(json_valid("{\"a\": [1, 2}"));     /* unbalanced */
	assert_false(json_valid("{\"a\": 1}}"));        /* trailing garbage */
	assert_false(json_valid("[1,]"));
	assert_int_equal(json_array_elems("{\"k\": [1, {\"x\": [2]}, \"]\"]}", "\"k\"", 2, &elem), 3);
	assert_true(strncmp(elem, "\"]\"", 3) == 0);
	assert_int_equal(json_array_elems("{\"k\": 1}", "\"k\"", 0, &elem), SIZE_MAX);

	assert_true(xml_wellformed("<?xml version=\"1.0\"?>\n<a x=\"&lt;&#10;\"><b/>t&amp;</a>\n"));
	assert_false(xml_wellformed("<a x=\"<\"/>"));      /* raw '<' in an attribute */
	assert_false(xml_wellformed("<a x=\"\"\"/>"));     /* unescaped quote */
	assert_false(xml_wellformed("<a>&</a>"));          /* bare ampersand */
	assert_false(xml_wellformed("<a>\x01</a>"));       /* forbidden character */
	assert_false(xml_wellformed("<a><b></a></b>"));    /* crossed tags */
	assert_false(xml_wellformed("<a>x<y</a>"));
	assert_false(xml_wellformed("<a/><b/>"));          /* two roots */
}

static void check_json(const char *in, size_t len, const char *want)
{
	char *got = esc_json(in, len);
	assert_string_equal(got, want);
	assert_true(json_valid(got));
	free(got);
}

static void test_json_string(void **state)
{
	(void)state;
	check_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_json("\n\t\x01\x1f\x7f", 5, "\"\\u000a\\u0009\\u0001\\u001f\\u007f\"");
	check_json("a\0b", 3, "\"a\\u0000b\"");
	check_json("abcdef", 3, "\"abc\"");
	check_json(NULL, 0, "\"\"");
	/* well-formed UTF-8 passes through; C1 controls and U+2028 are escaped */
	check_json("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	check_json("\xc2\x9b\xe2\x80\xa8", 5, "\"\\u009b\\u2028\"");
	/* stray, overlong, surrogate, out-of-range and truncated sequences */
	check_json("\xff", 1, "\"\\ufffd\"");
	check_json("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	check_json("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_json("\xf0\x8f\xbf\xbf", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	check_json("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check_json("x\xe2\x82", 3, "\"x\\ufffd\\ufffd\"");
}

/* dci_utf16_valid against the decoder: a string of units that are not
 * U+FFFD is valid exactly when decoding it yields no U+FFFD. Every string of
 * up to four units over the surrogate range's edges and its neighbours. */
static void test_utf16_valid(void **state)
{
	static const uint16_t alphabet[] = { 0x0041, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000 };
	const unsigned na = sizeof(alphabet) / sizeof(alphabet[0]);
	unsigned checked = 0, invalid = 0;
	(void)state;
	for (unsigned len = 0; len <= 4; len++) {
		unsigned combos = 1;
		for (unsigned k = 0; k < len; k++)
			combos *= na;
		for (unsigned c = 0; c < combos; c++) {
			uint8_t units[8];
			char utf8[32];
			for (unsigned k = 0, rest = c; k < len; k++, rest /= na) {
				units[2 * k] = (uint8_t)alphabet[rest % na];
				units[2 * k + 1] = (uint8_t)(alphabet[rest % na] >> 8);
			}
			dci_utf16_to_utf8(units, len, utf8, sizeof(utf8));
			bool decoded_clean = strstr(utf8, "\xef\xbf\xbd") == NULL;
			assert_int_equal(dci_utf16_valid(units, len), decoded_clean);
			checked++;
			invalid += !decoded_clean;
		}
	}
	assert_int_equal(checked, 1 + 7 + 49 + 343 + 2401);
	assert_true(invalid > 0 && invalid < checked);
}

static void check_xml(const char *in, size_t len, const char *want)
{
	char *got = esc_xml(in, len);
	assert_string_equal(got, want);
	free(got);
}

static void test_xml_text(void **state)
{
	(void)state;
	check_xml("<a & b> \"q\" 'x'", 15, "&lt;a &amp; b&gt; &quot;q&quot; &apos;x&apos;");
	check_xml("\t\n\r", 3, "&#9;&#10;&#13;");
	check_xml("\xc3\xa9", 2, "\xc3\xa9");
	/* characters XML 1.0 forbids, and bytes that are not UTF-8 */
	check_xml("\x01", 1, "\xef\xbf\xbd");
	check_xml("\x1b[", 2, "\xef\xbf\xbd[");
	check_xml("\xff", 1, "\xef\xbf\xbd");
	check_xml("\xef\xbf\xbf", 3, "\xef\xbf\xbd");
	check_xml("ab", 1, "a");
}

/* "  MUST   header.signature @0x10: detail — rule text" for `rule`, with the
 * detail and rule text XML-escaped when `xml`. */
static char *finding_line(const char *indent, const char *label, enum dc_rule rule,
			  unsigned offset, const char *detail, bool xml)
{
	const char *text = dc_rule_descs[rule].text;
	char *xdetail = xml ? esc_xml(detail, strlen(detail)) : NULL;
	char *xtext = xml ? esc_xml(text, strlen(text)) : NULL;
	char *line = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&line, &len);
	assert_non_null(out);
	fprintf(out, "%s%-6s %s @0x%x: %s \xe2\x80\x94 %s\n", indent, label, dc_rule_descs[rule].id,
		offset, xml ? xdetail : detail, xml ? xtext : text);
	fclose(out);
	free(xdetail);
	free(xtext);
	return line;
}

static void assert_has_line(const char *doc, const char *indent, const char *label,
			    enum dc_rule rule, unsigned offset, const char *detail)
{
	char *line = finding_line(indent, label, rule, offset, detail, false);
	assert_has(doc, line);
	free(line);
}

static void assert_has_xml_line(const char *doc, const char *label, enum dc_rule rule,
				unsigned offset, const char *detail)
{
	char *line = finding_line("", label, rule, offset, detail, true);
	assert_has(doc, line);
	free(line);
}

static void test_text(void **state)
{
	struct fixture *f = *state;
	char *doc = render_all(state, DC_REPORT_TEXT);
	assert_has(doc, "good.dmp: conformant (0 errors, 0 warnings, 0 notes, "
			"0 implementation-defined)\n");
	assert_has(doc, "bad.dmp: NON-CONFORMANT (5 errors, 1 warning, 1 note, "
			"1 implementation-defined)\n");
	assert_has(doc, "impl.dmp: conformant (implementation-defined) (0 errors, 0 warnings, "
			"0 notes, 1 implementation-defined)\n");
	assert_has(doc, "missing.dmp: ERROR: No such file or directory\n");
	assert_has(doc, "warn.dmp: conformant (0 errors, 1 warning, 0 notes, "
			"0 implementation-defined)\n");
	assert_has(doc, "summary: 6 files, 2 conformant, 1 conformant (implementation-defined), "
			"2 NON-CONFORMANT, 1 unreadable (6 errors, 2 warnings, 1 note, "
			"2 implementation-defined)\n");

	assert_has_line(doc, "  ", "MUST", f->must, 0x10, "signature is 0x12345679");
	assert_has(doc, "  ... and 3 more header.signature\n");
	assert_int_equal(occurrences(doc, "signature is 0x"), 2); /* only the recorded ones */
	assert_has_line(doc, "  ", "IMPL", f->impl, 0x18, "checksum 0x1");

	/* grouped MUST, SHOULD, MAY, implementation-defined, whatever the order found */
	const char *bad = doc + pos(doc, "bad.dmp:");
	assert_true(pos(bad, "  MUST ") < pos(bad, "  SHOULD "));
	assert_true(pos(bad, "  SHOULD ") < pos(bad, "  MAY "));
	assert_true(pos(bad, "  MAY ") < pos(bad, "  IMPL "));
	assert_true(pos(bad, "  ... and 3 more") < pos(bad, "  SHOULD "));

	/* a hostile path or detail cannot start a line of its own */
	assert_has(doc, "we\"ird\\x0a<&>#\\xff.dmp: NON-CONFORMANT (1 error, ");
	assert_has(doc, "@0x0: bad \"sig\" \\x01<x>& \xe2\x80\x94 ");
	static const char *const prefixes[] = { "good.dmp: ", "bad.dmp: ", "impl.dmp: ",
						"missing.dmp: ", "we\"ird", "warn.dmp: ",
						"  ", "summary: ", NULL };
	assert_line_prefixes(doc, prefixes);
	free(doc);
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	char *doc = render_all(state, DC_REPORT_JSON);
	const char *elem;
	assert_true(json_valid(doc));
	assert_has(doc, "\"schema\": \"dumpcheck-validate\"");
	assert_has(doc, "\"version\": 1,");
	assert_has(doc, "\"tool\": {\"name\": \"dumpcheck\", \"version\": \"" DC_VERSION "\"}");
	assert_int_equal(json_array_elems(doc, "\"files\"", 0, &elem), F_COUNT);

	assert_has(doc, "\"path\": \"we\\\"ird\\u000a<&>#\\ufffd.dmp\"");
	assert_has(doc, "\"detail\": \"bad \\\"sig\\\" \\u0001<x>&\"");
	assert_int_equal(occurrences(doc, "\"verdict\": \"y\""), 2);
	assert_int_equal(occurrences(doc, "\"verdict\": \"n\""), 2);
	assert_int_equal(occurrences(doc, "\"verdict\": \"i\""), 1);
	assert_int_equal(occurrences(doc, "\"verdict\": null"), 1);
	assert_int_equal(occurrences(doc, "\"error\": null"), F_COUNT - 1);
	assert_has(doc, "\"error\": {\"code\": \"DC_E_IO\", \"reason\": "
			"\"No such file or directory\"}");
	assert_has(doc, "\"size\": 1024,");
	assert_has(doc, "\"counts\": {\"must\": 5, \"should\": 1, \"may\": 1, \"impl\": 1, "
			"\"total\": 8}");
	assert_has(doc, "{\"rule\": \"header.signature\", \"level\": \"MUST\", \"phase\": "
			"\"decode\", \"impl\": false, \"offset\": 16, \"detail\": "
			"\"signature is 0x12345679\"}");
	assert_has(doc, "\"unrecorded\": {\"header.signature\": 3}");
	free(doc);

	doc = render(DC_REPORT_JSON, &f->res[F_BAD], 1);
	assert_true(json_valid(doc));
	assert_int_equal(json_array_elems(doc, "\"findings\"", 0, &elem), 5);
	assert_true(strncmp(elem, "{\"rule\": ", 9) == 0);
	char want[160];
	snprintf(want, sizeof(want), "{\"rule\": \"%s\", \"level\": \"MAY\", \"phase\": \"%s\", "
		 "\"impl\": true, \"offset\": 32,", dc_rule_descs[f->impl].id,
		 dc_phase_name((enum dc_phase)dc_rule_descs[f->impl].phase));
	assert_has(doc, want);
	free(doc);

	doc = render(DC_REPORT_JSON, NULL, 0);
	assert_true(json_valid(doc));
	assert_int_equal(json_array_elems(doc, "\"files\"", 0, &elem), 0);
	free(doc);
}

/* The text between `open` and `close`, after `from`, as a new string. */
static char *between(const char *doc, const char *from, const char *open, const char *close)
{
	const char *a = doc + pos(doc, from);
	a += pos(a, open) + strlen(open);
	size_t n = pos(a, close);
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, a, n);
	s[n] = '\0';
	return s;
}

static void test_junit(void **state)
{
	struct fixture *f = *state;
	char *doc = render_all(state, DC_REPORT_JUNIT);
	assert_true(xml_wellformed(doc));
	assert_true(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	assert_has(doc, "<testsuite name=\"dumpcheck\" tests=\"6\" failures=\"2\" errors=\"1\">");
	assert_int_equal(occurrences(doc, "<testcase classname=\"dumpcheck.validate\" name=\""),
			 F_COUNT);
	assert_has(doc, "name=\"we&quot;ird&#10;&lt;&amp;&gt;#\xef\xbf\xbd.dmp\">");
	assert_has(doc, "<failure message=\"5 MUST violations\" type=\"non-conformant\">");
	assert_has(doc, "<failure message=\"1 MUST violation\" type=\"non-conformant\">");
	assert_int_equal(occurrences(doc, "<failure "), 2);
	assert_has(doc, "<error message=\"No such file or directory\" type=\"DC_E_IO\"/>");
	assert_int_equal(occurrences(doc, "<error "), 1);
	assert_has(doc, "bad &quot;sig&quot; \xef\xbf\xbd&lt;x&gt;&amp;");

	char *fail = between(doc, "name=\"bad.dmp\"", "type=\"non-conformant\">", "</failure>");
	char *out = between(doc, "name=\"bad.dmp\"", "<system-out>", "</system-out>");
	assert_has_xml_line(fail, "MUST", f->must, 0x0, "signature is 0x12345678");
	assert_has(fail, "... and 3 more header.signature\n");
	assert_lacks(fail, "should finding");
	assert_has_xml_line(out, "SHOULD", f->should, 0x40, "should finding");
	assert_has_xml_line(out, "MAY", f->may, 0x30, "may finding");
	assert_has_xml_line(out, "IMPL", f->impl, 0x20, "impl finding");
	assert_lacks(out, "signature is");
	free(fail);
	free(out);

	/* a conformant file is a bare passing test case */
	assert_has(doc, "name=\"good.dmp\">\n  </testcase>");
	free(doc);
}

static void test_tap(void **state)
{
	struct fixture *f = *state;
	char *doc = render_all(state, DC_REPORT_TAP);
	assert_true(strncmp(doc, "TAP version 13\n1..6\n", 20) == 0);
	assert_has(doc, "\nok 1 - good.dmp\nnot ok 2 - bad.dmp\n  ---\n");
	assert_has(doc, "\nok 3 - impl.dmp\n# IMPL ");
	assert_has(doc, "\nnot ok 4 - missing.dmp\n  ---\n  message: \"No such file or directory\"\n"
			"  severity: error\n  error: DC_E_IO\n  ...\n");
	assert_has(doc, "\nnot ok 5 - we\"ird\\x0a<&>\\#\\xff.dmp\n  ---\n");
	assert_has(doc, "\nok 6 - warn.dmp\n# SHOULD ");
	assert_has_line(doc, "# ", "SHOULD", f->should, 0x44, "should finding");
	assert_int_equal(occurrences(doc, "\n  ---\n"), 3);
	assert_int_equal(occurrences(doc, "\n  ...\n"), 3);

	char *yaml = between(doc, "not ok 2 - bad.dmp", "  ---\n", "  ...\n");
	assert_has(yaml, "  message: \"5 MUST violations\"\n");
	assert_has(yaml, "    - rule: header.signature\n      level: MUST\n      impl: false\n"
			 "      offset: 16\n      detail: \"signature is 0x12345679\"\n");
	assert_has(yaml, "  unrecorded:\n    header.signature: 3\n");
	assert_has(yaml, "      detail: \"should finding\"\n");
	free(yaml);
	yaml = between(doc, "not ok 5 - ", "  ---\n", "  ...\n");
	assert_has(yaml, "      detail: \"bad \\\"sig\\\" \\u0001<x>&\"\n");
	free(yaml);

	static const char *const prefixes[] = { "TAP version 13", "1..", "ok ", "not ok ",
						"# ", "  ", NULL };
	assert_line_prefixes(doc, prefixes);
	free(doc);

	doc = render(DC_REPORT_TAP, NULL, 0);
	assert_string_equal(doc, "TAP version 13\n1..0\n");
	free(doc);
}

/* Every result's ruleIndex names the rule its ruleId names. */
static size_t check_rule_indexes(const char *doc)
{
	size_t n = 0;
	for (const char *p = strstr(doc, "\"ruleId\": \""); p; p = strstr(p + 1, "\"ruleId\": \"")) {
		char id[96];
		unsigned index;
		assert_int_equal(sscanf(p, "\"ruleId\": \"%95[^\"]\", \"ruleIndex\": %u", id, &index), 2);
		assert_true(index < DC_RULE_COUNT);
		assert_string_equal(dc_rule_descs[index].id, id);
		n++;
	}
	return n;
}

static void test_sarif(void **state)
{
	struct fixture *f = *state;
	char *doc = render_all(state, DC_REPORT_SARIF);
	const char *elem;
	char want[160];
	assert_true(json_valid(doc));
	assert_has(doc, "\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\"");
	assert_has(doc, "\"version\": \"2.1.0\"");
	assert_has(doc, "\"driver\": {\"name\": \"dumpcheck\", \"version\": \"" DC_VERSION "\"");
	assert_lacks(doc, "informationUri");
	assert_int_equal(json_array_elems(doc, "\"runs\"", 0, &elem), 1);

	assert_int_equal(json_array_elems(doc, "\"rules\"", f->must, &elem), DC_RULE_COUNT);
	assert_true(strncmp(elem, "{\"id\": \"header.signature\", \"shortDescription\": {\"text\": ",
			    56) == 0);
	json_array_elems(doc, "\"rules\"", f->impl, &elem);
	assert_non_null(elem);
	assert_true(strstr(elem, "\"implementationDefined\": true}") <
		    strstr(elem + 1, "{\"id\""));

	/* 5 + 1 + 1 + 1 recorded findings; the unreadable file has none */
	assert_int_equal(json_array_elems(doc, "\"results\"", 0, &elem), 8);
	assert_int_equal(check_rule_indexes(doc), 8);
	snprintf(want, sizeof(want), "\"ruleIndex\": %u, \"level\": \"error\"", (unsigned)f->must);
	assert_has(doc, want);
	snprintf(want, sizeof(want), "\"ruleIndex\": %u, \"level\": \"warning\"", (unsigned)f->should);
	assert_has(doc, want);
	snprintf(want, sizeof(want), "\"ruleIndex\": %u, \"level\": \"note\"", (unsigned)f->may);
	assert_has(doc, want);
	snprintf(want, sizeof(want), "\"ruleIndex\": %u, \"level\": \"note\"", (unsigned)f->impl);
	assert_has(doc, want);
	assert_has(doc, "\"message\": {\"text\": \"signature is 0x12345679\"}, \"locations\": "
			"[{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"bad.dmp\"}, "
			"\"region\": {\"byteOffset\": 16}}}]");
	assert_has(doc, "{\"uri\": \"we%22ird%0A%3C%26%3E%23%FF.dmp\"}");
	assert_has(doc, "\"text\": \"bad \\\"sig\\\" \\u0001<x>&\"");

	assert_has(doc, "\"executionSuccessful\": false");
	assert_int_equal(json_array_elems(doc, "\"toolExecutionNotifications\"", 0, &elem), 2);
	assert_has(elem, "\"uri\": \"missing.dmp\"");
	assert_has(elem, "\"text\": \"No such file or directory\"");
	assert_has(doc, "\"associatedRule\": {\"id\": \"header.signature\", \"index\": ");
	assert_has(doc, "\"3 more findings of this rule were counted but not recorded\"");
	free(doc);

	doc = render(DC_REPORT_SARIF, &f->res[F_GOOD], 1);
	assert_true(json_valid(doc));
	assert_has(doc, "\"executionSuccessful\": true");
	assert_int_equal(json_array_elems(doc, "\"results\"", 0, &elem), 0);
	assert_int_equal(json_array_elems(doc, "\"toolExecutionNotifications\"", 0, &elem), 0);
	free(doc);
}

/* A rule whose findings were all dropped still shows how many there were. */
static void test_unrecorded_only(void **state)
{
	struct fixture *f = *state;
	struct dc_limits lim = test_limits;
	struct dc_file_result r = { .path = "full.dmp" };
	char want[96];
	lim.max_diags = 1; /* the SHOULD findings are counted, never recorded */
	add_lim(&r.diags, &lim, f->must, 0, "kept");
	add_lim(&r.diags, &lim, f->should, 4, "dropped");
	add_lim(&r.diags, &lim, f->should, 8, "dropped");
	add_lim(&r.diags, &lim, f->may, 12, "dropped");
	assert_int_equal(r.diags.count, 1);
	r.verdict = dc_diags_verdict(&r.diags);

	char *doc = render(DC_REPORT_TEXT, &r, 1);
	snprintf(want, sizeof(want), "  ... and 2 more %s\n", dc_rule_descs[f->should].id);
	assert_has(doc, want);
	assert_true(pos(doc, "  MUST ") < pos(doc, want));
	assert_lacks(doc, "dropped");
	assert_has(doc, "(1 error, 2 warnings, 1 note, 0 implementation-defined)");
	free(doc);

	doc = render(DC_REPORT_JSON, &r, 1);
	assert_true(json_valid(doc));
	snprintf(want, sizeof(want), "\"%s\": 2", dc_rule_descs[f->should].id);
	assert_has(doc + pos(doc, "\"unrecorded\": {"), want);
	snprintf(want, sizeof(want), "\"%s\": 1", dc_rule_descs[f->may].id);
	assert_has(doc + pos(doc, "\"unrecorded\": {"), want);
	assert_has(doc, "\"counts\": {\"must\": 1, \"should\": 2, \"may\": 1, \"impl\": 0, "
			"\"total\": 4}");
	free(doc);

	doc = render(DC_REPORT_JUNIT, &r, 1);
	assert_true(xml_wellformed(doc));
	char *out = between(doc, "full.dmp", "<system-out>", "</system-out>");
	snprintf(want, sizeof(want), "... and 2 more %s\n... and 1 more %s\n",
		 dc_rule_descs[f->should].id, dc_rule_descs[f->may].id);
	assert_string_equal(out, want);
	free(out);
	free(doc);
	dc_diags_free(&r.diags);
}

/* A finding naming no known rule is skipped rather than read out of bounds. */
static void test_bad_rule_skipped(void **state)
{
	struct fixture *f = *state;
	struct dc_file_result r = { .path = "odd.dmp" };
	add(&r.diags, f->must, 0, "real");
	r.diags.items[0].rule = DC_RULE_COUNT + 7;
	memset(r.diags.items[0].detail, 'A', sizeof(r.diags.items[0].detail)); /* no NUL */
	add(&r.diags, f->must, 0, "second");
	memset(r.diags.items[1].detail, 'B', sizeof(r.diags.items[1].detail));
	r.verdict = DC_VERDICT_N;
	for (int fmt = DC_REPORT_TEXT; fmt <= DC_REPORT_SARIF; fmt++) {
		char *doc = render((enum dc_report_format)fmt, &r, 1);
		if (fmt == DC_REPORT_JSON || fmt == DC_REPORT_SARIF)
			assert_true(json_valid(doc));
		if (fmt == DC_REPORT_JUNIT)
			assert_true(xml_wellformed(doc));
		assert_lacks(doc, "AAAA");
		assert_has(doc, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
				"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
		assert_lacks(doc, "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
				  "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
		free(doc);
	}
	dc_diags_free(&r.diags);
}

static void test_write_errors(void **state)
{
	struct fixture *f = *state;
	/* a read-only stream: every write fails and sets the error indicator */
	FILE *ro = fopen("/dev/null", "r");
	assert_non_null(ro);
	for (int fmt = DC_REPORT_TEXT; fmt <= DC_REPORT_SARIF; fmt++)
		assert_int_equal(dc_report_write(ro, (enum dc_report_format)fmt, f->res, F_COUNT),
				 DC_E_IO);
	fclose(ro);

	FILE *full = fopen("/dev/full", "w");
	if (full) { /* the error only shows when the buffer is flushed */
		assert_int_equal(dc_report_write(full, DC_REPORT_TEXT, f->res, 1), DC_E_IO);
		fclose(full);
	}
	assert_int_equal(dc_report_write(NULL, DC_REPORT_TEXT, f->res, 1), DC_E_MISUSE);
	assert_int_equal(dc_report_write(stdout, DC_REPORT_TEXT, NULL, 1), DC_E_MISUSE);
	assert_int_equal(dc_report_write(stdout, (enum dc_report_format)99, f->res, 1),
			 DC_E_MISUSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkers),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_xml_text),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrecorded_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rule_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors, setup, teardown),
		cmocka_unit_test(test_utf16_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
