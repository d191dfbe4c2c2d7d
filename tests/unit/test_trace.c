/*
 * test_trace.c - hs_set_log() on a real pty: the callback gets every byte
 * each way (escaped, split in 64-byte lines, in order), state changes and
 * errors with the function that failed, only up to its level, and nothing
 * once tracing is off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "ptypair.h"

struct seen {
	int n;
	int level[64];
	char func[64][48];
	char msg[64][400];
};

static void record(void *ctx, enum hs_log_level level, const char *func, const char *msg)
{
	struct seen *s = ctx;

	if (s->n == 64)
		return;
	s->level[s->n] = level;
	snprintf(s->func[s->n], sizeof(s->func[0]), "%s", func);
	snprintf(s->msg[s->n], sizeof(s->msg[0]), "%s", msg);
	s->n++;
}

static int find(const struct seen *s, const char *func, const char *msg_part)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->func[i], func) && strstr(s->msg[i], msg_part))
			return i;
	return -1;
}

static struct hs_link *open_pty(const struct ptypair *p)
{
	char uri[96];
	struct hs_link *l = NULL;

	snprintf(uri, sizeof(uri), "serial:%s?baud=19200", p->path);
	if (hs_link_open(&l, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	return l;
}

static void test_bytes_each_way(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct ptypair p;
	struct hs_link *l;
	char big[100], buf[100], want[400];
	size_t done;
	int i;
	(void)state;

	for (i = 0; i < 100; i++)
		big[i] = (char)('a' + i % 26);
	ptypair_open(&p);
	assert_int_equal(hs_set_log(record, HS_LOG_DATA, s), HS_OK);
	l = open_pty(&p);
	i = find(s, "hs_link_open", " opened from serial:");
	assert_true(i >= 0);
	assert_int_equal(s->level[i], HS_LOG_STATE);
	assert_non_null(strstr(s->msg[i], "19200 baud 8N1 flow none"));

	assert_int_equal(hs_link_write(l, "AT\r\n\"\\\x01\xff", 8, 1000, &done), HS_OK);
	snprintf(want, sizeof(want), "%s out 8 \"AT\\r\\n\\\"\\\\\\x01\\xFF\"", p.path);
	i = find(s, "hs_link_write", want);
	assert_true(i >= 0);
	assert_int_equal(s->level[i], HS_LOG_DATA);
	assert_string_equal(s->msg[i], want);

	/* 100 bytes in: two lines, 64 then 36, in order */
	ptypair_write(&p, big, sizeof(big));
	link_read_exact(l, buf, sizeof(buf), 2000);
	snprintf(want, sizeof(want), "%s in 64 \"%.64s\"", p.path, big);
	i = find(s, "hs_link_read", want);
	assert_true(i >= 0);
	snprintf(want, sizeof(want), "%s in 36 \"%.36s\"", p.path, big + 64);
	assert_true(find(s, "hs_link_read", want) > i);

	assert_int_equal(hs_link_set_dtr(l, 1), HS_ERR_NOT_SUPPORTED);
	i = find(s, "serial_set_signal", "HS_ERR_NOT_SUPPORTED: ");
	assert_true(i >= 0);
	assert_int_equal(s->level[i], HS_LOG_ERROR);
	assert_non_null(strstr(s->msg[i], p.path));

	hs_link_close(l);
	assert_true(find(s, "hs_link_close", " closed") >= 0);
	assert_int_equal(hs_set_log(NULL, HS_LOG_NONE, NULL), HS_OK);
	ptypair_close(&p);
	free(s);
}

static void test_levels_and_off(void **state)
{
	struct seen *s = calloc(1, sizeof(*s));
	struct ptypair p;
	struct hs_link *l;
	char buf[4];
	(void)state;

	ptypair_open(&p);
	/* state: opens and closes, but no bytes */
	assert_int_equal(hs_set_log(record, HS_LOG_STATE, s), HS_OK);
	l = open_pty(&p);
	assert_int_equal(hs_link_write(l, "AT\r", 3, 1000, NULL), HS_OK);
	assert_int_equal(ptypair_read(&p, buf, 3, 1000), 3);
	assert_true(find(s, "hs_link_open", " opened") >= 0);
	assert_int_equal(find(s, "hs_link_write", " out "), -1);

	/* errors only: the timeout, no state */
	s->n = 0;
	assert_int_equal(hs_set_log(record, HS_LOG_ERROR, s), HS_OK);
	assert_int_equal(hs_link_read(l, buf, 1, 0), HS_ERR_TIMEOUT);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->func[0], "hs_serial_read");
	assert_non_null(strstr(s->msg[0], "HS_ERR_TIMEOUT: "));

	/* off: nothing at all; a bad level changes nothing */
	s->n = 0;
	assert_int_equal(hs_set_log(record, HS_LOG_NONE, s), HS_OK);
	assert_int_equal(hs_link_read(l, buf, 1, 0), HS_ERR_TIMEOUT);
	assert_int_equal(hs_set_log(record, 4, s), HS_ERR_ARG);
	assert_int_equal(hs_set_log(record, -1, s), HS_ERR_ARG);
	assert_int_equal(hs_link_write(l, "x", 1, 1000, NULL), HS_OK);
	hs_link_close(l);
	assert_int_equal(s->n, 0);
	ptypair_close(&p);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_each_way),
		cmocka_unit_test(test_levels_and_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
