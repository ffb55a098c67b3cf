/* Building a kdump case's file (dumpcheck/corpus.h): a kernel-dump scenario
 * of spec/kdump-scenarios rendered by the reference model, then the byte
 * edits of dump cases (inserts, writes, truncate: corpus_apply.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/corpus.h"
#include "dumpcheck/kdump.h"
#include "internal.h"

enum dc_err dc_case_build_kdump(const struct dc_case *c, const char *scenario_dir, struct dc_buf *out,
				char *why, size_t why_len)
{
	struct dc_kdump_model m;
	char path[4096], msg[512];
	uint64_t size = 0;
	memset(out, 0, sizeof(*out));
	if (c->kind != DC_CASE_KDUMP || !c->base) {
		snprintf(why, why_len, "%s: case '%s': not a kdump case", c->source, c->id);
		return DC_E_MISUSE;
	}
	if (!dci_case_base_path(c, scenario_dir, "scenario", path, sizeof(path), why, why_len))
		return DC_E_LIMIT;
	enum dc_err err = dc_kdump_scenario_load(path, &m, msg, sizeof(msg));
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': base %s", c->source, c->id, msg);
		return err;
	}
	err = dc_kdump_size(&m, &size);
	if (err == DC_OK && size > DC_CASE_MAX_FILE)
		err = DC_E_LIMIT;
	if (err == DC_OK && !(out->data = malloc(size ? (size_t)size : 1)))
		err = DC_E_NOMEM;
	if (err == DC_OK) {
		out->len = out->cap = (size_t)size;
		err = dc_kdump_render(&m, 0, out->data, out->len);
	}
	dc_kdump_model_free(&m);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': rendering %s: %s%s", c->source, c->id, c->base,
			 dc_err_name(err), err == DC_E_LIMIT ? " (larger than DC_CASE_MAX_FILE)" : "");
		dc_buf_free(out);
		return err;
	}
	err = dc_case_apply(c, out, out->len, why, why_len);
	if (err != DC_OK)
		dc_buf_free(out);
	return err;
}
