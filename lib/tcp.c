/*
 * tcp.c - the tcp:// transport: raw bytes to a device server's port in
 * raw mode (ser2net's tcp accepter, a console server's raw TCP port).
 * Nothing but bytes crosses, so line settings, modem lines and break are
 * left out of the ops table and say "not supported on this link".
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fail.h"
#include "link_priv.h"
#include "net.h"


static struct hs_net *net(struct hs_link *l)
{
	return l->priv;
}

int hs_net_link_open(struct hs_link *l, struct hs_net *n, const struct hs_uri *u,
		     const char *what, int64_t deadline)
{
	int rc;

	snprintf(l->path, sizeof(l->path), "%s", u->path);
	if ((rc = hs_net_connect(n, u->host, u->port, deadline)) < 0)
		return rc;
	snprintf(l->name, sizeof(l->name), "%.*s", (int)sizeof(l->name) - 1, n->peer);
	snprintf(l->description, sizeof(l->description), "%s at %s", what, n->peer);
	l->fd = l->wfd = n->fd;
	return HS_OK;
}

static int tcp_open(struct hs_link *l, const struct hs_uri *u)
{
	struct hs_net *n;

	if (!(n = calloc(1, sizeof(*n))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", u->path);
	n->fd = -1;
	l->priv = n;
	l->info.transport = HS_TRANSPORT_TCP;
	return hs_net_link_open(l, n, u, "raw TCP port", hs_deadline(HS_NET_OPEN_MS));
}

static void tcp_close(struct hs_link *l)
{
	struct hs_net *n = net(l);

	if (!n)
		return;
	hs_net_close(n, hs_deadline(HS_NET_CLOSE_MS));
	free(n);
	l->priv = NULL;
	l->fd = l->wfd = -1;
}

static int tcp_read(struct hs_link *l, void *buf, size_t len, int64_t deadline)
{
	struct hs_net *n = net(l);

	for (;;) {
		short got;
		int rc = hs_net_recv(n, buf, len);

		if (rc != 0)
			return rc;
		if ((rc = hs_net_wait(n, POLLIN, deadline, &got)) < 0)
			return rc;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT, "%s: nothing received before the deadline",
				       l->path);
	}
}

static int tcp_write(struct hs_link *l, const void *buf, size_t len, int64_t deadline,
		     size_t *done)
{
	struct hs_net *n = net(l);

	while (*done < len) {
		short got;
		int rc = hs_net_send(n, (const char *)buf + *done, len - *done);

		if (rc < 0)
			return rc;
		*done += (size_t)rc;
		if (rc > 0)
			continue;
		if ((rc = hs_net_wait(n, POLLOUT, deadline, &got)) < 0)
			return rc;
		if (rc == 0)
			return hs_fail(HS_ERR_TIMEOUT,
				       "%s: write timed out; the server accepted %zu of %zu bytes",
				       l->path, *done, len);
	}
	return HS_OK;
}

static int tcp_drain(struct hs_link *l, int64_t deadline)
{
	return hs_net_drain(net(l), deadline);
}

/* The socket's queue is not the device's: nothing to report while the
 * connection is up; after it failed, what the server never acknowledged. */
static int tcp_pending(struct hs_link *l)
{
	struct hs_net *n = net(l);

	return n->failed ? (int)(n->unacked < INT32_MAX ? n->unacked : INT32_MAX) : 0;
}

/* Input not read yet can be dropped; output handed to the network cannot
 * be called back. */
static int tcp_flush(struct hs_link *l, enum hs_flush which)
{
	char junk[4096];
	int rc;

	if (which & HS_FLUSH_INPUT)
		while ((rc = hs_net_recv(net(l), junk, sizeof(junk))) > 0)
			;
	return HS_OK;
}

const struct hs_transport_ops hs_tcp_ops = {
	.name = "tcp",
	.open = tcp_open,
	.close = tcp_close,
	.read = tcp_read,
	.write = tcp_write,
	.drain = tcp_drain,
	.pending = tcp_pending,
	.flush = tcp_flush,
};
