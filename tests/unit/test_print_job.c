/*
 * test_print_job.c - the job engine against a printer played on a real pty:
 * byte-exact output, XON/XOFF pacing, a stall's exact count, a paper-out
 * pause reported in PJL that the job waits out, resume, cancel, and jobs
 * read from a pipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "handshake/printer.h"
#include "clock.h"
#include "ptypair.h"

#define XON "\x11"
#define XOFF "\x13"

struct printer {
	struct ptypair pty;
	unsigned char *got;
	size_t n_got, cap;
	size_t xoff_every;      /* XOFF after this many bytes, then XON */
	int busy_ms;            /* how long it stays busy after an XOFF */
	size_t stop_at;         /* XOFF for good after this many (0: never) */
	size_t paper_out_at;    /* PJL paper out after this many (0: never) */
	int paper_out_ms;
	volatile int stop;
	pthread_t thread;
};

static void say(struct printer *p, const char *s)
{
	ptypair_write(&p->pty, s, strlen(s));
}

static void *printer_main(void *arg)
{
	struct printer *p = arg;
	size_t since_xoff = 0;
	int stopped = 0, paper_done = 0;

	while (!p->stop) {
		struct pollfd f = { .fd = p->pty.master, .events = POLLIN };
		if (poll(&f, 1, 10) <= 0)
			continue;
		size_t room = p->cap - p->n_got;
		/* Take only up to the next event, so events land on exact counts. */
		size_t want = room < 512 ? room : 512;
		if (p->stop_at && !stopped && p->stop_at - p->n_got < want)
			want = p->stop_at - p->n_got;
		if (p->paper_out_at && !paper_done && p->paper_out_at - p->n_got < want)
			want = p->paper_out_at - p->n_got;
		if (p->xoff_every && p->xoff_every - since_xoff < want)
			want = p->xoff_every - since_xoff;
		if (want == 0 || stopped)
			continue;
		ssize_t n = read(p->pty.master, p->got + p->n_got, want);
		if (n <= 0)
			continue;
		p->n_got += (size_t)n;
		since_xoff += (size_t)n;
		if (p->stop_at && p->n_got == p->stop_at) {
			say(p, XOFF);
			stopped = 1;
		}
		if (p->paper_out_at && !paper_done && p->n_got == p->paper_out_at) {
			paper_done = 1;
			say(p, XOFF "@PJL USTATUS DEVICE\r\nCODE=41000\r\nDISPLAY=\"LOAD PAPER\"\r\n"
				"ONLINE=FALSE\r\n\f");
			/* The operator loads paper: device behaviour, not a wait
			 * for the code under test. */
			usleep((useconds_t)p->paper_out_ms * 1000);
			say(p, "@PJL USTATUS DEVICE\r\nCODE=10001\r\nONLINE=TRUE\r\n\f" XON);
		}
		if (p->xoff_every && since_xoff == p->xoff_every) {
			say(p, XOFF);
			usleep((useconds_t)p->busy_ms * 1000);
			say(p, XON);
			since_xoff = 0;
		}
	}
	return NULL;
}

static void printer_start(struct printer *p)
{
	p->cap = 4 << 20;
	p->got = malloc(p->cap);
	assert_non_null(p->got);
	ptypair_open(&p->pty);
	assert_int_equal(pthread_create(&p->thread, NULL, printer_main, p), 0);
}

/* Stop once the printer has had `expect` bytes, or after a deadline. */
static void printer_stop(struct printer *p, size_t expect)
{
	int64_t deadline = hs_deadline(3000);
	while (p->n_got < expect && hs_remaining(deadline) > 0)
		hs_nap(5, deadline);
	p->stop = 1;
	pthread_join(p->thread, NULL);
}

static void printer_free(struct printer *p)
{
	ptypair_close(&p->pty);
	free(p->got);
}

static struct hs_printer *open_printer(struct printer *fake, const char *opts,
				       const char *driver)
{
	char uri[128];
	struct hs_printer *p = NULL;

	snprintf(uri, sizeof(uri), "serial:%s%s%s", fake->pty.path, opts ? "?" : "",
		 opts ? opts : "");
	if (hs_printer_open(&p, uri, driver) != HS_OK)
		fail_msg("%s: %s", uri, hs_last_error());
	return p;
}

/* A job of n pseudo-random bytes. On an XON/XOFF line those two bytes
 * are flow control, so a real job would escape them or be 7-bit: with
 * for_xonxoff they are replaced. */
static unsigned char *make_job(size_t n, int for_xonxoff)
{
	unsigned char *job = malloc(n);
	unsigned x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		job[i] = (unsigned char)(x >> 16);
		if (for_xonxoff && (job[i] == 0x11 || job[i] == 0x13))
			job[i] = 'x';
	}
	return job;
}

static size_t last_progress;
static void on_progress(void *ctx, const struct hs_print_progress *pr)
{
	(void)ctx;
	assert_true(pr->accepted >= last_progress);
	last_progress = pr->accepted;
}

static void test_plain_job_is_byte_exact(void **state)
{
	struct printer fake = { 0 };
	size_t n = 300000, accepted = 0;
	unsigned char *job = make_job(n, 0);
	struct hs_print_opts o = { .progress = on_progress };
	(void)state;

	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, NULL, NULL);
	assert_string_equal(hs_printer_driver_name(p), "generic");
	last_progress = 0;
	assert_int_equal(hs_printer_print(p, job, n, &o, &accepted), HS_OK);
	assert_int_equal(accepted, n);
	assert_int_equal(last_progress, n);
	printer_stop(&fake, n);
	assert_int_equal(fake.n_got, n);
	assert_memory_equal(fake.got, job, n);
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

static void test_xonxoff_paced_job(void **state)
{
	struct printer fake = { .xoff_every = 4096, .busy_ms = 5 };
	size_t n = 100000, accepted = 0;
	unsigned char *job = make_job(n, 1);
	(void)state;

	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, "flow=xonxoff", NULL);
	assert_int_equal(hs_printer_print(p, job, n, NULL, &accepted), HS_OK);
	assert_int_equal(accepted, n);
	printer_stop(&fake, n);
	assert_int_equal(fake.n_got, n);
	assert_memory_equal(fake.got, job, n);
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

static void test_stall_reports_exact_count(void **state)
{
	struct printer fake = { .stop_at = 7000 };
	/* More than 7000 plus all a pty can hold (about 64 KiB): however
	 * late the XOFF, the port cannot take the whole job. */
	size_t n = 256 << 10, accepted = 0;
	unsigned char *job = make_job(n, 1);
	struct hs_print_opts o = { .stall_timeout_ms = 300 };
	char want[96];
	(void)state;

	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, "flow=xonxoff", NULL);
	int64_t t0 = hs_now_ms();
	assert_int_equal(hs_printer_print(p, job, n, &o, &accepted), HS_ERR_STALL);
	assert_true(hs_now_ms() - t0 >= 300);
	printer_stop(&fake, 0);
	/* What the port took and the printer did not read is still in the
	 * pty: only what the printer read counts. */
	size_t in_pty = ptypair_read(&fake.pty, fake.got + fake.n_got, fake.cap - fake.n_got, 200);
	assert_int_equal(accepted, fake.n_got + in_pty);
	assert_memory_equal(fake.got, job, accepted);
	snprintf(want, sizeof(want), "accepted %zu of %zu bytes", accepted, n);
	assert_non_null(strstr(hs_last_error(), want));
	assert_non_null(strstr(hs_last_error(), "gave no reason"));
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

static unsigned status_seen;
static void on_status(void *ctx, const struct hs_printer_status *st)
{
	(void)ctx;
	status_seen |= st->flags;
}

static void test_paper_out_pause_then_finish(void **state)
{
	struct printer fake = { .paper_out_at = 9000, .paper_out_ms = 500 };
	/* more than a pty can hold past the paper-out: the job must wait */
	size_t n = 200000, accepted = 0;
	unsigned char *job = make_job(n, 1);
	struct hs_print_opts o = { .stall_timeout_ms = 150, .pause_timeout_ms = 5000,
				   .status_interval_ms = 20, .status = on_status };
	static const char begin[] = "\x1b%-12345X@PJL\r\n@PJL USTATUS DEVICE=ON\r\n";
	static const char end[] = "\x1b%-12345X@PJL USTATUS DEVICE=OFF\r\n\x1b%-12345X";
	(void)state;

	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, "flow=xonxoff", "pjl");
	status_seen = 0;
	if (hs_printer_print(p, job, n, &o, &accepted) != HS_OK)
		fail_msg("%s", hs_last_error());
	assert_int_equal(accepted, n);
	assert_true(status_seen & HS_PST_PAPER_OUT);
	size_t total = sizeof(begin) - 1 + n + sizeof(end) - 1;
	printer_stop(&fake, total);
	assert_int_equal(fake.n_got, total);
	assert_memory_equal(fake.got, begin, sizeof(begin) - 1);
	assert_memory_equal(fake.got + sizeof(begin) - 1, job, n);
	assert_memory_equal(fake.got + sizeof(begin) - 1 + n, end, sizeof(end) - 1);
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

static void test_resume_sends_the_rest_once(void **state)
{
	struct printer fake = { 0 };
	size_t n = 50000, accepted = 0;
	unsigned char *job = make_job(n, 0);
	struct hs_print_opts o = { .resume_at = 12345 };
	(void)state;

	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, NULL, NULL);
	assert_int_equal(hs_printer_print(p, job, n, &o, &accepted), HS_OK);
	assert_int_equal(accepted, n);
	printer_stop(&fake, n - 12345);
	assert_int_equal(fake.n_got, n - 12345);
	assert_memory_equal(fake.got, job + 12345, n - 12345);
	o.resume_at = n + 1;
	assert_int_equal(hs_printer_print(p, job, n, &o, &accepted), HS_ERR_ARG);
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

static volatile int cancel_flag;
static void cancel_at_10k(void *ctx, const struct hs_print_progress *pr)
{
	(void)ctx;
	if (pr->accepted >= 10000)
		cancel_flag = 1;
}

static void test_cancel(void **state)
{
	struct printer fake = { .xoff_every = 2048, .busy_ms = 20 };
	size_t n = 200000, accepted = 0;
	unsigned char *job = make_job(n, 1);
	struct hs_print_opts o = { .cancel = &cancel_flag, .progress = cancel_at_10k };
	(void)state;

	cancel_flag = 0;
	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, "flow=xonxoff", NULL);
	assert_int_equal(hs_printer_print(p, job, n, &o, &accepted), HS_ERR_CANCELED);
	assert_true(accepted >= 10000 && accepted < n);
	printer_stop(&fake, accepted);
	assert_memory_equal(fake.got, job, fake.n_got);
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

static void test_job_from_a_pipe(void **state)
{
	struct printer fake = { 0 };
	size_t n = 100000, accepted = 0;
	unsigned char *job = make_job(n, 0);
	struct hs_print_opts o = { .resume_at = 70000 };
	int fds[2];
	(void)state;

	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(fds[1], job + off, n - off < 999 ? n - off : 999);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	printer_start(&fake);
	struct hs_printer *p = open_printer(&fake, NULL, NULL);
	assert_int_equal(hs_printer_print_fd(p, fds[0], &o, &accepted), HS_OK);
	assert_int_equal(accepted, n);
	printer_stop(&fake, n - 70000);
	assert_int_equal(fake.n_got, n - 70000);
	assert_memory_equal(fake.got, job + 70000, n - 70000);
	close(fds[0]);
	hs_printer_close(p);
	printer_free(&fake);
	free(job);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_job_is_byte_exact),
		cmocka_unit_test(test_xonxoff_paced_job),
		cmocka_unit_test(test_stall_reports_exact_count),
		cmocka_unit_test(test_paper_out_pause_then_finish),
		cmocka_unit_test(test_resume_sends_the_rest_once),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_job_from_a_pipe),
	};
	return cmocka_run_group_tests_name("print_job", tests, NULL, NULL);
}
