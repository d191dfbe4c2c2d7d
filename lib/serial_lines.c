/*
 * serial_lines.c - waiting for a serial port's modem lines (CTS, DSR,
 * DCD, RI) to change without looking at them over and over.
 *
 * Linux tells a waiter when a line changes: ioctl(TIOCMIWAIT) sleeps in
 * the driver until one of the lines asked for moves (UARTs and the
 * usb-serial drivers have it; ptys and some adapters do not). It takes
 * no timeout: the library's wake timer (wake_timer.c) interrupts it at
 * the deadline. A program that keeps the timer's signal for itself, and
 * a port without TIOCMIWAIT, get a poll of the lines whose interval
 * doubles from 2 ms to 100 ms while nothing changes.
 *
 * A change between reading the lines and starting the wait is seen by
 * neither; such a wait ends at its deadline. Callers wait in slices (the
 * serial writer up to its caller's deadline, the modem code its own), so
 * what that costs is bounded by the slice.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "clock.h"
#include "fail.h"
#include "serial.h"
#include "wake_timer.h"

/* The poll where TIOCMIWAIT cannot be had: first interval and cap. */
#define POLL_FIRST_MS 2
#define POLL_MAX_MS 100

static int to_tiocm(int mask)
{
	return (mask & HS_SIG_CTS ? TIOCM_CTS : 0) | (mask & HS_SIG_DSR ? TIOCM_DSR : 0) |
	       (mask & HS_SIG_DCD ? TIOCM_CD : 0) | (mask & HS_SIG_RI ? TIOCM_RI : 0);
}

int hs_lines_miwait(int fd, int mask, int64_t deadline, int *err)
{
	struct hs_wake_timer t;
	int rc;

	if (hs_wake_arm(&t, deadline) != HS_OK)
		return HS_ERR_NOT_SUPPORTED;
	rc = ioctl(fd, TIOCMIWAIT, (unsigned long)to_tiocm(mask));
	*err = errno;
	hs_wake_disarm(&t);
	if (rc == 0)
		return 1;
	switch (*err) {
	case EINTR:
		return 0;
	case ENOTTY:
	case EINVAL:
	case ENOSYS:
	case EOPNOTSUPP:
	case 515: /* ENOIOCTLCMD, should a driver let it out */
		return HS_ERR_NOT_SUPPORTED;
	default:
		return HS_ERR_IO;
	}
}

/* hs_lines_miwait on the link's port, failing with the port's name. */
static int miwait(struct hs_link *l, int mask, int64_t deadline)
{
	int err = 0, rc = hs_lines_miwait(l->fd, mask, deadline, &err);

	return rc == HS_ERR_IO ? hs_serial_fail(l, "a wait for the modem lines", err) : rc;
}

int hs_serial_wait_signals(struct hs_link *l, int mask, int first, int64_t deadline)
{
	struct hs_serial *s = l->priv;
	int empty = 0, now = first;

	/* first is what the caller just read: wait before looking again */
	for (;;) {
		int rc = 0;

		if (hs_remaining(deadline) == 0)
			break;
		if (!s->no_miwait) {
			rc = miwait(l, mask, deadline);
			if (rc == 1 && ++empty >= HS_MIWAIT_MAX_EMPTY)
				rc = HS_ERR_NOT_SUPPORTED;
			if (rc == HS_ERR_NOT_SUPPORTED)
				s->no_miwait = 1;
			else if (rc < 0)
				return rc;
		}
		if (s->no_miwait) {
			/* kept across calls: a caller that waits in slices
			 * does not start over at 2 ms each time */
			s->lines_poll_ms = s->lines_poll_ms ? s->lines_poll_ms : POLL_FIRST_MS;
			hs_nap(s->lines_poll_ms, deadline);
			if ((s->lines_poll_ms *= 2) > POLL_MAX_MS)
				s->lines_poll_ms = POLL_MAX_MS;
		} else if (rc == 0 && hs_remaining(deadline) == 0) {
			/* interrupted at the deadline: the driver saw no change */
			break;
		}
		if ((now = hs_serial_signals(l)) < 0)
			return now;
		if ((now ^ first) & mask) {
			s->lines_poll_ms = 0;
			return now;
		}
	}
	return hs_fail(HS_ERR_TIMEOUT, "%s: modem lines did not change before the deadline",
		       l->path);
}
