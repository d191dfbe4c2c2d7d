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
	/* the user's URC callback, called after ours */
	hs_at_urc_fn user_fn;
	void *user_ctx;
	struct hs_modem_call call;        /* the call ringing now */
	int64_t last_ring_ms;             /* to tell a new call from the same */
	struct hs_at_connect connect;     /* of the call now up */
	/* data mode */
	int online;
	int carrier_lost;                 /* seen; reads now fail */
	int dcd_up;                       /* DCD was seen up in this call */
	int64_t online_ms;                /* when the call came up */
	int64_t last_tx_ms;               /* for the +++ guard before */
	unsigned char hold[HS_NO_CARRIER_LEN]; /* maybe the start of NO CARRIER */
	size_t nhold;
	unsigned char work[4096 + HS_NO_CARRIER_LEN];
};

/* The device path, for messages. */
const char *hs_mdm_dev(struct hs_modem *m);
/* Make device text printable and bounded. */
void hs_mdm_clean(char *dst, size_t cap, const char *src);

#endif
