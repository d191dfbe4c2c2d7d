/*
 * tool.c - messages, exits and number parsing shared by the CLI tools.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <handshake/handshake.h>
#include "tool.h"

static void vwarn_(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void tool_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_(fmt, ap);
	va_end(ap);
}

void tool_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_(fmt, ap);
	va_end(ap);
	exit(code);
}

void tool_usage_hint(void)
{
	fprintf(stderr, "%s: try '%s --help' for more information\n", tool_name, tool_name);
}

void tool_version(void)
{
	printf("%s (handshake) %s\n", tool_name, hs_version());
	exit(0);
}

int tool_int(const char *opt, const char *text, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		tool_die(EX_USAGE, "%s wants a number from %d to %d, not '%s'", opt, min,
			 max, text);
	return (int)v;
}

void tool_json_string(FILE *f, const char *s)
{
	/* every byte may become \u00XX: 6 bytes, and the quotes */
	size_t cap = (s ? strlen(s) : 0) * 6 + 3;
	char small[512], *buf = cap <= sizeof(small) ? small : malloc(cap);

	if (!buf) {
		fputs("\"\"", f);
		return;
	}
	hs_escape(buf, cap, s, HS_ESCAPE_JSON);
	fputs(buf, f);
	if (buf != small)
		free(buf);
}

int tool_exit_code(int err)
{
	switch (err) {
	case HS_OK:
		return 0;
	case HS_ERR_ARG:
	case HS_ERR_URI:
	case HS_ERR_URI_OPTION:
	case HS_ERR_URI_VALUE:
		return EX_USAGE;
	case HS_ERR_NO_HOST:
		return EX_NOHOST;
	case HS_ERR_NO_DEVICE:
	case HS_ERR_NOT_TTY:
	case HS_ERR_NOT_SUPPORTED:
	case HS_ERR_CONN_REFUSED:
	case HS_ERR_HOST_UNREACHABLE:
		return EX_UNAVAILABLE;
	case HS_ERR_PERMISSION:
		return EX_NOPERM;
	case HS_ERR_BUSY:
	case HS_ERR_TIMEOUT:
	case HS_ERR_STALL:
		return EX_TEMPFAIL;
	case HS_ERR_PROTOCOL:
	case HS_ERR_OVERFLOW:
		return EX_PROTOCOL;
	case HS_ERR_CANCELED:
		return 130;
	default:
		return EX_IOERR;
	}
}

void tool_trace(int n)
{
	if (n >= HS_LOG_STATE)
		hs_set_log(NULL, n < HS_LOG_DATA ? n : HS_LOG_DATA, NULL);
}
