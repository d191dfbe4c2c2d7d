/*
 * test_chat.c - the chat(8)-compatible runner against a scripted modem on
 * a real pty: exit codes, ABORT indexes, REPORT, subexpects, escapes,
 * timeouts, and that nothing after the last expect is taken off the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "handshake/chat.h"
#include "chat_priv.h"
#include "clock.h"
#include "ptypair.h"

/* A modem that answers each awaited string with a reply. */
struct modem {
	struct ptypair pty;
	const char *const *script; /* await, reply, await, reply, ..., NULL */
	char got[1024];            /* every byte it received */
	size_t n_got;
	int delay_ms;              /* before each reply: a slow modem */
	pthread_t thread;
	int stop;
};

static void *modem_main(void *arg)
{
	struct modem *m = arg;
	const char *const *step = m->script;
	size_t matched_to = 0;

	while (!m->stop) {
		struct pollfd f = { .fd = m->pty.master, .events = POLLIN };
		if (poll(&f, 1, 20) <= 0)
			continue;
		ssize_t n = read(m->pty.master, m->got + m->n_got,
				 sizeof(m->got) - 1 - m->n_got);
		if (n < 0 && errno == EIO)
			break; /* the link closed and everything it sent is in got */
		if (n <= 0)
			continue;
		m->n_got += (size_t)n;
		m->got[m->n_got] = 0;
		while (step && step[0]) {
			char *at = strstr(m->got + matched_to, step[0]);
			if (!at)
				break;
			matched_to = (size_t)(at - m->got) + strlen(step[0]);
			if (m->delay_ms)
				hs_nap(m->delay_ms, hs_deadline(m->delay_ms));
			if (write(m->pty.master, step[1], strlen(step[1])) < 0)
				break;
			step += 2;
		}
	}
	return NULL;
}

/* delay_ms: how long the modem thinks before each reply */
static struct hs_link *modem_start_slow(struct modem *m, const char *const *script,
					int delay_ms)
{
	char uri[96];
	struct hs_link *l = NULL;

	memset(m, 0, sizeof(*m));
	m->script = script;
	m->delay_ms = delay_ms;
	ptypair_open(&m->pty);
	snprintf(uri, sizeof(uri), "serial:%s", m->pty.path);
	assert_int_equal(hs_link_open(&l, uri), HS_OK);
	/* An empty first await means "say this at once". */
	if (script && script[0] && !script[0][0]) {
		ptypair_write(&m->pty, script[1], strlen(script[1]));
		m->script = script + 2;
	}
	assert_int_equal(pthread_create(&m->thread, NULL, modem_main, m), 0);
	return l;
}

static struct hs_link *modem_start(struct modem *m, const char *const *script)
{
	return modem_start_slow(m, script, 0);
}

/* Close the link first: the master then reads everything the link wrote
 * and only after that EIO, so got is complete without guessing how long
 * the pty takes to pass the last bytes on. */
static void modem_stop(struct modem *m, struct hs_link *l)
{
	struct timespec until;

	hs_link_close(l);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 3;
	if (pthread_timedjoin_np(m->thread, NULL, &until) != 0) {
		m->stop = 1;
		pthread_join(m->thread, NULL);
		fail_msg("the modem never saw the link close");
	}
	ptypair_close(&m->pty);
}

static char reports[256];
static void on_report(void *ctx, const char *line)
{
	(void)ctx;
	snprintf(reports + strlen(reports), sizeof(reports) - strlen(reports), "%s|", line);
}

static int run_words(struct hs_link *l, const char *const *words, int n,
		     const struct hs_chat_opts *o)
{
	struct hs_chat *c = hs_chat_new();
	int rc;

	assert_int_equal(hs_chat_add_words(c, words, n), HS_OK);
	rc = hs_chat_run(c, l, o);
	hs_chat_free(c);
	return rc;
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_dial_connects(void **state)
{
	static const char *const modem[] = {
		"ATZ\r", "ATZ\r\r\nOK\r\n",
		"ATDT5551234\r", "\r\nCONNECT 33600/ARQ\r\n", NULL,
	};
	static const char *const words[] = {
		"ABORT", "BUSY", "ABORT", "NO\\sCARRIER", "REPORT", "CONNECT",
		"", "ATZ", "OK", "ATDT\\T", "CONNECT", "",
	};
	struct hs_chat_opts o = { .phone = "5551234", .report = on_report, .timeout_s = 5 };
	struct modem m;
	struct hs_link *l = modem_start(&m, modem);
	(void)state;

	reports[0] = 0;
	assert_int_equal(run_words(l, words, N(words), &o), HS_CHAT_OK);
	/* The last send is '' : a bare CR. */
	modem_stop(&m, l);
	assert_string_equal(m.got, "ATZ\rATDT5551234\r\r");
	assert_string_equal(reports, "CONNECT 33600/ARQ|");
}

static void test_abort_codes(void **state)
{
	static const char *const busy[] = { "ATDT1\r", "\r\nBUSY\r\n", NULL };
	static const char *const words[] = {
		"ABORT", "NO\\sCARRIER", "ABORT", "BUSY", "", "ATDT1", "CONNECT", "",
	};
	struct hs_chat_opts o = { .timeout_s = 5 };
	struct modem m;
	struct hs_link *l = modem_start(&m, busy);
	(void)state;

	/* BUSY is the second ABORT string: chat exits 4 + 1. */
	assert_int_equal(run_words(l, words, N(words), &o), HS_CHAT_ABORT + 1);
	assert_non_null(strstr(hs_last_error(), "BUSY"));
	modem_stop(&m, l);
}

static void test_clr_abort_renumbers(void **state)
{
	static const char *const busy[] = { "ATDT1\r", "\r\nBUSY\r\n", NULL };
	static const char *const words[] = {
		"ABORT", "NO\\sCARRIER", "ABORT", "BUSY", "CLR_ABORT", "NO\\sCARRIER",
		"", "ATDT1", "CONNECT", "",
	};
	struct hs_chat_opts o = { .timeout_s = 5 };
	struct modem m;
	struct hs_link *l = modem_start(&m, busy);
	(void)state;

	assert_int_equal(run_words(l, words, N(words), &o), HS_CHAT_ABORT);
	modem_stop(&m, l);
}

static void test_timeout(void **state)
{
	static const char *const words[] = { "TIMEOUT", "1", "", "AT", "OK", "" };
	struct modem m;
	struct hs_link *l = modem_start(&m, NULL);
	int64_t t0 = hs_now_ms();
	(void)state;

	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_TIMEOUT);
	assert_true(hs_now_ms() - t0 >= 1000);
	assert_true(hs_now_ms() - t0 < 1500);
	assert_non_null(strstr(hs_last_error(), "'OK' did not arrive within 1 s"));
	modem_stop(&m, l);
	assert_string_equal(m.got, "AT\r");
}

/* TIMEOUT as chat reads it: far above int milliseconds (34 days) is a
 * long wait, not an overflow that fails the expect at once; 0, a
 * negative or a word that is no number is chat's 45 s. Either way a
 * modem that thinks 300 ms is waited for. */
static void test_timeout_values(void **state)
{
	static const char *const modem[] = { "AT\r", "\r\nOK\r\n", NULL };
	static const char *const huge[] = { "TIMEOUT", "3000000", "", "AT", "OK", "" };
	static const char *const odd[] = {
		"TIMEOUT", "0", "TIMEOUT", "-5", "TIMEOUT", "soon", "", "AT", "OK", "",
	};
	const struct { const char *const *words; int n; } runs[] = {
		{ huge, N(huge) }, { odd, N(odd) },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct modem m;
		struct hs_link *l = modem_start_slow(&m, modem, 300);
		assert_int_equal(run_words(l, runs[i].words, runs[i].n, NULL), HS_CHAT_OK);
		modem_stop(&m, l);
	}
}

/* chat matches any expect string up to its STR_LEN (1024 bytes) however
 * much came before it, and refuses a longer one (exit 1). */
static void test_long_expect(void **state)
{
	static char reply[1000 + 2 + 1024 + 3], want[1024 + 1], big[1025 + 1];
	static const char *modem[] = { "AT\r", reply, NULL };
	const char *words[] = { "", "AT", want, "" };
	const char *too_long[] = { "", "AT", big, "" };
	struct modem m;
	struct hs_link *l;
	(void)state;

	/* other input first, then 600 bytes of a string (the 1 KiB window
	 * must not lose its start), then the whole limit */
	memset(reply, 'x', 1000);
	memcpy(reply + 1000, "\r\n", 2);
	for (int i = 0; i < 1024; i++)
		want[i] = (char)('a' + i % 26);
	memcpy(reply + 1002, want, 600);
	memcpy(reply + 1002 + 600, "\r\n", 3);
	want[600] = 0;
	l = modem_start(&m, modem);
	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_OK);
	modem_stop(&m, l);
	want[600] = (char)('a' + 600 % 26);
	memcpy(reply + 1002, want, 1024);
	memcpy(reply + 1002 + 1024, "\r\n", 3);
	l = modem_start(&m, modem);
	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_OK);
	modem_stop(&m, l);
	/* one byte over: a bad script, said so */
	memset(big, 'y', 1025);
	l = modem_start(&m, NULL);
	assert_int_equal(run_words(l, too_long, N(too_long), NULL), HS_CHAT_BAD_SCRIPT);
	assert_non_null(strstr(hs_last_error(), "longer than 1024 bytes"));
	modem_stop(&m, l);
}

static void test_subexpect_resends(void **state)
{
	/* Silent until it gets a CR, then prompts. */
	static const char *const modem[] = { "\r", "\r\nlogin:", "user\r", "Password:", NULL };
	static const char *const words[] = { "TIMEOUT", "1", "ogin:--ogin:", "user",
					     "assword:", "\\qsecret" };
	struct modem m;
	struct hs_link *l = modem_start(&m, modem);
	(void)state;

	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_OK);
	modem_stop(&m, l);
	assert_string_equal(m.got, "\ruser\rsecret\r");
}

static void test_leaves_the_rest_on_the_line(void **state)
{
	static const char *const modem[] = { "", "\r\nCONNECT 115200\r\n~\x7d#PPP", NULL };
	static const char *const words[] = { "CONNECT" };
	struct modem m;
	struct hs_link *l = modem_start(&m, modem);
	char rest[32] = "";
	(void)state;

	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_OK);
	link_read_exact(l, rest, 15, 1000);
	assert_memory_equal(rest, " 115200\r\n~\x7d#PPP", 15);
	modem_stop(&m, l);
}

static void test_send_escapes(void **state)
{
	static const char *const words[] = {
		"", "A\\c", "", "\\101\\N\\s^A\\c", "", "EOT", "", "x\\\\y\\ty\\c", "", "\\p\\dz\\c",
	};
	struct modem m;
	struct hs_link *l = modem_start(&m, NULL);
	int64_t t0 = hs_now_ms();
	(void)state;

	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_OK);
	assert_true(hs_now_ms() - t0 >= 1100); /* \p and \d */
	modem_stop(&m, l);
	assert_int_equal(m.n_got, 12);
	assert_memory_equal(m.got, "AA\0 \x01\x04x\\y\ty" "z", 12);
}

/* A 0xff byte a script sends by escape (octal, backslash, \T, $VAR)
 * is data: never read as the start of a pause or a break. */
static void test_send_0xff(void **state)
{
	static const char *const words[] = {
		"", "\\377d\\c", "", "A\\\xff\\c", "", "\\T\\c", "", "\\377\\377p\\c",
	};
	struct hs_chat_opts o = { .phone = "\xff" "K" };
	struct modem m;
	struct hs_link *l = modem_start(&m, NULL);
	(void)state;

	assert_int_equal(run_words(l, words, N(words), &o), HS_CHAT_OK);
	modem_stop(&m, l);
	assert_int_equal(m.n_got, 9);
	assert_memory_equal(m.got, "\xff" "dA\xff\xff" "K\xff\xff" "p", 9);
}

static void test_clean_table(void **state)
{
	static const struct {
		const char *in;
		int sending;
		const char *out;
		size_t len;
	} t[] = {
		{ "CONNECT", 0, "CONNECT", 7 },
		{ "NO\\sCARRIER", 0, "NO CARRIER", 10 },
		{ "\\r\\n\\t\\b", 0, "\r\n\t\b", 4 },
		{ "^M^J", 0, "\r\n", 2 },
		{ "\\101\\0102", 0, "A\b2", 3 },
		{ "\\N", 0, "N", 1 },
		{ "\\N", 1, "\0\r", 2 },
		{ "AT\\c", 1, "AT", 2 },
		{ "AT\\cX", 1, "ATcX\r", 5 },
		{ "\\d\\p\\K", 1, "\xff" "d\xff" "p\xff" "K\r", 7 },
		{ "\\d", 0, "d", 1 },
		/* chat drops a trailing backslash from an expect string and
		 * sends it */
		{ "a\\", 0, "a", 1 },
		{ "a\\", 1, "a\\\r", 3 },
		{ "\\T", 0, "\\T", 2 },
		{ "ATDT\\T", 1, "ATDT555\r", 8 },
	};
	struct hs_chat_opts o = { .phone = "555" };
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hs_clean c;
		assert_int_equal(hs_chat_clean(t[i].in, t[i].sending, &o, &c), 0);
		if (c.add_return)
			c.out[c.len++] = '\r';
		if (c.len != t[i].len || memcmp(c.out, t[i].out, c.len) != 0)
			fail_msg("clean('%s', %d) gave %zu bytes", t[i].in, t[i].sending, c.len);
	}
}

/* The text chat's own clean() makes of a string: what chat -v logs and
 * SAY prints, so hsdial's log reads as chat's. */
static void test_clean_shown(void **state)
{
	static const struct {
		const char *in;
		int sending;
		const char *shown;
	} t[] = {
		{ "\\d\\p\\K", 1, "\\d\\p\\K\r" },
		{ "a\\\\b", 1, "a\\\\b\r" },
		{ "a\\\\b", 0, "a\\b" },
		{ "AT\\N5", 1, "AT\\" },      /* chat's string ends at the NUL */
		{ "\\z", 1, "\\z\r" },
		{ "\\z", 0, "z" },
		{ "\\134", 1, "\\\\\r" },
		{ "AT\\c", 1, "AT" },
		{ "x\\", 1, "x\\\\\r" },
		{ "\\d", 0, "d" },
		{ "\\U", 1, "\\U\r" },   /* no -U number: chat sends U */
		{ "\\q", 1, "\r" },
		{ "^A\\t", 1, "\001\t\r" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hs_clean c;
		assert_int_equal(hs_chat_clean(t[i].in, t[i].sending, NULL, &c), 0);
		if (strcmp(c.shown, t[i].shown) != 0 || c.shown_len != strlen(t[i].shown))
			fail_msg("clean('%s', %d) shows '%s'", t[i].in, t[i].sending, c.shown);
	}
}

static void test_text_parsing(void **state)
{
	struct hs_chat *c = hs_chat_new();
	(void)state;

	assert_int_equal(hs_chat_add_text(c,
		"# a comment line\n"
		"ABORT 'NO CARRIER' ABORT BUSY\n"
		"'' ATZ\n"
		"OK \"AT&F # not a comment\"\n"
		"OK\tATDT123 CONNECT ''\n"), HS_OK);
	assert_int_equal(c->n, 12);
	assert_string_equal(c->words[1], "NO CARRIER");
	assert_string_equal(c->words[4], "");
	assert_string_equal(c->words[7], "AT&F # not a comment");
	assert_string_equal(c->words[9], "ATDT123");
	assert_int_equal(hs_chat_add_text(c, "OK 'unterminated\n"), HS_ERR_ARG);
	assert_non_null(strstr(hs_last_error(), "line 1"));
	hs_chat_free(c);
}

static void test_keyword_without_argument(void **state)
{
	static const char *const words[] = { "", "AT", "ABORT" };
	struct modem m;
	struct hs_link *l = modem_start(&m, NULL);
	(void)state;

	assert_int_equal(run_words(l, words, N(words), NULL), HS_CHAT_BAD_SCRIPT);
	modem_stop(&m, l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dial_connects),
		cmocka_unit_test(test_abort_codes),
		cmocka_unit_test(test_clr_abort_renumbers),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_values),
		cmocka_unit_test(test_long_expect),
		cmocka_unit_test(test_subexpect_resends),
		cmocka_unit_test(test_leaves_the_rest_on_the_line),
		cmocka_unit_test(test_send_escapes),
		cmocka_unit_test(test_send_0xff),
		cmocka_unit_test(test_clean_table),
		cmocka_unit_test(test_clean_shown),
		cmocka_unit_test(test_text_parsing),
		cmocka_unit_test(test_keyword_without_argument),
	};
	return cmocka_run_group_tests_name("chat", tests, NULL, NULL);
}
