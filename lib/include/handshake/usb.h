/*
 * handshake/usb.h - USB printer-class links (interface class 7, subclass
 * 1): the class requests, and the list of USB printers.
 *
 * Principles of operation
 *  - usb:VID:PID[?serial=S&interface=N] and usb:BUS.DEV open the printer
 *    interface through libusb: protocol 2 (bidirectional) is preferred,
 *    protocol 1 (unidirectional) accepted; protocol 4 (IPP over USB) is
 *    left to ipp-usb. A kernel driver (usblp) bound to it is detached while
 *    the link holds it and reattached by hs_link_close().
 *  - The bulk endpoints come from the descriptors. hs_link_write() is a
 *    bulk OUT bounded by its deadline: on a timeout *done is exactly what
 *    the printer took; a stalled endpoint is cleared and the rest retried.
 *  - On a bidirectional printer a bulk IN read is kept pending, so
 *    hs_link_read() returns the back channel (PJL, ESC/POS, ZPL status)
 *    and hs_link_fd() polls readable when it has something: it is an
 *    epoll descriptor holding libusb's own and the link's.
 *  - Errors: HS_ERR_UNPLUGGED when the printer went away (with the byte
 *    count in hs_last_error()), HS_ERR_TIMEOUT, HS_ERR_PERMISSION naming
 *    /dev/bus/usb/BBB/DDD and the group that fixes it, HS_ERR_BUSY when
 *    another program (CUPS, ipp-usb) claimed the interface.
 *  - libusb types never appear here; every link has its own libusb
 *    context, so links in one program do not share state.
 */
#ifndef HANDSHAKE_USB_H
#define HANDSHAKE_USB_H

#include <stddef.h>
#include "handshake/error.h"
#include "handshake/ieee1284.h"
#include "handshake/link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GET_PORT_STATUS bits (USB printer class 1.1, 4.2.2). */
enum hs_port_status {
	HS_PORT_PAPER_EMPTY = 1 << 5, /* out of paper */
	HS_PORT_SELECTED = 1 << 4,    /* online */
	HS_PORT_NOT_ERROR = 1 << 3,   /* clear when the printer has an error */
};

/*
 * The printer's IEEE 1284 device ID (GET_DEVICE_ID), without its length
 * prefix, NUL-terminated and cut to size - 1 bytes; an embedded NUL ends
 * it. Parse it with hs_1284_parse(). Returns the ID's length (>= 0), or an
 * error; HS_ERR_NOT_SUPPORTED on a link that is not a USB printer.
 * Since 0.1.0.
 */
int hs_link_device_id(struct hs_link *link, char *buf, size_t size, int timeout_ms);

/* GET_PORT_STATUS: the enum hs_port_status bits (>= 0), or an error.
 * Since 0.1.0. */
int hs_link_port_status(struct hs_link *link, int timeout_ms);

/* SOFT_RESET: the printer flushes its buffers and resets its pipes (what
 * to send when a job is cancelled). Tries the class request as the spec
 * says (bmRequestType 0x21), then as early printers want it (0x23).
 * Input not yet read is dropped too. Since 0.1.0. */
int hs_link_soft_reset(struct hs_link *link, int timeout_ms);

/* One USB printer interface found on the system. */
struct hs_usb_printer {
	char uri[512];             /* usb:VID:PID[?serial=S], S percent-encoded */
	int vid, pid;
	int bus, address;
	int interface;             /* the printer interface's number */
	int protocol;              /* 1 unidirectional, 2 bidirectional */
	char manufacturer[128], product[128], serial[128]; /* "" unknown */
	char device_id[HS_1284_MAX + 1]; /* "" when it could not be read */
	char node[32];             /* /dev/bus/usb/BBB/DDD */
};

/*
 * List the USB printer-class interfaces (7/1/1 and 7/1/2) present. *out
 * is an array to free with hs_usb_free_printers() (NULL when there are
 * none). Strings and device IDs are read where the device can be opened;
 * a printer we may not open is still listed, with them empty. The device
 * ID is empty too while a kernel driver (usblp) holds the interface:
 * listing never takes a printer from its driver (open a link to read it).
 * Returns the count (>= 0) or an error. Since 0.1.0.
 */
int hs_usb_list_printers(struct hs_usb_printer **out);
void hs_usb_free_printers(struct hs_usb_printer *list);

#ifdef __cplusplus
}
#endif
#endif
