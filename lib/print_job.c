/*
 * print_job.c - the job engine: send a job through a printer's link in
 * slices, paced by the link's handshake, counting exactly what the device
 * took; wait out paper-out and offline pauses the printer reports; give up
 * on a printer that takes nothing for too long with no reason given.
 *
 * Status while held: the driver's back channel, and on USB printer-class
 * links GET_PORT_STATUS too (CUPS's usb backend does not look, so its
 * jobs just stall on paper-out). Cancel sends SOFT_RESET where the link
 * has it, so the printer drops what it had of the job.
 *
 * Counting: a slice's *done is what the port accepted. On a serial port
 * part of that may still sit in the driver's output queue, so on failure
 * the queue (hs_link_pending) is subtracted and named in the message (it
 * may yet go out), and on success the job waits until the queue is
 * empty: *accepted is what surely left the host. After an unplug the
 * queue is only known as last seen, which the serial layer keeps short
 * by pacing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handshake/usb.h"
#include "clock.h"
#include "fail.h"
#include "printer_priv.h"

#define SLICE_BYTES (64 * 1024)
#define SLICE_MS 200
/* While the printer holds the job (or takes it slowly) the writes wait
 * longer, until the next thing to do (read its status, report the hold,
 * give up) or this, so a printer out of paper all night costs a wake-up
 * every second or two; a cancel is seen within it. */
#define HELD_SLICE_MS 2000
#define PROGRESS_MS 100
#define RATE_WINDOW_MS 2000
#define DEFAULT_STALL_MS 30000
#define DEFAULT_PAUSE_MS 600000
#define DEFAULT_STATUS_MS 1000
#define PORT_STATUS_MS 1000    /* GET_PORT_STATUS is answered at once */
#define RESET_MS 2000          /* SOFT_RESET on cancel */
/* A printer without a status language that holds the handshake looks the
 * same whether its buffer is full, its paper out or it is off line: say
 * so once it has lasted longer than a busy printer's normal pauses. */
#define HELD_REPORT_MS 2000
/* Reasons a printer stops taking bytes that are worth waiting out. */
#define PAUSE_FLAGS (HS_PST_PAPER_OUT | HS_PST_OFFLINE | HS_PST_COVER_OPEN | HS_PST_PAUSED)

struct job {
	struct hs_printer *p;
	const struct hs_print_opts *o;
	struct hs_print_opts defaults;
	size_t accepted, total;
	int64_t last_taken;      /* when the printer last took a byte */
	int64_t paused_since;    /* when a reported pause began, or 0 */
	int64_t last_status;     /* when we last looked at status */
	int64_t last_progress;   /* when progress was last reported */
	int64_t rate_t0;         /* start of the rate window */
	size_t rate_b0;          /* accepted at rate_t0 */
	double rate;
	unsigned reported_flags; /* the status flags last reported */
	struct hs_printer_status port; /* GET_PORT_STATUS while held */
	int no_port;             /* the link or printer has no port status */
	int held_reported;       /* said busy for a hold with no reason */
	int slow;                /* the last write ran to its deadline: the
				  * printer holds the job or takes it slowly */
};

static void job_init(struct job *j, struct hs_printer *p, const struct hs_print_opts *o)
{
	memset(j, 0, sizeof(*j));
	j->p = p;
	if (o)
		j->defaults = *o;
	o = &j->defaults;
	if (o->stall_timeout_ms <= 0)
		j->defaults.stall_timeout_ms = DEFAULT_STALL_MS;
	if (o->pause_timeout_ms <= 0)
		j->defaults.pause_timeout_ms = DEFAULT_PAUSE_MS;
	if (o->status_interval_ms <= 0)
		j->defaults.status_interval_ms = DEFAULT_STATUS_MS;
	j->o = &j->defaults;
	j->accepted = o->resume_at;
	j->last_taken = j->last_progress = j->rate_t0 = j->last_status = hs_now_ms();
	j->rate_b0 = j->accepted;
	p->backchannel = j->o->backchannel;
	p->backchannel_ctx = j->o->ctx;
}

static void report_progress(struct job *j, int force)
{
	int64_t now = hs_now_ms();
	struct hs_print_progress pr;

	if (!j->o->progress || (!force && now - j->last_progress < PROGRESS_MS))
		return;
	if (now - j->rate_t0 >= RATE_WINDOW_MS / 4) {
		j->rate = (double)(j->accepted - j->rate_b0) * 1000.0 / (double)(now - j->rate_t0);
		if (now - j->rate_t0 >= RATE_WINDOW_MS) {
			j->rate_t0 = now;
			j->rate_b0 = j->accepted;
		}
	}
	pr.accepted = j->accepted;
	pr.total = j->total;
	pr.rate = j->rate;
	pr.eta_s = j->total && j->rate > 0 ? (double)(j->total - j->accepted) / j->rate : -1;
	j->last_progress = now;
	j->o->progress(j->o->ctx, &pr);
}

static const char *path_of(struct job *j)
{
	return hs_link_info(j->p->link)->path;
}

/* What the port still holds has not reached the printer: uncount it, and
 * say how much that was. */
static size_t uncount_queued(struct job *j)
{
	int pending = hs_link_pending(j->p->link);
	size_t sent = j->accepted - j->o->resume_at, n;

	if (pending <= 0)
		return 0;
	n = (size_t)pending < sent ? (size_t)pending : sent;
	j->accepted -= n;
	return n;
}

/* Is the count a device server's? It took the bytes for the printer
 * behind it, and what it still held when the job failed (its own
 * buffers, its port's queue) may never get there: the printer got at
 * most the count. */
static int by_server(struct job *j)
{
	const struct hs_link_info *in = hs_link_info(j->p->link);

	return in->transport == HS_TRANSPORT_TCP || in->transport == HS_TRANSPORT_RFC2217;
}

/* Who the count is of: the printer, or the device server. */
static const char *who_took(struct job *j, char *buf, size_t cap)
{
	if (!by_server(j))
		return "the printer";
	snprintf(buf, cap, "the server at %s", hs_link_info(j->p->link)->name);
	return buf;
}

/* End the job with rc: the message says why, then how far it got. What
 * sat in the port's queue is not counted, whatever ended the job: after
 * an unplug it is lost with the device as last seen, and a port given up
 * on may still send it (a UART's FIFO, a USB adapter's buffer are past
 * any flush), so the printer got at least the count and at most the
 * queue more. The message says both: a resume at the count may repeat
 * some bytes but never drops any. */
static int failed(struct job *j, int rc, const char *why)
{
	char text[512], total[48] = "", more[128] = "", by[96];
	size_t queued;

	/* why may be hs_last_error()'s buffer, which the next failure reuses */
	snprintf(text, sizeof(text), "%s", why);
	queued = uncount_queued(j);

	if (j->total)
		snprintf(total, sizeof(total), " of %zu", j->total);
	if (queued)
		snprintf(more, sizeof(more),
			 " (%zu more were in the port's queue %s: up to that many may have reached it)",
			 queued, rc == HS_ERR_UNPLUGGED ? "when it went away" : "at the end");
	return hs_fail(rc, "%s; %s accepted %zu%s bytes%s%s", text, who_took(j, by, sizeof(by)),
		       j->accepted, total, more, by_server(j)
		       ? "; it may not have passed them all on to the printer" : "");
}

/* The printer's own words win when they give a reason to wait; else the
 * port status byte, which only USB printer-class links have. */
static const struct hs_printer_status *reason(struct job *j)
{
	const struct hs_printer_status *st = &j->p->last;

	if (st->known && (st->flags & PAUSE_FLAGS))
		return st;
	if (j->port.known && (j->port.flags & PAUSE_FLAGS))
		return &j->port;
	return st;
}

/* How a printer that says nothing has held up the job for secs: "held
 * the output (xonxoff) for 2 s", or "took no byte for 2 s" without a
 * handshake. */
static const char *hold_text(struct job *j, int secs, char *buf, size_t cap)
{
	struct hs_line line;

	hs_link_get_line(j->p->link, &line);
	if (line.flow != HS_FLOW_NONE)
		snprintf(buf, cap, "held the output (%s) for %d s", hs_flow_name(line.flow), secs);
	else
		snprintf(buf, cap, "took no byte for %d s", secs);
	return buf;
}

/* The printer took nothing this slice: is it a pause we wait out? */
static int held(struct job *j)
{
	int64_t now = hs_now_ms();
	const struct hs_printer_status *st;
	char why[256], flags[96], hold[96];
	int rc;

	if (now - j->last_status >= j->o->status_interval_ms) {
		j->last_status = now;
		if ((rc = hs_printer_read_status(j->p, 0)) < 0)
			return failed(j, rc, hs_last_error());
		/* A printer that stalls the request is asked once per job, not
		 * at every poll; one slow answer is only a missed poll. */
		rc = j->no_port ? HS_ERR_NOT_SUPPORTED
				: hs_printer_port_status(j->p, &j->port, PORT_STATUS_MS);
		if (rc == HS_ERR_NOT_SUPPORTED)
			j->no_port = 1;
		else if (rc < 0 && rc != HS_ERR_TIMEOUT)
			return failed(j, rc, hs_last_error());
	}
	st = reason(j);
	if (st->known && (st->flags & PAUSE_FLAGS)) {
		if (st->flags != j->reported_flags && j->o->status)
			j->o->status(j->o->ctx, st);
		j->reported_flags = st->flags;
		if (!j->paused_since)
			j->paused_since = now;
		if (now - j->paused_since < j->o->pause_timeout_ms)
			return HS_OK;
		snprintf(why, sizeof(why), "%s: %s for %d s", path_of(j),
			 hs_printer_flags_text(st->flags, flags, sizeof(flags)),
			 j->o->pause_timeout_ms / 1000);
		return failed(j, HS_ERR_STALL, why);
	}
	if (now - j->last_taken >= HELD_REPORT_MS && !j->held_reported && j->o->status) {
		struct hs_printer_status busy = { .known = 1, .flags = HS_PST_BUSY, .code = -1 };
		snprintf(busy.detail, sizeof(busy.detail),
			 "%s without saying why: out of paper, off line or slow?",
			 hold_text(j, (int)((now - j->last_taken) / 1000), hold, sizeof(hold)));
		j->o->status(j->o->ctx, &busy);
		j->held_reported = 1;
	}
	if (now - j->last_taken < j->o->stall_timeout_ms)
		return HS_OK;
	snprintf(why, sizeof(why), "%s %s and gave no reason", path_of(j),
		 hold_text(j, j->o->stall_timeout_ms / 1000, hold, sizeof(hold)));
	return failed(j, HS_ERR_STALL, why);
}

/* Stop on the caller's word. A USB printer is told to drop what it has
 * buffered (SOFT_RESET), so a canceled job does not go on printing; the
 * count stays what the printer took, reset or not. */
static int canceled(struct job *j)
{
	char why[256];
	int rc;

	if (hs_link_info(j->p->link)->transport != HS_TRANSPORT_USB)
		return failed(j, HS_ERR_CANCELED, "job canceled");
	rc = hs_link_soft_reset(j->p->link, RESET_MS);
	if (rc < 0)
		snprintf(why, sizeof(why), "job canceled; resetting the printer failed: %s",
			 hs_last_error());
	else
		snprintf(why, sizeof(why), "job canceled; %s was reset (SOFT_RESET)", path_of(j));
	return failed(j, HS_ERR_CANCELED, why);
}

/* How long the next write may wait: a slice while the printer keeps up;
 * while it holds the job or takes it more slowly than a slice's worth,
 * until the next status look, report or deadline of held(), between
 * SLICE_MS and HELD_SLICE_MS (each slice that ends costs a wake-up, and
 * on USB a cancelled and resubmitted transfer). */
static int slice_ms(struct job *j)
{
	int64_t now = hs_now_ms(), next;

	if (!j->slow)
		return SLICE_MS;
	next = now + HELD_SLICE_MS;
	if (hs_printer_reads_back(j->p) || !j->no_port)
		next = j->last_status + j->o->status_interval_ms;
	if (!j->held_reported && j->last_taken + HELD_REPORT_MS < next)
		next = j->last_taken + HELD_REPORT_MS;
	if (j->last_taken + j->o->stall_timeout_ms < next)
		next = j->last_taken + j->o->stall_timeout_ms;
	if (j->paused_since && j->paused_since + j->o->pause_timeout_ms < next)
		next = j->paused_since + j->o->pause_timeout_ms;
	next -= now;
	return next < SLICE_MS ? SLICE_MS : next > HELD_SLICE_MS ? HELD_SLICE_MS : (int)next;
}

/* Send n bytes that are part of the job (counted). */
static int job_send(struct job *j, const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		size_t slice = n - off < SLICE_BYTES ? n - off : SLICE_BYTES, done = 0;
		int rc;

		if (j->o->cancel && *j->o->cancel)
			return canceled(j);
		rc = hs_link_write(j->p->link, buf + off, slice, slice_ms(j), &done);
		off += done;
		j->accepted += done;
		j->slow = rc != HS_OK;
		if (done && j->p->backchannel &&
		    hs_now_ms() - j->last_status >= j->o->status_interval_ms) {
			/* Pass on what the printer says while it takes the job,
			 * not only when it stops. */
			int back = hs_printer_read_status(j->p, 0);
			j->last_status = hs_now_ms();
			if (back < 0)
				return failed(j, back, hs_last_error());
		}
		if (done) {
			j->last_taken = hs_now_ms();
			if ((j->paused_since || j->held_reported) && j->o->status) {
				/* Going again: say so once. */
				struct hs_printer_status ready = { .known = 1, .code = -1 };
				snprintf(ready.detail, sizeof(ready.detail), "printing again");
				j->o->status(j->o->ctx, &ready);
			}
			j->paused_since = 0;
			j->held_reported = 0;
			j->reported_flags = 0;
			j->port.known = 0; /* taking bytes: that status is old */
			report_progress(j, 0);
		}
		if (rc == HS_OK)
			continue;
		if (rc == HS_ERR_STALL || rc == HS_ERR_TIMEOUT) {
			if ((rc = held(j)) < 0)
				return rc;
			continue;
		}
		return failed(j, rc, hs_last_error());
	}
	return HS_OK;
}

/* Driver bytes around the job: not counted, but must get through. */
static int send_wrapper(struct job *j, const struct hs_bytes *b)
{
	size_t counted = j->accepted;
	int rc;

	if (!b->len)
		return HS_OK;
	rc = job_send(j, b->data, b->len);
	j->accepted = counted;
	return rc;
}

static int job_finish(struct job *j)
{
	int rc = send_wrapper(j, &j->p->drv->job_end);

	if (rc == HS_OK)
		rc = hs_link_drain(j->p->link, j->o->stall_timeout_ms);
	if (rc == HS_ERR_TIMEOUT)
		return failed(j, HS_ERR_STALL, hs_last_error());
	if (rc < 0)
		return failed(j, rc, hs_last_error());
	/* The printer's last words (an end-of-job status) go on too. */
	if (j->p->backchannel)
		hs_printer_read_status(j->p, 0);
	/* Some printers keep stale data after a job (printer_quirks.c). */
	if ((j->p->quirks & HS_PQ_RESET_AFTER_JOB) &&
	    (rc = hs_link_soft_reset(j->p->link, RESET_MS)) < 0 && rc != HS_ERR_NOT_SUPPORTED)
		return failed(j, rc, hs_last_error());
	report_progress(j, 1);
	return HS_OK;
}

/* A resume offset beyond the job: a mistake in the offset, not a job to
 * finish later (callers offer no resume for HS_ERR_ARG). */
static int past_the_end(size_t resume_at, size_t size)
{
	return hs_fail(HS_ERR_ARG, "resume offset %zu is past the end of the %zu-byte job",
		       resume_at, size);
}

int hs_printer_print(struct hs_printer *p, const void *buf, size_t len,
		     const struct hs_print_opts *o, size_t *accepted)
{
	struct job j;
	size_t ignored;
	int rc;

	if (!accepted)
		accepted = &ignored;
	*accepted = o ? o->resume_at : 0;
	if (!p || (!buf && len))
		return hs_fail(HS_ERR_ARG, "hs_printer_print: no printer or no job");
	if (o && o->resume_at > len)
		return past_the_end(o->resume_at, len);
	job_init(&j, p, o);
	j.total = len;
	rc = send_wrapper(&j, &p->drv->job_begin);
	if (rc == HS_OK)
		rc = job_send(&j, (const char *)buf + j.accepted, len - j.accepted);
	if (rc == HS_OK)
		rc = job_finish(&j);
	*accepted = j.accepted;
	p->backchannel = NULL;
	return rc;
}

int hs_printer_print_fd(struct hs_printer *p, int fd, const struct hs_print_opts *o,
			size_t *accepted)
{
	char *buf;
	struct job j;
	struct stat st;
	size_t skip, ignored;
	int rc;

	if (!accepted)
		accepted = &ignored;
	*accepted = o ? o->resume_at : 0;
	if (!p || fd < 0)
		return hs_fail(HS_ERR_ARG, "hs_printer_print_fd: no printer or no file");
	if (!(buf = malloc(SLICE_BYTES)))
		return hs_fail(HS_ERR_NOMEM, "out of memory");
	job_init(&j, p, o);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		j.total = (size_t)st.st_size;
	skip = j.accepted;
	if (j.total && skip > j.total) {
		free(buf);
		p->backchannel = NULL;
		return past_the_end(skip, j.total);
	}
	rc = send_wrapper(&j, &p->drv->job_begin);
	while (rc == HS_OK) {
		ssize_t n = read(fd, buf, SLICE_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			char why[128];
			snprintf(why, sizeof(why), "reading the job: %s", strerror(errno));
			rc = failed(&j, HS_ERR_IO, why);
			break;
		}
		if (n == 0)
			break;
		size_t from = skip < (size_t)n ? skip : (size_t)n;
		skip -= from;
		rc = job_send(&j, buf + from, (size_t)n - from);
	}
	if (rc == HS_OK && skip) {
		/* Only a pipe's end shows this, after the job was begun: end
		 * it, so the printer is not left inside a job. */
		rc = send_wrapper(&j, &p->drv->job_end);
		if (rc == HS_OK)
			rc = hs_link_drain(p->link, j.o->stall_timeout_ms);
		rc = rc < 0 ? rc : past_the_end(o->resume_at, o->resume_at - skip);
	}
	if (rc == HS_OK)
		rc = job_finish(&j);
	*accepted = j.accepted;
	p->backchannel = NULL;
	free(buf);
	return rc;
}
