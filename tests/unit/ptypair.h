/*
 * ptypair.h - test helpers: a real pseudo-terminal whose slave the library
 * opens by path while the test plays the device on the master, and exact
 * reads on either side.
 */
#ifndef HS_TEST_PTYPAIR_H
#define HS_TEST_PTYPAIR_H

#include <stddef.h>

struct ptypair {
	int master;       /* the device side, non-blocking */
	char path[64];    /* the slave, e.g. /dev/pts/3 */
	char lockdir[64]; /* a private HS_LOCK_DIR for this test */
};

/* Create the pair and a private lock folder (HS_LOCK_DIR is set). */
void ptypair_open(struct ptypair *p);
void ptypair_close(struct ptypair *p);

/* Read exactly n bytes from the master within timeout_ms; returns the
 * count read (< n on timeout). */
size_t ptypair_read(struct ptypair *p, void *buf, size_t n, int timeout_ms);
void ptypair_write(struct ptypair *p, const void *buf, size_t n);

struct hs_link;
/* Read exactly n bytes from a link within timeout_ms, failing the test
 * on an error or the deadline: the host side's twin of ptypair_read. */
void link_read_exact(struct hs_link *l, void *buf, size_t n, int timeout_ms);

/* The lock file the library makes for this pty. */
void ptypair_lockfile(const struct ptypair *p, char *out, size_t cap);

#endif
