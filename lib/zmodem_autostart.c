/*
 * zmodem_autostart.c - a terminal's watch for a ZMODEM sender: the
 * bytes "**" ZDLE "B00" (the start of the ZRQINIT hex header that `sz`
 * sends first) in what the far end says, found across any slicing,
 * with what may be its start held back so a terminal never shows it.
 */
#include "handshake/xfer.h"

static const char start[] = "**\x18" "B00";
#define START_LEN (sizeof(start) - 1)

void hs_xfer_autostart_init(struct hs_xfer_autostart *w)
{
	w->matched = 0;
}

int hs_xfer_autostart_feed(struct hs_xfer_autostart *w, const void *buf, size_t n,
			   void *show, size_t *nshow)
{
	const unsigned char *p = buf;
	unsigned char *out = show;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned had = w->matched;

		if (p[i] == (unsigned char)start[had]) {
			if (++w->matched == START_LEN) {
				w->matched = 0;
				*nshow = k;
				return 1;
			}
			continue;
		}
		/* not the announcement: what was held is shown, but a '*'
		 * may begin it again ("***" is still "**") */
		w->matched = p[i] == '*' ? (had == 2 ? 2 : 1) : 0;
		size_t release = had + 1 - w->matched;
		for (size_t j = 0; j < release; j++)
			out[k++] = j < had ? (unsigned char)start[j] : p[i];
	}
	*nshow = k;
	return 0;
}
