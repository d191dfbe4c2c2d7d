/*
 * hsxfer.c - send and receive files with ZMODEM, YMODEM and XMODEM over
 * any link:
 * a serial port, a pty, or fd:0,1 as a terminal's send/receive command
 * or a program on a modem call (hsdial --exec). Parsing and output only;
 * the protocols are in the library (handshake/xfer.h).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <handshake/handshake.h>
#include "hsxfer.h"
#include "tool.h"

const char *tool_name = "hsxfer";

static const char usage[] =
	"usage: hsxfer -d URI --send [options] FILE...\n"
	"       hsxfer -d URI --receive [options] [FOLDER|FILE]\n"
	"\n"
	"Send or receive files with ZMODEM (as sz and rz), YMODEM or XMODEM. With\n"
	"-d fd:0,1 the line is standard input and output: a terminal's send/receive\n"
	"command (picocom --send-cmd, minicom), or a program on a call (hsdial\n"
	"--exec).\n"
	"\n"
	"  -d, --device URI       the line, e.g. serial:/dev/ttyUSB0?baud=115200,\n"
	"                         rfc2217://host:2001 or fd:0,1 (default $HS_DEVICE)\n"
	"  -s, --send             send FILEs (XMODEM: one)\n"
	"  -r, --receive          receive into FOLDER (ZMODEM, YMODEM; default .) or\n"
	"                         FILE (XMODEM, which sends no name)\n"
	"  -P, --protocol NAME    zmodem (default), ymodem, ymodem-g, xmodem,\n"
	"                         xmodem-crc or xmodem-1k; a sender follows what the\n"
	"                         receiver asks for (C: CRC, NAK: checksum, G:\n"
	"                         streaming; ZMODEM: CRC-32 or CRC-16, escapes)\n"
	"      --resume           ZMODEM: continue a file partly received before at\n"
	"                         its length, once the sender's CRC-32 of that part\n"
	"                         agrees (crash recovery, as sz -r); a sender asks\n"
	"                         the receiver to\n"
	"      --escape-ctl       ZMODEM: escape every control byte both ways, for\n"
	"                         a line that eats some\n"
	"  -t, --timeout SECS     wait this long for a block or a reply (default 10)\n"
	"  -R, --retries N        tries of one block before giving up (default 10)\n"
	"      --start SECS       receiver: ask the sender to start this often (3)\n"
	"      --strip-sub        XMODEM receive: drop the trailing SUB (0x1A) bytes\n"
	"                         that pad the last block (default: keep them)\n"
	"  -o, --overwrite        replace files that exist (default: refuse them)\n"
	"  -j, --json             one JSON answer on stdout: files, sizes, SHA-256,\n"
	"                         counts, and on failure the error\n"
	"  -v, --verbose          a line for each file even without a terminal\n"
	"  -h, --help             this text\n"
	"  -V, --version          the version\n"
	"\n"
	"Line settings (override the URI's):\n"
	TOOL_LINE_HELP
	"\n"
	"Exit status: 0 done; 1 the other end canceled; 2 timed out; 3 too many\n"
	"errors; 4 the other end broke the protocol (out of sequence, length\n"
	"mismatch); 5 a file was refused (unsafe name, or exists); 64 usage;\n"
	"69 no device, or it went away; 74 a local file cannot be read or\n"
	"written; 75 the device is busy; 77 permission; 130 interrupted.\n";

/* hsxfer's own exit codes for the transfer's outcomes; the rest as every
 * tool maps them. */
enum {
	EXIT_ABORTED = 1,
	EXIT_TIMEOUT = 2,
	EXIT_ERRORS = 3,
	EXIT_PROTOCOL = 4,
	EXIT_REFUSED = 5,
};

static int exit_code(int rc)
{
	switch (rc) {
	case HS_ERR_ABORTED:
		return EXIT_ABORTED;
	case HS_ERR_TIMEOUT:
	case HS_ERR_STALL:
		return EXIT_TIMEOUT;
	case HS_ERR_RETRIES:
		return EXIT_ERRORS;
	case HS_ERR_PROTOCOL:
		return EXIT_PROTOCOL;
	case HS_ERR_BAD_NAME:
	case HS_ERR_EXISTS:
		return EXIT_REFUSED;
	case HS_ERR_FILE:
		return EX_IOERR;
	case HS_ERR_UNPLUGGED:
	case HS_ERR_IO:
		return EX_UNAVAILABLE;
	default:
		return tool_exit_code(rc);
	}
}

/* Is the line, as an fd: URI, standard output? Then nothing else may
 * be printed there. */
static int writes_stdout(const char *uri)
{
	const char *comma;

	if (strncmp(uri, "fd:", 3) != 0)
		return 0;
	comma = strchr(uri, ',');
	return atoi(comma ? comma + 1 : uri + 3) == 1;
}

static volatile int canceled;

static void on_signal(int sig)
{
	(void)sig;
	canceled = 1;
}

int main(int argc, char **argv)
{
	enum { OPT_STRIP = 256, OPT_START, OPT_RESUME, OPT_ESCCTL };
	static const struct option long_opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "send", no_argument, NULL, 's' },
		{ "receive", no_argument, NULL, 'r' },
		{ "protocol", required_argument, NULL, 'P' },
		TOOL_LINE_LONG,
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'R' },
		{ "start", required_argument, NULL, OPT_START },
		{ "strip-sub", no_argument, NULL, OPT_STRIP },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "escape-ctl", no_argument, NULL, OPT_ESCCTL },
		{ "overwrite", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static struct hsx_run run;
	const char *uri = getenv("HS_DEVICE");
	struct hs_xfer_opts o = { .protocol = HS_XFER_ZMODEM, .cancel = &canceled };
	struct hs_xfer_stats st = { 0 };
	struct hs_link *link;
	struct tool_line line = { 0 };
	int c, rc, status, send = 0, receive = 0, p;

	if (tool_arg_given(argc, argv, "--json") || tool_arg_given(argc, argv, "-j"))
		tool_json_out = stdout;
	while ((c = getopt_long(argc, argv, "d:srP:t:R:ojvhV" TOOL_LINE_SHORT, long_opts,
				NULL)) != -1) {
		if (tool_line_option(&line, c, optarg))
			continue;
		switch (c) {
		case 'd': uri = optarg; break;
		case 's': send = 1; break;
		case 'r': receive = 1; break;
		case 'P':
			if ((p = hs_xfer_protocol_from_name(optarg)) < 0)
				tool_die(EX_USAGE, "%s", hs_last_error());
			o.protocol = (enum hs_xfer_protocol)p;
			break;
		case 't': o.timeout_ms = 1000 * tool_int("--timeout", optarg, 1, 3600); break;
		case 'R': o.retries = tool_int("--retries", optarg, 1, 1000); break;
		case OPT_START: o.start_ms = 1000 * tool_int("--start", optarg, 1, 3600); break;
		case OPT_STRIP: o.strip_sub = 1; break;
		case OPT_RESUME: o.resume = 1; break;
		case OPT_ESCCTL: o.escape_ctl = 1; break;
		case 'o': o.overwrite = 1; break;
		case 'j': break; /* taken before the loop */
		case 'v': run.verbose = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		default: tool_bad_option(); return EX_USAGE;
		}
	}
	if (send == receive)
		tool_die(EX_USAGE, "say --send FILE... or --receive [FOLDER|FILE]");
	if (!uri || !*uri)
		tool_die(EX_USAGE, "name the line with -d URI (or set HS_DEVICE)");
	int zmodem = o.protocol == HS_XFER_ZMODEM;
	/* the protocols that name their files */
	int ymodem = zmodem || o.protocol == HS_XFER_YMODEM || o.protocol == HS_XFER_YMODEM_G;
	if (send && optind == argc)
		tool_die(EX_USAGE, "--send needs the files to send");
	if (send && !ymodem && argc - optind > 1)
		tool_die(EX_USAGE, "XMODEM sends one file (%d given): use --protocol zmodem for more",
			 argc - optind);
	if (receive && argc - optind > 1)
		tool_die(EX_USAGE, "--receive takes one FOLDER (ZMODEM, YMODEM) or FILE (XMODEM)");
	if (receive && !ymodem && optind == argc)
		tool_die(EX_USAGE, "XMODEM sends no file name: say which FILE to write");
	if (tool_json_out && writes_stdout(uri)) {
		/* the answer would go into the line: say so on stderr only */
		tool_json_out = NULL;
		tool_die(EX_USAGE, "--json would write into the line (%s): give the line another "
			 "descriptor, e.g. -d fd:0,3 3>&1 >summary.json", uri);
	}
	if (o.strip_sub && (send || ymodem))
		tool_die(EX_USAGE, "--strip-sub is for receiving XMODEM (YMODEM and ZMODEM say the length)");
	if ((o.resume || o.escape_ctl) && !zmodem)
		tool_die(EX_USAGE, "--%s is ZMODEM's (--protocol zmodem)",
			 o.resume ? "resume" : "escape-ctl");

	uri = tool_line_uri(&line, uri);
	run.sending = send;
	run.device = uri;
	run.bar = isatty(2);
	run.asked = o.protocol;
	o.progress = hsx_progress;
	o.file_done = hsx_file_done;
	o.ctx = &run;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	run.started = hsx_now();
	if ((rc = hs_link_open(&link, uri)) < 0) {
		/* the same answer as a transfer that failed: nothing moved */
		status = exit_code(rc);
		hsx_report(&run, &st, rc, status);
		return status;
	}
	if (send)
		rc = hs_xfer_send(link, (const char *const *)argv + optind, argc - optind, &o, &st);
	else
		rc = hs_xfer_receive(link, optind < argc ? argv[optind] : ".", &o, &st);
	status = rc == HS_ERR_CANCELED ? 130 : exit_code(rc);
	hsx_report(&run, &st, rc, status);
	hs_link_close(link);
	hsx_free(&run);
	return status;
}
