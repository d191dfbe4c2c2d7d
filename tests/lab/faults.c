/*
 * faults.c — what goes wrong with real devices, on demand.
 *
 * Each port may carry faults (--fault), each fired once, immediately, after
 * N bytes received from the host (exactly: the port reads no further until
 * it fired, see faults_rx_room), T ms after start, when a program opens
 * the port (on-open), or when the modem says CONNECT (on-connect):
 *   unplug        the tty hangs up and the node disappears (lab_tty.c)
 *   silence       the device never sends another byte
 *   garbage       random bytes, 16 every 50 ms
 *   endless-line  printable bytes with no line end, 64 every 20 ms
 *   rings         "RING\r\n" over and over, 64 bytes every 20 ms
 *   carrier-loss  the modem loses the call (NO CARRIER, DCD low); other
 *                 models just drop DCD
 *   stuck-busy    XOFF sent, CTS and DSR low, never cleared
 * The three streams can flood instead (flood N): N bytes sent as fast as
 * the host takes them, the first at once, then the stream ends. A flood
 * is not logged byte by byte (megabytes would swamp the transcript):
 * "fault KIND flood N" when it starts, "flood KIND sent N" when done.
 * Every fault is logged as "DEVICE fault KIND".
 */
#include "lab.h"

#include <sys/ioctl.h>

/* a flood goes out in pieces this big, each when the last is taken */
#define FLOOD_CHUNK 16384

struct fault_run {
	struct lab_port *p;
	const struct lab_fault_cfg *f;
	bool fired;
	guint timer;               /* after-ms trigger or repeating stream */
	GRand *rand;
	long pos;                  /* bytes of the stream made so far */
	long flood_left;           /* flood: bytes still to send */
};

static GPtrArray *runs;        /* every struct fault_run, all ports */

static const char *fault_name(enum lab_fault k)
{
	switch (k) {
	case FAULT_UNPLUG: return "unplug";
	case FAULT_SILENCE: return "silence";
	case FAULT_GARBAGE: return "garbage";
	case FAULT_ENDLESS: return "endless-line";
	case FAULT_RINGS: return "rings";
	case FAULT_CARRIER_LOSS: return "carrier-loss";
	case FAULT_STUCK_BUSY: return "stuck-busy";
	default: return "none";
	}
}

/* The next n bytes of the stream the fault sends. */
static void make_stream(struct fault_run *r, uint8_t *buf, size_t n)
{
	static const char ring[] = "RING\r\n";

	for (size_t i = 0; i < n; i++, r->pos++) {
		switch (r->f->kind) {
		case FAULT_GARBAGE:
			buf[i] = (uint8_t)g_rand_int_range(r->rand, 0, 256);
			break;
		case FAULT_RINGS:
			buf[i] = (uint8_t)ring[r->pos % (long)(sizeof(ring) - 1)];
			break;
		default:
			/* a line that never ends: printable, no CR or LF */
			buf[i] = (uint8_t)('A' + r->pos % 26);
			break;
		}
	}
}

static gboolean stream(gpointer data)
{
	struct fault_run *r = data;
	uint8_t buf[64];
	size_t n = r->f->kind == FAULT_GARBAGE ? 16 : sizeof(buf);

	if (r->p->unplugged) {
		r->timer = 0;
		return G_SOURCE_REMOVE;
	}
	make_stream(r, buf, n);
	lab_port_send(r->p, buf, n);
	return G_SOURCE_CONTINUE;
}

/* Send flood chunks while the host keeps taking them; the port calls
 * back when a chunk that had to wait is gone. */
static void flood_more(struct lab_port *p, void *data)
{
	struct fault_run *r = data;
	uint8_t buf[FLOOD_CHUNK];

	/* whole RINGs in each piece: what the modem itself sends (an
	 * echo, a reply) comes between two, never inside one */
	size_t piece = r->f->kind == FAULT_RINGS ? sizeof(buf) - sizeof(buf) % 6
	                                         : sizeof(buf);

	while (r->flood_left > 0 && !p->unplugged && lab_port_tx_pending(p) == 0) {
		size_t n = (size_t)MIN(r->flood_left, (long)piece);
		make_stream(r, buf, n);
		lab_port_send_raw(p, buf, n);
		r->flood_left -= (long)n;
	}
	if (r->flood_left == 0 && lab_port_tx_pending(p) == 0) {
		r->flood_left = -1;
		lab_port_on_sent(p, NULL, NULL);
		transcript_event(p->cfg->name, "flood", "%s sent %ld",
		                 fault_name(r->f->kind), r->pos);
	}
}

static void start_stream(struct fault_run *r, guint interval_ms)
{
	if (r->f->kind == FAULT_GARBAGE)
		r->rand = g_rand_new_with_seed(4711); /* reproducible */
	if (r->f->flood < 0) {
		r->timer = g_timeout_add(interval_ms, stream, r);
		return;
	}
	r->flood_left = r->f->flood;
	lab_port_on_sent(r->p, flood_more, r);
	flood_more(r->p, r);
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
	if (r->f->flood >= 0)
		transcript_event(p->cfg->name, "fault", "%s flood %ld",
		                 fault_name(r->f->kind), r->f->flood);
	else
		transcript_event(p->cfg->name, "fault", "%s",
		                 fault_name(r->f->kind));
	switch (r->f->kind) {
	case FAULT_UNPLUG:
		lab_port_unplug(p);
		break;
	case FAULT_SILENCE:
		p->silent = true;
		break;
	case FAULT_GARBAGE:
		start_stream(r, 50);
		break;
	case FAULT_ENDLESS:
	case FAULT_RINGS:
		start_stream(r, 20);
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
		r->flood_left = -1;
		g_ptr_array_add(runs, r);
		if (r->f->when != WHEN_DEFAULT)
			continue;
		if (r->f->after_ms >= 0)
			r->timer = g_timeout_add((guint)r->f->after_ms,
			                         fire_timer, r);
		else if (r->f->after_bytes <= 0)
			r->timer = g_idle_add(fire_timer, r);
	}
}

/* fire p's faults that wait for event when */
static void fire_when(struct lab_port *p, enum lab_fault_when when)
{
	for (guint i = 0; runs && i < runs->len; i++) {
		struct fault_run *r = runs->pdata[i];
		if (r->p == p && r->f->when == when)
			fire(r);
	}
}

void faults_opened(struct lab_port *p)
{
	fire_when(p, WHEN_OPEN);
}

void faults_connected(struct lab_port *p)
{
	fire_when(p, WHEN_CONNECT);
}

/* a fault still waiting for the port's byte count to reach it */
static bool byte_pending(const struct fault_run *r, const struct lab_port *p)
{
	return r->p == p && !r->fired && r->f->after_bytes >= 0 &&
	       r->f->after_ms < 0 && r->f->when == WHEN_DEFAULT;
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
