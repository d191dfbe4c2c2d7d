/*
 * hsprobe.c - list every modem and printer with its identity and driver
 * (a table, or JSON); be udev's IMPORT{program} helper (--udev); run a
 * device's bring-up for handshake-setup@.service (--setup).
 *
 * Map: hsprobe_sysfs.c identifies devices from sysfs and the driver
 * tables (passive: the default, and all --udev does); hsprobe_talk.c is
 * the only part that sends anything (--probe, --setup); hsprobe_text.c
 * bounds and reduces device strings. This file parses and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <handshake/handshake.h>
#include "hsprobe.h"
#include "tool.h"

const char *tool_name = "hsprobe";

static const char usage[] =
	"usage: hsprobe [--json] [--probe [--timeout MS]]\n"
	"       hsprobe --udev SYSPATH\n"
	"       hsprobe --setup DEVICE [--timeout MS] [--reset]\n"
	"\n"
	"List every serial port and USB printer with its identity, kind (modem,\n"
	"printer, unknown) and driver. Nothing is sent to any device unless\n"
	"--probe or --setup asks for it: a USB printer whose driver only its\n"
	"device ID decides shows driver ? until --probe reads the ID.\n"
	"\n"
	"  -j, --json           a JSON array instead of the table\n"
	"  -p, --probe          also ask each modem (AT, ATI) and USB printer\n"
	"                       (GET_DEVICE_ID) who it is; ports another program\n"
	"                       holds are reported busy and left alone\n"
	"  -t, --timeout MS     per device for --probe (default 2000), in all for\n"
	"                       --setup (default 15000)\n"
	"  -u, --udev SYSPATH   for udev's IMPORT{program}: print ID_HANDSHAKE_KIND,\n"
	"                       ID_HANDSHAKE_DRIVER and ID_HANDSHAKE_NAME, nothing\n"
	"                       for an unknown device; reads sysfs only\n"
	"  -s, --setup DEVICE   bring DEVICE up (/dev/ttyACM0, ttyACM0, 2-1,\n"
	"                       /dev/bus/usb/002/002) and write its identity to\n"
	"                       $HS_RUN_DIR (default /run/handshake)/NAME.json\n"
	"  -r, --reset          with --setup: soft-reset a USB printer\n"
	"  -h, --help           this text\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 done; 64 usage; 69 no such device, or not one handshake\n"
	"knows; 74 the device failed; 75 busy or timed out; 77 permission.\n";

static void json_field(FILE *f, const char *key, const char *value, int *first)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	tool_json_string(f, value);
	*first = 0;
}

static void json_int(FILE *f, const char *key, int value, int *first)
{
	fprintf(f, "%s\"%s\":", *first ? "" : ",", key);
	if (value < 0)
		fputs("null", f);
	else
		fprintf(f, "%d", value);
	*first = 0;
}

void hsprobe_json(FILE *f, const struct hsprobe_dev *d)
{
	char hex[8];
	int first = 1;

	fputc('{', f);
	json_field(f, "node", d->node, &first);
	json_field(f, "kernel", d->kernel, &first);
	json_field(f, "transport", d->transport, &first);
	json_field(f, "kind", hsprobe_kind_name(d->kind), &first);
	json_field(f, "driver", d->driver, &first);
	if (d->driver_from)
		json_field(f, "driver_from", d->driver_from, &first);
	json_field(f, "name", d->name, &first);
	if (d->usb) {
		int u = 1;
		fputs(",\"usb\":{", f);
		snprintf(hex, sizeof(hex), "%04x", d->vid & 0xffff);
		json_field(f, "vid", hex, &u);
		snprintf(hex, sizeof(hex), "%04x", d->pid & 0xffff);
		json_field(f, "pid", hex, &u);
		json_field(f, "manufacturer", d->manufacturer, &u);
		json_field(f, "product", d->product, &u);
		json_field(f, "serial", d->serial, &u);
		json_int(f, "bus", d->bus, &u);
		json_int(f, "address", d->address, &u);
		json_field(f, "port", d->port, &u);
		json_int(f, "interface", d->interface, &u);
		if (d->if_class >= 0) {
			snprintf(hex, sizeof(hex), "%02x%02x%02x", d->if_class & 0xff,
				 d->if_subclass & 0xff, d->if_protocol & 0xff);
			json_field(f, "class", hex, &u);
		}
		fputc('}', f);
	}
	if (d->device_id[0])
		json_field(f, "device_id", d->device_id, &first);
	if (d->has_talk) {
		const struct hsprobe_talk *t = &d->talk;
		int p = 1;
		fputs(",\"probe\":{", f);
		json_field(f, "state", t->state ? t->state : "error", &p);
		if (t->message[0])
			json_field(f, "message", t->message, &p);
		if (t->driver[0])
			json_field(f, "driver", t->driver, &p);
		if (t->manufacturer[0])
			json_field(f, "manufacturer", t->manufacturer, &p);
		if (t->model[0])
			json_field(f, "model", t->model, &p);
		if (t->revision[0])
			json_field(f, "revision", t->revision, &p);
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
			json_field(f, "device_id", t->device_id, &p);
		fputc('}', f);
	}
	fputc('}', f);
}

static void print_table(const struct hsprobe_dev *list, int n, int probe)
{
	printf("%-22s %-8s %-10s %-10s %-9s %-24s %s\n", "DEVICE", "KIND", "DRIVER",
	       "TRANSPORT", "USB", "PRODUCT", probe ? "SERIAL / PROBE" : "SERIAL");
	for (int i = 0; i < n; i++) {
		const struct hsprobe_dev *d = &list[i];
		char ids[16] = "-";
		if (d->usb)
			snprintf(ids, sizeof(ids), "%04x:%04x", d->vid & 0xffff, d->pid & 0xffff);
		/* "?": a printer's device ID decides, and a listing does not
		 * read it (usblp's copy was not there) */
		int by_id = d->kind == HSPROBE_PRINTER && !d->driver[0];
		printf("%-22s %-8s %-10s %-10s %-9s %-24.24s %s\n", d->node,
		       hsprobe_kind_name(d->kind), d->driver[0] ? d->driver : by_id ? "?" : "-",
		       d->transport, ids, d->product[0] ? d->product : "-",
		       d->serial[0] ? d->serial : "-");
		if (by_id && !(d->has_talk && d->talk.driver[0]))
			printf("    driver: from its device ID, which a listing does not read (hsprobe --probe does)\n");
		if (!d->has_talk)
			continue;
		const struct hsprobe_talk *t = &d->talk;
		printf("    probe: %s%s%s\n", t->state, t->message[0] ? ": " : "", t->message);
		for (int a = 0; a < t->nati; a++)
			if (t->ati[a][0])
				printf("    ATI%d: %s\n", a, t->ati[a]);
		if (t->device_id[0])
			printf("    device ID: %s\n", t->device_id);
		if (t->driver[0] && strcmp(t->driver, d->driver))
			printf("    driver: %s (from what it said)\n", t->driver);
	}
}

/* udev takes KEY=value lines, strips one pair of quotes and knows no
 * escapes, and an empty value is an error: so every value is reduced to
 * the safe set and a line is printed only when its value is not empty. */
static int udev_mode(const char *syspath)
{
	struct hsprobe_dev *d = malloc(sizeof(*d));
	char value[HSPROBE_NAME];

	if (!d)
		return EX_OSERR;
	if (hsprobe_identify(syspath, d) < 0 || d->kind == HSPROBE_UNKNOWN) {
		free(d);
		return 0; /* not ours: import nothing */
	}
	printf("ID_HANDSHAKE_KIND=%s\n", hsprobe_kind_name(d->kind));
	hsprobe_safe(value, sizeof(value), d->driver);
	if (value[0])
		printf("ID_HANDSHAKE_DRIVER=%s\n", value);
	hsprobe_safe(value, sizeof(value), d->name);
	if (value[0])
		printf("ID_HANDSHAKE_NAME=%s\n", value);
	free(d);
	return 0;
}

static int setup_mode(const char *dev, int timeout_ms, int reset, int json)
{
	struct hsprobe_dev *d = malloc(sizeof(*d));
	char file[600];
	int rc;

	if (!d)
		return EX_OSERR;
	if (hsprobe_identify_node(dev, d) < 0)
		tool_die(EX_UNAVAILABLE, "%s: no such serial port or USB device", dev);
	if (d->kind == HSPROBE_UNKNOWN)
		tool_die(EX_UNAVAILABLE, "%s: not a modem or printer handshake knows", dev);
	rc = hsprobe_setup(d, timeout_ms, reset, file, sizeof(file));
	if (rc < 0) {
		tool_warn("%s: setup failed: %s", d->node,
			  d->talk.message[0] ? d->talk.message : hs_strerror(rc));
		free(d);
		return tool_exit_code(rc);
	}
	if (json) {
		hsprobe_json(stdout, d);
		putchar('\n');
	} else {
		printf("%s: %s %s (%s) set up; identity in %s\n", d->node,
		       hsprobe_kind_name(d->kind), d->name, d->talk.driver[0] ?
		       d->talk.driver : d->driver, file);
	}
	free(d);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "probe", no_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "udev", required_argument, NULL, 'u' },
		{ "setup", required_argument, NULL, 's' },
		{ "reset", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *udev = NULL, *setup = NULL;
	int json = 0, probe = 0, reset = 0, timeout_ms = -1, c, n;
	struct hsprobe_dev *list;

	while ((c = getopt_long(argc, argv, "jpt:u:s:rhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'p': probe = 1; break;
		case 't': timeout_ms = tool_int("--timeout", optarg, 1, 600000); break;
		case 'u': udev = optarg; break;
		case 's': setup = optarg; break;
		case 'r': reset = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		default: fputs(usage, stderr); return EX_USAGE;
		}
	}
	if (optind < argc)
		tool_die(EX_USAGE, "unexpected argument '%s'", argv[optind]);
	if (udev && (setup || probe || json || reset))
		tool_die(EX_USAGE, "--udev goes alone");
	if (udev)
		return udev_mode(udev);
	if (setup && probe)
		tool_die(EX_USAGE, "--setup and --probe do not go together");
	if (reset && !setup)
		tool_die(EX_USAGE, "--reset goes with --setup");
	if (setup)
		return setup_mode(setup, timeout_ms > 0 ? timeout_ms : 15000, reset, json);

	if ((n = hsprobe_list(&list)) < 0)
		tool_die(EX_OSERR, "cannot list devices: out of memory");
	for (int i = 0; probe && i < n; i++)
		hsprobe_probe(&list[i], timeout_ms > 0 ? timeout_ms : 2000);
	if (json) {
		putchar('[');
		for (int i = 0; i < n; i++) {
			if (i)
				putchar(',');
			hsprobe_json(stdout, &list[i]);
		}
		puts("]");
	} else {
		print_table(list, n, probe);
	}
	free(list);
	return 0;
}
