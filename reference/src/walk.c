/* The descriptor-driven walk over every stream, by the shapes of spec/. */
#include <string.h>

#include "md.h"
#include "tokens.h"

#define VIS(m, ev, ...)                                        \
	do {                                                   \
		if ((m)->vis && (m)->vis->ev)                  \
			(m)->vis->ev((m)->vis->ctx, __VA_ARGS__); \
	} while (0)
#define VIS0(m, ev)                                \
	do {                                       \
		if ((m)->vis && (m)->vis->ev)      \
			(m)->vis->ev((m)->vis->ctx); \
	} while (0)

static const struct dc_struct_desc *sdesc(uint16_t sid)
{
	return sid < DC_S_COUNT ? &dc_struct_descs[sid] : NULL;
}

static void walk_struct(struct dci_md *m, uint16_t sid, const struct dci_cur *c, const char *label,
			const struct dc_stream_desc *sd);

static void walk_field(struct dci_md *m, const struct dc_field_desc *f, const struct dci_cur *c)
{
	if (f->type == DC_FT_STRUCT) {
		uint32_t size = dc_struct_descs[f->sub].size;
		if (f->count > 1)
			VIS(m, begin_array, f->name, f->count);
		for (uint32_t k = 0; k < f->count; k++) {
			struct dci_cur fc;
			if (dci_cur_sub(c, f->off + (uint64_t)k * size, size, &fc))
				walk_struct(m, f->sub, &fc, f->count > 1 ? NULL : f->name, NULL);
		}
		if (f->count > 1)
			VIS0(m, end_array);
	} else {
		VIS(m, field, f, c->p + f->off, c->base + f->off);
	}
	if (f->ref != DC_REF_NONE)
		dci_follow_ref(m, f, c, f->off);
}

/* Memory64List data is implied: each range follows the previous one's
 * bytes, from BaseRva on. */
static void place_memory64(struct dci_md *m, const struct dci_cur *ec)
{
	uint64_t size, end;
	if (!dci_at_u64(ec, DC_OFF_MINIDUMP_MEMORY_DESCRIPTOR64_DataSize, &size) ||
	    m->mem64_past_end)
		return;
	if (!dci_add(m->mem64_data, size, &end) || end > m->file.len) {
		dci_diag(m, DC_RULE_MEMORY64_DATA_IN_FILE, ec->base,
			 "range data at 0x%llX + 0x%llX ends past the file end 0x%llX",
			 (unsigned long long)m->mem64_data, (unsigned long long)size,
			 (unsigned long long)m->file.len);
		m->mem64_past_end = true;
		return;
	}
	VIS(m, blob, "DataSize", m->mem64_data, size);
	m->mem64_data = end;
}

/* Fields that do not fit in the window (a short stream or entry) are absent.
 * Charges no work: callers charge once per top-level structure, so that a
 * walk costs the same with and without a visitor. */
static void walk_struct(struct dci_md *m, uint16_t sid, const struct dci_cur *c, const char *label,
			const struct dc_stream_desc *sd)
{
	const struct dc_struct_desc *s = sdesc(sid);
	if (!s || m->stop)
		return;
	if (!m->vis && !s->has_refs) {
		/* nothing to show or follow: only the semantic checks need it */
		if (sd && sd->shape == DC_SHAPE_MEMORY64)
			place_memory64(m, c);
		if (sd)
			dci_check_struct(m, sd, sid, c);
		return;
	}
	VIS(m, begin_struct, label, s, c->base);
	/* specgen keeps every field inside its struct's size: a whole window
	 * needs no check per field */
	bool whole = c->len >= s->size;
	for (uint16_t i = 0; i < s->nfields && !m->stop; i++) {
		const struct dc_field_desc *f = &s->fields[i];
		if (whole || dci_cur_has(c, f->off, dc_field_width(f)))
			walk_field(m, f, c);
	}
	if (sd && sd->shape == DC_SHAPE_MEMORY64)
		place_memory64(m, c);
	VIS0(m, end_struct);
	if (sd)
		dci_check_struct(m, sd, sid, c);
}

void dci_walk_struct(struct dci_md *m, uint16_t sid, const struct dci_cur *c, const char *label,
		     const struct dc_stream_desc *sd)
{
	const struct dc_struct_desc *s = sdesc(sid);
	if (s && dci_step(m, 1 + s->nfields))
		walk_struct(m, sid, c, label, sd);
}

void dci_show_struct(struct dci_md *m, uint16_t sid, const struct dci_cur *c, const char *label)
{
	if (m->vis)
		walk_struct(m, sid, c, label, NULL);
}

static void too_small(struct dci_md *m, const struct dc_stream_desc *sd, const struct dci_cur *sc,
		      uint64_t need, const char *what)
{
	dci_diag(m, sd->size_rule, sc->base, "%s: %s needs %llu bytes, the stream has %llu", sd->name,
		 what, (unsigned long long)need, (unsigned long long)sc->len);
}

/* `n` capped by the entry budget, with limit.entries when it bites. */
static uint64_t cap_entries(struct dci_md *m, const struct dc_stream_desc *sd,
			    const struct dci_cur *sc, uint64_t n)
{
	if (n <= m->opts->limits.max_entries)
		return n;
	dci_diag(m, DC_RULE_LIMIT_ENTRIES, sc->base, "%s: %llu entries, budget %llu", sd->name,
		 (unsigned long long)n, (unsigned long long)m->opts->limits.max_entries);
	return m->opts->limits.max_entries;
}

/* Entries [0, n) of `stride` bytes from `first`, capped by the entry budget. */
static void walk_entries(struct dci_md *m, const struct dc_stream_desc *sd, uint16_t sid,
			 const struct dci_cur *sc, uint64_t first, uint64_t stride, uint64_t n,
			 uint64_t declared)
{
	n = cap_entries(m, sd, sc, n);
	dci_check_list_begin(m, sd, sid, sc, first, stride, n);
	VIS(m, begin_array, "entries", declared);
	for (uint64_t k = 0; k < n && !m->stop; k++) {
		struct dci_cur ec;
		if (!dci_cur_sub(sc, first + k * stride, stride, &ec))
			break;
		if (sid == DC_S_NONE) {
			if (!dci_step(m, 1))
				break;
			VIS(m, blob, NULL, ec.base, ec.len);
		}
		else
			dci_walk_struct(m, sid, &ec, NULL, sd);

	}
	VIS0(m, end_array);
	if (!m->stop)
		dci_check_list_end(m, sd);
}

static void walk_list32(struct dci_md *m, const struct dc_stream_desc *sd, const struct dci_cur *sc)
{
	uint32_t count;
	uint64_t size = dc_struct_descs[sd->entry].size, first = 4;
	if (!dci_at_u32(sc, 0, &count)) {
		too_small(m, sd, sc, 4, "the entry count");
		return;
	}
	uint64_t need = 4 + (uint64_t)count * size;
	if (count && sc->len == need + 4) {
		first = 8;
		dci_diag(m, DC_RULE_LIST_PADDING_AFTER_COUNT, sc->base + 4,
			 "%s: %u entries start at +8", sd->name, count);
	} else if (sd->entry == DC_S_MINIDUMP_MODULE && count >= 2 &&
		   sc->len == 4 + (uint64_t)count * (size + 4)) {
		dci_diag(m, DC_RULE_MODULELIST_NATURAL_ALIGNMENT, sc->base,
			 "%s: %u entries of 112 bytes", sd->name, count);
		return;
	} else if (sc->len < need) {
		char what[48];
		snprintf(what, sizeof(what), "%u entries", count);
		too_small(m, sd, sc, need, what);
	}
	uint64_t fit = (sc->len - first) / size;
	walk_entries(m, sd, sd->entry, sc, first, size, count < fit ? count : fit, count);
}

static void walk_memory64(struct dci_md *m, const struct dc_stream_desc *sd,
			  const struct dci_cur *sc)
{
	uint64_t count, base, hs = dc_struct_descs[sd->header].size;
	if (!dci_at_u64(sc, DC_OFF_MINIDUMP_MEMORY64_LIST_NumberOfMemoryRanges, &count) ||
	    !dci_at_u64(sc, DC_OFF_MINIDUMP_MEMORY64_LIST_BaseRva, &base)) {
		too_small(m, sd, sc, hs, "the header");
		return;
	}
	dci_walk_struct(m, sd->header, sc, "header", NULL);
	uint64_t fit = (sc->len - hs) / DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64;
	if (count > fit) {
		char what[48];
		snprintf(what, sizeof(what), "%llu ranges", (unsigned long long)count);
		uint64_t need = 0;
		if (!dci_mul(count, DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64, &need) || !dci_add(need, hs, &need))
			need = UINT64_MAX;
		too_small(m, sd, sc, need, what);
	}
	if (base < m->max_stream_end)
		dci_diag(m, DC_RULE_MEMORY64_DATA_LAST, sc->base + DC_OFF_MINIDUMP_MEMORY64_LIST_BaseRva,
			 "BaseRva 0x%llX is before the end 0x%llX of another stream",
			 (unsigned long long)base, (unsigned long long)m->max_stream_end);
	m->mem64_data = base;
	m->mem64_past_end = false;
	walk_entries(m, sd, sd->entry, sc, hs, DC_SIZE_MINIDUMP_MEMORY_DESCRIPTOR64,
		     count < fit ? count : fit, count);
}

/* The largest alternative entry struct that fits `esize`. */
static uint16_t choose_entry(const struct dc_stream_desc *sd, uint64_t esize, uint64_t *min_size)
{
	uint16_t best = sd->entry;
	*min_size = sd->entry == DC_S_NONE ? 1 : dc_struct_descs[sd->entry].size;
	if (!sd->nalts)
		return best;
	best = DC_S_NONE;
	*min_size = UINT64_MAX;
	for (uint8_t i = 0; i < sd->nalts; i++) {
		uint32_t size = dc_struct_descs[sd->alts[i]].size;
		if (size < *min_size)
			*min_size = size;
		if (size <= esize && (best == DC_S_NONE || size > dc_struct_descs[best].size))
			best = sd->alts[i];
	}
	return best;
}

static void walk_vlist(struct dci_md *m, const struct dc_stream_desc *sd, const struct dci_cur *sc)
{
	const struct dc_struct_desc *hd = sdesc(sd->header);
	uint32_t hsize, esize;
	uint64_t count, min_entry;
	if (sc->len < hd->size || !dci_at_u32(sc, sd->header_size_off, &hsize) ||
	    !dci_at_u32(sc, sd->entry_size_off, &esize) ||
	    !dci_at_uint(sc, sd->count_off, sd->count_width, &count)) {
		too_small(m, sd, sc, hd->size, "the header");
		return;
	}
	dci_walk_struct(m, sd->header, sc, "header", sd);
	if (hsize < hd->size || hsize > sc->len) {
		dci_diag(m, sd->header_rule, sc->base + sd->header_size_off,
			 "%s: SizeOfHeader %u, header is %u, stream is %llu bytes", sd->name, hsize,
			 hd->size, (unsigned long long)sc->len);
		return;
	}
	uint16_t sid = choose_entry(sd, esize, &min_entry);
	if (esize < min_entry || esize == 0) {
		dci_diag(m, sd->entry_rule, sc->base + sd->entry_size_off,
			 "%s: SizeOfEntry %u, at least %llu expected", sd->name, esize,
			 (unsigned long long)min_entry);
		return;
	}
	uint64_t fit = (sc->len - hsize) / esize, need;
	if (count > fit) {
		if (!dci_mul(count, esize, &need) || !dci_add(need, hsize, &need))
			need = UINT64_MAX;
		dci_diag(m, sd->size_rule, sc->base, "%s: %u + %llu x %u = %llu bytes, the stream has %llu",
			 sd->name, hsize, (unsigned long long)count, esize, (unsigned long long)need,
			 (unsigned long long)sc->len);
	}
	walk_entries(m, sd, sid, sc, hsize, esize, count < fit ? count : fit, count);
}

static bool known_size(const struct dc_stream_desc *sd, uint32_t size)
{
	for (uint8_t i = 0; i < sd->nsizes; i++)
		if (sd->sizes[i] == size)
			return true;
	return sd->nsizes && size > sd->sizes[sd->nsizes - 1];
}

static void walk_struct_stream(struct dci_md *m, const struct dc_stream_desc *sd,
			       const struct dci_cur *sc)
{
	const struct dc_struct_desc *s = sdesc(sd->header);
	uint64_t avail = sc->len < s->size ? sc->len : s->size;
	uint32_t own;
	if (sd->has_sized_by && dci_at_u32(sc, sd->sized_by_off, &own)) {
		if (!known_size(sd, own) || own > sc->len)
			dci_diag(m, sd->size_rule, sc->base + sd->sized_by_off,
				 "%s: size field %u (stream %llu bytes)", sd->name, own,
				 (unsigned long long)sc->len);
		if (own < avail)
			avail = own;
	} else if (sc->len < s->size) {
		too_small(m, sd, sc, s->size, s->name);
	}
	struct dci_cur c;
	if (dci_cur_sub(sc, 0, avail, &c))
		dci_walk_struct(m, sd->header, &c, NULL, sd);
}

static void walk_variant(struct dci_md *m, const struct dc_stream_desc *sd,
			 const struct dci_cur *sc)
{
	uint64_t by;
	if (!dci_at_uint(sc, sd->by_off, sd->by_width, &by)) {
		too_small(m, sd, sc, sd->by_off + sd->by_width, "the version field");
		return;
	}
	for (uint8_t i = 0; i < sd->nvariants; i++) {
		if (sd->variants[i].value != by)
			continue;
		const struct dc_struct_desc *s = sdesc(sd->variants[i].struct_id);
		if (sc->len < s->size)
			too_small(m, sd, sc, s->size, s->name);
		dci_walk_struct(m, sd->variants[i].struct_id, sc, NULL, sd);
		return;
	}
	dci_diag(m, sd->entry_rule, sc->base + sd->by_off, "%s: no layout for version %llu",
		 sd->name, (unsigned long long)by);
	VIS(m, blob, NULL, sc->base, sc->len);
}

static void walk_text(struct dci_md *m, const struct dc_stream_desc *sd, const struct dci_cur *sc)
{
	size_t n = 0;
	bool utf16 = sd->shape == DC_SHAPE_TEXT16;
	if (utf16 && sc->len % 2)
		dci_diag(m, DC_RULE_STREAM_TEXT_UTF16_ODD, sc->base, "%s: %llu bytes", sd->name,
			 (unsigned long long)sc->len);
	if (!dci_step(m, 1 + sc->len / 4096) || !dci_shows_text(m))
		return;
	if (utf16) {
		n = dci_utf16_to_utf8(sc->p, sc->len / 2, m->text, sizeof(m->text));
	} else {
		n = sc->len < sizeof(m->text) ? (size_t)sc->len : sizeof(m->text);
		memcpy(m->text, sc->p, n);
	}
	VIS(m, text, "text", m->text, n, sc->base);
}

/* TokenStream: a header, then elements each sized by its own TokenSize
 * (the shape is tokens.c's). */
static void walk_token(struct dci_md *m, const struct dc_stream_desc *sd, const struct dci_cur *sc)
{
	struct dci_cur list, ec;
	uint64_t pos;
	uint32_t entries;
	if (!dci_cur_has(sc, 0, DC_SIZE_MINIDUMP_TOKEN_INFO_LIST)) {
		too_small(m, sd, sc, DC_SIZE_MINIDUMP_TOKEN_INFO_LIST, "the header");
		return;
	}
	dci_walk_struct(m, sd->header, sc, "header", NULL);
	if (!dci_token_list(sc, &list, &pos, &entries)) {
		dci_diag(m, sd->size_rule, sc->base, "TokenListSize %u, ListHeaderSize %u, stream %llu bytes",
			 dci_le32(sc->p + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_TokenListSize),
			 dci_le32(sc->p + DC_OFF_MINIDUMP_TOKEN_INFO_LIST_ListHeaderSize),
			 (unsigned long long)sc->len);
		return;
	}
	uint64_t n = cap_entries(m, sd, sc, entries);
	VIS(m, begin_array, "entries", entries);
	for (uint64_t k = 0; k < n && dci_step(m, 1); k++) {
		uint64_t at = pos;
		if (!dci_token_next(&list, &pos, &ec)) {
			dci_diag(m, sd->size_rule, list.base + at, "token %llu does not fit the list",
				 (unsigned long long)k);
			break;
		}
		dci_walk_struct(m, sd->entry, &ec, NULL, NULL);
	}
	VIS0(m, end_array);
}

/* One function table: descriptor, native descriptor, entries, padding. */
static bool walk_function_table(struct dci_md *m, const struct dc_stream_desc *sd,
				const struct dci_cur *sc, uint64_t *pos, const uint32_t sizes[3])
{
	uint32_t entries;
	uint64_t total, n;
	struct dci_cur dc;
	if (!dci_cur_sub(sc, *pos, sizes[0], &dc) ||
	    !dci_at_u32(&dc, DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_EntryCount, &entries) ||
	    !dci_mul(entries, sizes[2], &n) || !dci_add(n, sizes[0], &total) ||
	    !dci_add(total, sizes[1], &total) || !dci_cur_has(sc, *pos, total)) {
		dci_diag(m, sd->size_rule, sc->base + *pos, "function table at +%llu does not fit",
			 (unsigned long long)*pos);
		return false;
	}
	uint32_t pad = 0;
	dci_at_u32(&dc, DC_OFF_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR_SizeOfAlignPad, &pad);
	if (!dci_add(total, pad, &total) || !dci_cur_has(sc, *pos, total)) {
		dci_diag(m, sd->size_rule, sc->base + *pos, "function table padding does not fit");
		return false;
	}
	dci_walk_struct(m, sd->entry, &dc, NULL, NULL);
	VIS(m, blob, "native", dc.base + sizes[0], sizes[1]);
	VIS(m, blob, "entries", dc.base + sizes[0] + sizes[1], n);
	*pos += total;
	return true;
}

static void walk_function_tables(struct dci_md *m, const struct dc_stream_desc *sd,
				 const struct dci_cur *sc)
{
	/* SizeOfDescriptor, SizeOfNativeDescriptor, SizeOfFunctionEntry */
	uint32_t hsize, count, align, sizes[3] = { 0, 0, 0 };
	const struct dc_struct_desc *hd = sdesc(sd->header);
	if (sc->len < hd->size ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfHeader, &hsize) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfDescriptor, &sizes[0]) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfNativeDescriptor, &sizes[1]) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfFunctionEntry, &sizes[2]) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_NumberOfDescriptors, &count) ||
	    !dci_at_u32(sc, DC_OFF_MINIDUMP_FUNCTION_TABLE_STREAM_SizeOfAlignPad, &align)) {
		too_small(m, sd, sc, hd->size, "the header");
		return;
	}
	dci_walk_struct(m, sd->header, sc, "header", NULL);
	uint64_t pos = (uint64_t)hsize + align;
	if (hsize < hd->size || sizes[0] < DC_SIZE_MINIDUMP_FUNCTION_TABLE_DESCRIPTOR) {
		dci_diag(m, sd->size_rule, sc->base, "SizeOfHeader %u, SizeOfDescriptor %u", hsize,
			 sizes[0]);
		return;
	}
	uint64_t n = cap_entries(m, sd, sc, count);
	VIS(m, begin_array, "entries", count);
	for (uint64_t k = 0; k < n && dci_step(m, 1); k++)
		if (!walk_function_table(m, sd, sc, &pos, sizes))
			break;
	VIS0(m, end_array);
}

static void walk_stream(struct dci_md *m, const struct dc_stream_desc *sd, const struct dci_cur *sc)
{
	switch (sd ? sd->shape : DC_SHAPE_OPAQUE) {
	case DC_SHAPE_LIST32: walk_list32(m, sd, sc); return;
	case DC_SHAPE_MEMORY64: walk_memory64(m, sd, sc); return;
	case DC_SHAPE_VLIST: walk_vlist(m, sd, sc); return;
	case DC_SHAPE_STRUCT: walk_struct_stream(m, sd, sc); return;
	case DC_SHAPE_VARIANT: walk_variant(m, sd, sc); return;
	case DC_SHAPE_TEXT8:
	case DC_SHAPE_TEXT16: walk_text(m, sd, sc); return;
	case DC_SHAPE_TOKEN: walk_token(m, sd, sc); return;
	case DC_SHAPE_FUNCTION_TABLE: walk_function_tables(m, sd, sc); return;
	default: VIS(m, blob, NULL, sc->base, sc->len); return;
	}
}

void dci_walk_streams(struct dci_md *m)
{
	struct dci_cur hc;
	if (dci_cur_sub(&m->file, 0, DC_SIZE_MINIDUMP_HEADER, &hc))
		dci_show_struct(m, DC_S_MINIDUMP_HEADER, &hc, "header");
	VIS(m, begin_array, "streams", m->nstreams);
	for (uint32_t i = 0; i < m->nstreams && dci_step(m, 1); i++) {
		uint32_t type, size, rva;
		struct dci_cur sc;
		if (!dci_dir_entry(m, i, &type, &size, &rva))
			break;
		const struct dc_stream_desc *sd = dc_stream_lookup(type);
		VIS(m, begin_stream, i, type, sd ? sd->name : NULL, rva, size);
		if (type != DC_STREAM_UNUSED && dci_cur_sub(&m->file, rva, size, &sc))
			walk_stream(m, sd, &sc);
		VIS0(m, end_stream);
	}
	VIS0(m, end_array);
}
