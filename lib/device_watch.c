/*
 * device_watch.c - modems and printers coming and going, for event loops:
 * a netlink socket on udev's multicast group, so an event comes once
 * udev has made the node and set its permissions (the kernel's own group
 * would announce devices nobody may open yet).
 *
 * udev's messages are "libudev\0", a header of 32-bit words (the magic
 * 0xfeedcafe in network order, then in host order the header's size and
 * the offset and length of the properties) and NUL-separated KEY=VALUE
 * properties; the kernel's are
 * "ACTION@DEVPATH\0" and the same properties. Both are read. An event
 * only says which sysfs path to read: an added device is identified from
 * sysfs, a removed one is looked up among those known (listed at open,
 * or added since), so a message can never put device text anywhere
 * unchecked.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "device_priv.h"
#include "fail.h"

#define UDEV_GROUP 2        /* udevd's multicast group; 1 is the kernel's */
#define UDEV_MAGIC 0xfeedcafeu
#define MSG_MAX 8192        /* a uevent is at most 2 KiB of properties */

struct hs_device_watch {
	int fd;
	struct hs_dev_vec known;   /* the devices a removal may name */
};

struct uevent {
	const char *action, *devpath, *subsystem, *devtype, *devname;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t host32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The properties we use, pointing into buf; 0, or -1 when it is not a
 * uevent. buf[n] must be writable (it is made a NUL). */
static int parse(char *buf, size_t n, struct uevent *ev)
{
	size_t off = 0, end = n;

	memset(ev, 0, sizeof(*ev));
	buf[n] = 0;
	if (n >= 40 && !memcmp(buf, "libudev", 8)) {
		const unsigned char *h = (const unsigned char *)buf;
		uint32_t poff = host32(h + 16), plen = host32(h + 20);
		if (be32(h + 8) != UDEV_MAGIC || poff > n || plen > n - poff)
			return -1;
		off = poff;
		end = poff + plen;
	} else {
		char *at = memchr(buf, '@', n);
		if (!at || at - buf > 32)
			return -1;
		off = strnlen(buf, n) + 1;
	}
	while (off < end) {
		char *kv = buf + off;
		size_t len = strnlen(kv, end - off);
		if (!strncmp(kv, "ACTION=", 7))
			ev->action = kv + 7;
		else if (!strncmp(kv, "DEVPATH=", 8))
			ev->devpath = kv + 8;
		else if (!strncmp(kv, "SUBSYSTEM=", 10))
			ev->subsystem = kv + 10;
		else if (!strncmp(kv, "DEVTYPE=", 8))
			ev->devtype = kv + 8;
		else if (!strncmp(kv, "DEVNAME=", 8))
			ev->devname = kv + 8;
		off += len + 1;
	}
	return ev->action && ev->devpath && ev->subsystem ? 0 : -1;
}

static int known_at(const struct hs_device_watch *w, const char *syspath)
{
	for (int i = 0; i < w->known.n; i++)
		if (!strcmp(w->known.list[i].syspath, syspath))
			return i;
	return -1;
}

int hs_device_watch_open(struct hs_device_watch **out)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = UDEV_GROUP };
	struct hs_device_watch *w;
	struct hs_device *list;
	int n, size = 256 * 1024;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_device_watch_open: no place for the watch");
	*out = NULL;
	if (!(w = calloc(1, sizeof(*w))))
		return hs_fail(HS_ERR_NOMEM, "hs_device_watch_open: out of memory");
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_KOBJECT_UEVENT);
	if (w->fd < 0 || bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = errno;
		hs_device_watch_close(w);
		return hs_fail(hs_errno_code(err), "cannot listen to udev's device events: %s",
			       strerror(err));
	}
	/* room for a burst (a hub of devices plugged at once) */
	setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* listed after the socket is bound: nothing falls between the two */
	if ((n = hs_device_list(&list, NULL)) < 0) {
		hs_device_watch_close(w);
		return n;
	}
	w->known = (struct hs_dev_vec){ .list = list, .n = n, .cap = n };
	*out = w;
	return HS_OK;
}

int hs_device_watch_fd(const struct hs_device_watch *w)
{
	return w ? w->fd : hs_fail(HS_ERR_ARG, "hs_device_watch_fd: no watch");
}

/* One message into ev: 1 when it is an event of a device we list, 0 when
 * not, an error when the socket failed, HS_ERR_TIMEOUT when none waits. */
static int take(struct hs_device_watch *w, struct hs_device_event *e)
{
	char buf[MSG_MAX + 1], sys[600];
	char node[96];
	struct uevent ev;
	ssize_t n;
	int i;

	n = recv(w->fd, buf, MSG_MAX, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return HS_ERR_TIMEOUT;
		if (errno == ENOBUFS)
			return 0; /* a burst overflowed: later events still come */
		return hs_fail(hs_errno_code(errno), "reading udev's device events: %s",
			       strerror(errno));
	}
	if (parse(buf, (size_t)n, &ev) < 0)
		return 0;
	if (strcmp(ev.subsystem, "tty") &&
	    !(!strcmp(ev.subsystem, "usb") && ev.devtype && !strcmp(ev.devtype, "usb_device")))
		return 0;
	snprintf(sys, sizeof(sys), "%s%s", strncmp(ev.devpath, "/sys/", 5) ? "/sys" : "",
		 ev.devpath);
	if (!strcmp(ev.action, "remove")) {
		struct hs_device *d = &e->device;
		if ((i = known_at(w, sys)) < 0) {
			/* known by another path: the node is what names it
			 * (udev says /dev/ttyACM0, the kernel ttyACM0) */
			if (!ev.devname)
				return 0;
			snprintf(node, sizeof(node), "%s%s", ev.devname[0] == '/' ? "" : "/dev/",
				 ev.devname);
			for (i = 0; i < w->known.n; i++)
				if (!strcmp(w->known.list[i].node, node))
					break;
			if (i == w->known.n)
				return 0;
		}
		*d = w->known.list[i];
		w->known.list[i] = w->known.list[--w->known.n];
		e->action = HS_DEVICE_REMOVED;
		return 1;
	}
	/* a USB device's interfaces come after its "add": "bind" says the
	 * printer interface is there */
	if (strcmp(ev.action, "add") && strcmp(ev.action, "bind"))
		return 0;
	if (known_at(w, sys) >= 0)
		return 0;
	if (hs_dev_from_sysfs(sys, &e->device) < 0)
		return 0;
	if (!strcmp(ev.subsystem, "usb") && e->device.kind != HS_DEVICE_PRINTER)
		return 0;
	if (!strcmp(ev.subsystem, "tty") && !hs_dev_tty_listed(sys))
		return 0;
	hs_dev_finish(&e->device);
	e->action = HS_DEVICE_ADDED;
	/* known_at() said it is new */
	if ((i = hs_dev_vec_add(&w->known, &e->device)) < 0)
		return i;
	return 1;
}

int hs_device_watch_read(struct hs_device_watch *w, struct hs_device_event *e,
			 int timeout_ms)
{
	int64_t deadline;

	if (!w || !e || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_device_watch_read: no watch or event, or a negative timeout");
	deadline = hs_deadline(timeout_ms);
	for (;;) {
		struct pollfd p = { .fd = w->fd, .events = POLLIN };
		int rc = take(w, e);

		if (rc != 0 && rc != HS_ERR_TIMEOUT)
			return rc;
		if (rc == HS_ERR_TIMEOUT) {
			if (hs_remaining(deadline) == 0)
				return hs_fail(HS_ERR_TIMEOUT, "no device came or went before the deadline");
			if (poll(&p, 1, hs_remaining(deadline)) < 0 && errno != EINTR)
				return hs_fail(hs_errno_code(errno), "waiting for device events: %s",
					       strerror(errno));
		}
	}
}

void hs_device_watch_close(struct hs_device_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->known.list);
	free(w);
}
