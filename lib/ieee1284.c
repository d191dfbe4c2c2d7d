/*
 * ieee1284.c - the strict IEEE 1284 device-ID parser, CUPS-style make and
 * model, and the match used by printer drivers.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "handshake/error.h"
#include "handshake/ieee1284.h"
#include "fail.h"

/* Short and long key names, as printers send both. */
static const struct {
	const char *names[3];
	size_t offset;
} keys[] = {
	{ { "MFG", "MANUFACTURER", NULL }, offsetof(struct hs_1284_id, mfg) },
	{ { "MDL", "MODEL", NULL }, offsetof(struct hs_1284_id, mdl) },
	{ { "DES", "DESCRIPTION", NULL }, offsetof(struct hs_1284_id, des) },
	{ { "CLS", "CLASS", NULL }, offsetof(struct hs_1284_id, cls) },
	{ { "SN", "SERN", "SERIALNUMBER" }, offsetof(struct hs_1284_id, sn) },
	{ { "CMD", "COMMAND SET", NULL }, offsetof(struct hs_1284_id, cmd) },
};

/* Manufacturers that report a long name where people use a short one. */
static const struct {
	const char *reported, *shown;
} makes[] = {
	{ "Hewlett-Packard", "HP" },
	{ "Hewlett Packard", "HP" },
	{ "Kyocera Mita", "Kyocera" },
	{ "Lexmark International", "Lexmark" },
	{ "Zebra Technologies", "Zebra" },
	{ "EPSON", "Epson" },
};

/* Copy s[0..n) to dst with the blanks around it trimmed, cut to cap. */
static void trimmed(char *dst, size_t cap, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static char *field(struct hs_1284_id *id, const char *key)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		for (int j = 0; j < 3 && keys[i].names[j]; j++)
			if (strcasecmp(key, keys[i].names[j]) == 0)
				return (char *)id + keys[i].offset;
	return NULL;
}

static void split_cmds(struct hs_1284_id *id)
{
	const char *p = id->cmd;

	id->ncmds = 0;
	while (*p && id->ncmds < HS_1284_CMDS) {
		size_t n = strcspn(p, ",");
		trimmed(id->cmds[id->ncmds], sizeof(id->cmds[0]), p, n);
		if (id->cmds[id->ncmds][0])
			id->ncmds++;
		p += n + (p[n] == ',');
	}
}

/* A description is usable as a model name when it has letters and a
 * space: "HP LaserJet" yes, "PRINTER" or "1234567" no. */
static int usable_description(const char *des)
{
	int letters = 0, spaces = 0;

	if (strlen(des) < 8)
		return 0;
	for (; *des; des++) {
		letters += isalpha((unsigned char)*des) != 0;
		spaces += *des == ' ';
	}
	return letters && spaces;
}

static void make_model(struct hs_1284_id *id)
{
	const char *make = id->mfg;
	char *out = id->make_model;
	size_t cap = sizeof(id->make_model);

	for (size_t i = 0; i < sizeof(makes) / sizeof(makes[0]); i++)
		if (strcasecmp(make, makes[i].reported) == 0)
			make = makes[i].shown;
	if (id->mdl[0]) {
		size_t m = strlen(make);
		/* "MFG:HP;MDL:HP LaserJet 4" must not become "HP HP LaserJet 4". */
		int has_make = m && strncasecmp(id->mdl, make, m) == 0 &&
			       (id->mdl[m] == ' ' || id->mdl[m] == 0);
		if (m && !has_make && strncasecmp(id->mdl, id->mfg, strlen(id->mfg)) != 0)
			snprintf(out, cap, "%s %s", make, id->mdl);
		else
			snprintf(out, cap, "%s", id->mdl);
	} else if (usable_description(id->des)) {
		snprintf(out, cap, "%s", id->des);
	} else if (*make) {
		snprintf(out, cap, "%s Unknown", make);
	} else {
		snprintf(out, cap, "Unknown");
	}
}

int hs_1284_parse(const char *s, size_t len, const char *usb_serial,
		  struct hs_1284_id *id)
{
	size_t i = 0;

	memset(id, 0, sizeof(*id));
	if (!s || len == 0)
		return hs_fail(HS_ERR_PROTOCOL, "the device ID is empty");
	if (len > HS_1284_MAX)
		return hs_fail(HS_ERR_PROTOCOL, "the device ID is %zu bytes, over %d", len,
			       HS_1284_MAX);
	/* Printers end the ID with a line end or blanks, as CUPS accepts. */
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	for (size_t j = 0; j < len; j++)
		if (iscntrl((unsigned char)s[j]))
			return hs_fail(HS_ERR_PROTOCOL,
				       "the device ID has a control character (0x%02x) at byte %zu",
				       (unsigned char)s[j], j);
	while (i < len) {
		char key[32], *dst;
		const char *colon, *end = memchr(s + i, ';', len - i);
		size_t n = end ? (size_t)(end - (s + i)) : len - i;

		colon = memchr(s + i, ':', n);
		if (!colon) {
			/* Blanks between pairs (or after the last ';') are padding. */
			for (size_t j = 0; j < n; j++)
				if (!isspace((unsigned char)s[i + j]))
					return hs_fail(HS_ERR_PROTOCOL,
						       "the device ID has '%.*s' without a ':value'",
						       (int)(n > 40 ? 40 : n), s + i);
		} else {
			trimmed(key, sizeof(key), s + i, (size_t)(colon - (s + i)));
			if ((dst = field(id, key)) && !dst[0])
				trimmed(dst, HS_1284_FIELD, colon + 1,
					n - (size_t)(colon + 1 - (s + i)));
		}
		i += n + 1;
	}
	if (!id->mfg[0] && !id->mdl[0] && !id->des[0])
		return hs_fail(HS_ERR_PROTOCOL,
			       "the device ID names no manufacturer, model or description");
	if (!id->sn[0] && usb_serial)
		trimmed(id->sn, sizeof(id->sn), usb_serial, strlen(usb_serial));
	split_cmds(id);
	make_model(id);
	return HS_OK;
}

int hs_1284_has_cmd(const struct hs_1284_id *id, const char *cmd)
{
	for (int i = 0; i < id->ncmds; i++)
		if (strcasecmp(id->cmds[i], cmd) == 0)
			return 1;
	return 0;
}

int hs_1284_match(const struct hs_1284_id *id, const char *mfg,
		  const char *mdl_prefix, const char *cmd)
{
	int score = 1;

	if (mfg) {
		if (strcasecmp(id->mfg, mfg) != 0)
			return 0;
		score += 2;
	}
	if (mdl_prefix) {
		if (strncasecmp(id->mdl, mdl_prefix, strlen(mdl_prefix)) != 0)
			return 0;
		score += 4;
	}
	if (cmd) {
		if (!hs_1284_has_cmd(id, cmd))
			return 0;
		score += 1;
	}
	return score;
}
