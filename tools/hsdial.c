/*
 * hsdial.c - the modem tool. Today: run chat(8) scripts on a link, so
 * pppd can use `connect "hsdial --chat FILE"` (the line is stdin and
 * stdout then) and exit codes match chat's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <handshake/handshake.h>
#include <handshake/chat.h>
#include "tool.h"

const char *tool_name = "hsdial";

#define MAX_SCRIPT (64 * 1024)

static const char usage[] =
	"usage: hsdial [-d URI] [options] --chat FILE|-\n"
	"       hsdial [-d URI] [options] -- WORD...\n"
	"\n"
	"Run a chat(8) script on a modem line. Without -d the line is stdin and\n"
	"stdout, as pppd's connect option provides it.\n"
	"\n"
	"  -d, --device URI      the link (serial:/dev/ttyUSB0?baud=115200, ...)\n"
	"  -c, --chat FILE       run the script in FILE ('-' reads standard input;\n"
	"                        needs -d)\n"
	"  -- WORD...            the script as words, as chat takes them\n"
	"  -t, --timeout SECS    expect timeout until the script says TIMEOUT (45)\n"
	"  -T, --phone NUMBER    replaces \\T in send strings\n"
	"  -U, --phone2 NUMBER   replaces \\U in send strings\n"
	"  -E, --env             expand $VARIABLES in strings\n"
	"  -e, --echo            echo what the modem sends to stderr (ECHO ON)\n"
	"  -r, --report FILE     append REPORT lines to FILE instead of stderr\n"
	"  -v, --verbose         log each expect and send to stderr\n"
	"  -h, --help            this text\n"
	"  -V, --version         the version\n"
	"\n"
	"Exit status (chat's): 0 the script completed, 1 bad script or options,\n"
	"2 the line failed, 3 an expect timed out, 4+n the n-th ABORT string\n"
	"(counting from 0) arrived.\n";

struct opts {
	const char *uri;
	const char *file;
	int words;
	const char *report_file;
	int verbose;
	struct hs_chat_opts chat;
};

static FILE *report_fp;

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

static void on_echo(void *ctx, const char *bytes, size_t n)
{
	(void)ctx;
	fwrite(bytes, 1, n, stderr);
}

static void on_log(void *ctx, const char *line)
{
	(void)ctx;
	tool_warn("%s", line);
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
	if (n > MAX_SCRIPT)
		tool_die(HS_CHAT_BAD_SCRIPT, "chat script %s is over %d bytes", file, MAX_SCRIPT);
	text[n] = 0;
	if (f != stdin)
		fclose(f);
	return text;
}

static int run_chat(const struct opts *o, int argc, char **argv)
{
	struct hs_chat *chat = hs_chat_new();
	struct hs_link *link;
	int rc;

	if (!chat)
		tool_die(HS_CHAT_IO, "out of memory");
	if (o->words) {
		rc = hs_chat_add_words(chat, (const char *const *)argv, argc);
	} else {
		char *text = read_script(o->file);
		rc = hs_chat_add_text(chat, text);
		free(text);
	}
	if (rc < 0)
		tool_die(HS_CHAT_BAD_SCRIPT, "%s", hs_last_error());
	if (hs_link_open(&link, o->uri ? o->uri : "fd:0,1") < 0)
		tool_die(HS_CHAT_IO, "%s", hs_last_error());
	rc = hs_chat_run(chat, link, &o->chat);
	if (rc != HS_CHAT_OK)
		tool_warn("%s", hs_last_error());
	hs_link_close(link);
	hs_chat_free(chat);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "chat", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "phone", required_argument, NULL, 'T' },
		{ "phone2", required_argument, NULL, 'U' },
		{ "env", no_argument, NULL, 'E' },
		{ "echo", no_argument, NULL, 'e' },
		{ "report", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct opts o = { 0 };
	int c;

	report_fp = stderr;
	o.chat.report = on_report;
	o.chat.say = on_say;
	while ((c = getopt_long(argc, argv, "+d:c:t:T:U:Eer:vhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.uri = optarg; break;
		case 'c': o.file = optarg; break;
		case 't': o.chat.timeout_s = tool_int("--timeout", optarg, 1, 86400); break;
		case 'T': o.chat.phone = optarg; break;
		case 'U': o.chat.phone2 = optarg; break;
		case 'E': o.chat.use_env = 1; break;
		case 'e': o.chat.echo = on_echo; break;
		case 'r': o.report_file = optarg; break;
		case 'v': o.chat.log = on_log; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		default: fputs(usage, stderr); return HS_CHAT_BAD_SCRIPT;
		}
	}
	/* Chat words follow an explicit "--", as in `hsdial -d X -- '' ATZ OK`. */
	o.words = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (!o.file && !o.words)
		tool_die(EX_USAGE, "say what to run: --chat FILE or -- WORD... (see --help)");
	if (o.file && o.words)
		tool_die(HS_CHAT_BAD_SCRIPT, "--chat FILE and -- WORD... do not go together");
	if (o.file && strcmp(o.file, "-") == 0 && !o.uri)
		tool_die(HS_CHAT_BAD_SCRIPT,
			 "--chat - reads the script from stdin, so name the line with -d");
	if (!o.words && optind < argc)
		tool_die(HS_CHAT_BAD_SCRIPT, "unexpected operand '%s'", argv[optind]);
	if (o.report_file && !(report_fp = fopen(o.report_file, "a")))
		tool_die(HS_CHAT_BAD_SCRIPT, "cannot open report file %s", o.report_file);
	return run_chat(&o, argc - optind, argv + optind);
}
