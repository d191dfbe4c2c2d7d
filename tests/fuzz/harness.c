/*
 * harness.c - the fuzz harnesses' shared helpers (see harness.h): checks,
 * records, a raw pty pair and a scripted device thread on its master.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "clock.h"
#include "handshake/at.h"
#include "harness.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: invariant broken: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

int fuzz_terminated(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

int fuzz_printable(const char *s, size_t cap)
{
	const char *end = memchr(s, 0, cap);

	if (!end)
		return 0;
	for (; s < end; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

void fuzz_check_connect(const struct hs_at_connect *c)
{
	FUZZ_CHECK(fuzz_terminated(c->suffix, sizeof(c->suffix)), "suffix");
	FUZZ_CHECK(fuzz_terminated(c->protocol, sizeof(c->protocol)), "protocol");
	FUZZ_CHECK(fuzz_terminated(c->compression, sizeof(c->compression)), "compression");
	FUZZ_CHECK(fuzz_terminated(c->modulation, sizeof(c->modulation)), "modulation");
	FUZZ_CHECK(c->speed >= 0 && c->carrier >= 0, "speed %ld carrier %ld", c->speed,
		   c->carrier);
}

void fuzz_records_init(struct fuzz_records *r, const uint8_t *data, size_t size)
{
	r->p = data;
	r->left = size;
	r->done = 0;
}

int fuzz_record(struct fuzz_records *r, const uint8_t **rec, size_t *len)
{
	const uint8_t *rs;

	if (r->done)
		return 0;
	rs = r->left ? memchr(r->p, FUZZ_RS, r->left) : NULL;
	*rec = r->p;
	if (!rs) {
		*len = r->left;
		r->done = 1;
		return 1;
	}
	*len = (size_t)(rs - r->p);
	r->left -= *len + 1;
	r->p = rs + 1;
	return 1;
}

char *fuzz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

/* ---- pty -------------------------------------------------------------- */

static void raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) != 0)
		abort();
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		abort();
}

void fuzz_pty_open(struct fuzz_pty *p)
{
	if (openpty(&p->master, &p->slave, NULL, NULL, NULL) != 0) {
		perror("fuzz: openpty");
		abort();
	}
	raw(p->master);
	raw(p->slave);
	fcntl(p->master, F_SETFL, O_NONBLOCK);
	fcntl(p->master, F_SETFD, FD_CLOEXEC);
	fcntl(p->slave, F_SETFD, FD_CLOEXEC);
	snprintf(p->uri, sizeof(p->uri), "fd:%d,%d", p->slave, p->slave);
}

void fuzz_pty_close(struct fuzz_pty *p)
{
	if (p->master >= 0)
		close(p->master);
	if (p->slave >= 0)
		close(p->slave);
	p->master = p->slave = -1;
}

static void drop_input(int master)
{
	char junk[4096];

	while (read(master, junk, sizeof(junk)) > 0)
		;
}

/* drop: read and discard what the host sends while waiting to write */
static size_t write_all(struct fuzz_pty *p, const void *buf, size_t n, int timeout_ms,
			int drop)
{
	int64_t deadline = hs_deadline(timeout_ms);
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(p->master, (const char *)buf + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;
		struct pollfd f = { .fd = p->master, .events = drop ? POLLOUT | POLLIN : POLLOUT };
		if (hs_remaining(deadline) == 0 || poll(&f, 1, hs_remaining(deadline)) < 0)
			break;
		if (drop)
			drop_input(p->master);
	}
	return done;
}

size_t fuzz_pty_write(struct fuzz_pty *p, const void *buf, size_t n, int timeout_ms)
{
	return write_all(p, buf, n, timeout_ms, 1);
}

int fuzz_pty_consumed(struct fuzz_pty *p, int timeout_ms)
{
	int64_t deadline = hs_deadline(timeout_ms);

	for (;;) {
		int queued = 0;
		drop_input(p->master);
		if (ioctl(p->slave, FIONREAD, &queued) != 0 || queued == 0)
			return 1;
		if (hs_remaining(deadline) == 0)
			return 0;
		hs_nap(1, deadline);
	}
}

/* ---- the scripted device ---------------------------------------------- */

struct reply {
	struct reply *next;
	size_t len;
	unsigned char bytes[];
};

struct fuzz_peer {
	struct fuzz_pty *pty;
	pthread_t thread;
	int stop[2];               /* a pipe: readable once stopping */
	pthread_mutex_t lock;      /* protects the list and writes to master */
	struct reply *head, **tail;
};

/* Writes to the master give up after this: the host may have stopped
 * reading (its call returned early) and a full pty must not hang us. */
#define PEER_WRITE_MS 200
/* A burst that does not end in CR may have more coming. */
#define BURST_GAP_MS 2

/* Not dropping what the host sends meanwhile: that is the next command. */
static void peer_write(struct fuzz_peer *peer, const void *buf, size_t n)
{
	write_all(peer->pty, buf, n, PEER_WRITE_MS, 0);
}

static void *peer_main(void *arg)
{
	struct fuzz_peer *peer = arg;
	unsigned char buf[4096];

	for (;;) {
		struct pollfd f[2] = {
			{ .fd = peer->pty->master, .events = POLLIN },
			{ .fd = peer->stop[0], .events = POLLIN },
		};
		size_t got = 0;

		if (poll(f, 2, -1) < 0 && errno != EINTR)
			break;
		if (f[1].revents)
			break;
		if (!(f[0].revents & POLLIN)) {
			if (f[0].revents)
				break; /* hung up: nobody to answer */
			continue;
		}
		/* the whole burst: up to its CR, or until it pauses */
		for (;;) {
			ssize_t n = read(peer->pty->master, buf, sizeof(buf));
			if (n > 0) {
				got += (size_t)n;
				if (buf[n - 1] == '\r')
					break;
				continue;
			}
			struct pollfd g = { .fd = peer->pty->master, .events = POLLIN };
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
			    poll(&g, 1, BURST_GAP_MS) <= 0)
				break;
		}
		if (!got)
			continue;
		pthread_mutex_lock(&peer->lock);
		struct reply *r = peer->head;
		if (r) {
			peer->head = r->next;
			if (!peer->head)
				peer->tail = &peer->head;
			peer_write(peer, r->bytes, r->len);
			free(r);
		}
		pthread_mutex_unlock(&peer->lock);
	}
	return NULL;
}

struct fuzz_peer *fuzz_peer_start(struct fuzz_pty *p)
{
	struct fuzz_peer *peer = calloc(1, sizeof(*peer));

	if (!peer || pipe(peer->stop) != 0)
		abort();
	peer->pty = p;
	peer->tail = &peer->head;
	pthread_mutex_init(&peer->lock, NULL);
	if (pthread_create(&peer->thread, NULL, peer_main, peer) != 0)
		abort();
	return peer;
}

void fuzz_peer_reply(struct fuzz_peer *peer, const void *buf, size_t n)
{
	struct reply *r = malloc(sizeof(*r) + n);

	if (!r)
		abort();
	r->next = NULL;
	r->len = n;
	memcpy(r->bytes, buf, n);
	pthread_mutex_lock(&peer->lock);
	*peer->tail = r;
	peer->tail = &r->next;
	pthread_mutex_unlock(&peer->lock);
}

int fuzz_peer_pending(struct fuzz_peer *peer)
{
	int n = 0;

	pthread_mutex_lock(&peer->lock);
	for (struct reply *r = peer->head; r; r = r->next)
		n++;
	pthread_mutex_unlock(&peer->lock);
	return n;
}

void fuzz_peer_send(struct fuzz_peer *peer, const void *buf, size_t n)
{
	pthread_mutex_lock(&peer->lock);
	peer_write(peer, buf, n);
	pthread_mutex_unlock(&peer->lock);
}

void fuzz_peer_stop(struct fuzz_peer *peer)
{
	if (write(peer->stop[1], "", 1) != 1)
		abort();
	pthread_join(peer->thread, NULL);
	while (peer->head) {
		struct reply *r = peer->head;
		peer->head = r->next;
		free(r);
	}
	close(peer->stop[0]);
	close(peer->stop[1]);
	pthread_mutex_destroy(&peer->lock);
	free(peer);
}
