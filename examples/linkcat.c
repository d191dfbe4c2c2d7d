/*
 * linkcat.c - the smallest useful libhandshake program: open a link from a
 * URI, send a line, print what comes back. The install test builds it
 * against the installed library with pkg-config; `make demo` runs it.
 *
 *   linkcat URI TEXT [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <handshake/handshake.h>

int main(int argc, char **argv)
{
	struct hs_link *link;
	const struct hs_link_info *info;
	char reply[256];
	size_t sent;
	int rc, timeout_ms;

	if (argc < 3) {
		fprintf(stderr, "usage: linkcat URI TEXT [SECONDS]\n");
		return 64;
	}
	timeout_ms = argc > 3 ? atoi(argv[3]) * 1000 : 2000;
	if ((rc = hs_link_open(&link, argv[1])) < 0) {
		fprintf(stderr, "linkcat: %s\n", hs_last_error());
		return 69;
	}
	info = hs_link_info(link);
	fprintf(stderr, "linkcat: opened %s (%s, %s)\n", info->path,
		hs_transport_name(info->transport), info->description);
	/* On failure *sent still says how much went out. */
	rc = hs_link_write(link, argv[2], strlen(argv[2]), timeout_ms, &sent);
	if (rc < 0)
		fprintf(stderr, "linkcat: %s (%zu of %zu bytes went out)\n", hs_last_error(),
			sent, strlen(argv[2]));
	else if ((rc = hs_link_write(link, "\r\n", 2, timeout_ms, NULL)) < 0)
		fprintf(stderr, "linkcat: %s\n", hs_last_error());
	if (rc < 0) {
		hs_link_close(link);
		return 74;
	}
	/* Print the reply up to its first line end. */
	size_t got = 0;
	while (got < sizeof(reply) - 1 && !memchr(reply, '\n', got)) {
		rc = hs_link_read(link, reply + got, sizeof(reply) - 1 - got, timeout_ms);
		if (rc < 0)
			break;
		got += (size_t)rc;
	}
	hs_link_close(link);
	if (got == 0) {
		fprintf(stderr, "linkcat: %s\n", hs_last_error());
		return 75;
	}
	fwrite(reply, 1, got, stdout);
	return 0;
}
