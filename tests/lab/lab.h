/*
 * lab.h — shared declarations of the device lab (hslab).
 *
 * The lab plays the *device* side of emulated USB serial ports. Map:
 *   hslab.c      main: re-exec under umockdev-wrapper, testbed, child, loop
 *   config.c     options and scenario lines (one parser for both)
 *   lab_tty.c    a port: modem-line ioctls, unplug
 *   lab_uart.c   a port's bytes: the host UART's queue, pty master I/O
 *   lab_sysfs.c  a port's sysfs records (tty, usb-serial, USB device)
 *   lab_hupcl.c  opens and last close of a port (HUPCL drops DTR/RTS)
 *   lab_miwait.c TIOCMIWAIT: waits for modem-line changes
 *   transcript.c the timestamped event log tests assert on
 *   modem.c      Hayes modem model; farend.c its remote ends
 *   printer.c    serial printer model
 *   nullmodem.c  two ports wired back to back
 *   faults.c     unplug, silence, garbage, endless line, RING flood,
 *                carrier loss, busy
 *   damage.c     a noisy line: bit flips, drops, doubles, bursts (--damage)
 *   program.c    a program as the device (lrzsz on the far end of a line)
 *   uart_mismatch.c  the device's UART setting and what crosses when the
 *                program's differs (garbled frames, PARMRK, TIOCGICOUNT)
 *   modem_dte.c  the modem's DTE rate and framing (+IPR, +ICF, autobaud)
 *   talker.c     devices that talk by themselves: a console, an NMEA source
 *   usbprinter.c a USB printer-class device over usbdevfs (own header)
 *
 * Threads: everything runs on the GLib main loop (main thread) except the
 * ioctl handler, which umockdev calls on its own worker thread. The only
 * state both touch is a port's modem lines and its unplugged flag, guarded
 * by lab_port.lock; the handler hands line changes to the main loop with
 * g_main_context_invoke() so models never run on the worker thread.
 */
#ifndef HSLAB_LAB_H
#define HSLAB_LAB_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>

#include "unescape.h"

#define LAB_MAX_PORTS 8
#define LAB_MAX_ATI 16
#define LAB_MAX_NUMBERS 32
#define LAB_MAX_RINGS 8
#define LAB_MAX_STEPS 32

/* ---- configuration (filled by config.c, read by everything) ---------- */

enum lab_model { LAB_MODEL_MODEM, LAB_MODEL_PRINTER, LAB_MODEL_NULL,
                 LAB_MODEL_NONE, LAB_MODEL_PROGRAM, LAB_MODEL_CONSOLE,
                 LAB_MODEL_NMEA };

/* What answers when the modem dials a number. */
enum lab_far_kind { FAR_LOOPBACK, FAR_SCRIPT, FAR_TCP, FAR_BUSY,
                    FAR_NOANSWER, FAR_NODIALTONE };

struct lab_step {                  /* one scripted-peer step */
	bool send;                 /* true: send text; false: expect text */
	char *text;                /* unescaped bytes, NUL-terminated */
	size_t len;                /* length of text (may contain NUL) */
};

struct lab_far {
	char number[64];           /* digits only; "" = default entry */
	enum lab_far_kind kind;
	char host[128];            /* FAR_TCP */
	char port[16];             /* FAR_TCP */
	struct lab_step steps[LAB_MAX_STEPS]; /* FAR_SCRIPT */
	int nsteps;
	bool hangup_after;         /* FAR_SCRIPT: drop carrier after the steps */
};

struct lab_ring {                  /* a scheduled incoming call */
	double at;                 /* seconds after start */
	char number[64];           /* caller ID NMBR ("" = none) */
	char name[64];             /* caller ID NAME ("" = none) */
};

enum lab_fault { FAULT_NONE = 0, FAULT_UNPLUG, FAULT_SILENCE, FAULT_GARBAGE,
                 FAULT_ENDLESS, FAULT_RINGS, FAULT_CARRIER_LOSS,
                 FAULT_STUCK_BUSY };

/* What fires a fault besides a byte count or a time. */
enum lab_fault_when { WHEN_DEFAULT = 0, WHEN_OPEN, WHEN_CONNECT };

struct lab_fault_cfg {
	enum lab_fault kind;
	long after_bytes;          /* trigger after this many rx bytes, -1: no */
	long after_ms;             /* trigger this long after start, -1: no */
	enum lab_fault_when when;  /* on-open: a program opens the port;
	                            * on-connect: the modem says CONNECT */
	long flood;                /* garbage, endless-line, rings: send this
	                            * many bytes as fast as the host takes
	                            * them, at once; -1: a slow stream */
};

/* A noisy line (damage.c). Rates are per bit (ber) or per byte. */
struct lab_damage_cfg {
	bool on;
	double ber, drop, dup, burst;
	int burst_len;             /* bytes of noise in a burst */
	bool rx, tx;               /* to the device, from it */
	guint64 seed;
};

/* A UART's setting (uart_mismatch.c). */
struct lab_line {
	long baud;                 /* bits per second; 0: none set */
	int bits;                  /* data bits, 5..8 */
	char parity;               /* 'N', 'E', 'O', 'M', 'S' */
	int stop;                  /* stop bits, 1 or 2 */
};

#define LAB_MAX_RATES 24

struct lab_port_cfg {
	char name[32];             /* "ttyUSB0", "ttyACM0" */
	enum lab_model model;
	char peer[32];             /* LAB_MODEL_NULL: the other end's name */
	/* USB identity announced in sysfs */
	unsigned vid, pid;
	char manufacturer[64], product[64], serial[64];
	/* modem */
	char *ati[LAB_MAX_ATI];    /* ATI reply lines */
	int nati;
	struct lab_far fars[LAB_MAX_NUMBERS];
	int nfars;
	struct lab_far default_far;/* for numbers not listed */
	long connect_speed;
	double ring_interval;      /* seconds between RINGs */
	int ring_max;              /* caller gives up after this many */
	long split_seed;           /* >= 0: responses go out in random
	                            * pieces (--split-results), else -1 */
	int split_gap_ms;          /* the most time between two pieces */
	struct lab_ring rings[LAB_MAX_RINGS];
	int nrings;
	/* printer */
	size_t buffer, high, low;  /* buffer size and watermarks (bytes) */
	long print_rate;           /* bytes/s the mechanism prints */
	bool busy_xon, busy_dsr;   /* how it signals busy */
	long paperout_after;       /* bytes printed before paper-out, -1: never */
	long paperout_ms;          /* how long paper-out lasts */
	char output[512];          /* file receiving everything printed */
	/* hot-plug: the port appears this long after the start, with an
	 * "add" uevent (hsprobe --watch); -1: there from the start */
	long plug_after_ms;
	bool miwait;               /* the driver answers TIOCMIWAIT */
	/* the device takes what the program wrote a character time apart
	 * at the speed it set (--uart paced), not as the pty hands it over */
	bool uart_paced;
	/* faults */
	struct lab_fault_cfg faults[4];
	int nfaults;
	struct lab_damage_cfg damage;
	/* program: the device is this shell command */
	char program[1024];
	long program_wait;         /* s it may run on after the command */
	/* the device's UART (uart_mismatch.c): line.baud 0 = none of its
	 * own, bytes cross whatever the program set (a bare pty) */
	struct lab_line line;
	bool autobaud;             /* a modem that takes its rate from AT */
	bool no_icount;            /* a driver without TIOCGICOUNT */
	long refuse[LAB_MAX_RATES];/* rates the host's port refuses */
	int nrefuse;
	/* modem DTE (modem_dte.c): rates +IPR takes, 0 for autobaud */
	long ipr[LAB_MAX_RATES];
	int nipr;
	bool ipr_ignore;           /* fault: OK to +IPR=N, rate unchanged */
	/* console, nmea (talker.c) */
	long talk_ms;              /* between lines or bursts; 0: default */
};

#define LAB_MAX_USBP 4

struct lab_config {
	char transcript[512];
	char *usb_printers[LAB_MAX_USBP]; /* usbprinter.h option strings */
	int nusbp;
	struct lab_port_cfg ports[LAB_MAX_PORTS];
	int nports;
	bool verbose;
	bool shared_locks;         /* leave /run/lock as it is */
	unsigned timeout;          /* seconds COMMAND may run; 0: no limit */
};

/* Apply one directive ("KEY", "rest of line"); the same call serves
 * `--KEY VALUE` and a scenario line `KEY VALUE`. Returns false and sets
 * *err on a bad directive. */
bool lab_config_apply(struct lab_config *c, const char *key,
                      const char *value, GError **err);
/* A private /run/lock for the lab and its child (lab_locks.c); call it
 * before any thread starts. */
void lab_private_locks(bool verbose);
/* The lab's deadline (lab_deadline.c): after secs (0: none), stop the
 * child and all it started, or end the wait for printers when *child is
 * already 0; lab_deadline_passed() then says so (exit 124). */
void lab_deadline_arm(unsigned secs, const char *command, GPid *child,
                      GMainLoop *loop);
bool lab_deadline_passed(void);
bool lab_config_load(struct lab_config *c, const char *path, GError **err);
void lab_config_finish(struct lab_config *c); /* defaults, default port */
void lab_config_init(struct lab_config *c);
/* Split a value into words: "..." quoting and C escapes; caller frees
 * with lab_words_free. lens[i] is each word's length (NUL allowed). */
int lab_words(const char *s, char ***words, size_t **lens, GError **err);
void lab_words_free(char **words, size_t *lens, int n);

/* ---- transcript ------------------------------------------------------- */

bool transcript_open(const char *path, GError **err);
double lab_now(void);              /* seconds since the lab started */
void transcript_event(const char *dev, const char *event,
                      const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void transcript_bytes(const char *dev, const char *event,
                      const uint8_t *buf, size_t n);
void transcript_close(void);

/* ---- ports ------------------------------------------------------------ */

struct lab_port;

/* What a model does with a port. Every hook runs on the main loop. */
struct lab_model_ops {
	const char *name;
	void (*start)(struct lab_port *p);
	/* bytes the host wrote */
	void (*rx)(struct lab_port *p, const uint8_t *buf, size_t n);
	/* host changed DTR/RTS (TIOCM_* bits before and after) */
	void (*host_lines)(struct lab_port *p, unsigned before, unsigned after);
	/* how many bytes the device accepts now; NULL = unlimited */
	size_t (*rx_budget)(struct lab_port *p);
	/* still working after the program exited (printer printing its
	 * buffer); the lab waits for it, up to a limit. NULL = never */
	bool (*busy)(struct lab_port *p);
	/* the host side went away (unplug). NULL: the model stops then. A
	 * device that lives on without its host (a printer printing what
	 * it holds) sets it and is stopped at the end like every port. */
	void (*unplug)(struct lab_port *p);
	void (*stop)(struct lab_port *p);
};

struct lab_port {
	struct lab_port_cfg *cfg;
	char devnode[64];          /* "/dev/ttyUSB0" */
	char syspath[256];         /* sysfs path of the tty */
	char pts[64];              /* the pty slave behind the node */
	int ino_wd;                /* inotify watch: opens/closes of the slave */
	int holders;               /* open file descriptions (main thread) */
	int master;                /* pty master (umockdev's fd) */
	int slave;                 /* our slave fd: keeps the master from
	                            * HUP while no client is open, and lets us
	                            * tcgetattr what the program set */
	guint watch;               /* main-loop source reading the master */
	guint retry;               /* main-loop timer: bytes wait in uart */
	GMutex lock;               /* protects host_lines, dev_lines,
	                            * unplugged, uart (worker thread + main) */
	GByteArray *uart;          /* taken off the pty, not yet received by
	                            * the device: the host UART's queue */
	unsigned host_lines;       /* TIOCM_DTR | TIOCM_RTS as the host set */
	unsigned dev_lines;        /* TIOCM_CTS|DSR|CD|RI as the device set */
	bool unplugged;
	bool stopped;              /* the model's stop hook has run */
	long rx_total;             /* bytes received from the host */
	gint64 line_t;             /* --uart paced: µs when the character on
	                            * the line started (main loop) */
	bool silent;               /* fault: drop everything the device says */
	bool xoff;                 /* device sent XOFF, no XON since */
	const struct lab_model_ops *ops;
	void *model;               /* model state */
	struct lab_port *peer;     /* null-modem other end */
	struct lab_damage *damage; /* the line's noise, NULL when clean */
};

extern struct lab_port lab_ports[LAB_MAX_PORTS];
extern int lab_nports;

bool lab_tty_add(void *testbed, struct lab_port *p, int index,
                 GError **err);
/* sysfs records of a port (lab_sysfs.c); sets p->syspath */
bool lab_sysfs_add(void *testbed, struct lab_port *p, int index,
                   GError **err);
/* TIOCMIWAIT (lab_miwait.c): a wait starts (umockdev's worker thread),
 * the device's lines changed, the port hung up */
void lab_miwait_start(struct lab_port *p, void *umockdev_ioctl_client);
void lab_miwait_lines(struct lab_port *p, unsigned before, unsigned after);
void lab_miwait_hangup(struct lab_port *p);
/* opens and last close of the node (lab_hupcl.c) */
void lab_hupcl_watch(struct lab_port *p);
void lab_hupcl_unwatch(struct lab_port *p);
/* from umockdev's worker thread when a client opens p: wait until the
 * main loop has handled every open and close queued so far; false when
 * that cannot be had (no watch, or no main loop within 5 s) */
bool lab_hupcl_sync(struct lab_port *p);
/* host lines changed, seen on the main thread: log and tell the model */
void lab_port_host_set(struct lab_port *p, unsigned after);
/* log "line speed=... bits=..." if the program's framing changed */
void lab_port_log_line(struct lab_port *p);
/* the host's UART (lab_uart.c): its queues, started and stopped */
void lab_uart_init(struct lab_port *p);
void lab_tty_start_io(struct lab_port *p);
void lab_uart_stop(struct lab_port *p);
/* TIOCOUTQ: bytes written by the program, not yet received by the
 * device (any thread); false once the port is unplugged */
bool lab_uart_queued(struct lab_port *p, size_t *queued);
/* TCFLSH for output: the program discards what the device has not
 * received yet; returns how many bytes that was (any thread) */
size_t lab_uart_flush(struct lab_port *p);
/* device -> host bytes; logged as tx */
void lab_port_send(struct lab_port *p, const void *buf, size_t n);
/* the same, not logged (a flood would swamp the transcript) */
void lab_port_send_raw(struct lab_port *p, const void *buf, size_t n);
/* device -> host bytes the pty has not taken yet */
size_t lab_port_tx_pending(struct lab_port *p);
/* call fn (one per port; NULL: none) on the main loop whenever bytes
 * that had to wait for the host have all gone to the pty */
void lab_port_on_sent(struct lab_port *p,
                      void (*fn)(struct lab_port *p, void *data), void *data);
void lab_port_sends(struct lab_port *p, const char *s);
/* set (on=true) or clear device lines (TIOCM_CTS/DSR/CD/RI) */
void lab_port_set_lines(struct lab_port *p, unsigned mask, bool on);
unsigned lab_port_host_lines(struct lab_port *p);
unsigned lab_port_dev_lines(struct lab_port *p);
/* line speed the program set (from the slave's termios), 0 if unknown */
long lab_port_speed(struct lab_port *p);
/* the same, logged as "termios speed=BPS" when it differs from *seen
 * (the speed a model last saw), which it then updates */
long lab_port_speed_seen(struct lab_port *p, long *seen);
/* bits per second of a termios speed code (B9600...), 0 if unknown */
long lab_speed_bps(speed_t code);
/* let the rx budget grow: re-arm reading after the model made room */
void lab_port_kick(struct lab_port *p);
void lab_port_unplug(struct lab_port *p);
/* stop the port's model (once; main thread) */
void lab_port_stop(struct lab_port *p);
struct lab_port *lab_port_by_name(const char *name);

/* ---- models ----------------------------------------------------------- */

extern const struct lab_model_ops lab_modem_ops;
extern const struct lab_model_ops lab_printer_ops;
extern const struct lab_model_ops lab_null_ops;
extern const struct lab_model_ops lab_program_ops;

/* A noisy line (damage.c): start it for a port with --damage; then
 * lab_damage gives the bytes as the line delivers them going to_device
 * or from it (in itself when that direction is clean), valid until the
 * next call for that direction. */
struct lab_damage;
void lab_damage_start(struct lab_port *p);
const uint8_t *lab_damage(struct lab_port *p, bool to_device, const uint8_t *in,
                          size_t n, size_t *out_n);
void lab_damage_stop(struct lab_port *p);

/* modem <-> far end */
struct lab_farconn;
typedef void (*lab_far_data_fn)(void *modem, const uint8_t *buf, size_t n);
typedef void (*lab_far_drop_fn)(void *modem);
struct lab_farconn *farend_open(const struct lab_far *far, const char *dev,
                                lab_far_data_fn data, lab_far_drop_fn drop,
                                void *modem, GError **err);
void farend_write(struct lab_farconn *fc, const uint8_t *buf, size_t n);
void farend_close(struct lab_farconn *fc);
/* the modem's carrier dropped by a fault */
void modem_carrier_loss(struct lab_port *p);
/* the printer stays busy forever (fault) */
void printer_stuck(struct lab_port *p);

void faults_start(struct lab_port *p);
/* a program opened the port (lab_hupcl.c), the modem went online */
void faults_opened(struct lab_port *p);
void faults_connected(struct lab_port *p);
void faults_rx(struct lab_port *p, size_t n);
/* how many more bytes the port may take before an after-bytes fault is
 * due: reads stop there, so the fault fires at byte N exactly */
size_t faults_rx_room(struct lab_port *p);

/* ---- the line between the two UARTs (uart_mismatch.c) ------------------ */

/* "9600 7E1" (framing optional: 8N1) into l */
bool lab_line_parse(char **w, int n, struct lab_line *l, GError **err);
/* "9600 7E1" */
void lab_line_name(const struct lab_line *l, char *buf, size_t cap);
/* the port directives of this module and modem_dte.c: 1 taken, 0 not
 * ours, -1 bad (err set) */
int lab_mismatch_config(struct lab_port_cfg *p, const char *key, char **w,
                        int n, GError **err);
void lab_mismatch_start(struct lab_port *p);
/* the device's UART setting now (line.baud 0: none of its own) */
void lab_mismatch_device(struct lab_port *p, struct lab_line *l);
void lab_mismatch_set_device(struct lab_port *p, const struct lab_line *l,
                             const char *why);
/* autobaud (main loop only): the device takes the program's setting
 * from each line it sends */
void lab_mismatch_set_autobaud(struct lab_port *p, bool on);
bool lab_mismatch_autobaud(struct lab_port *p);
/* the host's setting as the program asked for it */
void lab_mismatch_host(struct lab_port *p, struct lab_line *l);
/* Bytes the host's UART sent (in, n) as the device's UART receives them
 * (damaged characters dropped, as device firmware does), and bytes the
 * device sent as the program reads them (marks, NULs or nothing for
 * damaged ones, as its termios asks). Both return in itself while the
 * two settings agree; else a buffer valid until the next call. */
const uint8_t *lab_mismatch_to_device(struct lab_port *p, const uint8_t *in,
                                      size_t n, size_t *out_n);
const uint8_t *lab_mismatch_to_host(struct lab_port *p, const uint8_t *in,
                                    size_t n, size_t *out_n);
/* termios ioctls (umockdev's worker thread): a TCSETS* the program
 * issued, before it runs (false: refuse it, errno EINVAL), after it ran,
 * and TCGETS* answered from the line as the program set it. *k is the
 * kernel's termios (its first four fields are enough). */
bool lab_mismatch_tcsets(struct lab_port *p, const void *k, size_t len);
void lab_mismatch_tcsets_done(struct lab_port *p);
void lab_mismatch_tcgets(struct lab_port *p, void *k, size_t len);
/* TIOCGICOUNT into the kernel's struct serial_icounter_struct; false
 * when the port's driver has none (--icount no) */
bool lab_mismatch_icount(struct lab_port *p, void *ic, size_t len);
/* the framing bits (CSIZE, PARENB, PARODD, CMSPAR) the program last
 * asked for; false if it never set the line through an ioctl */
bool lab_mismatch_asked_cflag(struct lab_port *p, unsigned *cflag);

/* ---- modem DTE settings (modem_dte.c) --------------------------------- */

/* A +IPR / +ICF command (name as "+IPR", arg what followed it): true
 * when taken; *ok false for ERROR; *info an information line to print
 * before the result ("" for none). */
bool modem_dte_command(struct lab_port *p, const char *name, const char *arg,
                       bool *ok, char *info, size_t cap);
/* After the result of the command line went out: a new rate or framing
 * takes effect now (V.250: the OK goes out at the old one). */
void modem_dte_commit(struct lab_port *p);
/* &W: keep the DTE setting; Z: go back to the kept one */
void modem_dte_store(struct lab_port *p);
void modem_dte_restore(struct lab_port *p);

/* ---- talkers (talker.c) ----------------------------------------------- */

extern const struct lab_model_ops lab_console_ops;
extern const struct lab_model_ops lab_nmea_ops;


#endif
