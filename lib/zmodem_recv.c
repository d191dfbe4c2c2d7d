/*
 * zmodem_recv.c - the ZMODEM receiver.
 *
 * It says ZRINIT (CRC-32, full duplex, escape control bytes if asked)
 * until the sender offers a file (ZFILE). A name the YMODEM check
 * refuses, or a file that exists, is skipped (ZSKIP); a file to resume
 * (resume, or the sender's ZCRESUM) has its existing part checked with
 * the sender (ZCRC) and continues at its length; else it is created and
 * asked for from 0 (ZRPOS). Data is written as each subpacket's CRC
 * checks out; a damaged one, a timeout, or data at an offset not asked
 * for is answered with ZRPOS at the last good byte, and everything up
 * to the sender's next header is dropped, so no byte is written twice.
 * ZEOF at our length ends the file (ZRINIT again); ZFIN ends the
 * session.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "zmodem_priv.h"

/* After ZFIN, the sender's "OO" is read (so a terminal does not show
 * it) for at most this long. */
#define ZM_OO_MS 500
/* A sender that does not answer ZCRC in this many tries does not know
 * it: the part we have is taken by its length. */
#define ZM_CRC_TRIES 2

struct zr {
	struct zm z;
	struct xf *x;
	const char *dir;
	int fd;                /* the file being received, or -1 */
	int in_data;           /* subpackets of a ZDATA frame are coming */
	uint64_t offset;       /* bytes of the file we have */
	int errors;            /* failures in a row, without progress */
	int heard;             /* anything came from the sender */
	int asked;             /* ZRINITs sent before it was heard */
	int status;            /* the first refusal or mismatch */
	unsigned problems;
	uint8_t info[ZM_SUB_MAX + 1];
	uint8_t block[4096];
	/* data taken, not written yet: a write a subpacket would cost as
	 * much as the rest of receiving it. Written before every ZACK and
	 * at the end, and only then counted. */
	uint8_t wbuf[32 * 1024];
	size_t wlen;
};

/* Write what is held; count it. */
static int flush_data(struct zr *r)
{
	struct xf *x = r->x;
	int rc;

	if (!r->wlen)
		return HS_OK;
	rc = xf_file_write(r->fd, r->wbuf, r->wlen, x->path);
	if (rc == HS_OK) {
		x->file.bytes += r->wlen;
		x->st.bytes += r->wlen;
	}
	r->wlen = 0;
	return rc;
}

static int rinit(struct zr *r)
{
	uint8_t f0 = ZM_CANFDX | ZM_CANOVIO | ZM_CANFC32;
	struct zm_hdr h;

	if (r->x->o.escape_ctl)
		f0 |= ZM_ESCCTL;
	h = hs_zm_flags_hdr(ZM_RINIT, f0, 0, 0, 0);
	if (!r->heard)
		r->asked++;
	return zm_hex_hdr(&r->z, &h);
}

/* Ask for the data from our offset again, dropping all up to the next
 * header. */
static int rpos(struct zr *r)
{
	r->in_data = 0;
	hs_zm_dec_hunt(&r->z.dec);
	return zm_hex(&r->z, ZM_RPOS, (uint32_t)r->offset);
}

/* One more failure without progress: too many end the transfer. */
static int failed(struct zr *r, const char *what)
{
	struct xf *x = r->x;

	if (++r->errors <= x->o.retries)
		return HS_OK;
	if (!r->heard)
		return xf_cancel_fail(r->x, HS_ERR_TIMEOUT,
				   "the sender never started: sent ZRINIT %d times over %d s",
				   r->asked, (x->o.retries + 1) * x->o.start_ms / 1000);
	if (r->fd >= 0)
		return xf_cancel_fail(r->x, strcmp(what, "a timeout") == 0 ? HS_ERR_TIMEOUT : HS_ERR_RETRIES,
				   "%s: no good data at offset %llu in %d tries, the last with %s",
				   x->name, (unsigned long long)r->offset, r->errors, what);
	return xf_cancel_fail(r->x, strcmp(what, "a timeout") == 0 ? HS_ERR_TIMEOUT : HS_ERR_RETRIES,
			   "the sender said nothing usable in %d tries, the last with %s", r->errors,
			   what);
}

/* The next event, within the deadline. */
static int next(struct zr *r, int ms, enum zm_ev *ev)
{
	int rc = zm_next(&r->z, hs_deadline(ms), ev);

	if (rc == HS_OK)
		r->heard = 1;
	if (rc == HS_OK && *ev == ZM_EV_CANCEL)
		return zm_aborted(&r->z);
	return rc;
}

/* The subpacket that follows a ZFILE or ZSINIT header: HS_OK, or
 * HS_ERR_PROTOCOL when it came damaged or not at all (the caller asks
 * again). */
static int header_data(struct zr *r)
{
	enum zm_ev ev;
	int rc;

	hs_zm_dec_data(&r->z.dec);
	rc = next(r, XF_GAP_MS + r->x->o.timeout_ms / 10, &ev);
	if (rc == HS_ERR_TIMEOUT || (rc == HS_OK && ev != ZM_EV_DATA)) {
		r->x->st.err_crc++;
		hs_zm_dec_hunt(&r->z.dec);
		return HS_ERR_PROTOCOL;
	}
	return rc;
}

/* The sender's CRC-32 of the first n bytes of the file (ZCRC): HS_OK
 * and *crc, or HS_ERR_TIMEOUT when it does not say. */
static int ask_crc(struct zr *r, uint64_t n, uint32_t *crc)
{
	enum zm_ev ev;
	int rc;

	for (int tries = 0; tries < ZM_CRC_TRIES; tries++) {
		int64_t deadline = hs_deadline(r->x->o.timeout_ms);

		if ((rc = zm_hex(&r->z, ZM_CRC, (uint32_t)n)) < 0)
			return rc;
		while (hs_remaining(deadline) > 0) {
			if ((rc = next(r, hs_remaining(deadline), &ev)) == HS_ERR_TIMEOUT)
				break;
			if (rc < 0)
				return rc;
			if (ev == ZM_EV_HEADER && r->z.dec.hdr.type == ZM_CRC) {
				*crc = hs_zm_pos(&r->z.dec.hdr);
				return HS_OK;
			}
		}
	}
	return HS_ERR_TIMEOUT;
}

/* CRC-32 of our file's first n bytes. */
static int local_crc(struct zr *r, uint64_t n, uint32_t *crc)
{
	uint64_t at = 0;

	*crc = 0;
	while (at < n) {
		size_t want = n - at > sizeof(r->block) ? sizeof(r->block) : (size_t)(n - at);
		ssize_t k = pread(r->fd, r->block, want, (off_t)at);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return hs_fail(HS_ERR_FILE, "cannot read %s: %s", r->x->path,
				       k < 0 ? strerror(errno) : "it got shorter");
		*crc = hs_zm_crc32(*crc, r->block, (size_t)k);
		at += (uint64_t)k;
	}
	return HS_OK;
}

/* A file we do not take: say why, skip it. */
static int refuse(struct zr *r, int code)
{
	struct xf *x = r->x;

	x->file.status = code;
	if (r->status == HS_OK)
		r->status = code;
	r->problems++;
	xf_file_done(x);
	return zm_hex(&r->z, ZM_SKIP, 0);
}

/* An existing part of the file to continue (crash recovery): HS_OK to
 * go on at r->offset, 1 when the file was refused. */
static int resume(struct zr *r, int64_t have)
{
	struct xf *x = r->x;
	uint32_t theirs, ours;
	int rc;

	if (have == 0) {
		r->offset = 0;
		return HS_OK;
	}
	if (x->file.size >= 0 && have > x->file.size) {
		snprintf(x->message, sizeof(x->message),
			 "%.300s has %lld bytes, more than the %lld offered; not resumed", x->path,
			 (long long)have, (long long)x->file.size);
		return 1;
	}
	rc = ask_crc(r, (uint64_t)have, &theirs);
	if (rc == HS_ERR_TIMEOUT) {
		/* the sender cannot say: the length is all we have */
		r->offset = (uint64_t)have;
		return HS_OK;
	}
	if (rc < 0)
		return rc;
	if ((rc = local_crc(r, (uint64_t)have, &ours)) < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", hs_last_error());
		return xf_cancel_fail(r->x, rc, "%s", why);
	}
	if (theirs == ours) {
		r->offset = (uint64_t)have;
		return HS_OK;
	}
	if (x->o.overwrite) {
		if (ftruncate(r->fd, 0) != 0)
			return xf_cancel_fail(r->x, HS_ERR_FILE, "cannot write %s: %s", x->path,
					   strerror(errno));
		r->offset = 0;
		return HS_OK;
	}
	snprintf(x->message, sizeof(x->message),
		 "the first %lld bytes of %.300s differ from the sender's; not resumed (overwrite replaces it)",
		 (long long)have, x->path);
	return 1;
}

/* ZFILE and its information: open the file, or skip it. */
static int begin_file(struct zr *r, int conversion)
{
	struct xf *x = r->x;
	struct hs_ym_header h;
	char esc[HS_XFER_NAME_MAX * 4 + 1];
	const char *why;
	int64_t have = -1;
	int rc, ok, fd;

	if (r->z.dec.len == 0 || r->z.dec.data[0] == 0)
		return xf_cancel_fail(r->x, HS_ERR_PROTOCOL, "the file information (ZFILE) has no name");
	ok = hs_ym_header_parse(r->z.dec.data, r->z.dec.len, &h, &why);
	if (ok == HS_ERR_PROTOCOL)
		return xf_cancel_fail(r->x, ok, "the file information (ZFILE) is garbled: %s", why);
	xf_file_begin(x, h.name, "", h.size, h.mtime, h.mode);
	x->file.offset = 0;
	if (h.size > 0)
		x->st.total += (uint64_t)h.size;
	if (ok != HS_OK) {
		snprintf(x->message, sizeof(x->message),
			 "refused the file name \"%s\": %s; skipped",
			 hs_xfer_printable(h.name, esc, sizeof(esc)), why);
		return refuse(r, ok);
	}
	r->offset = 0;
	fd = -1;
	if (x->o.resume || conversion == ZM_CRESUM) {
		fd = xf_file_reopen(r->dir, h.name, x->path, sizeof(x->path), &have);
		if (fd < -1) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", hs_last_error());
			return xf_cancel_fail(r->x, fd, "%s", msg);
		}
	}
	if (fd >= 0) {
		r->fd = fd;
		if ((rc = resume(r, have)) != HS_OK) {
			close(fd);
			r->fd = -1;
			return rc < 0 ? rc : refuse(r, HS_ERR_EXISTS);
		}
	} else {
		fd = xf_file_create(r->dir, h.name, x->o.overwrite, x->path, sizeof(x->path));
		if (fd == HS_ERR_EXISTS) {
			snprintf(x->message, sizeof(x->message), "%s; skipped%s", hs_last_error(),
				 " (resume continues it)");
			x->path[0] = 0;
			return refuse(r, fd);
		}
		if (fd < 0) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", hs_last_error());
			return xf_cancel_fail(r->x, fd, "%s", msg);
		}
		r->fd = fd;
	}
	if (lseek(r->fd, (off_t)r->offset, SEEK_SET) < 0)
		return xf_cancel_fail(r->x, HS_ERR_FILE, "cannot write %s: %s", x->path, strerror(errno));
	x->file.offset = r->offset;
	r->errors = 0;
	xf_progress(x);
	return rpos(r);
}

/* ZEOF at our offset: the file is in. Check its length against the
 * offer, stamp it, report it. */
static int end_file(struct zr *r)
{
	struct xf *x = r->x;
	int rc = flush_data(r);

	if (rc < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", hs_last_error());
		return xf_cancel_fail(r->x, rc, "%s", why);
	}
	if (x->file.size >= 0 && (uint64_t)x->file.size != r->offset) {
		x->file.status = HS_ERR_PROTOCOL;
		snprintf(x->message, sizeof(x->message),
			 "the sender announced %lld bytes but sent %llu; kept",
			 (long long)x->file.size, (unsigned long long)r->offset);
		if (r->status == HS_OK)
			r->status = HS_ERR_PROTOCOL;
		r->problems++;
	}
	xf_file_stamp(r->fd, x->file.mtime, x->file.mode);
	if (close(r->fd) != 0)
		rc = xf_cancel_fail(r->x, HS_ERR_FILE, "cannot write %s: %s", x->path, strerror(errno));
	r->fd = -1;
	if (rc < 0)
		x->file.status = rc;
	xf_file_done(x);
	return rc;
}

/* A good subpacket of file data: write it, and answer what its end
 * asks for. */
static int take_data(struct zr *r)
{
	struct xf *x = r->x;
	struct zm_dec *d = &r->z.dec;
	int rc = HS_OK;

	if (r->wlen + d->len > sizeof(r->wbuf))
		rc = flush_data(r);
	if (rc == HS_OK) {
		memcpy(r->wbuf + r->wlen, d->data, d->len);
		r->wlen += d->len;
		if (d->end == ZM_CRCW || d->end == ZM_CRCQ)
			rc = flush_data(r);
	}
	if (rc < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", hs_last_error());
		return xf_cancel_fail(r->x, rc, "%s", why);
	}
	r->offset += d->len;
	x->st.blocks++;
	r->errors = 0;
	xf_progress(x);
	if (d->end == ZM_CRCE || d->end == ZM_CRCW)
		r->in_data = 0;
	if (d->end == ZM_CRCW || d->end == ZM_CRCQ)
		return zm_hex(&r->z, ZM_ACK, (uint32_t)r->offset);
	return HS_OK;
}

/* After ZFIN: ours, and the sender's "OO" read, briefly, a byte at a
 * time: what follows it on the line is not ours to take (a terminal
 * shows it). */
static int finish(struct zr *r)
{
	struct xf *x = r->x;
	int64_t deadline = hs_deadline(ZM_OO_MS);
	int rc, o = 0;

	if ((rc = zm_hex(&r->z, ZM_FIN, 0)) < 0)
		return rc;
	while (o < 2 && x->in_pos < x->in_len)
		o = x->in[x->in_pos++] == 'O' ? o + 1 : 0;
	while (o < 2 && hs_remaining(deadline) > 0) {
		uint8_t c;
		if (hs_link_read(x->link, &c, 1, hs_remaining(deadline)) != 1)
			break;
		o = c == 'O' ? o + 1 : 0;
	}
	return HS_OK;
}

static int on_header(struct zr *r)
{
	struct xf *x = r->x;
	struct zm_hdr h = r->z.dec.hdr;
	uint64_t pos = hs_zm_pos(&h);
	int rc;

	switch (h.type) {
	case ZM_RQINIT:
		return r->fd >= 0 ? HS_OK : rinit(r);
	case ZM_SINIT:
		if (header_data(r) < 0)
			return zm_hex(&r->z, ZM_NAK, 0);
		if (h.b[ZM_F0] & ZM_TESCCTL)
			r->z.esc |= ZM_ESC_CTL;
		return zm_hex(&r->z, ZM_ACK, 0);
	case ZM_FILE:
		if (r->fd >= 0)
			return rpos(r);  /* it missed our ZRPOS */
		if ((rc = header_data(r)) == HS_ERR_PROTOCOL)
			return (rc = failed(r, "damaged file information")) < 0 ? rc :
			       zm_hex(&r->z, ZM_NAK, 0);
		return rc < 0 ? rc : begin_file(r, h.b[ZM_F0]);
	case ZM_DATA:
		if (r->fd < 0)
			return rinit(r);
		if (pos != r->offset) {
			x->st.err_sequence++;
			if ((rc = failed(r, "data at an offset not asked for")) < 0)
				return rc;
			return rpos(r);
		}
		r->in_data = 1;
		hs_zm_dec_data(&r->z.dec);
		return HS_OK;
	case ZM_EOF:
		if (r->fd < 0)
			return rinit(r);  /* it missed our ZRINIT */
		if (pos != r->offset)
			return rpos(r);
		if ((rc = end_file(r)) < 0)
			return rc;
		return rinit(r);
	case ZM_FIN:
		if ((rc = finish(r)) < 0)
			return rc;
		return 1;
	case ZM_CHALLENGE:
		return zm_hex(&r->z, ZM_ACK, pos);
	case ZM_COMMAND:
		/* a peer does not run commands here */
		return xf_cancel_fail(r->x, HS_ERR_PROTOCOL, "the sender asked to run a command (ZCOMMAND); refused");
	default:
		return HS_OK;
	}
}

static int session(struct zr *r)
{
	struct xf *x = r->x;
	int rc;

	if ((rc = rinit(r)) < 0)
		return rc;
	for (;;) {
		enum zm_ev ev;
		int ms = !r->heard ? x->o.start_ms : x->o.timeout_ms;

		if (xf_canceled(x))
			return xf_fail(x, HS_ERR_CANCELED, "canceled");
		rc = next(r, ms, &ev);
		if (rc == HS_ERR_TIMEOUT) {
			x->st.err_timeout++;
			if ((rc = failed(r, "a timeout")) < 0)
				return rc;
			rc = r->fd >= 0 ? rpos(r) : rinit(r);
			if (rc < 0)
				return rc;
			continue;
		}
		if (rc < 0)
			return rc;
		switch (ev) {
		case ZM_EV_DATA:
			rc = r->in_data ? take_data(r) : HS_OK;
			break;
		case ZM_EV_BAD_DATA:
		case ZM_EV_BAD_HEADER:
			if (ev == ZM_EV_BAD_DATA || !strstr(r->z.dec.why, "hex"))
				x->st.err_crc++;
			else
				x->st.err_garbage++;
			x->st.retries++;
			xf_progress(x);
			if ((rc = failed(r, r->z.dec.why)) < 0)
				return rc;
			rc = r->fd >= 0 ? rpos(r) : HS_OK;
			break;
		case ZM_EV_HEADER:
			rc = on_header(r);
			break;
		default:
			rc = HS_OK;
		}
		if (rc < 0 || rc == 1)
			return rc < 0 ? rc : HS_OK;
	}
}

int xf_zm_receive(struct xf *x, const char *dir, struct hs_xfer_stats *stats)
{
	struct zr r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.x = x;
	r.dir = dir;
	r.fd = -1;
	zm_init(&r.z, x);
	x->st.crc = 2;
	x->st.block_size = ZM_BLOCK;
	rc = session(&r);
	if (r.fd >= 0) {
		/* cut off mid-file: what was written stays, for a resume;
		 * what was held is good data, written too */
		flush_data(&r);
		x->file.status = rc;
		hs_fail(rc, "%s", xf_error_text(x, rc, x->message, sizeof(x->message)));
		close(r.fd);
		xf_file_done(x);
	}
	if (rc == HS_OK && r.status != HS_OK)
		rc = hs_fail(r.status, "%s: %u of the %u files were refused or did not match their length (each is reported)",
			     x->dev, r.problems, x->st.files);
	return xf_finish(x, stats, rc);
}
