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
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define KERNEL_NCCS 19
/* glibc's mark for "input speed 0" (cfsetispeed), never the kernel's */
#define GLIBC_IBAUD0 020000000000

struct kernel_termios {
	tcflag_t c_iflag, c_oflag, c_cflag, c_lflag;
	cc_t c_line;
	cc_t c_cc[KERNEL_NCCS];
};

int tcgetattr(int fd, struct termios *t)
{
	struct kernel_termios k;

	if (ioctl(fd, TCGETS, &k) != 0)
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
	return ioctl(fd, req, &k);
}

int isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}
