/*
 * ieee1284_cups.c - make and model as CUPS derives them from a device ID
 * (backendGetMakeModel, then _ppdNormalizeMakeAndModel, CUPS 2.4). CUPS
 * matches drivers and PPDs on that string, so ours must be the same one,
 * quirks included: "EPSON" and "Kyocera Mita" as the printer says them,
 * "HP" for "Hewlett-Packard", a double space where "International" is cut
 * out of "Lexmark International". Written from CUPS's rules and checked
 * against CUPS's own output (tests/unit/cups_make_model.tsv).
 */
#include <stdio.h>
#include <string.h>

#include "ieee1284_cups.h"

#define WORK 1024 /* make, model and a maker in front: never cut here */
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Model names that belong to one maker: CUPS puts the maker in front,
 * in place of the first `drop` bytes ("Eastman", "laserwriter"). */
static const struct {
	const char *prefix, *maker;
	size_t drop;
} makers[] = {
	{ "XPrint", "Xerox ", 0 },
	{ "Eastman", "Kodak ", 7 },
	{ "laserwriter", "Apple LaserWriter", 11 },
	{ "colorpoint", "Seiko ", 0 },
	{ "fiery", "EFI ", 0 },
	{ "ps ", "Canon ", 0 },
	{ "colorpass", "Canon ", 0 },
	{ "designjet", "HP ", 0 },
	{ "deskjet", "HP ", 0 },
};

/* Makers CUPS spells its own way: `as`, then the first `keep` bytes as
 * written, then what follows the first `cut` bytes. */
static const struct {
	const char *prefix, *as;
	size_t keep, cut;
} spellings[] = {
	{ "agfa", "AGFA", 0, 4 },
	{ "Hewlett-Packard hp ", "HP", 0, 18 },
	{ "Hewlett-Packard ", "HP", 0, 15 },
	{ "Lexmark International", "", 8, 21 }, /* "Lexmark " + " E230" */
	{ "herk", "LHAG", 0, 4 },
	{ "linotype", "LHAG", 0, 8 },
};

/* ASCII only, as CUPS compares: a locale must not change the answer. */
static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int starts(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != lower((unsigned char)*prefix))
			return 0;
	return 1;
}

/* CUPS's clean-up of a make-and-model string, into out. */
static void normalize(const char *s, char *out, size_t cap)
{
	char buf[WORK];
	size_t i, n;

	while (is_space((unsigned char)*s))
		s++;
	if (*s == '(') {
		/* "(Maker Model)": the parentheses go */
		char *close;
		snprintf(buf, sizeof(buf), "%s", s + 1);
		if ((close = strrchr(buf, ')')))
			*close = 0;
	} else {
		for (i = 0; i < COUNT(makers) && !starts(s, makers[i].prefix); i++)
			;
		if (i < COUNT(makers))
			snprintf(buf, sizeof(buf), "%s%s", makers[i].maker, s + makers[i].drop);
		else
			snprintf(buf, sizeof(buf), "%s", s);
	}
	for (i = 0; i < COUNT(spellings) && !starts(buf, spellings[i].prefix); i++)
		;
	if (i < COUNT(spellings))
		snprintf(out, cap, "%s%.*s%s", spellings[i].as, (int)spellings[i].keep, buf,
			 buf + spellings[i].cut);
	else
		snprintf(out, cap, "%s", buf);
	for (n = strlen(out); n && is_space((unsigned char)out[n - 1]); n--)
		out[n - 1] = 0;
}

/* A description names the model when it is 8 bytes or more with a blank
 * and a letter: "HP LaserJet" yes; "PRINTER" or "574X" no. */
static int usable(const char *des)
{
	int letters = 0, spaces = 0;

	if (strlen(des) < 8)
		return 0;
	for (; *des; des++) {
		int c = (unsigned char)*des;
		if (is_space(c))
			spaces++;
		else if (lower(c) >= 'a' && lower(c) <= 'z')
			letters++;
	}
	return letters && spaces;
}

void hs_cups_make_model(const char *mfg, const char *mdl, const char *des, char *out,
			size_t cap)
{
	char both[WORK];

	out[0] = 0;
	if (mdl) {
		/* A model that starts with its make ("HP LaserJet" by "HP",
		 * or even "ACMEjet" by "ACME") is taken whole. */
		if (!mfg || starts(mdl, mfg)) {
			normalize(mdl, out, cap);
		} else {
			snprintf(both, sizeof(both), "%s %s", mfg, mdl);
			normalize(both, out, cap);
		}
	} else if (des && usable(des)) {
		normalize(des, out, cap);
	}
	if (!out[0])
		snprintf(out, cap, "Unknown");
}
