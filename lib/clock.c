/*
 * clock.c - monotonic milliseconds and deadline arithmetic.
 */
#include <errno.h>
#include <limits.h>
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
	/* a deadline weeks away (chat's TIMEOUT) still fits the int calls */
	if (left > INT_MAX)
		return INT_MAX;
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
