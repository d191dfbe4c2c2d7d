/*
 * lab_locks.c — give the programs the lab runs a lock folder of their own.
 *
 * UUCP lock files live in /run/lock, which the lab does not emulate: a
 * program under test that locks the emulated ttyUSB0 would write
 * /run/lock/LCK..ttyUSB0 on the real machine, collide with a real
 * ttyUSB0's user and with a second lab running beside this one. So the
 * lab mounts a fresh tmpfs over /run/lock in a mount namespace of its own
 * (every program, ours or not, sees an empty lock folder), and where it
 * may not (not root), points our library at a temp folder with
 * HS_LOCK_DIR; third-party programs then still use the real one.
 */
#include "lab.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char *fallback_dir; /* HS_LOCK_DIR we made, removed at exit */

static void remove_fallback(void)
{
	if (fallback_dir) {
		char *argv[] = { "rm", "-rf", fallback_dir, NULL };
		g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
		             NULL, NULL, NULL, NULL);
	}
}

/* Must run before any thread exists: unshare(CLONE_NEWNS) implies
 * CLONE_FS, which a multi-threaded process may not unshare. */
void lab_private_locks(bool verbose)
{
	const char *why;

	if (access("/run/lock", F_OK) != 0) {
		why = "no /run/lock";
	} else if (unshare(CLONE_NEWNS) != 0) {
		why = strerror(errno);
	} else if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	           mount("hslab-locks", "/run/lock", "tmpfs",
	                 MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777") != 0) {
		why = strerror(errno);
	} else {
		if (verbose)
			fprintf(stderr, "hslab: /run/lock is private to the lab\n");
		return;
	}
	fallback_dir = g_dir_make_tmp("hslab-locks-XXXXXX", NULL);
	if (!fallback_dir)
		return; /* nothing better: the real folder it is */
	setenv("HS_LOCK_DIR", fallback_dir, 1);
	atexit(remove_fallback);
	if (verbose)
		fprintf(stderr, "hslab: cannot make /run/lock private (%s); "
		        "HS_LOCK_DIR=%s\n", why, fallback_dir);
}
