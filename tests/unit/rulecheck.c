/* Shared machinery of the rule tests (see rulecheck.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulecheck.h"

/* Rules the running test asserted (reset by the runner before each test). */
static bool claimed[DC_RULE_COUNT];

void rc_mark(enum dc_rule rule)
{
	claimed[rule] = true;
}

void rc_dump(const struct dc_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "    finding: %s @0x%llx %s\n", dc_rule_descs[d->items[i].rule].id,
		        (unsigned long long)d->items[i].offset, d->items[i].detail);
}

void rc_validate(const struct mdb *b, const struct dc_validate_opts *opts, struct dc_diags *d)
{
	struct dc_validate_opts def;
	if (!opts) {
		dc_validate_opts_default(&def);
		opts = &def;
	}
	memset(d, 0, sizeof(*d));
	assert_int_equal(dc_minidump_validate(b->buf, b->len, opts, NULL, d), DC_OK);
}

static bool listed(const int *rules, unsigned r)
{
	for (; *rules != RC_END; rules++)
		if ((unsigned)*rules == r)
			return true;
	return false;
}

/* Whether exactly the listed rules fired; prints the difference if not. */
static bool only_these(const struct dc_diags *d, const int *rules)
{
	bool ok = true;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		bool want = listed(rules, r);
		if (want != (d->per_rule[r] > 0)) {
			fprintf(stderr, "    %s: %u findings, expected %s\n", dc_rule_descs[r].id,
			        d->per_rule[r], want ? "at least 1" : "none");
			ok = false;
		}
	}
	if (!ok)
		rc_dump(d);
	return ok;
}

static void mark_all(const int *rules)
{
	for (; *rules != RC_END; rules++)
		rc_mark((enum dc_rule) * rules);
}

void rc_diags_only(const struct dc_diags *d, const int *rules)
{
	assert_true(only_these(d, rules));
	mark_all(rules);
}

void rc_only_list(const struct mdb *b, const struct dc_validate_opts *opts, const int *rules)
{
	struct dc_diags d;
	rc_validate(b, opts, &d);
	bool ok = only_these(&d, rules);
	dc_diags_free(&d);
	assert_true(ok);
	mark_all(rules);
}

static uint32_t count_of(const struct mdb *b, enum dc_rule rule)
{
	struct dc_diags d;
	rc_validate(b, NULL, &d);
	uint32_t n = d.per_rule[rule];
	if (!n)
		rc_dump(&d);
	dc_diags_free(&d);
	return n;
}

void rc_fires(const struct mdb *b, enum dc_rule rule)
{
	uint32_t n = count_of(b, rule);
	if (!n)
		fprintf(stderr, "    %s did not fire\n", dc_rule_descs[rule].id);
	assert_true(n >= 1);
	rc_mark(rule);
}

void rc_silent(const struct mdb *b, enum dc_rule rule)
{
	uint32_t n = mdb_count(b, rule);
	if (n)
		fprintf(stderr, "    %s fired %u times, expected none\n", dc_rule_descs[rule].id,
		        n);
	assert_int_equal(n, 0);
}

void rc_quiet(const struct mdb *b)
{
	rc_only_list(b, NULL, (const int[]){RC_END});
}

bool rc_bug_unless_fires(const struct mdb *b, enum dc_rule rule, const char *why)
{
	if (mdb_count(b, rule) == 0) {
		fprintf(stderr, "    BUG: %s did not fire: %s\n", dc_rule_descs[rule].id, why);
		return true;
	}
	rc_mark(rule);
	return false;
}

bool rc_bug_if_fires(const struct mdb *b, enum dc_rule rule, const char *why)
{
	uint32_t n = mdb_count(b, rule);
	if (n) {
		fprintf(stderr, "    BUG: %s fired %u times: %s\n", dc_rule_descs[rule].id, n, why);
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------- runner */

/* Runs the case, then checks it asserted every rule its entry claims. */
static void run_case(void **state)
{
	const struct rc_case *c = *state;
	memset(claimed, 0, sizeof(claimed));
	c->fn(state);
	for (const int *r = c->rules; *r != RC_END; r++)
		if (!claimed[*r])
			fail_msg("%s claims %s but never asserted that it fires", c->name,
			         dc_rule_descs[*r].id);
}

struct coverage {
	const struct rc_case *cases;
	size_t n;
	int lo, hi;
};

static void table_covers_rules(void **state)
{
	const struct coverage *cov = *state;
	unsigned missing = 0;
	for (size_t i = 0; i < cov->n; i++)
		for (const int *r = cov->cases[i].rules; *r != RC_END; r++)
			assert_true(*r >= 0 && *r < DC_RULE_COUNT);
	for (int r = cov->lo; r < cov->hi; r++) {
		/* trace rules: tests/unit/test_tracecheck.c holds each to a mutation;
		 * kernel-dump rules: tests/unit/test_kdump.c to a firing edit */
		if (dc_rule_descs[r].phase == DC_PHASE_CROSS || dc_rule_descs[r].phase == DC_PHASE_PROTOCOL ||
		    strncmp(dc_rule_descs[r].id, "kdump.", 6) == 0)
			continue;
		bool found = false;
		for (size_t i = 0; i < cov->n && !found; i++)
			found = listed(cov->cases[i].rules, (unsigned)r);
		if (!found) {
			fprintf(stderr, "    no firing test for rule %s\n", dc_rule_descs[r].id);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

int rc_run_group(const char *group, const struct rc_case *cases, size_t n, int lo, int hi)
{
	static struct coverage cov;
	struct CMUnitTest *tests = calloc(n + 1, sizeof(*tests));
	if (!tests)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct CMUnitTest t = {cases[i].name, run_case, NULL, NULL, (void *)&cases[i]};
		tests[i] = t;
	}
	cov.cases = cases;
	cov.n = n;
	cov.lo = lo;
	cov.hi = hi;
	struct CMUnitTest t = {"table_covers_rules", table_covers_rules, NULL, NULL, &cov};
	tests[n] = t;
	int rc = _cmocka_run_group_tests(group, tests, n + 1, NULL, NULL);
	free(tests);
	return rc;
}
