/*
 * modem_data.c - a connected modem as a byte stream, how it ends, and
 * hanging up.
 *
 * Carrier loss: where the port has modem lines, DCD falling ends the
 * call (the modem's &C1 makes DCD follow the carrier). A pty or a
 * three-wire adapter has none; then the modem's own "NO CARRIER" in the
 * stream is the only sign. It is cut out of the data: bytes that could be
 * its start are held back until the next bytes tell, or HOLD_MS passes.
 *
 * Hang-up (generic): DTR low and wait for DCD to fall; where that cannot
 * be done or seen, "+++" framed by the guard time (S12) of silence, wait
 * for OK, then ATH0.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "link_priv.h"
#include "modem_priv.h"

/* How often a data read looks at DCD: carrier loss is seen within this. */
#define DCD_POLL_MS 50
/* How long bytes that might start "NO CARRIER" wait for the rest. */
#define HOLD_MS 50
/* The guard when S12 was never read: the Hayes default, S12=50. */
#define DEFAULT_GUARD_MS 1000
/* How long the modem may take to let DCD fall after DTR drops. */
#define DTR_DROP_MS 3000

int hs_modem_online(const struct hs_modem *m)
{
	return m ? m->online : 0;
}

/* Has the carrier gone, by DCD (sig from hs_link_signals)? A network
 * port reports its lines late (hs_link_lines_lag), so right after CONNECT
 * its DCD may not have risen yet: low means gone once DCD was seen up in
 * this call, or once the lag has passed. */
static int dcd_gone(struct hs_modem *m, int sig)
{
	if (sig < 0)
		return 0;
	if (sig & HS_SIG_DCD) {
		m->dcd_up = 1;
		return 0;
	}
	return m->dcd_up || hs_now_ms() - m->online_ms >= hs_link_lines_lag(m->link);
}

/* The call is over: reads and writes now fail with HS_ERR_NO_CARRIER. */
static void gone(struct hs_modem *m)
{
	m->online = 0;
	m->carrier_lost = 1;
	m->nhold = 0;
	hs_at_set_online(m->at, 0);
}

static int lost(struct hs_modem *m, const char *how)
{
	gone(m);
	return hs_fail(HS_ERR_NO_CARRIER, "%s: the carrier was lost (%s)", hs_mdm_dev(m), how);
}

/* Pass n bytes of input (after the held ones) to out (room len);
 * returns the count given, or HS_ERR_NO_CARRIER when the stream says
 * NO CARRIER and nothing came before it. */
static int scan(struct hs_modem *m, const unsigned char *in, size_t n, unsigned char *out,
		size_t len)
{
	unsigned char *w = m->work;
	size_t total, keep, give;
	const unsigned char *hit;

	memcpy(w, m->hold, m->nhold);
	memcpy(w + m->nhold, in, n);
	total = m->nhold + n;
	m->nhold = 0;
	hit = memmem(w, total, HS_NO_CARRIER_TEXT, HS_NO_CARRIER_LEN);
	if (hit) {
		give = (size_t)(hit - w);
		memcpy(out, w, give);
		if (give) {
			/* the data first; the next read reports the loss */
			gone(m);
			return (int)give;
		}
		return lost(m, "the modem said NO CARRIER");
	}
	/* keep the longest tail that is a start of the text */
	for (keep = total < HS_NO_CARRIER_LEN - 1 ? total : HS_NO_CARRIER_LEN - 1; keep > 0; keep--)
		if (!memcmp(w + total - keep, HS_NO_CARRIER_TEXT, keep))
			break;
	give = total - keep;
	memcpy(out, w, give);
	memcpy(m->hold, w + give, keep);
	m->nhold = keep;
	(void)len;
	return (int)give;
}

/* DCD fell and in holds the last n bytes read: the data before the
 * modem's "NO CARRIER" goes out now, the loss is reported by the next
 * read (or now, when there is no data). */
static int dcd_fell(struct hs_modem *m, const unsigned char *in, size_t n, unsigned char *out)
{
	const unsigned char *hit = memmem(in, n, HS_NO_CARRIER_TEXT, HS_NO_CARRIER_LEN);
	size_t give = hit ? (size_t)(hit - in) : n;

	if (give == 0)
		return lost(m, "DCD fell");
	memcpy(out, in, give);
	if (hit)
		gone(m); /* the modem is in command mode: nothing after is data */
	return (int)give;
}

/* Give what is held as data: the rest of "NO CARRIER" did not come. */
static int release(struct hs_modem *m, unsigned char *out, size_t len)
{
	size_t n = m->nhold < len ? m->nhold : len;

	memcpy(out, m->hold, n);
	memmove(m->hold, m->hold + n, m->nhold - n);
	m->nhold -= n;
	return (int)n;
}

int hs_modem_read(struct hs_modem *m, void *buf, size_t len, int timeout_ms)
{
	unsigned char *out = buf;
	int64_t deadline, held_since = 0;

	if (!m || !buf || len == 0 || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_read: no modem, no buffer or negative timeout");
	if (!m->online) {
		if (m->carrier_lost)
			return hs_fail(HS_ERR_NO_CARRIER, "%s: no carrier", hs_mdm_dev(m));
		return hs_fail(HS_ERR_ARG, "%s: not connected", hs_mdm_dev(m));
	}
	deadline = hs_deadline(timeout_ms);
	if (len <= m->nhold)
		return release(m, out, len);
	for (;;) {
		/* room for what is held plus what comes */
		size_t room = len - m->nhold;
		unsigned char in[4096];
		int n, wait, rc;

		if (room > sizeof(in))
			room = sizeof(in);
		n = (int)hs_at_take_input(m->at, in, room);
		if (n == 0) {
			if (m->has_lines) {
				int sig = hs_link_signals(m->link);
				if (dcd_gone(m, sig)) {
					/* what came before the carrier went is
					 * still data: hand it over first */
					n = hs_link_read(m->link, in, room, 0);
					return dcd_fell(m, in, n > 0 ? (size_t)n : 0, out);
				}
			}
			wait = hs_remaining(deadline);
			if (m->has_lines && wait > DCD_POLL_MS)
				wait = DCD_POLL_MS;
			if (m->nhold) {
				if (!held_since)
					held_since = hs_now_ms();
				int left = (int)(held_since + HOLD_MS - hs_now_ms());
				if (left <= 0 || hs_remaining(deadline) == 0)
					return release(m, out, len);
				if (wait > left)
					wait = left;
			}
			n = hs_link_read(m->link, in, room, wait);
			if (n == HS_ERR_TIMEOUT) {
				if (hs_remaining(deadline) > 0 || m->nhold)
					continue;
				return hs_fail(HS_ERR_TIMEOUT, "%s: no data within %d ms",
					       hs_mdm_dev(m), timeout_ms);
			}
			if (n < 0)
				return n;
		}
		if (m->has_lines) {
			/* DCD is the authority; the bytes are data as they
			 * are, unless DCD fell meanwhile and the modem's own
			 * NO CARRIER is among them */
			if (memmem(in, (size_t)n, HS_NO_CARRIER_TEXT, HS_NO_CARRIER_LEN)) {
				int sig = hs_link_signals(m->link);
				if (dcd_gone(m, sig))
					return dcd_fell(m, in, (size_t)n, out);
			}
			memcpy(out, in, (size_t)n);
			return n;
		}
		rc = scan(m, in, (size_t)n, out, len);
		if (rc != 0)
			return rc;
		/* all of it might be NO CARRIER: wait for the rest */
	}
}

int hs_modem_write(struct hs_modem *m, const void *buf, size_t len, int timeout_ms,
		   size_t *done)
{
	size_t ignored;
	int rc;

	if (!done)
		done = &ignored;
	*done = 0;
	if (!m)
		return hs_fail(HS_ERR_ARG, "hs_modem_write: no modem");
	if (!m->online)
		return hs_fail(m->carrier_lost ? HS_ERR_NO_CARRIER : HS_ERR_ARG, "%s: %s",
			       hs_mdm_dev(m), m->carrier_lost ? "no carrier" : "not connected");
	rc = hs_link_write(m->link, buf, len, timeout_ms, done);
	if (*done)
		m->last_tx_ms = hs_now_ms();
	return rc;
}

/* ---- hang-up ---------------------------------------------------------- */

static void offline(struct hs_modem *m)
{
	m->online = 0;
	m->nhold = 0;
	hs_at_set_online(m->at, 0);
}

/* 1 hung up, 0 cannot tell here (no lines, or DCD stayed), < 0 error. */
static int hangup_dtr(struct hs_modem *m, int64_t deadline)
{
	int sig = hs_link_signals(m->link), rc, wait;
	int64_t until;

	if (sig < 0)
		return 0;
	if ((rc = hs_link_set_dtr(m->link, 0)) < 0)
		return rc == HS_ERR_NOT_SUPPORTED ? 0 : rc;
	wait = hs_remaining(deadline) < DTR_DROP_MS ? hs_remaining(deadline) : DTR_DROP_MS;
	until = hs_deadline(wait);
	while ((sig = hs_link_signals(m->link)) >= 0 && (sig & HS_SIG_DCD) &&
	       hs_remaining(until) > 0)
		hs_link_wait_signals(m->link, HS_SIG_DCD, hs_remaining(until));
	/* DTR back up, or the modem would refuse the next call (&D2). */
	hs_link_set_dtr(m->link, 1);
	if (sig < 0)
		return sig;
	return (sig & HS_SIG_DCD) ? 0 : 1;
}

static int hangup_escape(struct hs_modem *m, int64_t deadline)
{
	struct hs_at_reply *r = malloc(sizeof(*r));
	int guard = m->guard_ms > 0 ? m->guard_ms
		: m->drv->guard_ms > 0 ? m->drv->guard_ms : DEFAULT_GUARD_MS;
	int rc;

	if (!r)
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	if (m->online) {
		/* Silence before: a guard time since our last byte, and a
		 * little more, since the modem's clock is not ours. */
		int64_t quiet_until = m->last_tx_ms + guard + guard / 10 + 5;
		int64_t now = hs_now_ms();
		if (quiet_until > now)
			hs_nap((int)(quiet_until - now), deadline);
		offline(m);
		if ((rc = hs_at_send_raw(m->at, "+++", 3, hs_remaining(deadline))) < 0)
			goto out;
		/* Silence after: we send nothing; the modem answers OK once
		 * the guard time has passed. Data still coming from the far
		 * end may garble lines meanwhile: keep waiting. */
		int64_t ok_by = hs_deadline(guard * 2 + 1000);
		do {
			int left = hs_remaining(ok_by) < hs_remaining(deadline)
				? hs_remaining(ok_by) : hs_remaining(deadline);
			rc = hs_at_wait_result(m->at, r, left);
		} while ((rc == HS_ERR_PROTOCOL || rc == HS_ERR_OVERFLOW) &&
			 hs_remaining(ok_by) > 0 && hs_remaining(deadline) > 0);
		if (rc == HS_OK && r->result == HS_AT_NO_CARRIER) {
			rc = HS_OK; /* the call ended by itself meanwhile */
			goto out;
		}
		/* no OK: perhaps it was in command mode already; ATH0 tells */
	}
	rc = hs_at_command(m->at, "ATH0", r, hs_remaining(deadline));
	if (rc == HS_OK && r->result != HS_AT_OK && r->result != HS_AT_NO_CARRIER &&
	    r->result != HS_AT_NONE)
		rc = hs_at_result_error(m->at, r, "ATH0");
	if (rc == HS_OK && m->has_lines) {
		/* DCD may fall a moment after the OK: give it the time a
		 * DTR drop gets. */
		int64_t until = hs_deadline(hs_remaining(deadline) < DTR_DROP_MS
					    ? hs_remaining(deadline) : DTR_DROP_MS);
		int sig;
		while ((sig = hs_link_signals(m->link)) >= 0 && (sig & HS_SIG_DCD) &&
		       hs_remaining(until) > 0)
			hs_link_wait_signals(m->link, HS_SIG_DCD, hs_remaining(until));
		if (sig >= 0 && (sig & HS_SIG_DCD))
			rc = hs_fail(HS_ERR_IO, "%s: ATH0 said OK but DCD is still up (is the modem set &C0?)",
				     hs_mdm_dev(m));
	}
out:
	free(r);
	return rc;
}

int hs_modem_hangup(struct hs_modem *m, int timeout_ms)
{
	int64_t deadline;
	int rc = 0;

	if (!m || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_hangup: no modem or negative timeout");
	if (m->drv->ops.hangup) {
		if ((rc = m->drv->ops.hangup(m, timeout_ms)) == HS_OK)
			offline(m);
		return rc;
	}
	deadline = hs_deadline(timeout_ms);
	if (m->policy & HS_HANGUP_DTR) {
		if ((rc = hangup_dtr(m, deadline)) < 0)
			return rc;
		if (rc == 1) {
			offline(m);
			return HS_OK;
		}
	}
	if ((m->policy & HS_HANGUP_ESCAPE) && !(m->drv->quirks & HS_MODEM_QUIRK_NO_ESCAPE)) {
		rc = hangup_escape(m, deadline);
		if (rc == HS_OK)
			offline(m);
		return rc;
	}
	return hs_fail(HS_ERR_NOT_SUPPORTED,
		       "%s: cannot hang up: the port has no modem lines and the policy or driver rules out +++",
		       hs_mdm_dev(m));
}
