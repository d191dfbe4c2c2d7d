/*
 * printer_quirks.c - USB printers that need handling their class does not
 * promise, as table rows: the device, what is wrong, and where that was
 * reported. Rows come from bug reports collected in CUPS's usb-quirks
 * list (CUPS, Launchpad, Debian and Red Hat bug numbers in the comments).
 *
 * CUPS's "soft-reset" quirk resets the whole USB device; ours sends the
 * printer class's SOFT_RESET request, which clears the printer's buffers
 * and leaves the bus and the kernel's view of the device alone.
 */
#include <stddef.h>

#include "printer_driver.h"

static const struct hs_printer_quirk_row rows[] = {
	/* Bulk IN hangs or is never answered: read nothing back. */
	{ 0x03f0, 0x0004, HS_PQ_UNIDIRECTIONAL, "HP DeskJet 895C",
	  "protocol 2 advertised, IN never completes (CUPS usb-quirks; Linux usblp)" },
	{ 0x04f9, 0x000d, HS_PQ_UNIDIRECTIONAL, "Brother HL-1440",
	  "reads back hang the job (Launchpad #1000253)" },
	{ 0x04f9, 0x000e, HS_PQ_UNIDIRECTIONAL, "Brother HL-1450",
	  "reads back hang the job (Launchpad #1000253)" },
	{ 0x04e8, 0x330f, HS_PQ_UNIDIRECTIONAL, "Samsung ML-2160",
	  "reads back stall the job (Red Hat #873123)" },
	{ 0x0a5f, -1, HS_PQ_UNIDIRECTIONAL, "every Zebra printer",
	  "USB back channel unusable (Launchpad #1001028, CUPS #5395); ~HS is not asked over USB" },
	{ 0x0519, -1, HS_PQ_UNIDIRECTIONAL, "every Star Micronics printer",
	  "USB back channel unusable (CUPS #5251)" },
	/* Left in a bad state after a job unless its buffers are reset. */
	{ 0x04e8, -1, HS_PQ_RESET_AFTER_JOB, "every Samsung printer",
	  "next job garbled without a reset after each job (Launchpad #1032456)" },
	{ 0x067b, 0x2305, HS_PQ_UNIDIRECTIONAL | HS_PQ_RESET_AFTER_JOB,
	  "Prolific PL2305 USB-parallel adapter",
	  "no usable IN, stale data after a job (Launchpad #987485)" },
};

unsigned hs_printer_quirks(int vid, int pid, const char **device)
{
	unsigned q = 0;

	if (device)
		*device = NULL;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].vid != vid || (rows[i].pid >= 0 && rows[i].pid != pid))
			continue;
		q |= rows[i].quirks;
		if (device && !*device)
			*device = rows[i].device;
	}
	return q;
}

const struct hs_printer_quirk_row *hs_printer_quirk_rows(size_t *n)
{
	*n = sizeof(rows) / sizeof(rows[0]);
	return rows;
}
