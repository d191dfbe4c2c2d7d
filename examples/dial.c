/*
 * dial.c - dial a number and bridge the call to stdin and stdout: a modem
 * (handshake/modem.h) on a link, sync and reset, dial, then one poll()
 * over the line and stdin until stdin ends and the line has been quiet
 * for a second, or the carrier goes; then hang up.
 *
 *   dial URI NUMBER               e.g. echo hello | dial /dev/ttyUSB0 5551234
 *
 * Exit status: 0 the call went and was hung up; 3 no carrier (or lost);
 * 2 busy; 69 the port cannot be opened; 74 any other failure.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include <handshake/handshake.h>

#define QUIET_MS 1000   /* after stdin ends, how long the line must be quiet */

static int fail(const char *what, int rc)
{
	fprintf(stderr, "dial: %s: %s\n", what, hs_last_error());
	return rc == HS_ERR_NO_CARRIER ? 3 : rc == HS_ERR_LINE_BUSY ? 2 : 74;
}

/* Copy the call to stdout and stdin to the call. Returns 0 when stdin
 * ended and the line went quiet, or the error that ended the call. */
static int bridge(struct hs_modem *m)
{
	char buf[4096];
	int stdin_open = 1, rc;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = hs_link_fd(hs_modem_link(m)), .events = POLLIN },
			{ .fd = stdin_open ? 0 : -1, .events = POLLIN },
		};
		/* Bytes the AT engine read past CONNECT come first: read with
		 * timeout 0 before the first poll. */
		rc = hs_modem_read(m, buf, sizeof(buf), 0);
		if (rc > 0) {
			fwrite(buf, 1, (size_t)rc, stdout);
			fflush(stdout);
			continue;
		}
		if (rc != HS_ERR_TIMEOUT)
			return rc;   /* HS_ERR_NO_CARRIER: the far end hung up */
		rc = poll(p, 2, stdin_open ? -1 : QUIET_MS);
		if (rc < 0 && errno != EINTR)
			return HS_ERR_IO;
		if (rc == 0)
			return HS_OK;    /* stdin is done and the line is quiet */
		if (p[1].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n <= 0)
				stdin_open = 0;
			else if ((rc = hs_modem_write(m, buf, (size_t)n, 10000, NULL)) < 0)
				return rc;
		}
	}
}

int main(int argc, char **argv)
{
	struct hs_link *link;
	struct hs_modem *modem;
	struct hs_at_connect how;
	struct hs_dial d = { 0 };
	int rc, status = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: dial URI NUMBER\n");
		return 64;
	}
	d.number = argv[2];
	if (hs_link_open(&link, argv[1]) < 0) {
		fprintf(stderr, "dial: %s\n", hs_last_error());
		return 69;
	}
	/* The driver is matched from the port's USB id (else generic Hayes). */
	if (hs_modem_open(&modem, link, NULL) < 0) {
		hs_link_close(link);
		return fail("modem", HS_ERR_NOMEM);
	}
	if ((rc = hs_modem_sync(modem, 5, 3000)) < 0 ||
	    (rc = hs_modem_reset(modem, 0, 5000)) < 0 ||
	    (rc = hs_modem_dial(modem, &d, &how, 60000)) < 0) {
		status = fail(argv[2], rc);
		goto out;
	}
	fprintf(stderr, "dial: connected at %ld bps%s\n", how.speed, how.suffix);
	rc = bridge(modem);
	if (rc == HS_ERR_NO_CARRIER) {
		status = fail("call", rc);   /* on-hook already */
		goto out;
	}
	if (rc < 0)
		status = fail("call", rc);
	if ((rc = hs_modem_hangup(modem, 15000)) < 0)
		status = fail("hang-up", rc);
	else
		fprintf(stderr, "dial: hung up\n");
out:
	hs_modem_free(modem);
	hs_link_close(link);
	return status;
}
