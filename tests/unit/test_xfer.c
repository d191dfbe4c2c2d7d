/*
 * test_xfer.c - the XMODEM/YMODEM sender and receiver against a peer the
 * test plays on a real pty, byte for byte: receivers that ask with NAK
 * (checksum), NAK the first EOT, cancel with CAN CAN, go silent or NAK
 * everything; senders that repeat a block, skip one, send garbage,
 * hostile names, lengths that do not match, or stop. The library call
 * runs on a thread; the test is the other end of the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "handshake/handshake.h"
#include "clock.h"
#include "ptypair.h"
#include "xfer_codec.h"

/* ---- the library's side: one call on a thread ------------------------ */

struct job {
	struct ptypair pty;
	struct hs_link *link;
	int sending;
	const char *paths[4];
	int n;
	char dest[256];
	struct hs_xfer_opts o;
	struct hs_xfer_stats st;
	int rc;
	char error[512];
	volatile int done;
	pthread_t thread;
	char top[64];          /* a temp folder of the test's own... */
	char dir[72];          /* ...and the folder files go to, inside it,
	                        * so that dir/.. is private too */
	int nfiles;            /* file_done calls */
	struct hs_xfer_file last;  /* the last file_done (strings not kept) */
	int last_status[8];
	char last_message[8][512];
};

static void on_file(void *ctx, const struct hs_xfer_file *f)
{
	struct job *j = ctx;

	if (j->nfiles < 8) {
		j->last_status[j->nfiles] = f->status;
		snprintf(j->last_message[j->nfiles], sizeof(j->last_message[0]), "%s", f->message);
	}
	j->nfiles++;
	j->last = *f;
}

static void *job_main(void *arg)
{
	struct job *j = arg;

	if (j->sending)
		j->rc = hs_xfer_send(j->link, j->paths, j->n, &j->o, &j->st);
	else
		j->rc = hs_xfer_receive(j->link, j->dest, &j->o, &j->st);
	snprintf(j->error, sizeof(j->error), "%s", hs_last_error());
	j->done = 1;
	return NULL;
}

static void job_init(struct job *j, enum hs_xfer_protocol p)
{
	char uri[128];

	memset(j, 0, sizeof(*j));
	ptypair_open(&j->pty);
	snprintf(uri, sizeof(uri), "serial:%s", j->pty.path);
	if (hs_link_open(&j->link, uri) != HS_OK)
		fail_msg("open %s: %s", uri, hs_last_error());
	snprintf(j->top, sizeof(j->top), "/tmp/hs-xfer-XXXXXX");
	assert_non_null(mkdtemp(j->top));
	snprintf(j->dir, sizeof(j->dir), "%s/in", j->top);
	assert_int_equal(mkdir(j->dir, 0700), 0);
	j->o.protocol = p;
	j->o.timeout_ms = 2000;
	j->o.start_ms = 1000;
	j->o.file_done = on_file;
	j->o.ctx = j;
}

static void job_start(struct job *j)
{
	assert_int_equal(pthread_create(&j->thread, NULL, job_main, j), 0);
}

/* Wait for the call to return (it must, within ms). */
static void job_wait(struct job *j, int ms)
{
	int64_t deadline = hs_deadline(ms);

	while (!j->done && hs_remaining(deadline) > 0)
		hs_nap(5, deadline);
	if (!j->done)
		fail_msg("the transfer did not end within %d ms", ms);
	pthread_join(j->thread, NULL);
}

static void job_free(struct job *j)
{
	char cmd[128];

	hs_link_close(j->link);
	ptypair_close(&j->pty);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", j->top);
	assert_int_equal(system(cmd), 0);
}

/* A file of n pseudo-random bytes (fill < 0) or of one byte value. */
static const char *make_file(struct job *j, const char *name, size_t n, int fill)
{
	static char paths[4][128];
	static int k;
	char *path = paths[k++ % 4];
	FILE *f;
	unsigned x = (unsigned)n * 2654435761u;

	snprintf(path, 128, "%s/%s", j->dir, name);
	assert_non_null(f = fopen(path, "w"));
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		fputc(fill >= 0 ? fill : (int)(x >> 16 & 0xff), f);
	}
	fclose(f);
	return path;
}

/* The library sends one file of n pseudo-random bytes. */
static void tx_init(struct job *j, enum hs_xfer_protocol p, const char *name, size_t n)
{
	job_init(j, p);
	j->sending = 1;
	j->paths[0] = make_file(j, name, n, -1);
	j->n = 1;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		fail_msg("cannot read %s", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* ---- the test's side: the peer on the pty master --------------------- */

/* The next byte within ms, or -1. */
static int peer_getc(struct job *j, int ms)
{
	uint8_t c;
	return ptypair_read(&j->pty, &c, 1, ms) == 1 ? c : -1;
}

static void peer_expect(struct job *j, int want, int ms)
{
	int c = peer_getc(j, ms);
	if (c != want) {
		hs_nap(300, hs_deadline(300)); /* the library's side says why */
		fail_msg("expected 0x%02x from the library, got %d (%s)", want, c,
			 j->done ? j->error : "still running");
	}
}

static void peer_put(struct job *j, uint8_t c)
{
	ptypair_write(&j->pty, &c, 1);
}

/* Read one frame the library sent; returns its block size. */
static size_t peer_frame(struct job *j, uint8_t *frame, int crc, unsigned *seq,
			 const uint8_t **data)
{
	size_t size, n;
	int c = peer_getc(j, 3000);

	if (c != XM_SOH && c != XM_STX)
		fail_msg("expected a block, got %d", c);
	frame[0] = (uint8_t)c;
	n = hs_xm_frame_len(c == XM_STX ? 1024 : 128, crc);
	assert_int_equal(ptypair_read(&j->pty, frame + 1, n - 1, 3000), n - 1);
	assert_int_equal(hs_xm_block_parse(frame, n, crc, seq, data, &size), HS_XM_OK);
	return size;
}

static void peer_block(struct job *j, unsigned seq, const void *data, size_t len,
		       size_t size, int crc)
{
	uint8_t f[XM_FRAME_MAX];
	/* YMODEM's block 0 is padded with NUL, data blocks with SUB */
	size_t n = hs_xm_block_build(f, seq, data, len, size, crc, seq ? XM_SUB : 0);
	ptypair_write(&j->pty, f, n);
}

/* A block with CRC-16 that the library must ACK. */
static void peer_acked(struct job *j, unsigned seq, const void *data, size_t len,
		       size_t size)
{
	peer_block(j, seq, data, len, size, 1);
	peer_expect(j, XM_ACK, 3000);
}

/* The end of a file, as our receiver takes it: the first EOT NAKed (it
 * might be noise), the second ACKed. */
static void peer_eot(struct job *j)
{
	peer_put(j, XM_EOT);
	peer_expect(j, XM_NAK, 3000);
	peer_put(j, XM_EOT);
	peer_expect(j, XM_ACK, 3000);
}

/* YMODEM: asked with C, block 0 for the file, ACKed, asked for its data. */
static void peer_header(struct job *j, const char *name, int64_t size, int64_t mtime,
			unsigned mode)
{
	uint8_t b0[1024];
	size_t n = hs_ym_header_build(b0, name, size, mtime, mode);

	peer_expect(j, XM_C, 3000);
	peer_acked(j, 0, b0, n, n);
	peer_expect(j, XM_C, 3000);
}

/* The library's cancel: CAN eight times, then backspaces. */
static void peer_expect_cancel(struct job *j)
{
	uint8_t buf[16];
	int c;

	/* what came before the cancel (a NAK, a C) is skipped */
	while ((c = peer_getc(j, 3000)) != XM_CAN)
		if (c < 0)
			fail_msg("no CAN from the library");
	assert_int_equal(ptypair_read(&j->pty, buf, 15, 2000), 15);
	for (int i = 0; i < 7; i++)
		assert_int_equal(buf[i], XM_CAN);
	for (int i = 7; i < 15; i++)
		assert_int_equal(buf[i], XM_BS);
}

/* ---- sending ----------------------------------------------------------- */

/* An old receiver that only knows checksums asks with NAK: 128-byte
 * blocks with an 8-bit checksum, even for XMODEM-1K. */
static void test_send_to_checksum_receiver(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX], want[300];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_1K, "f", 300);
	read_file(j.paths[0], want, sizeof(want));
	job_start(&j);
	peer_put(&j, XM_NAK);
	for (unsigned b = 1; b <= 3; b++) {
		assert_int_equal(peer_frame(&j, frame, 0, &seq, &data), 128);
		assert_int_equal(seq, b);
		size_t len = b < 3 ? 128 : 300 - 256;
		assert_memory_equal(data, want + (b - 1) * 128, len);
		for (size_t i = len; i < 128; i++)
			assert_int_equal(data[i], XM_SUB);
		peer_put(&j, XM_ACK);
	}
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_ACK);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.bytes, 300);
	assert_int_equal(j.st.blocks, 3);
	assert_int_equal(j.st.crc, 0);
	assert_int_equal(j.st.protocol, HS_XFER_XMODEM);
	job_free(&j);
}

/* Embedded loaders NAK the first EOT and ACK the second. */
static void test_send_eot_naked_once(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_CRC, "f", 128);
	job_start(&j);
	peer_put(&j, XM_C);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	peer_put(&j, XM_ACK);
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_NAK);
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_ACK);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.bytes, 128);
	assert_int_equal(j.st.retries, 1);
	job_free(&j);
}

/* CAN CAN from the receiver ends the transfer with its own error, the
 * count being what was ACKed; a single CAN in noise does not. */
static void test_send_receiver_cancels(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	int64_t t0;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_1K, "f", 10000);
	job_start(&j);
	peer_put(&j, XM_C);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
	peer_put(&j, XM_ACK);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
	/* noise: one CAN, then the ACK */
	peer_put(&j, XM_CAN);
	peer_put(&j, XM_ACK);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
	assert_int_equal(seq, 3);
	t0 = hs_now_ms();
	ptypair_write(&j.pty, "\x18\x18", 2);
	job_wait(&j, 5000);
	assert_true(hs_now_ms() - t0 < 2000);
	assert_int_equal(j.rc, HS_ERR_ABORTED);
	assert_int_equal(j.st.bytes, 2048);
	assert_non_null(strstr(j.error, "the receiver canceled the transfer (CAN CAN)"));
	assert_non_null(strstr(j.error, "(2048 bytes confirmed by the receiver)"));
	job_free(&j);
}

/* Nobody asks to start: a timeout that says so. */
static void test_send_receiver_never_starts(void **state)
{
	struct job j;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM, "f", 10);
	j.o.timeout_ms = 300;
	j.o.retries = 2;
	job_start(&j);
	/* a bootloader's prompt is not a start */
	ptypair_write(&j.pty, "Ready for binary download\r\n", 27);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_TIMEOUT);
	assert_non_null(strstr(j.error, "the receiver never asked to start (no C, NAK in 0.6 s)"));
	assert_int_equal(j.st.bytes, 0);
	job_free(&j);
}

/* The receiver stops answering mid-file: a timeout after the retries,
 * the exact count ACKed, and CAN so it knows. */
static void test_send_receiver_stops(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_1K, "f", 5000);
	j.o.timeout_ms = 300;
	j.o.retries = 2;
	job_start(&j);
	peer_put(&j, XM_C);
	for (int i = 0; i < 2; i++) {
		peer_frame(&j, frame, 1, &seq, &data);
		peer_put(&j, XM_ACK);
	}
	/* block 3, sent three times, never answered */
	for (int i = 0; i < 3; i++) {
		peer_frame(&j, frame, 1, &seq, &data);
		assert_int_equal(seq, 3);
	}
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_TIMEOUT);
	assert_int_equal(j.st.bytes, 2048);
	assert_int_equal(j.st.err_timeout, 3);
	assert_non_null(strstr(j.error, "no answer to block 3 in 3 tries"));
	assert_non_null(strstr(j.error, "(2048 bytes confirmed by the receiver)"));
	job_free(&j);
}

/* A receiver that NAKs every try: too many errors, not a timeout. */
static void test_send_naked_every_time(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_CRC, "f", 200);
	j.o.retries = 3;
	job_start(&j);
	peer_put(&j, XM_C);
	for (int i = 0; i < 4; i++) {
		peer_frame(&j, frame, 1, &seq, &data);
		assert_int_equal(seq, 1);
		peer_put(&j, XM_NAK);
	}
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_RETRIES);
	assert_int_equal(j.st.err_crc, 4);
	assert_int_equal(j.st.bytes, 0);
	assert_non_null(strstr(j.error, "block 1 was not ACKed in 4 tries (4 NAKs"));
	job_free(&j);
}

/* 128-byte blocks once a 1K block needed a third try (a noisy line),
 * 1K again once 64 small ones in a row went through at once. */
static void test_send_block_sizes(void **state)
{
	enum { SIZE = 1024 + 64 * 128 + 2048 };
	struct job j;
	static uint8_t want[SIZE];
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_1K, "f", SIZE);
	read_file(j.paths[0], want, sizeof(want));
	job_start(&j);
	peer_put(&j, XM_C);
	/* block 1: 1K, NAKed twice */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
		assert_int_equal(seq, 1);
		peer_put(&j, i < 2 ? XM_NAK : XM_ACK);
	}
	/* then 128-byte blocks from where block 1 ended */
	for (unsigned b = 2; b <= 65; b++) {
		assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
		assert_int_equal(seq, b);
		assert_memory_equal(data, want + 1024 + (b - 2) * 128, 128);
		peer_put(&j, XM_ACK);
	}
	/* 64 clean ones: 1K again */
	for (unsigned b = 66; b <= 67; b++) {
		assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
		assert_int_equal(seq, b);
		assert_memory_equal(data, want + 1024 + 64 * 128 + (b - 66) * 1024, 1024);
		peer_put(&j, XM_ACK);
	}
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_ACK);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.bytes, SIZE);
	assert_int_equal(j.st.err_crc, 2);
	job_free(&j);
}

static void test_send_short_tail(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_1K, "f", 1024 + 200);
	job_start(&j);
	peer_put(&j, XM_C);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
	peer_put(&j, XM_ACK);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	peer_put(&j, XM_ACK);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	assert_int_equal(seq, 3);
	peer_put(&j, XM_ACK);
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_ACK);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	job_free(&j);
}

/* Repeated Cs while the sender started must not put it out of step. */
static void test_send_stale_starts(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	(void)state;

	tx_init(&j, HS_XFER_XMODEM_CRC, "f", 256);
	ptypair_write(&j.pty, "CCC", 3);
	job_start(&j);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	assert_int_equal(seq, 1);
	peer_put(&j, XM_ACK);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	assert_int_equal(seq, 2);
	peer_put(&j, XM_ACK);
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_ACK);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.retries, 0);
	job_free(&j);
}

/* YMODEM: block 0 says name, length, mtime, mode; an empty block 0 ends
 * the batch. With G the blocks stream and only EOT is ACKed. */
static void test_send_ymodem_header_and_g(void **state)
{
	struct job j;
	uint8_t frame[XM_FRAME_MAX];
	const uint8_t *data;
	unsigned seq;
	struct stat st;
	struct hs_ym_header h;
	const char *why;
	(void)state;

	tx_init(&j, HS_XFER_YMODEM, "fw image.bin", 2100);
	assert_int_equal(stat(j.paths[0], &st), 0);
	job_start(&j);
	peer_put(&j, XM_G);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	assert_int_equal(seq, 0);
	assert_int_equal(hs_ym_header_parse(data, 128, &h, &why), HS_OK);
	assert_string_equal(h.name, "fw image.bin");
	assert_int_equal(h.size, 2100);
	assert_int_equal(h.mtime, st.st_mtime);
	assert_int_equal(h.mode, st.st_mode);
	/* streaming: no ACK for block 0 either, G for the data */
	peer_put(&j, XM_G);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 1024);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	assert_int_equal(seq, 3);
	peer_expect(&j, XM_EOT, 3000);
	peer_put(&j, XM_ACK);
	peer_put(&j, XM_G);
	assert_int_equal(peer_frame(&j, frame, 1, &seq, &data), 128);
	assert_int_equal(seq, 0);
	assert_int_equal(data[0], 0);
	peer_put(&j, XM_ACK);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.protocol, HS_XFER_YMODEM_G);
	assert_int_equal(j.st.bytes, 2100);
	assert_int_equal(j.st.files, 1);
	job_free(&j);
}

/* ---- receiving --------------------------------------------------------- */

static void rx_init(struct job *j, enum hs_xfer_protocol p, const char *file)
{
	job_init(j, p);
	if (file)
		snprintf(j->dest, sizeof(j->dest), "%s/%s", j->dir, file);
	else
		snprintf(j->dest, sizeof(j->dest), "%s", j->dir);
}

/* A block repeated (our ACK was lost) is ACKed and dropped: the file
 * has it once. */
static void test_receive_duplicate(void **state)
{
	struct job j;
	uint8_t a[128], b[128], got[512];
	(void)state;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	rx_init(&j, HS_XFER_XMODEM_CRC, "out");
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 1, a, 128, 128);
	peer_acked(&j, 1, a, 128, 128);
	peer_acked(&j, 2, b, 100, 128);
	/* the first EOT is NAKed: noise cannot end a file */
	peer_eot(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.err_sequence, 1);
	assert_int_equal(j.st.bytes, 256);
	/* XMODEM: the padding is kept, and it says so */
	assert_int_equal(read_file(j.dest, got, sizeof(got)), 256);
	assert_memory_equal(got, a, 128);
	assert_memory_equal(got + 128, b, 100);
	assert_int_equal(got[255], XM_SUB);
	assert_int_equal(j.last.padding, HS_XFER_PAD_KEPT);
	job_free(&j);
}

/* A block out of sequence: the transfer is lost; cancel and say so. */
static void test_receive_out_of_sequence(void **state)
{
	struct job j;
	uint8_t a[128] = { 1 };
	(void)state;

	rx_init(&j, HS_XFER_XMODEM_CRC, "out");
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 1, a, 128, 128);
	peer_block(&j, 3, a, 128, 128, 1);
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_PROTOCOL);
	assert_non_null(strstr(j.error, "block 3 came when 2 was expected"));
	assert_int_equal(j.st.bytes, 128);
	job_free(&j);
}

/* A block with a bad CRC every time: NAK, and too many errors at last. */
static void test_receive_bad_crc_every_time(void **state)
{
	struct job j;
	uint8_t f[XM_FRAME_MAX], a[128] = { 7 };
	size_t n;
	(void)state;

	rx_init(&j, HS_XFER_XMODEM_CRC, "out");
	j.o.retries = 3;
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	n = hs_xm_block_build(f, 1, a, 128, 128, 1, XM_SUB);
	f[50] ^= 0x20;
	for (int i = 0; i < 4; i++) {
		ptypair_write(&j.pty, f, n);
		if (i < 3)
			peer_expect(&j, XM_C, 3000); /* no block yet: ask as at the start */
	}
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_RETRIES);
	assert_int_equal(j.st.err_crc, 4);
	assert_non_null(strstr(j.error, "too many errors: block 1 failed 4 times, the last with a bad CRC"));
	assert_int_equal(j.st.bytes, 0);
	/* nothing came, so no empty file is left behind */
	assert_int_equal(access(j.dest, F_OK), -1);
	job_free(&j);
}

/* Garbage where blocks belong: NAK after the line goes quiet, then a
 * good block is taken. */
static void test_receive_garbage(void **state)
{
	struct job j;
	uint8_t a[128], got[256];
	(void)state;

	memset(a, 'x', sizeof(a));
	rx_init(&j, HS_XFER_XMODEM_CRC, "out");
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 1, a, 128, 128);
	ptypair_write(&j.pty, "garbage\x7f\xff\x00 and more", 20);
	peer_expect(&j, XM_NAK, 3000);
	peer_acked(&j, 2, a, 128, 128);
	peer_eot(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.err_garbage, 1);
	assert_int_equal(j.st.retries, 1);
	assert_int_equal(read_file(j.dest, got, sizeof(got)), 256);
	job_free(&j);
}

/* The sender cancels mid-file: its own error, the count written exact. */
static void test_receive_sender_cancels(void **state)
{
	struct job j;
	uint8_t a[1024] = { 0 };
	(void)state;

	rx_init(&j, HS_XFER_XMODEM_1K, "out");
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 1, a, 1024, 1024);
	peer_acked(&j, 2, a, 1024, 1024);
	ptypair_write(&j.pty, "\x18\x18\x18\x18\x18\x18\x18\x18\b\b\b\b\b\b\b\b", 16);
	job_wait(&j, 2000);
	assert_int_equal(j.rc, HS_ERR_ABORTED);
	assert_int_equal(j.st.bytes, 2048);
	assert_non_null(strstr(j.error, "the sender canceled the transfer (CAN CAN)"));
	if (!strstr(j.error, "(2048 bytes written)"))
		fail_msg("%s", j.error);
	job_free(&j);
}

/* A sender that never starts: C crc_tries times, then NAK, then a
 * timeout with the count. */
static void test_receive_sender_never_starts(void **state)
{
	struct job j;
	(void)state;

	rx_init(&j, HS_XFER_XMODEM_CRC, "out");
	j.o.start_ms = 200;
	j.o.retries = 4;
	j.o.crc_tries = 2;
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_expect(&j, XM_C, 3000);
	peer_expect(&j, XM_NAK, 3000);
	peer_expect(&j, XM_NAK, 3000);
	peer_expect(&j, XM_NAK, 3000);
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_TIMEOUT);
	assert_non_null(strstr(j.error, "the sender never started: asked 2 times with C and 3 with NAK"));
	job_free(&j);
}

/* An old sender that waits for NAK: after the fallback it sends
 * checksum blocks, and they are taken. */
static void test_receive_checksum_sender(void **state)
{
	struct job j;
	uint8_t a[128], got[256];
	(void)state;

	memset(a, 'q', sizeof(a));
	rx_init(&j, HS_XFER_XMODEM_CRC, "out");
	j.o.start_ms = 200;
	j.o.crc_tries = 2;
	job_start(&j);
	while (peer_getc(&j, 3000) != XM_NAK)
		;
	peer_block(&j, 1, a, 128, 128, 0);
	peer_expect(&j, XM_ACK, 3000);
	peer_eot(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(j.st.crc, 0);
	assert_int_equal(read_file(j.dest, got, sizeof(got)), 128);
	job_free(&j);
}

/* The sender stops mid-file: a timeout after the retries, and what came
 * is written, to the byte. */
static void test_receive_sender_stops(void **state)
{
	struct job j;
	uint8_t a[1024];
	(void)state;

	memset(a, 'z', sizeof(a));
	rx_init(&j, HS_XFER_XMODEM_1K, "out");
	j.o.timeout_ms = 300;
	j.o.retries = 2;
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 1, a, 1024, 1024);
	peer_acked(&j, 2, a, 1000, 1024);
	peer_expect(&j, XM_NAK, 3000);
	peer_expect(&j, XM_NAK, 3000);
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_TIMEOUT);
	assert_non_null(strstr(j.error, "the sender stopped: nothing came for block 3 in 3 tries"));
	assert_int_equal(j.st.bytes, 2048);
	job_free(&j);
}

/* YMODEM: a hostile name is refused and its data dropped; the batch goes
 * on; lengths in block 0 that do not match the data are reported. */
static void test_receive_ymodem_batch_faults(void **state)
{
	struct job j;
	uint8_t data[1024], got[4096];
	char path[300];
	(void)state;

	memset(data, 'd', sizeof(data));
	rx_init(&j, HS_XFER_YMODEM, NULL);
	job_start(&j);
	/* file 1: ../evil, refused */
	peer_header(&j, "../evil", 100, 0, 0644);
	peer_acked(&j, 1, data, 100, 128);
	peer_eot(&j);
	/* file 2: says 1000 bytes, sends 2048: cut to 1000, reported */
	peer_header(&j, "long", 1000, 01000, 0600);
	peer_acked(&j, 1, data, 1024, 1024);
	peer_acked(&j, 2, data, 1024, 1024);
	peer_eot(&j);
	/* file 3: says 5000, sends 128 */
	peer_header(&j, "short", 5000, 0, 0);
	peer_acked(&j, 1, data, 128, 128);
	peer_eot(&j);
	/* the end */
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 0, "", 0, 128);
	job_wait(&j, 5000);

	assert_int_equal(j.rc, HS_ERR_BAD_NAME);
	assert_int_equal(j.nfiles, 3);
	assert_int_equal(j.last_status[0], HS_ERR_BAD_NAME);
	assert_string_equal(j.last_message[0],
			    "refused the file name \"../evil\": it has a path separator; its data is dropped");
	assert_int_equal(j.last_status[1], HS_ERR_PROTOCOL);
	assert_string_equal(j.last_message[1],
			    "the sender sent 1 blocks past the 1000 bytes it announced; they were dropped");
	assert_int_equal(j.last_status[2], HS_ERR_PROTOCOL);
	assert_string_equal(j.last_message[2], "the sender announced 5000 bytes but sent 128");
	snprintf(path, sizeof(path), "%s/long", j.dir);
	assert_int_equal(read_file(path, got, sizeof(got)), 1000);
	snprintf(path, sizeof(path), "%s/short", j.dir);
	assert_int_equal(read_file(path, got, sizeof(got)), 128);
	snprintf(path, sizeof(path), "%s/../evil", j.dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(j.st.bytes, 1128);
	assert_non_null(strstr(j.error, "3 of the 3 files were refused or did not match"));
	job_free(&j);
}

/* A file that exists is kept unless overwrite; the batch goes on. */
static void test_receive_exists(void **state)
{
	struct job j;
	uint8_t got[64];
	const char *old;
	(void)state;

	rx_init(&j, HS_XFER_YMODEM, NULL);
	old = make_file(&j, "keep", 10, 'k');
	job_start(&j);
	peer_header(&j, "keep", 5, 0, 0);
	peer_acked(&j, 1, "hello", 5, 128);
	peer_eot(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 0, "", 0, 128);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_EXISTS);
	assert_int_equal(read_file(old, got, sizeof(got)), 10);
	assert_int_equal(got[0], 'k');
	assert_non_null(strstr(j.last_message[0], "keep exists already; not replaced"));
	job_free(&j);
}

/* XMODEM with strip_sub: trailing SUBs of the last block are dropped,
 * and a file of SUB bytes keeps those before its last block. */
static void test_receive_strip_sub(void **state)
{
	struct job j;
	uint8_t subs[1024], got[2048];
	(void)state;

	memset(subs, XM_SUB, sizeof(subs));
	rx_init(&j, HS_XFER_XMODEM_1K, "out");
	j.o.strip_sub = 1;
	job_start(&j);
	peer_expect(&j, XM_C, 3000);
	peer_acked(&j, 1, subs, 1024, 1024);
	peer_acked(&j, 2, "end\x1a", 4, 128);
	peer_eot(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_OK);
	assert_int_equal(read_file(j.dest, got, sizeof(got)), 1027);
	assert_memory_equal(got, subs, 1024);
	assert_memory_equal(got + 1024, "end", 3);
	assert_int_equal(j.last.padding, HS_XFER_PAD_STRIPPED);
	job_free(&j);
}

/* YMODEM-g cannot resend: the first bad block cancels. */
static void test_receive_g_error_cancels(void **state)
{
	struct job j;
	uint8_t b0[1024], f[XM_FRAME_MAX], data[1024] = { 3 };
	size_t size, n;
	(void)state;

	rx_init(&j, HS_XFER_YMODEM_G, NULL);
	job_start(&j);
	peer_expect(&j, XM_G, 3000);
	size = hs_ym_header_build(b0, "g.bin", 3000, 0, 0);
	peer_acked(&j, 0, b0, size, size);
	peer_expect(&j, XM_G, 3000);
	peer_block(&j, 1, data, 1024, 1024, 1);
	n = hs_xm_block_build(f, 2, data, 1024, 1024, 1, XM_SUB);
	f[500] ^= 1;
	ptypair_write(&j.pty, f, n);
	peer_expect_cancel(&j);
	job_wait(&j, 5000);
	assert_int_equal(j.rc, HS_ERR_RETRIES);
	assert_non_null(strstr(j.error, "YMODEM-g cannot resend"));
	assert_int_equal(j.st.bytes, 1024);
	job_free(&j);
}

/* ---- both ends ---------------------------------------------------------- */

/* Our sender to our receiver through a pty, both over links: the pty's
 * master as fd:N. Every protocol, sizes around the block edges. */
static void test_both_ends(void **state)
{
	static const size_t sizes[] = { 0, 1, 127, 128, 129, 1023, 1024, 1025, 70000 };
	static const enum hs_xfer_protocol protos[] = {
		HS_XFER_XMODEM, HS_XFER_XMODEM_CRC, HS_XFER_XMODEM_1K, HS_XFER_YMODEM,
		HS_XFER_YMODEM_G,
	};
	(void)state;

	for (size_t p = 0; p < sizeof(protos) / sizeof(protos[0]); p++) {
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			struct job tx, rx;
			char uri[32], path[300];
			static uint8_t want[70000], got[80000];
			size_t n = sizes[s], got_n;
			int ymodem = protos[p] >= HS_XFER_YMODEM;

			job_init(&tx, protos[p]);
			tx.sending = 1;
			tx.paths[0] = make_file(&tx, "file", n, -1);
			tx.n = 1;
			read_file(tx.paths[0], want, sizeof(want));
			/* the receiver on the same pty's master */
			memset(&rx, 0, sizeof(rx));
			rx.o = tx.o;
			rx.o.file_done = NULL;
			snprintf(rx.dir, sizeof(rx.dir), "/tmp/hs-xfer-XXXXXX");
			assert_non_null(mkdtemp(rx.dir));
			snprintf(uri, sizeof(uri), "fd:%d", tx.pty.master);
			assert_int_equal(hs_link_open(&rx.link, uri), HS_OK);
			snprintf(rx.dest, sizeof(rx.dest), ymodem ? "%s" : "%s/file", rx.dir);
			job_start(&rx);
			job_start(&tx);
			job_wait(&tx, 20000);
			job_wait(&rx, 20000);
			if (tx.rc != HS_OK || rx.rc != HS_OK)
				fail_msg("%s, %zu bytes: send %s (%s), receive %s (%s)",
					 hs_xfer_protocol_name(protos[p]), n, hs_err_name(tx.rc),
					 tx.error, hs_err_name(rx.rc), rx.error);
			snprintf(path, sizeof(path), "%s/file", rx.dir);
			got_n = read_file(path, got, sizeof(got));
			assert_int_equal(tx.st.bytes, n);
			if (ymodem) {
				assert_int_equal(got_n, n);
			} else {
				/* XMODEM: whole blocks, padded with SUB */
				assert_true(got_n >= n && got_n - n < 1024 && got_n % 128 == 0);
				for (size_t i = n; i < got_n; i++)
					assert_int_equal(got[i], XM_SUB);
			}
			assert_memory_equal(got, want, n);
			hs_link_close(rx.link);
			snprintf(path, sizeof(path), "rm -rf %s", rx.dir);
			assert_int_equal(system(path), 0);
			job_free(&tx);
		}
	}
}

/* One byte from a (non-blocking) pipe within 3 s, or -1. */
static int pipe_getc(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t c;

	if (poll(&p, 1, 3000) != 1 || read(fd, &c, 1) != 1)
		return -1;
	return c;
}

/* fd: links over pipes, as hsdial --exec hands a program the call: a
 * whole YMODEM transfer, then the far end closing mid-file gives the
 * unplugged error with the exact count. */
static void test_over_pipes(void **state)
{
	int a[2], b[2];
	struct job tx, rx;
	char uri[32];
	struct hs_line line = { .baud = 9600, .bits = 8, .stop = 1 };
	uint8_t frame[XM_FRAME_MAX], data[1024];
	(void)state;

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	job_init(&tx, HS_XFER_YMODEM);
	hs_link_close(tx.link);
	snprintf(uri, sizeof(uri), "fd:%d,%d", a[0], b[1]);
	assert_int_equal(hs_link_open(&tx.link, uri), HS_OK);
	assert_int_equal(hs_link_info(tx.link)->transport, HS_TRANSPORT_PIPE);
	assert_string_equal(hs_transport_name(HS_TRANSPORT_PIPE), "pipe");
	assert_int_equal(hs_link_set_line(tx.link, &line), HS_ERR_NOT_SUPPORTED);
	tx.sending = 1;
	tx.paths[0] = make_file(&tx, "piped", 5000, -1);
	tx.n = 1;
	memset(&rx, 0, sizeof(rx));
	rx.o = tx.o;
	rx.o.file_done = NULL;
	snprintf(rx.dir, sizeof(rx.dir), "/tmp/hs-xfer-XXXXXX");
	assert_non_null(mkdtemp(rx.dir));
	snprintf(rx.dest, sizeof(rx.dest), "%s", rx.dir);
	snprintf(uri, sizeof(uri), "fd:%d,%d", b[0], a[1]);
	assert_int_equal(hs_link_open(&rx.link, uri), HS_OK);
	job_start(&rx);
	job_start(&tx);
	job_wait(&tx, 20000);
	job_wait(&rx, 20000);
	assert_int_equal(tx.rc, HS_OK);
	assert_int_equal(rx.rc, HS_OK);
	assert_int_equal(rx.st.bytes, 5000);

	/* again, and the sender's side goes away after two blocks */
	rx.done = 0;
	snprintf(rx.dest, sizeof(rx.dest), "%s/cut", rx.dir);
	rx.o.protocol = HS_XFER_XMODEM_1K;
	job_start(&rx);
	assert_int_equal(pipe_getc(a[0]), XM_C);
	memset(data, 'p', sizeof(data));
	for (unsigned i = 1; i <= 2; i++) {
		size_t n = hs_xm_block_build(frame, i, data, 1024, 1024, 1, XM_SUB);
		assert_int_equal(write(b[1], frame, n), (ssize_t)n);
		assert_int_equal(pipe_getc(a[0]), XM_ACK);
	}
	hs_link_close(tx.link);
	tx.link = NULL;
	close(b[1]);
	job_wait(&rx, 5000);
	assert_int_equal(rx.rc, HS_ERR_UNPLUGGED);
	if (!strstr(rx.error, "the program on the other end closed the line (2048 bytes written)"))
		fail_msg("%s", rx.error);
	hs_link_close(rx.link);
	close(a[0]), close(a[1]), close(b[0]);
	snprintf(rx.dest, sizeof(rx.dest), "rm -rf %s", rx.dir);
	assert_int_equal(system(rx.dest), 0);
	job_free(&tx);
}

/* Names from a peer are printed escaped: no byte reaches a terminal
 * raw, and the result fits. */
static void test_printable(void **state)
{
	char buf[64], small[6];
	(void)state;

	assert_string_equal(hs_xfer_printable("a\x1b[2Jb\\c\xff ok", buf, sizeof(buf)),
			    "a\\x1b[2Jb\\x5cc\\xff ok");
	hs_xfer_printable("\x01\x02\x03\x04", small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_to_checksum_receiver),
		cmocka_unit_test(test_send_eot_naked_once),
		cmocka_unit_test(test_send_receiver_cancels),
		cmocka_unit_test(test_send_receiver_never_starts),
		cmocka_unit_test(test_send_receiver_stops),
		cmocka_unit_test(test_send_naked_every_time),
		cmocka_unit_test(test_send_block_sizes),
		cmocka_unit_test(test_send_short_tail),
		cmocka_unit_test(test_send_stale_starts),
		cmocka_unit_test(test_send_ymodem_header_and_g),
		cmocka_unit_test(test_receive_duplicate),
		cmocka_unit_test(test_receive_out_of_sequence),
		cmocka_unit_test(test_receive_bad_crc_every_time),
		cmocka_unit_test(test_receive_garbage),
		cmocka_unit_test(test_receive_sender_cancels),
		cmocka_unit_test(test_receive_sender_never_starts),
		cmocka_unit_test(test_receive_checksum_sender),
		cmocka_unit_test(test_receive_sender_stops),
		cmocka_unit_test(test_receive_ymodem_batch_faults),
		cmocka_unit_test(test_receive_exists),
		cmocka_unit_test(test_receive_strip_sub),
		cmocka_unit_test(test_receive_g_error_cancels),
		cmocka_unit_test(test_both_ends),
		cmocka_unit_test(test_over_pipes),
		cmocka_unit_test(test_printable),
	};
	/* no test may hang the suite */
	alarm(300);
	return cmocka_run_group_tests_name("xfer", tests, NULL, NULL);
}
