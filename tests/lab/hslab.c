/*
 * hslab.c — the device lab's main: emulated USB serial devices for one
 * command.
 *
 *   hslab [OPTIONS | --scenario FILE] -- COMMAND [ARGS...]
 *
 * Reads top to bottom: parse options and scenario, make sure we run under
 * umockdev-wrapper (re-exec if not), build the testbed, start the device
 * models, run COMMAND as our child (within --timeout, lab_deadline.c),
 * play the devices until it exits, and exit with its status. The program under test inherits UMOCKDEV_DIR and
 * LD_PRELOAD, so it sees the emulated /sys and /dev and nothing else.
 */
#include "lab.h"
#include "usbprinter.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>
#include <umockdev.h>

static const char usage_text[] =
"usage: hslab [OPTIONS | --scenario FILE] -- COMMAND [ARGS...]\n"
"\n"
"Run COMMAND with emulated USB serial devices (umockdev) and play the\n"
"devices' side. Exit status is COMMAND's (128+N if killed by signal N);\n"
"64: bad option or scenario, 70: the lab failed, 124: --timeout passed,\n"
"127: cannot run COMMAND.\n"
"With no device options: one Hayes modem at /dev/ttyUSB0 on which every\n"
"number connects to a loopback far end.\n"
"\n"
"Every option --KEY VALUE is also a scenario line \"KEY VALUE\" and means\n"
"the same. VALUE is split into words; \"...\" quotes, C escapes (\\r \\n\n"
"\\t \\\\ \\\" \\xHH) work in words. Device directives apply to the port\n"
"named last by port/nullmodem (or to ttyUSB0 if none was named).\n"
"\n"
"General:\n"
"  --scenario FILE        read directives from FILE, one per line, # comments\n"
"  --transcript FILE      write the event log (format below) to FILE\n"
"  --verbose              say what the lab does on stderr\n"
"  --shared-locks         let the command use the machine's /run/lock\n"
"                         (default: a private, empty one; as root a\n"
"                         tmpfs in a mount namespace of the lab's own,\n"
"                         else HS_LOCK_DIR set to a temp folder)\n"
"  --timeout SECS         stop COMMAND and all it started (SIGTERM, then\n"
"                         SIGKILL 2 s later) if it runs longer; exit 124\n"
"                         (default: $HSLAB_TIMEOUT, else no limit)\n"
"  --help                 this text\n"
"Ports:\n"
"  --port 'NAME [MODEL]'  add or select port NAME (ttyUSBn: FTDI adapter,\n"
"                         ttyACMn: CDC-ACM modem); MODEL modem (default),\n"
"                         printer, program, console, nmea or none.\n"
"                         NAME=MODEL works too.\n"
"  --nullmodem 'A B'      ports A and B wired back to back: bytes crossed,\n"
"                         DTR->DSR+DCD, RTS->CTS\n"
"  --usb VID:PID          USB identity in hex (default 0403:6001 ttyUSB,\n"
"                         0572:1329 ttyACM)\n"
"  --manufacturer S  --product S  --serial S\n"
"  --plug-after MS        the port appears MS ms after the start, with an\n"
"                         \"add\" uevent (as udev's, for hsprobe --watch)\n"
"  --miwait yes|no        the driver answers TIOCMIWAIT (default yes: a\n"
"                         wait for modem lines ends when one changes, on\n"
"                         a signal, or on unplug); no: ENOTTY, as\n"
"                         drivers without it\n"
"  --uart MODE            how the device takes what the program wrote:\n"
"                         instant (default: as the pty hands it over) or\n"
"                         paced (a character time each at the speed the\n"
"                         program set, as off a real line: a tcflush()\n"
"                         right after a write then loses the bytes)\n"
"Hayes modem:\n"
"  --ati LINE             a line of the ATI reply (repeat for more)\n"
"  --number 'NUM FAREND'  what answers when NUM is dialled (digits compared)\n"
"  --default-number FAREND  for numbers not listed (default loopback)\n"
"     FAREND: loopback | busy | noanswer (NO ANSWER after S7 s) |\n"
"             nodialtone | tcp:HOST:PORT | script STEP... where STEP is\n"
"             'send TEXT', 'expect TEXT' or 'hangup' (drop carrier at end)\n"
"  --connect-speed BPS    speed in CONNECT results (default 115200)\n"
"  --ring 'SECS [NUMBER [NAME]]'  incoming call SECS after start; RING\n"
"                         with caller ID (DATE/TIME/NMBR/NAME) after the\n"
"                         first; NUMBER's far end from --number\n"
"  --ring-interval SECS   between RINGs (default 1)\n"
"  --ring-max N           caller gives up after N rings (default 10)\n"
"  --split-results 'SEED [GAP_MS]'  every response (result codes, text)\n"
"                         goes out in pieces cut at random points (from\n"
"                         SEED), up to GAP_MS (default 5) apart, as modem\n"
"                         emulators write them\n"
"Serial printer:\n"
"  --buffer 'SIZE [HIGH [LOW]]'  buffer and watermarks (4096 3072 1024)\n"
"  --print-rate BPS       bytes/s printed from the buffer (0: at once)\n"
"  --busy MODE            xonxoff (default), dsr, both, none\n"
"  --paper-out 'BYTES MS' out of paper after BYTES printed, for MS ms\n"
"  --output FILE          everything printed is written to FILE\n"
"  The printer takes bytes at the speed the program set (tcsetattr):\n"
"  bps/10 bytes per second.\n"
"USB printer (printer class over usbdevfs, for libusb and CUPS):\n"
"  --usb-printer SPEC     add one; SPEC is key=value,... : vid=, pid=,\n"
"     manufacturer=, product=, serial=, id= (IEEE 1284 ID), proto=1|2,\n"
"     rate= (bytes/s), buffer=, paper-out=N, unplug=N, stall=N,\n"
"     reply=MATCH>ANSWER, out=FILE, bus=, dev=, driver=usblp, ippusb=1,\n"
"     name= (see tests/lab/usbprinter.h). Its events are logged as\n"
"     \"SECONDS usb NAME EVENT ...\".\n"
"Program (a program is the device, e.g. lrzsz on the far end):\n"
"  --program CMD          /bin/sh -c CMD, without umockdev, its stdin and\n"
"                         stdout a socketpair to the port; bytes go both\n"
"                         ways at the speed the program under test set\n"
"                         (bps/10 bytes per second)\n"
"  --program-wait SECS    how long it may run on after COMMAND (10)\n"
"Line damage (current port, any model):\n"
"  --damage 'KEY=VALUE...'  a noisy line, reproducible from its seed:\n"
"     ber=P (bit flips per bit), drop=P, dup=P (bytes lost or doubled,\n"
"     per byte), burst=P (a burst of noise starts, per byte),\n"
"     burst-len=N (bytes of noise, 16), dir=rx|tx|both (rx: to the\n"
"     device; default both), seed=N (1); or off\n"
"The device's UART (current port; see tests/lab/uart_mismatch.c):\n"
"  --line 'RATE [FRAMING] [autobaud]'  the device's own setting, e.g.\n"
"                         '9600 7E1' (framing 8N1 if left out). When the\n"
"                         program's differs, it gets what a real UART pair\n"
"                         would: characters re-timed into its frames,\n"
"                         framing and parity errors and breaks as its\n"
"                         termios says (PARMRK marks, NULs, or dropped),\n"
"                         counted in TIOCGICOUNT; the device drops\n"
"                         characters its UART flags. Without --line bytes\n"
"                         cross whatever the settings (a bare pty).\n"
"                         autobaud: a modem that takes the rate and framing\n"
"                         from each AT; the first line at a new one is lost\n"
"  --icount no            the port's driver has no TIOCGICOUNT (ENOTTY)\n"
"  --refuse-rates 'RATE...'  the port refuses these speeds (tcsetattr:\n"
"                         EINVAL), as an adapter whose divisor cannot\n"
"  --ipr 'RATE...'        rates the modem's AT+IPR takes, 0 for autobaud\n"
"                         (default 0 300 1200 2400 4800 9600 19200 38400\n"
"                         57600 115200); AT+IPR=? lists them, AT+ICF sets\n"
"                         the framing, &W keeps both, Z goes back to them\n"
"  --ipr-fault ignore     the modem answers OK to AT+IPR=N but keeps its\n"
"                         rate: at the new one it never answers\n"
"Talkers (port MODEL console or nmea; they never read):\n"
"  console                prints a boot log at its --line setting, a line\n"
"                         every --talk-interval ms (default 100)\n"
"  nmea                   a GPS: a burst of NMEA 0183 sentences (GGA, RMC,\n"
"                         GSA, GSV) every --talk-interval ms (default 1000)\n"
"  --talk-interval MS\n"
"Faults (current port):\n"
"  --fault 'KIND [TRIGGER] [flood N]'  KIND: unplug (hang up the\n"
"     tty: reads/writes fail with EIO; node removed), silence (device\n"
"     sends nothing more), garbage (random bytes, 320 B/s),\n"
"     endless-line (bytes with no line end, 3.2 KB/s), rings\n"
"     (RING\\r\\n over and over, 3.2 KB/s), carrier-loss (modem drops\n"
"     DCD: NO CARRIER), stuck-busy (CTS and DSR low and XOFF, never\n"
"     cleared). TRIGGER: none (at once), after-bytes N (when the\n"
"     device has received exactly N bytes: the Nth is the last before\n"
"     it), after-ms T, on-open (when a program opens the port: its\n"
"     first ioctl sees the fault), on-connect (when the modem says\n"
"     CONNECT). flood N: garbage, endless-line and rings send N bytes\n"
"     as fast as the program reads, from the moment the fault fires\n"
"     (logged as \"fault KIND flood N\", then \"flood KIND sent N\").\n"
"     An unplugged serial printer still prints what it holds.\n"
"\n"
"Transcript: one event per line, flushed at once:\n"
"  SECONDS DEVICE EVENT [PAYLOAD]\n"
"  SECONDS  since the lab started, 6 decimals\n"
"  rx \"...\"     bytes the device received (C-escaped, \\xHH)\n"
"  tx \"...\"     bytes the device sent\n"
"  host DTR=0 RTS=1      lines the host changed (open raises DTR/RTS;\n"
"                        last close with HUPCL drops them)\n"
"  dev DCD=1 DSR=1 CTS=1 RI=1   lines the device changed\n"
"  split SEED GAP_MS      modem: responses are split (each piece a tx)\n"
"  state STATE [WHY]     modem: COMMAND, DIALING NUM, CONNECT BPS, ONLINE,\n"
"                        ONLINE-COMMAND escape|DTR, NO-CARRIER why, BUSY,\n"
"                        NO-DIALTONE, NO-ANSWER, RING N, ANSWER,\n"
"                        RING-END, RING-MISSED\n"
"  termios speed=BPS     line speed the program set, as the model saw it\n""  flush output N        the program discarded its output queue\n"
"                        (tcflush): N bytes the device never got\n"
"  line speed=BPS bits=N parity=P stop=N flow=F   the framing the program\n"
"                        set, logged when it changed (seen when the\n"
"                        program writes or issues an ioctl)\n"
"  uart RATE FRAMING WHY the device's UART setting: start, autobaud,\n"
"                        +IPR, +ICF, Z (back to the kept one)\n"
"  uart-errors N of M    of M characters the program's UART received from\n"
"                        a device at another setting, N were damaged\n"
"  uart-dropped N of M   the same for the device's UART (it drops them;\n"
"                        rx shows what it kept)\n"
"  printer xoff fill=N | xon fill=N | paper-out | paper-ok |\n"
"          overflow N | printed N lost N held N (at the end: every\n"
"          byte received, printed, lost to overflow or still held)\n"
"  plug                  the port appeared (--plug-after)\n"
"  break on|off          the program put the line in break (TIOCSBRK),\n"
"                        and ended it (TIOCCBRK)\n"
"  unplug                the device went away\n"
"  closed                the last program closed the port (with HUPCL\n"
"                        the host lines drop then)\n"
"  command \"AT...\"       a command line the modem executed\n"
"  peer-send|peer-got \"...\", peer-hangup   the scripted far end\n"
"  fault KIND [flood N]  a fault fired\n"
"  flood KIND sent N     a flood's last byte went to the program\n"
"  damage DIR flip at=N bit=B | drop at=N | dup at=N | burst at=N len=L\n"
"                        what the line did to byte N (0-based) of DIR (rx\n"
"                        and tx show the bytes as the device got and sent\n"
"                        them)\n"
"  program start CMD | exit STATUS | killed   the program device\n"
"  miwait wait LINES | woke LINE=V | interrupted | hangup   a TIOCMIWAIT\n"
"                        began, and how it ended\n"
"  lab exit STATUS       COMMAND ended (DEVICE is the word lab)\n"
"\n"
"Environment: HSLAB_TIMEOUT is --timeout's default (the test suites set\n"
"it). The child gets UMOCKDEV_DIR and LD_PRELOAD (umockdev's\n"
"preload, after libhslab-isatty.so found beside hslab; HSLAB_SHIM=PATH\n"
"names another, HSLAB_SHIM= none).\n"
"\n"
"Scenario example:\n"
"  transcript /tmp/t.log\n"
"  port ttyUSB0 modem\n"
"  number 5551234 busy\n"
"  number 5550000 script expect \"login:\" send \"guest\\r\" hangup\n"
"  ring 2.0 5551212 \"JOHN DOE\"\n"
"  port ttyUSB1 printer\n"
"  buffer 1024 768 256\n"
"  output /tmp/printed.bin\n";

static struct lab_config cfg;
static UMockdevTestbed *testbed;  /* removed (its temp folder too) on exit */
static struct lab_usbp *usbp[LAB_MAX_USBP]; /* emulated USB printers */
static GMainLoop *loop;
static int child_status = -1;
static GPid child_pid;

static const char *const keys[] = {
	"transcript", "port", "nullmodem", "usb", "manufacturer", "product",
	"serial", "ati", "number", "default-number", "connect-speed", "ring",
	"ring-interval", "ring-max", "split-results", "buffer", "print-rate", "busy",
	"paper-out", "output", "fault", "usb-printer", "plug-after", "damage",
	"program", "program-wait", "uart", "line", "refuse-rates", "ipr",
	"ipr-fault", "talk-interval", "icount", "miwait",
};

static void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("hslab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (testbed)
		g_object_unref(testbed); /* leave no temp folder behind */
	exit(70); /* EX_SOFTWARE: the lab itself failed */
}

/* a bad option or scenario line: EX_USAGE */
static void bad_usage(const char *what, const char *msg)
{
	fprintf(stderr, "hslab: %s%s%s\n", what, *what ? ": " : "", msg);
	exit(64);
}

static int parse_args(int argc, char **argv)
{
	enum { OPT_HELP = 1000, OPT_SCENARIO, OPT_VERBOSE, OPT_SHARED_LOCKS,
	       OPT_TIMEOUT, OPT_KEY };
	struct option opts[G_N_ELEMENTS(keys) + 6];
	const char *timeout = getenv("HSLAB_TIMEOUT");
	size_t i;
	int c, idx;

	for (i = 0; i < G_N_ELEMENTS(keys); i++)
		opts[i] = (struct option){ keys[i], required_argument, NULL,
		                           OPT_KEY };
	opts[i++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	opts[i++] = (struct option){ "scenario", required_argument, NULL,
	                             OPT_SCENARIO };
	opts[i++] = (struct option){ "verbose", no_argument, NULL, OPT_VERBOSE };
	opts[i++] = (struct option){ "shared-locks", no_argument, NULL,
	                             OPT_SHARED_LOCKS };
	opts[i++] = (struct option){ "timeout", required_argument, NULL,
	                             OPT_TIMEOUT };
	opts[i] = (struct option){ 0, 0, 0, 0 };

	/* "+": stop at the first non-option, COMMAND's options are its own */
	while ((c = getopt_long(argc, argv, "+h", opts, &idx)) != -1) {
		GError *err = NULL;
		switch (c) {
		case 'h':
		case OPT_HELP:
			fputs(usage_text, stdout);
			exit(0);
		case OPT_SCENARIO:
			if (!lab_config_load(&cfg, optarg, &err))
				bad_usage("", err->message);
			break;
		case OPT_VERBOSE:
			cfg.verbose = true;
			break;
		case OPT_SHARED_LOCKS:
			cfg.shared_locks = true;
			break;
		case OPT_TIMEOUT:
			timeout = optarg;
			break;
		case OPT_KEY:
			if (!lab_config_apply(&cfg, opts[idx].name, optarg,
			                      &err)) {
				char *what = g_strconcat("--", opts[idx].name,
				                         NULL);
				bad_usage(what, err->message);
			}
			break;
		default:
			fputs("usage: hslab [OPTIONS | --scenario FILE] -- "
			      "COMMAND [ARGS...]  (hslab --help)\n", stderr);
			exit(64); /* EX_USAGE */
		}
	}
	if (optind >= argc) {
		fputs("hslab: no COMMAND (hslab --help)\n", stderr);
		exit(64);
	}
	if (timeout && *timeout) {
		char *end;
		unsigned long secs = strtoul(timeout, &end, 10);
		if (*end || secs < 1 || secs > 86400)
			bad_usage("--timeout", "SECS must be a whole number "
			          "from 1 to 86400 (or HSLAB_TIMEOUT empty)");
		cfg.timeout = (unsigned)secs;
	}
	lab_config_finish(&cfg);
	return optind;
}

/* umockdev's preload library must be in our own process as well as the
 * child's; umockdev-wrapper is the supported way to get it there. */
static void ensure_wrapped(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	char **nargv;
	int n = 0;

	if (pre && strstr(pre, "libumockdev-preload"))
		return;
	if (getenv("HSLAB_WRAPPED"))
		die("umockdev-wrapper did not preload libumockdev-preload");
	setenv("HSLAB_WRAPPED", "1", 1);
	while (argv[n])
		n++;
	nargv = g_new0(char *, (size_t)n + 2);
	nargv[0] = "umockdev-wrapper";
	/* not /proc/self/exe: the wrapper execs env, whose self is env */
	nargv[1] = g_file_read_link("/proc/self/exe", NULL);
	if (!nargv[1])
		die("cannot find my own executable: %s", g_strerror(errno));
	for (int i = 1; i < n; i++)
		nargv[i + 1] = argv[i];
	execvp(nargv[0], nargv);
	die("cannot run umockdev-wrapper: %s (Debian package umockdev)",
	    g_strerror(errno));
}

/* the lab's exit status for the child's wait status */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 70;
}

static void on_child_exit(GPid pid, gint status, gpointer data)
{
	(void)data;
	child_status = status;
	transcript_event("lab", "exit", "%d", exit_code(status));
	g_spawn_close_pid(pid);
	child_pid = 0;
	g_main_loop_quit(loop);
}

static gboolean on_signal(gpointer data)
{
	if (child_pid > 0)
		kill(child_pid, GPOINTER_TO_INT(data));
	return G_SOURCE_CONTINUE;
}

static void usbp_event(void *ctx, const char *fmt, ...)
{
	va_list ap;
	char *line;

	(void)ctx;
	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	transcript_event("usb", line, NULL);
	g_free(line);
}

static void start_usb_printers(UMockdevTestbed *tb)
{
	for (int i = 0; i < cfg.nusbp; i++) {
		struct lab_usbp_cfg uc;
		GError *err = NULL;

		if (!lab_usbp_parse(cfg.usb_printers[i], &uc, &err))
			die("--usb-printer: %s", err->message);
		usbp[i] = lab_usbp_add(tb, &uc, usbp_event, NULL, &err);
		lab_usbp_cfg_clear(&uc);
		if (!usbp[i])
			die("--usb-printer: %s", err->message);
		if (cfg.verbose)
			fprintf(stderr, "hslab: %s (USB printer) as %s\n",
			        lab_usbp_devnode(usbp[i]),
			        lab_usbp_syspath(usbp[i]));
	}
}

/* A port's models, faults and I/O, once its device exists. */
static void start_port(struct lab_port *p)
{
	lab_damage_start(p);
	lab_mismatch_start(p);
	if (p->ops && p->ops->start)
		p->ops->start(p);
	faults_start(p);
	lab_tty_start_io(p);
}

static void add_port(UMockdevTestbed *tb, struct lab_port *p, int i)
{
	GError *err = NULL;

	if (!lab_tty_add(tb, p, i, &err))
		die("%s: %s", p->cfg->name, err->message);
	if (cfg.verbose)
		fprintf(stderr, "hslab: %s (%04x:%04x %s) as %s\n",
		        p->devnode, p->cfg->vid, p->cfg->pid,
		        p->cfg->model == LAB_MODEL_MODEM ? "modem" :
		        p->cfg->model == LAB_MODEL_PRINTER ? "printer" :
		        p->cfg->model == LAB_MODEL_NULL ? "null-modem" :
		        p->cfg->model == LAB_MODEL_PROGRAM ? "program" :
		        p->cfg->model == LAB_MODEL_CONSOLE ? "console" :
		        p->cfg->model == LAB_MODEL_NMEA ? "nmea" :
		        "no model", p->syspath);
}

/* --plug-after: the device appears now, and says so as udev would. */
static gboolean plug_port(gpointer data)
{
	struct lab_port *p = data;

	char *sys;

	add_port(testbed, p, (int)(p - lab_ports));
	start_port(p);
	sys = g_strconcat("/sys", p->syspath, NULL);
	umockdev_testbed_uevent(testbed, sys, "add");
	g_free(sys);
	transcript_event(p->cfg->name, "plug", NULL);
	return G_SOURCE_REMOVE;
}

static void start_ports(UMockdevTestbed *tb)
{
	lab_nports = cfg.nports;
	for (int i = 0; i < cfg.nports; i++) {
		struct lab_port *p = &lab_ports[i];
		p->cfg = &cfg.ports[i];
		if (p->cfg->plug_after_ms < 0)
			add_port(tb, p, i);
	}
	for (int i = 0; i < lab_nports; i++) {
		struct lab_port *p = &lab_ports[i];
		switch (p->cfg->model) {
		case LAB_MODEL_MODEM: p->ops = &lab_modem_ops; break;
		case LAB_MODEL_PRINTER: p->ops = &lab_printer_ops; break;
		case LAB_MODEL_NULL:
			p->ops = &lab_null_ops;
			p->peer = lab_port_by_name(p->cfg->peer);
			break;
		case LAB_MODEL_PROGRAM: p->ops = &lab_program_ops; break;
		case LAB_MODEL_NONE: p->ops = NULL; break;
		case LAB_MODEL_CONSOLE: p->ops = &lab_console_ops; break;
		case LAB_MODEL_NMEA: p->ops = &lab_nmea_ops; break;
		}
	}
	for (int i = 0; i < lab_nports; i++) {
		struct lab_port *p = &lab_ports[i];
		if (p->cfg->plug_after_ms < 0)
			start_port(p);
		else
			g_timeout_add((guint)p->cfg->plug_after_ms, plug_port, p);
	}
}

/* After the program exits, a printer still prints what it buffered (and
 * what is still in the line); wait for that, so output files are whole,
 * but not forever. */
static gboolean check_drained(gpointer data)
{
	gint64 *deadline = data;

	if (g_get_monotonic_time() >= *deadline)
		goto done;
	for (int i = 0; i < lab_nports; i++) {
		struct lab_port *p = &lab_ports[i];
		if (p->ops && p->ops->busy && p->ops->busy(p))
			return G_SOURCE_CONTINUE;
	}
	for (int i = 0; i < cfg.nusbp; i++)
		if (usbp[i] && lab_usbp_busy(usbp[i]))
			return G_SOURCE_CONTINUE;
done:
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void drain_models(void)
{
	/* static: --timeout may end the loop with the check still queued */
	static gint64 deadline;

	deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	g_timeout_add(20, check_drained, &deadline);
	g_main_loop_run(loop);
}

/* The child's environment: ours (UMOCKDEV_DIR, umockdev's preload) plus
 * the isatty shim in front, so emulated ttyUSB/ttyACM nodes pass isatty()
 * as real ones do (see isatty_shim.c). */
static char **child_env(void)
{
	char **env = g_get_environ();
	char *self = g_file_read_link("/proc/self/exe", NULL);
	char *dir = self ? g_path_get_dirname(self) : NULL;
	char *shim = dir ? g_build_filename(dir, "libhslab-isatty.so", NULL)
	                 : NULL;
	const char *pre = g_environ_getenv(env, "LD_PRELOAD");

	if (getenv("HSLAB_SHIM"))
		g_free(shim), shim = g_strdup(getenv("HSLAB_SHIM"));
	if (shim && *shim && g_file_test(shim, G_FILE_TEST_EXISTS)) {
		char *v = g_strconcat(shim, pre ? ":" : "", pre ? pre : "",
		                      NULL);
		env = g_environ_setenv(env, "LD_PRELOAD", v, TRUE);
		g_free(v);
	} else if (cfg.verbose) {
		fprintf(stderr, "hslab: no isatty shim (%s): isatty() will be "
		        "0 on emulated ports\n", shim ? shim : "?");
	}
	g_free(shim);
	g_free(dir);
	g_free(self);
	return env;
}

/* in the child before exec: undo what the lab changed for itself
 * (an ignored SIGPIPE would be inherited across exec) */
static void child_setup(gpointer data)
{
	(void)data;
	signal(SIGPIPE, SIG_DFL);
}

int main(int argc, char **argv)
{
	UMockdevTestbed *tb;
	GError *err = NULL;
	int cmd, rc;

	lab_config_init(&cfg);
	cmd = parse_args(argc, argv);
	/* once, in the first process: the namespace survives the re-exec */
	if (!cfg.shared_locks && !getenv("HSLAB_WRAPPED"))
		lab_private_locks(cfg.verbose);
	ensure_wrapped(argv);
	unsetenv("HSLAB_WRAPPED");
	signal(SIGPIPE, SIG_IGN);

	if (!transcript_open(cfg.transcript, &err))
		die("%s", err->message);
	tb = testbed = umockdev_testbed_new();
	loop = g_main_loop_new(NULL, FALSE);
	start_ports(tb);
	start_usb_printers(tb);

	if (!g_spawn_async(NULL, argv + cmd, child_env(),
	                   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
	                   G_SPAWN_CHILD_INHERITS_STDIN, child_setup, NULL,
	                   &child_pid, &err))
	{
		/* 127, as a shell says for a command it cannot run */
		fprintf(stderr, "hslab: cannot run %s: %s\n", argv[cmd],
		        err->message);
		testbed = NULL;
		g_object_unref(tb);
		return 127;
	}
	g_child_watch_add(child_pid, on_child_exit, NULL);
	lab_deadline_arm(cfg.timeout, argv[cmd], &child_pid, loop);
	g_unix_signal_add(SIGINT, on_signal, GINT_TO_POINTER(SIGINT));
	g_unix_signal_add(SIGTERM, on_signal, GINT_TO_POINTER(SIGTERM));
	g_unix_signal_add(SIGHUP, on_signal, GINT_TO_POINTER(SIGHUP));

	g_main_loop_run(loop);
	if (!lab_deadline_passed())
		drain_models();

	rc = lab_deadline_passed() ? 124 : exit_code(child_status);
	for (int i = 0; i < lab_nports; i++)
		lab_port_stop(&lab_ports[i]);
	for (int i = 0; i < cfg.nusbp; i++)
		lab_usbp_free(usbp[i]);
	transcript_close();
	testbed = NULL;
	g_object_unref(tb);
	return rc;
}
