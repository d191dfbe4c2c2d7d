/*
 * tool_json.c - the one JSON writer of the tools: an object written as
 * it is built (commas, nesting and escapes done here), and the shape
 * every --json answer shares: "ok", "exit", and on failure "error":
 * {"code", "name", "message"}. The shapes are in tools/json/TOOL.schema.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <handshake/handshake.h>
#include "tool.h"

FILE *tool_json_out;

void tool_json_string(FILE *f, const char *s)
{
	/* every byte may become \u00XX: 6 bytes, and the quotes */
	size_t cap = (s ? strlen(s) : 0) * 6 + 3;
	char small[512], *buf = cap <= sizeof(small) ? small : malloc(cap);

	if (!buf) {
		fputs("\"\"", f);
		return;
	}
	hs_escape(buf, cap, s, HS_ESCAPE_JSON);
	fputs(buf, f);
	if (buf != small)
		free(buf);
}

/* The comma and "key": before a member (key NULL: an array element). */
static void member(struct tool_json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (key) {
		tool_json_string(j->f, key);
		fputc(':', j->f);
	}
}

static void open_(struct tool_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	/* deeper than any answer needs: written flat rather than overrun */
	if (j->depth + 1 < (int)sizeof(j->close)) {
		j->depth++;
		j->close[j->depth] = c == '{' ? '}' : ']';
		j->count[j->depth] = 0;
	}
}

void tool_json_begin(struct tool_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
	j->close[0] = '}';
}

void tool_json_end(struct tool_json *j)
{
	while (j->depth > 0)
		tool_json_close(j);
	fputs("}\n", j->f);
	fflush(j->f);
}

void tool_json_object(struct tool_json *j, const char *key)
{
	open_(j, key, '{');
}

void tool_json_array(struct tool_json *j, const char *key)
{
	open_(j, key, '[');
}

void tool_json_close(struct tool_json *j)
{
	if (j->depth == 0)
		return;
	fputc(j->close[j->depth], j->f);
	j->depth--;
}

void tool_json_str(struct tool_json *j, const char *key, const char *value)
{
	member(j, key);
	if (value)
		tool_json_string(j->f, value);
	else
		fputs("null", j->f);
}

void tool_json_int(struct tool_json *j, const char *key, long long value)
{
	member(j, key);
	fprintf(j->f, "%lld", value);
}

void tool_json_bool(struct tool_json *j, const char *key, int value)
{
	member(j, key);
	fputs(value ? "true" : "false", j->f);
}

void tool_json_null(struct tool_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void tool_json_error(struct tool_json *j, int err, const char *message)
{
	tool_json_object(j, "error");
	tool_json_int(j, "code", err);
	tool_json_str(j, "name", hs_err_name(err));
	tool_json_str(j, "message", message && *message ? message : hs_strerror(err));
	tool_json_close(j);
}

void tool_json_failure(int err, int status, const char *message)
{
	struct tool_json j;

	tool_json_begin(&j, tool_json_out);
	tool_json_bool(&j, "ok", 0);
	tool_json_int(&j, "exit", status);
	tool_json_error(&j, err, message);
	tool_json_end(&j);
}

void tool_bad_option(void)
{
	tool_usage_hint();
	if (tool_json_out)
		tool_json_failure(HS_ERR_ARG, EX_USAGE, "bad option (see --help)");
}

int tool_arg_given(int argc, char **argv, const char *word)
{
	size_t n = strlen(word);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		/* "--at=ATI" too */
		if (!strncmp(argv[i], word, n) && (!argv[i][n] || argv[i][n] == '='))
			return 1;
	}
	return 0;
}
