/*
 * clock.h - private: deadlines on the monotonic clock, and waiting for
 * an fd until one. Every blocking call
 * turns its timeout into a deadline once and asks how much is left, so a
 * loop of partial reads or writes can never add up to more than asked.
 */
#ifndef HS_CLOCK_H
#define HS_CLOCK_H

#include <stdint.h>

int64_t hs_now_ms(void);
int64_t hs_deadline(int timeout_ms);
/* Milliseconds left before the deadline, 0 once it has passed. */
int hs_remaining(int64_t deadline);
/* Sleep ms, but never past the deadline. */
void hs_nap(int ms, int64_t deadline);
/* poll() one fd for events until the deadline, through EINTR: 1 ready
 * (*got has the revents), 0 the deadline passed, -errno on an error. */
int hs_poll_until(int fd, short events, int64_t deadline, short *got);

#endif
