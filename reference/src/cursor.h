/* The one cursor type for untrusted bytes.
 *
 * A cursor is a window [base, base + len) of the input with a read position.
 * Getters either read the whole value and advance, or fail and leave the
 * cursor unchanged. Offsets are 64-bit and every addition is checked. */
#ifndef DUMPCHECK_CURSOR_H
#define DUMPCHECK_CURSOR_H

#include "internal.h"

struct dci_cur {
	const uint8_t *p; /* first byte of the window */
	uint64_t base;    /* absolute file offset of p[0] */
	uint64_t len;     /* bytes in the window */
	uint64_t pos;     /* read position, relative to p */
};

/* A cursor over the whole input. */
static inline struct dci_cur dci_cur_whole(const uint8_t *data, uint64_t size)
{
	struct dci_cur c = { data, 0, size, 0 };
	return c;
}

/* Sub-window [off, off + len) of `c` (relative to c's start). Zero length at
 * the end is allowed. False if it does not fit. */
static inline bool dci_cur_sub(const struct dci_cur *c, uint64_t off, uint64_t len,
			       struct dci_cur *out)
{
	uint64_t end;
	if (!dci_add(off, len, &end) || end > c->len)
		return false;
	out->p = c->p + off;
	out->base = c->base + off;
	out->len = len;
	out->pos = 0;
	return true;
}

/* Bytes left after the read position. */
static inline uint64_t dci_cur_left(const struct dci_cur *c)
{
	return c->len - c->pos;
}

/* Absolute file offset of the read position. */
static inline uint64_t dci_cur_abs(const struct dci_cur *c)
{
	return c->base + c->pos;
}

static inline bool dci_cur_has(const struct dci_cur *c, uint64_t off, uint64_t n)
{
	uint64_t end;
	return dci_add(off, n, &end) && end <= c->len;
}

static inline bool dci_get_u16(struct dci_cur *c, uint16_t *v)
{
	if (!dci_cur_has(c, c->pos, 2))
		return false;
	*v = dci_le16(c->p + c->pos);
	c->pos += 2;
	return true;
}

static inline bool dci_get_u32(struct dci_cur *c, uint32_t *v)
{
	if (!dci_cur_has(c, c->pos, 4))
		return false;
	*v = dci_le32(c->p + c->pos);
	c->pos += 4;
	return true;
}

static inline bool dci_get_u64(struct dci_cur *c, uint64_t *v)
{
	if (!dci_cur_has(c, c->pos, 8))
		return false;
	*v = dci_le64(c->p + c->pos);
	c->pos += 8;
	return true;
}

/* Reads at `off` relative to the window start; the position is untouched. */
static inline bool dci_at_u8(const struct dci_cur *c, uint64_t off, uint8_t *v)
{
	if (!dci_cur_has(c, off, 1))
		return false;
	*v = c->p[off];
	return true;
}

static inline bool dci_at_u16(const struct dci_cur *c, uint64_t off, uint16_t *v)
{
	if (!dci_cur_has(c, off, 2))
		return false;
	*v = dci_le16(c->p + off);
	return true;
}

static inline bool dci_at_u32(const struct dci_cur *c, uint64_t off, uint32_t *v)
{
	if (!dci_cur_has(c, off, 4))
		return false;
	*v = dci_le32(c->p + off);
	return true;
}

static inline bool dci_at_u64(const struct dci_cur *c, uint64_t off, uint64_t *v)
{
	if (!dci_cur_has(c, off, 8))
		return false;
	*v = dci_le64(c->p + off);
	return true;
}

/* Unsigned value of width 1, 2, 4 or 8 at `off`. */
static inline bool dci_at_uint(const struct dci_cur *c, uint64_t off, unsigned width, uint64_t *v)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	switch (width) {
	case 1: if (!dci_at_u8(c, off, &b)) return false; *v = b; return true;
	case 2: if (!dci_at_u16(c, off, &h)) return false; *v = h; return true;
	case 4: if (!dci_at_u32(c, off, &w)) return false; *v = w; return true;
	case 8: return dci_at_u64(c, off, v);
	}
	return false;
}

#endif
