/*
 * hsdial.c - the modem tool's options and modes. Dialing, answering,
 * --at, --hangup and --identify are in hsdial_call.c (reports in
 * hsdial_report.c), the connected call's bytes in hsdial_bridge.c, chat(8)
 * scripts (so pppd can use `connect "hsdial -f FILE"`, the line being
 * stdin and stdout then, with chat's exit codes and options) in
 * hsdial_chat.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <handshake/handshake.h>
#include <handshake/chat.h>
#include "hsdial_call.h"
#include "hsdial_term.h"
#include "tool.h"

const char *tool_name = "hsdial";

static const char usage[] =
	"usage: hsdial [-d URI] [options] NUMBER\n"
	"       hsdial [-d URI] [options] --terminal\n"
	"       hsdial [-d URI] [options] --exec NUMBER PROGRAM [ARG...]\n"
	"       hsdial [-d URI] [options] --answer [--rings N] [--exec PROGRAM [ARG...]]\n"
	"       hsdial [-d URI] [options] --at COMMAND | --hangup | --identify\n"
	"       hsdial [-d URI] [options] -f|--chat FILE|-\n"
	"       hsdial [-d URI] [options] -- WORD...\n"
	"\n"
	"Dial NUMBER (or answer a call) and connect the call to standard input and\n"
	"output until the carrier goes, or stdin ends and the line is quiet; then\n"
	"hang up. Or send one AT command, hang up, identify the modem, or run a\n"
	"chat(8) script. Options may come before or after NUMBER; the words after\n"
	"--exec's PROGRAM are its own, and the words after -- a chat script's\n"
	"(with --exec: PROGRAM and its arguments).\n"
	"\n"
	"  -d, --device URI      the modem (serial:/dev/ttyUSB0?baud=115200, or on a\n"
	"                        device server rfc2217://HOST:PORT?baud=.., ...);\n"
	"                        default $HS_MODEM (chat mode: stdin and stdout)\n"
TOOL_LINE_HELP
	"  -t, --timeout SECS    dial: the whole setup and dial (60); --answer: the\n"
	"                        wait for a call (none); --at 10, --identify 30,\n"
	"                        --hangup 15; chat: the expect timeout (45)\n"
	"      --driver NAME     modem driver (default: matched from USB IDs)\n"
	"      --tone, --pulse   dial with ATDT or ATDP (default ATD)\n"
	"      --prefix DIGITS   dialled first, then a pause (e.g. 9 for a line out)\n"
	"      --as-is           send NUMBER to the modem exactly as given (any\n"
	"                        printable text; ; only at its end), e.g. a\n"
	"                        host:port for a modem emulator\n"
	"      --init COMMAND    an AT command after the reset (repeatable)\n"
	"      --fastest[=keep]  after the reset, raise the line to the fastest rate\n"
	"                        the modem (+IPR) and the port both take, and to\n"
	"                        8N1 (+ICF); put it back after the call (=keep:\n"
	"                        AT&W, the modem keeps it). A modem silent at the\n"
	"                        new rate: back at the old one, the call goes on\n"
	"      --hangup-by HOW   dtr (drop DTR, see DCD fall), escape (+++ after\n"
	"                        the S12 guard time, then ATH0) or both (default:\n"
	"                        DTR where DCD can confirm it, else escape)\n"
	"      --linger MS       after stdin ends, pass the line's bytes until it\n"
	"                        has been quiet this long (500)\n"
	"      --linger-max MS   but hang up this long after stdin ended, even if\n"
	"                        the far end still sends (10000)\n"
	"      --exec            PROGRAM (after NUMBER) runs with the call as its\n"
	"                        stdin and stdout (pipes; no shell); hang up when\n"
	"                        it exits, SIGHUP it when the carrier goes\n"
	"      --answer          wait for a call and answer it\n"
	"      --rings N         answer after N rings (1)\n"
	"      --at COMMAND      send COMMAND; print its lines and result\n"
	"      --hangup          hang up the modem, even in a call another program\n"
	"                        left up (+++ first, unless DCD falls with DTR)\n"
	"      --identify        manufacturer, model, revision, serial, ATI lines\n"
	"      --terminal        a call as a terminal (the default when stdin is\n"
	"                        one): raw keys, an escape key and commands; with\n"
	"                        no NUMBER, a console port (no call)\n"
	"      --no-terminal     a call on a terminal stays a pipe\n"
	"      --escape KEY      the terminal's escape key (a: C-a, the default)\n"
	"      --imap, --omap, --emap MAPS  as picocom: what the line sends,\n"
	"                        the keys sent, the local echo; MAPS from crlf,\n"
	"                        crcrlf, igncr, lfcr, lfcrlf, ignlf, bsdel, delbs\n"
	"      --download-dir DIR  a far end that starts sending with ZMODEM (sz)\n"
	"                        in a call or the terminal is received into DIR\n"
	"                        (default: the current folder), never shown\n"
	"      --no-autozmodem   do not: show what it sends as it is\n"
	"      --log FILE        append what the far end sends (a call, a console)\n"
	"                        to FILE, flushed at each line's end\n"
	"      --timestamps      start each --log line with its time\n"
	"      --send-protocol P  the terminal's C-s sends with P: xmodem,\n"
	"                        xmodem-crc, xmodem-1k, ymodem, ymodem-g, zmodem\n"
	"                        (default)\n"
	"      --json            the outcome as one JSON object, failures too\n"
	"                        (on stderr for calls, whose data is on stdout;\n"
	"                        else on stdout): tools/json/hsdial.schema.json\n"
	"  -q, --quiet           no report on stderr, errors only\n"
	"  -v, --verbose         say each step; -vv: and the library's errors and\n"
	"                        state changes, -vvv: and every byte (as\n"
	"                        HS_DEBUG=2, 3); chat: log the conversation to\n"
	"                        syslog (facility local2), as chat -v\n"
	"  -V                    chat: show what the modem sends on stderr, as\n"
	"                        chat -V (elsewhere: as -v)\n"
	"\n"
	"The terminal's commands, after the escape key: C-x quit (hanging up),\n"
	"C-p hang up and stay, C-b break, C-t/C-g toggle DTR/RTS, C-v show the\n"
	"line, C-u/C-d baud up/down, C-f next flow control, C-c local echo,\n"
	"C-s send a file, C-h help; the escape key again sends it.\n"
	"\n"
	"Chat scripts, with chat(8)'s options:\n"
	"  -f, --chat FILE       run the chat script in FILE ('-': stdin; needs -d);\n"
	"                        -f with a flow control's name is --flow\n"
	"  -- WORD...            run the chat script given as words\n"
	"  -T, --phone NUMBER    replaces \\T in send strings\n"
	"  -U, --phone2 NUMBER   replaces \\U in send strings\n"
	"  -E, --env             expand $VARIABLES in strings\n"
	"  -e, --echo            echo what the modem sends to stderr from the\n"
	"                        start (ECHO ON in the script does it from there)\n"
	"  -r, --report FILE     append REPORT lines to FILE, not stderr\n"
	"  -s, --stderr          the -v log and chat's Failed lines on stderr too\n"
	"  -S, --no-syslog       nothing to syslog (chat logs errors there)\n"
	"\n"
	"  -h, --help            this text\n"
	"      --version         the version\n"
	"\n"
	"Exit status: 0 done; 1 the modem answered ERROR; 2 BUSY; 3 NO CARRIER or\n"
	"the carrier was lost; 4 NO DIALTONE; 5 NO ANSWER; 6 timeout (no answer\n"
	"from the modem, or no call); 64 usage; 69 no such device or not usable;\n"
	"73 the --log file cannot be opened;\n"
	"74 device I/O error; 75 device in use; 76 garbage from the device; 77 no\n"
	"permission; 128+N ended by signal N. With --exec, when PROGRAM ends the\n"
	"call, its status (126 cannot run it, 127 not found).\n"
	"Chat mode keeps chat's: 0 the script completed, 1 bad script or options,\n"
	"2 the line failed, 3 an expect timed out, 4+n the n-th ABORT string\n"
	"(counting from 0) arrived.\n";

struct opts {
	struct tool_line line;      /* -b, -f, -p, --databits, --stopbits */
	struct hsd_chat c;          /* a chat script's */
};

/* Options without a short form. */
enum {
	OPT_DRIVER = 256, OPT_TONE, OPT_PULSE, OPT_PREFIX, OPT_INIT, OPT_HANGUP_BY,
	OPT_LINGER, OPT_EXEC, OPT_ANSWER, OPT_RINGS, OPT_AT, OPT_HANGUP, OPT_IDENTIFY,
	OPT_JSON, OPT_LINGER_MAX, OPT_AS_IS, OPT_VERSION, OPT_TERMINAL, OPT_NO_TERMINAL,
	OPT_ESCAPE, OPT_IMAP, OPT_OMAP, OPT_EMAP, OPT_LOG, OPT_TIMESTAMPS, OPT_FASTEST,
	OPT_SEND_PROTOCOL, OPT_NO_AUTOZMODEM, OPT_DOWNLOAD_DIR,
};

/* --escape x, ^X or C-x: the control key C-x. */
static char escape_key(const char *text)
{
	const char *k = text;

	if ((k[0] == '^' || (k[0] == 'C' && k[1] == '-')) && k[1])
		k += k[0] == '^' ? 1 : 2;
	if (!k[0] || k[1] || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_", k[0]))
		tool_die(EX_USAGE, "--escape takes a letter (a for C-a), ^A or C-a, not '%s'", text);
	return (char)(k[0] & 0x1f);
}

/* Operands and modes into a call: NUMBER (first, when options followed
 * it; else the first of argv), PROGRAM [ARG...]. */
static int call_main(struct hsd_opts *d, int exec, const char *first, int argc, char **argv)
{
	if (!d->uri || !d->uri[0])
		tool_die(EX_USAGE, "name the modem with -d URI or $HS_MODEM");
	if (d->mode == HSD_DIAL) {
		if (!first) {
			if (argc < 1)
				tool_die(EX_USAGE, "--exec needs NUMBER PROGRAM [ARG...]");
			first = argv[0];
			argc--, argv++;
		}
		d->number = first;
	} else if (first) {
		tool_die(EX_USAGE, "unexpected operand '%s'", first);
	}
	if (exec) {
		if (d->mode != HSD_DIAL && d->mode != HSD_ANSWER)
			tool_die(EX_USAGE, "--exec goes with NUMBER or --answer");
		if (argc < 1)
			tool_die(EX_USAGE, "--exec needs a PROGRAM to run");
		d->exec_argv = argv;
	} else if (argc > 0) {
		tool_die(EX_USAGE, "unexpected operand '%s'", argv[0]);
	}
	if (d->quiet && d->verbose)
		tool_die(EX_USAGE, "-q and -v do not go together");
	return hsd_run(d);
}

/* One option from getopt_long; a bad one ends hsdial. */
static void option(int c, struct opts *o, struct hsd_opts *d, int *modes, int *exec,
		   int *timeout)
{
	if (c != 'f' && tool_line_option(&o->line, c, optarg))
		return;
	switch (c) {
	case 'd': o->c.uri = d->uri = optarg; break;
	case 'c': o->c.file = optarg; break;
	case 'f':
		/* chat's -f FILE, or -f as --flow in every tool: a flow's
		 * name is a flow (a script so named: -f ./none); --flow is
		 * always a flow */
		if (tool_is_flow(optarg))
			tool_line_option(&o->line, c, optarg);
		else
			o->c.file = optarg;
		break;
	case 't': *timeout = tool_int("--timeout", optarg, 1, 86400); break;
	case 'T': o->c.chat.phone = optarg; break;
	case 'U': o->c.chat.phone2 = optarg; break;
	case 'E': o->c.chat.use_env = 1; break;
	case 'e': o->c.chat.echo_on = 1; break;
	case 'r':
		o->c.report_file = optarg;
		o->c.report_opening = o->c.verbose;
		break;
	case 's': o->c.to_stderr = 1; break;
	case 'S': o->c.no_syslog = 1; break;
	case 'v': o->c.verbose = 1; d->verbose++; break;
	case 'V': o->c.show = 1; d->verbose = d->verbose ? d->verbose : 1; break;
	case 'q': d->quiet = 1; break;
	case 'h': fputs(usage, stdout); exit(0);
	case OPT_VERSION: tool_version();
	case OPT_DRIVER: d->driver = optarg; break;
	case OPT_TONE: d->method = HS_DIAL_TONE; break;
	case OPT_PULSE: d->method = HS_DIAL_PULSE; break;
	case OPT_PREFIX: d->prefix = optarg; break;
	case OPT_AS_IS: d->as_is = 1; break;
	case OPT_TERMINAL: d->terminal = 1; break;
	case OPT_NO_TERMINAL: d->terminal = -1; break;
	case OPT_ESCAPE: d->escape = escape_key(optarg); break;
	case OPT_IMAP: d->imap = hsd_map_parse("--imap", optarg); break;
	case OPT_OMAP: d->omap = hsd_map_parse("--omap", optarg); break;
	case OPT_EMAP: d->emap = hsd_map_parse("--emap", optarg); break;
	case OPT_LOG: d->log = optarg; break;
	case OPT_NO_AUTOZMODEM: d->no_autozmodem = 1; break;
	case OPT_DOWNLOAD_DIR: d->download_dir = optarg; break;
	case OPT_TIMESTAMPS: d->timestamps = 1; break;
	case OPT_SEND_PROTOCOL: {
		int p = hs_xfer_protocol_from_name(optarg);
		if (p < 0)
			tool_die(EX_USAGE, "--send-protocol: %s", hs_last_error());
		d->send_protocol = (enum hs_xfer_protocol)p;
		break;
	}
	case OPT_INIT:
		if (d->ninit == (int)(sizeof(d->init) / sizeof(d->init[0])))
			tool_die(EX_USAGE, "at most %zu --init commands",
				 sizeof(d->init) / sizeof(d->init[0]));
		d->init[d->ninit++] = optarg;
		break;
	case OPT_HANGUP_BY:
		if (!strcmp(optarg, "dtr"))
			d->hangup_policy = HS_HANGUP_DTR;
		else if (!strcmp(optarg, "escape"))
			d->hangup_policy = HS_HANGUP_ESCAPE;
		else if (!strcmp(optarg, "both"))
			d->hangup_policy = HS_HANGUP_DEFAULT;
		else
			tool_die(EX_USAGE, "--hangup-by is dtr, escape or both, not '%s'", optarg);
		break;
	case OPT_LINGER: d->linger_ms = tool_int("--linger", optarg, 0, 3600000); break;
	case OPT_LINGER_MAX:
		d->linger_max_ms = tool_int("--linger-max", optarg, 0, 86400000);
		break;
	case OPT_EXEC: *exec = 1; break;
	case OPT_ANSWER: d->mode = HSD_ANSWER; (*modes)++; break;
	case OPT_RINGS: d->rings = tool_int("--rings", optarg, 1, 255); break;
	case OPT_AT: d->mode = HSD_AT; d->at_cmd = optarg; (*modes)++; break;
	case OPT_HANGUP: d->mode = HSD_HANGUP; (*modes)++; break;
	case OPT_IDENTIFY: d->mode = HSD_IDENTIFY; (*modes)++; break;
	case OPT_JSON: d->json = 1; break;
	case OPT_FASTEST:
		if (optarg && strcmp(optarg, "keep"))
			tool_die(EX_USAGE, "--fastest takes =keep or nothing, not '%s'", optarg);
		d->fastest = optarg ? 2 : 1;
		break;
	default:
		tool_bad_option();
		/* chat's code for bad options where a script was meant */
		exit(o->c.file ? HS_CHAT_BAD_SCRIPT : EX_USAGE);
	}
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
		{ "stderr", no_argument, NULL, 's' },
		{ "no-syslog", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "tone", no_argument, NULL, OPT_TONE },
		{ "pulse", no_argument, NULL, OPT_PULSE },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "as-is", no_argument, NULL, OPT_AS_IS },
		{ "terminal", no_argument, NULL, OPT_TERMINAL },
		{ "no-terminal", no_argument, NULL, OPT_NO_TERMINAL },
		{ "escape", required_argument, NULL, OPT_ESCAPE },
		{ "imap", required_argument, NULL, OPT_IMAP },
		{ "omap", required_argument, NULL, OPT_OMAP },
		{ "emap", required_argument, NULL, OPT_EMAP },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-autozmodem", no_argument, NULL, OPT_NO_AUTOZMODEM },
		{ "download-dir", required_argument, NULL, OPT_DOWNLOAD_DIR },
		{ "timestamps", no_argument, NULL, OPT_TIMESTAMPS },
		{ "send-protocol", required_argument, NULL, OPT_SEND_PROTOCOL },
		{ "init", required_argument, NULL, OPT_INIT },
		{ "hangup-by", required_argument, NULL, OPT_HANGUP_BY },
		{ "linger", required_argument, NULL, OPT_LINGER },
		{ "linger-max", required_argument, NULL, OPT_LINGER_MAX },
		{ "exec", no_argument, NULL, OPT_EXEC },
		{ "answer", no_argument, NULL, OPT_ANSWER },
		{ "rings", required_argument, NULL, OPT_RINGS },
		{ "at", required_argument, NULL, OPT_AT },
		{ "hangup", no_argument, NULL, OPT_HANGUP },
		{ "identify", no_argument, NULL, OPT_IDENTIFY },
		{ "json", no_argument, NULL, OPT_JSON },
		TOOL_LINE_LONG,
		{ "fastest", optional_argument, NULL, OPT_FASTEST },
		{ 0 },
	};
	struct opts o = { 0 };
	struct hsd_opts d = { .timeout_ms = -1, .rings = 1, .linger_ms = 500,
				.linger_max_ms = 10000, .escape = 1 /* C-a */, .send_protocol = HS_XFER_ZMODEM,
				/* picocom's default local echo map */
				.emap = HSD_MAP_CRCRLF | HSD_MAP_DELBS };
	const char *first = NULL;  /* NUMBER, when options followed it */
	int c, modes = 0, exec = 0, timeout = -1, end_opt, dashdash = 0;

	/* --json answers even a bad option: on stdout for --at, --identify
	 * and --hangup, else (a call's data is on stdout) on stderr */
	if (tool_arg_given(argc, argv, "--json"))
		tool_json_out = tool_arg_given(argc, argv, "--at") ||
			tool_arg_given(argc, argv, "--identify") ||
			tool_arg_given(argc, argv, "--hangup") ? stdout : stderr;
	d.uri = getenv("HS_MODEM");
	/* Options may come before and after NUMBER (GNU order), but never
	 * after a second operand: from --exec's PROGRAM on, the words are
	 * the program's; and after "--", a chat script's or the program's. */
	for (;;) {
		end_opt = optind;
		while ((c = getopt_long(argc, argv, "+d:c:t:T:U:Eer:sSvVqh" TOOL_LINE_SHORT, long_opts, NULL)) != -1) {
			end_opt = optind;
			option(c, &o, &d, &modes, &exec, &timeout);
		}
		/* getopt stepped over a "--" that was not an option's argument */
		if (optind == end_opt + 1 && strcmp(argv[end_opt], "--") == 0) {
			dashdash = 1;
			break;
		}
		/* The first operand is NUMBER when no other mode was asked for
		 * yet; options may follow it. */
		if (optind >= argc || first || modes || o.c.file)
			break;
		first = argv[optind++];
	}
	tool_trace(d.verbose);
	if (modes > 1)
		tool_die(EX_USAGE, "--answer, --at, --hangup and --identify are separate modes");
	/* the far end always gets the quiet time it was promised */
	if (d.linger_max_ms < d.linger_ms)
		d.linger_max_ms = d.linger_ms;
	/* Chat words follow an explicit "--", as in `hsdial -d X -- '' ATZ OK`,
	 * unless a call mode takes the operands (`--answer --exec -- prog`). */
	o.c.words = dashdash && !first && !modes && !exec;
	if (d.json && (o.c.file || o.c.words))
		tool_die(EX_USAGE, "--json does not go with chat scripts (their output is chat's)");
	if (o.c.file && (modes || exec))
		tool_die(EX_USAGE, "--chat does not go with --answer, --at, --hangup, --identify or --exec");
	if (!o.c.file && !o.c.words) {
		/* --terminal alone: a console port, no call */
		if (!modes && !exec && !first && optind == argc && d.terminal == 1)
			d.mode = HSD_TERMINAL;
		if (!modes && !exec && !first && optind == argc && d.mode != HSD_TERMINAL)
			tool_die(EX_USAGE, "say what to run: NUMBER, --answer, --at, --hangup, "
				 "--identify, --terminal, --chat FILE or -- WORD... (see --help)");
		if (d.terminal == 1 && (exec || (modes && d.mode != HSD_ANSWER)))
			tool_die(EX_USAGE, "--terminal goes with NUMBER, --answer or alone");
		if (d.log && d.mode != HSD_DIAL && d.mode != HSD_ANSWER && d.mode != HSD_TERMINAL)
			tool_die(EX_USAGE, "--log goes with NUMBER, --answer or --terminal");
		if (d.timestamps && !d.log)
			tool_die(EX_USAGE, "--timestamps goes with --log");
		/* a person at a terminal gets one, unless --no-terminal */
		d.terminal = d.terminal == 1 || (d.terminal == 0 && !exec &&
			(d.mode == HSD_DIAL || d.mode == HSD_ANSWER) && isatty(0));
		d.timeout_ms = timeout > 0 ? timeout * 1000 : -1;
		/* the flags override the URI's settings */
		if (d.uri && d.uri[0])
			d.uri = tool_line_uri(&o.line, d.uri);
		return call_main(&d, exec, first, argc - optind, argv + optind);
	}
	if (timeout > 0)
		o.c.chat.timeout_s = timeout;
	if (o.c.file && o.c.words)
		tool_die(HS_CHAT_BAD_SCRIPT, "--chat FILE and -- WORD... do not go together");
	if (o.c.file && strcmp(o.c.file, "-") == 0 && !o.c.uri)
		tool_die(HS_CHAT_BAD_SCRIPT,
			 "--chat - reads the script from stdin, so name the line with -d");
	if (!o.c.words && optind < argc)
		tool_die(HS_CHAT_BAD_SCRIPT, "unexpected operand '%s'", argv[optind]);
	/* without -d, the line pppd handed over: stdin and stdout */
	o.c.uri = tool_line_uri(&o.line, o.c.uri ? o.c.uri : "fd:0,1");
	return hsd_chat(&o.c, argc - optind, argv + optind);
}
