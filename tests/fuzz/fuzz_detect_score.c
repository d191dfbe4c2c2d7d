/*
 * fuzz_detect_score.c - what a device that talks by itself sends, as
 * passive detection scores it (lib/detect_score.c): any bytes, and any
 * count of them marked damaged.
 *
 * Input: two bytes of damaged count (big-endian), then the sample.
 * Invariants: the score and the shares are per cents; the framing it
 * suggests is 7 or 8 bits, with a parity a line can have; 8 bits never
 * carry a parity in bit 7; counts are not negative and NMEA sentences
 * are no more than the '$' bytes; the same sample scores the same twice.
 */
#include <string.h>

#include "detect_score.h"
#include "harness.h"

static int pct(int v)
{
	return v >= 0 && v <= 100;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hs_score a, b;
	unsigned long damaged;
	size_t dollars = 0;

	if (size < 2)
		return 0;
	damaged = (unsigned long)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	for (size_t i = 0; i < size; i++)
		dollars += (data[i] & 0x7f) == '$';
	memset(&a, 0x55, sizeof(a));
	hs_detect_score(data, size, damaged, &a);
	FUZZ_CHECK(pct(a.score) && pct(a.printable) && pct(a.damaged),
		   "score %d printable %d damaged %d", a.score, a.printable, a.damaged);
	FUZZ_CHECK(a.bits == 7 || a.bits == 8, "bits %d", a.bits);
	FUZZ_CHECK(a.parity == HS_PARITY_NONE || a.parity == HS_PARITY_EVEN ||
		   a.parity == HS_PARITY_ODD || a.parity == HS_PARITY_MARK ||
		   a.parity == HS_PARITY_SPACE, "parity %d", (int)a.parity);
	FUZZ_CHECK(a.bits == 7 || a.parity == HS_PARITY_NONE, "8 bits with parity %d",
		   (int)a.parity);
	FUZZ_CHECK(a.nine_bit == 0 || a.nine_bit == 1, "nine_bit %d", a.nine_bit);
	FUZZ_CHECK(a.lines >= 0 && (size_t)a.lines <= size, "lines %d of %zu", a.lines, size);
	FUZZ_CHECK(a.nmea_good >= 0 && a.nmea_bad >= 0 &&
		   (size_t)(a.nmea_good + a.nmea_bad) <= dollars,
		   "nmea %d+%d, %zu '$'", a.nmea_good, a.nmea_bad, dollars);
	memset(&b, 0xaa, sizeof(b));
	hs_detect_score(data, size, damaged, &b);
	FUZZ_CHECK(!memcmp(&a, &b, sizeof(a)), "two scores of one sample differ");
	return 0;
}
