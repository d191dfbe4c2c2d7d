/*
 * nullmodem.c — two ports wired back to back, like a null-modem cable:
 * what one host writes the other reads, and each side's DTR shows up as
 * the other side's DSR and DCD, its RTS as the other side's CTS. This lets
 * a program nobody here wrote (a terminal, pppd) sit on the far end.
 */
#include "lab.h"

#include <sys/ioctl.h>

/* mirror one side's host lines onto the other side's device lines */
static void wire(struct lab_port *to, unsigned host)
{
	lab_port_set_lines(to, TIOCM_DSR | TIOCM_CD, host & TIOCM_DTR);
	lab_port_set_lines(to, TIOCM_CTS, host & TIOCM_RTS);
}

static void null_start(struct lab_port *p)
{
	if (p->peer)
		wire(p->peer, lab_port_host_lines(p));
}

static void null_rx(struct lab_port *p, const uint8_t *buf, size_t n)
{
	if (p->peer && !p->peer->unplugged)
		lab_port_send(p->peer, buf, n);
}

static void null_lines(struct lab_port *p, unsigned before, unsigned after)
{
	(void)before;
	if (p->peer && !p->peer->unplugged)
		wire(p->peer, after);
}

const struct lab_model_ops lab_null_ops = {
	.name = "null-modem",
	.start = null_start,
	.rx = null_rx,
	.host_lines = null_lines,
};
