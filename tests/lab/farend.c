/*
 * farend.c — what is on the other end of a modem call: a loopback, a
 * scripted peer (send/expect), or a real TCP server (tcp:HOST:PORT).
 *
 * The modem model only sees two callbacks: data from the far end, and the
 * far end dropping the call (which the modem reports as NO CARRIER).
 * Deliveries go through idle callbacks so the modem's own result code
 * (CONNECT) is always sent before anything the far end says.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getaddrinfo */
#endif
#include "lab.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

struct lab_farconn {
	const struct lab_far *far;
	char dev[32];              /* for the transcript */
	lab_far_data_fn data;
	lab_far_drop_fn drop;
	void *modem;
	int step;                  /* FAR_SCRIPT: next step */
	GByteArray *heard;         /* FAR_SCRIPT: unmatched bytes from host */
	int sock;                  /* FAR_TCP */
	guint watch;               /* FAR_TCP read watch */
	guint idle;                /* pending script/drop work */
	bool dropping;
};

static gboolean script_run(gpointer data);

/* Advance the script as far as it goes without waiting for the host. */
static void script_advance(struct lab_farconn *fc)
{
	const struct lab_far *f = fc->far;

	while (fc->step < f->nsteps) {
		const struct lab_step *s = &f->steps[fc->step];
		if (s->send) {
			transcript_bytes(fc->dev, "peer-send",
			                 (const uint8_t *)s->text, s->len);
			fc->step++;
			fc->data(fc->modem, (const uint8_t *)s->text, s->len);
			continue;
		}
		/* expect: look for the text in what the host sent */
		void *hit = s->len ? memmem(fc->heard->data, fc->heard->len,
		                            s->text, s->len) : fc->heard->data;
		if (!hit)
			return;
		transcript_bytes(fc->dev, "peer-got",
		                 (const uint8_t *)s->text, s->len);
		g_byte_array_remove_range(fc->heard, 0,
		        (guint)((uint8_t *)hit - fc->heard->data + s->len));
		fc->step++;
	}
	if (f->hangup_after && !fc->dropping) {
		fc->dropping = true;
		transcript_event(fc->dev, "peer-hangup", NULL);
		fc->drop(fc->modem);
	}
}

static gboolean script_run(gpointer data)
{
	struct lab_farconn *fc = data;

	fc->idle = 0;
	script_advance(fc);
	return G_SOURCE_REMOVE;
}

static gboolean tcp_in(gint fd, GIOCondition cond, gpointer data)
{
	struct lab_farconn *fc = data;
	uint8_t buf[4096];
	ssize_t n;

	(void)cond;
	n = read(fd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		fc->watch = 0;
		transcript_event(fc->dev, "peer-hangup", "tcp");
		fc->drop(fc->modem);
		return G_SOURCE_REMOVE;
	}
	fc->data(fc->modem, buf, (size_t)n);
	return G_SOURCE_CONTINUE;
}

static int tcp_connect(const char *host, const char *port, GError **err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, r;

	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s:%s: %s",
		            host, port, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
		            "cannot connect to %s:%s: %s", host, port,
		            g_strerror(errno));
	return fd;
}

struct lab_farconn *farend_open(const struct lab_far *far, const char *dev,
                                lab_far_data_fn data, lab_far_drop_fn drop,
                                void *modem, GError **err)
{
	struct lab_farconn *fc = g_new0(struct lab_farconn, 1);

	fc->far = far;
	g_strlcpy(fc->dev, dev, sizeof(fc->dev));
	fc->data = data;
	fc->drop = drop;
	fc->modem = modem;
	fc->sock = -1;
	fc->heard = g_byte_array_new();
	if (far->kind == FAR_TCP) {
		fc->sock = tcp_connect(far->host, far->port, err);
		if (fc->sock < 0) {
			farend_close(fc);
			return NULL;
		}
		fc->watch = g_unix_fd_add(fc->sock, G_IO_IN, tcp_in, fc);
	} else if (far->kind == FAR_SCRIPT) {
		fc->idle = g_idle_add(script_run, fc);
	}
	return fc;
}

void farend_write(struct lab_farconn *fc, const uint8_t *buf, size_t n)
{
	switch (fc->far->kind) {
	case FAR_LOOPBACK:
		fc->data(fc->modem, buf, n);
		break;
	case FAR_SCRIPT:
		g_byte_array_append(fc->heard, buf, (guint)n);
		if (!fc->idle)
			fc->idle = g_idle_add(script_run, fc);
		break;
	case FAR_TCP:
		while (n > 0) {
			ssize_t w = send(fc->sock, buf, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			buf += w, n -= (size_t)w;
		}
		break;
	default:
		break;
	}
}

void farend_close(struct lab_farconn *fc)
{
	if (!fc)
		return;
	if (fc->watch)
		g_source_remove(fc->watch);
	if (fc->idle)
		g_source_remove(fc->idle);
	if (fc->sock >= 0)
		close(fc->sock);
	g_byte_array_free(fc->heard, TRUE);
	g_free(fc);
}
