/*
 * tool.c - messages, exits and number parsing shared by the CLI tools.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
