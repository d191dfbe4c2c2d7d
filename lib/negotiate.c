/*
 * negotiate.c - raise a modem's DTE rate (and framing) to the fastest the
 * modem and the port both take, and put it back; the plan is in
 * handshake/negotiate.h.
 *
 * The V.250 way: AT+IPR=N (with ;+ICF=F,P for the framing) is answered OK
 * at the old setting, after which the modem listens at the new one; the
 * port follows and AT must be answered there. What the modem takes comes
 * from its driver (struct hs_modem_dte) or from AT+IPR=?, whose answer
 * lists rates and ranges: "+IPR: (0,300,1200-115200),(230400)". A modem
 * that autobauds without +IPR follows the port by itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "handshake/negotiate.h"
#include "modem_priv.h"
#include "negotiate_priv.h"

/* what a driver without a dte table gets: V.250 */
static const struct hs_modem_dte v250 = { .flags = HS_DTE_IPR | HS_DTE_ICF };

/* rates a range in +IPR=? stands for */
static const int standard[] = {
	300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200,
	230400, 460800, 921600,
};
#define NSTANDARD (int)(sizeof(standard) / sizeof(standard[0]))

/* how long AT may take at the new rate; a silent modem costs this */
#define CONFIRM_MS 1500

/* rate into the ascending list rates[*n], once */
static void offer(int *rates, int *n, int cap, int rate)
{
	int i;

	if (rate <= 0 || *n == cap)
		return;
	for (i = 0; i < *n; i++)
		if (rates[i] == rate)
			return;
	for (i = *n; i > 0 && rates[i - 1] > rate; i--)
		rates[i] = rates[i - 1];
	rates[i] = rate;
	(*n)++;
}

void hs_ipr_rates(const char *text, int *rates, int *n, int cap)
{
	const char *p = strstr(text, "+IPR:");

	for (p = p ? p + 5 : text; *p && *p != '\n'; ) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p) {
			p++;
			continue;
		}
		p = end;
		if (*p == '-' && p[1] >= '0' && p[1] <= '9') {
			b = strtol(p + 1, &end, 10);
			p = end;
			for (int i = 0; i < NSTANDARD; i++)
				if (standard[i] >= a && standard[i] <= b)
					offer(rates, n, cap, standard[i]);
			offer(rates, n, cap, (int)b);
		}
		offer(rates, n, cap, (int)a);
	}
}

#define OFFER(r, rate) \
	offer((r)->offered, &(r)->noffered, \
	      (int)(sizeof((r)->offered) / sizeof((r)->offered[0])), (rate))

static int rates_offered(struct hs_modem *m, const struct hs_modem_dte *dte,
			 struct hs_rate_result *r, int64_t deadline)
{
	struct hs_at_reply *reply;
	int rc;

	if (dte->rates) {
		for (const int *p = dte->rates; *p; p++)
			OFFER(r, *p);
		return HS_OK;
	}
	if (!(dte->flags & HS_DTE_IPR)) {
		/* it follows the port's rate: what the port takes decides */
		for (int i = 0; i < NSTANDARD; i++)
			OFFER(r, standard[i]);
		return HS_OK;
	}
	if (!(reply = malloc(sizeof(*reply))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	rc = hs_at_command(m->at, "AT+IPR=?", reply, hs_remaining(deadline));
	if (rc == HS_OK && reply->result != HS_AT_OK)
		rc = hs_fail(HS_ERR_NOT_SUPPORTED,
			     "%s answered %s to AT+IPR=?: it does not say which rates it takes",
			     hs_mdm_dev(m), reply->final);
	if (rc == HS_OK)
		hs_ipr_rates(reply->text, r->offered, &r->noffered,
			     (int)(sizeof(r->offered) / sizeof(r->offered[0])));
	free(reply);
	if (rc == HS_OK && r->noffered == 0)
		rc = hs_fail(HS_ERR_PROTOCOL, "%s: its answer to AT+IPR=? names no rate",
			     hs_mdm_dev(m));
	return rc;
}

/* The +ICF format and parity numbers of a framing (V.250 6.2.11). */
static void icf(const struct hs_line *l, int *format, int *parity)
{
	static const int par[] = { [HS_PARITY_ODD] = 0, [HS_PARITY_EVEN] = 1,
				   [HS_PARITY_MARK] = 2, [HS_PARITY_SPACE] = 3 };
	int p = l->parity != HS_PARITY_NONE;

	if (l->bits == 8)
		*format = p ? 2 : l->stop == 2 ? 1 : 3;
	else
		*format = p ? 5 : l->stop == 2 ? 4 : 6;
	*parity = p ? par[l->parity] : 3;
}

static int same_framing(const struct hs_line *a, const struct hs_line *b)
{
	return a->bits == b->bits && a->parity == b->parity && a->stop == b->stop;
}

/* "AT+IPR=N;+ICF=F,P" to go from `from` to `to`, "" when the modem
 * follows the port by itself. */
static void command(char *cmd, size_t cap, const struct hs_modem_dte *dte,
		    const struct hs_line *from, const struct hs_line *to)
{
	size_t n = 0;

	cmd[0] = 0;
	if ((dte->flags & HS_DTE_IPR) && to->baud != from->baud)
		n += (size_t)snprintf(cmd + n, cap - n, "AT+IPR=%d", to->baud);
	if ((dte->flags & HS_DTE_ICF) && !same_framing(to, from)) {
		int f, p;
		icf(to, &f, &p);
		snprintf(cmd + n, cap - n, "%s+ICF=%d,%d", n ? ";" : "AT", f, p);
	}
}

/* The port at line, with what was read before dropped. */
static int port_at(struct hs_modem *m, const struct hs_line *line)
{
	int rc = hs_link_set_line(m->link, line);

	if (rc == HS_OK)
		hs_link_flush(m->link, HS_FLUSH_INPUT);
	return rc;
}

static int confirm(struct hs_modem *m, const struct hs_modem_dte *dte, int64_t deadline)
{
	int ms = hs_remaining(deadline);

	/* an autobauding modem may spend the first AT on the rate */
	return hs_modem_sync(m, dte->flags & HS_DTE_AUTOBAUD ? 3 : 2,
			     ms < CONFIRM_MS ? ms : CONFIRM_MS);
}

/* Move modem and port from `from` to `to`. HS_OK there; HS_ERR_NO_ANSWER
 * (*fell_back) when the modem was silent at `to` and both are at `from`
 * again; other errors when the modem refused or was lost. */
static int move(struct hs_modem *m, const struct hs_modem_dte *dte,
		const struct hs_line *from, const struct hs_line *to,
		int64_t deadline, int *fell_back)
{
	char cmd[64], back[64], name[48], old[48];
	int wait = dte->switch_ms > 0 ? dte->switch_ms : 50, rc;

	command(cmd, sizeof(cmd), dte, from, to);
	command(back, sizeof(back), dte, to, from);
	hs_line_name(to, name, sizeof(name));
	hs_line_name(from, old, sizeof(old));
	if (cmd[0] && (rc = hs_at_simple(m->at, cmd, hs_remaining(deadline))) < 0)
		return rc;
	/* the OK went out at the old rate; give the modem its moment */
	hs_link_drain(m->link, hs_remaining(deadline));
	hs_nap(wait, deadline);
	if ((rc = port_at(m, to)) < 0)
		return rc;
	if (confirm(m, dte, deadline) == HS_OK)
		return HS_OK;
	/* silent at the new rate: did it switch at all? */
	if ((rc = port_at(m, from)) < 0)
		return rc;
	if (confirm(m, dte, deadline) != HS_OK && back[0]) {
		/* it did, and cannot be heard there: ask it back, blind */
		char raw[72];
		int n = snprintf(raw, sizeof(raw), "%s\r", back);
		port_at(m, to);
		hs_at_send_raw(m->at, raw, (size_t)n, hs_remaining(deadline));
		hs_link_drain(m->link, hs_remaining(deadline));
		hs_nap(wait + 100, deadline);
		port_at(m, from);
		if (confirm(m, dte, deadline) != HS_OK)
			return hs_fail(HS_ERR_TIMEOUT,
				       "%s took %s but answers neither at %s nor at %s any more",
				       hs_mdm_dev(m), cmd, name, old);
	}
	*fell_back = 1;
	return hs_fail(HS_ERR_NO_ANSWER,
		       "%s took %s but did not answer at %s; both are back at %s",
		       hs_mdm_dev(m), cmd[0] ? cmd : "the new rate", name, old);
}

int hs_modem_raise_rate(struct hs_modem *m, const struct hs_rate_opts *o,
			struct hs_rate_result *r, int timeout_ms)
{
	static const struct hs_rate_opts none;
	const struct hs_modem_dte *dte;
	struct hs_rate_result mine;
	struct hs_line target;
	int64_t deadline;
	int rc;

	if (!m || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_raise_rate: no modem or a negative timeout");
	o = o ? o : &none;
	r = r ? r : &mine;
	memset(r, 0, sizeof(*r));
	deadline = hs_deadline(timeout_ms);
	dte = m->drv->dte ? m->drv->dte : &v250;
	hs_link_get_line(m->link, &r->before);
	r->after = r->before;
	if (!(dte->flags & (HS_DTE_IPR | HS_DTE_AUTOBAUD)))
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s: its driver (%s) says its rate is not set by AT commands",
			       hs_mdm_dev(m), m->drv->name);
	if ((rc = rates_offered(m, dte, r, deadline)) < 0)
		return rc;
	target = r->before;
	if (o->to_8n1 && (dte->flags & HS_DTE_ICF))
		target.bits = 8, target.parity = HS_PARITY_NONE, target.stop = 1;
	for (int i = r->noffered - 1; i >= 0; i--) {
		int fell_back = 0;

		target.baud = r->offered[i];
		if ((o->max_baud && target.baud > o->max_baud) ||
		    target.baud < r->before.baud)
			continue;
		if (target.baud == r->before.baud && same_framing(&target, &r->before))
			break;
		/* the port must take it too: look without the modem */
		if (hs_link_set_line(m->link, &target) < 0)
			continue;
		if ((rc = hs_link_set_line(m->link, &r->before)) < 0)
			return rc;
		rc = move(m, dte, &r->before, &target, deadline, &fell_back);
		r->fell_back = fell_back;
		if (rc < 0)
			return rc;
		r->after = target;
		if (o->keep)
			return hs_at_simple(m->at, "AT&W", hs_remaining(deadline));
		return HS_OK;
	}
	return HS_OK;
}

int hs_modem_restore_rate(struct hs_modem *m, const struct hs_rate_result *r,
			  int timeout_ms)
{
	int fell_back = 0;

	if (!m || !r || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_modem_restore_rate: no modem or no result");
	if (r->after.baud == r->before.baud && same_framing(&r->after, &r->before))
		return HS_OK;
	return move(m, m->drv->dte ? m->drv->dte : &v250, &r->after, &r->before,
		    hs_deadline(timeout_ms), &fell_back);
}
