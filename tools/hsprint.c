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
	"  -D, --driver NAME      pjl, escpos, zpl or generic (default: matched)\n"
	"  -s, --status           print the printer's status and identity\n"
	"  -j, --json             --status as JSON\n"
	"  -t, --timeout SECS     give up when the printer takes nothing for SECS\n"
	"                         and gives no reason (default 30)\n"
	"  -p, --pause SECS       wait up to SECS for paper or the printer to come\n"
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
	int status, json, wait_ready, verbose;
	int timeout_s, pause_s;
	size_t resume_at;
	int resume_given;
};

static volatile int canceled;
static int bar;          /* draw a progress bar: stderr is a terminal */
static int verbose;
static const char *current;

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
	tool_warn("printer says: %s%s%s", hs_printer_flags_text(st->flags, flags, sizeof(flags)),
		  st->detail[0] ? " - " : "", st->detail);
}

static void print_status(struct hs_printer *p, const struct opts *o)
{
	struct hs_printer_status st;
	const struct hs_link_info *info = hs_link_info(hs_printer_link(p));
	char flags[96], raw[HS_1284_MAX + 1] = "";
	struct hs_1284_id id = { .make_model = "" };
	int rc = hs_printer_get_status(p, &st, 3000);

	if (rc < 0)
		tool_die(tool_exit_code(rc), "%s", hs_last_error());
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
	printf("{\"device\":");
	tool_json_string(stdout, info->path);
	printf(",\"transport\":\"%s\",\"driver\":\"%s\"", hs_transport_name(info->transport),
	       hs_printer_driver_name(p));
	if (info->usb_vid >= 0) {
		printf(",\"usb\":{\"vid\":\"%04x\",\"pid\":\"%04x\",\"manufacturer\":",
		       info->usb_vid, info->usb_pid);
		tool_json_string(stdout, info->usb_manufacturer);
		printf(",\"product\":");
		tool_json_string(stdout, info->usb_product);
		printf(",\"serial\":");
		tool_json_string(stdout, info->usb_serial);
		printf("}");
	}
	if (raw[0]) {
		printf(",\"model\":");
		tool_json_string(stdout, id.make_model);
		printf(",\"device_id\":");
		tool_json_string(stdout, raw);
	}
	printf(",\"status\":{\"known\":%s,\"ready\":%s,\"flags\":",
	       st.known ? "true" : "false", st.known && !st.flags ? "true" : "false");
	tool_json_string(stdout, st.known ? flags : "");
	printf(",\"code\":%d,\"detail\":", st.code);
	tool_json_string(stdout, st.detail);
	printf("}}\n");
}

static void wait_ready(struct hs_printer *p, const struct opts *o)
{
	int waited = 0;

	for (;;) {
		struct hs_printer_status st;
		int rc = hs_printer_get_status(p, &st, 2000);
		if (rc < 0)
			tool_die(tool_exit_code(rc), "%s", hs_last_error());
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
	int rc;

	if (fd < 0)
		tool_die(EX_NOINPUT, "cannot read %s: %s", file, strerror(errno));
	current = strcmp(file, "-") == 0 ? "(stdin)" : file;
	rc = hs_printer_print_fd(p, fd, &po, &accepted);
	if (bar)
		fputc('\n', stderr);
	if (fd)
		close(fd);
	if (rc < 0) {
		tool_warn("%s: %s", current, hs_last_error());
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

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "driver", required_argument, NULL, 'D' },
		{ "status", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "pause", required_argument, NULL, 'p' },
		{ "wait-ready", no_argument, NULL, 'w' },
		{ "resume-at", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct opts o = { .uri = getenv("HS_PRINTER"), .timeout_s = 30, .pause_s = 600 };
	struct hs_printer *p;
	int c, rc = 0;

	if (hsprint_cups_wanted(argc, argv))
		return hsprint_cups_main(argc, argv);
	while ((c = getopt_long(argc, argv, "d:D:sjt:p:wr:vhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.uri = optarg; break;
		case 'D': o.driver = optarg; break;
		case 's': o.status = 1; break;
		case 'j': o.json = 1; break;
		case 't': o.timeout_s = tool_int("--timeout", optarg, 1, 86400); break;
		case 'p': o.pause_s = tool_int("--pause", optarg, 1, 86400); break;
		case 'w': o.wait_ready = 1; break;
		case 'r':
			o.resume_at = (size_t)tool_int("--resume-at", optarg, 0, 2147483647);
			o.resume_given = 1;
			break;
		case 'v': o.verbose++; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': tool_version();
		default: tool_usage_hint(); return EX_USAGE;
		}
	}
	if (!o.uri || !*o.uri)
		tool_die(EX_USAGE, "name the printer with -d URI (or set HS_PRINTER)");
	if (o.json && !o.status)
		tool_die(EX_USAGE, "--json goes with --status");
	if (o.resume_given && argc - optind > 1)
		tool_die(EX_USAGE, "--resume-at applies to one job: give one file");
	verbose = o.verbose;
	tool_trace(o.verbose);
	bar = isatty(2);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if ((rc = hs_printer_open(&p, o.uri, o.driver)) < 0)
		tool_die(tool_exit_code(rc), "%s", hs_last_error());
	if (o.status) {
		print_status(p, &o);
		hs_printer_close(p);
		return 0;
	}
	if (o.wait_ready)
		wait_ready(p, &o);
	if (optind == argc)
		rc = print_one(p, "-", &o);
	for (int i = optind; i < argc && rc == 0; i++)
		rc = print_one(p, argv[i], &o);
	hs_printer_close(p);
	return rc;
}
