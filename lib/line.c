/*
 * line.c - apply struct hs_line to a tty with termios.
 *
 * With marks (hs_link_mark_errors) damaged characters come marked in the
 * data (PARMRK with INPCK), which serial_marks.c counts and takes out.
 *
 * XON/XOFF sets IXON and IXOFF but never IXANY: with IXANY any byte from
 * the device restarts our output, and printers send status bytes while
 * busy. DTR/DSR has no termios flag on Linux; serial_io.c paces it.
 */
#include <errno.h>
#include <string.h>
#include <termios.h>

#include "fail.h"
#include "line.h"

static const struct {
	int baud;
	speed_t code;
} rates[] = {
	{ 50, B50 }, { 75, B75 }, { 110, B110 }, { 134, B134 }, { 150, B150 },
	{ 200, B200 }, { 300, B300 }, { 600, B600 }, { 1200, B1200 },
	{ 1800, B1800 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 500000, B500000 }, { 576000, B576000 }, { 921600, B921600 },
	{ 1000000, B1000000 }, { 1152000, B1152000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 }, { 2500000, B2500000 }, { 3000000, B3000000 },
	{ 3500000, B3500000 }, { 4000000, B4000000 },
};

static speed_t standard_rate(int baud)
{
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (rates[i].baud == baud)
			return rates[i].code;
	return B0;
}

int hs_line_apply(int fd, const struct hs_line *line, int marks, const char *path)
{
	struct termios t;
	speed_t code = standard_rate(line->baud);
	static const tcflag_t sizes[] = { CS5, CS6, CS7, CS8 };

	if (line->bits < 5 || line->bits > 8 || line->stop < 1 || line->stop > 2 ||
	    line->baud <= 0)
		return hs_fail(HS_ERR_ARG, "%s: line settings out of range", path);
	if (tcgetattr(fd, &t) != 0)
		return hs_fail(hs_errno_code(errno), "%s: tcgetattr: %s", path,
			       strerror(errno));
	cfmakeraw(&t);
	t.c_cflag |= CREAD | CLOCAL;
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB | CRTSCTS);
	t.c_cflag |= sizes[line->bits - 5];
	switch (line->parity) {
	case HS_PARITY_NONE:
		break;
	case HS_PARITY_ODD:
		t.c_cflag |= PARENB | PARODD;
		break;
	case HS_PARITY_EVEN:
		t.c_cflag |= PARENB;
		break;
	case HS_PARITY_MARK:
		t.c_cflag |= PARENB | CMSPAR | PARODD;
		break;
	case HS_PARITY_SPACE:
		t.c_cflag |= PARENB | CMSPAR;
		break;
	}
	if (line->parity != HS_PARITY_NONE)
		t.c_iflag |= INPCK;
	/* damaged characters marked in the data (\377 \0 c, a real \377
	 * doubled), for serial_marks.c to count and take out */
	if (marks)
		t.c_iflag |= INPCK | PARMRK;
	if (line->stop == 2)
		t.c_cflag |= CSTOPB;
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	if (line->flow == HS_FLOW_RTSCTS)
		t.c_cflag |= CRTSCTS;
	if (line->flow == HS_FLOW_XONXOFF) {
		t.c_iflag |= IXON | IXOFF;
		t.c_cc[VSTART] = 0x11;
		t.c_cc[VSTOP] = 0x13;
	}
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (code != B0) {
		cfsetispeed(&t, code);
		cfsetospeed(&t, code);
	}
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return hs_fail(hs_errno_code(errno), "%s: cannot set the line: %s",
			       path, strerror(errno));
	if (code == B0) {
		int rc = hs_baud_set_custom(fd, line->baud);
		int got = rc == 0 ? hs_baud_get(fd) : rc;
		/* Drivers round custom rates to what their divisor can do. */
		if (got <= 0 || got < line->baud - line->baud / 50 ||
		    got > line->baud + line->baud / 50)
			return hs_fail(HS_ERR_NOT_SUPPORTED,
				       "%s cannot run at %d baud; pick a standard rate such as 115200",
				       path, line->baud);
	}
	return HS_OK;
}

int hs_line_cps(const struct hs_line *line)
{
	int frame = 1 + line->bits + (line->parity != HS_PARITY_NONE) + line->stop;
	int cps = line->baud / frame;
	return cps > 0 ? cps : 1;
}
