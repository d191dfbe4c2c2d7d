/*
 * detect_listen.c - passive detection: find the setting of a device that
 * talks by itself (a console, a GPS or NMEA source, a meter) without ever
 * sending it a byte. The plan is in handshake/negotiate.h; the steps:
 *
 *   1. listen at each rate at 8N1 and score what arrives
 *      (detect_score.c): the right rate gives text, wrong ones garbage;
 *   2. at the best rates, the bytes say the framing: 7-bit text shows its
 *      parity in bit 7, a parity bit where 8N1 wants the stop bit shows as
 *      framing errors on good characters; listen there to confirm, and at
 *      the other framings if that is not clear;
 *   3. report the best with its score as the confidence and the runner-up,
 *      or refuse when the best is not clearly text or not clearly ahead.
 */
#include <string.h>

#include "clock.h"
#include "detect_priv.h"
#include "detect_score.h"
#include "fail.h"
#include "line.h"

/* Listening stops early once this much has arrived. */
#define ENOUGH_BYTES 512
/* A setting is clear at this score, and this far ahead of the next. */
#define CLEAR_SCORE 60
#define CLEAR_MARGIN 15
#define MAX_HEARD 32

struct heard {
	struct hs_line line;
	struct hs_score sc;
	size_t got;
	unsigned char reply[HS_DETECT_REPLY]; /* the first bytes heard */
	size_t reply_len;
};

/* Listen at line for listen_ms (or until enough came), score it. */
static int listen_at(struct hs_search *s, const struct hs_line *line,
		     struct heard *h)
{
	unsigned char buf[ENOUGH_BYTES];
	struct hs_detect_try t;
	/* at a slow rate, long enough for a few lines' worth */
	int ms = 64 * 1000 / hs_line_cps(line);
	int64_t deadline = hs_deadline(ms > s->o.listen_ms ? ms : s->o.listen_ms);

	memset(h, 0, sizeof(*h));
	h->line = *line;
	if (deadline > s->deadline)
		deadline = s->deadline;
	if (hs_try_set(s->link, line, &t) == 0) {
		while (t.received < sizeof(buf)) {
			int n = hs_link_read(s->link, buf + t.received,
					     sizeof(buf) - t.received,
					     hs_remaining(deadline));
			if (n == HS_ERR_TIMEOUT)
				break;
			if (n < 0)
				return n;
			hs_try_keep(&t, buf + t.received, (size_t)n);
			hs_try_errors(s->link, &t);
		}
		hs_detect_score(buf, t.received, t.errors.damaged, &h->sc);
		h->got = t.received;
		t.result = t.received == 0 ? HS_TRY_SILENT :
			   h->sc.score >= CLEAR_SCORE ? HS_TRY_OK :
			   hs_errors_count(&t.errors) ? HS_TRY_ERRORS : HS_TRY_GARBLED;
		t.score = h->sc.score;
	}
	memcpy(h->reply, t.reply, t.reply_len);
	h->reply_len = t.reply_len;
	hs_search_tried(s, &t);
	return HS_OK;
}

/* The framings to listen at, at the rate of h, most likely first: what
 * its bytes suggest, then the rest of the list. */
static int plan(const struct hs_search *s, const struct heard *h,
		struct hs_framing *out, int cap)
{
	int n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (const struct hs_framing *f = s->o.framings; f->bits && n < cap; f++) {
			int hinted = h->sc.bits == 7
				? f->bits == 7 && (h->sc.parity == HS_PARITY_MARK
						   ? f->parity == HS_PARITY_NONE && f->stop == 2
						   : f->parity == h->sc.parity)
				: h->sc.nine_bit && f->bits == 8 && f->parity != HS_PARITY_NONE;
			/* 8N1 was heard already */
			if (f->bits == 8 && f->parity == HS_PARITY_NONE && f->stop == 1)
				continue;
			if (hinted == !pass)
				out[n++] = *f;
		}
	return n;
}

int hs_detect_listen(struct hs_link *l, const struct hs_detect_opts *opts,
		     struct hs_detect_result *res)
{
	struct hs_search s;
	struct heard rates[MAX_HEARD], best, second;
	struct hs_line line;
	int nrates = 0, rc;
	size_t heard = 0;
	char name[48], other[48];

	if ((rc = hs_search_start(&s, "hs_detect_listen", l, opts, res)) < 0)
		return rc;

	/* 1: each rate at 8N1 */
	for (const int *r = s.o.rates; *r && nrates < MAX_HEARD && !hs_search_over(&s); r++) {
		line = s.orig;
		line.baud = *r, line.bits = 8, line.parity = HS_PARITY_NONE, line.stop = 1;
		if ((rc = listen_at(&s, &line, &rates[nrates])) < 0)
			return hs_search_end(&s, rc);
		heard += rates[nrates++].got;
	}
	/* best first */
	for (int i = 1; i < nrates; i++)
		for (int j = i; j > 0 && rates[j].sc.score > rates[j - 1].sc.score; j--) {
			struct heard tmp = rates[j];
			rates[j] = rates[j - 1];
			rates[j - 1] = tmp;
		}
	memset(&best, 0, sizeof(best));
	memset(&second, 0, sizeof(second));
	/* 2: the framing, at the two best rates */
	for (int i = 0; i < nrates && i < 2 && !hs_search_over(&s); i++) {
		struct heard cand = rates[i];
		struct hs_framing fr[16];
		int nf;

		if (!cand.got)
			break;
		nf = plan(&s, &rates[i], fr, 16);
		for (int k = 0; k < nf && !hs_search_over(&s); k++) {
			struct heard h;
			if (cand.sc.score >= CLEAR_SCORE && rates[i].sc.bits == 8 &&
			    !rates[i].sc.nine_bit)
				break; /* clear at 8N1 already */
			line = cand.line;
			line.bits = fr[k].bits, line.parity = fr[k].parity, line.stop = fr[k].stop;
			if ((rc = listen_at(&s, &line, &h)) < 0)
				return hs_search_end(&s, rc);
			/* what the bytes suggested wins when it is clear: at
			 * 8N1 the same text had its parity in bit 7 */
			if (h.sc.score > cand.sc.score ||
			    (k == 0 && h.sc.score >= CLEAR_SCORE))
				cand = h;
			if (cand.sc.score >= CLEAR_SCORE && k == 0)
				break;
		}
		if (cand.sc.score > best.sc.score) {
			second = best;
			best = cand;
		} else if (cand.sc.score > second.sc.score) {
			second = cand;
		}
		/* clear, and ahead of every other rate: no need to look on */
		if (best.sc.score >= CLEAR_SCORE && i + 1 < nrates &&
		    best.sc.score - rates[i + 1].sc.score >= CLEAR_MARGIN)
			break;
	}
	/* the runner-up may be a rate not looked at again */
	for (int i = 0; i < nrates; i++)
		if (rates[i].line.baud != best.line.baud &&
		    rates[i].sc.score > second.sc.score)
			second = rates[i];
	res->confidence = best.sc.score;
	if (second.got) {
		res->also = second.line;
		res->also_confidence = second.sc.score;
		res->also_result = second.sc.score >= CLEAR_SCORE ? HS_TRY_OK : HS_TRY_GARBLED;
	}
	hs_line_name(&best.line, name, sizeof(name));
	hs_line_name(&second.line, other, sizeof(other));
	if (s.canceled)
		rc = hs_fail(HS_ERR_CANCELED, "%s: detection stopped after %d tries",
			     hs_link_info(l)->path, res->tries);
	else if (!heard)
		rc = hs_fail(HS_ERR_NO_ANSWER,
			     "%s: nothing was heard at any setting (%d tries in %.1f s)",
			     hs_link_info(l)->path, res->tries,
			     (double)(hs_now_ms() - s.start) / 1000.0);
	else if (best.sc.score < CLEAR_SCORE || best.sc.score - second.sc.score < CLEAR_MARGIN)
		rc = hs_fail(HS_ERR_PROTOCOL,
			     "%s: heard talk, but no setting is clear: best %s (%d%%), then %s (%d%%)",
			     hs_link_info(l)->path, name, best.sc.score,
			     second.got ? other : "nothing", second.sc.score);
	else if ((rc = hs_link_set_line(l, &best.line)) == HS_OK) {
		res->line = best.line;
		memcpy(res->reply, best.reply, best.reply_len);
		res->reply_len = best.reply_len;
		hs_link_flush(l, HS_FLUSH_INPUT);
	}
	return hs_search_end(&s, rc);
}
