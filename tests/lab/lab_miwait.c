/*
 * lab_miwait.c — TIOCMIWAIT: a driver's wait for modem-line changes.
 *
 * A serial driver puts a TIOCMIWAIT caller to sleep until one of the
 * lines it named (CTS, DSR, DCD, RI) changes (0), the port hangs up
 * (EIO), or a signal comes (EINTR). The lab answers the same way: the
 * request is held (umockdev lets a handler complete later, from any
 * thread) and completed when the device model changes a line of its mask,
 * when the port is unplugged, or when the waiting thread has a signal
 * pending. A port configured "miwait no" answers ENOTTY at once, as a
 * driver without the call does.
 *
 * Signals: umockdev's preload blocks every signal while a call is in the
 * lab, so the signal that would end a driver's wait stays pending. The
 * lab looks for it in /proc: when a wait starts, the threads of the lab's
 * descendants that block every signal (those inside an emulated call,
 * the waiter among them) are noted, and while the wait lasts their
 * pending signals (the thread's own and the process's) are read every
 * POLL_MS; one that would be delivered (caught, or fatal by default) ends
 * the port's waits with EINTR (a driver ends only that thread's: a
 * spurious EINTR is one every caller must take anyway).
 *
 * Transcript: "miwait wait DSR" when a wait starts, then "miwait woke
 * DSR=1", "miwait interrupted" or "miwait hangup".
 *
 * Threads: waits start on umockdev's worker thread and end on the main
 * loop (line changes, unplug, the signal check); waits_lock guards the
 * list.
 */
#include "lab.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <umockdev.h>

/* how often pending signals of waiting threads are looked at */
#define POLL_MS 2
/* a thread inside an emulated call blocks every signal but the few that
 * cannot be blocked (SIGKILL, SIGSTOP, glibc's two) */
#define ALL_BLOCKED 58

struct waiter {
	struct lab_port *p;
	UMockdevIoctlClient *client;
	unsigned mask;             /* TIOCM_* lines waited for */
	GArray *tids;              /* pid_t: threads that may be the waiter */
};

static GPtrArray *waits;           /* struct waiter * */
static GMutex waits_lock;
static guint poll_source;

static void names(unsigned bits, unsigned values, bool with_values, char *buf, size_t cap)
{
	static const struct { unsigned bit; const char *name; } n[] = {
		{ TIOCM_CTS, "CTS" }, { TIOCM_DSR, "DSR" }, { TIOCM_CD, "DCD" },
		{ TIOCM_RI, "RI" },
	};
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(n); i++)
		if (bits & n[i].bit)
			len += (size_t)g_snprintf(buf + len, cap - MIN(len, cap), "%s%s%s",
			                          len ? " " : "", n[i].name,
			                          !with_values ? "" : values & n[i].bit ? "=1" : "=0");
}

/* A signal mask field of a /proc status text ("SigBlk:\t..."), 0 if none */
static guint64 mask_field(const char *text, const char *name)
{
	const char *f = strstr(text, name);
	return f ? g_ascii_strtoull(f + strlen(name), NULL, 16) : 0;
}

/* Signals that do nothing by default: SIGCHLD, SIGCONT, SIGURG,
 * SIGWINCH, and the stops (they stop the task, they do not end a wait). */
#define BIT(sig) (1ULL << ((sig) - 1))
#define HARMLESS (BIT(SIGCHLD) | BIT(SIGCONT) | BIT(SIGURG) | BIT(SIGWINCH) | \
                  BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU) | BIT(SIGSTOP))

/* A thread's blocked set and the pending signals that would be
 * delivered to it (caught, or fatal by default); false if it is gone. */
static bool thread_sigs(pid_t tid, guint64 *blocked, guint64 *pending)
{
	char path[64], *text = NULL;
	guint64 caught, ignored;

	g_snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return false;
	*blocked = mask_field(text, "\nSigBlk:");
	caught = mask_field(text, "\nSigCgt:");
	ignored = mask_field(text, "\nSigIgn:");
	*pending = (mask_field(text, "\nSigPnd:") | mask_field(text, "\nShdPnd:")) &
	           (caught | ~(ignored | HARMLESS));
	g_free(text);
	return true;
}

static pid_t parent_of(const char *pid)
{
	char path[64], *text = NULL, *end;
	pid_t ppid = 0;

	g_snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* pid (comm) state ppid: comm may hold spaces and parentheses */
	if ((end = strrchr(text, ')')))
		ppid = (pid_t)strtol(end + 3, NULL, 10);
	g_free(text);
	return ppid;
}

/* The threads of the lab's descendants that block every signal now. */
static GArray *threads_in_calls(void)
{
	GArray *tids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	GHashTable *parent = g_hash_table_new(NULL, NULL);
	GDir *proc = g_dir_open("/proc", 0, NULL);
	const char *name;
	pid_t self = getpid();

	while (proc && (name = g_dir_read_name(proc)))
		if (g_ascii_isdigit(name[0]))
			g_hash_table_insert(parent, GINT_TO_POINTER(atoi(name)),
			                    GINT_TO_POINTER(parent_of(name)));
	if (proc)
		g_dir_close(proc);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, parent);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		pid_t pid = GPOINTER_TO_INT(k), up = GPOINTER_TO_INT(v);
		int depth = 0;
		/* a descendant of the lab? (the walk is bounded: pids recycle) */
		while (up > 1 && up != self && depth++ < 64)
			up = GPOINTER_TO_INT(g_hash_table_lookup(parent, GINT_TO_POINTER(up)));
		if (up != self)
			continue;
		char task[64];
		g_snprintf(task, sizeof(task), "/proc/%d/task", (int)pid);
		GDir *d = g_dir_open(task, 0, NULL);
		while (d && (name = g_dir_read_name(d))) {
			pid_t tid = (pid_t)atoi(name);
			guint64 blocked, pending;
			if (thread_sigs(tid, &blocked, &pending) &&
			    __builtin_popcountll(blocked) >= ALL_BLOCKED)
				g_array_append_val(tids, tid);
		}
		if (d)
			g_dir_close(d);
	}
	g_hash_table_destroy(parent);
	return tids;
}

/* End wait w (waits_lock held): log, complete, free. */
static void finish(struct waiter *w, long res, int err, const char *event, const char *fmt, ...)
	G_GNUC_PRINTF(5, 6);
static void finish(struct waiter *w, long res, int err, const char *event, const char *fmt, ...)
{
	char text[128];
	va_list ap;

	va_start(ap, fmt);
	g_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	transcript_event(w->p->cfg->name, "miwait", "%s%s%s", event, text[0] ? " " : "", text);
	umockdev_ioctl_client_complete(w->client, res, err);
	g_object_unref(w->client);
	g_array_free(w->tids, TRUE);
	g_free(w);
}

/* Has a thread that may be waiting a signal pending? Threads that left
 * their emulated call are dropped. */
static bool signalled(struct waiter *w)
{
	for (guint i = 0; i < w->tids->len;) {
		pid_t tid = g_array_index(w->tids, pid_t, i);
		guint64 blocked, pending;
		if (!thread_sigs(tid, &blocked, &pending) ||
		    __builtin_popcountll(blocked) < ALL_BLOCKED) {
			g_array_remove_index_fast(w->tids, i);
			continue;
		}
		if (pending)
			return true;
		i++;
	}
	return false;
}

static gboolean poll_signals(gpointer data)
{
	(void)data;
	g_mutex_lock(&waits_lock);
	for (guint i = 0; i < waits->len;) {
		struct waiter *w = g_ptr_array_index(waits, i);
		/* no thread left that could be the waiter: its process is gone */
		bool gone = w->tids->len == 0;
		if (gone || signalled(w)) {
			g_ptr_array_remove_index_fast(waits, i);
			finish(w, -1, EINTR, "interrupted", "%s", gone ? "(the caller is gone)" : "");
			continue;
		}
		i++;
	}
	bool more = waits->len > 0;
	if (!more)
		poll_source = 0;
	g_mutex_unlock(&waits_lock);
	return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

void lab_miwait_start(struct lab_port *p, void *umockdev_ioctl_client)
{
	UMockdevIoctlClient *client = umockdev_ioctl_client;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	unsigned mask = (unsigned)*(gulong *)(void *)arg->data &
	                (TIOCM_CTS | TIOCM_DSR | TIOCM_CD | TIOCM_RI);
	struct waiter *w;
	char text[64];

	if (!p->cfg->miwait) {
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		return;
	}
	w = g_new0(struct waiter, 1);
	w->p = p;
	w->client = g_object_ref(client);
	w->mask = mask;
	w->tids = threads_in_calls();
	names(mask, 0, false, text, sizeof(text));
	g_mutex_lock(&waits_lock);
	if (!waits)
		waits = g_ptr_array_new();
	transcript_event(p->cfg->name, "miwait", "wait %s", text);
	g_mutex_lock(&p->lock);
	if (p->unplugged) {
		g_mutex_unlock(&p->lock);
		finish(w, -1, EIO, "hangup", "%s", "");
	} else {
		g_mutex_unlock(&p->lock);
		g_ptr_array_add(waits, w);
		if (!poll_source)
			poll_source = g_timeout_add(POLL_MS, poll_signals, NULL);
	}
	g_mutex_unlock(&waits_lock);
}

void lab_miwait_lines(struct lab_port *p, unsigned before, unsigned after)
{
	char text[64];

	if (!waits || before == after)
		return;
	g_mutex_lock(&waits_lock);
	for (guint i = 0; i < waits->len;) {
		struct waiter *w = g_ptr_array_index(waits, i);
		unsigned moved = (before ^ after) & w->mask;
		if (w->p == p && moved) {
			g_ptr_array_remove_index_fast(waits, i);
			names(moved, after, true, text, sizeof(text));
			finish(w, 0, 0, "woke", "%s", text);
			continue;
		}
		i++;
	}
	g_mutex_unlock(&waits_lock);
}

void lab_miwait_hangup(struct lab_port *p)
{
	if (!waits)
		return;
	g_mutex_lock(&waits_lock);
	for (guint i = 0; i < waits->len;) {
		struct waiter *w = g_ptr_array_index(waits, i);
		if (w->p == p) {
			g_ptr_array_remove_index_fast(waits, i);
			finish(w, -1, EIO, "hangup", "%s", "");
			continue;
		}
		i++;
	}
	g_mutex_unlock(&waits_lock);
}
