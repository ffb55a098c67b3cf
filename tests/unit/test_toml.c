/* Unit tests of the TOML parser (dumpcheck/toml.h): every supported feature
 * parsed and read back, every rejection with its line:column and message,
 * every limit, the u64 extension, NUL inside strings, insertion order and
 * dc_toml_path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/toml.h"

/* ---------------------------------------------------------------- helpers */

static struct dc_toml *parse_lim(const char *text, const struct dc_toml_limits *lim)
{
	struct dc_toml *doc = NULL;
	struct dc_toml_error err;
	enum dc_err r = dc_toml_parse(text, strlen(text), lim, &doc, &err);
	if (r != DC_OK)
		fail_msg("%s: %s\n--- input:\n%s", dc_err_name(r), err.message, text);
	assert_non_null(doc);
	return doc;
}

static struct dc_toml *parse(const char *text)
{
	return parse_lim(text, NULL);
}

/* Parse `len` bytes (may hold NUL) and expect `code` with exactly `message`. */
static void reject_n(const char *text, size_t len, const struct dc_toml_limits *lim,
		     enum dc_err code, const char *message)
{
	struct dc_toml *doc = (struct dc_toml *)&doc; /* must be reset to NULL */
	struct dc_toml_error err;
	enum dc_err r = dc_toml_parse(text, len, lim, &doc, &err);
	if (r != code || strcmp(err.message, message) != 0)
		fail_msg("got %s \"%s\", want %s \"%s\"\n--- input:\n%.*s", dc_err_name(r),
			 err.message, dc_err_name(code), message, (int)len, text);
	assert_null(doc);
	unsigned line, col;
	assert_int_equal(sscanf(message, "%u:%u:", &line, &col), 2);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, col);
}

static void reject(const char *text, enum dc_err code, const char *message)
{
	reject_n(text, strlen(text), NULL, code, message);
}

static const struct dc_toml_value *get(const struct dc_toml *doc, const char *path)
{
	const struct dc_toml_value *v = dc_toml_path(dc_toml_root(doc), path);
	if (!v)
		fail_msg("no value at '%s'", path);
	return v;
}

static int64_t get_int(const struct dc_toml *doc, const char *path)
{
	int64_t i = 0;
	if (!dc_toml_int(get(doc, path), &i))
		fail_msg("'%s' is not an int64", path);
	return i;
}

static uint64_t get_u64(const struct dc_toml *doc, const char *path)
{
	uint64_t u = 0;
	if (!dc_toml_u64(get(doc, path), &u))
		fail_msg("'%s' is not a u64", path);
	return u;
}

static bool get_bool(const struct dc_toml *doc, const char *path)
{
	bool b = false;
	if (!dc_toml_bool(get(doc, path), &b))
		fail_msg("'%s' is not a boolean", path);
	return b;
}

/* The string at `path`, which must have no NUL inside. */
static const char *get_str(const struct dc_toml *doc, const char *path)
{
	const char *s = NULL;
	size_t len = 0;
	if (!dc_toml_str(get(doc, path), &s, &len))
		fail_msg("'%s' is not a string", path);
	assert_int_equal(strlen(s), len);
	return s;
}

static const struct dc_toml_limits roomy = {
	.max_bytes = 1 << 20, .max_depth = 64, .max_nodes = 1 << 16, .max_string_bytes = 1 << 16,
};

/* ---------------------------------------------------------------- features */

static void empty_and_comments(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("");
	assert_int_equal(dc_toml_type_of(dc_toml_root(doc)), DC_TOML_TABLE);
	assert_int_equal(dc_toml_len(dc_toml_root(doc)), 0);
	dc_toml_free(doc);
	doc = parse("# only a comment\n\n   \t\n# another ünïcode comment ✓\t\n");
	assert_int_equal(dc_toml_len(dc_toml_root(doc)), 0);
	dc_toml_free(doc);
	doc = parse("a = 1 # after a value\n[t] # after a header\nb = [ # in an array\n 2 # x\n]#");
	assert_int_equal(get_int(doc, "a"), 1);
	assert_int_equal(dc_toml_len(get(doc, "t.b")), 1);
	dc_toml_free(doc);
	/* NULL text with no length is the empty document; err may be NULL. */
	struct dc_toml *d2 = NULL;
	assert_int_equal(dc_toml_parse(NULL, 0, NULL, &d2, NULL), DC_OK);
	assert_int_equal(dc_toml_len(dc_toml_root(d2)), 0);
	dc_toml_free(d2);
}

static void keys(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("bare_key-1 = 1\n"
				    "1234 = 2\n"
				    "\"quoted key\" = 3\n"
				    "'literal \\key' = 4\n"
				    "\"\" = 5\n"
				    "\"caf\\u00e9\" = 6\n"
				    "\"a.b\" = 7\n"
				    "site . \"google.com\" . up = true\n"
				    "3.14 = 8\n");
	const struct dc_toml_value *root = dc_toml_root(doc);
	assert_int_equal(get_int(doc, "bare_key-1"), 1);
	assert_int_equal(get_int(doc, "1234"), 2);
	assert_int_equal(get_int(doc, "quoted key"), 3);
	int64_t i;
	assert_true(dc_toml_int(dc_toml_get(root, "literal \\key"), &i) && i == 4);
	assert_true(dc_toml_int(dc_toml_get(root, ""), &i) && i == 5);
	assert_true(dc_toml_int(dc_toml_get(root, "caf\xc3\xa9"), &i) && i == 6);
	assert_true(dc_toml_int(dc_toml_get(root, "a.b"), &i) && i == 7);
	assert_null(dc_toml_path(root, "a.b")); /* the path splits at dots */
	const struct dc_toml_value *site = dc_toml_get(root, "site");
	assert_non_null(dc_toml_get(dc_toml_get(site, "google.com"), "up"));
	assert_int_equal(get_int(doc, "3.14"), 8);
	dc_toml_free(doc);
}

static void tables(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("[process]\n"
				    "arch = \"amd64\"\n"
				    "[process.threads.main]\n"
				    "id = 1\n"
				    "[ dog . \"tater.man\" ]\n"
				    "type.name = \"pug\"\n"
				    "[x.y.z]\n"
				    "[x]\n" /* a super-table after its sub-table */
				    "w = 2\n"
				    "[fruit]\n"
				    "apple.color = \"red\"\n"
				    "apple.taste.sweet = true\n"
				    "[fruit.apple.texture]\n" /* sub-table of a dotted table */
				    "smooth = true\n");
	assert_string_equal(get_str(doc, "process.arch"), "amd64");
	assert_int_equal(get_int(doc, "process.threads.main.id"), 1);
	const struct dc_toml_value *dog = get(doc, "dog");
	assert_string_equal(dc_toml_key_at(dog, 0), "tater.man");
	assert_int_equal(dc_toml_type_of(get(doc, "x.y.z")), DC_TOML_TABLE);
	assert_int_equal(get_int(doc, "x.w"), 2);
	assert_true(get_bool(doc, "fruit.apple.taste.sweet"));
	assert_true(get_bool(doc, "fruit.apple.texture.smooth"));
	/* Lines: where the header was, for tables named by one. */
	assert_int_equal(dc_toml_line(get(doc, "process")), 1);
	assert_int_equal(dc_toml_line(get(doc, "x")), 8);
	assert_int_equal(dc_toml_line(get(doc, "x.y")), 7);
	dc_toml_free(doc);
}

static void arrays_of_tables(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("[[fruits]]\n"
				    "name = \"apple\"\n"
				    "[fruits.physical]\n"
				    "color = \"red\"\n"
				    "[[fruits.varieties]]\n"
				    "name = \"red delicious\"\n"
				    "[[fruits.varieties]]\n"
				    "name = \"granny smith\"\n"
				    "[[fruits]]\n"
				    "name = \"banana\"\n"
				    "[fruits.physical]\n" /* again: a new element */
				    "color = \"yellow\"\n"
				    "[[fruits.varieties]]\n"
				    "name = \"plantain\"\n"
				    "[[empty]]\n"
				    "[[empty]]\n");
	const struct dc_toml_value *fruits = get(doc, "fruits");
	assert_int_equal(dc_toml_type_of(fruits), DC_TOML_ARRAY);
	assert_int_equal(dc_toml_len(fruits), 2);
	const struct dc_toml_value *apple = dc_toml_at(fruits, 0), *banana = dc_toml_at(fruits, 1);
	const char *s;
	assert_true(dc_toml_str(dc_toml_path(apple, "physical.color"), &s, NULL));
	assert_string_equal(s, "red");
	assert_true(dc_toml_str(dc_toml_path(banana, "physical.color"), &s, NULL));
	assert_string_equal(s, "yellow");
	assert_int_equal(dc_toml_len(dc_toml_get(apple, "varieties")), 2);
	const struct dc_toml_value *v = dc_toml_get(banana, "varieties");
	assert_int_equal(dc_toml_len(v), 1);
	assert_true(dc_toml_str(dc_toml_get(dc_toml_at(v, 0), "name"), &s, NULL));
	assert_string_equal(s, "plantain");
	assert_int_equal(dc_toml_line(banana), 9);
	assert_int_equal(dc_toml_len(get(doc, "empty")), 2);
	assert_int_equal(dc_toml_len(dc_toml_at(get(doc, "empty"), 1)), 0);
	dc_toml_free(doc);
}

static void basic_strings(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("esc = \"\\b\\t\\n\\f\\r\\\"\\\\\"\n"
				    "u4 = \"\\u00e9\\u20AC\"\n"
				    "u8 = \"\\U0001F600\\U0010FFFF\"\n"
				    "raw = \"tab\there é ✓\"\n"
				    "empty = \"\"\n");
	assert_string_equal(get_str(doc, "esc"), "\b\t\n\f\r\"\\");
	assert_string_equal(get_str(doc, "u4"), "\xc3\xa9\xe2\x82\xac");
	assert_string_equal(get_str(doc, "u8"), "\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	assert_string_equal(get_str(doc, "raw"), "tab\there \xc3\xa9 \xe2\x9c\x93");
	assert_string_equal(get_str(doc, "empty"), "");
	dc_toml_free(doc);
}

static void literal_strings(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("path = 'C:\\Users\\nodejs\\templates'\n"
				    "quoted = 'Tom \"Dubs\" Preston-Werner'\n"
				    "regex = '<\\i\\c*\\s*>'\n"
				    "empty = ''\n");
	assert_string_equal(get_str(doc, "path"), "C:\\Users\\nodejs\\templates");
	assert_string_equal(get_str(doc, "quoted"), "Tom \"Dubs\" Preston-Werner");
	assert_string_equal(get_str(doc, "regex"), "<\\i\\c*\\s*>");
	assert_string_equal(get_str(doc, "empty"), "");
	dc_toml_free(doc);
}

static void multi_line_strings(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("a = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
				    "b = \"\"\"\\\n   The quick brown \\\n\n   fox.\\\n   \"\"\"\n"
				    "c = \"\"\"two \"\" quotes, \\\"\"\" escaped\"\"\"\n"
				    "d = \"\"\"\"quoted\"\"\"\"\n"
				    "e = \"\"\"ends in two\"\"\"\"\"\n"
				    "f = \"\"\"crlf\r\nline\\t\\u00e9\"\"\"\n"
				    "g = '''\nfirst newline trimmed\n  \\raw\\ '' kept\n'''\n"
				    "h = ''''quoted''''\n"
				    "i = \"\"\"\"\"\"\n"
				    "j = \"\"\"back \\  \t\r\n  slash\"\"\"\n"
				    "k = 1\n");
	assert_string_equal(get_str(doc, "a"), "Roses are red\nViolets are blue");
	assert_string_equal(get_str(doc, "b"), "The quick brown fox.");
	assert_string_equal(get_str(doc, "c"), "two \"\" quotes, \"\"\" escaped");
	assert_string_equal(get_str(doc, "d"), "\"quoted\"");
	assert_string_equal(get_str(doc, "e"), "ends in two\"\"");
	assert_string_equal(get_str(doc, "f"), "crlf\nline\t\xc3\xa9");
	assert_string_equal(get_str(doc, "g"), "first newline trimmed\n  \\raw\\ '' kept\n");
	assert_string_equal(get_str(doc, "h"), "'quoted'");
	assert_string_equal(get_str(doc, "i"), "");
	assert_string_equal(get_str(doc, "j"), "back slash");
	/* Lines keep counting through multi-line strings. */
	assert_int_equal(dc_toml_line(get(doc, "b")), 4);
	assert_int_equal(dc_toml_line(get(doc, "k")), 22);
	dc_toml_free(doc);
}

static void nul_in_strings(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("s = \"a\\u0000b\\U00000000\"\nm = \"\"\"\\u0000\"\"\"\n");
	const char *s;
	size_t len;
	assert_true(dc_toml_str(get(doc, "s"), &s, &len));
	assert_int_equal(len, 4);
	assert_memory_equal(s, "a\0b\0", 5); /* NUL-terminated as well */
	assert_true(dc_toml_str(get(doc, "m"), &s, &len));
	assert_int_equal(len, 1);
	assert_int_equal(s[0], '\0');
	dc_toml_free(doc);
}

static void decimal_integers(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("a = +99\nb = 42\nc = 0\nd = -17\ne = 1_000\nf = 5_349_221\n"
				    "g = 1_2_3_4_5\nh = +0\ni = -0\n"
				    "max = 9223372036854775807\nmin = -9223372036854775808\n");
	assert_int_equal(get_int(doc, "a"), 99);
	assert_int_equal(get_int(doc, "b"), 42);
	assert_int_equal(get_int(doc, "c"), 0);
	assert_int_equal(get_int(doc, "d"), -17);
	assert_int_equal(get_int(doc, "e"), 1000);
	assert_int_equal(get_int(doc, "f"), 5349221);
	assert_int_equal(get_int(doc, "g"), 12345);
	assert_int_equal(get_int(doc, "h"), 0);
	assert_int_equal(get_int(doc, "i"), 0);
	assert_int_equal(get_u64(doc, "i"), 0); /* -0 is not negative */
	assert_true(get_int(doc, "max") == INT64_MAX);
	assert_true(get_int(doc, "min") == INT64_MIN);
	uint64_t u;
	assert_false(dc_toml_u64(get(doc, "d"), &u)); /* negative */
	assert_false(dc_toml_u64(get(doc, "min"), &u));
	assert_true(get_u64(doc, "max") == INT64_MAX);
	dc_toml_free(doc);
}

static void prefixed_integers(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("h1 = 0xDEADBEEF\nh2 = 0xdead_beef\nh3 = 0x00ff\n"
				    "o1 = 0o01234567\no2 = 0o755\n"
				    "b1 = 0b11010110\nb2 = 0b1_0\nz = 0x0\n");
	assert_int_equal(get_int(doc, "h1"), 0xDEADBEEF);
	assert_int_equal(get_int(doc, "h2"), 0xDEADBEEF);
	assert_int_equal(get_int(doc, "h3"), 255);
	assert_int_equal(get_int(doc, "o1"), 01234567);
	assert_int_equal(get_int(doc, "o2"), 0755);
	assert_int_equal(get_int(doc, "b1"), 214);
	assert_int_equal(get_int(doc, "b2"), 2);
	assert_int_equal(get_int(doc, "z"), 0);
	dc_toml_free(doc);
}

/* EXTENSION: prefixed integers up to 2^64-1, read back with dc_toml_u64. */
static void u64_extension(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("kernel = 0xFFFF800000000000\n"
				    "ones = 0xFFFF_FFFF_FFFF_FFFF\n"
				    "edge = 0x8000000000000000\n"
				    "below = 0x7FFFFFFFFFFFFFFF\n"
				    "oct = 0o1777777777777777777777\n"
				    "bin = 0b11111111111111111111111111111111"
				    "11111111111111111111111111111111\n");
	int64_t i;
	assert_true(get_u64(doc, "kernel") == 0xFFFF800000000000ull);
	assert_false(dc_toml_int(get(doc, "kernel"), &i)); /* above INT64_MAX */
	assert_true(get_u64(doc, "ones") == UINT64_MAX);
	assert_true(get_u64(doc, "edge") == 0x8000000000000000ull);
	assert_false(dc_toml_int(get(doc, "edge"), &i));
	assert_true(get_int(doc, "below") == INT64_MAX);
	assert_true(get_u64(doc, "oct") == UINT64_MAX);
	assert_true(get_u64(doc, "bin") == UINT64_MAX);
	dc_toml_free(doc);
	reject("a = 0x1_0000_0000_0000_0000\n", DC_E_MALFORMED, "1:5: integer out of range");
	reject("a = 0o2000000000000000000000\n", DC_E_MALFORMED, "1:5: integer out of range");
	/* Decimal integers keep TOML's signed range. */
	reject("a = 9223372036854775808\n", DC_E_MALFORMED, "1:5: integer out of range");
	reject("a = -9223372036854775809\n", DC_E_MALFORMED, "1:5: integer out of range");
}

static void booleans(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("t = true\nf = false\na = [true,false]\n");
	assert_true(get_bool(doc, "t"));
	assert_false(get_bool(doc, "f"));
	bool b = true;
	assert_true(dc_toml_bool(dc_toml_at(get(doc, "a"), 1), &b));
	assert_false(b);
	dc_toml_free(doc);
}

static void arrays(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("ints = [ 1, 2, 3 ]\n"
				    "empty = []\n"
				    "nested = [ [ 1, 2 ], [\"a\", 'b', \"\"\"c\"\"\"] ]\n"
				    "mixed = [ 0x10, \"ten\", true, [ ], { a = 1 } ]\n"
				    "multi = [\n"
				    "  1, # a comment\n"
				    "  # a whole comment line\n"
				    "\n"
				    "  2,\n"
				    "]\n"
				    "trail = [1,]\n");
	const struct dc_toml_value *v = get(doc, "ints");
	assert_int_equal(dc_toml_type_of(v), DC_TOML_ARRAY);
	assert_int_equal(dc_toml_len(v), 3);
	int64_t i;
	assert_true(dc_toml_int(dc_toml_at(v, 2), &i) && i == 3);
	assert_null(dc_toml_at(v, 3));
	assert_null(dc_toml_key_at(v, 0)); /* arrays have no keys */
	assert_int_equal(dc_toml_len(get(doc, "empty")), 0);
	v = get(doc, "nested");
	assert_int_equal(dc_toml_len(dc_toml_at(v, 1)), 3);
	v = get(doc, "mixed");
	assert_int_equal(dc_toml_type_of(dc_toml_at(v, 0)), DC_TOML_INT);
	assert_int_equal(dc_toml_type_of(dc_toml_at(v, 1)), DC_TOML_STRING);
	assert_int_equal(dc_toml_type_of(dc_toml_at(v, 2)), DC_TOML_BOOL);
	assert_int_equal(dc_toml_type_of(dc_toml_at(v, 3)), DC_TOML_ARRAY);
	assert_int_equal(dc_toml_type_of(dc_toml_at(v, 4)), DC_TOML_TABLE);
	v = get(doc, "multi");
	assert_int_equal(dc_toml_len(v), 2);
	assert_int_equal(dc_toml_line(dc_toml_at(v, 1)), 9);
	assert_int_equal(dc_toml_len(get(doc, "trail")), 1);
	dc_toml_free(doc);
}

static void inline_tables(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
				    "point = {x=1,y=2}\n"
				    "animal = { type.name = \"pug\", type.age = 3 }\n"
				    "empty = {}\n"
				    "deep = { a = { b = [ { c = 1 } ] } }\n"
				    "ml = { s = \"\"\"x\ny\"\"\", a = [\n1,\n2] }\n");
	assert_string_equal(get_str(doc, "name.first"), "Tom");
	assert_string_equal(get_str(doc, "name.last"), "Preston-Werner");
	assert_int_equal(get_int(doc, "point.y"), 2);
	assert_string_equal(get_str(doc, "animal.type.name"), "pug");
	assert_int_equal(get_int(doc, "animal.type.age"), 3);
	assert_int_equal(dc_toml_len(get(doc, "empty")), 0);
	int64_t i;
	const struct dc_toml_value *b = get(doc, "deep.a.b");
	assert_true(dc_toml_int(dc_toml_get(dc_toml_at(b, 0), "c"), &i) && i == 1);
	assert_int_equal(dc_toml_len(get(doc, "ml.a")), 2);
	dc_toml_free(doc);
}

/* Tables keep insertion order, whatever order the keys sort in. */
static void insertion_order(void **state)
{
	(void)state;
	char text[8192] = "";
	size_t len = 0;
	const int n = 300;
	for (int k = 0; k < n; k++) /* a scrambled permutation of 0..n-1 */
		len += (size_t)snprintf(text + len, sizeof(text) - len, "k%d = %d\n", k * 7 % n,
					k);
	snprintf(text + len, sizeof(text) - len, "[t]\nz=1\ny=2\na.c=3\nx=4\na.b=5\n");
	struct dc_toml *doc = parse(text);
	const struct dc_toml_value *root = dc_toml_root(doc);
	assert_int_equal(dc_toml_len(root), n + 1);
	for (int k = 0; k < n; k++) {
		char key[16];
		int64_t i;
		snprintf(key, sizeof(key), "k%d", (k * 7) % n);
		assert_string_equal(dc_toml_key_at(root, (size_t)k), key);
		assert_ptr_equal(dc_toml_get(root, key), dc_toml_at(root, (size_t)k));
		assert_true(dc_toml_int(dc_toml_at(root, (size_t)k), &i) && i == k);
	}
	const struct dc_toml_value *t = get(doc, "t");
	const char *want[] = { "z", "y", "a", "x" };
	assert_int_equal(dc_toml_len(t), 4);
	for (size_t k = 0; k < 4; k++)
		assert_string_equal(dc_toml_key_at(t, k), want[k]);
	assert_string_equal(dc_toml_key_at(get(doc, "t.a"), 0), "c");
	assert_string_equal(dc_toml_key_at(get(doc, "t.a"), 1), "b");
	assert_null(dc_toml_key_at(t, 4));
	assert_null(dc_toml_at(t, 4));
	dc_toml_free(doc);
}

static void paths(void **state)
{
	(void)state;
	struct dc_toml *doc =
		parse("[process]\narch = \"x86\"\nthreads = [1]\n[process.peb]\nbase = 1\n");
	const struct dc_toml_value *root = dc_toml_root(doc);
	assert_string_equal(get_str(doc, "process.arch"), "x86");
	assert_int_equal(get_int(doc, "process.peb.base"), 1);
	assert_ptr_equal(dc_toml_path(root, "process"), dc_toml_get(root, "process"));
	assert_null(dc_toml_path(root, "process.missing"));
	assert_null(dc_toml_path(root, "nothing.at.all"));
	assert_null(dc_toml_path(root, "process.arch.deeper")); /* a string is no table */
	assert_null(dc_toml_path(root, "process.threads.0"));   /* nor is an array */
	assert_null(dc_toml_path(root, "process..arch"));
	assert_null(dc_toml_path(root, ".process"));
	assert_null(dc_toml_path(root, "process."));
	assert_null(dc_toml_path(root, ""));
	assert_null(dc_toml_path(root, NULL));
	assert_null(dc_toml_path(NULL, "process"));
	assert_null(dc_toml_path(get(doc, "process.arch"), "x"));
	dc_toml_free(doc);
}

static void accessors_on_wrong_types(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("s = \"x\"\ni = 1\nb = true\na = [1]\nt = {}\n");
	const struct dc_toml_value *s = get(doc, "s"), *i = get(doc, "i"), *b = get(doc, "b");
	const struct dc_toml_value *a = get(doc, "a"), *t = get(doc, "t");
	int64_t iv;
	uint64_t uv;
	bool bv;
	const char *sv;
	assert_false(dc_toml_int(s, &iv) || dc_toml_u64(b, &uv) || dc_toml_bool(i, &bv));
	assert_false(dc_toml_str(i, &sv, NULL) || dc_toml_str(NULL, &sv, NULL));
	assert_false(dc_toml_int(NULL, &iv) || dc_toml_u64(NULL, &uv) || dc_toml_bool(NULL, &bv));
	assert_null(dc_toml_get(a, "x"));
	assert_null(dc_toml_get(s, "x"));
	assert_null(dc_toml_get(NULL, "x"));
	assert_null(dc_toml_get(t, NULL));
	assert_int_equal(dc_toml_len(s), 0);
	assert_int_equal(dc_toml_len(NULL), 0);
	assert_null(dc_toml_at(s, 0));
	assert_null(dc_toml_key_at(a, 0));
	assert_int_equal(dc_toml_type_of(NULL), DC_TOML_NONE);
	assert_int_equal(dc_toml_line(NULL), 0);
	assert_null(dc_toml_root(NULL));
	dc_toml_free(NULL);
	dc_toml_free(doc);
}

static void bom_and_crlf(void **state)
{
	(void)state;
	struct dc_toml *doc = parse("\xef\xbb\xbf[t]\r\na = 1 # c\r\n\r\nb = [\r\n2,\r\n]\r\n");
	assert_int_equal(get_int(doc, "t.a"), 1);
	assert_int_equal(dc_toml_line(get(doc, "t.b")), 4);
	dc_toml_free(doc);
	/* The column of an error after a byte order mark ignores the mark. */
	reject("\xef\xbb\xbf" "a = ?\n", DC_E_MALFORMED, "1:5: expected a value");
}

/* TOML 1.0's redefinition rules, the accepted side. */
static void redefinition_allowed(void **state)
{
	(void)state;
	const char *ok[] = {
		"[a.b.c]\n[a]\n[a.b]\n",
		"[a]\nb.c = 1\nb.d = 2\n[a.b.e]\n",
		"[[a]]\n[a.b]\n[[a]]\n[a.b]\n",
		"[[a]]\n[[a.b]]\n[a.b.c]\n[[a]]\n[[a.b]]\n",
		"[a.b.c]\n[a]\nb.d = 1\n", /* a table only implied by a header */
		"x = { a.b = 1, a.c = 2 }\n",
		"a.b.c = 1\na.b.d = 2\n[e]\n",
		"[a]\n[b]\n[a.c]\n",
	};
	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++)
		dc_toml_free(parse(ok[k]));
}

/* ---------------------------------------------------------------- rejections */

struct bad_case {
	const char *text;
	enum dc_err code;
	const char *message;
};

static void run_cases(const struct bad_case *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		reject(c[k].text, c[k].code, c[k].message);
}

#define M DC_E_MALFORMED
#define U DC_E_UNSUPPORTED
#define RUN(cases) run_cases((cases), sizeof(cases) / sizeof((cases)[0]))

static void reject_redefinition(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "a = 1\nb = 2\nt = {base=1, base=2}\n", M, "3:14: duplicate key 'base'" },
		{ "a = 1\na = 2\n", M, "2:1: duplicate key 'a'" },
		{ "a.b = 1\na.b = 2\n", M, "2:1: duplicate key 'a.b'" },
		{ "\"a\" = 1\na = 2\n", M, "2:1: duplicate key 'a'" },
		{ "[t]\nx = 1\n[t]\n", M, "3:2: table 't' is already defined" },
		{ "[a.b]\n[a . b]\n", M, "2:2: table 'a . b' is already defined" },
		{ "a = {}\n[a]\n", M, "2:2: 'a' is already defined as an inline table" },
		{ "a = {}\n[a.b]\n", M, "2:2: 'a' is already defined as an inline table" },
		{ "a = {b = {}}\na.b.c = 1\n", M,
		  "2:1: 'a' is already defined as an inline table" },
		{ "a = 1\n[a]\n", M, "2:2: 'a' is already defined as an integer" },
		{ "a = 'x'\n[a.b]\n", M, "2:2: 'a' is already defined as a string" },
		{ "a = true\na.b = 1\n", M, "2:1: 'a' is already defined as a boolean" },
		{ "a = [1]\n[a]\n", M, "2:2: 'a' is already defined as an array" },
		{ "a = []\n[[a]]\n", M, "2:3: 'a' is already defined as an array" },
		{ "a = [{}]\n[a.b]\n", M, "2:2: 'a' is already defined as an array" },
		{ "[[a]]\n[a]\n", M, "2:2: 'a' is already defined as an array of tables" },
		{ "[a]\n[[a]]\n", M, "2:3: 'a' is already defined as a table" },
		{ "[[t.a]]\n[t]\na.b = 1\n", M,
		  "3:1: 'a' is already defined as an array of tables" },
		{ "a.b = 1\n[a]\n", M, "2:2: table 'a' is already defined by dotted keys" },
		{ "[f]\napple.color = 1\n[f.apple]\n", M,
		  "3:2: table 'f.apple' is already defined by dotted keys" },
		{ "[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", M,
		  "4:1: table 'b.c' has a [header]: it takes no dotted keys from elsewhere" },
		{ "[a.b]\n[a]\nb.x = 1\n", M,
		  "3:1: table 'b' has a [header]: it takes no dotted keys from elsewhere" },
		{ "[a]\nb.c = 1\n[x]\n[a.b.d]\n[a]\n", M, "5:2: table 'a' is already defined" },
		{ "[[a]]\nb.c = 1\n[a.b]\n", M,
		  "3:2: table 'a.b' is already defined by dotted keys" },
	};
	RUN(cases);
}

/* Keys in messages are cut to fit, on a code point boundary. */
static void long_keys_in_messages(void **state)
{
	(void)state;
	char text[256], want[160];
	const char *e_acute = "\xc3\xa9";
	strcpy(text, "\"");
	for (int k = 0; k < 30; k++)
		strcat(text, e_acute);
	strcat(text, "\" = 1\n");
	size_t half = strlen(text);
	memcpy(text + half, text, half); /* the same line twice */
	text[2 * half] = '\0';
	strcpy(want, "2:1: duplicate key '\"");
	for (int k = 0; k < 20; k++)
		strcat(want, e_acute);
	strcat(want, "...'");
	reject(text, M, want);
}

static void reject_floats_and_dates(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "a = 1.5\n", U, "1:5: floats are not supported" },
		{ "a = -0.0\n", U, "1:5: floats are not supported" },
		{ "a = 1e5\n", U, "1:5: floats are not supported" },
		{ "a = 6.626e-34\n", U, "1:5: floats are not supported" },
		{ "a = inf\n", U, "1:5: floats are not supported" },
		{ "a = -inf\n", U, "1:5: floats are not supported" },
		{ "a = +nan\n", U, "1:5: floats are not supported" },
		{ "a = [1, 2.5]\n", U, "1:9: floats are not supported" },
		{ "a = 1979-05-27\n", U, "1:5: dates and times are not supported" },
		{ "a = 1979-05-27T07:32:00Z\n", U, "1:5: dates and times are not supported" },
		{ "a = 1979-05-27 07:32:00\n", U, "1:5: dates and times are not supported" },
		{ "a = 07:32:00\n", U, "1:5: dates and times are not supported" },
	};
	RUN(cases);
}

static void reject_integers(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "a = 01\n", M, "1:5: leading zeros are not allowed" },
		{ "a = -00\n", M, "1:5: leading zeros are not allowed" },
		{ "a = 0_1\n", M, "1:5: leading zeros are not allowed" },
		{ "a = 1__2\n", M, "1:7: '_' in an integer must be between digits" },
		{ "a = 1_\n", M, "1:6: '_' in an integer must be between digits" },
		{ "a = _1\n", M, "1:5: invalid value '_1'" },
		{ "a = +_1\n", M, "1:5: invalid value '+_1'" },
		{ "a = 0x_1\n", M, "1:7: '_' in an integer must be between digits" },
		{ "a = 0x\n", M, "1:7: expected digits after the base prefix" },
		{ "a = 0X1\n", M, "1:6: invalid character 'X' in a base-10 integer" },
		{ "a = +0x1\n", M, "1:5: hex, octal and binary integers cannot have a sign" },
		{ "a = -0b1\n", M, "1:5: hex, octal and binary integers cannot have a sign" },
		{ "a = 0b102\n", M, "1:9: invalid character '2' in a base-2 integer" },
		{ "a = 0o78\n", M, "1:8: invalid character '8' in a base-8 integer" },
		{ "a = 0xAG\n", M, "1:8: invalid character 'G' in a base-16 integer" },
		{ "a = 12ab\n", M, "1:7: invalid character 'a' in a base-10 integer" },
		{ "a = 1-2\n", M, "1:6: invalid character '-' in a base-10 integer" },
		{ "a = hello\n", M, "1:5: invalid value 'hello'" },
		{ "a = tru\n", M, "1:5: invalid value 'tru'" },
		{ "a = True\n", M, "1:5: invalid value 'True'" },
		{ "a = truex\n", M, "1:5: invalid value 'truex'" },
	};
	RUN(cases);
}

static void reject_strings(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "a = \"\\q\"\n", M, "1:6: invalid escape '\\q'" },
		{ "a = \"\\x41\"\n", M, "1:6: invalid escape '\\x'" },
		{ "a = \"\\e\"\n", M, "1:6: invalid escape '\\e'" },
		{ "a = \"\\ \"\n", M, "1:6: invalid escape '\\ '" },
		{ "a = \"\\\xc3\xa9\"\n", M, "1:6: invalid escape '\\\xc3\xa9'" },
		{ "a = \"\\ud800\"\n", M, "1:6: escape U+D800 is not a Unicode scalar value" },
		{ "a = \"\\uDFFF\"\n", M, "1:6: escape U+DFFF is not a Unicode scalar value" },
		{ "a = \"\\U00110000\"\n", M,
		  "1:6: escape U+110000 is not a Unicode scalar value" },
		{ "a = \"\\U0000D800\"\n", M, "1:6: escape U+D800 is not a Unicode scalar value" },
		{ "a = \"\\u12\"\n", M, "1:6: \\u escape needs 4 hex digits" },
		{ "a = \"\\U1234567\"\n", M, "1:6: \\U escape needs 8 hex digits" },
		{ "a = \"abc\n", M, "1:5: unterminated string" },
		{ "a = \"abc", M, "1:5: unterminated string" },
		{ "a = \"abc\\", M, "1:5: unterminated string" },
		{ "a = 'abc\nb = 1\n", M, "1:5: unterminated string" },
		{ "a = \"\"\"abc\n\n", M, "1:5: unterminated multi-line string" },
		{ "a = '''abc''\n", M, "1:5: unterminated multi-line string" },
		{ "a = \"\"\"a\"\"\"\"\"\"\n", M, "1:14: expected a newline after a value" },
		{ "a = \"\"\"\\ x\"\"\"\n", M, "1:8: invalid escape '\\ '" },
		{ "a = \"\"\"\nok\n  \\q\"\"\"\n", M, "3:3: invalid escape '\\q'" },
		{ "a = \"\"\"\nok\nb = 1\n", M, "1:5: unterminated multi-line string" },
		{ "\"\"\"k\"\"\" = 1\n", M, "1:1: a key cannot be a multi-line string" },
		{ "\"a\\u0000b\" = 1\n", M, "1:1: keys cannot contain U+0000" },
		{ "[x.\"\\u0000\"]\n", M, "1:4: keys cannot contain U+0000" },
	};
	RUN(cases);
}

static void reject_text(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "a = \"\xff\"\n", M, "1:6: invalid UTF-8" },
		{ "# \xc0\x80 overlong\n", M, "1:3: invalid UTF-8" },
		{ "a = 'x'\n# \xed\xa0\x80 surrogate\n", M, "2:3: invalid UTF-8" },
		{ "a = \"\xf4\x90\x80\x80\"\n", M, "1:6: invalid UTF-8" },
		{ "a = \"\xe2\x82\"\n", M, "1:6: invalid UTF-8" },
		{ "a = 'x' # \x01\n", M, "1:11: control character U+0001 is not allowed" },
		{ "a = \"\x1f\"\n", M, "1:6: control character U+001F is not allowed" },
		{ "a = '\x7f'\n", M, "1:6: control character U+007F is not allowed" },
		{ "a = \"\"\"\x0b\"\"\"\n", M, "1:8: control character U+000B is not allowed" },
		{ "a = 1\rb = 2\n", M, "1:6: carriage return not followed by a newline" },
		{ "a = 1\n\r", M, "2:1: carriage return not followed by a newline" },
		/* Columns count code points, not bytes. */
		{ "a = \"日本語\" x\n", M, "1:11: expected a newline after a value" },
	};
	RUN(cases);
	reject_n("a = \"x\0y\"\n", 10, NULL, M, "1:7: control character U+0000 is not allowed");
}

static void reject_syntax(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "a\n", M, "1:2: expected '=' after a key" },
		{ "a b = 1\n", M, "1:3: expected '=' after a key" },
		{ "= 1\n", M, "1:1: expected a key" },
		{ "a = \n", M, "1:5: expected a value" },
		{ "a =\n1\n", M, "1:4: expected a value" },
		{ "a = 1 b = 2\n", M, "1:7: expected a newline after a value" },
		{ "a.= 1\n", M, "1:3: expected a key" },
		{ "[a\n", M, "1:3: expected ']' after the table name" },
		{ "[a]]\n", M, "1:4: expected a newline after a table header" },
		{ "[[a]\n", M, "1:4: expected ']]' after the array-of-tables name" },
		{ "[[a] ]\n", M, "1:4: expected ']]' after the array-of-tables name" },
		{ "[ [a] ]\n", M, "1:3: expected a key" },
		{ "[]\n", M, "1:2: expected a key" },
		{ "[a] b = 1\n", M, "1:5: expected a newline after a table header" },
		{ "é = 1\n", M, "1:1: expected a key" },
		{ "a = [1 2]\n", M, "1:8: expected ',' or ']' after an array element" },
		{ "a = [,]\n", M, "1:6: expected a value" },
		{ "a = [1,,2]\n", M, "1:8: expected a value" },
		{ "a = [1, 2\n", M, "1:5: unterminated array" },
		{ "a = [\n", M, "1:5: unterminated array" },
		{ "a = {b = 1\n", M, "1:11: newlines are not allowed in inline tables" },
		{ "a = {\nb = 1}\n", M, "1:6: newlines are not allowed in inline tables" },
		{ "a = {b = 1,}\n", M, "1:12: trailing comma in an inline table" },
		{ "a = {b = 1 c = 2}\n", M,
		  "1:12: expected ',' or '}' after an inline table entry" },
		{ "a = {b = 1", M, "1:5: unterminated inline table" },
		{ "a = {,}\n", M, "1:6: expected a key" },
		{ "a = {b}\n", M, "1:7: expected '=' after a key" },
		{ "a = {b = 1, # c\n}\n", M, "1:13: expected a key" },
	};
	RUN(cases);
}

/* ---------------------------------------------------------------- limits */

static struct dc_toml_limits lim_with(size_t bytes, size_t depth, size_t nodes, size_t strings)
{
	struct dc_toml_limits l = { bytes, depth, nodes, strings };
	return l;
}

static void limit_bytes(void **state)
{
	(void)state;
	struct dc_toml_limits l = lim_with(6, 8, 100, 100);
	dc_toml_free(parse_lim("a = 1\n", &l));
	reject_n("a = 12\n", 7, &l, DC_E_LIMIT, "1:1: input is 7 bytes, more than max_bytes (6)");
}

static void limit_depth(void **state)
{
	(void)state;
	struct dc_toml_limits l = lim_with(1 << 16, 3, 100, 100);
	/* Depth counts tables and arrays below the root, however they are made. */
	dc_toml_free(parse_lim("a = [[[1]]]\n", &l));
	dc_toml_free(parse_lim("a = {b = {c = {}}}\n", &l));
	dc_toml_free(parse_lim("[a.b.c]\n", &l));
	dc_toml_free(parse_lim("a.b.c.d = 1\n", &l));
	dc_toml_free(parse_lim("[[a.b]]\n", &l)); /* a, the array b, its table */
	const char *msg = "nesting deeper than max_depth (3)";
	char want[64];
	const struct {
		const char *text;
		unsigned col;
	} cases[] = {
		{ "a = [[[[1]]]]\n", 8 }, { "a = {b = {c = {d = {}}}}\n", 20 },
		{ "[a.b.c.d]\n", 8 },     { "a.b.c.d.e = 1\n", 7 },
		{ "[[a.b.c]]\n", 7 },     { "x = [{a = [{}]}]\n", 12 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(want, sizeof(want), "1:%u: %s", cases[k].col, msg);
		reject_n(cases[k].text, strlen(cases[k].text), &l, DC_E_LIMIT, want);
	}
}

/* max_depth above DC_TOML_DEPTH_CAP is the cap: the stack stays small. */
static void limit_depth_cap(void **state)
{
	(void)state;
	struct dc_toml_limits l = lim_with(1 << 20, SIZE_MAX, SIZE_MAX, SIZE_MAX);
	size_t n = DC_TOML_DEPTH_CAP + 1;
	char *text = malloc(2 * n + 8);
	assert_non_null(text);
	memcpy(text, "a = ", 4);
	memset(text + 4, '[', n);
	memset(text + 4 + n, ']', n);
	text[4 + 2 * n] = '\0';
	char want[80];
	snprintf(want, sizeof(want), "1:%zu: nesting deeper than max_depth (%d)", 4 + n,
		 DC_TOML_DEPTH_CAP);
	reject_n(text, strlen(text), &l, DC_E_LIMIT, want);
	text[4 + n - 1] = ' '; /* one level less fits */
	text[4 + 2 * n - 1] = ' ';
	dc_toml_free(parse_lim(text, &l));
	free(text);
}

static void limit_nodes(void **state)
{
	(void)state;
	/* The root, a, the array and its two elements: five values. */
	struct dc_toml_limits l = lim_with(1 << 16, 8, 5, 100);
	dc_toml_free(parse_lim("a = 1\nb = [1, 2]\n", &l));
	reject_n("a = 1\nb = [1, 2, 3]\n", 19, &l, DC_E_LIMIT,
		 "2:12: more than max_nodes (5) values");
	reject_n("[a.b.c.d.e]\n", 12, &l, DC_E_LIMIT, "1:10: more than max_nodes (5) values");
	l.max_nodes = 2; /* the root and the array, but not its first table */
	reject_n("[[a]]\n", 6, &l, DC_E_LIMIT, "1:3: more than max_nodes (2) values");
	l.max_nodes = 0;
	reject_n("", 0, &l, DC_E_LIMIT, "1:1: more than max_nodes (0) values");
}

static void limit_strings(void **state)
{
	(void)state;
	struct dc_toml_limits l = lim_with(1 << 16, 8, 100, 4);
	struct dc_toml *doc = parse_lim("abcd = \"\\u00e9\\u00e9\"\nb = '''\n1234'''\n", &l);
	dc_toml_free(doc);
	reject_n("a = \"12345\"\n", 11, &l, DC_E_LIMIT,
		 "1:5: string longer than max_string_bytes (4)");
	reject_n("a = \"\\u20ac\\u20ac\"\n", 18, &l, DC_E_LIMIT,
		 "1:5: string longer than max_string_bytes (4)");
	reject_n("abcde = 1\n", 10, &l, DC_E_LIMIT, "1:1: key longer than max_string_bytes (4)");
	reject_n("x.'12345' = 1\n", 14, &l, DC_E_LIMIT,
		 "1:3: key longer than max_string_bytes (4)");
}

static void misuse_and_slices(void **state)
{
	(void)state;
	struct dc_toml *doc = (struct dc_toml *)&doc;
	struct dc_toml_error err;
	assert_int_equal(dc_toml_parse("a = 1", 5, NULL, NULL, &err), DC_E_MISUSE);
	assert_string_equal(err.message, "0:0: invalid arguments");
	assert_int_equal(dc_toml_parse(NULL, 3, NULL, &doc, &err), DC_E_MISUSE);
	assert_null(doc);
	assert_int_equal(dc_toml_parse("x = ", 4, NULL, &doc, NULL), DC_E_MALFORMED);
	/* Only `len` bytes are read: the rest of the buffer is not the document. */
	doc = parse_lim("a = 12", NULL);
	dc_toml_free(doc);
	const char buf[] = { 'a', '=', '1', '2', '3', '.', '5' };
	assert_int_equal(dc_toml_parse(buf, 4, NULL, &doc, &err), DC_OK);
	int64_t i;
	assert_true(dc_toml_int(dc_toml_get(dc_toml_root(doc), "a"), &i) && i == 12);
	dc_toml_free(doc);
	/* The defaults are what NULL limits mean. */
	struct dc_toml_limits d = dc_toml_limits_default();
	assert_true(d.max_bytes > 0 && d.max_depth > 0);
	assert_true(d.max_nodes > 0 && d.max_string_bytes > 0);
	assert_true(d.max_depth <= DC_TOML_DEPTH_CAP);
	dc_toml_free(parse_lim("a = [[1]]", &roomy));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_and_comments),
		cmocka_unit_test(keys),
		cmocka_unit_test(tables),
		cmocka_unit_test(arrays_of_tables),
		cmocka_unit_test(basic_strings),
		cmocka_unit_test(literal_strings),
		cmocka_unit_test(multi_line_strings),
		cmocka_unit_test(nul_in_strings),
		cmocka_unit_test(decimal_integers),
		cmocka_unit_test(prefixed_integers),
		cmocka_unit_test(u64_extension),
		cmocka_unit_test(booleans),
		cmocka_unit_test(arrays),
		cmocka_unit_test(inline_tables),
		cmocka_unit_test(insertion_order),
		cmocka_unit_test(paths),
		cmocka_unit_test(accessors_on_wrong_types),
		cmocka_unit_test(bom_and_crlf),
		cmocka_unit_test(redefinition_allowed),
		cmocka_unit_test(reject_redefinition),
		cmocka_unit_test(long_keys_in_messages),
		cmocka_unit_test(reject_floats_and_dates),
		cmocka_unit_test(reject_integers),
		cmocka_unit_test(reject_strings),
		cmocka_unit_test(reject_text),
		cmocka_unit_test(reject_syntax),
		cmocka_unit_test(limit_bytes),
		cmocka_unit_test(limit_depth),
		cmocka_unit_test(limit_depth_cap),
		cmocka_unit_test(limit_nodes),
		cmocka_unit_test(limit_strings),
		cmocka_unit_test(misuse_and_slices),
	};
	return cmocka_run_group_tests_name("toml", tests, NULL, NULL);
}
