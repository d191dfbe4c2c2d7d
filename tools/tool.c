/*
 * tool.c - messages, exits, number parsing and the line flags shared by
 * the CLI tools.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <handshake/handshake.h>
#include "tool.h"

static void vwarn_(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* The message on stderr and, under --json, as the answer's error. */
static void noreturn_(int err, int code, const char *fmt, va_list ap)
	__attribute__((noreturn));
static void noreturn_(int err, int code, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	tool_warn("%s", msg);
	if (tool_json_out)
		tool_json_failure(err, code, msg);
	exit(code);
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
	noreturn_(code == EX_USAGE ? HS_ERR_ARG : code == EX_OSERR ? HS_ERR_NOMEM : HS_ERR_IO,
		  code, fmt, ap);
}

void tool_fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	noreturn_(err, tool_exit_code(err), fmt, ap);
}

void tool_usage_hint(void)
{
	fprintf(stderr, "%s: try '%s --help' for more information\n", tool_name, tool_name);
}

long long tool_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* A flag's word and what the URI calls it. */
struct spelling {
	const char *word, *uri;
};

static const struct spelling flows[] = {
	{ "none", "none" }, { "rtscts", "rtscts" }, { "xonxoff", "xonxoff" },
	{ "dtrdsr", "dtrdsr" },
	/* picocom's */
	{ "n", "none" }, { "h", "rtscts" }, { "s", "xonxoff" },
	{ NULL, NULL },
};

static const struct spelling parities[] = {
	{ "none", "none" }, { "odd", "odd" }, { "even", "even" }, { "mark", "mark" },
	{ "space", "space" },
	{ "n", "none" }, { "o", "odd" }, { "e", "even" }, { "m", "mark" }, { "s", "space" },
	{ NULL, NULL },
};

static const char *spell(const struct spelling *t, const char *word)
{
	for (; t->word; t++)
		if (!strcmp(t->word, word))
			return t->uri;
	return NULL;
}

int tool_is_flow(const char *text)
{
	return spell(flows, text) != NULL;
}

int tool_line_option(struct tool_line *l, int c, const char *arg)
{
	switch (c) {
	case 'b':
		/* the library's own bound for a rate; the port may refuse less */
		l->baud = tool_int("--baud", arg, 1, 16000000);
		return 1;
	case 'f':
	case TOOL_OPT_FLOW:
		if (!(l->flow = spell(flows, arg)))
			tool_die(EX_USAGE, "--flow is none, rtscts, xonxoff or dtrdsr (or n, h, s), not '%s'",
				 arg);
		return 1;
	case 'p':
		if (!(l->parity = spell(parities, arg)))
			tool_die(EX_USAGE,
				 "--parity is none, odd, even, mark or space (or n, o, e, m, s), not '%s'",
				 arg);
		return 1;
	case TOOL_OPT_DATABITS:
		l->bits = tool_int("--databits", arg, 5, 8);
		return 1;
	case TOOL_OPT_STOPBITS:
		l->stop = tool_int("--stopbits", arg, 1, 2);
		return 1;
	default:
		return 0;
	}
}

const char *tool_line_uri(const struct tool_line *l, const char *uri)
{
	static char out[PATH_MAX + 128];
	char nums[3][12] = { "", "", "" };
	const char *keys[] = { "baud", "bits", "parity", "stop", "flow" };
	const char *vals[] = { nums[0], nums[1], l->parity, nums[2], l->flow };
	char sep = strchr(uri, '?') ? '&' : '?';
	size_t n;

	if (!l->baud && !l->bits && !l->parity && !l->stop && !l->flow)
		return uri;
	if (l->baud)
		snprintf(nums[0], sizeof(nums[0]), "%d", l->baud);
	if (l->bits)
		snprintf(nums[1], sizeof(nums[1]), "%d", l->bits);
	if (l->stop)
		snprintf(nums[2], sizeof(nums[2]), "%d", l->stop);
	n = (size_t)snprintf(out, sizeof(out), "%s", uri);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && n < sizeof(out); i++) {
		if (!vals[i] || !vals[i][0])
			continue;
		/* checked words and numbers: nothing to escape */
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%c%s=%s", sep, keys[i], vals[i]);
		sep = '&';
	}
	if (n >= sizeof(out))
		tool_die(EX_USAGE, "device URI too long: %s", uri);
	return out;
}
