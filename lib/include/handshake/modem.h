/*
 * handshake/modem.h - a Hayes modem on a link: sync, reset, identify,
 * dial, answer, wait for calls, data mode and hang-up, with the device
 * knowledge in drivers.
 *
 * Principles of operation
 *  - A modem object sits on a link (not owned) and talks through an AT
 *    engine (handshake/at.h) it owns; hs_modem_at() gives it to callers
 *    who want to send their own commands.
 *  - A driver is data plus optional hooks (the Linux usb-serial model):
 *    a match table (USB VID:PID rows, patterns for +GMM/ATI replies), init
 *    commands, the numeric result map, quirk flags, and hooks the core
 *    calls instead of its generic code when set. drivers/modem/hayes.c is
 *    the generic one and the fallback of hs_modem_driver_match().
 *  - Every call takes timeout_ms and returns within it; failures of a call
 *    are their own errors: HS_ERR_LINE_BUSY, HS_ERR_NO_DIALTONE,
 *    HS_ERR_NO_ANSWER, HS_ERR_NO_CARRIER, HS_ERR_REJECTED (ERROR).
 *  - Once connected the modem is a byte stream (hs_modem_read/write). The
 *    carrier going away ends it with HS_ERR_NO_CARRIER: DCD falling,
 *    where DCD follows the carrier (it was low before the call and rose
 *    with CONNECT); elsewhere (a pty, a device server or emulator, a
 *    three-wire adapter, a modem set &C0) the modem's "NO CARRIER" in
 *    the stream, however it is split, and none of it is passed on as
 *    data. Bytes that may start it are held back up to 100 ms there.
 *    After a numeric (V0) CONNECT its "3\r" counts there too, but only
 *    as the very last bytes the modem sent, followed by 100 ms of quiet
 *    and not after a digit: data that ends so and pauses would end the
 *    call too, so V1 is safer on such lines.
 *  - Hang-up follows a policy; the default drops DTR and confirms DCD
 *    falls, and where that cannot be seen (no modem lines, DCD not
 *    following the carrier) escapes with "+++" honouring the guard time
 *    read from ATS12? and sends ATH0, confirmed by OK. A modem not known
 *    to be in command mode (hs_at_in_command(): one nobody has asked
 *    anything yet may be in a call another program left up) is escaped
 *    to command mode before ATH0; hs_modem_command_mode() does the same
 *    before a first command, unless DCD says no call is up.
 */
#ifndef HANDSHAKE_MODEM_H
#define HANDSHAKE_MODEM_H

#include <stddef.h>
#include "handshake/at.h"
#include "handshake/link.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hs_modem;

#define HS_MODEM_ATI_MAX 8    /* ATI0..ATI7 at most */

/* Who the modem says it is. Strings are device text, bounded and made
 * printable (anything else becomes '?'); "" when not answered. */
struct hs_modem_ident {
	char manufacturer[64];  /* AT+GMI (AT+CGMI on 3GPP modules) */
	char model[64];         /* AT+GMM / AT+CGMM */
	char revision[64];      /* AT+GMR / AT+CGMR */
	char serial[64];        /* AT+GSN / AT+CGSN */
	int nati;               /* how many ATIn were asked */
	char ati[HS_MODEM_ATI_MAX][128]; /* ATIn's lines joined by "; ",
	                                  * "" when it answered ERROR */
};

/* A call coming in: rings counted and caller ID as delivered. */
struct hs_modem_call {
	int rings;
	char date[8];           /* MMDD */
	char time[8];           /* HHMM */
	char number[32];        /* NMBR = / +CLIP: "..." */
	char name[64];          /* NAME = */
	char mesg[64];          /* MESG = (e.g. why the number is withheld) */
};

enum hs_dial_method {
	HS_DIAL_DEFAULT,        /* the modem's own default: ATD */
	HS_DIAL_TONE,           /* ATDT */
	HS_DIAL_PULSE,          /* ATDP */
};

struct hs_dial {
	/* The number, sent as given: no character is dropped or changed.
	 * Taken: digits, * # + and A-D; the modifiers , (pause S8) W (wait
	 * for dial tone) @ (wait for quiet answer) ! (flash) T P (tone/pulse
	 * mid-string) and ; (only at the end: stay in command mode), the
	 * letters in either case; the separators space - ( ) . that a modem
	 * ignores (V.250); and dial_chars. Anything else is refused with
	 * HS_ERR_ARG naming it, so a number can never smuggle in another
	 * command. */
	const char *number;
	enum hs_dial_method method;
	const char *prefix;     /* dialled first (e.g. "9" for an outside
	                         * line), then ',' or 'W'; NULL for none */
	int wait_dialtone;      /* after the prefix: W instead of ',' */
	int stay_command;       /* end with ';': OK instead of CONNECT */
	/* More characters the modem takes in a number: device servers and
	 * modem emulators dial hosts ("ATDT192.168.1.5:23",
	 * "ATDTbbs.example:23"). NULL: hs_modem_dial() uses its driver's. */
	const char *dial_chars;
	/* Send number as it is, for numbers no driver describes: only that
	 * it is printable text with ; at most at its end is checked. */
	int as_is;
};

/* How to hang up; tried in this order, each where the port can. */
enum hs_hangup_policy {
	HS_HANGUP_DTR = 1 << 0,     /* drop DTR, confirm DCD falls */
	HS_HANGUP_ESCAPE = 1 << 1,  /* +++ with the S12 guard time, ATH0 */
};
#define HS_HANGUP_DEFAULT (HS_HANGUP_DTR | HS_HANGUP_ESCAPE)

/* ---- drivers ---------------------------------------------------------- */

/* One row of a driver's match table. The table ends with a row whose
 * vid is 0 and ident NULL. */
struct hs_modem_match {
	int vid, pid;           /* USB IDs; -1 = any (for ident rows) */
	const char *ident;      /* fnmatch(3) pattern, case ignored, tried
	                         * on +GMI, +GMM and ATI lines; NULL = none */
};
#define HS_MODEM_USB(v, p) { .vid = (v), .pid = (p), .ident = NULL }
#define HS_MODEM_IDENT(pat) { .vid = -1, .pid = -1, .ident = (pat) }

enum hs_modem_quirk {
	HS_MODEM_QUIRK_NO_GMI = 1 << 0,    /* no +GMI/+GMM/+GMR/+GSN: ATI only */
	HS_MODEM_QUIRK_3GPP = 1 << 1,      /* 27.007 module: +CGMI/+CGMM/... */
	HS_MODEM_QUIRK_NO_S12 = 1 << 2,    /* ATS12? unsupported: use guard_ms */
	HS_MODEM_QUIRK_NO_ESCAPE = 1 << 3, /* +++ does nothing: DTR only */
};

/* What a driver's modems take on their serial (DTE) side: how the rate
 * and framing are changed (hs_modem_raise_rate, handshake/negotiate.h)
 * and how they are found (hs_detect_modem). Since 0.1.0. */
enum hs_modem_dte_flag {
	HS_DTE_IPR = 1 << 0,      /* AT+IPR=N sets the rate (V.250) */
	HS_DTE_ICF = 1 << 1,      /* AT+ICF=F,P sets the framing (V.250) */
	/* It can take its rate from the host's "AT" (AT+IPR=0, or always
	 * when it has no +IPR); the first line at a new rate may be lost
	 * to that, so detection sends AT twice. */
	HS_DTE_AUTOBAUD = 1 << 2,
};

struct hs_modem_dte {
	unsigned flags;                     /* enum hs_modem_dte_flag */
	const int *rates;                   /* fixed rates +IPR takes, 0-ended;
	                                     * NULL: ask the modem (AT+IPR=?) */
	int switch_ms;                      /* from its OK to +IPR until it
	                                     * listens at the new rate; 0: 50 */
};

/* Hooks a driver may set; NULL means the generic code. None may block
 * past timeout_ms; all return 0 or a negative enum hs_err. */
struct hs_modem_ops {
	/* After ATZ/AT&F: put the modem in the state the core expects
	 * (E0 V1 Q0 &C1 &D2). Generic: send driver->init in order. */
	int (*init)(struct hs_modem *m, int timeout_ms);
	/* Fill id. Generic: +GMI.. (or +CGMI..), then ATI0..ATIn. */
	int (*identify)(struct hs_modem *m, struct hs_modem_ident *id, int timeout_ms);
	/* Hang up whatever the state. Generic: the policy above. */
	int (*hangup)(struct hs_modem *m, int timeout_ms);
};

struct hs_modem_driver {
	const char *name;                   /* short, for URIs/CLI: "hayes" */
	const char *description;            /* for people */
	const struct hs_modem_match *match;  /* NULL: matched only by name */
	const char *const *init;            /* commands after reset, NULL-ended */
	const struct hs_at_numeric *numeric; /* V0 map; NULL: the default */
	size_t nnumeric;
	const char *const *urcs;            /* extra URC prefixes, NULL-ended */
	unsigned quirks;                    /* enum hs_modem_quirk */
	int ati_count;                      /* ATI0..ATI(n-1); 0: 4 */
	int guard_ms;                       /* +++ guard if S12 unknown; 0: 1000 */
	const char *dial_chars;             /* characters its modems take in a
	                                     * number beyond the Hayes ones
	                                     * (struct hs_dial); NULL: none */
	int reset_ms;                       /* how long ATZ may take; 0: 3000 */
	/* its DTE side; NULL: V.250's +IPR and +ICF, the rates asked with
	 * AT+IPR=? */
	const struct hs_modem_dte *dte;
	struct hs_modem_ops ops;
};

/* The registered drivers, i = 0.. until NULL. */
const struct hs_modem_driver *hs_modem_driver_at(size_t i);
const struct hs_modem_driver *hs_modem_driver_find(const char *name);
/* The best driver for a device: a USB VID:PID row first, then an
 * identity pattern, else the generic "hayes". info and id may be NULL. */
const struct hs_modem_driver *hs_modem_driver_match(const struct hs_link_info *info,
						    const struct hs_modem_ident *id);

/* ---- the modem -------------------------------------------------------- */

/* A modem on link with driver drv (NULL: matched from the link's USB IDs,
 * else generic). Nothing is sent. */
int hs_modem_open(struct hs_modem **out, struct hs_link *link,
		  const struct hs_modem_driver *drv);
void hs_modem_free(struct hs_modem *m);
struct hs_at *hs_modem_at(struct hs_modem *m);
struct hs_link *hs_modem_link(struct hs_modem *m);
const struct hs_modem_driver *hs_modem_get_driver(const struct hs_modem *m);
/* Change the driver (after identify): its numeric map and URCs apply. */
int hs_modem_set_driver(struct hs_modem *m, const struct hs_modem_driver *drv);
/* URCs after the modem has seen them (it counts RINGs, keeps caller ID). */
void hs_modem_set_urc_handler(struct hs_modem *m, hs_at_urc_fn fn, void *ctx);
void hs_modem_set_hangup_policy(struct hs_modem *m, unsigned policy);

/* Send "AT" until OK: at most tries times, all within timeout_ms. Noise,
 * ERROR and silence just mean "again". */
int hs_modem_sync(struct hs_modem *m, int tries, int timeout_ms);
/* ATZ (factory 0) or AT&F (factory 1), then the driver's init and the
 * guard time (ATS12?). */
int hs_modem_reset(struct hs_modem *m, int factory, int timeout_ms);
/* The driver's init commands only. */
int hs_modem_init(struct hs_modem *m, int timeout_ms);
/* Read S12 (1/50 s) and keep it for "+++"; returns the guard in ms. */
int hs_modem_guard_time(struct hs_modem *m, int timeout_ms);
int hs_modem_identify(struct hs_modem *m, struct hs_modem_ident *id, int timeout_ms);

/* Build the dial command ("ATDT9W5551234;") into out. Returns its length
 * or HS_ERR_ARG (a character not taken, nothing to dial) /
 * HS_ERR_OVERFLOW. */
int hs_modem_dial_string(char *out, size_t cap, const struct hs_dial *d);
/* Dial; on CONNECT the modem is online and c (may be NULL) says how.
 * With stay_command, HS_OK means the modem said OK. */
int hs_modem_dial(struct hs_modem *m, const struct hs_dial *d,
		  struct hs_at_connect *c, int timeout_ms);
/* ATA: answer now. */
int hs_modem_answer(struct hs_modem *m, struct hs_at_connect *c, int timeout_ms);
/* Wait for a call; after rings RINGs answer it (rings <= 0: return at
 * the first RING without answering). call (may be NULL) gets the caller
 * ID seen up to then. If the modem answers by itself first (S0 > 0), its
 * CONNECT ends the wait the same way: online, c filled. */
int hs_modem_wait_call(struct hs_modem *m, int rings, struct hs_modem_call *call,
		       struct hs_at_connect *c, int timeout_ms);
int hs_modem_hangup(struct hs_modem *m, int timeout_ms);
/* Before the first command to a modem whose state is not known (this
 * object never heard it answer in command mode: another program may
 * have left a call up, and "AT" would go to the far end), make sure it
 * is in command mode. Where the port reads DCD and it is low there is
 * no carrier and nothing is sent; else "+++" framed by the guard time,
 * as hs_modem_hangup() escapes (a modem set &C0, whose DCD is always
 * up, pays the guard times every time). Returns 1 when the modem
 * answered the escape with OK: a call was up, and is still up, in
 * online command mode (hs_modem_hangup() ends it); 0 when nothing was
 * needed or nothing answered (it was in command mode: the next command
 * tells); HS_ERR_NOT_SUPPORTED when a call may be up and the driver
 * says +++ does not work; or an error. Since 0.1.0. */
int hs_modem_command_mode(struct hs_modem *m, int timeout_ms);

/* Data mode. Read returns > 0 bytes, HS_ERR_TIMEOUT, or HS_ERR_NO_CARRIER
 * once the carrier is gone (after the data that came before it). */
int hs_modem_read(struct hs_modem *m, void *buf, size_t len, int timeout_ms);
int hs_modem_write(struct hs_modem *m, const void *buf, size_t len,
		   int timeout_ms, size_t *done);
/* 1 while connected (data mode), else 0. */
int hs_modem_online(const struct hs_modem *m);
/* For event loops polling hs_link_fd(): how long they may wait for
 * input before calling hs_modem_read() anyway: -1 no limit (only input
 * matters), else ms (held bytes fall due, or DCD is to be looked at; 0
 * right after CONNECT, when data may already have been read, and once
 * the carrier is gone: the read reports it). */
int hs_modem_wait_ms(const struct hs_modem *m);

#ifdef __cplusplus
}
#endif
#endif
