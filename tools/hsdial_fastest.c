/*
 * hsdial_fastest.c - hsdial --fastest: after the reset, raise the DTE rate
 * to the fastest the modem and the port take (hs_modem_raise_rate), for
 * this session; at the end put it back, unless --fastest=keep had the
 * modem store it (AT&W).
 */
#include <stdio.h>

#include <handshake/handshake.h>
#include "hsdial_call.h"
#include "tool.h"

static struct hs_rate_result raised;
static int have_raised;

int hsd_fastest(struct hs_modem *m, const struct hsd_opts *o, int timeout_ms)
{
	struct hs_rate_opts ro = { .keep = o->fastest > 1, .to_8n1 = 1 };
	char from[48], to[48];
	int rc = hs_modem_raise_rate(m, &ro, &raised, timeout_ms);

	hs_line_name(&raised.before, from, sizeof(from));
	hs_line_name(&raised.after, to, sizeof(to));
	if (rc == HS_OK) {
		have_raised = !ro.keep;
		if (o->verbose || !o->quiet)
			tool_warn("line %s -> %s%s", from, to,
				  raised.after.baud == raised.before.baud
				  ? " (nothing faster that both take)" : "");
		return HS_OK;
	}
	/* a modem that cannot go faster is not a reason to fail the call */
	if (rc == HS_ERR_NO_ANSWER) {
		tool_warn("%s", hs_last_error()); /* "...; both are back at" */
		return HS_OK;
	}
	if (rc == HS_ERR_NOT_SUPPORTED || rc == HS_ERR_REJECTED) {
		tool_warn("%s; going on at %s", hs_last_error(), from);
		return HS_OK;
	}
	return rc;
}

void hsd_fastest_end(struct hs_modem *m, const struct hsd_opts *o)
{
	if (!have_raised)
		return;
	have_raised = 0;
	if (hs_modem_restore_rate(m, &raised, 5000) < 0)
		tool_warn("could not put the line back: %s", hs_last_error());
	else if (o->verbose)
		tool_warn("line back at the rate found");
}
