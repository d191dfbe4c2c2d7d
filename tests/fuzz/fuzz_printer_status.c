/*
 * fuzz_printer_status.c - every printer driver's status parser
 * (drivers/printer/: PJL, ESC/POS, ZPL, and any added to the registry)
 * on what a printer sends back, read the way lib/printer.c reads it: a
 * complete reply is taken, a malformed byte skipped, a partial reply
 * kept until more comes.
 *
 * Input: the back-channel bytes, any.
 * Invariants: a complete reply uses at least one byte and no more than
 * it was given; its flags are known bits and its detail ends within the
 * buffer, printable; and a printer's statuses do not depend on how its
 * bytes were cut into reads: all at once and one at a time give the
 * same replies.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "printer_driver.h"

#define KNOWN_FLAGS 0x7fu
#define MAX_REPLIES 64

struct replies {
	int n;
	struct hs_printer_status st[MAX_REPLIES];
};

static void check_status(const struct hs_printer_driver *d, const struct hs_printer_status *st)
{
	FUZZ_CHECK(st->known == 1, "%s: a parsed reply that says nothing", d->name);
	FUZZ_CHECK(!(st->flags & ~KNOWN_FLAGS), "%s: flags %#x", d->name, st->flags);
	FUZZ_CHECK(fuzz_printable(st->detail, sizeof(st->detail)), "%s: detail", d->name);
}

/* lib/printer.c's loop over what has arrived; returns what is left. */
static size_t parse_all(const struct hs_printer_driver *d, char *buf, size_t n,
			struct replies *out)
{
	while (n) {
		struct hs_printer_status st;
		size_t used = 0;
		int r = d->parse_status(buf, n, &st, &used);

		FUZZ_CHECK(r >= HS_STATUS_MALFORMED && r <= HS_STATUS_COMPLETE, "%s: %d", d->name, r);
		if (r == HS_STATUS_PARTIAL)
			break;
		if (r == HS_STATUS_COMPLETE) {
			FUZZ_CHECK(used >= 1 && used <= n, "%s: used %zu of %zu", d->name, used, n);
			check_status(d, &st);
			if (out->n < MAX_REPLIES)
				out->st[out->n++] = st;
		} else {
			used = 1;
		}
		memmove(buf, buf + used, n - used);
		n -= used;
	}
	return n;
}

static void same(const struct hs_printer_driver *d, const struct replies *a,
		 const struct replies *b)
{
	FUZZ_CHECK(a->n == b->n, "%s: %d replies at once, %d a byte at a time", d->name, a->n, b->n);
	for (int i = 0; i < a->n; i++)
		FUZZ_CHECK(a->st[i].flags == b->st[i].flags && a->st[i].code == b->st[i].code &&
				   !strcmp(a->st[i].detail, b->st[i].detail),
			   "%s: reply %d is '%s' at once, '%s' a byte at a time", d->name, i,
			   a->st[i].detail, b->st[i].detail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the bytes lib/printer.c keeps unparsed at most */
	enum { BACK = 4096 };
	char *buf = malloc(BACK);
	struct replies *whole = malloc(sizeof(*whole)), *bytes = malloc(sizeof(*bytes));

	if (!buf || !whole || !bytes)
		abort();
	if (size > BACK)
		size = BACK;
	for (int i = 0; hs_printer_drivers[i]; i++) {
		const struct hs_printer_driver *d = hs_printer_drivers[i];
		size_t n = 0;

		if (!d->parse_status)
			continue;
		whole->n = bytes->n = 0;
		memcpy(buf, data, size);
		parse_all(d, buf, size, whole);
		for (size_t k = 0; k < size; k++) {
			buf[n++] = (char)data[k];
			n = parse_all(d, buf, n, bytes);
		}
		same(d, whole, bytes);
	}
	free(buf);
	free(whole);
	free(bytes);
	return 0;
}
