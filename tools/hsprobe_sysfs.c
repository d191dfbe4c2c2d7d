/*
 * hsprobe_sysfs.c - who a device is, from sysfs and the driver tables
 * only: nothing is opened but attribute files, so nothing reaches a
 * device and no modem line moves. This is what `hsprobe` does by default
 * and all `hsprobe --udev` does, as root, for every tty udev sees.
 *
 * Not libserialport's sp_list_ports: on Linux it opens every serial8250
 * port to ask TIOCGSERIAL, and opening a UART raises DTR. Not realpath(3)
 * either: under umockdev (the lab) it corrupts the heap (lib/devpath.h);
 * symlinks are followed by hand and ".." removed lexically.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <handshake/link.h>
#include <handshake/modem.h>
#include <handshake/printer.h>
#include "hsprobe.h"

/* snprintf that says whether it fitted: paths and names are cut, never
 * overrun, and a cut path simply names nothing. */
static int fmt(char *out, size_t cap, const char *f, ...)
	__attribute__((format(printf, 3, 4)));
static int fmt(char *out, size_t cap, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(out, cap, f, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < cap ? 0 : -1;
}

/* Remove "." and ".." from an absolute path, in place. */
static void normalize(char *path)
{
	char out[PATH_MAX];
	size_t n = 0;
	char *save = NULL;

	for (char *part = strtok_r(path, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		if (n + 1 + strlen(part) + 1 > sizeof(out))
			break;
		out[n++] = '/';
		memcpy(out + n, part, strlen(part));
		n += strlen(part);
	}
	out[n] = 0;
	strcpy(path, n ? out : "/");
}

/* Follow symlinks of the last component (sysfs class and bus links), up
 * to a few, into out. 0 or -1. */
static int resolve(const char *in, char *out, size_t cap)
{
	char cur[PATH_MAX], target[PATH_MAX];

	if (fmt(cur, sizeof(cur), "%s", in) < 0)
		return -1;
	for (int hops = 0; hops < 8; hops++) {
		ssize_t n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			break;
		target[n] = 0;
		if (target[0] == '/') {
			fmt(cur, sizeof(cur), "%s", target);
		} else {
			char *slash = strrchr(cur, '/');
			if (!slash)
				return -1;
			slash[1] = 0;
			if (strlen(cur) + strlen(target) + 1 > sizeof(cur))
				return -1;
			strcat(cur, target);
		}
		normalize(cur);
	}
	normalize(cur);
	return fmt(out, cap, "%s", cur);
}

/* An attribute's first cap - 1 bytes, trailing newline dropped; the
 * bytes are raw device text: callers reduce them. -1 when absent. */
static int attr(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	buf[0] = 0;
	if (fmt(path, sizeof(path), "%s/%s", dir, name) < 0)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/* A number attribute (idVendor in hex, busnum in decimal), -1 when
 * absent or not a number in 0..0xffff. */
static int attr_num(const char *dir, const char *name, int base)
{
	char buf[16], *end;
	long v;

	if (attr(dir, name, buf, sizeof(buf)) < 0 || !buf[0])
		return -1;
	v = strtol(buf, &end, base);
	return *end == 0 && v >= 0 && v <= 0xffff ? (int)v : -1;
}

#define attr_hex(dir, name) attr_num(dir, name, 16)
#define attr_dec(dir, name) attr_num(dir, name, 10)

/* The last word of a link's target ("tty" from subsystem -> ../class/tty). */
static void link_base(const char *dir, const char *name, char *out, size_t cap)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	out[0] = 0;
	fmt(path, sizeof(path), "%s/%s", dir, name);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return;
	target[n] = 0;
	fmt(out, cap, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

static int exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	fmt(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* The parent folder, in place; 0 once at /sys. */
static int up(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir || !strcmp(dir, "/sys/devices"))
		return 0;
	*slash = 0;
	return strncmp(dir, "/sys/devices", 12) == 0;
}

/* Identity of the usb_device at dir: ids, strings, bus and port. */
static void read_usb_device(const char *dir, struct hsprobe_dev *d)
{
	char raw[HSPROBE_STR];
	const char *base = strrchr(dir, '/') + 1;

	d->usb = 1;
	d->vid = attr_hex(dir, "idVendor");
	d->pid = attr_hex(dir, "idProduct");
	d->bus = attr_dec(dir, "busnum");
	d->address = attr_dec(dir, "devnum");
	hsprobe_text(d->port, sizeof(d->port), base);
	attr(dir, "manufacturer", raw, sizeof(raw));
	hsprobe_text(d->manufacturer, sizeof(d->manufacturer), raw);
	attr(dir, "product", raw, sizeof(raw));
	hsprobe_text(d->product, sizeof(d->product), raw);
	attr(dir, "serial", raw, sizeof(raw));
	hsprobe_text(d->serial, sizeof(d->serial), raw);
}

static void read_interface(const char *dir, struct hsprobe_dev *d)
{
	char raw[HSPROBE_ID];

	d->interface = attr_hex(dir, "bInterfaceNumber");
	d->if_class = attr_hex(dir, "bInterfaceClass");
	d->if_subclass = attr_hex(dir, "bInterfaceSubClass");
	d->if_protocol = attr_hex(dir, "bInterfaceProtocol");
	/* usblp keeps the printer's 1284 ID here: free to read. Printers end
	 * it with blanks or CR LF (usblp adds a line end of its own): not
	 * part of it, and not worth a '?' each. */
	if (attr(dir, "ieee1284_id", raw, sizeof(raw)) == 0) {
		size_t n = strlen(raw);
		while (n && isspace((unsigned char)raw[n - 1]))
			raw[--n] = 0;
		hsprobe_text(d->device_id, sizeof(d->device_id), raw);
	}
}

/* A USB device's printer interface: 7/1/2 (bidirectional) before 7/1/1.
 * 7/1/4 (IPP over USB) is ipp-usb's, never ours. 0 when found. */
static int find_printer_interface(const char *dir, struct hsprobe_dev *d)
{
	char best[PATH_MAX] = "", path[PATH_MAX];
	const char *base = strrchr(dir, '/') + 1;
	size_t blen = strlen(base);
	int best_proto = 0;
	struct dirent *e;
	DIR *dd = opendir(dir);

	if (!dd)
		return -1;
	while ((e = readdir(dd))) {
		if (strncmp(e->d_name, base, blen) || e->d_name[blen] != ':')
			continue;
		fmt(path, sizeof(path), "%s/%s", dir, e->d_name);
		int proto = attr_hex(path, "bInterfaceProtocol");
		if (attr_hex(path, "bInterfaceClass") == 7 &&
		    attr_hex(path, "bInterfaceSubClass") == 1 &&
		    (proto == 1 || proto == 2) && proto > best_proto) {
			best_proto = proto;
			fmt(best, sizeof(best), "%s", path);
		}
	}
	closedir(dd);
	if (!best[0])
		return -1;
	read_interface(best, d);
	return 0;
}

/* kind-product-serial[-ifNN], each part reduced to the safe set. */
static void make_name(struct hsprobe_dev *d)
{
	char product[28], serial[28], ids[16];

	hsprobe_safe(product, sizeof(product), d->product);
	if (!product[0]) {
		fmt(ids, sizeof(ids), "usb%04x-%04x", d->vid & 0xffff, d->pid & 0xffff);
		fmt(product, sizeof(product), "%s", ids);
	}
	hsprobe_safe(serial, sizeof(serial), d->serial);
	if (!serial[0]) {
		/* no serial number: the USB port is what stays the same */
		char port[24];
		hsprobe_safe(port, sizeof(port), d->port);
		fmt(serial, sizeof(serial), "port%s", port);
	}
	if (d->interface > 0 && d->kind == HSPROBE_MODEM)
		fmt(d->name, sizeof(d->name), "%s-%s-%s-if%02x",
			 hsprobe_kind_name(d->kind), product, serial, d->interface);
	else
		fmt(d->name, sizeof(d->name), "%s-%s-%s",
			 hsprobe_kind_name(d->kind), product, serial);
}

/* The driver tables decide the kind: a modem driver's USB row, then a
 * printer driver's, then the CDC-ACM class saying "AT commands". */
static void classify(struct hsprobe_dev *d, int is_tty)
{
	const struct hs_modem_driver *generic = hs_modem_driver_find("hayes");
	const char *printer;

	d->kind = HSPROBE_UNKNOWN;
	d->driver[0] = 0;
	if (!d->usb)
		return; /* a bare UART says nothing about what is cabled to it */
	if (!is_tty) {
		/* The driver hsprint would use: its USB id decides, else its
		 * device ID, which only usblp's copy gives without asking */
		const char *by_usb = hs_printer_driver_for(NULL, d->vid, d->pid);
		d->kind = HSPROBE_PRINTER;
		printer = d->device_id[0] ? hs_printer_driver_for(d->device_id, d->vid, d->pid)
					  : by_usb;
		fmt(d->driver, sizeof(d->driver), "%s",
		    printer ? printer : d->device_id[0] ? "generic" : "");
		d->driver_from = printer && by_usb && !strcmp(printer, by_usb) ? "usb-id"
				 : printer || !d->device_id[0] ? "device-id" : "default";
	} else {
		struct hs_link_info info = {
			.name = d->kernel, .path = d->node, .description = d->product,
			.transport = HS_TRANSPORT_SERIAL, .usb_vid = d->vid,
			.usb_pid = d->pid, .usb_manufacturer = d->manufacturer,
			.usb_product = d->product, .usb_serial = d->serial,
			.usb_bus = d->bus, .usb_address = d->address,
		};
		/* with no identity text only USB rows can match; the generic
		 * driver has none, so getting it back means nothing matched */
		const struct hs_modem_driver *m = hs_modem_driver_match(&info, NULL);

		if (m && m != generic) {
			d->kind = HSPROBE_MODEM;
			fmt(d->driver, sizeof(d->driver), "%s", m->name);
		} else if ((printer = hs_printer_driver_for(NULL, d->vid, d->pid))) {
			d->kind = HSPROBE_PRINTER;
			fmt(d->driver, sizeof(d->driver), "%s", printer);
		} else if (d->if_class == 2 && d->if_subclass == 2 &&
			   d->if_protocol >= 1 && d->if_protocol <= 6) {
			/* CDC ACM, protocol 1..6: V.250 AT commands (CDC 1.2
			 * table 5): a modem, whoever made it */
			d->kind = HSPROBE_MODEM;
			fmt(d->driver, sizeof(d->driver), "%s",
				 m ? m->name : "hayes");
		}
	}
	if (d->kind != HSPROBE_UNKNOWN)
		make_name(d);
}

static void init_dev(struct hsprobe_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->vid = d->pid = d->bus = d->address = d->interface = -1;
	d->if_class = d->if_subclass = d->if_protocol = -1;
	d->transport = "serial";
}

int hsprobe_identify(const char *syspath, struct hsprobe_dev *d)
{
	char in[PATH_MAX], dir[PATH_MAX], sub[32];

	init_dev(d);
	if (!syspath || strlen(syspath) >= sizeof(in) - 8)
		return -1;
	/* udev's %p is the path below /sys */
	fmt(in, sizeof(in), "%s%s", strncmp(syspath, "/sys/", 5) ? "/sys" : "", syspath);
	if (resolve(in, dir, sizeof(dir)) < 0 || strncmp(dir, "/sys/devices/", 13))
		return -1;
	link_base(dir, "subsystem", sub, sizeof(sub));
	if (!strcmp(sub, "usb") && !exists(dir, "idVendor") && up(dir) == 0)
		return -1; /* an interface: the device above it is what we name */
	fmt(d->syspath, sizeof(d->syspath), "%s", dir);
	fmt(d->kernel, sizeof(d->kernel), "%s", strrchr(dir, '/') + 1);
	if (!strcmp(sub, "tty")) {
		char walk[PATH_MAX];
		int have_if = 0;

		fmt(d->node, sizeof(d->node), "/dev/%s", d->kernel);
		fmt(walk, sizeof(walk), "%s", dir);
		while (up(walk)) {
			if (!have_if && exists(walk, "bInterfaceClass")) {
				read_interface(walk, d);
				have_if = 1;
			}
			if (exists(walk, "idVendor")) {
				read_usb_device(walk, d);
				d->transport = "usb-serial";
				break;
			}
		}
		classify(d, 1);
		return 0;
	}
	if (!strcmp(sub, "usb") && exists(dir, "idVendor")) {
		read_usb_device(dir, d);
		d->transport = "usb";
		fmt(d->node, sizeof(d->node), "/dev/bus/usb/%03d/%03d",
			 d->bus & 0xff, d->address & 0xff);
		if (find_printer_interface(dir, d) < 0) {
			d->kind = HSPROBE_UNKNOWN;
			return 0;
		}
		classify(d, 0);
		return 0;
	}
	return -1;
}

/* /dev/bus/usb/BBB/DDD -> the usb_device with that busnum and devnum. */
static int usb_by_numbers(int bus, int dev, char *out, size_t cap)
{
	DIR *dd = opendir("/sys/bus/usb/devices");
	struct dirent *e;
	int found = -1;

	if (!dd)
		return -1;
	while (found < 0 && (e = readdir(dd))) {
		char path[PATH_MAX];
		if (e->d_name[0] == '.')
			continue;
		fmt(path, sizeof(path), "/sys/bus/usb/devices/%s", e->d_name);
		if (attr_dec(path, "busnum") == bus && attr_dec(path, "devnum") == dev)
			found = fmt(out, cap, "%s", path);
	}
	closedir(dd);
	return found;
}

int hsprobe_identify_node(const char *node, struct hsprobe_dev *d)
{
	char path[PATH_MAX], sys[PATH_MAX];
	int bus, dev;

	init_dev(d);
	if (!node || !*node || strlen(node) >= sizeof(path) - 32)
		return -1;
	if (!strchr(node, '/')) {
		/* a kernel name, as systemd's %i gives it */
		fmt(sys, sizeof(sys), "/sys/class/tty/%s", node);
		if (access(sys, F_OK) != 0)
			fmt(sys, sizeof(sys), "/sys/bus/usb/devices/%s", node);
		return hsprobe_identify(sys, d);
	}
	/* /dev/handshake/NAME and other links lead to the node */
	if (resolve(node, path, sizeof(path)) < 0)
		return -1;
	if (sscanf(path, "/dev/bus/usb/%d/%d", &bus, &dev) == 2) {
		if (usb_by_numbers(bus, dev, sys, sizeof(sys)) < 0)
			return -1;
		return hsprobe_identify(sys, d);
	}
	if (strncmp(path, "/dev/", 5) || strchr(path + 5, '/')) {
		/* under the lab /dev/ttyUSB0 links to a pty: keep the name
		 * asked for, as the kernel would have named it */
		if (strncmp(node, "/dev/", 5) || strchr(node + 5, '/'))
			return -1;
		fmt(path, sizeof(path), "%s", node);
	}
	fmt(sys, sizeof(sys), "/sys/class/tty/%s", path + 5);
	return hsprobe_identify(sys, d);
}

static int by_node(const void *a, const void *b)
{
	return strcmp(((const struct hsprobe_dev *)a)->node,
		      ((const struct hsprobe_dev *)b)->node);
}

static int add(struct hsprobe_dev **list, int *n, int *cap, const struct hsprobe_dev *d)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		struct hsprobe_dev *bigger = realloc(*list, (size_t)ncap * sizeof(**list));
		if (!bigger)
			return -1;
		*list = bigger;
		*cap = ncap;
	}
	(*list)[(*n)++] = *d;
	return 0;
}

int hsprobe_list(struct hsprobe_dev **out)
{
	struct hsprobe_dev *list = NULL, *d = malloc(sizeof(*d));
	int n = 0, cap = 0;
	struct dirent *e;
	DIR *dd;

	*out = NULL;
	if (!d)
		return -1;
	if ((dd = opendir("/sys/class/tty"))) {
		while ((e = readdir(dd))) {
			char path[PATH_MAX], type[16];
			if (e->d_name[0] == '.')
				continue;
			fmt(path, sizeof(path), "/sys/class/tty/%s", e->d_name);
			/* no device behind it: a console or a pty */
			if (!exists(path, "device"))
				continue;
			/* a serial8250 slot with no UART in it says type 0 */
			if (attr(path, "type", type, sizeof(type)) == 0 && !strcmp(type, "0"))
				continue;
			if (hsprobe_identify(path, d) == 0 && add(&list, &n, &cap, d) < 0)
				goto nomem;
		}
		closedir(dd);
	}
	if ((dd = opendir("/sys/bus/usb/devices"))) {
		while ((e = readdir(dd))) {
			char path[PATH_MAX];
			if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
				continue;
			fmt(path, sizeof(path), "/sys/bus/usb/devices/%s", e->d_name);
			if (hsprobe_identify(path, d) == 0 && d->kind == HSPROBE_PRINTER &&
			    add(&list, &n, &cap, d) < 0)
				goto nomem;
		}
		closedir(dd);
	}
	free(d);
	if (n > 1)
		qsort(list, (size_t)n, sizeof(*list), by_node);
	*out = list;
	return n;
nomem:
	closedir(dd);
	free(d);
	free(list);
	errno = ENOMEM;
	return -1;
}
