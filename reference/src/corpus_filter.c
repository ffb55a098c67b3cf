/* Building a filter case's files (dumpcheck/corpus.h): a scenario of
 * spec/filter-scenarios run on the reference crash-dump stack with its
 * example filters (as `dumpcheck filter-run`), over a partition in memory,
 * then the trace edits of corpus_trace.c. The image is the dump the read
 * path delivered (empty when it did not finish). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/corpus.h"
#include "dumpcheck/filter.h"
#include "internal.h"

static enum dc_err image_sink(void *ctx, uint64_t off, const void *buf, size_t len)
{
	return dc_sink_buf_write(ctx, off, buf, len);
}

static enum dc_err load(const struct dc_case *c, const char *dir, struct dc_filter_scenario *sc, char *why,
			size_t why_len)
{
	char path[4096], detail[256];
	struct dc_file f;
	if (!dci_case_base_path(c, dir, "scenario", path, sizeof(path), why, why_len))
		return DC_E_LIMIT;
	enum dc_err err = dc_file_open(&f, path, DC_CASE_MAX_FILE);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': base %s: %s", c->source, c->id, path, dc_err_name(err));
		return err;
	}
	err = dc_filter_scenario_parse((const char *)f.data, f.size, sc, detail, sizeof(detail));
	if (err != DC_OK)
		snprintf(why, why_len, "%s: case '%s': base %s: %s", c->source, c->id, path, detail);
	dc_file_close(&f);
	if (err == DC_OK && sc->part.size > DC_CASE_MAX_FILE) {
		snprintf(why, why_len, "%s: case '%s': base %s: partition larger than DC_CASE_MAX_FILE", c->source,
			 c->id, path);
		dc_filter_scenario_free(sc);
		err = DC_E_LIMIT;
	}
	return err;
}

/* The traced run into the malloc'd `*text` and `image`. */
static enum dc_err traced_run(const struct dc_filter_scenario *sc, const char *image_name, struct dc_buf *image,
			      char **text, size_t *len)
{
	struct dc_filter_memdisk mem;
	struct dc_filter_disk disk;
	struct dc_filter_result res;
	enum dc_err err = dc_filter_memdisk_init(&mem, sc->part.size, &disk);
	if (err != DC_OK)
		return err;
	FILE *tf = open_memstream(text, len);
	if (!tf) {
		dc_filter_memdisk_free(&mem);
		return DC_E_NOMEM;
	}
	err = dc_filter_scenario_run(sc, &disk, tf, image_name, image_sink, image, &res);
	bool bad = ferror(tf) != 0;
	if ((fclose(tf) != 0 || bad) && err == DC_OK)
		err = DC_E_NOMEM;
	if (err == DC_OK && !res.read_back)
		image->len = 0; /* a read path that stopped delivered no image */
	dc_filter_memdisk_free(&mem);
	if (err != DC_OK) {
		free(*text);
		*text = NULL;
	}
	return err;
}

enum dc_err dc_case_build_filter(const struct dc_case *c, const char *scenario_dir, struct dc_buf *trace,
				 struct dc_buf *image, char *why, size_t why_len)
{
	struct dc_filter_scenario sc;
	char *text = NULL;
	size_t len = 0;
	memset(trace, 0, sizeof(*trace));
	memset(image, 0, sizeof(*image));
	if (why_len)
		why[0] = 0;
	if (c->kind != DC_CASE_FILTER || !c->base) {
		snprintf(why, why_len, "%s: case '%s': not a filter case", c->source, c->id);
		return DC_E_MISUSE;
	}
	enum dc_err err = load(c, scenario_dir, &sc, why, why_len);
	if (err != DC_OK)
		return err;
	err = traced_run(&sc, c->file_name, image, &text, &len);
	dc_filter_scenario_free(&sc);
	if (err != DC_OK) {
		snprintf(why, why_len, "%s: case '%s': the run of %s: %s", c->source, c->id, c->base, dc_err_name(err));
		dc_buf_free(image);
		return err;
	}
	err = dc_case_edit_trace(c, text, len, trace, why, why_len);
	free(text);
	if (err != DC_OK)
		dc_buf_free(image);
	return err;
}
