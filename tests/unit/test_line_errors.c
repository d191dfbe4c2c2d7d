/*
 * test_line_errors.c - line-error accounting on a real pseudo-terminal:
 * marks are off until asked for (the data as the kernel gives it); with
 * hs_link_mark_errors() the kernel doubles every 0xff it delivers, and
 * the link must give each back as one byte, also when the pair is split
 * between two reads or a read gets only half of it, and count nothing on
 * a clean line; what was waiting when marks went on is dropped (it came
 * unmarked). (Damaged characters need a UART: they are tested against
 * the lab's model in tests/bats/link_errors.bats.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "ptypair.h"

/* the link on p's pty at 9600, with marks when asked */
static struct hs_link *open_pty(const struct ptypair *p, int marks)
{
	char uri[160];
	struct hs_link *l = NULL;

	snprintf(uri, sizeof(uri), "serial:%s?baud=9600", p->path);
	if (hs_link_open(&l, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	if (marks && hs_link_mark_errors(l) != HS_OK)
		fail_msg("mark errors: %s", hs_last_error());
	return l;
}

static tcflag_t iflag_of(const struct ptypair *p)
{
	struct termios t;
	int fd = open(p->path, O_RDWR | O_NOCTTY | O_NONBLOCK);

	assert_true(fd >= 0);
	assert_int_equal(tcgetattr(fd, &t), 0);
	close(fd);
	return t.c_iflag;
}

static void test_marks_only_when_asked(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	struct hs_line line = { 19200, 8, HS_PARITY_NONE, 1, HS_FLOW_NONE };
	unsigned char buf[8];
	(void)state;

	ptypair_open(&p);
	l = open_pty(&p, 0);
	assert_false(iflag_of(&p) & (PARMRK | INPCK));
	/* without marks a 0xff is the kernel's: one byte */
	ptypair_write(&p, "\xff", 1);
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), 2000), 1);
	assert_int_equal(buf[0], 0xff);
	/* what waits when marks go on is dropped */
	ptypair_write(&p, "old", 3);
	assert_int_equal(hs_link_mark_errors(l), HS_OK);
	assert_true(iflag_of(&p) & PARMRK);
	assert_true(iflag_of(&p) & INPCK);
	assert_false(iflag_of(&p) & (IGNPAR | ISTRIP | IGNBRK | BRKINT));
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), 0), HS_ERR_TIMEOUT);
	/* a new line setting keeps them */
	assert_int_equal(hs_link_set_line(l, &line), HS_OK);
	assert_true(iflag_of(&p) & PARMRK);
	hs_link_close(l);
	/* and closing puts the termios back as found */
	assert_false(iflag_of(&p) & PARMRK);
	ptypair_close(&p);
}

static void test_every_byte_value_one_byte_reads(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	unsigned char all[256], got[256];
	struct hs_line_errors last, total;
	(void)state;

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i); /* 0xff first */
	ptypair_open(&p);
	l = open_pty(&p, 1);
	ptypair_write(&p, all, sizeof(all));
	/* one byte per read: the doubled 0xff is split between reads */
	for (size_t i = 0; i < sizeof(got); i++) {
		int rc = hs_link_read(l, &got[i], 1, 2000);
		assert_int_equal(rc, 1);
	}
	assert_memory_equal(got, all, sizeof(all));
	assert_int_equal(hs_link_read(l, got, 1, 0), HS_ERR_TIMEOUT);
	assert_int_equal(hs_link_line_errors(l, &last, &total), HS_OK);
	assert_int_equal(total.damaged, 0);
	assert_int_equal(total.framing + total.parity + total.breaks, 0);
	/* a pty's driver counts nothing itself */
	assert_int_equal(total.counted, 0);
	hs_link_close(l);
	ptypair_close(&p);
}

static void test_half_a_pair_waits_for_the_rest(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	unsigned char buf[8];
	int n;
	(void)state;

	ptypair_open(&p);
	l = open_pty(&p, 1);
	/* "A" 0xff 0xff on the line; a read of 2 ends in half the pair */
	ptypair_write(&p, "A\xff", 2);
	n = hs_link_read(l, buf, 2, 2000);
	assert_int_equal(n, 1);
	assert_int_equal(buf[0], 'A');
	n = hs_link_read(l, buf, sizeof(buf), 2000);
	assert_int_equal(n, 1);
	assert_int_equal(buf[0], 0xff);
	hs_link_close(l);
	ptypair_close(&p);
}

static void test_null_arguments(void **state)
{
	struct ptypair p;
	struct hs_link *l;
	(void)state;

	assert_int_equal(hs_link_line_errors(NULL, NULL, NULL), HS_ERR_ARG);
	ptypair_open(&p);
	l = open_pty(&p, 0);
	assert_int_equal(hs_link_line_errors(l, NULL, NULL), HS_OK);
	hs_link_close(l);
	ptypair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_only_when_asked),
		cmocka_unit_test(test_every_byte_value_one_byte_reads),
		cmocka_unit_test(test_half_a_pair_waits_for_the_rest),
		cmocka_unit_test(test_null_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
