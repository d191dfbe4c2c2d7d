/*
 * uri.h - private: a device URI taken apart (see link.h for the forms).
 * Parsing is separate from opening so that it can be tested on its own
 * and so that every tool rejects a bad URI before touching a device.
 */
#ifndef HS_URI_H
#define HS_URI_H

#include <limits.h>
#include "handshake/link.h"

/* Which line settings the URI gave, so drivers may fill in the rest. */
enum hs_uri_given {
	HS_URI_BAUD = 1 << 0, HS_URI_BITS = 1 << 1, HS_URI_PARITY = 1 << 2,
	HS_URI_STOP = 1 << 3, HS_URI_FLOW = 1 << 4,
};

struct hs_uri {
	enum hs_transport transport; /* SERIAL, USB, TCP or RFC2217; PTY is
				      * found at open */
	char path[PATH_MAX];         /* serial: the device node as given;
				      * network: scheme://host:port */
	int fd, wfd;                 /* fd:R[,W]: descriptors we were handed, else -1 */
	struct hs_line line;         /* serial: defaults where not given */
	unsigned given;              /* enum hs_uri_given bits */
	int usb_vid, usb_pid;        /* usb:VID:PID, else -1 */
	int usb_bus, usb_address;    /* usb:BUS.DEV, else -1 */
	int usb_interface;           /* ?interface=N, else -1 */
	char usb_serial[128];        /* ?serial=..., else empty */
	char host[256];              /* network: name or address, no brackets */
	char port[8];                /* network: 1..65535 in decimal */
};

/* Fill *out from text; on failure returns an HS_ERR_URI* code with a
 * message that quotes the offending part. */
int hs_uri_parse(const char *text, struct hs_uri *out);

#endif
