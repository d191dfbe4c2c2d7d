/*
 * modemsim.h - test helper: a scripted modem on the master side of a
 * ptypair, run in a thread while the test calls the library. Each step
 * expects exact bytes from the library (within a deadline), sends bytes,
 * checks a silence, or waits for the test to say go. The first mismatch
 * is recorded and ends the script; sim_finish() fails the test with it.
 *
 * The functions are static in this header because the unit-test build
 * links each test with ptypair.o only.
 */
#ifndef HS_TEST_MODEMSIM_H
#define HS_TEST_MODEMSIM_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake/modem.h"
#include "clock.h"
#include "ptypair.h"

enum sim_op {
	SIM_END = 0,
	SIM_EXPECT,   /* bytes must arrive, exactly, within ms (0: 3000) */
	SIM_SEND,     /* write bytes (len, or strlen) */
	SIM_SILENT,   /* nothing may arrive for ms */
	SIM_GO,       /* wait (up to 10 s) until the test calls sim_go() */
};

struct sim_step {
	enum sim_op op;
	const char *bytes;
	size_t len;         /* 0: strlen(bytes) */
	int ms;
	int min_gap_ms;     /* EXPECT: its first byte at least this long
	                     * after the previous EXPECT's last byte */
};

#define EXPECT(s) { .op = SIM_EXPECT, .bytes = (s) }
#define EXPECT_GAP(s, gap) { .op = SIM_EXPECT, .bytes = (s), .min_gap_ms = (gap) }
#define SEND(s) { .op = SIM_SEND, .bytes = (s) }
#define SENDN(s, n) { .op = SIM_SEND, .bytes = (s), .len = (n) }
#define SILENT(t) { .op = SIM_SILENT, .ms = (t) }
#define GO() { .op = SIM_GO }
#define END() { .op = SIM_END }

struct sim {
	struct ptypair *p;
	const struct sim_step *steps;
	pthread_t thread;
	pthread_mutex_t lock;    /* protects go */
	pthread_cond_t cond;
	int go;                  /* sim_go() calls not yet consumed */
	char failure[512];       /* the first mismatch, "" if none */
	int64_t first_ms, last_ms; /* times of the last EXPECT's bytes */
	int64_t gap_ms[64];      /* per step: measured gap of an EXPECT */
};

static void sim_failf(struct sim *s, int step, const char *fmt, const char *a, const char *b)
{
	snprintf(s->failure, sizeof(s->failure), "step %d: ", step);
	size_t n = strlen(s->failure);
	snprintf(s->failure + n, sizeof(s->failure) - n, fmt, a, b);
}

/* Printable form of bytes for messages. */
static void sim_show(char *out, size_t cap, const char *buf, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\r')
			o += (size_t)snprintf(out + o, cap - o, "\\r");
		else if (c == '\n')
			o += (size_t)snprintf(out + o, cap - o, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = 0;
}

static int sim_expect(struct sim *s, int i, const struct sim_step *st)
{
	size_t n = st->len ? st->len : strlen(st->bytes), got = 0;
	int64_t deadline = hs_deadline(st->ms ? st->ms : 3000), first = 0;
	char buf[8192], a[512], b[512];
	int64_t prev_last = s->last_ms;

	while (got < n) {
		struct pollfd f = { .fd = s->p->master, .events = POLLIN };
		if (poll(&f, 1, hs_remaining(deadline)) <= 0)
			break;
		ssize_t r = read(s->p->master, buf + got, n - got);
		if (r > 0) {
			if (!first)
				first = hs_now_ms();
			got += (size_t)r;
		} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
			break;
		}
	}
	sim_show(a, sizeof(a), st->bytes, n);
	sim_show(b, sizeof(b), buf, got);
	if (got < n || memcmp(buf, st->bytes, n)) {
		sim_failf(s, i, "expected \"%s\", got \"%s\"", a, b);
		return -1;
	}
	s->first_ms = first;
	s->last_ms = hs_now_ms();
	if (i < 64)
		s->gap_ms[i] = first - prev_last;
	if (st->min_gap_ms && first - prev_last < st->min_gap_ms) {
		char g[32], w[32];
		snprintf(g, sizeof(g), "%lld", (long long)(first - prev_last));
		snprintf(w, sizeof(w), "%d", st->min_gap_ms);
		sim_failf(s, i, "silence before it was %s ms, wanted >= %s ms", g, w);
		return -1;
	}
	return 0;
}

static void *sim_main(void *arg)
{
	struct sim *s = arg;

	s->last_ms = hs_now_ms();
	for (int i = 0; s->steps[i].op != SIM_END; i++) {
		const struct sim_step *st = &s->steps[i];
		if (st->op == SIM_EXPECT) {
			if (sim_expect(s, i, st) < 0)
				return NULL;
		} else if (st->op == SIM_SEND) {
			size_t n = st->len ? st->len : strlen(st->bytes), done = 0;
			int64_t deadline = hs_deadline(3000);
			while (done < n && hs_remaining(deadline) > 0) {
				struct pollfd f = { .fd = s->p->master, .events = POLLOUT };
				poll(&f, 1, hs_remaining(deadline));
				ssize_t w = write(s->p->master, st->bytes + done, n - done);
				if (w > 0)
					done += (size_t)w;
			}
			if (done < n) {
				sim_failf(s, i, "could not send all of %s%s", "the reply", "");
				return NULL;
			}
		} else if (st->op == SIM_SILENT) {
			struct pollfd f = { .fd = s->p->master, .events = POLLIN };
			int64_t deadline = hs_deadline(st->ms);
			char c, show[16];
			/* poll() may wake early on EINTR: wait the whole time */
			while (hs_remaining(deadline) > 0) {
				if (poll(&f, 1, hs_remaining(deadline)) > 0 && read(s->p->master, &c, 1) == 1) {
					sim_show(show, sizeof(show), &c, 1);
					sim_failf(s, i, "wanted silence, got \"%s\"%s", show, "");
					return NULL;
				}
			}
		} else if (st->op == SIM_GO) {
			struct timespec ts;
			int rc = 0;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 10;
			pthread_mutex_lock(&s->lock);
			while (!s->go && rc == 0)
				rc = pthread_cond_timedwait(&s->cond, &s->lock, &ts);
			if (s->go)
				s->go--;
			pthread_mutex_unlock(&s->lock);
			if (rc) {
				sim_failf(s, i, "the test never said go%s%s", "", "");
				return NULL;
			}
		}
	}
	return NULL;
}

static void sim_start(struct sim *s, struct ptypair *p, const struct sim_step *steps)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->steps = steps;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	if (pthread_create(&s->thread, NULL, sim_main, s) != 0)
		fail_msg("cannot start the modem thread");
}

static void sim_go(struct sim *s)
{
	pthread_mutex_lock(&s->lock);
	s->go++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Wait for the script to end; fail the test if it did not go to plan. */
static void sim_finish(struct sim *s)
{
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	if (s->failure[0])
		fail_msg("modem script: %s", s->failure);
}

/* A modem (driver d, NULL: matched) on a fresh pty whose far end plays
 * script: the rig test_modem.c and test_modem_drivers.c share. Inline so
 * that test_at.c, which has its own AT-engine rig, need not use it. */
struct modem_rig {
	struct ptypair p;
	struct hs_link *link;
	struct hs_modem *m;
	struct sim sim;
};

static inline struct modem_rig *modem_rig_open(const struct hs_modem_driver *d,
					       const struct sim_step *script)
{
	struct modem_rig *g = calloc(1, sizeof(*g));
	char uri[128];

	assert_non_null(g);
	ptypair_open(&g->p);
	snprintf(uri, sizeof(uri), "serial:%s", g->p.path);
	if (hs_link_open(&g->link, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	assert_int_equal(hs_modem_open(&g->m, g->link, d), HS_OK);
	sim_start(&g->sim, &g->p, script);
	return g;
}

static inline void modem_rig_close(struct modem_rig *g)
{
	hs_modem_free(g->m);
	hs_link_close(g->link);
	ptypair_close(&g->p);
	free(g);
}

#endif
