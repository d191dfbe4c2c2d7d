/*
 * telnet.h - private: the Telnet framing (RFC 854, 855) that RFC 2217
 * network serial ports speak: IAC escaping of data, option verbs, and
 * subnegotiations. No I/O: bytes in, events out, so the decoder can be
 * tested and fuzzed on its own (hs_telnet_feed is the fuzz entry point).
 *
 * Untrusted input: the decoder never allocates and never grows; a
 * subnegotiation longer than HS_TN_SUB_MAX is discarded whole and
 * reported, and any byte sequence leaves it in a defined state.
 */
#ifndef HS_TELNET_H
#define HS_TELNET_H

#include <stddef.h>
#include <stdint.h>

enum {
	HS_TN_SE = 240, HS_TN_NOP = 241, HS_TN_SB = 250,
	HS_TN_WILL = 251, HS_TN_WONT = 252, HS_TN_DO = 253, HS_TN_DONT = 254,
	HS_TN_IAC = 255,
};

/* The options a network serial port uses. */
enum {
	HS_TN_OPT_BINARY = 0, HS_TN_OPT_ECHO = 1, HS_TN_OPT_SGA = 3,
	HS_TN_OPT_COMPORT = 44,
};

/* The longest subnegotiation body kept (option byte included). RFC 2217
 * bodies are a few bytes; a server's SIGNATURE text is the longest. */
#define HS_TN_SUB_MAX 256

/* What the decoder could not take as it came. */
enum hs_tn_bad {
	HS_TN_BAD_OVERSIZED,   /* a subnegotiation over HS_TN_SUB_MAX: dropped */
	HS_TN_BAD_STRAY_SE,    /* IAC SE with no IAC SB before it */
	HS_TN_BAD_SB_COMMAND,  /* IAC and a command other than SE or IAC
				* inside a subnegotiation: it is ended there */
};

/* Where decoded events go. Any callback may be NULL. Pointers are valid
 * only during the call. */
struct hs_telnet_sink {
	void *ctx;
	/* Data bytes, IAC IAC already undoubled. */
	void (*data)(void *ctx, const uint8_t *buf, size_t n);
	/* IAC WILL|WONT|DO|DONT option. */
	void (*verb)(void *ctx, int verb, int option);
	/* IAC SB body IAC SE; body[0] is the option; n >= 0. */
	void (*sub)(void *ctx, const uint8_t *body, size_t n);
	/* Any other IAC command (NOP, GA, AYT... or an unassigned byte). */
	void (*command)(void *ctx, int command);
	void (*bad)(void *ctx, enum hs_tn_bad why);
};

struct hs_telnet {
	int state;                     /* where in a command we are */
	int verb;                      /* the verb waiting for its option */
	int binary;                    /* peer sends BINARY: no CR NUL */
	int cr;                        /* text mode: the last data byte was CR */
	int over;                      /* this subnegotiation overflowed */
	size_t nsub;
	uint8_t sub[HS_TN_SUB_MAX];
};

void hs_telnet_init(struct hs_telnet *t);

/* Decode n bytes received from the peer, calling sink for each event in
 * order. Commands may be split across calls anywhere. Outside BINARY
 * mode (t->binary 0) "CR NUL" is delivered as CR (RFC 854). */
void hs_telnet_feed(struct hs_telnet *t, const uint8_t *in, size_t n,
		    const struct hs_telnet_sink *sink);

/* Escape data for sending: IAC doubled, and outside BINARY mode CR sent
 * as "CR NUL". Writes at most cap bytes, never half an escape; *used is
 * set to the input bytes consumed. Returns the bytes written. */
size_t hs_telnet_escape(const uint8_t *in, size_t n, size_t *used,
			uint8_t *out, size_t cap, int binary);

/* IAC verb option into out (3 bytes). */
size_t hs_telnet_verb(int verb, int option, uint8_t *out);

/* IAC SB body IAC SE into out, IAC doubled in body; 0 if cap is short. */
size_t hs_telnet_sub(const uint8_t *body, size_t n, uint8_t *out, size_t cap);

#endif
