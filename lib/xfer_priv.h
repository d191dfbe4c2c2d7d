/*
 * xfer_priv.h - private: the state of one transfer, shared by xfer.c (line
 * I/O, cancel, counts), xfer_send.c, xfer_recv.c and xfer_file.c (local
 * files). The codec (xfer_codec.h) knows nothing of these.
 */
#ifndef HS_XFER_PRIV_H
#define HS_XFER_PRIV_H

#include <limits.h>
#include <stdint.h>

#include "handshake/xfer.h"
#include "xfer_codec.h"

/* A receiver asks for a block this many times before falling back from
 * CRC to checksum, as lrzsz's peers do; overridable (crc_tries). */
#define XF_CRC_TRIES 3
#define XF_TIMEOUT_MS 10000
#define XF_RETRIES 10
#define XF_START_MS 3000
/* Within a frame the bytes come back to back: a gap this long means the
 * rest is not coming (a byte was lost). lrzsz waits 1 s too. */
#define XF_GAP_MS 1000
/* After garbage, or a block cut short, the receiver waits for the line
 * to go quiet this long before it NAKs, so the NAK is not answered by
 * the rest of a block it did not read. */
#define XF_QUIET_MS 100
/* A sender keeps to 128-byte blocks while what is left fits in this
 * many bytes: a short tail costs less in small blocks (lrzsz's rule). */
#define XF_TAIL_128 896

struct xf {
	struct hs_link *link;
	const char *dev;             /* the link's path, for messages */
	struct hs_xfer_opts o;       /* the caller's, defaults filled in */
	struct hs_xfer_stats st;
	struct hs_xfer_file file;    /* the current file; points below */
	char name[HS_XFER_NAME_MAX + 1];
	char path[PATH_MAX];
	char message[512];
	/* Why the transfer is failing, without the counts: they are added
	 * when it ends (xf_finish), after the last good block is written. */
	char why[512];
	int why_rc;
	int sending;                 /* 1 sender, 0 receiver */
	int last_can;                /* the byte read before this one was CAN */
	uint8_t in[4096];            /* bytes read from the link, not used yet */
	size_t in_pos, in_len;
};

void xf_init(struct xf *x, struct hs_link *link, const struct hs_xfer_opts *o,
	     int sending);
/* Copy the counts out and hand back rc. */
int xf_finish(struct xf *x, struct hs_xfer_stats *out, int rc);

/* Read what the link has into x->in (which must be used up), waiting
 * until the deadline; a deadline now only looks. HS_OK as a count > 0,
 * HS_ERR_TIMEOUT, HS_ERR_CANCELED, or the link's error. */
int xf_more(struct xf *x, int64_t deadline);
/* One byte (0..255) within the deadline, or HS_ERR_TIMEOUT,
 * HS_ERR_CANCELED, or the link's error. CAN CAN sets nothing here: the
 * callers decide what a CAN means where they are. */
int xf_getc(struct xf *x, int64_t deadline);
/* Exactly n bytes, each within gap_ms of the one before; returns n, or a
 * negative error with *got set to the count read. */
int xf_read(struct xf *x, uint8_t *buf, size_t n, int gap_ms, size_t *got);
/* Drop input until the line has been quiet for quiet_ms (at most
 * timeout_ms in all). Returns HS_OK or the link's error. */
int xf_purge(struct xf *x, int quiet_ms);
/* Drop what has arrived without waiting. HS_ERR_ABORTED if it held CAN
 * CAN; else HS_OK or the link's error. */
int xf_drop_pending(struct xf *x);
/* Write all of buf within timeout_ms. */
int xf_write(struct xf *x, const void *buf, size_t n);
int xf_putc(struct xf *x, uint8_t c);
/* Tell the peer to stop: CAN eight times, then as many backspaces. */
void xf_send_cancel(struct xf *x);
/* Is the caller's cancel flag up? */
int xf_canceled(const struct xf *x);

/* A failure: records why (the device named) and returns code; the
 * caller sends CAN first where the peer must stop. */
int xf_fail(struct xf *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Tell the peer to stop (CAN), then xf_fail. */
int xf_cancel_fail(struct xf *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Keep the link's own message for rc (a read or write failed). */
int xf_link_error(struct xf *x, int rc);
/* Why rc happened, with the counts as they are now, for people. */
const char *xf_error_text(struct xf *x, int rc, char *buf, size_t cap);

void xf_progress(struct xf *x);
/* Report the current file (status and message as they are now). */
void xf_file_done(struct xf *x);
/* Start a new current file. */
void xf_file_begin(struct xf *x, const char *name, const char *path, int64_t size,
		   int64_t mtime, unsigned mode);


/* Local files (xfer_file.c). */
/* Open a file to send: its fd, size, mtime, mode and last path component. */
int xf_file_open_send(const char *path, int *fd, int64_t *size, int64_t *mtime,
		      unsigned *mode, const char **base);
/* Create name in folder dir (XMODEM: dir NULL, name the path) for
 * writing, never through a symlink and, unless overwrite, never over a
 * file that exists. Returns the fd, or HS_ERR_EXISTS / HS_ERR_FILE. */
int xf_file_create(const char *dir, const char *name, int overwrite, char *path,
		   size_t cap);
/* Open name in folder dir to continue it (crash recovery), read and
 * write, never through a symlink: the fd and its length in *len; -1
 * when there is no such file (nothing said); else HS_ERR_FILE. */
int xf_file_reopen(const char *dir, const char *name, char *path, size_t cap, int64_t *len);
/* Write all n bytes to fd; HS_ERR_FILE naming path on failure. */
int xf_file_write(int fd, const void *buf, size_t n, const char *path);
/* Give a received file the mtime and permission bits the sender said
 * (each only when known). */
void xf_file_stamp(int fd, int64_t mtime, unsigned mode);

/* ZMODEM (zmodem_send.c, zmodem_recv.c): the transfer after
 * hs_xfer_send's and hs_xfer_receive's checks, ended by xf_finish. */
int xf_zm_send(struct xf *x, const char *const *paths, int n, struct hs_xfer_stats *stats);
int xf_zm_receive(struct xf *x, const char *dir, struct hs_xfer_stats *stats);

#endif
