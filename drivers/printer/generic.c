/*
 * generic.c - the printer driver for devices with no status language we
 * know: bytes go out paced by the link's handshake, and status comes only
 * from the transport (USB port status) or not at all. It matches nothing:
 * the registry falls back to it.
 */
#include "printer_driver.h"

const struct hs_printer_driver hs_printer_generic = {
	.name = "generic",
	.description = "any printer: raw bytes, status from the transport only",
};
