/*
 * tool.h - what the CLI tools share: the program name in messages, the
 * sysexits codes they use, and --version. Tools parse arguments and print;
 * every behaviour lives in the library.
 */
#ifndef HS_TOOL_H
#define HS_TOOL_H

#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

/* "hsdial: <message>" on stderr. */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tool_warn, then exit(code); under --json (tool_json_out set) also the
 * answer, with error HS_ERR_ARG for a usage error (EX_USAGE). */
void tool_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* The same for a library error err: exit(tool_exit_code(err)). */
void tool_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* After getopt's own message for a bad option: one line on stderr
 * pointing at --help (the whole usage would bury the error). */
void tool_usage_hint(void);

/* Milliseconds on the monotonic clock: for deadlines and durations. */
long long tool_now_ms(void);

/* "hsdial (handshake) 0.1.0" on stdout, exit 0. */
void tool_version(void) __attribute__((noreturn));

/* A whole decimal number in [min, max] from an option, or die with EX_USAGE. */
int tool_int(const char *opt, const char *text, int min, int max);

/* ---- tool_json.c: the --json answers -------------------------------- */

/* Write s as a JSON string (quotes included), escaping quotes,
 * backslashes and every control or non-ASCII byte: device strings are
 * untrusted. */
void tool_json_string(FILE *f, const char *s);

/* One JSON object, written as it is built: members in order, commas and
 * escapes done. A NULL key is an array element; a NULL string is null. */
struct tool_json {
	FILE *f;
	int depth;
	char close[8];   /* what ends each open level: '}' or ']' */
	int count[8];    /* members written so far at each level */
};

void tool_json_begin(struct tool_json *j, FILE *f);   /* "{" */
void tool_json_end(struct tool_json *j);              /* close all, "}\n" */
void tool_json_object(struct tool_json *j, const char *key);
void tool_json_array(struct tool_json *j, const char *key);
void tool_json_close(struct tool_json *j);            /* the last opened */
void tool_json_str(struct tool_json *j, const char *key, const char *value);
void tool_json_int(struct tool_json *j, const char *key, long long value);
void tool_json_bool(struct tool_json *j, const char *key, int value);
void tool_json_null(struct tool_json *j, const char *key);

/* "error": {"code": err, "name": hs_err_name(err), "message": ...}; the
 * message defaults to hs_strerror(err). */
void tool_json_error(struct tool_json *j, int err, const char *message);

/* Where a --json answer goes (stdout; stderr for a call, whose data is on
 * stdout); NULL without --json. Set before anything can fail, so that a
 * failure is an answer too. */
extern FILE *tool_json_out;

/* The whole answer for a failure before a mode could say more:
 * {"ok":false,"exit":status,"error":{...}} on tool_json_out. */
void tool_json_failure(int err, int status, const char *message);

/* After getopt's message for a bad option: tool_usage_hint(), and under
 * --json the answer (HS_ERR_ARG, exit EX_USAGE). */
void tool_bad_option(void);

/* 1 when word is one of argv's, before any "--": a look ahead of
 * getopt, so that even an error in the options is answered in JSON. */
int tool_arg_given(int argc, char **argv, const char *word);

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

/*
 * The line flags every tool takes, as picocom and tio spell them:
 * -b/--baud, -f/--flow (none|rtscts|xonxoff|dtrdsr, or picocom's
 * n|h|s), -p/--parity, --databits, --stopbits. Each overrides what the
 * URI says, so a bare device path plus flags needs no shell quoting.
 * A tool puts TOOL_LINE_SHORT in its getopt string, TOOL_LINE_LONG in
 * its option table and TOOL_LINE_HELP in its --help, hands every option
 * to tool_line_option() first, and opens tool_line_uri(uri).
 */
struct tool_line {
	int baud, bits, stop;       /* 0: not given */
	const char *flow, *parity;  /* spelled as the URI wants; NULL: not given */
};

/* --flow has a code of its own: hsdial's -f may also be chat's -f FILE */
enum { TOOL_OPT_DATABITS = 0x4000, TOOL_OPT_STOPBITS, TOOL_OPT_FLOW };

#define TOOL_LINE_SHORT "b:f:p:"
#define TOOL_LINE_LONG \
	{ "baud", required_argument, NULL, 'b' }, \
	{ "flow", required_argument, NULL, TOOL_OPT_FLOW }, \
	{ "parity", required_argument, NULL, 'p' }, \
	{ "databits", required_argument, NULL, TOOL_OPT_DATABITS }, \
	{ "stopbits", required_argument, NULL, TOOL_OPT_STOPBITS }
#define TOOL_LINE_HELP \
	"  -b, --baud RATE       line speed (overrides the URI's baud=)\n" \
	"  -f, --flow FLOW       none, rtscts, xonxoff or dtrdsr (or n, h, s)\n" \
	"  -p, --parity PARITY   none, odd, even, mark or space (or n, o, e, m, s)\n" \
	"      --databits N      5, 6, 7 or 8\n" \
	"      --stopbits N      1 or 2\n"

/* Take option c when it is a line flag: returns 1 (a bad value ends the
 * tool with EX_USAGE and a message), else 0. */
int tool_line_option(struct tool_line *l, int c, const char *arg);

/* 1 when text names a flow control -f takes. */
int tool_is_flow(const char *text);

/* uri with the flags given appended as its options, which the library
 * reads after the URI's own (the last value of a key wins); uri itself
 * when no flag was given. The result lives until the next call. */
const char *tool_line_uri(const struct tool_line *l, const char *uri);

extern const char *tool_name;

#endif
