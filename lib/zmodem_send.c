/*
 * zmodem_send.c - the ZMODEM sender.
 *
 * "rz\r" and ZRQINIT wake the receiver, whose ZRINIT says what it can
 * (CRC-32, escape every control byte, the size of its buffer). Each
 * file is offered with ZFILE (YMODEM's block 0 as its data); the
 * receiver answers ZRPOS with the offset to start at (0, or the length
 * it has already: crash recovery), ZSKIP, or ZCRC to have the part it
 * has checked first. Data streams in 1K subpackets after one ZDATA
 * header; the receiver's ZRPOS (a damaged subpacket) takes the sender
 * back to that offset, so nothing is counted or written twice.
 *
 * Counts are what the receiver confirmed: its ZRPOS and ZACK offsets
 * and, at the end of a file, the ZRINIT after ZEOF. A ZCRCQ every
 * quarter window has it say where it is while data streams, and at most
 * a window goes unconfirmed (a receiver that says nothing for that long
 * is gone, or lost the ZACKs: it is asked again). A receiver with a
 * bounded buffer gets ZCRCW and is waited for at each buffer's end.
 *
 * On a noisy line both shrink. Everything sent after a damaged
 * subpacket is dropped by the receiver, and the line (a modem, a
 * program's socket) may hold a lot of it: each ZRPOS halves the window
 * (down to ZM_WINDOW_MIN) and the subpacket (down to ZM_BLOCK_MIN,
 * since at 1e-4 errors a bit a 1K subpacket fails more often than not
 * and a 128-byte one one time in ten). Each window confirmed with no
 * ZRPOS doubles both again, up to ZM_WINDOW and ZM_BLOCK.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "zmodem_priv.h"

/* A line can hold a lot in flight (a modem's buffers, a program's
 * socket: the lab's holds 90 KiB): the window must cover that and a
 * quarter window between ZACKs, or the sender waits on a clean line. */
#define ZM_WINDOW (512 * 1024)
#define ZM_WINDOW_MIN (8 * 1024)
#define ZM_BLOCK_MIN 64

/* What the receiver's word means while a file streams. */
enum { BACK = 1, DONE = 2, SKIPPED = 3 };

struct zs {
	struct zm z;
	struct xf *x;
	unsigned rxbuf;        /* the receiver's buffer; 0 streams */
	int fd;
	uint64_t confirmed;    /* the receiver's offset as it last said */
	uint64_t txpos;        /* the next byte to send */
	uint64_t sent_max;     /* the end of what was ever sent of the file */
	uint64_t done_before;  /* bytes of earlier files confirmed */
	uint64_t rpos_at;      /* the offset of the last ZRPOS, and how many */
	int rpos_same;
	int64_t rpos_ms;       /* when we went back there */
	size_t blk;            /* subpacket length now */
	uint64_t window;       /* bytes that may go unconfirmed now */
	uint64_t clean_from;   /* confirmed offset after the last ZRPOS */
	int status;            /* the first file skipped, for the end */
	unsigned skipped;
	/* the file read ahead: a read a subpacket would cost as much as
	 * the rest of sending it */
	uint8_t block[32 * 1024];
	uint64_t block_at;     /* the file offset of block[0] */
	size_t block_len;
	int block_eof;         /* the file ends at block_at + block_len */
};

static void confirm(struct zs *s, uint64_t pos)
{
	struct xf *x = s->x;

	s->confirmed = pos;
	if (pos >= s->clean_from + s->window) {
		/* a whole window went through clean: grow */
		if (s->window < ZM_WINDOW)
			s->window *= 2;
		if (s->blk < ZM_BLOCK)
			s->blk *= 2;
		s->clean_from = pos;
	}
	x->file.bytes = pos > x->file.offset ? pos - x->file.offset : 0;
	x->st.bytes = s->done_before + x->file.bytes;
}

static int give_up(struct zs *s, int code, const char *fmt, const char *what, int tries)
{
	xf_send_cancel(s->x);
	return xf_fail(s->x, code, fmt, what, tries, s->x->o.timeout_ms / 1000.0);
}

/* The receiver's ZRINIT, asked for with ZRQINIT every start_ms, for
 * retries * timeout_ms in all. */
static int get_rinit(struct zs *s)
{
	struct xf *x = s->x;
	int ms = x->o.retries * x->o.timeout_ms, asked = 0;
	int64_t limit = hs_deadline(ms);
	enum zm_ev ev;
	int rc;

	if ((rc = xf_write(x, "rz\r", 3)) < 0)
		return rc;
	for (;;) {
		int64_t next = hs_deadline(x->o.start_ms);

		if (hs_remaining(limit) <= 0) {
			xf_send_cancel(x);
			return xf_fail(x, HS_ERR_TIMEOUT,
				       "the receiver never answered: no ZRINIT to %d ZRQINIT in %d.%d s",
				       asked, ms / 1000, ms % 1000 / 100);
		}
		if ((rc = zm_hex(&s->z, ZM_RQINIT, 0)) < 0)
			return rc;
		asked++;
		while ((rc = zm_next(&s->z, next < limit ? next : limit, &ev)) == HS_OK) {
			struct zm_hdr *h = &s->z.dec.hdr;

			if (ev == ZM_EV_CANCEL)
				return zm_aborted(&s->z);
			if (ev != ZM_EV_HEADER)
				continue;
			if (h->type == ZM_RINIT) {
				s->z.crc32 = (h->b[ZM_F0] & ZM_CANFC32) != 0;
				if (h->b[ZM_F0] & ZM_ESCCTL)
					s->z.esc |= ZM_ESC_CTL;
				s->rxbuf = (unsigned)h->b[0] | (unsigned)h->b[1] << 8;
				x->st.crc = s->z.crc32 ? 2 : 1;
				return HS_OK;
			}
			if (h->type == ZM_CHALLENGE && (rc = zm_hex(&s->z, ZM_ACK, hs_zm_pos(h))) < 0)
				return rc;
		}
		if (rc != HS_ERR_TIMEOUT)
			return rc;
	}
}

/* Ask the receiver to escape every control byte it sends too (ZSINIT),
 * when we were asked to; it answers ZACK. */
static int send_sinit(struct zs *s)
{
	struct xf *x = s->x;
	struct zm_hdr h = hs_zm_flags_hdr(ZM_SINIT, ZM_TESCCTL, 0, 0, 0);
	static const uint8_t attn[1] = { 0 };
	enum zm_ev ev;
	int rc;

	for (int tries = 0; tries <= x->o.retries; tries++) {
		int64_t deadline = hs_deadline(x->o.timeout_ms);

		if ((rc = zm_bin_hdr_data(&s->z, &h, attn, sizeof(attn), ZM_CRCW)) < 0)
			return rc;
		while ((rc = zm_next(&s->z, deadline, &ev)) == HS_OK) {
			if (ev == ZM_EV_CANCEL)
				return zm_aborted(&s->z);
			if (ev == ZM_EV_HEADER && s->z.dec.hdr.type == ZM_ACK)
				return HS_OK;
			if (ev == ZM_EV_HEADER && s->z.dec.hdr.type == ZM_RINIT)
				break;
		}
		if (rc != HS_ERR_TIMEOUT && rc != HS_OK)
			return rc;
		x->st.err_timeout += rc == HS_ERR_TIMEOUT;
	}
	return give_up(s, HS_ERR_TIMEOUT, "no answer to %s in %d tries of %.1f s", "ZSINIT",
		       x->o.retries + 1);
}

/* CRC-32 of the file's first n bytes (all of it for 0), for a receiver
 * that checks the part it has before resuming. */
static int file_crc(struct zs *s, uint64_t n, uint32_t *crc)
{
	uint64_t at = 0;

	*crc = 0;
	while (n == 0 || at < n) {
		size_t want = n == 0 || n - at > sizeof(s->block) ? sizeof(s->block) :
			      (size_t)(n - at);
		ssize_t r = pread(s->fd, s->block, want, (off_t)at);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return xf_fail(s->x, HS_ERR_FILE, "cannot read %s: %s", s->x->path,
				       strerror(errno));
		if (r == 0)
			break;
		*crc = hs_zm_crc32(*crc, s->block, (size_t)r);
		at += (uint64_t)r;
	}
	/* the read-ahead held something else meanwhile */
	s->block_len = 0;
	return HS_OK;
}

/* Offer the current file (ZFILE); *pos is where the receiver wants it
 * from. Returns HS_OK, SKIPPED, or an error. */
static int offer(struct zs *s, const char *name, uint64_t *pos)
{
	struct xf *x = s->x;
	uint8_t info[1024];
	size_t nlen = strlen(name);
	struct zm_hdr h = hs_zm_flags_hdr(ZM_FILE, x->o.resume ? ZM_CRESUM : ZM_CBIN, 0, 0, 0);
	enum zm_ev ev;
	int rc, tries;

	/* ZMODEM's file information is YMODEM's block 0 (checked to fit) */
	hs_ym_header_build(info, name, x->file.size, x->file.mtime, x->file.mode);
	size_t n = nlen + 1 + strlen((char *)info + nlen + 1) + 1;

	for (tries = 0; tries <= x->o.retries; tries++) {
		int64_t deadline = hs_deadline(x->o.timeout_ms);

		if (tries) {
			x->st.retries++;
			xf_progress(x);
		}
		if ((rc = zm_bin_hdr_data(&s->z, &h, info, n, ZM_CRCW)) < 0)
			return rc;
		while ((rc = zm_next(&s->z, deadline, &ev)) == HS_OK) {
			struct zm_hdr *r = &s->z.dec.hdr;
			uint32_t crc;

			if (ev == ZM_EV_CANCEL)
				return zm_aborted(&s->z);
			if (ev == ZM_EV_BAD_HEADER)
				x->st.err_crc++;
			if (ev != ZM_EV_HEADER)
				continue;
			switch (r->type) {
			case ZM_RPOS:
				*pos = hs_zm_pos(r);
				return HS_OK;
			case ZM_SKIP:
				return SKIPPED;
			case ZM_NAK:
				break;  /* it came damaged: again */
			case ZM_CRC:
				if ((rc = file_crc(s, hs_zm_pos(r), &crc)) < 0) {
					xf_send_cancel(x);
					return rc;
				}
				if ((rc = zm_hex(&s->z, ZM_CRC, crc)) < 0)
					return rc;
				deadline = hs_deadline(x->o.timeout_ms);
				continue;
			case ZM_FERR:
			case ZM_ABORT:
				return xf_fail(x, HS_ERR_ABORTED, "the receiver cannot take the file (%s)",
					       hs_zm_type_name(r->type));
			default:
				continue;
			}
			break;
		}
		if (rc == HS_ERR_TIMEOUT)
			x->st.err_timeout++;
		else if (rc != HS_OK)
			return rc;
	}
	return give_up(s, HS_ERR_TIMEOUT, "no answer to %s in %d tries of %.1f s",
		       "the file's offer (ZFILE)", tries);
}

/* The receiver asked for pos again (ZRPOS): go back there, unless it has
 * asked for that place too often. */
static int rewind_to(struct zs *s, uint64_t pos)
{
	struct xf *x = s->x;

	if (pos == s->rpos_at && ++s->rpos_same > x->o.retries) {
		char what[64];
		snprintf(what, sizeof(what), "offset %llu", (unsigned long long)pos);
		return give_up(s, HS_ERR_RETRIES, "the receiver asked for %s again %d times", what,
			       s->rpos_same);
	}
	if (pos != s->rpos_at)
		s->rpos_at = pos, s->rpos_same = 1;
	s->rpos_ms = hs_now_ms();
	x->st.retries++;
	if (s->blk > ZM_BLOCK_MIN)
		s->blk /= 2;
	if (s->window > ZM_WINDOW_MIN)
		s->window /= 2;
	s->clean_from = pos;
	confirm(s, pos);
	/* what is still queued for the line is past the damage: drop it */
	hs_link_flush(x->link, HS_FLUSH_OUTPUT);
	s->txpos = pos;
	xf_progress(x);
	return HS_OK;
}

/* One event while data streams or at the end: returns HS_OK to go on,
 * BACK (go back to s->txpos), DONE (ZRINIT after ZEOF), SKIPPED, or an
 * error. */
static int on_event(struct zs *s, enum zm_ev ev)
{
	struct zm_hdr *h = &s->z.dec.hdr;
	uint64_t pos = hs_zm_pos(h);
	int rc;

	if (ev == ZM_EV_CANCEL)
		return zm_aborted(&s->z);
	if (ev == ZM_EV_BAD_HEADER) {
		/* most likely a ZRPOS, damaged: go back to what the receiver
		 * confirmed, and it says where it is; not waiting for the
		 * window's end */
		s->x->st.err_crc++;
		return (rc = rewind_to(s, s->confirmed)) < 0 ? rc : BACK;
	}
	if (ev != ZM_EV_HEADER)
		return HS_OK;
	switch (h->type) {
	case ZM_RPOS:
		/* (a ZRPOS older than our last rewind may be past txpos) */
		if (pos > s->sent_max) {
			xf_send_cancel(s->x);
			return xf_fail(s->x, HS_ERR_PROTOCOL,
				       "the receiver asked for offset %llu, past what was sent (%llu)",
				       (unsigned long long)pos, (unsigned long long)s->sent_max);
		}
		/* The frames sent before we went back reach the receiver
		 * after, each at an offset it did not ask for, and it may
		 * ask for its offset again: the same ZRPOS, soon after,
		 * is that echo. Honoured, it would send us back again and
		 * again. One the receiver repeats because our ZDATA was
		 * lost comes after its timeout. */
		if (pos == s->rpos_at && hs_now_ms() - s->rpos_ms < s->x->o.timeout_ms / 2)
			return HS_OK;
		return (rc = rewind_to(s, pos)) < 0 ? rc : BACK;
	case ZM_ACK:
		if (pos <= s->sent_max && pos > s->confirmed)
			confirm(s, pos);
		return HS_OK;
	case ZM_SKIP:
		return SKIPPED;
	case ZM_RINIT:
		return DONE;
	case ZM_FERR:
	case ZM_ABORT:
		return xf_fail(s->x, HS_ERR_ABORTED, "the receiver stopped the file (%s)",
			       hs_zm_type_name(h->type));
	default:
		return HS_OK;
	}
}

/* Wait for what the receiver says until the deadline: HS_ERR_TIMEOUT,
 * or on_event's answer for the first event that is not HS_OK, or HS_OK
 * once at most unconfirmed bytes are (unconfirmed < 0: never). */
static int wait_receiver(struct zs *s, int64_t deadline, int64_t unconfirmed)
{
	enum zm_ev ev;
	int rc;

	for (;;) {
		if ((rc = zm_next(&s->z, deadline, &ev)) < 0)
			return rc;
		if ((rc = on_event(s, ev)) != HS_OK)
			return rc;
		if (unconfirmed >= 0 && s->txpos - s->confirmed <= (uint64_t)unconfirmed)
			return HS_OK;
	}
}

/* The next subpacket's bytes, from s->txpos: *data, *n (fewer than
 * s->blk only at the end of the file). */
static int read_block(struct zs *s, const uint8_t **data, size_t *n)
{
	uint64_t end = s->block_at + s->block_len;

	if (s->txpos < s->block_at || s->txpos > end ||
	    (end - s->txpos < s->blk && !s->block_eof)) {
		size_t got = 0;

		s->block_at = s->txpos;
		s->block_eof = 0;
		while (got < sizeof(s->block)) {
			ssize_t r = pread(s->fd, s->block + got, sizeof(s->block) - got,
					  (off_t)(s->txpos + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				s->block_len = 0;
				xf_send_cancel(s->x);
				return xf_fail(s->x, HS_ERR_FILE, "cannot read %s: %s", s->x->path,
					       strerror(errno));
			}
			if (r == 0) {
				s->block_eof = 1;
				break;
			}
			got += (size_t)r;
		}
		s->block_len = got;
		end = s->block_at + got;
	}
	*data = s->block + (s->txpos - s->block_at);
	*n = end - s->txpos < s->blk ? (size_t)(end - s->txpos) : s->blk;
	return HS_OK;
}

/* Stream the file from s->txpos, then ZEOF until the receiver has it
 * all. Returns DONE, SKIPPED or an error. */
static int stream(struct zs *s)
{
	struct xf *x = s->x;
	int rc, eof_tries = 0;
	uint64_t eof_confirmed = s->confirmed;

	for (;;) {
		/* a frame: ZDATA at txpos, subpackets up to the end of file */
		uint64_t last_q = s->txpos, since_w = 0;
		struct zm_hdr h = hs_zm_pos_hdr(ZM_DATA, (uint32_t)s->txpos);
		int back = 0, eof = 0;

		if ((rc = zm_bin_hdr(&s->z, &h)) < 0)
			return rc;
		while (!back && !eof) {
			size_t n = 0;
			const uint8_t *data = NULL;
			int end = ZM_CRCG;

			if (xf_canceled(x))
				return xf_fail(x, HS_ERR_CANCELED, "canceled");
			if ((rc = read_block(s, &data, &n)) < 0)
				return rc;
			eof = n < s->blk;
			if (eof)
				end = ZM_CRCE;
			else if (s->rxbuf && since_w + n >= s->rxbuf)
				end = ZM_CRCW;
			else if (s->txpos + n - last_q >= s->window / 4)
				end = ZM_CRCQ, last_q = s->txpos + n;
			if ((rc = zm_data(&s->z, data, n, end)) < 0)
				return rc;
			s->txpos += n;
			if (s->txpos > s->sent_max)
				s->sent_max = s->txpos;
			since_w += n;
			x->st.block_size = (int)s->blk;
			x->st.sent += n;
			x->st.blocks++;
			xf_progress(x);
			if (end == ZM_CRCW) {
				/* a bounded buffer: wait for its ZACK */
				since_w = 0;
				rc = wait_receiver(s, hs_deadline(x->o.timeout_ms), 0);
			} else {
				/* what the receiver said meanwhile, not waiting */
				rc = wait_receiver(s, hs_deadline(0), -1);
				if (rc == HS_ERR_TIMEOUT)
					rc = HS_OK;
				if (rc == HS_OK && s->txpos - s->confirmed > s->window)
					rc = wait_receiver(s, hs_deadline(x->o.timeout_ms),
							   (int64_t)(s->window / 4 * 3));
			}
			if (rc == HS_ERR_TIMEOUT) {
				/* no word for too long: ask where it is by going
				 * back to what it confirmed */
				x->st.err_timeout++;
				rc = rewind_to(s, s->confirmed);
				rc = rc < 0 ? rc : BACK;
			}
			/* a ZRINIT before ZEOF answers an older offer: not the end */
			if (rc < 0 || rc == SKIPPED)
				return rc;
			back = rc == BACK;
		}
		if (back)
			continue;
		/* the end: ZEOF at the length, until ZRINIT says it is in */
		for (;;) {
			/* the tries count while the receiver confirms nothing new */
			if (s->confirmed != eof_confirmed)
				eof_tries = 0, eof_confirmed = s->confirmed;
			if (eof_tries++ > x->o.retries)
				return give_up(s, HS_ERR_TIMEOUT, "no answer to %s in %d tries of %.1f s",
					       "the end of file (ZEOF)", eof_tries - 1);
			h = hs_zm_pos_hdr(ZM_EOF, (uint32_t)s->txpos);
			if ((rc = zm_bin_hdr(&s->z, &h)) < 0)
				return rc;
			rc = wait_receiver(s, hs_deadline(x->o.timeout_ms), -1);
			if (rc == DONE) {
				confirm(s, s->txpos);
				return DONE;
			}
			if (rc == HS_ERR_TIMEOUT) {
				/* ZEOF at an offset the receiver does not have
				 * is ignored: data where it last confirmed has it
				 * say where it is (ZRPOS) */
				x->st.err_timeout++;
				if ((rc = rewind_to(s, s->confirmed)) < 0)
					return rc;
				break;
			}
			if (rc < 0 || rc == SKIPPED)
				return rc;
			break;  /* back to an offset */
		}
	}
}

static int send_file(struct zs *s, const char *path)
{
	struct xf *x = s->x;
	int64_t size, mtime;
	unsigned mode;
	const char *base;
	uint64_t pos = 0;
	int rc;

	if ((rc = xf_file_open_send(path, &s->fd, &size, &mtime, &mode, &base)) < 0) {
		xf_send_cancel(x);
		return rc;
	}
	xf_file_begin(x, base, path, size, mtime, mode);
	s->block_at = s->block_len = 0;
	s->block_eof = 0;
	s->rpos_at = UINT64_MAX;
	s->rpos_same = 0;
	rc = offer(s, base, &pos);
	if (rc == HS_OK && size >= 0 && pos > (uint64_t)size) {
		xf_send_cancel(x);
		rc = xf_fail(x, HS_ERR_PROTOCOL,
			     "the receiver asked for %s from offset %llu, past its end (%lld bytes)",
			     base, (unsigned long long)pos, (long long)size);
	}
	if (rc == HS_OK) {
		x->file.offset = pos;
		s->txpos = s->sent_max = pos;
		confirm(s, pos);
		rc = stream(s);
	}
	close(s->fd);
	if (rc == SKIPPED) {
		rc = HS_OK;
		x->file.status = HS_ERR_EXISTS;
		snprintf(x->message, sizeof(x->message),
			 "the receiver skipped it (ZSKIP) after %llu bytes",
			 (unsigned long long)x->file.bytes);
		if (s->status == HS_OK)
			s->status = HS_ERR_EXISTS;
		s->skipped++;
	} else if (rc == DONE) {
		rc = HS_OK;
	}
	if (rc < 0) {
		x->file.status = rc;
		hs_fail(rc, "%s", xf_error_text(x, rc, x->message, sizeof(x->message)));
	}
	s->done_before += x->file.bytes;
	xf_file_done(x);
	return rc;
}

/* ZFIN both ways, then "OO" (over and out). */
static int finish(struct zs *s)
{
	struct xf *x = s->x;
	enum zm_ev ev;
	int rc;

	for (int tries = 0; tries <= x->o.retries; tries++) {
		int64_t deadline = hs_deadline(x->o.timeout_ms);

		if ((rc = zm_hex(&s->z, ZM_FIN, 0)) < 0)
			return rc;
		while ((rc = zm_next(&s->z, deadline, &ev)) == HS_OK) {
			if (ev == ZM_EV_CANCEL)
				return zm_aborted(&s->z);
			if (ev == ZM_EV_HEADER && s->z.dec.hdr.type == ZM_FIN)
				return (rc = xf_write(x, "OO", 2)) < 0 ? rc : HS_OK;
			if (ev == ZM_EV_HEADER && s->z.dec.hdr.type == ZM_RINIT)
				break;
		}
		if (rc != HS_ERR_TIMEOUT)
			return rc;
		x->st.err_timeout++;
	}
	/* every file is in: a lost last word is no reason to fail */
	return HS_OK;
}

int xf_zm_send(struct xf *x, const char *const *paths, int n, struct hs_xfer_stats *stats)
{
	struct zs s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.x = x;
	s.fd = -1;
	s.blk = ZM_BLOCK;
	s.window = ZM_WINDOW;
	zm_init(&s.z, x);
	x->st.block_size = ZM_BLOCK;
	rc = get_rinit(&s);
	if (rc == HS_OK && x->o.escape_ctl)
		rc = send_sinit(&s);
	for (int i = 0; i < n && rc == HS_OK; i++)
		rc = send_file(&s, paths[i]);
	if (rc == HS_OK) {
		xf_file_begin(x, "", "", -1, -1, 0);
		rc = finish(&s);
	}
	if (rc == HS_OK && s.status != HS_OK)
		rc = hs_fail(s.status, "%s: the receiver skipped %u of the %d files (each is reported)",
			     x->dev, s.skipped, n);
	return xf_finish(x, stats, rc);
}
