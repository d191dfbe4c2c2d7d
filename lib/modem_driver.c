/*
 * modem_driver.c - the registry of modem drivers: list them, find one by
 * name, and pick the best one for a device. A driver is one file in
 * drivers/modem/ holding data and hooks; it is listed here, nowhere else.
 */
#include <fnmatch.h>
#include <string.h>

#include "handshake/modem.h"

extern const struct hs_modem_driver hs_drv_modem_usr;
extern const struct hs_modem_driver hs_drv_modem_conexant;
extern const struct hs_modem_driver hs_drv_modem_quectel;
extern const struct hs_modem_driver hs_drv_modem_devserver;
extern const struct hs_modem_driver hs_drv_modem_hayes;

/* Every driver, most specific first; the generic one last, as fallback.
 * Add new drivers above hayes. */
static const struct hs_modem_driver *const drivers[] = {
	&hs_drv_modem_usr,
	&hs_drv_modem_conexant,
	&hs_drv_modem_quectel,
	&hs_drv_modem_devserver,
	&hs_drv_modem_hayes,
	NULL,
};

const struct hs_modem_driver *hs_modem_driver_at(size_t i)
{
	return i < sizeof(drivers) / sizeof(drivers[0]) ? drivers[i] : NULL;
}

const struct hs_modem_driver *hs_modem_driver_find(const char *name)
{
	for (size_t i = 0; name && drivers[i]; i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

static int usb_row(const struct hs_modem_match *row, const struct hs_link_info *info)
{
	return info && row->vid > 0 && row->vid == info->usb_vid &&
	       (row->pid < 0 || row->pid == info->usb_pid);
}

static int glob(const char *pat, const char *text)
{
	return text && text[0] && fnmatch(pat, text, FNM_CASEFOLD) == 0;
}

static int ident_row(const struct hs_modem_match *row, const struct hs_modem_ident *id)
{
	if (!id || !row->ident)
		return 0;
	if (glob(row->ident, id->manufacturer) || glob(row->ident, id->model))
		return 1;
	for (int i = 0; i < id->nati && i < HS_MODEM_ATI_MAX; i++)
		if (glob(row->ident, id->ati[i]))
			return 1;
	return 0;
}

const struct hs_modem_driver *hs_modem_driver_match(const struct hs_link_info *info,
						    const struct hs_modem_ident *id)
{
	const struct hs_modem_driver *by_ident = NULL;

	/* A USB ID names the device exactly: it beats any text match. */
	for (size_t i = 0; drivers[i]; i++) {
		const struct hs_modem_match *row = drivers[i]->match;
		for (; row && (row->vid || row->ident); row++) {
			if (usb_row(row, info))
				return drivers[i];
			if (!by_ident && ident_row(row, id))
				by_ident = drivers[i];
		}
	}
	return by_ident ? by_ident : &hs_drv_modem_hayes;
}
