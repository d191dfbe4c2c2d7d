/*
 * fuzz_xfer.c - XMODEM/YMODEM blocks as a peer sends them
 * (lib/xfer_codec.c): the frame parser in both check modes, the
 * sequence check, and YMODEM's block 0 with its untrusted file name.
 *
 * Input: FLAGS RS FRAME RS HEADER. Bit 0 of FLAGS picks CRC-16 or the
 * checksum; its next byte is the sequence number the receiver expects.
 * Invariants: an accepted frame's payload lies inside it, is 128 or 1024
 * bytes and rebuilds to the very frame that came; a refused one names a
 * reason; block 0 accepted means a name that is safe to create in a
 * folder (checked again by the public rule), NUL-ended, and a header
 * built from what was parsed parses the same; a refused name says why;
 * the printable form of any name is printable ASCII.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/error.h"
#include "harness.h"
#include "xfer_codec.h"

static void frame(const uint8_t *p, size_t n, int crc, unsigned expected)
{
	uint8_t again[XM_FRAME_MAX];
	const uint8_t *data = NULL;
	unsigned seq = 999;
	size_t size = 0;
	enum hs_xm_parse r = hs_xm_block_parse(p, n, crc, &seq, &data, &size);

	FUZZ_CHECK(hs_xm_parse_text(r) && hs_xm_parse_text(r)[0], "no text for %d", r);
	if (r != HS_XM_OK)
		return;
	FUZZ_CHECK(seq < 256, "seq %u", seq);
	FUZZ_CHECK(size == 128 || size == 1024, "size %zu", size);
	FUZZ_CHECK(data >= p && data + size <= p + n, "payload outside the frame");
	FUZZ_CHECK(hs_xm_block_build(again, seq, data, size, size, crc, XM_SUB) == n,
		   "rebuilt length differs");
	FUZZ_CHECK(!memcmp(again, p, n), "rebuilt frame differs");
	enum hs_xm_seq s = hs_xm_seq_check(seq, expected);
	FUZZ_CHECK(s == HS_XM_SEQ_NEXT ? seq == (expected & 0xff) :
		   s == HS_XM_SEQ_DUP ? seq == ((expected - 1) & 0xff) :
		   seq != (expected & 0xff) && seq != ((expected - 1) & 0xff),
		   "seq %u against %u said %d", seq, expected, s);
}

static void printable(const char *name)
{
	char out[HS_XFER_NAME_MAX * 4 + 1];

	hs_xfer_printable(name, out, sizeof(out));
	FUZZ_CHECK(fuzz_printable(out, sizeof(out)), "printable form is not");
}

static void header(const uint8_t *p, size_t n)
{
	struct hs_ym_header *h = malloc(sizeof(*h)), *h2 = malloc(sizeof(*h2));
	uint8_t *blk = calloc(1, 1024);
	const char *why = NULL;
	int rc;

	if (!h || !h2 || !blk)
		abort();
	rc = hs_ym_header_parse(p, n, h, &why);
	if (rc == HS_OK) {
		FUZZ_CHECK(fuzz_terminated(h->name, sizeof(h->name)), "name not ended");
		printable(h->name);
		if (!h->empty) {
			FUZZ_CHECK(h->name[0], "a file with no name");
			FUZZ_CHECK(hs_ym_name_check(h->name, strlen(h->name), &why) == HS_OK,
				   "accepted a name the rule refuses");
			if (hs_ym_header_build(blk, h->name, h->size, h->size < 0 ? -1 : h->mtime,
					       h->size < 0 || h->mtime < 0 ? 0 : h->mode)) {
				FUZZ_CHECK(hs_ym_header_parse(blk, 1024, h2, &why) == HS_OK,
					   "a built header does not parse");
				FUZZ_CHECK(!strcmp(h->name, h2->name) && h->size == h2->size,
					   "a built header parses differently");
			}
		}
	} else if (rc == HS_ERR_BAD_NAME) {
		FUZZ_CHECK(why && why[0], "bad name, no reason");
		FUZZ_CHECK(fuzz_terminated(h->name, sizeof(h->name)), "refused name not ended");
		printable(h->name);
	} else {
		FUZZ_CHECK(rc == HS_ERR_PROTOCOL, "error %d", rc);
	}
	free(h);
	free(h2);
	free(blk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_records rec;
	const uint8_t *flags = NULL, *p;
	size_t nflags = 0, n;

	fuzz_records_init(&rec, data, size);
	fuzz_record(&rec, &flags, &nflags);
	int crc = nflags ? flags[0] & 1 : 1;
	unsigned expected = nflags > 1 ? flags[1] : 1;
	if (fuzz_record(&rec, &p, &n))
		frame(p, n, crc, expected);
	if (fuzz_record(&rec, &p, &n))
		header(p, n);
	return 0;
}
