/*
 * uri.c - parse device URIs: serial:PATH?opts, a bare PATH, CUPS's serial
 * spelling (options joined by '+', flow=soft|hard), usb:VID:PID and
 * usb:BUS.DEV, fd:N or fd:R,W for descriptors a program was handed
 * (pppd runs its connect script on the open line as stdin and stdout),
 * and network serial ports: rfc2217://HOST:PORT?opts and tcp://HOST:PORT
 * (HOST a name, an IPv4 address or an IPv6 one in brackets).
 * Strict: anything not understood is an error that quotes it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fail.h"
#include "uri.h"

#define MAX_BAUD 16000000

static const struct hs_line default_line = {
	.baud = 9600, .bits = 8, .parity = HS_PARITY_NONE, .stop = 1,
	.flow = HS_FLOW_NONE,
};

struct name_value {
	const char *name;
	int value;
};

static const struct name_value parities[] = {
	{ "none", HS_PARITY_NONE }, { "n", HS_PARITY_NONE },
	{ "odd", HS_PARITY_ODD }, { "o", HS_PARITY_ODD },
	{ "even", HS_PARITY_EVEN }, { "e", HS_PARITY_EVEN },
	{ "mark", HS_PARITY_MARK }, { "m", HS_PARITY_MARK },
	{ "space", HS_PARITY_SPACE }, { "s", HS_PARITY_SPACE },
	{ NULL, 0 },
};

/* soft, hard: CUPS's serial backend spelling. */
static const struct name_value flows[] = {
	{ "none", HS_FLOW_NONE },
	{ "rtscts", HS_FLOW_RTSCTS }, { "hard", HS_FLOW_RTSCTS },
	{ "xonxoff", HS_FLOW_XONXOFF }, { "soft", HS_FLOW_XONXOFF },
	{ "dtrdsr", HS_FLOW_DTRDSR },
	{ NULL, 0 },
};

static int lookup(const struct name_value *t, const char *s, int *out)
{
	for (; t->name; t++)
		if (strcasecmp(t->name, s) == 0) {
			*out = t->value;
			return 1;
		}
	return 0;
}

/* A whole decimal number in [min, max]: digits only, no sign or space. */
static int parse_dec(const char *s, long min, long max, int *out)
{
	long v = 0;

	if (!*s || strlen(s) > 9 || strspn(s, "0123456789") != strlen(s))
		return 0;
	v = strtol(s, NULL, 10);
	if (v < min || v > max)
		return 0;
	*out = (int)v;
	return 1;
}

/* Percent-decode src (length n) into dst; 0 on a bad escape or overflow. */
static int decode(const char *src, size_t n, char *dst, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '%') {
			char hex[3] = { 0 };
			if (i + 2 >= n)
				return 0;
			hex[0] = src[i + 1];
			hex[1] = src[i + 2];
			if (!isxdigit((unsigned char)hex[0]) ||
			    !isxdigit((unsigned char)hex[1]))
				return 0;
			c = (char)strtol(hex, NULL, 16);
			if (c == 0)
				return 0;
			i += 2;
		}
		if (o + 1 >= cap)
			return 0;
		dst[o++] = c;
	}
	dst[o] = 0;
	return 1;
}

static int bad_value(const char *uri, const char *key, const char *val,
		     const char *want)
{
	return hs_fail(HS_ERR_URI_VALUE, "%s: bad %s '%s' (%s)", uri, key,
		       val, want);
}

static int serial_option(const char *uri, struct hs_uri *u, const char *key,
			 const char *val)
{
	int v;

	if (strcasecmp(key, "baud") == 0) {
		if (!parse_dec(val, 1, MAX_BAUD, &v))
			return bad_value(uri, key, val, "a rate such as 9600 or 115200");
		u->line.baud = v;
		u->given |= HS_URI_BAUD;
	} else if (strcasecmp(key, "bits") == 0) {
		if (!parse_dec(val, 5, 8, &v))
			return bad_value(uri, key, val, "5, 6, 7 or 8");
		u->line.bits = v;
		u->given |= HS_URI_BITS;
	} else if (strcasecmp(key, "parity") == 0) {
		if (!lookup(parities, val, &v))
			return bad_value(uri, key, val, "none, odd, even, mark or space");
		u->line.parity = (enum hs_parity)v;
		u->given |= HS_URI_PARITY;
	} else if (strcasecmp(key, "stop") == 0) {
		if (!parse_dec(val, 1, 2, &v))
			return bad_value(uri, key, val, "1 or 2");
		u->line.stop = v;
		u->given |= HS_URI_STOP;
	} else if (strcasecmp(key, "flow") == 0) {
		if (!lookup(flows, val, &v))
			return bad_value(uri, key, val, "none, rtscts, xonxoff or dtrdsr");
		u->line.flow = (enum hs_flow)v;
		u->given |= HS_URI_FLOW;
	} else {
		return hs_fail(HS_ERR_URI_OPTION,
			       "%s: unknown option '%s' (serial links take baud, bits, parity, stop, flow)",
			       uri, key);
	}
	return HS_OK;
}

static int usb_option(const char *uri, struct hs_uri *u, const char *key,
		      const char *val)
{
	if (strcasecmp(key, "serial") == 0) {
		size_t n = strlen(val);
		if (n == 0 || n >= sizeof(u->usb_serial))
			return bad_value(uri, key, val, "the device's serial number");
		memcpy(u->usb_serial, val, n + 1);
	} else if (strcasecmp(key, "interface") == 0) {
		if (!parse_dec(val, 0, 255, &u->usb_interface))
			return bad_value(uri, key, val, "an interface number 0..255");
	} else {
		return hs_fail(HS_ERR_URI_OPTION,
			       "%s: unknown option '%s' (usb links take serial, interface)",
			       uri, key);
	}
	return HS_OK;
}

/* Options: key=value pairs joined by '&' or (CUPS) '+'. */
static int parse_options(const char *uri, const char *opts, struct hs_uri *u)
{
	while (*opts) {
		size_t n = strcspn(opts, "&+");
		const char *eq = memchr(opts, '=', n);
		char key[32], val[256];
		int rc;

		if (n == 0) {
			opts++;
			continue;
		}
		if (!eq || eq == opts)
			return hs_fail(HS_ERR_URI, "%s: option '%.*s' is not key=value",
				       uri, (int)n, opts);
		if (!decode(opts, (size_t)(eq - opts), key, sizeof(key)) ||
		    !decode(eq + 1, n - (size_t)(eq + 1 - opts), val, sizeof(val)))
			return hs_fail(HS_ERR_URI, "%s: option '%.*s' is too long or badly escaped",
				       uri, (int)n, opts);
		if (u->transport == HS_TRANSPORT_TCP)
			return hs_fail(HS_ERR_URI_OPTION,
				       "%s: unknown option '%s' (a tcp: link carries bytes only; use rfc2217: for line settings)",
				       uri, key);
		rc = u->transport == HS_TRANSPORT_USB ? usb_option(uri, u, key, val)
						       : serial_option(uri, u, key, val);
		if (rc < 0)
			return rc;
		opts += n;
	}
	return HS_OK;
}

static int parse_usb(const char *uri, const char *rest, size_t n, struct hs_uri *u)
{
	char addr[32];
	unsigned a, b;
	char tail;

	if (n >= sizeof(addr) || n == 0)
		return hs_fail(HS_ERR_URI, "%s: expected usb:VID:PID or usb:BUS.DEV", uri);
	memcpy(addr, rest, n);
	addr[n] = 0;
	if (strncmp(addr, "//", 2) == 0)
		return hs_fail(HS_ERR_URI,
			       "%s: that is CUPS's usb backend spelling; use usb:VID:PID or usb:BUS.DEV",
			       uri);
	if (strspn(addr, "0123456789abcdefABCDEF:") == n &&
	    sscanf(addr, "%4x:%4x%c", &a, &b, &tail) == 2 && strchr(addr, ':') &&
	    strlen(strchr(addr, ':') + 1) <= 4 && strchr(addr, ':') - addr <= 4) {
		u->usb_vid = (int)a;
		u->usb_pid = (int)b;
		return HS_OK;
	}
	if (strspn(addr, "0123456789.") == n &&
	    sscanf(addr, "%3u.%3u%c", &a, &b, &tail) == 2 && a >= 1 && a <= 255 &&
	    b >= 1 && b <= 127) {
		u->usb_bus = (int)a;
		u->usb_address = (int)b;
		return HS_OK;
	}
	return hs_fail(HS_ERR_URI,
		       "%s: '%s' is neither VID:PID (hex, e.g. 04b8:0202) nor BUS.DEV (e.g. 1.4)",
		       uri, addr);
}

/* HOST:PORT of a network URI, rest of length n: a name or IPv4 address,
 * or an IPv6 address in brackets; the port in decimal. */
static int parse_net(const char *uri, const char *scheme, const char *rest, size_t n,
		     struct hs_uri *u)
{
	const char *colon, *host = rest;
	size_t hlen;
	int port;
	char digits[8];

	if (n > 0 && rest[0] == '[') {
		const char *end = memchr(rest, ']', n);
		if (!end || end + 1 >= rest + n || end[1] != ':')
			return hs_fail(HS_ERR_URI, "%s: an IPv6 address goes in brackets: %s://[::1]:PORT",
				       uri, scheme);
		host = rest + 1;
		hlen = (size_t)(end - host);
		colon = end + 1;
		if (hlen == 0 || strspn(host, "0123456789abcdefABCDEF:.") < hlen)
			return hs_fail(HS_ERR_URI, "%s: '%.*s' is not an IPv6 address", uri,
				       (int)hlen, host);
	} else {
		colon = memchr(rest, ':', n);
		if (!colon)
			return hs_fail(HS_ERR_URI, "%s: expected %s://HOST:PORT", uri, scheme);
		hlen = (size_t)(colon - rest);
		if (memchr(colon + 1, ':', n - hlen - 1))
			return hs_fail(HS_ERR_URI, "%s: an IPv6 address goes in brackets: %s://[::1]:PORT",
				       uri, scheme);
		if (hlen == 0 || strspn(host, "abcdefghijklmnopqrstuvwxyz"
					     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") < hlen)
			return hs_fail(HS_ERR_URI, "%s: '%.*s' is not a host name or address", uri,
				       (int)hlen, host);
	}
	if (hlen >= sizeof(u->host))
		return hs_fail(HS_ERR_URI, "%s: host name too long", uri);
	memcpy(u->host, host, hlen);
	u->host[hlen] = 0;
	n -= (size_t)(colon + 1 - rest);
	if (n == 0 || n >= sizeof(digits))
		return hs_fail(HS_ERR_URI, "%s: expected a port number after the host", uri);
	memcpy(digits, colon + 1, n);
	digits[n] = 0;
	if (!parse_dec(digits, 1, 65535, &port))
		return hs_fail(HS_ERR_URI, "%s: '%s' is not a port number (1..65535)", uri, digits);
	snprintf(u->port, sizeof(u->port), "%d", port);
	snprintf(u->path, sizeof(u->path), "%s://%.*s:%d", scheme,
		 (int)(colon - rest), rest, port);
	return HS_OK;
}

int hs_uri_parse(const char *text, struct hs_uri *u)
{
	const char *rest, *q;
	size_t n;
	int rc;

	if (!text || !u)
		return hs_fail(HS_ERR_ARG, "no device URI given");
	memset(u, 0, sizeof(*u));
	u->line = default_line;
	u->usb_vid = u->usb_pid = u->usb_bus = u->usb_address = -1;
	u->usb_interface = -1;
	u->fd = u->wfd = -1;

	if (!*text)
		return hs_fail(HS_ERR_URI, "empty device URI");
	if (strncmp(text, "rfc2217://", 10) == 0 || strncmp(text, "tcp://", 6) == 0) {
		int telnet = text[0] == 'r';
		u->transport = telnet ? HS_TRANSPORT_RFC2217 : HS_TRANSPORT_TCP;
		rest = text + (telnet ? 10 : 6);
		q = strchr(rest, '?');
		n = q ? (size_t)(q - rest) : strlen(rest);
		if ((rc = parse_net(text, telnet ? "rfc2217" : "tcp", rest, n, u)) < 0)
			return rc;
		return q ? parse_options(text, q + 1, u) : HS_OK;
	} else if (strncmp(text, "usb:", 4) == 0) {
		u->transport = HS_TRANSPORT_USB;
		rest = text + 4;
	} else if (strncmp(text, "fd:", 3) == 0) {
		char fds[32];
		rest = text + 3;
		n = strcspn(rest, "?");
		if (n >= sizeof(fds))
			n = sizeof(fds) - 1;
		memcpy(fds, rest, n);
		fds[n] = 0;
		char *comma = strchr(fds, ',');
		if (comma)
			*comma++ = 0;
		if (!parse_dec(fds, 0, 65535, &u->fd) ||
		    (comma && !parse_dec(comma, 0, 65535, &u->wfd)))
			return hs_fail(HS_ERR_URI, "%s: expected fd:N or fd:READ,WRITE", text);
		if (!comma)
			u->wfd = u->fd;
		snprintf(u->path, sizeof(u->path), "fd:%d", u->fd);
		q = strchr(rest, '?');
		return q ? parse_options(text, q + 1, u) : HS_OK;
	} else if (strncmp(text, "serial:", 7) == 0) {
		u->transport = HS_TRANSPORT_SERIAL;
		rest = text + 7;
		if (strncmp(rest, "//", 2) == 0)
			rest += 2; /* serial:///dev/ttyS0 */
	} else {
		size_t word = strcspn(text, ":/?");
		if (text[word] == ':')
			return hs_fail(HS_ERR_URI,
				       "%s: unknown scheme '%.*s' (use serial:, usb:, rfc2217://, tcp://, fd: or a device path)",
				       text, (int)word, text);
		u->transport = HS_TRANSPORT_SERIAL;
		rest = text;
	}

	q = strchr(rest, '?');
	n = q ? (size_t)(q - rest) : strlen(rest);
	if (u->transport == HS_TRANSPORT_USB) {
		rc = parse_usb(text, rest, n, u);
	} else {
		char path[PATH_MAX];
		if (n == 0)
			return hs_fail(HS_ERR_URI, "%s: no device path", text);
		if (!decode(rest, n, path, sizeof(path)))
			return hs_fail(HS_ERR_URI, "%s: device path is too long or badly escaped",
				       text);
		/* A bare name such as ttyUSB0 means /dev/ttyUSB0. */
		rc = snprintf(u->path, sizeof(u->path), "%s%s",
			      path[0] == '/' ? "" : "/dev/", path) < (int)sizeof(u->path)
			     ? HS_OK : hs_fail(HS_ERR_URI, "%s: path too long", text);
	}
	if (rc < 0)
		return rc;
	return q ? parse_options(text, q + 1, u) : HS_OK;
}
