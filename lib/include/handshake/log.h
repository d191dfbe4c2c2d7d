/*
 * handshake/log.h - seeing what the library does: a trace of the errors it
 * returns, the state it changes and the bytes it moves, sent to a callback
 * of the program's or, with the HS_DEBUG environment variable, to stderr.
 *
 * Principles of operation
 *  - Nothing is traced unless hs_set_log() or HS_DEBUG asks: the library
 *    never prints on its own, and with tracing off a call costs one
 *    comparison of an integer.
 *  - HS_DEBUG=N (1, 2 or 3; larger is 3, anything else is off) is read
 *    once, when the library is loaded, and traces to stderr, one line per
 *    event: "handshake: SECONDS FUNCTION: MESSAGE" (SECONDS on the
 *    monotonic clock, as the kernel log counts, 6 decimals).
 *  - hs_set_log() replaces what HS_DEBUG set. Call it before other
 *    threads use the library; the callback runs on the thread whose call
 *    is traced, at the moment of the event, and must not call libhandshake.
 *  - Bytes are traced as "PATH in|out COUNT \"...\"", C-escaped (\r \n \t
 *    \\ \" \xHH), at most 64 bytes a line: a longer read or write is
 *    several lines in order.
 */
#ifndef HANDSHAKE_LOG_H
#define HANDSHAKE_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

enum hs_log_level {
	HS_LOG_NONE = 0,   /* nothing */
	HS_LOG_ERROR = 1,  /* every error a call returns, with the function that failed */
	HS_LOG_STATE = 2,  /* and state changes: open, close, line, modem lines, status */
	HS_LOG_DATA = 3,   /* and every byte in and out */
};

/*
 * Called for each traced event. func is the library function where it
 * happened ("hs_serial_read"), message the event without a time stamp or
 * line end. Both are valid during the call only.
 */
typedef void (*hs_log_fn)(void *ctx, enum hs_log_level level, const char *func,
			  const char *message);

/*
 * Trace events up to level to fn (ctx is handed back to it). fn NULL
 * with a level traces to stderr as HS_DEBUG does; level HS_LOG_NONE
 * turns tracing off. Returns HS_OK, or HS_ERR_ARG when level is not an
 * enum hs_log_level (nothing changes then). Since 0.1.0.
 */
int hs_set_log(hs_log_fn fn, int level, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
