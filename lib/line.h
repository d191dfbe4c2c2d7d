/*
 * line.h - private: line settings (speed, framing, flow control) on a tty
 * file descriptor through termios. One implementation for every serial
 * port, UART and pty alike, so a setting means the same thing everywhere.
 */
#ifndef HS_LINE_H
#define HS_LINE_H

#include "handshake/link.h"

/* Apply line to fd: raw mode, CLOCAL (never wait for carrier), the
 * speed (custom rates through termios2), framing and flow control; with
 * marks, PARMRK and INPCK (line errors marked in the data). */
int hs_line_apply(int fd, const struct hs_line *line, int marks, const char *path);

/* Characters per second the line carries: start, data, parity and stop
 * bits per character. At least 1. */
int hs_line_cps(const struct hs_line *line);

/* termios2 custom speeds (baud_linux.c): 0 or -errno. */
int hs_baud_set_custom(int fd, int baud);
int hs_baud_get(int fd);

#endif
