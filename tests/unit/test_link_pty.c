/*
 * test_link_pty.c - the link layer on real pseudo-terminals: bytes both
 * ways, deadlines, XON/XOFF, line settings and their restoration, locking
 * between processes, and the errors for ports that cannot do something.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "clock.h"
#include "line.h"
#include "ptypair.h"

static struct hs_link *open_ok(const struct ptypair *p, const char *opts)
{
	char uri[160];
	struct hs_link *l = NULL;

	snprintf(uri, sizeof(uri), "serial:%s%s%s", p->path, opts ? "?" : "", opts ? opts : "");
	if (hs_link_open(&l, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	return l;
}

static void test_round_trip(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	char buf[64] = "";
	size_t done = 0;
	const struct hs_link_info *info;
	(void)state;

	ptypair_open(&p);
	l = open_ok(&p, NULL);
	info = hs_link_info(l);
	assert_int_equal(info->transport, HS_TRANSPORT_PTY);
	assert_string_equal(info->path, p.path);
	assert_string_equal(info->name, p.path + 5);
	assert_int_equal(info->usb_vid, -1);

	assert_int_equal(hs_link_write(l, "AT\r\n\x00\xff", 6, 1000, &done), HS_OK);
	assert_int_equal(done, 6);
	assert_int_equal(ptypair_read(&p, buf, 6, 1000), 6);
	assert_memory_equal(buf, "AT\r\n\x00\xff", 6);

	ptypair_write(&p, "OK\r\n\x11\x13", 6);
	link_read_exact(l, buf, 6, 1000);
	/* flow=none: XON and XOFF are data like any other byte. */
	assert_memory_equal(buf, "OK\r\n\x11\x13", 6);
	hs_link_close(l);
	ptypair_close(&p);
}

static void test_read_deadline(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	char buf[8];
	int64_t t0, took;
	(void)state;

	ptypair_open(&p);
	l = open_ok(&p, NULL);
	t0 = hs_now_ms();
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), 300), HS_ERR_TIMEOUT);
	took = hs_now_ms() - t0;
	assert_true(took >= 300);
	assert_true(took < 450);
	assert_non_null(strstr(hs_last_error(), p.path));
	/* A zero timeout looks once and returns at once. */
	t0 = hs_now_ms();
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), 0), HS_ERR_TIMEOUT);
	assert_true(hs_now_ms() - t0 < 50);
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), -1), HS_ERR_ARG);
	hs_link_close(l);
	ptypair_close(&p);
}

static void test_xoff_stops_xon_restarts(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	char buf[64];
	size_t done = 1;
	int rc = HS_OK;
	int64_t deadline;
	(void)state;

	ptypair_open(&p);
	l = open_ok(&p, "flow=xonxoff");
	ptypair_write(&p, "\x13", 1);
	/* The line discipline takes the XOFF asynchronously: write single
	 * bytes until one is held back, within a deadline. */
	deadline = hs_deadline(3000);
	while (hs_remaining(deadline) > 0) {
		rc = hs_link_write(l, "x", 1, 50, &done);
		if (rc != HS_OK)
			break;
		assert_int_equal(ptypair_read(&p, buf, 1, 1000), 1);
		assert_int_equal(buf[0], 'x');
	}
	assert_int_equal(rc, HS_ERR_STALL);
	assert_int_equal(done, 0);
	assert_non_null(strstr(hs_last_error(), "held the output (xonxoff) until the deadline"));
	assert_non_null(strstr(hs_last_error(), p.path));
	assert_int_equal(ptypair_read(&p, buf, 1, 100), 0);

	ptypair_write(&p, "\x11", 1);
	assert_int_equal(hs_link_write(l, "resume", 6, 2000, &done), HS_OK);
	assert_int_equal(done, 6);
	assert_int_equal(ptypair_read(&p, buf, 6, 1000), 6);
	assert_memory_equal(buf, "resume", 6);
	/* The flow characters were the kernel's, not data for the reader. */
	ptypair_write(&p, "\x13", 1);
	ptypair_write(&p, "\x11z", 2);
	link_read_exact(l, buf, 1, 1000);
	assert_int_equal(buf[0], 'z');
	hs_link_close(l);
	ptypair_close(&p);
}

/* A write larger than the pty holds, whose far end reads nothing until
 * after it: it ends at its deadline (the one write sleeps in the kernel
 * and the library's timer ends it) and its count is exactly the bytes
 * the far end then reads, in order. */
static void test_full_pty_write_ends_at_deadline_with_its_count(void **state)
{
	enum { JOB = 1024 * 1024 };
	struct ptypair p;
	struct hs_link *l;
	char *job = malloc(JOB), *got = malloc(JOB);
	size_t done = 0, n;
	(void)state;

	assert_non_null(job);
	assert_non_null(got);
	for (size_t i = 0; i < JOB; i++)
		job[i] = (char)(i * 7 + i / 251);
	ptypair_open(&p);
	l = open_ok(&p, NULL);
	assert_int_equal(hs_link_write(l, job, JOB, 300, &done), HS_ERR_TIMEOUT);
	assert_non_null(strstr(hs_last_error(), p.path));
	assert_true(done > 0 && done < JOB);
	n = ptypair_read(&p, got, done, 5000);
	assert_int_equal(n, done);
	assert_memory_equal(got, job, done);
	/* nothing more than counted went out */
	assert_int_equal(ptypair_read(&p, got, 1, 200), 0);
	/* and the link writes on afterwards */
	assert_int_equal(hs_link_write(l, job + done, 100, 2000, &done), HS_OK);
	assert_int_equal(done, 100);
	hs_link_close(l);
	ptypair_close(&p);
	free(job);
	free(got);
}

static void test_line_settings_and_restore(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	struct termios before, t;
	struct hs_line line;
	int fd;
	(void)state;

	ptypair_open(&p);
	fd = open(p.path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(tcgetattr(fd, &before), 0);

	l = open_ok(&p, "baud=115200&bits=7&parity=even&stop=2&flow=xonxoff");
	assert_int_equal(tcgetattr(fd, &t), 0);
	assert_int_equal(cfgetospeed(&t), B115200);
	/* The pty driver forces CS8 and clears PARENB whatever is asked;
	 * framing is checked on the lab's emulated UART instead. */
	assert_true(t.c_cflag & CSTOPB);
	assert_true(t.c_cflag & CLOCAL);
	assert_true(t.c_iflag & IXON);
	assert_true(t.c_iflag & IXOFF);
	assert_false(t.c_iflag & IXANY);
	assert_false(t.c_lflag & ICANON);
	assert_int_equal(hs_link_get_line(l, &line), HS_OK);
	assert_int_equal(line.baud, 115200);
	assert_int_equal(line.flow, HS_FLOW_XONXOFF);

	line = (struct hs_line){ .baud = 250000, .bits = 8, .parity = HS_PARITY_MARK,
				 .stop = 1, .flow = HS_FLOW_RTSCTS };
	assert_int_equal(hs_link_set_line(l, &line), HS_OK);
	assert_int_equal(hs_baud_get(fd), 250000);
	assert_int_equal(tcgetattr(fd, &t), 0);
	assert_true(t.c_cflag & CRTSCTS);
	assert_false(t.c_cflag & CSTOPB);
	assert_false(t.c_iflag & IXON);

	hs_link_close(l);
	assert_int_equal(tcgetattr(fd, &t), 0);
	assert_int_equal(cfgetospeed(&t), cfgetospeed(&before));
	assert_int_equal(t.c_cflag, before.c_cflag);
	assert_int_equal(t.c_iflag, before.c_iflag);
	assert_int_equal(t.c_lflag, before.c_lflag);
	close(fd);
	ptypair_close(&p);
}

static void test_pty_has_no_modem_lines(void **state)
{
	struct ptypair p;
	struct hs_link *l = NULL;
	char uri[128], buf[4];
	(void)state;

	ptypair_open(&p);
	l = open_ok(&p, NULL);
	assert_int_equal(hs_link_signals(l), HS_ERR_NOT_SUPPORTED);
	assert_non_null(strstr(hs_last_error(), p.path));
	assert_non_null(strstr(hs_last_error(), "not supported on this port"));
	assert_int_equal(hs_link_set_dtr(l, 0), HS_ERR_NOT_SUPPORTED);
	assert_int_equal(hs_link_set_rts(l, 1), HS_ERR_NOT_SUPPORTED);
	assert_int_equal(hs_link_wait_signals(l, HS_SIG_DCD, 10), HS_ERR_NOT_SUPPORTED);
	/* Nothing else broke. */
	assert_int_equal(hs_link_write(l, "ok", 2, 1000, NULL), HS_OK);
	assert_int_equal(ptypair_read(&p, buf, 2, 1000), 2);
	hs_link_close(l);

	snprintf(uri, sizeof(uri), "serial:%s?flow=dtrdsr", p.path);
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_NOT_SUPPORTED);
	assert_null(l);
	assert_non_null(strstr(hs_last_error(), "dtrdsr"));
	ptypair_close(&p);
}

static void test_bad_devices(void **state)
{
	struct hs_link *l = NULL;
	(void)state;

	assert_int_equal(hs_link_open(&l, "/dev/null"), HS_ERR_NOT_TTY);
	assert_non_null(strstr(hs_last_error(), "/dev/null is not a serial port"));
	assert_int_equal(hs_link_open(&l, "serial:/etc/hostname?baud=9600"), HS_ERR_NOT_TTY);
	assert_int_equal(hs_link_open(&l, "/dev/ttyUSB-none-here"), HS_ERR_NO_DEVICE);
	assert_non_null(strstr(hs_last_error(), "/dev/ttyUSB-none-here"));
	assert_int_equal(hs_link_open(&l, "serial:/dev/ttyS0?parity=q"), HS_ERR_URI_VALUE);
	assert_int_equal(hs_link_open(&l, "serial:/dev/ttyS0?speed=1"), HS_ERR_URI_OPTION);
	assert_null(l);
}

static void test_unplug(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	char buf[4];
	size_t done = 9;
	(void)state;

	ptypair_open(&p);
	l = open_ok(&p, NULL);
	close(p.master); /* the device goes away */
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), 1000), HS_ERR_UNPLUGGED);
	assert_non_null(strstr(hs_last_error(), p.path));
	assert_int_equal(hs_link_write(l, "x", 1, 1000, &done), HS_ERR_UNPLUGGED);
	assert_int_equal(done, 0);
	hs_link_close(l);
	p.master = open("/dev/null", O_RDONLY); /* for ptypair_close */
	ptypair_close(&p);
}

/* A child that holds the port until told to let go. */
static pid_t hold_port(struct ptypair *p, int *release)
{
	int ready[2], go[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hs_link *l = NULL;
		char uri[128];
		snprintf(uri, sizeof(uri), "serial:%s", p->path);
		if (hs_link_open(&l, uri) != HS_OK)
			_exit(1);
		if (write(ready[1], "R", 1) != 1)
			_exit(1);
		struct pollfd f = { .fd = go[0], .events = POLLIN };
		poll(&f, 1, 10000);
		hs_link_close(l);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	struct pollfd f = { .fd = ready[0], .events = POLLIN };
	assert_int_equal(poll(&f, 1, 5000), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release = go[1];
	return pid;
}

static void release_port(pid_t pid, int release)
{
	int status;

	close(release);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_second_opener_is_told_who(void **state)
{
	struct ptypair p;
	struct hs_link *l = NULL;
	char uri[128], want[64], file[128];
	int release;
	pid_t pid;
	(void)state;

	ptypair_open(&p);
	snprintf(uri, sizeof(uri), "serial:%s", p.path);
	pid = hold_port(&p, &release);
	snprintf(want, sizeof(want), "pid %d (test_link_pty)", (int)pid);

	assert_int_equal(hs_link_open(&l, uri), HS_ERR_BUSY);
	assert_null(l);
	assert_non_null(strstr(hs_last_error(), p.path));
	assert_non_null(strstr(hs_last_error(), want));

	/* A program that only uses flock() (picocom, tio) is seen too. */
	ptypair_lockfile(&p, file, sizeof(file));
	assert_int_equal(unlink(file), 0);
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_BUSY);
	assert_non_null(strstr(hs_last_error(), want));
	assert_non_null(strstr(hs_last_error(), "flock"));
	/* ...and our failed attempt left no lock file of its own behind. */
	assert_int_equal(access(file, F_OK), -1);

	release_port(pid, release);
	l = open_ok(&p, NULL);
	hs_link_close(l);
	ptypair_close(&p);
}

static void write_lock(const char *file, int pid)
{
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fprintf(f, "%10d\n", pid);
	fclose(f);
}

static void test_stale_lock_is_reclaimed(void **state)
{
	struct ptypair p;
	struct hs_link *l = NULL;
	char file[128], text[32] = "", uri[128];
	pid_t dead;
	FILE *f;
	(void)state;

	ptypair_open(&p);
	ptypair_lockfile(&p, file, sizeof(file));
	snprintf(uri, sizeof(uri), "serial:%s", p.path);

	dead = fork();
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	write_lock(file, (int)dead);

	l = open_ok(&p, NULL);
	f = fopen(file, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_int_equal(strlen(text), 11);
	assert_int_equal(atoi(text), getpid());
	hs_link_close(l);
	assert_int_equal(access(file, F_OK), -1);

	/* A lock of a live process is respected: pid 1 is always alive. */
	write_lock(file, 1);
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_BUSY);
	assert_non_null(strstr(hs_last_error(), "pid 1"));
	assert_int_equal(access(file, F_OK), 0);
	ptypair_close(&p);
}

static void test_unwritable_lock_dir_falls_back(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	char saved[64];
	(void)state;

	ptypair_open(&p);
	snprintf(saved, sizeof(saved), "%s", p.lockdir);
	setenv("HS_LOCK_DIR", "/proc/no-such-folder", 1);
	l = open_ok(&p, NULL);
	assert_int_equal(hs_link_write(l, "x", 1, 1000, NULL), HS_OK);
	hs_link_close(l);
	setenv("HS_LOCK_DIR", saved, 1);
	ptypair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_read_deadline),
		cmocka_unit_test(test_xoff_stops_xon_restarts),
		cmocka_unit_test(test_full_pty_write_ends_at_deadline_with_its_count),
		cmocka_unit_test(test_line_settings_and_restore),
		cmocka_unit_test(test_pty_has_no_modem_lines),
		cmocka_unit_test(test_bad_devices),
		cmocka_unit_test(test_unplug),
		cmocka_unit_test(test_second_opener_is_told_who),
		cmocka_unit_test(test_stale_lock_is_reclaimed),
		cmocka_unit_test(test_unwritable_lock_dir_falls_back),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("link_pty", tests, NULL, NULL);
}
