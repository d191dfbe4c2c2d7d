/*
 * usbprinter.h — the lab's emulated USB printer-class device (usbdevfs).
 *
 * A self-contained module: the lab parses one option string into a
 * struct lab_usbp_cfg, calls lab_usbp_add() on its testbed before it
 * starts the program under test, and lab_usbp_free() at the end. The
 * device is a usb_device record in the emulated sysfs plus an ioctl
 * handler on /dev/bus/usb/BBB/DDD that plays the usbdevfs side of what
 * unmodified libusb (ours, CUPS's usb backend) asks.
 *
 * Option string (lab_usbp_parse): comma-separated key=value pairs.
 *   vid=03f0,pid=0517         USB IDs, hex (default 1234:5678)
 *   manufacturer=S product=S serial=S   string descriptors and sysfs
 *                             (default ACME / LaserJet 9 / LAB0001)
 *   proto=1|2                 interface protocol: 1 unidirectional (no
 *                             bulk IN), 2 bidirectional (default)
 *   id=...                    IEEE 1284 device ID (default built from
 *                             manufacturer and product)
 *   rate=BPS                  bytes/s the printer consumes (0: unlimited)
 *   buffer=N                  printer buffer bytes (default 65536); bulk
 *                             OUT URBs complete only as it has room
 *   paper-out=N               after N bytes: paper empty, OUT stops
 *   paper-back=T              T ms after paper-out, paper is loaded again
 *                             (default: never)
 *   unplug=N                  after N bytes: unplugged (URBs -ESHUTDOWN,
 *                             then ENODEV, then a "remove" uevent)
 *   unplug-ms=T               unplugged T ms after lab_usbp_add
 *   id-endian=be|le           how GET_DEVICE_ID's length is sent (be, as
 *                             the spec says; le, as some printers do)
 *   soft-reset=any|0x21|0x23  which SOFT_RESET bmRequestType the printer
 *                             takes (the other stalls); default any
 *   stall=N                   after N bytes the OUT endpoint halts once
 *                             (-EPIPE until CLEAR_HALT)
 *   reply=MATCH>ANSWER        when the bytes received contain MATCH, queue
 *                             ANSWER on bulk IN; reply=ANSWER (no '>')
 *                             queues it at once. Repeatable (8 at most).
 *   out=FILE                  everything received is written to FILE
 *   bus=N dev=N               bus and device number (default bus 2, as
 *                             lab_tty's adapters use bus 1, and the first
 *                             free dev from 2: several printers just work)
 *   driver=usblp              pretend usblp is bound until detached:
 *                             claiming fails with EBUSY and so do requests
 *                             to the interface, as with the real kernel
 *   ippusb=1                  a 7/1/4 IPP-over-USB interface 0 in front
 *                             of the printer interface (which becomes 1)
 *   name=S                    device word in events (default "B-P", e.g.
 *                             "1-1", the sysfs port name)
 * A value may be quoted with "..." or '...' so that it can hold ','
 * (1284 IDs do: CMD:PJL,PCL;); ';' and ':' need no quoting. Inside or
 * outside quotes a backslash escapes: \, \" \' \\ \n \r \t \e \0 \xHH.
 *   vid=03f0,pid=0517,id="MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;",rate=20000
 *
 * Endpoints are 0x02 OUT and 0x81 IN (never 0x01/0x82), so a host that
 * does not read the descriptors fails.
 *
 * Events (the event callback gets one line, no newline, no timestamp):
 *   "<name> <event> [payload]", e.g. "1-1 rx 4096". The lab logs them as
 *   transcript_event("usb", line, NULL), giving "<secs> usb 1-1 rx 4096".
 *   open | close                    a client opened / closed the node
 *                                   (close: when umockdev reports it)
 *   claim N | release N             interface N
 *   driver detached usblp | driver attached usblp
 *   set-interface N ALT | set-config N | clear-halt 0xEP | reset-device
 *   device-id LEN                   GET_DEVICE_ID answered with LEN bytes
 *   port-status 0xSS                GET_PORT_STATUS answered
 *   soft-reset 0xRT                 SOFT_RESET taken (bmRequestType 21/23)
 *   rx N                            N bytes of a bulk OUT URB accepted
 *   tx N                            N bytes sent on bulk IN
 *   discard out|in N                URB cancelled (a host timeout) after N
 *   paper-out N | stall N | unplug N  the fault after N bytes received
 *   control 0xRT 0xRQ unknown       a request answered with a stall
 *
 * Threads: the ioctl handler runs on umockdev's worker thread; every
 * field of struct lab_usbp it touches is guarded by lab_usbp.lock.
 * Timers (the printing rate, the remove uevent) are GSources on the main
 * context, so the lab's main loop must be running.
 */
#ifndef HSLAB_USBPRINTER_H
#define HSLAB_USBPRINTER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <umockdev.h>

#define LAB_USBP_MAX_REPLIES 8

struct lab_usbp_reply {
	char *match;               /* NULL: queue at once */
	size_t match_len;
	char *answer;
	size_t answer_len;
};

struct lab_usbp_cfg {
	unsigned vid, pid;
	char manufacturer[64], product[64], serial[64];
	int protocol;              /* 1 or 2 */
	char device_id[1024];      /* without its 2-byte length */
	long rate;                 /* bytes/s consumed, 0 = unlimited */
	size_t buffer;             /* printer buffer bytes */
	long paperout_after;       /* bytes, -1 = never */
	long unplug_after;         /* bytes, -1 = never */
	long stall_after;          /* bytes, -1 = never */
	long unplug_ms;            /* ms after add, -1 = never */
	long paper_back_ms;        /* ms after paper-out, -1 = never */
	bool id_le;                /* device-ID length little-endian */
	int soft_reset;            /* 0 any, else the bmRequestType taken */
	struct lab_usbp_reply replies[LAB_USBP_MAX_REPLIES];
	int nreplies;
	char output[512];          /* "" = received bytes are dropped */
	int bus, dev;              /* 1..255, 2..127; dev 0: first free */
	bool usblp;                /* a kernel driver is bound at start */
	bool ippusb;               /* add a 7/1/4 interface in front */
	char name[32];             /* "" = "BUS-PORT" */
};

struct lab_usbp;

typedef void (*lab_usbp_event_fn)(void *ctx, const char *fmt, ...)
	G_GNUC_PRINTF(2, 3);

/* Defaults (see above); lab_usbp_parse starts from them too. */
void lab_usbp_cfg_init(struct lab_usbp_cfg *cfg);
/* Free what parsing allocated (the replies). */
void lab_usbp_cfg_clear(struct lab_usbp_cfg *cfg);

/* Fill *cfg from an option string; on failure returns false with *err
 * naming the bad key. cfg is initialised first. */
bool lab_usbp_parse(const char *spec, struct lab_usbp_cfg *cfg, GError **err);

/* Add the device to tb and start playing it. The handler is attached
 * before the node exists, so no open can race it. event may be NULL.
 * cfg is copied. Returns NULL with *err set on failure. */
struct lab_usbp *lab_usbp_add(UMockdevTestbed *tb, const struct lab_usbp_cfg *cfg,
                              lab_usbp_event_fn event, void *ctx, GError **err);

/* The device's node ("/dev/bus/usb/001/002") and sysfs path. */
const char *lab_usbp_devnode(struct lab_usbp *p);
const char *lab_usbp_syspath(struct lab_usbp *p);
/* Bytes received so far (written to the output file). */
long lab_usbp_received(struct lab_usbp *p);
/* Still printing its buffer (the lab waits for it after the program). */
bool lab_usbp_busy(struct lab_usbp *p);
/* Unplug now (a scheduled fault). */
void lab_usbp_unplug(struct lab_usbp *p);

/* Stop timers, detach the handler, close the output. NULL is a no-op. */
void lab_usbp_free(struct lab_usbp *p);

#endif
