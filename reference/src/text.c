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

size_t dci_utf8_encode(uint32_t cp, char out[4])
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
		size_t k = dci_utf8_encode(next_cp(src, nchars, &i, &bad), buf);
		if (len + k >= cap)
			break;
		for (size_t j = 0; j < k; j++)
			dst[len++] = buf[j];
	}
	dst[len] = '\0';
	return len;
}

uint64_t dci_utf16_utf8_size(const uint8_t *src, uint64_t nchars)
{
	uint64_t n = 0;
	bool bad = false;
	for (uint64_t i = 0; i < nchars;) {
		uint32_t cp = next_cp(src, nchars, &i, &bad);
		n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	}
	return n;
}

/* Only a surrogate (D800-DFFF) can make UTF-16 invalid: one test per unit
 * outside that range, which is nearly every unit of every string. */
bool dci_utf16_valid(const uint8_t *src, uint64_t nchars)
{
	for (uint64_t i = 0; i < nchars; i++) {
		uint16_t u = dci_le16(src + 2 * i);
		if ((u & 0xF800u) != 0xD800u)
			continue;
		if (!is_high(u) || i + 1 == nchars || !is_low(dci_le16(src + 2 * (i + 1))))
			return false;
		i++; /* the pair's low half */
	}
	return true;
}

/* Length of the UTF-8 sequence starting with byte `c`, 0 if invalid. */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3
	       : c >= 0xF0 && c < 0xF5 ? 4 : 0;
}

/* Decode one code point at s[*i]; U+FFFD (consuming one byte) if invalid. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = utf8_len(s[*i]);
	if (!n || *i + n > len) {
		(*i)++;
		return 0xFFFDu;
	}
	uint32_t cp = n == 1 ? s[*i] : s[*i] & (0x7Fu >> n);
	for (size_t k = 1; k < n; k++) {
		if ((s[*i + k] & 0xC0) != 0x80) {
			(*i)++;
			return 0xFFFDu;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3Fu);
	}
	*i += n;
	if (cp < min[n] || cp > 0x10FFFFu || (cp >= 0xD800 && cp < 0xE000))
		return 0xFFFDu;
	return cp;
}

size_t dci_utf8_to_utf16(const char *s, size_t len, uint8_t *dst)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t units = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = utf8_next(u, len, &i);
		if (cp >= 0x10000u) {
			cp -= 0x10000u;
			dst[2 * units] = (uint8_t)(0xD800u + (cp >> 10));
			dst[2 * units + 1] = (uint8_t)((0xD800u + (cp >> 10)) >> 8);
			units++;
			cp = 0xDC00u + (cp & 0x3FFu);
		}
		dst[2 * units] = (uint8_t)cp;
		dst[2 * units + 1] = (uint8_t)(cp >> 8);
		units++;
	}
	return units;
}
