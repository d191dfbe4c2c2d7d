/*
 * hsprobe_name.c - the name udev gives a device (ID_HANDSHAKE_NAME: the
 * /dev/handshake/NAME link and /run/handshake/NAME.json), built from
 * its kind, product and serial, each part reduced to the safe set.
 */
#include <stdio.h>

#include "hsprobe.h"

void hsprobe_name(struct hsprobe_dev *d)
{
	char product[28], serial[28];
	int n;

	hsprobe_safe(product, sizeof(product), d->product);
	if (!product[0])
		snprintf(product, sizeof(product), "usb%04x-%04x", d->vid & 0xffff,
			 d->pid & 0xffff);
	hsprobe_safe(serial, sizeof(serial), d->serial);
	if (!serial[0]) {
		/* no serial number: the USB port is what stays the same */
		char port[24];
		hsprobe_safe(port, sizeof(port), d->port);
		snprintf(serial, sizeof(serial), "port%s", port);
	}
	if (d->interface > 0 && d->kind == HSPROBE_MODEM)
		n = snprintf(d->name, sizeof(d->name), "%s-%s-%s-if%02x",
			     hsprobe_kind_name(d->kind), product, serial, d->interface & 0xff);
	else
		n = snprintf(d->name, sizeof(d->name), "%s-%s-%s",
			     hsprobe_kind_name(d->kind), product, serial);
	(void)n; /* a name too long is cut */
}
