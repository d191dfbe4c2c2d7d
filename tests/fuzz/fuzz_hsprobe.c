/*
 * fuzz_hsprobe.c - what hsprobe makes of the strings a USB device puts
 * in sysfs and says when asked (the library's hs_escape, device_name.c
 * and tools/hsprobe_json.c): udev runs it as root on whatever a device
 * claims.
 *
 * Input: MANUFACTURER RS PRODUCT RS SERIAL RS PORT RS DEVICE-ID RS ATI
 * RS FLAGS, raw bytes as sysfs and the device would give them; FLAGS
 * picks the kind, the interface and the ids.
 * Invariants: text for people is bounded and printable; udev values
 * (HS_ESCAPE_NAME) are non-empty only in [A-Za-z0-9._-], never start with
 * '.', '-' or '_'; a known device's name starts with its kind, fits its
 * buffer, and differs from that of a device that differs only in its
 * USB port, or (a tty) its interface or port number on the interface;
 * the JSON is one well-formed object in printable ASCII.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_priv.h"
#include "escape.h"
#include "harness.h"
#include "hsprobe.h"
#include "tool.h"

const char *tool_name = "hsprobe-fuzz";

static void check_safe(const char *s, size_t cap)
{
	FUZZ_CHECK(fuzz_terminated(s, cap), "safe value over %zu bytes", cap);
	FUZZ_CHECK(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			     "0123456789._-") == strlen(s),
		   "'%s' leaves the safe set", s);
	FUZZ_CHECK(!strchr(".-_", s[0]) || !s[0], "'%s' starts with '%c'", s, s[0]);
}

/* ---- a strict JSON reader: well-formed or not ------------------------- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *value(const char *p, int depth);

static const char *string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else
		while (*p >= '0' && *p <= '9')
			p++;
	return p > s && p[-1] != '-' ? p : NULL;
}

static const char *items(const char *p, char close, int depth, int keyed)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			if (!(p = string(ws(p))))
				return NULL;
			p = ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = value(ws(p), depth + 1)))
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *value(const char *p, int depth)
{
	if (depth > 16)
		return NULL;
	switch (*p) {
	case '{': return items(p, '}', depth, 1);
	case '[': return items(p, ']', depth, 0);
	case '"': return string(p);
	case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
	case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
	default: return number(p);
	}
}

static void check_json(const struct hs_device *d)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *end;

	struct tool_json j;

	if (!f)
		abort();
	tool_json_begin(&j, f);
	hsprobe_json(&j, d);
	tool_json_end(&j);
	fclose(f);
	FUZZ_CHECK(strlen(out) == len, "a NUL inside the JSON");
	/* one line: the object, then its newline */
	FUZZ_CHECK(len && out[len - 1] == '\n', "the JSON does not end its line");
	for (size_t i = 0; i + 1 < len; i++)
		FUZZ_CHECK(out[i] >= 0x20 && out[i] < 0x7f, "byte %zu of the JSON is %#x", i,
			   (unsigned char)out[i]);
	end = out[0] == '{' ? value(out, 0) : NULL;
	FUZZ_CHECK(end && *ws(end) == 0, "not one JSON object: %s", out);
	free(out);
}

/* ---- the device ------------------------------------------------------- */

static void field(struct fuzz_records *rec, char *dst, size_t cap)
{
	const uint8_t *p;
	size_t n;
	char *raw;

	if (!fuzz_record(rec, &p, &n)) {
		dst[0] = 0;
		return;
	}
	raw = fuzz_strndup(p, n);
	hs_dev_text(dst, cap, raw);
	FUZZ_CHECK(fuzz_printable(dst, cap), "text over %zu bytes or not printable", cap);
	free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_device *d = calloc(1, sizeof(*d)), *other = malloc(sizeof(*d));
	struct fuzz_records rec;
	const uint8_t *flags = (const uint8_t *)"\0\0\0\0";
	const uint8_t *p;
	size_t n;
	char value[HS_DEVICE_NAME];

	if (!d || !other)
		abort();
	fuzz_records_init(&rec, data, size);
	field(&rec, d->manufacturer, sizeof(d->manufacturer));
	field(&rec, d->product, sizeof(d->product));
	field(&rec, d->serial, sizeof(d->serial));
	field(&rec, d->port, sizeof(d->port));
	field(&rec, d->device_id, sizeof(d->device_id));
	field(&rec, d->probe.ati[0], sizeof(d->probe.ati[0]));
	if (fuzz_record(&rec, &p, &n) && n >= 4)
		flags = p;
	d->kind = (enum hs_device_kind)(flags[0] % 3);
	d->usb = 1;
	d->transport = flags[0] & 4 ? "usb" : "usb-serial";
	d->vid = flags[1] << 8 | flags[2];
	d->pid = flags[2] << 8 | flags[3];
	d->interface = flags[3] & 0x80 ? -1 : flags[3] & 0x0f;
	d->port_number = flags[3] & 0x40 ? -1 : flags[3] >> 4 & 3;
	d->bus = d->address = 1;
	d->if_class = d->if_subclass = d->if_protocol = -1;
	snprintf(d->driver, sizeof(d->driver), "%s", flags[0] & 8 ? "hayes" : "");
	strcpy(d->node, "/dev/ttyACM0");
	strcpy(d->kernel, "ttyACM0");
	d->probe.state = flags[0] & 16 ? "ok" : NULL;
	d->probe.nati = d->probe.ati[0][0] != 0;
	snprintf(d->probe.device_id, sizeof(d->probe.device_id), "%s", d->device_id);

	hs_escape(value, sizeof(value), d->product, HS_ESCAPE_NAME);
	check_safe(value, sizeof(value));
	hs_escape(value, 1 + flags[1] % sizeof(value), d->serial, HS_ESCAPE_NAME);
	check_safe(value, 1 + flags[1] % sizeof(value));

	if (d->kind != HS_DEVICE_UNKNOWN) {
		const char *kind = hs_device_kind_name(d->kind);
		hs_dev_name(d);
		check_safe(d->name, sizeof(d->name));
		FUZZ_CHECK(strncmp(d->name, kind, strlen(kind)) == 0 && d->name[strlen(kind)] == '-',
			   "name '%s' of a %s", d->name, kind);
		/* the same device in another USB port (the kernel names ports
		 * with digits, '-' and '.'; another hub port: one more level) */
		*other = *d;
		size_t plen = strlen(d->port);
		if (strspn(d->port, "0123456789-.") == plen && plen + 3 <= sizeof(other->port)) {
			memcpy(other->port + plen, ".9", 3);
			hs_dev_name(other);
			FUZZ_CHECK(strcmp(d->name, other->name) != 0,
				   "ports '%s' and '%s' both named '%s'", d->port, other->port,
				   d->name);
		}
		if (strcmp(d->transport, "usb")) {
			*other = *d;
			other->interface = d->interface == 1 ? 2 : 1;
			hs_dev_name(other);
			FUZZ_CHECK(strcmp(d->name, other->name) != 0,
				   "interfaces %d and %d both named '%s'", d->interface,
				   other->interface, d->name);
			/* another port of the same interface */
			*other = *d;
			other->port_number = d->port_number == 1 ? 2 : 1;
			hs_dev_name(other);
			FUZZ_CHECK(strcmp(d->name, other->name) != 0,
				   "ports %d and %d of one interface both named '%s'",
				   d->port_number, other->port_number, d->name);
		}
	}
	check_json(d);
	free(d);
	free(other);
	return 0;
}
