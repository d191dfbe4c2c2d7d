/*
 * faults.c — what goes wrong with real devices, on demand.
 *
 * Each port may carry faults (--fault), each fired once, immediately, after
 * N bytes received from the host (exactly: the port reads no further until
 * it fired, see faults_rx_room), or T ms after start:
 *   unplug        the tty hangs up and the node disappears (lab_tty.c)
 *   silence       the device never sends another byte
 *   garbage       random bytes, 16 every 50 ms
 *   endless-line  printable bytes with no line end, 64 every 20 ms
 *   carrier-loss  the modem loses the call (NO CARRIER, DCD low); other
 *                 models just drop DCD
 *   stuck-busy    XOFF sent, CTS and DSR low, never cleared
 * Every fault is logged as "DEVICE fault KIND".
 */
#include "lab.h"

#include <sys/ioctl.h>

struct fault_run {
	struct lab_port *p;
	const struct lab_fault_cfg *f;
	bool fired;
	guint timer;               /* after-ms trigger or repeating stream */
	GRand *rand;
};

static GPtrArray *runs;        /* every struct fault_run, all ports */

static const char *fault_name(enum lab_fault k)
{
	switch (k) {
	case FAULT_UNPLUG: return "unplug";
	case FAULT_SILENCE: return "silence";
	case FAULT_GARBAGE: return "garbage";
	case FAULT_ENDLESS: return "endless-line";
	case FAULT_CARRIER_LOSS: return "carrier-loss";
	case FAULT_STUCK_BUSY: return "stuck-busy";
	default: return "none";
	}
}

static gboolean stream(gpointer data)
{
	struct fault_run *r = data;
	uint8_t buf[64];
	size_t n;

	if (r->p->unplugged) {
		r->timer = 0;
		return G_SOURCE_REMOVE;
	}
	if (r->f->kind == FAULT_GARBAGE) {
		n = 16;
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)g_rand_int_range(r->rand, 0, 256);
	} else {
		/* a line that never ends: printable, no CR or LF */
		n = sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)('A' + (i % 26));
	}
	lab_port_send(r->p, buf, n);
	return G_SOURCE_CONTINUE;
}

static void fire(struct fault_run *r)
{
	struct lab_port *p = r->p;
	uint8_t xoff = 0x13;

	if (r->fired || p->unplugged)
		return;
	r->fired = true;
	if (r->timer)
		g_source_remove(r->timer);
	r->timer = 0;
	transcript_event(p->cfg->name, "fault", "%s", fault_name(r->f->kind));
	switch (r->f->kind) {
	case FAULT_UNPLUG:
		lab_port_unplug(p);
		break;
	case FAULT_SILENCE:
		p->silent = true;
		break;
	case FAULT_GARBAGE:
		r->rand = g_rand_new_with_seed(4711); /* reproducible */
		r->timer = g_timeout_add(50, stream, r);
		break;
	case FAULT_ENDLESS:
		r->timer = g_timeout_add(20, stream, r);
		break;
	case FAULT_CARRIER_LOSS:
		if (p->ops == &lab_modem_ops)
			modem_carrier_loss(p);
		else
			lab_port_set_lines(p, TIOCM_CD, false);
		break;
	case FAULT_STUCK_BUSY:
		printer_stuck(p);
		lab_port_send(p, &xoff, 1);
		lab_port_set_lines(p, TIOCM_CTS | TIOCM_DSR, false);
		break;
	default:
		break;
	}
}

static gboolean fire_timer(gpointer data)
{
	struct fault_run *r = data;

	r->timer = 0;
	fire(r);
	return G_SOURCE_REMOVE;
}

void faults_start(struct lab_port *p)
{
	if (!runs)
		runs = g_ptr_array_new();
	for (int i = 0; i < p->cfg->nfaults; i++) {
		struct fault_run *r = g_new0(struct fault_run, 1);
		r->p = p;
		r->f = &p->cfg->faults[i];
		g_ptr_array_add(runs, r);
		if (r->f->after_ms >= 0)
			r->timer = g_timeout_add((guint)r->f->after_ms,
			                         fire_timer, r);
		else if (r->f->after_bytes <= 0)
			r->timer = g_idle_add(fire_timer, r);
	}
}

/* a fault still waiting for the port's byte count to reach it */
static bool byte_pending(const struct fault_run *r, const struct lab_port *p)
{
	return r->p == p && !r->fired && r->f->after_bytes >= 0 &&
	       r->f->after_ms < 0;
}

void faults_rx(struct lab_port *p, size_t n)
{
	(void)n;
	if (!runs)
		return;
	for (guint i = 0; i < runs->len; i++) {
		struct fault_run *r = runs->pdata[i];
		if (byte_pending(r, p) && p->rx_total >= r->f->after_bytes)
			fire(r);
	}
}

size_t faults_rx_room(struct lab_port *p)
{
	size_t room = SIZE_MAX;

	for (guint i = 0; runs && i < runs->len; i++) {
		const struct fault_run *r = runs->pdata[i];
		if (byte_pending(r, p))
			room = MIN(room, (size_t)MAX(0, r->f->after_bytes -
			                             p->rx_total));
	}
	return room;
}
