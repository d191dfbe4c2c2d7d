/*
 * zmodem_codec.c - ZMODEM frames as bytes: CRC-32, headers, ZDLE
 * escaping, subpackets, and the decoder (see zmodem_codec.h). No I/O.
 */
#include <pthread.h>
#include <string.h>

#include "xfer_codec.h"
#include "zmodem_codec.h"

enum { XON = 0x11, XOFF = 0x13 };

/* Decoder states. */
enum {
	S_HUNT,      /* between frames: looking for ZPAD */
	S_PAD,       /* after ZPAD: more ZPAD, or ZDLE */
	S_PADDLE,    /* after ZPAD ZDLE: the header kind */
	S_HEX,       /* a hex header's digits */
	S_HEXTAIL,   /* its CR LF, skipped */
	S_BIN,       /* a binary header's bytes */
	S_DATA,      /* a subpacket's data */
	S_DATACRC,   /* its CRC */
	S_NEXT,      /* a subpacket was handed over; another follows */
};

static uint32_t crc32_table[256];
/* Per escape mode, per byte: 1 always escape, 2 escape after '@'. */
static uint8_t esc_table[ZM_ESC_MODES][256];

static void tables_fill(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t c = b;
		for (int i = 0; i < 8; i++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc32_table[b] = c;
	}
	for (unsigned m = 0; m < ZM_ESC_MODES; m++) {
		for (unsigned b = 0; b < 256; b++) {
			unsigned low = b & 0x7f;
			uint8_t e = 0;
			/* ZDLE, and DLE, XON, XOFF in both forms; not ZDLE's
			 * high-bit form, which nothing takes for anything (as
			 * lrzsz: a byte in 256 less on the line) */
			if (b == ZM_DLE || low == 0x10 || low == XON || low == XOFF)
				e = 1;
			else if (low == '\r')
				e = 2;
			if ((m & ZM_ESC_CTL) && low < 0x20)
				e = 1;
			if ((m & ZM_ESC_IAC) && b == 0xff)
				e = 1;
			esc_table[m][b] = e;
		}
	}
}

static void tables(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, tables_fill);
}

uint32_t hs_zm_crc32(uint32_t crc, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	tables();
	crc = ~crc;
	while (n--)
		crc = crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t hs_zm_pos(const struct zm_hdr *h)
{
	return (uint32_t)h->b[0] | (uint32_t)h->b[1] << 8 | (uint32_t)h->b[2] << 16 |
	       (uint32_t)h->b[3] << 24;
}

struct zm_hdr hs_zm_pos_hdr(int type, uint32_t pos)
{
	return (struct zm_hdr){ (uint8_t)type, { (uint8_t)pos, (uint8_t)(pos >> 8),
						 (uint8_t)(pos >> 16), (uint8_t)(pos >> 24) } };
}

struct zm_hdr hs_zm_flags_hdr(int type, uint8_t f0, uint8_t f1, uint8_t f2, uint8_t f3)
{
	struct zm_hdr h = { (uint8_t)type, { 0 } };

	h.b[ZM_F0] = f0;
	h.b[ZM_F1] = f1;
	h.b[ZM_F2] = f2;
	h.b[ZM_F3] = f3;
	return h;
}

static size_t hex2(uint8_t *out, uint8_t v)
{
	static const char digits[] = "0123456789abcdef";
	out[0] = (uint8_t)digits[v >> 4];
	out[1] = (uint8_t)digits[v & 15];
	return 2;
}

size_t hs_zm_hex_header(uint8_t *out, const struct zm_hdr *h)
{
	uint8_t raw[5] = { h->type, h->b[0], h->b[1], h->b[2], h->b[3] };
	uint16_t crc = hs_xm_crc16(0, raw, sizeof(raw));
	size_t k = 0;

	out[k++] = ZM_PAD;
	out[k++] = ZM_PAD;
	out[k++] = ZM_DLE;
	out[k++] = ZM_HEX;
	for (int i = 0; i < 5; i++)
		k += hex2(out + k, raw[i]);
	k += hex2(out + k, (uint8_t)(crc >> 8));
	k += hex2(out + k, (uint8_t)crc);
	out[k++] = '\r';
	out[k++] = 0x8a;
	/* XON restarts a sender a line noise XOFF stopped; not after the
	 * last words (ZFIN, ZACK), which a terminal would then show */
	if (h->type != ZM_FIN && h->type != ZM_ACK)
		out[k++] = XON;
	return k;
}

size_t hs_zm_escape(uint8_t *out, const uint8_t *in, size_t n, unsigned esc, uint8_t *last)
{
	const uint8_t *t;
	uint8_t prev = *last;
	size_t k = 0;

	tables();
	t = esc_table[esc & (ZM_ESC_MODES - 1)];
	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];
		uint8_t e = t[c];

		if (e == 2)
			e = (prev & 0x7f) == '@';
		if (!e) {
			out[k++] = c;
		} else {
			out[k++] = ZM_DLE;
			out[k++] = c == 0xff ? ZM_RUB1 : c == 0x7f ? ZM_RUB0 : (uint8_t)(c ^ 0x40);
		}
		prev = c;
	}
	*last = prev;
	return k;
}

size_t hs_zm_bin_header(uint8_t *out, const struct zm_hdr *h, int crc32, unsigned esc)
{
	uint8_t raw[9] = { h->type, h->b[0], h->b[1], h->b[2], h->b[3] }, last = 0;
	size_t n = 5, k = 0;

	out[k++] = ZM_PAD;
	out[k++] = ZM_DLE;
	out[k++] = crc32 ? ZM_BIN32 : ZM_BIN;
	if (crc32) {
		uint32_t c = hs_zm_crc32(0, raw, 5);
		for (int i = 0; i < 4; i++)
			raw[n++] = (uint8_t)(c >> (8 * i));
	} else {
		uint16_t c = hs_xm_crc16(0, raw, 5);
		raw[n++] = (uint8_t)(c >> 8);
		raw[n++] = (uint8_t)c;
	}
	return k + hs_zm_escape(out + k, raw, n, esc, &last);
}

size_t hs_zm_subpacket(uint8_t *out, const uint8_t *data, size_t n, int end, int crc32,
		       unsigned esc)
{
	uint8_t tail[4], last = 0, e = (uint8_t)end;
	size_t k = hs_zm_escape(out, data, n, esc, &last), nt = 0;

	out[k++] = ZM_DLE;
	out[k++] = e;
	if (crc32) {
		/* the CRC covers the end byte too */
		uint32_t c = hs_zm_crc32(hs_zm_crc32(0, data, n), &e, 1);
		for (int i = 0; i < 4; i++)
			tail[nt++] = (uint8_t)(c >> (8 * i));
	} else {
		uint16_t c = hs_xm_crc16(hs_xm_crc16(0, data, n), &e, 1);
		tail[nt++] = (uint8_t)(c >> 8);
		tail[nt++] = (uint8_t)c;
	}
	last = e;
	return k + hs_zm_escape(out + k, tail, nt, esc, &last);
}

void hs_zm_dec_init(struct zm_dec *d, uint8_t *buf, size_t max)
{
	memset(d, 0, sizeof(*d));
	d->data = buf;
	d->max = max;
	d->why = "";
}

void hs_zm_dec_hunt(struct zm_dec *d)
{
	d->state = S_HUNT;
	d->zdle = 0;
}

void hs_zm_dec_data(struct zm_dec *d)
{
	/* a hex header's CR LF come before its data */
	d->tail = d->state == S_HEXTAIL;
	d->state = S_DATA;
	d->zdle = 0;
	d->len = 0;
	d->ncrc = 0;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The flow-control bytes a sender always escapes: raw, they are the
 * line's, not the frame's. */
static int flow_byte(uint8_t c)
{
	return (c & 0x7f) == XON || (c & 0x7f) == XOFF;
}

static enum zm_ev bad(struct zm_dec *d, enum zm_ev ev, const char *why)
{
	d->why = why;
	d->state = S_HUNT;
	d->zdle = 0;
	return ev;
}

static enum zm_ev header_done(struct zm_dec *d)
{
	size_t nc = d->kind == ZM_BIN32 ? 4 : 2;

	if (d->kind == ZM_BIN32) {
		uint32_t c = hs_zm_crc32(0, d->raw, 5);
		uint32_t got = (uint32_t)d->raw[5] | (uint32_t)d->raw[6] << 8 |
			       (uint32_t)d->raw[7] << 16 | (uint32_t)d->raw[8] << 24;
		if (c != got)
			return bad(d, ZM_EV_BAD_HEADER, "a header with a bad CRC-32");
	} else if (hs_xm_crc16(0, d->raw, 5 + nc) != 0) {
		return bad(d, ZM_EV_BAD_HEADER, "a header with a bad CRC-16");
	}
	d->hdr.type = d->raw[0];
	memcpy(d->hdr.b, d->raw + 1, 4);
	/* the data after a header has the header's check */
	d->crc32 = d->kind == ZM_BIN32;
	d->state = d->kind == ZM_HEX ? S_HEXTAIL : S_HUNT;
	d->nraw = 0;
	return ZM_EV_HEADER;
}

static enum zm_ev data_done(struct zm_dec *d)
{
	uint8_t e = (uint8_t)d->end;

	if (d->crc32) {
		uint32_t c = hs_zm_crc32(hs_zm_crc32(0, d->data, d->len), &e, 1);
		uint32_t got = (uint32_t)d->crc[0] | (uint32_t)d->crc[1] << 8 |
			       (uint32_t)d->crc[2] << 16 | (uint32_t)d->crc[3] << 24;
		if (c != got)
			return bad(d, ZM_EV_BAD_DATA, "a subpacket with a bad CRC-32");
	} else {
		uint16_t c = hs_xm_crc16(hs_xm_crc16(0, d->data, d->len), &e, 1);
		if (c != ((uint16_t)d->crc[0] << 8 | d->crc[1]))
			return bad(d, ZM_EV_BAD_DATA, "a subpacket with a bad CRC-16");
	}
	/* the caller reads this one before it feeds the next */
	d->state = d->end == ZM_CRCG || d->end == ZM_CRCQ ? S_NEXT : S_HUNT;
	d->ncrc = 0;
	return ZM_EV_DATA;
}

/* The byte after ZDLE, unescaped: 0..255, or -1 for a frame end (in
 * *end), -2 for no escape at all. */
static int unescape(uint8_t c, int *end)
{
	if (c >= ZM_CRCE && c <= ZM_CRCW) {
		*end = c;
		return -1;
	}
	if (c == ZM_RUB0)
		return 0x7f;
	if (c == ZM_RUB1)
		return 0xff;
	if ((c & 0x60) == 0x40)
		return c ^ 0x40;
	return -2;
}

/* ZDLE as binary headers and data share it: 0 when c was taken (ZDLE,
 * a raw flow byte, a run of CAN); else 1 and *v the byte, or -1 for a
 * frame end (in *end), -2 for a bad escape. */
static int unescaped(struct zm_dec *d, uint8_t c, int *v, int *end)
{
	if (!d->zdle && c == ZM_DLE) {
		d->zdle = 1;
		return 0;
	}
	if (!d->zdle && flow_byte(c))
		return 0;
	if (!d->zdle) {
		*v = c;
		return 1;
	}
	if (c == ZM_DLE)
		return 0;
	d->zdle = 0;
	*v = unescape(c, end);
	return 1;
}

static enum zm_ev step(struct zm_dec *d, uint8_t c)
{
	int v, end = 0;

	switch (d->state) {
	case S_HEXTAIL:
		if (c == '\r' || c == 0x8d)
			return ZM_EV_MORE;
		d->state = S_HUNT;
		if (c == '\n' || c == 0x8a)
			return ZM_EV_MORE;
		/* it belongs to what comes next */
		__attribute__((fallthrough));
	case S_HUNT:
		if (c == ZM_PAD)
			d->state = S_PAD;
		else if (c != ZM_DLE && !flow_byte(c) && c != '\r' && c != '\n' && c != 0x8a)
			d->garbage++;
		return ZM_EV_MORE;
	case S_PAD:
		if (c == ZM_DLE)
			d->state = S_PADDLE;
		else if (c != ZM_PAD)
			d->state = S_HUNT, d->garbage++;
		return ZM_EV_MORE;
	case S_PADDLE:
		d->nraw = 0;
		d->zdle = 0;
		if (c == ZM_HEX || c == ZM_BIN || c == ZM_BIN32) {
			d->kind = c;
			d->state = c == ZM_HEX ? S_HEX : S_BIN;
		} else if (c != ZM_DLE) {
			d->state = S_HUNT;
			d->garbage++;
		}
		return ZM_EV_MORE;
	case S_HEX:
		/* CAN is counted (five cancel); no hex header holds one */
		if (flow_byte(c) || c == ZM_DLE)
			return ZM_EV_MORE;
		if ((v = hexval(c)) < 0)
			return bad(d, ZM_EV_BAD_HEADER, "a hex header with a byte that is no hex digit");
		/* two digits a byte: the first is kept in the high nibble */
		if (d->zdle == 0) {
			d->raw[d->nraw] = (uint8_t)(v << 4);
			d->zdle = 1;
			return ZM_EV_MORE;
		}
		d->raw[d->nraw++] |= (uint8_t)v;
		d->zdle = 0;
		return d->nraw == 7 ? header_done(d) : ZM_EV_MORE;
	case S_BIN:
		if (!unescaped(d, c, &v, &end))
			return ZM_EV_MORE;
		if (v < 0)
			return bad(d, ZM_EV_BAD_HEADER, "a binary header with a bad escape");
		d->raw[d->nraw++] = (uint8_t)v;
		return d->nraw == (d->kind == ZM_BIN32 ? 9u : 7u) ? header_done(d) : ZM_EV_MORE;
	case S_DATA:
	case S_DATACRC:
		if (d->tail && (c == '\r' || c == 0x8d || c == '\n' || c == 0x8a))
			return ZM_EV_MORE;
		d->tail = 0;
		if (!unescaped(d, c, &v, &end))
			return ZM_EV_MORE;
		if (v == -2)
			return bad(d, ZM_EV_BAD_DATA, "a subpacket with a bad escape");
		if (v == -1) {
			if (d->state == S_DATACRC)
				return bad(d, ZM_EV_BAD_DATA, "a subpacket ended twice");
			d->end = end;
			d->state = S_DATACRC;
			d->ncrc = 0;
			return ZM_EV_MORE;
		}
		c = (uint8_t)v;
		if (d->state == S_DATACRC) {
			d->crc[d->ncrc++] = c;
			return d->ncrc == (d->crc32 ? 4u : 2u) ? data_done(d) : ZM_EV_MORE;
		}
		if (d->len == d->max)
			return bad(d, ZM_EV_BAD_DATA, "a subpacket longer than the receiver takes");
		d->data[d->len++] = c;
		return ZM_EV_MORE;
	}
	return ZM_EV_MORE;
}

size_t hs_zm_dec_feed(struct zm_dec *d, const uint8_t *in, size_t n, enum zm_ev *ev)
{
	size_t i = 0;

	*ev = ZM_EV_MORE;
	/* the bulk of a subpacket: plain bytes copied straight through */
	while (i < n) {
		uint8_t c = in[i++];

		if (d->state == S_NEXT)
			hs_zm_dec_data(d);
		if (c == ZM_DLE) {
			if (++d->can >= 5) {
				d->can = 0;
				hs_zm_dec_hunt(d);
				*ev = ZM_EV_CANCEL;
				return i;
			}
		} else {
			d->can = 0;
			if (d->state == S_DATA && !d->zdle && !d->tail && !flow_byte(c) &&
			    d->len < d->max) {
				d->data[d->len++] = c;
				continue;
			}
		}
		if ((*ev = step(d, c)) != ZM_EV_MORE)
			return i;
	}
	return i;
}

const char *hs_zm_type_name(int type)
{
	static const char *const names[ZM_TYPES] = {
		"ZRQINIT", "ZRINIT", "ZSINIT", "ZACK", "ZFILE", "ZSKIP", "ZNAK", "ZABORT",
		"ZFIN", "ZRPOS", "ZDATA", "ZEOF", "ZFERR", "ZCRC", "ZCHALLENGE", "ZCOMPL",
		"ZCAN", "ZFREECNT", "ZCOMMAND", "ZSTDERR",
	};
	return type >= 0 && type < ZM_TYPES ? names[type] : "an unknown header";
}
