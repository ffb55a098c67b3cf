/* Conformance rules of spec/rules/minidump_file.toml, part 1: header and
 * stream directory. For each rule a patch of the mdbuild baseline that makes
 * it fire, and the nearby input that stays quiet; also strict mode and the
 * rule table itself. References, strings, layout and limits are in
 * test_rules_refs.c; the per-stream rules in test_rules_lists.c and
 * test_rules_streams.c. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mdstreams.h"
#include "rulecheck.h"

/* ---------------------------------------------------------------- helpers */

static void validate_bytes(const uint8_t *data, uint64_t len, struct dc_diags *d)
{
	struct dc_validate_opts o;
	dc_validate_opts_default(&o);
	memset(d, 0, sizeof(*d));
	assert_int_equal(dc_minidump_validate(data, len, &o, NULL, d), DC_OK);
}

static void only_truncated(const uint8_t *data, uint64_t len)
{
	struct dc_diags d;
	validate_bytes(data, len, &d);
	rc_diags_only(&d, (const int[]){DC_RULE_HEADER_TRUNCATED, RC_END});
	dc_diags_free(&d);
}

/* ---------------------------------------------------------------- header */

static void header_truncated(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	only_truncated(NULL, 0);
	only_truncated(b.buf, 0);
	only_truncated(b.buf, 3);
	only_truncated(b.buf, 4);
	only_truncated(b.buf, 31);
	mdb_free(&b);
	/* Quiet: a 32-byte header with no stream is a complete (empty) dump. */
	mdb_init(&b, 0);
	mdb_finish(&b, 0);
	assert_int_equal(b.len, 32);
	rc_quiet(&b);
	mdb_free(&b);
}

static void header_signature(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, 0, 0x504D444Eu);
	rc_only(&b, DC_RULE_HEADER_SIGNATURE);
	memcpy(b.buf, "mdmp", 4);
	rc_only(&b, DC_RULE_HEADER_SIGNATURE);
	mdb_free(&b);
}

static void swap_bytes(struct mdb *b, size_t off, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t t = b->buf[off + i];
		b->buf[off + i] = b->buf[off + n - 1 - i];
		b->buf[off + n - 1 - i] = t;
	}
}

static void header_byte_order(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	for (size_t off = 0; off < 24; off += 4)
		swap_bytes(&b, off, 4);
	swap_bytes(&b, 24, 8);
	assert_memory_equal(b.buf, "PMDM", 4);
	rc_only(&b, DC_RULE_HEADER_BYTE_ORDER);
	mdb_free(&b);
}

static void header_version(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, 4, 0xA794u);
	rc_only(&b, DC_RULE_HEADER_VERSION);
	mdb_set32(&b, 4, 0x0001A792u);
	rc_only(&b, DC_RULE_HEADER_VERSION, DC_RULE_HEADER_VERSION_HIGH);
	mdb_free(&b);
}

static void header_version_high(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* Only the low word is checked against MINIDUMP_VERSION. */
	mdb_set32(&b, 4, 0x6040A793u);
	rc_only(&b, DC_RULE_HEADER_VERSION_HIGH);
	mdb_free(&b);
}

static void header_directory_in_file(void **state)
{
	(void)state;
	struct mdb b;
	mdb_init(&b, 0);
	mdb_finish(&b, 0);
	mdb_set32(&b, 8, 1);
	rc_only(&b, DC_RULE_HEADER_DIRECTORY_IN_FILE);
	mdb_free(&b);
	/* 12 x 0x15555556 = 0x1_0000_0008: 32-bit arithmetic would wrap to 8. */
	mdb_baseline(&b);
	mdb_set32(&b, 8, 0x15555556u);
	rc_fires(&b, DC_RULE_HEADER_DIRECTORY_IN_FILE);
	mdb_free(&b);
	/* Quiet: a directory that ends exactly at the end of the file. */
	mdb_init(&b, 1);
	mdb_finish(&b, 0);
	mdb_set32(&b, 8, 1);
	assert_int_equal(b.len, 44);
	rc_only(&b, DC_RULE_DIRECTORY_UNUSED_ENTRIES);
	mdb_free(&b);
}

static void header_directory_rva(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t dir = mds_copy(&b, 32, 12 * (size_t)b.nstreams);
	mdb_set32(&b, 12, dir);
	rc_only(&b, DC_RULE_HEADER_DIRECTORY_RVA);
	mdb_free(&b);
}

static void header_checksum(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, 16, 0xDEADBEEFu);
	rc_only(&b, DC_RULE_HEADER_CHECKSUM);
	mdb_free(&b);
}

static void header_timestamp(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set32(&b, 20, 0);
	rc_only(&b, DC_RULE_HEADER_TIMESTAMP);
	mdb_free(&b);
}

static void header_flags_known(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_set64(&b, 24, 0x08000000u);
	rc_only(&b, DC_RULE_HEADER_FLAGS_KNOWN);
	mdb_set64(&b, 24, 1ull << 40);
	rc_only(&b, DC_RULE_HEADER_FLAGS_KNOWN);
	/* Quiet: known bits that need no stream, up to the newest one. */
	mdb_set64(&b, 24, DC_MiniDumpWithDataSegs | DC_MiniDumpScanMemory | 0x04000000u);
	rc_quiet(&b);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- directory */

static void directory_location_in_file(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	size_t at = mds_dir_entry(&b, DC_STREAM_MISC_INFO);
	uint32_t rva = mdb_get32(&b, at + 8);
	/* MiscInfo is the last data: it ends exactly at the end of the file. */
	assert_int_equal(rva + mdb_get32(&b, at + 4), b.len);
	mdb_set32(&b, at + 4, (uint32_t)(b.len - rva + 1));
	rc_only(&b, DC_RULE_DIRECTORY_LOCATION_IN_FILE);
	/* 0xFFFFFF00 + 0x200 wraps to 0x100 in 32 bits. */
	mdb_set32(&b, at + 4, 0x200);
	mdb_set32(&b, at + 8, 0xFFFFFF00u);
	rc_only(&b, DC_RULE_DIRECTORY_LOCATION_IN_FILE);
	mdb_free(&b);
}

static void directory_unused_location_zero(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mdb_add_stream(&b, DC_STREAM_UNUSED, 32, 4);
	rc_only(&b, DC_RULE_DIRECTORY_UNUSED_LOCATION_ZERO, DC_RULE_DIRECTORY_UNUSED_ENTRIES);
	mdb_free(&b);
	/* Quiet (for this rule): an UnusedStream entry at {0, 0}. */
	mdb_baseline(&b);
	mdb_add_stream(&b, DC_STREAM_UNUSED, 0, 0);
	rc_only(&b, DC_RULE_DIRECTORY_UNUSED_ENTRIES);
	mdb_free(&b);
}

static void directory_unused_entries(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	/* Wine pads the directory to a multiple of 4 entries. */
	mdb_set32(&b, 8, 8);
	rc_only(&b, DC_RULE_DIRECTORY_UNUSED_ENTRIES);
	mdb_free(&b);
}

static void directory_duplicate_standard(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t size, rva = mdb_stream_rva(&b, DC_STREAM_MISC_INFO, &size);
	uint32_t copy = mds_copy(&b, rva, size);
	mdb_add_stream(&b, DC_STREAM_MISC_INFO, copy, size);
	rc_only(&b, DC_RULE_DIRECTORY_DUPLICATE_STANDARD);
	mdb_free(&b);
	/* The last standard type, 25 (CompressedMemoryStream, kept as bytes). */
	mdb_baseline(&b);
	mds_blob(&b, DC_STREAM_COMPRESSED_MEMORY, 16, 1);
	mds_blob(&b, DC_STREAM_COMPRESSED_MEMORY, 16, 2);
	rc_only(&b, DC_RULE_DIRECTORY_DUPLICATE_STANDARD);
	mdb_free(&b);
}

static void directory_duplicate_other(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_blob(&b, DC_STREAM_LLDB_GENERATED, 16, 1);
	rc_quiet(&b);
	mds_blob(&b, DC_STREAM_LLDB_GENERATED, 16, 2);
	rc_only(&b, DC_RULE_DIRECTORY_DUPLICATE_OTHER);
	mdb_free(&b);
}

static void directory_streams_overlap(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	uint32_t misc = mds_rva(&b, DC_STREAM_MISC_INFO);
	mdb_add_stream(&b, DC_STREAM_COMMENT_STREAM_A, misc + 40, 4);
	rc_only(&b, DC_RULE_DIRECTORY_STREAMS_OVERLAP);
	mdb_free(&b);
	/* Quiet: a stream that starts where MiscInfo (44 bytes) ends. */
	mdb_baseline(&b);
	misc = mds_rva(&b, DC_STREAM_MISC_INFO);
	mdb_zeros(&b, 8);
	memcpy(b.buf + misc + 44, "abc", 4);
	mdb_add_stream(&b, DC_STREAM_COMMENT_STREAM_A, misc + 44, 4);
	rc_quiet(&b);
	mdb_free(&b);
}

static void directory_unknown_stream(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_blob(&b, 0x12345678u, 16, 0x55);
	rc_only(&b, DC_RULE_DIRECTORY_UNKNOWN_STREAM);
	mdb_free(&b);
	/* The first type above LastReservedStream is a user stream. */
	mdb_baseline(&b);
	mds_blob(&b, DC_LAST_RESERVED_STREAM + 1, 16, 0x55);
	rc_only(&b, DC_RULE_DIRECTORY_UNKNOWN_STREAM);
	mdb_free(&b);
	/* Quiet: a known vendor stream (Breakpad's /proc/cpuinfo text). */
	mdb_baseline(&b);
	mds_blob(&b, DC_STREAM_BREAKPAD_LINUX_CPU_INFO, 16, 'x');
	rc_quiet(&b);
	mdb_free(&b);
}

static void directory_reserved_type(void **state)
{
	(void)state;
	struct mdb b;
	mdb_baseline(&b);
	mds_blob(&b, DC_STREAM_COMPRESSED_MEMORY + 1, 16, 0);
	rc_only(&b, DC_RULE_DIRECTORY_RESERVED_TYPE);
	mdb_free(&b);
	mdb_baseline(&b);
	mds_blob(&b, DC_LAST_RESERVED_STREAM - 1, 16, 0);
	rc_only(&b, DC_RULE_DIRECTORY_RESERVED_TYPE);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- strict mode */

static void validate_strict(const struct mdb *b, int strict, struct dc_diags *d)
{
	struct dc_validate_opts o;
	dc_validate_opts_default(&o);
	o.strict = strict;
	rc_validate(b, &o, d);
}

static void strict_stops_at_first_must(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_diags lenient, strict;
	mdb_baseline(&b);
	mdb_set32(&b, 4, 0xA794u); /* header.version (MUST) */
	size_t ex =
	    mds_rva(&b, DC_STREAM_EXCEPTION) + DC_OFF_MINIDUMP_EXCEPTION_STREAM_ExceptionRecord;
	mdb_set32(&b, ex + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters,
	          16);                                                   /* exception.parameters */
	mdb_set32(&b, ex + DC_OFF_MINIDUMP_EXCEPTION_ExceptionFlags, 2); /* exception.flags */
	validate_strict(&b, 0, &lenient);
	validate_strict(&b, 1, &strict);
	rc_diags_only(&lenient, (const int[]){DC_RULE_HEADER_VERSION, DC_RULE_EXCEPTION_PARAMETERS,
	                                      DC_RULE_EXCEPTION_FLAGS, RC_END});
	assert_true(strict.total < lenient.total);
	assert_int_equal(strict.per_rule[DC_RULE_HEADER_VERSION], 1);
	assert_int_equal(strict.per_rule[DC_RULE_EXCEPTION_PARAMETERS], 0);
	assert_int_equal(strict.per_rule[DC_RULE_EXCEPTION_FLAGS], 0);
	dc_diags_free(&lenient);
	dc_diags_free(&strict);
	/* SHOULD and MAY findings do not stop strict mode. */
	mdb_set32(&b, 4, DC_MINIDUMP_VERSION);
	mdb_set32(&b, ex + DC_OFF_MINIDUMP_EXCEPTION_NumberParameters, 2);
	mdb_set32(&b, 16, 1); /* header.checksum (MAY) */
	validate_strict(&b, 0, &lenient);
	validate_strict(&b, 1, &strict);
	assert_int_equal(lenient.total, 2);
	assert_int_equal(strict.total, lenient.total);
	dc_diags_free(&lenient);
	dc_diags_free(&strict);
	mdb_free(&b);
}

static void strict_records_nothing_after_first_must(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_diags d;
	mdb_baseline(&b);
	mdb_set32(&b, 4, 0xA794u); /* header.version (MUST), checked first */
	mdb_set32(&b, 16, 1);      /* header.checksum (MAY), checked after it */
	validate_strict(&b, 1, &d);
	if (d.count != 1)
		rc_dump(&d);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.total, 1);
	assert_int_equal(d.items[0].rule, DC_RULE_HEADER_VERSION);
	dc_diags_free(&d);
	mdb_free(&b);
}

/* ---------------------------------------------------------------- rule table */

static bool dotted_lower(const char *id)
{
	size_t segments = 0;
	for (const char *p = id;; p++) {
		if (!islower((unsigned char)*p))
			return false;
		while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
			p++;
		if (p[-1] == '_')
			return false;
		segments++;
		if (*p == '\0')
			return segments >= 2;
		if (*p != '.')
			return false;
	}
}

static void rule_ids_unique_and_dotted(void **state)
{
	(void)state;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		const char *id = dc_rule_descs[r].id;
		if (!dotted_lower(id))
			fail_msg("rule id '%s' is not dotted lower-case", id);
		for (unsigned s = 0; s < r; s++)
			if (!strcmp(id, dc_rule_descs[s].id))
				fail_msg("rule id '%s' appears twice (%u, %u)", id, s, r);
		assert_ptr_equal(dc_rule_lookup(id), &dc_rule_descs[r]);
	}
	assert_false(dotted_lower("header"));
	assert_false(dotted_lower("Header.version"));
	assert_false(dotted_lower("header..version"));
	assert_false(dotted_lower("header.version_"));
	assert_true(dotted_lower("memory64.data_last"));
}

/* The four test binaries own contiguous rule ranges that cover every rule. */
static void rule_parts_cover_all(void **state)
{
	(void)state;
	static const int parts[] = {RC_PART_HEADER, RC_PART_REFS, RC_PART_LISTS, RC_PART_STREAMS};
	size_t n = sizeof(parts) / sizeof(parts[0]);
	assert_int_equal(parts[0], 0);
	assert_int_equal(parts[n - 1], DC_RULE_COUNT);
	for (size_t i = 0; i < n; i += 2) {
		assert_true(parts[i] < parts[i + 1]);
		if (i + 2 < n)
			assert_int_equal(parts[i + 1], parts[i + 2]);
	}
}

/* Each case and the rules it asserts to fire (checked when it runs). */
static const struct rc_case cases[] = {
    RC_FIRES(header_truncated, DC_RULE_HEADER_TRUNCATED),
    RC_FIRES(header_signature, DC_RULE_HEADER_SIGNATURE),
    RC_FIRES(header_byte_order, DC_RULE_HEADER_BYTE_ORDER),
    RC_FIRES(header_version, DC_RULE_HEADER_VERSION),
    RC_FIRES(header_version_high, DC_RULE_HEADER_VERSION_HIGH),
    RC_FIRES(header_directory_in_file, DC_RULE_HEADER_DIRECTORY_IN_FILE),
    RC_FIRES(header_directory_rva, DC_RULE_HEADER_DIRECTORY_RVA),
    RC_FIRES(header_checksum, DC_RULE_HEADER_CHECKSUM),
    RC_FIRES(header_timestamp, DC_RULE_HEADER_TIMESTAMP),
    RC_FIRES(header_flags_known, DC_RULE_HEADER_FLAGS_KNOWN),
    RC_FIRES(directory_location_in_file, DC_RULE_DIRECTORY_LOCATION_IN_FILE),
    RC_FIRES(directory_unused_location_zero, DC_RULE_DIRECTORY_UNUSED_LOCATION_ZERO),
    RC_FIRES(directory_unused_entries, DC_RULE_DIRECTORY_UNUSED_ENTRIES),
    RC_FIRES(directory_duplicate_standard, DC_RULE_DIRECTORY_DUPLICATE_STANDARD),
    RC_FIRES(directory_duplicate_other, DC_RULE_DIRECTORY_DUPLICATE_OTHER),
    RC_FIRES(directory_streams_overlap, DC_RULE_DIRECTORY_STREAMS_OVERLAP),
    RC_FIRES(directory_unknown_stream, DC_RULE_DIRECTORY_UNKNOWN_STREAM),
    RC_FIRES(directory_reserved_type, DC_RULE_DIRECTORY_RESERVED_TYPE),
    RC_FIRES(strict_stops_at_first_must, DC_RULE_HEADER_VERSION),
    RC_QUIET(strict_records_nothing_after_first_must),
    RC_QUIET(rule_ids_unique_and_dotted),
    RC_QUIET(rule_parts_cover_all),
};

int main(void)
{
	return rc_run_group("rules_header", cases, sizeof(cases) / sizeof(cases[0]),
	                    RC_PART_HEADER);
}
