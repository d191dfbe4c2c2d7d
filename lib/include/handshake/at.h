/*
 * handshake/at.h - the Hayes AT engine: send a command on a link, collect
 * its intermediate lines, and return its final result code parsed.
 *
 * Principles of operation
 *  - One engine per link; it does not own the link. Every call that can
 *    wait takes timeout_ms (>= 0) and never waits longer.
 *  - Whatever the modem's E, V and Q settings are, replies parse:
 *      echo     the first line of a reply that is the command (or a piece
 *               of it: a modem that lost the first characters) is dropped;
 *      V1       "<S3><S4>OK<S3><S4>" and friends are matched as words;
 *      V0       a final result is "<digits><S3>" with no S4 after it
 *               (information text in V0 still ends "<S3><S4>"), looked up
 *               in a numeric map the driver may supply;
 *      Q1       no result code ever comes: with hs_at_set_quiet() (or after
 *               the engine itself sent Q1) a command ends when the modem
 *               has been silent for the idle time, or at the deadline.
 *    The engine follows E, V, Q, S3 and S4 in the commands it sends, and
 *    lines end at S3, S4, CR or LF.
 *  - A reply belongs to its command. Input left over before a command is
 *    read and dropped (URCs in it still reach the callback). Every
 *    command that times out is counted as owing its reply: a late reply,
 *    its text and its final result, is swallowed when it comes instead of
 *    answering a later command. With echo on, the new command's echo
 *    marks where its own reply starts (the modem answers in order): what
 *    came before it was older. A late CONNECT is never swallowed: the
 *    modem is online, whoever asked. Without echo, a timed-out command
 *    whose reply never comes costs the next command its reply (that
 *    command times out owing nothing); hs_modem_sync() retries past that.
 *  - Unsolicited result codes (RING, +CRING, caller ID "NMBR = ..." etc,
 *    +CLIP) go to the URC callback, never into a command's reply. A line
 *    that starts with the command's own "+NAME:" is the reply, though
 *    (AT+CLIP? answers "+CLIP: 0,1").
 *  - Memory is bounded: a line is at most HS_AT_LINE_MAX bytes and a
 *    reply's text HS_AT_TEXT_MAX; more is HS_ERR_OVERFLOW. More than
 *    HS_AT_GARBAGE_MAX bytes that are not text is HS_ERR_PROTOCOL (wrong
 *    speed, or not a modem).
 *  - After CONNECT the engine parses nothing more: the bytes it already
 *    read past the CONNECT line are data, for hs_at_take_input().
 */
#ifndef HANDSHAKE_AT_H
#define HANDSHAKE_AT_H

#include <stddef.h>
#include "handshake/link.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HS_AT_LINE_MAX 4096     /* longest line the engine accepts */
#define HS_AT_TEXT_MAX 8192     /* intermediate text kept per reply */
#define HS_AT_GARBAGE_MAX 256   /* non-text bytes tolerated per reply */
#define HS_AT_COMMAND_MAX 512   /* longest command line we send */

struct hs_at;

/* Final result codes, and the URCs that look like them. */
enum hs_at_result {
	HS_AT_NONE = 0,      /* no result code (Q1) */
	HS_AT_OK,
	HS_AT_CONNECT,
	HS_AT_RING,          /* only ever seen by the URC callback */
	HS_AT_NO_CARRIER,
	HS_AT_ERROR,
	HS_AT_NO_DIALTONE,
	HS_AT_BUSY,
	HS_AT_NO_ANSWER,
	HS_AT_CME_ERROR,     /* +CME ERROR: n (mobile equipment) */
	HS_AT_CMS_ERROR,     /* +CMS ERROR: n (message service) */
};

/* What a CONNECT said, and the CARRIER/PROTOCOL/COMPRESSION lines before
 * it. Strings are "" when not reported. */
struct hs_at_connect {
	long speed;            /* bps from "CONNECT 33600"; 0 if not given */
	long carrier;          /* bps from "CARRIER 31200"; 0 if not given */
	char suffix[64];       /* the text after the speed, e.g. "/ARQ/V42BIS" */
	char protocol[16];     /* error correction: "LAPM", "ARQ", "MNP", "REL" */
	char compression[16];  /* "V42BIS", "V44", "MNP5" */
	char modulation[16];   /* "V34", "V90", "V32", ... */
};

struct hs_at_reply {
	enum hs_at_result result;
	int code;              /* n of +CME/+CMS ERROR: n, else the V0 code;
	                        * -1 when there is none */
	char final[128];       /* the final line as received, e.g. "BUSY" */
	struct hs_at_connect connect;
	int nlines;            /* intermediate lines in text */
	size_t len;            /* bytes used in text */
	char text[HS_AT_TEXT_MAX]; /* intermediate lines, each ended by '\n' */
};

/* One row of the numeric (V0) result map. */
struct hs_at_numeric {
	int code;
	enum hs_at_result result;
	long speed;            /* for CONNECT codes; 0 if the code has none */
	const char *suffix;    /* e.g. "/ARQ"; NULL if none */
};

/* Rows numeric maps share, for drivers' maps to start with: codes 0-4,
 * which even a device server's modem emulation answers, then the codes
 * 5-8 and 10 every Hayes-compatible modem uses. Codes 11 and up differ
 * between vendors. */
#define HS_AT_NUMERIC_BASIC \
	{ 0, HS_AT_OK, 0, NULL }, { 1, HS_AT_CONNECT, 0, NULL }, \
	{ 2, HS_AT_RING, 0, NULL }, { 3, HS_AT_NO_CARRIER, 0, NULL }, \
	{ 4, HS_AT_ERROR, 0, NULL }
#define HS_AT_NUMERIC_HAYES \
	HS_AT_NUMERIC_BASIC, { 5, HS_AT_CONNECT, 1200, NULL }, \
	{ 6, HS_AT_NO_DIALTONE, 0, NULL }, { 7, HS_AT_BUSY, 0, NULL }, \
	{ 8, HS_AT_NO_ANSWER, 0, NULL }, { 10, HS_AT_CONNECT, 2400, NULL }

/* URCs, as the callback receives them. */
enum hs_at_urc_kind {
	HS_URC_RING,           /* RING, or "2" in V0 */
	HS_URC_CRING,          /* +CRING: VOICE */
	HS_URC_CALLER_ID,      /* DATE = / TIME = / NMBR = / NAME = / MESG = */
	HS_URC_CLIP,           /* +CLIP: "number",type */
	HS_URC_NO_CARRIER,     /* NO CARRIER while no command was waiting */
	HS_URC_OTHER,          /* a prefix registered with hs_at_set_urcs */
	HS_URC_CONNECT,        /* CONNECT while no command waited (the modem
	                        * answered by itself, S0 > 0): the engine is
	                        * online now; connect says how */
};

struct hs_at_urc {
	enum hs_at_urc_kind kind;
	const char *line;      /* the whole line, e.g. "NMBR = 5551234" */
	const char *key;       /* caller ID: "NMBR"; +CLIP/+CRING: "+CLIP" */
	const char *value;     /* the text after "=" or ":", spaces trimmed */
	const struct hs_at_connect *connect; /* HS_URC_CONNECT only, else NULL */
};

typedef void (*hs_at_urc_fn)(void *ctx, const struct hs_at_urc *urc);

/* Make an engine on link (not owned; close it after hs_at_free). */
int hs_at_open(struct hs_at **out, struct hs_link *link);
void hs_at_free(struct hs_at *at);
struct hs_link *hs_at_link(struct hs_at *at);

/* Where URCs go; fn NULL drops them. */
void hs_at_set_urc_handler(struct hs_at *at, hs_at_urc_fn fn, void *ctx);
/* Extra URC line prefixes (driver data, e.g. "+CREG:"), NULL-ended;
 * the array must outlive the engine. NULL for none. */
void hs_at_set_urcs(struct hs_at *at, const char *const *prefixes);
/* The V0 map (the array must outlive the engine); NULL puts back the
 * standard one, hs_at_default_numeric(). */
void hs_at_set_numeric_map(struct hs_at *at, const struct hs_at_numeric *map,
			   size_t n);
const struct hs_at_numeric *hs_at_default_numeric(size_t *n);
/* The modem's S3 (command end) and S4 (response line feed); default
 * CR and LF. Commands that set S3/S4 update these by themselves. */
int hs_at_set_line_chars(struct hs_at *at, int s3, int s4);
/* The modem sends no result codes (Q1): a command ends after idle_ms of
 * silence (0: only at its deadline). */
void hs_at_set_quiet(struct hs_at *at, int quiet, int idle_ms);
/* Are result codes expected (0) or not (1)? */
int hs_at_quiet(const struct hs_at *at);

/*
 * Send cmd (e.g. "ATI3"; S3 is added) and wait for its final result.
 * reply (may be NULL) gets the result and the intermediate lines.
 * Returns HS_OK when a final result came, whichever it is (check
 * reply->result; hs_at_result_error() makes it an error), and also when
 * the modem is quiet (Q1) and the reply ended by silence (HS_AT_NONE).
 * HS_ERR_TIMEOUT when no final result came before the deadline,
 * HS_ERR_OVERFLOW / HS_ERR_PROTOCOL for over-long lines or garbage, or a
 * link error.
 */
int hs_at_command(struct hs_at *at, const char *cmd, struct hs_at_reply *reply,
		  int timeout_ms);
/* Like hs_at_command, but any result other than OK is an error. */
int hs_at_simple(struct hs_at *at, const char *cmd, int timeout_ms);
/* Send raw bytes with no S3 and no wait (e.g. "+++"); input already
 * waiting is read first, as for a command. */
int hs_at_send_raw(struct hs_at *at, const void *buf, size_t len, int timeout_ms);
/* Wait for a final result without sending anything (after
 * hs_at_send_raw, or for an ATD whose result is slow). Unlike a command,
 * a wait that times out leaves nothing owed: a result that comes later
 * is taken by whatever reads next. */
int hs_at_wait_result(struct hs_at *at, struct hs_at_reply *reply, int timeout_ms);
/* Read input for up to timeout_ms, giving URCs to the callback. Returns
 * how many URCs were delivered (> 0) as soon as there was at least one,
 * else HS_ERR_TIMEOUT. Blocks in poll() on the link: no wakeups while the
 * line is quiet. In an event loop, call it with 0 when hs_link_fd() polls
 * readable. After an HS_URC_CONNECT the engine is online. */
int hs_at_poll(struct hs_at *at, int timeout_ms);

/* After CONNECT: the data bytes the engine had already read. Returns the
 * count copied (0 when none). Parsing resumes with hs_at_set_online(0). */
size_t hs_at_take_input(struct hs_at *at, void *buf, size_t len);
/* Is the engine in data mode (after CONNECT)? Set 0 when back in command
 * mode (after +++ or NO CARRIER). */
int hs_at_online(const struct hs_at *at);
void hs_at_set_online(struct hs_at *at, int online);
/* Is the modem known to be in command mode: has it sent a final result
 * other than CONNECT since the engine was made or was last online? (A
 * modem nobody has asked anything yet may be in a call another program
 * left up.) */
int hs_at_in_command(const struct hs_at *at);

/* The enum hs_err a result stands for: HS_OK for OK and CONNECT,
 * HS_ERR_LINE_BUSY for BUSY, HS_ERR_NO_CARRIER, ... with a message
 * naming the device and the command. */
int hs_at_result_error(struct hs_at *at, const struct hs_at_reply *reply,
		       const char *cmd);

/* Names for logs: "OK", "NO CARRIER", "+CME ERROR", ... */
const char *hs_at_result_name(enum hs_at_result result);

/* Parse one line as a final result (V1 words, and the V0 number when
 * numeric is set, using map/n or the default map). Returns 1 and fills
 * reply->result, code, final and connect when it is one, else 0. */
int hs_at_parse_final(const char *line, int numeric, const struct hs_at_numeric *map,
		      size_t n, struct hs_at_reply *reply);

/* Copy line i (0-based) of reply's intermediate text into buf (cap > 0).
 * Returns its length, or -1 when there is no such line. */
int hs_at_reply_line(const struct hs_at_reply *reply, int i, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
