/*
 * test_devpath.c - following device symlinks the way udev lays them out
 * (/dev/serial/by-id/x -> ../../ttyUSB0), chains, loops and dots, and
 * which part of a path is a file where a folder should be.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "devpath.h"

static char dir[64];

static void at(char *buf, size_t cap, const char *rel)
{
	snprintf(buf, cap, "%s/%s", dir, rel);
}

static void test_resolve(void **state)
{
	char a[PATH_MAX], b[PATH_MAX], out[PATH_MAX], want[PATH_MAX];
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/hs-devpath-XXXXXX");
	assert_non_null(mkdtemp(dir));
	at(a, sizeof(a), "serial");
	assert_int_equal(mkdir(a, 0755), 0);
	at(a, sizeof(a), "serial/by-id");
	assert_int_equal(mkdir(a, 0755), 0);
	at(a, sizeof(a), "ttyUSB0");
	fclose(fopen(a, "w"));

	/* udev's relative link */
	at(b, sizeof(b), "serial/by-id/usb-FTDI-if00");
	assert_int_equal(symlink("../../ttyUSB0", b), 0);
	assert_int_equal(hs_devpath_resolve(b, out, sizeof(out)), 0);
	assert_string_equal(out, a);
	/* a chain through an absolute link, with dots and double slashes */
	at(b, sizeof(b), "modem");
	snprintf(want, sizeof(want), "%s/./serial//by-id/usb-FTDI-if00", dir);
	assert_int_equal(symlink(want, b), 0);
	assert_int_equal(hs_devpath_resolve(b, out, sizeof(out)), 0);
	assert_string_equal(out, a);
	/* a plain path comes back as it is */
	assert_int_equal(hs_devpath_resolve(a, out, sizeof(out)), 0);
	assert_string_equal(out, a);
	/* a loop and a dangling link */
	at(b, sizeof(b), "loop");
	assert_int_equal(symlink("loop", b), 0);
	assert_int_equal(hs_devpath_resolve(b, out, sizeof(out)), -ELOOP);
	at(b, sizeof(b), "gone");
	assert_int_equal(symlink("ttyUSB9", b), 0);
	assert_int_equal(hs_devpath_resolve(b, out, sizeof(out)), -ENOENT);
	/* through a file that is not a folder: which part it is */
	at(b, sizeof(b), "ttyUSB0/x/y");
	assert_int_equal(hs_devpath_resolve(b, out, sizeof(out)), -ENOTDIR);
	assert_int_equal(hs_devpath_not_dir(b, out, sizeof(out)), 0);
	assert_string_equal(out, a);
	at(b, sizeof(b), "serial/none/y");
	assert_int_equal(hs_devpath_not_dir(b, out, sizeof(out)), -1);
	/* too small a buffer */
	assert_int_equal(hs_devpath_resolve(a, out, 4), -ENAMETOOLONG);
	/* relative to the working folder */
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(hs_devpath_resolve("serial/../ttyUSB0", out, sizeof(out)), 0);
	assert_string_equal(out, a);
	assert_int_equal(chdir("/"), 0);
	snprintf(a, sizeof(a), "rm -rf '%s'", dir);
	assert_int_equal(system(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
	};
	return cmocka_run_group_tests_name("devpath", tests, NULL, NULL);
}
