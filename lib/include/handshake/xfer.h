/*
 * handshake/xfer.h - file transfer over any link: XMODEM (8-bit checksum,
 * CRC-16, 1K blocks), YMODEM batch and YMODEM-g (ACK/NAK), and ZMODEM
 * (streaming, resume at an offset, crash recovery), on the same calls.
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
 *  - ZMODEM streams: the sender does not wait block by block; a
 *    receiver that finds a damaged subpacket asks to resume at the last
 *    good byte (ZRPOS), so a byte is never written twice. It escapes
 *    ZDLE, DLE, XON, XOFF (the last three in their high-bit forms too)
 *    and CR after @ always, and every control byte when either end asks (escape_ctl),
 *    so it crosses XON/XOFF lines and telnet-like links. CRC-32 when
 *    the receiver can, else CRC-16. Five CAN from the peer abort.
 *  - ZMODEM crash recovery (resume, or a sender's ZCRESUM as `sz -r`
 *    asks): a file that exists is continued at its length once the
 *    sender's CRC-32 of that part agrees; the offset is reported
 *    (hs_xfer_file.offset). A part that differs is never appended to.
 *  - Nothing here prints: progress and each file's outcome go to
 *    callbacks; errors are negative enum hs_err with hs_last_error().
 */
#ifndef HANDSHAKE_XFER_H
#define HANDSHAKE_XFER_H

#include <stddef.h>
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
	HS_XFER_ZMODEM,      /* streaming, CRC-32, resume at an offset */
};

/* Longest file name a YMODEM receiver accepts, in bytes. */
#define HS_XFER_NAME_MAX 255

/* What a receiver did with XMODEM's padding. */
enum hs_xfer_padding {
	HS_XFER_PAD_NONE,     /* sender side, or nothing to say */
	HS_XFER_PAD_KEPT,     /* XMODEM: no length known, SUB padding kept */
	HS_XFER_PAD_STRIPPED, /* XMODEM: trailing SUBs dropped (strip_sub) */
	HS_XFER_PAD_LENGTH,   /* YMODEM: cut to the length in block 0 */
};

/* One file of a transfer, as the callbacks see it. */
struct hs_xfer_file {
	const char *name;     /* the name sent or received, raw and untrusted
	                       * on the receiving side (escape it to print);
	                       * "" for XMODEM, which sends none */
	const char *path;     /* local path read or written; "" if refused */
	int64_t size;         /* length sent or announced; -1 when unknown */
	int64_t mtime;        /* modification time, s since 1970; -1 unknown */
	unsigned mode;        /* st_mode bits announced; 0 unknown */
	uint64_t bytes;       /* ACKed by the receiver (sender) or written */
	enum hs_xfer_padding padding;
	int status;           /* HS_OK, or why this file failed or was refused */
	const char *message;  /* that reason for people; "" when HS_OK */
	uint64_t offset;      /* ZMODEM: where this transfer of the file began
	                       * (crash recovery); bytes counts from there */
};

/* Counts over the whole transfer, so far. Errors by kind: a receiver
 * counts what it saw; a sender counts NAKs as crc (it cannot know why)
 * and bytes that were neither ACK nor NAK as garbage. */
struct hs_xfer_stats {
	enum hs_xfer_protocol protocol; /* as agreed with the peer */
	int crc;              /* 2: CRC-32, 1: CRC-16, 0: 8-bit checksum */
	int block_size;       /* of the current (last) block: 128 or 1024 */
	uint64_t bytes;       /* file bytes ACKed (sender) or written */
	uint64_t sent;        /* sender: file bytes put on the line so far,
	                       * ACKed or not (YMODEM-g ACKs only at EOT) */
	uint64_t total;       /* bytes the transfer will move; 0 unknown */
	unsigned files;       /* files finished (sent, received or refused) */
	unsigned blocks;      /* data blocks ACKed or accepted (a ZMODEM
	                       * sender: subpackets sent, resent ones too) */
	unsigned retries;     /* blocks sent again, or asked for again
	                       * (ZMODEM: each ZRPOS) */
	unsigned err_crc;     /* bad CRC or checksum (sender: NAKs) */
	unsigned err_timeout; /* nothing came in time */
	unsigned err_sequence;/* duplicate or out-of-sequence blocks */
	unsigned err_garbage; /* bytes that were no block, ACK or NAK */
	const struct hs_xfer_file *file; /* the current file, or NULL */
};

struct hs_xfer_opts {
	enum hs_xfer_protocol protocol;
	int timeout_ms;       /* wait for a reply or the next block; 0: 10 s */
	int retries;          /* tries of one block or EOT; 0: 10 */
	int start_ms;         /* receiver: asks to start this often; 0: 3 s.
	                       * A sender waits retries * timeout_ms for it */
	int crc_tries;        /* receiver: C tries before NAK; 0: 3 */
	int strip_sub;        /* receiver, XMODEM: drop trailing SUB bytes */
	int overwrite;        /* receiver: replace files that exist */
	/* Each may be NULL. progress: after every block and retry.
	 * file_done: once per file, sent, received, refused or failed. */
	void (*progress)(void *ctx, const struct hs_xfer_stats *s);
	void (*file_done)(void *ctx, const struct hs_xfer_file *f);
	void *ctx;
	volatile int *cancel; /* set non-zero to stop (HS_ERR_CANCELED) */
	int resume;           /* ZMODEM: continue files partly received
	                       * (receiver), ask the receiver to (sender) */
	int escape_ctl;       /* ZMODEM: escape every control byte */
};

/*
 * Send the n files at paths (XMODEM: exactly one). YMODEM and ZMODEM
 * send each file's last path component as its name. Returns HS_OK when
 * every file was ACKed; HS_ERR_EXISTS when a ZMODEM receiver skipped
 * one (the others were sent); else the error, with *stats (may be NULL) counting what was
 * confirmed. Since 0.1.0.
 */
int hs_xfer_send(struct hs_link *link, const char *const *paths, int n,
		 const struct hs_xfer_opts *opts, struct hs_xfer_stats *stats);

/*
 * Receive into dest: XMODEM into the file dest; YMODEM and ZMODEM into
 * the folder dest (the sender names the files). A file that exists is never
 * replaced unless opts->overwrite. Returns HS_OK when all went well;
 * HS_ERR_BAD_NAME or HS_ERR_EXISTS when the batch was received but a
 * file in it refused; HS_ERR_PROTOCOL when a file's data did not match
 * its announced length (the file is kept, see file_done); else the error
 * that ended the transfer. Since 0.1.0.
 */
int hs_xfer_receive(struct hs_link *link, const char *dest,
		    const struct hs_xfer_opts *opts, struct hs_xfer_stats *stats);

/* A file name as it may be printed (names from a peer are untrusted):
 * bytes outside printable ASCII, and backslashes, as \xHH; cut to fit
 * cap bytes. Returns buf. Since 0.1.0. */
const char *hs_xfer_printable(const char *name, char *buf, size_t cap);

/* "xmodem", "xmodem-crc", "xmodem-1k", "ymodem", "ymodem-g", "zmodem". */
const char *hs_xfer_protocol_name(enum hs_xfer_protocol protocol);
/* The protocol with that name, or HS_ERR_ARG. */
int hs_xfer_protocol_from_name(const char *name);

/*
 * ZMODEM auto-start for terminals: a sender announces itself with
 * "**" ZDLE "B00" (a ZRQINIT hex header, after `sz` printed "rz\r").
 * Feed what the far end sends, in any slices: the bytes to show go to
 * show (room for n + HS_XFER_AUTOSTART_HOLD bytes), *nshow of them;
 * the start of the announcement is held back until it is one or is
 * not, so none of it is ever shown. Returns 1 when a sender started:
 * show holds what came before it; hand the link to hs_xfer_receive
 * (ZMODEM), which answers the sender. Since 0.1.0.
 */
#define HS_XFER_AUTOSTART_HOLD 8
struct hs_xfer_autostart {
	unsigned matched;     /* bytes of the announcement held back */
};
void hs_xfer_autostart_init(struct hs_xfer_autostart *w);
int hs_xfer_autostart_feed(struct hs_xfer_autostart *w, const void *buf, size_t n,
			   void *show, size_t *nshow);

#ifdef __cplusplus
}
#endif
#endif
