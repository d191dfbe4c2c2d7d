/*
 * wake_timer.c - the deadline of a call that sleeps in the kernel with
 * none of its own (TIOCMIWAIT in serial_lines.c, the blocking write in
 * serial_io.c): a POSIX timer aimed at this thread that fires a signal
 * of the library's own (HS_WAKE_SIGNAL, a real-time signal whose handler
 * does nothing), so the call returns EINTR, or a write its partial count.
 * The timer keeps firing every few ms after the deadline, so a signal
 * that lands just before the call starts is not lost. The handler is only
 * installed where the program left the signal alone (SIG_DFL); a program
 * that uses the signal itself gets HS_ERR_NOT_SUPPORTED, and the caller
 * waits another way.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "handshake/error.h"
#include "wake_timer.h"

/* The signal (documented in handshake/link.h). */
#define HS_WAKE_SIGNAL (SIGRTMAX - 3)
/* After the deadline the timer fires again this often (a lost signal). */
#define REFIRE_MS 5

static int wake_signal;         /* 0: not usable in this process */
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

/* Only there to make a blocked call return EINTR. */
static void on_wake(int sig)
{
	(void)sig;
}

static void wake_setup(void)
{
	struct sigaction old, sa;
	int sig = HS_WAKE_SIGNAL;

	if (sigaction(sig, NULL, &old) != 0)
		return;
	if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == on_wake) {
		wake_signal = sig;
		return;
	}
	if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
		return; /* the program's own: leave it be */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_wake;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the call must return */
	if (sigaction(sig, &sa, NULL) == 0)
		wake_signal = sig;
}

static struct timespec ms_ts(int64_t ms)
{
	return (struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
}

int hs_wake_usable(void)
{
	pthread_once(&wake_once, wake_setup);
	return wake_signal != 0;
}

/* Let the calling thread take the signal; *old gets its mask as it was. */
static void unblock(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, wake_signal);
	pthread_sigmask(SIG_UNBLOCK, &set, old);
}

int hs_wake_arm(struct hs_wake_timer *t, int64_t deadline)
{
	struct itimerspec when = { .it_interval = ms_ts(REFIRE_MS) };
	struct sigevent ev;

	if (!hs_wake_usable())
		return HS_ERR_NOT_SUPPORTED;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = wake_signal;
	ev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &ev, &t->timer) != 0)
		return HS_ERR_NOT_SUPPORTED;
	when.it_value = ms_ts(hs_remaining(deadline) > 0 ? hs_remaining(deadline) : 1);
	/* a thread that blocks every signal must still get this one */
	unblock(&t->old);
	timer_settime(t->timer, 0, &when, NULL);
	return HS_OK;
}

void hs_wake_thread(pthread_t thread)
{
	if (hs_wake_usable())
		pthread_kill(thread, wake_signal);
}

void hs_wake_unblock(void)
{
	if (hs_wake_usable())
		unblock(NULL);
}

void hs_wake_disarm(struct hs_wake_timer *t)
{
	timer_delete(t->timer);
	/* a signal the thread did not block needs no putting back */
	if (sigismember(&t->old, wake_signal) == 1)
		pthread_sigmask(SIG_SETMASK, &t->old, NULL);
}
