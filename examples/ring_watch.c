/*
 * ring_watch.c - one event loop over several modems: each link's
 * descriptor (hs_link_fd) in one poll(), the AT engine asked only when its
 * line has input (hs_at_poll with timeout 0), so the process sleeps while
 * every line is quiet. Prints each RING and caller ID as it comes.
 *
 *   ring_watch [-n RINGS] URI...  e.g. ring_watch /dev/ttyACM0 /dev/ttyACM1
 *
 * Stops after RINGS rings in all (default: never) or on SIGINT. Exit
 * status: 0 done; 69 a port cannot be opened; 74 a line failed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <handshake/handshake.h>

#define MAX_LINES 16

struct line {
	struct hs_link *link;
	struct hs_at *at;
	const char *name;
};

static int rings;

/* URCs arrive here, from inside hs_at_poll(), on the loop's thread. */
static void on_urc(void *ctx, const struct hs_at_urc *urc)
{
	const struct line *l = ctx;

	if (urc->kind == HS_URC_RING || urc->kind == HS_URC_CRING) {
		printf("%s: RING\n", l->name);
		rings++;
	} else if (urc->kind == HS_URC_CALLER_ID || urc->kind == HS_URC_CLIP) {
		/* device text: keep it printable */
		printf("%s: caller %s ", l->name, urc->key);
		for (const char *p = urc->value; *p; p++)
			putchar(*p >= 0x20 && *p < 0x7f ? *p : '?');
		putchar('\n');
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct line lines[MAX_LINES];
	struct pollfd p[MAX_LINES];
	int n = 0, max_rings = 0, c, status = 0;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return 64;
		max_rings = atoi(optarg);
	}
	if (optind == argc || argc - optind > MAX_LINES) {
		fprintf(stderr, "usage: ring_watch [-n RINGS] URI... (at most %d)\n", MAX_LINES);
		return 64;
	}
	for (; optind < argc; optind++, n++) {
		struct line *l = &lines[n];
		if (hs_link_open(&l->link, argv[optind]) < 0) {
			fprintf(stderr, "ring_watch: %s\n", hs_last_error());
			status = 69;
			break;
		}
		if (hs_at_open(&l->at, l->link) < 0) {
			hs_link_close(l->link);
			status = 69;
			break;
		}
		l->name = hs_link_info(l->link)->name;
		hs_at_set_urc_handler(l->at, on_urc, l);
		p[n] = (struct pollfd){ .fd = hs_link_fd(l->link), .events = POLLIN };
	}
	while (!status && (!max_rings || rings < max_rings)) {
		/* no timeout: nothing wakes us until a line has input */
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			status = 74;
			break;
		}
		for (int i = 0; i < n; i++) {
			int rc;
			if (!p[i].revents)
				continue;
			/* It returns once a URC is delivered, and the rest of
			 * the burst (caller ID after RING) may be read already:
			 * call again until there is nothing left. */
			while ((rc = hs_at_poll(lines[i].at, 0)) > 0)
				;
			if (rc != HS_ERR_TIMEOUT) {
				fprintf(stderr, "ring_watch: %s\n", hs_last_error());
				status = 74;
			}
		}
	}
	while (n-- > 0) {
		hs_at_free(lines[n].at);
		hs_link_close(lines[n].link);
	}
	return status;
}
