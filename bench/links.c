/*
 * links.c - benchmark: many links in one process, as a server holding
 * 48 console ports or a bank of modems waiting for calls would: open
 * them, wait for RING on all of them at once (hs_link_fd + poll(),
 * hs_at_poll when a port is readable), and count what waiting costs.
 * While nothing happens that must be nothing at all; a RING costs about
 * one wake-up per line, the reference in the same run.
 *
 * usage: links SECONDS TOTAL [DEVICE...]
 *        links --fill [DEVICE]   open ptys until the process runs out of
 *                                descriptors; print the error
 * Opens each DEVICE (the lab's ports), then ptys of its own (a pty pair:
 * the link on the slave, the master kept here as the far end) until
 * TOTAL links wait; the lab serves at most 8 ports, and umockdev's
 * preload tracks at most 50 emulated descriptors in one process. The
 * soft descriptor limit is raised to the hard one first, as a program
 * that holds many ports must. Then it waits SECONDS, counting poll()
 * wake-ups and this process's voluntary context switches. Under the lab,
 * the lab rings a port (bench/links.sh); without one, LINKS_RING=SECS
 * makes a child play three RINGs on the last pty SECS after the wait
 * starts. Prints one line:
 *   links N open_us X kib Y idle_s S idle_wakeups W idle_switches C
 *   rings R ring_wakeups RW
 * (open_us and kib per link; idle_* before the first URC). Exit 0, or 2
 * on errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handshake/at.h"
#include "handshake/error.h"
#include "handshake/link.h"

struct port {
	struct hs_link *link;
	struct hs_at *at;
	int master;       /* our own pty's master side, -1 for lab ports */
	long rings;       /* RING URCs this port delivered */
	long urcs;        /* URCs of any kind (RING, caller ID, ...) */
};

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* resident memory in KiB */
static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static long switches(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw;
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
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		fprintf(stderr, "links: a pty: %s\n", strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	snprintf(uri, cap, "serial:%s", ptsname(m));
	return m;
}

/* The far end of a quiet pty rings: a separate process, so its timers
 * are not our wake-ups. Returns its pid, or -1. */
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

static void raise_fd_limit(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

/* 0, or the hs_err of the open that failed */
static int open_port(struct port *p, const char *uri)
{
	int rc = hs_link_open(&p->link, uri);

	if (rc == HS_OK)
		rc = hs_at_open(&p->at, p->link);
	if (rc == HS_OK)
		hs_at_set_urc_handler(p->at, on_urc, p);
	return rc;
}

static void close_port(struct port *p)
{
	hs_at_free(p->at);
	hs_link_close(p->link);
	if (p->master >= 0)
		close(p->master);
}

/* Open ptys until it fails; print how many and the library's words. */
static int fill(void)
{
	struct port *ports = NULL;
	int n = 0, cap = 0, rc = 2;

	for (;;) {
		char uri[128];
		if (n == cap) {
			struct port *more = realloc(ports, sizeof(*ports) * (size_t)(cap = cap ? 2 * cap : 64));
			if (!more)
				break;
			ports = more;
		}
		memset(&ports[n], 0, sizeof(ports[n]));
		if ((ports[n].master = quiet_pty(uri, sizeof(uri))) < 0) {
			printf("links %d: the bench's own pty failed\n", n);
			break;
		}
		int err = open_port(&ports[n], uri);
		if (err < 0) {
			printf("links %d: %s: %s\n", n, hs_err_name(err), hs_last_error());
			rc = 0;
			hs_at_free(ports[n].at);
			hs_link_close(ports[n].link);
			close(ports[n].master);
			break;
		}
		n++;
	}
	for (int i = 0; i < n; i++)
		close_port(&ports[i]);
	free(ports);
	return rc;
}

int main(int argc, char **argv)
{
	struct port *ports;
	struct pollfd *fds;
	long wakeups = 0, idle_wakeups = 0, rings = 0, urcs = 0, csw0, csw_idle = -1;
	int n = 0, nlab = argc - 3, total, rc = 2;
	int64_t start, end, first_urc = -1, t0;
	long kib0;
	double secs;

	if (argc >= 2 && !strcmp(argv[1], "--fill"))
		return fill();
	total = argc > 2 ? atoi(argv[2]) : 0;
	if (argc < 3 || nlab > total || total < 1 || total > 100000 || atof(argv[1]) <= 0) {
		fprintf(stderr, "usage: links SECONDS TOTAL [DEVICE...] | links --fill\n");
		return 2;
	}
	secs = atof(argv[1]);
	raise_fd_limit();
	ports = calloc((size_t)total, sizeof(*ports));
	fds = calloc((size_t)total, sizeof(*fds));
	if (!ports || !fds) {
		fprintf(stderr, "links: out of memory\n");
		return 2;
	}
	kib0 = rss_kib();
	t0 = now_us();
	for (int i = 0; i < total; i++, n++) {
		char uri[128];
		ports[i].master = -1;
		if (i < nlab)
			snprintf(uri, sizeof(uri), "%s", argv[i + 3]);
		else if ((ports[i].master = quiet_pty(uri, sizeof(uri))) < 0)
			goto out;
		if (open_port(&ports[i], uri) < 0) {
			fprintf(stderr, "links: link %d: %s\n", i, hs_last_error());
			n = i + 1;
			goto out;
		}
		fds[i] = (struct pollfd){ .fd = hs_link_fd(ports[i].link), .events = POLLIN };
	}
	double open_us = (double)(now_us() - t0) / total;
	double kib = (double)(rss_kib() - kib0) / total;
	const char *pty_ring = getenv("LINKS_RING");
	pid_t ringer = -1;
	if (pty_ring && n > nlab && (ringer = ring_later(ports[n - 1].master, atof(pty_ring))) < 0) {
		perror("links: fork");
		goto out;
	}
	csw0 = switches();
	start = now_us();
	end = start + (int64_t)(secs * 1e6);
	for (int64_t t = start; t < end; t = now_us()) {
		int r = poll(fds, (nfds_t)n, (int)((end - t + 999) / 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("links: poll");
			goto out;
		}
		if (r == 0)
			break;      /* the deadline: not a wake-up */
		wakeups++;
		long before = urcs;
		for (int i = 0; i < n; i++) {
			if (!fds[i].revents)
				continue;
			if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				fprintf(stderr, "links: port %d went away\n", i);
				goto out;
			}
			long had_r = ports[i].rings, had_u = ports[i].urcs;
			hs_at_poll(ports[i].at, 0);
			rings += ports[i].rings - had_r;
			urcs += ports[i].urcs - had_u;
		}
		/* before the first URC nothing has happened: any wake-up then
		 * is the cost of waiting */
		if (first_urc < 0 && urcs == before)
			idle_wakeups++;
		if (first_urc < 0 && urcs > before) {
			first_urc = now_us();
			csw_idle = switches() - csw0 - 1;
		}
	}
	int64_t stop = now_us();
	if (csw_idle < 0)
		csw_idle = switches() - csw0;
	if (ringer > 0)
		waitpid(ringer, NULL, 0);
	double idle = (double)((first_urc > 0 ? first_urc : stop) - start) / 1e6;
	printf("links %d open_us %.1f kib %.2f idle_s %.2f idle_wakeups %ld idle_switches %ld"
	       " rings %ld ring_wakeups %ld\n", n, open_us, kib, idle, idle_wakeups,
	       csw_idle < 0 ? 0 : csw_idle, rings, wakeups - idle_wakeups);
	rc = 0;
out:
	for (int i = 0; i < n; i++)
		close_port(&ports[i]);
	free(ports);
	free(fds);
	return rc;
}
