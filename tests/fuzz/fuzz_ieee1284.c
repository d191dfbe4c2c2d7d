/*
 * fuzz_ieee1284.c - IEEE 1284 device IDs as printers send them: the
 * GET_DEVICE_ID reply's length prefix (lib/usb_pure.c), the strict ID
 * parser and make-and-model (lib/ieee1284.c), and driver matching on
 * MFG/MDL/CMD and USB ids (lib/printer_registry.c).
 *
 * Input: ID RS USB-SERIAL RS IDS. The ID is parsed as it is (it may hold
 * NULs and any byte) and also taken as a whole GET_DEVICE_ID reply;
 * IDS's first four bytes are a USB vendor and product id.
 * Invariants: an accepted ID has every field ended within its buffer
 * and free of control characters, at most HS_1284_CMDS command sets,
 * none empty, and make-and-model never empty; a refused one leaves a
 * message; the reply's ID lies inside what arrived; the driver matched
 * is a registered one, and the same by name as hs_printer_driver_for.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "handshake/error.h"
#include "handshake/ieee1284.h"
#include "handshake/printer.h"
#include "harness.h"
#include "printer_driver.h"
#include "usb_priv.h"

static int clean_field(const char *s, size_t cap)
{
	const char *end = memchr(s, 0, cap);

	if (!end)
		return 0;
	for (; s < end; s++)
		if (iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

static void check_id(const struct hs_1284_id *id)
{
	FUZZ_CHECK(clean_field(id->mfg, sizeof(id->mfg)), "mfg");
	FUZZ_CHECK(clean_field(id->mdl, sizeof(id->mdl)), "mdl");
	FUZZ_CHECK(clean_field(id->des, sizeof(id->des)), "des");
	FUZZ_CHECK(clean_field(id->cls, sizeof(id->cls)), "cls");
	FUZZ_CHECK(clean_field(id->cmd, sizeof(id->cmd)), "cmd");
	FUZZ_CHECK(fuzz_terminated(id->sn, sizeof(id->sn)), "sn");
	FUZZ_CHECK(id->ncmds >= 0 && id->ncmds <= HS_1284_CMDS, "ncmds %d", id->ncmds);
	for (int i = 0; i < id->ncmds; i++) {
		FUZZ_CHECK(clean_field(id->cmds[i], sizeof(id->cmds[i])), "cmds[%d]", i);
		FUZZ_CHECK(id->cmds[i][0] != 0, "cmds[%d] empty", i);
		FUZZ_CHECK(hs_1284_has_cmd(id, id->cmds[i]), "cmds[%d] not found", i);
	}
	FUZZ_CHECK(clean_field(id->make_model, sizeof(id->make_model)), "make_model");
	FUZZ_CHECK(id->make_model[0] != 0, "empty make and model");
	FUZZ_CHECK(id->mfg[0] || id->mdl[0] || id->des[0], "accepted with no names");
}

static int registered(const struct hs_printer_driver *d)
{
	for (int i = 0; hs_printer_drivers[i]; i++)
		if (hs_printer_drivers[i] == d)
			return 1;
	return 0;
}

static void parse_and_match(const char *id_text, size_t len, const char *usb_serial,
			    int vid, int pid)
{
	struct hs_1284_id *id = malloc(sizeof(*id));
	const struct hs_printer_driver *d;
	int rc;

	if (!id)
		abort();
	rc = hs_1284_parse(id_text, len, usb_serial, id);
	if (rc == HS_OK) {
		check_id(id);
		FUZZ_CHECK(hs_1284_match(id, NULL, NULL, NULL) == 1, "an empty row scores 1");
		FUZZ_CHECK(hs_1284_match(id, id->mfg, id->mdl, NULL) == 7,
			   "an ID does not match its own MFG and MDL");
	} else {
		FUZZ_CHECK(rc == HS_ERR_PROTOCOL, "error %d", rc);
		FUZZ_CHECK(hs_last_error()[0] != 0, "refused without a message");
	}
	d = hs_printer_driver_match(rc == HS_OK ? id : NULL, vid, pid);
	FUZZ_CHECK(d && registered(d), "matched an unregistered driver");
	if (len && !memchr(id_text, 0, len)) {
		/* the public form, a C string, parses the same text the same way */
		char *s = fuzz_strndup((const uint8_t *)id_text, len);
		const char *name = hs_printer_driver_for(s, vid, pid);
		FUZZ_CHECK(name ? strcmp(name, d->name) == 0 : d == &hs_printer_generic,
			   "hs_printer_driver_for says %s, the registry %s",
			   name ? name : "(generic)", d->name);
		free(s);
	}
	free(id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_records rec;
	const uint8_t *id, *p;
	size_t idlen, n, span;
	char *text, *serial = NULL;
	int vid = -1, pid = -1, off;

	fuzz_records_init(&rec, data, size);
	fuzz_record(&rec, &id, &idlen);
	if (fuzz_record(&rec, &p, &n))
		serial = fuzz_strndup(p, n);
	if (fuzz_record(&rec, &p, &n) && n >= 4) {
		vid = p[0] << 8 | p[1];
		pid = p[2] << 8 | p[3];
	}
	/* exactly idlen bytes, no NUL after them: the parser is given a length */
	text = malloc(idlen ? idlen : 1);
	if (!text)
		abort();
	if (idlen)
		memcpy(text, id, idlen);
	parse_and_match(text, idlen, serial, vid, pid);
	free(text);

	/* the same bytes as a GET_DEVICE_ID reply to a 1024-byte request */
	off = hs_usb_id_span(id, idlen, 1024, &span);
	if (off >= 0) {
		FUZZ_CHECK(off == 2 && span + 2 <= idlen, "span %d+%zu of %zu", off, span, idlen);
		FUZZ_CHECK(!memchr(id + off, 0, span), "a NUL inside the span");
		text = fuzz_strndup(id + off, span);
		parse_and_match(text, span, serial, vid, pid);
		free(text);
	} else {
		FUZZ_CHECK(span == 0, "no ID, yet a span of %zu", span);
	}
	free(serial);
	return 0;
}
