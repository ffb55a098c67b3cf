/* A visitor that prints a minidump walk as indented text or as JSON.
 * Nothing here knows a stream or a field by name: the generated tables do. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "dumpcheck/print.h"
#include "dumpcheck/report.h"
#include "internal.h"

#define MAX_DEPTH 32

struct printer {
	FILE *out;
	bool json;
	int depth;
	bool first[MAX_DEPTH];   /* no member written yet at this level */
	bool is_obj[MAX_DEPTH];  /* level is a JSON object (else an array) */
	uint64_t index[MAX_DEPTH];
};

/* ---------------------------------------------------------------- layout */

static void indent(struct printer *p)
{
	for (int i = 0; i < p->depth; i++)
		fputs("  ", p->out);
}

/* Start a member: comma, and for objects the key (`label` or `fallback`). */
static void member(struct printer *p, const char *label, const char *suffix, const char *fallback)
{
	int d = p->depth;
	if (!p->first[d])
		fputc(',', p->out);
	p->first[d] = false;
	if (!p->is_obj[d])
		return;
	char key[160];
	snprintf(key, sizeof(key), "%s%s", label ? label : fallback, label ? suffix : "");
	dc_json_string(p->out, key, strlen(key));
	fputc(':', p->out);
}

static void push(struct printer *p, bool obj)
{
	if (p->depth + 1 < MAX_DEPTH)
		p->depth++;
	p->first[p->depth] = true;
	p->is_obj[p->depth] = obj;
	p->index[p->depth] = 0;
}

static void pop(struct printer *p)
{
	if (p->depth > 0)
		p->depth--;
}

/* Text-mode line prefix: indentation and "[i] " inside arrays. */
static void text_prefix(struct printer *p, const char *label)
{
	indent(p);
	if (label)
		fprintf(p->out, "%s: ", label);
	else if (p->depth > 0 && !p->is_obj[p->depth])
		fprintf(p->out, "[%" PRIu64 "] ", p->index[p->depth]++);
}

/* Text mode writes text from the dump, never raw: control bytes, DEL and
 * C1 controls (which terminals obey) are shown as \xNN. */
static void text_escaped(FILE *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] < 0xA0) {
			fprintf(out, "\\x%02X", (unsigned char)s[++i]);
		} else if (ch < 0x20 || ch == 0x7F || ch == '"' || ch == '\\') {
			fprintf(out, "\\x%02X", ch);
		} else {
			fputc(ch, out);
		}
	}
}

/* ---------------------------------------------------------------- values */

static uint64_t scalar(const struct dc_field_desc *fd, const uint8_t *b)
{
	switch (fd->type) {
	case DC_FT_U8: return b[0];
	case DC_FT_U16: return dci_le16(b);
	case DC_FT_U32:
	case DC_FT_I32: return dci_le32(b);
	case DC_FT_U64: return dci_le64(b);
	}
	return 0;
}

static void print_guid(FILE *out, const uint8_t *b, bool quoted)
{
	fprintf(out, "%s{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}%s", quoted ? "\"" : "",
		dci_le32(b), dci_le16(b + 4), dci_le16(b + 6), b[8], b[9], b[10], b[11], b[12],
		b[13], b[14], b[15], quoted ? "\"" : "");
}

static void print_time(FILE *out, uint64_t v, bool filetime)
{
	/* FILETIME counts 100 ns since 1601; time_t seconds since 1970. */
	const uint64_t epoch_delta = 11644473600ull;
	uint64_t secs = filetime ? v / 10000000u : v;
	if (filetime && secs < epoch_delta)
		return;
	time_t t = (time_t)(filetime ? secs - epoch_delta : secs);
	struct tm tm;
	char buf[32];
	if (v && gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		fprintf(out, " (%s)", buf);
}

static void print_flag_names(FILE *out, uint16_t enum_id, uint64_t v)
{
	const struct dc_enum_desc *e = &dc_enum_descs[enum_id];
	const char *sep = "";
	for (unsigned i = 0; i < e->nvalues; i++)
		if (e->values[i].value && (v & e->values[i].value) == e->values[i].value) {
			fprintf(out, "%s%s", sep, e->values[i].name);
			sep = "|";
		}
}

static void text_scalar(FILE *out, const struct dc_field_desc *fd, uint64_t v)
{
	switch (fd->fmt) {
	case DC_FMT_DEC: fprintf(out, "%" PRIu64, v); return;
	case DC_FMT_TIME_T:
	case DC_FMT_FILETIME:
		fprintf(out, "%" PRIu64, v);
		print_time(out, v, fd->fmt == DC_FMT_FILETIME);
		return;
	case DC_FMT_ENUM: {
		const char *name = dc_enum_name(fd->sub, v);
		fprintf(out, "0x%" PRIX64 "%s%s%s", v, name ? " (" : "", name ? name : "", name ? ")" : "");
		return;
	}
	case DC_FMT_FLAGS:
		fprintf(out, "0x%" PRIX64 " (", v);
		print_flag_names(out, fd->sub, v);
		fputc(')', out);
		return;
	default: fprintf(out, "0x%" PRIX64, v); return;
	}
}

static size_t unit_width(const struct dc_field_desc *fd)
{
	static const uint8_t widths[] = { 1, 2, 4, 8, 4, 16 };
	return fd->type < sizeof(widths) ? widths[fd->type] : 1;
}

/* Inline text arrays (u16 fmt utf16, u8 fmt ascii), cut at the first NUL. */
static size_t inline_text(const struct dc_field_desc *fd, const uint8_t *b, char *buf, size_t cap)
{
	uint64_t n = 0;
	if (fd->type == DC_FT_U16) {
		while (n < fd->count && dci_le16(b + 2 * n))
			n++;
		return dci_utf16_to_utf8(b, n, buf, cap);
	}
	while (n < fd->count && n + 1 < cap && b[n]) {
		buf[n] = (char)b[n];
		n++;
	}
	buf[n] = '\0';
	return (size_t)n;
}

static bool is_text(const struct dc_field_desc *fd)
{
	return fd->fmt == DC_FMT_UTF16 || fd->fmt == DC_FMT_ASCII;
}

static void json_field(struct printer *p, const struct dc_field_desc *fd, const uint8_t *b)
{
	char buf[1024];
	member(p, fd->name, "", "value");
	if (is_text(fd)) {
		dc_json_string(p->out, buf, inline_text(fd, b, buf, sizeof(buf)));
		return;
	}
	size_t w = unit_width(fd);
	if (fd->count > 1)
		fputc('[', p->out);
	for (uint32_t k = 0; k < fd->count; k++) {
		if (k)
			fputc(',', p->out);
		if (fd->type == DC_FT_GUID)
			print_guid(p->out, b + k * w, true);
		else if (fd->type == DC_FT_I32)
			fprintf(p->out, "%" PRId32, (int32_t)scalar(fd, b + k * w));
		else
			fprintf(p->out, "%" PRIu64, scalar(fd, b + k * w));
	}
	if (fd->count > 1)
		fputc(']', p->out);
	if (fd->count == 1 && fd->fmt == DC_FMT_ENUM && dc_enum_name(fd->sub, scalar(fd, b))) {
		const char *name = dc_enum_name(fd->sub, scalar(fd, b));
		member(p, fd->name, ".name", "value");
		dc_json_string(p->out, name, strlen(name));
	}
}

static void text_field(struct printer *p, const struct dc_field_desc *fd, const uint8_t *b)
{
	char buf[1024];
	text_prefix(p, fd->name);
	if (is_text(fd)) {
		size_t n = inline_text(fd, b, buf, sizeof(buf));
		fputc('"', p->out);
		text_escaped(p->out, buf, n);
		fputs("\"\n", p->out);
		return;
	}
	size_t w = unit_width(fd);
	for (uint32_t k = 0; k < fd->count; k++) {
		if (k)
			fputc(' ', p->out);
		if (fd->type == DC_FT_GUID)
			print_guid(p->out, b + k * w, false);
		else if (fd->type == DC_FT_I32)
			fprintf(p->out, "%" PRId32, (int32_t)scalar(fd, b + k * w));
		else
			text_scalar(p->out, fd, scalar(fd, b + k * w));
	}
	fputc('\n', p->out);
}

/* ---------------------------------------------------------------- events */

static void on_begin_stream(void *ctx, uint32_t index, uint32_t type, const char *name,
			    uint64_t rva, uint64_t size)
{
	struct printer *p = ctx;
	if (!p->json) {
		fprintf(p->out, "stream %u: %s (0x%X) at 0x%" PRIX64 ", %" PRIu64 " bytes\n", index,
			name ? name : "unknown", type, rva, size);
		push(p, true);
		return;
	}
	member(p, NULL, "", "stream");
	fprintf(p->out, "{\"index\":%u,\"type\":%u,\"name\":", index, type);
	if (name)
		dc_json_string(p->out, name, strlen(name));
	else
		fputs("null", p->out);
	fprintf(p->out, ",\"rva\":%" PRIu64 ",\"size\":%" PRIu64, rva, size);
	push(p, true);
	p->first[p->depth] = false;
}

static void on_end_stream(void *ctx)
{
	struct printer *p = ctx;
	pop(p);
	if (p->json)
		fputc('}', p->out);
}

static void on_begin_struct(void *ctx, const char *label, const struct dc_struct_desc *sd,
			    uint64_t offset)
{
	struct printer *p = ctx;
	if (p->json) {
		member(p, label, "", "struct");
		fputc('{', p->out);
		push(p, true);
		member(p, "$struct", "", "");
		dc_json_string(p->out, sd->name, strlen(sd->name));
		member(p, "$offset", "", "");
		fprintf(p->out, "%" PRIu64, offset);
		return;
	}
	text_prefix(p, label);
	fprintf(p->out, "%s @0x%" PRIX64 "\n", sd->name, offset);
	push(p, true);
}

static void on_end(void *ctx, char close)
{
	struct printer *p = ctx;
	pop(p);
	if (p->json)
		fputc(close, p->out);
}

static void on_end_struct(void *ctx) { on_end(ctx, '}'); }
static void on_end_array(void *ctx) { on_end(ctx, ']'); }

static void on_begin_array(void *ctx, const char *label, uint64_t count)
{
	struct printer *p = ctx;
	if (p->json) {
		if (label && strcmp(label, "entries") == 0) {
			member(p, "count", "", "");
			fprintf(p->out, "%" PRIu64, count);
		}
		member(p, label, "", "array");
		fputc('[', p->out);
	} else {
		text_prefix(p, label);
		fprintf(p->out, "(%" PRIu64 ")\n", count);
	}
	push(p, false);
}

static void on_field(void *ctx, const struct dc_field_desc *fd, const uint8_t *bytes,
		     uint64_t offset)
{
	struct printer *p = ctx;
	(void)offset;
	if (p->json)
		json_field(p, fd, bytes);
	else
		text_field(p, fd, bytes);
}

static void on_text(void *ctx, const char *label, const char *utf8, size_t len, uint64_t offset)
{
	struct printer *p = ctx;
	if (p->json) {
		member(p, label, strcmp(label, "text") ? ".text" : "", "text");
		dc_json_string(p->out, utf8, len);
		return;
	}
	indent(p);
	fprintf(p->out, "%s%s @0x%" PRIX64 ": \"", label, strcmp(label, "text") ? ".text" : "", offset);
	text_escaped(p->out, utf8, len);
	fputs("\"\n", p->out);
}

static void on_blob(void *ctx, const char *label, uint64_t offset, uint64_t size)
{
	struct printer *p = ctx;
	if (p->json) {
		member(p, label, ".data", "data");
		fprintf(p->out, "{\"offset\":%" PRIu64 ",\"size\":%" PRIu64 "}", offset, size);
		return;
	}
	text_prefix(p, NULL);
	fprintf(p->out, "%s%s: %" PRIu64 " bytes at 0x%" PRIX64 "\n", label ? label : "data",
		label ? ".data" : "", size, offset);
}

/* ---------------------------------------------------------------- entry */

static void print_findings(struct printer *p, const struct dc_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct dc_diag *g = &d->items[i];
		const struct dc_rule_desc *r = &dc_rule_descs[g->rule];
		if (!p->json) {
			fprintf(p->out, "finding: %s %s @0x%" PRIX64 ": %s\n",
				r->impl ? "i_" : dc_level_name(r->level), r->id, g->offset, g->detail);
			continue;
		}
		fputs(i ? ",{\"rule\":" : "{\"rule\":", p->out);
		dc_json_string(p->out, r->id, strlen(r->id));
		fprintf(p->out, ",\"level\":\"%s\",\"impl\":%s,\"offset\":%" PRIu64 ",\"detail\":",
			dc_level_name(r->level), r->impl ? "true" : "false", g->offset);
		dc_json_string(p->out, g->detail, strlen(g->detail));
		fputc('}', p->out);
	}
}

/* Findings counted beyond the recording limits, per rule. */
static void print_unrecorded(struct printer *p, const struct dc_diags *d)
{
	bool first = true;
	size_t recorded[DC_RULE_COUNT] = { 0 }; /* one pass, not one per rule */
	for (size_t i = 0; i < d->count; i++)
		if (d->items[i].rule < DC_RULE_COUNT)
			recorded[d->items[i].rule]++;
	for (unsigned r = 0; r < DC_RULE_COUNT; r++) {
		if (d->per_rule[r] <= recorded[r])
			continue;
		size_t more = d->per_rule[r] - recorded[r];
		if (p->json) {
			fputs(first ? "" : ",", p->out);
			dc_json_string(p->out, dc_rule_descs[r].id, strlen(dc_rule_descs[r].id));
			fprintf(p->out, ":%zu", more);
		} else {
			fprintf(p->out, "finding: ... and %zu more %s\n", more, dc_rule_descs[r].id);
		}
		first = false;
	}
}

enum dc_err dc_minidump_print(FILE *out, const char *path, const uint8_t *data, uint64_t size,
			      int json, const struct dc_validate_opts *opts, struct dc_diags *diags)
{
	struct printer p;
	memset(&p, 0, sizeof(p));
	p.out = out;
	p.json = json != 0;
	p.first[0] = false;
	p.is_obj[0] = true;
	struct dc_visitor vis = { &p, on_begin_stream, on_end_stream, on_begin_struct,
				  on_end_struct, on_begin_array, on_end_array, on_field, on_text,
				  on_blob };
	if (p.json) {
		fprintf(out, "{\"schema\":\"dumpcheck-dump\",\"version\":%d,\"path\":",
			DC_JSON_SCHEMA_VERSION);
		dc_json_string(out, path, strlen(path));
		fprintf(out, ",\"size\":%" PRIu64, size);
	} else {
		text_escaped(out, path, strlen(path));
		fprintf(out, ": %" PRIu64 " bytes\n", size);
	}
	enum dc_err err = dc_minidump_validate(data, size, opts, &vis, diags);
	if (p.json) {
		fprintf(out, ",\"verdict\":\"%s\",\"findings\":[", dc_verdict_name(dc_diags_verdict(diags)));
		print_findings(&p, diags);
		fputs("],\"unrecorded\":{", out);
		print_unrecorded(&p, diags);
		fputs("}}\n", out);
	} else {
		print_findings(&p, diags);
		print_unrecorded(&p, diags);
		fprintf(out, "verdict: %s\n", dc_verdict_name(dc_diags_verdict(diags)));
	}
	return err != DC_OK ? err : ferror(out) ? DC_E_IO : DC_OK;
}
