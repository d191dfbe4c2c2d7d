/*
 * talker.c — devices that talk by themselves and never read: a console
 * printing its boot log, and a GPS receiver sending NMEA 0183 sentences.
 * They are what passive line detection listens to: their UART setting is
 * the port's --line, so a program at another setting hears what a real
 * UART would (uart_mismatch.c).
 *
 * The console prints one line of a boot log every --talk-interval ms
 * (100), from the top again after the last. The GPS sends a burst of
 * GGA, RMC, GSA and GSV sentences every --talk-interval ms (1000), as
 * receivers do once a second; the fix's time advances a second per burst.
 * Sentences carry the checksum NMEA 0183 defines: the XOR of every
 * character between '$' and '*', in two hex digits.
 */
#include "lab.h"

#include <string.h>
#include <sys/ioctl.h>

struct talker {
	guint timer;
	unsigned n;                /* lines or bursts sent so far */
};

static struct talker *T(struct lab_port *p) { return p->model; }

/* ---- console ---------------------------------------------------------- */

static const char *const boot_log[] = {
	"U-Boot 2022.01 (Jan 10 2023 - 12:00:00 +0000)",
	"DRAM:  512 MiB",
	"Hit any key to stop autoboot:  0",
	"Starting kernel ...",
	"[    0.000000] Booting Linux on physical CPU 0x0",
	"[    0.000000] Linux version 5.10.0 (build@lab) #1 SMP",
	"[    0.000000] Machine model: HSLAB single board computer",
	"[    0.120000] Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled",
	"[    0.250000] console [ttyS0] enabled",
	"[    1.020000] EXT4-fs (mmcblk0p2): mounted filesystem",
	"[    1.500000] systemd[1]: Detected architecture arm.",
	"Welcome to Debian GNU/Linux 12 (bookworm)!",
	"[  OK  ] Started Serial Getty on ttyS0.",
	"[  OK  ] Reached target Multi-User System.",
	"Debian GNU/Linux 12 hslab ttyS0",
	"hslab login: ",
};

static gboolean console_tick(gpointer data)
{
	struct lab_port *p = data;
	struct talker *t = T(p);
	const char *line = boot_log[t->n++ % G_N_ELEMENTS(boot_log)];
	char *s = g_strconcat(line, "\r\n", NULL);

	lab_port_sends(p, s);
	g_free(s);
	return G_SOURCE_CONTINUE;
}

/* ---- NMEA ------------------------------------------------------------- */

/* "$BODY*hh\r\n" with BODY's checksum */
static void sentence(GString *out, const char *body)
{
	unsigned sum = 0;

	for (const char *c = body; *c; c++)
		sum ^= (unsigned char)*c;
	g_string_append_printf(out, "$%s*%02X\r\n", body, sum & 0xff);
}

static gboolean nmea_tick(gpointer data)
{
	struct lab_port *p = data;
	struct talker *t = T(p);
	unsigned sec = 12 * 3600 + 35 * 60 + t->n++;
	char hms[16], body[128];
	GString *out = g_string_new(NULL);

	g_snprintf(hms, sizeof(hms), "%02u%02u%02u.00", sec / 3600 % 24,
	           sec / 60 % 60, sec % 60);
	g_snprintf(body, sizeof(body), "GPGGA,%s,4807.038,N,01131.000,E,1,08,"
	           "0.9,545.4,M,46.9,M,,", hms);
	sentence(out, body);
	g_snprintf(body, sizeof(body), "GPRMC,%s,A,4807.038,N,01131.000,E,"
	           "022.4,084.4,230394,003.1,W", hms);
	sentence(out, body);
	sentence(out, "GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1");
	sentence(out, "GPGSV,2,1,08,01,40,083,46,02,17,308,41,12,07,344,39,"
	         "14,22,228,45");
	sentence(out, "GPGSV,2,2,08,15,12,140,38,18,55,060,47,24,33,270,44,"
	         "25,05,190,31");
	lab_port_send(p, out->str, out->len);
	g_string_free(out, TRUE);
	return G_SOURCE_CONTINUE;
}

/* ---- model ops -------------------------------------------------------- */

static void start(struct lab_port *p, GSourceFunc tick, long dflt_ms)
{
	struct talker *t = g_new0(struct talker, 1);

	p->model = t;
	/* powered: DSR and CTS up, as a device with a full cable shows */
	lab_port_set_lines(p, TIOCM_DSR | TIOCM_CTS, true);
	t->timer = g_timeout_add((guint)(p->cfg->talk_ms ? p->cfg->talk_ms
	                                                 : dflt_ms), tick, p);
}

static void console_start(struct lab_port *p)
{
	start(p, console_tick, 100);
}

static void nmea_start(struct lab_port *p)
{
	start(p, nmea_tick, 1000);
}

static void talker_stop(struct lab_port *p)
{
	struct talker *t = T(p);

	if (t && t->timer)
		g_source_remove(t->timer);
	if (t)
		t->timer = 0;
}

const struct lab_model_ops lab_console_ops = {
	.name = "console",
	.start = console_start,
	.stop = talker_stop,
};

const struct lab_model_ops lab_nmea_ops = {
	.name = "nmea",
	.start = nmea_start,
	.stop = talker_stop,
};
