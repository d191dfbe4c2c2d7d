/*
 * usb_priv.h - private: the USB printer transport's state, shared by
 * usb.c (open, close, bytes), usb_class.c (class requests, the printer
 * list) and usb_pure.c (decisions that need no device, so unit tests can
 * reach them: interface choice, device-ID length, libusb error mapping).
 * libusb's parsed descriptors become an array of struct hs_usb_alt
 * (hs_usb_alts) so the choice itself is a pure function of plain data.
 */
#ifndef HS_USB_PRIV_H
#define HS_USB_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <libusb.h>

#include "link_priv.h"

/* One alternate setting of one interface, as the descriptors say. */
struct hs_usb_alt {
	int ifnum, alt;
	int cls, subclass, protocol;
	int ep_out, ep_in;         /* bulk endpoint addresses, -1 if none */
};

#define HS_USB_MAX_ALTS 32
#define HS_USB_INBUF 65536     /* back-channel bytes kept until read */

struct hs_usb {
	libusb_context *ctx;       /* this link's own */
	libusb_device_handle *h;
	struct hs_usb_alt alt;     /* the interface we hold */
	int claimed;               /* we claimed alt.ifnum */
	int reattach;              /* we detached a kernel driver from it */
	int gone;                  /* the device went away */
	/* back channel: one bulk IN transfer kept pending, its data in ring */
	struct libusb_transfer *in;
	int in_busy;               /* the transfer is submitted */
	int in_stop;               /* closing: do not resubmit */
	int in_stalled;            /* the IN endpoint stalled: clear, then go on */
	int in_failed;             /* the IN transfer ended in an error */
	unsigned char in_data[4096];
	unsigned char ring[HS_USB_INBUF];
	size_t ring_len;
	/* hs_link_fd: epoll over libusb's pollfds and evfd */
	int epfd;
	int evfd;                  /* readable while ring has data or gone */
};

/* Which alternate setting to use: the printer-class one (7/1/2 before
 * 7/1/1, never 7/1/4) with a bulk OUT endpoint, on interface want_if if
 * >= 0. Returns its index in alts, or -1. */
int hs_usb_pick(const struct hs_usb_alt *alts, int n, int want_if);

/* Where the ID is in a GET_DEVICE_ID reply of got bytes to a request for
 * cap bytes. The 2-byte length counts itself and is big-endian; when that
 * is out of range (under 14, the shortest sane "MFG:x;MDL:y;" with its
 * length, or over cap) it is read little-endian, as CUPS does for printers
 * that got the spec wrong. The ID is cut to what arrived, ends at an
 * embedded NUL, and loses the blanks and line ends many printers put
 * after it. Sets *len; returns the ID's offset (2), or -1 when the reply
 * holds no usable ID. */
int hs_usb_id_span(const uint8_t *buf, size_t got, size_t cap, size_t *len);

/* enum hs_err for a libusb error code. */
int hs_usb_code(int libusb_err);

/* Record the message for a libusb error during what on the device at node
 * and return hs_usb_code(err). Counts are not part of it: a write says
 * them through *done, and its caller (the job engine) in its own words. */
int hs_usb_fail(const char *node, int libusb_err, const char *what);

/* Class requests (usb_class.c). */
int hs_usb_device_id(struct hs_link *link, char *buf, size_t size, int64_t deadline);
int hs_usb_port_status(struct hs_link *link, int64_t deadline);
int hs_usb_soft_reset(struct hs_link *link, int64_t deadline);

/* The alternate settings of a device's active (else first) configuration. */
int hs_usb_alts(libusb_device *dev, struct hs_usb_alt *alts, int max);

/* The device's manufacturer, product and serial strings, each cut to cap
 * and with control characters replaced ("" when it has none). */
void hs_usb_strings(libusb_device_handle *h, const struct libusb_device_descriptor *d,
		    char *mfr, char *product, char *serial, size_t cap);

#endif
