/*
 * handshake/printer.h - printers: status, and the job engine that sends a
 * job through any link with its handshake and says exactly how many bytes
 * the printer took.
 *
 * Principles of operation
 *  - A printer is a link plus a driver. The driver knows the printer's
 *    status language (PJL, ESC/POS, ZPL, or none) and wraps jobs when the
 *    language wants it (PJL's UEL). Drivers are matched from the IEEE 1284
 *    device ID or the USB VID:PID, or named.
 *  - A job is paced by the link: the write blocks while the printer holds
 *    the handshake (XOFF, CTS or DSR low, a full USB pipe). A printer that
 *    takes nothing for stall_timeout_ms ends the job with HS_ERR_STALL,
 *    unless its status says why (paper out, offline, cover open): then the
 *    job pauses up to pause_timeout_ms and goes on where it stopped.
 *  - *accepted always counts the job's bytes the device took, from the
 *    start of the job (resume_at included), on success and on failure.
 *    A job run again with resume_at = that count sends each byte once.
 *    One limit: when a job on a serial port fails, what sat in the port's
 *    output queue may or may not reach the device (lost with it when it
 *    is unplugged, sent from a UART's FIFO after a give-up); *accepted
 *    leaves the queue out (kept to tens of ms of data by pacing), and
 *    the error message says how many bytes that was: the device got at
 *    least *accepted and at most that many more.
 *  - Nothing here prints; progress and status go to callbacks.
 */
#ifndef HANDSHAKE_PRINTER_H
#define HANDSHAKE_PRINTER_H

#include <stddef.h>
#include "handshake/link.h"

#ifdef __cplusplus
extern "C" {
#endif

enum hs_printer_flag {
	HS_PST_OFFLINE = 1 << 0,    /* not selected / off line */
	HS_PST_PAPER_OUT = 1 << 1,  /* media empty */
	HS_PST_PAPER_LOW = 1 << 2,  /* media near end */
	HS_PST_ERROR = 1 << 3,      /* some other error the printer reports */
	HS_PST_BUSY = 1 << 4,       /* holding the handshake, or says busy */
	HS_PST_COVER_OPEN = 1 << 5, /* cover or print head open */
	HS_PST_PAUSED = 1 << 6,     /* paused by the operator */
};

struct hs_printer_status {
	int known;          /* 0: the printer cannot tell us anything */
	unsigned flags;     /* enum hs_printer_flag bits; 0 is ready */
	int code;           /* the driver's own code (PJL 10001, ...), or -1 */
	char detail[160];   /* the driver's words, e.g. "40021 tray 1 empty" */
};

struct hs_print_progress {
	size_t accepted;    /* job bytes the device took so far */
	size_t total;       /* job size; 0 when unknown (a pipe) */
	double rate;        /* bytes per second over the last seconds */
	double eta_s;       /* seconds left, -1 when unknown */
};

struct hs_print_opts {
	size_t resume_at;       /* job bytes the printer already has */
	int stall_timeout_ms;   /* no byte taken this long: stall (0: 30 s) */
	int pause_timeout_ms;   /* paper out / offline wait (0: 10 min) */
	int status_interval_ms; /* status poll while stalled (0: 1 s) */
	void (*progress)(void *ctx, const struct hs_print_progress *p);
	/* Called when the printer pauses the job and says why, when it has
	 * held the handshake 2 s without a reason (flags HS_PST_BUSY only),
	 * and once when it takes bytes again (flags 0, "printing again"). */
	void (*status)(void *ctx, const struct hs_printer_status *s);
	void *ctx;
	volatile int *cancel;   /* set non-zero to stop (HS_ERR_CANCELED) */
	/* Every byte the printer sends back during the job, as it came
	 * (a CUPS backend passes it on to the filters on fd 3). May be NULL. */
	void (*backchannel)(void *ctx, const void *data, size_t len);
};

struct hs_printer;

/* Open the printer a URI names; driver NULL picks one from the device's
 * identity (the generic driver when nothing matches). */
int hs_printer_open(struct hs_printer **out, const char *uri, const char *driver);
void hs_printer_close(struct hs_printer *printer);
struct hs_link *hs_printer_link(struct hs_printer *printer);
const char *hs_printer_driver_name(const struct hs_printer *printer);

/* The name of the driver whose match rows fit a device, from its IEEE
 * 1284 device ID (NULL or "" when unknown; an ID that does not parse
 * counts as unknown) and USB ids (-1 when not USB): "pjl", "zpl", ...
 * NULL when no row fits (hs_printer_open would use "generic"). Sends
 * nothing: for listings and udev. Since 0.1.0. */
const char *hs_printer_driver_for(const char *device_id, int vid, int pid);

/* Ask the printer how it is (between jobs). */
int hs_printer_get_status(struct hs_printer *printer, struct hs_printer_status *st,
			  int timeout_ms);

/* Send len bytes of buf (from opts->resume_at on). */
int hs_printer_print(struct hs_printer *printer, const void *buf, size_t len,
		     const struct hs_print_opts *opts, size_t *accepted);
/* Send everything read from fd until EOF; the first resume_at bytes read
 * are skipped. */
int hs_printer_print_fd(struct hs_printer *printer, int fd,
			const struct hs_print_opts *opts, size_t *accepted);

/* Reset the printer the way its driver and transport allow. */
int hs_printer_reset(struct hs_printer *printer, int timeout_ms);

/* Names of the set flags for people: "paper out, offline". */
const char *hs_printer_flags_text(unsigned flags, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
