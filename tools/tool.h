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
 * or reset), timeout (temporary). */
int tool_exit_code(int hs_err);

extern const char *tool_name;

#endif
