/*
 * test_probe_busy.c - the two helpers hsprobe needs from the library:
 * hs_link_probe_busy() sees a live UUCP lock and a flock() without
 * opening the port (the pty's master must receive nothing), and
 * hs_printer_driver_for() names a driver only when a match row fits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "handshake/error.h"
#include "handshake/link.h"
#include "handshake/printer.h"
#include "ptypair.h"

static void write_lock(const struct ptypair *p, const char *text)
{
	char file[256];
	FILE *f;

	ptypair_lockfile(p, file, sizeof(file));
	assert_non_null(f = fopen(file, "w"));
	fputs(text, f);
	fclose(f);
}

static void test_free_port(void **state)
{
	struct ptypair p;
	char c;
	(void)state;

	ptypair_open(&p);
	assert_int_equal(hs_link_probe_busy(p.path), HS_OK);
	/* nothing was opened, so nothing reached the device side */
	assert_int_equal(ptypair_read(&p, &c, 1, 50), 0);
	ptypair_close(&p);
}

static void test_live_lock_is_busy_stale_is_not(void **state)
{
	struct ptypair p;
	char text[32];
	pid_t child;
	(void)state;

	ptypair_open(&p);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(text, sizeof(text), "%10d\n", (int)child);
	write_lock(&p, text);
	assert_int_equal(hs_link_probe_busy(p.path), HS_ERR_BUSY);
	assert_non_null(strstr(hs_last_error(), "locked by pid"));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* the holder died: its lock is stale, the port free */
	assert_int_equal(hs_link_probe_busy(p.path), HS_OK);
	ptypair_close(&p);
}

static void test_flock_is_busy(void **state)
{
	struct ptypair p;
	int go[2];
	pid_t child;
	char c;
	(void)state;

	ptypair_open(&p);
	assert_int_equal(pipe(go), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int fd = open(p.path, O_RDWR | O_NOCTTY);
		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(go[0], &c, 1), 1);
	assert_int_equal(hs_link_probe_busy(p.path), HS_ERR_BUSY);
	assert_non_null(strstr(hs_last_error(), "flock"));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(go[0]);
	close(go[1]);
	ptypair_close(&p);
}

static void test_missing_port(void **state)
{
	(void)state;
	assert_int_equal(hs_link_probe_busy("/dev/hs-no-such-port"), HS_ERR_NO_DEVICE);
	assert_int_equal(hs_link_probe_busy(""), HS_ERR_ARG);
}

static void test_printer_driver_for(void **state)
{
	(void)state;
	assert_string_equal(hs_printer_driver_for("MFG:HP;MDL:LaserJet 4;CMD:PJL,PCL;",
						  -1, -1), "pjl");
	assert_string_equal(hs_printer_driver_for(NULL, 0x0a5f, 0x0001), "zpl");
	assert_string_equal(hs_printer_driver_for("", 0x04b8, 0x0202), "escpos");
	/* nothing fits: NULL, the generic driver would be used */
	assert_null(hs_printer_driver_for("MFG:ACME;MDL:Box;", 0x1234, 0x5678));
	assert_null(hs_printer_driver_for(NULL, -1, -1));
	/* a malformed ID counts as no ID */
	assert_null(hs_printer_driver_for("MFG:A\nCMD:PJL;", -1, -1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_port),
		cmocka_unit_test(test_live_lock_is_busy_stale_is_not),
		cmocka_unit_test(test_flock_is_busy),
		cmocka_unit_test(test_missing_port),
		cmocka_unit_test(test_printer_driver_for),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
