/*
 * lock.c - UUCP lock files, flock() and TIOCEXCL, and naming whoever holds
 * a port. The lock file holds the pid as "%10d\n" (the HDB UUCP format that
 * minicom, pppd and lockdev use) and is created with O_EXCL, so two openers
 * can never both win.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "devpath.h"
#include "fail.h"
#include "handshake/link.h"
#include "lock.h"

/* "4711 (hsdial)": who a pid is, for messages. */
static void describe_pid(int pid, char *buf, size_t cap)
{
	char path[64], comm[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "r"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	if (comm[0])
		snprintf(buf, cap, "pid %d (%s)", pid, comm);
	else
		snprintf(buf, cap, "pid %d", pid);
}

static int busy(const char *path, int pid, const char *how)
{
	char who[128];

	if (pid <= 0)
		return hs_fail(HS_ERR_BUSY,
			       "%s is in use by another program (%s); close it or pick another port",
			       path, how);
	describe_pid(pid, who, sizeof(who));
	return hs_fail(HS_ERR_BUSY, "%s is locked by %s (%s); close that program first",
		       path, who, how);
}

static const char *lock_dir(void)
{
	const char *d = getenv("HS_LOCK_DIR");
	return d && *d ? d : "/run/lock";
}

/* /dev/ttyUSB0 -> LCK..ttyUSB0, /dev/pts/3 -> LCK..pts_3 (as lockdev). */
static void lock_name(const char *path, char *out, size_t cap)
{
	const char *name = strncmp(path, "/dev/", 5) == 0 ? path + 5 : path;
	size_t n;

	if (name == path && strrchr(path, '/'))
		name = strrchr(path, '/') + 1;
	n = (size_t)snprintf(out, cap, "%s/LCK..%s", lock_dir(), name);
	for (size_t i = n - strlen(name); i < n && i < cap; i++)
		if (out[i] == '/')
			out[i] = '_';
}

/* The pid in a lock file, 0 if unreadable (ASCII, or the old binary int). */
static int read_lock_pid(const char *file)
{
	char buf[32] = "";
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int pid;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n == sizeof(int) && (buf[0] < ' ' || buf[sizeof(int) - 1] == 0)) {
		memcpy(&pid, buf, sizeof(int));
		return pid;
	}
	return n > 0 ? atoi(buf) : 0;
}

static int pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* Is the lock file younger than a second: being written right now by
 * its creator (between its open(O_EXCL) and its write)? Measured to the
 * nanosecond: comparing whole seconds took a file made 0.1 s before
 * the clock's second turned for a second old. A file dated ahead of the
 * clock by less than a second counts as young too. */
static int lock_young(const char *file)
{
	struct stat st;
	struct timespec now;
	int64_t age_ms;

	if (stat(file, &st) != 0 || clock_gettime(CLOCK_REALTIME, &now) != 0)
		return 0;
	age_ms = ((int64_t)now.tv_sec - st.st_mtim.tv_sec) * 1000 +
		 (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000;
	return age_ms > -1000 && age_ms < 1000;
}

int hs_lock_file(struct hs_lock *lk, const char *path)
{
	char file[PATH_MAX], text[16];

	lk->file[0] = 0;
	lock_name(path, file, sizeof(file));
	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			int len = snprintf(text, sizeof(text), "%10d\n", (int)getpid());
			ssize_t w = write(fd, text, (size_t)len);
			close(fd);
			if (w != len) {
				unlink(file);
				return hs_fail(HS_ERR_IO, "cannot write lock file %s for %s: %s",
					       file, path, strerror(errno));
			}
			snprintf(lk->file, sizeof(lk->file), "%s", file);
			return HS_OK;
		}
		if (errno != EEXIST)
			return HS_OK; /* folder not writable: flock and TIOCEXCL still hold */
		int pid = read_lock_pid(file);
		if (pid_alive(pid))
			return busy(path, pid, file);
		/* Being written right now by its creator, or garbage: a
		 * file younger than a second is someone's fresh lock. */
		if (pid == 0 && lock_young(file))
			return busy(path, 0, file);
		unlink(file); /* stale: its process is gone */
	}
	return busy(path, 0, file);
}

void hs_lock_release(struct hs_lock *lk)
{
	if (lk->file[0] && read_lock_pid(lk->file) == getpid())
		unlink(lk->file);
	lk->file[0] = 0;
}

/* The pid holding a flock() on the node at path, from /proc/locks. */
static int flock_holder(const char *path)
{
	struct stat st;
	char line[256], want[64];
	FILE *f;
	int pid = 0;

	if (stat(path, &st) != 0 || !(f = fopen("/proc/locks", "r")))
		return 0;
	snprintf(want, sizeof(want), "%02x:%02x:%lu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long)st.st_ino);
	while (fgets(line, sizeof(line), f)) {
		char type[16], dev[64];
		int p;
		if (sscanf(line, "%*s %15s %*s %*s %d %63s", type, &p, dev) == 3 &&
		    strcmp(type, "FLOCK") == 0 && strcmp(dev, want) == 0) {
			pid = p;
			break;
		}
	}
	fclose(f);
	return pid;
}

int hs_lock_fd(int fd, const char *path)
{
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return busy(path, flock_holder(path), "flock");
		return hs_fail(HS_ERR_IO, "%s: flock: %s", path, strerror(errno));
	}
	/* Old kernels and some drivers lack TIOCEXCL; the other two locks hold. */
	if (ioctl(fd, TIOCEXCL) != 0 && errno != ENOTTY && errno != EINVAL)
		return hs_fail(HS_ERR_IO, "%s: TIOCEXCL: %s", path, strerror(errno));
	return HS_OK;
}

void hs_lock_fd_release(int fd)
{
	/* TIOCEXCL is the tty's, not the descriptor's: a pty whose master
	 * stays open (socat, an emulator, the lab) keeps it after our close,
	 * and every later open but root's would get EBUSY. */
	(void)ioctl(fd, TIOCNXCL);
}

int hs_lock_busy(const char *path)
{
	struct stat dev;
	DIR *procs;
	struct dirent *p;
	int holder = 0;

	if (stat(path, &dev) != 0 || !(procs = opendir("/proc")))
		return busy(path, 0, "TIOCEXCL");
	while (!holder && (p = readdir(procs))) {
		char fds[300];
		DIR *d;
		struct dirent *e;
		int pid = atoi(p->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(fds, sizeof(fds), "/proc/%d/fd", pid);
		if (!(d = opendir(fds)))
			continue;
		while ((e = readdir(d))) {
			char link[600];
			struct stat st;
			snprintf(link, sizeof(link), "%s/%s", fds, e->d_name);
			if (stat(link, &st) == 0 && S_ISCHR(st.st_mode) &&
			    st.st_rdev == dev.st_rdev) {
				holder = pid;
				break;
			}
		}
		closedir(d);
	}
	closedir(procs);
	return busy(path, holder, "TIOCEXCL");
}

/* Public (link.h): the locks that can be seen without opening the port,
 * for listings that must never disturb a port someone else is using. */
int hs_link_probe_busy(const char *path)
{
	char node[PATH_MAX], file[PATH_MAX];
	struct stat st;
	int pid;

	if (!path || !*path)
		return hs_fail(HS_ERR_ARG, "no port named");
	if (hs_devpath_resolve(path, node, sizeof(node)) < 0 || stat(node, &st) != 0)
		return hs_fail(HS_ERR_NO_DEVICE, "%s: no such device", path);
	lock_name(node, file, sizeof(file));
	pid = read_lock_pid(file);
	if (pid > 0 && pid != getpid() && pid_alive(pid))
		return busy(node, pid, file);
	/* An empty lock file younger than a second is being written by its
	 * creator (see hs_lock_file): treat it as taken. */
	if (pid == 0 && lock_young(file))
		return busy(node, 0, file);
	pid = flock_holder(node);
	if (pid > 0 && pid != getpid())
		return busy(node, pid, "flock");
	return HS_OK;
}
