/*
 * handshake/device.h - the modems and printers on this machine: list them
 * without touching them, ask one who it is, watch them come and go, and
 * make the strings they report safe to print.
 *
 * Principles of operation
 *  - hs_device_list() and hs_device_identify() read sysfs only: nothing
 *    is opened but attribute files, so nothing reaches a device and no
 *    modem line moves (libserialport's enumeration opens every UART to
 *    ask it, and opening a UART raises DTR). Listed are every serial port
 *    with hardware behind it (USB-serial, CDC-ACM, a UART with a device
 *    in its slot), every USB printer-class device (7/1/1, 7/1/2; never
 *    IPP over USB, 7/1/4, which is ipp-usb's), and the ptys the caller
 *    names.
 *  - Kind and driver come from the driver tables, never a guess: a modem
 *    driver's USB id, then a printer driver's, then the CDC-ACM class
 *    (AT commands) or the IEEE 1284 ID usblp keeps; driver_from says
 *    which. A bare UART or an unknown adapter is HS_DEVICE_UNKNOWN: what
 *    is cabled to it cannot be seen.
 *  - Whether another program holds a device is seen from outside (lock
 *    file, flock, an interface claimed through usbfs), never by opening.
 *  - hs_device_probe() talks to the device within its deadline (AT and
 *    identification for a modem, GET_DEVICE_ID for a USB printer) and
 *    never opens a port another program holds. Devices of unknown kind
 *    are not asked: "AT" could come out of a printer on paper.
 *  - Every string a device gave is untrusted: here it is bounded and
 *    printable ASCII (anything else became '?'). hs_escape() makes any
 *    string safe for one use: JSON, a udev value or a file name, C text.
 *  - hs_device_watch_open() gives a descriptor that polls readable when
 *    udev has set up or removed a device (netlink, udev's own group, so
 *    the node and its permissions are in place when the event comes).
 */
#ifndef HANDSHAKE_DEVICE_H
#define HANDSHAKE_DEVICE_H

#include <stddef.h>
#include "handshake/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HS_DEVICE_STR 128     /* a USB string: 126 characters at most */
#define HS_DEVICE_NAME 128    /* a stable name, and the JSON file name */
#define HS_DEVICE_ID 1025     /* an IEEE 1284 device ID, NUL included */
#define HS_DEVICE_ATI 4       /* ATI replies kept from a probe */

enum hs_device_kind {
	HS_DEVICE_UNKNOWN,
	HS_DEVICE_MODEM,
	HS_DEVICE_PRINTER,
};

/* What hs_device_probe() learnt by asking. */
struct hs_device_probe {
	const char *state;           /* "ok", "busy", "error", "skipped";
	                              * NULL until probed */
	char message[256];           /* why not ok (the library's words) */
	char manufacturer[64];       /* +GMI (+CGMI on 3GPP modules) */
	char model[64];              /* +GMM */
	char revision[64];           /* +GMR */
	int nati;                    /* ATI replies kept in ati */
	char ati[HS_DEVICE_ATI][128];
	char device_id[HS_DEVICE_ID];/* GET_DEVICE_ID */
	char driver[32];             /* the driver matched after asking */
	/* With HS_PROBE_DETECT_RATE, a modem found at another setting than
	 * the port's default: its rate (0: none found), "19200 7E1", and the
	 * URI that opens the port there. */
	int detected_baud;
	char detected_line[32];
	char detected_uri[640];
};

/* One modem, printer or serial port. Strings are "" and numbers -1 when
 * unknown. */
struct hs_device {
	char node[96];               /* "/dev/ttyACM0", "/dev/bus/usb/002/002" */
	char kernel[64];             /* "ttyACM0", "2-1" (a USB device) */
	char syspath[512];           /* "/sys/devices/...", "" for a pty */
	char uri[640];               /* what hs_link_open() takes; a serial
	                              * port's is what hs_device_probe()
	                              * opens, so line settings added to it
	                              * (?baud=115200) are used there */
	const char *transport;       /* "serial", "usb-serial", "usb", "pty" */
	enum hs_device_kind kind;
	int usb;                     /* 1 when a USB device is behind it */
	int vid, pid;
	int bus, address;            /* USB bus and device number */
	int interface;               /* the tty's or printer's interface */
	int port_number;             /* the tty's port on that interface (a
	                              * multi-port usb-serial adapter) */
	int if_class, if_subclass, if_protocol; /* that interface */
	char port[32];               /* USB port path, e.g. "1-1.2" */
	char manufacturer[HS_DEVICE_STR], product[HS_DEVICE_STR];
	char serial[HS_DEVICE_STR];
	char device_id[HS_DEVICE_ID];/* usblp's cached IEEE 1284 ID, or "" */
	char driver[32];             /* the matched driver, "" when none */
	/* Why that driver: "usb-id" (a driver's USB row), "device-id" (the
	 * 1284 ID; driver "" when only the ID can decide and no usblp keeps
	 * it: a listing never asks), "class" (CDC-ACM: AT commands),
	 * "default" (an ID no driver claims: generic); NULL when none. */
	const char *driver_from;
	char name[HS_DEVICE_NAME];   /* KIND-PRODUCT[-SERIAL]-portPORT[-ifNN[.P]]
	                              * in the safe set (udev's
	                              * /dev/handshake/NAME): unique, and the
	                              * same while the device stays in its USB
	                              * socket; "" for unknown devices */
	int busy;                    /* 1 another program holds it, 0 not */
	char holder[160];            /* who holds it, when busy */
	struct hs_device_probe probe;/* filled by hs_device_probe() */
};

/*
 * Every device, sorted by node, into *out (free with hs_device_list_free;
 * NULL when there are none). ptys (may be NULL) is a NULL-ended list of
 * pseudo-terminals to add, by path or symlink (socat's links): they are
 * listed with transport "pty" and kind unknown. Reads sysfs only. Returns
 * the count (>= 0), HS_ERR_NO_DEVICE for a named pty that is not one, or
 * HS_ERR_NOMEM. Since 0.1.0.
 */
int hs_device_list(struct hs_device **out, const char *const *ptys);
void hs_device_list_free(struct hs_device *list);

/*
 * The one device named by what: a sysfs path ("/sys/devices/...", or as
 * udev's %p, "/devices/..."), a node or a link to it ("/dev/ttyACM0",
 * "/dev/bus/usb/002/002", "/dev/handshake/NAME") or a kernel name
 * ("ttyACM0", "2-1"). Reads sysfs only. Returns HS_OK, or
 * HS_ERR_NO_DEVICE when it names no serial port or USB device. A USB
 * device without a printer interface is identified with kind unknown.
 * Since 0.1.0.
 */
int hs_device_identify(const char *what, struct hs_device *dev);

enum hs_probe_flags {
	/* Bring the device up, not just ask it: reset a modem (ATZ and the
	 * driver's init), open a serial printer's port. */
	HS_PROBE_SETUP = 1 << 0,
	/* SOFT_RESET a USB printer after reading its ID. */
	HS_PROBE_RESET = 1 << 1,
	/* A modem that does not answer at the port's default setting is
	 * looked for at the others (hs_detect_modem, handshake/negotiate.h;
	 * it sends AT at each), and talked to where it answers: what was
	 * found is in probe.detected_*. An administrator's opt-in. */
	HS_PROBE_DETECT_RATE = 1 << 2,
};

/*
 * Ask the device who it is within timeout_ms and fill dev->probe: a
 * modem is synced with AT and identified (+GMI.., ATI), a USB printer
 * answers GET_DEVICE_ID; flags (enum hs_probe_flags) add a bring-up. A
 * port another program holds is not opened (state "busy",
 * HS_ERR_BUSY); a device of unknown kind, or a serial printer without
 * HS_PROBE_SETUP, is not asked (state "skipped", HS_ERR_NOT_SUPPORTED).
 * Returns HS_OK when the device answered. Since 0.1.0.
 */
int hs_device_probe(struct hs_device *dev, unsigned flags, int timeout_ms);

enum hs_device_action {
	HS_DEVICE_ADDED = 1,
	HS_DEVICE_REMOVED = 2,
};

struct hs_device_event {
	enum hs_device_action action;
	/* An added device as hs_device_identify() gives it; a removed one as
	 * it was known (listed when the watch opened, or added since), else
	 * with what the event said: node and kernel name. */
	struct hs_device device;
};

struct hs_device_watch;

/* Start watching; the devices present now are remembered (for what a
 * removal was). Since 0.1.0. */
int hs_device_watch_open(struct hs_device_watch **out);
/* Polls readable when an event may be waiting; owned by the watch. */
int hs_device_watch_fd(const struct hs_device_watch *watch);
/*
 * The next event of a device hs_device_list() lists (others are
 * skipped), waiting up to timeout_ms. Returns 1 with *event filled,
 * HS_ERR_TIMEOUT when none came. Since 0.1.0.
 */
int hs_device_watch_read(struct hs_device_watch *watch, struct hs_device_event *event,
			 int timeout_ms);
void hs_device_watch_close(struct hs_device_watch *watch);

/* "modem", "printer", "unknown". */
const char *hs_device_kind_name(enum hs_device_kind kind);

enum hs_escape_mode {
	/* A JSON string, quotes included: '"' and '\' escaped, every byte
	 * outside printable ASCII as \u00XX. */
	HS_ESCAPE_JSON,
	/* Letters, digits, '.', '_' and '-' only, for udev values, /dev
	 * links, file and unit names: other bytes become '_' (a run of them
	 * one), no leading '.', '_' or '-', no trailing '_'. May be "". */
	HS_ESCAPE_NAME,
	/* Printable ASCII; any other byte becomes '?'. */
	HS_ESCAPE_TEXT,
	/* A C string, quotes included: \r \n \t \\ \" and \xHH. */
	HS_ESCAPE_C,
};

/*
 * Write in (NULL: "") made safe for one use into out, at most cap - 1
 * bytes and a NUL; an escape is never cut in half, and a quoted mode
 * always gets its closing quote. Returns the length written, or
 * HS_ERR_ARG (no room: cap < 3 for a quoted mode, 0 otherwise) and
 * HS_ERR_OVERFLOW when in did not fit whole. Since 0.1.0.
 */
int hs_escape(char *out, size_t cap, const char *in, enum hs_escape_mode mode);

#ifdef __cplusplus
}
#endif
#endif
