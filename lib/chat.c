/*
 * chat.c - building a chat script: words from a command line, or text
 * split the way chat -f splits a file.
 */
#include <stdlib.h>
#include <string.h>

#include "chat_priv.h"
#include "fail.h"

struct hs_chat *hs_chat_new(void)
{
	return calloc(1, sizeof(struct hs_chat));
}

void hs_chat_free(struct hs_chat *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++)
		free(c->words[i]);
	free(c->words);
	free(c);
}

static int add(struct hs_chat *c, const char *w, size_t len)
{
	char **grown;

	if (c->n >= HS_CHAT_MAX_WORDS)
		return hs_fail(HS_ERR_ARG, "chat script has more than %d words",
			       HS_CHAT_MAX_WORDS);
	if (!(grown = realloc(c->words, sizeof(char *) * (size_t)(c->n + 1))))
		return hs_fail(HS_ERR_NOMEM, "chat script: out of memory");
	c->words = grown;
	if (!(c->words[c->n] = strndup(w, len)))
		return hs_fail(HS_ERR_NOMEM, "chat script: out of memory");
	c->n++;
	return HS_OK;
}

int hs_chat_add_words(struct hs_chat *c, const char *const *words, int n)
{
	if (!c || (n && !words) || n < 0)
		return hs_fail(HS_ERR_ARG, "hs_chat_add_words: no script or words");
	for (int i = 0; i < n; i++) {
		int rc = add(c, words[i], strlen(words[i]));
		if (rc < 0)
			return rc;
	}
	return HS_OK;
}

int hs_chat_add_text(struct hs_chat *c, const char *text)
{
	int line = 1;
	int at_line_start = 1;

	if (!c || !text)
		return hs_fail(HS_ERR_ARG, "hs_chat_add_text: no script or text");
	while (*text) {
		const char *start;
		int rc;

		if (*text == '\n') {
			line++;
			text++;
			at_line_start = 1;
			continue;
		}
		/* Comments are whole lines starting with '#'; a '#' elsewhere,
		 * or quoted, is data. */
		if (*text == '#' && at_line_start) {
			text += strcspn(text, "\n");
			continue;
		}
		at_line_start = 0;
		if (*text == ' ' || *text == '\t' || *text == '\r') {
			text++;
			continue;
		}
		if (*text == '\'' || *text == '"') {
			char q = *text++;
			start = text;
			while (*text != q) {
				if (!*text || *text == '\n')
					return hs_fail(HS_ERR_ARG,
						       "chat script line %d: unterminated quote", line);
				if (*text++ == '\\' && *text && *text != '\n')
					text++;
			}
			rc = add(c, start, (size_t)(text - start));
			text++;
		} else {
			start = text;
			text += strcspn(text, " \t\r\n");
			rc = add(c, start, (size_t)(text - start));
		}
		if (rc < 0)
			return rc;
	}
	return HS_OK;
}
