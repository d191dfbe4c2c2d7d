/*
 * modem_dte.c — the lab modem's DTE side: the rate and framing of its
 * serial port, as ITU-T V.250 sets them.
 *
 *   +IPR=N    fixed rate N (one of --ipr), or 0: autobaud (the rate and
 *             framing come from each AT; see uart_mismatch.c)
 *   +IPR?     "+IPR: N"        +IPR=?  "+IPR: (0,300,...,115200),()"
 *   +ICF=F[,P] framing: F 1 8N2, 2 8 bits parity 1 stop, 3 8N1, 4 7N2,
 *             5 7 bits parity 1 stop, 6 7N1; P 0 odd, 1 even, 2 mark,
 *             3 space (kept when left out)
 *   +ICF?     "+ICF: F,P"      +ICF=?  "+ICF: (1-6),(0-3)"
 *   &W keeps the setting, Z goes back to the one kept.
 *
 * As V.250 says, the result code of the command line goes out at the old
 * setting; the new one applies after it (modem_dte_commit). The fault
 * --ipr-fault ignore answers OK to +IPR=N and keeps the old rate, so the
 * program never hears from it at N.
 */
#include "lab.h"

#include <stdlib.h>
#include <string.h>

static struct dte {
	struct lab_line pending;   /* applies after the result code */
	const char *why;           /* "+IPR", "+ICF"; NULL: none pending */
	bool pending_auto;         /* +IPR=0 */
	struct lab_line kept;      /* &W; baud 0: nothing kept */
	bool kept_auto;
} dte[LAB_MAX_PORTS];

static struct dte *D(struct lab_port *p) { return &dte[p - lab_ports]; }

/* the setting now: the device's own, else the program's (a bare pty) */
static void current(struct lab_port *p, struct lab_line *l)
{
	lab_mismatch_device(p, l);
	if (!l->baud)
		lab_mismatch_host(p, l);
}

static const struct { int bits; char parity; int stop; } icf[] = {
	[1] = { 8, 0, 2 }, [2] = { 8, 1, 1 }, [3] = { 8, 0, 1 },
	[4] = { 7, 0, 2 }, [5] = { 7, 1, 1 }, [6] = { 7, 0, 1 },
};
static const char parities[] = "OEMS";

static bool ipr_set(struct lab_port *p, long rate)
{
	struct dte *d = D(p);

	for (int i = 0; i < p->cfg->nipr; i++) {
		if (p->cfg->ipr[i] != rate)
			continue;
		if (p->cfg->ipr_ignore) {
			transcript_event(p->cfg->name, "fault", "ipr-ignore %ld",
			                 rate);
			return true;
		}
		if (!d->why)
			current(p, &d->pending);
		d->pending_auto = rate == 0;
		if (rate)
			d->pending.baud = rate;
		d->why = "+IPR";
		return true;
	}
	return false;
}

static bool icf_set(struct lab_port *p, const char *arg)
{
	struct dte *d = D(p);
	char *end;
	long f = strtol(arg, &end, 10), par = -1;

	if (end == arg || f < 1 || f > 6)
		return false;
	if (*end == ',') {
		const char *q = end + 1;
		par = strtol(q, &end, 10);
		if (end == q || par < 0 || par > 3)
			return false;
	}
	if (*end)
		return false;
	if (!d->why)
		current(p, &d->pending);
	d->pending.bits = icf[f].bits;
	d->pending.stop = icf[f].stop;
	if (!icf[f].parity)
		d->pending.parity = 'N';
	else if (par >= 0)
		d->pending.parity = parities[par];
	else if (d->pending.parity == 'N')
		d->pending.parity = 'E';
	d->why = d->why ? d->why : "+ICF";
	return true;
}

bool modem_dte_command(struct lab_port *p, const char *name, const char *arg,
                       bool *ok, char *info, size_t cap)
{
	struct lab_line now;

	info[0] = 0;
	*ok = true;
	current(p, &now);
	if (!strcmp(name, "+IPR")) {
		if (!strcmp(arg, "?") || !strncmp(arg, "?;", 2)) {
			g_snprintf(info, cap, "+IPR: %ld",
			           lab_mismatch_autobaud(p) ? 0 : now.baud);
		} else if (!strncmp(arg, "=?", 2)) {
			GString *s = g_string_new("+IPR: (");
			for (int i = 0; i < p->cfg->nipr; i++)
				g_string_append_printf(s, "%s%ld", i ? "," : "",
				                       p->cfg->ipr[i]);
			g_string_append(s, "),()");
			g_strlcpy(info, s->str, cap);
			g_string_free(s, TRUE);
		} else if (arg[0] == '=') {
			char *end;
			long r = strtol(arg + 1, &end, 10);
			*ok = end != arg + 1 && (!*end || *end == ';') &&
			      ipr_set(p, r);
		} else {
			*ok = false;
		}
		return true;
	}
	if (!strcmp(name, "+ICF")) {
		if (!strcmp(arg, "?") || !strncmp(arg, "?;", 2)) {
			int f = 3, par = 3;
			for (int i = 1; i <= 6; i++)
				if (icf[i].bits == now.bits &&
				    icf[i].stop == now.stop &&
				    !icf[i].parity == (now.parity == 'N'))
					f = i;
			if (now.parity != 'N')
				par = (int)(strchr(parities, now.parity) - parities);
			g_snprintf(info, cap, "+ICF: %d,%d", f, par);
		} else if (!strncmp(arg, "=?", 2)) {
			g_strlcpy(info, "+ICF: (1-6),(0-3)", cap);
		} else if (arg[0] == '=') {
			char a[16];
			size_t n = strcspn(arg + 1, ";");
			g_strlcpy(a, arg + 1, MIN(sizeof(a), n + 1));
			*ok = n < sizeof(a) && icf_set(p, a);
		} else {
			*ok = false;
		}
		return true;
	}
	return false;
}

void modem_dte_commit(struct lab_port *p)
{
	struct dte *d = D(p);

	if (!d->why)
		return;
	lab_mismatch_set_autobaud(p, d->pending_auto);
	lab_mismatch_set_device(p, &d->pending,
	                        d->pending_auto ? "autobaud" : d->why);
	d->why = NULL;
	d->pending_auto = false;
}

void modem_dte_store(struct lab_port *p)
{
	struct dte *d = D(p);

	current(p, &d->kept);
	d->kept_auto = lab_mismatch_autobaud(p);
}

void modem_dte_restore(struct lab_port *p)
{
	struct dte *d = D(p);

	if (!d->kept.baud)
		return;
	d->pending = d->kept;
	d->pending_auto = d->kept_auto;
	d->why = "Z";
}
