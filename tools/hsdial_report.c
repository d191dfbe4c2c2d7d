/*
 * hsdial_report.c - what hsdial's modem modes report: the lines on
 * stderr that say how a call went, and every --json answer (a call's on
 * stderr, whose stdout is the call; --at, --identify and --hangup on
 * stdout), in the shape tools/json/hsdial.schema.json gives.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hsdial_call.h"
#include "tool.h"

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
		[HSD_END_QUIT] = "quit",
	};
	return names[e];
}

static const char *mode_name(enum hsd_mode m)
{
	static const char *const names[] = {
		[HSD_DIAL] = "dial", [HSD_ANSWER] = "answer", [HSD_AT] = "at",
		[HSD_HANGUP] = "hangup", [HSD_IDENTIFY] = "identify",
		[HSD_TERMINAL] = "terminal",
	};
	return names[m];
}

/* {"ok":..,"mode":..,"exit":..,"device":.. */
static void head(struct tool_json *j, const struct hsd_opts *o, int ok, int status,
		 const char *device)
{
	tool_json_begin(j, tool_json_out);
	tool_json_bool(j, "ok", ok);
	tool_json_str(j, "mode", mode_name(o->mode));
	tool_json_int(j, "exit", status);
	tool_json_str(j, "device", device);
}

static void ms(struct tool_json *j, const char *k, long long from, long long to)
{
	if (from && to)
		tool_json_int(j, k, to - from);
	else
		tool_json_null(j, k);
}

/* A call fails when the library says so; a program's own exit status
 * (--exec) is its business and only the exit code carries it. */
static int call_error(const struct report *r, char *msg, size_t cap)
{
	if (!r->connected || (r->bridged && r->b.end == HSD_END_ERROR)) {
		snprintf(msg, cap, "%s", r->error ? r->error : hs_strerror(r->err));
		return r->connected ? r->b.err : r->err;
	}
	if (r->b.end == HSD_END_CARRIER) {
		snprintf(msg, cap, "the carrier was lost after %.1f s",
			 (double)(r->t_end - r->t_connect) / 1000.0);
		return HS_ERR_NO_CARRIER;
	}
	if (r->bridged && !r->hung_up) {
		snprintf(msg, cap, "hang-up failed: %s", r->error ? r->error : "?");
		return r->hangup_err;
	}
	if (r->b.end == HSD_END_SIGNAL) {
		snprintf(msg, cap, "ended by signal %d (%s); hung up", r->b.signal,
			 strsignal(r->b.signal));
		return HS_ERR_CANCELED;
	}
	return HS_OK;
}

void hsd_report_json(const struct report *r, int status)
{
	struct tool_json j;
	char msg[600];
	int err = call_error(r, msg, sizeof(msg));

	head(&j, r->o, err == HS_OK, status, r->device);
	tool_json_str(&j, "driver", r->driver);
	tool_json_str(&j, "number", r->o->mode == HSD_DIAL ? r->o->number : NULL);
	tool_json_str(&j, "result", r->connected ? "CONNECT" : err_result(r->err));
	tool_json_int(&j, "speed", r->c.speed);
	tool_json_int(&j, "carrier", r->c.carrier);
	tool_json_str(&j, "suffix", r->c.suffix);
	tool_json_str(&j, "protocol", r->c.protocol);
	tool_json_str(&j, "compression", r->c.compression);
	tool_json_str(&j, "modulation", r->c.modulation);
	if (r->o->mode == HSD_ANSWER) {
		tool_json_object(&j, "caller");
		tool_json_int(&j, "rings", r->call.rings);
		tool_json_str(&j, "number", r->call.number);
		tool_json_str(&j, "name", r->call.name);
		tool_json_str(&j, "date", r->call.date);
		tool_json_str(&j, "time", r->call.time);
		tool_json_str(&j, "mesg", r->call.mesg);
		tool_json_close(&j);
	}
	tool_json_str(&j, "ended", r->bridged ? end_name(r->b.end) : NULL);
	tool_json_int(&j, "sent", (long long)r->b.sent);
	tool_json_int(&j, "received", (long long)r->b.received);
	if (r->o->exec_argv && r->bridged && r->b.exec_status >= 0)
		tool_json_int(&j, "exec_status", r->b.exec_status);
	tool_json_str(&j, "hangup", !r->bridged ? NULL : r->hung_up ? "ok"
		      : r->b.end == HSD_END_CARRIER ? "by-carrier-loss" : "failed");
	tool_json_object(&j, "timings");
	tool_json_int(&j, "setup_ms", r->t_ready ? r->t_ready - r->t_start : 0);
	ms(&j, r->o->mode == HSD_ANSWER ? "wait_ms" : "dial_ms", r->t_ready, r->t_result);
	ms(&j, "call_ms", r->t_connect, r->t_end);
	ms(&j, "hangup_ms", r->t_end, r->t_hungup);
	tool_json_int(&j, "total_ms", r->t_done - r->t_start);
	tool_json_close(&j);
	if (err != HS_OK)
		tool_json_error(&j, err, msg);
	tool_json_end(&j);
}

void hsd_json_failed(const struct hsd_opts *o, const char *device, int err, int status)
{
	struct tool_json j;

	head(&j, o, 0, status, device);
	tool_json_error(&j, err, hs_last_error());
	tool_json_end(&j);
}

void hsd_json_at(const struct hsd_opts *o, const char *device, const struct hs_at_reply *r,
		 int err, int status)
{
	char line[HS_AT_LINE_MAX + 1];
	struct tool_json j;

	head(&j, o, err == HS_OK, status, device);
	tool_json_str(&j, "command", o->at_cmd);
	tool_json_array(&j, "lines");
	for (int i = 0; hs_at_reply_line(r, i, line, sizeof(line)) >= 0; i++)
		tool_json_str(&j, NULL, line);
	tool_json_close(&j);
	tool_json_str(&j, "result", hs_at_result_name(r->result));
	tool_json_str(&j, "final", r->final);
	tool_json_int(&j, "code", r->code);
	if (err != HS_OK)
		tool_json_error(&j, err, hs_last_error());
	tool_json_end(&j);
}

void hsd_json_identify(const struct hsd_opts *o, const char *device, const char *driver,
		       const struct hs_modem_ident *id)
{
	struct tool_json j;

	head(&j, o, 1, 0, device);
	tool_json_str(&j, "driver", driver);
	tool_json_str(&j, "manufacturer", id->manufacturer);
	tool_json_str(&j, "model", id->model);
	tool_json_str(&j, "revision", id->revision);
	tool_json_str(&j, "serial", id->serial);
	tool_json_array(&j, "ati");
	for (int i = 0; i < id->nati; i++)
		tool_json_str(&j, NULL, id->ati[i]);
	tool_json_end(&j);
}

void hsd_json_console(const struct hsd_opts *o, const char *device,
		      const struct hsd_bridge_result *b, int status)
{
	struct tool_json j;

	head(&j, o, b->end != HSD_END_ERROR && b->end != HSD_END_SIGNAL, status, device);
	tool_json_str(&j, "ended", end_name(b->end));
	tool_json_int(&j, "sent", (long long)b->sent);
	tool_json_int(&j, "received", (long long)b->received);
	if (b->end == HSD_END_ERROR)
		tool_json_error(&j, b->err, hs_last_error());
	else if (b->end == HSD_END_SIGNAL)
		tool_json_error(&j, HS_ERR_CANCELED, strsignal(b->signal));
	tool_json_end(&j);
}

void hsd_json_hangup(const struct hsd_opts *o, const char *device, int err, int status)
{
	struct tool_json j;

	head(&j, o, err == HS_OK, status, device);
	tool_json_str(&j, "hangup", err == HS_OK ? "ok" : "failed");
	if (err != HS_OK)
		tool_json_error(&j, err, hs_last_error());
	tool_json_end(&j);
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

void hsd_say_connected(const struct report *r)
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

void hsd_say_caller(const struct report *r)
{
	const struct hs_modem_call *c = &r->call;

	if (r->o->quiet || r->o->json)
		return;
	tool_warn("call from %s%s%s%s after %d ring%s%s%s%s%s", c->number[0] ? c->number : "an unknown number",
		  c->name[0] ? " (" : "", c->name, c->name[0] ? ")" : "",
		  c->rings, c->rings == 1 ? "" : "s",
		  c->date[0] ? ", date " : "", c->date, c->time[0] ? ", time " : "", c->time);
}

void hsd_say_end(const struct report *r)
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
