/*
 * net.c - TCP to a network serial port within deadlines: name lookup,
 * connect, send, receive, drain, and the errors that name host:port.
 *
 * Name lookup is getaddrinfo_a (glibc's asynchronous getaddrinfo), waited
 * for with gai_suspend until the deadline. A lookup still running at the
 * deadline is abandoned, not waited for: its request is shared with the
 * completion callback by a reference count, so whichever of the two
 * finishes last frees it. Literal addresses never leave the thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include "clock.h"
#include "fail.h"
#include "net.h"

/* How often a drain looks whether the server acknowledged everything:
 * acknowledgements wake nothing we could poll for. */
#define DRAIN_POLL_MS 5

/* ---- errors ----------------------------------------------------------- */

/* The enum hs_err and message for errno err on the connection. */
static int conn_error(struct hs_net *n, int err, const char *during)
{
	switch (err) {
	case ECONNREFUSED:
		return hs_fail(HS_ERR_CONN_REFUSED,
			       "%s refused the connection: is the server running, and is that its port?",
			       n->peer);
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
		return hs_fail(HS_ERR_HOST_UNREACHABLE, "%s is unreachable: %s", n->peer,
			       strerror(err));
	case ECONNRESET:
		return hs_fail(HS_ERR_CONN_RESET, "connection reset by %s during %s", n->peer,
			       during);
	case EPIPE:
		return hs_fail(HS_ERR_CONN_CLOSED, "connection closed by %s during %s", n->peer,
			       during);
	case ETIMEDOUT:
		return hs_fail(HS_ERR_TIMEOUT, "%s did not answer (%s)", n->peer, strerror(err));
	default:
		return hs_fail(hs_errno_code(err), "%s: %s failed: %s", n->peer, during,
			       strerror(err));
	}
}

/* The connection is over: keep the first reason and learn what the
 * server never acknowledged. TCP_INFO still answers on a dead socket;
 * its count of acknowledged bytes may include our FIN, hence the clamp. */
static int failed(struct hs_net *n, int code)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (n->failed)
		return code;
	n->failed = code;
	snprintf(n->why, sizeof(n->why), "%s", hs_last_error());
	n->unacked = n->sent;
	memset(&ti, 0, sizeof(ti));
	if (n->fd >= 0 && getsockopt(n->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
	    len >= offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(ti.tcpi_bytes_acked))
		n->unacked = ti.tcpi_bytes_acked >= n->sent ? 0 : n->sent - ti.tcpi_bytes_acked;
	return code;
}

int hs_net_gone(struct hs_net *n)
{
	return hs_fail(n->failed, "%s", n->why);
}

/* ---- name lookup ------------------------------------------------------ */

struct lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char host[256], port[16];
	atomic_int refs;        /* the caller's and the completion's */
};

static void lookup_unref(struct lookup *q)
{
	if (atomic_fetch_sub(&q->refs, 1) == 1) {
		if (q->cb.ar_result)
			freeaddrinfo(q->cb.ar_result);
		free(q);
	}
}

static void lookup_done(union sigval v)
{
	lookup_unref(v.sival_ptr);
}

static int lookup_failed(struct hs_net *n, const char *host, int rc)
{
	if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_FAIL)
		return hs_fail(HS_ERR_NO_HOST, "%s: no such host (%s)", n->peer,
			       gai_strerror(rc));
	if (rc == EAI_AGAIN)
		return hs_fail(HS_ERR_NO_HOST, "%s: cannot look %s up now (%s)", n->peer, host,
			       gai_strerror(rc));
	return hs_fail(HS_ERR_NO_HOST, "%s: cannot look %s up: %s", n->peer, host,
		       rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
}

static int resolve(struct hs_net *n, const char *host, const char *port,
		   int64_t deadline, struct addrinfo **out)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct gaicb *list[1];
	struct sigevent ev;
	struct lookup *q;
	int rc;

	if (getaddrinfo(host, port, &hints, out) == 0)
		return HS_OK;
	if (!(q = calloc(1, sizeof(*q))))
		return hs_fail(HS_ERR_NOMEM, "%s: out of memory", n->peer);
	snprintf(q->host, sizeof(q->host), "%s", host);
	snprintf(q->port, sizeof(q->port), "%s", port);
	q->hints = hints;
	q->hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	q->cb = (struct gaicb){ .ar_name = q->host, .ar_service = q->port,
				.ar_request = &q->hints };
	atomic_init(&q->refs, 2);
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD;
	ev.sigev_notify_function = lookup_done;
	ev.sigev_value.sival_ptr = q;
	list[0] = &q->cb;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &ev)) != 0) {
		free(q);
		return lookup_failed(n, host, rc);
	}
	while ((rc = gai_error(&q->cb)) == EAI_INPROGRESS) {
		int left = hs_remaining(deadline);
		struct timespec ts = { left / 1000, (long)(left % 1000) * 1000000 };
		const struct gaicb *wait[1] = { &q->cb };

		if (left == 0) {
			/* Canceled before it ran, it will never complete: the
			 * completion's reference is ours to drop too. */
			if (gai_cancel(&q->cb) == EAI_CANCELED)
				lookup_unref(q);
			lookup_unref(q);
			return hs_fail(HS_ERR_NO_HOST, "%s: looking %s up took longer than the deadline",
				       n->peer, host);
		}
		gai_suspend(wait, 1, &ts);
	}
	if (rc == 0) {
		*out = q->cb.ar_result;
		q->cb.ar_result = NULL;
	}
	lookup_unref(q);
	return rc == 0 ? HS_OK : lookup_failed(n, host, rc);
}

/* ---- connect ---------------------------------------------------------- */

/* One address: 0 connected, else the errno that stopped it. */
static int try_address(struct hs_net *n, const struct addrinfo *a, int64_t deadline)
{
	int fd, err = 0, one = 1;
	socklen_t len = sizeof(err);
	struct pollfd p;

	fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
	if (fd < 0)
		return errno;
	/* Small writes (AT commands, a keystroke) must not wait for more. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			err = errno;
			close(fd);
			return err;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		for (;;) {
			int r = poll(&p, 1, hs_remaining(deadline));
			if (r > 0)
				break;
			if (r == 0 || errno != EINTR) {
				close(fd);
				return r == 0 ? ETIMEDOUT : errno;
			}
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err) {
			close(fd);
			return err;
		}
	}
	n->fd = fd;
	return 0;
}

int hs_net_connect(struct hs_net *n, const char *host, const char *port, int64_t deadline)
{
	struct addrinfo *list = NULL;
	int rc, err = 0;

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	snprintf(n->peer, sizeof(n->peer), strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
	if ((rc = resolve(n, host, port, deadline, &list)) < 0)
		return rc;
	for (struct addrinfo *a = list; a && n->fd < 0; a = a->ai_next)
		if ((err = try_address(n, a, deadline)) == ETIMEDOUT || hs_remaining(deadline) == 0)
			break;
	freeaddrinfo(list);
	if (n->fd >= 0)
		return HS_OK;
	if (err == ETIMEDOUT || err == 0)
		return hs_fail(HS_ERR_TIMEOUT, "%s did not accept the connection before the deadline",
			       n->peer);
	return conn_error(n, err, "connect");
}

/* ---- bytes ------------------------------------------------------------ */

int hs_net_wait(struct hs_net *n, short events, int64_t deadline, short *got)
{
	int rc;

	if (n->failed)
		return hs_net_gone(n);
	rc = hs_poll_until(n->fd, events, deadline, got);
	return rc < 0 ? conn_error(n, -rc, "poll") : rc;
}

int hs_net_send(struct hs_net *n, const void *buf, size_t len)
{
	ssize_t r;

	if (n->failed)
		return hs_net_gone(n);
	if (len == 0)
		return 0;
	/* MSG_NOSIGNAL: a closed peer is an error to report, not SIGPIPE */
	while ((r = send(n->fd, buf, len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (r >= 0) {
		n->sent += (uint64_t)r;
		return (int)r;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return failed(n, conn_error(n, errno, "send"));
}

int hs_net_recv(struct hs_net *n, void *buf, size_t len)
{
	ssize_t r;

	if (n->failed)
		return hs_net_gone(n);
	while ((r = recv(n->fd, buf, len, MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	if (r > 0)
		return (int)r;
	if (r == 0)
		return failed(n, hs_fail(HS_ERR_CONN_CLOSED, "connection closed by %s", n->peer));
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return failed(n, conn_error(n, errno, "receive"));
}

int hs_net_drain(struct hs_net *n, int64_t deadline)
{
	for (;;) {
		int queued = 0, err = 0;
		socklen_t len = sizeof(err);

		if (n->failed)
			return hs_net_gone(n);
		/* a reset while we wait says so here, not in a send */
		if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
			return failed(n, conn_error(n, err, "drain"));
		if (ioctl(n->fd, SIOCOUTQ, &queued) != 0)
			return conn_error(n, errno, "drain");
		if (queued <= 0)
			return HS_OK;
		if (hs_remaining(deadline) == 0)
			return hs_fail(HS_ERR_TIMEOUT,
				       "%s has not acknowledged the last %d bytes sent by the deadline",
				       n->peer, queued);
		hs_nap(DRAIN_POLL_MS, deadline);
	}
}

/* Closing with input unread makes the kernel reset the connection, and
 * a server that is reset drops what it had not written to its port yet
 * (ser2net does). So: say we are done (FIN after the last byte), take
 * what the server still sends until it closes too or the deadline, and
 * only then close. */
void hs_net_close(struct hs_net *n, int64_t deadline)
{
	char junk[4096];
	struct pollfd p = { .fd = n->fd, .events = POLLIN };

	if (n->fd < 0)
		return;
	if (!n->failed && shutdown(n->fd, SHUT_WR) == 0) {
		while (hs_remaining(deadline) > 0) {
			ssize_t r = recv(n->fd, junk, sizeof(junk), MSG_DONTWAIT);
			if (r > 0)
				continue;
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				break;
			if (poll(&p, 1, hs_remaining(deadline)) < 0 && errno != EINTR)
				break;
		}
	}
	close(n->fd);
	n->fd = -1;
}
