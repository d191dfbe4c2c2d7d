/*
 * zmodem.c - what the ZMODEM sender and receiver share: reading events
 * through the codec's decoder off the transfer's input buffer, and
 * writing headers and subpackets with the agreed check and escapes.
 */
#include <string.h>

#include "zmodem_priv.h"

void zm_init(struct zm *z, struct xf *x)
{
	memset(z, 0, sizeof(*z));
	z->x = x;
	hs_zm_dec_init(&z->dec, z->sub, sizeof(z->sub));
	if (x->o.escape_ctl)
		z->esc |= ZM_ESC_CTL;
}

int zm_next(struct zm *z, int64_t deadline, enum zm_ev *ev)
{
	struct xf *x = z->x;

	for (;;) {
		if (x->in_pos < x->in_len) {
			x->in_pos += hs_zm_dec_feed(&z->dec, x->in + x->in_pos,
						    x->in_len - x->in_pos, ev);
			x->st.err_garbage = (unsigned)z->dec.garbage;
			if (*ev != ZM_EV_MORE)
				return HS_OK;
		}
		int rc = xf_more(x, deadline);
		if (rc < 0)
			return rc;
	}
}

int zm_hex_hdr(struct zm *z, const struct zm_hdr *h)
{
	return xf_write(z->x, z->out, hs_zm_hex_header(z->out, h));
}

int zm_hex(struct zm *z, int type, uint32_t pos)
{
	struct zm_hdr h = hs_zm_pos_hdr(type, pos);
	return zm_hex_hdr(z, &h);
}

int zm_bin_hdr(struct zm *z, const struct zm_hdr *h)
{
	return xf_write(z->x, z->out, hs_zm_bin_header(z->out, h, z->crc32, z->esc));
}

int zm_bin_hdr_data(struct zm *z, const struct zm_hdr *h, const uint8_t *data, size_t n,
		    int end)
{
	size_t k = hs_zm_bin_header(z->out, h, z->crc32, z->esc);

	k += hs_zm_subpacket(z->out + k, data, n, end, z->crc32, z->esc);
	return xf_write(z->x, z->out, k);
}

int zm_data(struct zm *z, const uint8_t *data, size_t n, int end)
{
	return xf_write(z->x, z->out, hs_zm_subpacket(z->out, data, n, end, z->crc32, z->esc));
}

int zm_aborted(struct zm *z)
{
	return xf_fail(z->x, HS_ERR_ABORTED, "the %s canceled the transfer (CAN CAN)",
		       z->x->sending ? "receiver" : "sender");
}
