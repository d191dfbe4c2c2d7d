/*
 * rfc2217_io.c - moving bytes on an rfc2217:// link: the input pump that
 * decodes everything the server sends, read, write (escaped, held by the
 * server's FLOWCONTROL-SUSPEND and, for DTR/DSR the server does not do,
 * by its DSR notifications), and the count after a failure.
 *
 * Pacing: for DTR/DSR done here, and for print jobs (link->short_queue),
 * data goes at the line's rate, at most PACE_AHEAD_MS ahead. What the
 * server holds is then small: a job's end is not left in its buffers
 * when the connection ends, and what a held printer has not taken is
 * little more than the line's own queue.
 */
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>

#include "clock.h"
#include "fail.h"
#include "line.h"
#include "rfc2217.h"

/* Ask the server to hold its data while rx is this full, and to go on
 * once it is down to the second. */
#define RX_HIGH (HS_RFC_RX * 3 / 4)
#define RX_LOW (HS_RFC_RX / 4)
/* Pacing: at the line's rate, at most this much ahead. */
#define PACE_AHEAD_MS 40
#define PACE_MIN 8

static struct hs_rfc *rfc(struct hs_link *l)
{
	return l->priv;
}

/* Watch the socket for output only while tx holds bytes. */
static void watch(struct hs_rfc *r)
{
	uint32_t ev = EPOLLIN | (r->tx_len ? EPOLLOUT : 0);

	if (ev != r->wake_events && r->wake.epfd >= 0 && r->net.fd >= 0) {
		hs_wakefd_watch(&r->wake, r->net.fd, ev);
		r->wake_events = ev;
	}
	hs_wakefd_set(&r->wake, r->rx_len > 0);
}

static int push(struct hs_rfc *r)
{
	int n = 0;

	while (r->tx_len && (n = hs_net_send(&r->net, r->tx + r->tx_off, r->tx_len)) > 0) {
		r->tx_off += (size_t)n;
		r->tx_len -= (size_t)n;
	}
	if (r->tx_len == 0)
		r->tx_off = 0;
	watch(r);
	return n < 0 ? n : HS_OK;
}

/* Room at the end of tx, after moving what is left to the front. */
static size_t tx_room(struct hs_rfc *r)
{
	if (r->tx_off) {
		memmove(r->tx, r->tx + r->tx_off, r->tx_len);
		r->tx_off = 0;
	}
	return sizeof(r->tx) - r->tx_len;
}

int hs_rfc_send(struct hs_link *l, const uint8_t *buf, size_t n)
{
	struct hs_rfc *r = rfc(l);

	if (r->net.failed)
		return hs_net_gone(&r->net);
	if (tx_room(r) < n)
		return hs_fail(HS_ERR_OVERFLOW,
			       "%s: the server takes nothing and our output queue is full", l->path);
	memcpy(r->tx + r->tx_len, buf, n);
	r->tx_len += n;
	return push(r);
}

static void flow_request(struct hs_link *l, int cmd)
{
	uint8_t out[16];

	hs_rfc_send(l, out, hs_cpo_request(cmd, 0, out, sizeof(out)));
}

int hs_rfc_pump(struct hs_link *l)
{
	struct hs_rfc *r = rfc(l);
	uint8_t buf[4096];
	int rc = 0;

	if (r->rx_off) {
		memmove(r->rx, r->rx + r->rx_off, r->rx_len);
		r->rx_off = 0;
	}
	/* Decoded data is never longer than what came in, so taking at most
	 * the room left keeps rx from overflowing. */
	while (!r->net.failed && r->rx_len < sizeof(r->rx)) {
		size_t room = sizeof(r->rx) - r->rx_len;
		rc = hs_net_recv(&r->net, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (rc <= 0)
			break;
		hs_rfc_decode(l, buf, (size_t)rc);
	}
	if (r->rx_len > RX_HIGH && !r->we_suspended && !r->net.failed) {
		r->we_suspended = 1;
		flow_request(l, HS_CPO_FLOWCONTROL_SUSPEND);
	}
	if (!r->net.failed) {
		int p = push(r);
		if (rc >= 0)
			rc = p;
	}
	watch(r);
	return rc < 0 ? rc : HS_OK;
}

int hs_rfc_wait(struct hs_link *l, int64_t deadline)
{
	struct hs_rfc *r = rfc(l);
	short events = (short)((r->rx_len < sizeof(r->rx) ? POLLIN : 0) | (r->tx_len ? POLLOUT : 0));
	short got = 0;
	int rc;

	/* With rx full and nothing to send this sleeps until the deadline:
	 * the caller has to read before more can come. */
	if ((rc = hs_net_wait(&r->net, events, deadline, &got)) <= 0)
		return rc;
	if ((rc = hs_rfc_pump(l)) < 0)
		return rc;
	return 1;
}

/* ---- read ------------------------------------------------------------- */

int hs_rfc_read(struct hs_link *l, void *buf, size_t len, int64_t deadline)
{
	struct hs_rfc *r = rfc(l);

	for (;;) {
		int rc;

		if (r->rx_len) {
			size_t n = r->rx_len < len ? r->rx_len : len;
			memcpy(buf, r->rx + r->rx_off, n);
			r->rx_off += n;
			r->rx_len -= n;
			if (r->we_suspended && r->rx_len < RX_LOW && !r->net.failed) {
				r->we_suspended = 0;
				flow_request(l, HS_CPO_FLOWCONTROL_RESUME);
			}
			watch(r);
			return (int)n;
		}
		if (r->net.failed)
			return hs_net_gone(&r->net);
		if ((rc = hs_rfc_pump(l)) < 0 && !r->rx_len)
			return rc;
		if (r->rx_len)
			continue;
		if ((rc = hs_rfc_wait(l, deadline)) < 0 && !r->rx_len)
			return rc;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT, "%s: nothing received before the deadline",
				       l->path);
	}
}

/* ---- write ------------------------------------------------------------ */

/* Data bytes pacing lets through now; 0 and *wake when not. */
static size_t paced(struct hs_link *l, int64_t *wake)
{
	struct hs_rfc *r = rfc(l);
	int cps = hs_line_cps(&l->line);
	double cap = (double)cps * PACE_AHEAD_MS / 1000;
	int64_t now = hs_now_ms();

	if (cap < PACE_MIN)
		cap = PACE_MIN;
	r->bucket += (double)(now - r->bucket_ms) * cps / 1000;
	r->bucket_ms = now;
	if (r->bucket > cap)
		r->bucket = cap;
	if (r->bucket >= 1)
		return (size_t)r->bucket;
	*wake = now + 1 + (int64_t)((1 - r->bucket) * 1000 / cps);
	return 0;
}

/* Why no data may go now, or NULL. */
static const char *held(struct hs_link *l)
{
	struct hs_rfc *r = rfc(l);

	if (r->suspended)
		return "FLOWCONTROL-SUSPEND from the server";
	if (r->pace_dsr && (r->modemstate < 0 || !(r->modemstate & HS_CPO_MS_DSR)))
		return r->modemstate < 0 ? "DSR: the server has not reported it" : "DSR low";
	return NULL;
}

static int held_up(struct hs_link *l, size_t done, size_t len, const char *why)
{
	if (l->line.flow == HS_FLOW_NONE && !why)
		return hs_fail(HS_ERR_TIMEOUT,
			       "%s: write timed out; the server accepted %zu of %zu bytes",
			       l->path, done, len);
	return hs_fail(HS_ERR_STALL,
		       "%s held the output (%s) until the deadline; the server accepted %zu of %zu bytes",
		       l->path, why ? why : hs_flow_name(l->line.flow), done, len);
}

int hs_rfc_write(struct hs_link *l, const void *buf, size_t len, int64_t deadline,
		 size_t *done)
{
	struct hs_rfc *r = rfc(l);
	const uint8_t *p = buf;
	int rc;

	*done = 0;
	if (r->bucket_ms == 0)
		r->bucket_ms = hs_now_ms();
	while (*done < len || r->tx_len) {
		const char *why;
		int64_t wake = deadline;
		size_t room, allow = len - *done;

		if ((rc = hs_rfc_pump(l)) < 0)
			return rc;
		why = held(l);
		if (why)
			allow = 0;
		else if (allow && (r->pace_dsr || l->short_queue) &&
			 (room = paced(l, &wake)) < allow)
			allow = room;
		room = tx_room(r);
		room = room > HS_RFC_TX_RESERVE ? room - HS_RFC_TX_RESERVE : 0;
		if (allow && room > 1) {
			size_t used, n;
			/* an escape may double a byte: leave room for it */
			n = hs_telnet_escape(p + *done, allow, &used, r->tx + r->tx_len, room,
					     r->us[0] > 0);
			r->tx_len += n;
			*done += used;
			r->data_out += used;
			if (r->pace_dsr || l->short_queue)
				r->bucket -= (double)used;
			if ((rc = push(r)) < 0)
				return rc;
			continue;
		}
		if (*done == len && !r->tx_len)
			break;
		if (hs_remaining(deadline) == 0) {
			/* what tx holds is counted and goes out with the next call */
			if (*done == len)
				return HS_OK;
			return held_up(l, *done, len, why);
		}
		if ((rc = hs_rfc_wait(l, wake < deadline ? wake : deadline)) < 0)
			return rc;
	}
	return HS_OK;
}

/* 0 while connected: the socket's queue is not the device's. Once the
 * connection failed, the data the server may not have got: what it
 * never acknowledged plus what tx still held. Commands are counted as if
 * they were data, so this errs on the side of saying less arrived. */
int hs_rfc_pending(struct hs_link *l)
{
	struct hs_rfc *r = rfc(l);
	uint64_t lost;

	if (!r->net.failed)
		return 0;
	lost = r->net.unacked + r->tx_len;
	if (lost > r->data_out)
		lost = r->data_out;
	return lost > INT32_MAX ? INT32_MAX : (int)lost;
}
