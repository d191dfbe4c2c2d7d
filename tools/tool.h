/*
 * tool.h - what the CLI tools share: the program name in messages, the
 * sysexits codes they use, and --version. Tools parse arguments and print;
 * every behaviour lives in the library.
 */
#ifndef HS_TOOL_H
#define HS_TOOL_H

#include <stdio.h>
#include <sysexits.h>

/* "hsdial: <message>" on stderr. */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tool_warn, then exit(code). */
void tool_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* After getopt's own message for a bad option: one line on stderr
 * pointing at --help (the whole usage would bury the error). */
void tool_usage_hint(void);

/* "hsdial (handshake) 0.1.0" on stdout, exit 0. */
void tool_version(void) __attribute__((noreturn));

/* A whole decimal number in [min, max] from an option, or die with EX_USAGE. */
int tool_int(const char *opt, const char *text, int min, int max);

/* Write s as a JSON string (quotes included), escaping quotes,
 * backslashes and every control or non-ASCII byte: device strings are
 * untrusted. */
void tool_json_string(FILE *f, const char *s);

/* The sysexits code for a library error: usage, no such host,
 * unavailable (also a network port that refuses or cannot be reached),
 * busy (temporary), permission, I/O (also a connection the server closed
 * or reset), timeout (temporary), protocol (garbage or an over-long
 * line from the device). */
int tool_exit_code(int hs_err);

/* -v given n times. One -v is the tool's own steps only: the library's
 * error trace includes errors it handles itself (a slow printer's write
 * slices), noise for a user. -vv adds the library's trace of errors and
 * state changes (handshake/log.h) on stderr, -vvv every byte, as
 * HS_DEBUG=2 and 3 do; fewer leave HS_DEBUG's. */
void tool_trace(int n);

extern const char *tool_name;

#endif
