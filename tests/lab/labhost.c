/*
 * labhost.c — a scripted host program for the lab's own tests.
 *
 *   labhost [-b BAUD] [-f FRAMING] [-m] [-x] DEVICE STEP...
 *
 * It opens DEVICE like any serial program (O_NOCTTY, raw termios, -f sets
 * the framing such as 7E1 (default 8N1), -m asks for PARMRK and INPCK,
 * -x adds IXON so the kernel honours XOFF/XON) and runs the steps in
 * order:
 *   send TEXT              write TEXT (C escapes: \r \n \t \\ \xHH \e \0)
 *   expect TEXT [SECS]     read until TEXT arrived (default 5 s)
 *   dtr 0|1, rts 0|1       set a modem line (TIOCMBIS/TIOCMBIC)
 *   lines                  print "CTS=. DSR=. DCD=. RI=." (TIOCMGET)
 *   outq                   print "outq=N": bytes not yet sent (TIOCOUTQ)
 *   wait-line NAME 0|1 [SECS]  poll TIOCMGET until NAME has that value
 *   miwait NAME[,NAME] SECS  TIOCMIWAIT on those lines, SIGALRM after SECS
 *                          (whole seconds); prints "miwait: changed
 *                          CTS=. DSR=. DCD=. RI=.", "miwait: interrupted"
 *                          or "miwait: failed: ERROR"
 *   sleep MS               stay silent MS ms (a guard time is a stimulus)
 *   write-file PATH        write PATH's bytes, then tcdrain
 *   write-until-fail SECS  write a byte every 10 ms until write or read
 *                          fails; prints "failed: OP: ERROR"
 *   recv N [SECS]          read exactly N bytes (default 5 s); prints
 *                          recv "..." (C-escaped, \xHH)
 *   icount                 print "rx=N tx=N frame=N parity=N brk=N"
 *                          (TIOCGICOUNT)
 *   termios                print "bits=N parity=P stop=N parmrk=0|1" as
 *                          tcgetattr reads the line back
 * Exit status: 0 every step held, 1 usage, 2 a system call failed,
 * 3 an expectation failed (with what was received on stderr).
 * chat(8) covers dialing; this covers what chat cannot: modem lines.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/serial.h>

#include "unescape.h"

static int fd;
static char heard[65536];  /* bytes received and not yet matched */
static size_t nheard;

static void fail(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "labhost: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(code);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unescape a step's TEXT into a buffer of cap bytes, or give up: an
 * escape never makes text longer, so strlen(in) < cap is enough. */
static size_t unescape_into(const char *in, char *out, size_t cap)
{
	if (strlen(in) >= cap) {
		fprintf(stderr, "labhost: step text over %zu bytes\n", cap - 1);
		exit(1);
	}
	return lab_unescape(in, out);
}

static void dump_heard(void)
{
	fputs("labhost: received: \"", stderr);
	for (size_t i = 0; i < nheard; i++) {
		unsigned char c = (unsigned char)heard[i];
		if (c == '\r') fputs("\\r", stderr);
		else if (c == '\n') fputs("\\n", stderr);
		else if (c < 0x20 || c >= 0x7f) fprintf(stderr, "\\x%02X", c);
		else fputc(c, stderr);
	}
	fputs("\"\n", stderr);
}

/* Read what has come into heard (at most up to `cap` bytes held), waiting
 * until `end` for it; 0 once `end` has passed. */
static int hear(double end, size_t cap)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int left = (int)((end - now()) * 1000);
	ssize_t r;

	if (left <= 0)
		return 0;
	if (poll(&pfd, 1, left) <= 0)
		return 1;
	r = read(fd, heard + nheard, cap - nheard);
	if (r < 0 && errno != EAGAIN && errno != EINTR)
		fail(2, "read: %s", strerror(errno));
	if (r == 0)
		fail(2, "read: %s", "end of file");
	if (r > 0)
		nheard += (size_t)r;
	return 1;
}

static void expect(const char *text, double secs)
{
	char want[1024];
	size_t n = unescape_into(text, want, sizeof(want));
	double end = now() + secs;

	for (;;) {
		void *hit = memmem(heard, nheard, want, n);

		if (hit) {
			size_t used = (size_t)((char *)hit - heard) + n;
			memmove(heard, heard + used, nheard - used);
			nheard -= used;
			return;
		}
		if (!hear(end, sizeof(heard))) {
			dump_heard();
			fail(3, "timed out expecting \"%s\"", text);
		}
		if (nheard == sizeof(heard))
			nheard = 0;
	}
}

static void writeall(const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			poll(&pfd, 1, 100);
			continue;
		}
		if (w < 0)
			fail(2, "write: %s", strerror(errno));
		buf += w, n -= (size_t)w;
	}
}

static int line_bit(const char *name)
{
	if (!strcmp(name, "DTR")) return TIOCM_DTR;
	if (!strcmp(name, "RTS")) return TIOCM_RTS;
	if (!strcmp(name, "CTS")) return TIOCM_CTS;
	if (!strcmp(name, "DSR")) return TIOCM_DSR;
	if (!strcmp(name, "DCD")) return TIOCM_CD;
	if (!strcmp(name, "RI")) return TIOCM_RI;
	fail(1, "unknown line %s", name);
	return 0;
}

static int getlines(void)
{
	int v;
	if (ioctl(fd, TIOCMGET, &v) != 0)
		fail(2, "TIOCMGET: %s", strerror(errno));
	return v;
}

static speed_t baud(long b)
{
	switch (b) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	}
	fail(1, "unsupported baud %s", "rate");
	return B0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* TIOCMIWAIT on the named lines, ended by SIGALRM after secs. */
static void miwait(const char *names, unsigned secs)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	char list[64], *name, *save = NULL;
	int mask = 0, v;

	snprintf(list, sizeof(list), "%s", names);
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save))
		mask |= line_bit(name);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: the wait must end */
	alarm(secs);
	if (ioctl(fd, TIOCMIWAIT, (unsigned long)mask) == 0) {
		alarm(0);
		v = getlines();
		printf("miwait: changed CTS=%d DSR=%d DCD=%d RI=%d\n", !!(v & TIOCM_CTS),
		       !!(v & TIOCM_DSR), !!(v & TIOCM_CD), !!(v & TIOCM_RI));
	} else if (errno == EINTR) {
		printf("miwait: interrupted\n");
	} else {
		alarm(0);
		printf("miwait: failed: %s\n", strerror(errno));
	}
	fflush(stdout);
}

/* "7E1" into c_cflag */
static void framing(struct termios *t, const char *f)
{
	static const tcflag_t sizes[] = { CS5, CS6, CS7, CS8 };

	if (strlen(f) != 3 || f[0] < '5' || f[0] > '8' || !strchr("NEO", f[1]) ||
	    (f[2] != '1' && f[2] != '2'))
		fail(1, "framing '%s': expected such as 8N1 or 7E1", f);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB);
	t->c_cflag |= sizes[f[0] - '5'];
	if (f[1] != 'N')
		t->c_cflag |= PARENB | (f[1] == 'O' ? PARODD : 0);
	if (f[2] == '2')
		t->c_cflag |= CSTOPB;
}

/* exactly n bytes within secs, printed C-escaped */
static void recv_exact(size_t n, double secs)
{
	double end = now() + secs;

	if (n > sizeof(heard))
		fail(1, "recv: at most %s bytes", "65536");
	while (nheard < n) {
		if (!hear(end, n)) {
			dump_heard();
			fail(3, "timed out waiting for %s bytes", "the");
		}
	}
	fputs("recv \"", stdout);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)heard[i];
		if (c == '\r') fputs("\\r", stdout);
		else if (c == '\n') fputs("\\n", stdout);
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			printf("\\x%02X", c);
		else putchar(c);
	}
	puts("\"");
	fflush(stdout);
	memmove(heard, heard + n, nheard - n);
	nheard -= n;
}

int main(int argc, char **argv)
{
	struct termios t;
	long b = 115200;
	const char *frame = "8N1";
	int ixon = 0, parmrk = 0, opt, i;

	while ((opt = getopt(argc, argv, "+b:f:mx")) != -1) {
		if (opt == 'b')
			b = atol(optarg);
		else if (opt == 'f')
			frame = optarg;
		else if (opt == 'm')
			parmrk = 1;
		else if (opt == 'x')
			ixon = 1;
		else
			fail(1, "usage: labhost [-b BAUD] [-f FRAMING] [-m] [-x] DEVICE STEP...%s", "");
	}
	if (optind >= argc)
		fail(1, "usage: labhost [-b BAUD] [-f FRAMING] [-m] [-x] DEVICE STEP...%s", "");
	fd = open(argv[optind], O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		fail(2, "open: %s", strerror(errno));
	if (tcgetattr(fd, &t) != 0)
		fail(2, "tcgetattr: %s", strerror(errno));
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	if (ixon)
		t.c_iflag |= IXON;
	if (parmrk)
		t.c_iflag |= PARMRK | INPCK;
	framing(&t, frame);
	cfsetspeed(&t, baud(b));
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		fail(2, "tcsetattr: %s", strerror(errno));

	for (i = optind + 1; i < argc; i++) {
		const char *s = argv[i];
		const char *a1 = i + 1 < argc ? argv[i + 1] : NULL;
		const char *a2 = i + 2 < argc ? argv[i + 2] : NULL;

		if (!strcmp(s, "send") && a1) {
			char buf[4096];
			writeall(buf, unescape_into(a1, buf, sizeof(buf)));
			i++;
		} else if (!strcmp(s, "expect") && a1) {
			double secs = a2 && strspn(a2, "0123456789.") == strlen(a2) ? atof(a2) : 5;
			expect(a1, secs);
			i += (a2 && secs == atof(a2) && strspn(a2, "0123456789.") == strlen(a2)) ? 2 : 1;
		} else if ((!strcmp(s, "dtr") || !strcmp(s, "rts")) && a1) {
			int bit = s[0] == 'd' ? TIOCM_DTR : TIOCM_RTS;
			if (ioctl(fd, atoi(a1) ? TIOCMBIS : TIOCMBIC, &bit) != 0)
				fail(2, "TIOCMBIS/BIC: %s", strerror(errno));
			i++;
		} else if (!strcmp(s, "lines")) {
			int v = getlines();
			printf("CTS=%d DSR=%d DCD=%d RI=%d\n", !!(v & TIOCM_CTS),
			       !!(v & TIOCM_DSR), !!(v & TIOCM_CD), !!(v & TIOCM_RI));
			fflush(stdout);
		} else if (!strcmp(s, "outq")) {
			int n;
			if (ioctl(fd, TIOCOUTQ, &n) != 0)
				fail(2, "TIOCOUTQ: %s", strerror(errno));
			printf("outq=%d\n", n);
			fflush(stdout);
		} else if (!strcmp(s, "wait-line") && a1 && a2) {
			int bit = line_bit(a1), want = atoi(a2);
			const char *a3 = i + 3 < argc ? argv[i + 3] : NULL;
			double secs = a3 && strspn(a3, "0123456789.") == strlen(a3) ? atof(a3) : 5;
			double end = now() + secs;
			while (!!(getlines() & bit) != want) {
				if (now() > end)
					fail(3, "timed out waiting for %s", a1);
				usleep(10000);
			}
			i += (a3 && strspn(a3, "0123456789.") == strlen(a3)) ? 3 : 2;
		} else if (!strcmp(s, "miwait") && a1 && a2) {
			miwait(a1, (unsigned)atoi(a2));
			i += 2;
		} else if (!strcmp(s, "sleep") && a1) {
			usleep((useconds_t)atol(a1) * 1000);
			i++;
		} else if (!strcmp(s, "write-file") && a1) {
			char buf[4096];
			ssize_t n;
			int in = open(a1, O_RDONLY);
			if (in < 0)
				fail(2, "open input: %s", strerror(errno));
			while ((n = read(in, buf, sizeof(buf))) > 0)
				writeall(buf, (size_t)n);
			close(in);
			if (tcdrain(fd) != 0)
				fail(2, "tcdrain: %s", strerror(errno));
			i++;
		} else if (!strcmp(s, "write-until-fail") && a1) {
			double end = now() + atof(a1);
			while (now() < end) {
				char c = 'x', r;
				if (write(fd, &c, 1) < 0 && errno != EAGAIN) {
					printf("failed: write: %s\n", strerror(errno));
					return 0;
				}
				ssize_t n = read(fd, &r, 1);
				if (n < 0 && errno != EAGAIN) {
					printf("failed: read: %s\n", strerror(errno));
					return 0;
				}
				usleep(10000);
			}
			fail(3, "no read or write failed within %s s", a1);
		} else if (!strcmp(s, "recv") && a1) {
			double secs = a2 && strspn(a2, "0123456789.") == strlen(a2) ? atof(a2) : 5;
			recv_exact((size_t)atol(a1), secs);
			i += (a2 && strspn(a2, "0123456789.") == strlen(a2)) ? 2 : 1;
		} else if (!strcmp(s, "icount")) {
			struct serial_icounter_struct ic;
			if (ioctl(fd, TIOCGICOUNT, &ic) != 0)
				fail(2, "TIOCGICOUNT: %s", strerror(errno));
			printf("rx=%d tx=%d frame=%d parity=%d brk=%d\n", ic.rx,
			       ic.tx, ic.frame, ic.parity, ic.brk);
			fflush(stdout);
		} else if (!strcmp(s, "termios")) {
			struct termios now;
			static const char sizes[] = "5678";
			if (tcgetattr(fd, &now) != 0)
				fail(2, "tcgetattr: %s", strerror(errno));
			printf("bits=%c parity=%s stop=%d parmrk=%d\n",
			       sizes[(now.c_cflag & CSIZE) >> 4],
			       !(now.c_cflag & PARENB) ? "none" :
			       now.c_cflag & PARODD ? "odd" : "even",
			       now.c_cflag & CSTOPB ? 2 : 1,
			       !!(now.c_iflag & PARMRK));
			fflush(stdout);
		} else {
			fail(1, "bad step '%s'", s);
		}
	}
	return 0;
}
