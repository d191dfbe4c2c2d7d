/*
 * device_list.c - the list of devices (hs_device_list): every tty with
 * hardware behind it and every USB printer, from sysfs (device_sysfs.c),
 * the ptys the caller names, and for each the URI that opens it and
 * whether another program holds it, seen from outside.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_priv.h"
#include "devpath.h"
#include "fail.h"
#include "handshake/link.h"
#include "usb_priv.h"

static int by_node(const void *a, const void *b)
{
	return strcmp(((const struct hs_device *)a)->node,
		      ((const struct hs_device *)b)->node);
}

int hs_dev_vec_add(struct hs_dev_vec *g, const struct hs_device *d)
{
	if (g->n == g->cap) {
		int ncap = g->cap ? g->cap * 2 : 8;
		struct hs_device *bigger = realloc(g->list, (size_t)ncap * sizeof(*bigger));
		if (!bigger)
			return hs_fail(HS_ERR_NOMEM, "the list of devices: out of memory");
		g->list = bigger;
		g->cap = ncap;
	}
	g->list[g->n++] = *d;
	return HS_OK;
}

static int attr_is(const char *dir, const char *name, const char *want)
{
	char path[PATH_MAX + 64], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "re")))
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return !strcmp(buf, want);
}

/* A USB printer interface claimed through usbfs belongs to a program
 * (CUPS's usb backend, ipp-usb, another hsprint); usblp is the kernel's
 * and steps aside when we open it. */
static int usb_claimed(const struct hs_device *d)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	if (d->interface < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s:1.%d/driver", d->syspath, d->kernel, d->interface);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return 0;
	target[n] = 0;
	return !strcmp(strrchr(target, '/') ? strrchr(target, '/') + 1 : target, "usbfs");
}

void hs_dev_finish(struct hs_device *d)
{
	int rc;

	if (!strcmp(d->transport, "usb"))
		hs_usb_uri(d->uri, sizeof(d->uri), d->vid, d->pid, d->serial);
	else
		snprintf(d->uri, sizeof(d->uri), "serial:%s", d->node);
	d->busy = 0;
	d->holder[0] = 0;
	if (!strcmp(d->transport, "usb")) {
		if ((d->busy = usb_claimed(d)))
			snprintf(d->holder, sizeof(d->holder),
				 "%s: its printer interface is claimed by another program", d->node);
		return;
	}
	/* lock file and flock(): what other serial programs see, unopened */
	if ((rc = hs_link_probe_busy(d->node)) == HS_ERR_BUSY) {
		d->busy = 1;
		hs_dev_text(d->holder, sizeof(d->holder), hs_last_error());
	}
}

/* A pty the caller named: its path as given (socat's link), the node it
 * leads to, no sysfs. */
static int add_pty(struct hs_dev_vec *g, const char *path, struct hs_device *d)
{
	char node[PATH_MAX];
	struct stat st;
	size_t len;

	hs_dev_init(d);
	if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode) ||
	    hs_devpath_resolve(path, node, sizeof(node)) != 0 ||
	    strncmp(node, "/dev/pts/", 9))
		return hs_fail(HS_ERR_NO_DEVICE, "%s is not a pseudo-terminal", path);
	d->transport = "pty";
	snprintf(d->node, sizeof(d->node), "%s", path);
	len = strlen(node + 5);
	memcpy(d->kernel, node + 5, len < sizeof(d->kernel) ? len + 1 : sizeof(d->kernel));
	d->kernel[sizeof(d->kernel) - 1] = 0;
	hs_dev_finish(d);
	return hs_dev_vec_add(g, d);
}

int hs_dev_tty_listed(const char *path)
{
	char behind[PATH_MAX + 8];

	snprintf(behind, sizeof(behind), "%s/device", path);
	/* no device behind it: a console or a pty; a serial8250 slot with
	 * no UART in it says type 0 */
	return access(behind, F_OK) == 0 && !attr_is(path, "type", "0");
}

/* The ttys with hardware behind them, or (usb) the USB printers. */
static int scan(struct hs_dev_vec *g, struct hs_device *d, const char *dir, int usb)
{
	struct dirent *e;
	DIR *dd = opendir(dir);
	int rc = HS_OK;

	if (!dd)
		return HS_OK;
	while (rc == HS_OK && (e = readdir(dd))) {
		char path[PATH_MAX];
		/* a USB interface (2-1:1.0) is named by its device (2-1) */
		if (e->d_name[0] == '.' || (usb && strchr(e->d_name, ':')))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!usb && !hs_dev_tty_listed(path))
			continue;
		if (hs_dev_from_sysfs(path, d) == 0 && (!usb || d->kind == HS_DEVICE_PRINTER)) {
			hs_dev_finish(d);
			rc = hs_dev_vec_add(g, d);
		}
	}
	closedir(dd);
	return rc;
}

int hs_device_list(struct hs_device **out, const char *const *ptys)
{
	struct hs_dev_vec g = { 0 };
	struct hs_device *d;
	int rc;

	if (!out)
		return hs_fail(HS_ERR_ARG, "hs_device_list: no place for the list");
	*out = NULL;
	/* one device is 2.5 KiB: on the heap, not the stack */
	if (!(d = malloc(sizeof(*d))))
		return hs_fail(HS_ERR_NOMEM, "hs_device_list: out of memory");
	if ((rc = scan(&g, d, "/sys/class/tty", 0)) == HS_OK)
		rc = scan(&g, d, "/sys/bus/usb/devices", 1);
	for (size_t i = 0; rc == HS_OK && ptys && ptys[i]; i++)
		rc = add_pty(&g, ptys[i], d);
	free(d);
	if (rc < 0) {
		free(g.list);
		return rc;
	}
	if (g.n > 1)
		qsort(g.list, (size_t)g.n, sizeof(*g.list), by_node);
	*out = g.list;
	return g.n;
}

void hs_device_list_free(struct hs_device *list)
{
	free(list);
}
