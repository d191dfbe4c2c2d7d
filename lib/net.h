/*
 * net.h - private: a TCP connection to a network serial port (ser2net, a
 * console server): resolve and connect within a deadline, move bytes
 * without ever blocking past one, and name host:port in every error.
 * Shared by tcp.c (raw bytes) and rfc2217.c (Telnet COM-PORT-OPTION).
 *
 * Counting: what the socket took is not what the server received. While
 * the connection is up the transports report no queue (the socket's
 * queue is not the device's); once it has failed, hs_net_unacked() says
 * how many of the bytes sent the server never acknowledged, so a caller
 * can count only what the server really got.
 */
#ifndef HS_NET_H
#define HS_NET_H

#include <stddef.h>
#include <stdint.h>

struct hs_net {
	int fd;               /* the socket, non-blocking; -1 when closed */
	char peer[280];       /* "host:port" or "[v6]:port", for messages */
	uint64_t sent;        /* bytes the socket took, ever */
	int failed;           /* 0, or the enum hs_err the connection ended with */
	uint64_t unacked;     /* once failed: sent bytes never acknowledged */
	char why[200];        /* once failed: the message, for later calls */
};

/* Resolve host (a name, an IPv4 or IPv6 literal without brackets) and
 * connect to port, trying each address, all before the deadline. peer is
 * set first, so a failure names it. */
int hs_net_connect(struct hs_net *n, const char *host, const char *port,
		   int64_t deadline);

/* Wait until the socket is ready for events (POLLIN, POLLOUT) or the
 * deadline: 1 ready (*got has the revents), 0 timed out, < 0 error. */
int hs_net_wait(struct hs_net *n, short events, int64_t deadline, short *got);

/* Send up to len bytes without waiting: the count taken (0 when the
 * socket is full), or the connection's error. */
int hs_net_send(struct hs_net *n, const void *buf, size_t len);

/* Receive up to len bytes without waiting: the count (0 when nothing is
 * there), or the connection's error (HS_ERR_CONN_CLOSED at the end). */
int hs_net_recv(struct hs_net *n, void *buf, size_t len);

/* Wait until the server acknowledged every byte sent. */
int hs_net_drain(struct hs_net *n, int64_t deadline);

/* Once failed, every call gets the same error and message: this. */
int hs_net_gone(struct hs_net *n);

/* End the connection cleanly: FIN after the last byte, then take what
 * the server still sends until it closes too or the deadline passes. */
void hs_net_close(struct hs_net *n, int64_t deadline);

/* How long opening a network link may take: resolving, connecting and,
 * on rfc2217:// links, the Telnet negotiation and line settings. */
#define HS_NET_OPEN_MS 5000
/* How long closing waits for the server to finish and close its side. */
#define HS_NET_CLOSE_MS 2000

/* For tcp.c and rfc2217.c: connect n (part of the transport's state) to
 * the URI's host and port before the deadline, and name the link after
 * it; what says what kind of port it is ("raw TCP port"). */
struct hs_link;
struct hs_uri;
int hs_net_link_open(struct hs_link *link, struct hs_net *n, const struct hs_uri *uri,
		     const char *what, int64_t deadline);

#endif
