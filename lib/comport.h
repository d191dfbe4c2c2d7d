/*
 * comport.h - private: RFC 2217 COM-PORT-OPTION messages (Telnet option
 * 44): the requests a client sends and the server's replies and
 * notifications, built and checked without I/O, and the mapping between
 * the RFC's numbers and struct hs_line.
 *
 * A client sends command C (0..12); the server answers or notifies with
 * C + 100. Values are 1 byte, except SET-BAUDRATE (4, network order),
 * SIGNATURE (text of any length) and FLOWCONTROL-SUSPEND/-RESUME (none).
 */
#ifndef HS_COMPORT_H
#define HS_COMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "handshake/link.h"

enum hs_cpo_cmd {
	HS_CPO_SIGNATURE = 0,
	HS_CPO_SET_BAUDRATE = 1,
	HS_CPO_SET_DATASIZE = 2,
	HS_CPO_SET_PARITY = 3,
	HS_CPO_SET_STOPSIZE = 4,
	HS_CPO_SET_CONTROL = 5,
	HS_CPO_NOTIFY_LINESTATE = 6,
	HS_CPO_NOTIFY_MODEMSTATE = 7,
	HS_CPO_FLOWCONTROL_SUSPEND = 8,
	HS_CPO_FLOWCONTROL_RESUME = 9,
	HS_CPO_SET_LINESTATE_MASK = 10,
	HS_CPO_SET_MODEMSTATE_MASK = 11,
	HS_CPO_PURGE_DATA = 12,
	HS_CPO_NCMDS = 13,
};
#define HS_CPO_SERVER 100   /* added to a command in the server's messages */

/* SET-CONTROL values. */
enum hs_cpo_control {
	HS_CPO_FLOW_ASK = 0, HS_CPO_FLOW_NONE = 1, HS_CPO_FLOW_XONXOFF = 2,
	HS_CPO_FLOW_HARDWARE = 3,
	HS_CPO_BREAK_ASK = 4, HS_CPO_BREAK_ON = 5, HS_CPO_BREAK_OFF = 6,
	HS_CPO_DTR_ASK = 7, HS_CPO_DTR_ON = 8, HS_CPO_DTR_OFF = 9,
	HS_CPO_RTS_ASK = 10, HS_CPO_RTS_ON = 11, HS_CPO_RTS_OFF = 12,
	HS_CPO_INFLOW_ASK = 13, HS_CPO_INFLOW_NONE = 14, HS_CPO_INFLOW_XONXOFF = 15,
	HS_CPO_INFLOW_HARDWARE = 16, HS_CPO_FLOW_DCD = 17, HS_CPO_INFLOW_DTR = 18,
	HS_CPO_FLOW_DSR = 19,
};

/* What a SET-CONTROL value is about: replies carry only the value. */
enum hs_cpo_group {
	HS_CPO_G_FLOW, HS_CPO_G_BREAK, HS_CPO_G_DTR, HS_CPO_G_RTS,
	HS_CPO_G_INFLOW, HS_CPO_G_NONE, HS_CPO_NGROUPS = HS_CPO_G_NONE,
};
enum hs_cpo_group hs_cpo_control_group(unsigned value);

/* NOTIFY-MODEMSTATE bits (the low four say which changed). */
enum {
	HS_CPO_MS_CD = 0x80, HS_CPO_MS_RI = 0x40, HS_CPO_MS_DSR = 0x20,
	HS_CPO_MS_CTS = 0x10,
};
/* NOTIFY-LINESTATE error bits. */
enum {
	HS_CPO_LS_BREAK = 0x10, HS_CPO_LS_FRAMING = 0x08,
	HS_CPO_LS_PARITY = 0x04, HS_CPO_LS_OVERRUN = 0x02,
};
/* PURGE-DATA values. */
enum { HS_CPO_PURGE_RX = 1, HS_CPO_PURGE_TX = 2, HS_CPO_PURGE_BOTH = 3 };

enum hs_cpo_parse_rc {
	HS_CPO_OK = 0,
	HS_CPO_NOT_OURS = -1,   /* not option 44, or empty */
	HS_CPO_UNKNOWN = -2,    /* a command number a server does not send */
	HS_CPO_TRUNCATED = -3,  /* shorter than the command's value */
};

/* A server message, from a subnegotiation body (option byte first). */
struct hs_cpo_msg {
	int cmd;                /* enum hs_cpo_cmd (the server's code - 100) */
	uint32_t value;         /* the value; 0 for SIGNATURE, SUSPEND, RESUME */
	const uint8_t *text;    /* SIGNATURE: the text (not NUL-terminated) */
	size_t len;             /* its length */
	size_t extra;           /* bytes past the value (some servers pad) */
};

int hs_cpo_parse(const uint8_t *body, size_t n, struct hs_cpo_msg *m);

/* A client request: IAC SB 44 cmd value IAC SE into out (cap >= 16).
 * value is sent as the command's size (4 bytes for the baud rate, none
 * for SUSPEND and RESUME, 1 otherwise; SIGNATURE asks with no text).
 * Returns the length. */
size_t hs_cpo_request(int cmd, uint32_t value, uint8_t *out, size_t cap);

/* The bytes a command's value takes (-1: any, for SIGNATURE). */
int hs_cpo_value_size(int cmd);

/* RFC 2217 numbers for line settings and back; -1 for no such value. */
int hs_cpo_parity(enum hs_parity parity);
int hs_cpo_parity_from(unsigned value);        /* enum hs_parity or -1 */
int hs_cpo_stopsize(int stop);                 /* 1 or 2 -> 1 or 2 */
int hs_cpo_flow(enum hs_flow flow);            /* outbound SET-CONTROL value */
int hs_cpo_flow_from(unsigned value);          /* enum hs_flow or -1 */
/* HS_SIG_CTS|DSR|DCD|RI from NOTIFY-MODEMSTATE bits. */
int hs_cpo_signals(unsigned modemstate);

/* Command names for messages: "SET-BAUDRATE", "PURGE-DATA"... */
const char *hs_cpo_name(int cmd);

#endif
