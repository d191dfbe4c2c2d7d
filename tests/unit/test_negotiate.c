/*
 * test_negotiate.c - what rate negotiation reads from a modem: the rates
 * in answers to AT+IPR=? as modems write them (lists, ranges, the
 * autobaud 0, a second list of fixed-only rates), and the line names.
 * (Negotiating itself runs against the lab: tests/bats/hsdial_fastest.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/negotiate.h"
#include "negotiate_priv.h"

static int rates_of(const char *text, int *out)
{
	int n = 0;

	hs_ipr_rates(text, out, &n, 32);
	return n;
}

static void test_ipr_lists(void **state)
{
	int r[32], n;
	(void)state;

	/* V.250: autodetectable rates, then fixed-only ones */
	n = rates_of("+IPR: (0,300,1200,2400,4800,9600,19200,38400,57600,115200),()", r);
	assert_int_equal(n, 9);
	assert_int_equal(r[0], 300);
	assert_int_equal(r[8], 115200);
	n = rates_of("+IPR: (0,9600),(230400,115200)\n", r);
	assert_int_equal(n, 3);
	assert_int_equal(r[0], 9600);
	assert_int_equal(r[1], 115200);
	assert_int_equal(r[2], 230400);
}

static void test_ipr_ranges(void **state)
{
	int r[32], n;
	(void)state;

	/* a range stands for the usual rates in it, and its ends */
	n = rates_of("+IPR: (0,300-57600),(250000)", r);
	assert_int_equal(n, 10);
	assert_int_equal(r[0], 300);
	assert_int_equal(r[1], 600);
	assert_int_equal(r[8], 57600);
	assert_int_equal(r[9], 250000);
	/* nothing but autobaud: no rate */
	assert_int_equal(rates_of("+IPR: (0),()", r), 0);
	/* no room: the list stops, never overflows */
	n = 0;
	hs_ipr_rates("+IPR: (300,1200,2400,4800)", r, &n, 2);
	assert_int_equal(n, 2);
}

static void test_line_names(void **state)
{
	struct hs_line l = { .baud = 9600, .bits = 7, .parity = HS_PARITY_EVEN, .stop = 1 };
	char buf[48];
	(void)state;

	hs_line_name(&l, buf, sizeof(buf));
	assert_string_equal(buf, "9600 7E1");
	l = (struct hs_line){ .baud = 115200, .bits = 8, .parity = HS_PARITY_NONE, .stop = 2 };
	hs_line_name(&l, buf, sizeof(buf));
	assert_string_equal(buf, "115200 8N2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipr_lists),
		cmocka_unit_test(test_ipr_ranges),
		cmocka_unit_test(test_line_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
