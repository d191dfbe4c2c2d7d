/*
 * hsprobe_talk.c - the only part of hsprobe that sends anything to a
 * device: `--probe` (AT sync and identify for modems, GET_DEVICE_ID for
 * USB printers, each within a short deadline) and `--setup` (the
 * driver's bring-up, run by handshake-setup@.service), which also writes
 * what it found to /run/handshake/<name>.json.
 *
 * A port another program holds is never opened: hs_link_probe_busy()
 * looks at its locks from outside first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <handshake/link.h>
#include <handshake/modem.h>
#include <handshake/printer.h>
#include <handshake/usb.h>
#include "hsprobe.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left(int64_t deadline)
{
	int64_t l = deadline - now_ms();
	return l > 0 ? (int)l : 0;
}

static void talk_fail(struct hsprobe_talk *t, const char *state, int rc)
{
	t->state = state;
	hsprobe_text(t->message, sizeof(t->message),
		     *hs_last_error() ? hs_last_error() : hs_strerror(rc));
}

/* Open the modem, sync, then reset (setup) or not (probe), identify. */
static int talk_modem(struct hsprobe_dev *d, int64_t deadline, int setup)
{
	struct hsprobe_talk *t = &d->talk;
	const struct hs_modem_driver *drv = hs_modem_driver_find(d->driver);
	struct hs_modem_ident id;
	struct hs_link *link = NULL;
	struct hs_modem *m = NULL;
	int rc;

	if ((rc = hs_link_probe_busy(d->node)) < 0 ||
	    (rc = hs_link_open(&link, d->node)) < 0) {
		talk_fail(t, rc == HS_ERR_BUSY ? "busy" : "error", rc);
		return rc;
	}
	if ((rc = hs_modem_open(&m, link, drv)) < 0 ||
	    (rc = hs_modem_sync(m, 3, left(deadline))) < 0 ||
	    (setup && (rc = hs_modem_reset(m, 0, left(deadline))) < 0) ||
	    (rc = hs_modem_identify(m, &id, left(deadline))) < 0) {
		talk_fail(t, "error", rc);
		goto out;
	}
	t->state = "ok";
	hsprobe_text(t->manufacturer, sizeof(t->manufacturer), id.manufacturer);
	hsprobe_text(t->model, sizeof(t->model), id.model);
	hsprobe_text(t->revision, sizeof(t->revision), id.revision);
	t->nati = id.nati < HSPROBE_ATI ? id.nati : HSPROBE_ATI;
	for (int i = 0; i < t->nati; i++)
		hsprobe_text(t->ati[i], sizeof(t->ati[i]), id.ati[i]);
	drv = hs_modem_driver_match(hs_link_info(link), &id);
	snprintf(t->driver, sizeof(t->driver), "%s", drv ? drv->name : "");
out:
	hs_modem_free(m);
	hs_link_close(link);
	return rc;
}

/* GET_DEVICE_ID, and SOFT_RESET when asked, over the printer interface. */
static int talk_usb_printer(struct hsprobe_dev *d, int64_t deadline, int reset)
{
	struct hsprobe_talk *t = &d->talk;
	char uri[32], id[HSPROBE_ID];
	struct hs_link *link = NULL;
	const char *drv;
	int rc;

	snprintf(uri, sizeof(uri), "usb:%d.%d", d->bus, d->address);
	if ((rc = hs_link_open(&link, uri)) < 0) {
		talk_fail(t, rc == HS_ERR_BUSY ? "busy" : "error", rc);
		return rc;
	}
	if ((rc = hs_link_device_id(link, id, sizeof(id), left(deadline))) < 0 ||
	    (reset && (rc = hs_link_soft_reset(link, left(deadline))) < 0)) {
		talk_fail(t, "error", rc);
	} else {
		t->state = "ok";
		hsprobe_text(t->device_id, sizeof(t->device_id), id);
		drv = hs_printer_driver_for(id, d->vid, d->pid);
		snprintf(t->driver, sizeof(t->driver), "%s", drv ? drv : "generic");
		rc = 0;
	}
	hs_link_close(link);
	return rc;
}

void hsprobe_probe(struct hsprobe_dev *d, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	memset(&d->talk, 0, sizeof(d->talk));
	d->has_talk = 1;
	if (d->kind == HSPROBE_MODEM) {
		talk_modem(d, deadline, 0);
	} else if (d->kind == HSPROBE_PRINTER && !strcmp(d->transport, "usb")) {
		talk_usb_printer(d, deadline, 0);
	} else {
		/* an unknown adapter may have a printer behind it: "AT"
		 * would come out on paper */
		d->talk.state = "skipped";
		snprintf(d->talk.message, sizeof(d->talk.message), "%s",
			 d->kind == HSPROBE_PRINTER ? "a serial printer cannot be asked who it is"
			 : "not a known modem or printer: nothing sent");
	}
}

/* DIR/<name>.json written whole or not at all: a temporary file renamed
 * over it, created O_EXCL so a planted link is never followed. */
static int write_state(const struct hsprobe_dev *d, char *file, size_t cap)
{
	const char *dir = getenv("HS_RUN_DIR");
	char tmp[600];
	FILE *f;
	int fd;

	if (!dir || !*dir)
		dir = "/run/handshake";
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	if (snprintf(file, cap, "%s/%s.json", dir, d->name) >= (int)cap ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.json.%d", dir, d->name, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -errno;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		unlink(tmp);
		return -ENOMEM;
	}
	hsprobe_json(f, d);
	fputc('\n', f);
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0) {
		unlink(tmp);
		return -EIO;
	}
	if (rename(tmp, file) != 0) {
		int err = errno;
		unlink(tmp);
		return -err;
	}
	return 0;
}

int hsprobe_setup(struct hsprobe_dev *d, int timeout_ms, int reset, char *file, size_t cap)
{
	int64_t deadline = now_ms() + timeout_ms;
	int rc;

	memset(&d->talk, 0, sizeof(d->talk));
	d->has_talk = 1;
	file[0] = 0;
	if (d->kind == HSPROBE_MODEM) {
		rc = talk_modem(d, deadline, 1);
	} else if (d->kind == HSPROBE_PRINTER && !strcmp(d->transport, "usb")) {
		rc = talk_usb_printer(d, deadline, reset);
	} else if (d->kind == HSPROBE_PRINTER) {
		/* a serial printer has no bring-up beyond being there */
		struct hs_link *link = NULL;
		if ((rc = hs_link_probe_busy(d->node)) == 0 &&
		    (rc = hs_link_open(&link, d->node)) == 0)
			d->talk.state = "ok";
		else
			talk_fail(&d->talk, rc == HS_ERR_BUSY ? "busy" : "error", rc);
		hs_link_close(link);
	} else {
		return HS_ERR_NOT_SUPPORTED;
	}
	if (rc < 0)
		return rc;
	if ((rc = write_state(d, file, cap)) < 0) {
		snprintf(d->talk.message, sizeof(d->talk.message), "cannot write %s: %s",
			 file[0] ? file : "the state file", strerror(-rc));
		return HS_ERR_IO;
	}
	return 0;
}
