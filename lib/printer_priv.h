/*
 * printer_priv.h - private: the printer object shared by printer.c (open,
 * status) and print_job.c (the job engine).
 */
#ifndef HS_PRINTER_PRIV_H
#define HS_PRINTER_PRIV_H

#include "handshake/printer.h"
#include "printer_driver.h"

#define HS_BACKCHANNEL_MAX 4096

struct hs_printer {
	struct hs_link *link;
	const struct hs_printer_driver *drv;
	char back[HS_BACKCHANNEL_MAX]; /* status bytes read, not parsed yet */
	size_t nback;
	struct hs_printer_status last; /* the latest status we know */
	unsigned quirks;               /* enum hs_printer_quirk */
	/* During a job: where the printer's raw bytes go too (or NULL). */
	void (*backchannel)(void *ctx, const void *data, size_t len);
	void *backchannel_ctx;
};

/* Read what the printer has sent (waiting up to timeout_ms for the first
 * byte) and parse any complete status reply into p->last. Returns 1 when
 * a new status was parsed, 0 when none, < 0 on a link error. Bytes that
 * are not the driver's status language are dropped. */
int hs_printer_read_status(struct hs_printer *p, int timeout_ms);
/* Does hs_printer_read_status read anything here (a status language or a
 * back-channel callback, and a printer that answers)? */
int hs_printer_reads_back(const struct hs_printer *p);

/* What a USB printer-class GET_PORT_STATUS byte says, as a status (pure:
 * unit-tested). */
void hs_printer_port_flags(int bits, struct hs_printer_status *st);

/* Ask the link for GET_PORT_STATUS into *st. HS_ERR_NOT_SUPPORTED when
 * the link has no such request (serial) or the printer stalls it;
 * HS_ERR_TIMEOUT when it did not answer in time; HS_ERR_UNPLUGGED when it
 * went away. */
int hs_printer_port_status(struct hs_printer *p, struct hs_printer_status *st,
			   int timeout_ms);

#endif
