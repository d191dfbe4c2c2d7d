/*
 * usbprinter.c — the lab's emulated USB printer: a usb_device in the
 * emulated sysfs and the usbdevfs side of its /dev/bus/usb node.
 *
 * Map:
 *   options      lab_usbp_parse: "key=value,..." with quoting
 *   descriptors  device + configuration descriptor, sysfs record
 *   readiness    the FIFO that stands in for the node, so libusb's poll()
 *                sleeps until a URB is ready (see fifo_update)
 *   printing     the buffer, the rate timer, faults after N bytes
 *   urbs         SUBMITURB / REAPURBNDELAY / DISCARDURB, control requests
 *   ioctl        the handler umockdev calls on its worker thread
 *
 * Principles: a URB is resolved (copied in) at SUBMITURB and kept; it is
 * "ready" once the device has finished with it; REAPURBNDELAY hands a
 * ready one back with umockdev_ioctl_data_set_ptr() so umockdev copies the
 * urb and its buffer back into the client. Bulk OUT URBs complete in
 * order, only as the printer buffer has room, so a slow printer makes the
 * host wait exactly as real hardware does (the device NAKs).
 */
#include "usbprinter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define EP_OUT 0x02          /* never 0x01: hosts must read descriptors */
#define EP_IN 0x81           /* never 0x82 */
#define EP_IPP_OUT 0x03
#define EP_IPP_IN 0x83
#define PUMP_MS 10           /* how often a rate-limited printer prints */
#define REMOVE_DELAY_MS 50   /* unplug: URBs fail first, then "remove" */

#define PORT_PAPER_EMPTY 0x20
#define PORT_SELECTED 0x10
#define PORT_NOT_ERROR 0x08

struct urb {
	UMockdevIoctlData *data;   /* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;    /* its buffer, NULL when empty */
	gulong addr;               /* the client's urb pointer (DISCARDURB) */
	UMockdevIoctlClient *client; /* whose it is; dropped when it goes */
	unsigned char type, ep;
	int length;                /* buffer_length */
	int done;                  /* bytes moved so far */
	int status;                /* 0 or -errno, once ready */
	bool ready;                /* finished: may be reaped */
};

struct lab_usbp {
	struct lab_usbp_cfg cfg;
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	char devnode[64];          /* /dev/bus/usb/BBB/DDD */
	char syspath[256];         /* /sys/devices/... */
	char name[32];             /* the word in events, "2-1" by default */
	char port[32];             /* sysfs port name, "2-1" */
	int printer_if;            /* the 7/1/x interface number */
	GByteArray *desc;          /* device + configuration descriptor */
	int fifo;                  /* our end of the FIFO at the node, -1 */
	int out;                   /* output file, -1 */
	lab_usbp_event_fn event;
	void *ctx;

	GMutex lock;               /* protects everything below (worker
	                            * thread and main loop) */
	GQueue urbs;               /* struct urb *, in submission order */
	bool fifo_full;            /* no URB ready: poll() must sleep */
	long received;             /* bytes taken from bulk OUT */
	double fill;               /* bytes in the buffer, not printed */
	gint64 pumped_us;          /* when fill was last reduced */
	bool paper_out, unplugged, halted, stalled_once, usblp_bound;
	unsigned claimed;          /* interface bits */
	GByteArray *inq;           /* bulk IN bytes waiting for a URB */
	GByteArray *seen;          /* tail of received bytes, for replies */
	bool reply_sent[LAB_USBP_MAX_REPLIES]; /* unconditional ones */
	GSource *pump;             /* rate timer, NULL when idle */
	GSource *remove;           /* pending remove uevent */
	GSource *unplug_timer;     /* unplug-ms */
	GSource *paper_timer;      /* paper-back */
	int opens;                 /* clients connected */
};

/* ---- options ---------------------------------------------------------- */

/* GError domain for option errors (GIO's would pull in libgio) */
#define USBP_ERROR g_quark_from_static_string("lab-usbp-error")

void lab_usbp_cfg_init(struct lab_usbp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->vid = 0x1234;
	c->pid = 0x5678;
	g_strlcpy(c->manufacturer, "ACME", sizeof(c->manufacturer));
	g_strlcpy(c->product, "LaserJet 9", sizeof(c->product));
	g_strlcpy(c->serial, "LAB0001", sizeof(c->serial));
	c->protocol = 2;
	c->buffer = 65536;
	c->paperout_after = c->unplug_after = c->stall_after = c->unplug_ms = -1;
	c->paper_back_ms = -1;
	/* bus 2: lab_tty's serial adapters live on bus 1 */
	c->bus = 2;
	c->dev = 0;  /* the first free address from 2 */
}

void lab_usbp_cfg_clear(struct lab_usbp_cfg *c)
{
	for (int i = 0; i < c->nreplies; i++) {
		g_free(c->replies[i].match);
		g_free(c->replies[i].answer);
	}
	c->nreplies = 0;
}

/* One value: quotes and backslash escapes, up to an unquoted ','.
 * Returns the bytes (NUL-terminated; *len may count inner NULs). */
static char *take_value(const char **sp, size_t *len, GError **err)
{
	const char *s = *sp;
	GString *v = g_string_new(NULL);
	char quote = 0;

	for (; *s && (quote || *s != ','); s++) {
		if (!quote && (*s == '"' || *s == '\'')) {
			quote = *s;
			continue;
		}
		if (quote && *s == quote) {
			quote = 0;
			continue;
		}
		if (*s != '\\') {
			g_string_append_c(v, *s);
			continue;
		}
		switch (*++s) {
		case 'n': g_string_append_c(v, '\n'); break;
		case 'r': g_string_append_c(v, '\r'); break;
		case 't': g_string_append_c(v, '\t'); break;
		case 'e': g_string_append_c(v, 0x1b); break;
		case '0': g_string_append_c(v, 0); break;
		case 'x':
			if (g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
				g_string_append_c(v, (char)(g_ascii_xdigit_value(s[1]) * 16 +
				                            g_ascii_xdigit_value(s[2])));
				s += 2;
				break;
			}
			/* fall through */
		case 0:
			g_set_error(err, USBP_ERROR, 0,
			            "bad escape in \"%s\"", *sp);
			g_string_free(v, TRUE);
			return NULL;
		default: g_string_append_c(v, *s); break;
		}
	}
	if (quote) {
		g_set_error(err, USBP_ERROR, 0,
		            "unterminated %c quote in \"%s\"", quote, *sp);
		g_string_free(v, TRUE);
		return NULL;
	}
	*sp = s;
	*len = v->len;
	return g_string_free(v, FALSE);
}

static bool num(const char *key, const char *v, int base, long lo, long hi,
                long *out, GError **err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, base);
	if (!*v || *end || errno || n < lo || n > hi) {
		g_set_error(err, USBP_ERROR, 0,
		            "%s=%s: want a %s number in %ld..%ld", key, v,
		            base == 16 ? "hex" : "decimal", lo, hi);
		return false;
	}
	*out = n;
	return true;
}

static bool apply(struct lab_usbp_cfg *c, const char *k, char *v, size_t vlen,
                  GError **err)
{
	long n;

	if (!strcmp(k, "vid") || !strcmp(k, "pid")) {
		if (!num(k, v, 16, 0, 0xffff, &n, err))
			return false;
		*(k[0] == 'v' ? &c->vid : &c->pid) = (unsigned)n;
	} else if (!strcmp(k, "manufacturer")) {
		g_strlcpy(c->manufacturer, v, sizeof(c->manufacturer));
	} else if (!strcmp(k, "product")) {
		g_strlcpy(c->product, v, sizeof(c->product));
	} else if (!strcmp(k, "serial")) {
		g_strlcpy(c->serial, v, sizeof(c->serial));
	} else if (!strcmp(k, "proto")) {
		if (!num(k, v, 10, 1, 2, &n, err))
			return false;
		c->protocol = (int)n;
	} else if (!strcmp(k, "id")) {
		if (vlen >= sizeof(c->device_id)) {
			g_set_error(err, USBP_ERROR, 0,
			            "id: %zu bytes, at most %zu", vlen,
			            sizeof(c->device_id) - 1);
			return false;
		}
		memcpy(c->device_id, v, vlen + 1);
	} else if (!strcmp(k, "rate")) {
		if (!num(k, v, 10, 0, 1L << 30, &c->rate, err))
			return false;
	} else if (!strcmp(k, "buffer")) {
		if (!num(k, v, 10, 1, 1L << 28, &n, err))
			return false;
		c->buffer = (size_t)n;
	} else if (!strcmp(k, "paper-out")) {
		return num(k, v, 10, 0, G_MAXLONG, &c->paperout_after, err);
	} else if (!strcmp(k, "unplug")) {
		return num(k, v, 10, 0, G_MAXLONG, &c->unplug_after, err);
	} else if (!strcmp(k, "stall")) {
		return num(k, v, 10, 0, G_MAXLONG, &c->stall_after, err);
	} else if (!strcmp(k, "unplug-ms")) {
		return num(k, v, 10, 0, G_MAXINT, &c->unplug_ms, err);
	} else if (!strcmp(k, "paper-back")) {
		return num(k, v, 10, 0, G_MAXINT, &c->paper_back_ms, err);
	} else if (!strcmp(k, "id-endian")) {
		if (strcmp(v, "be") && strcmp(v, "le")) {
			g_set_error(err, USBP_ERROR, 0, "id-endian=%s: want be or le", v);
			return false;
		}
		c->id_le = !strcmp(v, "le");
	} else if (!strcmp(k, "soft-reset")) {
		if (!strcmp(v, "any"))
			c->soft_reset = 0;
		else if (!strcmp(v, "0x21") || !strcmp(v, "0x23"))
			c->soft_reset = (int)strtol(v, NULL, 16);
		else {
			g_set_error(err, USBP_ERROR, 0, "soft-reset=%s: want any, 0x21 or 0x23", v);
			return false;
		}
	} else if (!strcmp(k, "reply")) {
		struct lab_usbp_reply *r;
		char *gt = memchr(v, '>', vlen);
		if (c->nreplies == LAB_USBP_MAX_REPLIES) {
			g_set_error(err, USBP_ERROR, 0,
			            "more than %d replies", LAB_USBP_MAX_REPLIES);
			return false;
		}
		r = &c->replies[c->nreplies++];
		if (gt && gt > v) {
			r->match_len = (size_t)(gt - v);
			r->match = g_memdup2(v, r->match_len);
		}
		if (gt) {
			r->answer_len = vlen - (size_t)(gt + 1 - v);
			r->answer = g_memdup2(gt + 1, r->answer_len + 1);
		} else {
			r->answer_len = vlen;
			r->answer = g_memdup2(v, vlen + 1);
		}
	} else if (!strcmp(k, "out")) {
		g_strlcpy(c->output, v, sizeof(c->output));
	} else if (!strcmp(k, "bus")) {
		if (!num(k, v, 10, 1, 255, &n, err))
			return false;
		c->bus = (int)n;
	} else if (!strcmp(k, "dev")) {
		if (!num(k, v, 10, 2, 127, &n, err))
			return false;
		c->dev = (int)n;
	} else if (!strcmp(k, "driver")) {
		if (strcmp(v, "usblp") && strcmp(v, "none")) {
			g_set_error(err, USBP_ERROR, 0,
			            "driver=%s: want usblp or none", v);
			return false;
		}
		c->usblp = !strcmp(v, "usblp");
	} else if (!strcmp(k, "ippusb")) {
		if (!num(k, v, 10, 0, 1, &n, err))
			return false;
		c->ippusb = n;
	} else if (!strcmp(k, "name")) {
		g_strlcpy(c->name, v, sizeof(c->name));
	} else {
		g_set_error(err, USBP_ERROR, 0,
		            "unknown key '%s' (see tests/lab/usbprinter.h)", k);
		return false;
	}
	return true;
}

bool lab_usbp_parse(const char *spec, struct lab_usbp_cfg *c, GError **err)
{
	const char *s = spec;

	lab_usbp_cfg_init(c);
	while (*s) {
		const char *eq = strchr(s, '=');
		size_t klen, vlen;
		char *key, *val;
		bool ok;

		if (*s == ',') {
			s++;
			continue;
		}
		klen = strcspn(s, "=,");
		if (!eq || (size_t)(eq - s) != klen) {
			g_set_error(err, USBP_ERROR, 0,
			            "'%.*s' is not key=value", (int)klen, s);
			return false;
		}
		key = g_strstrip(g_strndup(s, klen));
		s = eq + 1;
		if (!(val = take_value(&s, &vlen, err))) {
			g_free(key);
			return false;
		}
		ok = apply(c, key, val, vlen, err);
		g_free(key);
		g_free(val);
		if (!ok)
			return false;
	}
	return true;
}

/* ---- descriptors and the sysfs record --------------------------------- */

static void put16(GByteArray *a, unsigned v)
{
	guint8 b[2] = { v & 0xff, (v >> 8) & 0xff };
	g_byte_array_append(a, b, 2);
}

static void put(GByteArray *a, int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n--) {
		guint8 b = (guint8)va_arg(ap, int);
		g_byte_array_append(a, &b, 1);
	}
	va_end(ap);
}

static void add_interface(GByteArray *a, int num, int proto, int out, int in)
{
	put(a, 9, 9, 4, num, 0, in ? 2 : 1, 7, 1, proto, 0);
	put(a, 4, 7, 5, out, 2);
	put16(a, 512);
	put(a, 1, 0);
	if (in) {
		put(a, 4, 7, 5, in, 2);
		put16(a, 512);
		put(a, 1, 0);
	}
}

static void build_descriptors(struct lab_usbp *p)
{
	const struct lab_usbp_cfg *c = &p->cfg;
	GByteArray *a = g_byte_array_new();
	guint total_at;

	/* device: USB 2.0, class per interface, ep0 64, strings 1/2/3 */
	put(a, 8, 18, 1, 0x00, 0x02, 0, 0, 0, 64);
	put16(a, c->vid);
	put16(a, c->pid);
	put16(a, 0x0100);
	put(a, 4, 1, 2, c->serial[0] ? 3 : 0, 1);
	/* configuration 1, self-powered */
	total_at = a->len + 2;
	put(a, 9, 9, 2, 0, 0, c->ippusb ? 2 : 1, 1, 0, 0xc0, 1);
	if (c->ippusb)
		add_interface(a, 0, 4, EP_IPP_OUT, EP_IPP_IN);
	add_interface(a, p->printer_if, c->protocol, EP_OUT,
	          c->protocol == 2 ? EP_IN : 0);
	a->data[total_at] = (a->len - 18) & 0xff;
	a->data[total_at + 1] = ((a->len - 18) >> 8) & 0xff;
	p->desc = a;
}

static char *hex(const guint8 *b, size_t n)
{
	GString *s = g_string_sized_new(n * 2 + 1);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%02X", b[i]); /* umockdev: uppercase */
	return g_string_free(s, FALSE);
}

/* The records a real printer leaves: its interface(s), child first, and
 * the usb_device with what libusb needs to list it (DESIGN.md). */
static char *record(struct lab_usbp *p)
{
	const struct lab_usbp_cfg *c = &p->cfg;
	char *h = hex(p->desc->data, p->desc->len);
	GString *r = g_string_new(NULL);

	g_string_append_printf(r,
		"P: %s/%s:1.%d\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n%s"
		"A: bInterfaceNumber=%02x\nA: bInterfaceClass=07\n"
		"A: bInterfaceSubClass=01\nA: bInterfaceProtocol=%02x\n"
		"A: bNumEndpoints=%02x\n\n",
		p->syspath + 4, p->port, p->printer_if,
		c->usblp ? "E: DRIVER=usblp\n" : "", p->printer_if, c->protocol,
		c->protocol == 2 ? 2 : 1);
	g_string_append_printf(r,
		"P: %s\nN: %s=%s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n"
		"E: DEVNAME=%s\nE: DRIVER=usb\nE: PRODUCT=%x/%x/100\n"
		"E: TYPE=0/0/0\nE: BUSNUM=%03d\nE: DEVNUM=%03d\n"
		"A: busnum=%d\nA: devnum=%d\nA: speed=480\n"
		"A: bConfigurationValue=1\nA: bNumConfigurations=1\n"
		"A: bNumInterfaces=%2d\nA: bDeviceClass=00\n"
		"A: idVendor=%04x\nA: idProduct=%04x\n"
		"A: manufacturer=%s\nA: product=%s\nA: serial=%s\n"
		"H: descriptors=%s\n",
		p->syspath + 4, p->devnode + 5, h, p->devnode, c->vid, c->pid,
		c->bus, c->dev, c->bus, c->dev, c->ippusb ? 2 : 1, c->vid,
		c->pid, c->manufacturer, c->product, c->serial, h);
	g_free(h);
	return g_string_free(r, FALSE);
}

/* ---- events ----------------------------------------------------------- */

static void ev(struct lab_usbp *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void ev(struct lab_usbp *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!p->event)
		return;
	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p->event(p->ctx, "%s %s", p->name, s);
	g_free(s);
}

/* ---- readiness: the FIFO at the node ---------------------------------- */

static void drop_gone(struct lab_usbp *p);

/* libusb poll()s the node for POLLOUT, which usbfs raises when a URB can
 * be reaped. umockdev nodes are plain files, always ready, so libusb
 * would spin; a FIFO kept full is not writable, one kept empty is. Full
 * while no URB is ready, empty while one is. Called with the lock held. */
static void fifo_update(struct lab_usbp *p)
{
	static const char zeros[4096];
	bool ready = false;

	if (p->fifo < 0)
		return;
	drop_gone(p);
	for (GList *l = p->urbs.head; l && !ready; l = l->next)
		ready = ((struct urb *)l->data)->ready;
	if (ready && p->fifo_full) {
		char sink[4096];
		while (read(p->fifo, sink, sizeof(sink)) > 0)
			;
		p->fifo_full = false;
	} else if (!ready && !p->fifo_full) {
		while (write(p->fifo, zeros, sizeof(zeros)) > 0)
			;
		p->fifo_full = true;
	}
}

/* ---- printing --------------------------------------------------------- */

static void urb_free(struct urb *u)
{
	g_object_unref(u->client);
	if (u->buf)
		umockdev_ioctl_data_unref(u->buf);
	umockdev_ioctl_data_unref(u->data);
	g_free(u);
}

static void finish(struct urb *u, int status)
{
	u->ready = true;
	u->status = status;
}

static void unplug_locked(struct lab_usbp *p);

/* Received bytes may trigger queued replies (reply=MATCH>ANSWER). */
static void match_replies(struct lab_usbp *p, const guint8 *b, size_t n)
{
	size_t keep = 0;

	g_byte_array_append(p->seen, b, (guint)n);
	for (int i = 0; i < p->cfg.nreplies; i++) {
		const struct lab_usbp_reply *r = &p->cfg.replies[i];
		guint8 *hit;
		if (!r->match)
			continue;
		if (r->match_len > keep)
			keep = r->match_len;
		while ((hit = memmem(p->seen->data, p->seen->len, r->match,
		                     r->match_len))) {
			g_byte_array_append(p->inq, (guint8 *)r->answer,
			                    (guint)r->answer_len);
			g_byte_array_remove_range(p->seen, 0,
				(guint)(hit - p->seen->data + r->match_len));
		}
	}
	/* keep only what could still start a match */
	if (p->seen->len > keep)
		g_byte_array_remove_range(p->seen, 0,
		                          p->seen->len - (guint)(keep ? keep - 1 : 0));
}

/* Bulk IN: hand waiting reply bytes to the oldest pending IN URB. */
static void serve_in(struct lab_usbp *p)
{
	for (GList *l = p->urbs.head; l && p->inq->len; l = l->next) {
		struct urb *u = l->data;
		int n;
		if (u->ready || u->ep != EP_IN)
			continue;
		n = MIN(u->length, (int)p->inq->len);
		if (n > 0 && u->buf)
			memcpy(u->buf->data, p->inq->data, (size_t)n);
		g_byte_array_remove_range(p->inq, 0, (guint)n);
		u->done = n;
		finish(u, 0);
		ev(p, "tx %d", n);
	}
}

/* The least bytes before a fault fires; G_MAXLONG if none is pending. */
static long to_fault(struct lab_usbp *p)
{
	long lim = G_MAXLONG;
	long th[] = { p->cfg.paperout_after, p->cfg.unplug_after,
	              p->stalled_once ? -1 : p->cfg.stall_after };

	for (size_t i = 0; i < G_N_ELEMENTS(th); i++)
		if (th[i] >= 0 && th[i] - p->received < lim)
			lim = MAX(th[i] - p->received, 0);
	return lim;
}

static gboolean pump_tick(gpointer data);
static gboolean paper_back_tick(gpointer data);

/* A client that closed the node (or died) loses its URBs, as the kernel
 * kills them; umockdev 0.17 does not always emit client-vanished, so
 * look. Lock held. */
static void drop_gone(struct lab_usbp *p)
{
	GList *l, *next;

	for (l = p->urbs.head; l; l = next) {
		struct urb *u = l->data;
		next = l->next;
		if (umockdev_ioctl_client_get_connected(u->client))
			continue;
		if (!u->ready)
			ev(p, "discard %s %d", u->ep & 0x80 ? "in" : "out", u->done);
		g_queue_delete_link(&p->urbs, l);
		urb_free(u);
	}
}

/* Print what the rate allows, then move bytes from pending OUT URBs into
 * the buffer, in order. Lock held. Returns whether the rate timer must
 * keep running (bytes left to print or URBs waiting for room). */
static bool pump_work(struct lab_usbp *p)
{
	gint64 now = g_get_monotonic_time();
	bool waiting = false;

	drop_gone(p);
	if (p->cfg.rate > 0) {
		p->fill -= (double)(now - p->pumped_us) * (double)p->cfg.rate / 1e6;
		if (p->fill < 0)
			p->fill = 0;
	}
	p->pumped_us = now;
	for (GList *l = p->urbs.head; l; l = l->next) {
		struct urb *u = l->data;
		long n, lim;

		if (u->ready || u->ep != EP_OUT)
			continue;
		if (p->unplugged || p->paper_out) {
			waiting = !p->unplugged;
			break;
		}
		if (p->halted) {
			finish(u, -EPIPE);
			continue;
		}
		n = u->length - u->done;
		if (p->cfg.rate > 0)
			n = MIN(n, (long)((double)p->cfg.buffer - p->fill));
		lim = to_fault(p);
		n = MIN(n, lim);
		if (n > 0) {
			const guint8 *b = u->buf->data + u->done;
			if (p->out >= 0 && write(p->out, b, (size_t)n) != n)
				g_warning("usbprinter: output: %s", g_strerror(errno));
			match_replies(p, b, (size_t)n);
			u->done += (int)n;
			p->received += n;
			if (p->cfg.rate > 0)
				p->fill += (double)n;
		}
		if (u->done == u->length) {
			finish(u, 0);
			ev(p, "rx %d", u->length);
			continue;
		}
		if (to_fault(p) == 0) {
			if (p->received == p->cfg.unplug_after) {
				unplug_locked(p);
				return false;
			}
			if (p->received == p->cfg.paperout_after) {
				p->paper_out = true;
				/* once: after paper-back the job goes on */
				p->cfg.paperout_after = -1;
				ev(p, "paper-out %ld", p->received);
				if (p->cfg.paper_back_ms >= 0 && !p->paper_timer) {
					p->paper_timer = g_timeout_source_new(
						(guint)p->cfg.paper_back_ms);
					g_source_set_callback(p->paper_timer,
							      paper_back_tick, p, NULL);
					g_source_attach(p->paper_timer, NULL);
				}
				break;
			}
			p->halted = p->stalled_once = true;
			ev(p, "stall %ld", p->received);
			finish(u, -EPIPE);
			continue;
		}
		waiting = true;  /* buffer full: the device NAKs */
		break;
	}
	serve_in(p);
	return (waiting || p->fill > 0) && p->cfg.rate > 0 && !p->unplugged &&
	       !p->paper_out;
}

/* pump_work, the timer if needed, and readiness. Lock held; any thread:
 * the timer is attached to the main context. */
static void pump(struct lab_usbp *p)
{
	if (pump_work(p) && !p->pump) {
		p->pump = g_timeout_source_new(PUMP_MS);
		g_source_set_callback(p->pump, pump_tick, p, NULL);
		g_source_attach(p->pump, NULL);
	}
	fifo_update(p);
}

static gboolean pump_tick(gpointer data)
{
	struct lab_usbp *p = data;
	bool again;

	g_mutex_lock(&p->lock);
	again = pump_work(p);
	fifo_update(p);
	if (!again && p->pump) {
		g_source_unref(p->pump);
		p->pump = NULL;
	}
	g_mutex_unlock(&p->lock);
	return again;
}

static gboolean send_remove(gpointer data)
{
	struct lab_usbp *p = data;

	g_mutex_lock(&p->lock);
	g_source_unref(p->remove);
	p->remove = NULL;
	g_mutex_unlock(&p->lock);
	/* umockdev_testbed_remove_device() sends no uevent: send it, so
	 * libusb's hotplug and udev listeners see the printer go */
	umockdev_testbed_uevent(p->tb, p->syspath, "remove");
	/* and it is gone from sysfs and /dev, so nothing finds it any more
	 * (remove_device leaves the node; our FIFO fd stays valid) */
	umockdev_testbed_remove_device(p->tb, p->syspath);
	{
		char *root = umockdev_testbed_get_root_dir(p->tb);
		char *node = g_strconcat(root, p->devnode, NULL);
		unlink(node);
		g_free(node);
		g_free(root);
	}
	return G_SOURCE_REMOVE;
}

static void unplug_locked(struct lab_usbp *p)
{
	if (p->unplugged)
		return;
	p->unplugged = true;
	ev(p, "unplug %ld", p->received);
	for (GList *l = p->urbs.head; l; l = l->next) {
		struct urb *u = l->data;
		if (!u->ready)
			finish(u, -ESHUTDOWN);
	}
	p->remove = g_timeout_source_new(REMOVE_DELAY_MS);
	g_source_set_callback(p->remove, send_remove, p, NULL);
	g_source_attach(p->remove, NULL);
	fifo_update(p);
}

/* The operator loads paper: the port status clears and OUT URBs go on. */
static gboolean paper_back_tick(gpointer data)
{
	struct lab_usbp *p = data;

	g_mutex_lock(&p->lock);
	g_source_unref(p->paper_timer);
	p->paper_timer = NULL;
	if (p->paper_out && !p->unplugged) {
		p->paper_out = false;
		ev(p, "paper-ok %ld", p->received);
		pump(p);
	}
	g_mutex_unlock(&p->lock);
	return G_SOURCE_REMOVE;
}

static gboolean unplug_tick(gpointer data)
{
	struct lab_usbp *p = data;

	g_mutex_lock(&p->lock);
	g_source_unref(p->unplug_timer);
	p->unplug_timer = NULL;
	unplug_locked(p);
	g_mutex_unlock(&p->lock);
	return G_SOURCE_REMOVE;
}

void lab_usbp_unplug(struct lab_usbp *p)
{
	g_mutex_lock(&p->lock);
	unplug_locked(p);
	g_mutex_unlock(&p->lock);
}

/* ---- control requests ------------------------------------------------- */

static int string_desc(struct lab_usbp *p, int idx, guint8 *d, int cap)
{
	const char *s = idx == 1 ? p->cfg.manufacturer :
	                idx == 2 ? p->cfg.product :
	                idx == 3 ? p->cfg.serial : NULL;
	int n = 2;

	if (idx == 0) {
		guint8 langs[4] = { 4, 3, 0x09, 0x04 }; /* en-US */
		memcpy(d, langs, (size_t)MIN(cap, 4));
		return MIN(cap, 4);
	}
	if (!s)
		return -1;
	for (; *s && n + 2 <= 254; s++, n += 2) {
		if (n + 2 <= cap) {
			d[n] = (guint8)*s;  /* ASCII into UTF-16LE */
			d[n + 1] = 0;
		}
	}
	if (cap >= 2) {
		d[0] = (guint8)n;
		d[1] = 3;
	}
	return MIN(cap, n);
}

/* Answer the setup packet of a control URB: returns the data length
 * (IN) or 0, or -EPIPE for a request the device does not know. */
static int control(struct lab_usbp *p, const guint8 *setup, guint8 *d, int cap)
{
	int rt = setup[0], rq = setup[1];
	int value = setup[2] | setup[3] << 8;
	int len = MIN(cap, setup[6] | setup[7] << 8);
	size_t idlen;

	if (rt == 0xa1 && rq == 0) {          /* GET_DEVICE_ID */
		idlen = strlen(p->cfg.device_id) + 2;
		guint8 *tmp = g_malloc(idlen);
		/* counts itself; big-endian unless the scenario wants the
		 * little-endian mistake some printers make */
		tmp[p->cfg.id_le ? 1 : 0] = (guint8)(idlen >> 8);
		tmp[p->cfg.id_le ? 0 : 1] = (guint8)idlen;
		memcpy(tmp + 2, p->cfg.device_id, idlen - 2);
		len = MIN(len, (int)idlen);
		memcpy(d, tmp, (size_t)len);
		g_free(tmp);
		ev(p, "device-id %d", len);
		return len;
	}
	if (rt == 0xa1 && rq == 1) {          /* GET_PORT_STATUS */
		guint8 st = p->paper_out ? PORT_PAPER_EMPTY
		                         : PORT_SELECTED | PORT_NOT_ERROR;
		if (len >= 1)
			d[0] = st;
		ev(p, "port-status 0x%02X", st);
		return MIN(len, 1);
	}
	if ((rt == 0x21 || rt == 0x23) && rq == 2 &&   /* SOFT_RESET */
	    (!p->cfg.soft_reset || p->cfg.soft_reset == rt)) {
		p->fill = 0;
		g_byte_array_set_size(p->inq, 0);
		ev(p, "soft-reset 0x%02X", rt);
		return 0;
	}
	if (rt == 0x80 && rq == 6) {          /* GET_DESCRIPTOR */
		int type = value >> 8, idx = value & 0xff, n;
		if (type == 1 || type == 2) {
			const guint8 *src = p->desc->data + (type == 1 ? 0 : 18);
			n = MIN(len, (int)(type == 1 ? 18 : p->desc->len - 18));
			memcpy(d, src, (size_t)n);
			return n;
		}
		if (type == 3 && (n = string_desc(p, idx, d, len)) >= 0)
			return n;
	}
	if (rt == 0x80 && rq == 0 && len >= 2) { /* GET_STATUS: self-powered */
		d[0] = 1;
		d[1] = 0;
		return 2;
	}
	if (rt == 0x80 && rq == 8 && len >= 1) { /* GET_CONFIGURATION */
		d[0] = 1;
		return 1;
	}
	if ((rt == 0x00 && rq == 9) || (rt == 0x01 && rq == 11) ||
	    (rt == 0x02 && rq == 1)) /* SET_CONFIGURATION/INTERFACE, CLEAR_FEATURE */
		return 0;
	ev(p, "control 0x%02X 0x%02X unknown", rt, rq);
	return -EPIPE;
}

/* ---- urbs ------------------------------------------------------------- */

static void submit(struct lab_usbp *p, UMockdevIoctlClient *client,
                   UMockdevIoctlData *arg)
{
	struct usbdevfs_urb *k;
	struct urb *u;
	GError *err = NULL;

	u = g_new0(struct urb, 1);
	u->client = g_object_ref(client);
	u->data = umockdev_ioctl_data_resolve(arg, 0, sizeof(*k), &err);
	if (!u->data) {
		g_clear_error(&err);
		g_object_unref(u->client);
		g_free(u);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return;
	}
	k = (struct usbdevfs_urb *)u->data->data;
	u->addr = u->data->client_addr;
	u->type = k->type;
	u->ep = k->endpoint;
	u->length = k->buffer_length;
	if (u->length > 0 &&
	    !(u->buf = umockdev_ioctl_data_resolve(u->data,
	              G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
	              (gsize)u->length, &err))) {
		g_clear_error(&err);
		urb_free(u);
		umockdev_ioctl_client_complete(client, -1, EFAULT);
		return;
	}
	if (u->type == USBDEVFS_URB_TYPE_CONTROL && u->length >= 8 &&
	    (u->buf->data[0] & 0x1f) == 1 && p->usblp_bound &&
	    u->buf->data[4] == p->printer_if) {
		/* usbfs claims an interface for requests to it; usblp holds
		 * this one: the kernel refuses the URB */
		urb_free(u);
		umockdev_ioctl_client_complete(client, -1, EBUSY);
		return;
	}
	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		int r = u->length < 8 ? -EINVAL :
		        control(p, u->buf->data, u->buf->data + 8, u->length - 8);
		if (r == -EINVAL) {
			urb_free(u);
			umockdev_ioctl_client_complete(client, -1, EINVAL);
			return;
		}
		u->done = r > 0 ? r : 0;   /* actual_length excludes setup */
		finish(u, r < 0 ? r : 0);
	} else if (u->type != USBDEVFS_URB_TYPE_BULK ||
	           (u->ep != EP_OUT && !(u->ep == EP_IN && p->cfg.protocol == 2))) {
		/* the IPP-over-USB interface is not played: no such pipe */
		urb_free(u);
		umockdev_ioctl_client_complete(client, -1, ENOENT);
		return;
	}
	g_queue_push_tail(&p->urbs, u);
	umockdev_ioctl_client_complete(client, 0, 0);
	pump(p);
}

static void reap(struct lab_usbp *p, UMockdevIoctlClient *client,
                 UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ptr;
	struct usbdevfs_urb *k;
	struct urb *u = NULL;
	GList *l;

	for (l = p->urbs.head; l; l = l->next) {
		struct urb *c = l->data;
		if (c->ready && c->client == client) {
			u = c;
			break;
		}
	}
	if (!u) {
		umockdev_ioctl_client_complete(client, -1,
		                               p->unplugged ? ENODEV : EAGAIN);
		return;
	}
	g_queue_delete_link(&p->urbs, l);
	k = (struct usbdevfs_urb *)u->data->data;
	k->status = u->status;
	k->actual_length = u->done;
	ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
	if (ptr) {
		umockdev_ioctl_data_set_ptr(ptr, 0, u->data);
		umockdev_ioctl_client_complete(client, 0, 0);
		umockdev_ioctl_data_unref(ptr);
	} else {
		umockdev_ioctl_client_complete(client, -1, EFAULT);
	}
	urb_free(u);
	fifo_update(p);
}

static void discard(struct lab_usbp *p, UMockdevIoctlClient *client,
                    UMockdevIoctlData *arg)
{
	gulong addr = 0;

	/* the argument is the client's urb pointer itself: compare it,
	 * resolving would read the urb, not find ours */
	memcpy(&addr, arg->data, MIN(sizeof(addr), (size_t)arg->data_len));
	for (GList *l = p->urbs.head; l; l = l->next) {
		struct urb *u = l->data;
		if (u->addr != addr || u->client != client)
			continue;
		if (u->ready)
			break;
		finish(u, -ENOENT);
		ev(p, "discard %s %d", u->ep & 0x80 ? "in" : "out", u->done);
		umockdev_ioctl_client_complete(client, 0, 0);
		pump(p);  /* a later OUT URB may now move */
		return;
	}
	umockdev_ioctl_client_complete(client, -1, EINVAL);
}

/* ---- the ioctl handler (umockdev worker thread) ----------------------- */

static bool resolve_u32(UMockdevIoctlData *arg, unsigned *v, UMockdevIoctlData **d)
{
	*d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), NULL);
	if (*d)
		memcpy(v, (*d)->data, sizeof(*v));
	return *d != NULL;
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client,
                         gpointer data)
{
	struct lab_usbp *p = data;
	gulong req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	UMockdevIoctlData *d = NULL;
	unsigned v = 0;

	(void)h;
	g_mutex_lock(&p->lock);
	if (p->unplugged && req != USBDEVFS_REAPURBNDELAY &&
	    req != USBDEVFS_REAPURB) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		goto out;
	}
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES:
		if ((d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL))) {
			guint32 caps = USBDEVFS_CAP_ZERO_PACKET |
			               USBDEVFS_CAP_BULK_CONTINUATION |
			               USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
			               USBDEVFS_CAP_BULK_SCATTER_GATHER |
			               USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
			memcpy(d->data, &caps, sizeof(caps));
		}
		umockdev_ioctl_client_complete(client, d ? 0 : -1, d ? 0 : EFAULT);
		break;
	case USBDEVFS_GETDRIVER:
		d = umockdev_ioctl_data_resolve(arg, 0,
		                                sizeof(struct usbdevfs_getdriver), NULL);
		if (d && p->usblp_bound &&
		    ((struct usbdevfs_getdriver *)d->data)->interface ==
		    (unsigned)p->printer_if) {
			g_strlcpy(((struct usbdevfs_getdriver *)d->data)->driver,
			          "usblp", USBDEVFS_MAXDRIVERNAME + 1);
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, ENODATA);
		}
		break;
	case USBDEVFS_IOCTL: {
		struct usbdevfs_ioctl *c;
		d = umockdev_ioctl_data_resolve(arg, 0, sizeof(*c), NULL);
		c = d ? (struct usbdevfs_ioctl *)d->data : NULL;
		if (c && c->ioctl_code == (int)USBDEVFS_DISCONNECT &&
		    p->usblp_bound && c->ifno == p->printer_if) {
			p->usblp_bound = false;
			ev(p, "driver detached usblp");
			umockdev_ioctl_client_complete(client, 0, 0);
		} else if (c && c->ioctl_code == (int)USBDEVFS_CONNECT &&
		           p->cfg.usblp && c->ifno == p->printer_if &&
		           !(p->claimed & 1u << p->printer_if)) {
			/* the kernel answers 1 when it bound a driver */
			p->usblp_bound = true;
			ev(p, "driver attached usblp");
			umockdev_ioctl_client_complete(client, 1, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, ENODATA);
		}
		break;
	}
	case USBDEVFS_DISCONNECT_CLAIM:
		/* old kernels lack it; libusb falls back to GETDRIVER + claim */
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		break;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
		if (!resolve_u32(arg, &v, &d) || v > 31) {
			umockdev_ioctl_client_complete(client, -1, EINVAL);
		} else if (req == USBDEVFS_CLAIMINTERFACE) {
			if (p->usblp_bound && v == (unsigned)p->printer_if) {
				umockdev_ioctl_client_complete(client, -1, EBUSY);
				break;
			}
			p->claimed |= 1u << v;
			ev(p, "claim %u", v);
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			p->claimed &= ~(1u << v);
			ev(p, "release %u", v);
			umockdev_ioctl_client_complete(client, 0, 0);
		}
		break;
	case USBDEVFS_SETINTERFACE:
		if ((d = umockdev_ioctl_data_resolve(arg, 0,
		                sizeof(struct usbdevfs_setinterface), NULL))) {
			struct usbdevfs_setinterface *si = (void *)d->data;
			ev(p, "set-interface %u %u", si->interface, si->altsetting);
		}
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_SETCONFIGURATION:
		if (resolve_u32(arg, &v, &d))
			ev(p, "set-config %u", v);
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
		if (resolve_u32(arg, &v, &d)) {
			if (v == EP_OUT)
				p->halted = false;
			ev(p, "clear-halt 0x%02X", v);
		}
		umockdev_ioctl_client_complete(client, 0, 0);
		pump(p);
		break;
	case USBDEVFS_RESET:
		ev(p, "reset-device");
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_CONNECTINFO:
		if ((d = umockdev_ioctl_data_resolve(arg, 0,
		                sizeof(struct usbdevfs_connectinfo), NULL))) {
			struct usbdevfs_connectinfo *ci = (void *)d->data;
			ci->devnum = (unsigned)p->cfg.dev;  /* as chosen */
			ci->slow = 0;
		}
		umockdev_ioctl_client_complete(client, d ? 0 : -1, d ? 0 : EFAULT);
		break;
	case USBDEVFS_GET_SPEED:
		umockdev_ioctl_client_complete(client, 3 /* USB_SPEED_HIGH */, 0);
		break;
	case USBDEVFS_SUBMITURB:
		submit(p, client, arg);
		break;
	case USBDEVFS_REAPURB:       /* blocking reap: libusb never uses it */
	case USBDEVFS_REAPURBNDELAY:
		reap(p, client, arg);
		break;
	case USBDEVFS_DISCARDURB:
		discard(p, client, arg);
		break;
	default:
		/* not usbdevfs's: the real node (a FIFO) must not see it */
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		break;
	}
out:
	if (d)
		umockdev_ioctl_data_unref(d);
	g_mutex_unlock(&p->lock);
	return TRUE;
}

static void on_connected(UMockdevIoctlBase *h, UMockdevIoctlClient *client,
                         gpointer data)
{
	struct lab_usbp *p = data;

	(void)h;
	(void)client;
	g_mutex_lock(&p->lock);
	p->opens++;
	ev(p, "open");
	g_mutex_unlock(&p->lock);
}

/* A client closed the node (or died): the kernel kills its URBs. */
static void on_vanished(UMockdevIoctlBase *h, UMockdevIoctlClient *client,
                        gpointer data)
{
	struct lab_usbp *p = data;

	(void)h;
	(void)client;
	g_mutex_lock(&p->lock);
	drop_gone(p);
	p->opens--;
	ev(p, "close");
	fifo_update(p);
	g_mutex_unlock(&p->lock);
}

/* ---- life cycle ------------------------------------------------------- */

struct lab_usbp *lab_usbp_add(UMockdevTestbed *tb, const struct lab_usbp_cfg *cfg,
                              lab_usbp_event_fn event, void *ctx, GError **err)
{
	struct lab_usbp *p = g_new0(struct lab_usbp, 1);
	char *rec = NULL, *root = NULL;

	p->cfg = *cfg;
	/* the replies are the caller's: deep-copy them */
	for (int i = 0; i < cfg->nreplies; i++) {
		struct lab_usbp_reply *r = &p->cfg.replies[i];
		r->match = r->match ? g_memdup2(r->match, r->match_len) : NULL;
		r->answer = g_memdup2(r->answer, r->answer_len + 1);
	}
	if (!p->cfg.device_id[0])
		g_snprintf(p->cfg.device_id, sizeof(p->cfg.device_id),
		           "MFG:%s;MDL:%s;CMD:PJL,PCL;CLS:PRINTER;DES:%s %s;",
		           cfg->manufacturer, cfg->product, cfg->manufacturer,
		           cfg->product);
	p->tb = g_object_ref(tb);
	p->event = event;
	p->ctx = ctx;
	p->fifo = p->out = -1;
	g_mutex_init(&p->lock);
	g_queue_init(&p->urbs);
	p->inq = g_byte_array_new();
	p->seen = g_byte_array_new();
	p->usblp_bound = cfg->usblp;
	p->printer_if = cfg->ippusb ? 1 : 0;
	p->pumped_us = g_get_monotonic_time();
	/* one node per address: umockdev aborts on a second handler */
	root = umockdev_testbed_get_root_dir(tb);
	for (int dev = cfg->dev ? cfg->dev : 2; dev <= 127; dev++) {
		char *node;
		bool taken;
		g_snprintf(p->devnode, sizeof(p->devnode), "/dev/bus/usb/%03d/%03d",
		           cfg->bus, dev);
		node = g_strconcat(root, p->devnode, NULL);
		taken = g_file_test(node, G_FILE_TEST_EXISTS);
		g_free(node);
		p->cfg.dev = dev;
		if (!taken)
			break;
		if (cfg->dev || dev == 127) {
			g_set_error(err, USBP_ERROR, 0, "%s is taken: give each USB "
			            "printer its own bus= or dev=", p->devnode);
			goto fail;
		}
	}
	g_snprintf(p->port, sizeof(p->port), "%d-%d", p->cfg.bus, p->cfg.dev - 1);
	g_snprintf(p->syspath, sizeof(p->syspath),
	           "/sys/devices/pci0000:00/0000:00:14.0/usb%d/%s", p->cfg.bus,
	           p->port);
	g_strlcpy(p->name, cfg->name[0] ? cfg->name : p->port, sizeof(p->name));
	build_descriptors(p);
	for (int i = 0; i < p->cfg.nreplies; i++)
		if (!p->cfg.replies[i].match)   /* status known from the start */
			g_byte_array_append(p->inq, (guint8 *)p->cfg.replies[i].answer,
			                    (guint)p->cfg.replies[i].answer_len);

	if (cfg->output[0]) {
		p->out = open(cfg->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (p->out < 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "usb printer output %s: %s", cfg->output,
			            g_strerror(errno));
			goto fail;
		}
	}

	/* the handler first: an open before it would get umockdev's default
	 * handler, and libusb LIBUSB_ERROR_IO */
	p->handler = umockdev_ioctl_base_new();
	g_signal_connect(p->handler, "handle-ioctl", G_CALLBACK(on_ioctl), p);
	g_signal_connect(p->handler, "client-connected", G_CALLBACK(on_connected), p);
	g_signal_connect(p->handler, "client-vanished", G_CALLBACK(on_vanished), p);
	if (!umockdev_testbed_attach_ioctl(tb, p->devnode, p->handler, err))
		goto fail;
	rec = record(p);
	if (!umockdev_testbed_add_from_string(tb, rec, err))
		goto fail;

	/* swap the node for a FIFO (see fifo_update); nobody has it open yet */
	{
		char *node = g_strconcat(root, p->devnode, NULL);
		int ok = unlink(node) == 0 && mkfifo(node, 0666) == 0 &&
		         (p->fifo = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC)) >= 0;
		if (!ok)
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "usb printer: FIFO at %s: %s", node, g_strerror(errno));
		g_free(node);
		if (!ok)
			goto fail;
	}
	g_mutex_lock(&p->lock);
	fifo_update(p);
	if (cfg->unplug_ms >= 0) {
		p->unplug_timer = g_timeout_source_new((guint)cfg->unplug_ms);
		g_source_set_callback(p->unplug_timer, unplug_tick, p, NULL);
		g_source_attach(p->unplug_timer, NULL);
	}
	g_mutex_unlock(&p->lock);
	g_free(rec);
	g_free(root);
	return p;

fail:
	g_free(rec);
	g_free(root);
	lab_usbp_free(p);
	return NULL;
}

const char *lab_usbp_devnode(struct lab_usbp *p) { return p->devnode; }
const char *lab_usbp_syspath(struct lab_usbp *p) { return p->syspath; }

long lab_usbp_received(struct lab_usbp *p)
{
	long n;

	g_mutex_lock(&p->lock);
	n = p->received;
	g_mutex_unlock(&p->lock);
	return n;
}

bool lab_usbp_busy(struct lab_usbp *p)
{
	bool busy;

	g_mutex_lock(&p->lock);
	pump(p);
	busy = p->fill > 0 && !p->unplugged && !p->paper_out;
	g_mutex_unlock(&p->lock);
	return busy;
}

void lab_usbp_free(struct lab_usbp *p)
{
	struct urb *u;

	if (!p)
		return;
	if (p->handler) {
		umockdev_testbed_detach_ioctl(p->tb, p->devnode, NULL);
		g_signal_handlers_disconnect_by_data(p->handler, p);
		g_object_unref(p->handler);
	}
	g_mutex_lock(&p->lock);
	if (p->pump) {
		g_source_destroy(p->pump);
		g_source_unref(p->pump);
	}
	if (p->remove) {
		g_source_destroy(p->remove);
		g_source_unref(p->remove);
	}
	if (p->unplug_timer) {
		g_source_destroy(p->unplug_timer);
		g_source_unref(p->unplug_timer);
	}
	if (p->paper_timer) {
		g_source_destroy(p->paper_timer);
		g_source_unref(p->paper_timer);
	}
	while ((u = g_queue_pop_head(&p->urbs)))
		urb_free(u);
	g_mutex_unlock(&p->lock);
	if (p->fifo >= 0)
		close(p->fifo);
	if (p->out >= 0)
		close(p->out);
	lab_usbp_cfg_clear(&p->cfg);
	if (p->desc)
		g_byte_array_unref(p->desc);
	g_byte_array_unref(p->inq);
	g_byte_array_unref(p->seen);
	g_mutex_clear(&p->lock);
	g_object_unref(p->tb);
	g_free(p);
}
