/*
 * error.c - messages for enum hs_err and the per-thread last-error text,
 * which every failure also traces (trace.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "handshake/handshake.h"
#include "fail.h"
#include "trace.h"

static _Thread_local char last_error[512];

static const struct {
	int code;
	const char *name;
	const char *text;
} errors[] = {
	{ HS_OK, "HS_OK", "success" },
	{ HS_ERR_ARG, "HS_ERR_ARG", "invalid argument" },
	{ HS_ERR_NOMEM, "HS_ERR_NOMEM", "out of memory" },
	{ HS_ERR_URI, "HS_ERR_URI", "malformed device URI" },
	{ HS_ERR_URI_OPTION, "HS_ERR_URI_OPTION", "unknown option in device URI" },
	{ HS_ERR_URI_VALUE, "HS_ERR_URI_VALUE", "bad option value in device URI" },
	{ HS_ERR_NO_DEVICE, "HS_ERR_NO_DEVICE", "no such device" },
	{ HS_ERR_NOT_TTY, "HS_ERR_NOT_TTY", "not a serial port" },
	{ HS_ERR_PERMISSION, "HS_ERR_PERMISSION", "permission denied" },
	{ HS_ERR_BUSY, "HS_ERR_BUSY", "device is busy" },
	{ HS_ERR_TIMEOUT, "HS_ERR_TIMEOUT", "timed out" },
	{ HS_ERR_STALL, "HS_ERR_STALL", "flow control stalled the output" },
	{ HS_ERR_UNPLUGGED, "HS_ERR_UNPLUGGED", "device was unplugged" },
	{ HS_ERR_NOT_SUPPORTED, "HS_ERR_NOT_SUPPORTED", "not supported on this port" },
	{ HS_ERR_IO, "HS_ERR_IO", "input/output error" },
	{ HS_ERR_PROTOCOL, "HS_ERR_PROTOCOL", "the device's reply made no sense" },
	{ HS_ERR_OVERFLOW, "HS_ERR_OVERFLOW", "reply too long" },
	{ HS_ERR_NO_CARRIER, "HS_ERR_NO_CARRIER", "no carrier" },
	{ HS_ERR_LINE_BUSY, "HS_ERR_LINE_BUSY", "the line called is busy" },
	{ HS_ERR_NO_DIALTONE, "HS_ERR_NO_DIALTONE", "no dial tone" },
	{ HS_ERR_NO_ANSWER, "HS_ERR_NO_ANSWER", "no answer" },
	{ HS_ERR_REJECTED, "HS_ERR_REJECTED", "the modem rejected the command" },
	{ HS_ERR_CANCELED, "HS_ERR_CANCELED", "canceled" },
	{ HS_ERR_NO_HOST, "HS_ERR_NO_HOST", "no such host" },
	{ HS_ERR_CONN_REFUSED, "HS_ERR_CONN_REFUSED", "connection refused" },
	{ HS_ERR_HOST_UNREACHABLE, "HS_ERR_HOST_UNREACHABLE", "host unreachable" },
	{ HS_ERR_CONN_RESET, "HS_ERR_CONN_RESET", "connection reset by the server" },
	{ HS_ERR_CONN_CLOSED, "HS_ERR_CONN_CLOSED", "connection closed by the server" },
	{ HS_ERR_ABORTED, "HS_ERR_ABORTED", "the other end canceled the transfer" },
	{ HS_ERR_RETRIES, "HS_ERR_RETRIES", "too many errors in a row" },
	{ HS_ERR_BAD_NAME, "HS_ERR_BAD_NAME", "unsafe file name refused" },
	{ HS_ERR_EXISTS, "HS_ERR_EXISTS", "the file exists already" },
	{ HS_ERR_FILE, "HS_ERR_FILE", "cannot read or write a local file" },
};

static int find(int code)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == code)
			return (int)i;
	return -1;
}

const char *hs_strerror(int err)
{
	int i = find(err);
	return i < 0 ? "unknown error" : errors[i].text;
}

const char *hs_err_name(int err)
{
	int i = find(err);
	return i < 0 ? "HS_ERR_UNKNOWN" : errors[i].name;
}

const char *hs_last_error(void)
{
	return last_error;
}

int hs_fail_in(const char *func, int code, const char *fmt, ...)
{
	char text[sizeof(last_error)];
	va_list ap;

	/* Formatted aside first: an argument may be hs_last_error() itself. */
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	memcpy(last_error, text, sizeof(text));
	/* HS_OK: a message put back (hs_link_close), not a failure */
	if (code < 0 && hs_tracing(HS_LOG_ERROR))
		hs_trace(HS_LOG_ERROR, func, "%s: %s", hs_err_name(code), text);
	return code;
}

int hs_fail_no_fds(const char *what, int err)
{
	struct rlimit r;

	if (err == ENFILE)
		return hs_fail(HS_ERR_IO,
			       "cannot open %s: the system's table of open files is full (fs.file-max)",
			       what);
	if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY)
		return hs_fail(HS_ERR_IO, "cannot open %s: this process has all the files open it may",
			       what);
	return hs_fail(HS_ERR_IO,
		       "cannot open %s: this process has all the %llu files open it may (ulimit -n; hard limit %llu): raise the limit to hold more links",
		       what, (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
}

int hs_errno_code(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR: /* a path through a file: nothing there either */
		return HS_ERR_NO_DEVICE;
	case EACCES:
	case EPERM:
		return HS_ERR_PERMISSION;
	case EBUSY:
	case EWOULDBLOCK:
		return HS_ERR_BUSY;
	case EIO:
	case ENXIO:
	case ENODEV:
		return HS_ERR_UNPLUGGED;
	case ENOTTY:
		return HS_ERR_NOT_TTY;
	case ENOMEM:
		return HS_ERR_NOMEM;
	case ETIMEDOUT:
		return HS_ERR_TIMEOUT;
	default:
		return HS_ERR_IO;
	}
}

const char *hs_version(void)
{
	return HS_VERSION;
}
