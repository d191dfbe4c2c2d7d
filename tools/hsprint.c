/*
 * hsprint.c - send files to a printer with the right handshake, a progress
 * bar, the printer's status, and the exact count of bytes it took; or ask
 * the printer how it is. Every behaviour is in the library (printer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <handshake/handshake.h>
#include <handshake/ieee1284.h>
#include <handshake/printer.h>
#include <handshake/usb.h>
#include "hsprint.h"
#include "tool.h"

const char *tool_name = "hsprint";

/* A finished job's count in words, for both modes: who took the bytes.
 * A device server took them for its printer. With no flow control
 * nothing could hold the job back, so the count is only what went out
 * of the port: a printer out of paper or buffer drops what follows. */
void hsprint_took_all(char *out, size_t cap, struct hs_printer *p, size_t accepted)
{
	const struct hs_link_info *in = hs_link_info(hs_printer_link(p));
	struct hs_line line;

	if (in->transport == HS_TRANSPORT_TCP || in->transport == HS_TRANSPORT_RFC2217)
		snprintf(out, cap, "the server at %s took all %zu bytes for the printer", in->name,
			 accepted);
	else if (in->transport != HS_TRANSPORT_USB &&
		 hs_link_get_line(hs_printer_link(p), &line) == HS_OK &&
		 line.flow == HS_FLOW_NONE)
		snprintf(out, cap,
			 "all %zu bytes went out (flow=none: nothing says whether the printer kept up)",
			 accepted);
	else
		snprintf(out, cap, "the printer took all %zu bytes", accepted);
}

static const char usage[] =
	"usage: hsprint [-d URI] [options] [FILE...|-]\n"
	"       hsprint [-d URI] --status [--json]\n"
	"\n"
	"Print FILEs (standard input when none, or '-') on a printer, paced by\n"
	"its handshake, and say exactly how many bytes it took.\n"
	"\n"
	"  -d, --device URI       the printer (default $HS_PRINTER), e.g.\n"
	"                         serial:/dev/ttyUSB0?baud=9600&flow=dtrdsr, or on\n"
	"                         a device server rfc2217://HOST:PORT?flow=rtscts\n"
TOOL_LINE_HELP
	"  -D, --driver NAME      pjl, escpos, zpl or generic (default: matched)\n"
	"  -s, --status           print the printer's status and identity\n"
	"  -j, --json             the outcome as one JSON object on stdout, failures\n"
	"                         too (tools/json/hsprint.schema.json): the status,\n"
	"                         or what each job's printer took, time, resume\n"
	"                         offset and the status changes it reported\n"
	"  -t, --timeout SECS     give up when the printer takes nothing for SECS\n"
	"                         and gives no reason (default 30)\n"
	"      --pause SECS       wait up to SECS for paper or the printer to come\n"
	"                         back on line (default 600)\n"
	"  -w, --wait-ready       before printing, wait until the printer reports\n"
	"                         ready (up to --pause)\n"
	"  -r, --resume-at BYTES  skip BYTES of the job: the printer has them\n"
	"  -v, --verbose          say what was sent, and every status change; -vv:\n"
	"                         and the library's errors and state changes,\n"
	"                         -vvv: and every byte (as HS_DEBUG=2, 3)\n"
	"  -h, --help             this text\n"
	"  -V, --version          the version\n"
	"\n"
	"Exit status: 0 printed; 64 usage; 66 a file cannot be read; 68 no such\n"
	"host; 69 no such printer, or its server refused; 74 the printer failed\n"
	"or went away, or its server closed the connection (the message gives the\n"
	"bytes it took: resume with --resume-at); 75 it stalled or stayed out of\n"
	"paper past the timeout, or is busy; 77 permission; 130 interrupted.\n";

struct opts {
	const char *uri, *driver;
	struct tool_line line;    /* -b, -f, -p, --databits, --stopbits */
	int status, json, wait_ready, verbose;
	int timeout_s, pause_s;
	size_t resume_at;
	int resume_given;
};

static volatile int canceled;
static int bar;          /* draw a progress bar: stderr is a terminal */
static int verbose;
static const char *current;

/* What a print run's --json answer says: each job, and the status
 * changes the printer reported. */
#define MAX_CHANGES 64
struct job {
	const char *file;
	size_t resume_at, accepted;
	long long ms;
	int err;                  /* HS_OK, or why it failed */
	char message[512];
};
static struct {
	struct job *jobs;
	int njobs;
	struct {
		int job;
		long long at_ms;
		char flags[96], detail[160];  /* hs_printer_status.detail */
	} changes[MAX_CHANGES];
	int nchanges, dropped;
	long long t0;
} run;

static void on_signal(int sig)
{
	(void)sig;
	canceled = 1;
}

static void on_progress(void *ctx, const struct hs_print_progress *p)
{
	(void)ctx;
	if (!bar)
		return;
	if (p->total) {
		int pct = (int)(p->accepted * 100 / p->total), fill = pct / 5;
		fprintf(stderr, "\r%s: %s [%.*s%*s] %3d%% %7.1f KiB/s", tool_name, current,
			fill, "====================", 20 - fill, "", pct, p->rate / 1024);
		if (p->eta_s >= 0)
			fprintf(stderr, " %d:%02d left ", (int)p->eta_s / 60, (int)p->eta_s % 60);
	} else {
		fprintf(stderr, "\r%s: %s %zu bytes %7.1f KiB/s", tool_name, current,
			p->accepted, p->rate / 1024);
	}
	fflush(stderr);
}

static void on_status(void *ctx, const struct hs_printer_status *st)
{
	char flags[96];
	(void)ctx;
	if (bar)
		fputc('\n', stderr);
	hs_printer_flags_text(st->flags, flags, sizeof(flags));
	tool_warn("printer says: %s%s%s", flags, st->detail[0] ? " - " : "", st->detail);
	if (run.nchanges == MAX_CHANGES) {
		run.dropped++;
		return;
	}
	run.changes[run.nchanges].job = run.njobs - 1;  /* the job printing */
	run.changes[run.nchanges].at_ms = tool_now_ms() - run.t0;
	snprintf(run.changes[run.nchanges].flags, sizeof(run.changes[0].flags), "%s", flags);
	snprintf(run.changes[run.nchanges].detail, sizeof(run.changes[0].detail), "%s", st->detail);
	run.nchanges++;
}

/* The print run's answer: every job, and what the printer said. */
static void print_json(struct hs_printer *p, int status)
{
	const struct job *failed = NULL;
	unsigned long long sent = 0;
	struct tool_json j;

	for (int i = 0; i < run.njobs; i++) {
		sent += run.jobs[i].accepted - run.jobs[i].resume_at;
		if (run.jobs[i].err != HS_OK)
			failed = &run.jobs[i];
	}
	tool_json_begin(&j, stdout);
	tool_json_bool(&j, "ok", !failed);
	tool_json_str(&j, "mode", "print");
	tool_json_int(&j, "exit", status);
	tool_json_str(&j, "device", hs_link_info(hs_printer_link(p))->path);
	tool_json_str(&j, "driver", hs_printer_driver_name(p));
	tool_json_int(&j, "accepted", (long long)sent);
	tool_json_int(&j, "time_ms", tool_now_ms() - run.t0);
	tool_json_array(&j, "jobs");
	for (int i = 0; i < run.njobs; i++) {
		const struct job *b = &run.jobs[i];
		tool_json_object(&j, NULL);
		tool_json_str(&j, "file", b->file);
		tool_json_bool(&j, "ok", b->err == HS_OK);
		tool_json_int(&j, "resume_at", (long long)b->resume_at);
		tool_json_int(&j, "accepted", (long long)b->accepted);
		tool_json_int(&j, "time_ms", b->ms);
		tool_json_close(&j);
	}
	tool_json_close(&j);
	tool_json_array(&j, "status_changes");
	for (int i = 0; i < run.nchanges; i++) {
		tool_json_object(&j, NULL);
		tool_json_int(&j, "job", run.changes[i].job);
		tool_json_int(&j, "at_ms", run.changes[i].at_ms);
		tool_json_str(&j, "flags", run.changes[i].flags);
		tool_json_str(&j, "detail", run.changes[i].detail);
		tool_json_close(&j);
	}
	tool_json_close(&j);
	if (run.dropped)
		tool_json_int(&j, "status_changes_dropped", run.dropped);
	if (failed) {
		/* where --resume-at takes the failed job up again */
		if (failed->err != HS_ERR_ARG)
			tool_json_int(&j, "resume_at", (long long)failed->accepted);
		tool_json_error(&j, failed->err, failed->message);
	}
	tool_json_end(&j);
}

static void print_status(struct hs_printer *p, const struct opts *o)
{
	struct hs_printer_status st;
	const struct hs_link_info *info = hs_link_info(hs_printer_link(p));
	char flags[96], raw[HS_1284_MAX + 1] = "";
	struct hs_1284_id id = { .make_model = "" };
	struct tool_json j;
	int rc = hs_printer_get_status(p, &st, 3000);

	if (rc < 0)
		tool_fail(rc, "%s", hs_last_error());
	hs_printer_flags_text(st.flags, flags, sizeof(flags));
	/* The identity a USB printer gives (what CUPS lists it as); none on
	 * serial links, where this is not supported. */
	if (info->transport == HS_TRANSPORT_USB &&
	    ((rc = hs_link_device_id(hs_printer_link(p), raw, sizeof(raw), 2000)) <= 0 ||
	     hs_1284_parse(raw, (size_t)rc, info->usb_serial, &id) < 0))
		raw[0] = 0;
	if (!o->json) {
		printf("device:    %s\n", info->path);
		printf("transport: %s\n", hs_transport_name(info->transport));
		if (info->usb_vid >= 0)
			printf("usb:       %04x:%04x %s %s %s\n", info->usb_vid, info->usb_pid,
			       info->usb_manufacturer, info->usb_product, info->usb_serial);
		if (raw[0]) {
			printf("model:     %s\n", id.make_model);
			printf("device-id: %s\n", raw);
		}
		printf("driver:    %s\n", hs_printer_driver_name(p));
		printf("status:    %s\n", st.known ? flags : "unknown");
		if (st.detail[0])
			printf("detail:    %s\n", st.detail);
		return;
	}
	tool_json_begin(&j, stdout);
	tool_json_bool(&j, "ok", 1);
	tool_json_str(&j, "mode", "status");
	tool_json_int(&j, "exit", 0);
	tool_json_str(&j, "device", info->path);
	tool_json_str(&j, "transport", hs_transport_name(info->transport));
	tool_json_str(&j, "driver", hs_printer_driver_name(p));
	if (info->usb_vid >= 0) {
		char hex[8];
		tool_json_object(&j, "usb");
		snprintf(hex, sizeof(hex), "%04x", info->usb_vid & 0xffff);
		tool_json_str(&j, "vid", hex);
		snprintf(hex, sizeof(hex), "%04x", info->usb_pid & 0xffff);
		tool_json_str(&j, "pid", hex);
		tool_json_str(&j, "manufacturer", info->usb_manufacturer);
		tool_json_str(&j, "product", info->usb_product);
		tool_json_str(&j, "serial", info->usb_serial);
		tool_json_close(&j);
	}
	if (raw[0]) {
		tool_json_str(&j, "model", id.make_model);
		tool_json_str(&j, "device_id", raw);
	}
	tool_json_object(&j, "status");
	tool_json_bool(&j, "known", st.known);
	tool_json_bool(&j, "ready", st.known && !st.flags);
	tool_json_str(&j, "flags", st.known ? flags : "");
	tool_json_int(&j, "code", st.code);
	tool_json_str(&j, "detail", st.detail);
	tool_json_end(&j);
}

static void wait_ready(struct hs_printer *p, const struct opts *o)
{
	int waited = 0;

	for (;;) {
		struct hs_printer_status st;
		int rc = hs_printer_get_status(p, &st, 2000);
		if (rc < 0)
			tool_fail(rc, "%s", hs_last_error());
		if (!st.known || !(st.flags & ~(unsigned)(HS_PST_PAPER_LOW | HS_PST_BUSY)))
			return;
		if (waited == 0)
			on_status(NULL, &st);
		if (waited >= o->pause_s * 1000 || canceled)
			tool_die(EX_TEMPFAIL, "%s is still not ready after %d s",
				 hs_link_info(hs_printer_link(p))->path, o->pause_s);
		/* A status poll a second is what a person watching would do. */
		usleep(1000 * 1000);
		waited += 1000;
	}
}

static int print_one(struct hs_printer *p, const char *file, const struct opts *o)
{
	struct hs_print_opts po = {
		.resume_at = o->resume_at,
		.stall_timeout_ms = o->timeout_s * 1000,
		.pause_timeout_ms = o->pause_s * 1000,
		.progress = on_progress,
		.status = on_status,
		.cancel = &canceled,
	};
	size_t accepted = 0;
	int fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY | O_CLOEXEC);
	struct job *b = &run.jobs[run.njobs++];
	long long start = tool_now_ms();
	int rc;

	current = strcmp(file, "-") == 0 ? "(stdin)" : file;
	*b = (struct job){ .file = current, .resume_at = o->resume_at, .accepted = o->resume_at };
	if (fd < 0) {
		snprintf(b->message, sizeof(b->message), "cannot read %s: %s", file, strerror(errno));
		b->err = HS_ERR_IO;
		tool_warn("%s", b->message);
		return EX_NOINPUT;
	}
	rc = hs_printer_print_fd(p, fd, &po, &accepted);
	b->ms = tool_now_ms() - start;
	b->accepted = accepted;
	if (bar)
		fputc('\n', stderr);
	if (fd)
		close(fd);
	if (rc < 0) {
		b->err = rc;
		snprintf(b->message, sizeof(b->message), "%s: %s", current, hs_last_error());
		tool_warn("%s", b->message);
		/* A bad offset is not a job to finish: nothing was printed. */
		if (rc != HS_ERR_ARG)
			tool_warn("to finish this job later: --resume-at %zu", accepted);
		return tool_exit_code(rc);
	}
	if (verbose) {
		char done[160];
		hsprint_took_all(done, sizeof(done), p, accepted);
		tool_warn("%s: %s", current, done);
	}
	return 0;
}

/* Options without a short form (-p is --parity, as in picocom). */
enum { OPT_PAUSE = 256 };

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "driver", required_argument, NULL, 'D' },
		{ "status", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pause", required_argument, NULL, OPT_PAUSE },
		{ "wait-ready", no_argument, NULL, 'w' },
		{ "resume-at", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		TOOL_LINE_LONG,
		{ 0 },
	};
	struct opts o = { .uri = getenv("HS_PRINTER"), .timeout_s = 30, .pause_s = 600 };
	struct hs_printer *p;
	int c, rc = 0;

	if (hsprint_cups_wanted(argc, argv))
		return hsprint_cups_main(argc, argv);
	if (tool_arg_given(argc, argv, "--json") || tool_arg_given(argc, argv, "-j"))
		tool_json_out = stdout;
	while ((c = getopt_long(argc, argv, "d:D:sjt:wr:vhV" TOOL_LINE_SHORT, long_opts,
				NULL)) != -1) {
		if (tool_line_option(&o.line, c, optarg))
			continue;
		switch (c) {
		case 'd': o.uri = optarg; break;
		case 'D': o.driver = optarg; break;
		case 's': o.status = 1; break;
		case 'j': o.json = 1; break;
		case 't': o.timeout_s = tool_int("--timeout", optarg, 1, 86400); break;
		case OPT_PAUSE: o.pause_s = tool_int("--pause", optarg, 1, 86400); break;
		case 'w': o.wait_ready = 1; break;
		case 'r':
			o.resume_at = (size_t)tool_int("--resume-at", optarg, 0, 2147483647);
			o.resume_given = 1;
			break;
		case 'v': o.verbose++; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		default:
			tool_bad_option();
			return EX_USAGE;
		}
	}
	if (!o.uri || !*o.uri)
		tool_die(EX_USAGE, "name the printer with -d URI (or set HS_PRINTER)");
	if (o.resume_given && argc - optind > 1)
		tool_die(EX_USAGE, "--resume-at applies to one job: give one file");
	verbose = o.verbose;
	tool_trace(o.verbose);
	bar = isatty(2);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if ((rc = hs_printer_open(&p, tool_line_uri(&o.line, o.uri), o.driver)) < 0)
		tool_fail(rc, "%s", hs_last_error());
	if (o.status) {
		print_status(p, &o);
		hs_printer_close(p);
		return 0;
	}
	if (o.wait_ready)
		wait_ready(p, &o);
	run.t0 = tool_now_ms();
	if (!(run.jobs = calloc((size_t)(argc - optind + 1), sizeof(*run.jobs))))
		tool_die(EX_OSERR, "out of memory");
	if (optind == argc)
		rc = print_one(p, "-", &o);
	for (int i = optind; i < argc && rc == 0; i++)
		rc = print_one(p, argv[i], &o);
	if (o.json)
		print_json(p, rc);
	free(run.jobs);
	hs_printer_close(p);
	return rc;
}
