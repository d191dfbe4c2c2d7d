/*
 * detect_score.h - private: how clear a sample of a talking device's
 * output is, for passive detection (detect_listen.c). Pure: bytes in, a
 * score out, so it is tested on recorded samples (tests/unit).
 */
#ifndef HS_DETECT_SCORE_H
#define HS_DETECT_SCORE_H

#include <stddef.h>
#include "handshake/link.h"

struct hs_score {
	int score;              /* 0..100: how clear the sample is */
	/* The framing the bytes suggest, read at 8 data bits: 7-bit text
	 * with a parity bit in bit 7 (EVEN, ODD; MARK: bit 7 always set,
	 * 7N2 or 7M1), or 8 bits (NONE). */
	int bits;
	enum hs_parity parity;
	int nine_bit;           /* many framing errors on otherwise good
	                         * characters: a parity bit where 8N1 expects
	                         * the stop bit (8E1, 8O1) */
	int printable;          /* per cent of characters (as text) */
	int damaged;            /* per cent of characters marked damaged */
	int lines;              /* line ends seen */
	int nmea_good, nmea_bad;/* NMEA 0183 sentences by their checksum */
};

/* Score n bytes read at 8 data bits (as hs_link_read gives them), of
 * which `damaged` came marked damaged (hs_link_line_errors). Scores of
 * samples read at 7 bits work too: their bit 7 is always clear. */
void hs_detect_score(const unsigned char *buf, size_t n, unsigned long damaged,
		     struct hs_score *out);

#endif
