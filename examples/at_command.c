/*
 * at_command.c - send one AT command to a modem and print its reply: the
 * AT engine (handshake/at.h) on a link, the intermediate lines, the final
 * result, and an error that names the device when there is none.
 *
 *   at_command URI COMMAND        e.g. at_command /dev/ttyUSB0 ATI3
 *
 * Exit status: 0 the modem said OK; 1 another result (ERROR, ...); 69 the
 * port cannot be opened; 74 no reply or a bad one.
 */
#include <stdio.h>
#include <stdlib.h>

#include <handshake/handshake.h>

int main(int argc, char **argv)
{
	struct hs_link *link;
	struct hs_at *at;
	struct hs_at_reply *reply;
	char line[HS_AT_LINE_MAX + 1];
	int rc, status;

	if (argc != 3) {
		fprintf(stderr, "usage: at_command URI COMMAND\n");
		return 64;
	}
	if (hs_link_open(&link, argv[1]) < 0) {
		fprintf(stderr, "at_command: %s\n", hs_last_error());
		return 69;
	}
	/* The engine borrows the link; the reply is large (8 KiB of text). */
	reply = malloc(sizeof(*reply));
	if (!reply || hs_at_open(&at, link) < 0) {
		fprintf(stderr, "at_command: out of memory\n");
		hs_link_close(link);
		return 70;
	}
	/* Whatever E, V and Q are set to, the reply parses; 5 s at most. */
	rc = hs_at_command(at, argv[2], reply, 5000);
	if (rc < 0) {
		fprintf(stderr, "at_command: %s\n", hs_last_error());
		status = 74;
	} else {
		for (int i = 0; hs_at_reply_line(reply, i, line, sizeof(line)) >= 0; i++)
			printf("%s\n", line);
		printf("%s\n", hs_at_result_name(reply->result));
		status = reply->result == HS_AT_OK ? 0 : 1;
	}
	hs_at_free(at);
	hs_link_close(link);
	free(reply);
	return status;
}
