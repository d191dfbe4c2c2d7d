/*
 * xfer_codec.c - XMODEM/YMODEM blocks as bytes: checks, frames, sequence
 * numbers and YMODEM's block 0. No I/O (see xfer_codec.h).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "xfer_codec.h"

/* The CRC of each byte value, so a block costs a lookup a byte: what a
 * sender does between an ACK and the next block is on the line's time. */
static uint16_t crc_table[256];

static void crc_table_fill(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint16_t crc = (uint16_t)(b << 8);
		for (int i = 0; i < 8; i++)
			crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
		crc_table[b] = crc;
	}
}

uint16_t hs_xm_crc16(uint16_t crc, const void *buf, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const uint8_t *p = buf;

	pthread_once(&once, crc_table_fill);
	while (n--)
		crc = (uint16_t)(crc << 8 ^ crc_table[(crc >> 8 ^ *p++) & 0xff]);
	return crc;
}

uint8_t hs_xm_checksum(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	unsigned sum = 0;

	while (n--)
		sum += *p++;
	return (uint8_t)sum;
}

size_t hs_xm_frame_len(size_t size, int crc)
{
	return 3 + size + (crc ? 2 : 1);
}

size_t hs_xm_block_build(uint8_t *out, unsigned seq, const void *data, size_t len,
			 size_t size, int crc, uint8_t pad)
{
	uint8_t *body = out + 3;

	if (len > size)
		len = size;
	out[0] = size == 1024 ? XM_STX : XM_SOH;
	out[1] = (uint8_t)seq;
	out[2] = (uint8_t)~seq;
	if (len)
		memcpy(body, data, len);
	memset(body + len, pad, size - len);
	if (crc) {
		uint16_t c = hs_xm_crc16(0, body, size);
		body[size] = (uint8_t)(c >> 8);
		body[size + 1] = (uint8_t)c;
	} else {
		body[size] = hs_xm_checksum(body, size);
	}
	return hs_xm_frame_len(size, crc);
}

enum hs_xm_parse hs_xm_block_parse(const uint8_t *frame, size_t n, int crc,
				   unsigned *seq, const uint8_t **data, size_t *size)
{
	size_t sz, want;

	if (n < 1 || (frame[0] != XM_SOH && frame[0] != XM_STX))
		return HS_XM_BAD_HEADER;
	sz = frame[0] == XM_STX ? 1024 : 128;
	want = hs_xm_frame_len(sz, crc);
	if (n < want)
		return HS_XM_SHORT;
	if (n > want)
		return HS_XM_LONG;
	if ((uint8_t)(frame[1] ^ frame[2]) != 0xff)
		return HS_XM_BAD_COMPLEMENT;
	if (crc) {
		/* the CRC over data and CRC together is 0 when both agree */
		if (hs_xm_crc16(0, frame + 3, sz + 2) != 0)
			return HS_XM_BAD_CHECK;
	} else if (hs_xm_checksum(frame + 3, sz) != frame[3 + sz]) {
		return HS_XM_BAD_CHECK;
	}
	*seq = frame[1];
	*data = frame + 3;
	*size = sz;
	return HS_XM_OK;
}

const char *hs_xm_parse_text(enum hs_xm_parse r)
{
	switch (r) {
	case HS_XM_OK:
		return "a good block";
	case HS_XM_SHORT:
		return "a block cut short";
	case HS_XM_LONG:
		return "a block too long";
	case HS_XM_BAD_HEADER:
		return "no block start (SOH or STX)";
	case HS_XM_BAD_COMPLEMENT:
		return "a garbled block number";
	case HS_XM_BAD_CHECK:
		return "a bad CRC or checksum";
	}
	return "?";
}

enum hs_xm_seq hs_xm_seq_check(unsigned got, unsigned expected)
{
	got &= 0xff;
	expected &= 0xff;
	if (got == expected)
		return HS_XM_SEQ_NEXT;
	if (got == ((expected + 255) & 0xff))
		return HS_XM_SEQ_DUP;
	return HS_XM_SEQ_WRONG;
}

/* Length of the UTF-8 sequence at p (at most n bytes) and its code
 * point; 0 when it is not well-formed UTF-8. */
static size_t utf8_char(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, min = 0x80, *cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, min = 0x800, *cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, min = 0x10000, *cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (p[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

int hs_ym_name_check(const char *name, size_t len, const char **why)
{
	const unsigned char *p = (const unsigned char *)name;

	if (len == 0)
		return *why = "it is empty", HS_ERR_BAD_NAME;
	if (len > HS_XFER_NAME_MAX)
		return *why = "it is longer than 255 bytes", HS_ERR_BAD_NAME;
	if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
		return *why = "it names a folder (. or ..)", HS_ERR_BAD_NAME;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_char(p + i, len - i, &cp);

		if (k == 0)
			return *why = "it is not UTF-8", HS_ERR_BAD_NAME;
		if (cp == '/' || cp == '\\')
			return *why = "it has a path separator", HS_ERR_BAD_NAME;
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			return *why = "it has a control character", HS_ERR_BAD_NAME;
		i += k;
	}
	return HS_OK;
}

/* A whole number in base at *p (bounded by end), then skip one space.
 * Returns 1 and sets *out, or 0 leaving *out alone. */
static int number(const char **p, const char *end, int base, int64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	while (s < end && *s == ' ')
		s++;
	for (; s < end && *s >= '0' && *s < '0' + base; s++, digits++) {
		if (v > (uint64_t)INT64_MAX / (uint64_t)base)
			return 0;
		v = v * (uint64_t)base + (uint64_t)(*s - '0');
		if (v > (uint64_t)INT64_MAX)
			return 0;
	}
	if (!digits || (s < end && *s != ' ' && *s != 0))
		return 0;
	*p = s;
	*out = (int64_t)v;
	return 1;
}

int hs_ym_header_parse(const uint8_t *data, size_t n, struct hs_ym_header *h,
		       const char **why)
{
	const char *s = (const char *)data, *end, *nul;
	size_t len;
	int64_t v;

	memset(h, 0, sizeof(*h));
	h->size = h->mtime = -1;
	*why = "";
	if (n == 0 || data[0] == 0) {
		h->empty = 1;
		return HS_OK;
	}
	if (!(nul = memchr(s, 0, n))) {
		*why = "the name in block 0 has no end";
		return HS_ERR_PROTOCOL;
	}
	len = (size_t)(nul - s);
	memcpy(h->name, s, len < sizeof(h->name) ? len : sizeof(h->name) - 1);
	/* the numbers end at the next NUL (the padding) */
	s = nul + 1;
	end = memchr(s, 0, n - len - 1);
	if (!end)
		end = (const char *)data + n;
	if (number(&s, end, 10, &v))
		h->size = v;
	if (h->size >= 0 && number(&s, end, 8, &v))
		h->mtime = v;
	if (h->mtime >= 0 && number(&s, end, 8, &v) && v <= 0xffffff)
		h->mode = (unsigned)v;
	return hs_ym_name_check((const char *)data, len, why);
}

size_t hs_ym_header_build(uint8_t *out, const char *name, int64_t size,
			  int64_t mtime, unsigned mode)
{
	size_t len = name ? strlen(name) : 0, used;
	char nums[64] = "";
	int k = 0;

	memset(out, 0, 1024);
	if (len == 0)
		return 128;
	if (size >= 0) {
		k = snprintf(nums, sizeof(nums), "%" PRId64, size);
		if (mtime >= 0) {
			k += snprintf(nums + k, sizeof(nums) - (size_t)k, " %" PRIo64, mtime);
			if (mode)
				k += snprintf(nums + k, sizeof(nums) - (size_t)k, " %o", mode);
		}
	}
	used = len + 1 + (size_t)k + 1;
	if (used > 1024)
		return 0;
	memcpy(out, name, len);
	memcpy(out + len + 1, nums, (size_t)k);
	return used <= 128 ? 128 : 1024;
}
