/*
 * hsdial.c - the modem tool: options, and chat(8) scripts on a link (so
 * pppd can use `connect "hsdial --chat FILE"`, the line being stdin and
 * stdout then, with chat's exit codes). Dialing, answering, --at,
 * --hangup and --identify are in hsdial_call.c, the connected call's
 * bytes in hsdial_bridge.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <handshake/handshake.h>
#include <handshake/chat.h>
#include "hsdial_call.h"
#include "tool.h"

const char *tool_name = "hsdial";

#define MAX_SCRIPT (64 * 1024)

static const char usage[] =
	"usage: hsdial [-d URI] [options] NUMBER\n"
	"       hsdial [-d URI] [options] --exec NUMBER PROGRAM [ARG...]\n"
	"       hsdial [-d URI] [options] --answer [--rings N] [--exec PROGRAM [ARG...]]\n"
	"       hsdial [-d URI] [options] --at COMMAND | --hangup | --identify\n"
	"       hsdial [-d URI] [options] --chat FILE|-\n"
	"       hsdial [-d URI] [options] -- WORD...\n"
	"\n"
	"Dial NUMBER (or answer a call) and connect the call to standard input and\n"
	"output until the carrier goes, or stdin ends and the line is quiet; then\n"
	"hang up. Or send one AT command, hang up, identify the modem, or run a\n"
	"chat(8) script. Options go before NUMBER.\n"
	"\n"
	"  -d, --device URI      the modem (serial:/dev/ttyUSB0?baud=115200, or on a\n"
	"                        device server rfc2217://HOST:PORT?baud=.., ...);\n"
	"                        default $HS_MODEM (chat mode: stdin and stdout)\n"
	"  -t, --timeout SECS    dial: the whole setup and dial (60); --answer: the\n"
	"                        wait for a call (none); --at 10, --identify 30,\n"
	"                        --hangup 15; chat: the expect timeout (45)\n"
	"      --driver NAME     modem driver (default: matched from USB IDs)\n"
	"      --tone, --pulse   dial with ATDT or ATDP (default ATD)\n"
	"      --prefix DIGITS   dialled first, then a pause (e.g. 9 for a line out)\n"
	"      --init COMMAND    an AT command after the reset (repeatable)\n"
	"      --hangup-by HOW   dtr (drop DTR, see DCD fall), escape (+++ after\n"
	"                        the S12 guard time, then ATH0) or both (default:\n"
	"                        DTR where the port has lines, else escape)\n"
	"      --linger MS       after stdin ends, pass the line's bytes until it\n"
	"                        has been quiet this long (500)\n"
	"      --exec            PROGRAM (after NUMBER) runs with the call as its\n"
	"                        stdin and stdout (pipes; no shell); hang up when\n"
	"                        it exits, SIGHUP it when the carrier goes\n"
	"      --answer          wait for a call and answer it\n"
	"      --rings N         answer after N rings (1)\n"
	"      --at COMMAND      send COMMAND; print its lines and result\n"
	"      --hangup          hang up the modem\n"
	"      --identify        manufacturer, model, revision, serial, ATI lines\n"
	"      --json            results as one JSON object (stderr for calls,\n"
	"                        whose data is on stdout; else stdout)\n"
	"  -q, --quiet           no report on stderr, errors only\n"
	"  -v, --verbose         say each step (chat: each expect and send)\n"
	"  -c, --chat FILE       run the chat script in FILE ('-': stdin; needs -d)\n"
	"  -- WORD...            run the chat script given as words\n"
	"  -T, --phone NUMBER    chat: replaces \\T in send strings\n"
	"  -U, --phone2 NUMBER   chat: replaces \\U in send strings\n"
	"  -E, --env             chat: expand $VARIABLES in strings\n"
	"  -e, --echo            chat: echo what the modem sends to stderr\n"
	"  -r, --report FILE     chat: append REPORT lines to FILE, not stderr\n"
	"  -h, --help            this text\n"
	"  -V, --version         the version\n"
	"\n"
	"Exit status: 0 done; 1 the modem answered ERROR; 2 BUSY; 3 NO CARRIER or\n"
	"the carrier was lost; 4 NO DIALTONE; 5 NO ANSWER; 6 timeout (no answer\n"
	"from the modem, or no call); 64 usage; 69 no such device or not usable;\n"
	"74 device I/O error; 75 device in use; 76 garbage from the device; 77 no\n"
	"permission; 128+N ended by signal N. With --exec, when PROGRAM ends the\n"
	"call, its status (126 cannot run it, 127 not found).\n"
	"Chat mode keeps chat's: 0 the script completed, 1 bad script or options,\n"
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
	if (f != stdin)
		fclose(f);
	if (n > MAX_SCRIPT) {
		free(text);
		tool_die(HS_CHAT_BAD_SCRIPT, "chat script %s is over %d bytes", file, MAX_SCRIPT);
	}
	text[n] = 0;
	return text;
}

/* Everything is freed before any exit, so a sanitizer run sees no leak. */
static int run_chat(const struct opts *o, int argc, char **argv)
{
	char *text = o->words ? NULL : read_script(o->file);
	struct hs_chat *chat = hs_chat_new();
	struct hs_link *link = NULL;
	int rc, code = HS_CHAT_BAD_SCRIPT;

	if (!chat) {
		free(text);
		tool_die(HS_CHAT_IO, "out of memory");
	}
	if (o->words)
		rc = hs_chat_add_words(chat, (const char *const *)argv, argc);
	else
		rc = hs_chat_add_text(chat, text);
	free(text);
	if (rc >= 0 && (rc = hs_link_open(&link, o->uri ? o->uri : "fd:0,1")) < 0)
		code = HS_CHAT_IO;
	if (rc < 0) {
		hs_chat_free(chat);
		tool_die(code, "%s", hs_last_error());
	}
	rc = hs_chat_run(chat, link, &o->chat);
	if (rc != HS_CHAT_OK)
		tool_warn("%s", hs_last_error());
	hs_link_close(link);
	hs_chat_free(chat);
	return rc;
}

/* Options without a short form. */
enum {
	OPT_DRIVER = 256, OPT_TONE, OPT_PULSE, OPT_PREFIX, OPT_INIT, OPT_HANGUP_BY,
	OPT_LINGER, OPT_EXEC, OPT_ANSWER, OPT_RINGS, OPT_AT, OPT_HANGUP, OPT_IDENTIFY,
	OPT_JSON,
};

/* Operands and modes into a call: NUMBER, PROGRAM [ARG...]. */
static int call_main(struct hsd_opts *d, int exec, int argc, char **argv)
{
	int n = 0;

	if (!d->uri || !d->uri[0])
		tool_die(EX_USAGE, "name the modem with -d URI or $HS_MODEM");
	if (d->mode == HSD_DIAL) {
		if (argc < 1)
			tool_die(EX_USAGE, "--exec needs NUMBER PROGRAM [ARG...]");
		d->number = argv[0];
		n = 1;
	}
	if (exec) {
		if (d->mode != HSD_DIAL && d->mode != HSD_ANSWER)
			tool_die(EX_USAGE, "--exec goes with NUMBER or --answer");
		if (argc <= n)
			tool_die(EX_USAGE, "--exec needs a PROGRAM to run");
		d->exec_argv = argv + n;
	} else if (argc > n) {
		tool_die(EX_USAGE, "unexpected operand '%s'", argv[n]);
	}
	if (d->quiet && d->verbose)
		tool_die(EX_USAGE, "-q and -v do not go together");
	return hsd_run(d);
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "tone", no_argument, NULL, OPT_TONE },
		{ "pulse", no_argument, NULL, OPT_PULSE },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "init", required_argument, NULL, OPT_INIT },
		{ "hangup-by", required_argument, NULL, OPT_HANGUP_BY },
		{ "linger", required_argument, NULL, OPT_LINGER },
		{ "exec", no_argument, NULL, OPT_EXEC },
		{ "answer", no_argument, NULL, OPT_ANSWER },
		{ "rings", required_argument, NULL, OPT_RINGS },
		{ "at", required_argument, NULL, OPT_AT },
		{ "hangup", no_argument, NULL, OPT_HANGUP },
		{ "identify", no_argument, NULL, OPT_IDENTIFY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ 0 },
	};
	struct opts o = { 0 };
	struct hsd_opts d = { .timeout_ms = -1, .rings = 1, .linger_ms = 500 };
	int c, modes = 0, exec = 0, timeout = -1;

	report_fp = stderr;
	o.chat.report = on_report;
	o.chat.say = on_say;
	d.uri = getenv("HS_MODEM");
	while ((c = getopt_long(argc, argv, "+d:c:t:T:U:Eer:vqhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.uri = d.uri = optarg; break;
		case 'c': o.file = optarg; break;
		case 't': timeout = tool_int("--timeout", optarg, 1, 86400); break;
		case 'T': o.chat.phone = optarg; break;
		case 'U': o.chat.phone2 = optarg; break;
		case 'E': o.chat.use_env = 1; break;
		case 'e': o.chat.echo = on_echo; break;
		case 'r': o.report_file = optarg; break;
		case 'v': o.chat.log = on_log; d.verbose = 1; break;
		case 'q': d.quiet = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		case OPT_DRIVER: d.driver = optarg; break;
		case OPT_TONE: d.method = HS_DIAL_TONE; break;
		case OPT_PULSE: d.method = HS_DIAL_PULSE; break;
		case OPT_PREFIX: d.prefix = optarg; break;
		case OPT_INIT:
			if (d.ninit == (int)(sizeof(d.init) / sizeof(d.init[0])))
				tool_die(EX_USAGE, "at most %zu --init commands",
					 sizeof(d.init) / sizeof(d.init[0]));
			d.init[d.ninit++] = optarg;
			break;
		case OPT_HANGUP_BY:
			if (!strcmp(optarg, "dtr"))
				d.hangup_policy = HS_HANGUP_DTR;
			else if (!strcmp(optarg, "escape"))
				d.hangup_policy = HS_HANGUP_ESCAPE;
			else if (!strcmp(optarg, "both"))
				d.hangup_policy = HS_HANGUP_DEFAULT;
			else
				tool_die(EX_USAGE, "--hangup-by is dtr, escape or both, not '%s'", optarg);
			break;
		case OPT_LINGER: d.linger_ms = tool_int("--linger", optarg, 0, 3600000); break;
		case OPT_EXEC: exec = 1; break;
		case OPT_ANSWER: d.mode = HSD_ANSWER; modes++; break;
		case OPT_RINGS: d.rings = tool_int("--rings", optarg, 1, 255); break;
		case OPT_AT: d.mode = HSD_AT; d.at_cmd = optarg; modes++; break;
		case OPT_HANGUP: d.mode = HSD_HANGUP; modes++; break;
		case OPT_IDENTIFY: d.mode = HSD_IDENTIFY; modes++; break;
		case OPT_JSON: d.json = 1; break;
		default:
			fputs(usage, stderr);
			/* chat's code for bad options where a script was meant */
			return o.file ? HS_CHAT_BAD_SCRIPT : EX_USAGE;
		}
	}
	if (modes > 1)
		tool_die(EX_USAGE, "--answer, --at, --hangup and --identify are separate modes");
	/* Chat words follow an explicit "--", as in `hsdial -d X -- '' ATZ OK`,
	 * unless a call mode takes the operands (`--answer --exec -- prog`). */
	o.words = !modes && !exec && optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (o.file && (modes || exec))
		tool_die(EX_USAGE, "--chat does not go with --answer, --at, --hangup, --identify or --exec");
	if (!o.file && !o.words) {
		if (!modes && !exec && optind == argc)
			tool_die(EX_USAGE, "say what to run: NUMBER, --answer, --at, --hangup, "
				 "--identify, --chat FILE or -- WORD... (see --help)");
		d.timeout_ms = timeout > 0 ? timeout * 1000 : -1;
		return call_main(&d, exec, argc - optind, argv + optind);
	}
	if (timeout > 0)
		o.chat.timeout_s = timeout;
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
