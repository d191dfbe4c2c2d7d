/*
 * modem.c - the modem object: make it on a link, pick its driver, and
 * the command-mode chores that do not involve a call: sync, reset, init,
 * the guard time, identify. Caller ID bookkeeping lives here too, since
 * the URC callback is installed at open.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "modem_priv.h"

/* RINGs come every ~6 s; a longer gap means the next RING is a new call. */
#define NEW_CALL_GAP_MS 15000
/* The shortest single try of sync: less and a slow modem never makes it. */
#define SYNC_TRY_MIN_MS 100
#define DEFAULT_RESET_MS 3000

const char *hs_mdm_dev(struct hs_modem *m)
{
	const struct hs_link_info *i = hs_link_info(m->link);
	return i && i->path[0] ? i->path : "modem";
}

void hs_mdm_clean(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	if (cap == 0)
		return;
	for (; *src && n + 1 < cap; src++)
		dst[n++] = isprint((unsigned char)*src) ? *src : '?';
	dst[n] = 0;
}

/* "\"5551234\",129" -> 5551234 */
static void clip_number(char *dst, size_t cap, const char *v)
{
	const char *q = strchr(v, '"'), *e;
	char tmp[64];
	size_t n;

	if (!q || !(e = strchr(q + 1, '"'))) {
		n = strcspn(v, ",");
	} else {
		v = q + 1;
		n = (size_t)(e - v);
	}
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, v, n);
	tmp[n] = 0;
	hs_mdm_clean(dst, cap, tmp);
}

static void on_urc(void *ctx, const struct hs_at_urc *u)
{
	struct hs_modem *m = ctx;
	int64_t now = hs_now_ms();
	struct hs_modem_call *c = &m->call;

	if (u->kind == HS_URC_RING || u->kind == HS_URC_CRING ||
	    u->kind == HS_URC_CALLER_ID || u->kind == HS_URC_CLIP) {
		if (m->last_ring_ms && now - m->last_ring_ms > NEW_CALL_GAP_MS)
			memset(c, 0, sizeof(*c));
		m->last_ring_ms = now;
	}
	switch (u->kind) {
	case HS_URC_RING:
	case HS_URC_CRING:
		c->rings++;
		break;
	case HS_URC_CLIP:
		clip_number(c->number, sizeof(c->number), u->value);
		break;
	case HS_URC_CONNECT:
		/* the modem answered by itself (S0 > 0) */
		hs_mdm_went_online(m, u->connect, isdigit((unsigned char)u->line[0]));
		break;
	case HS_URC_CALLER_ID:
		if (!strcmp(u->key, "DATE"))
			hs_mdm_clean(c->date, sizeof(c->date), u->value);
		else if (!strcmp(u->key, "TIME"))
			hs_mdm_clean(c->time, sizeof(c->time), u->value);
		else if (!strcmp(u->key, "NMBR") || !strcmp(u->key, "DDN_NMBR"))
			hs_mdm_clean(c->number, sizeof(c->number), u->value);
		else if (!strcmp(u->key, "NAME"))
			hs_mdm_clean(c->name, sizeof(c->name), u->value);
		else if (!strcmp(u->key, "MESG"))
			hs_mdm_clean(c->mesg, sizeof(c->mesg), u->value);
		break;
	default:
		break;
	}
	if (m->user_fn)
		m->user_fn(m->user_ctx, u);
}

int hs_modem_open(struct hs_modem **out, struct hs_link *link,
		  const struct hs_modem_driver *drv)
{
	struct hs_modem *m;
	int rc;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_modem_open: no place for the modem");
	*out = NULL;
	if (!link)
		return hs_fail(HS_ERR_ARG, "hs_modem_open: no link");
	if (!(m = calloc(1, sizeof(*m))))
		return hs_fail(HS_ERR_NOMEM, "hs_modem_open: out of memory");
	m->link = link;
	if ((rc = hs_at_open(&m->at, link)) < 0) {
		free(m);
		return rc;
	}
	m->policy = HS_HANGUP_DEFAULT;
	m->guard_ms = -1;
	m->dcd_before = -1;
	m->has_lines = hs_link_signals(link) >= 0;
	hs_at_set_urc_handler(m->at, on_urc, m);
	hs_modem_set_driver(m, drv ? drv : hs_modem_driver_match(hs_link_info(link), NULL));
	*out = m;
	return HS_OK;
}

void hs_modem_free(struct hs_modem *m)
{
	if (!m)
		return;
	hs_mdm_unwatch(m); /* the link outlives us: no watch left on it */
	hs_at_free(m->at);
	free(m);
}

struct hs_at *hs_modem_at(struct hs_modem *m)
{
	return m ? m->at : NULL;
}

struct hs_link *hs_modem_link(struct hs_modem *m)
{
	return m ? m->link : NULL;
}

const struct hs_modem_driver *hs_modem_get_driver(const struct hs_modem *m)
{
	return m ? m->drv : NULL;
}

int hs_modem_set_driver(struct hs_modem *m, const struct hs_modem_driver *drv)
{
	if (!m || !drv)
		return hs_fail(HS_ERR_ARG, "hs_modem_set_driver: no modem or no driver");
	m->drv = drv;
	hs_at_set_numeric_map(m->at, drv->numeric, drv->nnumeric);
	hs_at_set_urcs(m->at, drv->urcs);
	return HS_OK;
}

void hs_modem_set_urc_handler(struct hs_modem *m, hs_at_urc_fn fn, void *ctx)
{
	if (m)
		m->user_fn = fn, m->user_ctx = ctx;
}

void hs_modem_set_hangup_policy(struct hs_modem *m, unsigned policy)
{
	if (m)
		m->policy = policy ? policy : HS_HANGUP_DEFAULT;
}

static int check(struct hs_modem *m, int timeout_ms, const char *what)
{
	if (!m)
		return hs_fail(HS_ERR_ARG, "%s: no modem", what);
	if (timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "%s: %s: negative timeout", hs_mdm_dev(m), what);
	if (m->online)
		return hs_fail(HS_ERR_ARG, "%s: %s: the modem is online; hang up first",
			       hs_mdm_dev(m), what);
	return HS_OK;
}

int hs_modem_sync(struct hs_modem *m, int tries, int timeout_ms)
{
	struct hs_at_reply *r;
	char why[256] = "";
	int64_t start, deadline;
	int rc, i, last = HS_ERR_TIMEOUT;

	if ((rc = check(m, timeout_ms, "sync")) < 0)
		return rc;
	if (tries < 1)
		return hs_fail(HS_ERR_ARG, "%s: sync needs at least one try", hs_mdm_dev(m));
	if (!(r = malloc(sizeof(*r))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	start = hs_now_ms();
	deadline = hs_deadline(timeout_ms);
	for (i = 0; i < tries && hs_remaining(deadline) > 0; i++) {
		int per = hs_remaining(deadline) / (tries - i);
		if (per < SYNC_TRY_MIN_MS)
			per = SYNC_TRY_MIN_MS;
		if (per > hs_remaining(deadline))
			per = hs_remaining(deadline);
		rc = hs_at_command(m->at, "AT", r, per);
		if (rc == HS_OK && (r->result == HS_AT_OK || r->result == HS_AT_NONE)) {
			free(r);
			return HS_OK;
		}
		if (hs_at_online(m->at)) {
			/* A CONNECT came instead of OK: every further AT would
			 * be refused as data. The device's doing, not the
			 * caller's: say so once. */
			free(r);
			return hs_fail(HS_ERR_PROTOCOL,
				       "%s answered AT with CONNECT and is online: a call it answered by itself, or noise that looked like one",
				       hs_mdm_dev(m));
		}
		last = rc < 0 ? rc : hs_at_result_error(m->at, r, "AT");
		snprintf(why, sizeof(why), "%s", hs_last_error());
	}
	free(r);
	if (last == HS_ERR_TIMEOUT)
		return hs_fail(HS_ERR_TIMEOUT,
			       "%s did not answer AT with OK in %d tries within %d ms; is it a modem, on, at this speed?",
			       hs_mdm_dev(m), i, timeout_ms);
	/* Noise, an over-long line or ERROR ended the tries, not the
	 * time: say what the last one got. */
	return hs_fail(last, "%s did not answer AT with OK in %d tries (%lld ms); the last: %s",
		       hs_mdm_dev(m), i, (long long)(hs_now_ms() - start), why);
}

int hs_modem_init(struct hs_modem *m, int timeout_ms)
{
	int64_t deadline;
	int rc;

	if ((rc = check(m, timeout_ms, "init")) < 0)
		return rc;
	if (m->drv->ops.init)
		return m->drv->ops.init(m, timeout_ms);
	deadline = hs_deadline(timeout_ms);
	for (const char *const *c = m->drv->init; c && *c; c++)
		if ((rc = hs_at_simple(m->at, *c, hs_remaining(deadline))) < 0)
			return rc;
	return HS_OK;
}

int hs_modem_reset(struct hs_modem *m, int factory, int timeout_ms)
{
	int64_t deadline;
	int rc, reset_ms;

	if ((rc = check(m, timeout_ms, "reset")) < 0)
		return rc;
	deadline = hs_deadline(timeout_ms);
	reset_ms = m->drv->reset_ms > 0 ? m->drv->reset_ms : DEFAULT_RESET_MS;
	if (reset_ms > timeout_ms)
		reset_ms = timeout_ms;
	if ((rc = hs_at_simple(m->at, factory ? "AT&F" : "ATZ", reset_ms)) < 0)
		return rc;
	if ((rc = hs_modem_init(m, hs_remaining(deadline))) < 0)
		return rc;
	if (!(m->drv->quirks & HS_MODEM_QUIRK_NO_S12))
		hs_modem_guard_time(m, hs_remaining(deadline));
	return HS_OK;
}

int hs_modem_guard_time(struct hs_modem *m, int timeout_ms)
{
	struct hs_at_reply *r;
	char line[64];
	const char *p;
	int rc, v = -1;

	if ((rc = check(m, timeout_ms, "reading S12")) < 0)
		return rc;
	if (!(r = malloc(sizeof(*r))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	rc = hs_at_command(m->at, "ATS12?", r, timeout_ms);
	if (rc == HS_OK && r->result == HS_AT_OK && hs_at_reply_line(r, 0, line, sizeof(line)) > 0) {
		/* "050", or "S12=050" on some: the last number on the line */
		for (p = line + strlen(line); p > line && isdigit((unsigned char)p[-1]); p--)
			;
		if (isdigit((unsigned char)*p))
			v = atoi(p);
	}
	if (rc == HS_OK && (v < 0 || v > 255))
		rc = hs_fail(HS_ERR_PROTOCOL, "%s: ATS12? gave no number (%s)", hs_mdm_dev(m),
			     r->result == HS_AT_OK ? "no value" : hs_at_result_name(r->result));
	free(r);
	if (rc < 0)
		return rc;
	/* S12 is in 1/50 s; 0 means no guard at all, but a little silence
	 * costs nothing and keeps "+++" apart from data. */
	m->guard_ms = v * 20 > 20 ? v * 20 : 20;
	return m->guard_ms;
}

/* The reply's lines joined by "; ", printable and bounded. */
static void joined(const struct hs_at_reply *r, char *out, size_t cap, const char *strip)
{
	char line[HS_AT_LINE_MAX + 1], clean[128];
	size_t n = 0, sn = strip ? strlen(strip) : 0;

	out[0] = 0;
	for (int i = 0; i < r->nlines && n + 1 < cap; i++) {
		const char *p = line;
		hs_at_reply_line(r, i, line, sizeof(line));
		if (sn && !strncasecmp(p, strip, sn)) {
			p += sn;
			while (*p == ' ')
				p++;
		}
		hs_mdm_clean(clean, sizeof(clean), p);
		n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "; " : "", clean);
		if (n >= cap)
			n = cap - 1;
	}
}

/* Ask cmd; "" into out when the modem refuses it. */
static int ask(struct hs_modem *m, struct hs_at_reply *r, const char *cmd, char *out,
	       size_t cap, int64_t deadline)
{
	char strip[16];
	int rc = hs_at_command(m->at, cmd, r, hs_remaining(deadline));

	out[0] = 0;
	if (rc < 0)
		return rc;
	if (r->result != HS_AT_OK)
		return 0;
	/* "+CGMI: Quectel" on some modules: drop the echo of the name */
	snprintf(strip, sizeof(strip), "%s:", cmd + 2);
	joined(r, out, cap, strip);
	return 1;
}

static int identify_generic(struct hs_modem *m, struct hs_modem_ident *id, int timeout_ms)
{
	static const char *const gcap[] = { "AT+GMI", "AT+GMM", "AT+GMR", "AT+GSN" };
	static const char *const cgcap[] = { "AT+CGMI", "AT+CGMM", "AT+CGMR", "AT+CGSN" };
	char *fields[] = { id->manufacturer, id->model, id->revision, id->serial };
	const char *const *family = m->drv->quirks & HS_MODEM_QUIRK_3GPP ? cgcap : gcap;
	int64_t deadline = hs_deadline(timeout_ms);
	struct hs_at_reply *r = malloc(sizeof(*r));
	int rc = HS_OK, count;

	if (!r)
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", hs_mdm_dev(m));
	if (!(m->drv->quirks & HS_MODEM_QUIRK_NO_GMI)) {
		rc = ask(m, r, family[0], fields[0], sizeof(id->manufacturer), deadline);
		if (rc == 0) {
			/* V.250 names refused: try the 27.007 ones once */
			family = family == gcap ? cgcap : gcap;
			rc = ask(m, r, family[0], fields[0], sizeof(id->manufacturer), deadline);
		}
		for (int i = 1; rc > 0 && i < 4; i++) {
			rc = ask(m, r, family[i], fields[i], 64, deadline);
			if (rc == 0)
				rc = 1; /* one refused field is not the end */
		}
	}
	count = m->drv->ati_count > 0 ? m->drv->ati_count : 4;
	if (count > HS_MODEM_ATI_MAX)
		count = HS_MODEM_ATI_MAX;
	for (int i = 0; rc >= 0 && i < count; i++) {
		char cmd[8];
		snprintf(cmd, sizeof(cmd), "ATI%d", i);
		rc = ask(m, r, cmd, id->ati[i], sizeof(id->ati[i]), deadline);
		id->nati = i + 1;
	}
	free(r);
	return rc < 0 ? rc : HS_OK;
}

int hs_modem_identify(struct hs_modem *m, struct hs_modem_ident *id, int timeout_ms)
{
	int rc;

	if ((rc = check(m, timeout_ms, "identify")) < 0)
		return rc;
	if (!id)
		return hs_fail(HS_ERR_ARG, "%s: identify: nowhere to put it", hs_mdm_dev(m));
	memset(id, 0, sizeof(*id));
	if (m->drv->ops.identify)
		return m->drv->ops.identify(m, id, timeout_ms);
	return identify_generic(m, id, timeout_ms);
}
