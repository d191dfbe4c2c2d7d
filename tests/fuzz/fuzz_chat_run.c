/*
 * fuzz_chat_run.c - chat scripts run against what a modem sends
 * (lib/chat_run.c): expect with subexpects, ABORT, REPORT, ECHO, SAY,
 * TIMEOUT, sends with \T and \U. The script runs on an fd: link on the
 * slave of a real pty; the modem's bytes are waiting on the master when
 * it starts, and once the script has read them all the master closes
 * (a hang-up), so an expect that can never be met ends at once.
 *
 * Input: SCRIPT RS MODEM-BYTES (at most 4000: all of them fit in the
 * pty's input queue before the script starts). Scripts that pause (\d,
 * \p, \K, BREAK) are skipped: the runner would sleep for real; their
 * parsing is fuzz_chat_script's.
 * Invariants: the result is one of chat's exit codes, 4+n only for an
 * ABORT string the script gave; a failure leaves a message; what reaches
 * SAY, REPORT, ECHO and the log are C strings within their bounds.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "chat_priv.h"
#include "clock.h"
#include "handshake/link.h"
#include "harness.h"

#define MODEM_MAX 4000
/* The hang-up comes when the slave's queue stays empty this long. */
#define QUIET_MS 3
#define WATCH_MAX_MS 2000

struct watch {
	struct fuzz_pty *pty;
	atomic_int done;
};

/* Hang up once the script has read everything (or when it ends). */
static void *watch_main(void *arg)
{
	struct watch *w = arg;
	int64_t deadline = hs_deadline(WATCH_MAX_MS);
	int quiet = 0;

	while (!atomic_load(&w->done) && hs_remaining(deadline) > 0) {
		int queued = 1;
		fuzz_pty_consumed(w->pty, 0);
		ioctl(w->pty->slave, FIONREAD, &queued);
		quiet = queued == 0 ? quiet + 1 : 0;
		if (quiet > QUIET_MS)
			break;
		hs_nap(1, deadline);
	}
	close(w->pty->master);
	return NULL;
}

static void on_text(void *ctx, const char *text)
{
	(void)ctx;
	FUZZ_CHECK(strlen(text) < 4 * HS_CHAT_STR_MAX + 64, "%zu bytes", strlen(text));
}

static void on_echo(void *ctx, const char *bytes, size_t len)
{
	(void)ctx;
	(void)bytes;
	FUZZ_CHECK(len == 1, "echo of %zu bytes", len);
}

static int pauses(const char *script)
{
	return strstr(script, "\\d") || strstr(script, "\\p") || strstr(script, "\\K") ||
	       strstr(script, "BREAK");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_records rec;
	struct fuzz_pty pty;
	struct watch w = { .pty = &pty };
	struct hs_chat_opts o = {
		.timeout_s = 1, .phone = "5551234", .phone2 = "ATZ",
		.say = on_text, .report = on_text, .log = on_text, .echo = on_echo,
	};
	const uint8_t *p, *modem = NULL;
	size_t n, nmodem = 0;
	char *script;
	struct hs_chat *chat;
	struct hs_link *link;
	pthread_t thread;
	int rc, aborts = 0;

	fuzz_records_init(&rec, data, size);
	fuzz_record(&rec, &p, &n);
	script = fuzz_strndup(p, n);
	if (fuzz_record(&rec, &modem, &nmodem) && nmodem > MODEM_MAX)
		nmodem = MODEM_MAX;
	if (!(chat = hs_chat_new()))
		abort();
	if (pauses(script) || hs_chat_add_text(chat, script) != HS_OK) {
		hs_chat_free(chat);
		free(script);
		return 0;
	}
	for (int i = 0; i + 1 < chat->n; i++)
		aborts += !strcmp(chat->words[i], "ABORT");

	fuzz_pty_open(&pty);
	if (nmodem) {
		int queued = 0;
		int64_t deadline = hs_deadline(500);
		fuzz_pty_write(&pty, modem, nmodem, 500);
		/* all of it in the slave's queue before the script starts */
		while (ioctl(pty.slave, FIONREAD, &queued) == 0 && (size_t)queued < nmodem &&
		       hs_remaining(deadline) > 0)
			hs_nap(1, deadline);
	}
	if (hs_link_open(&link, pty.uri) != HS_OK)
		fuzz_fail(__FILE__, __LINE__, "open", "%s: %s", pty.uri, hs_last_error());
	if (pthread_create(&thread, NULL, watch_main, &w) != 0)
		abort();
	rc = hs_chat_run(chat, link, &o);
	atomic_store(&w.done, 1);
	pthread_join(thread, NULL);
	FUZZ_CHECK(rc >= HS_CHAT_OK && (rc < HS_CHAT_ABORT || rc < HS_CHAT_ABORT + aborts),
		   "chat returned %d with %d ABORT strings", rc, aborts);
	FUZZ_CHECK(rc == HS_CHAT_OK || hs_last_error()[0], "chat %d without a message", rc);

	hs_link_close(link);
	pty.master = -1; /* the watch closed it */
	fuzz_pty_close(&pty);
	hs_chat_free(chat);
	free(script);
	return 0;
}
