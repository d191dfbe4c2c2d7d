/*
 * hsprobe_text.c - device strings are untrusted: udev runs hsprobe as
 * root on whatever a USB device put in its descriptors. Two reductions:
 * printable and bounded for people and JSON, and a small safe set for
 * udev values, symlinks and file names.
 */
#include <string.h>

#include "hsprobe.h"

void hsprobe_text(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	if (!cap)
		return;
	for (; src && *src && n + 1 < cap; src++)
		dst[n++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	dst[n] = 0;
}

/* The set udev's SYMLINK keeps is wider (# + : = @ /), but '=' and '/'
 * mean something to udev and to paths, and systemd escapes the others in
 * unit names: letters, digits, '.', '_' and '-' are safe everywhere. */
static int safe_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

void hsprobe_safe(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	if (!cap)
		return;
	for (; src && *src && n + 1 < cap; src++) {
		char c = safe_char(*src) ? *src : '_';
		/* no leading '.', '-' or '_': no hidden files, no "..", no
		 * option-like words; runs of replaced bytes shrink to one */
		if (n == 0 && (c == '.' || c == '-' || c == '_'))
			continue;
		if (c == '_' && dst[n - 1] == '_')
			continue;
		dst[n++] = c;
	}
	while (n > 0 && dst[n - 1] == '_')
		n--;
	dst[n] = 0;
}

const char *hsprobe_kind_name(enum hsprobe_kind kind)
{
	switch (kind) {
	case HSPROBE_MODEM: return "modem";
	case HSPROBE_PRINTER: return "printer";
	default: return "unknown";
	}
}
