/*
 * handshake/chat.h - a chat(8)-compatible script runner on a link, so that
 * pppd's `connect "hsdial --chat FILE"` and existing chat scripts work.
 *
 * The language is chat's: expect/send pairs; subexpects (`ogin:-\r-ogin:`);
 * the keywords ABORT, CLR_ABORT, REPORT, CLR_REPORT, TIMEOUT, ECHO, HANGUP
 * and SAY; `''` for "expect nothing"; the send words EOT and BREAK; and the
 * escapes \b \c \d \K \n \N \p \r \s \t \\ \q \T \U, ^X and \ooo octal.
 * Received bytes are compared with their top bit cleared, as chat does.
 */
#ifndef HANDSHAKE_CHAT_H
#define HANDSHAKE_CHAT_H

#include "handshake/link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* chat(8)'s exit codes: hs_chat_run() returns one of these. */
enum hs_chat_status {
	HS_CHAT_OK = 0,          /* the script ran to its end */
	HS_CHAT_BAD_SCRIPT = 1,  /* the script or a parameter is invalid */
	HS_CHAT_IO = 2,          /* reading or writing the link failed */
	HS_CHAT_TIMEOUT = 3,     /* an expect string did not arrive in time */
	HS_CHAT_ABORT = 4,       /* 4 + n: the n-th ABORT string (0-based) */
};

struct hs_chat;

struct hs_chat_opts {
	int timeout_s;        /* default expect timeout; 0 means chat's 45 */
	const char *phone;    /* replaces \T in send strings (chat -T) */
	const char *phone2;   /* replaces \U (chat -U) */
	int use_env;          /* expand $VAR in strings (chat -E) */
	/* Each may be NULL. say: SAY text as chat prints it (cleaned as a
	 * send string: its \r too, unless it ends in \c); report: a REPORT
	 * line such as "CONNECT 33600/ARQ"; echo: received bytes (top bit
	 * cleared) while ECHO is on; log: each line chat -v logs, in its
	 * words ("expect (CONNECT)", "^M", "CONNECT 33600", " -- got it\n",
	 * "send (ATDT123^M)", "timeout set to 5 seconds", "alarm",
	 * "Failed (BUSY)"). */
	void (*say)(void *ctx, const char *text);
	void (*report)(void *ctx, const char *line);
	void (*echo)(void *ctx, const char *bytes, size_t len);
	void (*log)(void *ctx, const char *line);
	void *ctx;
	/* ECHO is on from the start (chat -e); ECHO ON/OFF still switch it.
	 * Since 0.1.0. */
	int echo_on;
	/* Every byte read while expecting (top bit cleared), echoed or not:
	 * what chat -V shows. May be NULL. Since 0.1.0. */
	void (*received)(void *ctx, const char *bytes, size_t len);
};

/* An empty script. Returns NULL only when out of memory. */
struct hs_chat *hs_chat_new(void);
void hs_chat_free(struct hs_chat *chat);

/* Append words as given on chat's command line (already split). */
int hs_chat_add_words(struct hs_chat *chat, const char *const *words, int n);

/* Append script text as chat -f reads a file: words separated by blanks,
 * '...' or "..." quoting, lines starting with '#' ignored. */
int hs_chat_add_text(struct hs_chat *chat, const char *text);

/* Run the script on link. Returns an enum hs_chat_status value; on
 * anything but HS_CHAT_OK, hs_last_error() says what happened. */
int hs_chat_run(struct hs_chat *chat, struct hs_link *link,
		const struct hs_chat_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
