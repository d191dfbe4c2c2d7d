/*
 * device_priv.h - private: what the device files share. device_sysfs.c
 * identifies a device from sysfs alone, device_name.c names it for udev;
 * device_list.c lists them, adds
 * the caller's ptys and sees who holds what; device_probe.c talks to
 * them; device_watch.c follows udev's events.
 */
#ifndef HS_DEVICE_PRIV_H
#define HS_DEVICE_PRIV_H

#include "handshake/device.h"

/* Identify the tty or USB device at a sysfs path (or udev's %p). Reads
 * sysfs only. 0, or -1 when the path is not a device we can read. */
int hs_dev_from_sysfs(const char *syspath, struct hs_device *d);

/* Fill d->name from its kind, product, serial, USB port and, for a tty
 * on a multi-port adapter, its interface and port number
 * (device_name.c). */
void hs_dev_name(struct hs_device *d);

/* Empty: every number -1, every string "". */
void hs_dev_init(struct hs_device *d);

/* The URI that opens d, and whether another program holds it, both seen
 * from outside. */
void hs_dev_finish(struct hs_device *d);

/* A growing array of devices. */
struct hs_dev_vec {
	struct hs_device *list;
	int n, cap;
};
/* Append a copy of d: HS_OK or HS_ERR_NOMEM. */
int hs_dev_vec_add(struct hs_dev_vec *v, const struct hs_device *d);

/* Is the tty at this sysfs path one the list shows: hardware behind it
 * (not a console or a pty), and a UART in a serial8250 slot? */
int hs_dev_tty_listed(const char *path);

/* Copy at most cap - 1 bytes of src, every byte outside printable ASCII
 * made '?' (HS_ESCAPE_TEXT, cut quietly). */
void hs_dev_text(char *dst, size_t cap, const char *src);

#endif
