/*
 * hsdial_chat.c - chat(8) scripts on a link, with pppd's chat's outputs:
 * what the modem sends echoed on stderr (-e, ECHO ON; -V) in chat's
 * visible form, the conversation logged to syslog (-v; facility local2,
 * as chat; -s: on stderr too; -S: no syslog), REPORT lines in chat's
 * format to -r FILE or stderr. The script itself runs in the library
 * (handshake/chat.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <handshake/handshake.h>
#include "hsdial_call.h"
#include "tool.h"

#define MAX_SCRIPT (64 * 1024)

static FILE *report_fp;
static const struct hsd_chat *opts;
static int need_lf;  /* echo left a line open (chat ends it at exit) */

/* A received character as chat shows it: ^X for control, M- for the
 * top bit; \r is not shown, \n ends the line. */
static void show(unsigned char c, int echo)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		fputc('\n', stderr);
		if (echo)
			need_lf = 0;
		return;
	}
	if (c & 0x80)
		fputs("M-", stderr);
	c &= 0x7f;
	if (c < 0x20)
		fprintf(stderr, "^%c", c + '@');
	else if (c == 0x7f)
		fputs("^?", stderr);
	else
		fputc(c, stderr);
	if (echo)
		need_lf = 1;
}

static void on_echo(void *ctx, const char *bytes, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		show((unsigned char)bytes[i], 1);
}

static void on_received(void *ctx, const char *bytes, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		show((unsigned char)bytes[i], 0);
}

static void on_report(void *ctx, const char *line)
{
	char when[32];
	time_t now = time(NULL);
	(void)ctx;
	/* chat's own report format, so scripts that read it keep working. */
	strftime(when, sizeof(when), "%b %d %H:%M:%S", localtime(&now));
	fprintf(report_fp, "chat:  %s %s\n", when, line);
	fflush(report_fp);
}

static void on_say(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stderr);
}

/* chat's log: -v's lines at LOG_INFO, which chat masks without -v; on
 * stderr with -s, where chat also writes its "Failed" lines when -v
 * was not given. */
static void on_log(void *ctx, const char *line)
{
	(void)ctx;
	if (opts->verbose && !opts->no_syslog)
		syslog(LOG_INFO, "%s", line);
	if (opts->to_stderr && (opts->verbose || !strncmp(line, "Failed", 6)))
		fprintf(stderr, "%s\n", line);
}

static char *read_script(const char *file)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *text;
	size_t n;

	if (!f)
		tool_die(HS_CHAT_BAD_SCRIPT, "cannot open chat script %s", file);
	text = malloc(MAX_SCRIPT + 1);
	if (!text)
		tool_die(HS_CHAT_IO, "out of memory");
	n = fread(text, 1, MAX_SCRIPT + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > MAX_SCRIPT) {
		free(text);
		tool_die(HS_CHAT_BAD_SCRIPT, "chat script %s is over %d bytes", file, MAX_SCRIPT);
	}
	text[n] = 0;
	return text;
}

/* An error in chat's words: stderr (hsdial's habit), and syslog at
 * LOG_ERR where chat would (a bad script, a failed line; not -S). */
static void chat_error(int rc)
{
	tool_warn("%s", hs_last_error());
	if ((rc == HS_CHAT_BAD_SCRIPT || rc == HS_CHAT_IO) && !opts->no_syslog)
		syslog(LOG_ERR, "%s", hs_last_error());
}

/* Everything is freed before any exit, so a sanitizer run sees no leak. */
int hsd_chat(const struct hsd_chat *c, int argc, char **argv)
{
	struct hs_chat_opts o = c->chat;
	char *text = c->words ? NULL : read_script(c->file);
	struct hs_chat *chat = hs_chat_new();
	struct hs_link *link = NULL;
	int rc, code = HS_CHAT_BAD_SCRIPT;

	opts = c;
	report_fp = stderr;
	if (!c->no_syslog)
		openlog(tool_name, LOG_PID | LOG_NDELAY, LOG_LOCAL2);
	if (c->report_file) {
		if (!(report_fp = fopen(c->report_file, "a"))) {
			free(text);
			hs_chat_free(chat);
			tool_die(HS_CHAT_BAD_SCRIPT, "cannot open report file %s", c->report_file);
		}
		/* chat says so only when -v came before -r */
		if (c->report_opening)
			fprintf(report_fp, "Opening \"%s\"...\n", c->report_file);
	}
	o.report = on_report;
	o.say = on_say;
	o.echo = on_echo;
	o.log = on_log;
	if (c->show)
		o.received = on_received;
	if (!chat) {
		free(text);
		tool_die(HS_CHAT_IO, "out of memory");
	}
	if (c->words)
		rc = hs_chat_add_words(chat, (const char *const *)argv, argc);
	else
		rc = hs_chat_add_text(chat, text);
	free(text);
	if (rc >= 0 && (rc = hs_link_open(&link, c->uri)) < 0)
		code = HS_CHAT_IO;
	if (rc >= 0)
		rc = hs_chat_run(chat, link, &o);
	else
		rc = code;
	/* as chat's exit: the echoed line ended, the report file closed */
	if (need_lf)
		fputc('\n', stderr);
	if (rc != HS_CHAT_OK)
		chat_error(rc);
	if (c->report_file) {
		if (c->verbose)
			fprintf(report_fp, "Closing \"%s\".\n", c->report_file);
		fclose(report_fp);
	}
	hs_link_close(link);
	hs_chat_free(chat);
	return rc;
}
