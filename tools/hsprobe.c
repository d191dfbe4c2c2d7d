/*
 * hsprobe.c - list every modem and printer with its identity and driver
 * (a table, or JSON); follow them coming and going (--watch); be udev's
 * IMPORT{program} helper (--udev); run a device's bring-up for
 * handshake-setup@.service (--setup).
 *
 * A thin printer of the library's device calls (handshake/device.h):
 * hs_device_list, _identify, _probe and _watch do the work, the same for
 * every mode; hsprobe_json.c writes JSON and the state file.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <handshake/handshake.h>
#include "hsprobe.h"
#include "tool.h"

const char *tool_name = "hsprobe";

#define MAX_PTYS 16

static int verbose;  /* -v: say which device is asked */

static const char usage[] =
	"usage: hsprobe [--json] [--probe [--timeout MS] [LINE FLAGS]] [--pty PATH]...\n"
	"       hsprobe --watch [--json]\n"
	"       hsprobe --udev SYSPATH\n"
	"       hsprobe --setup DEVICE [--timeout MS] [--reset] [LINE FLAGS]\n"
	"       hsprobe --drivers\n"
	"       hsprobe --detect DEVICE [--passive] [--json] [--timeout MS]\n"
	"\n"
	"List every serial port and USB printer with its identity, kind (modem,\n"
	"printer, unknown) and driver. Nothing is sent to any device unless\n"
	"--probe or --setup asks for it: a USB printer whose driver only its\n"
	"device ID decides shows driver ? until --probe reads the ID.\n"
	"\n"
	"  -j, --json           one JSON object instead of the table, failures\n"
	"                       too; \"devices\" lists them (--watch: an object a\n"
	"                       line, an event each): tools/json/hsprobe.schema.json\n"
	"      --probe          also ask each modem (AT, ATI) and USB printer\n"
	"                       (GET_DEVICE_ID) who it is; ports another program\n"
	"                       holds are reported busy and left alone\n"
	"  -t, --timeout MS     per device for --probe (default 2000), in all for\n"
	"                       --setup (default 15000)\n"
	"  -P, --pty PATH       list the pseudo-terminal PATH too (repeatable)\n"
	"  -w, --watch          print each device that comes or goes, until\n"
	"                       interrupted\n"
	"  -u, --udev SYSPATH   for udev's IMPORT{program}: print ID_HANDSHAKE_KIND,\n"
	"                       ID_HANDSHAKE_DRIVER and ID_HANDSHAKE_NAME, nothing\n"
	"                       for an unknown device; reads sysfs only\n"
	"  -s, --setup DEVICE   bring DEVICE up (/dev/ttyACM0, ttyACM0, 2-1,\n"
	"                       /dev/bus/usb/002/002) and write its identity to\n"
	"                       $HS_RUN_DIR (default /run/handshake)/NAME.json\n"
	"  -r, --reset          with --setup: soft-reset a USB printer\n"
	"Line flags, for the serial ports --probe and --setup open (default\n"
	"9600 8N1, no flow control):\n"
	TOOL_LINE_HELP
	"  -D, --drivers        list the drivers, \"KIND NAME\" a line (NAME is what\n"
	"                       hsdial's and hsprint's --driver take)\n"
	"  -d, --detect DEVICE  find the rate and framing of the device on a port\n"
	"                       (a path or URI): try each setting, fastest first,\n"
	"                       sending AT until a clean OK comes back; print the\n"
	"                       setting, the evidence and the URI to use. Within\n"
	"                       --timeout (default 30000 ms)\n"
	"      --passive        with --detect: never send, only listen (consoles,\n"
	"                       GPS/NMEA sources, meters that talk by themselves)\n"
	"  -v, --verbose        say which device --probe or --setup asks; -vv: and\n"
	"                       the library's errors and state changes, -vvv: and\n"
	"                       every byte (as HS_DEBUG=2, 3)\n"
	"  -h, --help           this text\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 done; 64 usage; 69 no such device, or not one handshake\n"
	"knows (--detect: nothing answered at any setting, or nothing was heard);\n"
	"74 the device failed; 75 busy or timed out; 76 --passive heard talk but\n"
	"no setting was clear; 77 permission.\n";

/* One table row, and what a probe said under it. */
static void print_row(const struct hs_device *d)
{
	char ids[16] = "-";
	/* "?": a printer's device ID decides, and a listing does not read
	 * it (usblp's copy was not there) */
	int by_id = d->kind == HS_DEVICE_PRINTER && !d->driver[0];
	const struct hs_device_probe *t = &d->probe;

	if (d->usb)
		snprintf(ids, sizeof(ids), "%04x:%04x", d->vid & 0xffff, d->pid & 0xffff);
	printf("%-22s %-8s %-10s %-10s %-9s %-24.24s %s%s\n", d->node,
	       hs_device_kind_name(d->kind), d->driver[0] ? d->driver : by_id ? "?" : "-",
	       d->transport, ids, d->product[0] ? d->product : "-",
	       d->serial[0] ? d->serial : "-", d->busy ? " (busy)" : "");
	if (by_id && !(t->state && t->driver[0]))
		printf("    driver: from its device ID, which a listing does not read (hsprobe --probe does)\n");
	if (d->busy)
		printf("    held: %s\n", d->holder);
	if (!t->state)
		return;
	printf("    probe: %s%s%s\n", t->state, t->message[0] ? ": " : "", t->message);
	for (int a = 0; a < t->nati; a++)
		if (t->ati[a][0])
			printf("    ATI%d: %s\n", a, t->ati[a]);
	if (t->device_id[0])
		printf("    device ID: %s\n", t->device_id);
	if (t->driver[0] && strcmp(t->driver, d->driver))
		printf("    driver: %s (from what it said)\n", t->driver);
}

static void print_table(const struct hs_device *list, int n, int probe)
{
	printf("%-22s %-8s %-10s %-10s %-9s %-24s %s\n", "DEVICE", "KIND", "DRIVER",
	       "TRANSPORT", "USB", "PRODUCT", probe ? "SERIAL / PROBE" : "SERIAL");
	for (int i = 0; i < n; i++)
		print_row(&list[i]);
}

/* udev takes KEY=value lines, strips one pair of quotes and knows no
 * escapes, and an empty value is an error: so every value is reduced to
 * the safe set and a line is printed only when its value is not empty. */
static void udev_line(const char *key, const char *value)
{
	char safe[HS_DEVICE_NAME];

	if (hs_escape(safe, sizeof(safe), value, HS_ESCAPE_NAME) > 0)
		printf("%s=%s\n", key, safe);
}

static int udev_mode(const char *syspath)
{
	struct hs_device *d = malloc(sizeof(*d));

	if (!d)
		return EX_OSERR;
	/* a sysfs path only: udev's %p, never a name to look up */
	if ((syspath[0] == '/' && hs_device_identify(syspath, d) == HS_OK &&
	     d->kind != HS_DEVICE_UNKNOWN)) {
		printf("ID_HANDSHAKE_KIND=%s\n", hs_device_kind_name(d->kind));
		udev_line("ID_HANDSHAKE_DRIVER", d->driver);
		udev_line("ID_HANDSHAKE_NAME", d->name);
		if (d->kind == HS_DEVICE_MODEM)
			hsprobe_rate_udev(d);
	}
	free(d);
	return 0; /* not ours: import nothing */
}

/* -b, -f, -p, --databits, --stopbits: for every serial port asked */
static struct tool_line line;

/* A device's line flags go on its URI, which hs_device_probe opens. */
static void use_line(struct hs_device *d)
{
	const char *uri = tool_line_uri(&line, d->uri);

	if (uri != d->uri && strcmp(d->transport, "usb") != 0)
		snprintf(d->uri, sizeof(d->uri), "%s", uri);
}

/* --setup's answer: the device, and the state file or why not. */
static void setup_json(const struct hs_device *d, int err, const char *message,
		       const char *file)
{
	struct tool_json j;

	tool_json_begin(&j, stdout);
	tool_json_bool(&j, "ok", err == HS_OK);
	tool_json_str(&j, "mode", "setup");
	tool_json_int(&j, "exit", err == HS_ERR_IO && file[0] ? EX_IOERR : tool_exit_code(err));
	tool_json_object(&j, "device");
	hsprobe_json(&j, d);
	tool_json_close(&j);
	if (err == HS_OK)
		tool_json_str(&j, "state_file", file);
	else
		tool_json_error(&j, err, message);
	tool_json_end(&j);
}

static int setup_mode(const char *dev, int timeout_ms, int reset, int json)
{
	struct hs_device *d = malloc(sizeof(*d));
	char file[600] = "", msg[900];
	int rc;

	if (!d)
		tool_die(EX_OSERR, "out of memory");
	/* freed before each way out: LeakSanitizer counts it otherwise */
	if ((rc = hs_device_identify(dev, d)) < 0) {
		free(d);
		tool_fail(rc, "%s", hs_last_error());
	}
	if (d->kind == HS_DEVICE_UNKNOWN) {
		free(d);
		tool_fail(HS_ERR_NOT_SUPPORTED, "%s: not a modem or printer handshake knows", dev);
	}
	if (verbose)
		tool_warn("%s: setting up %s %s", d->node, hs_device_kind_name(d->kind), d->name);
	use_line(d);
	rc = hs_device_probe(d, HS_PROBE_SETUP | (reset ? HS_PROBE_RESET : 0) |
			     (hsprobe_rate_opted_in() ? HS_PROBE_DETECT_RATE : 0), timeout_ms);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "%s: setup failed: %s", d->node,
			 d->probe.message[0] ? d->probe.message : hs_strerror(rc));
		tool_warn("%s", msg);
		if (json)
			setup_json(d, rc, msg, "");
		free(d);
		return tool_exit_code(rc);
	}
	if ((rc = hsprobe_write_state(d, file, sizeof(file))) < 0) {
		snprintf(msg, sizeof(msg), "%s: setup failed: cannot write %s: %s", d->node,
			 file[0] ? file : "the state file", strerror(-rc));
		tool_warn("%s", msg);
		if (json)
			setup_json(d, HS_ERR_IO, msg, file[0] ? file : "?");
		free(d);
		return EX_IOERR;
	}
	if (json)
		setup_json(d, HS_OK, NULL, file);
	else
		printf("%s: %s %s (%s) set up; identity in %s\n", d->node,
		       hs_device_kind_name(d->kind), d->name,
		       d->probe.driver[0] ? d->probe.driver : d->driver, file);
	free(d);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One line per device that comes or goes; sleeps in poll() between. */
static int watch_mode(int json)
{
	struct sigaction sa = { .sa_handler = on_signal };  /* no SA_RESTART */
	struct hs_device_watch *w;
	struct hs_device_event *e = malloc(sizeof(*e));
	int rc = 0;

	if (!e)
		return EX_OSERR;
	if ((rc = hs_device_watch_open(&w)) < 0)
		tool_fail(rc, "%s", hs_last_error());
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		struct pollfd p = { .fd = hs_device_watch_fd(w), .events = POLLIN };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = EX_OSERR;
			break;
		}
		while ((rc = hs_device_watch_read(w, e, 0)) == 1) {
			const char *what = e->action == HS_DEVICE_ADDED ? "add" : "remove";
			if (json) {
				/* a stream: one object a line, each an event */
				struct tool_json j;
				tool_json_begin(&j, stdout);
				tool_json_bool(&j, "ok", 1);
				tool_json_str(&j, "mode", "watch");
				tool_json_int(&j, "exit", 0);
				tool_json_str(&j, "event", what);
				tool_json_object(&j, "device");
				hsprobe_json(&j, &e->device);
				tool_json_end(&j);
			} else {
				printf("%s ", what);
				print_row(&e->device);
			}
			fflush(stdout);
		}
		if (rc != HS_ERR_TIMEOUT) {
			tool_warn("%s", hs_last_error());
			rc = tool_exit_code(rc);
			break;
		}
		rc = 0;
	}
	hs_device_watch_close(w);
	free(e);
	return rc;
}

static int list_drivers(void)
{
	const struct hs_modem_driver *m;
	const char *p;

	for (size_t i = 0; (m = hs_modem_driver_at(i)); i++)
		printf("modem %s\n", m->name);
	for (size_t i = 0; (p = hs_printer_driver_at(i)); i++)
		printf("printer %s\n", p);
	return 0;
}

/* Options without a short form (-p is --parity, as in every tool). */
enum { OPT_PROBE = 256, OPT_PASSIVE };

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "timeout", required_argument, NULL, 't' },
		{ "pty", required_argument, NULL, 'P' },
		{ "watch", no_argument, NULL, 'w' },
		{ "udev", required_argument, NULL, 'u' },
		{ "setup", required_argument, NULL, 's' },
		{ "reset", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "drivers", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOL_LINE_LONG,
		{ "detect", required_argument, NULL, 'd' },
		{ "passive", no_argument, NULL, OPT_PASSIVE },
		{ 0 },
	};
	const char *udev = NULL, *setup = NULL, *detect = NULL, *ptys[MAX_PTYS + 1] = { 0 };
	int json = 0, probe = 0, reset = 0, watch = 0, nptys = 0, timeout_ms = -1, c, n;
	int line_flags = 0, passive = 0;
	struct hs_device *list;

	if (tool_arg_given(argc, argv, "--json") || tool_arg_given(argc, argv, "-j"))
		tool_json_out = stdout;
	while ((c = getopt_long(argc, argv, "jt:P:wu:s:rvDd:hV" TOOL_LINE_SHORT, long_opts,
				NULL)) != -1) {
		if (tool_line_option(&line, c, optarg)) {
			line_flags = 1;
			continue;
		}
		switch (c) {
		case 'j': json = 1; break;
		case OPT_PROBE: probe = 1; break;
		case 't': timeout_ms = tool_int("--timeout", optarg, 1, 600000); break;
		case 'P':
			if (nptys == MAX_PTYS)
				tool_die(EX_USAGE, "at most %d --pty", MAX_PTYS);
			ptys[nptys++] = optarg;
			break;
		case 'w': watch = 1; break;
		case 'u': udev = optarg; break;
		case 's': setup = optarg; break;
		case 'r': reset = 1; break;
		case 'v': verbose++; break;
		case 'D': return list_drivers();
		case 'd': detect = optarg; break;
		case OPT_PASSIVE: passive = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		default:
			tool_bad_option();
			return EX_USAGE;
		}
	}
	if (optind < argc)
		tool_die(EX_USAGE, "unexpected argument '%s'", argv[optind]);
	tool_trace(verbose);
	if (udev && (setup || probe || json || reset || watch || nptys || line_flags || detect))
		tool_die(EX_USAGE, "--udev goes alone");
	if (passive && !detect)
		tool_die(EX_USAGE, "--passive goes with --detect");
	if (detect && (setup || probe || reset || watch || nptys))
		tool_die(EX_USAGE, "--detect goes alone (with --passive, --json, --timeout, the line flags)");
	if (detect)
		return hsprobe_detect(tool_line_uri(&line, detect), passive, json,
				      timeout_ms > 0 ? timeout_ms : 30000);
	if (udev)
		return udev_mode(udev);
	if (watch && (setup || probe || reset || nptys || line_flags))
		tool_die(EX_USAGE, "--watch goes with --json only");
	if (watch)
		return watch_mode(json);
	if (setup && probe)
		tool_die(EX_USAGE, "--setup and --probe do not go together");
	if (reset && !setup)
		tool_die(EX_USAGE, "--reset goes with --setup");
	if (line_flags && !setup && !probe)
		tool_die(EX_USAGE, "-b, -f, -p, --databits and --stopbits go with --probe or --setup");
	if (setup)
		return setup_mode(setup, timeout_ms > 0 ? timeout_ms : 15000, reset, json);

	if ((n = hs_device_list(&list, ptys)) < 0)
		tool_fail(n, "cannot list devices: %s", hs_last_error());
	for (int i = 0; probe && i < n; i++) {
		if (verbose)
			tool_warn("%s: asking who it is", list[i].node);
		use_line(&list[i]);
		hs_device_probe(&list[i], 0, timeout_ms > 0 ? timeout_ms : 2000);
	}
	if (json) {
		struct tool_json j;
		tool_json_begin(&j, stdout);
		tool_json_bool(&j, "ok", 1);
		tool_json_str(&j, "mode", probe ? "probe" : "list");
		tool_json_int(&j, "exit", 0);
		tool_json_array(&j, "devices");
		for (int i = 0; i < n; i++) {
			tool_json_object(&j, NULL);
			hsprobe_json(&j, &list[i]);
			tool_json_close(&j);
		}
		tool_json_end(&j);
	} else {
		print_table(list, n, probe);
	}
	hs_device_list_free(list);
	return 0;
}
