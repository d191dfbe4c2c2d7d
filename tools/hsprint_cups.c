/*
 * hsprint_cups.c - hsprint as the CUPS backend "hs" (backend(7)).
 *
 * When: argv[0]'s basename is "hs" (how CUPS runs an installed backend),
 * or DEVICE_URI starts with "hs:" and there are 5 or 6 arguments whose
 * first is a job id (how CUPS runs any backend). With no arguments it
 * lists devices; with job arguments it prints the job to DEVICE_URI.
 *
 * What CUPS sees:
 *  - stdout (discovery): one cupsBackendReport-style line per printer.
 *  - stderr: STATE: +/-reason, INFO:, DEBUG:, ATTR: job-media-progress=.
 *  - fd 4 (side channel): answered by a thread while the job runs, since
 *    a filter may wait for an answer before it writes more of the job.
 *  - exit code: the CUPS_BACKEND_* mapping in backend_code() below.
 *
 * Threads: the job engine owns the link while a job runs (phase
 * PRINTING); the side channel then answers from what was cached before
 * the job (device ID) and what the callbacks saw (status). Outside a job
 * it may use the link itself, under `lock`.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <handshake/handshake.h>
#include <handshake/ieee1284.h>
#include <handshake/printer.h>
#include <handshake/usb.h>
#include "hsprint.h"
#include "tool.h"

/* backend(7) exit codes (cups/backend.h). */
enum {
	CUPS_BACKEND_OK = 0,
	CUPS_BACKEND_FAILED = 1,
	CUPS_BACKEND_HOLD = 3,
	CUPS_BACKEND_STOP = 4,
	CUPS_BACKEND_CANCEL = 5,
	CUPS_BACKEND_RETRY = 6,
};

/* The side-channel protocol (cups/sidechannel.h): each message is
 * command, status, a 16-bit big-endian data length, then the data. */
#define SC_FD 4
#define SC_MAX_DATA 65535
enum sc_cmd {
	SC_SOFT_RESET = 1, SC_DRAIN_OUTPUT = 2, SC_GET_BIDI = 3, SC_GET_DEVICE_ID = 4,
	SC_GET_STATE = 5, SC_SNMP_GET = 6, SC_SNMP_GET_NEXT = 7, SC_GET_CONNECTED = 8,
};
enum sc_status {
	SC_OK = 1, SC_IO_ERROR = 2, SC_TIMEOUT = 3, SC_NO_RESPONSE = 4,
	SC_BAD_MESSAGE = 5, SC_TOO_BIG = 6, SC_NOT_IMPLEMENTED = 7,
};
enum sc_state {
	SC_STATE_OFFLINE = 0, SC_STATE_ONLINE = 1, SC_STATE_BUSY = 2, SC_STATE_ERROR = 4,
	SC_STATE_MEDIA_LOW = 16, SC_STATE_MEDIA_EMPTY = 32,
};

/* CUPS printer-state-reasons for our status flags. */
static const struct {
	unsigned flag;
	const char *reason;
} reasons[] = {
	{ HS_PST_PAPER_OUT, "media-empty-error" },
	{ HS_PST_PAPER_LOW, "media-low-report" },
	{ HS_PST_OFFLINE, "offline-report" },
	{ HS_PST_PAUSED, "offline-report" },
	{ HS_PST_COVER_OPEN, "cover-open-report" },
	{ HS_PST_ERROR, "other-error-report" },
};

enum phase { OPENING, PRINTING, DONE };

static struct {
	pthread_mutex_t lock;        /* guards every field below, and stderr */
	struct hs_printer *p;        /* the link may be used when phase != PRINTING */
	enum phase phase;
	char device_id[HS_1284_MAX + 1]; /* read before the job, "" none */
	unsigned flags;              /* status flags last reported */
	int connected;               /* 0 once the printer went away */
	int64_t last_taken;          /* ms: last progress with more accepted */
	size_t accepted;             /* job bytes the printer took so far */
	int held;                    /* held with no reason: reported offline */
	int input_fd;                /* the job's input, for DRAIN_OUTPUT */
	int input_pipe;              /* it is a pipe: FIONREAD says what waits */
	int reset_wanted;            /* SOFT_RESET during a job */
	int sc_busy;                 /* a side-channel request is being answered */
	int sc_open;                 /* the side-channel thread runs: no EOF on fd 4 yet */
	int last_pct;                /* job-media-progress last printed */
} be = { .lock = PTHREAD_MUTEX_INITIALIZER, .connected = 1, .input_fd = -1, .last_pct = -1 };

static volatile int canceled;          /* stop the job: SIGTERM or a SOFT_RESET */
static volatile sig_atomic_t terminated; /* cupsd sent SIGTERM */

/* One line to cupsd on stderr; callers hold be.lock or are alone. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* cupsBackendReport's quoting: \ and " get a backslash, control
 * characters (but tab) and DEL become a space. */
static void quoted(const char *s)
{
	fputs(" \"", stdout);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\' || c == '"')
			putchar('\\');
		putchar((c < ' ' && c != '\t') || c == 0x7f ? ' ' : c);
	}
	putchar('"');
}

/* Discovery: every USB printer the library can see, as CUPS's usb
 * backend lists it: its make and model is the string CUPS derives from
 * the 1284 ID ("Unknown" without one), which CUPS matches drivers on;
 * the info names it by its USB strings when the ID does not. Serial
 * ports are not listed: nothing on a bare serial line says a printer is
 * there. */
static int list_devices(void)
{
	struct hs_usb_printer *list = NULL;
	int n = hs_usb_list_printers(&list);

	if (n < 0) {
		say("DEBUG: hs: cannot list USB printers: %s", hs_last_error());
		return CUPS_BACKEND_OK; /* no devices is an answer, not a failure */
	}
	for (int i = 0; i < n; i++) {
		const struct hs_usb_printer *u = &list[i];
		struct hs_1284_id id;
		char info[HS_1284_FIELD * 2 + 16], uri[sizeof(u->uri) + 3];
		int parsed = u->device_id[0] &&
			     hs_1284_parse(u->device_id, strlen(u->device_id), u->serial, &id) == 0;

		if (parsed)
			snprintf(info, sizeof(info), "%s (USB)", id.make_model);
		else if (u->manufacturer[0] || u->product[0])
			snprintf(info, sizeof(info), "%s%s%s (USB)", u->manufacturer,
				 u->manufacturer[0] && u->product[0] ? " " : "", u->product);
		else
			snprintf(info, sizeof(info), "USB printer %04x:%04x", u->vid, u->pid);
		snprintf(uri, sizeof(uri), "hs:%s", u->uri);
		printf("direct %s", uri);
		quoted(parsed ? id.make_model : "Unknown");
		quoted(info);
		quoted(u->device_id);
		quoted("");
		putchar('\n');
	}
	fflush(stdout);
	hs_usb_free_printers(list);
	return CUPS_BACKEND_OK;
}

/* Our error, as the code that tells cupsd what to do next. */
static int backend_code(int err)
{
	switch (err) {
	case HS_OK:
		return CUPS_BACKEND_OK;
	case HS_ERR_ARG:            /* unknown driver in the URI */
	case HS_ERR_URI:
	case HS_ERR_URI_OPTION:
	case HS_ERR_URI_VALUE:
	case HS_ERR_NOT_TTY:
	case HS_ERR_PERMISSION:     /* needs the administrator: stop the queue */
		return CUPS_BACKEND_STOP;
	case HS_ERR_NO_DEVICE:      /* switched off or unplugged: try later */
	case HS_ERR_UNPLUGGED:
	case HS_ERR_NO_HOST:        /* a device server down or away: the same */
	case HS_ERR_CONN_REFUSED:
	case HS_ERR_HOST_UNREACHABLE:
	case HS_ERR_CONN_RESET:
	case HS_ERR_CONN_CLOSED:
	case HS_ERR_BUSY:
	case HS_ERR_TIMEOUT:
		return CUPS_BACKEND_RETRY;
	case HS_ERR_CANCELED:
		return CUPS_BACKEND_CANCEL;
	default:                    /* stall, I/O: the printer's error-policy */
		return CUPS_BACKEND_FAILED;
	}
}

/* Report the flags that changed: STATE: +reason / -reason. Lock held. */
static void set_flags(unsigned flags)
{
	char plus[160] = "", minus[160] = "";

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		int was = !!(be.flags & reasons[i].flag), is = !!(flags & reasons[i].flag);
		char *to = is ? plus : minus;
		if (was == is || strstr(plus, reasons[i].reason) || strstr(minus, reasons[i].reason))
			continue;
		snprintf(to + strlen(to), 160 - strlen(to), "%s%s", to[0] ? "," : "",
			 reasons[i].reason);
	}
	if (minus[0])
		say("STATE: -%s", minus);
	if (plus[0])
		say("STATE: +%s", plus);
	be.flags = flags;
}

/* A hold with no reason (flags HS_PST_BUSY only: a serial printer busy
 * by DSR or XOFF looks the same whether its buffer is full, its paper is
 * out or it is off line) is reported off line, as CUPS has no reason for
 * "busy"; flags 0 is the printer taking bytes again. */
static void on_status(void *ctx, const struct hs_printer_status *st)
{
	char text[96];
	unsigned flags = st->flags;

	(void)ctx;
	pthread_mutex_lock(&be.lock);
	be.held = st->known && flags == HS_PST_BUSY;
	if (be.held)
		flags = HS_PST_OFFLINE;
	if (st->known)
		set_flags(flags & ~(unsigned)HS_PST_BUSY);
	say("INFO: printer says: %s%s%s", hs_printer_flags_text(st->flags, text, sizeof(text)),
	    st->detail[0] ? " - " : "", st->detail);
	pthread_mutex_unlock(&be.lock);
}

/* cupsd gives a backend its back channel as a pipe on fd 3. Anything else
 * there (a file or terminal a shell left open) is not one: writing the
 * printer's bytes into it would corrupt it. */
static int have_backchannel(void)
{
	struct stat st;

	return fstat(3, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* What the printer sends back goes to the filters on fd 3 (CUPS's back
 * channel), as the usb backend does. */
static void on_backchannel(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = write(3, data, len);
		if (n <= 0)
			return;
		data = (const char *)data + n;
		len -= (size_t)n;
	}
}

static void on_progress(void *ctx, const struct hs_print_progress *pr)
{
	(void)ctx;
	pthread_mutex_lock(&be.lock);
	if (pr->accepted != be.accepted) {
		be.accepted = pr->accepted;
		be.last_taken = tool_now_ms();
	}
	if (pr->total) {
		int pct = (int)(pr->accepted * 100 / pr->total);
		if (pct != be.last_pct)
			say("ATTR: job-media-progress=%d", pct);
		be.last_pct = pct;
	}
	pthread_mutex_unlock(&be.lock);
}

/* Bytes of the job waiting in its pipe from the filter; -1 when the
 * input is a file (the engine then never waits for it). */
static int input_waiting(void)
{
	int n = 0;

	if (!be.input_pipe)
		return -1;
	return ioctl(be.input_fd, FIONREAD, &n) == 0 ? n : -1;
}

static int sc_state(void)
{
	int s = be.connected ? SC_STATE_ONLINE : SC_STATE_OFFLINE;

	if (be.flags & (HS_PST_OFFLINE | HS_PST_PAUSED))
		s = SC_STATE_OFFLINE;
	if (be.flags & HS_PST_PAPER_OUT)
		s |= SC_STATE_MEDIA_EMPTY;
	if (be.flags & HS_PST_PAPER_LOW)
		s |= SC_STATE_MEDIA_LOW;
	if (be.flags & (HS_PST_ERROR | HS_PST_COVER_OPEN))
		s |= SC_STATE_ERROR;
	if (be.phase == PRINTING && be.held)
		s |= SC_STATE_BUSY;
	return s;
}

static int full_read(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void sc_reply(int cmd, int status, const void *data, size_t len)
{
	unsigned char msg[4 + SC_MAX_DATA];

	if (len > SC_MAX_DATA)
		len = SC_MAX_DATA;
	msg[0] = (unsigned char)cmd;
	msg[1] = (unsigned char)status;
	msg[2] = (unsigned char)(len >> 8);
	msg[3] = (unsigned char)len;
	if (len)
		memcpy(msg + 4, data, len);
	/* One write, as cupsSideChannelWrite does: the reader takes a
	 * message per read. */
	while (write(SC_FD, msg, 4 + len) < 0 && errno == EINTR)
		;
}

/* DRAIN_OUTPUT: answer once what the job was given has reached the
 * printer. During a job the engine's queue is not visible from here, so
 * "drained" is: the filter's pipe is empty and the printer has taken
 * nothing for 300 ms without being held. */
static int sc_drain(void)
{
	for (;;) {
		pthread_mutex_lock(&be.lock);
		if (be.phase != PRINTING) {
			int rc = be.p ? hs_link_drain(hs_printer_link(be.p), 10000) : 0;
			pthread_mutex_unlock(&be.lock);
			return rc < 0 ? SC_IO_ERROR : SC_OK;
		}
		/* A file is all the engine's: drained when the job is. */
		int quiet = be.input_pipe && input_waiting() == 0 &&
			    tool_now_ms() - be.last_taken >= 300 && !be.held;
		pthread_mutex_unlock(&be.lock);
		if (quiet)
			return SC_OK;
		usleep(50 * 1000);
	}
}

static int sc_soft_reset(void)
{
	int rc = 0;

	pthread_mutex_lock(&be.lock);
	if (be.phase == PRINTING) {
		/* The engine owns the link: it stops, and resets the printer. */
		be.reset_wanted = 1;
		canceled = 1;
	} else if (be.p) {
		rc = hs_printer_reset(be.p, 5000);
	}
	pthread_mutex_unlock(&be.lock);
	return rc < 0 && rc != HS_ERR_NOT_SUPPORTED ? SC_IO_ERROR : SC_OK;
}

/* Answer the side channel until the job ends. */
static void *side_channel(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd pfd = { .fd = SC_FD, .events = POLLIN };
		unsigned char hdr[4], data[256];
		unsigned char byte;

		/* Requests come when the filters ask; the thread ends with
		 * the process or when they close the channel. */
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		pthread_mutex_lock(&be.lock);
		be.sc_busy = 1;
		pthread_mutex_unlock(&be.lock);
		if (full_read(SC_FD, hdr, 4) < 0) {
			pthread_mutex_lock(&be.lock);
			be.sc_busy = 0;
			be.sc_open = 0;
			pthread_mutex_unlock(&be.lock);
			return NULL; /* the filter side closed */
		}
		size_t len = (size_t)hdr[2] << 8 | hdr[3];
		/* Requests carry at most an SNMP OID; drain anything longer. */
		for (size_t i = 0; i < len; i++)
			if (full_read(SC_FD, i < sizeof(data) ? &data[i] : &byte, 1) < 0)
				break;
		switch (hdr[0]) {
		case SC_GET_DEVICE_ID:
			pthread_mutex_lock(&be.lock);
			if (be.device_id[0])
				sc_reply(hdr[0], SC_OK, be.device_id, strlen(be.device_id));
			else
				sc_reply(hdr[0], SC_NOT_IMPLEMENTED, NULL, 0);
			pthread_mutex_unlock(&be.lock);
			break;
		case SC_GET_STATE:
			pthread_mutex_lock(&be.lock);
			byte = (unsigned char)sc_state();
			pthread_mutex_unlock(&be.lock);
			sc_reply(hdr[0], SC_OK, &byte, 1);
			break;
		case SC_GET_CONNECTED:
			pthread_mutex_lock(&be.lock);
			byte = (unsigned char)(be.connected && be.p);
			pthread_mutex_unlock(&be.lock);
			sc_reply(hdr[0], SC_OK, &byte, 1);
			break;
		case SC_GET_BIDI:
			/* Read-back bytes are passed on on fd 3 when it is open. */
			byte = (unsigned char)have_backchannel();
			sc_reply(hdr[0], SC_OK, &byte, 1);
			break;
		case SC_DRAIN_OUTPUT:
			sc_reply(hdr[0], sc_drain(), NULL, 0);
			break;
		case SC_SOFT_RESET:
			sc_reply(hdr[0], sc_soft_reset(), NULL, 0);
			break;
		default:
			sc_reply(hdr[0], hdr[0] == SC_SNMP_GET || hdr[0] == SC_SNMP_GET_NEXT
					 ? SC_NOT_IMPLEMENTED : SC_BAD_MESSAGE, NULL, 0);
		}
		pthread_mutex_lock(&be.lock);
		be.sc_busy = 0;
		pthread_mutex_unlock(&be.lock);
	}
	return NULL;
}

/* Before exit: let the side channel answer what a filter already asked
 * (a DRAIN_OUTPUT waits for the job's end), for up to 10 s. Nothing is
 * pending once the filter side has closed it: under cupsd with no filter
 * left (a raw queue) fd 4 is at EOF, readable for ever, from the start. */
static void sc_finish(void)
{
	int64_t until = tool_now_ms() + 10000;

	while (tool_now_ms() < until && !terminated) {
		struct pollfd pfd = { .fd = SC_FD, .events = POLLIN };
		pthread_mutex_lock(&be.lock);
		int busy = be.sc_busy, open = be.sc_open;
		pthread_mutex_unlock(&be.lock);
		if (!open || (!busy && poll(&pfd, 1, 0) == 0))
			return;
		/* A request the thread is reading or answering: its end is
		 * a matter of milliseconds (or of the drain it waits for). */
		usleep(10 * 1000);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	canceled = 1;
	terminated = 1;
}

/* A CUPS job option "name=value" from argv[5], as seconds. */
static int job_option(const char *options, const char *name, int dflt)
{
	size_t n = strlen(name);

	for (const char *s = options; s && (s = strstr(s, name)); s += n) {
		if ((s == options || s[-1] == ' ') && s[n] == '=') {
			long v = strtol(s + n + 1, NULL, 10);
			return v > 0 && v <= 86400 * 7 ? (int)v : dflt;
		}
	}
	return dflt;
}

static int print_job(int argc, char **argv)
{
	const char *uri = getenv("DEVICE_URI");
	const char *file = argc == 7 ? argv[6] : NULL;
	int copies = file ? atoi(argv[4]) : 1; /* a filter did the copies on stdin */
	struct hs_print_opts po = {
		.stall_timeout_ms = job_option(argv[5], "hs-timeout", 600) * 1000,
		.pause_timeout_ms = job_option(argv[5], "hs-pause", 86400) * 1000,
		.progress = on_progress,
		.status = on_status,
		.cancel = &canceled,
		.backchannel = have_backchannel() ? on_backchannel : NULL,
	};
	struct hs_printer *p;
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t tid;
	int have_sc;
	int rc = 0, fd = 0;
	size_t accepted = 0;
	struct stat st;

	have_sc = fcntl(SC_FD, F_GETFD) >= 0;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!uri || strncmp(uri, "hs:", 3) != 0) {
		say("ERROR: DEVICE_URI must be hs:<handshake URI>, not \"%s\"", uri ? uri : "");
		return CUPS_BACKEND_STOP;
	}
	if (file && (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		say("ERROR: cannot read %s: %s", file, strerror(errno));
		return CUPS_BACKEND_FAILED;
	}
	if (copies < 1)
		copies = 1;
	say("DEBUG: hs: job %s to %s", argv[1], uri + 3);
	pthread_mutex_lock(&be.lock);
	be.input_fd = fd;
	be.input_pipe = fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	be.last_taken = tool_now_ms();
	pthread_mutex_unlock(&be.lock);
	/* Open first, so the side channel's first answer has the ID. */
	pthread_mutex_lock(&be.lock);
	rc = hs_printer_open(&p, uri + 3, NULL);
	if (rc == 0) {
		be.p = p;
		if (hs_link_device_id(hs_printer_link(p), be.device_id, sizeof(be.device_id),
				      3000) < 0)
			be.device_id[0] = 0;
		say("DEBUG: hs: %s, driver %s", hs_link_info(hs_printer_link(p))->path,
		    hs_printer_driver_name(p));
	}
	pthread_mutex_unlock(&be.lock);
	if (rc == 0 && have_sc) {
		/* Open before the thread runs: it may see EOF and say so at
		 * once (a raw queue), and that must not be overwritten. */
		be.sc_open = 1;
		if (pthread_create(&tid, NULL, side_channel, NULL) == 0)
			pthread_detach(tid);
		else
			be.sc_open = 0;
	}
	if (rc < 0) {
		say("ERROR: %s", hs_last_error());
		if (rc == HS_ERR_NO_DEVICE || rc == HS_ERR_BUSY)
			say("STATE: +offline-report");
		return backend_code(rc);
	}
	for (int c = 0; c < copies && rc == 0; c++) {
		if (c && lseek(fd, 0, SEEK_SET) < 0)
			break;
		pthread_mutex_lock(&be.lock);
		be.phase = PRINTING;
		be.last_taken = tool_now_ms();
		pthread_mutex_unlock(&be.lock);
		rc = hs_printer_print_fd(p, fd, &po, &accepted);
		pthread_mutex_lock(&be.lock);
		be.phase = DONE;
		if (rc == HS_ERR_UNPLUGGED)
			be.connected = 0;
		if (rc < 0) {
			say("ERROR: %s", hs_last_error());
			say("DEBUG: hs: the printer accepted %zu bytes of copy %d", accepted, c + 1);
		}
		pthread_mutex_unlock(&be.lock);
	}
	pthread_mutex_lock(&be.lock);
	/* A canceled job was reset by the engine (SOFT_RESET where the
	 * link has it): nothing half-sent starts the next job wrong. */
	if (rc == 0) {
		set_flags(0);
		char done[160];
		hsprint_took_all(done, sizeof(done), p, accepted);
		say("INFO: %s", done);
	}
	if (rc == HS_ERR_UNPLUGGED)
		say("STATE: +offline-report");
	hs_printer_close(p);
	be.p = NULL;
	pthread_mutex_unlock(&be.lock);
	if (fd)
		close(fd);
	if (have_sc)
		sc_finish();
	/* A SOFT_RESET from a filter ends the job as it asked: not an error. */
	return rc == HS_ERR_CANCELED && be.reset_wanted ? CUPS_BACKEND_OK : backend_code(rc);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int hsprint_cups_wanted(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	const char *uri = getenv("DEVICE_URI");

	base = base ? base + 1 : argv[0];
	if (strcmp(base, "hs") == 0)
		return 1;
	return uri && strncmp(uri, "hs:", 3) == 0 && (argc == 6 || argc == 7) &&
	       all_digits(argv[1]);
}

int hsprint_cups_main(int argc, char **argv)
{
	tool_name = "hs";
	if (argc == 1)
		return list_devices();
	if (argc == 6 || argc == 7)
		return print_job(argc, argv);
	fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
	return CUPS_BACKEND_FAILED;
}
