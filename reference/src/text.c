/* UTF-16LE handling for MINIDUMP_STRING and text streams. */
#include "internal.h"

static bool is_high(uint16_t u) { return u >= 0xD800 && u < 0xDC00; }
static bool is_low(uint16_t u) { return u >= 0xDC00 && u < 0xE000; }

/* Code point at unit `i`; advances `*i` past it. */
static uint32_t next_cp(const uint8_t *src, uint64_t n, uint64_t *i, bool *bad)
{
	uint16_t u = dci_le16(src + 2 * *i);
	(*i)++;
	if (is_high(u) && *i < n && is_low(dci_le16(src + 2 * *i))) {
		uint16_t lo = dci_le16(src + 2 * *i);
		(*i)++;
		return 0x10000u + (((uint32_t)u - 0xD800u) << 10) + ((uint32_t)lo - 0xDC00u);
	}
	if (is_high(u) || is_low(u)) {
		*bad = true;
		return 0xFFFDu;
	}
	return u;
}

static size_t encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t dci_utf16_to_utf8(const uint8_t *src, uint64_t nchars, char *dst, size_t cap)
{
	size_t len = 0;
	bool bad = false;
	if (!cap)
		return 0;
	for (uint64_t i = 0; i < nchars;) {
		char buf[4];
		size_t k = encode(next_cp(src, nchars, &i, &bad), buf);
		if (len + k >= cap)
			break;
		for (size_t j = 0; j < k; j++)
			dst[len++] = buf[j];
	}
	dst[len] = '\0';
	return len;
}

bool dci_utf16_valid(const uint8_t *src, uint64_t nchars)
{
	bool bad = false;
	for (uint64_t i = 0; i < nchars && !bad;)
		next_cp(src, nchars, &i, &bad);
	return !bad;
}
