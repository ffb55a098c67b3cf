/* The baseline of mdbuild validates with no finding at all: the quiet case
 * of every rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "mdbuild.h"

static void baseline_is_quiet(void **state)
{
	(void)state;
	struct mdb b;
	struct dc_diags d;
	mdb_baseline(&b);
	mdb_validate(&b, &d);
	for (size_t i = 0; i < d.count; i++)
		fprintf(stderr, "unexpected: %s @0x%llx %s\n", dc_rule_descs[d.items[i].rule].id,
			(unsigned long long)d.items[i].offset, d.items[i].detail);
	assert_int_equal(d.total, 0);
	assert_int_equal(dc_diags_verdict(&d), DC_VERDICT_Y);
	dc_diags_free(&d);
	mdb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(baseline_is_quiet),
	};
	return cmocka_run_group_tests_name("baseline", tests, NULL, NULL);
}
