/*
 * hsdial_call.h - what hsdial.c (options) shares with hsdial_call.c
 * (open the modem, dial, answer, --at, --hangup, --identify),
 * hsdial_report.c (what they report), hsdial_bridge.c (the call's bytes
 * to stdin/stdout or to a program) and hsdial_chat.c (chat scripts).
 */
#ifndef HSDIAL_CALL_H
#define HSDIAL_CALL_H

#include <signal.h>

#include <handshake/handshake.h>
#include <handshake/chat.h>
#include <handshake/modem.h>

/* A chat script run, with chat(8)'s options. */
struct hsd_chat {
	const char *uri;            /* the line: -d, else stdin and stdout */
	const char *file;           /* -f/--chat FILE ('-': stdin) */
	int words;                  /* the script is the words after -- */
	const char *report_file;    /* -r */
	int report_opening;         /* -v came before -r: chat says so */
	int verbose;                /* -v: log the conversation */
	int show;                   /* -V: what the modem sends, on stderr */
	int to_stderr;              /* -s: the log on stderr too */
	int no_syslog;              /* -S */
	struct hs_chat_opts chat;   /* -t, -T, -U, -E, -e */
};

/* Run the script (the words in argv with c->words); chat's exit code. */
int hsd_chat(const struct hsd_chat *c, int argc, char **argv);

/* hsdial's own exit codes for call modes (chat mode keeps chat's); the
 * rest are sysexits (tool_exit_code). Listed in --help and hsdial.1. */
enum {
	HSD_EXIT_ERROR = 1,       /* the modem answered ERROR */
	HSD_EXIT_BUSY = 2,
	HSD_EXIT_NO_CARRIER = 3,  /* no carrier, or the carrier was lost */
	HSD_EXIT_NO_DIALTONE = 4,
	HSD_EXIT_NO_ANSWER = 5,
	HSD_EXIT_TIMEOUT = 6,
};

enum hsd_mode {
	HSD_DIAL,       /* NUMBER: dial and bridge */
	HSD_ANSWER,     /* --answer: wait for a call, answer, bridge */
	HSD_AT,         /* --at CMD */
	HSD_HANGUP,     /* --hangup */
	HSD_IDENTIFY,   /* --identify */
	HSD_TERMINAL,   /* --terminal with no number: a console port */
};

struct hsd_opts {
	enum hsd_mode mode;
	const char *uri;
	const char *driver;         /* --driver NAME; NULL: matched */
	const char *number;
	const char *at_cmd;         /* --at */
	const char *init[16];       /* --init CMD..., after the reset */
	int ninit;
	enum hs_dial_method method; /* --tone / --pulse */
	const char *prefix;         /* --prefix */
	int as_is;                  /* --as-is: the number as given */
	unsigned hangup_policy;     /* --hangup-by; 0: the default */
	int timeout_ms;             /* --timeout; -1: the mode's default */
	int rings;                  /* --rings (answer) */
	int linger_ms;              /* --linger: line quiet after stdin EOF */
	int linger_max_ms;          /* --linger-max: the longest linger
	                             * (never less than linger_ms) */
	char **exec_argv;           /* --exec: the program and its args */
	int json, quiet, verbose;
	int terminal;               /* a call as a terminal (--terminal, or
	                             * stdin is a tty; not with --exec) */
	char escape;                /* the terminal's escape key: C-a */
	unsigned imap, omap, emap;  /* --imap, --omap, --emap (HSD_MAP_*) */
	const char *log;            /* --log FILE: what the far end sent */
	int timestamps;             /* --timestamps: each log line's time */
	int fastest;                /* --fastest: 1 this session, 2 keep (&W) */
	enum hs_xfer_protocol send_protocol; /* the terminal's C-s */
	int no_autozmodem;          /* --no-autozmodem: a sender is not received */
	const char *download_dir;   /* --download-dir: where it is; NULL: . */
};

/* How a call in data mode ended. */
enum hsd_end {
	HSD_END_EOF,        /* stdin ended (and the line went quiet) */
	HSD_END_LINGER,     /* stdin ended, the line never went quiet */
	HSD_END_OUTPUT,     /* stdout went away */
	HSD_END_CARRIER,    /* the carrier was lost */
	HSD_END_EXEC,       /* the program exited */
	HSD_END_SIGNAL,     /* SIGINT/SIGTERM/SIGHUP */
	HSD_END_ERROR,      /* the line failed */
	HSD_END_QUIT,       /* the terminal's quit key */
};

/* What the bridge did. */
struct hsd_bridge_result {
	enum hsd_end end;
	int err;                   /* HS_OK, or why the line failed */
	unsigned long long sent, received;
	int exec_status;           /* --exec: exit status as a shell gives
	                            * it (128+signal); -1 when none */
	int signal;                /* HSD_END_SIGNAL: which */
	int on_hook;               /* the terminal hung the call up */
};

/* Everything a call report says (hsdial_report.c). */
struct report {
	const struct hsd_opts *o;
	const char *device;
	const char *driver;
	int err;                   /* how the call (setup) went */
	int connected;
	struct hs_at_connect c;
	struct hs_modem_call call; /* --answer */
	int answered;
	struct hsd_bridge_result b;
	int bridged;
	int hangup_err;            /* after the bridge */
	int hung_up;
	long long t_start, t_ready, t_result, t_connect, t_end, t_hungup, t_done;
	const char *error;         /* the library's message, or NULL */
	char error_buf[512];
};

/* Run a call mode; returns hsdial's exit status. */
int hsd_run(const struct hsd_opts *o);

/* From now on SIGINT, SIGTERM and SIGHUP set hsd_signal (no SA_RESTART:
 * they wake a poll), which ends a bridge or terminal. */
void hsd_catch_signals(void);
extern volatile sig_atomic_t hsd_signal;

struct pollfd;

/* A session's poll(): p[0..n) for up to wait ms (-1: no limit), unless
 * a signal came (r->end HSD_END_SIGNAL). Returns poll's count (0: the
 * wait ended), HSD_POLL_AGAIN (interrupted: look again) or HSD_POLL_END
 * (r->end and r->err set). */
enum { HSD_POLL_AGAIN = -1, HSD_POLL_END = -2 };
int hsd_poll(struct pollfd *p, int n, int wait, struct hsd_bridge_result *r);

/* ZMODEM auto-start (hsdial_zmodem.c): the watch on what the far end
 * sends, and the receive it starts. */
struct hsd_zmodem {
	struct hs_xfer_autostart watch;
	int on;
};
void hsd_zmodem_init(struct hsd_zmodem *z, const struct hsd_opts *o);
/* The n bytes of buf to show go to show (room for n +
 * HS_XFER_AUTOSTART_HOLD); returns their count; *start: a sender began
 * after them. */
size_t hsd_zmodem_scan(struct hsd_zmodem *z, const char *buf, size_t n, char *show,
		       int *start);
/* Receive what the sender sends, reporting on stderr; the library's
 * result. */
int hsd_zmodem_receive(struct hs_link *link, const struct hsd_opts *o);

/* Write all of buf to fd; -1 when fd is gone (EPIPE or any error). */
int hsd_write_all(int fd, const char *buf, size_t n);

/* Read what the line has, never waiting: through the modem m (a call:
 * carrier loss is seen), else the link. Returns the count, counted in r
 * and logged (--log); 0 when nothing came; -1 when the line ended the
 * session (r->end: carrier lost or line error, r->err why). */
int hsd_line_read(struct hs_modem *m, struct hs_link *link, char *buf, size_t n,
		  struct hsd_bridge_result *r);

/* Move bytes between the online modem and stdin/stdout (or o->exec_argv)
 * until the call ends; fills r. Never hangs up: the caller does. */
void hsd_bridge(struct hs_modem *m, const struct hsd_opts *o, struct hsd_bridge_result *r);

/* --fastest (hsdial_fastest.c): raise the DTE rate after the reset;
 * at the end put it back unless it was kept. */
int hsd_fastest(struct hs_modem *m, const struct hsd_opts *o, int timeout_ms);
void hsd_fastest_end(struct hs_modem *m, const struct hsd_opts *o);

/* The exit status for a library error in call modes. */
int hsd_exit_code(int err);

/* ---- hsdial_log.c: --log ------------------------------------------ */

/* Open FILE to append to (a failure ends hsdial: EX_CANTCREAT). */
void hsd_log_open(const char *path, int timestamps);
/* What the far end sent; nothing without --log. */
void hsd_log(const char *buf, size_t n);
void hsd_log_close(void);

/* ---- hsdial_report.c ---------------------------------------------- */

/* How the call went, on stderr (nothing with -q or --json). */
void hsd_say_connected(const struct report *r);
void hsd_say_caller(const struct report *r);
void hsd_say_end(const struct report *r);

/* The --json answers, on tool_json_out. A call's (dial, --answer): */
void hsd_report_json(const struct report *r, int status);
/* Any mode that failed before it could start (err; hs_last_error()): */
void hsd_json_failed(const struct hsd_opts *o, const char *device, int err, int status);
/* --at: the reply, and err (HS_OK, or why it failed) */
void hsd_json_at(const struct hsd_opts *o, const char *device, const struct hs_at_reply *r,
		 int err, int status);
void hsd_json_identify(const struct hsd_opts *o, const char *device, const char *driver,
		       const struct hs_modem_ident *id);
void hsd_json_hangup(const struct hsd_opts *o, const char *device, int err, int status);
/* --terminal with no number: how the console session ended */
void hsd_json_console(const struct hsd_opts *o, const char *device,
		      const struct hsd_bridge_result *b, int status);

#endif
