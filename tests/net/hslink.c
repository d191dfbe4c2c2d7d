/*
 * hslink.c - a scripted link client for the tests: what labhost does with
 * raw termios, this does through libhandshake's link API, so one test can
 * drive any URI (serial, rfc2217://, tcp://) the same way.
 *
 *   hslink URI STEP...
 *
 *   send TEXT               hs_link_write TEXT (C escapes: \r \n \xHH ...)
 *   send-file PATH [SECS]   write PATH's bytes (default deadline 30 s);
 *                           prints "sent N" after the step, also on error
 *   expect TEXT [SECS]      read until TEXT arrived (default 5 s)
 *   recv-file PATH N [SECS] read exactly N bytes into PATH (default 30 s)
 *   poll-expect TEXT [SECS] like expect, but as an event loop does it:
 *                           poll(hs_link_fd) then read with timeout 0
 *   idle MS                 poll hs_link_fd for MS ms; prints "wakeups N"
 *   dtr 0|1, rts 0|1        set a modem line
 *   lines                   print "DTR=. RTS=. CTS=. DSR=. DCD=. RI=."
 *   wait-line NAME 0|1 [SECS]  hs_link_wait_signals until NAME has that
 *                           value (default 5 s)
 *   break MS                send a break
 *   flush in|out|both       hs_link_flush
 *   drain [SECS]            hs_link_drain
 *   set-line BAUD BITS PARITY STOP FLOW   hs_link_set_line
 *   info                    print "transport=T" and the description
 *   pending                 print "pending=N"
 *   mark-errors             hs_link_mark_errors: damaged characters marked
 *   errors                  print the line errors of the last read and
 *                           in all: "last: damaged=N framing=N parity=N
 *                           breaks=N overruns=N counted=0|1", "total: ..."
 * Exit status: 0 every step held, 1 usage, 2 a library call failed (its
 * enum name and message on stderr), 3 an expectation failed.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <handshake/handshake.h>
#include "../lab/unescape.h"

static struct hs_link *link_;
static char heard[1 << 20];   /* received and not yet matched */
static size_t nheard;

static void fail(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "hslink: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(code);
}

static void lib_failed(int rc, const char *what)
{
	fprintf(stderr, "hslink: %s: %s: %s\n", what, hs_err_name(rc), hs_last_error());
	exit(2);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_secs(const char *s)
{
	return s && *s && strspn(s, "0123456789.") == strlen(s);
}

static size_t unescape_into(const char *in, char *out, size_t cap)
{
	if (strlen(in) >= cap)
		fail(1, "step text over %s bytes", "4095");
	return lab_unescape(in, out);
}

/* Take heard up to and including want; 1 if it was there. */
static int take(const char *want, size_t n)
{
	char *hit = memmem(heard, nheard, want, n);
	size_t used;

	if (!hit)
		return 0;
	used = (size_t)(hit - heard) + n;
	memmove(heard, heard + used, nheard - used);
	nheard -= used;
	return 1;
}

static void expect(const char *text, double secs, int event_loop)
{
	char want[4096];
	size_t n = unescape_into(text, want, sizeof(want));
	double end = now() + secs;

	while (!take(want, n)) {
		int left = (int)((end - now()) * 1000), rc;

		if (left <= 0 || nheard == sizeof(heard))
			fail(3, "timed out expecting \"%s\"", text);
		if (event_loop) {
			struct pollfd p = { .fd = hs_link_fd(link_), .events = POLLIN };
			if (poll(&p, 1, left) <= 0)
				continue;
			left = 0;
		}
		rc = hs_link_read(link_, heard + nheard, sizeof(heard) - nheard, left);
		if (rc == HS_ERR_TIMEOUT)
			continue;
		if (rc < 0)
			lib_failed(rc, "read");
		nheard += (size_t)rc;
	}
}

static int signal_bit(const char *name)
{
	static const struct { const char *name; int bit; } bits[] = {
		{ "DTR", HS_SIG_DTR }, { "RTS", HS_SIG_RTS }, { "CTS", HS_SIG_CTS },
		{ "DSR", HS_SIG_DSR }, { "DCD", HS_SIG_DCD }, { "RI", HS_SIG_RI },
	};
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (!strcmp(name, bits[i].name))
			return bits[i].bit;
	fail(1, "unknown line %s", name);
	return 0;
}

static void send_file(const char *path, double secs)
{
	static char buf[1 << 20];
	size_t total = 0, done;
	ssize_t n;
	int fd = open(path, O_RDONLY), rc = HS_OK;
	double end = now() + secs;

	if (fd < 0)
		fail(2, "cannot open %s", path);
	while (rc == HS_OK && (n = read(fd, buf, sizeof(buf))) > 0) {
		int left = (int)((end - now()) * 1000);
		rc = hs_link_write(link_, buf, (size_t)n, left > 0 ? left : 0, &done);
		total += done;
	}
	close(fd);
	printf("sent %zu\n", total);
	fflush(stdout);
	if (rc < 0)
		lib_failed(rc, "write");
}

static void recv_file(const char *path, long want, double secs)
{
	FILE *f = fopen(path, "wb");
	double end = now() + secs;
	long got = 0;
	char buf[65536];

	if (!f)
		fail(2, "cannot create %s", path);
	while (got < want) {
		int left = (int)((end - now()) * 1000), rc;
		size_t room = sizeof(buf) < (size_t)(want - got) ? sizeof(buf) : (size_t)(want - got);
		if (left <= 0) {
			fprintf(stderr, "hslink: got %ld of %ld bytes\n", got, want);
			exit(3);
		}
		rc = hs_link_read(link_, buf, room, left);
		if (rc == HS_ERR_TIMEOUT)
			continue;
		if (rc < 0)
			lib_failed(rc, "read");
		fwrite(buf, 1, (size_t)rc, f);
		got += rc;
	}
	fclose(f);
}

static void idle(int ms)
{
	double end = now() + ms / 1000.0;
	int wakeups = 0;

	for (;;) {
		int left = (int)((end - now()) * 1000);
		struct pollfd p = { .fd = hs_link_fd(link_), .events = POLLIN };
		if (left <= 0)
			break;
		if (poll(&p, 1, left) > 0) {
			char b[256];
			wakeups++;
			hs_link_read(link_, b, sizeof(b), 0);
		}
	}
	printf("wakeups %d\n", wakeups);
	fflush(stdout);
}

static enum hs_parity parity_of(const char *s)
{
	for (int p = HS_PARITY_NONE; p <= HS_PARITY_SPACE; p++)
		if (!strcmp(s, hs_parity_name((enum hs_parity)p)))
			return (enum hs_parity)p;
	fail(1, "bad parity %s", s);
	return HS_PARITY_NONE;
}

static enum hs_flow flow_of(const char *s)
{
	for (int f = HS_FLOW_NONE; f <= HS_FLOW_DTRDSR; f++)
		if (!strcmp(s, hs_flow_name((enum hs_flow)f)))
			return (enum hs_flow)f;
	fail(1, "bad flow %s", s);
	return HS_FLOW_NONE;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		fail(1, "usage: hslink URI STEP...%s", "");
	if ((rc = hs_link_open(&link_, argv[1])) < 0)
		lib_failed(rc, "open");
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		const char *a1 = i + 1 < argc ? argv[i + 1] : NULL;
		const char *a2 = i + 2 < argc ? argv[i + 2] : NULL;
		const char *a3 = i + 3 < argc ? argv[i + 3] : NULL;

		if (!strcmp(s, "send") && a1) {
			char buf[4096];
			size_t n = unescape_into(a1, buf, sizeof(buf));
			if ((rc = hs_link_write(link_, buf, n, 5000, NULL)) < 0)
				lib_failed(rc, "write");
			i++;
		} else if (!strcmp(s, "send-file") && a1) {
			send_file(a1, is_secs(a2) ? atof(a2) : 30);
			i += is_secs(a2) ? 2 : 1;
		} else if ((!strcmp(s, "expect") || !strcmp(s, "poll-expect")) && a1) {
			expect(a1, is_secs(a2) ? atof(a2) : 5, s[0] == 'p');
			i += is_secs(a2) ? 2 : 1;
		} else if (!strcmp(s, "recv-file") && a1 && a2) {
			recv_file(a1, atol(a2), is_secs(a3) ? atof(a3) : 30);
			i += is_secs(a3) ? 3 : 2;
		} else if (!strcmp(s, "idle") && a1) {
			idle(atoi(a1));
			i++;
		} else if ((!strcmp(s, "dtr") || !strcmp(s, "rts")) && a1) {
			rc = s[0] == 'd' ? hs_link_set_dtr(link_, atoi(a1)) : hs_link_set_rts(link_, atoi(a1));
			if (rc < 0)
				lib_failed(rc, s);
			i++;
		} else if (!strcmp(s, "lines")) {
			int v = hs_link_signals(link_);
			if (v < 0)
				lib_failed(v, "lines");
			printf("DTR=%d RTS=%d CTS=%d DSR=%d DCD=%d RI=%d\n", !!(v & HS_SIG_DTR),
			       !!(v & HS_SIG_RTS), !!(v & HS_SIG_CTS), !!(v & HS_SIG_DSR),
			       !!(v & HS_SIG_DCD), !!(v & HS_SIG_RI));
			fflush(stdout);
		} else if (!strcmp(s, "wait-line") && a1 && a2) {
			int bit = signal_bit(a1), want = atoi(a2), v;
			double end = now() + (is_secs(a3) ? atof(a3) : 5);
			while ((v = hs_link_signals(link_)) >= 0 && !!(v & bit) != want) {
				int left = (int)((end - now()) * 1000);
				if (left <= 0)
					fail(3, "timed out waiting for %s", a1);
				v = hs_link_wait_signals(link_, bit, left);
				if (v < 0 && v != HS_ERR_TIMEOUT)
					lib_failed(v, "wait-line");
			}
			if (v < 0)
				lib_failed(v, "lines");
			i += is_secs(a3) ? 3 : 2;
		} else if (!strcmp(s, "break") && a1) {
			if ((rc = hs_link_send_break(link_, atoi(a1))) < 0)
				lib_failed(rc, "break");
			i++;
		} else if (!strcmp(s, "flush") && a1) {
			enum hs_flush w = !strcmp(a1, "in") ? HS_FLUSH_INPUT
					: !strcmp(a1, "out") ? HS_FLUSH_OUTPUT : HS_FLUSH_BOTH;
			if ((rc = hs_link_flush(link_, w)) < 0)
				lib_failed(rc, "flush");
			nheard = 0;
			i++;
		} else if (!strcmp(s, "drain")) {
			if ((rc = hs_link_drain(link_, (int)((is_secs(a1) ? atof(a1) : 10) * 1000))) < 0)
				lib_failed(rc, "drain");
			i += is_secs(a1) ? 1 : 0;
		} else if (!strcmp(s, "set-line") && i + 5 < argc) {
			struct hs_line line = {
				.baud = atoi(argv[i + 1]), .bits = atoi(argv[i + 2]),
				.parity = parity_of(argv[i + 3]), .stop = atoi(argv[i + 4]),
				.flow = flow_of(argv[i + 5]),
			};
			if ((rc = hs_link_set_line(link_, &line)) < 0)
				lib_failed(rc, "set-line");
			i += 5;
		} else if (!strcmp(s, "info")) {
			const struct hs_link_info *in = hs_link_info(link_);
			printf("transport=%s\n%s\n", hs_transport_name(in->transport), in->description);
			fflush(stdout);
		} else if (!strcmp(s, "mark-errors")) {
			int rc = hs_link_mark_errors(link_);
			if (rc < 0)
				lib_failed(rc, s);
		} else if (!strcmp(s, "errors")) {
			struct hs_line_errors e[2];
			int rc = hs_link_line_errors(link_, &e[0], &e[1]);
			if (rc < 0)
				lib_failed(rc, "errors");
			for (int k = 0; k < 2; k++)
				printf("%s: damaged=%lu framing=%lu parity=%lu breaks=%lu "
				       "overruns=%lu counted=%d\n", k ? "total" : "last",
				       e[k].damaged, e[k].framing, e[k].parity,
				       e[k].breaks, e[k].overruns, e[k].counted);
			fflush(stdout);
		} else if (!strcmp(s, "pending")) {
			printf("pending=%d\n", hs_link_pending(link_));
			fflush(stdout);
		} else {
			fail(1, "bad step '%s'", s);
		}
	}
	hs_link_close(link_);
	return 0;
}
