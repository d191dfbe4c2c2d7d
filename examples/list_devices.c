/*
 * list_devices.c - the modems and printers on this machine, from the
 * library's device list (handshake/device.h) alone: nothing is opened,
 * nothing is sent. One line per device, tab-separated:
 *
 *   NODE KIND DRIVER VID:PID MANUFACTURER PRODUCT SERIAL URI
 *
 *   list_devices [--probe]    --probe also asks each known device who it is
 *
 * The strings a device reported come printable and bounded; a program
 * that puts them in JSON, a file name or a udev rule escapes them with
 * hs_escape() for that use.
 */
#include <stdio.h>
#include <string.h>

#include <handshake/device.h>

int main(int argc, char **argv)
{
	struct hs_device *list;
	int probe = argc > 1 && !strcmp(argv[1], "--probe");
	int n = hs_device_list(&list, NULL);

	if (n < 0) {
		fprintf(stderr, "list_devices: cannot list devices (%d)\n", n);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct hs_device *d = &list[i];
		char ids[16] = "-";

		/* a port another program holds is reported busy, not opened */
		if (probe && d->kind != HS_DEVICE_UNKNOWN)
			hs_device_probe(d, 0, 2000);
		if (d->usb)
			snprintf(ids, sizeof(ids), "%04x:%04x", d->vid, d->pid);
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d->node, hs_device_kind_name(d->kind),
		       d->driver[0] ? d->driver : "-", ids, d->manufacturer, d->product,
		       d->serial, d->uri);
		if (d->busy)
			printf("\tbusy: %s\n", d->holder);
		if (d->probe.state)
			printf("\tprobe: %s%s%s\n", d->probe.state,
			       d->probe.driver[0] ? ", driver " : "", d->probe.driver);
	}
	hs_device_list_free(list);
	return 0;
}
