/*
 * zmodem_autostart.c - a terminal's watch for a ZMODEM sender: the
 * bytes "**" ZDLE "B00" (the start of the ZRQINIT hex header that `sz`
 * sends first) in what the far end says, found across any slicing.
 */
#include "handshake/xfer.h"

static const char start[] = "**\x18" "B00";
#define START_LEN (sizeof(start) - 1)

void hs_xfer_autostart_init(struct hs_xfer_autostart *w)
{
	w->matched = 0;
}

int hs_xfer_autostart_feed(struct hs_xfer_autostart *w, const void *buf, size_t n,
			   size_t *at)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)start[w->matched]) {
			if (++w->matched == START_LEN) {
				/* what came before the announcement, in this slice */
				*at = i + 1 >= START_LEN ? i + 1 - START_LEN : 0;
				w->matched = 0;
				return 1;
			}
		} else {
			/* only '*' starts the pattern again; "***" is still "**" */
			w->matched = p[i] == '*' ? (w->matched == 2 ? 2 : 1) : 0;
		}
	}
	return 0;
}
