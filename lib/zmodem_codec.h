/*
 * zmodem_codec.h - private: ZMODEM as bytes, with no I/O: CRC-32, hex and
 * binary headers (CRC-16 and CRC-32), ZDLE escaping under the escape
 * modes a receiver can ask for, data subpackets, and a decoder that takes
 * the line's bytes in any slices and says when a header or a subpacket is
 * complete, damaged, or when the peer canceled (five CAN).
 *
 * The decoder is the one entry point for hostile bytes: the protocol code
 * (zmodem_send.c, zmodem_recv.c), the unit tests and the fuzz harness all
 * drive it the same way. CRC-16 is XMODEM's (hs_xm_crc16, xfer_codec.h).
 */
#ifndef HS_ZMODEM_CODEC_H
#define HS_ZMODEM_CODEC_H

#include <stddef.h>
#include <stdint.h>

enum {
	ZM_PAD = '*',     /* a header starts with one or two */
	ZM_DLE = 0x18,    /* ZDLE: the escape, and CAN */
	ZM_BIN = 'A',     /* binary header, CRC-16 */
	ZM_HEX = 'B',     /* hex header, CRC-16 */
	ZM_BIN32 = 'C',   /* binary header, CRC-32 */
	/* what follows ZDLE to end a subpacket */
	ZM_CRCE = 'h',    /* end of frame, a header follows */
	ZM_CRCG = 'i',    /* more subpackets follow, no reply */
	ZM_CRCQ = 'j',    /* more follow; answer ZACK */
	ZM_CRCW = 'k',    /* end of frame; answer ZACK */
	ZM_RUB0 = 'l',    /* an escaped 0x7f */
	ZM_RUB1 = 'm',    /* an escaped 0xff */
};

/* Frame types. */
enum {
	ZM_RQINIT, ZM_RINIT, ZM_SINIT, ZM_ACK, ZM_FILE, ZM_SKIP, ZM_NAK, ZM_ABORT,
	ZM_FIN, ZM_RPOS, ZM_DATA, ZM_EOF, ZM_FERR, ZM_CRC, ZM_CHALLENGE, ZM_COMPL,
	ZM_CAN, ZM_FREECNT, ZM_COMMAND, ZM_STDERR,
	ZM_TYPES
};

/* Header flag bytes: ZF0 is b[3] ... ZF3 is b[0]; a position is b[0..3]
 * little-endian. */
enum { ZM_F0 = 3, ZM_F1 = 2, ZM_F2 = 1, ZM_F3 = 0 };
/* ZRINIT ZF0: what the receiver can do. */
enum {
	ZM_CANFDX = 0x01, ZM_CANOVIO = 0x02, ZM_CANBRK = 0x04, ZM_CANFC32 = 0x20,
	ZM_ESCCTL = 0x40, ZM_ESC8 = 0x80,
};
/* ZSINIT ZF0: what the sender wants escaped. */
enum { ZM_TESCCTL = 0x40, ZM_TESC8 = 0x80 };
/* ZFILE ZF0: conversion; ZCRESUM continues a file partly received. */
enum { ZM_CBIN = 1, ZM_CNL = 2, ZM_CRESUM = 3 };

/* Escape modes, a mask. The minimum is always on: ZDLE; DLE, XON, XOFF
 * and their high-bit forms; CR after '@' (telenet's escape). */
enum {
	ZM_ESC_MIN = 0,
	ZM_ESC_CTL = 1,   /* every control byte, 0x00-0x1f and 0x80-0x9f */
	ZM_ESC_IAC = 2,   /* 0xff too (telnet's IAC), as ZRUB1 */
	ZM_ESC_MODES = 4, /* how many masks there are */
};

/* Longest subpacket the decoder takes by default, as the spec's. */
#define ZM_SUB_MAX 1024
/* Bytes on the line for a subpacket of n bytes at worst: each escaped,
 * ZDLE and the end, a CRC-32 escaped. */
#define ZM_SUB_LINE(n) (2 * (n) + 2 + 8)
/* The longest header on the line (a hex one with CR LF XON). */
#define ZM_HDR_LINE 32

struct zm_hdr {
	uint8_t type;
	uint8_t b[4];
};

uint32_t hs_zm_crc32(uint32_t crc, const void *buf, size_t n);
uint32_t hs_zm_pos(const struct zm_hdr *h);
struct zm_hdr hs_zm_pos_hdr(int type, uint32_t pos);
struct zm_hdr hs_zm_flags_hdr(int type, uint8_t f0, uint8_t f1, uint8_t f2, uint8_t f3);

/* Encoders: each writes into out and returns the bytes written. */
size_t hs_zm_hex_header(uint8_t *out, const struct zm_hdr *h);
size_t hs_zm_bin_header(uint8_t *out, const struct zm_hdr *h, int crc32, unsigned esc);
/* Escape n bytes; *last is the byte before (for CR after @) and is left
 * at the last byte escaped. */
size_t hs_zm_escape(uint8_t *out, const uint8_t *in, size_t n, unsigned esc, uint8_t *last);
/* A subpacket: the data escaped, ZDLE end, the CRC of both escaped. */
size_t hs_zm_subpacket(uint8_t *out, const uint8_t *data, size_t n, int end, int crc32,
		       unsigned esc);

/* What the decoder found. */
enum zm_ev {
	ZM_EV_MORE,        /* nothing complete yet: feed more */
	ZM_EV_HEADER,      /* d->hdr is a good header */
	ZM_EV_DATA,        /* d->data[0..len) is a good subpacket, d->end its end */
	ZM_EV_BAD_HEADER,  /* a header with a bad CRC or a bad digit */
	ZM_EV_BAD_DATA,    /* a subpacket with a bad CRC, bad escape or too long */
	ZM_EV_CANCEL,      /* five CAN in a row: the peer canceled */
};

struct zm_dec {
	int state;          /* private: where in a frame */
	int can;            /* CAN bytes in a row */
	int zdle;           /* the byte before was ZDLE */
	int kind;           /* header kind being read: ZM_BIN, ZM_HEX, ZM_BIN32 */
	int crc32;          /* the last header's check (CRC-32 or 16): its data's */
	int tail;           /* a hex header's CR LF may come before the data */
	uint8_t raw[16];    /* header bytes (decoded) */
	size_t nraw;
	uint8_t *data;      /* the caller's buffer, max bytes */
	size_t max;
	size_t len;
	int end;            /* the subpacket's end: ZM_CRCE .. ZM_CRCW */
	uint8_t crc[4];
	size_t ncrc;
	const char *why;    /* what was wrong, for BAD_* events */
	struct zm_hdr hdr;  /* the last good header */
	unsigned long garbage; /* bytes outside any frame, counted */
};

/* A decoder hunting for a header; subpackets go into buf (max bytes). */
void hs_zm_dec_init(struct zm_dec *d, uint8_t *buf, size_t max);
/* After a header that data follows (ZFILE, ZDATA, ZSINIT...): read a
 * subpacket next, with the header's check. */
void hs_zm_dec_data(struct zm_dec *d);
/* Drop any frame half read: hunt for a header. */
void hs_zm_dec_hunt(struct zm_dec *d);
/* Feed up to n bytes; returns how many were used (the rest belong to
 * after the event) and the event in *ev. */
size_t hs_zm_dec_feed(struct zm_dec *d, const uint8_t *in, size_t n, enum zm_ev *ev);

const char *hs_zm_type_name(int type);

#endif
