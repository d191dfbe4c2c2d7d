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

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* The word a JSON "result" carries for a failed call. */
static const char *err_result(int err)
{
	switch (err) {
	case HS_ERR_REJECTED: return "ERROR";
	case HS_ERR_LINE_BUSY: return "BUSY";
	case HS_ERR_NO_CARRIER: return "NO CARRIER";
	case HS_ERR_NO_DIALTONE: return "NO DIALTONE";
	case HS_ERR_NO_ANSWER: return "NO ANSWER";
	case HS_ERR_TIMEOUT: return "TIMEOUT";
	default: return "DEVICE ERROR";
	}
}

static const char *end_name(enum hsd_end e)
{
	static const char *const names[] = {
		[HSD_END_EOF] = "eof", [HSD_END_LINGER] = "linger-max",
		[HSD_END_OUTPUT] = "output-closed",
		[HSD_END_CARRIER] = "carrier-lost", [HSD_END_EXEC] = "program-exited",
		[HSD_END_SIGNAL] = "signal", [HSD_END_ERROR] = "line-error",
	};
	return names[e];
}

/* Everything a call report says. */
struct report {
	const struct hsd_opts *o;
	const char *device;
	const char *driver;
	int err;                   /* how the call (setup) went */
	int connected;
	struct hs_at_connect c;
	struct hs_modem_call call; /* --answer */
	int answered;
	struct hsd_bridge_result b;
	int bridged;
	int hangup_err;            /* after the bridge */
	int hung_up;
	long long t_start, t_ready, t_result, t_connect, t_end, t_hungup;
	const char *error;         /* the library's message, or NULL */
	char error_buf[512];
};

static void json_kv(FILE *f, const char *k, const char *v, int comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", k);
	if (v)
		tool_json_string(f, v);
	else
		fputs("null", f);
}

static void json_ms(FILE *f, const char *k, long long from, long long to)
{
	if (from && to)
		fprintf(f, ",\"%s\":%lld", k, to - from);
	else
		fprintf(f, ",\"%s\":null", k);
}

static void report_json(const struct report *r, int status)
{
	FILE *f = stderr; /* stdout carries the call's data */

	fputc('{', f);
	json_kv(f, "mode", r->o->mode == HSD_ANSWER ? "answer" : "dial", 0);
	json_kv(f, "device", r->device, 1);
	json_kv(f, "driver", r->driver, 1);
	json_kv(f, "number", r->o->mode == HSD_DIAL ? r->o->number : NULL, 1);
	json_kv(f, "result", r->connected ? "CONNECT" : err_result(r->err), 1);
	fprintf(f, ",\"exit\":%d", status);
	fprintf(f, ",\"speed\":%ld,\"carrier\":%ld", r->c.speed, r->c.carrier);
	json_kv(f, "suffix", r->c.suffix, 1);
	json_kv(f, "protocol", r->c.protocol, 1);
	json_kv(f, "compression", r->c.compression, 1);
	json_kv(f, "modulation", r->c.modulation, 1);
	if (r->o->mode == HSD_ANSWER) {
		fprintf(f, ",\"caller\":{\"rings\":%d", r->call.rings);
		json_kv(f, "number", r->call.number, 1);
		json_kv(f, "name", r->call.name, 1);
		json_kv(f, "date", r->call.date, 1);
		json_kv(f, "time", r->call.time, 1);
		json_kv(f, "mesg", r->call.mesg, 1);
		fputc('}', f);
	}
	json_kv(f, "ended", r->bridged ? end_name(r->b.end) : NULL, 1);
	fprintf(f, ",\"sent\":%llu,\"received\":%llu", r->b.sent, r->b.received);
	if (r->o->exec_argv && r->bridged && r->b.exec_status >= 0)
		fprintf(f, ",\"exec_status\":%d", r->b.exec_status);
	json_kv(f, "hangup", !r->bridged ? NULL : r->hung_up ? "ok"
		: r->b.end == HSD_END_CARRIER ? "by-carrier-loss" : "failed", 1);
	fputs(",\"timings\":{", f);
	fprintf(f, "\"setup_ms\":%lld", r->t_ready ? r->t_ready - r->t_start : 0);
	json_ms(f, r->o->mode == HSD_ANSWER ? "wait_ms" : "dial_ms", r->t_ready, r->t_result);
	json_ms(f, "call_ms", r->t_connect, r->t_end);
	json_ms(f, "hangup_ms", r->t_end, r->t_hungup);
	fprintf(f, ",\"total_ms\":%lld}", now_ms() - r->t_start);
	json_kv(f, "error", r->error, 1);
	fputs("}\n", f);
}

/* ", protocol LAPM, compression V42BIS" */
static void connect_details(char *out, size_t cap, const struct hs_at_connect *c)
{
	size_t n = 0;

	out[0] = 0;
	if (c->protocol[0])
		n += (size_t)snprintf(out + n, cap - n, ", protocol %s", c->protocol);
	if (c->compression[0] && n < cap)
		n += (size_t)snprintf(out + n, cap - n, ", compression %s", c->compression);
	if (c->modulation[0] && n < cap)
		snprintf(out + n, cap - n, ", modulation %s", c->modulation);
}

static void say_connected(const struct report *r)
{
	char speed[32], more[96];

	if (r->o->quiet || r->o->json)
		return;
	if (r->c.speed)
		snprintf(speed, sizeof(speed), "%ld bps", r->c.speed);
	else
		snprintf(speed, sizeof(speed), "unknown speed");
	connect_details(more, sizeof(more), &r->c);
	tool_warn("%s %s on %s (%s%s)", r->o->mode == HSD_ANSWER ? "answered" : "connected to",
		  r->o->mode == HSD_ANSWER ? "the call" : r->o->number, r->device, speed, more);
}

static void say_caller(const struct report *r)
{
	const struct hs_modem_call *c = &r->call;

	if (r->o->quiet || r->o->json)
		return;
	tool_warn("call from %s%s%s%s after %d ring%s%s%s%s%s", c->number[0] ? c->number : "an unknown number",
		  c->name[0] ? " (" : "", c->name, c->name[0] ? ")" : "",
		  c->rings, c->rings == 1 ? "" : "s",
		  c->date[0] ? ", date " : "", c->date, c->time[0] ? ", time " : "", c->time);
}

static void say_end(const struct report *r)
{
	double secs = (double)(r->t_end - r->t_connect) / 1000.0;

	if (r->o->quiet || r->o->json)
		return;
	switch (r->b.end) {
	case HSD_END_CARRIER:
		tool_warn("the carrier was lost after %.1f s; bytes sent %llu, received %llu", secs,
			  r->b.sent, r->b.received);
		break;
	case HSD_END_ERROR:
		tool_warn("the line failed after %.1f s: %s", secs, r->error ? r->error : "?");
		break;
	case HSD_END_LINGER:
		tool_warn("the far end was still sending %.1f s after stdin ended (--linger-max); hanging up",
			  r->o->linger_max_ms / 1000.0);
		break;
	default:
		break;
	}
	if (r->hung_up)
		tool_warn("hung up after %.1f s (%s); bytes sent %llu, received %llu", secs,
			  end_name(r->b.end), r->b.sent, r->b.received);
	if (r->o->exec_argv && r->b.exec_status >= 0)
		tool_warn("%s exited with status %d", r->o->exec_argv[0], r->b.exec_status);
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

/* The ms left until deadline (now_ms()), at most cap, never below 0. */
static int left_until(long long deadline, int cap)
{
	long long left = deadline - now_ms();

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
	/* an --init may have set S12: "+++" must honour the new guard */
	if (o->ninit && !(hs_modem_get_driver(m)->quirks & HS_MODEM_QUIRK_NO_S12))
		hs_modem_guard_time(m, left_until(deadline, RESET_MS));
	return HS_OK;
}

static int run_call(struct hs_modem *m, const struct hsd_opts *o, struct report *r)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct hs_dial d = { .number = o->number, .method = o->method, .prefix = o->prefix,
			     .dial_chars = hs_modem_get_driver(m)->dial_chars,
			     .as_is = o->as_is };
	char cmd[HS_AT_COMMAND_MAX + 1];
	long long deadline;
	int rc, status;

	r->t_start = now_ms();
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
	r->t_ready = now_ms();
	if (rc == HS_OK && o->mode == HSD_DIAL) {
		verbose(o, "dialing");
		rc = hs_modem_dial(m, &d, &r->c, left_until(deadline, INT_MAX));
	} else if (rc == HS_OK) {
		/* no --timeout: wait for a call as long as it takes (INT_MAX
		 * ms, some 24 days), or until a signal */
		long long left = o->timeout_ms >= 0 ? deadline - now_ms() : INT_MAX;
		verbose(o, "waiting for a call");
		rc = hs_modem_wait_call(m, o->rings, &r->call, &r->c, (int)(left > 0 ? left : 0));
		r->answered = rc == HS_OK;
		if (r->call.rings || r->call.number[0])
			say_caller(r);
	}
	r->err = rc;
	r->t_result = now_ms();
	if (rc < 0) {
		keep_error(r);
		if (!o->json)
			tool_warn("%s", r->error);
		return hsd_exit_code(rc);
	}
	r->connected = 1;
	r->t_connect = r->t_result;
	say_connected(r);
	/* Until now a signal just ends hsdial (closing the port drops DTR,
	 * which ends a dial). Online, it ends the bridge, which hangs up:
	 * no SA_RESTART, so it wakes the bridge's poll. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	hsd_bridge(m, o, &r->b);
	r->bridged = 1;
	r->t_end = now_ms();
	status = 0;
	if (r->b.end == HSD_END_CARRIER) {
		/* the modem is on-hook already (DCD fell or it said so) */
		status = HSD_EXIT_NO_CARRIER;
	} else {
		if (r->b.end == HSD_END_ERROR) {
			keep_error(r);
			status = hsd_exit_code(r->b.err);
		}
		verbose(o, "hanging up");
		r->hangup_err = hs_modem_hangup(m, HANGUP_MS);
		r->t_hungup = now_ms();
		r->hung_up = r->hangup_err == HS_OK;
		if (r->hangup_err < 0) {
			keep_error(r);
			tool_warn("hang-up failed: %s", r->error);
			if (!status)
				status = hsd_exit_code(r->hangup_err);
		}
	}
	say_end(r);
	if (!status && r->b.end == HSD_END_SIGNAL)
		status = 128 + hsd_signal;
	/* like timeout(1): a program that ended the call gives its status */
	if (!status && o->exec_argv && r->b.end == HSD_END_EXEC && r->b.exec_status >= 0)
		status = r->b.exec_status;
	return status;
}

/* --at: the reply's lines on stdout, then its final result. */
static int run_at(struct hs_modem *m, const struct hsd_opts *o)
{
	struct hs_at_reply *r = malloc(sizeof(*r));
	int timeout = o->timeout_ms >= 0 ? o->timeout_ms : AT_MS;
	long long start = now_ms();
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
		tool_warn("%s", hs_last_error());
		free(r);
		return hsd_exit_code(rc);
	}
	if (o->json) {
		fputs("{\"command\":", stdout);
		tool_json_string(stdout, o->at_cmd);
		fputs(",\"lines\":[", stdout);
	}
	for (int i = 0; hs_at_reply_line(r, i, line, sizeof(line)) >= 0; i++) {
		if (o->json) {
			if (i)
				fputc(',', stdout);
			tool_json_string(stdout, line);
		} else {
			/* device text: keep the terminal safe */
			for (char *p = line; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					*p = '?';
			puts(line);
		}
	}
	rc = hs_at_result_error(hs_modem_at(m), r, o->at_cmd);
	if (rc < 0 && !o->json)
		tool_warn("%s", hs_last_error());
	if (o->json) {
		fputs("],\"result\":", stdout);
		tool_json_string(stdout, hs_at_result_name(r->result));
		fputs(",\"final\":", stdout);
		tool_json_string(stdout, r->final);
		fprintf(stdout, ",\"code\":%d,\"exit\":%d}\n", r->code, hsd_exit_code(rc));
	} else {
		puts(r->result == HS_AT_NONE ? "(no result code)" : r->final);
	}
	free(r);
	return hsd_exit_code(rc);
}

static void ident_line(const char *k, const char *v, int json, int comma)
{
	if (json)
		json_kv(stdout, k, v, comma);
	else if (v[0])
		printf("%s: %s\n", k, v);
}

static int run_identify(struct hs_modem *m, const struct hsd_opts *o)
{
	struct hs_modem_ident id;
	int timeout = o->timeout_ms >= 0 ? o->timeout_ms : IDENTIFY_MS;
	long long start = now_ms();
	int rc;

	rc = command_mode(m, timeout);
	if (rc == HS_OK)
		rc = hs_modem_sync(m, SYNC_TRIES, left_until(start + timeout, SYNC_MS));
	if (rc == HS_OK)
		rc = hs_modem_identify(m, &id, left_until(start + timeout, INT_MAX));
	if (rc < 0) {
		tool_warn("%s", hs_last_error());
		return hsd_exit_code(rc);
	}
	if (o->json)
		fputc('{', stdout);
	ident_line("device", hs_link_info(hs_modem_link(m))->path, o->json, 0);
	ident_line("driver", hs_modem_get_driver(m)->name, o->json, 1);
	ident_line("manufacturer", id.manufacturer, o->json, 1);
	ident_line("model", id.model, o->json, 1);
	ident_line("revision", id.revision, o->json, 1);
	ident_line("serial", id.serial, o->json, 1);
	if (o->json)
		fputs(",\"ati\":[", stdout);
	for (int i = 0; i < id.nati; i++) {
		if (o->json) {
			if (i)
				fputc(',', stdout);
			tool_json_string(stdout, id.ati[i]);
		} else if (id.ati[i][0]) {
			printf("ATI%d: %s\n", i, id.ati[i]);
		}
	}
	if (o->json)
		fputs("]}\n", stdout);
	return 0;
}

static int run_hangup(struct hs_modem *m, const struct hsd_opts *o)
{
	int rc = hs_modem_hangup(m, o->timeout_ms >= 0 ? o->timeout_ms : HANGUP_MS);

	if (rc < 0)
		tool_warn("%s", hs_last_error());
	if (o->json) {
		fputs("{\"hangup\":", stdout);
		tool_json_string(stdout, rc == HS_OK ? "ok" : "failed");
		fprintf(stdout, ",\"exit\":%d", hsd_exit_code(rc));
		json_kv(stdout, "error", rc == HS_OK ? NULL : hs_last_error(), 1);
		fputs("}\n", stdout);
	} else if (rc == HS_OK && !o->quiet) {
		tool_warn("hung up %s", hs_link_info(hs_modem_link(m))->path);
	}
	return hsd_exit_code(rc);
}

int hsd_run(const struct hsd_opts *o)
{
	const struct hs_modem_driver *drv = NULL;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct hs_link *link;
	struct hs_modem *m;
	struct report r = { .o = o };
	int rc, status;

	if (o->driver && !(drv = hs_modem_driver_find(o->driver))) {
		tool_warn("no modem driver named '%s'; there are:", o->driver);
		for (size_t i = 0; hs_modem_driver_at(i); i++)
			fprintf(stderr, "  %s\t%s\n", hs_modem_driver_at(i)->name,
				hs_modem_driver_at(i)->description);
		return EX_USAGE;
	}
	sigaction(SIGPIPE, &ign, NULL);
	r.t_start = now_ms();
	if ((rc = hs_link_open(&link, o->uri)) < 0) {
		r.err = rc;
		keep_error(&r);
		if (o->json && (o->mode == HSD_DIAL || o->mode == HSD_ANSWER)) {
			r.device = o->uri;
			report_json(&r, hsd_exit_code(rc));
		}
		tool_warn("%s", hs_last_error());
		return hsd_exit_code(rc);
	}
	if ((rc = hs_modem_open(&m, link, drv)) < 0) {
		tool_warn("%s", hs_last_error());
		hs_link_close(link);
		return hsd_exit_code(rc);
	}
	if (o->hangup_policy)
		hs_modem_set_hangup_policy(m, o->hangup_policy);
	hs_modem_set_urc_handler(m, on_urc, (void *)o);
	r.device = hs_link_info(link)->path;
	r.driver = hs_modem_get_driver(m)->name;
	switch (o->mode) {
	case HSD_AT:
		status = run_at(m, o);
		break;
	case HSD_IDENTIFY:
		status = run_identify(m, o);
		break;
	case HSD_HANGUP:
		status = run_hangup(m, o);
		break;
	default:
		status = run_call(m, o, &r);
		if (o->json)
			report_json(&r, status);
		break;
	}
	hs_modem_free(m);
	hs_link_close(link);
	return status;
}
