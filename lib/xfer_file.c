/*
 * xfer_file.c - the local files of a transfer: opening what is sent, and
 * creating what is received so that a name from the peer can never reach
 * outside the folder, follow a symlink, or replace a file unasked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"
#include "xfer_priv.h"

int xf_file_open_send(const char *path, int *fd, int64_t *size, int64_t *mtime,
		      unsigned *mode, const char **base)
{
	struct stat st;
	const char *slash = strrchr(path, '/');

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return hs_fail(HS_ERR_FILE, "cannot read %s: %s", path, strerror(errno));
	if (fstat(*fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(*fd);
		*fd = -1;
		return hs_fail(HS_ERR_FILE, "cannot send %s: %s", path, strerror(err));
	}
	/* a pipe or a device has no length to announce */
	*size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	*mtime = (int64_t)st.st_mtime;
	*mode = (unsigned)st.st_mode;
	*base = slash ? slash + 1 : path;
	return HS_OK;
}

int xf_file_create(const char *dir, const char *name, int overwrite, char *path,
		   size_t cap)
{
	int dfd = AT_FDCWD, fd, flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;

	if (dir) {
		snprintf(path, cap, "%s/%s", dir, name);
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return hs_fail(HS_ERR_FILE, "cannot write into %s: %s", dir,
				       strerror(errno));
	} else {
		snprintf(path, cap, "%s", name);
	}
	flags |= overwrite ? O_TRUNC : O_EXCL;
	fd = openat(dfd, name, flags, 0666);
	if (fd < 0) {
		int err = errno;
		if (dfd != AT_FDCWD)
			close(dfd);
		if (err == EEXIST)
			return hs_fail(HS_ERR_EXISTS, "%s exists already; not replaced (overwrite)",
				       path);
		if (err == ELOOP)
			return hs_fail(HS_ERR_FILE, "%s is a symbolic link; not followed", path);
		return hs_fail(HS_ERR_FILE, "cannot create %s: %s", path, strerror(err));
	}
	if (dfd != AT_FDCWD)
		close(dfd);
	return fd;
}

int xf_file_reopen(const char *dir, const char *name, char *path, size_t cap, int64_t *len)
{
	int dfd, fd;
	struct stat st;

	*len = -1;
	snprintf(path, cap, "%s/%s", dir, name);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return hs_fail(HS_ERR_FILE, "cannot write into %s: %s", dir, strerror(errno));
	fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0 && errno == ELOOP)
		return hs_fail(HS_ERR_FILE, "%s is a symbolic link; not followed", path);
	if (fd < 0)
		return hs_fail(HS_ERR_FILE, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hs_fail(HS_ERR_FILE, "%s is not a regular file; not resumed", path);
	}
	*len = (int64_t)st.st_size;
	return fd;
}

int xf_file_write(int fd, const void *buf, size_t n, const char *path)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return hs_fail(HS_ERR_FILE, "cannot write %s: %s", path, strerror(errno));
		p += w;
		n -= (size_t)w;
	}
	return HS_OK;
}

void xf_file_stamp(int fd, int64_t mtime, unsigned mode)
{
	if (mtime >= 0) {
		struct timespec t[2] = {
			{ .tv_nsec = UTIME_OMIT },
			{ .tv_sec = (time_t)mtime },
		};
		futimens(fd, t);
	}
	/* Only permission bits, never set-id (the peer is untrusted), and
	 * none the umask took from the file when it was created: an x bit
	 * goes where that left the r bit. (umask() itself is per process
	 * and cannot be read without changing it.) */
	struct stat st;
	if ((mode & 0777) && fstat(fd, &st) == 0) {
		unsigned allowed = st.st_mode & 0666;
		allowed |= (allowed & 0444) >> 2;
		fchmod(fd, mode & allowed);
	}
}
