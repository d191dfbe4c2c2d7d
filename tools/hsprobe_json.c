/*
 * hsprobe_json.c - a device as JSON, for --json, --watch --json and the
 * state file --setup writes to /run/handshake/NAME.json (whole or not at
 * all). Device strings go through the library's JSON escaping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsprobe.h"
#include "tool.h"

static void field(FILE *f, const char *key, const char *value, int *first)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	tool_json_string(f, value);
	*first = 0;
}

static void number(FILE *f, const char *key, int value, int *first)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	if (value < 0)
		fputs("null", f);
	else
		fprintf(f, "%d", value);
	*first = 0;
}

static void probe(FILE *f, const struct hs_device_probe *t)
{
	int p = 1;

	fputs(",\"probe\":{", f);
	field(f, "state", t->state ? t->state : "error", &p);
	if (t->message[0])
		field(f, "message", t->message, &p);
	if (t->driver[0])
		field(f, "driver", t->driver, &p);
	if (t->manufacturer[0])
		field(f, "manufacturer", t->manufacturer, &p);
	if (t->model[0])
		field(f, "model", t->model, &p);
	if (t->revision[0])
		field(f, "revision", t->revision, &p);
	if (t->nati) {
		fputs(",\"ati\":[", f);
		for (int i = 0; i < t->nati; i++) {
			if (i)
				fputc(',', f);
			tool_json_string(f, t->ati[i]);
		}
		fputc(']', f);
	}
	if (t->device_id[0])
		field(f, "device_id", t->device_id, &p);
	fputc('}', f);
}

void hsprobe_json(FILE *f, const struct hs_device *d)
{
	char hex[8];
	int first = 1;

	fputc('{', f);
	field(f, "node", d->node, &first);
	field(f, "kernel", d->kernel, &first);
	field(f, "uri", d->uri, &first);
	field(f, "transport", d->transport, &first);
	field(f, "kind", hs_device_kind_name(d->kind), &first);
	field(f, "driver", d->driver, &first);
	if (d->driver_from)
		field(f, "driver_from", d->driver_from, &first);
	field(f, "name", d->name, &first);
	fprintf(f, ",\"busy\":%s", d->busy ? "true" : "false");
	if (d->busy)
		field(f, "holder", d->holder, &first);
	if (d->usb) {
		int u = 1;
		fputs(",\"usb\":{", f);
		snprintf(hex, sizeof(hex), "%04x", d->vid & 0xffff);
		field(f, "vid", hex, &u);
		snprintf(hex, sizeof(hex), "%04x", d->pid & 0xffff);
		field(f, "pid", hex, &u);
		field(f, "manufacturer", d->manufacturer, &u);
		field(f, "product", d->product, &u);
		field(f, "serial", d->serial, &u);
		number(f, "bus", d->bus, &u);
		number(f, "address", d->address, &u);
		field(f, "port", d->port, &u);
		number(f, "interface", d->interface, &u);
		if (d->if_class >= 0) {
			snprintf(hex, sizeof(hex), "%02x%02x%02x", d->if_class & 0xff,
				 d->if_subclass & 0xff, d->if_protocol & 0xff);
			field(f, "class", hex, &u);
		}
		fputc('}', f);
	}
	if (d->device_id[0])
		field(f, "device_id", d->device_id, &first);
	if (d->probe.state)
		probe(f, &d->probe);
	fputc('}', f);
}

/* A temporary file renamed over the state file, created O_EXCL so a
 * planted link is never followed. */
int hsprobe_write_state(const struct hs_device *d, char *file, size_t cap)
{
	const char *dir = getenv("HS_RUN_DIR");
	char tmp[600];
	FILE *f;
	int fd;

	if (!dir || !*dir)
		dir = "/run/handshake";
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	if (snprintf(file, cap, "%s/%s.json", dir, d->name) >= (int)cap ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.json.%d", dir, d->name, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -errno;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	hsprobe_json(f, d);
	fputc('\n', f);
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0) {
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, file) != 0) {
		int err = errno;
		unlink(tmp);
		return -err;
	}
	return 0;
}
