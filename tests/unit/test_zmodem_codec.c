/*
 * test_zmodem_codec.c - the ZMODEM codec: CRC-16 and CRC-32 vectors,
 * headers encoded and decoded (hex, binary CRC-16, binary CRC-32),
 * escaping round trips of all 256 byte values under each escape mode
 * (and no forbidden byte on the line), damaged and hostile subpackets,
 * five CAN ending anything, and the auto-start watch across slices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/xfer.h"
#include "xfer_codec.h"
#include "zmodem_codec.h"

static void test_crc_vectors(void **state)
{
	(void)state;
	/* the catalogue's check values for "123456789" */
	assert_int_equal(hs_zm_crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(hs_xm_crc16(0, "123456789", 9), 0x31c3);
	assert_int_equal(hs_zm_crc32(0, "", 0), 0);
	assert_int_equal(hs_zm_crc32(0, "a", 1), 0xe8b7be43u);
	/* continued over two pieces: the CRC of the whole */
	assert_int_equal(hs_zm_crc32(hs_zm_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

/* Feed all of buf; the events in order into evs (at most 8). */
static int feed_all(struct zm_dec *d, const uint8_t *buf, size_t n, enum zm_ev *evs)
{
	int k = 0;

	while (n) {
		enum zm_ev ev;
		size_t used = hs_zm_dec_feed(d, buf, n, &ev);
		buf += used;
		n -= used;
		if (ev != ZM_EV_MORE && k < 8)
			evs[k++] = ev;
	}
	return k;
}

static void header_round_trip(int kind)
{
	uint8_t line[ZM_HDR_LINE + 32], buf[ZM_SUB_MAX];
	struct zm_dec d;
	enum zm_ev evs[8];
	/* positions whose bytes need escaping, and ones that do not */
	static const uint32_t pos[] = { 0, 1, 0x18, 0x11131018u, 0xffffffffu, 1048576, 0x40400d0du };

	for (int t = 0; t < ZM_TYPES; t++) {
		for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
			struct zm_hdr h = hs_zm_pos_hdr(t, pos[i]);
			size_t n = kind == ZM_HEX ? hs_zm_hex_header(line, &h) :
				   hs_zm_bin_header(line, &h, kind == ZM_BIN32, ZM_ESC_MIN);

			assert_true(n <= ZM_HDR_LINE);
			hs_zm_dec_init(&d, buf, sizeof(buf));
			assert_int_equal(feed_all(&d, line, n, evs), 1);
			assert_int_equal(evs[0], ZM_EV_HEADER);
			assert_int_equal(d.hdr.type, t);
			assert_int_equal(hs_zm_pos(&d.hdr), pos[i]);
			if (kind != ZM_HEX)
				assert_int_equal(d.crc32, kind == ZM_BIN32);
			/* nothing left over counted as garbage (CR LF XON) */
			assert_int_equal(d.garbage, 0);
		}
	}
}

static void test_header_hex(void **state)
{
	uint8_t line[ZM_HDR_LINE];
	struct zm_hdr h = hs_zm_flags_hdr(ZM_RINIT, ZM_CANFDX | ZM_CANOVIO | ZM_CANFC32, 0, 0, 0);
	(void)state;
	/* lrzsz's rz says exactly this */
	size_t n = hs_zm_hex_header(line, &h);
	assert_int_equal(n, 21);
	assert_memory_equal(line, "**\x18" "B0100000023be50\r\x8a\x11", 21);
	/* ZFIN: no XON after it */
	h = hs_zm_pos_hdr(ZM_FIN, 0);
	n = hs_zm_hex_header(line, &h);
	assert_int_equal(line[n - 1], 0x8a);
	header_round_trip(ZM_HEX);
	/* data after a hex header (sz's ZSINIT): its CR LF XON are not
	 * data, and its check is CRC-16 */
	uint8_t buf[ZM_SUB_MAX], all[64];
	struct zm_dec d;
	enum zm_ev evs[8];
	h = hs_zm_flags_hdr(ZM_SINIT, ZM_TESCCTL, 0, 0, 0);
	n = hs_zm_hex_header(all, &h);
	n += hs_zm_subpacket(all + n, (const uint8_t *)"\0", 1, ZM_CRCW, 0, ZM_ESC_CTL);
	hs_zm_dec_init(&d, buf, sizeof(buf));
	size_t used = 0;
	enum zm_ev ev;
	while (used < n) {
		used += hs_zm_dec_feed(&d, all + used, n - used, &ev);
		if (ev == ZM_EV_HEADER)
			break;
	}
	assert_int_equal(ev, ZM_EV_HEADER);
	hs_zm_dec_data(&d);
	assert_int_equal(feed_all(&d, all + used, n - used, evs), 1);
	assert_int_equal(evs[0], ZM_EV_DATA);
	assert_int_equal(d.len, 1);
	assert_int_equal(d.data[0], 0);
}

static void test_header_bin16(void **state)
{
	(void)state;
	header_round_trip(ZM_BIN);
}

static void test_header_bin32(void **state)
{
	(void)state;
	header_round_trip(ZM_BIN32);
}

/* Bytes the line must never carry raw under mode esc. */
static int forbidden(uint8_t c, unsigned esc)
{
	unsigned low = c & 0x7f;
	if (low == 0x10 || low == 0x11 || low == 0x13)
		return 1;
	if ((esc & ZM_ESC_CTL) && low < 0x20 && c != ZM_DLE)
		return 1;
	return (esc & ZM_ESC_IAC) && c == 0xff;
}

static void test_escape_all_bytes(void **state)
{
	uint8_t all[256 * 2], line[ZM_SUB_LINE(512)], buf[ZM_SUB_MAX];
	(void)state;

	/* every value, then pairs of '@' (or its high-bit form) and a byte,
	 * CR and its high-bit form among them */
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	for (int k = 0; k < 128; k++) {
		all[256 + 2 * k] = k & 1 ? 0xc0 : '@';
		all[256 + 2 * k + 1] = (uint8_t)(k * 2 + 1);
	}
	memcpy(all + 256, "@\r@\x8d\xc0\r\xc0\x8d", 8);
	for (unsigned esc = 0; esc < ZM_ESC_MODES; esc++) {
		for (int crc32 = 0; crc32 < 2; crc32++) {
			for (int end = ZM_CRCE; end <= ZM_CRCW; end++) {
				struct zm_dec d;
				enum zm_ev evs[8];
				size_t n = hs_zm_subpacket(line, all, sizeof(all), end, crc32, esc);

				for (size_t i = 0; i < n; i++) {
					assert_false(forbidden(line[i], esc));
					/* CR never follows '@' raw */
					if (i && (line[i] & 0x7f) == '\r')
						assert_int_not_equal(line[i - 1] & 0x7f, '@');
				}
				hs_zm_dec_init(&d, buf, sizeof(buf));
				d.crc32 = crc32;
				hs_zm_dec_data(&d);
				assert_int_equal(feed_all(&d, line, n, evs), 1);
				assert_int_equal(evs[0], ZM_EV_DATA);
				assert_int_equal(d.end, end);
				assert_int_equal(d.len, sizeof(all));
				assert_memory_equal(d.data, all, sizeof(all));
			}
		}
	}
}

static void test_escape_byte_by_byte(void **state)
{
	uint8_t data[300], line[ZM_SUB_LINE(300)], buf[ZM_SUB_MAX];
	struct zm_dec d;
	int events = 0;
	(void)state;

	for (int i = 0; i < 300; i++)
		data[i] = (uint8_t)(i * 37 + 11);
	size_t n = hs_zm_subpacket(line, data, sizeof(data), ZM_CRCG, 1, ZM_ESC_CTL);
	hs_zm_dec_init(&d, buf, sizeof(buf));
	d.crc32 = 1;
	hs_zm_dec_data(&d);
	/* the line may cut anywhere: a byte at a time */
	for (size_t i = 0; i < n; i++) {
		enum zm_ev ev;
		assert_int_equal(hs_zm_dec_feed(&d, line + i, 1, &ev), 1);
		if (ev != ZM_EV_MORE) {
			events++;
			assert_int_equal(ev, ZM_EV_DATA);
			assert_int_equal(i, n - 1);
		}
	}
	assert_int_equal(events, 1);
	assert_memory_equal(d.data, data, sizeof(data));
	/* ZCRCG: the next subpacket follows at once */
	n = hs_zm_subpacket(line, data, 10, ZM_CRCW, 1, ZM_ESC_MIN);
	enum zm_ev evs[8];
	assert_int_equal(feed_all(&d, line, n, evs), 1);
	assert_int_equal(evs[0], ZM_EV_DATA);
	assert_int_equal(d.len, 10);
}

static void test_damaged_subpackets(void **state)
{
	uint8_t data[1024], line[ZM_SUB_LINE(1100)], bad[ZM_SUB_LINE(1100)], buf[ZM_SUB_MAX];
	struct zm_dec d;
	enum zm_ev evs[8];
	(void)state;

	for (int i = 0; i < 1024; i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	for (int crc32 = 0; crc32 < 2; crc32++) {
		size_t n = hs_zm_subpacket(line, data, sizeof(data), ZM_CRCW, crc32, ZM_ESC_MIN);

		/* every single bit flipped in data or CRC is caught; a flip
		 * that makes a ZDLE may end it early, or leave it unfinished */
		for (size_t i = 0; i < n; i += 7) {
			for (int bit = 0; bit < 8; bit += 3) {
				memcpy(bad, line, n);
				bad[i] ^= (uint8_t)(1 << bit);
				hs_zm_dec_init(&d, buf, sizeof(buf));
				d.crc32 = crc32;
				hs_zm_dec_data(&d);
				int k = feed_all(&d, bad, n, evs);
				for (int j = 0; j < k; j++)
					assert_int_not_equal(evs[j], ZM_EV_DATA);
			}
		}
		/* cut short: nothing yet */
		hs_zm_dec_init(&d, buf, sizeof(buf));
		d.crc32 = crc32;
		hs_zm_dec_data(&d);
		assert_int_equal(feed_all(&d, line, n - 1, evs), 0);
	}
	/* longer than the receiver takes */
	uint8_t big[1100];
	memset(big, 'x', sizeof(big));
	size_t n = hs_zm_subpacket(line, big, sizeof(big), ZM_CRCG, 1, ZM_ESC_MIN);
	hs_zm_dec_init(&d, buf, sizeof(buf));
	d.crc32 = 1;
	hs_zm_dec_data(&d);
	assert_true(feed_all(&d, line, n, evs) >= 1);
	assert_int_equal(evs[0], ZM_EV_BAD_DATA);
	assert_string_equal(d.why, "a subpacket longer than the receiver takes");
	/* a ZDLE before a byte that is no escape */
	hs_zm_dec_init(&d, buf, sizeof(buf));
	hs_zm_dec_data(&d);
	assert_int_equal(feed_all(&d, (const uint8_t *)"ab\x18\x05", 4, evs), 1);
	assert_int_equal(evs[0], ZM_EV_BAD_DATA);
	assert_string_equal(d.why, "a subpacket with a bad escape");
}

static void test_bad_headers_and_cancel(void **state)
{
	uint8_t line[ZM_HDR_LINE], buf[ZM_SUB_MAX];
	struct zm_hdr h = hs_zm_pos_hdr(ZM_RPOS, 12345);
	struct zm_dec d;
	enum zm_ev evs[8];
	size_t n;
	(void)state;

	/* a bad CRC in each kind */
	n = hs_zm_hex_header(line, &h);
	line[10] = line[10] == '0' ? '1' : '0';
	hs_zm_dec_init(&d, buf, sizeof(buf));
	assert_int_equal(feed_all(&d, line, n, evs), 1);
	assert_int_equal(evs[0], ZM_EV_BAD_HEADER);
	n = hs_zm_bin_header(line, &h, 1, ZM_ESC_MIN);
	line[n - 1] ^= 0x01;
	hs_zm_dec_init(&d, buf, sizeof(buf));
	assert_int_equal(feed_all(&d, line, n, evs), 1);
	assert_int_equal(evs[0], ZM_EV_BAD_HEADER);
	/* a hex header with no hex in it */
	hs_zm_dec_init(&d, buf, sizeof(buf));
	assert_int_equal(feed_all(&d, (const uint8_t *)"**\x18" "Bzz", 6, evs), 1);
	assert_int_equal(evs[0], ZM_EV_BAD_HEADER);
	/* garbage before a good header is counted, then the header found */
	hs_zm_dec_init(&d, buf, sizeof(buf));
	n = hs_zm_hex_header(line, &h);
	assert_int_equal(feed_all(&d, (const uint8_t *)"login: ", 7, evs), 0);
	assert_int_equal(feed_all(&d, line, n, evs), 1);
	assert_int_equal(evs[0], ZM_EV_HEADER);
	assert_int_equal(d.garbage, 7);
	/* five CAN end anything: between frames, in a header, in data */
	static const uint8_t can5[] = { 0x18, 0x18, 0x18, 0x18, 0x18 };
	hs_zm_dec_init(&d, buf, sizeof(buf));
	assert_int_equal(feed_all(&d, can5, 5, evs), 1);
	assert_int_equal(evs[0], ZM_EV_CANCEL);
	hs_zm_dec_init(&d, buf, sizeof(buf));
	assert_int_equal(feed_all(&d, (const uint8_t *)"**\x18" "B01", 6, evs), 0);
	assert_int_equal(feed_all(&d, can5, 5, evs), 1);
	assert_int_equal(evs[0], ZM_EV_CANCEL);
	hs_zm_dec_init(&d, buf, sizeof(buf));
	hs_zm_dec_data(&d);
	assert_int_equal(feed_all(&d, (const uint8_t *)"abc", 3, evs), 0);
	assert_int_equal(feed_all(&d, can5, 4, evs), 0);
	assert_int_equal(feed_all(&d, can5, 1, evs), 1);
	assert_int_equal(evs[0], ZM_EV_CANCEL);
}

/* Feed text in slices of k bytes; what is shown, and where it started. */
static int watch(const char *text, size_t n, size_t k, char *shown, size_t *nshown)
{
	struct hs_xfer_autostart w;
	char out[64 + HS_XFER_AUTOSTART_HOLD];

	hs_xfer_autostart_init(&w);
	*nshown = 0;
	for (size_t at = 0; at < n; at += k) {
		size_t len = n - at < k ? n - at : k, m;
		int started = hs_xfer_autostart_feed(&w, text + at, len, out, &m);

		memcpy(shown + *nshown, out, m);
		*nshown += m;
		if (started)
			return 1;
	}
	return 0;
}

static void test_autostart(void **state)
{
	static const char sz[] = "hello\r\nrz\r**\x18" "B00000000000000\r\x8a\x11";
	static const char near[] = "a ** b *\x18" "B0 c ***\x18" "B01 d";
	char shown[128];
	size_t n;
	(void)state;

	/* found whatever the slicing; nothing of it shown */
	for (size_t k = 1; k <= sizeof(sz); k++) {
		assert_int_equal(watch(sz, sizeof(sz) - 1, k, shown, &n), 1);
		assert_int_equal(n, strlen("hello\r\nrz\r"));
		assert_memory_equal(shown, "hello\r\nrz\r", n);
	}
	/* near misses are shown whole, byte for byte */
	for (size_t k = 1; k <= sizeof(near); k++) {
		assert_int_equal(watch(near, sizeof(near) - 1, k, shown, &n), 0);
		assert_int_equal(n, sizeof(near) - 1);
		assert_memory_equal(shown, near, n);
	}
	/* "***" before the rest still starts it */
	assert_int_equal(watch("x***\x18" "B00", 8, 3, shown, &n), 1);
	assert_int_equal(n, 2);
	assert_memory_equal(shown, "x*", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vectors),
		cmocka_unit_test(test_header_hex),
		cmocka_unit_test(test_header_bin16),
		cmocka_unit_test(test_header_bin32),
		cmocka_unit_test(test_escape_all_bytes),
		cmocka_unit_test(test_escape_byte_by_byte),
		cmocka_unit_test(test_damaged_subpackets),
		cmocka_unit_test(test_bad_headers_and_cancel),
		cmocka_unit_test(test_autostart),
	};
	return cmocka_run_group_tests_name("zmodem_codec", tests, NULL, NULL);
}
