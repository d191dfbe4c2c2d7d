/*
 * ieee1284.c - the IEEE 1284 device-ID parser (CUPS's reading of the
 * key:value pairs, with bounds and no control characters), and the match
 * used by printer drivers. Make and model: ieee1284_cups.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "handshake/error.h"
#include "handshake/ieee1284.h"
#include "fail.h"
#include "ieee1284_cups.h"

/* Where a field's value comes from: the long key name wins over the
 * short one, and the last pair with a name over earlier ones, as in CUPS
 * (its options array keeps one value per name, the last given). */
static const struct {
	const char *names[3];  /* the preferred name first */
	size_t offset;
} keys[] = {
	{ { "MANUFACTURER", "MFG", NULL }, offsetof(struct hs_1284_id, mfg) },
	{ { "MODEL", "MDL", NULL }, offsetof(struct hs_1284_id, mdl) },
	{ { "DESCRIPTION", "DES", NULL }, offsetof(struct hs_1284_id, des) },
	{ { "CLASS", "CLS", NULL }, offsetof(struct hs_1284_id, cls) },
	{ { "SERIALNUMBER", "SERN", "SN" }, offsetof(struct hs_1284_id, sn) },
	{ { "COMMAND SET", "CMD", NULL }, offsetof(struct hs_1284_id, cmd) },
};

/* One key:value pair, blanks around both left out. */
struct pair {
	const char *key, *value;
	size_t klen, vlen;
};

/* Read the pair at *p (before end) the way CUPS reads IDs: the key runs
 * to the next ':' (across a ';': "junk;MDL:x" is one key), the value to
 * the next ';'. 0 when no pair is left. */
static int next_pair(const char **p, const char *end, struct pair *out)
{
	const char *s = *p, *colon, *semi;

	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s == end || !(colon = memchr(s, ':', (size_t)(end - s))))
		return 0;
	out->key = s;
	out->klen = (size_t)(colon - s);
	while (out->klen && isspace((unsigned char)s[out->klen - 1]))
		out->klen--;
	for (s = colon + 1; s < end && isspace((unsigned char)*s); s++)
		;
	if (s == end)
		return 0; /* "MDL:" at the very end sets nothing */
	semi = memchr(s, ';', (size_t)(end - s));
	out->value = s;
	out->vlen = (size_t)((semi ? semi : end) - s);
	*p = semi ? semi + 1 : end;
	return 1;
}

/* The last value of key name (case ignored) into dst, cut to
 * HS_1284_FIELD - 1 bytes; 1 when the ID has the key. */
static int lookup(const char *s, size_t len, const char *name, char *dst)
{
	const char *p = s, *end = s + len;
	struct pair kv;
	int found = 0;

	while (next_pair(&p, end, &kv)) {
		size_t n = kv.vlen < HS_1284_FIELD - 1 ? kv.vlen : HS_1284_FIELD - 1;
		if (kv.klen != strlen(name) || strncasecmp(kv.key, name, kv.klen) != 0)
			continue;
		/* cut, then trim: the blanks CUPS would leave out */
		while (n && isspace((unsigned char)kv.value[n - 1]))
			n--;
		memcpy(dst, kv.value, n);
		dst[n] = 0;
		found = 1;
	}
	return found;
}

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

int hs_1284_parse(const char *s, size_t len, const char *usb_serial,
		  struct hs_1284_id *id)
{
	int have[sizeof(keys) / sizeof(keys[0])] = { 0 };

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
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		for (int j = 0; j < 3 && keys[i].names[j] && !have[i]; j++)
			have[i] = lookup(s, len, keys[i].names[j], (char *)id + keys[i].offset);
	if (!id->mfg[0] && !id->mdl[0] && !id->des[0])
		return hs_fail(HS_ERR_PROTOCOL,
			       "the device ID names no manufacturer, model or description");
	if (!id->sn[0] && usb_serial)
		trimmed(id->sn, sizeof(id->sn), usb_serial, strlen(usb_serial));
	split_cmds(id);
	/* keys[0..2]: MANUFACTURER, MODEL, DESCRIPTION */
	hs_cups_make_model(have[0] ? id->mfg : NULL, have[1] ? id->mdl : NULL,
			   have[2] ? id->des : NULL, id->make_model, sizeof(id->make_model));
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
