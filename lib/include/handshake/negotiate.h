/*
 * handshake/negotiate.h - find a device's line settings (rate, data bits,
 * parity, stop bits) and, where the device can change them, agree on
 * faster ones.
 *
 * Principles of operation
 *  - Active detection is for devices that answer commands (modems,
 *    AT-speaking modules): each candidate setting is tried fastest first,
 *    "AT\r" is sent, and a setting is accepted only when a clean OK comes
 *    back with no line errors (hs_link_line_errors), and again when asked
 *    a second time. A try waits a short time for the reply; a pass over
 *    every candidate that finds nothing is repeated with twice the wait,
 *    and AT sent twice a try (a modem that autobauds may spend the first
 *    on the rate), while the search's deadline allows. At the rate where a setting
 *    answered, the framings before it in the list are tried again with a
 *    longer wait, so a late answer never makes a worse framing win (8N2
 *    for an 8N1 modem).
 *  - Passive detection is for devices that talk by themselves (consoles,
 *    GPS and NMEA sources, meters): nothing is ever sent. It listens at
 *    each rate and scores what arrives (hs_detect_score), then works out
 *    the framing from the winner's bytes (7-bit text read at 8 bits shows
 *    its parity in bit 7) and listens there to confirm. It reports the
 *    best setting with a confidence and the runner-up, and refuses to
 *    guess when nothing is clear.
 *  - A setting the port refuses (tcsetattr fails: its divisor cannot make
 *    the rate) is skipped and reported as refused.
 *  - The link is left at the setting found; when nothing is found it is
 *    put back as it was. Flow control stays as the link had it.
 *  - Every wait is bounded: each try by its own short deadline, the whole
 *    search by timeout_ms.
 *  - Raising a modem's rate: the rates it takes come from its driver
 *    (struct hs_modem_dte) or from AT+IPR=?; the fastest the port also
 *    takes is set with AT+IPR=N (and 8N1 with AT+ICF=3 when asked), the
 *    port follows after the OK (which comes at the old rate), and AT must
 *    be answered at the new rate. When it is not, the port goes back to
 *    the old rate; a modem that did switch is asked, blind, to go back
 *    too, so it is left as found. AT&W only when the caller asks to keep
 *    the rate; otherwise a reset (ATZ) or power cycle undoes it.
 */
#ifndef HANDSHAKE_NEGOTIATE_H
#define HANDSHAKE_NEGOTIATE_H

#include <stddef.h>
#include "handshake/link.h"
#include "handshake/modem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A framing: data bits, parity, stop bits. A list ends with bits 0. */
struct hs_framing {
	int bits;
	enum hs_parity parity;
	int stop;
};

/* What one try saw. */
enum hs_try_result {
	HS_TRY_OK,        /* a clean OK (active) or clear talk (passive) */
	HS_TRY_SILENT,    /* nothing arrived */
	HS_TRY_ERRORS,    /* line errors: not this setting */
	HS_TRY_GARBLED,   /* bytes, but no clean OK / no clear text */
	HS_TRY_DAMAGED,   /* an OK, but with line errors around it */
	HS_TRY_REFUSED,   /* the port cannot take this setting: skipped */
};

#define HS_DETECT_REPLY 64

struct hs_detect_try {
	struct hs_line line;          /* the setting tried */
	enum hs_try_result result;
	struct hs_line_errors errors; /* line errors during this try */
	size_t sent;                  /* bytes sent to the device */
	size_t received;              /* bytes read (marks taken out) */
	unsigned char reply[HS_DETECT_REPLY]; /* the first bytes read */
	size_t reply_len;
	int score;                    /* passive: 0..100 */
	int ms;                       /* since the search started */
};

/* Called after each try; return non-zero to stop the search (it then
 * fails with HS_ERR_CANCELED). */
typedef int (*hs_detect_fn)(const struct hs_detect_try *t, void *ctx);

struct hs_detect_opts {
	/* Candidate rates, fastest first, ending with 0; NULL: 115200,
	 * 57600, 38400, 19200, 9600, 4800, 2400, 1200, 300. */
	const int *rates;
	/* Candidate framings, ending with bits 0; NULL: 8N1, 7E1, 7O1,
	 * 8E1, 8N2, 7N2. */
	const struct hs_framing *framings;
	int try_ms;       /* active: wait for a reply (plus the time the line
	                   * needs to carry it); 0: 100 */
	int listen_ms;    /* passive: listen at each rate; 0: 1200 */
	int timeout_ms;   /* the whole search; 0: 30000 */
	/* Active: send "AT\r" twice each try from the first pass on, for
	 * modems that take their rate from the first (autobaud: drivers say
	 * so with HS_DTE_AUTOBAUD) and answer only the second. */
	int at_twice;
	hs_detect_fn on_try;
	void *ctx;
};

struct hs_detect_result {
	struct hs_line line;          /* the setting found */
	int tries;                    /* tries made (refused ones too) */
	size_t sent;                  /* bytes sent to the device in all */
	struct hs_line_errors errors; /* line errors seen in the whole search */
	unsigned char reply[HS_DETECT_REPLY]; /* what decided (active: the
	                               * reply; passive: what was heard) */
	size_t reply_len;
	int ms;                       /* how long the search took */
	int confidence;               /* passive: 0..100; active: 100 */
	/* Another setting that also answered: a clean one passed over for
	 * the preferred framing, or one that answered with line errors
	 * (active); the runner-up (passive). baud 0: none. */
	struct hs_line also;
	enum hs_try_result also_result;
	int also_confidence;
};

/*
 * Find the setting at which the device on link answers "AT" with a clean
 * OK. Returns HS_OK with res filled and the link at that setting;
 * HS_ERR_NO_ANSWER when nothing answered at any setting tried before the
 * deadline ("nothing answered at any setting" in hs_last_error, which
 * also names any setting that answered with line errors); HS_ERR_CANCELED
 * when on_try asked to stop; other errors when the link fails. opts may
 * be NULL. res is filled in every case (what was seen).
 */
int hs_detect_modem(struct hs_link *link, const struct hs_detect_opts *opts,
		    struct hs_detect_result *res);

/*
 * Find the setting of a device that talks by itself, sending nothing:
 * listen at each rate (listen_ms each) and score what arrives, then work
 * out the framing and confirm it. Returns HS_OK with res filled (the
 * setting, its confidence 0..100, the runner-up in res->also) and the
 * link at that setting; HS_ERR_NO_ANSWER when nothing was heard at any
 * setting; HS_ERR_PROTOCOL when talk was heard but no setting is clear
 * (the best scored under 60, or less than 15 ahead of the next; the
 * message names both); HS_ERR_CANCELED. res is filled in every case.
 */
int hs_detect_listen(struct hs_link *link, const struct hs_detect_opts *opts,
		     struct hs_detect_result *res);

/* Raising a modem's DTE rate. */
struct hs_rate_opts {
	int max_baud;     /* the fastest wanted; 0: as fast as both go */
	int to_8n1;       /* also make the framing 8N1 (+ICF) if it is not */
	int keep;         /* AT&W after: the modem keeps it across resets */
};

struct hs_rate_result {
	struct hs_line before, after; /* the link's line before and after */
	int offered[32];  /* the rates the modem said it takes, ascending */
	int noffered;
	int fell_back;    /* it took the command but did not answer at the
	                   * new rate: both are back at before */
};

/*
 * Raise the DTE rate between the port and the modem m (in command mode)
 * to the fastest both take, at most o->max_baud (o may be NULL). Returns
 * HS_OK with r->after the new line (maybe the same, when nothing faster
 * is possible: r->after equals r->before); HS_ERR_NO_ANSWER with
 * r->fell_back set when the modem went silent at the new rate and both
 * are back at the old one (hs_last_error says so); HS_ERR_NOT_SUPPORTED
 * when the modem cannot change its rate; HS_ERR_REJECTED when it
 * answered ERROR; HS_ERR_TIMEOUT when it answers at neither rate any
 * more. r may be NULL. Since 0.1.0.
 */
int hs_modem_raise_rate(struct hs_modem *m, const struct hs_rate_opts *o,
			struct hs_rate_result *r, int timeout_ms);

/* Put a rate raised by hs_modem_raise_rate back to r->before, e.g. at the
 * end of a session that was not to keep it. */
int hs_modem_restore_rate(struct hs_modem *m, const struct hs_rate_result *r,
			  int timeout_ms);

/* The URI that opens link's port at line:
 * "serial:/dev/ttyUSB0?baud=9600&bits=7&parity=even&stop=1". Returns its
 * length, or HS_ERR_OVERFLOW when cap is too small. */
int hs_detect_uri(struct hs_link *link, const struct hs_line *line, char *buf,
		  size_t cap);

/* The rate and framing names of a line for people: "9600 7E1". */
void hs_line_name(const struct hs_line *line, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
