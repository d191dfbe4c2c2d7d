/*
 * serial_marks.c - line errors on a serial port: the driver's own counters
 * (TIOCGICOUNT) where it has them, and the PARMRK marks in what is read
 * once hs_link_mark_errors() asked for them.
 *
 * Marks are asked for, never on by default: the kernel does not mark the
 * bytes it took in before PARMRK went on, nor go over them again, so a
 * "\377 \0 c" among them would read as a mark; turning marks on drops
 * what was waiting, which only a caller who wants them can allow.
 *
 * With PARMRK and INPCK the kernel delivers a damaged character c as
 * \377 \0 c (a break as \377 \0 \0) and a real \377 as \377 \377. The
 * marks are taken out here, in place, so a read returns what a port
 * without error checking would: c as it came, a break as a NUL. A mark
 * can be split between two reads, so where it stopped is kept.
 *
 * The driver's counters tell framing from parity errors and see overruns,
 * which leave no mark; they count from when the driver opened the port,
 * so the link keeps the values it last saw and reports the difference.
 * They are read only when a read returned marks and when the caller asks
 * for totals: nothing costs more while the line is clean.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <linux/serial.h>

#include "serial.h"

enum { MARK_NONE, MARK_FF, MARK_FF0 };

/* The driver's counters; 0, or -1 when it has none (a pty). */
static int driver_counts(struct hs_link *l, struct serial_icounter_struct *ic)
{
	struct hs_serial *s = l->priv;

	if (s->no_icount)
		return -1;
	memset(ic, 0, sizeof(*ic));
	if (ioctl(l->fd, TIOCGICOUNT, ic) != 0) {
		/* ENOTTY, EINVAL: this driver does not count */
		s->no_icount = errno != EINTR;
		return -1;
	}
	return 0;
}

/* What the driver counted since it was last asked, into last and total. */
static void take_counts(struct hs_link *l, struct hs_line_errors *last);

void hs_marks_start(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	if (s->errors.counted)
		take_counts(l, &s->last); /* the old setting's, kept in totals */
	else if (!s->no_icount && driver_counts(l, &s->ic_seen) == 0)
		s->errors.counted = s->last.counted = 1;
}

static void take_counts(struct hs_link *l, struct hs_line_errors *last)
{
	struct hs_serial *s = l->priv;
	struct serial_icounter_struct ic;

	if (driver_counts(l, &ic) != 0)
		return;
	struct hs_line_errors d = {
		.framing = (unsigned)(ic.frame - s->ic_seen.frame),
		.parity = (unsigned)(ic.parity - s->ic_seen.parity),
		.breaks = (unsigned)(ic.brk - s->ic_seen.brk),
		.overruns = (unsigned)(ic.overrun - s->ic_seen.overrun) +
			    (unsigned)(ic.buf_overrun - s->ic_seen.buf_overrun),
	};

	/* without marks the driver's count is all there is of them */
	if (!s->marks)
		d.damaged = d.framing + d.parity + d.breaks;
	hs_errors_add(last, &d);
	hs_errors_add(&s->errors, &d);
	s->ic_seen = ic;
}

void hs_marks_read_start(struct hs_link *l)
{
	struct hs_serial *s = l->priv;

	memset(&s->last, 0, sizeof(s->last));
	s->last.counted = s->errors.counted;
}

/* One marked character: counted, and given back as it came. */
static void damaged(struct hs_link *l, unsigned char c)
{
	struct hs_serial *s = l->priv;

	s->last.damaged++;
	s->errors.damaged++;
	if (s->errors.counted)
		return;
	if (c == 0)
		s->last.breaks++, s->errors.breaks++;
	else if (l->line.parity == HS_PARITY_NONE)
		s->last.framing++, s->errors.framing++;
	else
		s->last.parity++, s->errors.parity++;
}

size_t hs_marks_strip(struct hs_link *l, unsigned char *buf, size_t n)
{
	struct hs_serial *s = l->priv;
	size_t out = 0;
	unsigned long before = s->last.damaged;

	if (!s->marks || (s->mark_state == MARK_NONE && !memchr(buf, 0xff, n)))
		return n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];

		switch (s->mark_state) {
		case MARK_NONE:
			if (c == 0xff)
				s->mark_state = MARK_FF;
			else
				buf[out++] = c;
			break;
		case MARK_FF:
			/* n_tty sends nothing else after \377: were it to,
			 * the lone \377 is dropped, so out never passes i */
			s->mark_state = c == 0 ? MARK_FF0 : MARK_NONE;
			if (c != 0)
				buf[out++] = c;
			break;
		case MARK_FF0:
			s->mark_state = MARK_NONE;
			damaged(l, c);
			buf[out++] = c;
			break;
		}
	}
	if (s->last.damaged != before && s->errors.counted)
		take_counts(l, &s->last);
	return out;
}

int hs_serial_mark_errors(struct hs_link *l)
{
	struct hs_serial *s = l->priv;
	struct termios t;

	if (tcgetattr(l->fd, &t) != 0)
		return hs_serial_fail(l, "tcgetattr", errno);
	t.c_iflag |= PARMRK | INPCK;
	t.c_iflag &= ~(tcflag_t)(ISTRIP | IGNPAR);
	if (tcsetattr(l->fd, TCSANOW, &t) != 0)
		return hs_serial_fail(l, "setting PARMRK", errno);
	s->line_set = 1;
	s->marks = 1;
	s->mark_state = MARK_NONE;
	/* what was waiting came in unmarked */
	return hs_serial_flush(l, HS_FLUSH_INPUT);
}

int hs_serial_line_errors(struct hs_link *l, struct hs_line_errors *last,
			  struct hs_line_errors *total)
{
	struct hs_serial *s = l->priv;

	if (s->errors.counted)
		take_counts(l, &s->last);
	if (last)
		*last = s->last;
	if (total)
		*total = s->errors;
	return HS_OK;
}
