/*
 * hsdial_map.c - the terminal's character mappings, as picocom spells
 * them (--imap what the line sends before it is shown, --omap what is
 * typed before it goes out, --emap the local echo): a comma-separated
 * list of crlf, crcrlf, igncr, lfcr, lfcrlf, ignlf, bsdel, delbs.
 */
#include <stddef.h>
#include <string.h>

#include "hsdial_term.h"
#include "tool.h"

static const struct {
	const char *name;
	unsigned bit;
} maps[] = {
	{ "crlf", HSD_MAP_CRLF }, { "crcrlf", HSD_MAP_CRCRLF }, { "igncr", HSD_MAP_IGNCR },
	{ "lfcr", HSD_MAP_LFCR }, { "lfcrlf", HSD_MAP_LFCRLF }, { "ignlf", HSD_MAP_IGNLF },
	{ "bsdel", HSD_MAP_BSDEL }, { "delbs", HSD_MAP_DELBS },
};

unsigned hsd_map_parse(const char *opt, const char *text)
{
	unsigned bits = 0;
	size_t n;

	for (const char *p = text; *p; p += n + (p[n] == ',')) {
		size_t i;
		n = strcspn(p, ",");
		for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
			if (strlen(maps[i].name) == n && !strncmp(maps[i].name, p, n))
				break;
		if (i == sizeof(maps) / sizeof(maps[0]))
			tool_die(EX_USAGE, "%s takes crlf, crcrlf, igncr, lfcr, lfcrlf, ignlf, bsdel, "
				 "delbs (comma-separated), not '%.*s'", opt, (int)n, p);
		bits |= maps[i].bit;
	}
	return bits;
}

size_t hsd_map(unsigned bits, const char *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (c == '\r') {
			if (bits & HSD_MAP_IGNCR)
				continue;
			if (bits & HSD_MAP_CRLF) {
				out[o++] = '\n';
				continue;
			}
			if (bits & HSD_MAP_CRCRLF) {
				out[o++] = '\r';
				out[o++] = '\n';
				continue;
			}
		} else if (c == '\n') {
			if (bits & HSD_MAP_IGNLF)
				continue;
			if (bits & HSD_MAP_LFCR) {
				out[o++] = '\r';
				continue;
			}
			if (bits & HSD_MAP_LFCRLF) {
				out[o++] = '\r';
				out[o++] = '\n';
				continue;
			}
		} else if (c == '\b' && (bits & HSD_MAP_BSDEL)) {
			c = 0x7f;
		} else if (c == 0x7f && (bits & HSD_MAP_DELBS)) {
			c = '\b';
		}
		out[o++] = c;
	}
	return o;
}
