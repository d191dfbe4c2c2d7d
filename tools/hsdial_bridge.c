/*
 * hsdial_bridge.c - a connected call's bytes: between the modem and
 * stdin/stdout, or (--exec) a program whose stdin and stdout are pipes to
 * the line. The bytes go through hs_modem_read/write, so carrier loss is
 * the library's verdict (DCD where it follows the carrier, else the
 * modem's NO CARRIER in the stream), the bridge sleeps until input or
 * until the library wants a read (hs_modem_wait_ms), and
 * the data the AT engine read past CONNECT is not lost, which handing the
 * program the tty itself would do.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hsdial_call.h"
#include "tool.h"

/* How long one write to the line may be held by flow control. */
#define WRITE_MS 10000
/* How long a program may take to exit after SIGHUP before SIGKILL. */
#define EXEC_GRACE_MS 2000

int hsd_write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Start argv with its stdin and stdout on pipes; *to_child writes its
 * stdin, *from_child reads its stdout. Returns the pid or -1. */
static pid_t spawn(char **argv, int link_fd, int *to_child, int *from_child)
{
	sigset_t stop, was;
	int in[2], out[2];
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]), close(in[1]);
		return -1;
	}
	/* the program gets the call through the pipes, never the port */
	if (link_fd >= 0)
		fcntl(link_fd, F_SETFD, fcntl(link_fd, F_GETFD) | FD_CLOEXEC);
	fflush(NULL);
	/* A SIGHUP sent as soon as the carrier goes must not reach the
	 * child while it still has our handler: held until it has the
	 * default one. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGHUP);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &was);
	pid = fork();
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigaction(SIGPIPE, &dfl, NULL);
		sigaction(SIGHUP, &dfl, NULL);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGTERM, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &was, NULL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		/* no shell: the words are the program and its arguments */
		execvp(argv[0], argv);
		tool_warn("cannot run %s: %s", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	sigprocmask(SIG_SETMASK, &was, NULL);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]), close(out[0]);
		return -1;
	}
	*to_child = in[1];
	*from_child = out[0];
	return pid;
}

/* Wait for the program, SIGKILL after the grace; the shell's status. */
static int reap(pid_t pid)
{
	long long until = tool_now_ms() + EXEC_GRACE_MS;
	int st;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (tool_now_ms() >= until) {
			kill(pid, SIGKILL);
			if (waitpid(pid, &st, 0) != pid)
				return -1;
			break;
		}
		poll(NULL, 0, 10);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}


int hsd_poll(struct pollfd *p, int n, int wait, struct hsd_bridge_result *r)
{
	int rc;

	if (hsd_signal) {
		r->end = HSD_END_SIGNAL;
		r->signal = hsd_signal;
		return HSD_POLL_END;
	}
	rc = poll(p, (nfds_t)n, wait);
	if (rc < 0 && errno != EINTR) {
		r->end = HSD_END_ERROR;
		r->err = HS_ERR_IO;
		return HSD_POLL_END;
	}
	/* a signal woke it: hsd_signal says which, next time round */
	return rc < 0 ? HSD_POLL_AGAIN : rc;
}

int hsd_line_read(struct hs_modem *m, struct hs_link *link, char *buf, size_t n,
		  struct hsd_bridge_result *r)
{
	int rc = m ? hs_modem_read(m, buf, n, 0) : hs_link_read(link, buf, n, 0);

	if (rc > 0) {
		r->received += (unsigned)rc;
		hsd_log(buf, (size_t)rc);
		return rc;
	}
	if (rc == HS_ERR_TIMEOUT)
		return 0;
	r->end = rc == HS_ERR_NO_CARRIER ? HSD_END_CARRIER : HSD_END_ERROR;
	r->err = rc;
	return -1;
}

void hsd_bridge(struct hs_modem *m, const struct hsd_opts *o, struct hsd_bridge_result *r)
{
	char buf[4096], show[sizeof(buf) + HS_XFER_AUTOSTART_HOLD];
	int link_fd = hs_link_fd(hs_modem_link(m));
	struct hsd_zmodem z;
	int in_fd = 0, out_fd = 1, in_open = 1, out_ok = 1;
	long long quiet_since = 0, eof_at = 0;
	pid_t pid = -1;

	memset(r, 0, sizeof(*r));
	r->exec_status = -1;
	/* a program on the call reads its own bytes: no auto-start then */
	hsd_zmodem_init(&z, o);
	z.on = z.on && !o->exec_argv;
	if (o->exec_argv) {
		pid = spawn(o->exec_argv, link_fd, &out_fd, &in_fd);
		if (pid < 0) {
			tool_warn("cannot start %s: %s", o->exec_argv[0], strerror(errno));
			r->end = HSD_END_ERROR;
			r->err = HS_ERR_IO;
			return;
		}
	}
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = link_fd, .events = POLLIN },
			{ .fd = in_open ? in_fd : -1, .events = POLLIN },
		};
		/* Sleep until input, or until the library wants a read (DCD
		 * to look at, held bytes due) or a linger ends: no wakeups
		 * while a line without DCD is quiet. */
		int wait = hs_modem_wait_ms(m), rc;
		long long now = tool_now_ms();

		if (!in_open) {
			long long quiet_end = quiet_since + (pid > 0 ? 0 : o->linger_ms);
			/* a far end that never falls quiet (garbage, an endless
			 * stream) is cut off: nothing keeps the call up forever */
			long long max_end = pid > 0 ? quiet_end : eof_at + o->linger_max_ms;
			long long end = quiet_end < max_end ? quiet_end : max_end;
			if (now >= end) {
				r->end = pid > 0 ? HSD_END_EXEC
					: now >= quiet_end ? HSD_END_EOF : HSD_END_LINGER;
				break;
			}
			if (wait < 0 || end - now < wait)
				wait = (int)(end - now);
		}
		rc = hsd_poll(p, 2, wait, r);
		if (rc == HSD_POLL_END)
			break;
		if (rc == HSD_POLL_AGAIN)
			continue;
		now = tool_now_ms();
		if (rc == 0 || (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((rc = hsd_line_read(m, NULL, buf, sizeof(buf), r)) < 0)
				break;
			if (rc > 0) {
				int start;
				size_t n = hsd_zmodem_scan(&z, buf, (size_t)rc, show, &start);

				quiet_since = now;
				if (out_ok && n && hsd_write_all(out_fd, show, n) < 0) {
					out_ok = 0;
					if (pid < 0) {
						r->end = HSD_END_OUTPUT;
						break;
					}
				}
				if (start) {
					hsd_zmodem_receive(hs_modem_link(m), o);
					quiet_since = tool_now_ms();
				}
			}
		}
		if (in_open && p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = read(in_fd, buf, sizeof(buf));
			size_t done = 0;

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* no more to send; with stdin, what the far end
				 * still says comes out until the line is quiet */
				in_open = 0;
				quiet_since = eof_at = now;
				continue;
			}
			rc = hs_modem_write(m, buf, (size_t)n, WRITE_MS, &done);
			r->sent += done;
			if (rc < 0) {
				r->end = rc == HS_ERR_NO_CARRIER ? HSD_END_CARRIER : HSD_END_ERROR;
				r->err = rc;
				break;
			}
		}
	}
	if (pid > 0) {
		close(out_fd);
		close(in_fd);
		if (r->end != HSD_END_EXEC)
			kill(pid, SIGHUP); /* the call is over for it too */
		r->exec_status = reap(pid);
	}
}
