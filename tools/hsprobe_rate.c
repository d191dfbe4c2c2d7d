/*
 * hsprobe_rate.c - a modem whose rate is not the default: when the
 * administrator opts in (HS_SETUP_DETECT=1 in handshake-setup@.service's
 * environment, e.g. a drop-in), --setup asks the library to find the
 * setting of a modem that does not answer at the port's default
 * (HS_PROBE_DETECT_RATE), which NAME.json then records; --udev hands the
 * rate to ModemManager as ID_MM_TTY_BAUDRATE, as its own rules do for
 * modems it knows to be at another rate. Without the opt-in setup never
 * tries another rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <handshake/handshake.h>
#include "hsprobe.h"

/* ModemManager opens ports at this rate unless told otherwise */
#define MM_DEFAULT_BAUD 57600

int hsprobe_rate_opted_in(void)
{
	const char *v = getenv("HS_SETUP_DETECT");

	return v && !strcmp(v, "1");
}

void hsprobe_rate_udev(const struct hs_device *d)
{
	const char *dir = getenv("HS_RUN_DIR");
	char path[600], buf[8192];
	const char *p;
	size_t n;
	long baud;
	FILE *f;

	if (!dir || !*dir)
		dir = "/run/handshake";
	if (!d->name[0] || snprintf(path, sizeof(path), "%s/%s.json", dir, d->name) >=
	    (int)sizeof(path) || !(f = fopen(path, "r")))
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* only what a detection found (our own file, "detected_baud") */
	if (!(p = strstr(buf, "\"detected_baud\":")))
		return;
	baud = strtol(p + 16, NULL, 10);
	if (baud > 0 && baud <= 4000000 && baud != MM_DEFAULT_BAUD)
		printf("ID_MM_TTY_BAUDRATE=%ld\n", baud);
}
