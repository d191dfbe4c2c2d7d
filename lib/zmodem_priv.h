/*
 * zmodem_priv.h - private: what the ZMODEM sender and receiver share
 * (zmodem.c): the decoder over the transfer's input, and sending
 * headers and subpackets on the link with the agreed check and escapes.
 */
#ifndef HS_ZMODEM_PRIV_H
#define HS_ZMODEM_PRIV_H

#include "xfer_priv.h"
#include "zmodem_codec.h"

/* Data subpackets a sender puts on the line: the spec's largest. */
#define ZM_BLOCK 1024

struct zm {
	struct xf *x;
	struct zm_dec dec;
	uint8_t sub[ZM_SUB_MAX];      /* the decoder's subpacket buffer */
	unsigned esc;                 /* escapes in what we send */
	int crc32;                    /* our binary headers and data: CRC-32 */
	uint8_t out[ZM_SUB_LINE(ZM_BLOCK) + ZM_HDR_LINE];
};

void zm_init(struct zm *z, struct xf *x);
/* The next event off the line by deadline: HS_OK with *ev (never
 * ZM_EV_MORE), or HS_ERR_TIMEOUT, HS_ERR_CANCELED, the link's error.
 * Garbage between frames is counted in the stats. */
int zm_next(struct zm *z, int64_t deadline, enum zm_ev *ev);
/* Send a header: hex, or binary with our check. */
int zm_hex(struct zm *z, int type, uint32_t pos);
int zm_hex_hdr(struct zm *z, const struct zm_hdr *h);
int zm_bin_hdr(struct zm *z, const struct zm_hdr *h);
/* A binary header and one subpacket after it, in one write. */
int zm_bin_hdr_data(struct zm *z, const struct zm_hdr *h, const uint8_t *data, size_t n,
		    int end);
/* One data subpacket. */
int zm_data(struct zm *z, const uint8_t *data, size_t n, int end);
/* The peer's five CAN: say so. */
int zm_aborted(struct zm *z);

#endif
