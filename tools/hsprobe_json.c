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

/* A device string, or nothing when it is empty (a probe's fields). */
static void nonempty(struct tool_json *j, const char *key, const char *value)
{
	if (value[0])
		tool_json_str(j, key, value);
}

/* A number, or null when unknown (< 0). */
static void number(struct tool_json *j, const char *key, int value)
{
	if (value < 0)
		tool_json_null(j, key);
	else
		tool_json_int(j, key, value);
}

static void probe(struct tool_json *j, const struct hs_device_probe *t)
{
	tool_json_object(j, "probe");
	tool_json_str(j, "state", t->state ? t->state : "error");
	nonempty(j, "message", t->message);
	nonempty(j, "driver", t->driver);
	nonempty(j, "manufacturer", t->manufacturer);
	nonempty(j, "model", t->model);
	nonempty(j, "revision", t->revision);
	if (t->nati) {
		tool_json_array(j, "ati");
		for (int i = 0; i < t->nati; i++)
			tool_json_str(j, NULL, t->ati[i]);
		tool_json_close(j);
	}
	nonempty(j, "device_id", t->device_id);
	if (t->detected_baud) {
		tool_json_int(j, "detected_baud", t->detected_baud);
		tool_json_str(j, "detected_line", t->detected_line);
		tool_json_str(j, "uri", t->detected_uri);
	}
	tool_json_close(j);
}

void hsprobe_json(struct tool_json *j, const struct hs_device *d)
{
	char hex[8];

	tool_json_str(j, "node", d->node);
	tool_json_str(j, "kernel", d->kernel);
	tool_json_str(j, "uri", d->uri);
	tool_json_str(j, "transport", d->transport);
	tool_json_str(j, "kind", hs_device_kind_name(d->kind));
	tool_json_str(j, "driver", d->driver);
	if (d->driver_from)
		tool_json_str(j, "driver_from", d->driver_from);
	tool_json_str(j, "name", d->name);
	tool_json_bool(j, "busy", d->busy);
	if (d->busy)
		tool_json_str(j, "holder", d->holder);
	if (d->usb) {
		tool_json_object(j, "usb");
		snprintf(hex, sizeof(hex), "%04x", d->vid & 0xffff);
		tool_json_str(j, "vid", hex);
		snprintf(hex, sizeof(hex), "%04x", d->pid & 0xffff);
		tool_json_str(j, "pid", hex);
		tool_json_str(j, "manufacturer", d->manufacturer);
		tool_json_str(j, "product", d->product);
		tool_json_str(j, "serial", d->serial);
		number(j, "bus", d->bus);
		number(j, "address", d->address);
		tool_json_str(j, "port", d->port);
		number(j, "interface", d->interface);
		if (d->if_class >= 0) {
			snprintf(hex, sizeof(hex), "%02x%02x%02x", d->if_class & 0xff,
				 d->if_subclass & 0xff, d->if_protocol & 0xff);
			tool_json_str(j, "class", hex);
		}
		tool_json_close(j);
	}
	nonempty(j, "device_id", d->device_id);
	if (d->probe.state)
		probe(j, &d->probe);
}

/* A temporary file renamed over the state file, created O_EXCL so a
 * planted link is never followed. */
int hsprobe_write_state(const struct hs_device *d, char *file, size_t cap)
{
	const char *dir = getenv("HS_RUN_DIR");
	struct tool_json j;
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
	tool_json_begin(&j, f);
	hsprobe_json(&j, d);
	tool_json_end(&j);
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
