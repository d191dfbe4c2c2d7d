/*
 * fuzz_at_parse.c - the AT line parser on its own (lib/at_parse.c): what
 * one line from a modem is (final result in words or V0 digits with each
 * driver's numeric map, CONNECT and its suffix, URC, CARRIER/PROTOCOL
 * information, echo), what a command we send changes (E V Q S3 S4, its
 * "+NAME"), and the dial string built from a number a user typed.
 *
 * Input: LINE RS COMMAND RS CAP RS URC-PREFIX... (RS = 0x1e). CAP's
 * first byte sizes the caller's buffers (the functions take any size).
 * Invariants: every string the parser fills ends within its buffer;
 * results, codes and settings are in range; a URC's key and value lie
 * inside the scratch buffer given; a dial string is "ATD" and dial
 * characters only, at most one ';' and only at its end.
 */
#include <stdlib.h>
#include <string.h>

#include "at_parse.h"
#include "handshake/modem.h"
#include "harness.h"

#define MAX_PREFIXES 4

static void final_with(const char *line, int numeric, const struct hs_at_numeric *map,
		       size_t n)
{
	struct hs_at_reply *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->code = -1;
	if (hs_at_parse_final(line, numeric, map, n, r)) {
		FUZZ_CHECK(r->result > HS_AT_NONE && r->result <= HS_AT_CMS_ERROR,
			   "result %d", (int)r->result);
		FUZZ_CHECK(r->code >= -1, "code %d", r->code);
		FUZZ_CHECK(fuzz_terminated(r->final, sizeof(r->final)), "final");
		FUZZ_CHECK(strncmp(r->final, line, sizeof(r->final) - 1) == 0,
			   "final is not the line as received");
		FUZZ_CHECK(strcmp(hs_at_result_name(r->result), "?") != 0, "unnamed result");
	} else {
		FUZZ_CHECK(r->result == HS_AT_NONE, "no final, yet a result");
	}
	fuzz_check_connect(&r->connect);
	free(r);
}

static void finals(const char *line)
{
	final_with(line, 0, NULL, 0);
	final_with(line, 1, NULL, 0);
	for (size_t i = 0; hs_modem_driver_at(i); i++) {
		const struct hs_modem_driver *d = hs_modem_driver_at(i);
		if (d->numeric)
			final_with(line, 1, d->numeric, d->nnumeric);
	}
}

static void urc(const char *line, const char *cmd_name, const char *const *extra,
		size_t cap)
{
	char *scratch = malloc(cap);
	struct hs_at_urc u;

	if (!scratch)
		abort();
	memset(&u, 0, sizeof(u));
	if (hs_atp_urc(line, cmd_name, extra, &u, scratch, cap)) {
		FUZZ_CHECK(u.line == line, "urc line");
		FUZZ_CHECK(u.key >= scratch && u.key < scratch + cap &&
				   fuzz_terminated(u.key, (size_t)(scratch + cap - u.key)),
			   "urc key outside scratch");
		FUZZ_CHECK(u.value >= scratch && u.value < scratch + cap &&
				   fuzz_terminated(u.value, (size_t)(scratch + cap - u.value)),
			   "urc value outside scratch");
		FUZZ_CHECK(u.kind <= HS_URC_CONNECT, "urc kind %d", (int)u.kind);
	}
	free(scratch);
}

static void settings(const char *cmd)
{
	struct hs_atp_settings s;

	hs_atp_scan_settings(cmd, &s);
	FUZZ_CHECK(s.echo >= -1 && s.echo <= 1, "echo %d", s.echo);
	FUZZ_CHECK(s.verbose >= -1 && s.verbose <= 1, "verbose %d", s.verbose);
	FUZZ_CHECK(s.quiet >= -1 && s.quiet <= 1, "quiet %d", s.quiet);
	FUZZ_CHECK(s.s3 == -1 || (s.s3 > 0 && s.s3 < 128), "s3 %d", s.s3);
	FUZZ_CHECK(s.s4 == -1 || (s.s4 > 0 && s.s4 < 128), "s4 %d", s.s4);
}

static void command_name(const char *cmd, size_t cap)
{
	char *out = malloc(cap);

	if (!out)
		abort();
	hs_atp_command_name(cmd, out, cap);
	FUZZ_CHECK(fuzz_terminated(out, cap), "command name over %zu bytes", cap);
	FUZZ_CHECK(out[0] == 0 || (strchr("+#$^", out[0]) && out[1]), "command name '%s'", out);
	free(out);
}

static void dial(const char *number, const char *prefix, size_t cap, unsigned flags)
{
	struct hs_dial d = {
		.number = number, .prefix = flags & 1 ? prefix : NULL,
		.method = (enum hs_dial_method)(flags >> 1 & 3) % 3,
		.wait_dialtone = !!(flags & 8), .stay_command = !!(flags & 16),
	};
	char *out = malloc(cap);
	int n;

	if (!out)
		abort();
	if ((n = hs_modem_dial_string(out, cap, &d)) >= 0) {
		FUZZ_CHECK(fuzz_terminated(out, cap), "dial string over %zu bytes", cap);
		FUZZ_CHECK((size_t)n == strlen(out), "dial length %d for '%s'", n, out);
		FUZZ_CHECK(strncmp(out, "ATD", 3) == 0, "dial string '%s'", out);
		FUZZ_CHECK(strspn(out + 3, "0123456789*#ABCD+,W@!TP;") == (size_t)n - 3,
			   "dial string '%s' carries more than dial characters", out);
		FUZZ_CHECK(!strchr(out, ';') || strchr(out, ';') == out + n - 1,
			   "';' inside '%s'", out);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_records rec;
	const uint8_t *p;
	size_t n;
	char *line = NULL, *cmd = NULL, *caps = NULL;
	char *prefixes[MAX_PREFIXES + 1] = { 0 };
	char cmd_name[32];
	struct hs_at_connect c;
	size_t cap1, cap2;
	int np = 0;

	fuzz_records_init(&rec, data, size);
	fuzz_record(&rec, &p, &n);
	line = fuzz_strndup(p, n);
	cmd = fuzz_record(&rec, &p, &n) ? fuzz_strndup(p, n) : fuzz_strndup(NULL, 0);
	caps = fuzz_record(&rec, &p, &n) ? fuzz_strndup(p, n) : fuzz_strndup(NULL, 0);
	while (np < MAX_PREFIXES && fuzz_record(&rec, &p, &n))
		if (n)
			prefixes[np++] = fuzz_strndup(p, n);
	cap1 = 1 + (unsigned char)caps[0] % 96;
	cap2 = caps[0] ? 1 + (unsigned char)caps[1] % 64 : 1;

	finals(line);
	memset(&c, 0, sizeof(c));
	hs_atp_connect_info(line, &c);
	fuzz_check_connect(&c);
	FUZZ_CHECK(hs_atp_is_number(line) == (strlen(line) >= 1 && strlen(line) <= 3 &&
					       strspn(line, "0123456789") == strlen(line)),
		   "is_number('%s')", line);
	hs_atp_is_echo(line, cmd);
	settings(cmd);
	command_name(cmd, cap2);
	hs_atp_command_name(cmd, cmd_name, sizeof(cmd_name));
	urc(line, cmd_name, np ? (const char *const *)prefixes : NULL, cap1);
	urc(line, "", NULL, strlen(line) + 64);
	dial(cmd, line, cap1 + 4, caps[0] ? (unsigned char)caps[1] : 0);

	free(line);
	free(cmd);
	free(caps);
	for (int i = 0; i < np; i++)
		free(prefixes[i]);
	return 0;
}
