/*
 * test_telnet.c - the Telnet and COM-PORT-OPTION codec (lib/telnet.c,
 * lib/comport.c): IAC escaping of every byte value both ways, commands
 * split anywhere, and subnegotiations that are truncated, oversized,
 * unknown or garbled. No I/O: the codec is pure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "comport.h"
#include "telnet.h"

/* Everything the decoder reported, as one printable log, and the data. */
struct record {
	uint8_t data[4096];
	size_t ndata;
	char log[4096];
	size_t nlog;
};

static void logf_(struct record *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->nlog += (size_t)vsnprintf(r->log + r->nlog, sizeof(r->log) - r->nlog, fmt, ap);
	va_end(ap);
}

static void on_data(void *ctx, const uint8_t *b, size_t n)
{
	struct record *r = ctx;
	assert_true(r->ndata + n <= sizeof(r->data));
	memcpy(r->data + r->ndata, b, n);
	r->ndata += n;
}

static void on_verb(void *ctx, int verb, int opt)
{
	logf_(ctx, "[verb %d %d]", verb, opt);
}

static void on_sub(void *ctx, const uint8_t *body, size_t n)
{
	logf_(ctx, "[sub");
	for (size_t i = 0; i < n; i++)
		logf_(ctx, " %d", body[i]);
	logf_(ctx, "]");
}

static void on_command(void *ctx, int c)
{
	logf_(ctx, "[cmd %d]", c);
}

static void on_bad(void *ctx, enum hs_tn_bad why)
{
	logf_(ctx, "[bad %d]", (int)why);
}

static void decode(struct record *r, const uint8_t *in, size_t n, size_t piece, int binary)
{
	struct hs_telnet t;
	const struct hs_telnet_sink sink = {
		.ctx = r, .data = on_data, .verb = on_verb, .sub = on_sub,
		.command = on_command, .bad = on_bad,
	};

	memset(r, 0, sizeof(*r));
	hs_telnet_init(&t);
	t.binary = binary;
	for (size_t i = 0; i < n; i += piece)
		hs_telnet_feed(&t, in + i, n - i < piece ? n - i : piece, &sink);
}

static void test_escape_every_byte(void **state)
{
	(void)state;
	for (int b = 0; b < 256; b++) {
		uint8_t in = (uint8_t)b, out[4];
		size_t used, n = hs_telnet_escape(&in, 1, &used, out, sizeof(out), 1);
		struct record r;

		assert_int_equal(used, 1);
		assert_int_equal(n, b == 0xFF ? 2 : 1);
		assert_int_equal(out[0], b);
		if (b == 0xFF)
			assert_int_equal(out[1], 0xFF);
		/* and back */
		decode(&r, out, n, n, 1);
		assert_int_equal(r.ndata, 1);
		assert_int_equal(r.data[0], b);
		assert_int_equal(r.nlog, 0);
	}
}

/* All 256 values, and runs of 0xFF, survive the round trip whatever the
 * pieces the network cuts them into. */
static void test_round_trip_split(void **state)
{
	uint8_t in[256 + 64], wire[2 * sizeof(in)];
	size_t used, n;
	(void)state;

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	memset(in + 256, 0xFF, 64);
	n = hs_telnet_escape(in, sizeof(in), &used, wire, sizeof(wire), 1);
	assert_int_equal(used, sizeof(in));
	assert_int_equal(n, sizeof(in) + 65);
	for (size_t piece = 1; piece <= 7; piece++) {
		struct record r;
		decode(&r, wire, n, piece, 1);
		assert_int_equal(r.ndata, sizeof(in));
		assert_memory_equal(r.data, in, sizeof(in));
		assert_int_equal(r.nlog, 0);
	}
}

/* A short buffer never gets half an IAC pair. */
static void test_escape_never_splits(void **state)
{
	const uint8_t in[] = { 'a', 0xFF, 'b' };
	uint8_t out[8];
	size_t used, n;
	(void)state;

	n = hs_telnet_escape(in, 3, &used, out, 2, 1);
	assert_int_equal(n, 1);
	assert_int_equal(used, 1);
	n = hs_telnet_escape(in + 1, 2, &used, out, 1, 1);
	assert_int_equal(n, 0);
	assert_int_equal(used, 0);
	n = hs_telnet_escape(in + 1, 2, &used, out, 3, 1);
	assert_int_equal(n, 3);
	assert_int_equal(used, 2);
}

/* Outside BINARY mode a CR goes as CR NUL and comes back as CR. */
static void test_text_mode_cr(void **state)
{
	const uint8_t in[] = { 'a', '\r', '\n', '\r', 'x', '\r' };
	const uint8_t want[] = { 'a', '\r', 0, '\n', '\r', 0, 'x', '\r', 0 };
	uint8_t out[16];
	size_t used, n;
	struct record r;
	(void)state;

	n = hs_telnet_escape(in, sizeof(in), &used, out, sizeof(out), 0);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	for (size_t piece = 1; piece <= 3; piece++) {
		decode(&r, out, n, piece, 0);
		assert_int_equal(r.ndata, sizeof(in));
		assert_memory_equal(r.data, in, sizeof(in));
	}
	/* in BINARY mode a NUL after CR is data */
	decode(&r, out, n, n, 1);
	assert_int_equal(r.ndata, n);
}

/* Verbs, subnegotiations and data interleaved, split at every byte. */
static void test_commands_split_anywhere(void **state)
{
	const uint8_t wire[] = {
		'h', 'i', 0xFF, 0xFB, 0x00,                   /* WILL BINARY */
		0xFF, 0xFA, 44, 107, 0xB0, 0xFF, 0xF0,        /* NOTIFY-MODEMSTATE */
		0xFF, 0xFF, 'x',                              /* data 0xFF */
		0xFF, 0xFA, 44, 101, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0, /* 0xFF in a value */
		0xFF, 0xF1,                                   /* NOP */
		'!',
	};
	const char *want = "[verb 251 0][sub 44 107 176][sub 44 101 0 0 255 255][cmd 241]";
	const uint8_t data[] = { 'h', 'i', 0xFF, 'x', '!' };
	(void)state;

	for (size_t piece = 1; piece <= sizeof(wire); piece++) {
		struct record r;
		decode(&r, wire, sizeof(wire), piece, 1);
		assert_string_equal(r.log, want);
		assert_int_equal(r.ndata, sizeof(data));
		assert_memory_equal(r.data, data, sizeof(data));
	}
}

/* An oversized subnegotiation is dropped whole, reported once, and what
 * follows it is decoded as usual. */
static void test_oversized_sub(void **state)
{
	static uint8_t wire[3 * HS_TN_SUB_MAX];
	size_t n = 0;
	struct record r;
	(void)state;

	wire[n++] = 0xFF;
	wire[n++] = 0xFA;
	wire[n++] = 44;
	wire[n++] = 100;
	while (n < 2 * HS_TN_SUB_MAX)
		wire[n++] = 'A';
	wire[n++] = 0xFF;
	wire[n++] = 0xF0;
	wire[n++] = 'o';
	wire[n++] = 'k';
	decode(&r, wire, n, 13, 1);
	assert_string_equal(r.log, "[bad 0]");
	assert_int_equal(r.ndata, 2);
	assert_memory_equal(r.data, "ok", 2);

	/* exactly at the bound is kept */
	n = 0;
	wire[n++] = 0xFF;
	wire[n++] = 0xFA;
	for (int i = 0; i < HS_TN_SUB_MAX; i++)
		wire[n++] = 44;
	wire[n++] = 0xFF;
	wire[n++] = 0xF0;
	decode(&r, wire, n, n, 1);
	assert_int_equal(strncmp(r.log, "[sub 44 44", 10), 0);
}

/* Garbage: a stray SE, an unassigned command, a verb inside a
 * subnegotiation (which ends it), an unterminated one at the end. */
static void test_garbage(void **state)
{
	const uint8_t wire[] = {
		0xFF, 0xF0, 'a',                              /* stray SE */
		0xFF, 0x05, 'b',                              /* unassigned */
		0xFF, 0xFA, 44, 107, 0xFF, 0xFD, 0x03, 'c',   /* DO SGA inside SB */
		0xFF, 0xFA, 44, 1, 2, 3,                      /* never ends */
	};
	struct record r;
	(void)state;

	decode(&r, wire, sizeof(wire), 1, 1);
	assert_string_equal(r.log, "[bad 1][cmd 5][bad 2][verb 253 3]");
	assert_int_equal(r.ndata, 3);
	assert_memory_equal(r.data, "abc", 3);
}

static void test_cpo_request(void **state)
{
	uint8_t out[16];
	size_t n;
	(void)state;

	n = hs_cpo_request(HS_CPO_SET_BAUDRATE, 115200, out, sizeof(out));
	assert_int_equal(n, 10);
	assert_memory_equal(out, "\xFF\xFA\x2C\x01\x00\x01\xC2\x00\xFF\xF0", 10);
	/* a 0xFF in a value is doubled */
	n = hs_cpo_request(HS_CPO_SET_BAUDRATE, 0x1FF, out, sizeof(out));
	assert_int_equal(n, 11);
	assert_memory_equal(out, "\xFF\xFA\x2C\x01\x00\x00\x01\xFF\xFF\xFF\xF0", 11);
	n = hs_cpo_request(HS_CPO_SET_CONTROL, HS_CPO_DTR_OFF, out, sizeof(out));
	assert_int_equal(n, 7);
	assert_memory_equal(out, "\xFF\xFA\x2C\x05\x09\xFF\xF0", 7);
	n = hs_cpo_request(HS_CPO_FLOWCONTROL_SUSPEND, 0, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "\xFF\xFA\x2C\x08\xFF\xF0", 6);
	n = hs_cpo_request(HS_CPO_SIGNATURE, 0, out, sizeof(out));
	assert_int_equal(n, 6);
	/* too small a buffer gives nothing rather than half a command */
	assert_int_equal(hs_cpo_request(HS_CPO_SET_BAUDRATE, 9600, out, 8), 0);
}

static void test_cpo_parse(void **state)
{
	struct hs_cpo_msg m;
	(void)state;

	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x65\x00\x00\x25\x80", 6, &m), HS_CPO_OK);
	assert_int_equal(m.cmd, HS_CPO_SET_BAUDRATE);
	assert_int_equal(m.value, 9600);
	assert_int_equal(m.extra, 0);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x6B\xB0", 3, &m), HS_CPO_OK);
	assert_int_equal(m.cmd, HS_CPO_NOTIFY_MODEMSTATE);
	assert_int_equal(hs_cpo_signals(m.value), HS_SIG_DCD | HS_SIG_DSR | HS_SIG_CTS);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x6C", 2, &m), HS_CPO_OK);
	assert_int_equal(m.cmd, HS_CPO_FLOWCONTROL_SUSPEND);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x64ser2net", 9, &m), HS_CPO_OK);
	assert_int_equal(m.cmd, HS_CPO_SIGNATURE);
	assert_int_equal(m.len, 7);
	assert_memory_equal(m.text, "ser2net", 7);
	/* padded (sredird sends 8 bytes of baud rate): the value, and the rest noted */
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x65\x00\x00\x25\x80\x00\x00\x00\x00", 10, &m),
			 HS_CPO_OK);
	assert_int_equal(m.value, 9600);
	assert_int_equal(m.extra, 4);

	/* truncated: every command's value cut short */
	for (int cmd = 0; cmd < HS_CPO_NCMDS; cmd++) {
		uint8_t body[8] = { 44, (uint8_t)(HS_CPO_SERVER + cmd), 1, 2, 3, 4 };
		int size = hs_cpo_value_size(cmd);
		for (int have = 0; have < size; have++)
			assert_int_equal(hs_cpo_parse(body, 2 + (size_t)have, &m), HS_CPO_TRUNCATED);
		if (size >= 0)
			assert_int_equal(hs_cpo_parse(body, 2 + (size_t)size, &m), HS_CPO_OK);
	}
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C", 1, &m), HS_CPO_TRUNCATED);
	/* unknown: client codes, codes past PURGE-DATA, other options */
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x01\x00", 3, &m), HS_CPO_UNKNOWN);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\x71\x00", 3, &m), HS_CPO_UNKNOWN);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x2C\xFF\x00", 3, &m), HS_CPO_UNKNOWN);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"\x18\x00", 2, &m), HS_CPO_NOT_OURS);
	assert_int_equal(hs_cpo_parse((const uint8_t *)"", 0, &m), HS_CPO_NOT_OURS);
}

static void test_cpo_maps(void **state)
{
	(void)state;
	for (int p = HS_PARITY_NONE; p <= HS_PARITY_SPACE; p++)
		assert_int_equal(hs_cpo_parity_from((unsigned)hs_cpo_parity(p)), p);
	assert_int_equal(hs_cpo_parity(HS_PARITY_EVEN), 3);
	assert_int_equal(hs_cpo_parity_from(0), -1);
	assert_int_equal(hs_cpo_parity_from(6), -1);
	for (int f = HS_FLOW_NONE; f <= HS_FLOW_DTRDSR; f++)
		assert_int_equal(hs_cpo_flow_from((unsigned)hs_cpo_flow(f)), f);
	assert_int_equal(hs_cpo_control_group(HS_CPO_DTR_OFF), HS_CPO_G_DTR);
	assert_int_equal(hs_cpo_control_group(HS_CPO_FLOW_DSR), HS_CPO_G_FLOW);
	assert_int_equal(hs_cpo_control_group(HS_CPO_INFLOW_DTR), HS_CPO_G_INFLOW);
	assert_int_equal(hs_cpo_control_group(200), HS_CPO_G_NONE);
	assert_string_equal(hs_cpo_name(HS_CPO_PURGE_DATA), "PURGE-DATA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_byte),
		cmocka_unit_test(test_round_trip_split),
		cmocka_unit_test(test_escape_never_splits),
		cmocka_unit_test(test_text_mode_cr),
		cmocka_unit_test(test_commands_split_anywhere),
		cmocka_unit_test(test_oversized_sub),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_cpo_request),
		cmocka_unit_test(test_cpo_parse),
		cmocka_unit_test(test_cpo_maps),
	};
	return cmocka_run_group_tests_name("telnet", tests, NULL, NULL);
}
