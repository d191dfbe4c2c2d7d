/*
 * handshake/error.h - the one error enum of libhandshake and its messages.
 *
 * Every call returns 0 (HS_OK) on success, a negative enum hs_err on
 * failure, and some return a positive count. The library never prints:
 * when a call fails it leaves a message for people that names the device
 * and the cause, readable with hs_last_error() on the same thread.
 */
#ifndef HANDSHAKE_ERROR_H
#define HANDSHAKE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum hs_err {
	HS_OK = 0,
	HS_ERR_ARG = -1,           /* a caller's argument is out of range */
	HS_ERR_NOMEM = -2,         /* out of memory */
	HS_ERR_URI = -3,           /* URI syntax or scheme not understood */
	HS_ERR_URI_OPTION = -4,    /* URI names an option we do not know */
	HS_ERR_URI_VALUE = -5,     /* URI option has a value out of range */
	HS_ERR_NO_DEVICE = -6,     /* no device at that path or address */
	HS_ERR_NOT_TTY = -7,       /* the path exists but is not a serial port */
	HS_ERR_PERMISSION = -8,    /* the OS refused access to the device */
	HS_ERR_BUSY = -9,          /* another process holds the device */
	HS_ERR_TIMEOUT = -10,      /* the deadline passed */
	HS_ERR_STALL = -11,        /* flow control held output past the deadline */
	HS_ERR_UNPLUGGED = -12,    /* the device went away while open */
	HS_ERR_NOT_SUPPORTED = -13,/* this port or transport cannot do that */
	HS_ERR_IO = -14,           /* any other OS error; see hs_last_error() */
	HS_ERR_PROTOCOL = -15,     /* the device's reply made no sense (garbage) */
	HS_ERR_OVERFLOW = -16,     /* a reply line or reply was over the cap */
	HS_ERR_NO_CARRIER = -17,   /* modem: no carrier, or the carrier was lost */
	HS_ERR_LINE_BUSY = -18,    /* modem: the number called was busy */
	HS_ERR_NO_DIALTONE = -19,  /* modem: no dial tone on the line */
	HS_ERR_NO_ANSWER = -20,    /* modem: the far end did not answer */
	HS_ERR_REJECTED = -21,     /* modem: the command was answered ERROR */
	HS_ERR_CANCELED = -22,     /* the caller asked to stop */
	/* Network serial ports (rfc2217://, tcp://). Since 0.1.0. */
	HS_ERR_NO_HOST = -23,      /* the host name does not resolve */
	HS_ERR_CONN_REFUSED = -24, /* nothing listens on that host's port */
	HS_ERR_HOST_UNREACHABLE = -25, /* no route to the host */
	HS_ERR_CONN_RESET = -26,   /* the server reset the connection */
	HS_ERR_CONN_CLOSED = -27,  /* the server closed the connection */
	/* File transfer (handshake/xfer.h). Since 0.1.0. */
	HS_ERR_ABORTED = -28,      /* file transfer: the peer canceled (CAN CAN) */
	HS_ERR_RETRIES = -29,      /* file transfer: too many errors in a row */
	HS_ERR_BAD_NAME = -30,     /* file transfer: a file name we refuse */
	HS_ERR_EXISTS = -31,       /* file transfer: the file is there already */
	HS_ERR_FILE = -32,         /* a local file could not be read or written */
};

/* A short sentence for people, e.g. "device is busy". Never NULL. */
const char *hs_strerror(int err);

/* The enum's name for logs, e.g. "HS_ERR_BUSY". Never NULL. */
const char *hs_err_name(int err);

/*
 * The message left by the last failed call on this thread, naming the
 * device and what to do, e.g. "/dev/ttyUSB0 is locked by pid 4711
 * (hsdial)". Empty when nothing failed yet. Valid until the next call.
 */
const char *hs_last_error(void);

#ifdef __cplusplus
}
#endif
#endif
