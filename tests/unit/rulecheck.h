/* Shared machinery of the rule tests (test_rules_*.c): expectations on the
 * findings of a dump, and a table-driven runner that checks each test really
 * asserted the rules its table entry claims, and that the table covers every
 * rule it owns. */
#ifndef DUMPCHECK_TESTS_RULECHECK_H
#define DUMPCHECK_TESTS_RULECHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the headers it needs */

#include "mdbuild.h"

#define RC_END       (-1)
#define RC_MAX_RULES 6

/* One test: the rules it asserts to fire, RC_END-terminated. */
struct rc_case {
	const char *name;
	CMUnitTestFunction fn;
	int rules[RC_MAX_RULES + 1];
};

#define RC_FIRES(fn, ...)                                                                          \
	{                                                                                          \
#fn, fn,                                                                           \
		{                                                                                  \
			__VA_ARGS__, RC_END                                                        \
		}                                                                                  \
	}
#define RC_QUIET(fn)                                                                               \
	{                                                                                          \
#fn, fn,                                                                           \
		{                                                                                  \
			RC_END                                                                     \
		}                                                                                  \
	}

/* Validate b's bytes with `opts` (NULL: the defaults) into `d`. */
void rc_validate(const struct mdb *b, const struct dc_validate_opts *opts, struct dc_diags *d);

/* The listed rules fire (each at least once) and no other rule does. */
#define rc_only(b, ...)         rc_only_list((b), NULL, (const int[]){__VA_ARGS__, RC_END})
#define rc_only_opts(b, o, ...) rc_only_list((b), (o), (const int[]){__VA_ARGS__, RC_END})
void rc_only_list(const struct mdb *b, const struct dc_validate_opts *opts, const int *rules);
/* The same, on findings already gathered. */
void rc_diags_only(const struct dc_diags *d, const int *rules);

/* `rule` fires at least once; other rules may fire too. */
void rc_fires(const struct mdb *b, enum dc_rule rule);
/* `rule` does not fire. */
void rc_silent(const struct mdb *b, enum dc_rule rule);
/* No rule fires (every one of DC_RULE_COUNT counts 0). */
void rc_quiet(const struct mdb *b);

/* Regression checks for validator bugs found while writing these tests:
 * when `rule` does not fire (rc_bug_unless_fires) or fires (rc_bug_if_fires),
 * print "BUG: <rule> ...: <why>" and return true; the caller then frees its
 * dump and fails the test. */
bool rc_bug_unless_fires(const struct mdb *b, enum dc_rule rule, const char *why);
bool rc_bug_if_fires(const struct mdb *b, enum dc_rule rule, const char *why);
#define RC_FAIL_IF_BUG(cond, b)                                                                       \
	do {                                                                                       \
		if (cond) {                                                                        \
			mdb_free(b);                                                               \
			fail_msg("validator bug is back");                                         \
		}                                                                                  \
	} while (0)

/* Record that the running test covered `rule` without it firing (for
 * counter-only rules such as limit.diagnostics). */
void rc_mark(enum dc_rule rule);

/* Print the recorded findings of `d` to stderr. */
void rc_dump(const struct dc_diags *d);

/* The rules each test binary must cover: contiguous ranges of the generated
 * rule order, together [0, DC_RULE_COUNT), so a rule added anywhere falls in
 * one of them and fails its table_covers_rules until it has a test. */
#define RC_PART_HEADER  0, DC_RULE_REF_IN_FILE                       /* test_rules_header.c */
#define RC_PART_REFS    DC_RULE_REF_IN_FILE, DC_RULE_THREADLIST_SIZE /* test_rules_refs.c */
#define RC_PART_LISTS   DC_RULE_THREADLIST_SIZE, DC_RULE_HANDLEDATA_HEADER_SIZE /* _lists.c */
#define RC_PART_STREAMS DC_RULE_HANDLEDATA_HEADER_SIZE, DC_RULE_COUNT           /* _streams.c */

/* Run `cases` as a cmocka group, followed by a coverage test: every rule of
 * [lo, hi) whose phase is not cross or protocol is claimed by some case. */
int rc_run_group(const char *group, const struct rc_case *cases, size_t n, int lo, int hi);

#endif
