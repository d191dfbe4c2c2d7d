/*
 * net_rtt.c - benchmark helper: the round trip of one byte through a
 * network serial port to the lab's modem in data mode (its loopback far
 * end sends every byte back), either through an rfc2217:// link or a bare
 * TCP socket to a raw port: what socat does, with no protocol at all.
 *
 *   net_rtt link URI ROUNDS        through hs_link (rfc2217://, tcp://)
 *   net_rtt raw HOST PORT ROUNDS   through a plain socket
 *   net_rtt notify ROUNDS          hs_link_wait_signals against a stub
 *                                  server in a thread: from its
 *                                  NOTIFY-MODEMSTATE to the wake-up
 *
 * link and raw dial ATD1 first. Prints "median_us MEDIAN mean_us MEAN
 * max_us MAX". Exit 0, or 2 when the port fails. bench/net_link.sh runs
 * it.
 */
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "handshake/error.h"
#include "handshake/link.h"

static struct hs_link *link_;
static int fd_ = -1;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int put(const void *buf, size_t n)
{
	if (link_)
		return hs_link_write(link_, buf, n, 2000, NULL) == HS_OK ? 0 : -1;
	return send(fd_, buf, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static int get(void *buf, size_t n)
{
	struct pollfd p = { .fd = fd_, .events = POLLIN };

	if (link_)
		return hs_link_read(link_, buf, n, 2000);
	if (poll(&p, 1, 2000) != 1)
		return -1;
	return (int)recv(fd_, buf, n, 0);
}

static int expect(const char *text)
{
	char buf[512];
	size_t have = 0;

	while (!memmem(buf, have, text, strlen(text))) {
		int n = get(buf + have, sizeof(buf) - have);
		if (n <= 0 || (have += (size_t)n) == sizeof(buf))
			return -1;
	}
	return 0;
}

static int connect_raw(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int one = 1;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	fd_ = socket(ai->ai_family, SOCK_STREAM, 0);
	setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd_, ai->ai_addr, ai->ai_addrlen) != 0)
		fd_ = -1;
	freeaddrinfo(ai);
	return fd_ < 0 ? -1 : 0;
}

/* ---- notify: the stub server ------------------------------------------ */

static int stub_lfd, stub_ready[2];
static _Atomic int64_t sent_at;

/* Answer like a server: agree to COM-PORT-OPTION and BINARY, echo every
 * request back as its answer (enough for the link's open), then on each
 * byte from the main thread flip DCD in a NOTIFY-MODEMSTATE. */
static void *stub(void *arg)
{
	int fd = accept(stub_lfd, NULL, NULL), dcd = 0;
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
			       { .fd = stub_ready[0], .events = POLLIN } };
	unsigned char buf[512];
	(void)arg;

	send(fd, "\xFF\xFD\x2C\xFF\xFB\x00\xFF\xFD\x00", 9, 0);
	while (poll(p, 2, 5000) > 0) {
		if (p[0].revents) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
			/* IAC SB 44 cmd value... IAC SE: answer cmd + 100 */
			for (ssize_t i = 0; i + 3 < n; i++)
				if (buf[i] == 0xFF && buf[i + 1] == 0xFA && buf[i + 2] == 0x2C) {
					unsigned char *e = memchr(buf + i, 0xF0, (size_t)(n - i));
					if (!e)
						break;
					buf[i + 3] += 100;
					send(fd, buf + i, (size_t)(e - (buf + i)) + 1, 0);
				}
		}
		if (p[1].revents) {
			unsigned char note[] = { 0xFF, 0xFA, 0x2C, 107, 0, 0xFF, 0xF0 };
			char c;
			if (read(stub_ready[0], &c, 1) != 1)
				break;
			/* the main thread is about to wait: give it time to */
			poll(NULL, 0, 2);
			dcd = !dcd;
			note[4] = (unsigned char)(dcd ? 0x88 : 0x08);
			atomic_store(&sent_at, now_ns());
			send(fd, note, sizeof(note), 0);
		}
	}
	close(fd);
	return NULL;
}

static int notify_rounds(int rounds, int64_t *t)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char uri[64];
	pthread_t th;

	stub_lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(stub_lfd, (struct sockaddr *)&a, sizeof(a)) || listen(stub_lfd, 1) ||
	    getsockname(stub_lfd, (struct sockaddr *)&a, &len) || pipe(stub_ready))
		return -1;
	pthread_create(&th, NULL, stub, NULL);
	snprintf(uri, sizeof(uri), "rfc2217://127.0.0.1:%d", ntohs(a.sin_port));
	if (hs_link_open(&link_, uri) != HS_OK) {
		fprintf(stderr, "net_rtt: %s\n", hs_last_error());
		return -1;
	}
	for (int i = 0; i < rounds; i++) {
		int before = hs_link_signals(link_);
		int64_t give_up = now_ns() + 2000000000LL;

		if (before < 0 || write(stub_ready[1], "n", 1) != 1)
			return -1;
		/* hs_link_wait_signals waits for a change from the lines as
		 * it finds them: a notification that came before it looked
		 * (this thread descheduled past the stub's 2 ms) is a change
		 * it never sees. Waits in short slices, against the lines
		 * before the request, catch that round too. */
		for (;;) {
			int now = hs_link_signals(link_);

			if (now < 0 || now_ns() > give_up)
				return -1;
			if ((now ^ before) & HS_SIG_DCD)
				break;
			now = hs_link_wait_signals(link_, HS_SIG_DCD, 20);
			if (now >= 0)
				break;
			if (now != HS_ERR_TIMEOUT)
				return -1;
		}
		t[i] = now_ns() - atomic_load(&sent_at);
	}
	hs_link_close(link_);
	link_ = NULL;
	close(stub_ready[1]);
	pthread_join(th, NULL);
	return 0;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int link = argc == 4 && !strcmp(argv[1], "link");
	int notify = argc == 3 && !strcmp(argv[1], "notify");
	int rounds = atoi(argv[argc - 1]);
	int64_t *t, sum = 0;

	if ((!link && !notify && !(argc == 5 && !strcmp(argv[1], "raw"))) || rounds < 1) {
		fprintf(stderr, "usage: net_rtt link URI ROUNDS | raw HOST PORT ROUNDS | notify ROUNDS\n");
		return 64;
	}
	t = calloc((size_t)rounds, sizeof(*t));
	if (notify) {
		if (notify_rounds(rounds, t) < 0) {
			fprintf(stderr, "net_rtt: the notify rounds failed\n");
			return 2;
		}
	} else {
		if (link ? hs_link_open(&link_, argv[2]) != HS_OK
			 : connect_raw(argv[2], argv[3]) != 0) {
			fprintf(stderr, "net_rtt: cannot connect: %s\n", link ? hs_last_error() : argv[2]);
			return 2;
		}
		if (put("ATD1\r", 5) || expect("CONNECT")) {
			fprintf(stderr, "net_rtt: the modem did not connect\n");
			return 2;
		}
		for (int i = 0; i < rounds; i++) {
			char c;
			int64_t t0 = now_ns();
			if (put("x", 1) || get(&c, 1) != 1 || c != 'x') {
				fprintf(stderr, "net_rtt: round %d failed\n", i);
				return 2;
			}
			t[i] = now_ns() - t0;
		}
		if (link_)
			hs_link_close(link_);
		else
			close(fd_);
	}
	for (int i = 0; i < rounds; i++)
		sum += t[i];
	qsort(t, (size_t)rounds, sizeof(*t), cmp64);
	printf("median_us %.1f mean_us %.1f max_us %.1f\n", t[rounds / 2] / 1e3,
	       sum / 1e3 / rounds, t[rounds - 1] / 1e3);
	free(t);
	return 0;
}
