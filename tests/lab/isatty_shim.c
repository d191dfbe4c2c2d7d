/*
 * isatty_shim.c — preloaded into the program under test, before
 * libumockdev-preload: makes emulated ports look to the program as real
 * ones do.
 *
 * isatty(): umockdev's wrapper answers 1 only for emulated nodes of major
 * 4 (ttyS*), so /dev/ttyUSB* (188) and /dev/ttyACM* (166) look like "not
 * a tty" although they are ptys with working termios. Real programs check
 * isatty() before using a port (picocom: "Filedes is not a tty"), so the
 * lab restores the kernel's answer: a file is a tty iff TCGETS works on it.
 *
 * tcgetattr() and tcsetattr(): glibc issues their ioctls as raw syscalls,
 * which umockdev never sees, so the lab could not know the framing a
 * program set (the pty driver forces 8 data bits and no parity) nor keep
 * it as a UART would. Here they are the same ioctls issued through
 * ioctl(), which umockdev hands to the lab (lab_tty.c, uart_mismatch.c):
 * the lab then models the line the program asked for and answers TCGETS
 * with it. The conversion is glibc's own (sysdeps/unix/sysv/linux
 * tcgetattr.c and tcsetattr.c): the kernel's struct termios is the first
 * fields of glibc's, with 19 control characters.
 *
 * Only where it is safe: umockdev 0.17 keeps a socket per open of an
 * emulated node, and aborts the program on an ioctl() once that socket is
 * gone, which happens to copies (dup2, an inherited descriptor) and even
 * to the original when the program closes descriptors it did not open (a
 * shell's `exec 3</dev/ttyUSB0 4</dev/ttyACM0` closes umockdev's socket
 * for the first). So tcsetattr() goes through ioctl() only on a
 * descriptor the program opened itself by a /dev/tty* path, and
 * tcgetattr() (and isatty()) only once tcsetattr() went that way on it:
 * programs that set the line and read it back (libserialport, picocom,
 * pyserial). Everything else keeps glibc's raw syscalls, as without the
 * lab.
 *
 * tcflush(): the same, for TCFLSH (see below).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#define KERNEL_NCCS 19
/* glibc's mark for "input speed 0" (cfsetispeed), never the kernel's */
#define GLIBC_IBAUD0 020000000000
#define MAX_FD 1024

struct kernel_termios {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[KERNEL_NCCS];
};

/* per descriptor: OPENED by this process by a /dev/tty* path, SET once
 * a tcsetattr() went through ioctl() on it */
enum { RAW, OPENED, SET };
static unsigned char state[MAX_FD];

static void mark(int fd, const char *path)
{
	if (fd >= 0 && fd < MAX_FD)
		state[fd] = path && strncmp(path, "/dev/tty", 8) == 0 ? OPENED : RAW;
}

static void unmark(int fd)
{
	if (fd >= 0 && fd < MAX_FD)
		state[fd] = RAW;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static mode_t mode_of(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
		? (mode_t)va_arg(ap, int) : 0;
}

/* the mode argument the open calls take with O_CREAT or O_TMPFILE */
#define MODE_ARG(flags, m) \
	do { va_list ap; va_start(ap, flags); m = mode_of(flags, ap); va_end(ap); } while (0)

static int opened(int fd, const char *path)
{
	mark(fd, path);
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t m;

	MODE_ARG(flags, m);
	return opened(NEXT(open)(path, flags, m), path);
}

int open64(const char *path, int flags, ...)
{
	mode_t m;

	MODE_ARG(flags, m);
	return opened(NEXT(open64)(path, flags, m), path);
}

int openat(int dir, const char *path, int flags, ...)
{
	mode_t m;

	MODE_ARG(flags, m);
	return opened(NEXT(openat)(dir, path, flags, m), path);
}

/* what _FORTIFY_SOURCE builds call (libserialport does) */
int __open_2(const char *path, int flags)
{
	return opened(NEXT(__open_2)(path, flags), path);
}

int __open64_2(const char *path, int flags)
{
	return opened(NEXT(__open64_2)(path, flags), path);
}

int close(int fd)
{
	unmark(fd);
	return NEXT(close)(fd);
}

int dup2(int old, int new)
{
	unmark(new);
	return NEXT(dup2)(old, new);
}

int dup3(int old, int new, int flags)
{
	unmark(new);
	return NEXT(dup3)(old, new, flags);
}

/* TCGETS/TCSETS* through ioctl() (the lab sees it) when the descriptor
 * is at least at `need`, else as glibc does it */
static int tc_ioctl(int fd, unsigned long req, struct kernel_termios *k, int need)
{
	if (fd >= 0 && fd < MAX_FD && state[fd] >= need)
		return ioctl(fd, req, k);
	return (int)syscall(SYS_ioctl, fd, req, k);
}

int tcgetattr(int fd, struct termios *t)
{
	struct kernel_termios k;

	if (tc_ioctl(fd, TCGETS, &k, SET) != 0)
		return -1;
	memset(t, 0, sizeof(*t));
	t->c_iflag = k.c_iflag;
	t->c_oflag = k.c_oflag;
	t->c_cflag = k.c_cflag;
	t->c_lflag = k.c_lflag;
	t->c_line = k.c_line;
	t->c_ispeed = t->c_ospeed = k.c_cflag & (CBAUD | CBAUDEX);
	memcpy(t->c_cc, k.c_cc, KERNEL_NCCS);
	memset(t->c_cc + KERNEL_NCCS, _POSIX_VDISABLE, NCCS - KERNEL_NCCS);
	return 0;
}

int tcsetattr(int fd, int action, const struct termios *t)
{
	struct kernel_termios k;
	unsigned long req;

	switch (action) {
	case TCSANOW: req = TCSETS; break;
	case TCSADRAIN: req = TCSETSW; break;
	case TCSAFLUSH: req = TCSETSF; break;
	default:
		errno = EINVAL;
		return -1;
	}
	memset(&k, 0, sizeof(k));
	k.c_iflag = t->c_iflag & ~(tcflag_t)GLIBC_IBAUD0;
	k.c_oflag = t->c_oflag;
	k.c_cflag = t->c_cflag;
	k.c_lflag = t->c_lflag;
	k.c_line = t->c_line;
	memcpy(k.c_cc, t->c_cc, KERNEL_NCCS);
	if (tc_ioctl(fd, req, &k, OPENED) != 0)
		return -1;
	if (fd >= 0 && fd < MAX_FD && state[fd] == OPENED)
		state[fd] = SET;
	return 0;
}

int isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}

/*
 * tcflush() is an ioctl (TCFLSH) issued inside glibc, so the lab never
 * saw a program discard its output queue, and a UART's queue is the
 * lab's (lab_uart.c): bytes a program wrote and then flushed away still
 * reached the device. Issued through ioctl(), umockdev hands it to the
 * lab, which empties its queue as a serial driver does; only on a
 * descriptor the program opened itself, as for tcsetattr() above.
 */
int tcflush(int fd, int queue)
{
	if (fd >= 0 && fd < MAX_FD && state[fd] >= OPENED)
		return ioctl(fd, TCFLSH, queue);
	return (int)syscall(SYS_ioctl, fd, TCFLSH, queue);
}
