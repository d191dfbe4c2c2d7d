/*
 * ptypair.c - test helper: real ptys and a private lock folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "handshake/link.h"
#include "clock.h"
#include "ptypair.h"

void ptypair_open(struct ptypair *p)
{
	int slave;
	struct termios t;

	assert_int_equal(openpty(&p->master, &slave, p->path, NULL, NULL), 0);
	/* The master side raw too, so the device sees bytes as sent. */
	assert_int_equal(tcgetattr(p->master, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(p->master, TCSANOW, &t), 0);
	close(slave);
	fcntl(p->master, F_SETFL, O_NONBLOCK);
	snprintf(p->lockdir, sizeof(p->lockdir), "/tmp/hs-lock-XXXXXX");
	assert_non_null(mkdtemp(p->lockdir));
	setenv("HS_LOCK_DIR", p->lockdir, 1);
}

void ptypair_lockfile(const struct ptypair *p, char *out, size_t cap)
{
	/* /dev/pts/3 -> LCK..pts_3 */
	snprintf(out, cap, "%s/LCK..pts_%s", p->lockdir, strrchr(p->path, '/') + 1);
}

void ptypair_close(struct ptypair *p)
{
	char file[128];

	ptypair_lockfile(p, file, sizeof(file));
	unlink(file);
	rmdir(p->lockdir);
	close(p->master);
}

size_t ptypair_read(struct ptypair *p, void *buf, size_t n, int timeout_ms)
{
	int64_t deadline = hs_deadline(timeout_ms);
	size_t got = 0;

	while (got < n) {
		struct pollfd f = { .fd = p->master, .events = POLLIN };
		if (poll(&f, 1, hs_remaining(deadline)) <= 0)
			break;
		ssize_t r = read(p->master, (char *)buf + got, n - got);
		if (r > 0)
			got += (size_t)r;
		else if (r < 0 && errno != EAGAIN && errno != EINTR)
			break;
	}
	return got;
}

void ptypair_write(struct ptypair *p, const void *buf, size_t n)
{
	assert_int_equal(write(p->master, buf, n), (ssize_t)n);
}

void link_read_exact(struct hs_link *l, void *buf, size_t n, int timeout_ms)
{
	int64_t deadline = hs_deadline(timeout_ms);
	size_t got = 0;

	while (got < n) {
		int rc = hs_link_read(l, (char *)buf + got, n - got, hs_remaining(deadline));
		if (rc < 0)
			fail_msg("read: %s (%s)", hs_err_name(rc), hs_last_error());
		got += (size_t)rc;
	}
}
