/* Building a dcb case's trace (dumpcheck/corpus.h): a script of
 * spec/dcb-scripts run on the reference DriverCallback model with its
 * tracer, as `dumpcheck dcb-run` runs it, then the trace edits of
 * corpus_trace.c (one edit language for both trace schemas). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/corpus.h"
#include "dumpcheck/dcb.h"
#include "internal.h"

/* The model's run, traced into the malloc'd `*text`. The header says amd64
 * on every host: the model's handles and addresses are 64-bit, and the
 * corpus must be the same files wherever it is built. */
static enum dc_err traced_dcb_run(const struct dc_dcb_script *sc, char **text, size_t *len)
{
	struct dc_dcb_trace_run run = { "dumpcheck-reference", DC_VERSION, sc->name, "amd64" };
	FILE *tf = open_memstream(text, len);
	if (!tf)
		return DC_E_NOMEM;
	enum dc_err err = dc_dcb_run(sc, &run, tf);
	bool bad = ferror(tf) != 0;
	if ((fclose(tf) != 0 || bad) && err == DC_OK)
		err = DC_E_NOMEM;
	if (err != DC_OK) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* Parse `script_dir`/c->base into `sc`; `why` says why not
 * ("SOURCE: case 'ID': base PATH: ..."). */
static enum dc_err load_script(const struct dc_case *c, const char *script_dir, struct dc_dcb_script *sc,
			       char *why, size_t why_len)
{
	char path[4096], detail[256];
	struct dc_file f;
	if (!dci_case_base_path(c, script_dir, "script", path, sizeof(path), why, why_len))
		return DC_E_LIMIT;
	enum dc_err err = dc_file_open(&f, path, DC_CASE_MAX_FILE);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': base %s: %s", c->source, c->id, path, dc_err_name(err));
		return err;
	}
	err = dc_dcb_script_parse((const char *)f.data, f.size, sc, detail, sizeof(detail));
	if (err != DC_OK)
		snprintf(why, why_len, "%s: case '%s': base %s: %s", c->source, c->id, path, detail);
	dc_file_close(&f);
	return err;
}

enum dc_err dc_case_build_dcb(const struct dc_case *c, const char *script_dir, struct dc_buf *trace,
			      char *why, size_t why_len)
{
	struct dc_dcb_script sc;
	char *text = NULL;
	size_t len = 0;
	memset(trace, 0, sizeof(*trace));
	if (why_len)
		why[0] = 0;
	if (c->kind != DC_CASE_DCB || !c->base) {
		snprintf(why, why_len, "%s: case '%s': not a dcb case", c->source, c->id);
		return DC_E_MISUSE;
	}
	enum dc_err err = load_script(c, script_dir, &sc, why, why_len);
	if (err != DC_OK)
		return err;
	err = traced_dcb_run(&sc, &text, &len);
	dc_dcb_script_free(&sc);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': the run of %s: %s", c->source, c->id, c->base,
			 dc_err_name(err));
		return err;
	}
	err = dc_case_edit_trace(c, text, len, trace, why, why_len);
	free(text);
	return err;
}
