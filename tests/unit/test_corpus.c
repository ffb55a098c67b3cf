/* The conformance-case language (dumpcheck/corpus.h): every path form and
 * expression term over the mdbuild baseline, the edits in their order, the
 * case-file parser's errors, and hostile input (truncated and mutated case
 * files, random paths) that must fail cleanly. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/corpus.h"
#include "mdstreams.h"
#include "rulecheck.h"

/* ---------------------------------------------------------------- helpers */

static uint64_t resolve(const struct mdb *b, const char *path, uint32_t width)
{
	uint64_t off = 0;
	uint32_t w = 99;
	char why[256];
	if (dc_patch_resolve(b->buf, b->len, path, &off, &w, why, sizeof(why)) != DC_OK)
		fail_msg("%s: %s", path, why);
	assert_int_equal(w, width);
	return off;
}

static uint64_t eval(const struct mdb *b, const char *expr)
{
	uint64_t v = 0;
	char why[256];
	if (dc_patch_eval(b->buf, b->len, expr, &v, why, sizeof(why)) != DC_OK)
		fail_msg("%s: %s", expr, why);
	return v;
}

/* `path` (or, with !is_path, the expression) fails over b with a reason containing `part`. */
static void fails(const struct mdb *b, const char *text, bool is_path, const char *part)
{
	char why[256] = "";
	uint64_t v;
	uint32_t w;
	enum dc_err err = is_path ? dc_patch_resolve(b->buf, b->len, text, &v, &w, why, sizeof(why))
				  : dc_patch_eval(b->buf, b->len, text, &v, why, sizeof(why));
	if (err != DC_E_MALFORMED || !strstr(why, part))
		fail_msg("'%s': expected an error with '%s', got %s '%s'", text, part, dc_err_name(err), why);
}

/* ---------------------------------------------------------------- paths */

static void path_header_and_directory(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	assert_int_equal(resolve(&b, "header.Signature", 4), 0);
	assert_int_equal(resolve(&b, "header.NumberOfStreams", 4), 8);
	assert_int_equal(resolve(&b, "header.Flags", 8), 24);
	size_t misc = mds_dir_entry(&b, DC_STREAM_MISC_INFO);
	/* by type name, by 0x type, by index: one entry */
	assert_int_equal(resolve(&b, "directory[MiscInfoStream].StreamType", 4), misc);
	assert_int_equal(resolve(&b, "directory[0xF].Location.DataSize", 4), misc + 4);
	char path[64];
	snprintf(path, sizeof(path), "directory[%zu].Location.Rva", (misc - 32) / 12);
	assert_int_equal(resolve(&b, path, 4), misc + 8);
	/* a struct-valued path has no width */
	assert_int_equal(resolve(&b, "directory[0].Location", 0), 32 + 4);
	mdb_free(&b);
}

static void path_streams(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t ex = mds_rva(&b, DC_STREAM_EXCEPTION);
	assert_int_equal(resolve(&b, "stream[ExceptionStream].ThreadId", 4), ex);
	assert_int_equal(resolve(&b, "stream[ExceptionStream].ExceptionRecord.ExceptionInformation[2]", 8),
			 ex + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord +
				 DC_OFF_MINIDUMP_EXCEPTION_ExceptionInformation + 16);
	assert_int_equal(resolve(&b, "stream[ThreadListStream].count", 4), mds_rva(&b, DC_STREAM_THREAD_LIST));
	assert_int_equal(resolve(&b, "stream[ThreadListStream].entries[1].ThreadContext.Rva", 4),
			 mds_thread(&b, 1) + DC_OFF_MINIDUMP_THREAD_ThreadContext + 4);
	assert_int_equal(resolve(&b, "stream[MemoryListStream].entries[1].StartOfMemoryRange", 8), mds_range(&b, 1));
	/* -> follows a string RVA and a CodeView location */
	uint32_t name = mdb_get32(&b, mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_ModuleNameRva);
	assert_int_equal(resolve(&b, "stream[ModuleListStream].entries[0].ModuleNameRva->Length", 4), name);
	uint32_t cv = mdb_get32(&b, mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_CvRecord + 4);
	assert_int_equal(resolve(&b, "stream[ModuleListStream].entries[0].CvRecord->Age", 4),
			 cv + DC_OFF_CV_INFO_PDB70_Age);
	mdb_free(&b);
}

static void path_variable_lists(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t mi = mds_memory_info(&b), tok = mds_token(&b), ft = mds_function_table(&b);
	uint32_t hd = mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	assert_int_equal(resolve(&b, "stream[MemoryInfoListStream].entries[1].State", 4),
			 mi + DC_SIZE_MINIDUMP_MEMORY_INFO_LIST + DC_SIZE_MINIDUMP_MEMORY_INFO +
				 DC_OFF_MINIDUMP_MEMORY_INFO_State);
	assert_int_equal(resolve(&b, "stream[TokenStream].entries[1].TokenId", 4),
			 tok + DC_SIZE_MINIDUMP_TOKEN_INFO_LIST + 32 + DC_OFF_MINIDUMP_TOKEN_INFO_HEADER_TokenId);
	assert_int_equal(resolve(&b, "stream[FunctionTableStream].entries[0].EntryCount", 4),
			 ft + DC_SIZE_MINIDUMP_FUNCTION_TABLE_STREAM + DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_EntryCount);
	/* HandleData entries are MINIDUMP_HANDLE_DESCRIPTOR_2 by their size; -> follows
	 * the objinfo reference (NextInfoRva has no ref in spec/: not followed) */
	uint32_t node0 = mdb_get32(&b, hd + DC_SIZE_MINIDUMP_HANDLE_DATA_STREAM +
					       DC_OFF_MINIDUMP_HANDLE_DESCRIPTOR_2_ObjectInfoRva);
	assert_int_equal(resolve(&b, "stream[HandleDataStream].entries[0].ObjectInfoRva->NextInfoRva", 4),
			 node0 + DC_OFF_MINIDUMP_HANDLE_OBJECT_INFORMATION_NextInfoRva);
	fails(&b, "stream[HandleDataStream].entries[0].ObjectInfoRva->NextInfoRva->InfoType", true,
	      "without a layout");
	mdb_free(&b);
}

static void path_errors(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	fails(&b, "header.Signatur", true, "no field 'Signatur'");
	fails(&b, "head.Signature", true, "a path starts with");
	fails(&b, "header..Signature", true, "expected a field name");
	fails(&b, "header.Signature[0]", true, "not an array");
	fails(&b, "stream[NoSuchStream].x", true, "unknown stream type name");
	fails(&b, "stream[CommentStreamW].count", true, "no directory entry of stream type");
	fails(&b, "directory[99].StreamType", true, "directory index 99");
	fails(&b, "stream[ThreadListStream].entries", true, "needs an index");
	fails(&b, "stream[ThreadListStream].entries[99].ThreadId", true, "past the end");
	fails(&b, "stream[ThreadListStream].entries[0].ThreadContext->DataSize", true, "without a layout");
	fails(&b, "stream[ThreadListStream].Flags", true, "no fields");
	fails(&b, "stream[ExceptionStream].ExceptionRecord.ExceptionInformation[15]", true, "15 elements");
	fails(&b, "stream[ExceptionStream] ", true, "unexpected ' '");
	fails(&b, "directory[", true, "expected an index");
	fails(&b, "directory[0", true, "expected ']'");
	/* an RVA a case broke: following it is an error, not a read past the end */
	mdb_set32(&b, mds_module(&b, 0) + DC_OFF_MINIDUMP_MODULE_ModuleNameRva, 0xFFFFFFF0u);
	fails(&b, "stream[ModuleListStream].entries[0].ModuleNameRva->Length", true, "past the end");
	mdb_set32(&b, DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva, 0x7FFFFFFF);
	fails(&b, "directory[0].StreamType", true, "past the end");
	mdb_free(&b);
}

/* ---------------------------------------------------------------- expressions */

static void expressions(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	assert_int_equal(eval(&b, "file_size - 8"), b.len - 8);
	assert_int_equal(eval(&b, "base_size"), b.len);
	assert_int_equal(eval(&b, "0x10 + 16 - 2"), 30);
	assert_int_equal(eval(&b, "sizeof(MINIDUMP_THREAD) + 2"), DC_SIZE_MINIDUMP_THREAD + 2);
	assert_int_equal(eval(&b, "&stream[ThreadListStream]"), mds_rva(&b, DC_STREAM_THREAD_LIST));
	assert_int_equal(eval(&b, "header.NumberOfStreams+1"), b.nstreams + 1);
	assert_int_equal(eval(&b, "18446744073709551615"), UINT64_MAX);
	fails(&b, "1 - 2", false, "below 0");
	fails(&b, "18446744073709551615 + 1", false, "overflows");
	fails(&b, "18446744073709551616", false, "too large");
	fails(&b, "0x", false, "malformed number");
	fails(&b, "12ab", false, "malformed number");
	fails(&b, "1 +", false, "expected a number");
	fails(&b, "1 * 2", false, "unexpected '*'");
	fails(&b, "nosuchmark", false, "unknown name 'nosuchmark'");
	fails(&b, "sizeof(NO_SUCH)", false, "no struct");
	fails(&b, "&nosuchmark", false, "'&' takes a path");
	fails(&b, "stream[ThreadListStream].entries[0]", false, "scalar field");
	char why[128];
	assert_int_equal(dc_patch_syntax("stream[ThreadListStream].entries[0].ThreadId", true, why, sizeof(why)), DC_OK);
	assert_int_equal(dc_patch_syntax("a + b - &header.Flags", false, why, sizeof(why)), DC_OK);
	assert_int_equal(dc_patch_syntax("header.", true, why, sizeof(why)), DC_E_MALFORMED);
	assert_int_equal(dc_patch_syntax("1 + ", false, why, sizeof(why)), DC_E_MALFORMED);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- case files */

static const char good[] =
	"[[case]]\n"
	"id = \"n_edit_order\"\n"
	"verdict = \"n\"\n"
	"description = \"every edit kind\"\n"
	"base = \"plain.toml\"\n"
	"fires = [\"header.version\"]\n"
	"quiet = [\"header.signature\"]\n"
	"limits = { max_work = 99 }\n"
	"inserts = [{ at = \"end\", align = 16, hex = \"aa bb\", repeat = 2, mark = \"m\" },\n"
	"           { at = 0, fill = 0x11, size = 2 }]\n"
	"writes = [{ at = \"m + 1\", copy = \"m\", size = 1 }]\n"
	"patches = [{ path = \"header.CheckSum\", value = \"m\" },\n"
	"           { path = \"header.Flags\", value = \"MiniDumpWithDataSegs\" }]\n"
	"truncate = \"file_size - 1\"\n";

static void parse_and_apply(void **state)
{
	(void)state;
	struct dc_case_set set;
	struct dc_buf b = { 0 };
	char why[512];
	assert_int_equal(dc_cases_parse(good, strlen(good), "good.toml", &set, why, sizeof(why)), DC_OK);
	assert_int_equal(set.ncases, 1);
	const struct dc_case *c = &set.cases[0];
	assert_string_equal(c->file_name, "n_edit_order.dmp");
	assert_int_equal(c->verdict, 'n');
	assert_true(c->has_limits);
	assert_int_equal(c->limits.max_work, 99);
	assert_int_equal(c->limits.max_streams, 1u << 16); /* the others keep their defaults */
	/* 34 bytes: after the two inserted at 0, the header starts at 2 */
	uint8_t base[34] = { 0 };
	assert_int_equal(dc_sink_buf_write(&b, 0, base, sizeof(base)), DC_OK);
	assert_int_equal(dc_case_apply(c, &b, sizeof(base), why, sizeof(why)), DC_OK);
	/* end aligned to 48, "aabb aabb" at 48 (at 50 after the insert at 0), byte m+1 := byte m */
	assert_int_equal(b.len, 2 + 48 + 4 - 1);
	assert_int_equal(b.data[0], 0x11);
	assert_int_equal(b.data[50], 0xaa);
	assert_int_equal(b.data[51], 0xbb);
	assert_int_equal(b.data[52], 0xaa);
	assert_int_equal(b.data[49], 0x00); /* marks are offsets: the insert at 0 did not move m */
	/* patches see the bytes after the inserts: the header moved to 2, so
	 * header.CheckSum is at 16 of the edited bytes */
	assert_int_equal(b.data[16], 48); /* the mark was bound before the insert at 0 */
	assert_int_equal(b.data[24], 1);  /* MiniDumpWithDataSegs */
	dc_buf_free(&b);
	dc_cases_free(&set);
}

static void apply_errors(void **state)
{
	(void)state;
	static const struct {
		const char *edits, *part;
	} bad[] = {
		{ "patches = [{ path = \"header.Version\", value = 0x100000000 }]", "does not fit the 4-byte" },
		{ "patches = [{ path = \"header\", value = 1 }]", "not a scalar field" },
		{ "patches = [{ path = \"header.Flags\", value = \"NoSuchFlag\" }]", "nor a value of minidump_type" },
		{ "writes = [{ at = 30, hex = \"00000000\" }]", "do not fit" },
		{ "inserts = [{ at = 99, hex = \"00\" }]", "do not fit" },
		{ "inserts = [{ at = \"end\", copy = 30, size = 8 }]", "past the end" },
		{ "truncate = 99", "longer than the file" },
		{ "inserts = [{ at = \"end\", fill = 0, size = 0x10000000 }]", "more than" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512], why[512] = "";
		struct dc_case_set set;
		struct dc_buf b = { 0 };
		uint8_t base[32] = { 0 };
		snprintf(text, sizeof(text),
			 "[[case]]\nid = \"x\"\nverdict = \"y\"\ndescription = \"d\"\nbase = \"plain.toml\"\n"
			 "quiet = [\"header.version\"]\n%s\n",
			 bad[i].edits);
		assert_int_equal(dc_cases_parse(text, strlen(text), "bad.toml", &set, why, sizeof(why)), DC_OK);
		assert_int_equal(dc_sink_buf_write(&b, 0, base, sizeof(base)), DC_OK);
		enum dc_err err = dc_case_apply(&set.cases[0], &b, sizeof(base), why, sizeof(why));
		if (err == DC_OK || !strstr(why, bad[i].part) || !strstr(why, "bad.toml: case 'x': line 7"))
			fail_msg("%s: expected '%s', got %s '%s'", bad[i].edits, bad[i].part, dc_err_name(err), why);
		dc_buf_free(&b);
		dc_cases_free(&set);
	}
}

static const char head[] = "[[case]]\nid = \"n_x\"\nverdict = \"n\"\ndescription = \"d\"\nbase = \"plain.toml\"\n"
			   "fires = [\"header.version\"]\n";

static void parse_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text; /* appended to `head` unless it starts with '!' */
		const char *part;
	} bad[] = {
		{ "color = 1", "case[0].color: unknown key" },
		{ "!x = 1\n", "unknown key (a case file holds [[case]] tables)" },
		{ "!", "no [[case]]" },
		{ "!floats = 1.5\n", "floats are not supported" },
		{ "!" "[[case]]\nid = \"y_x\"\nverdict = \"n\"\ndescription = \"d\"\nbase = \"p.toml\"\nfires = [\"header.version\"]\n",
		  "prefix 'y_' contradicts" },
		{ "!" "[[case]]\nid = \"Bad Id\"\nverdict = \"n\"\ndescription = \"d\"\nbase = \"p.toml\"\nfires = [\"header.version\"]\n",
		  "is not allowed" },
		{ "!" "[[case]]\nid = \"x\"\nverdict = \"n\"\ndescription = \"d\"\nfires = [\"header.version\"]\n",
		  "case[0].base: missing" },
		{ "!" "[[case]]\nid = \"x\"\nverdict = \"n\"\ndescription = \"d\"\nbase = \"../etc.toml\"\nfires = [\"header.version\"]\n",
		  "a scenario file name" },
		{ "!" "[[case]]\nid = \"x\"\nverdict = \"n\"\ndescription = \"d\"\nbase = \"p.toml\"\n", "names rules in fires or quiet" },
		{ "quiet = [\"header.version\"]", "also in fires" },
		{ "quiet = [\"no.such_rule\"]", "unknown rule 'no.such_rule'" },
		{ "quiet = [\"header.checksum\", \"header.checksum\"]", "listed twice" },
		{ "patches = [{ path = \"header..x\", value = 1 }]", "patches[0].path: expected a field name" },
		{ "patches = [{ path = \"header.Flags\", value = \"1 +\" }]", "patches[0].value: expected a number" },
		{ "patches = [{ path = \"header.Flags\" }]", "value: missing" },
		{ "inserts = [{ at = 0, hex = \"zz\" }]", "not a pair of hex digits" },
		{ "inserts = [{ at = 0, hex = \"00\", fill = 1, size = 1 }]", "exactly one of hex, fill or copy" },
		{ "inserts = [{ at = 0, hex = \"00\", size = 1 }]", "hex gives its own size" },
		{ "inserts = [{ at = 0, fill = 256, size = 1 }]", "above the maximum 255" },
		{ "inserts = [{ at = 0, hex = \"00\", align = 8 }]", "only with at = \"end\"" },
		{ "inserts = [{ at = 0, hex = \"00\", repeat = 0 }]", "at least 1" },
		{ "inserts = [{ at = 0, hex = \"00\", mark = \"Header\" }]", "not a keyword" },
		{ "inserts = [{ at = 0, hex = \"00\", mark = \"m\" }, { at = 0, hex = \"00\", mark = \"m\" }]",
		  "mark 'm' defined twice" },
		{ "user_streams = [{ type = 3, hex = \"00\" }]", "above 0xFFFF" },
		{ "limits = { max_work = -1 }", "non-negative" },
		{ "kind = \"trace\"\nlimits = { max_work = 1 }", "case[0].limits: not a key of kind = \"trace\"" },
		{ "trace_edits = [{ record = \"header\", op = \"drop\" }]", "trace_edits: only with kind = \"trace\"" },
		{ "renumber = true", "renumber: only with kind = \"trace\"" },
		{ "trace = \"t.jsonl\"", "case[0].trace: unknown key" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"Thread\", op = \"drop\" }]",
		  "trace_edits[0].record: 'Thread': \"header\", \"result\" or a MINIDUMP_CALLBACK_TYPE name" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"swap\" }]", "trace_edits[0].op: \"sub\"" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", nth = 0, op = \"drop\" }]",
		  "trace_edits[0].nth: 1 for the first" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"sub\", with = \"x\" }]",
		  "trace_edits[0].find: missing" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"sub\", find = \"\", with = \"x\" }]",
		  "trace_edits[0].find: an empty fragment" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"sub\", find = \"a\", with = \"b\\n\" }]",
		  "trace_edits[0].with: a record is one line" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"drop\", find = \"a\" }]",
		  "trace_edits[0].find: only with op = \"sub\"" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"dup\", after = \"result\" }]",
		  "trace_edits[0].after: only with op = \"move\"" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"move\" }]", "trace_edits[0].after: missing" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"header\", op = \"drop\", color = 1 }]",
		  "trace_edits[0].color: unknown key" },
		{ "kind = \"dcb\"\npatches = [{ path = \"header.Flags\", value = 1 }]",
		  "case[0].patches: not a key of kind = \"dcb\"" },
		{ "kind = \"dcb\"\ntrace_edits = [{ record = \"IncludeThreadCallback\", op = \"drop\" }]",
		  "'IncludeThreadCallback': \"header\", \"call\", \"fill\", \"drain\" or \"result\"" },
		{ "kind = \"trace\"\ntrace_edits = [{ record = \"call\", op = \"drop\" }]",
		  "'call': \"header\", \"result\" or a MINIDUMP_CALLBACK_TYPE name" },
		{ "kind = \"cb\"", "case[0].kind: \"dump\", \"trace\", \"dcb\", \"kdump\" or \"filter\", not \"cb\"" },
		{ "dump_type = \"NoSuchType\"", "unknown name 'NoSuchType'" },
		{ "[[case]]\nid = \"n_x\"\nverdict = \"n\"\ndescription = \"d\"\nbase = \"p.toml\"\nfires = [\"header.version\"]",
		  "'n_x' is taken by case 0" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024], why[512] = "";
		struct dc_case_set set;
		if (bad[i].text[0] == '!')
			snprintf(text, sizeof(text), "%s", bad[i].text + 1);
		else
			snprintf(text, sizeof(text), "%s%s\n", head, bad[i].text);
		enum dc_err err = dc_cases_parse(text, strlen(text), "bad.toml", &set, why, sizeof(why));
		if (err == DC_OK || !strstr(why, bad[i].part) || strncmp(why, "bad.toml: ", 10) != 0)
			fail_msg("case %zu: expected '%s', got %s '%s'", i, bad[i].part, dc_err_name(err), why);
		assert_null(set.cases);
	}
	/* a trace case parses: its edits, renumber, exact, both file names */
	struct dc_case_set set;
	char why[256];
	static const char trace[] =
		"[[case]]\nid = \"y_t\"\nverdict = \"y\"\ndescription = \"d\"\nkind = \"trace\"\nbase = \"plain.toml\"\n"
		"exact = true\nrenumber = true\npatches = [{ path = \"header.Flags\", value = 1 }]\n"
		"trace_edits = [{ record = \"CancelCallback\", nth = 2, op = \"move\", after = \"result\", after_nth = 1 },"
		" { record = \"header\", op = \"sub\", find = \"a\", with = \"\" }]\n";
	if (dc_cases_parse(trace, strlen(trace), "t.toml", &set, why, sizeof(why)) != DC_OK)
		fail_msg("%s", why);
	const struct dc_case *c = &set.cases[0];
	assert_int_equal(c->kind, DC_CASE_TRACE);
	assert_true(c->exact && c->renumber && c->nfires == 0 && c->npatches == 1);
	assert_string_equal(c->file_name, "y_t.dmp");
	assert_string_equal(c->trace_name, "y_t.jsonl");
	assert_int_equal(c->ntedits, 2);
	assert_int_equal(c->tedits[0].op, DC_TEDIT_MOVE);
	assert_string_equal(c->tedits[0].at.record, "CancelCallback");
	assert_int_equal(c->tedits[0].at.nth, 2);
	assert_string_equal(c->tedits[0].after.record, "result");
	assert_int_equal(c->tedits[1].op, DC_TEDIT_SUB);
	assert_int_equal(c->tedits[1].at.nth, 1);
	assert_string_equal(c->tedits[1].with, "");
	dc_cases_free(&set);
}

/* ---------------------------------------------------------------- trace edits */

/* Line `n` (1-based) of `b`, NUL-terminated into `out`. */
static const char *line_of(const struct dc_buf *b, unsigned n, char *out, size_t len)
{
	const char *p = (const char *)b->data, *end = p + b->len;
	while (--n && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	snprintf(out, len, "%.*s", (int)((nl ? nl : end) - p), p);
	return out;
}

/* drop, dup, move and sub on the plain run's trace (header, 20 callbacks,
 * result), then renumber; run from the repository root (spec/scenarios). */
static void trace_edits_apply(void **state)
{
	(void)state;
	static const char text[] =
		"[[case]]\nid = \"y_t\"\nverdict = \"y\"\ndescription = \"d\"\nkind = \"trace\"\nbase = \"plain.toml\"\n"
		"exact = true\nrenumber = true\npatches = [{ path = \"header.Flags\", value = 4 }]\ntrace_edits = [\n"
		"  { record = \"IoStartCallback\", op = \"drop\" },\n"
		"  { record = \"CancelCallback\", op = \"dup\" },\n"
		"  { record = \"WriteKernelMinidumpCallback\", op = \"move\", after = \"IncludeThreadCallback\", after_nth = 2 },\n"
		"  { record = \"CancelCallback\", nth = 2, op = \"sub\", find = '\"cancel\":false}}', with = '\"cancel\":true}}' },\n"
		"]\n";
	struct dc_case_set set;
	struct dc_buf dump, trace;
	char why[512], l[4096];
	if (dc_cases_parse(text, strlen(text), "t.toml", &set, why, sizeof(why)) != DC_OK)
		fail_msg("%s", why);
	if (dc_case_build_trace(&set.cases[0], "spec/scenarios", &dump, &trace, why, sizeof(why)) != DC_OK)
		fail_msg("%s", why);
	assert_non_null(strstr(line_of(&trace, 2, l, sizeof(l)), "\"seq\":1,\"type\":\"IsProcessSnapshotCallback\""));
	assert_non_null(strstr(line_of(&trace, 6, l, sizeof(l)), "\"seq\":5,\"type\":\"IncludeThreadCallback\""));
	assert_non_null(strstr(line_of(&trace, 7, l, sizeof(l)), "\"seq\":6,\"type\":\"WriteKernelMinidumpCallback\""));
	assert_non_null(strstr(line_of(&trace, 20, l, sizeof(l)), "\"seq\":19,\"type\":\"CancelCallback\""));
	assert_null(strstr(l, "\"cancel\":true}}"));
	assert_non_null(strstr(line_of(&trace, 21, l, sizeof(l)), "\"seq\":20,\"type\":\"CancelCallback\""));
	assert_non_null(strstr(l, "\"output_out\":{\"check_cancel\":false,\"cancel\":true}}"));
	assert_non_null(strstr(line_of(&trace, 22, l, sizeof(l)), "{\"record\":\"result\",\"callbacks\":20,"));
	assert_int_equal(trace.data[trace.len - 1], '\n');
	assert_true(dump.len > 32 && dump.data[24] == 4); /* the dump patch, on the dump */
	char bytes[64];
	snprintf(bytes, sizeof(bytes), "\"bytes\":\"0x%zx\"", dump.len);
	assert_non_null(strstr(l, bytes));
	dc_buf_free(&dump);
	dc_buf_free(&trace);
	/* a selection past the records there are, a fragment the record lacks */
	static const char *const bad[][2] = {
		{ "{ record = \"ThreadCallback\", nth = 4, op = \"drop\" }", "line 8: trace_edits[0]: the trace has no ThreadCallback record #4" },
		{ "{ record = \"result\", op = \"sub\", find = \"nope\", with = \"x\" }", "trace_edits[0]: 'nope' is not in result record #1 (trace line 22)" },
		{ "{ record = \"header\", op = \"move\", after = \"ThreadExCallback\" }", "trace_edits[0]: the trace has no ThreadExCallback record #1 to move after" },
	};
	dc_cases_free(&set);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char t[1024];
		snprintf(t, sizeof(t), "[[case]]\nid = \"n_t\"\nverdict = \"n\"\ndescription = \"d\"\nkind = \"trace\"\n"
			 "base = \"plain.toml\"\nexact = true\ntrace_edits = [%s]\n", bad[i][0]);
		if (dc_cases_parse(t, strlen(t), "t.toml", &set, why, sizeof(why)) != DC_OK)
			fail_msg("%s", why);
		enum dc_err err = dc_case_build_trace(&set.cases[0], "spec/scenarios", &dump, &trace, why, sizeof(why));
		if (err != DC_E_MALFORMED || !strstr(why, bad[i][1]) || strncmp(why, "t.toml: case 'n_t': ", 20) != 0)
			fail_msg("expected '%s', got %s '%s'", bad[i][1], dc_err_name(err), why);
		assert_null(dump.data);
		assert_null(trace.data);
		dc_cases_free(&set);
	}
}

/* ---------------------------------------------------------------- hostile input */

static uint32_t rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Every prefix of a good case file, and byte mutations of it: parse and,
 * when that works, apply; any outcome but a crash (ASan) or a leak is fine. */
static void hostile_case_files(void **state)
{
	(void)state;
	char text[sizeof(good)], why[512];
	uint32_t seed = 0x2545F491;
	for (size_t n = 0; n <= strlen(good); n++) {
		struct dc_case_set set;
		if (dc_cases_parse(good, n, "prefix.toml", &set, why, sizeof(why)) == DC_OK)
			dc_cases_free(&set);
	}
	static const char alphabet[] = "[]{}=\",.&+-> 0x1fFzZ_\n#'\\";
	for (int round = 0; round < 3000; round++) {
		struct dc_case_set set;
		memcpy(text, good, sizeof(good));
		for (int k = 0; k < 1 + round % 4; k++)
			text[rng(&seed) % (sizeof(good) - 1)] = alphabet[rng(&seed) % (sizeof(alphabet) - 1)];
		if (dc_cases_parse(text, strlen(text), "mutant.toml", &set, why, sizeof(why)) != DC_OK)
			continue;
		struct dc_buf b = { 0 };
		uint8_t base[64] = { 0x4D, 0x44, 0x4D, 0x50 };
		for (size_t i = 0; i < set.ncases; i++) {
			if (dc_sink_buf_write(&b, 0, base, sizeof(base)) == DC_OK)
				dc_case_apply(&set.cases[i], &b, sizeof(base), why, sizeof(why));
			dc_buf_free(&b);
		}
		dc_cases_free(&set);
	}
}

/* Random paths and expressions over a real dump whose bytes are also
 * mutated: resolution must stay inside the buffer (ASan) and fail cleanly. */
static void hostile_paths(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"header", "directory[", "stream[", "ThreadListStream", "ModuleListStream", "HandleDataStream",
		"TokenStream", "FunctionTableStream", "MemoryInfoListStream", "]", ".", "->", "entries[", "count",
		"ThreadContext", "Rva", "ModuleNameRva", "Length", "0", "1", "7", "0x3", "+", "-", "&", " ",
		"ObjectInfoRva", "NextInfoRva", "CvRecord", "Age", "file_size", "sizeof(", "MINIDUMP_THREAD", ")",
	};
	uint32_t seed = 0x9E3779B9;
	struct mdb b;
	mdb_baseline(&b);
	mds_token(&b);
	mds_function_table(&b);
	mds_handle_data(&b, DC_SIZE_MINIDUMP_HANDLE_DESCRIPTOR_2);
	for (int round = 0; round < 20000; round++) {
		char text[256] = "", why[256];
		int n = 1 + (int)(rng(&seed) % 12);
		for (int k = 0; k < n; k++)
			strncat(text, pieces[rng(&seed) % (sizeof(pieces) / sizeof(pieces[0]))],
				sizeof(text) - strlen(text) - 1);
		if (round % 50 == 0) /* break a random byte of the dump too */
			b.buf[rng(&seed) % b.len] = (uint8_t)rng(&seed);
		uint64_t v;
		uint32_t w;
		if (dc_patch_resolve(b.buf, b.len, text, &v, &w, why, sizeof(why)) == DC_OK && w)
			assert_true(v + w <= b.len);
		dc_patch_eval(b.buf, b.len, text, &v, why, sizeof(why));
		dc_patch_syntax(text, round & 1, why, sizeof(why));
	}
	mdb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_header_and_directory),
		cmocka_unit_test(path_streams),
		cmocka_unit_test(path_variable_lists),
		cmocka_unit_test(path_errors),
		cmocka_unit_test(expressions),
		cmocka_unit_test(parse_and_apply),
		cmocka_unit_test(apply_errors),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(trace_edits_apply),
		cmocka_unit_test(hostile_case_files),
		cmocka_unit_test(hostile_paths),
	};
	return cmocka_run_group_tests_name("corpus", tests, NULL, NULL);
}
