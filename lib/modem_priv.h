/*
 * modem_priv.h - private: the modem object, shared by modem.c (setup,
 * identity), modem_call.c (dial, answer, rings) and modem_data.c (data
 * mode, carrier loss, hang-up).
 */
#ifndef HS_MODEM_PRIV_H
#define HS_MODEM_PRIV_H

#include <stdint.h>
#include "handshake/modem.h"

/* "NO CARRIER" as it shows up in a data stream: at a line start. */
#define HS_NO_CARRIER_TEXT "\r\nNO CARRIER\r"
#define HS_NO_CARRIER_LEN 13

struct hs_modem {
	struct hs_link *link;             /* not owned */
	struct hs_at *at;                 /* owned */
	const struct hs_modem_driver *drv;
	unsigned policy;                  /* enum hs_hangup_policy */
	int guard_ms;                     /* from S12; -1 until read */
	int has_lines;                    /* the port reads DCD */
	int dcd_before;                   /* DCD as the last call began to
	                                   * be set up: 1, 0, -1 unknown */
	int dcd_carrier;                  /* DCD follows this call's carrier
	                                   * (low before it, up with
	                                   * CONNECT): it alone ends the call */
	int dcd_late;                     /* the port reports its lines late
	                                   * (a network port): DCD backs up
	                                   * the NO CARRIER in the stream */
	int dcd_up;                       /* ...and was seen up in this call */
	int dcd_watched;                  /* the link wakes us when DCD moves
	                                   * (hs_carrier_watch): no looks */
	unsigned lines_seq;               /* the link's lines_seq at the last
	                                   * look at DCD */
	int64_t online_ms;                /* when the call came up */
	int dcd_fell;                     /* DCD fell: what is left is data,
	                                   * then maybe the NO CARRIER */
	int64_t last_rx_ms;               /* since DCD fell: the last input */
	/* A V0 modem's NO CARRIER is its code and CR ("3\r"), which data
	 * may hold too: where DCD says nothing it ends the call only at the
	 * very end of the stream, after HOLD_MS of quiet. */
	char v0_nc[8];                    /* "3\r" for this call; "" not V0 */
	size_t v0_len;
	/* the user's URC callback, called after ours */
	hs_at_urc_fn user_fn;
	void *user_ctx;
	struct hs_modem_call call;        /* the call ringing now */
	int64_t last_ring_ms;             /* to tell a new call from the same */
	struct hs_at_connect connect;     /* of the call now up */
	/* data mode */
	int online;
	int carrier_lost;                 /* seen; reads now fail */
	int64_t last_tx_ms;               /* for the +++ guard before */
	int fresh;                        /* the engine may still hold data
	                                   * it read with CONNECT */
	/* where DCD does not follow the carrier (or once it fell), the
	 * stream is scanned for the modem's NO CARRIER, however split */
	unsigned char hold[HS_NO_CARRIER_LEN]; /* maybe the start of it */
	size_t nhold;
	int64_t held_since;               /* when the oldest held byte came */
	unsigned char tail[HS_NO_CARRIER_LEN]; /* the last bytes given out */
	size_t ntail;
	unsigned char work[4096 + 2 * HS_NO_CARRIER_LEN];
};

/* The device path, for messages. */
const char *hs_mdm_dev(struct hs_modem *m);
/* Make device text printable and bounded. */
void hs_mdm_clean(char *dst, size_t cap, const char *src);
/* Note DCD as a call begins to be set up (dial, answer, wait). */
void hs_mdm_note_dcd(struct hs_modem *m);
/* The call is up (c: how): data mode starts, and whether DCD follows
 * the carrier is decided. v0: the CONNECT came as a number. */
void hs_mdm_went_online(struct hs_modem *m, const struct hs_at_connect *c, int v0);
/* Stop the link's watch on DCD, if this call started one. */
void hs_mdm_unwatch(struct hs_modem *m);

#endif
