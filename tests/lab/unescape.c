/*
 * unescape.c — C escapes in the lab's text arguments, shared by hslab
 * (config.c) and labhost; plain C, no GLib (see unescape.h).
 */
#include "unescape.h"

#include <ctype.h>

size_t lab_unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		if (*in != '\\' || !in[1]) {
			out[n++] = *in++;
			continue;
		}
		in++;
		switch (*in) {
		case 'r': out[n++] = '\r'; in++; break;
		case 'n': out[n++] = '\n'; in++; break;
		case 't': out[n++] = '\t'; in++; break;
		case 'e': out[n++] = 0x1b; in++; break;
		case '0': out[n++] = 0; in++; break;
		case 'x': {
			int v = 0, k = 0;
			in++;
			while (k < 2 && isxdigit((unsigned char)*in)) {
				v = v * 16 + (isdigit((unsigned char)*in) ? *in - '0'
				                 : tolower((unsigned char)*in) - 'a' + 10);
				in++, k++;
			}
			out[n++] = (char)v;
			break;
		}
		default: out[n++] = *in++; break;
		}
	}
	out[n] = 0;
	return n;
}
