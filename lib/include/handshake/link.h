/*
 * handshake/link.h - links: open a device from a URI, move bytes with
 * deadlines, set the line and flow control, read and set modem lines.
 *
 * Principles of operation
 *  - A link is opened from a URI that works the same in every tool:
 *      serial:/dev/ttyUSB0?baud=115200&bits=8&parity=none&stop=1&flow=rtscts
 *      /dev/ttyUSB0                     (serial with defaults)
 *      serial:/dev/ttyS0?baud=9600+flow=soft   (CUPS's spelling)
 *      usb:04B8:0202?serial=X&interface=0, usb:1.4
 *      rfc2217://HOST:PORT?baud=115200&flow=rtscts  (a network serial
 *                         port: ser2net, a console server; RFC 2217)
 *      tcp://HOST:PORT    (raw bytes to a device server's raw port)
 *    HOST is a name, an IPv4 address or an IPv6 one in brackets
 *    ([::1]). Defaults: 9600 baud, 8 data bits, no parity, 1 stop bit,
 *    no flow control. An option given twice takes its last value, so
 *    appending "&baud=115200" to any serial URI overrides its rate.
 *  - Every call that can wait takes timeout_ms (>= 0); none waits longer.
 *  - Opening never waits for carrier and takes the port the way other
 *    serial programs see: a UUCP lock file, flock() and TIOCEXCL.
 *  - hs_link_close() puts back the line settings and the DTR/RTS state it
 *    found, and releases the locks. (A network port is put back by its
 *    server when the connection ends.)
 *  - Network links connect and negotiate within 5 s. On rfc2217:// links
 *    line settings, DTR/RTS, break and flushes are requests to the server,
 *    each answered or given up on within about 2 s; the modem lines are
 *    what the server last notified (ser2net looks at them once a second).
 *    On tcp:// links they are not supported.
 *  - Errors are negative enum hs_err; hs_last_error() names the device.
 */
#ifndef HANDSHAKE_LINK_H
#define HANDSHAKE_LINK_H

#include <stddef.h>
#include "handshake/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hs_link;

enum hs_parity {
	HS_PARITY_NONE, HS_PARITY_ODD, HS_PARITY_EVEN,
	HS_PARITY_MARK, HS_PARITY_SPACE,
};

enum hs_flow {
	HS_FLOW_NONE,     /* no flow control */
	HS_FLOW_RTSCTS,   /* hardware, done by the UART driver (CRTSCTS) */
	HS_FLOW_XONXOFF,  /* software, kernel IXON and IXOFF, never IXANY */
	HS_FLOW_DTRDSR,   /* DSR gates output; paced by the library */
};

enum hs_transport {
	HS_TRANSPORT_SERIAL, /* a UART or USB-serial port (libserialport) */
	HS_TRANSPORT_PTY,    /* a pseudo-terminal: no modem lines */
	HS_TRANSPORT_USB,    /* a USB printer-class interface (libusb) */
	HS_TRANSPORT_TCP,    /* raw bytes over TCP (tcp://). Since 0.1.0 */
	HS_TRANSPORT_RFC2217,/* Telnet COM-PORT-OPTION (rfc2217://). Since 0.1.0 */
	HS_TRANSPORT_PIPE,   /* fd: pipes or a socket to a program that holds
	                      * the line (hsdial --exec): bytes only. Since 0.1.0 */
};

/* Line settings. */
struct hs_line {
	int baud;              /* any rate the port accepts, e.g. 115200 */
	int bits;              /* 5..8 */
	enum hs_parity parity;
	int stop;              /* 1 or 2 */
	enum hs_flow flow;
};

/* Modem lines, as a bit mask. DTR and RTS are ours; the rest the device's. */
enum hs_signal {
	HS_SIG_DTR = 1 << 0,
	HS_SIG_RTS = 1 << 1,
	HS_SIG_CTS = 1 << 2,
	HS_SIG_DSR = 1 << 3,
	HS_SIG_DCD = 1 << 4,
	HS_SIG_RI  = 1 << 5,
};

enum hs_flush { HS_FLUSH_INPUT = 1, HS_FLUSH_OUTPUT = 2, HS_FLUSH_BOTH = 3 };

/* What is known of the device behind a link. Strings are never NULL
 * (empty when unknown); ids are -1 when unknown. */
struct hs_link_info {
	const char *name;         /* short name: "ttyUSB0", "pts/3", "host:port" */
	const char *path;         /* device node, symlinks resolved;
				   * network: "rfc2217://host:port" */
	const char *description;  /* e.g. "FT232R USB UART" */
	enum hs_transport transport;
	int usb_vid, usb_pid;
	const char *usb_manufacturer, *usb_product, *usb_serial;
	int usb_bus, usb_address;
};

/* Open the device a URI names; *out is NULL on failure. */
int hs_link_open(struct hs_link **out, const char *uri);

/*
 * Is the port at path (symlinks followed) taken by another program? Only
 * what can be seen without opening it is checked, so nothing reaches the
 * device and no modem line moves: a UUCP lock file of a live process and
 * a flock() on the node. (A TIOCEXCL alone shows only when opening.)
 * Returns HS_OK when neither holds it, HS_ERR_BUSY with a message naming
 * the holder, HS_ERR_NO_DEVICE when there is no such node. Since 0.1.0.
 */
int hs_link_probe_busy(const char *path);

/* Restore the line as found, release the locks, free. NULL is a no-op. */
void hs_link_close(struct hs_link *link);

/* Read what has arrived, up to len bytes, waiting up to timeout_ms for the
 * first byte. Returns the count (> 0), HS_ERR_TIMEOUT when nothing came,
 * HS_ERR_UNPLUGGED when the device went away. */
int hs_link_read(struct hs_link *link, void *buf, size_t len, int timeout_ms);

/* Write all len bytes within timeout_ms, paced by the link's flow control.
 * *done (may be NULL) is always set to the bytes the port accepted (on a
 * network link: the bytes the link took for the server). Returns 0 when
 * all were accepted; HS_ERR_STALL when flow control held the output (DSR
 * or CTS low, XOFF, or the server's FLOWCONTROL-SUSPEND) until the
 * deadline; HS_ERR_TIMEOUT otherwise. On a pty (any flow but dtrdsr)
 * the write sleeps in the kernel until the pty took it all, as a blocking
 * write does; its deadline is the timer of hs_link_wait_signals
 * (SIGRTMAX-3), and without it the write polls, as it does on a serial
 * port. */
int hs_link_write(struct hs_link *link, const void *buf, size_t len,
		  int timeout_ms, size_t *done);

/*
 * Line errors: characters that arrived damaged. A port at another rate or
 * framing than its device gets garbage full of them; a clean line has
 * none. Where the driver counts errors itself (TIOCGICOUNT: UARTs, most
 * USB-serial adapters) the link reports its counts of framing and parity
 * errors, breaks and overruns. After hs_link_mark_errors() the kernel
 * also marks each damaged character in the data (PARMRK with INPCK) and
 * the library takes the marks out again, so reads return what a port
 * without error checking would (a damaged character as it came, a break
 * as a NUL, a 0xff as one byte) and each read says how many of its
 * characters were damaged; on a port whose driver does not count (a pty)
 * the marks alone tell them apart: a marked NUL is a break, any other
 * marked character a framing error on a line without parity, else a
 * parity error. Since 0.1.0.
 */
struct hs_line_errors {
	unsigned long framing;  /* a stop bit was missing */
	unsigned long parity;   /* the parity bit was wrong */
	unsigned long breaks;   /* the line was held low past a character */
	unsigned long overruns; /* characters lost: the port could not keep up */
	unsigned long damaged;  /* characters that came damaged: marked in
	                         * what was read, else framing + parity +
	                         * breaks as the driver counted them */
	int counted;            /* 1: framing..overruns are the driver's own
	                         * counts; 0: told apart from the marks */
};

/* The errors since the link was opened (total) and lately (last: with
 * marks, those of the characters the last hs_link_read() returned plus
 * what the driver counted since the read before; without, what the
 * driver counted since the previous call); either may be NULL.
 * HS_ERR_NOT_SUPPORTED where a link cannot see them (USB printers,
 * network links). */
int hs_link_line_errors(struct hs_link *link, struct hs_line_errors *last,
			struct hs_line_errors *total);

/* Mark damaged characters in the data from now on (see above), on serial
 * ports. Input not read yet is discarded: it came unmarked. Line changes
 * keep the marks; hs_link_close() puts the termios back as found.
 * Since 0.1.0. */
int hs_link_mark_errors(struct hs_link *link);

/* Wait until the port has sent all it accepted (its output queue is empty). */
int hs_link_drain(struct hs_link *link, int timeout_ms);

/* Bytes the port accepted but has not sent yet (its output queue), so
 * callers can count what really left; 0 where the transport cannot tell.
 * Once the device has gone away (unplugged), the depth last seen: those
 * bytes never left. A network link reports 0 while connected (the
 * socket's queue is not the device's) and, once the connection failed,
 * the bytes the server never acknowledged. */
int hs_link_pending(struct hs_link *link);

/* Discard bytes not yet read and/or not yet sent. */
int hs_link_flush(struct hs_link *link, enum hs_flush which);

/* Hold the line in break for duration_ms (1..5000). */
int hs_link_send_break(struct hs_link *link, int duration_ms);

/* The line settings in force (as the URI or the last hs_link_set_line()
 * set them), and new ones, applied at once. A pty keeps 8 bits and no
 * parity whatever is asked; a USB printer has no line to set
 * (HS_ERR_NOT_SUPPORTED). */
int hs_link_get_line(struct hs_link *link, struct hs_line *line);
int hs_link_set_line(struct hs_link *link, const struct hs_line *line);

/* Modem lines. On a port without them (a pty) these return
 * HS_ERR_NOT_SUPPORTED and nothing else changes. */
int hs_link_set_dtr(struct hs_link *link, int on);
int hs_link_set_rts(struct hs_link *link, int on);
/* Returns the hs_signal mask (>= 0) or an error. */
int hs_link_signals(struct hs_link *link);
/* Wait until any line in mask differs from its state at the call; returns
 * the new mask, or HS_ERR_TIMEOUT. On a serial port the thread sleeps in
 * the driver (TIOCMIWAIT) until a line moves; the deadline is a timer
 * that sends the thread the real-time signal SIGRTMAX-3, whose handler
 * (it does nothing) the library installs if the program left that signal
 * at its default. A program that uses the signal itself, and a port
 * whose driver lacks TIOCMIWAIT, get a look at the lines every 2 ms,
 * backing off to 100 ms while nothing changes. */
int hs_link_wait_signals(struct hs_link *link, int mask, int timeout_ms);

/* A file descriptor that polls readable when the link has input, for
 * running many links in one event loop. Owned by the link; poll it for
 * POLLIN only. On a serial port with modem lines it is an epoll set
 * holding the port and, while a modem call whose DCD follows the carrier
 * is up, the eventfd of a thread of the library's that watches DCD
 * (asleep in TIOCMIWAIT, ended by SIGRTMAX-3 as above): it wakes the
 * caller when DCD falls, and hs_modem_read() then says the carrier is
 * lost. */
int hs_link_fd(struct hs_link *link);

/* What is known of the device behind the link; owned by the link and
 * valid until hs_link_close(). NULL for a NULL link. */
const struct hs_link_info *hs_link_info(struct hs_link *link);

/* Names for people and logs: "rtscts", "none", "even", ... */
const char *hs_flow_name(enum hs_flow flow);
const char *hs_parity_name(enum hs_parity parity);
const char *hs_transport_name(enum hs_transport transport);

#ifdef __cplusplus
}
#endif
#endif
