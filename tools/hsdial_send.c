/*
 * hsdial_send.c - the terminal's "send a file" (C-a C-s): the file goes
 * over the line with the library's ZMODEM, YMODEM or XMODEM
 * (handshake/xfer.h, --send-protocol), in this process, as picocom would
 * run sz or sb for it. The far end has been told to receive (rz, rb, rx,
 * U-Boot's loady...); progress is one line
 * of the raw terminal redrawn in place; the count at the end is what the
 * receiver confirmed.
 */
#include <stdio.h>
#include <string.h>

#include <handshake/handshake.h>
#include "hsdial_term.h"
#include "tool.h"

/* How often the progress line is redrawn, at most. */
#define DRAW_EVERY_MS 100

struct sending {
	long long drawn_ms;
	const char *name;
};

static void progress(void *ctx, const struct hs_xfer_stats *s)
{
	struct sending *g = ctx;
	long long now = tool_now_ms();
	char line[160];
	int n;

	if (now - g->drawn_ms < DRAW_EVERY_MS)
		return;
	g->drawn_ms = now;
	n = snprintf(line, sizeof(line), "\r*** %.40s: %llu of %llu bytes, %u retries ***\033[K",
		     g->name, (unsigned long long)s->sent, (unsigned long long)s->total,
		     s->retries);
	hsd_write_all(1, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int hsd_send_file(struct hs_link *link, enum hs_xfer_protocol protocol, const char *path,
		  volatile int *cancel, struct hs_xfer_stats *st)
{
	char name[64];
	struct sending g = { .name = hs_xfer_printable(path, name, sizeof(name)) };
	struct hs_xfer_opts o = {
		.protocol = protocol, .progress = progress, .ctx = &g, .cancel = cancel,
	};
	int rc;

	memset(st, 0, sizeof(*st));
	rc = hs_xfer_send(link, &path, 1, &o, st);
	hsd_write_all(1, "\r\033[K", 4);
	return rc;
}
