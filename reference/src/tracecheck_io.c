/* cb.cross.io_bytes_match_dump: under I/O redirection the IoWriteAll
 * writes must rebuild the dump file. A write's bytes can only be compared
 * (by digest) when no later write overwrote part of them; "later" is found
 * by painting the writes last to first over the compressed offsets with a
 * next-unpainted-segment union-find, O(n log n) for any number of writes. */
#include <stdlib.h>
#include <string.h>

#include "dumpcheck/trace.h"
#include "tracecheck_int.h"

struct wr {
	uint64_t lo, hi; /* [Offset, Offset + BufferBytes) */
	const struct dc_trace_call *call;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Index of `v` in sorted unique `pts` (it is there). */
static size_t point(const uint64_t *pts, size_t n, uint64_t v)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (pts[mid] < v)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* Next unpainted segment at or after `s` (path halving). */
static size_t next_free(size_t *up, size_t s)
{
	while (up[s] != s) {
		up[s] = up[up[s]];
		s = up[s];
	}
	return s;
}

static void check_write(struct dci_tc *c, const struct wr *w, const uint8_t *dump, uint64_t size)
{
	unsigned long long off = (unsigned long long)w->lo;
	if (w->hi > size)
		dci_tc_dump(c, DC_RULE_CB_CROSS_IO_BYTES_MATCH_DUMP, w->lo,
			    "write of trace line %u ends at 0x%llx, past the dump's 0x%llx bytes",
			    w->call->line, (unsigned long long)w->hi, (unsigned long long)size);
	else if (!w->call->digest_set || dc_trace_digest(dump + w->lo, w->hi - w->lo) != w->call->digest)
		dci_tc_dump(c, DC_RULE_CB_CROSS_IO_BYTES_MATCH_DUMP, w->lo,
			    "bytes at 0x%llx differ from the write of trace line %u", off,
			    w->call->line);
}

/* Paint the writes last to first; a write that finds every one of its
 * segments unpainted was not overwritten later and is compared. */
static enum dc_err compare(struct dci_tc *c, const struct wr *w, size_t n, const uint8_t *dump,
			   uint64_t size)
{
	uint64_t *pts = malloc((2 * n + 1) * sizeof(*pts));
	size_t *up = malloc((2 * n + 1) * sizeof(*up));
	size_t np = 0, k = 0;
	if (!pts || !up) {
		free(pts);
		free(up);
		return DC_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		pts[np++] = w[i].lo;
		pts[np++] = w[i].hi;
	}
	qsort(pts, np, sizeof(*pts), u64_cmp);
	for (size_t i = 0; i < np; i++)
		if (i == 0 || pts[i] != pts[k - 1])
			pts[k++] = pts[i];
	for (size_t i = 0; i <= k; i++)
		up[i] = i;
	for (size_t i = n; i-- > 0;) {
		size_t a = point(pts, k, w[i].lo), b = point(pts, k, w[i].hi), fresh = 0;
		for (size_t s = next_free(up, a); s < b; s = next_free(up, s)) {
			up[s] = s + 1;
			fresh++;
		}
		if (fresh == b - a)
			check_write(c, &w[i], dump, size);
	}
	free(pts);
	free(up);
	return DC_OK;
}

static int wr_cmp(const void *a, const void *b)
{
	const struct wr *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The first non-zero byte of dump[lo, hi), or hi. */
static uint64_t nonzero(const uint8_t *dump, uint64_t lo, uint64_t hi)
{
	while (lo < hi && dump[lo] == 0)
		lo++;
	return lo;
}

/* Every byte of the dump that no write delivered must be zero: a receiver
 * that fills the gaps (alignment padding) with zeros, as a file system
 * does, then rebuilds the file. Reports the first byte that breaks this. */
static enum dc_err coverage(struct dci_tc *c, const struct wr *w, size_t n, const uint8_t *dump,
			    uint64_t size)
{
	struct wr *s = malloc((n + 1) * sizeof(*s));
	if (!s)
		return DC_E_NOMEM;
	memcpy(s, w, n * sizeof(*s));
	qsort(s, n, sizeof(*s), wr_cmp);
	uint64_t done = 0, bad = size;
	for (size_t i = 0; i <= n && done < size && bad == size; i++) {
		uint64_t next = i < n && s[i].lo < size ? s[i].lo : size;
		if (next > done && nonzero(dump, done, next) < next)
			bad = nonzero(dump, done, next);
		if (i < n && s[i].hi > done)
			done = s[i].hi;
	}
	if (bad < size)
		dci_tc_dump(c, DC_RULE_CB_CROSS_IO_BYTES_MATCH_DUMP, bad,
			    "byte 0x%llx of the dump is not zero and was never handed to "
			    "IoWriteAllCallback",
			    (unsigned long long)bad);
	free(s);
	return DC_OK;
}

void dci_tc_io_bytes(struct dci_tc *c, const uint8_t *dump, uint64_t size)
{
	const struct dc_trace *t = c->t;
	struct wr *w = malloc((t->ncalls + 1) * sizeof(*w));
	size_t n = 0;
	if (!w) {
		c->err = DC_E_NOMEM;
		return;
	}
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct dc_trace_call *k = &t->calls[i];
		uint64_t hi;
		if (k->type != DC_IoWriteAllCallback || !k->returned || k->out_out.status != 0 ||
		    k->bytes == 0)
			continue;
		w[n++] = (struct wr){ k->offset, dci_add(k->offset, k->bytes, &hi) ? hi : UINT64_MAX,
				      k };
	}
	enum dc_err r = compare(c, w, n, dump, size);
	if (r == DC_OK)
		r = coverage(c, w, n, dump, size);
	if (r != DC_OK)
		c->err = r;
	free(w);
}
