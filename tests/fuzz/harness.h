/*
 * harness.h - what the fuzz harnesses share: invariant checks that abort
 * (libFuzzer and the corpus replay both count an abort as a failure),
 * cutting an input into records, and a pseudo-terminal whose master
 * plays the device while the library reads the slave through an fd:
 * link - the library's own transport, nothing mocked.
 *
 * A harness is tests/fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput;
 * its seeds are tests/fuzz/corpus/NAME/ and its dictionary
 * tests/fuzz/NAME.dict. tests/fuzz/fuzz.mk builds it twice: with
 * libFuzzer (make fuzz) and with replay.c's plain main() (make check).
 */
#ifndef HS_FUZZ_HARNESS_H
#define HS_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with the file, line, condition and a message when cond is false. */
#define FUZZ_CHECK(cond, ...)                                                 \
	do {                                                                  \
		if (!(cond))                                                  \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);    \
	} while (0)

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

/* Is s NUL-terminated within its cap bytes? */
int fuzz_terminated(const char *s, size_t cap);
/* ...and printable ASCII (0x20..0x7e) all through? */
int fuzz_printable(const char *s, size_t cap);

struct hs_at_connect;
/* What a CONNECT said, as the AT engine fills it: every string ended
 * within its buffer, speeds not negative. */
void fuzz_check_connect(const struct hs_at_connect *c);

/* Inputs that hold several parts separate them with this byte (ASCII
 * record separator): printable seeds stay readable with `cat -v`. */
#define FUZZ_RS 0x1e

struct fuzz_records {
	const uint8_t *p;
	size_t left;
	int done;
};

void fuzz_records_init(struct fuzz_records *r, const uint8_t *data, size_t size);
/* The next record (may be empty); 0 when there are no more. */
int fuzz_record(struct fuzz_records *r, const uint8_t **rec, size_t *len);
/* A NUL-terminated, malloc'd copy of n bytes (a NUL inside ends the C
 * string early, as it would for any caller). Aborts when out of memory. */
char *fuzz_strndup(const uint8_t *p, size_t n);

/* ---- a pseudo-terminal as the device ---------------------------------- */

struct fuzz_pty {
	int master;     /* the device side, raw and non-blocking */
	int slave;      /* the host side, raw: the library borrows it */
	char uri[32];   /* "fd:S,S" */
};

/* Open a raw pair; aborts on failure (nothing to fuzz without it). */
void fuzz_pty_open(struct fuzz_pty *p);
void fuzz_pty_close(struct fuzz_pty *p);
/* Write n bytes to the master within timeout_ms, reading and dropping
 * what the host sends meanwhile (so neither side blocks); returns what
 * was written. */
size_t fuzz_pty_write(struct fuzz_pty *p, const void *buf, size_t n, int timeout_ms);
/* Wait until the host has read everything written to the master (the
 * slave's input queue is empty), dropping what the host sends; 1 when
 * it did within timeout_ms. */
int fuzz_pty_consumed(struct fuzz_pty *p, int timeout_ms);

/* ---- a scripted device on the master ---------------------------------- */

/* A thread that answers each burst the host writes (a command) with the
 * next reply in its list, nothing once the list is used up. */
struct fuzz_peer;

struct fuzz_peer *fuzz_peer_start(struct fuzz_pty *p);
/* Queue a reply (copied) for the next burst. */
void fuzz_peer_reply(struct fuzz_peer *peer, const void *buf, size_t n);
/* How many replies are queued and not yet sent. */
int fuzz_peer_pending(struct fuzz_peer *peer);
/* Write bytes now, unasked (a URC, line noise): from the caller's thread,
 * ordered with the peer's own writes. */
void fuzz_peer_send(struct fuzz_peer *peer, const void *buf, size_t n);
/* Stop the thread and free it. */
void fuzz_peer_stop(struct fuzz_peer *peer);

#endif
