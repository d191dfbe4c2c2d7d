/*
 * hsdial_zmodem.c - ZMODEM auto-start in a call or a terminal: what the
 * far end sends is watched for a sender starting (`sz` typed there);
 * the files are received into --download-dir (default: the current
 * folder) by the library, and none of the session's bytes reach stdout.
 * --no-autozmodem turns it off. Progress and each file go to stderr.
 */
#include <stdio.h>
#include <string.h>

#include "hsdial_call.h"
#include "tool.h"

void hsd_zmodem_init(struct hsd_zmodem *z, const struct hsd_opts *o)
{
	hs_xfer_autostart_init(&z->watch);
	z->on = !o->no_autozmodem;
}

size_t hsd_zmodem_scan(struct hsd_zmodem *z, const char *buf, size_t n, char *show,
		       int *start)
{
	size_t k = n;

	*start = 0;
	if (!z->on) {
		memcpy(show, buf, n);
		return n;
	}
	*start = hs_xfer_autostart_feed(&z->watch, buf, n, show, &k);
	return k;
}

static void file_done(void *ctx, const struct hs_xfer_file *f)
{
	char name[HS_XFER_NAME_MAX * 4 + 1];

	(void)ctx;
	hs_xfer_printable(f->name, name, sizeof(name));
	if (f->status == HS_OK)
		tool_warn("ZMODEM: %s: %llu bytes received into %s", name,
			  (unsigned long long)f->bytes, f->path);
	else
		tool_warn("ZMODEM: %s: %s", name, f->message);
}

int hsd_zmodem_receive(struct hs_link *link, const struct hsd_opts *o)
{
	const char *dir = o->download_dir ? o->download_dir : ".";
	struct hs_xfer_opts xo = {
		.protocol = HS_XFER_ZMODEM,
		.file_done = file_done,
		.cancel = (volatile int *)&hsd_signal,
	};
	struct hs_xfer_stats st;
	int rc;

	tool_warn("ZMODEM: the far end sends files: receiving into %s", dir);
	rc = hs_xfer_receive(link, dir, &xo, &st);
	if (rc < 0)
		tool_warn("ZMODEM: %s", hs_last_error());
	else
		tool_warn("ZMODEM: done, %u files, %llu bytes", st.files,
			  (unsigned long long)st.bytes);
	return rc;
}
