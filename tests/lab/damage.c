/*
 * damage.c — a noisy line between the program and a port's device
 * (--damage): bit flips at a rate per bit, bytes dropped or doubled at a
 * rate per byte, and bursts of noise (random bytes in place of data), in
 * either direction or both. Reproducible: each direction draws from its
 * own generator seeded from the seed given, and every change is logged
 * as "DEVICE damage DIR WHAT at=OFFSET ...", OFFSET counting the bytes
 * that direction carried before it (rx: host to device, tx: device to
 * host, as in the rx and tx events, which show the bytes as the device
 * received and sent them).
 *
 * Events are spaced by geometric draws (how many trials until the next
 * one), so a clean line costs nothing per byte and rare errors stay
 * exact at any rate.
 */
#include "lab.h"

#include <math.h>

struct dir_state {
	GRand *rand;
	guint64 offset;            /* bytes this direction carried */
	double to_flip;            /* bits until the next flipped bit */
	double to_drop, to_dup, to_burst;  /* bytes until the next event */
	int noise_left;            /* bytes of the current burst to come */
	GByteArray *out;           /* what the line delivers (one per
	                            * direction: delivering rx may send tx) */
};

struct lab_damage {
	struct dir_state dir[2];   /* 0: rx (to the device), 1: tx */
};

/* Trials before the next event of probability p: geometric, >= 0. */
static double gap(GRand *r, double p)
{
	if (p <= 0)
		return INFINITY;
	if (p >= 1)
		return 0;
	return floor(log1p(-g_rand_double(r)) / log1p(-p));
}

void lab_damage_start(struct lab_port *p)
{
	const struct lab_damage_cfg *c = &p->cfg->damage;
	struct lab_damage *d;

	if (!c->on)
		return;
	d = p->damage = g_new0(struct lab_damage, 1);
	for (int i = 0; i < 2; i++) {
		struct dir_state *s = &d->dir[i];
		s->out = g_byte_array_new();
		s->rand = g_rand_new_with_seed((guint32)(c->seed * 2 + (guint64)i));
		s->to_flip = gap(s->rand, c->ber);
		s->to_drop = gap(s->rand, c->drop);
		s->to_dup = gap(s->rand, c->dup);
		s->to_burst = gap(s->rand, c->burst);
	}
	transcript_event(p->cfg->name, "damage",
	                 "on ber=%g drop=%g dup=%g burst=%g burst-len=%d dir=%s seed=%llu",
	                 c->ber, c->drop, c->dup, c->burst, c->burst_len,
	                 c->rx && c->tx ? "both" : c->rx ? "rx" : "tx",
	                 (unsigned long long)c->seed);
}

const uint8_t *lab_damage(struct lab_port *p, bool to_device, const uint8_t *in,
                          size_t n, size_t *out_n)
{
	const struct lab_damage_cfg *c = &p->cfg->damage;
	struct lab_damage *d = p->damage;
	struct dir_state *s;
	const char *dir = to_device ? "rx" : "tx";

	*out_n = n;
	if (!d || !(to_device ? c->rx : c->tx))
		return in;
	s = &d->dir[to_device ? 0 : 1];
	g_byte_array_set_size(s->out, 0);
	for (size_t i = 0; i < n; i++, s->offset++) {
		uint8_t b = in[i];

		if (s->noise_left > 0) {
			b = (uint8_t)g_rand_int_range(s->rand, 0, 256);
			s->noise_left--;
		} else if (s->to_burst-- <= 0) {
			transcript_event(p->cfg->name, "damage", "%s burst at=%llu len=%d",
			                 dir, (unsigned long long)s->offset, c->burst_len);
			b = (uint8_t)g_rand_int_range(s->rand, 0, 256);
			s->noise_left = c->burst_len - 1;
			s->to_burst = gap(s->rand, c->burst);
		}
		if (s->to_drop-- <= 0) {
			transcript_event(p->cfg->name, "damage", "%s drop at=%llu",
			                 dir, (unsigned long long)s->offset);
			s->to_drop = gap(s->rand, c->drop);
			continue;
		}
		while (s->to_flip < 8) {
			int bit = (int)s->to_flip;
			b ^= (uint8_t)(1u << bit);
			transcript_event(p->cfg->name, "damage", "%s flip at=%llu bit=%d",
			                 dir, (unsigned long long)s->offset, bit);
			s->to_flip += 1 + gap(s->rand, c->ber);
		}
		s->to_flip -= 8;
		g_byte_array_append(s->out, &b, 1);
		if (s->to_dup-- <= 0) {
			transcript_event(p->cfg->name, "damage", "%s dup at=%llu",
			                 dir, (unsigned long long)s->offset);
			g_byte_array_append(s->out, &b, 1);
			s->to_dup = gap(s->rand, c->dup);
		}
	}
	*out_n = s->out->len;
	return s->out->data;
}

void lab_damage_stop(struct lab_port *p)
{
	struct lab_damage *d = p->damage;

	if (!d)
		return;
	for (int i = 0; i < 2; i++) {
		g_rand_free(d->dir[i].rand);
		g_byte_array_free(d->dir[i].out, TRUE);
	}
	g_free(d);
	p->damage = NULL;
}
