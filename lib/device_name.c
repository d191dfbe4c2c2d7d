/*
 * device_name.c - the name udev gives a device (ID_HANDSHAKE_NAME: the
 * /dev/handshake/NAME link and /run/handshake/NAME.json):
 *
 *   KIND-PRODUCT[-SERIAL]-portPORT[-ifNN[.P]]
 *
 * Product and serial number say which device it is, for people. The USB
 * port path ("1-1.2": bus, then each hub's port) makes the name unique:
 * cheap adapters share serial numbers, or have none, but no two devices
 * share a port. The name stays while the device stays in its socket,
 * across reboots and replugging, as /dev/serial/by-path does. A tty on a
 * later interface of a multi-port adapter adds the interface, and the
 * second and later ports of one interface their number.
 *
 * Every part is reduced to the safe set and has its share of the
 * buffer, so the whole always fits and nothing is cut.
 */
#include <stdio.h>
#include <string.h>

#include "device_priv.h"
#include "escape.h"

static void safe(char *dst, size_t cap, const char *src)
{
	hs_escape_bytes(dst, cap, src, strlen(src), HS_ESCAPE_NAME, NULL);
}

void hs_dev_name(struct hs_device *d)
{
	char product[28], serial[29], port[32], unit[16] = "";

	safe(product, sizeof(product), d->product);
	if (!product[0])
		snprintf(product, sizeof(product), "usb%04x-%04x", d->vid & 0xffff,
			 d->pid & 0xffff);
	serial[0] = '-';
	safe(serial + 1, sizeof(serial) - 1, d->serial);
	if (!serial[1])
		serial[0] = 0;
	safe(port, sizeof(port), d->port);
	/* a USB printer is named once, as a device; a tty per port */
	if (strcmp(d->transport, "usb") != 0 && (d->interface > 0 || d->port_number > 0)) {
		if (d->port_number > 0)
			snprintf(unit, sizeof(unit), "-if%02x.%d", d->interface & 0xff,
				 d->port_number & 0xffff);
		else
			snprintf(unit, sizeof(unit), "-if%02x", d->interface & 0xff);
	}
	snprintf(d->name, sizeof(d->name), "%s-%s%s-port%s%s", hs_device_kind_name(d->kind),
		 product, serial, port, unit);
}
