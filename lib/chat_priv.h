/*
 * chat_priv.h - private: the chat script as parsed, and the string
 * "cleaning" (escape processing) shared by the parser and the runner.
 */
#ifndef HS_CHAT_PRIV_H
#define HS_CHAT_PRIV_H

#include <stddef.h>
#include "handshake/chat.h"

#define HS_CHAT_MAX_WORDS 1024
#define HS_CHAT_STR_MAX 1024   /* the longest cleaned string: chat's STR_LEN */

struct hs_chat {
	char **words;
	int n;
};

/* One step of a send string. */
enum hs_send_op { HS_SEND_BYTES, HS_SEND_DELAY, HS_SEND_BREAK };

/* A cleaned string: bytes, plus (when sending) actions. In `out`, a
 * send action is a 0xff byte followed by 'd' (1 s), 'p' (0.1 s), 'K'
 * (break) or 0xff itself (a literal 0xff). NUL bytes are kept; len says
 * how long it is. */
struct hs_clean {
	unsigned char out[HS_CHAT_STR_MAX + 2]; /* + a send's \r, + NUL */
	size_t len;
	int add_return;  /* sending: append \r (no trailing \c) */
	int quiet;       /* \q: do not log this string */
	/* The string as chat's own clean() leaves it, which is what chat -v
	 * logs and SAY prints: a send's actions and backslashes still
	 * escaped (\d, \\), its \r appended by hs_chat_clean; it ends at
	 * the first NUL, as chat's C string does. */
	char shown[2 * HS_CHAT_STR_MAX + 4];
	size_t shown_len;
};

/* Process chat escapes in s. Returns 0, or -1 if the result is longer
 * than HS_CHAT_STR_MAX bytes. */
int hs_chat_clean(const char *s, int sending, const struct hs_chat_opts *o,
		  struct hs_clean *c);

#endif
