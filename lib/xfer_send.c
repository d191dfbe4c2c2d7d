/*
 * xfer_send.c - the XMODEM/YMODEM sender.
 *
 * The receiver leads: its first byte says CRC-16 (C), checksum (NAK) or
 * streaming (G, YMODEM only), and the sender follows. Each block is sent
 * until ACKed, within the retry limit; in YMODEM-g blocks stream and only
 * the EOT is ACKed, so only then are the file's bytes confirmed.
 *
 * Block sizes: 1024 when the protocol allows it and the receiver asked
 * for CRC, but 128 for a tail of 896 bytes or less (lrzsz's rule), and
 * 128 on a noisy line, where small blocks get through and big ones do
 * not: at 1e-4 errors a bit 56% of 1K blocks fail (one in 600 eleven
 * times in a row, which ends the transfer) and 10% of small ones; at
 * 1e-5, 8% and 1%, and 1K blocks are worth their retries. So the sender
 * goes to small blocks when six of the last sixteen 1K blocks needed a
 * second try, or one needed a fourth (a third among the first eight,
 * before there is a history: they are the ones a very noisy line would
 * fail); big ones come back when at most one of the last 64 small ones
 * needed a second try. The size changes only between blocks: a
 * block resent smaller after its ACK was lost would be taken as a
 * duplicate of a bigger one and lose data.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "xfer_priv.h"

/* Back to 1K blocks when at most this many of the last 64 small ones
 * needed a second try (a 1K block then fails about 8% of the time). */
#define CLIMB_FAILS 1

struct tx {
	struct xf *x;
	int ymodem;
	int crc, g;            /* as the receiver asked */
	int big;               /* 1K blocks allowed */
	int small;             /* fell back to 128-byte blocks */
	int nsmall;            /* small blocks since then */
	uint64_t retried;      /* the last 64 small blocks: 1 = a retry */
	uint16_t big_retried;  /* the last 16 1K blocks: 1 = a retry */
	unsigned nbig;         /* 1K blocks sent */
	int start;             /* a start byte read early (after an EOT), or 0 */
	uint64_t fsent;        /* this file's bytes put on the line */
	unsigned fblocks;      /* and its blocks */
	uint8_t frame[XM_FRAME_MAX];
	uint8_t data[1024];
};

static int aborted(struct xf *x)
{
	return xf_fail(x, HS_ERR_ABORTED, "the receiver canceled the transfer (CAN CAN)");
}

/* The receiver's start: C, NAK or (YMODEM) G; text before it (a
 * bootloader's prompt) is skipped. It has retries * timeout_ms. */
static int wait_start(struct tx *t, int *c)
{
	struct xf *x = t->x;
	int ms = x->o.retries * x->o.timeout_ms, last = 0;
	int64_t deadline = hs_deadline(ms);

	if (t->start) {
		*c = t->start;
		t->start = 0;
		return HS_OK;
	}
	for (;;) {
		int b = xf_getc(x, deadline);

		if (b == HS_ERR_TIMEOUT)
			return xf_fail(x, HS_ERR_TIMEOUT,
				       "the receiver never asked to start (no C, NAK%s in %d.%d s)",
				       t->ymodem ? " or G" : "", ms / 1000, ms % 1000 / 100);
		if (b < 0)
			return b;
		if (b == XM_CAN && last == XM_CAN)
			return aborted(x);
		last = b;
		if (b == XM_C || b == XM_NAK || (b == XM_G && t->ymodem)) {
			*c = b;
			return HS_OK;
		}
	}
}

static void agree(struct tx *t, int c)
{
	struct xf *x = t->x;
	enum hs_xfer_protocol p = x->o.protocol;

	t->crc = c != XM_NAK;
	t->g = c == XM_G;
	x->st.crc = t->crc;
	if (t->ymodem)
		x->st.protocol = t->g ? HS_XFER_YMODEM_G : HS_XFER_YMODEM;
	else if (!t->crc)
		x->st.protocol = HS_XFER_XMODEM;
	else
		x->st.protocol = p == HS_XFER_XMODEM_1K ? HS_XFER_XMODEM_1K : HS_XFER_XMODEM_CRC;
	/* 1K blocks need CRC-16: a checksum receiver is an old one */
	t->big = t->crc && (t->ymodem || p == HS_XFER_XMODEM_1K);
}

/* Too many tries of one block or EOT: tell the receiver and say why. */
static int give_up(struct tx *t, const char *what, int naks, int timeouts, int garbage)
{
	struct xf *x = t->x;

	xf_send_cancel(x);
	if (naks == 0 && garbage == 0)
		return xf_fail(x, HS_ERR_TIMEOUT, "no answer to %s in %d tries of %.1f s", what,
			       timeouts, x->o.timeout_ms / 1000.0);
	return xf_fail(x, HS_ERR_RETRIES,
		       "%s was not ACKed in %d tries (%d NAKs, %d timeouts, %d other answers)",
		       what, naks + timeouts + garbage, naks, timeouts, garbage);
}

/* What is sent until ACKed: a block; the first of a file (block 0 or
 * block 1), which a start byte (C, G) then asks for again; or EOT, which
 * a receiver that NAKs the first one needs twice, and after which a
 * YMODEM receiver whose ACK was lost asks for the next file. */
enum sendable { SEND_BLOCK, SEND_FIRST, SEND_EOT };

/* Send len bytes of buf until the receiver ACKs them; *tries: sends it
 * took, less one. */
static int send_until_acked(struct tx *t, const uint8_t *buf, size_t len,
			    enum sendable kind, const char *what, int *tries)
{
	struct xf *x = t->x;
	int naks = 0, timeouts = 0, garbage = 0, rc;

	for (*tries = 0;; ++*tries) {
		int64_t deadline;
		int last = 0, strange = 0;

		if (xf_canceled(x))
			return xf_fail(x, HS_ERR_CANCELED, "canceled");
		if (*tries > x->o.retries)
			return give_up(t, what, naks, timeouts, garbage);
		if (*tries) {
			x->st.retries++;
			xf_progress(x);
		}
		/* What came before this send answers nothing now (a C the
		 * receiver repeated while we started, a second ACK of a block
		 * sent twice, the rest of a garbled reply), except a cancel. */
		if ((rc = xf_drop_pending(x)) < 0)
			return rc == HS_ERR_ABORTED ? aborted(x) : rc;
		if ((rc = xf_write(x, buf, len)) < 0)
			return rc;
		if (t->g && kind != SEND_EOT)
			return HS_OK;
		deadline = hs_deadline(x->o.timeout_ms);
		for (;;) {
			int c = xf_getc(x, deadline);

			if (c == HS_ERR_TIMEOUT) {
				timeouts++;
				x->st.err_timeout++;
				break;
			}
			if (c < 0)
				return c;
			if (c == XM_ACK)
				return HS_OK;
			if (kind == SEND_EOT && t->ymodem && (c == XM_C || c == XM_G)) {
				/* our ACK was lost, the receiver asks for the
				 * next file: keep its start for that */
				t->start = c;
				return HS_OK;
			}
			if (c == XM_NAK || (kind == SEND_FIRST && (c == XM_C || c == XM_G))) {
				naks++;
				/* a NAKed EOT is a habit, not damage */
				if (kind != SEND_EOT)
					x->st.err_crc++;
				break;
			}
			if (c == XM_CAN && last == XM_CAN)
				return aborted(x);
			if (c != XM_CAN && !strange) {
				/* one count per answer, not per byte of noise */
				strange = 1;
				garbage++;
				x->st.err_garbage++;
			}
			last = c;
		}
	}
}

/* Up to n bytes of the file; fewer only at its end. */
static int read_data(struct tx *t, int fd, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, t->data + got, n - got);
		if (r == 0)
			break;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			xf_send_cancel(t->x);
			return xf_fail(t->x, HS_ERR_FILE, "cannot read %s: %s", t->x->path,
				       strerror(errno));
		}
		got += (size_t)r;
	}
	return (int)got;
}

/* After a block went through in tries + 1 sends: keep, drop or climb
 * back to 1K blocks. */
static void adapt(struct tx *t, size_t size, int tries)
{
	if (size == 1024) {
		t->big_retried = (uint16_t)(t->big_retried << 1 | (tries > 0));
		if (tries >= (++t->nbig <= 8 ? 2 : 3) || __builtin_popcount(t->big_retried) >= 6) {
			t->small = 1;
			t->nsmall = 0;
			t->retried = 0;
			t->big_retried = 0;
		}
	} else if (size == 128 && t->small) {
		t->retried = t->retried << 1 | (tries > 0);
		if (++t->nsmall >= 64 && __builtin_popcountll(t->retried) <= CLIMB_FAILS)
			t->small = 0;
	}
}

static int send_data(struct tx *t, int fd)
{
	struct xf *x = t->x;
	unsigned seq = 1;
	int first = 1;

	for (;;) {
		size_t want = t->big && !t->small ? 1024 : 128;
		int n = read_data(t, fd, want);

		if (n <= 0)
			return n;
		/* a short tail goes in small blocks */
		size_t size = (size_t)n > XF_TAIL_128 || want == 128 ? want : 128;
		for (size_t off = 0; off < (size_t)n; off += size, seq++) {
			size_t len = (size_t)n - off < size ? (size_t)n - off : size;
			char what[32];
			int tries, rc;

			snprintf(what, sizeof(what), "block %u", seq);
			x->st.block_size = (int)size;
			hs_xm_block_build(t->frame, seq, t->data + off, len, size, t->crc, XM_SUB);
			rc = send_until_acked(t, t->frame, hs_xm_frame_len(size, t->crc),
					      first ? SEND_FIRST : SEND_BLOCK, what, &tries);
			if (rc < 0)
				return rc;
			first = 0;
			x->st.sent += len;
			t->fsent += len;
			t->fblocks++;
			if (!t->g) {
				x->file.bytes += len;
				x->st.bytes += len;
				x->st.blocks++;
			}
			adapt(t, size, tries);
			xf_progress(x);
		}
	}
}

static int send_eot(struct tx *t)
{
	static const uint8_t eot = XM_EOT;
	int tries;

	return send_until_acked(t, &eot, 1, SEND_EOT, "the end of file (EOT)", &tries);
}

/* YMODEM block 0 for the current file, or the empty one (name NULL). */
static int send_header(struct tx *t, const char *name)
{
	struct xf *x = t->x;
	uint8_t payload[1024];
	size_t size = hs_ym_header_build(payload, name, x->file.size, x->file.mtime,
					 x->file.mode);
	int tries, rc;

	if (size == 0) {
		xf_send_cancel(x);
		return xf_fail(x, HS_ERR_ARG, "the file name is too long for YMODEM's block 0");
	}
	hs_xm_block_build(t->frame, 0, payload, size, size, t->crc, 0);
	rc = send_until_acked(t, t->frame, hs_xm_frame_len(size, t->crc), SEND_FIRST,
			      name ? "block 0 (the file's name)" : "the end of the batch", &tries);
	if (rc == HS_OK && t->g && !name) {
		/* the end: an ACK is likely but not owed */
		(void)xf_getc(x, hs_deadline(x->o.timeout_ms));
	}
	return rc;
}

static int send_one(struct tx *t, const char *path)
{
	struct xf *x = t->x;
	int64_t size, mtime;
	unsigned mode;
	const char *base;
	int fd, c, rc;

	if ((rc = xf_file_open_send(path, &fd, &size, &mtime, &mode, &base)) < 0) {
		xf_send_cancel(x);
		return rc;
	}
	xf_file_begin(x, t->ymodem ? base : "", path, size, mtime, mode);
	t->fsent = 0;
	t->fblocks = 0;
	if (t->ymodem) {
		rc = wait_start(t, &c);
		if (rc == HS_OK) {
			agree(t, c);
			rc = send_header(t, base);
		}
		/* the data starts at the receiver's word, as the file did */
		if (rc == HS_OK && (rc = wait_start(t, &c)) == HS_OK)
			agree(t, c);
	}
	if (rc == HS_OK && (rc = send_data(t, fd)) == HS_OK)
		rc = send_eot(t);
	close(fd);
	if (rc == HS_OK && t->g) {
		x->file.bytes = t->fsent;
		x->st.bytes += t->fsent;
		x->st.blocks += t->fblocks;
	}
	x->file.status = rc;
	if (rc < 0)
		hs_fail(rc, "%s", xf_error_text(x, rc, x->message, sizeof(x->message)));
	xf_file_done(x);
	return rc;
}

int hs_xfer_send(struct hs_link *link, const char *const *paths, int n,
		 const struct hs_xfer_opts *opts, struct hs_xfer_stats *stats)
{
	struct xf x;
	struct tx t = { .x = &x };
	int rc = HS_OK, c;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!link || !paths || n < 1)
		return hs_fail(HS_ERR_ARG, "hs_xfer_send: no link or no files");
	xf_init(&x, link, opts, 1);
	int zmodem = x.o.protocol == HS_XFER_ZMODEM;
	/* ZMODEM's file information is YMODEM's block 0 */
	t.ymodem = zmodem || x.o.protocol == HS_XFER_YMODEM || x.o.protocol == HS_XFER_YMODEM_G;
	if ((unsigned)x.o.protocol > HS_XFER_ZMODEM)
		return hs_fail(HS_ERR_ARG, "hs_xfer_send: unknown protocol %d", x.o.protocol);
	if (!t.ymodem && n != 1)
		return hs_fail(HS_ERR_ARG, "XMODEM sends one file (%d given); YMODEM sends many", n);
	/* Every file must be there before the receiver is kept waiting. */
	for (int i = 0; i < n; i++) {
		int64_t size, mtime;
		unsigned mode;
		const char *base;
		int fd;

		if ((rc = xf_file_open_send(paths[i], &fd, &size, &mtime, &mode, &base)) < 0)
			return rc;
		close(fd);
		if (t.ymodem && hs_ym_header_build(t.frame, base, size, mtime, mode) == 0)
			return hs_fail(HS_ERR_ARG, "%s: the name is too long for %s", paths[i],
				       zmodem ? "ZMODEM" : "YMODEM");
		if (size > 0)
			x.st.total += (uint64_t)size;
	}
	if (zmodem)
		return xf_zm_send(&x, paths, n, stats);
	if (!t.ymodem) {
		if ((rc = wait_start(&t, &c)) < 0)
			return xf_finish(&x, stats, rc);
		agree(&t, c);
	}
	for (int i = 0; i < n && rc == HS_OK; i++)
		rc = send_one(&t, paths[i]);
	if (rc == HS_OK && t.ymodem) {
		xf_file_begin(&x, "", "", -1, -1, 0);
		rc = wait_start(&t, &c);
		if (rc == HS_OK) {
			agree(&t, c);
			rc = send_header(&t, NULL);
		}
	}
	return xf_finish(&x, stats, rc);
}
