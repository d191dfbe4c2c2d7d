/*
 * device_probe.c - hs_device_probe(), the only part of the device calls
 * that sends anything to a device: AT sync and identification for a
 * modem, GET_DEVICE_ID for a USB printer, each within the caller's
 * deadline, and with HS_PROBE_SETUP the driver's bring-up (what
 * handshake-setup@.service runs through hsprobe --setup).
 *
 * A port another program holds is never opened: hs_link_probe_busy()
 * looks at its locks from outside first.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "device_priv.h"
#include "fail.h"
#include "handshake/link.h"
#include "handshake/modem.h"
#include "handshake/negotiate.h"
#include "handshake/printer.h"
#include "handshake/usb.h"

static void talk_fail(struct hs_device_probe *t, const char *state, int rc)
{
	t->state = state;
	hs_dev_text(t->message, sizeof(t->message),
		       *hs_last_error() ? hs_last_error() : hs_strerror(rc));
}

/* A serial port is opened by its URI, which the caller may have given
 * line settings (hsprobe -b 115200: "serial:/dev/ttyACM0?baud=115200");
 * a device filled by hand may have only its node. */
static const char *serial_uri(const struct hs_device *d)
{
	return d->uri[0] ? d->uri : d->node;
}

/* The modem on link is silent at the port's default: find its setting
 * (and send AT twice a try when its driver says it autobauds), leave
 * the link there and note it. */
static int find_rate(struct hs_device *d, struct hs_link *link,
		     const struct hs_modem_driver *drv, int64_t deadline)
{
	struct hs_detect_opts o = { .timeout_ms = hs_remaining(deadline) };
	struct hs_detect_result r;
	int rc;

	o.at_twice = drv && drv->dte && (drv->dte->flags & HS_DTE_AUTOBAUD);
	if (o.timeout_ms <= 0 || (rc = hs_detect_modem(link, &o, &r)) < 0)
		return -1;
	d->probe.detected_baud = r.line.baud;
	hs_line_name(&r.line, d->probe.detected_line, sizeof(d->probe.detected_line));
	hs_detect_uri(link, &r.line, d->probe.detected_uri, sizeof(d->probe.detected_uri));
	return 0;
}

/* Open the modem, sync (or with detect, find its setting first), then
 * reset (setup) or not (probe), identify. */
static int talk_modem(struct hs_device *d, int64_t deadline, int setup, int detect)
{
	struct hs_device_probe *t = &d->probe;
	const struct hs_modem_driver *drv = hs_modem_driver_find(d->driver);
	struct hs_modem_ident id;
	struct hs_link *link = NULL;
	struct hs_modem *m = NULL;
	int rc;

	if ((rc = hs_link_probe_busy(d->node)) < 0 ||
	    (rc = hs_link_open(&link, serial_uri(d))) < 0) {
		talk_fail(t, rc == HS_ERR_BUSY ? "busy" : "error", rc);
		return rc;
	}
	if ((rc = hs_modem_open(&m, link, drv)) < 0 ||
	    /* with detect, a fifth of the time for the default setting */
	    ((rc = hs_modem_sync(m, 3, detect ? hs_remaining(deadline) / 5
					      : hs_remaining(deadline))) < 0 &&
	     !(detect && find_rate(d, link, drv, deadline) == 0 &&
	       (rc = hs_modem_sync(m, 3, hs_remaining(deadline))) == HS_OK)) ||
	    (setup && (rc = hs_modem_reset(m, 0, hs_remaining(deadline))) < 0) ||
	    (rc = hs_modem_identify(m, &id, hs_remaining(deadline))) < 0) {
		talk_fail(t, "error", rc);
		goto out;
	}
	t->state = "ok";
	hs_dev_text(t->manufacturer, sizeof(t->manufacturer), id.manufacturer);
	hs_dev_text(t->model, sizeof(t->model), id.model);
	hs_dev_text(t->revision, sizeof(t->revision), id.revision);
	t->nati = id.nati < HS_DEVICE_ATI ? id.nati : HS_DEVICE_ATI;
	for (int i = 0; i < t->nati; i++)
		hs_dev_text(t->ati[i], sizeof(t->ati[i]), id.ati[i]);
	drv = hs_modem_driver_match(hs_link_info(link), &id);
	snprintf(t->driver, sizeof(t->driver), "%s", drv ? drv->name : "");
out:
	hs_modem_free(m);
	hs_link_close(link);
	return rc;
}

/* GET_DEVICE_ID, and SOFT_RESET when asked, over the printer interface. */
static int talk_usb_printer(struct hs_device *d, int64_t deadline, int reset)
{
	struct hs_device_probe *t = &d->probe;
	char uri[32], id[HS_DEVICE_ID];
	struct hs_link *link = NULL;
	const char *drv;
	int rc;

	snprintf(uri, sizeof(uri), "usb:%d.%d", d->bus, d->address);
	if ((rc = hs_link_open(&link, uri)) < 0) {
		talk_fail(t, rc == HS_ERR_BUSY ? "busy" : "error", rc);
		return rc;
	}
	if ((rc = hs_link_device_id(link, id, sizeof(id), hs_remaining(deadline))) < 0 ||
	    (reset && (rc = hs_link_soft_reset(link, hs_remaining(deadline))) < 0)) {
		talk_fail(t, "error", rc);
	} else {
		t->state = "ok";
		hs_dev_text(t->device_id, sizeof(t->device_id), id);
		drv = hs_printer_driver_for(id, d->vid, d->pid);
		snprintf(t->driver, sizeof(t->driver), "%s", drv ? drv : "generic");
		rc = 0;
	}
	hs_link_close(link);
	return rc;
}

int hs_device_probe(struct hs_device *d, unsigned flags, int timeout_ms)
{
	int64_t deadline;
	struct hs_device_probe *t;
	int rc;

	if (!d || timeout_ms < 0)
		return hs_fail(HS_ERR_ARG, "hs_device_probe: no device or a negative timeout");
	deadline = hs_deadline(timeout_ms);
	t = &d->probe;
	memset(t, 0, sizeof(*t));
	if (d->kind == HS_DEVICE_MODEM)
		return talk_modem(d, deadline, flags & HS_PROBE_SETUP,
				  flags & HS_PROBE_DETECT_RATE);
	if (d->kind == HS_DEVICE_PRINTER && !strcmp(d->transport, "usb"))
		return talk_usb_printer(d, deadline, flags & HS_PROBE_RESET);
	if (d->kind == HS_DEVICE_PRINTER && (flags & HS_PROBE_SETUP)) {
		/* a serial printer has no bring-up beyond being there */
		struct hs_link *link = NULL;
		if ((rc = hs_link_probe_busy(d->node)) == 0 &&
		    (rc = hs_link_open(&link, serial_uri(d))) == 0)
			t->state = "ok";
		else
			talk_fail(t, rc == HS_ERR_BUSY ? "busy" : "error", rc);
		hs_link_close(link);
		return rc;
	}
	/* an unknown adapter may have a printer behind it: "AT" would come
	 * out on paper */
	t->state = "skipped";
	snprintf(t->message, sizeof(t->message), "%s",
		 d->kind == HS_DEVICE_PRINTER ? "a serial printer cannot be asked who it is"
		 : "not a known modem or printer: nothing sent");
	return hs_fail(HS_ERR_NOT_SUPPORTED, "%s: %s", d->node, t->message);
}
