/*
 * hsprobe_json.c - one device as a JSON object, for `hsprobe --json`
 * and the state file `hsprobe --setup` writes. Every string goes
 * through tool_json_string: device text is untrusted.
 */
#include <stdio.h>

#include "hsprobe.h"
#include "tool.h"

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
