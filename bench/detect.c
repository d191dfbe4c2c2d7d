/*
 * detect.c - benchmark: how long hs_detect_modem() takes to find a modem
 * at 9600 7E1 starting from 115200 8N1, and how many bytes it sends the
 * device on the way; against one AT -> OK at the known setting on the
 * same port in the same run (what knowing the setting would cost).
 *
 * usage: detect [URI [ROUNDS]]   (default serial:/dev/ttyUSB0, 7)
 * Run it under the lab with the modem at 9600 7E1 (bench/detect.sh).
 * Each round prints "round SEARCH_MS AT_MS SENT TRIES" (AT_MS the median
 * of that round's references), for bench/detect.sh to judge; a summary
 * follows.
 * The bytes sent are the library's count, checked against the port's
 * own (TIOCGICOUNT tx). Exit 0, or 2 when a search fails or finds
 * another setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/serial.h>

#include "handshake/negotiate.h"
#include "bench_port.h"

#define AT_ROUNDS 20

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* the port's own count of bytes sent, -1 when it has none */
static long port_tx(int fd)
{
	struct serial_icounter_struct ic;
	return fd >= 0 && ioctl(fd, TIOCGICOUNT, &ic) == 0 ? ic.tx : -1;
}

/* one "AT\r" -> "OK\r\n" at the link's setting, in ms; < 0 on failure */
static double at_once(struct hs_link *l)
{
	char buf[128];
	size_t have = 0;
	double t0 = now_ms();

	hs_link_flush(l, HS_FLUSH_INPUT);
	if (hs_link_write(l, "AT\r", 3, 1000, NULL) < 0)
		return -1;
	while (have < sizeof(buf) - 1) {
		int n = hs_link_read(l, buf + have, sizeof(buf) - 1 - have, 1000);
		if (n < 0)
			return -1;
		have += (size_t)n;
		buf[have] = 0;
		if (strstr(buf, "OK\r\n"))
			return now_ms() - t0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "serial:/dev/ttyUSB0";
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	const struct hs_line start = { 115200, 8, HS_PARITY_NONE, 1, HS_FLOW_NONE };
	const struct hs_line known = { 9600, 7, HS_PARITY_EVEN, 1, HS_FLOW_NONE };
	double search[64], at[AT_ROUNDS * 64];
	struct hs_detect_result r;
	struct hs_link *l;
	long sent = 0, port = 0;
	int tries = 0, nat = 0, fd;

	if (rounds < 1 || rounds > 64)
		rounds = 7;
	fd = bench_port_open(uri); /* -1: the count is not cross-checked */
	if (hs_link_open(&l, uri) < 0) {
		fprintf(stderr, "detect: %s\n", hs_last_error());
		return 2;
	}
	for (int i = 0; i < rounds; i++) {
		int at0 = nat;
		long tx0;
		double t0;
		char name[48];

		hs_link_set_line(l, &start);
		tx0 = port_tx(fd);
		t0 = now_ms();
		if (hs_detect_modem(l, NULL, &r) < 0) {
			fprintf(stderr, "detect: %s\n", hs_last_error());
			return 2;
		}
		search[i] = now_ms() - t0;
		port = tx0 < 0 ? -1 : port_tx(fd) - tx0;
		hs_line_name(&r.line, name, sizeof(name));
		if (strcmp(name, "9600 7E1")) {
			fprintf(stderr, "detect: found %s, not 9600 7E1\n", name);
			return 2;
		}
		sent = (long)r.sent;
		tries = r.tries;
		/* the reference, in the same run: AT at the known setting */
		hs_link_set_line(l, &known);
		for (int k = 0; k < AT_ROUNDS; k++) {
			double ms = at_once(l);
			if (ms < 0) {
				fprintf(stderr, "detect: AT at 9600 7E1: %s\n", hs_last_error());
				return 2;
			}
			at[nat++] = ms;
		}
		printf("round %.1f %.3f %ld %d\n", search[i], median(at + at0, nat - at0), sent,
		       tries);
		fflush(stdout);
	}
	double s = median(search, rounds), a = median(at, nat);
	printf("detect: a modem at 9600 7E1, searched from 115200 8N1, %d searches\n", rounds);
	printf("  search    median %8.1f ms, %d tries, %ld bytes sent (the port counted %ld)\n",
	       s, tries, sent, port);
	printf("  reference median %8.2f ms: one AT -> OK at the known setting, 3 bytes\n", a);
	printf("  ratio search/reference %.0fx in time, %.0fx in bytes\n", s / a,
	       (double)sent / 3);
	hs_link_close(l);
	return 0;
}
