/*
 * test_link_poll.c - hs_link_fd(): one poll() loop serves several links.
 * Four real ptys, a link on each; the device side writes to one port at
 * a time, and the loop must wake for exactly that link, read its bytes
 * with a zero timeout, and sleep while nothing comes. (DESIGN.md: "One
 * process must hold many links cheaply: an event loop over hs_link_fd".)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "ptypair.h"

#define NLINKS 4

struct rig {
	struct ptypair pty[NLINKS];
	struct hs_link *link[NLINKS];
	struct pollfd fds[NLINKS];
};

static void rig_open(struct rig *r)
{
	for (int i = 0; i < NLINKS; i++) {
		char uri[96];

		ptypair_open(&r->pty[i]);
		snprintf(uri, sizeof(uri), "serial:%s", r->pty[i].path);
		if (hs_link_open(&r->link[i], uri) != HS_OK)
			fail_msg("open %s: %s", uri, hs_last_error());
		r->fds[i].fd = hs_link_fd(r->link[i]);
		r->fds[i].events = POLLIN;
		if (r->fds[i].fd < 0)
			fail_msg("hs_link_fd(%s) = %d: %s", uri, r->fds[i].fd, hs_last_error());
	}
}

static void rig_close(struct rig *r)
{
	for (int i = 0; i < NLINKS; i++) {
		hs_link_close(r->link[i]);
		ptypair_close(&r->pty[i]);
	}
}

/* One turn of the loop: poll every link until one is ready (timeout_ms at
 * most); returns how many are, with each one's revents in r->fds. */
static int poll_links(struct rig *r, int timeout_ms)
{
	int n;

	for (int i = 0; i < NLINKS; i++)
		r->fds[i].revents = 0;
	n = poll(r->fds, NLINKS, timeout_ms);
	assert_true(n >= 0);
	return n;
}

/* Read what the loop woke for: the link has it now, so timeout 0. */
static void read_now(struct rig *r, int i, const char *want)
{
	char buf[64] = "";
	int n = hs_link_read(r->link[i], buf, sizeof(buf) - 1, 0);

	if (n < 0)
		fail_msg("link %d woke but read failed: %s", i, hs_last_error());
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(buf, want, (size_t)n);
}

static void test_one_loop_wakes_for_each_link(void **state)
{
	static const int order[] = { 2, 0, 3, 1 };
	struct rig r;
	(void)state;

	rig_open(&r);
	/* nothing sent: nothing wakes the loop */
	assert_int_equal(poll_links(&r, 100), 0);
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int i = order[k];
		char msg[32];

		snprintf(msg, sizeof(msg), "RING on %d\r\n", i);
		ptypair_write(&r.pty[i], msg, strlen(msg));
		/* generous: a pty delivers at once, a busy machine late */
		assert_int_equal(poll_links(&r, 5000), 1);
		for (int j = 0; j < NLINKS; j++)
			assert_int_equal(r.fds[j].revents & POLLIN, j == i ? POLLIN : 0);
		read_now(&r, i, msg);
		/* read: quiet again */
		assert_int_equal(poll_links(&r, 0), 0);
	}
	rig_close(&r);
}

static void test_several_ready_at_once(void **state)
{
	struct rig r;
	int seen[NLINKS] = { 0 };
	(void)state;

	rig_open(&r);
	ptypair_write(&r.pty[1], "one", 3);
	ptypair_write(&r.pty[3], "three", 5);
	/* the loop goes on until both are read, each from its own link */
	for (int turns = 0; (!seen[1] || !seen[3]) && turns < 10; turns++) {
		assert_true(poll_links(&r, 5000) > 0);
		for (int i = 0; i < NLINKS; i++) {
			if (!(r.fds[i].revents & POLLIN))
				continue;
			assert_true(i == 1 || i == 3);
			read_now(&r, i, i == 1 ? "one" : "three");
			seen[i]++;
		}
	}
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[3], 1);
	assert_int_equal(poll_links(&r, 0), 0);
	rig_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_loop_wakes_for_each_link),
		cmocka_unit_test(test_several_ready_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
