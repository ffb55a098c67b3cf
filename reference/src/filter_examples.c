/* Example dump filters (dumpcheck/filter.h): a pass-through observer and an
 * encrypting filter (a keyed XOR keystream per disk byte offset, the way a
 * disk-encryption driver keys sectors: simple, not cryptography), plus the
 * knobs that make either fail with an NTSTATUS at a chosen call or break a
 * Dump_Write or Dump_Read rule. The encrypting filter does what the WDK
 * asks: it copies into a private, page-aligned buffer of MaxPagesPerWrite
 * pages allocated at initialisation and repoints the MDL; its Dump_Read
 * undoes the transform in the buffer it is given. Each filter's context is its struct dc_fx, which
 * DriverEntry returns as DumpData: every routine finds it in
 * FILTER_EXTENSION.DumpData, never in a global. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/filter.h"

#define PAGE DC_FILTER_PAGE_SIZE

static const char *const kind_names[] = { "observer", "encrypt" };
static const char *const misbehave_names[DC_FX_MISBEHAVE_COUNT] = { "ok",	  "offset",	 "count",
								       "in_place", "unaligned",	 "oversize",
								       "read_offset", "read_mdl" };

const char *dc_fx_kind_name(enum dc_fx_kind k)
{
	return (unsigned)k < 2 ? kind_names[k] : "unknown";
}

const char *dc_fx_misbehave_name(enum dc_fx_misbehave m)
{
	return (unsigned)m < DC_FX_MISBEHAVE_COUNT ? misbehave_names[m] : "unknown";
}

bool dc_fx_misbehave_is_read(enum dc_fx_misbehave m)
{
	return m == DC_FX_READ_OFFSET || m == DC_FX_READ_MDL;
}

bool dc_fx_kind_parse(const char *s, enum dc_fx_kind *k)
{
	for (int i = 0; i < 2; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum dc_fx_kind)i;
			return true;
		}
	return false;
}

bool dc_fx_misbehave_parse(const char *s, enum dc_fx_misbehave *m)
{
	for (int i = 0; i < DC_FX_MISBEHAVE_COUNT; i++)
		if (strcmp(s, misbehave_names[i]) == 0) {
			*m = (enum dc_fx_misbehave)i;
			return true;
		}
	return false;
}

void dc_fx_params_default(struct dc_fx_params *p, enum dc_fx_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->major = DUMP_FILTER_MAJOR_VERSION;
	p->minor = DUMP_FILTER_MINOR_VERSION;
	p->max_pages = 16;
	p->key = 0x5eed5eed5eed5eedull;
	p->fail_cb = -1;
	p->fail_status = STATUS_UNSUCCESSFUL;
	if (kind == DC_FX_ENCRYPT) {
		p->dump_read = true;
		p->flags = DUMP_FILTER_FLAG_SYSTEM_SUPPORT_READ;
	}
}

/* The status call `cb` returns now (counting it). */
static NTSTATUS outcome(struct dc_fx *fx, uint32_t cb)
{
	uint32_t n = ++fx->calls[cb & 7u];
	if (fx->p.fail_cb >= 0 && (uint32_t)fx->p.fail_cb == cb && (!fx->p.fail_nth || fx->p.fail_nth == n))
		return fx->p.fail_status;
	return STATUS_SUCCESS;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* XOR the keystream of disk bytes [off, off + n) into `p` (an involution). */
static void keystream(uint64_t key, uint64_t off, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint64_t word = off + i, ks = mix(key ^ (word & ~7ull));
		for (size_t b = word & 7u; b < 8 && i < n; b++, i++)
			p[i] ^= (uint8_t)(ks >> (8 * b));
	}
}

static struct dc_fx *self(PFILTER_EXTENSION ext)
{
	return ext->DumpData;
}

static NTSTATUS fx_start(PFILTER_EXTENSION ext)
{
	return outcome(self(ext), CallbackDumpStart);
}

static NTSTATUS fx_finish(PFILTER_EXTENSION ext)
{
	return outcome(self(ext), CallbackDumpFinish);
}

static NTSTATUS fx_unload(PFILTER_EXTENSION ext)
{
	struct dc_fx *fx = self(ext);
	NTSTATUS st = outcome(fx, DC_FILTER_UNLOAD);
	free(fx->buf);
	fx->buf = NULL;
	fx->loaded = false;
	return st;
}

/* Repoint `m` at `dst` (data at `dst + byte_offset` in the page) holding
 * the (transformed) bytes of `src`. */
static void redirect(struct dc_fx *fx, MDL *m, uint8_t *dst, ULONG byte_offset, const uint8_t *src,
		     size_t n, uint64_t off)
{
	memcpy(dst + byte_offset, src, n);
	if (fx->p.kind == DC_FX_ENCRYPT)
		keystream(fx->p.key, off, dst + byte_offset, n);
	m->StartVa = dst;
	m->MappedSystemVa = dst + byte_offset;
	m->ByteOffset = byte_offset;
}

static void misbehave(struct dc_fx *fx, PLARGE_INTEGER off, MDL *m, uint8_t *src, size_t n)
{
	switch (fx->p.misbehave) {
	case DC_FX_OFFSET:
		off->QuadPart += PAGE;
		break;
	case DC_FX_COUNT:
		m->ByteCount = n > 512 ? (ULONG)(n - 512) : (ULONG)(n + 512);
		break;
	case DC_FX_IN_PLACE: /* transform (or, observing, flip) the caller's bytes */
		if (fx->p.kind == DC_FX_ENCRYPT)
			keystream(fx->p.key, (uint64_t)off->QuadPart, src, n);
		else
			src[0] ^= 0xFF;
		break;
	case DC_FX_UNALIGNED:
		redirect(fx, m, fx->buf + 16, 0, src, n, (uint64_t)off->QuadPart);
		break;
	case DC_FX_OVERSIZE: /* the data on the page after the buffer's first */
		redirect(fx, m, fx->buf, PAGE, src, n, (uint64_t)off->QuadPart);
		break;
	case DC_FX_OK:
	case DC_FX_READ_OFFSET:
	case DC_FX_READ_MDL:
		break;
	}
}

/* Whether this (the latest counted) call of `cb` is the one to misbehave on. */
static bool misbehaves_now(const struct dc_fx *fx, uint32_t cb)
{
	bool read = dc_fx_misbehave_is_read(fx->p.misbehave);
	return fx->p.misbehave != DC_FX_OK && read == (cb == CallbackDumpRead) &&
	       (!fx->p.misbehave_nth || fx->p.misbehave_nth == fx->calls[cb]);
}

static NTSTATUS fx_write(PFILTER_EXTENSION ext, PLARGE_INTEGER off, PMDL m)
{
	struct dc_fx *fx = self(ext);
	NTSTATUS st = outcome(fx, CallbackDumpWrite);
	uint8_t *src = (uint8_t *)m->StartVa + m->ByteOffset;
	size_t n = m->ByteCount;
	if (n > (size_t)fx->p.max_pages * PAGE) /* the stack broke its promise: leave it alone */
		return STATUS_INVALID_PARAMETER;
	bool bad = misbehaves_now(fx, CallbackDumpWrite);
	bool replaces = bad && fx->p.misbehave >= DC_FX_IN_PLACE; /* these do the transform their own way */
	if (!replaces && fx->p.kind == DC_FX_ENCRYPT)
		redirect(fx, m, fx->buf, 0, src, n, (uint64_t)off->QuadPart);
	if (bad)
		misbehave(fx, off, m, src, n);
	return st;
}

/* Dump_Read's two ways to break its rules (filter.read.*): after the work,
 * move DiskByteOffset; or do the work the Dump_Write way, in the private
 * buffer, and repoint the MDL there (the stack does not follow it: the
 * transform is lost). */
static void misbehave_read(struct dc_fx *fx, PLARGE_INTEGER off, MDL *m, bool undo)
{
	uint8_t *src = (uint8_t *)m->StartVa + m->ByteOffset;
	size_t n = m->ByteCount;
	if (fx->p.misbehave == DC_FX_READ_OFFSET) {
		if (undo)
			keystream(fx->p.key, (uint64_t)off->QuadPart, src, n);
		off->QuadPart += PAGE;
	} else if (fx->buf && n <= fx->buf_len) {
		memcpy(fx->buf, src, n);
		if (undo)
			keystream(fx->p.key, (uint64_t)off->QuadPart, fx->buf, n);
		m->StartVa = fx->buf;
		m->MappedSystemVa = fx->buf;
		m->ByteOffset = 0;
	}
}

static NTSTATUS fx_read(PFILTER_EXTENSION ext, PLARGE_INTEGER off, PMDL m)
{
	struct dc_fx *fx = self(ext);
	NTSTATUS st = outcome(fx, CallbackDumpRead);
	bool undo = fx->p.kind == DC_FX_ENCRYPT && ((uint32_t)st >> 30) != 3u; /* an injected non-error still works */
	if (misbehaves_now(fx, CallbackDumpRead))
		misbehave_read(fx, off, m, undo);
	else if (undo)
		keystream(fx->p.key, (uint64_t)off->QuadPart, (uint8_t *)m->StartVa + m->ByteOffset,
			  m->ByteCount);
	return st;
}

NTSTATUS dc_fx_entry(void *driver, PFILTER_EXTENSION ext, PFILTER_INITIALIZATION_DATA init)
{
	struct dc_fx *fx = driver;
	(void)ext;
	memset(fx->calls, 0, sizeof(fx->calls));
	init->MajorVersion = fx->p.major;
	init->MinorVersion = fx->p.minor;
	init->Flags = fx->p.flags;
	init->MaxPagesPerWrite = fx->p.max_pages;
	init->DumpData = fx;
	init->DumpStart = fx->p.no_start ? NULL : fx_start;
	init->DumpWrite = fx->p.no_write ? NULL : fx_write;
	init->DumpFinish = fx->p.no_finish ? NULL : fx_finish;
	init->DumpUnload = fx->p.no_unload ? NULL : fx_unload;
	init->DumpRead = fx->p.dump_read ? fx_read : NULL;
	NTSTATUS st = outcome(fx, CallbackDumpInit);
	if (fx->p.max_pages > (1u << 16))
		return STATUS_INSUFFICIENT_RESOURCES; /* no buffer that large */
	if (((uint32_t)st >> 30) == 3u || fx->p.max_pages == 0)
		return st; /* nothing allocated: a stack must not call us again */
	/* any other status (a wrong informational one included) may be taken as
	 * success: be ready for the dump */
	free(fx->buf);
	fx->buf_len = ((size_t)fx->p.max_pages + 1) * PAGE;
	fx->buf = aligned_alloc(PAGE, fx->buf_len);
	if (!fx->buf)
		return STATUS_INSUFFICIENT_RESOURCES;
	fx->loaded = true;
	return st;
}

void dc_fx_driver(struct dc_fx *fx, const char *name, struct dc_filter_driver *d)
{
	d->name = name;
	d->entry = dc_fx_entry;
	d->driver = fx;
}

void dc_fx_free(struct dc_fx *fx)
{
	free(fx->buf);
	fx->buf = NULL;
	fx->loaded = false;
}
