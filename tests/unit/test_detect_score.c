/*
 * test_detect_score.c - the passive-detection score (lib/detect_score.c)
 * on samples recorded from the lab's talkers (samples/, recorded by
 * samples/record.sh): what a device says at its own setting scores clear
 * and shows its framing; at wrong rates, and random bytes that a slow
 * port happens to read as printable, it does not. Plus hand-made cases
 * for each rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect_score.h"

#define CLEAR 60    /* detect_listen.c's CLEAR_SCORE */

struct sample {
	unsigned char buf[1024];
	size_t n;
	unsigned long damaged;
};

/* samples/NAME.bin and its damaged count from samples/samples.tsv */
static void load(const char *name, struct sample *s)
{
	const char *slash = strrchr(__FILE__, '/');
	int dir = slash ? (int)(slash - __FILE__ + 1) : 0;
	char path[512], line[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%.*ssamples/%s.bin", dir, __FILE__, name);
	if (!(f = fopen(path, "rb")))
		fail_msg("%s: %s (run from the top of the tree)", path, strerror(errno));
	s->n = fread(s->buf, 1, sizeof(s->buf), f);
	fclose(f);
	snprintf(path, sizeof(path), "%.*ssamples/samples.tsv", dir, __FILE__);
	if (!(f = fopen(path, "r")))
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *last = strrchr(line, '\t');
		if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == '\t' && last) {
			s->damaged = strtoul(last + 1, NULL, 10);
			found = 1;
		}
	}
	fclose(f);
	if (!found)
		fail_msg("%s is not in samples.tsv", name);
}

static struct hs_score score_of(const char *name)
{
	struct sample s;
	struct hs_score sc;

	load(name, &s);
	hs_detect_score(s.buf, s.n, s.damaged, &sc);
	print_message("%-36s score %3d bits %d parity %d printable %3d%% damaged %3d%% "
		      "lines %d nmea %d/%d\n", name, sc.score, sc.bits, sc.parity,
		      sc.printable, sc.damaged, sc.lines, sc.nmea_good, sc.nmea_bad);
	return sc;
}

static void test_console_7e1_heard_at_8n1_shows_even_parity(void **state)
{
	struct hs_score sc = score_of("console-38400-7E1.at-38400-8N1");
	(void)state;

	assert_true(sc.score >= CLEAR);
	assert_int_equal(sc.bits, 7);
	assert_int_equal(sc.parity, HS_PARITY_EVEN);
	assert_true(sc.lines >= 2);
}

static void test_console_at_its_setting_is_clear(void **state)
{
	struct hs_score sc = score_of("console-38400-7E1.at-38400-7E1");
	(void)state;

	assert_true(sc.score >= 90);
	assert_int_equal(sc.bits, 8); /* read at 7 bits: bit 7 is clear */
	assert_int_equal(sc.damaged, 0);
}

static void test_console_at_wrong_rates_is_not(void **state)
{
	(void)state;
	assert_true(score_of("console-38400-7E1.at-9600-8N1").score < 30);
	assert_true(score_of("console-38400-7E1.at-115200-8N1").score < 30);
}

static void test_7n2_and_7o1_show_in_bit_7(void **state)
{
	struct hs_score a = score_of("console-19200-7N2.at-19200-8N1");
	struct hs_score b = score_of("console-1200-7O1.at-1200-8N1");
	(void)state;

	assert_true(a.score >= CLEAR);
	assert_int_equal(a.bits, 7);
	assert_int_equal(a.parity, HS_PARITY_MARK); /* the first stop bit */
	assert_true(b.score >= CLEAR);
	assert_int_equal(b.bits, 7);
	assert_int_equal(b.parity, HS_PARITY_ODD);
}

static void test_nmea_checksums(void **state)
{
	struct hs_score right = score_of("nmea-4800-8N1.at-4800-8N1");
	(void)state;

	assert_true(right.score >= 90);
	assert_true(right.nmea_good >= 2);
	assert_int_equal(right.nmea_bad, 0);
	assert_true(score_of("nmea-4800-8N1.at-9600-8N1").score < 30);
	assert_true(score_of("nmea-4800-8N1.at-2400-8N1").score < 30);
}

static void test_8e1_heard_at_8n1_is_a_lead(void **state)
{
	struct hs_score sc = score_of("nmea-9600-8E1.at-9600-8N1");
	(void)state;

	/* good characters, but a framing error on about half: not clear,
	 * yet well above garbage, and the framing is named */
	assert_true(sc.nine_bit);
	assert_true(sc.score < CLEAR);
	assert_true(sc.score >= 30);
}

static void test_random_bytes_read_slowly_are_not_text(void **state)
{
	/* printable at 7N2 ("q}|tu}~y..."), but no separators and one
	 * range of the table */
	struct hs_score sc = score_of("garbage-9600.at-300-7N2");
	(void)state;

	assert_true(sc.printable >= 80);
	assert_true(sc.score < 30);
}

static void test_rules_by_hand(void **state)
{
	static const char text[] = "login: root\r\nPassword: \r\nLast login: Mon\r\n";
	static const char nmea[] = "$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39\r\n"
				   "$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*38\r\n";
	unsigned char odd[64];
	struct hs_score sc;
	(void)state;

	hs_detect_score(NULL, 0, 0, &sc);
	assert_int_equal(sc.score, 0);
	hs_detect_score((const unsigned char *)text, strlen(text), 0, &sc);
	assert_true(sc.score >= 90);
	assert_int_equal(sc.lines, 3);
	/* the same text with a third of it damaged: good characters at the
	 * wrong framing (a parity bit where the stop bit should be) */
	hs_detect_score((const unsigned char *)text, strlen(text), strlen(text) / 3, &sc);
	assert_true(sc.nine_bit);
	assert_true(sc.score < CLEAR);
	/* a tenth damaged, no framing to blame: cut by a third */
	hs_detect_score((const unsigned char *)text, strlen(text), strlen(text) / 10, &sc);
	assert_false(sc.nine_bit);
	assert_true(sc.score < 75);
	/* one good sentence, one with a wrong checksum */
	hs_detect_score((const unsigned char *)nmea, strlen(nmea), 0, &sc);
	assert_int_equal(sc.nmea_good, 1);
	assert_int_equal(sc.nmea_bad, 1);
	/* a short sample is little evidence */
	hs_detect_score((const unsigned char *)"ok\r\n", 4, 0, &sc);
	assert_true(sc.score <= 25);
	/* odd parity in bit 7 of "Hello, world\r\n" */
	for (size_t i = 0; i < 14; i++) {
		unsigned char c = (unsigned char)"Hello, world\r\n"[i];
		odd[i] = c | (__builtin_popcount(c) & 1 ? 0 : 0x80);
	}
	hs_detect_score(odd, 14, 0, &sc);
	assert_int_equal(sc.bits, 7);
	assert_int_equal(sc.parity, HS_PARITY_ODD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_console_7e1_heard_at_8n1_shows_even_parity),
		cmocka_unit_test(test_console_at_its_setting_is_clear),
		cmocka_unit_test(test_console_at_wrong_rates_is_not),
		cmocka_unit_test(test_7n2_and_7o1_show_in_bit_7),
		cmocka_unit_test(test_nmea_checksums),
		cmocka_unit_test(test_8e1_heard_at_8n1_is_a_lead),
		cmocka_unit_test(test_random_bytes_read_slowly_are_not_text),
		cmocka_unit_test(test_rules_by_hand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
