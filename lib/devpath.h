/*
 * devpath.h - private: the device node a path names, symlinks followed
 * (/dev/serial/by-id/... -> /dev/ttyUSB0), so that every name of one port
 * shares one lock file and the messages name the real node.
 *
 * Not realpath(3): under umockdev (the device lab) glibc's realpath of an
 * emulated node corrupts the heap (seen with umockdev 0.17.16 on Debian
 * 12), and the lab is where every test runs.
 */
#ifndef HS_DEVPATH_H
#define HS_DEVPATH_H

#include <stddef.h>

/* Follow symlinks of the last component (up to 32), make the result
 * absolute and remove "." and ".." lexically. 0 or -errno. */
int hs_devpath_resolve(const char *path, char *out, size_t cap);

/* For a path that failed with ENOTDIR: its first leading part that exists
 * but is not a folder ("/dev/tty" of "/dev/tty/USB0"), into out. 0, or -1
 * when there is none. */
int hs_devpath_not_dir(const char *path, char *out, size_t cap);

#endif
