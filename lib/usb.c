/*
 * usb.c - the USB printer transport: find the device a usb: URI names,
 * take its printer-class interface, and move bytes on its bulk pipes
 * within deadlines.
 *
 * Map:
 *   open     match VID:PID[+serial] or BUS.DEV, pick the interface from
 *            the descriptors, detach usblp, claim, start the back channel
 *   write    bulk OUT in chunks bounded by the deadline; libusb reports
 *            the bytes a timed-out or stalled transfer moved, so the count
 *            stays exact; a stall is cleared and the rest retried
 *   read     the back channel: one bulk IN transfer is kept submitted and
 *            its data lands in a ring, so input is never asked for late
 *            and hs_link_fd() can report it
 *   fd       an epoll set of libusb's pollfds and an eventfd that is
 *            readable while the ring holds data (or the device is gone)
 *   close    cancel the back channel, release, reattach usblp, free
 *
 * Threads: none of our own. libusb's events are handled inside our calls
 * (the sync transfers of write, the waits of read), so the IN callback
 * always runs on the caller's thread, inside one of them.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "fail.h"
#include "usb_priv.h"

#define WRITE_CHUNK (256 * 1024) /* bytes per bulk OUT transfer */
#define MAX_STALLS 3             /* in a row without progress, then give up */
#define CANCEL_MS 1000           /* how long close waits for the IN cancel */

static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* ---- the pollable fd -------------------------------------------------- */

static void ev_set(struct hs_usb *s, int on)
{
	uint64_t v = 1;

	if (s->evfd < 0)
		return;
	if (on) {
		if (write(s->evfd, &v, sizeof(v)) < 0) {
			/* EAGAIN: the counter is saturated, so readable anyway */
		}
	} else if (read(s->evfd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already clear */
	}
}

static uint32_t epoll_events(short events)
{
	return (events & POLLIN ? EPOLLIN : 0) | (events & POLLOUT ? EPOLLOUT : 0);
}

static void LIBUSB_CALL pollfd_added(int fd, short events, void *data)
{
	struct hs_usb *s = data;
	struct epoll_event e = { .events = epoll_events(events), .data.fd = fd };

	epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e);
}

static void LIBUSB_CALL pollfd_removed(int fd, void *data)
{
	struct hs_usb *s = data;

	epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static int make_fd(struct hs_link *l, struct hs_usb *s)
{
	const struct libusb_pollfd **fds;
	struct epoll_event e = { .events = EPOLLIN };

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epfd < 0 || s->evfd < 0)
		return hs_fail(hs_errno_code(errno), "%s: cannot make a pollable fd: %s",
			       l->path, strerror(errno));
	e.data.fd = s->evfd;
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->evfd, &e);
	/* libusb adds and removes fds (a device's usbfs node, its timerfd)
	 * as it goes: follow it */
	libusb_set_pollfd_notifiers(s->ctx, pollfd_added, pollfd_removed, s);
	if ((fds = libusb_get_pollfds(s->ctx))) {
		for (int i = 0; fds[i]; i++)
			pollfd_added(fds[i]->fd, fds[i]->events, s);
		libusb_free_pollfds(fds);
	}
	l->fd = s->epfd;
	return HS_OK;
}

/* ---- the back channel ------------------------------------------------- */

static void LIBUSB_CALL in_done(struct libusb_transfer *t);

/* Keep one bulk IN transfer pending while there is room for what it may
 * bring, so nothing the printer says is ever dropped. */
static int in_arm(struct hs_link *l)
{
	struct hs_usb *s = l->priv;
	int r;

	if (!s->in || s->in_busy || s->in_stop || s->gone ||
	    sizeof(s->ring) - s->ring_len < sizeof(s->in_data))
		return HS_OK;
	if (s->in_stalled) {
		s->in_stalled = 0;
		if ((r = libusb_clear_halt(s->h, (unsigned char)s->alt.ep_in)) < 0)
			return hs_usb_fail(l->path, r, "clearing the stalled back channel");
	}
	libusb_fill_bulk_transfer(s->in, s->h, (unsigned char)s->alt.ep_in, s->in_data,
				  sizeof(s->in_data), in_done, l, 0);
	if ((r = libusb_submit_transfer(s->in)) < 0) {
		if (r == LIBUSB_ERROR_NO_DEVICE) {
			s->gone = 1;
			ev_set(s, 1);
		}
		return hs_usb_fail(l->path, r, "reading the back channel");
	}
	s->in_busy = 1;
	return HS_OK;
}

static void LIBUSB_CALL in_done(struct libusb_transfer *t)
{
	struct hs_link *l = t->user_data;
	struct hs_usb *s = l->priv;

	s->in_busy = 0;
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		if (t->actual_length > 0) {
			memcpy(s->ring + s->ring_len, s->in_data, (size_t)t->actual_length);
			s->ring_len += (size_t)t->actual_length;
			ev_set(s, 1);
		}
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		s->gone = 1;
		ev_set(s, 1);
		return;
	case LIBUSB_TRANSFER_STALL:
		/* clearing is a sync request: not from a callback; in_arm does it */
		s->in_stalled = 1;
		return;
	case LIBUSB_TRANSFER_CANCELLED:
		return;
	default:
		/* an error: try again on the next read rather than spin here */
		s->in_failed = 1;
		return;
	}
	in_arm(l);
}

/* ---- open and close --------------------------------------------------- */

static int detach_and_claim(struct hs_link *l, struct hs_usb *s)
{
	int ifnum = s->alt.ifnum, r;

	r = libusb_kernel_driver_active(s->h, ifnum);
	if (r == 1) {
		/* usblp holds it: borrow it, hs_link_close gives it back */
		if ((r = libusb_detach_kernel_driver(s->h, ifnum)) < 0 &&
		    r != LIBUSB_ERROR_NOT_FOUND)
			return hs_usb_fail(l->path, r, "detaching the kernel driver (usblp)");
		s->reattach = r == 0;
	} else if (r < 0 && r != LIBUSB_ERROR_NOT_SUPPORTED) {
		return hs_usb_fail(l->path, r, "asking for the kernel driver");
	}
	if ((r = libusb_claim_interface(s->h, ifnum)) < 0)
		return hs_usb_fail(l->path, r, "claiming the printer interface");
	s->claimed = 1;
	if (s->alt.alt != 0 &&
	    (r = libusb_set_interface_alt_setting(s->h, ifnum, s->alt.alt)) < 0)
		return hs_usb_fail(l->path, r, "selecting the printer's alternate setting");
	return HS_OK;
}

static void describe(const struct hs_uri *u, char *buf, size_t cap)
{
	if (u->usb_vid >= 0)
		snprintf(buf, cap, "usb:%04x:%04x%s%s", u->usb_vid, u->usb_pid,
			 u->usb_serial[0] ? " with serial " : "", u->usb_serial);
	else
		snprintf(buf, cap, "usb:%d.%d", u->usb_bus, u->usb_address);
}

/* Is dev the one the URI names, with a printer interface? Opens it when
 * it is: 1 found (s->h, s->alt set), 0 not this one, < 0 an error. */
static int try_device(struct hs_link *l, struct hs_usb *s, libusb_device *dev,
		      const struct hs_uri *u, int *no_printer)
{
	struct libusb_device_descriptor d;
	struct hs_usb_alt alts[HS_USB_MAX_ALTS];
	libusb_device_handle *h;
	char serial[128];
	int n, k, r;

	if (libusb_get_device_descriptor(dev, &d) < 0)
		return 0;
	if (u->usb_vid >= 0 && (d.idVendor != u->usb_vid || d.idProduct != u->usb_pid))
		return 0;
	if (u->usb_bus >= 0 && (libusb_get_bus_number(dev) != u->usb_bus ||
				libusb_get_device_address(dev) != u->usb_address))
		return 0;
	n = hs_usb_alts(dev, alts, HS_USB_MAX_ALTS);
	if ((k = hs_usb_pick(alts, n, u->usb_interface)) < 0) {
		*no_printer = 1;
		return 0;
	}
	snprintf(l->path, sizeof(l->path), "/dev/bus/usb/%03d/%03d",
		 libusb_get_bus_number(dev), libusb_get_device_address(dev));
	if ((r = libusb_open(dev, &h)) < 0)
		return hs_usb_fail(l->path, r, "open");
	hs_usb_strings(h, &d, l->manufacturer, l->product, serial, sizeof(serial));
	if (u->usb_serial[0] && strcmp(serial, u->usb_serial) != 0) {
		libusb_close(h);
		return 0;
	}
	copy(l->serial, sizeof(l->serial), serial);
	s->h = h;
	s->alt = alts[k];
	l->info.usb_vid = d.idVendor;
	l->info.usb_pid = d.idProduct;
	l->info.usb_bus = libusb_get_bus_number(dev);
	l->info.usb_address = libusb_get_device_address(dev);
	return 1;
}

static int usb_open(struct hs_link *l, const struct hs_uri *u)
{
	struct hs_usb *s;
	libusb_device **list;
	char want[192];
	ssize_t n;
	int r, rc = 0, no_printer = 0;

	if (!(s = calloc(1, sizeof(*s))))
		return hs_fail(HS_ERR_NOMEM, "usb: out of memory");
	s->epfd = s->evfd = -1;
	l->priv = s;
	describe(u, want, sizeof(want));
	copy(l->path, sizeof(l->path), want);
	copy(l->name, sizeof(l->name), want);
	l->info.transport = HS_TRANSPORT_USB;
	/* our own context: no state shared with other links or libraries */
	if ((r = libusb_init(&s->ctx)) < 0) {
		s->ctx = NULL;
		return hs_fail(HS_ERR_IO, "%s: cannot start libusb: %s", want,
			       libusb_strerror((enum libusb_error)r));
	}
	if ((n = libusb_get_device_list(s->ctx, &list)) < 0)
		return hs_usb_fail(want, (int)n, "listing USB devices");
	for (ssize_t i = 0; i < n && rc == 0; i++)
		rc = try_device(l, s, list[i], u, &no_printer);
	libusb_free_device_list(list, 1);
	if (rc < 0)
		return rc;
	if (rc == 0 && no_printer)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s has no USB printer interface (class 7/1, protocol 1 or 2)%s; "
			       "IPP-over-USB printers are for ipp-usb", want,
			       u->usb_interface >= 0 ? " with that interface number" : "");
	if (rc == 0)
		return hs_fail(HS_ERR_NO_DEVICE,
			       "no USB printer %s: is it plugged in and switched on? (lsusb lists what is)",
			       want);
	snprintf(l->name, sizeof(l->name), "usb:%d.%d", l->info.usb_bus, l->info.usb_address);
	snprintf(l->description, sizeof(l->description), "%.63s%s%.63s", l->manufacturer,
		 l->manufacturer[0] && l->product[0] ? " " : "", l->product);
	if ((rc = detach_and_claim(l, s)) < 0)
		return rc;
	if (s->alt.ep_in >= 0) {
		if (!(s->in = libusb_alloc_transfer(0)))
			return hs_fail(HS_ERR_NOMEM, "%s: out of memory", l->path);
		if ((rc = in_arm(l)) < 0)
			return rc;
	}
	return make_fd(l, s);
}

static void usb_close(struct hs_link *l)
{
	struct hs_usb *s = l->priv;

	if (!s)
		return;
	if (s->in) {
		int64_t deadline = hs_deadline(CANCEL_MS);
		s->in_stop = 1;
		if (s->in_busy && libusb_cancel_transfer(s->in) == 0) {
			while (s->in_busy && hs_remaining(deadline) > 0) {
				struct timeval tv = { 0, 100000 };
				libusb_handle_events_timeout(s->ctx, &tv);
			}
		}
		/* a transfer libusb still owns must not be freed: leak it */
		if (!s->in_busy)
			libusb_free_transfer(s->in);
	}
	if (s->claimed)
		libusb_release_interface(s->h, s->alt.ifnum);
	if (s->reattach)
		libusb_attach_kernel_driver(s->h, s->alt.ifnum);
	if (s->h)
		libusb_close(s->h);
	if (s->ctx) {
		libusb_set_pollfd_notifiers(s->ctx, NULL, NULL, NULL);
		libusb_exit(s->ctx);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->evfd >= 0)
		close(s->evfd);
	l->fd = -1;
	free(s);
	l->priv = NULL;
}

/* ---- bytes ------------------------------------------------------------ */

static int usb_write(struct hs_link *l, const void *buf, size_t len,
		     int64_t deadline, size_t *done)
{
	struct hs_usb *s = l->priv;
	const unsigned char *p = buf;
	int stalls = 0;

	while (*done < len) {
		int left = hs_remaining(deadline), moved = 0, r;
		size_t chunk = len - *done < WRITE_CHUNK ? len - *done : WRITE_CHUNK;

		if (s->gone)
			return hs_usb_fail(l->path, LIBUSB_ERROR_NO_DEVICE, "a write");
		if (left == 0)  /* libusb reads a 0 timeout as "forever" */
			return hs_usb_fail(l->path, LIBUSB_ERROR_TIMEOUT, "a write");
		r = libusb_bulk_transfer(s->h, (unsigned char)s->alt.ep_out,
					 (unsigned char *)p + *done, (int)chunk, &moved,
					 (unsigned)left);
		if (moved > 0) {
			*done += (size_t)moved;
			stalls = 0;
		}
		if (r == 0)
			continue;
		if (r == LIBUSB_ERROR_PIPE && stalls++ < MAX_STALLS) {
			/* a stall ends the transfer, not the job: clear it and
			 * send the rest */
			if ((r = libusb_clear_halt(s->h, (unsigned char)s->alt.ep_out)) < 0)
				return hs_usb_fail(l->path, r, "clearing a stall");
			continue;
		}
		if (r == LIBUSB_ERROR_NO_DEVICE)
			s->gone = 1;
		return hs_usb_fail(l->path, r, "a write");
	}
	return HS_OK;
}

static int usb_read(struct hs_link *l, void *buf, size_t len, int64_t deadline)
{
	struct hs_usb *s = l->priv;

	if (s->alt.ep_in < 0)
		return hs_fail(HS_ERR_NOT_SUPPORTED,
			       "%s is a unidirectional printer (protocol 1): it has no back channel to read",
			       l->path);
	for (;;) {
		int left, r, rc;
		struct timeval tv;

		if (s->ring_len > 0) {
			size_t n = len < s->ring_len ? len : s->ring_len;
			memcpy(buf, s->ring, n);
			memmove(s->ring, s->ring + n, s->ring_len - n);
			s->ring_len -= n;
			if (s->ring_len == 0 && !s->gone)
				ev_set(s, 0);
			in_arm(l);  /* there is room again */
			return (int)n;
		}
		if (s->gone)
			return hs_usb_fail(l->path, LIBUSB_ERROR_NO_DEVICE, "a read");
		if (s->in_failed) {
			/* report it once; the next read tries again */
			s->in_failed = 0;
			return hs_fail(HS_ERR_IO, "%s: the back channel (bulk IN) failed", l->path);
		}
		if ((rc = in_arm(l)) < 0)
			return rc;
		/* handle what is ready even when the deadline has passed, so a
		 * caller woken by hs_link_fd() gets its bytes with timeout 0 */
		left = hs_remaining(deadline);
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
		r = libusb_handle_events_timeout_completed(s->ctx, &tv, NULL);
		if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED)
			return hs_usb_fail(l->path, r, "a read");
		if (s->ring_len == 0 && !s->gone && left == 0)
			return hs_fail(HS_ERR_TIMEOUT, "%s: nothing received before the deadline",
				       l->path);
	}
}

static int usb_flush(struct hs_link *l, enum hs_flush which)
{
	struct hs_usb *s = l->priv;

	/* bulk OUT keeps nothing of ours queued: only input can be dropped */
	if (which & HS_FLUSH_INPUT) {
		s->ring_len = 0;
		if (!s->gone)
			ev_set(s, 0);
		in_arm(l);
	}
	return HS_OK;
}

const struct hs_transport_ops hs_usb_ops = {
	.name = "usb",
	.open = usb_open,
	.close = usb_close,
	.read = usb_read,
	.write = usb_write,
	.flush = usb_flush,
	.device_id = hs_usb_device_id,
	.port_status = hs_usb_port_status,
	.soft_reset = hs_usb_soft_reset,
};
