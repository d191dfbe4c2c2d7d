/*
 * xfer_codec.h - private: XMODEM/YMODEM blocks as bytes, with no I/O:
 * CRC-16/XMODEM and the 8-bit checksum, building and parsing a block,
 * telling a block's sequence number apart, and YMODEM's block 0 (file
 * name, length, mtime, mode) with the checks on an untrusted name.
 *
 * Everything here works on buffers the caller owns, so the unit tests and
 * a fuzz harness can drive it directly: hs_xm_block_parse() and
 * hs_ym_header_parse() are the entry points for hostile bytes.
 */
#ifndef HS_XFER_CODEC_H
#define HS_XFER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "handshake/xfer.h"

enum {
	XM_SOH = 0x01,  /* a 128-byte block follows */
	XM_STX = 0x02,  /* a 1024-byte block follows */
	XM_EOT = 0x04,  /* end of file */
	XM_ACK = 0x06,
	XM_BS = 0x08,
	XM_NAK = 0x15,  /* resend; at the start: send with a checksum */
	XM_CAN = 0x18,  /* two in a row cancel */
	XM_SUB = 0x1a,  /* XMODEM's padding (CP/M end of file) */
	XM_C = 'C',     /* start, with CRC-16 */
	XM_G = 'G',     /* start YMODEM-g: no ACKs */
};

/* The longest frame: STX, seq, ~seq, 1024 bytes, CRC-16. */
#define XM_FRAME_MAX (3 + 1024 + 2)

/* CRC-16/XMODEM (poly 0x1021, init 0) of n bytes, continuing from crc. */
uint16_t hs_xm_crc16(uint16_t crc, const void *buf, size_t n);
/* The 8-bit sum of n bytes. */
uint8_t hs_xm_checksum(const void *buf, size_t n);

/* Bytes on the line for a block of size (128 or 1024) bytes. */
size_t hs_xm_frame_len(size_t size, int crc);

/* Build the frame for block seq (mod 256) carrying len bytes of data,
 * padded with pad up to size (128 or 1024), into out (XM_FRAME_MAX).
 * Returns the frame's length. */
size_t hs_xm_block_build(uint8_t *out, unsigned seq, const void *data, size_t len,
			 size_t size, int crc, uint8_t pad);

enum hs_xm_parse {
	HS_XM_OK,
	HS_XM_SHORT,           /* fewer bytes than the header promises */
	HS_XM_LONG,            /* more bytes than a frame holds */
	HS_XM_BAD_HEADER,      /* not SOH or STX */
	HS_XM_BAD_COMPLEMENT,  /* seq and its complement disagree */
	HS_XM_BAD_CHECK,       /* CRC or checksum wrong */
};

/* One received frame of n bytes, header byte first. On HS_XM_OK *seq is
 * its number and *data, *size its payload (inside frame). */
enum hs_xm_parse hs_xm_block_parse(const uint8_t *frame, size_t n, int crc,
				   unsigned *seq, const uint8_t **data, size_t *size);
const char *hs_xm_parse_text(enum hs_xm_parse r);

enum hs_xm_seq {
	HS_XM_SEQ_NEXT,   /* the one expected */
	HS_XM_SEQ_DUP,    /* the one before: our ACK was lost */
	HS_XM_SEQ_WRONG,  /* anything else: the transfer is lost */
};
enum hs_xm_seq hs_xm_seq_check(unsigned got, unsigned expected);

/* YMODEM block 0. An empty name ends the batch. */
struct hs_ym_header {
	char name[HS_XFER_NAME_MAX + 1]; /* raw, NUL-terminated, cut to fit */
	int empty;        /* 1: the end-of-batch block */
	int64_t size;     /* -1 when not given */
	int64_t mtime;    /* -1 when not given */
	unsigned mode;    /* 0 when not given */
};

/* Parse block 0's n payload bytes. Returns HS_OK; HS_ERR_PROTOCOL when
 * the name has no NUL in the block; HS_ERR_BAD_NAME when the name is
 * unsafe (h->name still holds it, cut to fit, for the report), with the
 * reason in *why. Numbers that do not parse are left unknown. */
int hs_ym_header_parse(const uint8_t *data, size_t n, struct hs_ym_header *h,
		       const char **why);

/* Is a received name safe to create in a folder? HS_OK, else
 * HS_ERR_BAD_NAME and the reason in *why. */
int hs_ym_name_check(const char *name, size_t len, const char **why);

/* Block 0's payload for a file (name NULL or "" for the end of batch)
 * into out (1024 bytes, zero-filled); returns the block size it needs,
 * 128 or 1024, or 0 when the name does not fit. size < 0, mtime < 0 and
 * mode 0 are left out, with what follows them. */
size_t hs_ym_header_build(uint8_t *out, const char *name, int64_t size,
			  int64_t mtime, unsigned mode);

#endif
