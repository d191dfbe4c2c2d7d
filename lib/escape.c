/*
 * escape.c - making untrusted strings (what devices report, and the
 * bytes the trace shows) safe for one use each: JSON, names (udev values,
 * /dev links, file and unit names), plain text, C text.
 */
#include <string.h>

#include "escape.h"
#include "fail.h"

/* The set udev's SYMLINK keeps is wider (# + : = @ /), but '=' and '/'
 * mean something to udev and to paths, and systemd escapes the others in
 * unit names: letters, digits, '.', '_' and '-' are safe everywhere. */
static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* One byte's escape into e (at most 6 bytes and a NUL); its length. */
static size_t one(char *e, unsigned char c, enum hs_escape_mode mode)
{
	static const char hex[] = "0123456789abcdef", HEX[] = "0123456789ABCDEF";

	if (mode == HS_ESCAPE_TEXT) {
		e[0] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		return 1;
	}
	if (mode == HS_ESCAPE_JSON) {
		if (c == '"' || c == '\\') {
			e[0] = '\\', e[1] = (char)c;
			return 2;
		}
		if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			return 1;
		}
		memcpy(e, "\\u00", 4);
		e[4] = hex[c >> 4], e[5] = hex[c & 15];
		return 6;
	}
	/* HS_ESCAPE_C: as C source spells it, and as the lab's transcript */
	{
		char s = c == '\r' ? 'r' : c == '\n' ? 'n' : c == '\t' ? 't'
			 : c == '\\' || c == '"' ? (char)c : 0;
		if (s) {
			e[0] = '\\', e[1] = s;
			return 2;
		}
		if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			return 1;
		}
		e[0] = '\\', e[1] = 'x', e[2] = HEX[c >> 4], e[3] = HEX[c & 15];
		return 4;
	}
}

static size_t name(char *out, size_t cap, const unsigned char *p, size_t n, int *cut)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		char c = name_char(p[i]) ? (char)p[i] : '_';
		/* no leading '.', '-' or '_': no hidden files, no "..", no
		 * option-like words; runs of replaced bytes shrink to one */
		if (o == 0 && (c == '.' || c == '-' || c == '_'))
			continue;
		if (c == '_' && out[o - 1] == '_')
			continue;
		if (o + 1 >= cap)
			break;
		out[o++] = c;
	}
	while (o > 0 && out[o - 1] == '_')
		o--;
	out[o] = 0;
	if (cut)
		*cut = i < n;
	return o;
}

size_t hs_escape_bytes(char *out, size_t cap, const void *in, size_t n,
		       enum hs_escape_mode mode, int *cut)
{
	const unsigned char *p = in;
	int quoted = mode == HS_ESCAPE_JSON || mode == HS_ESCAPE_C;
	size_t o = 0, i;
	char e[8];

	if (mode == HS_ESCAPE_NAME)
		return name(out, cap, p, n, cut);
	if (quoted)
		out[o++] = '"';
	for (i = 0; i < n; i++) {
		size_t k = one(e, p[i], mode);
		/* room for it, the closing quote and the NUL */
		if (o + k + (size_t)quoted + 1 > cap)
			break;
		memcpy(out + o, e, k);
		o += k;
	}
	if (quoted)
		out[o++] = '"';
	out[o] = 0;
	if (cut)
		*cut = i < n;
	return o;
}

int hs_escape(char *out, size_t cap, const char *in, enum hs_escape_mode mode)
{
	int quoted = mode == HS_ESCAPE_JSON || mode == HS_ESCAPE_C, cut;
	size_t n;

	if (!out || cap < (quoted ? 3u : 1u) || (unsigned)mode > HS_ESCAPE_C)
		return hs_fail(HS_ERR_ARG, "hs_escape: no room, or no such mode");
	if (!in)
		in = "";
	n = hs_escape_bytes(out, cap, in, strlen(in), mode, &cut);
	if (cut)
		return hs_fail(HS_ERR_OVERFLOW, "hs_escape: %zu bytes do not fit in %zu",
			       strlen(in), cap);
	return (int)n;
}
