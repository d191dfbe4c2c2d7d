/*
 * printer_driver.h - private: what a printer driver is. A driver is data
 * (match rows, the bytes that wrap a job, ask for status or reset) plus
 * one small hook that parses a status reply. The job engine and the
 * registry do the rest, so a driver file is a table and a parser.
 */
#ifndef HS_PRINTER_DRIVER_H
#define HS_PRINTER_DRIVER_H

#include <stddef.h>
#include "handshake/ieee1284.h"
#include "handshake/printer.h"

/* A byte string that may hold NULs. */
struct hs_bytes {
	const char *data;
	size_t len;
};

#define HS_BYTES(s) { (s), sizeof(s) - 1 }

/* One way to recognise a device; unset fields (NULL, -1) match anything,
 * but a row must set at least one. `why` names the device it was seen on. */
struct hs_printer_match {
	int usb_vid, usb_pid;
	const char *mfg, *mdl_prefix, *cmd;
	const char *why;
};

/* What parse_status says of the bytes it was given. */
enum hs_status_parse {
	HS_STATUS_MALFORMED = -1, /* not this language's reply */
	HS_STATUS_PARTIAL = 0,    /* a reply has started; more bytes needed */
	HS_STATUS_COMPLETE = 1,   /* *st is filled */
};

struct hs_printer_driver {
	const char *name;          /* "pjl", used in URIs and --driver */
	const char *description;
	const struct hs_printer_match *match;
	size_t nmatch;
	struct hs_bytes job_begin; /* sent before each job (may be empty) */
	struct hs_bytes job_end;   /* sent after it */
	struct hs_bytes status_query; /* asks for status; empty: cannot */
	struct hs_bytes reset;     /* in-band reset; empty: transport's only */
	/* Parse a status reply (pure: tested on its own). *used gets the
	 * bytes it consumed when COMPLETE. */
	int (*parse_status)(const char *buf, size_t len, struct hs_printer_status *st,
			    size_t *used);
};

extern const struct hs_printer_driver hs_printer_generic;
extern const struct hs_printer_driver hs_printer_pjl;
extern const struct hs_printer_driver hs_printer_escpos;
extern const struct hs_printer_driver hs_printer_zpl;

/* What a USB printer needs beyond its class (printer_quirks.c). */
enum hs_printer_quirk {
	HS_PQ_UNIDIRECTIONAL = 1 << 0,  /* read nothing back: no status, no back channel */
	HS_PQ_RESET_AFTER_JOB = 1 << 1, /* SOFT_RESET after every job */
};

/* One row: a device (pid -1: every product of the vendor), its quirks,
 * its name and why, with where it was reported. */
struct hs_printer_quirk_row {
	int vid, pid;
	unsigned quirks;
	const char *device;
	const char *why;
};

/* The quirks of a USB device (0 for none); *device (may be NULL) names
 * the first row that applied. */
unsigned hs_printer_quirks(int vid, int pid, const char **device);
const struct hs_printer_quirk_row *hs_printer_quirk_rows(size_t *n);

/* The driver named name, or NULL. */
const struct hs_printer_driver *hs_printer_driver_find(const char *name);

/* The best driver for a device: by its 1284 ID (may be NULL) and USB ids
 * (-1 when not USB); the generic driver when nothing matches. */
const struct hs_printer_driver *hs_printer_driver_match(const struct hs_1284_id *id,
							int vid, int pid);

/* Every driver, for listings; NULL-terminated. */
extern const struct hs_printer_driver *const hs_printer_drivers[];

#endif
