/*
 * lab_deadline.c — the lab's own deadline (--timeout SECS, or
 * HSLAB_TIMEOUT). A test must never hang: when COMMAND is still running
 * at the deadline, it and every process it started get SIGTERM, and
 * SIGKILL 2 s later; the transcript says "lab timeout SECS", stderr says
 * which command it was, and hslab exits 124, as timeout(1) does. A
 * deadline that passes while the lab waits for a printer to finish its
 * buffer ends that wait.
 *
 * The processes are found by their parent chain in /proc, not by process
 * group: COMMAND keeps the lab's group, so it can still read a terminal.
 */
#include "lab.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define KILL_AFTER_MS 2000

static struct {
	unsigned secs;
	const char *command;
	GPid *child;               /* hslab's: 0 once reaped */
	GMainLoop *loop;
	GArray *pids;              /* what got SIGTERM, for the SIGKILL */
	bool passed;
} dl;

static pid_t parent_of(pid_t pid)
{
	char path[64], *text = NULL, *close;
	pid_t ppid = -1;

	g_snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	/* "PID (COMM) STATE PPID ...": COMM may hold spaces and parens */
	close = strrchr(text, ')');
	if (close)
		ppid = (pid_t)strtol(close + 3, NULL, 10);
	g_free(text);
	return ppid;
}

/* root and every process whose parent chain leads to it */
static GArray *tree(pid_t root)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(pid_t));
	GArray *parents = g_array_new(FALSE, FALSE, sizeof(pid_t));
	GArray *out = g_array_new(FALSE, FALSE, sizeof(pid_t));
	GDir *proc = g_dir_open("/proc", 0, NULL);
	const char *name;
	bool grew = true;

	while (proc && (name = g_dir_read_name(proc))) {
		pid_t pid = (pid_t)strtol(name, NULL, 10), ppid;
		if (pid <= 0 || (ppid = parent_of(pid)) < 0)
			continue;
		g_array_append_val(all, pid);
		g_array_append_val(parents, ppid);
	}
	if (proc)
		g_dir_close(proc);
	g_array_append_val(out, root);
	/* add children of what is in out until nothing new */
	while (grew) {
		grew = false;
		for (guint i = 0; i < all->len; i++) {
			pid_t pid = g_array_index(all, pid_t, i);
			bool in = false, parent_in = false;
			for (guint j = 0; j < out->len; j++) {
				pid_t o = g_array_index(out, pid_t, j);
				in = in || o == pid;
				parent_in = parent_in ||
				            o == g_array_index(parents, pid_t, i);
			}
			if (!in && parent_in) {
				g_array_append_val(out, pid);
				grew = true;
			}
		}
	}
	g_array_free(all, TRUE);
	g_array_free(parents, TRUE);
	return out;
}

static void signal_all(GArray *pids, int sig)
{
	for (guint i = 0; i < pids->len; i++)
		kill(g_array_index(pids, pid_t, i), sig);
}

static gboolean kill_hard(gpointer data)
{
	(void)data;
	signal_all(dl.pids, SIGKILL);
	return G_SOURCE_REMOVE;
}

static gboolean on_deadline(gpointer data)
{
	(void)data;
	dl.passed = true;
	transcript_event("lab", "timeout", "%u", dl.secs);
	if (*dl.child <= 0) {
		/* COMMAND is done; the lab was waiting for a printer */
		g_main_loop_quit(dl.loop);
		return G_SOURCE_REMOVE;
	}
	fprintf(stderr, "hslab: %s did not end within %u s (--timeout): "
	        "stopping it and everything it started\n", dl.command,
	        dl.secs);
	dl.pids = tree((pid_t)*dl.child);
	signal_all(dl.pids, SIGTERM);
	g_timeout_add(KILL_AFTER_MS, kill_hard, NULL);
	return G_SOURCE_REMOVE;
}

void lab_deadline_arm(unsigned secs, const char *command, GPid *child,
                      GMainLoop *loop)
{
	if (!secs)
		return;
	dl.secs = secs;
	dl.command = command;
	dl.child = child;
	dl.loop = loop;
	g_timeout_add_full(G_PRIORITY_DEFAULT, secs * 1000u, on_deadline,
	                   NULL, NULL);
}

bool lab_deadline_passed(void)
{
	return dl.passed;
}
