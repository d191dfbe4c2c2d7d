/*
 * link_priv.h - private: the link object and the transport ops table.
 *
 * A transport fills an ops table with designated initializers. link.c
 * checks arguments and deadlines, then calls the op; an op left NULL means
 * the transport cannot do that and the caller gets HS_ERR_NOT_SUPPORTED.
 * No op blocks past the deadline it is given.
 */
#ifndef HS_LINK_PRIV_H
#define HS_LINK_PRIV_H

#include <stdint.h>
#include <limits.h>
#include "handshake/link.h"
#include "lock.h"
#include "uri.h"

/* What hs_carrier_watch is asked. */
enum hs_watch { HS_WATCH_START, HS_WATCH_ASK, HS_WATCH_STOP };

struct hs_transport_ops {
	const char *name;
	/* Required. Fills link->info strings and link->fd. */
	int (*open)(struct hs_link *link, const struct hs_uri *uri);
	/* Required. Restores what open found and frees transport state. */
	void (*close)(struct hs_link *link);
	/* Required. >0 bytes read, or an error; waits until deadline. */
	int (*read)(struct hs_link *link, void *buf, size_t len, int64_t deadline);
	/* Required. 0 when all written; *done counts what the device took. */
	int (*write)(struct hs_link *link, const void *buf, size_t len,
		     int64_t deadline, size_t *done);
	/* Optional: the rest. */
	int (*drain)(struct hs_link *link, int64_t deadline);
	int (*pending)(struct hs_link *link);
	int (*flush)(struct hs_link *link, enum hs_flush which);
	int (*send_break)(struct hs_link *link, int duration_ms);
	int (*set_line)(struct hs_link *link, const struct hs_line *line);
	/* Optional: line errors (see hs_link_line_errors); NULL pointers
	 * are allowed for either. */
	int (*line_errors)(struct hs_link *link, struct hs_line_errors *last,
			   struct hs_line_errors *total);
	/* Optional: mark damaged characters in the data from now on. */
	int (*mark_errors)(struct hs_link *link);
	int (*set_signal)(struct hs_link *link, int sig, int on);
	int (*signals)(struct hs_link *link);
	/* Optional: wait until a line in mask differs from first (a mask
	 * as signals returns), woken by the change where the port can; the
	 * new mask or an error. Every transport with signals has it. */
	int (*wait_signals)(struct hs_link *link, int mask, int first, int64_t deadline);
	/* Optional: what hs_link_fd returns where it is not link->fd. */
	int (*poll_fd)(struct hs_link *link);
	/* Optional: see hs_carrier_watch. */
	int (*carrier_watch)(struct hs_link *link, enum hs_watch op);
	/* Optional, USB printer class (handshake/usb.h). device_id returns
	 * the ID's length, port_status the status bits (>= 0). */
	int (*device_id)(struct hs_link *link, char *buf, size_t size, int64_t deadline);
	int (*port_status)(struct hs_link *link, int64_t deadline);
	int (*soft_reset)(struct hs_link *link, int64_t deadline);
};

struct hs_link {
	const struct hs_transport_ops *ops;
	struct hs_link_info info;  /* points into the buffers below */
	char name[64];
	char path[PATH_MAX];
	char description[768];
	char manufacturer[128], product[128], serial[128];
	struct hs_line line;       /* as last applied */
	int fd;                    /* pollable, read side; -1 if none */
	int wfd;                   /* write side: fd, except for fd:R,W links */
	struct hs_lock lock;
	void *priv;                /* the transport's own state */
	/* Keep the port's output queue short (tens of ms of data) for every
	 * flow, not only DTR/DSR: a print job must count what is lost in it
	 * on an unplug. Writes then take as long as the line does, so
	 * interactive users (a modem's data mode) leave it off. */
	int short_queue;
	/* How late a modem-line change may be reported: 0 on a local port;
	 * a network server looks at its port's lines on its own schedule. */
	int lines_lag_ms;
	/* The transport is told of every modem-line change (a server's
	 * NOTIFY-MODEMSTATE), which wakes hs_link_fd, and counts them in
	 * lines_seq: nobody need look at the lines until the count moves. */
	int lines_told;
	unsigned lines_seq;
};

/* Add the line-error counts e to sum (counted: either's). */
void hs_errors_add(struct hs_line_errors *sum, const struct hs_line_errors *e);

/* link->lines_lag_ms, for the modem code (0 without a link). Inline:
 * libhandshake.so exports every hs_link_* function, and this one is
 * not public. */
static inline int hs_link_lines_lag(const struct hs_link *link)
{
	return link ? link->lines_lag_ms : 0;
}

/* A call's DCD watched by the transport, so that hs_link_fd wakes when
 * it moves and nobody need look at it meanwhile. START: 1 if the
 * transport watches now (0: the caller looks at DCD itself); ASK: 1
 * while it watches, 0 once DCD moved or the watch gave up (the wake is
 * lowered: look at DCD now); STOP: end it (0). */
int hs_carrier_watch(struct hs_link *link, enum hs_watch op);

extern const struct hs_transport_ops hs_serial_ops;
extern const struct hs_transport_ops hs_usb_ops;
extern const struct hs_transport_ops hs_tcp_ops;
extern const struct hs_transport_ops hs_rfc2217_ops;

#endif
