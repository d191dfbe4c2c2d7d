/*
 * clock.c - monotonic milliseconds, deadline arithmetic, and a poll()
 * bounded by a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "clock.h"

int64_t hs_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t hs_deadline(int timeout_ms)
{
	return hs_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

int hs_remaining(int64_t deadline)
{
	int64_t left = deadline - hs_now_ms();
	return left > 0 ? (int)left : 0;
}

void hs_nap(int ms, int64_t deadline)
{
	int left = hs_remaining(deadline);
	struct timespec ts;

	if (ms > left)
		ms = left;
	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int hs_poll_until(int fd, short events, int64_t deadline, short *got)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int n = poll(&p, 1, hs_remaining(deadline));
		if (n > 0) {
			*got = p.revents;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}
