/*
 * hsprobe_detect.c - hsprobe --detect: find the line settings of the
 * device on a port (the library's hs_detect_modem, or with --passive
 * hs_detect_listen) and print what was found, the evidence and the URI to
 * use, as text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include <handshake/handshake.h>
#include "hsprobe.h"
#include "tool.h"

/* The reply as C text (no quotes): hs_escape's C form, and \x00 for
 * the NULs a break leaves, which a C string cannot carry. */
static void reply_text(char *out, size_t cap, const unsigned char *b, size_t n)
{
	char seg[HS_DETECT_REPLY + 1], e[HS_DETECT_REPLY * 4 + 3];
	size_t k = 0, o = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && b[i]) {
			seg[k++] = (char)b[i];
			continue;
		}
		seg[k] = 0;
		k = 0;
		/* e is "..." : keep what is between the quotes */
		int m = hs_escape(e, sizeof(e), seg, HS_ESCAPE_C);
		if (m >= 2 && o + (size_t)m + 6 < cap) {
			memcpy(out + o, e + 1, (size_t)m - 2);
			o += (size_t)m - 2;
		}
		if (i < n && o + 6 < cap) {
			memcpy(out + o, "\\x00", 4);
			o += 4;
		}
	}
	out[o] = 0;
}

static const char *result_name(enum hs_try_result r)
{
	static const char *const names[] = {
		"ok", "silent", "errors", "garbled", "damaged", "refused",
	};
	return (unsigned)r < 6 ? names[r] : "?";
}

static void json_errors(struct tool_json *j, const struct hs_line_errors *e)
{
	tool_json_object(j, "errors");
	tool_json_int(j, "framing", (long long)e->framing);
	tool_json_int(j, "parity", (long long)e->parity);
	tool_json_int(j, "breaks", (long long)e->breaks);
	tool_json_int(j, "overruns", (long long)e->overruns);
	tool_json_int(j, "damaged", (long long)e->damaged);
	tool_json_close(j);
}

static void json_line(struct tool_json *j, const char *key, const struct hs_line *l)
{
	char name[48];

	hs_line_name(l, name, sizeof(name));
	tool_json_object(j, key);
	tool_json_int(j, "baud", l->baud);
	tool_json_int(j, "bits", l->bits);
	tool_json_str(j, "parity", hs_parity_name(l->parity));
	tool_json_int(j, "stop", l->stop);
	tool_json_str(j, "name", name);
	tool_json_close(j);
}

/* Every try, collected for --json. */
struct tries {
	struct hs_detect_try t[256];
	int n;
};

static int on_try(const struct hs_detect_try *t, void *ctx)
{
	struct tries *all = ctx;

	if (all->n < (int)(sizeof(all->t) / sizeof(all->t[0])))
		all->t[all->n++] = *t;
	return 0;
}

/* The --json answer: ok, exit and mode as every tool's, the setting
 * found (or the error), the evidence, and every try. */
static void print_json(const char *dev, int passive, int rc, int status,
		       const struct hs_detect_result *r, const char *uri,
		       const struct tries *all)
{
	char reply[HS_DETECT_REPLY * 4 + 8];
	struct tool_json j;

	tool_json_begin(&j, stdout);
	tool_json_bool(&j, "ok", rc == HS_OK);
	tool_json_str(&j, "mode", passive ? "detect-passive" : "detect");
	tool_json_int(&j, "exit", status);
	tool_json_str(&j, "device", dev);
	tool_json_bool(&j, "found", rc == HS_OK);
	if (rc == HS_OK) {
		json_line(&j, "line", &r->line);
		tool_json_str(&j, "uri", uri);
		tool_json_int(&j, "confidence", r->confidence);
	} else {
		tool_json_error(&j, rc, hs_last_error());
	}
	if (r->also.baud) {
		json_line(&j, "also", &r->also);
		tool_json_str(&j, "also_result", result_name(r->also_result));
		if (passive)
			tool_json_int(&j, "also_confidence", r->also_confidence);
	}
	tool_json_int(&j, "tries", r->tries);
	tool_json_int(&j, "ms", r->ms);
	tool_json_int(&j, "sent", (long long)r->sent);
	json_errors(&j, &r->errors);
	reply_text(reply, sizeof(reply), r->reply, r->reply_len);
	tool_json_str(&j, "reply", reply);
	tool_json_array(&j, "log");
	for (int i = 0; i < all->n; i++) {
		const struct hs_detect_try *t = &all->t[i];
		char name[48];

		hs_line_name(&t->line, name, sizeof(name));
		tool_json_object(&j, NULL);
		tool_json_str(&j, "line", name);
		tool_json_str(&j, "result", result_name(t->result));
		tool_json_int(&j, "ms", t->ms);
		tool_json_int(&j, "sent", (long long)t->sent);
		tool_json_int(&j, "received", (long long)t->received);
		if (passive)
			tool_json_int(&j, "score", t->score);
		json_errors(&j, &t->errors);
		tool_json_close(&j);
	}
	tool_json_close(&j);
	tool_json_end(&j);
}

static void print_text(const char *dev, int passive, int rc,
		       const struct hs_detect_result *r, const char *uri)
{
	char name[48], reply[HS_DETECT_REPLY * 4 + 8];
	const struct hs_line_errors *e = &r->errors;

	reply_text(reply, sizeof(reply), r->reply, r->reply_len);
	if (rc != HS_OK)
		return;
	hs_line_name(&r->line, name, sizeof(name));
	printf("%s: %s\n", dev, name);
	if (passive)
		printf("  evidence: heard \"%s\" (confidence %d%%), %d tries in %.1f s, "
		       "nothing sent\n", reply, r->confidence, r->tries, r->ms / 1000.0);
	else
		printf("  evidence: answered \"%s\" after %d tries in %.1f s, "
		       "%zu bytes sent\n", reply, r->tries, r->ms / 1000.0, r->sent);
	printf("  line errors at the other settings: %lu framing, %lu parity, "
	       "%lu breaks, %lu overruns\n", e->framing, e->parity, e->breaks,
	       e->overruns);
	if (r->also.baud) {
		hs_line_name(&r->also, name, sizeof(name));
		if (passive)
			printf("  runner-up: %s (confidence %d%%)\n", name,
			       r->also_confidence);
		else
			printf("  also answered: %s%s\n", name,
			       r->also_result == HS_TRY_DAMAGED ? ", with line errors" : "");
	}
	printf("  use: %s\n", uri);
}

/* the exit status: found, nothing answered (69), nothing clear (76) */
static int status_of(int rc)
{
	switch (rc) {
	case HS_OK:
		return 0;
	case HS_ERR_NO_ANSWER:
		return EX_UNAVAILABLE;
	case HS_ERR_PROTOCOL:
		return EX_PROTOCOL;
	default:
		return tool_exit_code(rc);
	}
}

int hsprobe_detect(const char *dev, int passive, int json, int timeout_ms)
{
	static struct tries all;
	struct hs_detect_opts o = { .timeout_ms = timeout_ms, .on_try = on_try,
				    .ctx = &all };
	const struct hs_modem_driver *drv;
	struct hs_detect_result r;
	struct hs_link *link;
	char uri[600] = "";
	int rc;

	if ((rc = hs_link_open(&link, dev)) < 0)
		tool_fail(rc, "%s", hs_last_error());
	/* a modem its USB id says autobauds is sent AT twice each try */
	drv = hs_modem_driver_match(hs_link_info(link), NULL);
	o.at_twice = drv && drv->dte && (drv->dte->flags & HS_DTE_AUTOBAUD);
	rc = passive ? hs_detect_listen(link, &o, &r) : hs_detect_modem(link, &o, &r);
	if (rc == HS_OK)
		hs_detect_uri(link, &r.line, uri, sizeof(uri));
	if (json)
		print_json(dev, passive, rc, status_of(rc), &r, uri, &all);
	else
		print_text(dev, passive, rc, &r, uri);
	if (rc < 0 && !json) /* JSON has it in its error object */
		tool_warn("%s", hs_last_error());
	hs_link_close(link);
	return status_of(rc);
}
