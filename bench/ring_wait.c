/*
 * ring_wait.c - benchmark: one process waits for RING on many modems at
 * once (hs_link_fd + poll(), hs_at_poll when a port is readable). While
 * nothing happens this must cost no wakeups at all; when a call comes in,
 * about one wakeup per RING line.
 *
 * usage: ring_wait SECONDS TOTAL DEVICE...
 * Opens each DEVICE (URIs: the lab's ports), then quiet ptys of its own
 * until TOTAL links wait: the lab holds at most LAB_MAX_PORTS ports, and
 * umockdev's preload tracks at most 50 emulated fds in one process (its
 * FD_MAP_MAX), so 64 lab ports in one process cannot be had today. A pty
 * link goes through the same hs_link/hs_at code, minus libserialport.
 * Waits SECONDS in all, counting poll() wakeups and the URCs delivered.
 * The lab (bench/ring_wait.sh) rings one port a few times part-way, so
 * the same run measures the reference: the wakeups a real event costs.
 * Without the lab, RING_WAIT_PTY_RING=SECS makes a child process play
 * three RINGs on the last pty, SECS after the wait starts.
 * Exit 0 when no wakeup came before the first call, 1 when some did, 2 on
 * errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handshake/at.h"
#include "handshake/error.h"
#include "handshake/link.h"

#define MAX_PORTS 256

struct port {
	struct hs_link *link;
	struct hs_at *at;
	int master;       /* our own pty's master side, -1 for lab ports */
	long rings;       /* RING URCs this port delivered */
	long urcs;        /* URCs of any kind (RING, caller ID, ...) */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_urc(void *ctx, const struct hs_at_urc *u)
{
	struct port *p = ctx;
	if (u->kind == HS_URC_RING)
		p->rings++;
	p->urcs++;
}

/* A pty nobody writes to: a quiet modem line. Its URI goes to uri. */
static int quiet_pty(char *uri, size_t cap)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		perror("ring_wait: posix_openpt");
		if (m >= 0)
			close(m);
		return -1;
	}
	snprintf(uri, cap, "serial:%s", ptsname(m));
	return m;
}

/* The far end of a quiet pty rings: a separate process, so its timers
 * are not our wakeups. Returns its pid, or -1. */
static pid_t ring_later(int master, double after_s)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	for (int i = 0; i < 3; i++) {
		double d = i ? 0.5 : after_s;
		struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };
		nanosleep(&ts, NULL);
		if (write(master, "\r\nRING\r\n", 8) != 8)
			_exit(1);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	static struct port ports[MAX_PORTS];
	static struct pollfd fds[MAX_PORTS];
	long wakeups = 0, idle_wakeups = 0, wasted = 0, rings = 0, urcs = 0;
	int n = 0, nlab = argc - 3, total, rc = 2;
	int64_t start, end, first_urc = -1;
	double secs;

	total = argc > 2 ? atoi(argv[2]) : 0;
	if (argc < 3 || nlab > total || total > MAX_PORTS || atof(argv[1]) <= 0) {
		fprintf(stderr, "usage: ring_wait SECONDS TOTAL DEVICE... (TOTAL <= %d)\n",
			MAX_PORTS);
		return 2;
	}
	secs = atof(argv[1]);
	for (int i = 0; i < total; i++, n++) {
		char uri[128];
		ports[i].master = -1;
		if (i < nlab)
			snprintf(uri, sizeof(uri), "%s", argv[i + 3]);
		else if ((ports[i].master = quiet_pty(uri, sizeof(uri))) < 0)
			goto out;
		if (hs_link_open(&ports[i].link, uri) != HS_OK ||
		    hs_at_open(&ports[i].at, ports[i].link) != HS_OK) {
			fprintf(stderr, "ring_wait: %s\n", hs_last_error());
			n = i + 1;
			goto out;
		}
		hs_at_set_urc_handler(ports[i].at, on_urc, &ports[i]);
		fds[i] = (struct pollfd){ .fd = hs_link_fd(ports[i].link), .events = POLLIN };
	}
	const char *pty_ring = getenv("RING_WAIT_PTY_RING");
	pid_t ringer = -1;
	if (pty_ring && n > nlab && (ringer = ring_later(ports[n - 1].master, atof(pty_ring))) < 0) {
		perror("ring_wait: fork");
		goto out;
	}
	start = now_ms();
	end = start + (int64_t)(secs * 1000);
	for (int64_t t = start; t < end; t = now_ms()) {
		int r = poll(fds, (nfds_t)n, (int)(end - t));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("ring_wait: poll");
			goto out;
		}
		if (r == 0)
			break;      /* the deadline: not a wakeup */
		wakeups++;
		long before = urcs;
		for (int i = 0; i < n; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				fprintf(stderr, "ring_wait: port %d went away\n", i);
				goto out;
			}
			long had_r = ports[i].rings, had_u = ports[i].urcs;
			hs_at_poll(ports[i].at, 0);
			rings += ports[i].rings - had_r;
			urcs += ports[i].urcs - had_u;
		}
		/* before the first URC nothing has happened: any wakeup then
		 * is the cost of waiting; later, one that delivered nothing
		 * (half a line, say) is waste but not idle */
		if (first_urc < 0 && urcs == before)
			idle_wakeups++;
		else if (urcs == before)
			wasted++;
		if (first_urc < 0 && urcs > before)
			first_urc = now_ms();
	}
	int64_t stop = now_ms();
	if (ringer > 0)
		waitpid(ringer, NULL, 0);
	double took = (double)(stop - start) / 1000.0;
	double idle = (double)((first_urc > 0 ? first_urc : stop) - start) / 1000.0;
	double busy = took - idle;
	printf("ring_wait: %d links in one process (%d lab ports, %d ptys) for %.1f s\n",
	       n, nlab, n - nlab, took);
	printf("  idle   %5.1f s before the first call: %ld wakeups, %.2f per second\n",
	       idle, idle_wakeups, idle > 0 ? (double)idle_wakeups / idle : 0.0);
	if (urcs > 0 && busy > 0)
		printf("  active %5.1f s (reference): %ld wakeups for %ld RINGs, %ld URCs"
		       " (%.2f wakeups per URC, %.2f per second)\n",
		       busy, wakeups - idle_wakeups, rings, urcs,
		       (double)(wakeups - idle_wakeups) / (double)urcs,
		       (double)(wakeups - idle_wakeups) / busy);
	else
		printf("  active: no call arrived, nothing to compare with\n");
	printf("  ratio idle/active wakeup rate: %.3f (%ld wakeups delivered nothing)\n",
	       busy > 0 && wakeups > idle_wakeups && idle > 0
		       ? ((double)idle_wakeups / idle) /
			 ((double)(wakeups - idle_wakeups) / busy)
		       : 0.0,
	       idle_wakeups + wasted);
	rc = idle_wakeups == 0 && rings > 0 ? 0 : 1;
out:
	for (int i = 0; i < n; i++) {
		hs_at_free(ports[i].at);
		hs_link_close(ports[i].link);
		if (ports[i].master >= 0)
			close(ports[i].master);
	}
	return rc;
}
