/*
 * xfer_recv.c - the XMODEM/YMODEM receiver.
 *
 * The receiver leads. It asks for the first block with C (CRC-16), or G
 * for YMODEM-g, or NAK for plain XMODEM, repeating every start_ms; after
 * crc_tries unanswered Cs it falls back to NAK, for senders that know
 * only checksums. Then each block is ACKed once it is written, or NAKed
 * after the line has gone quiet; duplicates (our ACK was lost) are ACKed
 * and dropped; a block out of sequence ends the transfer. The first EOT
 * is NAKed and the second ACKed, so a byte of noise that looks like EOT
 * cannot end a file early. In YMODEM-g nothing can be resent: the first
 * error cancels.
 *
 * The last block is held back until the next one or EOT comes, so that
 * with strip_sub its trailing SUBs can be dropped; YMODEM files are cut
 * to the length block 0 announced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "xfer_priv.h"

enum { GOT_BLOCK = 1, GOT_EOT = 2 };

struct rx {
	struct xf *x;
	int ymodem, g;
	int crc;                /* the check we asked for */
	int start;              /* the byte that asks for a first block */
	int contact;            /* no block came from the sender yet */
	int heard;              /* any byte came from it */
	int asked_c, asked_nak; /* start tries, for the message */
	int fd;                 /* the file written; -1: its data is dropped */
	const char *dir;        /* YMODEM: the folder */
	uint8_t frame[XM_FRAME_MAX];
	uint8_t reply[2];       /* sent before the next read */
	size_t nreply;
	uint8_t hold[1024];     /* the last block, not written yet */
	size_t nhold;
	int64_t left;           /* bytes block 0 still promises; -1 unknown */
	unsigned beyond;        /* blocks that came after the length was met */
	int status;             /* the first refusal or mismatch of a batch */
	unsigned problems;      /* files refused or short */
};

static void set_reply(struct rx *r, int a, int b)
{
	r->nreply = 0;
	if (a >= 0)
		r->reply[r->nreply++] = (uint8_t)a;
	if (b >= 0)
		r->reply[r->nreply++] = (uint8_t)b;
}

static int send_reply(struct rx *r)
{
	int rc;

	if (!r->nreply)
		return HS_OK;
	/* The sender waits for us: what came before is stale. Not while
	 * streaming, when what is pending is the next block. */
	if (!r->g && (rc = xf_drop_pending(r->x)) < 0) {
		if (rc == HS_ERR_ABORTED)
			return xf_fail(r->x, rc, "the sender canceled the transfer (CAN CAN)");
		return rc;
	}
	rc = xf_write(r->x, r->reply, r->nreply);
	if (r->nreply && r->reply[r->nreply - 1] == XM_C)
		r->asked_c++;
	else if (r->nreply && r->reply[r->nreply - 1] == XM_NAK && r->contact)
		r->asked_nak++;
	r->nreply = 0;
	return rc;
}

/* The first block can come with the other check than the one asked for
 * (we switched from C to NAK while the sender answered the C): try it. */
static enum hs_xm_parse parse_either(struct rx *r, size_t n, unsigned *seq,
				     const uint8_t **data, size_t *size)
{
	struct xf *x = r->x;
	enum hs_xm_parse p = hs_xm_block_parse(r->frame, n, r->crc, seq, data, size);
	size_t got;

	if (p != HS_XM_BAD_CHECK || !r->contact)
		return p;
	if (r->crc) {
		if (hs_xm_block_parse(r->frame, n - 1, 0, seq, data, size) == HS_XM_OK) {
			r->crc = 0;
			return HS_XM_OK;
		}
	} else if (xf_read(x, r->frame + n, 1, XF_QUIET_MS, &got) == 1 &&
		   hs_xm_block_parse(r->frame, n + 1, 1, seq, data, size) == HS_XM_OK) {
		r->crc = 1;
		return HS_XM_OK;
	}
	return p;
}

/* The byte that asks for a first block now; at the first contact, C
 * falls back to NAK after crc_tries. */
static int start_byte(struct rx *r)
{
	if (r->contact && r->start == XM_C && r->asked_c >= r->x->o.crc_tries) {
		r->start = XM_NAK;
		r->crc = 0;
	}
	return r->start;
}

static int never_started(struct rx *r, int waited_ms)
{
	xf_send_cancel(r->x);
	if (r->asked_nak)
		return xf_fail(r->x, HS_ERR_TIMEOUT,
			       "the sender never started: asked %d times with C and %d with NAK over %d s",
			       r->asked_c, r->asked_nak, waited_ms / 1000);
	return xf_fail(r->x, HS_ERR_TIMEOUT, "the sender never started: asked %d times with %s over %d s",
		       r->g ? r->asked_c + r->asked_nak + 1 : r->asked_c ? r->asked_c : r->asked_nak,
		       r->start == XM_G ? "G" : r->start == XM_C ? "C" : "NAK", waited_ms / 1000);
}

/*
 * Read block expect (mod 256). first: nothing of this file's data (or
 * header) came yet, so a timeout repeats the start byte rather than NAK.
 * Returns GOT_BLOCK with *data, *size; GOT_EOT (not ACKed yet); or an
 * error, the peer told to stop where it must be.
 */
static int get_block(struct rx *r, unsigned expect, int first, const uint8_t **data,
		     size_t *size)
{
	struct xf *x = r->x;
	int errors = 0, timeouts = 0, eots = 0, last = 0, rc;
	int64_t began = hs_now_ms();
	const char *why = "";

	for (;;) {
		int wait = first ? x->o.start_ms : x->o.timeout_ms;
		int whole = 0;         /* a damaged block came to its last byte */
		unsigned seq;
		size_t got;
		int c;

		if (xf_canceled(x))
			return xf_fail(x, HS_ERR_CANCELED, "canceled");
		if (errors > x->o.retries) {
			if (r->contact && !r->heard)
				return never_started(r, (int)(hs_now_ms() - began));
			if (timeouts == errors)
				return xf_cancel_fail(r->x, HS_ERR_TIMEOUT,
						   "the sender stopped: nothing came for block %u in %d tries of %.1f s",
						   expect, errors, wait / 1000.0);
			return xf_cancel_fail(r->x, HS_ERR_RETRIES,
					   "too many errors: block %u failed %d times, the last with %s",
					   expect, errors, why);
		}
		if ((rc = send_reply(r)) < 0)
			return rc;
		c = xf_getc(x, hs_deadline(wait));
		if (c == HS_ERR_TIMEOUT) {
			if (r->g && !first)
				return xf_cancel_fail(r->x, HS_ERR_TIMEOUT,
						   "the sender stopped: nothing came for block %u in %.1f s",
						   expect, wait / 1000.0);
			errors++;
			timeouts++;
			x->st.err_timeout++;
			why = "a timeout";
			set_reply(r, first ? start_byte(r) : XM_NAK, -1);
			continue;
		}
		if (c < 0)
			return c;
		r->heard = 1;
		if (c == XM_CAN) {
			if (last == XM_CAN)
				return xf_fail(x, HS_ERR_ABORTED,
					       "the sender canceled the transfer (CAN CAN)");
			last = c;
			continue;
		}
		last = c;
		if (c == XM_EOT && !first && eots++ == 0) {
			set_reply(r, XM_NAK, -1);
			continue;
		}
		if (c == XM_EOT)
			return GOT_EOT;
		if (c == XM_SOH || c == XM_STX) {
			size_t n = hs_xm_frame_len(c == XM_STX ? 1024 : 128, r->crc);
			enum hs_xm_parse p = HS_XM_SHORT;

			r->frame[0] = (uint8_t)c;
			rc = xf_read(x, r->frame + 1, n - 1, XF_GAP_MS, &got);
			if (rc < 0 && rc != HS_ERR_TIMEOUT)
				return rc;
			if (rc >= 0)
				p = parse_either(r, n, &seq, data, size);
			/* the sender has begun, well or not */
			r->contact = 0;
			if (p == HS_XM_OK) {
				eots = 0;
				switch (hs_xm_seq_check(seq, expect)) {
				case HS_XM_SEQ_NEXT:
					x->st.block_size = (int)*size;
					x->st.crc = r->crc;
					return GOT_BLOCK;
				case HS_XM_SEQ_DUP:
					x->st.err_sequence++;
					/* A sender whose timeout crossed our NAK sends
					 * the block twice; ACKing both would have the
					 * second ACK taken for the next block. Let the
					 * line go quiet, then ACK once. */
					if ((rc = xf_purge(x, XF_QUIET_MS)) < 0)
						return rc;
					/* a repeated block 0: ACK, and ask again */
					set_reply(r, XM_ACK, first ? r->start : -1);
					continue;
				case HS_XM_SEQ_WRONG:
					return xf_cancel_fail(r->x, HS_ERR_PROTOCOL,
							   "block %u came when %u was expected: the transfer is out of step",
							   seq, expect & 0xff);
				}
			}
			why = hs_xm_parse_text(p);
			whole = p == HS_XM_BAD_CHECK || p == HS_XM_BAD_COMPLEMENT;
			if (p == HS_XM_BAD_CHECK)
				x->st.err_crc++;
			else
				x->st.err_garbage++;
		} else {
			why = "a byte that starts no block";
			x->st.err_garbage++;
		}
		if (r->g)
			return xf_cancel_fail(r->x, HS_ERR_RETRIES,
					   "block %u came with %s, and YMODEM-g cannot resend (use ymodem on this line)",
					   expect, why);
		errors++;
		x->st.retries++;
		xf_progress(x);
		/* A block read to its end and found damaged: the sender waits
		 * for us, nothing of it is left to come. Else (garbage, a
		 * block cut short) let the line go quiet first, so the NAK is
		 * not answered by the rest of what we could not read. */
		if (!whole && (rc = xf_purge(x, XF_QUIET_MS)) < 0)
			return rc;
		last = 0;
		set_reply(r, first ? start_byte(r) : XM_NAK, -1);
	}
}

/* Write the block held back: all of it, or (strip) without its trailing
 * SUBs. A refused file's data goes nowhere and is not counted. */
static int flush_hold(struct rx *r, int strip)
{
	struct xf *x = r->x;
	size_t n = r->nhold;
	int rc;

	while (strip && n && r->hold[n - 1] == XM_SUB)
		n--;
	r->nhold = 0;
	if (r->fd < 0 || n == 0)
		return HS_OK;
	if ((rc = xf_file_write(r->fd, r->hold, n, x->path)) < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", hs_last_error());
		xf_send_cancel(x);
		return xf_fail(x, rc, "%s", why);
	}
	x->file.bytes += n;
	x->st.bytes += n;
	return HS_OK;
}

static int accept_block(struct rx *r, const uint8_t *data, size_t size)
{
	struct xf *x = r->x;
	size_t n = size;
	int rc;

	x->st.blocks++;
	if (!r->ymodem)
		x->st.protocol = !r->crc ? HS_XFER_XMODEM :
			size == 1024 || x->st.protocol == HS_XFER_XMODEM_1K ?
			HS_XFER_XMODEM_1K : HS_XFER_XMODEM_CRC;
	if (r->left == 0) {
		r->beyond++;
		return HS_OK;
	}
	if (r->left > 0 && (int64_t)n > r->left)
		n = (size_t)r->left;
	if (r->left > 0)
		r->left -= (int64_t)n;
	if ((rc = flush_hold(r, 0)) < 0)
		return rc;
	memcpy(r->hold, data, n);
	r->nhold = n;
	xf_progress(x);
	return HS_OK;
}

/* The data blocks of one file, up to its EOT (not ACKed yet). The
 * caller has set the reply that asks for the first block. */
static int receive_data(struct rx *r)
{
	unsigned expect = 1;

	for (int first = 1;; first = 0, expect++) {
		const uint8_t *data;
		size_t size;
		int rc = get_block(r, expect, first, &data, &size);

		if (rc == GOT_EOT)
			return HS_OK;
		if (rc < 0)
			return rc;
		if ((rc = accept_block(r, data, size)) < 0)
			return rc;
		if (!r->g)
			set_reply(r, XM_ACK, -1);
	}
}

/* The file is over (rc: how): write what is held, say what was done with
 * the padding, check the length, stamp and close it, report it. */
static int end_file(struct rx *r, int rc)
{
	struct xf *x = r->x;
	int known = r->ymodem && x->file.size >= 0;
	int strip = rc == HS_OK && !known && x->o.strip_sub;
	int frc = flush_hold(r, strip);

	if (rc == HS_OK)
		rc = frc;
	if (rc == HS_OK && x->file.status == HS_OK) {
		x->file.padding = known ? HS_XFER_PAD_LENGTH :
				  strip ? HS_XFER_PAD_STRIPPED : HS_XFER_PAD_KEPT;
		if (known && r->left > 0) {
			x->file.status = HS_ERR_PROTOCOL;
			snprintf(x->message, sizeof(x->message),
				 "the sender announced %lld bytes but sent %llu",
				 (long long)x->file.size, (unsigned long long)x->file.bytes);
		} else if (known && r->beyond) {
			x->file.status = HS_ERR_PROTOCOL;
			snprintf(x->message, sizeof(x->message),
				 "the sender sent %u blocks past the %lld bytes it announced; they were dropped",
				 r->beyond, (long long)x->file.size);
		}
	}
	if (r->fd >= 0) {
		if (rc == HS_OK)
			xf_file_stamp(r->fd, x->file.mtime, x->file.mode);
		if (close(r->fd) != 0 && rc == HS_OK) {
			xf_send_cancel(x);
			rc = xf_fail(x, HS_ERR_FILE, "cannot write %s: %s", x->path,
				     strerror(errno));
		}
		r->fd = -1;
	}
	if (rc < 0) {
		x->file.status = rc;
		hs_fail(rc, "%s", xf_error_text(x, rc, x->message, sizeof(x->message)));
	}
	if (x->file.status != HS_OK && r->status == HS_OK)
		r->status = x->file.status;
	if (x->file.status != HS_OK && rc == HS_OK)
		r->problems++;
	xf_file_done(x);
	return rc;
}

/* Block 0 says what comes: open it, or refuse it and drop its data. */
static int begin_file(struct rx *r, const struct hs_ym_header *h, int ok, const char *why)
{
	struct xf *x = r->x;
	char esc[HS_XFER_NAME_MAX * 4 + 1];

	xf_file_begin(x, h->name, "", h->size, h->mtime, h->mode);
	r->left = h->size;
	r->beyond = 0;
	r->nhold = 0;
	r->fd = -1;
	if (h->size > 0)
		x->st.total += (uint64_t)h->size;
	if (ok != HS_OK) {
		x->file.status = ok;
		snprintf(x->message, sizeof(x->message),
			 "refused the file name \"%s\": %s; its data is dropped",
			 hs_xfer_printable(h->name, esc, sizeof(esc)), why);
		return HS_OK;
	}
	int fd = xf_file_create(r->dir, h->name, x->o.overwrite, x->path, sizeof(x->path));
	if (fd == HS_ERR_EXISTS) {
		x->file.status = fd;
		snprintf(x->message, sizeof(x->message), "%s; its data is dropped",
			 hs_last_error());
		x->path[0] = 0;
		return HS_OK;
	}
	if (fd < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", hs_last_error());
		xf_send_cancel(x);
		return xf_fail(x, fd, "%s", msg);
	}
	r->fd = fd;
	return HS_OK;
}

static int receive_batch(struct rx *r)
{
	struct xf *x = r->x;

	set_reply(r, r->start, -1);
	for (;;) {
		struct hs_ym_header h;
		const uint8_t *data;
		const char *why;
		size_t size;
		int rc = get_block(r, 0, 1, &data, &size), ok;

		if (rc == GOT_EOT) {
			/* our ACK of the last EOT was lost */
			set_reply(r, XM_ACK, r->start);
			continue;
		}
		if (rc < 0)
			return rc;
		ok = hs_ym_header_parse(data, size, &h, &why);
		if (ok == HS_ERR_PROTOCOL) {
			xf_send_cancel(x);
			return xf_fail(x, ok, "block 0 is no YMODEM header: %s", why);
		}
		if (h.empty) {
			set_reply(r, XM_ACK, -1);
			return send_reply(r);
		}
		if ((rc = begin_file(r, &h, ok, why)) < 0)
			return rc;
		set_reply(r, XM_ACK, r->start);
		rc = end_file(r, receive_data(r));
		if (rc < 0)
			return rc;
		set_reply(r, XM_ACK, r->start);
	}
}

static int receive_one(struct rx *r, const char *dest)
{
	struct xf *x = r->x;
	int rc;

	xf_file_begin(x, "", "", -1, -1, 0);
	r->fd = xf_file_create(NULL, dest, x->o.overwrite, x->path, sizeof(x->path));
	if (r->fd < 0)
		return r->fd;
	set_reply(r, r->start, -1);
	rc = end_file(r, receive_data(r));
	if (rc < 0) {
		/* nothing came: leave no empty file we made behind */
		if (x->file.bytes == 0 && !x->o.overwrite)
			unlink(x->path);
		return rc;
	}
	set_reply(r, XM_ACK, -1);
	return send_reply(r);
}

int hs_xfer_receive(struct hs_link *link, const char *dest,
		    const struct hs_xfer_opts *opts, struct hs_xfer_stats *stats)
{
	struct xf x;
	struct rx r = { .x = &x, .fd = -1, .contact = 1, .left = -1 };
	struct stat st;
	int rc, isdir;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (!link || !dest || !*dest)
		return hs_fail(HS_ERR_ARG, "hs_xfer_receive: no link or no destination");
	xf_init(&x, link, opts, 0);
	if ((unsigned)x.o.protocol > HS_XFER_ZMODEM)
		return hs_fail(HS_ERR_ARG, "hs_xfer_receive: unknown protocol %d", x.o.protocol);
	r.ymodem = x.o.protocol == HS_XFER_YMODEM || x.o.protocol == HS_XFER_YMODEM_G ||
		   x.o.protocol == HS_XFER_ZMODEM;
	r.g = x.o.protocol == HS_XFER_YMODEM_G;
	r.start = r.g ? XM_G : x.o.protocol == HS_XFER_XMODEM ? XM_NAK : XM_C;
	r.crc = r.start != XM_NAK;
	x.st.crc = r.crc;
	isdir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
	if (r.ymodem && !isdir)
		return hs_fail(HS_ERR_FILE, "%s is not a folder: %s receives the files the sender names into one",
			       dest, x.o.protocol == HS_XFER_ZMODEM ? "ZMODEM" : "YMODEM");
	if (!r.ymodem && isdir)
		return hs_fail(HS_ERR_ARG, "%s is a folder: XMODEM sends no file name, so give one",
			       dest);
	if (x.o.protocol == HS_XFER_ZMODEM)
		return xf_zm_receive(&x, dest, stats);
	r.dir = dest;
	rc = r.ymodem ? receive_batch(&r) : receive_one(&r, dest);
	if (rc == HS_OK && r.status != HS_OK)
		rc = hs_fail(r.status, "%s: %u of the %u files were refused or did not match their length (each is reported)",
			     x.dev, r.problems, x.st.files);
	return xf_finish(&x, stats, rc);
}
