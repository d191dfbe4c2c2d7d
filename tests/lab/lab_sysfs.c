/*
 * lab_sysfs.c — what a USB serial adapter leaves in sysfs, for one port.
 *
 * A ttyUSB port is a tty under a usb-serial port under a usb_interface
 * under a usb_device; a ttyACM port is a tty directly under the CDC
 * interface. Programs (libserialport, udev rules, hsprobe) walk that
 * chain for the VID/PID and strings, so it must be complete, including
 * the tty's "device" link that umockdev does not make by itself.
 */
#include "lab.h"

#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

/* The record a real FTDI adapter or CDC-ACM modem leaves in sysfs, child
 * first (the order umockdev-record writes). libserialport walks from the
 * tty up to the usb_device for VID/PID, so the chain must be complete. */
/* as udev encodes a USB string for ID_*: whitespace becomes '_', and
 * anything outside a safe set is dropped, so a record line never breaks */
static char *udev_enc(const char *s)
{
	GString *o = g_string_new(NULL);

	for (; *s; s++) {
		if (g_ascii_isspace(*s))
			g_string_append_c(o, '_');
		else if (g_ascii_isalnum(*s) || strchr("#+-.:=@_", *s))
			g_string_append_c(o, *s);
	}
	return g_string_free(o, FALSE);
}

/* sysfs attribute text: one line */
static char *attr(const char *s)
{
	char *t = g_strdup(s);

	for (char *q = t; *q; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
	return t;
}

static char *record(struct lab_port *p, int index)
{
	struct lab_port_cfg *c = p->cfg;
	bool acm = g_str_has_prefix(c->name, "ttyACM");
	unsigned minor = (unsigned)atoi(c->name + 6);
	char usbdev[128], intf[160];
	char *vendor, *model, *serial;
	GString *r = g_string_new(NULL);

	g_snprintf(usbdev, sizeof(usbdev),
	           "/devices/pci0000:00/0000:00:14.0/usb1/1-%d", index + 1);
	g_snprintf(intf, sizeof(intf), "%s/1-%d:1.0", usbdev, index + 1);
	if (acm)
		g_snprintf(p->syspath, sizeof(p->syspath), "%s/tty/%s", intf,
		           c->name);
	else
		g_snprintf(p->syspath, sizeof(p->syspath), "%s/%s/tty/%s", intf,
		           c->name, c->name);

	vendor = udev_enc(c->manufacturer);
	model = udev_enc(c->product);
	serial = udev_enc(c->serial);
	/* the properties udev's usb_id and path_id builtins would set */
	g_string_append_printf(r,
		"P: %s\nN: %s\nE: DEVNAME=/dev/%s\nE: SUBSYSTEM=tty\n"
		"E: MAJOR=%u\nE: MINOR=%u\nE: ID_BUS=usb\n"
		"E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n"
		"E: ID_VENDOR=%s\nE: ID_MODEL=%s\nE: ID_SERIAL_SHORT=%s\n"
		"E: ID_SERIAL=%s_%s_%s\nE: ID_USB_INTERFACE_NUM=00\n"
		"E: ID_USB_DRIVER=%s\nE: ID_USB_INTERFACES=%s\n"
		"E: ID_PATH=pci-0000:00:14.0-usb-0:%d:1.0\n"
		"E: ID_PATH_TAG=pci-0000_00_14_0-usb-0_%d_1_0\n"
		"A: dev=%u:%u\n\n",
		p->syspath, c->name, c->name, acm ? 166 : 188, minor,
		c->vid, c->pid, vendor, model, serial, vendor, model, serial,
		acm ? "cdc_acm" : "ftdi_sio",
		acm ? ":020201:0a0000:" : ":ffffff:", index + 1, index + 1,
		acm ? 166 : 188, minor);
	g_free(vendor);
	g_free(model);
	g_free(serial);
	if (!acm)
		g_string_append_printf(r,
			"P: %s/%s\nE: SUBSYSTEM=usb-serial\nE: DRIVER=ftdi_sio\n"
			"A: port_number=0\n\n", intf, c->name);
	g_string_append_printf(r,
		"P: %s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n"
		"E: DRIVER=%s\nA: bInterfaceNumber=00\nA: bInterfaceClass=%s\n"
		"A: bInterfaceSubClass=%s\nA: bInterfaceProtocol=%s\n\n",
		intf, acm ? "cdc_acm" : "ftdi_sio", acm ? "02" : "ff",
		acm ? "02" : "ff", acm ? "01" : "ff");
	vendor = attr(c->manufacturer);
	model = attr(c->product);
	serial = attr(c->serial);
	g_string_append_printf(r,
		"P: %s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n"
		"E: PRODUCT=%x/%x/100\nE: BUSNUM=001\nE: DEVNUM=%03d\n"
		"A: idVendor=%04x\nA: idProduct=%04x\nA: manufacturer=%s\n"
		"A: product=%s\nA: serial=%s\nA: busnum=1\nA: devnum=%d\n"
		"A: speed=12\nA: bDeviceClass=%s\nA: bNumConfigurations=1\n"
		"A: bConfigurationValue=1\n",
		usbdev, c->vid, c->pid, index + 2, c->vid, c->pid,
		vendor, model, serial, index + 2, acm ? "02" : "00");
	g_free(vendor);
	g_free(model);
	g_free(serial);
	return g_string_free(r, FALSE);
}

/* the parent the tty's "device" link names: the usb-serial port for
 * ttyUSB, the interface for ttyACM (strip "/tty/NAME" from the syspath) */
static const char *acm_or_serial_dir(struct lab_port *p)
{
	static char dir[256];
	char *cut;

	g_strlcpy(dir, p->syspath, sizeof(dir));
	cut = strstr(dir, "/tty/");
	if (cut)
		*cut = 0;
	return dir;
}

bool lab_sysfs_add(void *tb, struct lab_port *p, int index, GError **err)
{
	char *rec = record(p, index);
	char *dev, *target, *sys;
	bool ok = umockdev_testbed_add_from_string(tb, rec, err);

	g_free(rec);
	if (!ok)
		return false;
	/* the tty's "device" link: libserialport climbs from it to busnum */
	dev = g_path_get_basename(acm_or_serial_dir(p));
	target = g_strdup_printf("../../../%s", dev);
	sys = g_strconcat("/sys", p->syspath, NULL);
	umockdev_testbed_set_attribute_link(tb, sys, "device", target);
	g_free(sys);
	g_free(target);
	g_free(dev);
	return true;
}
