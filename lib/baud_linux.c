/*
 * baud_linux.c - rates that have no Bnnn constant, through the kernel's
 * termios2 (BOTHER). Kept apart because <asm/termbits.h> and glibc's
 * <termios.h> cannot be included in one file.
 */
#include <errno.h>
#include <asm/termbits.h>
#include <sys/ioctl.h>

#include "line.h"

int hs_baud_set_custom(int fd, int baud)
{
	struct termios2 t;

	if (ioctl(fd, TCGETS2, &t) != 0)
		return -errno;
	t.c_cflag &= ~(tcflag_t)CBAUD;
	t.c_cflag |= BOTHER;
	t.c_ispeed = t.c_ospeed = (speed_t)baud;
	if (ioctl(fd, TCSETS2, &t) != 0)
		return -errno;
	return 0;
}

int hs_baud_get(int fd)
{
	struct termios2 t;

	if (ioctl(fd, TCGETS2, &t) != 0)
		return -errno;
	return (int)t.c_ospeed;
}
