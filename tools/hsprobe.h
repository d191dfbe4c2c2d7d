/*
 * hsprobe.h - what the parts of hsprobe share: one found device, read
 * from sysfs (hsprobe_sysfs.c), talked to on request (hsprobe_talk.c),
 * printed by hsprobe.c.
 *
 * Every string here that came from a device is already bounded and made
 * printable (hsprobe_text); what goes to udev or into a file name is
 * reduced further by hsprobe_safe().
 */
#ifndef HS_HSPROBE_H
#define HS_HSPROBE_H

#include <stddef.h>
#include <stdio.h>

#define HSPROBE_STR 128      /* a USB string: 126 characters at most */
#define HSPROBE_NAME 64      /* ID_HANDSHAKE_NAME and the JSON file name */
#define HSPROBE_ID 1025      /* an IEEE 1284 ID (HS_1284_MAX + 1) */
#define HSPROBE_ATI 4        /* ATI lines kept from a probe */

enum hsprobe_kind { HSPROBE_UNKNOWN, HSPROBE_MODEM, HSPROBE_PRINTER };

/* What --probe or --setup learnt by talking to the device. */
struct hsprobe_talk {
	const char *state;           /* "ok", "busy", "error", "skipped" */
	char message[256];           /* why not ok (the library's words) */
	char manufacturer[64], model[64], revision[64]; /* +GMI/+GMM/+GMR */
	int nati;
	char ati[HSPROBE_ATI][128];  /* ATI0.. replies */
	char device_id[HSPROBE_ID];  /* GET_DEVICE_ID */
	char driver[32];             /* the driver matched after talking */
};

struct hsprobe_dev {
	char kernel[64];             /* "ttyACM0", or "2-1" for a USB device */
	char node[96];               /* "/dev/ttyACM0", "/dev/bus/usb/002/002" */
	char syspath[512];           /* "/sys/devices/..." */
	const char *transport;       /* "usb-serial", "serial", "usb" */
	int usb;                     /* 1 when a USB device is behind it */
	int vid, pid;                /* -1 when not USB */
	int bus, address;            /* USB bus and device number, or -1 */
	int interface;               /* the tty's / printer's interface, or -1 */
	int if_class, if_subclass, if_protocol; /* that interface, or -1 */
	char port[32];               /* the USB port path, e.g. "1-1.2" */
	char manufacturer[HSPROBE_STR], product[HSPROBE_STR], serial[HSPROBE_STR];
	char device_id[HSPROBE_ID];  /* usblp's cached ieee1284_id, or "" */
	enum hsprobe_kind kind;
	char driver[32];             /* matched driver's name, "" when none */
	/* What chose a printer's driver: "usb-id", "device-id" or "default"
	 * (the ID matched no driver: generic). NULL for other devices. A
	 * printer whose driver only its device ID can decide, when that is
	 * not at hand (no usblp to keep it), has driver "" and "device-id":
	 * a listing never asks the printer, and never guesses. */
	const char *driver_from;
	char name[HSPROBE_NAME];     /* stable name, "" for unknown devices */
	int has_talk;
	struct hsprobe_talk talk;
};

/* ---- hsprobe_sysfs.c: passive identification -------------------------- */

/* Identify the tty or USB device at a sysfs path ("/sys/devices/...",
 * "/devices/..." as udev's %p, or "/sys/class/tty/NAME"). Reads sysfs
 * only. Returns 0, or -1 when the path is not a device we can read. */
int hsprobe_identify(const char *syspath, struct hsprobe_dev *d);

/* The same from a device node or kernel name ("/dev/ttyACM0", "ttyACM0",
 * "/dev/bus/usb/002/002", "2-1"). */
int hsprobe_identify_node(const char *node, struct hsprobe_dev *d);

/* Every serial port with hardware behind it and every USB printer-class
 * device (7/1/1, 7/1/2), sorted by node. *out is malloc'd. */
int hsprobe_list(struct hsprobe_dev **out);

/* ---- hsprobe_text.c: untrusted strings -------------------------------- */

/* Copy at most cap - 1 bytes of src, every byte outside printable ASCII
 * made '?': for tables and JSON. */
void hsprobe_text(char *dst, size_t cap, const char *src);

/* Reduce src to [A-Za-z0-9._-] for udev values and file names: other
 * bytes become '_' (runs of them one), no leading '.', '-' or '_', at
 * most cap - 1 bytes. dst may end up empty. */
void hsprobe_safe(char *dst, size_t cap, const char *src);

const char *hsprobe_kind_name(enum hsprobe_kind kind);

/* ---- hsprobe_talk.c: talking to devices (--probe, --setup) ------------ */

/* Ask the device who it is within timeout_ms, unless another program
 * holds it (then state "busy" and nothing is opened). */
void hsprobe_probe(struct hsprobe_dev *d, int timeout_ms);

/* The driver's bring-up within timeout_ms, then the identity written to
 * DIR/<name>.json (DIR: $HS_RUN_DIR, else /run/handshake). reset asks a
 * printer for a soft reset. Returns 0 or an enum hs_err; *file gets the
 * path written. */
int hsprobe_setup(struct hsprobe_dev *d, int timeout_ms, int reset, char *file,
		  size_t cap);

/* The device as one JSON object on f (hsprobe.c; setup writes it too). */
void hsprobe_json(FILE *f, const struct hsprobe_dev *d);

#endif
