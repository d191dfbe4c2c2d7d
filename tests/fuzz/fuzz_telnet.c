/*
 * fuzz_telnet.c - the Telnet framing decoder (lib/telnet.c) on what an
 * RFC 2217 server (or anything listening on its port) sends, and the
 * encoders we answer with.
 *
 * Input: the first byte's low bit sets BINARY (no CR NUL in text
 * mode); the next byte seeds where the rest is cut into reads; the rest
 * is what the peer sends.
 * Invariants: every event is well-formed (a verb is WILL/WONT/DO/DONT, a
 * subnegotiation body has its option byte and at most HS_TN_SUB_MAX
 * bytes, a command is none of the bytes the decoder itself acts on, a
 * bad event is a known reason); data never holds more bytes than came
 * in; and the events do not depend on how the bytes were cut: all at
 * once, a byte at a time and at the seeded cuts give the same events
 * and the same data. The encoders round-trip: data escaped (BINARY or
 * not) decodes to itself, and a body framed by hs_telnet_sub decodes as
 * one subnegotiation with that body.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "telnet.h"

/* Events as a flat log: a tag byte, then its bytes. Data runs are
 * merged, so logs compare however the decoder cut them. */
enum { EV_DATA = 'd', EV_VERB = 'v', EV_SUB = 's', EV_CMD = 'c', EV_BAD = 'b' };

struct log {
	uint8_t *buf;
	size_t len, cap;
	size_t data_at;       /* where the open data run's length is, or 0 */
	size_t data_total;    /* every data byte delivered */
	size_t in_total;      /* every byte fed */
};

static void put(struct log *l, const void *p, size_t n)
{
	if (l->len + n > l->cap) {
		l->cap = (l->len + n) * 2 + 64;
		if (!(l->buf = realloc(l->buf, l->cap)))
			abort();
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void event(struct log *l, uint8_t tag, const void *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	l->data_at = 0;
	put(l, &tag, 1);
	put(l, &len, sizeof(len));
	put(l, p, n);
}

static void on_data(void *ctx, const uint8_t *buf, size_t n)
{
	struct log *l = ctx;
	uint32_t len;

	FUZZ_CHECK(n > 0, "an empty data event");
	l->data_total += n;
	FUZZ_CHECK(l->data_total <= l->in_total, "%zu data bytes out of %zu in", l->data_total,
		   l->in_total);
	if (!l->data_at) {
		uint8_t tag = EV_DATA;
		put(l, &tag, 1);
		l->data_at = l->len;
		len = 0;
		put(l, &len, sizeof(len));
	}
	memcpy(&len, l->buf + l->data_at, sizeof(len));
	len += (uint32_t)n;
	memcpy(l->buf + l->data_at, &len, sizeof(len));
	put(l, buf, n);
}

static void on_verb(void *ctx, int verb, int option)
{
	uint8_t v[2] = { (uint8_t)verb, (uint8_t)option };

	FUZZ_CHECK(verb >= HS_TN_WILL && verb <= HS_TN_DONT, "verb %d", verb);
	FUZZ_CHECK(option >= 0 && option <= 255, "option %d", option);
	event(ctx, EV_VERB, v, 2);
}

static void on_sub(void *ctx, const uint8_t *body, size_t n)
{
	FUZZ_CHECK(n <= HS_TN_SUB_MAX, "a %zu-byte subnegotiation body", n);
	event(ctx, EV_SUB, body, n);
}

static void on_command(void *ctx, int command)
{
	uint8_t c = (uint8_t)command;

	/* IAC, SB, SE and the verbs are the decoder's own business */
	FUZZ_CHECK(command >= 0 && command <= 255, "command %d", command);
	FUZZ_CHECK(command != HS_TN_IAC && command != HS_TN_SB && command != HS_TN_SE &&
			   !(command >= HS_TN_WILL && command <= HS_TN_DONT),
		   "command %d passed on", command);
	event(ctx, EV_CMD, &c, 1);
}

static void on_bad(void *ctx, enum hs_tn_bad why)
{
	uint8_t w = (uint8_t)why;

	FUZZ_CHECK(why == HS_TN_BAD_OVERSIZED || why == HS_TN_BAD_STRAY_SE ||
			   why == HS_TN_BAD_SB_COMMAND,
		   "bad reason %d", (int)why);
	event(ctx, EV_BAD, &w, 1);
}

static struct hs_telnet_sink sink_for(struct log *l)
{
	return (struct hs_telnet_sink){ .ctx = l, .data = on_data, .verb = on_verb,
					.sub = on_sub, .command = on_command, .bad = on_bad };
}

/* Decode in[0..n) cut by next_cut (bytes per read; 0: all at once). */
static void decode(struct log *l, int binary, const uint8_t *in, size_t n,
		   size_t (*next_cut)(unsigned *), unsigned seed)
{
	struct hs_telnet t;
	const struct hs_telnet_sink s = sink_for(l);
	size_t at = 0;

	memset(l, 0, sizeof(*l));
	hs_telnet_init(&t);
	t.binary = binary;
	while (at < n) {
		size_t k = next_cut ? next_cut(&seed) : n - at;
		if (k > n - at)
			k = n - at;
		l->in_total += k;
		hs_telnet_feed(&t, in + at, k, &s);
		FUZZ_CHECK(t.nsub <= HS_TN_SUB_MAX, "nsub %zu", t.nsub);
		at += k;
	}
}

static size_t one(unsigned *seed)
{
	(void)seed;
	return 1;
}

static size_t seeded(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return 1 + (*seed >> 16) % 17;
}

static void same(const struct log *a, const struct log *b, const char *how)
{
	FUZZ_CHECK(a->len == b->len && (!a->len || !memcmp(a->buf, b->buf, a->len)),
		   "events differ when the input is cut %s", how);
	FUZZ_CHECK(a->data_total == b->data_total, "data differs when cut %s", how);
}

/* Data escaped for sending decodes to itself. */
static void round_trip_data(const uint8_t *in, size_t n, int binary)
{
	size_t cap = 2 * n + 1, used = 0, out_n;
	uint8_t *out = malloc(cap);
	struct log l;

	if (!out)
		abort();
	out_n = hs_telnet_escape(in, n, &used, out, cap, binary);
	FUZZ_CHECK(used == n, "escape took %zu of %zu with room for all", used, n);
	FUZZ_CHECK(out_n <= cap && out_n >= n, "escaped %zu into %zu", n, out_n);
	decode(&l, binary, out, out_n, NULL, 0);
	FUZZ_CHECK(l.data_total == n, "%zu escaped bytes decode to %zu", n, l.data_total);
	if (n) {
		/* one data event holding exactly the input */
		FUZZ_CHECK(l.len == 1 + sizeof(uint32_t) + n && l.buf[0] == EV_DATA &&
				   !memcmp(l.buf + 1 + sizeof(uint32_t), in, n),
			   "escaped data does not decode to itself");
	}
	/* a short buffer never takes half an escape */
	for (size_t c = 0; c < 4 && c < cap; c++) {
		out_n = hs_telnet_escape(in, n, &used, out, c, binary);
		FUZZ_CHECK(out_n <= c && used <= n, "escape into %zu: %zu written", c, out_n);
	}
	free(l.buf);
	free(out);
}

/* A body framed as a subnegotiation decodes as one, with that body. */
static void round_trip_sub(const uint8_t *body, size_t n)
{
	size_t cap = 2 * n + 4, out_n;
	uint8_t *out = malloc(cap);
	struct log l;

	if (!out)
		abort();
	out_n = hs_telnet_sub(body, n, out, cap);
	FUZZ_CHECK(out_n >= n + 4, "framed %zu bytes into %zu", n, out_n);
	decode(&l, 1, out, out_n, NULL, 0);
	if (n <= HS_TN_SUB_MAX) {
		FUZZ_CHECK(l.len == 1 + sizeof(uint32_t) + n && l.buf[0] == EV_SUB &&
				   !memcmp(l.buf + 1 + sizeof(uint32_t), body, n),
			   "a framed %zu-byte body does not decode to itself", n);
	} else {
		uint8_t want[1 + sizeof(uint32_t) + 1] = { EV_BAD, 1, 0, 0, 0, HS_TN_BAD_OVERSIZED };
		FUZZ_CHECK(l.len == sizeof(want) && !memcmp(l.buf, want, sizeof(want)),
			   "a framed %zu-byte body is not reported oversized", n);
	}
	/* no room: nothing, never half a frame */
	FUZZ_CHECK(hs_telnet_sub(body, n, out, n + 3) == 0, "framed into too little room");
	free(l.buf);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole, bytes, cuts;
	int binary;
	unsigned seed;

	if (size < 2)
		return 0;
	binary = data[0] & 1;
	seed = data[1];
	data += 2;
	size -= 2;
	decode(&whole, binary, data, size, NULL, 0);
	decode(&bytes, binary, data, size, one, 0);
	decode(&cuts, binary, data, size, seeded, seed);
	same(&whole, &bytes, "a byte at a time");
	same(&whole, &cuts, "at seeded points");
	free(whole.buf);
	free(bytes.buf);
	free(cuts.buf);
	round_trip_data(data, size, binary);
	round_trip_sub(data, size);
	return 0;
}
