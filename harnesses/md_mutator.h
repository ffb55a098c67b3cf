/* A structure-aware minidump mutator, shared by LLVMFuzzerCustomMutator
 * (harnesses/fuzz_minidump_structured.c) and AFL++'s custom mutator library
 * (harnesses/afl_md_mutator.c). It knows the format from the generated
 * tables of spec/ (stream shapes, struct and field layouts, enum values), so
 * it changes what a parser branches on: a field set to a boundary or enum
 * value, a directory entry duplicated, removed or retyped, a stream added, a
 * list resized (its DataSize fixed up or left stale), a location broken.
 * Byte-level mutation stays the engine's job; an input that is not a
 * minidump is left to it (md_mutate returns 0).
 * Header-only: each harness is one .c plus the library. */
#ifndef DUMPCHECK_MD_MUTATOR_H
#define DUMPCHECK_MD_MUTATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dumpcheck/dumpcheck.h"

#define MD_MAX_ADDED 4096u /* bytes one added stream may copy */

struct md_view {
	uint8_t *d;
	size_t size, max;
	uint32_t n, dir; /* NumberOfStreams, StreamDirectoryRva */
	uint64_t rng;
};

static uint32_t md_rand(struct md_view *v, uint32_t below)
{
	v->rng ^= v->rng << 13; /* xorshift64: cheap, and seeded by the engine */
	v->rng ^= v->rng >> 7;
	v->rng ^= v->rng << 17;
	return below ? (uint32_t)(v->rng % below) : 0;
}

static uint32_t md_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void md_put(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned k = 0; k < width; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static bool md_parse(struct md_view *v)
{
	if (v->size < DC_SIZE_MINIDUMP_HEADER || md_get32(v->d) != DC_MINIDUMP_SIGNATURE)
		return false;
	v->n = md_get32(v->d + DC_OFF_MINIDUMP_HEADER_NumberOfStreams);
	v->dir = md_get32(v->d + DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva);
	return v->n && v->n <= 4096 && v->dir <= v->size &&
	       (uint64_t)v->n * DC_SIZE_MINIDUMP_DIRECTORY <= v->size - v->dir;
}

static uint8_t *md_entry(const struct md_view *v, uint32_t i)
{
	return v->d + v->dir + (size_t)i * DC_SIZE_MINIDUMP_DIRECTORY;
}

/* The body of entry i when it lies in the file, else NULL. */
static uint8_t *md_body(const struct md_view *v, uint32_t i, uint32_t *len)
{
	const uint8_t *e = md_entry(v, i) + DC_OFF_MINIDUMP_DIRECTORY_Location;
	uint32_t size = md_get32(e + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize);
	uint32_t rva = md_get32(e + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva);
	if (rva > v->size || size > v->size - rva)
		return NULL;
	*len = size;
	return v->d + rva;
}

/* A value a parser is likely to branch on, for a field of `width` bytes. */
static uint64_t md_interesting(struct md_view *v, const struct dc_field_desc *f, unsigned width)
{
	uint64_t top = width == 8 ? UINT64_MAX : (1ull << (8 * width)) - 1;
	if ((f->fmt == DC_FMT_ENUM || f->fmt == DC_FMT_FLAGS) && md_rand(v, 2)) {
		const struct dc_enum_desc *e = &dc_enum_descs[f->sub];
		if (e->nvalues)
			return e->values[md_rand(v, e->nvalues)].value & top;
	}
	const uint64_t picks[] = { 0, 1, top, top >> 1, (top >> 1) + 1, v->size, v->size - 1,
				   v->size + 1, 0x1000, md_rand(v, UINT32_MAX) };
	return picks[md_rand(v, sizeof(picks) / sizeof(picks[0]))] & top;
}

static const unsigned md_width[] = { [DC_FT_U8] = 1, [DC_FT_U16] = 2, [DC_FT_U32] = 4,
				     [DC_FT_U64] = 8, [DC_FT_I32] = 4 };

/* Set one scalar field of the struct `sid` at `at` (inside the file). */
static bool md_set_field(struct md_view *v, uint16_t sid, uint8_t *at, uint32_t room)
{
	for (int depth = 0; depth < 4; depth++) {
		const struct dc_struct_desc *s = &dc_struct_descs[sid];
		if (!s->nfields || s->size > room)
			return false;
		const struct dc_field_desc *f = &s->fields[md_rand(v, s->nfields)];
		if (f->type == DC_FT_STRUCT) { /* descend into the embedded struct */
			at += f->off;
			room = dc_struct_descs[f->sub].size;
			sid = f->sub;
			continue;
		}
		if (f->type == DC_FT_GUID)
			return false;
		unsigned w = md_width[f->type];
		uint32_t k = f->count > 1 ? md_rand(v, f->count) : 0;
		md_put(at + f->off + (size_t)k * w, md_interesting(v, f, w), w);
		return true;
	}
	return false;
}

/* A struct of stream i's body: the header / single struct, or an entry. */
static bool op_field(struct md_view *v)
{
	uint32_t i = md_rand(v, v->n), len;
	uint8_t *b = md_body(v, i, &len);
	const struct dc_stream_desc *sd = dc_stream_lookup(md_get32(md_entry(v, i)));
	if (!b || !sd)
		return false;
	uint16_t hdr = sd->header, ent = sd->entry;
	uint32_t first = hdr != DC_S_NONE ? dc_struct_descs[hdr].size
					  : (sd->shape == DC_SHAPE_LIST32 ? 4 : 0);
	bool entry = ent != DC_S_NONE && len > first && (hdr == DC_S_NONE || md_rand(v, 3));
	if (!entry)
		return hdr != DC_S_NONE && md_set_field(v, hdr, b, len);
	uint32_t esize = dc_struct_descs[ent].size;
	if (!esize || len - first < esize)
		return false;
	uint32_t k = md_rand(v, (len - first) / esize);
	return md_set_field(v, ent, b + first + k * esize, esize);
}

/* Move the directory to the end of the file with room for `extra` entries
 * (whose bytes the caller fills); false when max_size forbids it. */
static bool md_grow_directory(struct md_view *v, uint32_t extra)
{
	size_t at = (v->size + 3) & ~(size_t)3;
	size_t bytes = (size_t)(v->n + extra) * DC_SIZE_MINIDUMP_DIRECTORY;
	if (at > v->max || bytes > v->max - at)
		return false;
	memset(v->d + v->size, 0, at - v->size);
	memmove(v->d + at, md_entry(v, 0), (size_t)v->n * DC_SIZE_MINIDUMP_DIRECTORY);
	v->dir = (uint32_t)at;
	v->size = at + bytes;
	v->n += extra;
	md_put(v->d + DC_OFF_MINIDUMP_HEADER_StreamDirectoryRva, v->dir, 4);
	md_put(v->d + DC_OFF_MINIDUMP_HEADER_NumberOfStreams, v->n, 4);
	return true;
}

static bool op_duplicate_entry(struct md_view *v)
{
	uint32_t i = md_rand(v, v->n);
	if (!md_grow_directory(v, 1))
		return false;
	memcpy(md_entry(v, v->n - 1), md_entry(v, i), DC_SIZE_MINIDUMP_DIRECTORY);
	return true;
}

static bool op_remove_entry(struct md_view *v)
{
	uint32_t i = md_rand(v, v->n);
	if (v->n < 2)
		return false;
	memmove(md_entry(v, i), md_entry(v, i + 1), (size_t)(v->n - i - 1) * DC_SIZE_MINIDUMP_DIRECTORY);
	v->n--;
	md_put(v->d + DC_OFF_MINIDUMP_HEADER_NumberOfStreams, v->n, 4);
	return true;
}

/* Give entry i another known stream type: a body read as the wrong shape. */
static bool op_retype_entry(struct md_view *v)
{
	const struct dc_stream_desc *sd = &dc_stream_descs[md_rand(v, DC_STREAM_DESC_COUNT)];
	md_put(md_entry(v, md_rand(v, v->n)), sd->type, 4);
	return true;
}

/* A copy of a stream's body appended, with a new directory entry for it. */
static bool op_add_stream(struct md_view *v)
{
	uint32_t i = md_rand(v, v->n), len;
	uint8_t entry[DC_SIZE_MINIDUMP_DIRECTORY];
	const uint8_t *b = md_body(v, i, &len);
	if (!b || len > MD_MAX_ADDED || len > v->max - v->size)
		return false;
	size_t at = v->size;
	memmove(v->d + at, b, len);
	v->size += len;
	memcpy(entry, md_entry(v, i), sizeof(entry));
	if (!md_grow_directory(v, 1))
		return false;
	md_put(entry + DC_OFF_MINIDUMP_DIRECTORY_Location + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, at, 4);
	memcpy(md_entry(v, v->n - 1), entry, sizeof(entry));
	return true;
}

/* A LIST32 count changed; half the time DataSize follows (4 + n * entry). */
static bool op_resize_list(struct md_view *v)
{
	uint32_t i = md_rand(v, v->n), len;
	uint8_t *b = md_body(v, i, &len);
	const struct dc_stream_desc *sd = dc_stream_lookup(md_get32(md_entry(v, i)));
	if (!b || !sd || sd->shape != DC_SHAPE_LIST32 || sd->entry == DC_S_NONE || len < 4)
		return false;
	uint32_t count = md_get32(b);
	const uint32_t picks[] = { count + 1, count - 1, 0, count * 2, UINT32_MAX };
	count = picks[md_rand(v, sizeof(picks) / sizeof(picks[0]))];
	md_put(b, count, 4);
	if (md_rand(v, 2)) {
		uint64_t size = 4 + (uint64_t)count * dc_struct_descs[sd->entry].size;
		md_put(md_entry(v, i) + DC_OFF_MINIDUMP_DIRECTORY_Location +
			       DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize,
		       size, 4);
	}
	return true;
}

/* A directory location pointed at or past the end of the file. */
static bool op_break_location(struct md_view *v)
{
	uint8_t *loc = md_entry(v, md_rand(v, v->n)) + DC_OFF_MINIDUMP_DIRECTORY_Location;
	uint32_t size = md_get32(loc + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize);
	const uint64_t rvas[] = { v->size, v->size - 1, v->size - (size ? size - 1 : 0), UINT32_MAX,
				  0 };
	if (md_rand(v, 2))
		md_put(loc + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_Rva, rvas[md_rand(v, 5)], 4);
	else
		md_put(loc + DC_OFF_MINIDUMP_LOCATION_DESCRIPTOR_DataSize,
		       md_rand(v, 2) ? (uint64_t)size + 1 : UINT32_MAX, 4);
	return true;
}

/* Mutate data[0..size) (capacity max) in place; the new size, or 0 when the
 * input is not a minidump this mutator can work on. */
static size_t md_mutate(uint8_t *data, size_t size, size_t max, unsigned seed)
{
	static bool (*const ops[])(struct md_view *) = {
		op_field, op_field, op_field, op_duplicate_entry, op_remove_entry,
		op_retype_entry, op_add_stream, op_resize_list, op_break_location,
	};
	struct md_view v = { data, size, max, 0, 0, 0x9E3779B97F4A7C15ull ^ seed };
	if (size > max || !md_parse(&v))
		return 0;
	for (int tries = 0; tries < 8; tries++)
		if (ops[md_rand(&v, sizeof(ops) / sizeof(ops[0]))](&v))
			return v.size;
	return 0;
}

#endif
