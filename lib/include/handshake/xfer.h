/*
 * handshake/xfer.h - ACK/NAK file transfer over any link: XMODEM (8-bit
 * checksum, CRC-16, 1K blocks), YMODEM batch and YMODEM-g; ZMODEM is to
 * come on the same calls.
 *
 * Principles of operation
 *  - One call sends a list of files (hs_xfer_send) or receives into a
 *    folder or a file (hs_xfer_receive) over an open link: a serial port,
 *    a pty, fd:R,W handed over by a terminal or hsdial --exec.
 *  - The receiver drives: it asks with C (CRC-16), NAK (8-bit checksum)
 *    or G (YMODEM-g, streaming). The sender takes whichever it gets; a
 *    receiver starts with C and falls back to NAK after a few tries.
 *  - Every wait has a deadline (timeout_ms), every block a retry limit
 *    (retries); the defaults are lrzsz's: 10 s and 10 tries.
 *  - Two CAN in a row from the peer end the transfer (HS_ERR_ABORTED); a
 *    single CAN in noise does not. Giving up, or *opts->cancel, sends
 *    CAN eight times and as many backspaces (a terminal shows nothing).
 *  - A duplicate block (our ACK was lost) is ACKed and dropped; a block
 *    out of sequence ends the transfer (HS_ERR_PROTOCOL).
 *  - Counts are exact: a sender counts the bytes the receiver ACKed, a
 *    receiver the bytes it wrote, whatever ended the transfer.
 *  - XMODEM pads the last block with SUB (0x1A) and sends no length: the
 *    receiver keeps the padding unless strip_sub asks it to drop trailing
 *    SUBs. YMODEM says the length in block 0: the file is cut to it.
 *  - YMODEM file names come from the peer and are untrusted: a name with
 *    a path separator, "..", a control byte, or longer than
 *    HS_XFER_NAME_MAX is refused (HS_ERR_BAD_NAME), its data received and
 *    dropped, and the batch goes on; so is a name that exists already
 *    (HS_ERR_EXISTS) unless opts->overwrite.
 *  - Nothing here prints: progress and each file's outcome go to
 *    callbacks; errors are negative enum hs_err with hs_last_error().
 */
#ifndef HANDSHAKE_XFER_H
#define HANDSHAKE_XFER_H

#include <stdint.h>
#include "handshake/link.h"

#ifdef __cplusplus
extern "C" {
#endif

enum hs_xfer_protocol {
	HS_XFER_XMODEM,      /* 128-byte blocks; as receiver asks with NAK */
	HS_XFER_XMODEM_CRC,  /* 128-byte blocks, CRC-16 */
	HS_XFER_XMODEM_1K,   /* 1024-byte blocks (128 for a short tail) */
	HS_XFER_YMODEM,      /* batch: block 0 says name, length, mtime, mode */
	HS_XFER_YMODEM_G,    /* YMODEM without ACKs, for error-free links */
};

/* Longest file name a YMODEM receiver accepts, in bytes. */
#define HS_XFER_NAME_MAX 255

#ifdef __cplusplus
}
#endif
#endif
