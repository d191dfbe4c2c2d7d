/*
 * wake_timer.h - private: a deadline for a call that sleeps in the kernel
 * and takes none itself (TIOCMIWAIT, a blocking write): a timer aimed at
 * the calling thread that interrupts the call with the library's own
 * signal, whose handler does nothing, so the call returns EINTR (or its
 * partial count) at the deadline.
 */
#ifndef HS_WAKE_TIMER_H
#define HS_WAKE_TIMER_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

struct hs_wake_timer {
	timer_t timer;
	sigset_t old;   /* the thread's mask, put back by disarm */
};

/* Arm for the deadline (a deadline already past fires at once): HS_OK,
 * or HS_ERR_NOT_SUPPORTED where the process keeps the signal for itself
 * or has no timer for the thread. Every armed timer must be disarmed. */
int hs_wake_arm(struct hs_wake_timer *t, int64_t deadline);
void hs_wake_disarm(struct hs_wake_timer *t);
/* 1 if this process lets the library have its signal. */
int hs_wake_usable(void);
/* Interrupt what thread is blocked in (a thread of the library's own,
 * that does not block the signal: hs_wake_unblock). */
void hs_wake_thread(pthread_t thread);
/* Let the calling thread take the signal from now on. */
void hs_wake_unblock(void);

#endif
