/*
 * usb_class.c - USB printer-class requests (GET_DEVICE_ID,
 * GET_PORT_STATUS, SOFT_RESET), their public entry points, what the
 * descriptors say about a device, and the list of USB printers that
 * hsprobe and the CUPS device list show.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/usb.h"
#include "clock.h"
#include "fail.h"
#include "usb_priv.h"

/* bRequest values of the printer class (USB printer class 1.1, 4.2). */
#define REQ_GET_DEVICE_ID 0
#define REQ_GET_PORT_STATUS 1
#define REQ_SOFT_RESET 2
/* class, interface recipient, IN / OUT; SOFT_RESET also as early printers
 * took it, with the "other" recipient (an erratum CUPS follows too) */
#define RT_CLASS_IN 0xa1
#define RT_CLASS_OUT 0x21
#define RT_CLASS_OUT_OTHER 0x23
#define ENUM_TIMEOUT_MS 2000   /* per device ID while listing printers */

/* ---- descriptors ------------------------------------------------------ */

int hs_usb_alts(libusb_device *dev, struct hs_usb_alt *alts, int max)
{
	struct libusb_config_descriptor *c;
	int n = 0;

	if (libusb_get_active_config_descriptor(dev, &c) < 0 &&
	    libusb_get_config_descriptor(dev, 0, &c) < 0)
		return 0;
	for (int i = 0; i < c->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &c->interface[i];
		for (int j = 0; j < itf->num_altsetting && n < max; j++) {
			const struct libusb_interface_descriptor *a = &itf->altsetting[j];
			struct hs_usb_alt *o = &alts[n++];
			*o = (struct hs_usb_alt){
				.ifnum = a->bInterfaceNumber, .alt = a->bAlternateSetting,
				.cls = a->bInterfaceClass, .subclass = a->bInterfaceSubClass,
				.protocol = a->bInterfaceProtocol, .ep_out = -1, .ep_in = -1,
			};
			for (int e = 0; e < a->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &a->endpoint[e];
				int *slot = ep->bEndpointAddress & LIBUSB_ENDPOINT_IN
						    ? &o->ep_in : &o->ep_out;
				if ((ep->bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_BULK && *slot < 0)
					*slot = ep->bEndpointAddress;
			}
		}
	}
	libusb_free_config_descriptor(c);
	return n;
}

static void get_string(libusb_device_handle *h, uint8_t idx, char *buf, size_t cap)
{
	int n;

	buf[0] = 0;
	if (!idx || cap < 2)
		return;
	n = libusb_get_string_descriptor_ascii(h, idx, (unsigned char *)buf, (int)cap);
	if (n < 0)
		n = 0;
	buf[(size_t)n < cap ? (size_t)n : cap - 1] = 0;
	/* untrusted: no control characters into messages, JSON or udev */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void hs_usb_strings(libusb_device_handle *h, const struct libusb_device_descriptor *d,
		    char *mfr, char *product, char *serial, size_t cap)
{
	get_string(h, d->iManufacturer, mfr, cap);
	get_string(h, d->iProduct, product, cap);
	get_string(h, d->iSerialNumber, serial, cap);
}

/* ---- class requests --------------------------------------------------- */

/* libusb reads a 0 timeout as "forever": never hand it one. */
static unsigned timeout_of(int64_t deadline)
{
	int left = hs_remaining(deadline);
	return left > 0 ? (unsigned)left : 1;
}

/* GET_DEVICE_ID on an open handle into buf (NUL-terminated): the ID's
 * length, or a libusb error. */
static int read_id(libusb_device_handle *h, const struct hs_usb_alt *a, char *buf,
		   size_t size, unsigned timeout_ms)
{
	uint8_t raw[HS_1284_MAX + 2];
	size_t len;
	int r;

	/* wValue: configuration index; wIndex: interface high, alt low */
	r = libusb_control_transfer(h, RT_CLASS_IN, REQ_GET_DEVICE_ID, 0,
				    (uint16_t)(a->ifnum << 8 | a->alt), raw, sizeof(raw),
				    timeout_ms);
	if (r < 0)
		return r;
	if (hs_usb_id_span(raw, (size_t)r, sizeof(raw), &len) < 0)
		len = 0;
	if (len >= size)
		len = size - 1;
	memcpy(buf, raw + 2, len);
	buf[len] = 0;
	return (int)len;
}

int hs_usb_device_id(struct hs_link *l, char *buf, size_t size, int64_t deadline)
{
	struct hs_usb *s = l->priv;
	int r = read_id(s->h, &s->alt, buf, size, timeout_of(deadline));

	if (r < 0) {
		if (r == LIBUSB_ERROR_PIPE)
			return hs_fail(HS_ERR_NOT_SUPPORTED,
				       "%s does not answer GET_DEVICE_ID (it stalled the request)",
				       l->path);
		return hs_usb_fail(l->path, r, "GET_DEVICE_ID");
	}
	return r;
}

int hs_usb_port_status(struct hs_link *l, int64_t deadline)
{
	struct hs_usb *s = l->priv;
	unsigned char st = 0;
	int r;

	r = libusb_control_transfer(s->h, RT_CLASS_IN, REQ_GET_PORT_STATUS, 0,
				    (uint16_t)s->alt.ifnum, &st, 1, timeout_of(deadline));
	if (r < 0)
		return hs_usb_fail(l->path, r, "GET_PORT_STATUS");
	if (r != 1)
		return hs_fail(HS_ERR_PROTOCOL, "%s answered GET_PORT_STATUS with %d bytes, not 1",
			       l->path, r);
	return st & (HS_PORT_PAPER_EMPTY | HS_PORT_SELECTED | HS_PORT_NOT_ERROR);
}

int hs_usb_soft_reset(struct hs_link *l, int64_t deadline)
{
	struct hs_usb *s = l->priv;
	int r;

	r = libusb_control_transfer(s->h, RT_CLASS_OUT, REQ_SOFT_RESET, 0,
				    (uint16_t)s->alt.ifnum, NULL, 0, timeout_of(deadline));
	if (r < 0 && r != LIBUSB_ERROR_NO_DEVICE && r != LIBUSB_ERROR_TIMEOUT)
		r = libusb_control_transfer(s->h, RT_CLASS_OUT_OTHER, REQ_SOFT_RESET, 0,
					    (uint16_t)s->alt.ifnum, NULL, 0,
					    timeout_of(deadline));
	if (r < 0)
		return hs_usb_fail(l->path, r, "SOFT_RESET");
	/* what the printer said before the reset belongs to the old job */
	return l->ops->flush(l, HS_FLUSH_INPUT);
}

/* ---- public entry points ---------------------------------------------- */

static int check(struct hs_link *l, int timeout_ms, const char *fn, const char *what,
		 const void *op)
{
	if (!l)
		return hs_fail(HS_ERR_ARG, "%s: no link", fn);
	if (timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "%s: timeout %d ms is negative; every wait needs a deadline",
			       l->path, timeout_ms);
	if (!op)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s: %s is a USB printer-class request; this link is not a USB printer",
			       l->path, what);
	return HS_OK;
}

int hs_link_device_id(struct hs_link *l, char *buf, size_t size, int timeout_ms)
{
	int rc;

	if (!buf || size == 0)
		return hs_fail(HS_ERR_ARG, "hs_link_device_id: no buffer");
	buf[0] = 0;
	if ((rc = check(l, timeout_ms, "hs_link_device_id", "GET_DEVICE_ID",
			l ? (const void *)l->ops->device_id : NULL)) < 0)
		return rc;
	return l->ops->device_id(l, buf, size, hs_deadline(timeout_ms));
}

int hs_link_port_status(struct hs_link *l, int timeout_ms)
{
	int rc;

	if ((rc = check(l, timeout_ms, "hs_link_port_status", "GET_PORT_STATUS",
			l ? (const void *)l->ops->port_status : NULL)) < 0)
		return rc;
	return l->ops->port_status(l, hs_deadline(timeout_ms));
}

int hs_link_soft_reset(struct hs_link *l, int timeout_ms)
{
	int rc;

	if ((rc = check(l, timeout_ms, "hs_link_soft_reset", "SOFT_RESET",
			l ? (const void *)l->ops->soft_reset : NULL)) < 0)
		return rc;
	return l->ops->soft_reset(l, hs_deadline(timeout_ms));
}

/* ---- the list of printers --------------------------------------------- */

/* The URI of a listed printer names it by what stays the same when it is
 * plugged in again: its ids and its serial number (percent-encoded, as
 * the URI parser decodes it), never its bus address. Without a serial
 * number the ids are all there is: two such printers of one model look
 * the same (as they do to CUPS). */
static void printer_uri(struct hs_usb_printer *p)
{
	size_t o = (size_t)snprintf(p->uri, sizeof(p->uri), "usb:%04x:%04x", p->vid, p->pid);

	if (!p->serial[0])
		return;
	o += (size_t)snprintf(p->uri + o, sizeof(p->uri) - o, "?serial=");
	for (const char *s = p->serial; *s && o + 4 <= sizeof(p->uri); s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    strchr("-._~", c))
			p->uri[o++] = (char)c;
		else
			o += (size_t)snprintf(p->uri + o, sizeof(p->uri) - o, "%%%02X", c);
	}
	p->uri[o] = 0;
}

static void describe_printer(libusb_device *dev, const struct libusb_device_descriptor *d,
			     const struct hs_usb_alt *a, struct hs_usb_printer *p)
{
	libusb_device_handle *h;

	memset(p, 0, sizeof(*p));
	p->vid = d->idVendor;
	p->pid = d->idProduct;
	p->bus = libusb_get_bus_number(dev);
	p->address = libusb_get_device_address(dev);
	p->interface = a->ifnum;
	p->protocol = a->protocol == 2 && a->ep_in >= 0 ? 2 : 1;
	snprintf(p->node, sizeof(p->node), "/dev/bus/usb/%03d/%03d", p->bus, p->address);
	/* a printer we may not open is still worth listing */
	if (libusb_open(dev, &h) == 0) {
		hs_usb_strings(h, d, p->manufacturer, p->product, p->serial,
			       sizeof(p->serial));
		if (read_id(h, a, p->device_id, sizeof(p->device_id), ENUM_TIMEOUT_MS) < 0)
			p->device_id[0] = 0;
		libusb_close(h);
	}
	printer_uri(p);
}

int hs_usb_list_printers(struct hs_usb_printer **out)
{
	libusb_context *ctx;
	libusb_device **list;
	struct hs_usb_printer *v = NULL;
	ssize_t n;
	int count = 0, r;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_usb_list_printers: no place for the list");
	*out = NULL;
	if ((r = libusb_init(&ctx)) < 0)
		return hs_fail(HS_ERR_IO, "cannot start libusb: %s",
			       libusb_strerror((enum libusb_error)r));
	if ((n = libusb_get_device_list(ctx, &list)) < 0) {
		libusb_exit(ctx);
		return hs_usb_fail("/dev/bus/usb", (int)n, "listing USB devices");
	}
	for (ssize_t i = 0; i < n; i++) {
		struct libusb_device_descriptor d;
		struct hs_usb_alt alts[HS_USB_MAX_ALTS];
		struct hs_usb_printer *grown;
		int k, nalts;

		if (libusb_get_device_descriptor(list[i], &d) < 0)
			continue;
		nalts = hs_usb_alts(list[i], alts, HS_USB_MAX_ALTS);
		if ((k = hs_usb_pick(alts, nalts, -1)) < 0)
			continue;
		if (!(grown = realloc(v, (size_t)(count + 1) * sizeof(*v)))) {
			free(v);
			libusb_free_device_list(list, 1);
			libusb_exit(ctx);
			return hs_fail(HS_ERR_NOMEM, "listing USB printers: out of memory");
		}
		v = grown;
		describe_printer(list[i], &d, &alts[k], &v[count++]);
	}
	libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	*out = v;
	return count;
}

void hs_usb_free_printers(struct hs_usb_printer *list)
{
	free(list);
}
