/* What the DriverCallback and filter-stack checkers share: where their
 * findings go (internal.h, struct dci_check). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

void dci_check_init(struct dci_check *c, struct dc_diags *out, bool *exercised)
{
	c->out = out;
	c->exercised = exercised;
	c->err = DC_OK;
	dc_limits_default(&c->lim);
	if (exercised)
		memset(exercised, 0, DC_RULE_COUNT * sizeof(*exercised));
}

static enum dc_err add(struct dci_check *c, enum dc_rule rule, uint64_t off, const char *fmt, ...)
	DCI_PRINTF(4, 5);

static enum dc_err add(struct dci_check *c, enum dc_rule rule, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	enum dc_err e = dci_diags_addv(c->out, &c->lim, rule, off, fmt, ap);
	va_end(ap);
	return e;
}

void dci_check_line(struct dci_check *c, enum dc_rule rule, unsigned line, const char *fmt, ...)
{
	char detail[112];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	enum dc_err e = add(c, rule, line, "line %u: %s", line, detail);
	if (e != DC_OK)
		c->err = e;
}

void dci_check_exercise(struct dci_check *c, enum dc_rule rule)
{
	if (c->exercised)
		c->exercised[rule] = true;
}
