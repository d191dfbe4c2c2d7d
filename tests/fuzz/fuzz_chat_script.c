/*
 * fuzz_chat_script.c - chat scripts as pppd users write them
 * (lib/chat.c: a file split into words, quoting, comments; words given
 * one by one) and chat's escapes in every word, as an expect string and
 * as a send string (lib/chat_clean.c: \c \d \p \K \N \T \U, ^X, octal,
 * $VAR with -E).
 *
 * Input: SCRIPT RS PHONE RS WORD... ; $HSFUZZ_FF and $HSFUZZ_LONG are
 * set for $VAR expansion (a 0xff byte and 2000 bytes).
 * Invariants: a script holds at most HS_CHAT_MAX_WORDS words, none
 * split from text with a newline in it; a cleaned string fits its buffer, with room for the
 * runner's '\r'; an expect string holds no NUL; in a send string every
 * 0xff starts a well-formed action (0xff then d, p, K or 0xff), so the
 * runner sends what the script says and pauses only where it says.
 */
#include <stdlib.h>
#include <string.h>

#include "chat_priv.h"
#include "harness.h"

#define MAX_WORDS 64

static void check_clean(const char *word, int sending, const struct hs_chat_opts *o)
{
	struct hs_clean c;

	if (hs_chat_clean(word, sending, o, &c) < 0)
		return;
	FUZZ_CHECK(c.len < sizeof(c.out), "cleaned %zu bytes", c.len);
	if (!sending) {
		FUZZ_CHECK(!memchr(c.out, 0, c.len), "expect '%s' holds a NUL", word);
		return;
	}
	for (size_t i = 0; i < c.len; i++) {
		if (c.out[i] != 0xff)
			continue;
		FUZZ_CHECK(i + 1 < c.len && memchr("dpK\xff", c.out[i + 1], 4),
			   "send '%s': byte %zu is 0xff without an action after it", word, i);
		i++;
	}
}

/* Words split from text never hold a newline; words given are as given. */
static void check_script(const struct hs_chat *chat, int from_text)
{
	FUZZ_CHECK(chat->n >= 0 && chat->n <= HS_CHAT_MAX_WORDS, "%d words", chat->n);
	for (int i = 0; i < chat->n; i++)
		FUZZ_CHECK(chat->words[i] && (!from_text || !strchr(chat->words[i], '\n')),
			   "word %d", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int env_set;
	struct fuzz_records rec;
	const uint8_t *p;
	size_t n;
	char *script, *phone = NULL, *words[MAX_WORDS];
	int nwords = 0;
	struct hs_chat *chat;
	struct hs_chat_opts o = { .phone2 = "5551234" };

	if (!env_set) {
		char long_value[2001];
		memset(long_value, 'x', sizeof(long_value) - 1);
		long_value[sizeof(long_value) - 1] = 0;
		setenv("HSFUZZ_FF", "\xff" "d", 1);
		setenv("HSFUZZ_LONG", long_value, 1);
		env_set = 1;
	}
	fuzz_records_init(&rec, data, size);
	fuzz_record(&rec, &p, &n);
	script = fuzz_strndup(p, n);
	if (fuzz_record(&rec, &p, &n)) {
		phone = fuzz_strndup(p, n);
		o.phone = phone;
		o.use_env = n > 0 && p[0] == '$';
	}
	while (nwords < MAX_WORDS && fuzz_record(&rec, &p, &n))
		words[nwords++] = fuzz_strndup(p, n);

	if (!(chat = hs_chat_new()))
		abort();
	hs_chat_add_text(chat, script);
	check_script(chat, 1);
	hs_chat_add_words(chat, (const char *const *)words, nwords);
	check_script(chat, 0);
	for (int i = 0; i < chat->n; i++) {
		check_clean(chat->words[i], 0, &o);
		check_clean(chat->words[i], 1, &o);
	}
	hs_chat_free(chat);

	free(script);
	free(phone);
	for (int i = 0; i < nwords; i++)
		free(words[i]);
	return 0;
}
