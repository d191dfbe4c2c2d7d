/*
 * lock.h - private: take a serial port the way every other serial program
 * will notice (minicom, picocom, tio, pppd, ModemManager): a UUCP lock file,
 * flock() on the open port and TIOCEXCL. When any of them says the port is
 * taken, the error names the holder's pid and program.
 */
#ifndef HS_LOCK_H
#define HS_LOCK_H

#include <limits.h>

struct hs_lock {
	char file[PATH_MAX]; /* the lock file we created, empty if none */
};

/* Create LCK..<name> for the device node at path (symlinks resolved) in
 * $HS_LOCK_DIR or /run/lock. A stale lock of a dead process is reclaimed.
 * When the folder cannot be written, carries on without a file. */
int hs_lock_file(struct hs_lock *lk, const char *path);

void hs_lock_release(struct hs_lock *lk);

/* flock(LOCK_EX|LOCK_NB) and TIOCEXCL on an open port. */
int hs_lock_fd(int fd, const char *path);
/* Give TIOCEXCL back before the port is closed (close() drops the flock). */
void hs_lock_fd_release(int fd);

/* The busy error for a port another process opened exclusively (open()
 * said EBUSY): finds the holder among /proc/<pid>/fd. */
int hs_lock_busy(const char *path);

#endif
