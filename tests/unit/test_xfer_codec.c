/*
 * test_xfer_codec.c - the XMODEM/YMODEM block codec: CRC-16/XMODEM and
 * checksum vectors, frames built and parsed (short, long, garbled number,
 * bad check), sequence numbers, and YMODEM block 0 with hostile names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "xfer_codec.h"

static void test_crc16_vectors(void **state)
{
	(void)state;
	/* CRC-16/XMODEM check value (the catalogue's "123456789") */
	assert_int_equal(hs_xm_crc16(0, "123456789", 9), 0x31c3);
	assert_int_equal(hs_xm_crc16(0, "", 0), 0);
	assert_int_equal(hs_xm_crc16(0, "A", 1), 0x58e5);
	/* continuing a CRC over two pieces gives the CRC of the whole */
	assert_int_equal(hs_xm_crc16(hs_xm_crc16(0, "1234", 4), "56789", 5), 0x31c3);
	/* 128 SUB bytes: what a padding-only block carries */
	uint8_t sub[128];
	memset(sub, XM_SUB, sizeof(sub));
	uint16_t c = hs_xm_crc16(0, sub, sizeof(sub));
	uint8_t both[130];
	memcpy(both, sub, 128);
	both[128] = (uint8_t)(c >> 8);
	both[129] = (uint8_t)c;
	assert_int_equal(hs_xm_crc16(0, both, sizeof(both)), 0);
}

static void test_checksum_vectors(void **state)
{
	(void)state;
	assert_int_equal(hs_xm_checksum("123456789", 9), 0xdd);
	assert_int_equal(hs_xm_checksum("", 0), 0);
	uint8_t ff[128];
	memset(ff, 0xff, sizeof(ff));
	assert_int_equal(hs_xm_checksum(ff, sizeof(ff)), 0x80);
}

static void test_build_crc_block(void **state)
{
	uint8_t f[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	size_t size, n;
	(void)state;

	n = hs_xm_block_build(f, 1, "hello", 5, 128, 1, XM_SUB);
	assert_int_equal(n, 133);
	assert_int_equal(f[0], XM_SOH);
	assert_int_equal(f[1], 1);
	assert_int_equal(f[2], 0xfe);
	assert_memory_equal(f + 3, "hello", 5);
	for (int i = 5; i < 128; i++)
		assert_int_equal(f[3 + i], XM_SUB);
	uint16_t c = hs_xm_crc16(0, f + 3, 128);
	assert_int_equal(f[131], c >> 8);
	assert_int_equal(f[132], c & 0xff);
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(size, 128);
	assert_ptr_equal(data, f + 3);
}

static void test_build_1k_and_checksum(void **state)
{
	uint8_t f[XM_FRAME_MAX], payload[1024];
	const uint8_t *data;
	unsigned seq;
	size_t size, n;
	(void)state;

	for (int i = 0; i < 1024; i++)
		payload[i] = (uint8_t)(i * 7);
	/* block 256 goes out as 0 */
	n = hs_xm_block_build(f, 256, payload, 1024, 1024, 1, XM_SUB);
	assert_int_equal(n, 1029);
	assert_int_equal(f[0], XM_STX);
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_OK);
	assert_int_equal(seq, 0);
	assert_int_equal(size, 1024);
	assert_memory_equal(data, payload, 1024);

	n = hs_xm_block_build(f, 255, payload, 100, 128, 0, XM_SUB);
	assert_int_equal(n, 132);
	assert_int_equal(f[1], 255);
	assert_int_equal(f[2], 0);
	assert_int_equal(f[131], hs_xm_checksum(f + 3, 128));
	assert_int_equal(hs_xm_block_parse(f, n, 0, &seq, &data, &size), HS_XM_OK);
	assert_int_equal(seq, 255);
	/* a checksum frame read as a CRC frame is one byte short */
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_SHORT);
}

static void test_parse_damaged(void **state)
{
	uint8_t f[XM_FRAME_MAX + 1];
	const uint8_t *data;
	unsigned seq = 99;
	size_t size, n;
	(void)state;

	n = hs_xm_block_build(f, 3, "abc", 3, 128, 1, XM_SUB);
	/* short and long */
	assert_int_equal(hs_xm_block_parse(f, n - 1, 1, &seq, &data, &size), HS_XM_SHORT);
	assert_int_equal(hs_xm_block_parse(f, 1, 1, &seq, &data, &size), HS_XM_SHORT);
	f[n] = 0;
	assert_int_equal(hs_xm_block_parse(f, n + 1, 1, &seq, &data, &size), HS_XM_LONG);
	/* no header */
	assert_int_equal(hs_xm_block_parse(f, 0, 1, &seq, &data, &size), HS_XM_BAD_HEADER);
	f[0] = XM_EOT;
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_BAD_HEADER);
	f[0] = XM_SOH;
	/* wrong complement */
	f[2] ^= 0x10;
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size),
			 HS_XM_BAD_COMPLEMENT);
	f[2] ^= 0x10;
	/* one bit flipped in the data, then in the CRC */
	f[40] ^= 0x01;
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_BAD_CHECK);
	f[40] ^= 0x01;
	f[n - 1] ^= 0x80;
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_BAD_CHECK);
	f[n - 1] ^= 0x80;
	assert_int_equal(seq, 99); /* untouched by the failures */
	assert_int_equal(hs_xm_block_parse(f, n, 1, &seq, &data, &size), HS_XM_OK);
	/* checksum mode: a flipped data byte */
	n = hs_xm_block_build(f, 3, "abc", 3, 128, 0, XM_SUB);
	f[3] ^= 0x04;
	assert_int_equal(hs_xm_block_parse(f, n, 0, &seq, &data, &size), HS_XM_BAD_CHECK);
	assert_string_equal(hs_xm_parse_text(HS_XM_BAD_CHECK), "a bad CRC or checksum");
}

static void test_sequence(void **state)
{
	(void)state;
	assert_int_equal(hs_xm_seq_check(5, 5), HS_XM_SEQ_NEXT);
	assert_int_equal(hs_xm_seq_check(4, 5), HS_XM_SEQ_DUP);
	assert_int_equal(hs_xm_seq_check(6, 5), HS_XM_SEQ_WRONG);
	assert_int_equal(hs_xm_seq_check(3, 5), HS_XM_SEQ_WRONG);
	/* wrapping: 255 then 0; block 256 is 0 */
	assert_int_equal(hs_xm_seq_check(0, 256), HS_XM_SEQ_NEXT);
	assert_int_equal(hs_xm_seq_check(255, 256), HS_XM_SEQ_DUP);
	assert_int_equal(hs_xm_seq_check(255, 0), HS_XM_SEQ_DUP);
	assert_int_equal(hs_xm_seq_check(0, 1), HS_XM_SEQ_DUP);
	assert_int_equal(hs_xm_seq_check(1, 0), HS_XM_SEQ_WRONG);
}

/* Parse a block 0 payload given as bytes (padded with NUL to 128). */
static int parse0(const char *bytes, size_t len, struct hs_ym_header *h, const char **why)
{
	uint8_t block[128] = { 0 };
	memcpy(block, bytes, len);
	return hs_ym_header_parse(block, sizeof(block), h, why);
}

static void test_ym_header_lrzsz(void **state)
{
	struct hs_ym_header h;
	const char *why;
	(void)state;

	/* what lrzsz's sb sends: size, mtime and mode in octal, serial,
	 * files and bytes left */
	static const char b0[] = "report.txt\0" "1025 14567234121 100644 0 2 4096";
	assert_int_equal(parse0(b0, sizeof(b0) - 1, &h, &why), HS_OK);
	assert_string_equal(h.name, "report.txt");
	assert_int_equal(h.empty, 0);
	assert_int_equal(h.size, 1025);
	assert_int_equal(h.mtime, 014567234121);
	assert_int_equal(h.mode, 0100644);
	/* only a name */
	assert_int_equal(parse0("a.bin", 5, &h, &why), HS_OK);
	assert_int_equal(h.size, -1);
	assert_int_equal(h.mtime, -1);
	assert_int_equal(h.mode, 0);
	/* the end of the batch */
	assert_int_equal(parse0("", 0, &h, &why), HS_OK);
	assert_int_equal(h.empty, 1);
	/* numbers that do not parse are unknown, not an error */
	assert_int_equal(parse0("x\0" "12a 99", 8, &h, &why), HS_OK);
	assert_int_equal(h.size, -1);
	assert_int_equal(parse0("x\0" "99999999999999999999999 1", 27, &h, &why), HS_OK);
	assert_int_equal(h.size, -1);
	/* 8 and 9 are not octal: mtime unknown */
	assert_int_equal(parse0("x\0" "10 19", 7, &h, &why), HS_OK);
	assert_int_equal(h.size, 10);
	assert_int_equal(h.mtime, -1);
}

static void test_ym_header_hostile(void **state)
{
	static const struct {
		const char *name;
		size_t len;
		const char *why;
	} bad[] = {
		{ "../etc/passwd", 13, "it has a path separator" },
		{ "/etc/passwd", 11, "it has a path separator" },
		{ "a/b", 3, "it has a path separator" },
		{ "a\\b", 3, "it has a path separator" },
		{ "..", 2, "it names a folder (. or ..)" },
		{ ".", 1, "it names a folder (. or ..)" },
		{ "evil\x1b[2J", 8, "it has a control character" },
		{ "bell\a", 5, "it has a control character" },
		{ "del\x7f", 4, "it has a control character" },
		{ "nl\nname", 7, "it has a control character" },
		{ "c1\xc2\x85", 4, "it has a control character" },
		{ "latin1\xe9", 7, "it is not UTF-8" },
		{ "overlong\xc0\xaf", 10, "it is not UTF-8" },
		{ "\xed\xa0\x80surrogate", 12, "it is not UTF-8" },
	};
	struct hs_ym_header h;
	const char *why;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char b0[64] = { 0 };
		memcpy(b0, bad[i].name, bad[i].len);
		memcpy(b0 + bad[i].len + 1, "5 0", 3);
		if (parse0(b0, sizeof(b0), &h, &why) != HS_ERR_BAD_NAME)
			fail_msg("accepted %s", bad[i].name);
		assert_string_equal(why, bad[i].why);
		/* the name is kept (cut to fit) for the report, with the size */
		assert_memory_equal(h.name, bad[i].name, bad[i].len);
		assert_int_equal(h.size, 5);
	}
	/* dots inside a name, spaces and UTF-8 are fine */
	assert_int_equal(parse0("..hidden", 8, &h, &why), HS_OK);
	assert_int_equal(parse0("a..b", 4, &h, &why), HS_OK);
	assert_int_equal(parse0("my file.txt", 11, &h, &why), HS_OK);
	assert_int_equal(parse0("na\xc3\xafve.txt", 10, &h, &why), HS_OK);
}

static void test_ym_header_long_names(void **state)
{
	uint8_t block[1024];
	struct hs_ym_header h;
	const char *why;
	char name[400];
	(void)state;

	/* a name of 255 bytes is taken, 256 refused, cut to fit the report */
	memset(name, 'n', sizeof(name));
	memset(block, 0, sizeof(block));
	memcpy(block, name, 255);
	assert_int_equal(hs_ym_header_parse(block, sizeof(block), &h, &why), HS_OK);
	assert_int_equal(strlen(h.name), 255);
	memcpy(block, name, 300);
	assert_int_equal(hs_ym_header_parse(block, sizeof(block), &h, &why), HS_ERR_BAD_NAME);
	assert_string_equal(why, "it is longer than 255 bytes");
	assert_int_equal(strlen(h.name), HS_XFER_NAME_MAX);
	/* no NUL anywhere: not a block 0 */
	memset(block, 'x', sizeof(block));
	assert_int_equal(hs_ym_header_parse(block, sizeof(block), &h, &why), HS_ERR_PROTOCOL);
	assert_int_equal(hs_ym_header_parse(block, 128, &h, &why), HS_ERR_PROTOCOL);
}

static void test_ym_header_build(void **state)
{
	uint8_t b[1024];
	struct hs_ym_header h;
	const char *why;
	char name[300];
	(void)state;

	assert_int_equal(hs_ym_header_build(b, "fw.bin", 131072, 01234567, 0100644), 128);
	assert_memory_equal(b, "fw.bin\0" "131072 1234567 100644\0", 29);
	assert_int_equal(b[127], 0);
	assert_int_equal(hs_ym_header_parse(b, 128, &h, &why), HS_OK);
	assert_string_equal(h.name, "fw.bin");
	assert_int_equal(h.size, 131072);
	assert_int_equal(h.mtime, 01234567);
	assert_int_equal(h.mode, 0100644);
	/* unknown numbers are left out */
	assert_int_equal(hs_ym_header_build(b, "x", -1, 5, 0644), 128);
	assert_memory_equal(b, "x\0\0", 3);
	/* the end of the batch: an empty block */
	assert_int_equal(hs_ym_header_build(b, "", 0, 0, 0), 128);
	assert_int_equal(b[0], 0);
	/* a name too long for 128 bytes needs a 1024-byte block 0 */
	memset(name, 'a', 200);
	name[200] = 0;
	assert_int_equal(hs_ym_header_build(b, name, 1, 1, 0644), 1024);
	memset(name, 'a', 299);
	name[299] = 0;
	assert_int_equal(hs_ym_header_build(b, name, 1, 1, 0644), 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc16_vectors),
		cmocka_unit_test(test_checksum_vectors),
		cmocka_unit_test(test_build_crc_block),
		cmocka_unit_test(test_build_1k_and_checksum),
		cmocka_unit_test(test_parse_damaged),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_ym_header_lrzsz),
		cmocka_unit_test(test_ym_header_hostile),
		cmocka_unit_test(test_ym_header_long_names),
		cmocka_unit_test(test_ym_header_build),
	};
	return cmocka_run_group_tests_name("xfer_codec", tests, NULL, NULL);
}
