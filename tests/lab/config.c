/*
 * config.c — options and scenario files, parsed by one function.
 *
 * A scenario line "KEY VALUE..." and the option "--KEY 'VALUE...'" are the
 * same directive, so the two can never drift apart. Directives that describe
 * a device apply to the port most recently named by `port` (or to the
 * implicit ttyUSB0 modem when no port was named yet). The format is
 * documented in hslab's --help (hslab.c), which is the user's reference.
 */
#include "lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LAB_ERR(err, ...) \
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__)

void lab_config_init(struct lab_config *c)
{
	memset(c, 0, sizeof(*c));
}

void lab_words_free(char **w, size_t *lens, int n)
{
	for (int i = 0; i < n; i++)
		g_free(w[i]);
	g_free(w);
	g_free(lens);
}

int lab_words(const char *s, char ***words, size_t **lens, GError **err)
{
	GPtrArray *w = g_ptr_array_new();
	GArray *l = g_array_new(FALSE, FALSE, sizeof(size_t));

	for (;;) {
		GString *raw = g_string_new(NULL);
		char *buf;
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n' || *s == '#') {
			g_string_free(raw, TRUE);
			break;
		}
		if (*s == '"') {
			/* quoted word: keep escapes for lab_unescape */
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1])
					g_string_append_c(raw, *s++);
				g_string_append_c(raw, *s++);
			}
			if (*s != '"') {
				LAB_ERR(err, "unterminated quote");
				g_string_free(raw, TRUE);
				g_ptr_array_set_free_func(w, g_free);
				g_ptr_array_free(w, TRUE);
				g_array_free(l, TRUE);
				return -1;
			}
			s++;
		} else {
			while (*s && *s != ' ' && *s != '\t' && *s != '\n')
				g_string_append_c(raw, *s++);
		}
		buf = g_malloc(raw->len + 1);
		n = lab_unescape(raw->str, buf);
		g_string_free(raw, TRUE);
		g_ptr_array_add(w, buf);
		g_array_append_val(l, n);
	}
	{
		int n = (int)w->len;
		*words = (char **)g_ptr_array_free(w, FALSE);
		*lens = (size_t *)(void *)g_array_free(l, FALSE);
		return n;
	}
}

static bool parse_long(const char *s, long lo, long hi, long *out,
                       GError **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi) {
		LAB_ERR(err, "'%s' is not a number in %ld..%ld", s, lo, hi);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_double(const char *s, double *out, GError **err)
{
	char *end;

	*out = g_ascii_strtod(s, &end);
	if (end == s || *end || *out < 0) {
		LAB_ERR(err, "'%s' is not a non-negative number", s);
		return false;
	}
	return true;
}

static void port_defaults(struct lab_port_cfg *p, const char *name, int idx)
{
	memset(p, 0, sizeof(*p));
	g_strlcpy(p->name, name, sizeof(p->name));
	p->model = LAB_MODEL_MODEM;
	if (g_str_has_prefix(name, "ttyACM")) {
		/* a real CDC-ACM modem: Conexant CX93010 "USB Modem" */
		p->vid = 0x0572, p->pid = 0x1329;
		g_strlcpy(p->manufacturer, "Conexant", sizeof(p->manufacturer));
		g_strlcpy(p->product, "USB Modem", sizeof(p->product));
	} else {
		/* FTDI FT232R, the most common USB-serial adapter */
		p->vid = 0x0403, p->pid = 0x6001;
		g_strlcpy(p->manufacturer, "FTDI", sizeof(p->manufacturer));
		g_strlcpy(p->product, "FT232R USB UART", sizeof(p->product));
	}
	g_snprintf(p->serial, sizeof(p->serial), "HSLAB%04d", idx + 1);
	p->default_far.kind = FAR_LOOPBACK;
	p->connect_speed = 115200;
	p->ring_interval = 1.0;
	p->ring_max = 10;
	p->split_seed = -1;
	p->split_gap_ms = 5;
	p->buffer = 4096, p->high = 3072, p->low = 1024;
	p->print_rate = 0; /* 0: as fast as the line */
	p->busy_xon = true;
	p->paperout_after = -1;
	p->plug_after_ms = -1;
	p->program_wait = 10;
	{
		/* what AT+IPR takes: autobaud and the usual rates */
		static const long ipr[] = { 0, 300, 1200, 2400, 4800, 9600,
		                            19200, 38400, 57600, 115200 };
		memcpy(p->ipr, ipr, sizeof(ipr));
		p->nipr = G_N_ELEMENTS(ipr);
	}
	p->miwait = true;
}

static struct lab_port_cfg *port_get(struct lab_config *c, const char *name,
                                     GError **err)
{
	for (int i = 0; i < c->nports; i++)
		if (!strcmp(c->ports[i].name, name))
			return &c->ports[i];
	if (!g_str_has_prefix(name, "ttyUSB") && !g_str_has_prefix(name, "ttyACM")) {
		LAB_ERR(err, "port '%s': name must be ttyUSBn or ttyACMn", name);
		return NULL;
	}
	if (strspn(name + 6, "0123456789") != strlen(name + 6) || !name[6]) {
		LAB_ERR(err, "port '%s': name must end in a number", name);
		return NULL;
	}
	if (c->nports == LAB_MAX_PORTS) {
		LAB_ERR(err, "at most %d ports", LAB_MAX_PORTS);
		return NULL;
	}
	port_defaults(&c->ports[c->nports], name, c->nports);
	return &c->ports[c->nports++];
}

/* the port that device directives apply to */
static struct lab_port_cfg *current(struct lab_config *c)
{
	if (c->nports == 0)
		return port_get(c, "ttyUSB0", NULL);
	return &c->ports[c->nports - 1];
}

/* Parse "KIND [ARGS]" of a `number` or `default-number` directive. */
static bool parse_far(struct lab_far *f, char **w, size_t *l, int n,
                      GError **err)
{
	const char *k = w[0];

	if (n < 1) {
		LAB_ERR(err, "missing far-end kind");
		return false;
	}
	f->nsteps = 0;
	if (!strcmp(k, "loopback"))
		f->kind = FAR_LOOPBACK;
	else if (!strcmp(k, "busy"))
		f->kind = FAR_BUSY;
	else if (!strcmp(k, "noanswer"))
		f->kind = FAR_NOANSWER;
	else if (!strcmp(k, "nodialtone"))
		f->kind = FAR_NODIALTONE;
	else if (g_str_has_prefix(k, "tcp:")) {
		const char *colon = strrchr(k + 4, ':');
		if (!colon || colon == k + 4 || !colon[1]) {
			LAB_ERR(err, "'%s': expected tcp:HOST:PORT", k);
			return false;
		}
		f->kind = FAR_TCP;
		g_strlcpy(f->host, k + 4, MIN(sizeof(f->host),
		                              (size_t)(colon - (k + 4)) + 1));
		g_strlcpy(f->port, colon + 1, sizeof(f->port));
	} else if (!strcmp(k, "script")) {
		f->kind = FAR_SCRIPT;
		for (int i = 1; i < n; i++) {
			struct lab_step *s = &f->steps[f->nsteps];
			if (!strcmp(w[i], "hangup")) {
				f->hangup_after = true;
				continue;
			}
			if ((strcmp(w[i], "send") && strcmp(w[i], "expect")) ||
			    i + 1 >= n) {
				LAB_ERR(err, "script: expected 'send TEXT', "
				        "'expect TEXT' or 'hangup' at '%s'", w[i]);
				return false;
			}
			if (f->nsteps == LAB_MAX_STEPS) {
				LAB_ERR(err, "script: at most %d steps",
				        LAB_MAX_STEPS);
				return false;
			}
			s->send = !strcmp(w[i], "send");
			s->text = g_memdup2(w[i + 1], l[i + 1] + 1);
			s->len = l[i + 1];
			f->nsteps++;
			i++;
		}
	} else {
		LAB_ERR(err, "unknown far end '%s' (loopback, busy, noanswer, "
		        "nodialtone, tcp:HOST:PORT, script ...)", k);
		return false;
	}
	return true;
}

static bool parse_fault(struct lab_port_cfg *p, char **w, int n, GError **err)
{
	static const struct { const char *name; enum lab_fault kind; } kinds[] = {
		{ "unplug", FAULT_UNPLUG }, { "silence", FAULT_SILENCE },
		{ "garbage", FAULT_GARBAGE }, { "endless-line", FAULT_ENDLESS },
		{ "rings", FAULT_RINGS }, { "carrier-loss", FAULT_CARRIER_LOSS },
		{ "stuck-busy", FAULT_STUCK_BUSY },
	};
	struct lab_fault_cfg *f;

	if (n < 1) {
		LAB_ERR(err, "fault: missing kind");
		return false;
	}
	if (p->nfaults == (int)G_N_ELEMENTS(p->faults)) {
		LAB_ERR(err, "too many faults on %s", p->name);
		return false;
	}
	f = &p->faults[p->nfaults];
	f->kind = FAULT_NONE;
	f->after_bytes = -1;
	f->after_ms = -1;
	f->when = WHEN_DEFAULT;
	f->flood = -1;
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (!strcmp(w[0], kinds[i].name))
			f->kind = kinds[i].kind;
	if (f->kind == FAULT_NONE) {
		LAB_ERR(err, "unknown fault '%s'", w[0]);
		return false;
	}
	for (int i = 1; i < n; i += 2) {
		long v;
		if (!strcmp(w[i], "on-open") || !strcmp(w[i], "on-connect")) {
			f->when = w[i][3] == 'o' ? WHEN_OPEN : WHEN_CONNECT;
			i--; /* takes no value */
			continue;
		}
		if (i + 1 >= n || !parse_long(w[i + 1], 0, LONG_MAX, &v, err)) {
			if (err && !*err)
				LAB_ERR(err, "fault: '%s' needs a value", w[i]);
			return false;
		}
		if (!strcmp(w[i], "after-bytes"))
			f->after_bytes = v;
		else if (!strcmp(w[i], "after-ms"))
			f->after_ms = v;
		else if (!strcmp(w[i], "flood"))
			f->flood = v;
		else {
			LAB_ERR(err, "fault: unknown trigger '%s'", w[i]);
			return false;
		}
	}
	if (f->flood >= 0 && f->kind != FAULT_GARBAGE && f->kind != FAULT_ENDLESS &&
	    f->kind != FAULT_RINGS) {
		LAB_ERR(err, "fault: only garbage, endless-line and rings flood");
		return false;
	}
	if (f->when != WHEN_DEFAULT && (f->after_bytes >= 0 || f->after_ms >= 0)) {
		LAB_ERR(err, "fault: on-open and on-connect take no other trigger");
		return false;
	}
	p->nfaults++;
	return true;
}

/* damage KEY=VALUE...: ber= drop= dup= burst= burst-len= dir= seed=, or off */
static bool parse_damage(struct lab_damage_cfg *d, char **w, int n, GError **err)
{
	memset(d, 0, sizeof(*d));
	d->rx = d->tx = true;
	d->burst_len = 16;
	d->seed = 1;
	if (n == 1 && !strcmp(w[0], "off"))
		return true;
	d->on = true;
	for (int i = 0; i < n; i++) {
		char *eq = strchr(w[i], '=');
		const char *v = eq ? eq + 1 : "";
		double *rate = NULL;
		long l;

		if (eq)
			*eq = 0;
		if (!strcmp(w[i], "ber"))
			rate = &d->ber;
		else if (!strcmp(w[i], "drop"))
			rate = &d->drop;
		else if (!strcmp(w[i], "dup"))
			rate = &d->dup;
		else if (!strcmp(w[i], "burst"))
			rate = &d->burst;
		if (rate) {
			if (!parse_double(v, rate, err))
				return false;
			if (*rate > 1) {
				LAB_ERR(err, "damage: %s=%s is not a rate in 0..1", w[i], v);
				return false;
			}
		} else if (!strcmp(w[i], "burst-len")) {
			if (!parse_long(v, 1, 65536, &l, err))
				return false;
			d->burst_len = (int)l;
		} else if (!strcmp(w[i], "seed")) {
			if (!parse_long(v, 0, LONG_MAX, &l, err))
				return false;
			d->seed = (guint64)l;
		} else if (!strcmp(w[i], "dir")) {
			d->rx = !strcmp(v, "rx") || !strcmp(v, "both");
			d->tx = !strcmp(v, "tx") || !strcmp(v, "both");
			if (!d->rx && !d->tx) {
				LAB_ERR(err, "damage: dir=rx, tx or both");
				return false;
			}
		} else {
			LAB_ERR(err, "damage: unknown '%s' (ber= drop= dup= burst= "
			        "burst-len= dir= seed=, or off)", w[i]);
			return false;
		}
	}
	return true;
}

static bool apply_words(struct lab_config *c, const char *key, char **w,
                        size_t *l, int n, GError **err)
{
	struct lab_port_cfg *p;
	long v;

#define NEED(k) do { if (n < (k)) { \
		LAB_ERR(err, "%s: needs %d argument(s)", key, (k)); \
		return false; } } while (0)

	if (!strcmp(key, "transcript")) {
		NEED(1);
		g_strlcpy(c->transcript, w[0], sizeof(c->transcript));
		return true;
	}
	if (!strcmp(key, "verbose")) {
		c->verbose = true;
		return true;
	}
	if (!strcmp(key, "shared-locks")) {
		c->shared_locks = true;
		return true;
	}
	if (!strcmp(key, "port")) {
		char *eq;
		NEED(1);
		eq = strchr(w[0], '=');   /* --port ttyUSB1=printer */
		if (eq)
			*eq++ = 0;
		if (!(p = port_get(c, w[0], err)))
			return false;
		/* make it the current port */
		if (p != &c->ports[c->nports - 1]) {
			struct lab_port_cfg tmp = *p;
			int i = (int)(p - c->ports);
			memmove(p, p + 1, (size_t)(c->nports - 1 - i) * sizeof(*p));
			c->ports[c->nports - 1] = tmp;
			p = &c->ports[c->nports - 1];
		}
		const char *m = eq ? eq : n > 1 ? w[1] : "modem";
		if (!strcmp(m, "modem"))
			p->model = LAB_MODEL_MODEM;
		else if (!strcmp(m, "printer"))
			p->model = LAB_MODEL_PRINTER;
		else if (!strcmp(m, "none"))
			p->model = LAB_MODEL_NONE;
		else if (!strcmp(m, "program"))
			p->model = LAB_MODEL_PROGRAM;
		else if (!strcmp(m, "console"))
			p->model = LAB_MODEL_CONSOLE;
		else if (!strcmp(m, "nmea"))
			p->model = LAB_MODEL_NMEA;
		else {
			LAB_ERR(err, "port %s: unknown model '%s' (modem, "
			        "printer, program, console, nmea, none; pairs: "
			        "nullmodem)", p->name, m);
			return false;
		}
		return true;
	}
	if (!strcmp(key, "nullmodem")) {
		struct lab_port_cfg *a, *b;
		NEED(2);
		if (!(a = port_get(c, w[0], err)) || !(b = port_get(c, w[1], err)))
			return false;
		a = port_get(c, w[0], err); /* b's creation may not move a */
		a->model = b->model = LAB_MODEL_NULL;
		g_strlcpy(a->peer, b->name, sizeof(a->peer));
		g_strlcpy(b->peer, a->name, sizeof(b->peer));
		return true;
	}

	p = current(c);
	switch (lab_mismatch_config(p, key, w, n, err)) {
	case 1: return true;
	case -1: return false;
	}
	if (!strcmp(key, "usb")) {
		unsigned vid, pid;
		char extra;
		NEED(1);
		if (sscanf(w[0], "%x:%x%c", &vid, &pid, &extra) != 2 ||
		    vid > 0xffff || pid > 0xffff) {
			LAB_ERR(err, "usb: expected VID:PID in hex, got '%s'", w[0]);
			return false;
		}
		p->vid = vid, p->pid = pid;
	} else if (!strcmp(key, "manufacturer")) {
		NEED(1);
		g_strlcpy(p->manufacturer, w[0], sizeof(p->manufacturer));
	} else if (!strcmp(key, "product")) {
		NEED(1);
		g_strlcpy(p->product, w[0], sizeof(p->product));
	} else if (!strcmp(key, "serial")) {
		NEED(1);
		g_strlcpy(p->serial, w[0], sizeof(p->serial));
	} else if (!strcmp(key, "ati")) {
		NEED(1);
		if (p->nati == LAB_MAX_ATI) {
			LAB_ERR(err, "ati: at most %d lines", LAB_MAX_ATI);
			return false;
		}
		p->ati[p->nati++] = g_strdup(w[0]);
	} else if (!strcmp(key, "number")) {
		struct lab_far *f;
		NEED(2);
		if (p->nfars == LAB_MAX_NUMBERS) {
			LAB_ERR(err, "number: at most %d", LAB_MAX_NUMBERS);
			return false;
		}
		f = &p->fars[p->nfars];
		memset(f, 0, sizeof(*f));
		/* numbers match on their dialable characters only */
		for (const char *s = w[0]; *s && strlen(f->number) < 63; s++)
			if (strchr("0123456789*#ABCDabcd", *s))
				f->number[strlen(f->number)] = *s;
		if (!parse_far(f, w + 1, l + 1, n - 1, err))
			return false;
		p->nfars++;
	} else if (!strcmp(key, "default-number")) {
		NEED(1);
		if (!parse_far(&p->default_far, w, l, n, err))
			return false;
	} else if (!strcmp(key, "connect-speed")) {
		NEED(1);
		if (!parse_long(w[0], 300, 4000000, &p->connect_speed, err))
			return false;
	} else if (!strcmp(key, "ring")) {
		struct lab_ring *r;
		NEED(1);
		if (p->nrings == LAB_MAX_RINGS) {
			LAB_ERR(err, "ring: at most %d", LAB_MAX_RINGS);
			return false;
		}
		r = &p->rings[p->nrings];
		memset(r, 0, sizeof(*r));
		if (!parse_double(w[0], &r->at, err))
			return false;
		if (n > 1)
			g_strlcpy(r->number, w[1], sizeof(r->number));
		if (n > 2)
			g_strlcpy(r->name, w[2], sizeof(r->name));
		p->nrings++;
	} else if (!strcmp(key, "uart")) {
		NEED(1);
		if (strcmp(w[0], "paced") && strcmp(w[0], "instant")) {
			LAB_ERR(err, "uart: paced or instant, not '%s'", w[0]);
			return false;
		}
		p->uart_paced = !strcmp(w[0], "paced");
	} else if (!strcmp(key, "plug-after")) {
		NEED(1);
		if (!parse_long(w[0], 0, 3600000, &p->plug_after_ms, err))
			return false;
	} else if (!strcmp(key, "ring-interval")) {
		NEED(1);
		if (!parse_double(w[0], &p->ring_interval, err))
			return false;
	} else if (!strcmp(key, "split-results")) {
		NEED(1);
		if (!parse_long(w[0], 0, G_MAXINT32, &p->split_seed, err) ||
		    (n > 1 && !parse_long(w[1], 1, 1000, &v, err)))
			return false;
		if (n > 1)
			p->split_gap_ms = (int)v;
	} else if (!strcmp(key, "ring-max")) {
		NEED(1);
		if (!parse_long(w[0], 1, 255, &v, err))
			return false;
		p->ring_max = (int)v;
	} else if (!strcmp(key, "buffer")) {
		long sz, hi, lo;
		NEED(1);
		if (!parse_long(w[0], 16, 1 << 24, &sz, err))
			return false;
		hi = sz * 3 / 4, lo = sz / 4;
		if ((n > 1 && !parse_long(w[1], 1, sz, &hi, err)) ||
		    (n > 2 && !parse_long(w[2], 0, hi - 1, &lo, err)))
			return false;
		p->buffer = (size_t)sz, p->high = (size_t)hi, p->low = (size_t)lo;
	} else if (!strcmp(key, "print-rate")) {
		NEED(1);
		if (!parse_long(w[0], 0, 100000000, &p->print_rate, err))
			return false;
	} else if (!strcmp(key, "busy")) {
		NEED(1);
		p->busy_xon = !strcmp(w[0], "xonxoff") || !strcmp(w[0], "both");
		p->busy_dsr = !strcmp(w[0], "dsr") || !strcmp(w[0], "both");
		if (!p->busy_xon && !p->busy_dsr && strcmp(w[0], "none")) {
			LAB_ERR(err, "busy: xonxoff, dsr, both or none");
			return false;
		}
	} else if (!strcmp(key, "paper-out")) {
		NEED(2);
		if (!parse_long(w[0], 0, LONG_MAX, &p->paperout_after, err) ||
		    !parse_long(w[1], 0, LONG_MAX, &p->paperout_ms, err))
			return false;
	} else if (!strcmp(key, "output")) {
		NEED(1);
		g_strlcpy(p->output, w[0], sizeof(p->output));
	} else if (!strcmp(key, "fault")) {
		return parse_fault(p, w, n, err);
	} else if (!strcmp(key, "miwait")) {
		NEED(1);
		if (strcmp(w[0], "yes") && strcmp(w[0], "no")) {
			LAB_ERR(err, "miwait: yes or no");
			return false;
		}
		p->miwait = !strcmp(w[0], "yes");
	} else if (!strcmp(key, "damage")) {
		return parse_damage(&p->damage, w, n, err);
	} else if (!strcmp(key, "program-wait")) {
		NEED(1);
		if (!parse_long(w[0], 0, 3600, &p->program_wait, err))
			return false;
	} else {
		LAB_ERR(err, "unknown directive '%s'", key);
		return false;
	}
	return true;
#undef NEED
}

bool lab_config_apply(struct lab_config *c, const char *key,
                      const char *value, GError **err)
{
	char **w;
	size_t *l;
	int n;
	bool ok;

	if (!value)
		value = "";
	if (!strcmp(key, "usb-printer")) {
		/* its own key=value syntax, parsed by usbprinter.c */
		if (c->nusbp == LAB_MAX_USBP) {
			LAB_ERR(err, "at most %d USB printers", LAB_MAX_USBP);
			return false;
		}
		c->usb_printers[c->nusbp++] = g_strstrip(g_strdup(value));
		return true;
	}
	if (!strcmp(key, "program")) {
		/* a shell command line, given to /bin/sh as it is */
		struct lab_port_cfg *p = current(c);
		g_strlcpy(p->program, value, sizeof(p->program));
		return true;
	}
	if (!strcmp(key, "ati") || !strcmp(key, "manufacturer") ||
	    !strcmp(key, "product") || !strcmp(key, "serial")) {
		/* free text: the whole value is one word (quotes optional) */
		char *t = g_strstrip(g_strdup(value));
		size_t len = strlen(t);
		if (len >= 2 && t[0] == '"' && t[len - 1] == '"') {
			memmove(t, t + 1, len - 2);
			t[len - 2] = 0;
		}
		w = g_new(char *, 1);
		l = g_new(size_t, 1);
		w[0] = g_malloc(strlen(t) + 1);
		l[0] = lab_unescape(t, w[0]);
		g_free(t);
		n = 1;
	} else {
		n = lab_words(value, &w, &l, err);
		if (n < 0)
			return false;
	}
	ok = apply_words(c, key, w, l, n, err);
	lab_words_free(w, l, n);
	return ok;
}

bool lab_config_load(struct lab_config *c, const char *path, GError **err)
{
	char *text, **lines;
	bool ok = true;

	if (!g_file_get_contents(path, &text, NULL, err))
		return false;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; ok && lines[i]; i++) {
		char *s = g_strstrip(lines[i]), *sp;
		GError *e = NULL;
		if (!*s || *s == '#')
			continue;
		sp = s + strcspn(s, " \t");
		if (*sp)
			*sp++ = 0;
		ok = lab_config_apply(c, s, sp, &e);
		if (!ok) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "%s:%d: %s", path, i + 1, e->message);
			g_error_free(e);
		}
	}
	g_strfreev(lines);
	g_free(text);
	return ok;
}

void lab_config_finish(struct lab_config *c)
{
	/* with no devices at all, the default modem; a lab of USB printers
	 * only gets no serial port it did not ask for */
	if (c->nports == 0 && c->nusbp == 0)
		current(c);
}
