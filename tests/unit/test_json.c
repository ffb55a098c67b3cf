/* Unit tests of the JSON parser (dumpcheck/json.h): valid documents read
 * back, every rejection with its line:column and message, every limit,
 * exact 64-bit integers, escapes and UTF-8, duplicate keys, and nesting far
 * deeper than any C stack would take recursively. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/json.h"

static struct dc_json *parse_n(const char *text, size_t len, const struct dc_json_limits *lim)
{
	struct dc_json *doc = NULL;
	struct dc_json_error err;
	enum dc_err r = dc_json_parse(text, len, lim, &doc, &err);
	if (r != DC_OK)
		fail_msg("%s: %s\n--- input:\n%.*s", dc_err_name(r), err.message, (int)len, text);
	return doc;
}

static struct dc_json *parse(const char *text)
{
	return parse_n(text, strlen(text), NULL);
}

static void reject_n(const char *text, size_t len, const struct dc_json_limits *lim,
		     enum dc_err code, const char *message)
{
	struct dc_json *doc = (struct dc_json *)&doc; /* must be reset to NULL */
	struct dc_json_error err;
	enum dc_err r = dc_json_parse(text, len, lim, &doc, &err);
	if (r != code || strcmp(err.message, message) != 0)
		fail_msg("got %s '%s', expected %s '%s'", dc_err_name(r), err.message,
			 dc_err_name(code), message);
	assert_null(doc);
}

static void reject(const char *text, const char *message)
{
	reject_n(text, strlen(text), NULL, DC_E_MALFORMED, message);
}

/* ---------------------------------------------------------------- valid */

static void objects_and_arrays(void **state)
{
	(void)state;
	struct dc_json *doc = parse(" {\"a\": [1, -2, true, false, null, \"s\", {}, []], \"b\": {\"c\": 3}}\n");
	const struct dc_json_value *root = dc_json_root(doc), *a = dc_json_get(root, "a");
	int64_t i;
	bool b;
	const char *s;
	size_t n;
	assert_int_equal(dc_json_type_of(root), DC_JSON_OBJECT);
	assert_int_equal(dc_json_len(root), 2);
	assert_string_equal(dc_json_key_at(root, 0), "a");
	assert_string_equal(dc_json_key_at(root, 1), "b");
	assert_null(dc_json_key_at(root, 2));
	assert_int_equal(dc_json_len(a), 8);
	assert_true(dc_json_int(dc_json_at(a, 1), &i) && i == -2);
	assert_true(dc_json_bool(dc_json_at(a, 2), &b) && b);
	assert_true(dc_json_bool(dc_json_at(a, 3), &b) && !b);
	assert_true(dc_json_is_null(dc_json_at(a, 4)));
	assert_true(dc_json_str(dc_json_at(a, 5), &s, &n) && n == 1 && s[0] == 's');
	assert_int_equal(dc_json_type_of(dc_json_at(a, 6)), DC_JSON_OBJECT);
	assert_int_equal(dc_json_len(dc_json_at(a, 7)), 0);
	assert_null(dc_json_at(a, 8));
	assert_true(dc_json_int(dc_json_get(dc_json_get(root, "b"), "c"), &i) && i == 3);
	assert_null(dc_json_get(root, "zz"));
	assert_null(dc_json_get(a, "a")); /* not an object */
	assert_int_equal(dc_json_line(a), 1);
	assert_int_equal(dc_json_column(a), 8);
	assert_int_equal(dc_json_type_of(NULL), DC_JSON_NONE);
	dc_json_free(doc);
	dc_json_free(NULL);
}

static void scalars_at_top(void **state)
{
	(void)state;
	const char *docs[] = { "1", "\"x\"", "true", "null", "  -0  ", "1.5e3" };
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		dc_json_free(parse(docs[i]));
}

static void integers_exact(void **state)
{
	(void)state;
	struct dc_json *doc = parse("[18446744073709551615, -9223372036854775808, 9223372036854775807, "
				    "18446744073709551616, -9223372036854775809, 1.0, 2e1, -0]");
	const struct dc_json_value *a = dc_json_root(doc);
	uint64_t u;
	int64_t i;
	assert_true(dc_json_u64(dc_json_at(a, 0), &u) && u == UINT64_MAX);
	assert_false(dc_json_int(dc_json_at(a, 0), &i));
	assert_true(dc_json_int(dc_json_at(a, 1), &i) && i == INT64_MIN);
	assert_false(dc_json_u64(dc_json_at(a, 1), &u));
	assert_true(dc_json_int(dc_json_at(a, 2), &i) && i == INT64_MAX);
	for (size_t k = 3; k < 7; k++) { /* out of range or not integers: text only */
		assert_int_equal(dc_json_type_of(dc_json_at(a, k)), DC_JSON_NUMBER);
		assert_false(dc_json_u64(dc_json_at(a, k), &u) || dc_json_int(dc_json_at(a, k), &i));
	}
	assert_string_equal(dc_json_num_text(dc_json_at(a, 5)), "1.0");
	assert_true(dc_json_u64(dc_json_at(a, 7), &u) && u == 0); /* -0 is 0 */
	dc_json_free(doc);
}

static void strings_and_escapes(void **state)
{
	(void)state;
	struct dc_json *doc = parse("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\", "
				    "\"a\\u0000b\", \"caf\xc3\xa9 \xf0\x9f\x98\x80\"]");
	const struct dc_json_value *a = dc_json_root(doc);
	const char *s;
	size_t n;
	assert_true(dc_json_str(dc_json_at(a, 0), &s, &n));
	assert_int_equal(n, 8);
	assert_memory_equal(s, "\"\\/\b\f\n\r\t", 8);
	assert_true(dc_json_str(dc_json_at(a, 1), &s, &n));
	assert_string_equal(s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_true(dc_json_str(dc_json_at(a, 2), &s, &n));
	assert_int_equal(n, 3);
	assert_memory_equal(s, "a\0b", 3);
	assert_true(dc_json_str(dc_json_at(a, 3), &s, &n));
	assert_string_equal(s, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	dc_json_free(doc);
	/* a UTF-8 byte order mark is skipped; columns count code points */
	doc = parse("\xef\xbb\xbf{\"\xc3\xa9\": 1}");
	assert_int_equal(dc_json_column(dc_json_at(dc_json_root(doc), 0)), 7);
	dc_json_free(doc);
}

/* ---------------------------------------------------------------- malformed */

static void malformed(void **state)
{
	(void)state;
	reject("", "1:1: unexpected end of input, a value was expected");
	reject("   ", "1:4: unexpected end of input, a value was expected");
	reject("{", "1:2: unexpected end of input, a key was expected");
	reject("[1,", "1:4: unexpected end of input, a value was expected");
	reject("[1", "1:3: unexpected end of input, ']' expected");
	reject("[1 2]", "1:4: unexpected '2', ',' or ']' expected");
	reject("{\"a\" 1}", "1:6: ':' expected after a key");
	reject("{\"a\":1,}", "1:8: unexpected '}', a key was expected");
	reject("{1:2}", "1:2: unexpected '1', a key was expected");
	reject("[1,]", "1:4: unexpected ']', a value was expected");
	reject("tru", "1:1: unexpected 't', a value was expected");
	reject("nul", "1:1: unexpected 'n', a value was expected");
	reject("01", "1:1: leading zeros are not allowed");
	reject("-", "1:2: a digit must follow '-'");
	reject("1.", "1:3: digits must follow '.'");
	reject("1e+", "1:4: digits must follow the exponent");
	reject("+1", "1:1: unexpected '+', a value was expected");
	reject("1 2", "1:3: unexpected data after the value");
	reject("{} x", "1:4: unexpected data after the value");
	reject("\"abc", "1:1: unterminated string");
	reject("\"\\x\"", "1:2: invalid escape \\'x'");
	reject("\"\\u12\"", "1:6: \\u needs four hex digits");
	reject("\"\\ud800\"", "1:2: unpaired surrogate \\uD800");
	reject("\"\\ud800\\u0041\"", "1:2: unpaired surrogate \\uD800");
	reject("\"\\udc00\"", "1:2: unpaired surrogate \\uDC00");
	reject("\"a\nb\"", "1:3: control character 0x0a in a string");
	reject("\"\xc0\xaf\"", "1:2: invalid UTF-8 byte 0xc0");      /* overlong */
	reject("\"\xed\xa0\x80\"", "1:2: invalid UTF-8 byte 0xed");  /* surrogate */
	reject("\"\xf4\x90\x80\x80\"", "1:2: invalid UTF-8 byte 0xf4"); /* > U+10FFFF */
	reject("\"\xe2\x82\"", "1:2: invalid UTF-8 byte 0xe2");      /* cut sequence */
	reject("{\"a\\u0000\": 1}", "1:2: keys may not contain U+0000");
	reject("[1,\n  2,\n  x]", "3:3: unexpected 'x', a value was expected");
	reject("\x01", "1:1: unexpected 0x01, a value was expected");
	reject_n("[1]\0", 4, NULL, DC_E_MALFORMED, "1:4: unexpected data after the value");
}

static void duplicate_keys(void **state)
{
	(void)state;
	reject("{\"a\": 1, \"b\": 2, \"a\": 3}", "1:23: duplicate key 'a'");
	reject("{\"k\": {\"x\": 1, \"x\": 2}}", "1:21: duplicate key 'x'");
	reject("{\"\\u0061\": 1, \"a\": 2}", "1:20: duplicate key 'a'"); /* escapes decode first */
	/* the same key in different objects is fine */
	dc_json_free(parse("[{\"a\": 1}, {\"a\": 2}]"));
}

/* ---------------------------------------------------------------- limits */

static void limits(void **state)
{
	(void)state;
	struct dc_json_limits lim = dc_json_limits_default();
	lim.max_bytes = 4;
	reject_n("[1,2]", 5, &lim, DC_E_LIMIT, "1:1: input longer than 4 bytes");
	lim = dc_json_limits_default();
	lim.max_depth = 2;
	dc_json_free(parse_n("[[1]]", 5, &lim));
	reject_n("[[[1]]]", 7, &lim, DC_E_LIMIT, "1:3: nesting deeper than 2");
	lim = dc_json_limits_default();
	lim.max_nodes = 3;
	dc_json_free(parse_n("[1,2]", 5, &lim));
	reject_n("[1,2,3]", 7, &lim, DC_E_LIMIT, "1:6: more than 3 values");
	lim = dc_json_limits_default();
	lim.max_string_bytes = 3;
	dc_json_free(parse_n("\"abc\"", 5, &lim));
	reject_n("\"abcd\"", 6, &lim, DC_E_LIMIT, "1:1: string longer than 3 bytes");
	reject_n("{\"abcd\":1}", 10, &lim, DC_E_LIMIT, "1:2: string longer than 3 bytes");
}

/* A million open brackets: no recursion, so the depth limit answers. */
static void deep_nesting(void **state)
{
	(void)state;
	size_t n = 1000000;
	char *text = malloc(n);
	assert_non_null(text);
	memset(text, '[', n);
	struct dc_json_limits lim = dc_json_limits_default();
	lim.max_bytes = n;
	reject_n(text, n, &lim, DC_E_LIMIT, "1:33: nesting deeper than 32");
	lim.max_depth = n;
	lim.max_nodes = n;
	reject_n(text, n, &lim, DC_E_MALFORMED, "1:1000001: unexpected end of input, a value was expected");
	free(text);
}

static void misuse(void **state)
{
	(void)state;
	struct dc_json_error err;
	struct dc_json *doc;
	assert_int_equal(dc_json_parse(NULL, 1, NULL, &doc, &err), DC_E_MISUSE);
	assert_int_equal(dc_json_parse("1", 1, NULL, NULL, &err), DC_E_MISUSE);
	assert_int_equal(err.line, 0);
	assert_int_equal(dc_json_parse("1", 1, NULL, &doc, NULL), DC_OK);
	dc_json_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(objects_and_arrays), cmocka_unit_test(scalars_at_top),
		cmocka_unit_test(integers_exact),     cmocka_unit_test(strings_and_escapes),
		cmocka_unit_test(malformed),          cmocka_unit_test(duplicate_keys),
		cmocka_unit_test(limits),             cmocka_unit_test(deep_nesting),
		cmocka_unit_test(misuse),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
