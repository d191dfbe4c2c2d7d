/*
 * comport.c - RFC 2217 COM-PORT-OPTION messages: build requests, check
 * the server's replies, and map the RFC's numbers to ours. See comport.h.
 */
#include "comport.h"
#include "telnet.h"

static const char *const names[HS_CPO_NCMDS] = {
	"SIGNATURE", "SET-BAUDRATE", "SET-DATASIZE", "SET-PARITY", "SET-STOPSIZE",
	"SET-CONTROL", "NOTIFY-LINESTATE", "NOTIFY-MODEMSTATE",
	"FLOWCONTROL-SUSPEND", "FLOWCONTROL-RESUME", "SET-LINESTATE-MASK",
	"SET-MODEMSTATE-MASK", "PURGE-DATA",
};

const char *hs_cpo_name(int cmd)
{
	return cmd >= 0 && cmd < HS_CPO_NCMDS ? names[cmd] : "an unknown COM-PORT command";
}

int hs_cpo_value_size(int cmd)
{
	switch (cmd) {
	case HS_CPO_SIGNATURE:
		return -1;
	case HS_CPO_SET_BAUDRATE:
		return 4;
	case HS_CPO_FLOWCONTROL_SUSPEND:
	case HS_CPO_FLOWCONTROL_RESUME:
		return 0;
	default:
		return 1;
	}
}

int hs_cpo_parse(const uint8_t *body, size_t n, struct hs_cpo_msg *m)
{
	int size;
	size_t have;

	*m = (struct hs_cpo_msg){ .cmd = -1 };
	if (n < 1 || body[0] != HS_TN_OPT_COMPORT)
		return HS_CPO_NOT_OURS;
	if (n < 2)
		return HS_CPO_TRUNCATED;
	if (body[1] < HS_CPO_SERVER || body[1] >= HS_CPO_SERVER + HS_CPO_NCMDS)
		return HS_CPO_UNKNOWN;
	m->cmd = body[1] - HS_CPO_SERVER;
	have = n - 2;
	size = hs_cpo_value_size(m->cmd);
	if (size < 0) {
		m->text = body + 2;
		m->len = have;
		return HS_CPO_OK;
	}
	if (have < (size_t)size)
		return HS_CPO_TRUNCATED;
	for (int i = 0; i < size; i++)
		m->value = m->value << 8 | body[2 + i];
	m->extra = have - (size_t)size;
	return HS_CPO_OK;
}

size_t hs_cpo_request(int cmd, uint32_t value, uint8_t *out, size_t cap)
{
	uint8_t body[6];
	size_t n = 0;
	int size = hs_cpo_value_size(cmd);

	body[n++] = HS_TN_OPT_COMPORT;
	body[n++] = (uint8_t)cmd;
	for (int i = size - 1; i >= 0; i--)
		body[n++] = (uint8_t)(value >> (8 * i));
	return hs_telnet_sub(body, n, out, cap);
}

enum hs_cpo_group hs_cpo_control_group(unsigned v)
{
	static const enum hs_cpo_group groups[] = {
		HS_CPO_G_FLOW, HS_CPO_G_FLOW, HS_CPO_G_FLOW, HS_CPO_G_FLOW,
		HS_CPO_G_BREAK, HS_CPO_G_BREAK, HS_CPO_G_BREAK,
		HS_CPO_G_DTR, HS_CPO_G_DTR, HS_CPO_G_DTR,
		HS_CPO_G_RTS, HS_CPO_G_RTS, HS_CPO_G_RTS,
		HS_CPO_G_INFLOW, HS_CPO_G_INFLOW, HS_CPO_G_INFLOW, HS_CPO_G_INFLOW,
		HS_CPO_G_FLOW, HS_CPO_G_INFLOW, HS_CPO_G_FLOW,
	};
	return v < sizeof(groups) / sizeof(groups[0]) ? groups[v] : HS_CPO_G_NONE;
}

/* RFC 2217 parity: 1 none, 2 odd, 3 even, 4 mark, 5 space. */
static const enum hs_parity parities[] = {
	HS_PARITY_NONE, HS_PARITY_ODD, HS_PARITY_EVEN, HS_PARITY_MARK, HS_PARITY_SPACE,
};

int hs_cpo_parity(enum hs_parity p)
{
	for (int i = 0; i < 5; i++)
		if (parities[i] == p)
			return i + 1;
	return -1;
}

int hs_cpo_parity_from(unsigned v)
{
	return v >= 1 && v <= 5 ? (int)parities[v - 1] : -1;
}

/* RFC 2217 stop size: 1, 2, and 3 for 1.5, which we never ask for. */
int hs_cpo_stopsize(int stop)
{
	return stop == 1 || stop == 2 ? stop : -1;
}

int hs_cpo_flow(enum hs_flow flow)
{
	switch (flow) {
	case HS_FLOW_NONE:
		return HS_CPO_FLOW_NONE;
	case HS_FLOW_XONXOFF:
		return HS_CPO_FLOW_XONXOFF;
	case HS_FLOW_RTSCTS:
		return HS_CPO_FLOW_HARDWARE;
	case HS_FLOW_DTRDSR:
		return HS_CPO_FLOW_DSR;
	}
	return -1;
}

int hs_cpo_flow_from(unsigned v)
{
	switch (v) {
	case HS_CPO_FLOW_NONE:
		return HS_FLOW_NONE;
	case HS_CPO_FLOW_XONXOFF:
		return HS_FLOW_XONXOFF;
	case HS_CPO_FLOW_HARDWARE:
		return HS_FLOW_RTSCTS;
	case HS_CPO_FLOW_DSR:
		return HS_FLOW_DTRDSR;
	default:
		return -1;
	}
}

int hs_cpo_signals(unsigned ms)
{
	return (ms & HS_CPO_MS_CTS ? HS_SIG_CTS : 0) | (ms & HS_CPO_MS_DSR ? HS_SIG_DSR : 0) |
	       (ms & HS_CPO_MS_CD ? HS_SIG_DCD : 0) | (ms & HS_CPO_MS_RI ? HS_SIG_RI : 0);
}
