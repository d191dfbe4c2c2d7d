/*
 * rfc2217.h - private: the rfc2217:// transport's state, shared by
 * rfc2217.c (connect, Telnet negotiation, requests and the server's
 * answers: line settings, modem lines, break, purge) and rfc2217_io.c
 * (bytes: the input pump, read, write, drain).
 *
 * Principles
 *  - One socket carries data and commands. Everything the server sends is
 *    decoded as it is read (hs_rfc_pump): data goes to rx, answers and
 *    notifications update the state below. So modem lines are known
 *    without reading data, and hs_link_fd (an epoll set: the socket, and
 *    an eventfd raised while rx holds data) wakes an event loop for data
 *    already taken off the socket.
 *  - Everything we send goes through tx, escaped and whole, so a command
 *    never lands inside an escape. Data counts as accepted once it is in
 *    tx; tx is pushed by every call, and by the event loop's wake-up
 *    (the socket is watched for output while tx holds bytes).
 *  - A request waits for its answer at most HS_RFC_REPLY_MS. A server
 *    that leaves one kind unanswered is noted and not waited for again.
 */
#ifndef HS_RFC2217_H
#define HS_RFC2217_H

#include <stdint.h>

#include "comport.h"
#include "link_priv.h"
#include "net.h"
#include "telnet.h"
#include "wakefd.h"

#define HS_RFC_RX (64 * 1024)   /* decoded input kept until read */
#define HS_RFC_TX (32 * 1024)   /* encoded output the socket has not taken */
#define HS_RFC_TX_RESERVE 512   /* room in tx kept for commands */
#define HS_RFC_REPLY_MS 2000    /* how long a request waits for its answer */
/* How late the server may report a modem-line change: ser2net and
 * pyserial's server look at their port's lines once a second. */
#define HS_RFC_LINES_LAG_MS 1500

/* One kind of request: asked, answered or given up on. */
struct hs_rfc_req {
	int waiting;            /* asked, no answer yet */
	uint32_t asked;
	int answered;           /* an answer came since it was asked */
	uint32_t got;           /* the server's latest answer */
	int silent;             /* one went unanswered: do not wait again */
};

struct hs_rfc {
	struct hs_net net;
	struct hs_telnet tn;
	struct hs_wakefd wake;
	uint32_t wake_events;   /* what the socket is watched for */
	/* Telnet options we use, [0] BINARY [1] SGA [2] COM-PORT: on (1),
	 * refused (-1) or undecided (0); asked: we sent WILL/DO first. */
	int us[3], them[3];
	int us_asked[3], them_asked[3];
	/* requests, by command, and SET-CONTROL by what it is about */
	struct hs_rfc_req req[HS_CPO_NCMDS];
	struct hs_rfc_req ctl[HS_CPO_NGROUPS];
	/* what the server said */
	int modemstate;         /* its last NOTIFY-MODEMSTATE; -1 before one */
	unsigned linestate;     /* its last NOTIFY-LINESTATE */
	unsigned long line_errors; /* break, framing, parity, overrun seen */
	int suspended;          /* it sent FLOWCONTROL-SUSPEND: hold our data */
	int discard;            /* dropping its data until PURGE-DATA answers */
	unsigned long junk;     /* what it sent that we could not use */
	char signature[64];     /* what it says it is (printable) */
	char notes[160];        /* requests it did not answer */
	/* ours */
	int opened;             /* open succeeded: close ends it cleanly */
	int we_suspended;       /* we sent FLOWCONTROL-SUSPEND */
	int lines;              /* HS_SIG_DTR|RTS as we last set them */
	int pace_dsr;           /* DTR/DSR flow paced here from its notifications */
	double bucket;          /* pacing: bytes we may send now */
	int64_t bucket_ms;
	uint64_t data_out;      /* data bytes the link took, ever */
	size_t rx_off, rx_len, tx_off, tx_len;
	uint8_t rx[HS_RFC_RX];
	uint8_t tx[HS_RFC_TX];
};

/* rfc2217.c: decode what arrived (the Telnet sink). */
void hs_rfc_decode(struct hs_link *link, const uint8_t *buf, size_t n);

/* rfc2217_io.c */
/* Take what the server sent and push what tx holds, without waiting.
 * 0, or the connection's error (rx keeps what came before it). */
int hs_rfc_pump(struct hs_link *link);
/* Queue bytes already encoded (a command) in tx and push. */
int hs_rfc_send(struct hs_link *link, const uint8_t *buf, size_t n);
/* Wait for input (when rx has room) or output room (when tx holds
 * bytes) until the deadline, then pump: 1 woke, 0 deadline, < 0 error. */
int hs_rfc_wait(struct hs_link *link, int64_t deadline);
int hs_rfc_read(struct hs_link *link, void *buf, size_t len, int64_t deadline);
int hs_rfc_write(struct hs_link *link, const void *buf, size_t len,
		 int64_t deadline, size_t *done);
int hs_rfc_pending(struct hs_link *link);

#endif
