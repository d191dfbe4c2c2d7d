/*
 * fuzz_comport.c - RFC 2217 COM-PORT-OPTION messages (lib/comport.c) as
 * a server sends them, read the way lib/rfc2217.c reads them: the Telnet
 * decoder (lib/telnet.c) frames the stream, and every subnegotiation
 * body goes to hs_cpo_parse, whose value then goes through the mappings
 * the client uses (control groups, parity, flow, modem lines).
 *
 * Input: what the server sends, IAC framing and all. Each record (split
 * at FUZZ_RS) is also parsed as a bare body, so short inputs reach
 * hs_cpo_parse without needing the framing.
 * Invariants: a message parses as OK with a command the server may
 * send, its value fitting the command's size and the text (SIGNATURE)
 * inside the body, the rest counted in extra, or it is refused with a
 * known reason; every mapping answers in its range and the mappings
 * that go both ways agree; a request built for any command and value
 * decodes, through the Telnet decoder, to a body that says that command
 * and value.
 */
#include <stdlib.h>
#include <string.h>

#include "comport.h"
#include "harness.h"
#include "telnet.h"

static void check_msg(const uint8_t *body, size_t n)
{
	struct hs_cpo_msg m;
	int rc = hs_cpo_parse(body, n, &m), size;

	FUZZ_CHECK(rc == HS_CPO_OK || rc == HS_CPO_NOT_OURS || rc == HS_CPO_UNKNOWN ||
			   rc == HS_CPO_TRUNCATED,
		   "parse returned %d", rc);
	if (rc != HS_CPO_OK) {
		FUZZ_CHECK(rc != HS_CPO_NOT_OURS || n == 0 || body[0] != HS_TN_OPT_COMPORT,
			   "option 44 taken for another option's");
		return;
	}
	FUZZ_CHECK(n >= 2 && body[0] == HS_TN_OPT_COMPORT, "parsed a body of %zu bytes", n);
	FUZZ_CHECK(m.cmd >= 0 && m.cmd < HS_CPO_NCMDS, "command %d", m.cmd);
	FUZZ_CHECK(body[1] == HS_CPO_SERVER + m.cmd, "command %d from byte %d", m.cmd, body[1]);
	FUZZ_CHECK(hs_cpo_name(m.cmd) && hs_cpo_name(m.cmd)[0], "no name for %d", m.cmd);
	size = hs_cpo_value_size(m.cmd);
	if (size < 0) {
		FUZZ_CHECK(m.text == body + 2 && m.len == n - 2 && m.value == 0 && m.extra == 0,
			   "SIGNATURE text is not the body's rest");
		return;
	}
	FUZZ_CHECK(m.text == NULL && m.len == 0, "text for command %d", m.cmd);
	FUZZ_CHECK(size <= 4 && (size_t)size + m.extra == n - 2,
		   "command %d: value %d bytes and %zu extra in a %zu-byte body", m.cmd, size,
		   m.extra, n);
	FUZZ_CHECK(size == 4 || m.value < (1u << (8 * size)),
		   "command %d: value %u does not fit %d bytes", m.cmd, m.value, size);
	if (m.cmd == HS_CPO_SET_CONTROL) {
		enum hs_cpo_group g = hs_cpo_control_group(m.value);
		FUZZ_CHECK(g >= HS_CPO_G_FLOW && g <= HS_CPO_G_NONE, "group %d", (int)g);
		FUZZ_CHECK(g == HS_CPO_G_NONE || m.value <= HS_CPO_FLOW_DSR,
			   "value %u has a group", m.value);
		int f = hs_cpo_flow_from(m.value);
		FUZZ_CHECK(f == -1 || (f >= HS_FLOW_NONE && f <= HS_FLOW_DTRDSR &&
				       hs_cpo_flow((enum hs_flow)f) == (int)m.value),
			   "flow %u maps to %d and back to another", m.value, f);
	} else if (m.cmd == HS_CPO_SET_PARITY) {
		int p = hs_cpo_parity_from(m.value);
		FUZZ_CHECK(p == -1 || hs_cpo_parity((enum hs_parity)p) == (int)m.value,
			   "parity %u maps to %d and back to another", m.value, p);
	} else if (m.cmd == HS_CPO_NOTIFY_MODEMSTATE) {
		int sig = hs_cpo_signals(m.value);
		FUZZ_CHECK(!(sig & ~(HS_SIG_CTS | HS_SIG_DSR | HS_SIG_DCD | HS_SIG_RI)),
			   "modem state %#x gives lines %#x", m.value, sig);
	}
}

static void on_sub(void *ctx, const uint8_t *body, size_t n)
{
	(void)ctx;
	check_msg(body, n);
}

/* A request we build decodes to the command and value it was built for. */
struct one_sub {
	int count;
	uint8_t body[16];
	size_t n;
};

static void keep_sub(void *ctx, const uint8_t *body, size_t n)
{
	struct one_sub *s = ctx;

	s->count++;
	FUZZ_CHECK(n <= sizeof(s->body), "a request body of %zu bytes", n);
	memcpy(s->body, body, n);
	s->n = n;
}

static void check_request(int cmd, uint32_t value)
{
	uint8_t out[32];
	struct one_sub got = { 0 };
	const struct hs_telnet_sink sink = { .ctx = &got, .sub = keep_sub };
	struct hs_telnet t;
	size_t n = hs_cpo_request(cmd, value, out, sizeof(out));
	int size = hs_cpo_value_size(cmd);
	uint32_t back = 0;

	FUZZ_CHECK(n >= 6 && n <= sizeof(out), "request %d: %zu bytes", cmd, n);
	hs_telnet_init(&t);
	hs_telnet_feed(&t, out, n, &sink);
	FUZZ_CHECK(got.count == 1, "request %d decodes to %d subnegotiations", cmd, got.count);
	if (size < 0)
		size = 0; /* SIGNATURE is asked with no text */
	FUZZ_CHECK(got.n == 2 + (size_t)size && got.body[0] == HS_TN_OPT_COMPORT &&
			   got.body[1] == (uint8_t)cmd,
		   "request %d: body of %zu bytes", cmd, got.n);
	for (int i = 0; i < size; i++)
		back = back << 8 | got.body[2 + i];
	if (size < 4)
		value &= size ? (1u << (8 * size)) - 1 : 0;
	FUZZ_CHECK(back == value, "request %d: value %u sent as %u", cmd, value, back);
	/* no room: nothing at all */
	FUZZ_CHECK(hs_cpo_request(cmd, value, out, 4) == 0, "request %d in 4 bytes", cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hs_telnet_sink sink = { .sub = on_sub };
	struct fuzz_records recs;
	const uint8_t *rec;
	size_t len;
	struct hs_telnet t;

	hs_telnet_init(&t);
	t.binary = 1;
	hs_telnet_feed(&t, data, size, &sink);
	fuzz_records_init(&recs, data, size);
	while (fuzz_record(&recs, &rec, &len)) {
		check_msg(rec, len);
		if (len >= 5) {
			uint32_t v = (uint32_t)rec[1] << 24 | (uint32_t)rec[2] << 16 |
				     (uint32_t)rec[3] << 8 | rec[4];
			check_request(rec[0] % HS_CPO_NCMDS, v);
		}
	}
	for (unsigned v = 0; v < 32 && size; v++)
		FUZZ_CHECK(hs_cpo_control_group(data[0] + v) <= HS_CPO_G_NONE, "group");
	return 0;
}
