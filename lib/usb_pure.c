/*
 * usb_pure.c - the USB transport's decisions that need no device: which
 * interface to use, where a device ID is in a GET_DEVICE_ID reply, and
 * what a libusb error means to our callers. Kept apart so unit tests can
 * check them with plain data.
 */
#include <ctype.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fail.h"
#include "usb_priv.h"

#define CLASS_PRINTER 7
#define SUBCLASS_PRINTER 1
#define ID_MIN 14              /* "MFG:x;MDL:y;" and the 2-byte length */

/* 2 for 7/1/2 with both endpoints, 1 for 7/1/1 (or a 7/1/2 without a
 * bulk IN, used one way), 0 for anything we leave alone: 7/1/3 (1284.4)
 * and 7/1/4 (IPP over USB, ipp-usb's). */
static int score(const struct hs_usb_alt *a)
{
	if (a->cls != CLASS_PRINTER || a->subclass != SUBCLASS_PRINTER || a->ep_out < 0)
		return 0;
	if (a->protocol == 2)
		return a->ep_in >= 0 ? 2 : 1;
	return a->protocol == 1 ? 1 : 0;
}

int hs_usb_pick(const struct hs_usb_alt *alts, int n, int want_if)
{
	int best = -1, best_score = 0;

	for (int i = 0; i < n; i++) {
		int s = score(&alts[i]);
		if (want_if >= 0 && alts[i].ifnum != want_if)
			continue;
		if (s > best_score) {
			best = i;
			best_score = s;
		}
	}
	return best;
}

int hs_usb_id_span(const uint8_t *buf, size_t got, size_t cap, size_t *len)
{
	size_t n;
	const void *nul;

	*len = 0;
	if (got < 2)
		return -1;
	n = (size_t)buf[0] << 8 | buf[1];
	if (n < ID_MIN || n > cap)
		n = (size_t)buf[1] << 8 | buf[0];
	if (n > got)
		n = got;           /* the rest did not fit or did not come */
	if (n <= 2)
		return -1;
	n -= 2;
	if ((nul = memchr(buf + 2, 0, n)))
		n = (size_t)((const uint8_t *)nul - (buf + 2));
	while (n && isspace(buf[2 + n - 1]))
		n--;
	*len = n;
	return 2;
}

int hs_usb_code(int err)
{
	switch (err) {
	case LIBUSB_SUCCESS: return HS_OK;
	case LIBUSB_ERROR_NO_DEVICE: return HS_ERR_UNPLUGGED;
	case LIBUSB_ERROR_TIMEOUT: return HS_ERR_TIMEOUT;
	case LIBUSB_ERROR_ACCESS: return HS_ERR_PERMISSION;
	case LIBUSB_ERROR_BUSY: return HS_ERR_BUSY;
	case LIBUSB_ERROR_NOT_FOUND: return HS_ERR_NO_DEVICE;
	case LIBUSB_ERROR_NO_MEM: return HS_ERR_NOMEM;
	case LIBUSB_ERROR_INVALID_PARAM: return HS_ERR_ARG;
	case LIBUSB_ERROR_NOT_SUPPORTED: return HS_ERR_NOT_SUPPORTED;
	case LIBUSB_ERROR_OVERFLOW: return HS_ERR_OVERFLOW;
	default: return HS_ERR_IO; /* IO, PIPE, INTERRUPTED, OTHER */
	}
}

int hs_usb_fail(const char *node, int err, const char *what)
{
	struct stat st;
	struct group *g;
	int code = hs_usb_code(err);

	switch (code) {
	case HS_ERR_UNPLUGGED:
		return hs_fail(code, "%s went away during %s: was it unplugged?", node, what);
	case HS_ERR_TIMEOUT:
		return hs_fail(code, "%s: %s timed out (busy, offline or out of paper?)", node,
			       what);
	case HS_ERR_PERMISSION:
		/* the node's group is the one to join, unless it is root's:
		 * then a udev rule must hand printers to lp first */
		g = stat(node, &st) == 0 ? getgrgid(st.st_gid) : NULL;
		if (g && strcmp(g->gr_name, "root") != 0)
			return hs_fail(code, "permission denied opening %s: add your user to group %s (or run as root)",
				       node, g->gr_name);
		return hs_fail(code, "permission denied opening %s: give USB printers to group lp with a udev rule "
			       "(SUBSYSTEM==\"usb\", ENV{ID_USB_INTERFACES}==\"*:0701*\", GROUP=\"lp\", MODE=\"0660\") "
			       "and add your user to lp", node);
	case HS_ERR_BUSY:
		return hs_fail(code, "%s: the printer interface is claimed by another program (CUPS's usb backend, ipp-usb?)",
			       node);
	default:
		return hs_fail(code, "%s: %s failed: %s", node, what,
			       err == LIBUSB_ERROR_PIPE ? "the printer stalled the endpoint"
							: libusb_strerror((enum libusb_error)err));
	}
}
