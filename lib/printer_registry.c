/*
 * printer_registry.c - the list of printer drivers and how a device is
 * matched to one: the most specific match row wins; ties go to the
 * driver listed first.
 */
#include <string.h>

#include "printer_driver.h"

const struct hs_printer_driver *const hs_printer_drivers[] = {
	&hs_printer_pjl,
	&hs_printer_escpos,
	&hs_printer_zpl,
	&hs_printer_generic,
	NULL,
};

const struct hs_printer_driver *hs_printer_driver_find(const char *name)
{
	for (int i = 0; hs_printer_drivers[i]; i++)
		if (strcmp(hs_printer_drivers[i]->name, name) == 0)
			return hs_printer_drivers[i];
	return NULL;
}

static int row_score(const struct hs_printer_match *m, const struct hs_1284_id *id,
		     int vid, int pid)
{
	int score = 0;

	if (m->usb_vid >= 0) {
		if (m->usb_vid != vid || (m->usb_pid >= 0 && m->usb_pid != pid))
			return 0;
		/* A VID:PID row names one product: beats any ID guess. */
		score += m->usb_pid >= 0 ? 16 : 8;
	}
	if (m->mfg || m->mdl_prefix || m->cmd) {
		int s = id ? hs_1284_match(id, m->mfg, m->mdl_prefix, m->cmd) : 0;
		if (!s)
			return 0;
		score += s;
	}
	return score;
}

const struct hs_printer_driver *hs_printer_driver_match(const struct hs_1284_id *id,
							int vid, int pid)
{
	const struct hs_printer_driver *best = &hs_printer_generic;
	int best_score = 0;

	for (int i = 0; hs_printer_drivers[i]; i++) {
		const struct hs_printer_driver *d = hs_printer_drivers[i];
		for (size_t j = 0; j < d->nmatch; j++) {
			int s = row_score(&d->match[j], id, vid, pid);
			if (s > best_score) {
				best = d;
				best_score = s;
			}
		}
	}
	return best;
}

/* Public (printer.h): the driver's name without exposing the driver
 * struct. The generic driver has no match rows, so picking it means that
 * nothing matched. */
const char *hs_printer_driver_for(const char *device_id, int vid, int pid)
{
	struct hs_1284_id id;
	int have = device_id && *device_id &&
		   hs_1284_parse(device_id, strlen(device_id), NULL, &id) == 0;
	const struct hs_printer_driver *d = hs_printer_driver_match(have ? &id : NULL,
								     vid, pid);

	return d == &hs_printer_generic ? NULL : d->name;
}

/* Public (printer.h): the names, for listings and shell completion. */
const char *hs_printer_driver_at(size_t i)
{
	size_t n = sizeof(hs_printer_drivers) / sizeof(hs_printer_drivers[0]) - 1;

	return i < n ? hs_printer_drivers[i]->name : NULL;
}
