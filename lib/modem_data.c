/*
 * modem_data.c - a connected modem as a byte stream, how it ends, and
 * hanging up.
 *
 * Carrier loss: where DCD follows the carrier (it was low before the
 * call and rose with CONNECT: the modem's &C1), DCD falling ends the
 * call and the bytes are data as they come, nothing held. Elsewhere (a
 * pty, a device server or modem emulator, a three-wire adapter, a modem
 * set &C0) the modem's own "NO CARRIER" in the stream is the only sign.
 * It is cut out of the data however the modem splits it: bytes that
 * could be its start are held back until the next bytes tell, or
 * HOLD_MS passes; and the last bytes given out are kept, so a NO CARRIER
 * whose start went out as data still ends the call. After a numeric
 * (V0) CONNECT the modem's NO CARRIER is its code and CR ("3\r"), which
 * data holds often: it counts only as the very end of the stream, held
 * and followed by HOLD_MS of quiet, and not after a digit. A network port
 * reports its lines a second or more late (hs_link_lines_lag), after the
 * NO CARRIER: there the stream decides, and DCD falling (once it was
 * seen up) ends a call whose modem says nothing.
 *
 * Hang-up (generic): DTR low and see DCD fall; where that cannot be done
 * or seen, "+++" framed by the guard time (S12) of silence, wait for OK,
 * then ATH0. A modem not known to be in command mode (one this object
 * never talked to: another program may have left a call up) gets the
 * escape before ATH0, since online it would take "ATH0" as data.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "link_priv.h"
#include "modem_priv.h"

/* How often a data read looks at DCD where the link cannot watch it for
 * us (hs_carrier_watch): carrier loss is seen within this. */
#define DCD_POLL_MS 50
/* How long bytes that might start "NO CARRIER" wait for the rest. An
 * emulator writes the pieces a few ms apart; a serial modem sends the
 * 13 bytes back to back. The margin is for a busy machine. */
#define HOLD_MS 100
/* How long DCD may lag the CONNECT line (USB adapters report the lines
 * apart from the data). */
#define DCD_RISE_MS 200
/* The guard when S12 was never read: the Hayes default, S12=50. */
#define DEFAULT_GUARD_MS 1000
/* How long the modem may take to let DCD fall after DTR drops. */
#define DTR_DROP_MS 3000

int hs_modem_online(const struct hs_modem *m)
{
	return m ? m->online : 0;
}

void hs_mdm_note_dcd(struct hs_modem *m)
{
	int sig = m->has_lines ? hs_link_signals(m->link) : -1;

	m->dcd_before = sig < 0 ? -1 : (sig & HS_SIG_DCD) != 0;
}

/* The V0 code of NO CARRIER in the driver's numeric map, with its CR. */
static void v0_no_carrier(struct hs_modem *m)
{
	const struct hs_at_numeric *map = m->drv->numeric;
	size_t n = m->drv->nnumeric;

	if (!map)
		map = hs_at_default_numeric(&n);
	m->v0_len = 0;
	for (size_t i = 0; i < n; i++)
		if (map[i].result == HS_AT_NO_CARRIER) {
			int len = snprintf(m->v0_nc, sizeof(m->v0_nc), "%d\r", map[i].code);
			m->v0_len = len > 0 && (size_t)len < sizeof(m->v0_nc) ? (size_t)len : 0;
			return;
		}
}

void hs_mdm_went_online(struct hs_modem *m, const struct hs_at_connect *c, int v0)
{
	int sig = -1;

	m->online = 1;
	m->carrier_lost = 0;
	m->fresh = 1;
	m->nhold = m->ntail = 0;
	m->held_since = 0;
	m->dcd_fell = m->dcd_up = 0;
	m->last_tx_ms = m->online_ms = hs_now_ms();
	if (c)
		m->connect = *c;
	m->dcd_late = m->has_lines && hs_link_lines_lag(m->link) > 0;
	m->lines_seq = m->link->lines_seq;
	/* DCD says something only if it was low before the call and is up
	 * now; up all along is &C0 (or a wire tied high), low now is a
	 * line without DCD */
	if (m->dcd_before == 0 && !m->dcd_late) {
		sig = hs_link_signals(m->link);
		if (sig >= 0 && !(sig & HS_SIG_DCD))
			sig = hs_link_wait_signals(m->link, HS_SIG_DCD, DCD_RISE_MS);
	}
	m->dcd_carrier = sig >= 0 && (sig & HS_SIG_DCD);
	m->dcd_watched = m->dcd_carrier && hs_carrier_watch(m->link, HS_WATCH_START);
	m->v0_len = 0;
	if (v0 && !m->dcd_carrier && !m->dcd_late)
		v0_no_carrier(m);
}

void hs_mdm_unwatch(struct hs_modem *m)
{
	if (m->dcd_watched)
		hs_carrier_watch(m->link, HS_WATCH_STOP);
	m->dcd_watched = 0;
}

/* The call is over: reads and writes now fail with HS_ERR_NO_CARRIER. */
static void gone(struct hs_modem *m)
{
	hs_mdm_unwatch(m);
	m->online = 0;
	m->carrier_lost = 1;
	m->nhold = m->ntail = 0;
	m->held_since = 0;
	m->dcd_fell = m->dcd_up = 0;
	hs_at_set_online(m->at, 0);
}

static int lost(struct hs_modem *m, const char *how)
{
	gone(m);
	return hs_fail(HS_ERR_NO_CARRIER, "%s: the carrier was lost (%s)", hs_mdm_dev(m), how);
}

/* Milliseconds until the held bytes are due as data (0: now). */
static int hold_left(const struct hs_modem *m)
{
	int64_t left = m->held_since + HOLD_MS - hs_now_ms();
	return left > 0 ? (int)left : 0;
}

/* Keep the last bytes of w[0..end) as the tail of what was given. */
static void remember(struct hs_modem *m, const unsigned char *w, size_t end)
{
	m->ntail = end < HS_NO_CARRIER_LEN - 1 ? end : HS_NO_CARRIER_LEN - 1;
	memcpy(m->tail, w + end - m->ntail, m->ntail);
}

/* How many bytes at the end of w[0..n) could be the V0 NO CARRIER or
 * its start: its code after anything but a digit (or nothing), then
 * perhaps its CR. */
static size_t v0_could_be(const struct hs_modem *m, const unsigned char *w, size_t n)
{
	for (size_t keep = m->v0_len < n ? m->v0_len : n; keep > 0; keep--) {
		size_t at = n - keep;
		if (!memcmp(w + at, m->v0_nc, keep) && (at == 0 || !isdigit(w[at - 1])))
			return keep;
	}
	return 0;
}

/* Is what is held the whole V0 NO CARRIER? */
static int v0_held(const struct hs_modem *m)
{
	return m->v0_len && m->nhold == m->v0_len && !memcmp(m->hold, m->v0_nc, m->v0_len);
}

/* How many bytes at the end of w[0..n) could start the text (or be the
 * V0 NO CARRIER). */
static size_t could_start(const struct hs_modem *m, const unsigned char *w, size_t n)
{
	size_t keep = n < HS_NO_CARRIER_LEN - 1 ? n : HS_NO_CARRIER_LEN - 1;
	size_t v0 = v0_could_be(m, w, n);

	for (; keep > 0; keep--)
		if (!memcmp(w + n - keep, HS_NO_CARRIER_TEXT, keep))
			break;
	return keep > v0 ? keep : v0;
}

/* Where the modem's NO CARRIER starts when it ends w[0..n) (with or
 * without its last LF), else -1. */
static long frame_at_end(const unsigned char *w, size_t n)
{
	if (n >= HS_NO_CARRIER_LEN && w[n - 1] == '\n')
		n--;
	if (n >= HS_NO_CARRIER_LEN &&
	    !memcmp(w + n - HS_NO_CARRIER_LEN, HS_NO_CARRIER_TEXT, HS_NO_CARRIER_LEN))
		return (long)(n - HS_NO_CARRIER_LEN);
	return -1;
}

/* Pass n bytes of input (after the held ones) to out, which has room
 * for the held bytes and n more; returns the count given, or
 * HS_ERR_NO_CARRIER when the stream says NO CARRIER and nothing came
 * before it. The scan sees the tail given last time, the held bytes and
 * the new ones: a NO CARRIER whose start went out is still seen. */
static int scan(struct hs_modem *m, const unsigned char *in, size_t n, unsigned char *out)
{
	unsigned char *w = m->work;
	size_t base = m->ntail, total, keep, give;
	const unsigned char *hit;

	memcpy(w, m->tail, m->ntail);
	memcpy(w + base, m->hold, m->nhold);
	memcpy(w + base + m->nhold, in, n);
	total = base + m->nhold + n;
	hit = memmem(w, total, HS_NO_CARRIER_TEXT, HS_NO_CARRIER_LEN);
	if (hit) {
		size_t at = (size_t)(hit - w);
		give = at > base ? at - base : 0;
		memcpy(out, w + base, give);
		if (give) {
			/* the data first; the next read reports the loss */
			gone(m);
			return (int)give;
		}
		return lost(m, "the modem said NO CARRIER");
	}
	/* hold the longest end that could start the text, but never what
	 * was given already */
	keep = could_start(m, w, total);
	if (keep > total - base)
		keep = total - base;
	give = total - base - keep;
	memcpy(out, w + base, give);
	if (keep == 0)
		m->held_since = 0;
	else if (keep <= n)
		m->held_since = hs_now_ms(); /* all of it new */
	memmove(m->hold, w + total - keep, keep);
	m->nhold = keep;
	/* the V0 NO CARRIER counts only after a pause that follows it */
	if (n && v0_held(m))
		m->held_since = hs_now_ms();
	remember(m, w, base + give);
	return (int)give;
}

/* DCD fell: the modem sends nothing after its NO CARRIER, so only a NO
 * CARRIER that ends the stream is the modem's (one earlier was the far
 * end's data); the rest of the bytes are data. Returns the count given
 * into out (0: all held, wait for more), or HS_ERR_NO_CARRIER. */
static int after_dcd_fell(struct hs_modem *m, const unsigned char *in, size_t n,
			  unsigned char *out)
{
	unsigned char *w = m->work;
	size_t total, keep, give;
	long at;

	memcpy(w, m->hold, m->nhold);
	memcpy(w + m->nhold, in, n);
	total = m->nhold + n;
	if ((at = frame_at_end(w, total)) >= 0) {
		memcpy(out, w, (size_t)at);
		if (at > 0) {
			gone(m); /* the data first; the next read reports it */
			return (int)at;
		}
		return lost(m, "DCD fell");
	}
	keep = could_start(m, w, total);
	give = total - keep;
	memcpy(out, w, give);
	memmove(m->hold, w + give, keep);
	m->nhold = keep;
	return (int)give;
}

/* Give what is held as data: the rest of "NO CARRIER" did not come. */
static int release(struct hs_modem *m, unsigned char *out, size_t len)
{
	size_t n = m->nhold < len ? m->nhold : len;
	unsigned char *w = m->work;

	memcpy(out, m->hold, n);
	memcpy(w, m->tail, m->ntail);
	memcpy(w + m->ntail, m->hold, n);
	remember(m, w, m->ntail + n);
	memmove(m->hold, m->hold + n, m->nhold - n);
	m->nhold -= n;
	if (!m->nhold)
		m->held_since = 0;
	return (int)n;
}

/* Milliseconds until DCD having fallen, the line counts as quiet. */
static int quiet_left(const struct hs_modem *m)
{
	int64_t left = m->last_rx_ms + HOLD_MS - hs_now_ms();
	return left > 0 ? (int)left : 0;
}

/* Milliseconds until held bytes are due as data: the hold, or once DCD
 * fell, the quiet that says no NO CARRIER is coming. */
static int due(const struct hs_modem *m)
{
	return m->dcd_fell ? quiet_left(m) : hold_left(m);
}

/* Is DCD late, and the link told of its every change? */
static int dcd_told(const struct hs_modem *m)
{
	return m->dcd_late && m->link->lines_told;
}

/* Must DCD be looked at now and then? Not where the link watches it or
 * is told of it. */
static int dcd_looks(const struct hs_modem *m)
{
	return (m->dcd_carrier && !m->dcd_watched) || (m->dcd_late && !dcd_told(m));
}

/* Milliseconds until DCD low counts though it was never seen up. */
static int lag_left(const struct hs_modem *m)
{
	int64_t left = m->online_ms + hs_link_lines_lag(m->link) - hs_now_ms();
	return left > 0 ? (int)left : 0;
}

static int sooner(int wait, int ms)
{
	return wait < 0 || ms < wait ? ms : wait;
}

int hs_modem_wait_ms(const struct hs_modem *m)
{
	int wait;

	if (m && m->carrier_lost)
		return 0; /* the next read says so */
	if (!m || !m->online)
		return -1;
	if (m->fresh)
		return 0;
	if (m->dcd_fell)
		return quiet_left(m);
	wait = dcd_looks(m) ? DCD_POLL_MS : -1;
	if (dcd_told(m)) {
		/* told of a change that came in with other input: look */
		if (m->link->lines_seq != m->lines_seq)
			return 0;
		/* DCD never seen up: low counts once the lag is over */
		if (!m->dcd_up)
			wait = sooner(wait, lag_left(m));
	}
	if (m->nhold)
		wait = sooner(wait, due(m));
	return wait;
}

/* Is DCD down where it follows the carrier? Then the call is ending:
 * what is still to come is data and maybe the modem's NO CARRIER. A
 * port that reports its lines late may not have shown DCD up yet right
 * after CONNECT: there low counts once DCD was seen up in this call, or
 * once the lag has passed (a call shorter than the server's look at its
 * lines never shows DCD up). Where the link watches DCD for us, a look
 * with nothing read is one only once the watch says DCD moved; after a
 * read it always is, so that bytes sent after DCD fell are never taken
 * for data before the watch's thread has run. */
static int check_dcd(struct hs_modem *m, int after_read)
{
	int sig;

	if (m->dcd_fell || !(m->dcd_carrier || m->dcd_late))
		return m->dcd_fell;
	if (m->dcd_watched && !after_read) {
		if (hs_carrier_watch(m->link, HS_WATCH_ASK))
			return 0;
		m->dcd_watched = 0; /* it ended: look from now on */
	}
	sig = hs_link_signals(m->link);
	m->lines_seq = m->link->lines_seq; /* what told of it is read */
	if (sig < 0)
		return m->dcd_fell;
	if (sig & HS_SIG_DCD) {
		m->dcd_up = 1;
	} else if (m->dcd_carrier || m->dcd_up ||
		   hs_now_ms() - m->online_ms >= hs_link_lines_lag(m->link)) {
		m->dcd_fell = 1;
		m->last_rx_ms = hs_now_ms();
		hs_mdm_unwatch(m);
	}
	return m->dcd_fell;
}

int hs_modem_read(struct hs_modem *m, void *buf, size_t len, int timeout_ms)
{
	unsigned char *out = buf;
	int64_t deadline;

	if (!m || !buf || len == 0 || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_read: no modem, no buffer or negative timeout");
	if (!m->online) {
		if (m->carrier_lost)
			return hs_fail(HS_ERR_NO_CARRIER, "%s: no carrier", hs_mdm_dev(m));
		return hs_fail(HS_ERR_ARG, "%s: not connected", hs_mdm_dev(m));
	}
	deadline = hs_deadline(timeout_ms);
	for (;;) {
		unsigned char in[4096];
		size_t room;
		int n, wait, rc;

		/* a V0 modem's NO CARRIER, the last thing it sent, quiet
		 * since: the call is over */
		if (v0_held(m) && !m->dcd_fell && due(m) == 0)
			return lost(m, "the modem said NO CARRIER (V0)");
		/* held bytes whose time is up, or too many for the room
		 * the caller gave, go out as data */
		if (m->nhold && (len <= m->nhold || due(m) == 0))
			return release(m, out, len);
		/* DCD fell and the line is quiet: no NO CARRIER came (Q1,
		 * V0), and everything before was data */
		if (m->dcd_fell && quiet_left(m) == 0)
			return lost(m, "DCD fell");
		room = len - m->nhold < sizeof(in) ? len - m->nhold : sizeof(in);
		n = (int)hs_at_take_input(m->at, in, room);
		if (n == 0) {
			m->fresh = 0;
			check_dcd(m, 0);
			wait = hs_remaining(deadline);
			if (m->dcd_fell && wait > quiet_left(m))
				wait = quiet_left(m);
			else if ((m->dcd_carrier || m->dcd_late) && wait > DCD_POLL_MS)
				wait = DCD_POLL_MS;
			if (m->nhold && wait > due(m))
				wait = due(m);
			n = hs_link_read(m->link, in, room, wait);
			if (n == HS_ERR_TIMEOUT) {
				/* held bytes stay held until due, even
				 * when the caller would not wait */
				if (hs_remaining(deadline) > 0 || (m->nhold && due(m) == 0) ||
				    (m->dcd_fell && quiet_left(m) == 0))
					continue;
				return hs_fail(HS_ERR_TIMEOUT, "%s: no data within %d ms",
					       hs_mdm_dev(m), timeout_ms);
			}
			if (n < 0)
				return n;
		}
		/* Where DCD is the authority it is looked at after the
		 * read, so bytes sent after it fell are never taken as data
		 * unseen. */
		if (m->dcd_carrier && !check_dcd(m, 1)) {
			memcpy(out, in, (size_t)n);
			return n;
		}
		if (m->dcd_fell) {
			m->last_rx_ms = hs_now_ms();
			rc = after_dcd_fell(m, in, (size_t)n, out);
		} else {
			rc = scan(m, in, (size_t)n, out);
		}
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
	hs_mdm_unwatch(m);
	m->online = 0;
	m->nhold = m->ntail = 0;
	m->held_since = 0;
	m->dcd_fell = 0;
	hs_at_set_online(m->at, 0);
}

/* Might the modem be online, whatever we know? Only a modem that has
 * answered in command mode since its last call is known not to be. */
static int maybe_online(struct hs_modem *m)
{
	return m->online || !(m->carrier_lost || hs_at_in_command(m->at));
}

/* Wait for DCD to fall, as long as a DTR drop may take, within the
 * deadline; the lines as last seen (or an error). */
static int dcd_fall(struct hs_modem *m, int64_t deadline)
{
	int64_t until = hs_deadline(hs_remaining(deadline) < DTR_DROP_MS
				    ? hs_remaining(deadline) : DTR_DROP_MS);
	int sig;

	while ((sig = hs_link_signals(m->link)) >= 0 && (sig & HS_SIG_DCD) &&
	       hs_remaining(until) > 0)
		hs_link_wait_signals(m->link, HS_SIG_DCD, hs_remaining(until));
	return sig;
}

/* 1 hung up (DCD was up and fell), 0 cannot tell here (no lines, DCD
 * low already or not following the carrier, or it stayed up), < 0
 * error. */
static int hangup_dtr(struct hs_modem *m, int64_t deadline)
{
	int sig = hs_link_signals(m->link), rc;

	if (sig < 0 || !(sig & HS_SIG_DCD) || (m->online && !m->dcd_carrier && !m->dcd_up))
		return 0;
	if ((rc = hs_link_set_dtr(m->link, 0)) < 0)
		return rc == HS_ERR_NOT_SUPPORTED ? 0 : rc;
	sig = dcd_fall(m, deadline);
	/* DTR back up, or the modem would refuse the next call (&D2). */
	hs_link_set_dtr(m->link, 1);
	if (sig < 0)
		return sig;
	return (sig & HS_SIG_DCD) ? 0 : 1;
}

/* "+++" framed by the guard time (S12) of silence, for a modem that
 * may be online: 1 it answered OK (it was online, and now is in online
 * command mode), 0 no OK (perhaps it was in command mode already: the
 * next command tells), 2 it said NO CARRIER (the call ended by itself
 * meanwhile), or an error. r is scratch. */
static int escape(struct hs_modem *m, struct hs_at_reply *r, int64_t deadline)
{
	int guard = m->guard_ms > 0 ? m->guard_ms
		: m->drv->guard_ms > 0 ? m->drv->guard_ms : DEFAULT_GUARD_MS;
	/* Silence before: a guard time since our last byte (since now for
	 * a modem we did not dial: who knows what was sent last), and a
	 * little more, since the modem's clock is not ours. */
	int64_t since = m->online ? m->last_tx_ms : hs_now_ms();
	int64_t quiet_until = since + guard + guard / 10 + 5;
	int64_t now = hs_now_ms(), ok_by;
	int rc;

	/* what another program's call left unread is not an answer to our
	 * escape */
	if (!m->online)
		hs_link_flush(m->link, HS_FLUSH_INPUT);
	if (quiet_until > now)
		hs_nap((int)(quiet_until - now), deadline);
	offline(m);
	if ((rc = hs_at_send_raw(m->at, "+++", 3, hs_remaining(deadline))) < 0)
		return rc;
	/* Silence after: we send nothing; the modem answers OK once the
	 * guard time has passed. Data still coming from the far end may
	 * garble lines meanwhile: keep waiting. */
	ok_by = hs_deadline(guard * 2 + 1000);
	do {
		int left = hs_remaining(ok_by) < hs_remaining(deadline)
			? hs_remaining(ok_by) : hs_remaining(deadline);
		rc = hs_at_wait_result(m->at, r, left);
	} while ((rc == HS_ERR_PROTOCOL || rc == HS_ERR_OVERFLOW) &&
		 hs_remaining(ok_by) > 0 && hs_remaining(deadline) > 0);
	if (rc == HS_OK && r->result == HS_AT_NO_CARRIER)
		return 2;
	if (rc == HS_OK && r->result == HS_AT_OK)
		return 1;
	return rc == HS_ERR_TIMEOUT || rc == HS_ERR_PROTOCOL || rc == HS_ERR_OVERFLOW ||
	       rc == HS_OK ? 0 : rc;
}

static int hangup_escape(struct hs_modem *m, int64_t deadline)
{
	struct hs_at_reply *r = malloc(sizeof(*r));
	int rc;

	if (!r)
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	if (maybe_online(m)) {
		rc = escape(m, r, deadline);
		if (rc < 0)
			goto out;
		if (rc == 2) {
			rc = HS_OK; /* the call ended by itself meanwhile */
			goto out;
		}
		/* OK: ATH0 now hangs up; no OK: perhaps it was in command
		 * mode already, and ATH0 tells */
	}
	rc = hs_at_command(m->at, "ATH0", r, hs_remaining(deadline));
	if (rc == HS_OK && r->result != HS_AT_OK && r->result != HS_AT_NO_CARRIER &&
	    r->result != HS_AT_NONE)
		rc = hs_at_result_error(m->at, r, "ATH0");
	if (rc == HS_OK && (m->dcd_carrier || m->dcd_up)) {
		/* DCD may fall a moment after the OK: give it the time a
		 * DTR drop gets. */
		int sig = dcd_fall(m, deadline);
		if (sig >= 0 && (sig & HS_SIG_DCD))
			rc = hs_fail(HS_ERR_IO, "%s: ATH0 said OK but DCD is still up",
				     hs_mdm_dev(m));
	}
out:
	free(r);
	return rc;
}

int hs_modem_command_mode(struct hs_modem *m, int timeout_ms)
{
	struct hs_at_reply *r;
	int sig, rc;

	if (!m || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_command_mode: no modem or negative timeout");
	if (m->online)
		return hs_fail(HS_ERR_ARG, "%s: our own call is up; hang up first", hs_mdm_dev(m));
	if (!maybe_online(m))
		return 0;
	/* DCD low where the modem drives it: no carrier, so no call */
	if (m->has_lines && (sig = hs_link_signals(m->link)) >= 0 && !(sig & HS_SIG_DCD))
		return 0;
	if ((m->drv->quirks & HS_MODEM_QUIRK_NO_ESCAPE))
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s: DCD is up or cannot be read, so a call may be up, and +++ does not work on this modem: hang it up first",
			       hs_mdm_dev(m));
	if (!(r = malloc(sizeof(*r))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	rc = escape(m, r, hs_deadline(timeout_ms));
	free(r);
	return rc == 1 ? 1 : rc < 0 ? rc : 0;
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
			m->dcd_carrier = m->dcd_up = 0;
			return HS_OK;
		}
	}
	if ((m->policy & HS_HANGUP_ESCAPE) && !(m->drv->quirks & HS_MODEM_QUIRK_NO_ESCAPE)) {
		rc = hangup_escape(m, deadline);
		if (rc == HS_OK) {
			offline(m);
			m->dcd_carrier = m->dcd_up = 0;
		}
		return rc;
	}
	return hs_fail(HS_ERR_NOT_SUPPORTED,
		       "%s: cannot hang up: DTR and DCD cannot confirm it here, and the policy or driver rules out +++",
		       hs_mdm_dev(m));
}
