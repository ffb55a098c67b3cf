/* State of one minidump validation, shared by the walker and the checks. */
#ifndef DUMPCHECK_MD_H
#define DUMPCHECK_MD_H

#include "cursor.h"

/* A [start, end) range of target memory, with the file offset of the
 * descriptor that declared it. */
struct dci_range {
	uint64_t start;
	uint64_t end;
	uint64_t at;
};

/* Overlap detection over one list. While ranges arrive sorted it needs no
 * memory; only an unsorted list with overlaps-to-find is copied and sorted,
 * after a second walk over the list (see check_streams.c). */
struct dci_overlap {
	uint16_t sid;          /* entry struct of the list, DC_S_NONE when not checked */
	struct dci_cur list;   /* the list stream, entries at first + k * stride */
	uint64_t first, stride, n;
	uint64_t prev_start, max_end;
	uint64_t seen;
	bool unsorted, overlaps;
};

/* A directory entry, decoded once for the passes that read the directory. */
struct dci_dir_ent {
	uint32_t type;
	uint32_t size;
	uint32_t rva;
};

struct dci_md {
	struct dci_cur file;
	const struct dc_validate_opts *opts;
	const struct dc_visitor *vis;
	struct dc_diags *diags;
	enum dc_err err; /* first error that ended the walk (DC_E_NOMEM) */
	bool stop;       /* strict mode hit a MUST, a budget ran out, or err */
	uint64_t work;
	uint64_t alloc;

	/* header facts */
	uint32_t nstreams; /* directory entries examined (after limits) */
	struct dci_dir_ent *dir; /* the nstreams entries decoded, or NULL (budget) */
	uint32_t dir_rva;
	uint64_t flags;

	/* facts gathered before the walk */
	const struct dc_context_desc *context; /* for SystemInfo's architecture */
	bool has_arch;
	bool windows_platform; /* SystemInfo.PlatformId is a Windows one (or absent) */
	uint32_t *thread_ids; /* sorted ThreadList ids */
	size_t nthread_ids;
	bool has_thread_list;
	uint64_t max_stream_end; /* end of the furthest non-Memory64 stream */

	/* Memory64List: file offset of the next range's data, and whether the
	 * data already ran past the file end (reported once) */
	uint64_t mem64_data;
	bool mem64_past_end;

	/* per-list state */
	struct dci_overlap overlap;
	uint32_t writing_threads;

	/* bounded scratch for decoded text shown to the visitor */
	char text[4096];
};

/* True when the visitor takes text events: only then is text decoded
 * (a string can be 1 MiB of UTF-16 to turn into the 4 KiB shown). */
static inline bool dci_shows_text(const struct dci_md *m)
{
	return m->vis && m->vis->text;
}

/* Record a finding; in strict mode a MUST finding stops the walk. */
void dci_diag(struct dci_md *m, enum dc_rule rule, uint64_t offset, const char *fmt, ...)
	DCI_PRINTF(4, 5);

/* Count `n` steps of work; false (and limit.work once) when the budget is spent. */
bool dci_step(struct dci_md *m, uint64_t n);

/* Allocate `n` bytes against the budget (never more than the input size). */
void *dci_alloc(struct dci_md *m, uint64_t n);
void dci_free(struct dci_md *m, void *p, uint64_t n);


/* walk.c */
void dci_walk_streams(struct dci_md *m);
void dci_walk_struct(struct dci_md *m, uint16_t sid, const struct dci_cur *c, const char *label,
		     const struct dc_stream_desc *sd);

/* Show a structure to the visitor only: no checks, no work charged. */
void dci_show_struct(struct dci_md *m, uint16_t sid, const struct dci_cur *c, const char *label);

/* refs.c: follow what a field points at */
void dci_follow_ref(struct dci_md *m, const struct dc_field_desc *fd, const struct dci_cur *c,
		    uint64_t off);
/* Status of the MINIDUMP_STRING at `rva`: 0 valid, else the rule it breaks. */
int dci_string_status(const struct dci_md *m, uint64_t rva);

/* check_dir.c */
bool dci_check_header(struct dci_md *m);
void dci_check_directory(struct dci_md *m);
/* Free the decoded directory (dci_check_directory made it). */
void dci_release_directory(struct dci_md *m);
bool dci_dir_entry(const struct dci_md *m, uint32_t index, uint32_t *type, uint32_t *size,
		   uint32_t *rva);

/* check_streams.c: semantic rules over decoded structures */
void dci_check_struct(struct dci_md *m, const struct dc_stream_desc *sd, uint16_t sid,
		      const struct dci_cur *c);
void dci_check_list_begin(struct dci_md *m, const struct dc_stream_desc *sd, uint16_t sid,
			  const struct dci_cur *list, uint64_t first, uint64_t stride, uint64_t n);
void dci_check_list_end(struct dci_md *m, const struct dc_stream_desc *sd);
void dci_check_dump_end(struct dci_md *m);
void dci_check_context(struct dci_md *m, const struct dci_cur *ctx);
void dci_gather_facts(struct dci_md *m);

#endif
