/*
 * serial.h - private: state shared by serial.c (open, close, modem lines)
 * and serial_io.c (moving bytes).
 */
#ifndef HS_SERIAL_H
#define HS_SERIAL_H

#include <stdint.h>
#include <termios.h>
#include <linux/serial.h>
#include <libserialport.h>

#include "link_priv.h"

struct hs_serial {
	struct sp_port *port;   /* libserialport's handle; NULL for a pty */
	struct termios saved;   /* the line as we found it, put back at close */
	int borrowed;           /* fd: link: the descriptors are the caller's */
	int saved_flags[2];     /* fd: link: O_NONBLOCK etc. as found */
	int line_set;           /* we changed the line: restore it */
	int saved_lines;        /* HS_SIG_DTR|RTS as found, -1 if unknown */
	int lines;              /* DTR/RTS as we last set them */
	/* Write pacing on a real port (serial_io.c) */
	int last_queue;         /* the queue's depth at the last look, plus
				 * what was written since */
	int held_ms;            /* the queue held still: look again after */
	int held_by;            /* HS_SIG_DSR or CTS: low at the last look */
	int64_t held_since_us;  /* ...since then (hs_now_us) */
	int refused;            /* the last write was refused (EAGAIN) */
	int wflags;             /* wfd's status flags, for a blocking
	                         * write; 0 until read, -1 unusable */
	int queue_seen;         /* the output queue's depth last seen */
	int no_miwait;          /* TIOCMIWAIT failed here: poll the lines */
	int lines_poll_ms;      /* ...this often (backs off to 100 ms) */
	/* hs_link_fd's set and a call's DCD watch (serial_carrier.c) */
	struct hs_carrier *carrier; /* NULL until made */
	int fd_given;           /* hs_link_fd gave the port itself: no set */
	/* Line errors (serial_marks.c) */
	int marks;              /* PARMRK is on: take the marks out
	                         * (hs_link_mark_errors, or the parent's
	                         * on an fd: link) */
	int mark_state;         /* how much of a mark the last read ended in */
	int no_icount;          /* the driver has no TIOCGICOUNT */
	struct serial_icounter_struct ic_seen; /* its counters last seen */
	struct hs_line_errors last, errors;    /* last read, since open */
};

int hs_serial_read(struct hs_link *link, void *buf, size_t len, int64_t deadline);
int hs_serial_write(struct hs_link *link, const void *buf, size_t len,
		    int64_t deadline, size_t *done);
int hs_serial_drain(struct hs_link *link, int64_t deadline);
int hs_serial_pending(struct hs_link *link);
int hs_serial_flush(struct hs_link *link, enum hs_flush which);
int hs_serial_break(struct hs_link *link, int duration_ms);
int hs_serial_signals(struct hs_link *link);
/* Wait until a line in mask differs from first (serial_lines.c). */
int hs_serial_wait_signals(struct hs_link *link, int mask, int first, int64_t deadline);
/* One TIOCMIWAIT on fd for the HS_SIG_* lines in mask, ended at the
 * deadline: 1 a line may have changed, 0 interrupted (the deadline or
 * another signal), HS_ERR_NOT_SUPPORTED where the port or the process
 * cannot wait so, HS_ERR_IO with *err set. Sets no error message, so any
 * thread may call it. */
int hs_lines_miwait(int fd, int mask, int64_t deadline, int *err);
/* TIOCMIWAIT saying "changed" this many times in a row with nothing
 * changed is a driver that does not really wait: look instead. */
#define HS_MIWAIT_MAX_EMPTY 16

/* Line errors (serial_marks.c): after the line is set, the driver's
 * counters (the baseline the first time); at the start of each
 * hs_link_read; take the marks out of n bytes read (in place; returns how
 * many are left); the counts; marks on from now (hs_link_mark_errors). */
void hs_marks_start(struct hs_link *link);
void hs_marks_read_start(struct hs_link *link);
size_t hs_marks_strip(struct hs_link *link, unsigned char *buf, size_t n);
int hs_serial_line_errors(struct hs_link *link, struct hs_line_errors *last,
			  struct hs_line_errors *total);
int hs_serial_mark_errors(struct hs_link *link);

/* serial_carrier.c: the poll_fd and carrier_watch ops; free the set
 * and stop the watch at close. */
int hs_serial_poll_fd(struct hs_link *link);
int hs_serial_carrier_watch(struct hs_link *link, enum hs_watch op);
void hs_serial_carrier_close(struct hs_link *link);

/* Record an errno err during what ("write", "a read of the modem lines")
 * and return its code; an unplugged port says so, whatever the call. */
int hs_serial_fail(struct hs_link *link, const char *what, int err);

#endif
