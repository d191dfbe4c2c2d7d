/*
 * test_net.c - rfc2217:// and tcp:// links against scripted servers on
 * 127.0.0.1 (a thread with a real socket): the faults ser2net and
 * pyserial do not show on demand. A server that never finishes the
 * negotiation, refuses COM-PORT-OPTION, sends garbage, unknown options
 * or an oversized subnegotiation, leaves requests unanswered, sets other
 * values than asked, suspends our output, closes mid-job; a host that
 * does not resolve, a port that refuses, an IPv6 literal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "comport.h"
#include "telnet.h"

#define IAC "\xFF"
#define SRV_MS 10000           /* no server step waits longer */

/* A scripted server: what it does is set before srv_start. */
struct srv {
	int lfd, fd, port, family;
	pthread_t th;
	/* behaviour */
	int quiet;             /* never say anything */
	int refuse_comport;
	unsigned silent;       /* commands (1 << cmd) never answered */
	long baud_answer;      /* answer SET-BAUDRATE with this, if > 0 */
	const char *prelude;   /* sent first, raw (length prelude_len) */
	size_t prelude_len;
	const char *after;     /* sent raw once the first request came */
	size_t after_len;
	long close_after;      /* close after this many data bytes, if > 0 */
	int echo;              /* send data back */
	int suspend;           /* send FLOWCONTROL-SUSPEND after the line is
				* set, RESUME when asked for DTR */
	/* what it saw */
	size_t raw;            /* bytes received, as sent */
	size_t ndata;
	unsigned char data[1 << 16];
	char verbs[256];       /* "DONT 24," ... */
	char cmds[512];        /* "SET-CONTROL 8," ... */
	int sent_after;
	atomic_int suspended_us;  /* it got our FLOWCONTROL-SUSPEND */
};

static void srv_write(struct srv *s, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void sub_reply(struct srv *s, int cmd, const uint8_t *val, size_t n)
{
	uint8_t body[64], out[2 * sizeof(body) + 4];

	if (n > sizeof(body) - 2)
		n = sizeof(body) - 2;
	body[0] = HS_TN_OPT_COMPORT;
	body[1] = (uint8_t)(cmd + HS_CPO_SERVER);
	memcpy(body + 2, val, n);
	srv_write(s, out, hs_telnet_sub(body, 2 + n, out, sizeof(out)));
}

static void on_data(void *ctx, const uint8_t *b, size_t n)
{
	struct srv *s = ctx;

	if (s->ndata + n <= sizeof(s->data))
		memcpy(s->data + s->ndata, b, n);
	s->ndata += n;
	if (s->echo) {
		uint8_t out[8192];
		size_t used;
		srv_write(s, out, hs_telnet_escape(b, n, &used, out, sizeof(out), 1));
	}
}

static void on_verb(void *ctx, int verb, int opt)
{
	struct srv *s = ctx;
	static const char *const names[] = { "WILL", "WONT", "DO", "DONT" };
	size_t n = strlen(s->verbs);

	snprintf(s->verbs + n, sizeof(s->verbs) - n, "%s %d,", names[verb - HS_TN_WILL], opt);
}

static void on_sub(void *ctx, const uint8_t *body, size_t n)
{
	struct srv *s = ctx;
	size_t k = strlen(s->cmds);
	int cmd;

	if (n < 2 || body[0] != HS_TN_OPT_COMPORT)
		return;
	cmd = body[1];
	snprintf(s->cmds + k, sizeof(s->cmds) - k, "%s %d,", hs_cpo_name(cmd),
		 n > 2 ? body[n - 1] : -1);
	if (cmd == HS_CPO_FLOWCONTROL_SUSPEND)
		atomic_store(&s->suspended_us, 1);
	if (s->after && !s->sent_after) {
		s->sent_after = 1;
		srv_write(s, s->after, s->after_len);
	}
	if (cmd < HS_CPO_NCMDS && (s->silent & (1u << cmd)))
		return;
	if (cmd == HS_CPO_SET_BAUDRATE && s->baud_answer > 0) {
		uint8_t v[4] = { (uint8_t)(s->baud_answer >> 24), (uint8_t)(s->baud_answer >> 16),
				 (uint8_t)(s->baud_answer >> 8), (uint8_t)s->baud_answer };
		sub_reply(s, cmd, v, 4);
		return;
	}
	if (cmd == HS_CPO_SET_CONTROL && s->suspend && body[2] == HS_CPO_FLOW_NONE)
		srv_write(s, IAC "\xFA\x2C\x6C" IAC "\xF0", 6);      /* SUSPEND */
	if (cmd == HS_CPO_SET_CONTROL && s->suspend && body[2] == HS_CPO_DTR_ON) {
		sub_reply(s, cmd, body + 2, 1);
		srv_write(s, IAC "\xFA\x2C\x6D" IAC "\xF0", 6);      /* RESUME */
		return;
	}
	if (cmd < HS_CPO_NCMDS && cmd != HS_CPO_FLOWCONTROL_SUSPEND &&
	    cmd != HS_CPO_FLOWCONTROL_RESUME)
		sub_reply(s, cmd, body + 2, n - 2);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd p = { .fd = s->lfd, .events = POLLIN };
	struct hs_telnet t;
	const struct hs_telnet_sink sink = {
		.ctx = s, .data = on_data, .verb = on_verb, .sub = on_sub,
	};
	uint8_t buf[8192];
	ssize_t n;

	if (poll(&p, 1, SRV_MS) != 1 || (s->fd = accept(s->lfd, NULL, NULL)) < 0)
		return NULL;
	hs_telnet_init(&t);
	t.binary = 1;
	if (s->prelude)
		srv_write(s, s->prelude, s->prelude_len);
	if (!s->quiet && !s->refuse_comport)
		srv_write(s, IAC "\xFD\x2C" IAC "\xFB\x00" IAC "\xFD\x00" IAC "\xFB\x03" IAC "\xFD\x03", 15);
	if (s->refuse_comport)
		srv_write(s, IAC "\xFE\x2C", 3);
	p.fd = s->fd;
	while (poll(&p, 1, SRV_MS) == 1 && (n = recv(s->fd, buf, sizeof(buf), 0)) > 0) {
		s->raw += (size_t)n;
		if (!s->quiet)
			hs_telnet_feed(&t, buf, (size_t)n, &sink);
		if (s->close_after > 0 && s->ndata >= (size_t)s->close_after)
			break;
	}
	close(s->fd);
	return NULL;
}

static void srv_start(struct srv *s)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	int one = 1;

	memset(&a, 0, sizeof(a));
	if (s->family == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	s->lfd = socket(s->family ? s->family : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a,
			      s->family == AF_INET6 ? sizeof(struct sockaddr_in6)
						    : sizeof(struct sockaddr_in)), 0);
	assert_int_equal(listen(s->lfd, 1), 0);
	getsockname(s->lfd, (struct sockaddr *)&a, &len);
	s->port = ntohs(s->family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port
					      : ((struct sockaddr_in *)&a)->sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void srv_join(struct srv *s)
{
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static struct srv *srv_new(void)
{
	struct srv *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	return s;
}

static void uri_of(const struct srv *s, const char *opts, char *out, size_t cap)
{
	snprintf(out, cap, "rfc2217://%s:%d%s", s->family == AF_INET6 ? "[::1]" : "127.0.0.1",
		 s->port, opts ? opts : "");
}

static struct hs_link *open_ok(const struct srv *s, const char *opts)
{
	char uri[128];
	struct hs_link *l = NULL;

	uri_of(s, opts, uri, sizeof(uri));
	if (hs_link_open(&l, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	return l;
}

static void expect_text(const char *what)
{
	if (!strstr(hs_last_error(), what))
		fail_msg("message '%s' does not say '%s'", hs_last_error(), what);
}

/* ---- connecting ------------------------------------------------------- */

static void test_never_negotiates(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l = (void *)1;
	char uri[128], peer[64];
	(void)state;

	s->quiet = 1;
	srv_start(s);
	uri_of(s, NULL, uri, sizeof(uri));
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_TIMEOUT);
	assert_null(l);
	snprintf(peer, sizeof(peer), "127.0.0.1:%d did not finish the Telnet negotiation", s->port);
	expect_text(peer);
	srv_join(s);
	free(s);
}

static void test_refuses_comport(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	char uri[128];
	(void)state;

	s->refuse_comport = 1;
	srv_start(s);
	uri_of(s, NULL, uri, sizeof(uri));
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_PROTOCOL);
	expect_text("refused COM-PORT-OPTION");
	expect_text("try tcp://");
	srv_join(s);
	free(s);
}

static void test_no_such_host(void **state)
{
	struct hs_link *l;
	(void)state;

	assert_int_equal(hs_link_open(&l, "rfc2217://nothing.invalid:2217"), HS_ERR_NO_HOST);
	expect_text("nothing.invalid:2217");
	assert_int_equal(hs_link_open(&l, "tcp://nothing.invalid:4001"), HS_ERR_NO_HOST);
	expect_text("nothing.invalid:4001: no such host");
}

/* A port bound but not listening refuses, and stays ours meanwhile. */
static void test_refused(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char uri[64], want[64];
	struct hs_link *l;
	(void)state;

	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	snprintf(want, sizeof(want), "127.0.0.1:%d refused the connection", ntohs(a.sin_port));
	snprintf(uri, sizeof(uri), "rfc2217://127.0.0.1:%d", ntohs(a.sin_port));
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_CONN_REFUSED);
	expect_text(want);
	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%d", ntohs(a.sin_port));
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_CONN_REFUSED);
	expect_text(want);
	close(fd);
}

static void test_ipv6_literal(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = in6addr_loopback };
	char name[32];
	(void)state;

	if (probe < 0 || bind(probe, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (probe >= 0)
			close(probe);
		free(s);
		skip();
	}
	close(probe);
	s->family = AF_INET6;
	s->echo = 1;
	srv_start(s);
	l = open_ok(s, NULL);
	snprintf(name, sizeof(name), "[::1]:%d", s->port);
	assert_string_equal(hs_link_info(l)->name, name);
	assert_int_equal(hs_link_info(l)->transport, HS_TRANSPORT_RFC2217);
	hs_link_close(l);
	srv_join(s);
	free(s);
}

/* ---- what servers send ------------------------------------------------ */

static void read_exact(struct hs_link *l, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		int rc = hs_link_read(l, (char *)buf + got, n - got, 5000);
		if (rc < 0)
			fail_msg("read: %s", hs_last_error());
		got += (size_t)rc;
	}
}

static void test_garbage_and_unknown_options(void **state)
{
	static const char junk[] =
		IAC "\xFB\x18"                  /* WILL TERMINAL-TYPE */
		IAC "\xFD\x1F"                  /* DO NAWS */
		IAC "\xF0"                      /* SE without SB */
		IAC "\xF6"                      /* AYT */
		IAC "\xFA\x63junk" IAC "\xF0"   /* a subnegotiation of option 99 */
		IAC "\xFA\x2C\x7F\x01" IAC "\xF0" /* COM-PORT command 27 */
		IAC "\xFA\x2C\x65" IAC "\xF0"   /* SET-BAUDRATE with no value */
		"hello";
	struct srv *s = srv_new();
	struct hs_link *l;
	char buf[5];
	(void)state;

	s->prelude = junk;
	s->prelude_len = sizeof(junk) - 1;
	srv_start(s);
	l = open_ok(s, NULL);
	read_exact(l, buf, 5);
	assert_memory_equal(buf, "hello", 5);
	hs_link_close(l);
	srv_join(s);
	/* the options we do not use were refused */
	if (!strstr(s->verbs, "DONT 24,") || !strstr(s->verbs, "WONT 31,"))
		fail_msg("server saw: %s", s->verbs);
	free(s);
}

static void test_oversized_sub(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	static char big[20000];
	size_t n = 0;
	char buf[2];
	(void)state;

	memcpy(big, IAC "\xFA\x2C\x6B", 4);
	n = 4;
	memset(big + n, 'A', 10000);
	n += 10000;
	memcpy(big + n, IAC "\xF0" "ok", 4);
	n += 4;
	s->after = big;
	s->after_len = n;
	srv_start(s);
	l = open_ok(s, NULL);
	read_exact(l, buf, 2);
	assert_memory_equal(buf, "ok", 2);
	/* the oversized NOTIFY-MODEMSTATE changed nothing */
	assert_int_equal(hs_link_signals(l) & (HS_SIG_DCD | HS_SIG_DSR | HS_SIG_CTS), 0);
	hs_link_close(l);
	srv_join(s);
	free(s);
}

static void test_iac_doubled_both_ways(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	unsigned char out[256 + 100], back[sizeof(out)];
	size_t done;
	(void)state;

	for (int i = 0; i < 256; i++)
		out[i] = (unsigned char)i;
	memset(out + 256, 0xFF, 100);
	s->echo = 1;
	srv_start(s);
	l = open_ok(s, NULL);
	assert_int_equal(hs_link_write(l, out, sizeof(out), 5000, &done), HS_OK);
	assert_int_equal(done, sizeof(out));
	read_exact(l, back, sizeof(back));
	assert_memory_equal(back, out, sizeof(out));
	assert_int_equal(hs_link_pending(l), 0);
	hs_link_close(l);
	srv_join(s);
	assert_int_equal(s->ndata, sizeof(out));
	assert_memory_equal(s->data, out, sizeof(out));
	free(s);
}

/* ---- requests --------------------------------------------------------- */

static void test_unanswered_requests(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	(void)state;

	s->silent = 1u << HS_CPO_SET_CONTROL | 1u << HS_CPO_PURGE_DATA;
	srv_start(s);
	l = open_ok(s, "?flow=rtscts");
	/* noted, and carried on */
	assert_non_null(strstr(hs_link_info(l)->description, "no answer to SET-CONTROL (flow)"));
	assert_int_equal(hs_link_set_dtr(l, 0), HS_OK);
	assert_int_equal(hs_link_flush(l, HS_FLUSH_BOTH), HS_OK);
	assert_int_equal(hs_link_flush(l, HS_FLUSH_INPUT), HS_OK);
	assert_non_null(strstr(hs_link_info(l)->description, "no answer to PURGE-DATA"));
	assert_int_equal(hs_link_signals(l) & HS_SIG_DTR, 0);
	hs_link_close(l);
	srv_join(s);
	assert_non_null(strstr(s->cmds, "SET-CONTROL 3,"));
	assert_non_null(strstr(s->cmds, "SET-CONTROL 9,"));
	assert_non_null(strstr(s->cmds, "PURGE-DATA 3,"));
	assert_non_null(strstr(s->cmds, "PURGE-DATA 1,"));
	free(s);
}

static void test_server_sets_another_value(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	char uri[128];
	(void)state;

	s->baud_answer = 9600;
	srv_start(s);
	uri_of(s, "?baud=115200", uri, sizeof(uri));
	assert_int_equal(hs_link_open(&l, uri), HS_ERR_NOT_SUPPORTED);
	expect_text("the server set the rate to 9600 when 115200 was asked");
	srv_join(s);
	free(s);
}

static void test_server_suspends_output(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	size_t done = 99;
	(void)state;

	s->suspend = 1;
	srv_start(s);
	l = open_ok(s, NULL);
	assert_int_equal(hs_link_write(l, "abc", 3, 300, &done), HS_ERR_STALL);
	assert_int_equal(done, 0);
	expect_text("FLOWCONTROL-SUSPEND");
	/* the server resumes when it sets DTR (its script) */
	assert_int_equal(hs_link_set_dtr(l, 1), HS_OK);
	assert_int_equal(hs_link_write(l, "abc", 3, 5000, &done), HS_OK);
	assert_int_equal(done, 3);
	hs_link_close(l);
	srv_join(s);
	assert_int_equal(s->ndata, 3);
	assert_memory_equal(s->data, "abc", 3);
	free(s);
}

static void test_we_suspend_the_server(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	static char flood[60000], back[sizeof(flood)];
	(void)state;

	memset(flood, 'z', sizeof(flood));
	s->after = flood;
	s->after_len = sizeof(flood);
	srv_start(s);
	l = open_ok(s, NULL);
	/* nothing read yet: more than 3/4 of the link's buffer waits */
	while (!atomic_load(&s->suspended_us))
		assert_int_equal(hs_link_wait_signals(l, HS_SIG_RI, 200), HS_ERR_TIMEOUT);
	read_exact(l, back, sizeof(back));
	hs_link_close(l);
	srv_join(s);
	assert_non_null(strstr(s->cmds, "FLOWCONTROL-RESUME"));
	free(s);
}

static void test_modem_lines_from_notifications(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	int sig;
	(void)state;

	s->after = IAC "\xFA\x2C\x6B\xB0" IAC "\xF0";   /* DCD DSR CTS */
	s->after_len = 7;
	srv_start(s);
	l = open_ok(s, NULL);
	while (((sig = hs_link_signals(l)) & HS_SIG_DCD) == 0) {
		assert_true(sig >= 0);
		sig = hs_link_wait_signals(l, HS_SIG_DCD, 5000);
		assert_true(sig >= 0);
	}
	assert_int_equal(sig & (HS_SIG_DCD | HS_SIG_DSR | HS_SIG_CTS | HS_SIG_RI),
			 HS_SIG_DCD | HS_SIG_DSR | HS_SIG_CTS);
	hs_link_close(l);
	srv_join(s);
	assert_non_null(strstr(s->cmds, "SET-MODEMSTATE-MASK 255,"));
	free(s);
}

/* ---- the end of a connection ------------------------------------------ */

static void test_server_closes_mid_job(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	static char job[4 << 20];
	char want[64];
	size_t done = 0, accepted;
	int rc, pending;
	(void)state;

	memset(job, 'j', sizeof(job));
	s->close_after = 10000;
	srv_start(s);
	l = open_ok(s, NULL);
	rc = hs_link_write(l, job, sizeof(job), 10000, &done);
	srv_join(s);
	assert_true(rc == HS_ERR_CONN_CLOSED || rc == HS_ERR_CONN_RESET);
	snprintf(want, sizeof(want), "by 127.0.0.1:%d", s->port);
	expect_text(want);
	/* what the server did not acknowledge is not counted */
	pending = hs_link_pending(l);
	assert_true(pending >= 0 && (size_t)pending <= done);
	accepted = done - (size_t)pending;
	if (accepted < s->ndata || accepted >= sizeof(job))
		fail_msg("accepted %zu: the server read %zu of %zu", accepted, s->ndata, sizeof(job));
	/* and every later call says the same */
	assert_int_equal(hs_link_write(l, "x", 1, 100, &done), rc);
	expect_text(want);
	hs_link_close(l);
	free(s);
}

static void test_server_closes_while_reading(void **state)
{
	struct srv *s = srv_new();
	struct hs_link *l;
	char buf[16], want[64];
	(void)state;

	s->close_after = 1;
	srv_start(s);
	l = open_ok(s, NULL);
	assert_int_equal(hs_link_write(l, "x", 1, 1000, NULL), HS_OK);
	assert_int_equal(hs_link_read(l, buf, sizeof(buf), 5000), HS_ERR_CONN_CLOSED);
	snprintf(want, sizeof(want), "connection closed by 127.0.0.1:%d", s->port);
	expect_text(want);
	hs_link_close(l);
	srv_join(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_negotiates),
		cmocka_unit_test(test_refuses_comport),
		cmocka_unit_test(test_no_such_host),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_ipv6_literal),
		cmocka_unit_test(test_garbage_and_unknown_options),
		cmocka_unit_test(test_oversized_sub),
		cmocka_unit_test(test_iac_doubled_both_ways),
		cmocka_unit_test(test_unanswered_requests),
		cmocka_unit_test(test_server_sets_another_value),
		cmocka_unit_test(test_server_suspends_output),
		cmocka_unit_test(test_we_suspend_the_server),
		cmocka_unit_test(test_modem_lines_from_notifications),
		cmocka_unit_test(test_server_closes_mid_job),
		cmocka_unit_test(test_server_closes_while_reading),
	};
	return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
