/*
 * at_parse.c - what one line from a modem means: final result codes in
 * words (V1) and numbers (V0), CONNECT and its suffix, URCs, the echo of
 * a command, and what the basic commands we send change (E, V, Q, S3, S4).
 * No I/O here; at.c feeds it lines.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_parse.h"

/* The common numeric codes: the Hayes ones (at.h), then the Rockwell/
 * Conexant 11-19 most modems use; those differ between vendors, so a
 * driver brings its own map when its modem is different. */
static const struct hs_at_numeric default_numeric[] = {
	HS_AT_NUMERIC_HAYES,
	{ 11, HS_AT_CONNECT, 4800, NULL },
	{ 12, HS_AT_CONNECT, 9600, NULL },
	{ 13, HS_AT_CONNECT, 7200, NULL },
	{ 14, HS_AT_CONNECT, 12000, NULL },
	{ 15, HS_AT_CONNECT, 14400, NULL },
	{ 16, HS_AT_CONNECT, 19200, NULL },
	{ 17, HS_AT_CONNECT, 38400, NULL },
	{ 18, HS_AT_CONNECT, 57600, NULL },
	{ 19, HS_AT_CONNECT, 115200, NULL },
};

const struct hs_at_numeric *hs_at_default_numeric(size_t *n)
{
	if (n)
		*n = sizeof(default_numeric) / sizeof(default_numeric[0]);
	return default_numeric;
}

static const char *const result_names[] = {
	[HS_AT_NONE] = "(none)", [HS_AT_OK] = "OK", [HS_AT_CONNECT] = "CONNECT",
	[HS_AT_RING] = "RING", [HS_AT_NO_CARRIER] = "NO CARRIER",
	[HS_AT_ERROR] = "ERROR", [HS_AT_NO_DIALTONE] = "NO DIALTONE",
	[HS_AT_BUSY] = "BUSY", [HS_AT_NO_ANSWER] = "NO ANSWER",
	[HS_AT_CME_ERROR] = "+CME ERROR", [HS_AT_CMS_ERROR] = "+CMS ERROR",
};

const char *hs_at_result_name(enum hs_at_result r)
{
	return (unsigned)r < sizeof(result_names) / sizeof(result_names[0])
		? result_names[r] : "?";
}

/* Does line start with word, case aside? Returns what follows, or NULL. */
static const char *after(const char *line, const char *word)
{
	size_t n = strlen(word);
	return strncasecmp(line, word, n) == 0 ? line + n : NULL;
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* Words that appear after CONNECT speeds, by what they say. Vendors
 * write "V42BIS", "V.42bis", "V42b": compare with dots dropped. */
static const char *const ec_words[] = {
	"LAPM", "ARQ", "MNP", "MNP2", "MNP3", "MNP4", "REL", "REL4", "V42",
	"ECL", "ALT", NULL,
};
static const char *const comp_words[] = {
	"V42BIS", "V42B", "V44", "MNP5", "CLASS5", "COMP", NULL,
};
static const char *const mod_words[] = {
	"V21", "V22", "V22BIS", "V23", "V32", "V32BIS", "V32TERBO", "V34",
	"V34+", "V90", "V92", "K56", "K56FLEX", "X2", "HST", "VFC", "B103",
	"B212", NULL,
};

static int in_list(const char *word, const char *const *list)
{
	for (; *list; list++)
		if (!strcasecmp(word, *list))
			return 1;
	return 0;
}

/* One token of a CONNECT suffix or a PROTOCOL:/COMPRESSION: line. */
static void classify_token(const char *tok, struct hs_at_connect *c)
{
	char w[16];
	size_t n = 0;

	for (; *tok && n + 1 < sizeof(w); tok++)
		if (*tok != '.' && *tok != '-')
			w[n++] = (char)toupper((unsigned char)*tok);
	w[n] = 0;
	if (!n || !strcmp(w, "NONE"))
		return;
	if (in_list(w, ec_words))
		copy(c->protocol, sizeof(c->protocol), w);
	else if (in_list(w, comp_words))
		copy(c->compression, sizeof(c->compression), w);
	else if (in_list(w, mod_words))
		copy(c->modulation, sizeof(c->modulation), w);
}

static void classify_tokens(const char *s, struct hs_at_connect *c)
{
	char tok[32];

	while (*s) {
		size_t n = 0;
		while (*s == '/' || *s == ' ' || *s == ',' || *s == '\t')
			s++;
		while (*s && *s != '/' && *s != ' ' && *s != ',' && *s != '\t') {
			if (n + 1 < sizeof(tok))
				tok[n++] = *s;
			s++;
		}
		tok[n] = 0;
		classify_token(tok, c);
	}
}

/* "CONNECT", "CONNECT 33600", "CONNECT 33600/ARQ/V42BIS". Keeps what the
 * CARRIER/PROTOCOL lines before it already said. */
static void parse_connect(const char *rest, struct hs_at_connect *c)
{
	char *end;

	rest = skip_spaces(rest);
	if (isdigit((unsigned char)*rest)) {
		c->speed = strtol(rest, &end, 10);
		rest = end;
	}
	copy(c->suffix, sizeof(c->suffix), skip_spaces(rest));
	classify_tokens(rest, c);
}

int hs_atp_connect_info(const char *line, struct hs_at_connect *c)
{
	const char *rest;

	if ((rest = after(line, "CARRIER ")) && isdigit((unsigned char)*skip_spaces(rest))) {
		c->carrier = strtol(skip_spaces(rest), NULL, 10);
		classify_tokens(rest, c);
		return 1;
	}
	if ((rest = after(line, "PROTOCOL:")) || (rest = after(line, "COMPRESSION:"))) {
		classify_tokens(rest, c);
		return 1;
	}
	return 0;
}

int hs_atp_is_number(const char *line)
{
	size_t n = strlen(line);

	if (n == 0 || n > 3)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)line[i]))
			return 0;
	return 1;
}

static int numeric_final(const char *line, const struct hs_at_numeric *map, size_t n,
			 struct hs_at_reply *r)
{
	int code = atoi(line);

	if (!map)
		map = hs_at_default_numeric(&n);
	for (size_t i = 0; i < n; i++) {
		if (map[i].code != code)
			continue;
		r->result = map[i].result;
		r->code = code;
		if (map[i].result == HS_AT_CONNECT) {
			if (map[i].speed)
				r->connect.speed = map[i].speed;
			if (map[i].suffix) {
				copy(r->connect.suffix, sizeof(r->connect.suffix), map[i].suffix);
				classify_tokens(map[i].suffix, &r->connect);
			}
		}
		return 1;
	}
	/* A code we do not know: vendors put CARRIER/PROTOCOL information
	 * codes up there too, so it is not taken for a final result. */
	return 0;
}

/* "+CME ERROR: 10" or, with +CMEE=2, "+CME ERROR: SIM not inserted". */
static void error_code(const char *rest, struct hs_at_reply *r)
{
	char *end;
	long v;

	rest = skip_spaces(rest);
	v = strtol(rest, &end, 10);
	r->code = end != rest && *skip_spaces(end) == 0 && v >= 0 && v < 100000 ? (int)v : -1;
}

static int is_word(const char *line, const char *word)
{
	const char *rest = after(line, word);
	return rest && *skip_spaces(rest) == 0;
}

int hs_at_parse_final(const char *line, int numeric, const struct hs_at_numeric *map,
		      size_t n, struct hs_at_reply *r)
{
	static const struct { const char *word; enum hs_at_result result; } words[] = {
		{ "OK", HS_AT_OK }, { "ERROR", HS_AT_ERROR },
		{ "NO CARRIER", HS_AT_NO_CARRIER }, { "NO DIALTONE", HS_AT_NO_DIALTONE },
		{ "NO DIAL TONE", HS_AT_NO_DIALTONE }, { "BUSY", HS_AT_BUSY },
		{ "NO ANSWER", HS_AT_NO_ANSWER }, { "RING", HS_AT_RING },
	};
	const char *rest;

	if (numeric && hs_atp_is_number(line)) {
		if (!numeric_final(line, map, n, r))
			return 0;
		copy(r->final, sizeof(r->final), line);
		return 1;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (is_word(line, words[i].word)) {
			r->result = words[i].result;
			r->code = -1;
			copy(r->final, sizeof(r->final), line);
			return 1;
		}
	}
	if ((rest = after(line, "CONNECT")) && (!*rest || *rest == ' ' || *rest == '/')) {
		r->result = HS_AT_CONNECT;
		r->code = -1;
		parse_connect(rest, &r->connect);
		copy(r->final, sizeof(r->final), line);
		return 1;
	}
	if ((rest = after(line, "+CME ERROR:")) || (rest = after(line, "+CMS ERROR:"))) {
		r->result = toupper((unsigned char)line[3]) == 'E' ? HS_AT_CME_ERROR
								  : HS_AT_CMS_ERROR;
		error_code(rest, r);
		copy(r->final, sizeof(r->final), line);
		return 1;
	}
	return 0;
}

void hs_atp_command_name(const char *cmd, char *out, size_t cap)
{
	const char *p = after(cmd, "AT") ? cmd + 2 : cmd;
	size_t n = 0;

	if (cap == 0)
		return;
	p += strcspn(p, "+#$^");
	/* a name needs its prefix, a letter and the NUL */
	if (*p && cap > 2) {
		out[n++] = *p++;
		while (n + 1 < cap && (isalnum((unsigned char)*p) || *p == '_'))
			out[n++] = (char)toupper((unsigned char)*p++);
	}
	out[n] = 0;
	if (n == 1)
		out[0] = 0;
}

/* The part after "KEY" and spaces and sep, or NULL. */
static const char *keyed(const char *line, const char *key, char sep)
{
	const char *rest = after(line, key);

	if (!rest)
		return NULL;
	rest = skip_spaces(rest);
	return *rest == sep ? skip_spaces(rest + 1) : NULL;
}

static void fill(struct hs_at_urc *u, enum hs_at_urc_kind kind, const char *line,
		 const char *key, size_t keylen, const char *value,
		 char *scratch, size_t cap)
{
	int k = snprintf(scratch, cap, "%.*s", (int)keylen, key);
	size_t off = k < 0 ? 0 : (size_t)k + 1 < cap ? (size_t)k + 1 : cap - 1;

	snprintf(scratch + off, cap - off, "%s", value);
	/* whole: the callback may look at every field (connect is NULL) */
	*u = (struct hs_at_urc){ .kind = kind, .line = line, .key = scratch,
				 .value = scratch + off };
}

int hs_atp_urc(const char *line, const char *cmd_name,
		    const char *const *extra, struct hs_at_urc *u,
		    char *scratch, size_t cap)
{
	static const char *const cid_keys[] = {
		"DATE", "TIME", "NMBR", "NAME", "MESG", "DDN_NMBR", NULL,
	};
	const char *rest;
	size_t cn = strlen(cmd_name);

	/* AT+CLIP? is answered "+CLIP: 0,1": a reply, not a URC. */
	if (cn && !strncasecmp(line, cmd_name, cn) && line[cn] == ':')
		return 0;
	if (!strncasecmp(line, "RING", 4) && (line[4] == 0 || line[4] == ' ')) {
		fill(u, HS_URC_RING, line, "RING", 4, skip_spaces(line + 4), scratch, cap);
		return 1;
	}
	if ((rest = keyed(line, "+CRING", ':'))) {
		fill(u, HS_URC_CRING, line, "+CRING", 6, rest, scratch, cap);
		return 1;
	}
	if ((rest = keyed(line, "+CLIP", ':'))) {
		fill(u, HS_URC_CLIP, line, "+CLIP", 5, rest, scratch, cap);
		return 1;
	}
	for (int i = 0; cid_keys[i]; i++) {
		if ((rest = keyed(line, cid_keys[i], '='))) {
			fill(u, HS_URC_CALLER_ID, line, cid_keys[i], strlen(cid_keys[i]),
			     rest, scratch, cap);
			return 1;
		}
	}
	for (; extra && *extra; extra++) {
		size_t n = strlen(*extra);
		if (!strncasecmp(line, *extra, n)) {
			const char *v = skip_spaces(line + n);
			if (*v == ':' || *v == '=')
				v = skip_spaces(v + 1);
			fill(u, HS_URC_OTHER, line, *extra, n, v, scratch, cap);
			return 1;
		}
	}
	return 0;
}

int hs_atp_is_echo(const char *line, const char *cmd)
{
	size_t n = strlen(line), c = strlen(cmd);
	struct hs_at_reply r;

	if (n == c)
		return !strcasecmp(line, cmd);
	if (n < 2 || n > c)
		return 0;
	/* A piece of the echo ("TI3" when the modem lost the "A"). A result
	 * word is never taken for one unless it is the whole command. */
	if (hs_at_parse_final(line, 0, NULL, 0, &r))
		return 0;
	return !strncasecmp(line, cmd, n) || !strcasecmp(line, cmd + c - n);
}

static void defaults(struct hs_atp_settings *s)
{
	s->echo = 1, s->verbose = 1, s->quiet = 0, s->s3 = '\r', s->s4 = '\n';
}

/* Digits after a command letter; dflt when there are none. */
static int number(const char **p, int dflt)
{
	int v = 0, any = 0;

	while (isdigit((unsigned char)**p)) {
		if (v < 1000)
			v = v * 10 + (**p - '0');
		(*p)++;
		any = 1;
	}
	return any ? v : dflt;
}

void hs_atp_scan_settings(const char *cmd, struct hs_atp_settings *s)
{
	const char *p = cmd;

	s->echo = s->verbose = s->quiet = s->s3 = s->s4 = -1;
	if (!after(p, "AT"))
		return;
	p += 2;
	while (*p) {
		char c = (char)toupper((unsigned char)*p++);
		int reg, v;

		switch (c) {
		case ' ':
			break;
		case 'E': s->echo = number(&p, 0) != 0; break;
		case 'V': s->verbose = number(&p, 0) != 0; break;
		case 'Q': s->quiet = number(&p, 0) == 1; break;
		case 'Z': number(&p, 0); defaults(s); break;
		case 'S':
			reg = number(&p, -1);
			if (*p == '=') {
				p++;
				v = number(&p, 0);
				if (reg == 3 && v > 0 && v < 128)
					s->s3 = v;
				else if (reg == 4 && v > 0 && v < 128)
					s->s4 = v;
			} else if (*p == '?') {
				p++;
			}
			break;
		case '&':
			c = (char)toupper((unsigned char)*p);
			if (c)
				p++;
			number(&p, 0);
			if (c == 'F')
				defaults(s);
			break;
		case '\\': case '%':
			if (*p)
				p++;
			number(&p, 0);
			break;
		default:
			/* D (the rest is a dial string), extended commands
			 * (+ # $ ^: their arguments can hold anything), or
			 * something we do not know: stop looking. */
			if (!isalpha((unsigned char)c) || c == 'D')
				return;
			number(&p, 0);
			break;
		}
	}
}
