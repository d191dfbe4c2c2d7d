/*
 * isatty_shim.c — preloaded into the program under test, before
 * libumockdev-preload: termios calls that glibc makes inside itself,
 * where umockdev cannot see them, made the way it can.
 *
 * umockdev's isatty() wrapper answers 1 only for emulated nodes of major 4
 * (ttyS*), so /dev/ttyUSB* (188) and /dev/ttyACM* (166) look like "not a
 * tty" although they are ptys with working termios. Real programs check
 * isatty() before using a port (picocom: "Filedes is not a tty"), so the
 * lab restores the kernel's answer: a file is a tty iff TCGETS works on it.
 * tcgetattr() issues the ioctl inside glibc, which umockdev does not wrap.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

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
 * lab, which empties its queue as a serial driver does.
 */
int tcflush(int fd, int queue)
{
	return ioctl(fd, TCFLSH, queue);
}
