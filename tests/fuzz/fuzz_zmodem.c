/*
 * fuzz_zmodem.c - the ZMODEM codec (lib/zmodem_codec.c): the decoder
 * that reads headers and subpackets off the line, and the encoder.
 *
 * Input: the first byte picks the escape mode and the check (CRC-16 or
 * CRC-32) and whether the decoder starts in a subpacket; the rest is the
 * line. Invariants: the decoder never writes past its buffer; the line
 * fed whole and fed a byte at a time gives the same events with the same
 * headers and data; every good subpacket, encoded again under the mode,
 * decodes to itself; every good header does too.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xfer_codec.h"
#include "zmodem_codec.h"

struct seen {
	enum zm_ev ev[64];
	struct zm_hdr hdr[64];
	uint32_t crc[64];     /* of each subpacket's data */
	int n;
};

static void note(struct seen *s, const struct zm_dec *d, enum zm_ev ev)
{
	if (s->n == 64)
		return;
	s->ev[s->n] = ev;
	s->hdr[s->n] = ev == ZM_EV_HEADER ? d->hdr : (struct zm_hdr){ 0, { 0 } };
	s->crc[s->n] = ev == ZM_EV_DATA ? hs_zm_crc32(0, d->data, d->len) ^ (uint32_t)d->len : 0;
	s->n++;
}

/* A good subpacket or header, encoded again, decodes to itself. */
static void round_trip(const struct zm_dec *d, enum zm_ev ev, unsigned esc)
{
	static uint8_t line[ZM_SUB_LINE(ZM_SUB_MAX)], buf[ZM_SUB_MAX];
	struct zm_dec e;
	enum zm_ev got = ZM_EV_MORE;
	size_t n, used = 0;

	hs_zm_dec_init(&e, buf, sizeof(buf));
	if (ev == ZM_EV_DATA) {
		n = hs_zm_subpacket(line, d->data, d->len, d->end, d->crc32, esc);
		e.crc32 = d->crc32;
		hs_zm_dec_data(&e);
	} else {
		n = hs_zm_bin_header(line, &d->hdr, d->crc32, esc);
	}
	FUZZ_CHECK(n <= sizeof(line), "encoded %zu bytes", n);
	while (used < n && got == ZM_EV_MORE)
		used += hs_zm_dec_feed(&e, line + used, n - used, &got);
	FUZZ_CHECK(got == ev, "re-encoded: event %d for %d", (int)got, (int)ev);
	if (ev == ZM_EV_DATA)
		FUZZ_CHECK(e.len == d->len && memcmp(e.data, d->data, d->len) == 0 &&
			   e.end == d->end, "subpacket changed in a round trip");
	else
		FUZZ_CHECK(memcmp(&e.hdr, &d->hdr, sizeof(d->hdr)) == 0, "header changed");
}

static void run(const uint8_t *line, size_t n, uint8_t cfg, size_t slice, struct seen *s)
{
	static uint8_t buf[ZM_SUB_MAX];
	struct zm_dec d;
	size_t at = 0;

	hs_zm_dec_init(&d, buf, sizeof(buf));
	d.crc32 = cfg & 4;
	if (cfg & 8)
		hs_zm_dec_data(&d);
	while (at < n) {
		size_t k = n - at < slice ? n - at : slice;
		enum zm_ev ev;
		size_t used = hs_zm_dec_feed(&d, line + at, k, &ev);

		FUZZ_CHECK(used >= 1 && used <= k, "used %zu of %zu", used, k);
		FUZZ_CHECK(d.len <= d.max, "len %zu past %zu", d.len, d.max);
		at += used;
		if (ev == ZM_EV_MORE)
			continue;
		note(s, &d, ev);
		if (slice == 1 && (ev == ZM_EV_DATA || ev == ZM_EV_HEADER))
			round_trip(&d, ev, cfg & 3);
		if (ev == ZM_EV_BAD_DATA || ev == ZM_EV_BAD_HEADER)
			FUZZ_CHECK(d.why && d.why[0], "a bad frame without a reason");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole = { .n = 0 }, bytes = { .n = 0 };

	if (size < 1)
		return 0;
	run(data + 1, size - 1, data[0], size, &whole);
	run(data + 1, size - 1, data[0], 1, &bytes);
	FUZZ_CHECK(whole.n == bytes.n, "%d events whole, %d a byte at a time", whole.n, bytes.n);
	for (int i = 0; i < whole.n; i++) {
		FUZZ_CHECK(whole.ev[i] == bytes.ev[i], "event %d differs", i);
		FUZZ_CHECK(memcmp(&whole.hdr[i], &bytes.hdr[i], sizeof(whole.hdr[i])) == 0,
			   "header %d differs", i);
		FUZZ_CHECK(whole.crc[i] == bytes.crc[i], "subpacket %d differs", i);
	}
	return 0;
}
