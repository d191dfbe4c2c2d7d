/*
 * detect_score.c - how clear a sample of a talking device's output is.
 *
 * What a device says at the right setting is text: printable characters
 * in lines, no damaged characters; at a wrong rate it is garbage full of
 * framing errors and breaks. So the score is the share of printable
 * characters, squared (garbage is a third printable), cut by the share of
 * damaged ones, cut again for long text with no line end and for too
 * small a sample. Text also has separators (spaces, commas, line ends)
 * every few characters, and characters from several ranges (digits,
 * capitals, small letters): a slow port sampling a fast device's bits
 * reads mostly the high bits set ("q}|tu}~y"), printable but neither.
 * NMEA 0183 sentences with good checksums ($...*hh) are proof on their
 * own.
 *
 * Bytes are read at 8 data bits. 7-bit text from a device at 7E1, 7O1 or
 * 7N2 then carries its parity (or a stop bit) in bit 7; when bit 7 is
 * that in nearly every character, the text is judged on the low 7 bits
 * and the framing is reported. A parity bit where 8N1 expects the stop
 * bit (8E1, 8O1) shows as framing errors on otherwise good characters.
 */
#include <string.h>

#include "detect_score.h"

/* share of characters that must agree before bit 7 counts as parity */
#define AGREE_PERCENT 95

static int text_char(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t';
}

static unsigned hexval(unsigned char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
}

/* Count "$BODY*hh" sentences by whether hh is the XOR of BODY. */
static void nmea(const unsigned char *b, size_t n, unsigned mask, struct hs_score *o)
{
	for (size_t i = 0; i < n; i++) {
		unsigned sum = 0;
		size_t j;

		if ((b[i] & mask) != '$')
			continue;
		for (j = i + 1; j < n && j < i + 90; j++) {
			unsigned char c = b[j] & mask;
			if (c == '*' || c == '$' || c == '\r' || c == '\n')
				break;
			sum ^= c;
		}
		if (j + 2 >= n || (b[j] & mask) != '*' || j == i + 1)
			continue;
		if (hexval(b[j + 1] & mask) < 16 && hexval(b[j + 2] & mask) < 16 &&
		    ((hexval(b[j + 1] & mask) << 4) | hexval(b[j + 2] & mask)) == sum)
			o->nmea_good++;
		else
			o->nmea_bad++;
		i = j;
	}
}

void hs_detect_score(const unsigned char *buf, size_t n, unsigned long damaged,
		     struct hs_score *o)
{
	size_t high = 0, even = 0, odd = 0, text = 0, run = 0, longest = 0, seps = 0;
	unsigned ranges = 0;
	unsigned mask = 0xff;
	double s, p, bad;

	memset(o, 0, sizeof(*o));
	o->bits = 8;
	o->parity = HS_PARITY_NONE;
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		int ones = __builtin_popcount(buf[i] & 0x7f) & 1;
		int b7 = buf[i] >> 7;
		high += (size_t)b7;
		even += b7 == ones;
		odd += b7 != ones;
	}
	/* bit 7 carries something only if it is ever set */
	if (high * 20 > n) {
		if (even * 100 >= n * AGREE_PERCENT)
			o->bits = 7, o->parity = HS_PARITY_EVEN;
		else if (odd * 100 >= n * AGREE_PERCENT)
			o->bits = 7, o->parity = HS_PARITY_ODD;
		else if (high * 100 >= n * AGREE_PERCENT)
			o->bits = 7, o->parity = HS_PARITY_MARK;
	}
	if (o->bits == 7)
		mask = 0x7f;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i] & mask;
		text += (size_t)text_char(c);
		seps += c == ' ' || c == ',' || c == '\t' || c == '\r' || c == '\n';
		if (c >= 0x20 && c < 0x80)
			ranges |= 1u << (c >> 4);
		if (c == '\n' || (c == '\r' && (i + 1 == n || (buf[i + 1] & mask) != '\n'))) {
			o->lines++;
			run = 0;
		} else if (++run > longest) {
			longest = run;
		}
	}
	nmea(buf, n, mask, o);
	if (damaged > n)
		damaged = n;
	o->printable = (int)(text * 100 / n);
	o->damaged = (int)(damaged * 100 / n);
	o->nine_bit = o->damaged >= 20 && o->printable >= 80;
	p = (double)text / (double)n;
	bad = (double)damaged / (double)n;
	s = 100.0 * p * p;
	if (o->nine_bit)
		s *= 0.5;  /* good text at the wrong framing: a lead, not a find */
	else
		s *= bad * 3 < 1 ? 1 - bad * 3 : 0;
	if (n >= 80 && o->lines == 0)
		s *= 0.6;
	else if (longest > 240)
		s *= 0.8;
	if (n >= 24 && seps * 30 < n)
		s *= 0.3;  /* no words, no fields, no lines */
	if (n >= 24 && __builtin_popcount(ranges) < 3)
		s *= 0.3;  /* all from one or two ranges of the table */
	if (n < 16)
		s = s * (double)n / 16;
	if (o->nmea_good && !o->nmea_bad && !damaged)
		s = s > 90 + 2 * o->nmea_good ? s : 90 + 2 * o->nmea_good;
	else if (o->nmea_bad > o->nmea_good)
		s *= 0.5;
	if (s > 100)
		s = 100;
	o->score = (int)(s + 0.5);
}
