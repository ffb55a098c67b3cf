/* fuzz_kdump_read: the kernel-dump validator, reader and printer
 * (dumpcheck/kdump.h) on arbitrary bytes. Oracles: no crash/UB/leak
 * (sanitizers); validation is deterministic (run twice, same findings);
 * the validator allocates nothing but its findings list, which stays
 * bounded whatever the input (each kdump.* rule fires at most a few times):
 * no allocation grows with the input; a page lookup that succeeds names a
 * whole page inside the input. Choices come from the input's tail
 * (fuzz_tail): strict mode, JSON printing and three PFNs to look up; the
 * whole input is still the dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/kdump.h"
#include "fuzz_common.h"

/* A kernel dump's findings, whatever the input's size: runs.order and
 * runs.overflow once per run slot of the header (86 at most), every other
 * kdump.* rule at most twice. */
#define MAX_KDUMP_FINDINGS (2 * DC_KDUMP_MAX_RUNS32 + 64)

static void only_kdump_rules(const struct dc_diags *d)
{
	FUZZ_ASSERT(d->total <= MAX_KDUMP_FINDINGS);
	FUZZ_ASSERT(d->cap <= 2 * MAX_KDUMP_FINDINGS); /* the list doubles as it grows */
	for (size_t i = 0; i < d->count; i++)
		FUZZ_ASSERT(strncmp(dc_rule_descs[d->items[i].rule].id, "kdump.", 6) == 0);
}

static void lookups(const uint8_t *data, size_t size, struct fuzz_tail *t)
{
	struct dc_kdump_view v;
	if (dc_kdump_open(data, size, &v) != DC_OK)
		return;
	for (int k = 0; k < 3; k++) {
		uint64_t pfn = fuzz_tail_uint(t, k == 2 ? 8 : 2), off = 0;
		bool present = false;
		enum dc_err err = dc_kdump_page_offset(&v, pfn, &present, &off);
		FUZZ_ASSERT(err == DC_OK || err == DC_E_TRUNCATED);
		if (err == DC_OK && present)
			FUZZ_ASSERT(off <= size && size - off >= DC_KDUMP_PAGE_SIZE);
		if (!present)
			FUZZ_ASSERT(err == DC_OK);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct dc_validate_opts opts;
	struct dc_diags first = { 0 }, second = { 0 };
	struct fuzz_tail tail = fuzz_tail_init(data, size);
	uint8_t pick = (uint8_t)fuzz_tail_uint(&tail, 1);
	if (!sink)
		sink = fopen("/dev/null", "w");
	FUZZ_ASSERT(sink != NULL);
	dc_validate_opts_default(&opts);
	opts.limits.max_work = 1u << 18; /* bitmaps past 2 MiB take the limit path */
	opts.strict = pick & 1;
	FUZZ_ASSERT(dc_kdump_validate(data, size, &opts, &first) == DC_OK);
	FUZZ_ASSERT(dc_kdump_validate(data, size, &opts, &second) == DC_OK);
	fuzz_same_findings(&first, &second);
	only_kdump_rules(&first);
	enum dc_err err = dc_kdump_print(data, size, (pick & 2) != 0, sink);
	FUZZ_ASSERT(err == DC_OK || err == DC_E_MALFORMED || err == DC_E_TRUNCATED);
	FUZZ_ASSERT(dc_kdump_sniff(data, size) || err != DC_OK);
	lookups(data, size, &tail);
	dc_diags_free(&first);
	dc_diags_free(&second);
	return 0;
}
