/*
 * hsdial_call.c - hsdial's modem modes: dial NUMBER or --answer a call
 * and bridge it (hsdial_bridge.c), --at, --hangup, --identify; and what
 * they report, as text on stderr or as one JSON object. The modem work
 * itself is the library's (handshake/modem.h).
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hsdial_call.h"
#include "hsdial_term.h"
#include "tool.h"

/* Bounds of the steps --timeout does not set: a modem that does not
 * answer AT within SYNC_MS is not going to; ATZ and init take seconds. */
#define SYNC_MS 5000
#define SYNC_TRIES 5
#define RESET_MS 10000
#define HANGUP_MS 15000
/* Defaults of --timeout per mode. */
#define DIAL_MS 60000
#define AT_MS 10000
#define IDENTIFY_MS 30000

volatile sig_atomic_t hsd_signal;

static void on_signal(int sig)
{
	hsd_signal = sig;
}

void hsd_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int hsd_exit_code(int err)
{
	switch (err) {
	case HS_ERR_REJECTED: return HSD_EXIT_ERROR;
	case HS_ERR_LINE_BUSY: return HSD_EXIT_BUSY;
	case HS_ERR_NO_CARRIER: return HSD_EXIT_NO_CARRIER;
	case HS_ERR_NO_DIALTONE: return HSD_EXIT_NO_DIALTONE;
	case HS_ERR_NO_ANSWER: return HSD_EXIT_NO_ANSWER;
	case HS_ERR_TIMEOUT: return HSD_EXIT_TIMEOUT;
	default: return tool_exit_code(err);
	}
}

static void keep_error(struct report *r)
{
	snprintf(r->error_buf, sizeof(r->error_buf), "%s", hs_last_error());
	r->error = r->error_buf;
}

static void verbose(const struct hsd_opts *o, const char *what)
{
	if (o->verbose)
		tool_warn("%s", what);
}

static void on_urc(void *ctx, const struct hs_at_urc *u)
{
	const struct hsd_opts *o = ctx;
	char clean[160];
	size_t i;

	if (!o->verbose)
		return;
	/* device text: printable only */
	for (i = 0; u->line[i] && i + 1 < sizeof(clean); i++)
		clean[i] = u->line[i] >= 0x20 && u->line[i] < 0x7f ? u->line[i] : '?';
	clean[i] = 0;
	tool_warn("modem says: %s", clean);
}

/* The ms left until deadline (tool_now_ms()), at most cap, never below 0. */
static int left_until(long long deadline, int cap)
{
	long long left = deadline - tool_now_ms();

	if (left < 0)
		left = 0;
	return left < cap ? (int)left : cap;
}

/* A modem we know nothing of yet may be in a call another program left
 * up: escape first where DCD does not say no call is up (the library's
 * call), and say so when there was one. */
static int command_mode(struct hs_modem *m, int timeout_ms)
{
	int rc = hs_modem_command_mode(m, timeout_ms);

	if (rc == 1)
		tool_warn("%s was in a call another program left up: escaped to command mode; the call is still up (hsdial --hangup ends it)",
			  hs_link_info(hs_modem_link(m))->path);
	return rc < 0 ? rc : HS_OK;
}

/* Sync, reset (ATZ and the driver's init) and the user's --init. */
static int setup(struct hs_modem *m, const struct hsd_opts *o, long long deadline)
{
	int rc;

	if ((rc = command_mode(m, left_until(deadline, INT_MAX))) < 0)
		return rc;
	verbose(o, "sync (AT)");
	if ((rc = hs_modem_sync(m, SYNC_TRIES, left_until(deadline, SYNC_MS))) < 0)
		return rc;
	verbose(o, "reset (ATZ and the driver's init)");
	if ((rc = hs_modem_reset(m, 0, left_until(deadline, RESET_MS))) < 0)
		return rc;
	for (int i = 0; i < o->ninit; i++) {
		struct hs_at_reply *r = malloc(sizeof(*r));
		if (!r)
			return HS_ERR_NOMEM;
		if (o->verbose)
			tool_warn("init %s", o->init[i]);
		rc = hs_at_command(hs_modem_at(m), o->init[i], r, left_until(deadline, RESET_MS));
		if (rc == HS_OK)
			rc = hs_at_result_error(hs_modem_at(m), r, o->init[i]);
		free(r);
		if (rc < 0)
			return rc;
	}
	if (o->fastest && (rc = hsd_fastest(m, o, left_until(deadline, INT_MAX))) < 0)
		return rc;
	/* an --init may have set S12: "+++" must honour the new guard */
	if (o->ninit && !(hs_modem_get_driver(m)->quirks & HS_MODEM_QUIRK_NO_S12))
		hs_modem_guard_time(m, left_until(deadline, RESET_MS));
	return HS_OK;
}

static int run_call(struct hs_modem *m, const struct hsd_opts *o, struct report *r)
{
	struct hs_dial d = { .number = o->number, .method = o->method, .prefix = o->prefix,
			     .dial_chars = hs_modem_get_driver(m)->dial_chars,
			     .as_is = o->as_is };
	char cmd[HS_AT_COMMAND_MAX + 1];
	long long deadline;
	int rc, status;

	r->t_start = tool_now_ms();
	/* a number the driver's modems do not take is refused before the
	 * modem is touched */
	if (o->mode == HSD_DIAL && (rc = hs_modem_dial_string(cmd, sizeof(cmd), &d)) < 0) {
		r->err = rc;
		keep_error(r);
		if (!o->json)
			tool_warn("%s driver: %s", r->driver, r->error);
		/* the user's number, never the device: too long is usage too */
		return EX_USAGE;
	}
	deadline = r->t_start + (o->timeout_ms >= 0 ? o->timeout_ms
				 : o->mode == HSD_ANSWER ? INT_MAX : DIAL_MS);
	if (o->mode == HSD_ANSWER && o->timeout_ms < 0)
		deadline = r->t_start + RESET_MS + SYNC_MS;
	rc = setup(m, o, deadline);
	r->t_ready = tool_now_ms();
	if (rc == HS_OK && o->mode == HSD_DIAL) {
		verbose(o, "dialing");
		rc = hs_modem_dial(m, &d, &r->c, left_until(deadline, INT_MAX));
	} else if (rc == HS_OK) {
		/* no --timeout: wait for a call as long as it takes (INT_MAX
		 * ms, some 24 days), or until a signal */
		long long left = o->timeout_ms >= 0 ? deadline - tool_now_ms() : INT_MAX;
		verbose(o, "waiting for a call");
		rc = hs_modem_wait_call(m, o->rings, &r->call, &r->c, (int)(left > 0 ? left : 0));
		r->answered = rc == HS_OK;
		if (r->call.rings || r->call.number[0])
			hsd_say_caller(r);
	}
	r->err = rc;
	r->t_result = tool_now_ms();
	if (rc < 0) {
		keep_error(r);
		if (!o->json)
			tool_warn("%s", r->error);
		return hsd_exit_code(rc);
	}
	r->connected = 1;
	r->t_connect = r->t_result;
	hsd_say_connected(r);
	/* Until now a signal just ends hsdial (closing the port drops DTR,
	 * which ends a dial). Online, it ends the bridge, which hangs up:
	 * no SA_RESTART, so it wakes the bridge's poll. */
	hsd_catch_signals();
	if (o->terminal)
		hsd_term(m, hs_modem_link(m), o, &r->b);
	else
		hsd_bridge(m, o, &r->b);
	r->bridged = 1;
	r->t_end = tool_now_ms();
	status = 0;
	if (r->b.end == HSD_END_CARRIER) {
		/* the modem is on-hook already (DCD fell or it said so) */
		status = HSD_EXIT_NO_CARRIER;
	} else if (r->b.on_hook) {
		/* the terminal hung up already */
		r->hung_up = 1;
		r->t_hungup = r->t_end;
	} else {
		if (r->b.end == HSD_END_ERROR) {
			keep_error(r);
			status = hsd_exit_code(r->b.err);
		}
		verbose(o, "hanging up");
		r->hangup_err = hs_modem_hangup(m, HANGUP_MS);
		r->t_hungup = tool_now_ms();
		r->hung_up = r->hangup_err == HS_OK;
		if (r->hangup_err < 0) {
			keep_error(r);
			if (!o->json)
				tool_warn("hang-up failed: %s", r->error);
			if (!status)
				status = hsd_exit_code(r->hangup_err);
		}
	}
	hsd_say_end(r);
	if (!status && r->b.end == HSD_END_SIGNAL)
		status = 128 + hsd_signal;
	/* like timeout(1): a program that ended the call gives its status */
	if (!status && o->exec_argv && r->b.end == HSD_END_EXEC && r->b.exec_status >= 0)
		status = r->b.exec_status;
	return status;
}

/* A mode that failed before it had anything to report (r: a call's
 * report, else NULL). */
static int failed(const struct hsd_opts *o, const char *device, int rc, struct report *r)
{
	int status = hsd_exit_code(rc);

	if (o->json && r) {
		r->err = rc;
		keep_error(r);
		r->device = device;
		r->t_done = tool_now_ms();
		hsd_report_json(r, status);
	} else if (o->json) {
		hsd_json_failed(o, device, rc, status);
	}
	/* a call's answer is on stderr: nothing else goes there */
	if (!o->json || tool_json_out == stdout)
		tool_warn("%s", hs_last_error());
	return status;
}

/* --at: the reply's lines on stdout, then its final result. */
static int run_at(struct hs_modem *m, const struct hsd_opts *o, const char *device)
{
	struct hs_at_reply *r = malloc(sizeof(*r));
	int timeout = o->timeout_ms >= 0 ? o->timeout_ms : AT_MS;
	long long start = tool_now_ms();
	char line[HS_AT_LINE_MAX + 1];
	int rc;

	if (!r)
		tool_die(EX_OSERR, "out of memory");
	rc = command_mode(m, timeout);
	if (rc == HS_OK)
		rc = hs_modem_sync(m, SYNC_TRIES, left_until(start + timeout, SYNC_MS));
	if (rc == HS_OK)
		rc = hs_at_command(hs_modem_at(m), o->at_cmd, r, left_until(start + timeout, INT_MAX));
	if (rc < 0) {
		free(r);
		return failed(o, device, rc, NULL);
	}
	rc = hs_at_result_error(hs_modem_at(m), r, o->at_cmd);
	if (rc < 0)
		tool_warn("%s", hs_last_error());
	if (o->json) {
		hsd_json_at(o, device, r, rc, hsd_exit_code(rc));
		free(r);
		return hsd_exit_code(rc);
	}
	for (int i = 0; hs_at_reply_line(r, i, line, sizeof(line)) >= 0; i++) {
		/* device text: keep the terminal safe */
		for (char *p = line; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		puts(line);
	}
	puts(r->result == HS_AT_NONE ? "(no result code)" : r->final);
	free(r);
	return hsd_exit_code(rc);
}

static void ident_line(const char *k, const char *v)
{
	if (v[0])
		printf("%s: %s\n", k, v);
}

static int run_identify(struct hs_modem *m, const struct hsd_opts *o, const char *device)
{
	struct hs_modem_ident id;
	int timeout = o->timeout_ms >= 0 ? o->timeout_ms : IDENTIFY_MS;
	long long start = tool_now_ms();
	int rc;

	rc = command_mode(m, timeout);
	if (rc == HS_OK)
		rc = hs_modem_sync(m, SYNC_TRIES, left_until(start + timeout, SYNC_MS));
	if (rc == HS_OK)
		rc = hs_modem_identify(m, &id, left_until(start + timeout, INT_MAX));
	if (rc < 0)
		return failed(o, device, rc, NULL);
	if (o->json) {
		hsd_json_identify(o, device, hs_modem_get_driver(m)->name, &id);
		return 0;
	}
	ident_line("device", device);
	ident_line("driver", hs_modem_get_driver(m)->name);
	ident_line("manufacturer", id.manufacturer);
	ident_line("model", id.model);
	ident_line("revision", id.revision);
	ident_line("serial", id.serial);
	for (int i = 0; i < id.nati; i++)
		if (id.ati[i][0])
			printf("ATI%d: %s\n", i, id.ati[i]);
	return 0;
}

static int run_hangup(struct hs_modem *m, const struct hsd_opts *o, const char *device)
{
	int rc = hs_modem_hangup(m, o->timeout_ms >= 0 ? o->timeout_ms : HANGUP_MS);

	if (rc < 0)
		tool_warn("%s", hs_last_error());
	if (o->json)
		hsd_json_hangup(o, device, rc, hsd_exit_code(rc));
	else if (rc == HS_OK && !o->quiet)
		tool_warn("hung up %s", device);
	return hsd_exit_code(rc);
}

/* --terminal with no number: a console port, no modem talk at all. */
static int run_console(struct hs_link *link, const struct hsd_opts *o)
{
	const char *device = hs_link_info(link)->path;
	struct hsd_bridge_result b;
	int status = 0;

	hsd_catch_signals();
	hsd_term(NULL, link, o, &b);
	if (b.end == HSD_END_ERROR)
		status = hsd_exit_code(b.err);
	else if (b.end == HSD_END_SIGNAL)
		status = 128 + b.signal;
	if (o->json)
		hsd_json_console(o, device, &b, status);
	else if (b.end == HSD_END_ERROR)
		tool_warn("%s", hs_last_error());
	else if (!o->quiet)
		tool_warn("left %s (%s); bytes sent %llu, received %llu", device,
			  b.end == HSD_END_QUIT ? "quit" : b.end == HSD_END_SIGNAL ? "signal" : "eof",
			  b.sent, b.received);
	return status;
}

int hsd_run(const struct hsd_opts *o)
{
	const struct hs_modem_driver *drv = NULL;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct hs_link *link;
	struct hs_modem *m;
	struct report r = { .o = o }, *call;
	int rc, status;

	if (o->driver && !(drv = hs_modem_driver_find(o->driver))) {
		if (o->json)
			tool_die(EX_USAGE, "no modem driver named '%s'", o->driver);
		tool_warn("no modem driver named '%s'; there are:", o->driver);
		for (size_t i = 0; hs_modem_driver_at(i); i++)
			fprintf(stderr, "  %s\t%s\n", hs_modem_driver_at(i)->name,
				hs_modem_driver_at(i)->description);
		return EX_USAGE;
	}
	sigaction(SIGPIPE, &ign, NULL);
	if (o->log)
		hsd_log_open(o->log, o->timestamps);
	r.t_start = tool_now_ms();
	call = o->mode == HSD_DIAL || o->mode == HSD_ANSWER ? &r : NULL;
	if ((rc = hs_link_open(&link, o->uri)) < 0)
		return failed(o, o->uri, rc, call);
	if (o->mode == HSD_TERMINAL) {
		status = run_console(link, o);
		hs_link_close(link);
		hsd_log_close();
		return status;
	}
	if ((rc = hs_modem_open(&m, link, drv)) < 0) {
		status = failed(o, hs_link_info(link)->path, rc, call);
		hs_link_close(link);
		return status;
	}
	if (o->hangup_policy)
		hs_modem_set_hangup_policy(m, o->hangup_policy);
	hs_modem_set_urc_handler(m, on_urc, (void *)o);
	r.device = hs_link_info(link)->path;
	r.driver = hs_modem_get_driver(m)->name;
	switch (o->mode) {
	case HSD_AT:
		status = run_at(m, o, r.device);
		break;
	case HSD_IDENTIFY:
		status = run_identify(m, o, r.device);
		break;
	case HSD_HANGUP:
		status = run_hangup(m, o, r.device);
		break;
	default:
		status = run_call(m, o, &r);
		r.t_done = tool_now_ms();
		if (o->json)
			hsd_report_json(&r, status);
		break;
	}
	hsd_fastest_end(m, o);
	hs_modem_free(m);
	hs_link_close(link);
	hsd_log_close();
	return status;
}
