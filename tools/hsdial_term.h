/*
 * hsdial_term.h - hsdial as a terminal (hsdial_term.c): a call, or a
 * line with no call (a console port), in raw mode with an escape key and
 * commands after it; the character mappings it applies (hsdial_map.c).
 */
#ifndef HSDIAL_TERM_H
#define HSDIAL_TERM_H

#include <stddef.h>

#include <handshake/xfer.h>

#include "hsdial_call.h"

/* picocom's mappings; bits of hsd_opts.imap, .omap, .emap. */
enum {
	HSD_MAP_CRLF = 1 << 0,    /* CR becomes LF */
	HSD_MAP_CRCRLF = 1 << 1,  /* CR becomes CR LF */
	HSD_MAP_IGNCR = 1 << 2,   /* CR dropped */
	HSD_MAP_LFCR = 1 << 3,    /* LF becomes CR */
	HSD_MAP_LFCRLF = 1 << 4,  /* LF becomes CR LF */
	HSD_MAP_IGNLF = 1 << 5,   /* LF dropped */
	HSD_MAP_BSDEL = 1 << 6,   /* BS becomes DEL */
	HSD_MAP_DELBS = 1 << 7,   /* DEL becomes BS */
};

/* "crlf,delbs" as bits; a word it does not know ends hsdial (usage). */
unsigned hsd_map_parse(const char *opt, const char *text);

/* in (n bytes) mapped by bits into out, which has room for 2 * n;
 * returns the bytes written. */
size_t hsd_map(unsigned bits, const char *in, size_t n, char *out);

/*
 * Run the terminal on the online modem m (a call), or on link alone (m
 * NULL: a console port), until the escape key's quit, the carrier's
 * loss, a signal or a failed line; fills r (end, counts; on_hook when
 * the call was hung up from the terminal). The tty on stdin is raw
 * meanwhile and given back as found on every way out, exit() included.
 */
void hsd_term(struct hs_modem *m, struct hs_link *link, const struct hsd_opts *o,
	      struct hsd_bridge_result *r);

/*
 * The terminal's send-a-file (hsdial_send.c): path over link with
 * protocol, progress redrawn on stdout; *cancel set stops it. Returns
 * HS_OK or the error; st counts what the receiver confirmed.
 */
int hsd_send_file(struct hs_link *link, enum hs_xfer_protocol protocol, const char *path,
		  volatile int *cancel, struct hs_xfer_stats *st);

/* Give the tty back as found, if hsd_term took it (atexit does too). */
void hsd_term_restore(void);

#endif
