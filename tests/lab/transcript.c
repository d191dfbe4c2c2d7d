/*
 * transcript.c — the lab's event log, the thing tests assert on.
 *
 * One event per line: "<seconds> <device> <event> <payload>", seconds since
 * the lab started with 6 decimals. Byte payloads are quoted and C-escaped so
 * a line never breaks and `grep -F` can match them exactly. Every line is
 * flushed at once because tests poll the file while the lab runs. Writers
 * are the main loop and the ioctl worker thread, hence the mutex.
 */
#include "lab.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

static FILE *tfile;          /* NULL: no transcript requested */
static gint64 t0;            /* monotonic µs at lab start */
static GMutex tlock;         /* serialises lines from both threads */

double lab_now(void)
{
	if (t0 == 0)
		t0 = g_get_monotonic_time();
	return (double)(g_get_monotonic_time() - t0) / 1e6;
}

bool transcript_open(const char *path, GError **err)
{
	lab_now(); /* start the clock even without a file */
	if (!path || !*path)
		return true;
	tfile = fopen(path, "w");
	if (!tfile) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot open transcript %s: %s", path,
		            g_strerror(errno));
		return false;
	}
	return true;
}

void transcript_event(const char *dev, const char *event, const char *fmt, ...)
{
	va_list ap;

	if (!tfile)
		return;
	g_mutex_lock(&tlock);
	fprintf(tfile, "%.6f %s %s", lab_now(), dev, event);
	if (fmt && *fmt) {
		fputc(' ', tfile);
		va_start(ap, fmt);
		vfprintf(tfile, fmt, ap);
		va_end(ap);
	}
	fputc('\n', tfile);
	fflush(tfile);
	g_mutex_unlock(&tlock);
}

/* Escape bytes the way C source would spell them, so the payload is one
 * greppable token. */
static void escape(GString *s, const uint8_t *buf, size_t n)
{
	g_string_append_c(s, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		switch (c) {
		case '\r': g_string_append(s, "\\r"); break;
		case '\n': g_string_append(s, "\\n"); break;
		case '\t': g_string_append(s, "\\t"); break;
		case '\\': g_string_append(s, "\\\\"); break;
		case '"':  g_string_append(s, "\\\""); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				g_string_append_printf(s, "\\x%02X", c);
			else
				g_string_append_c(s, (char)c);
		}
	}
	g_string_append_c(s, '"');
}

void transcript_bytes(const char *dev, const char *event,
                      const uint8_t *buf, size_t n)
{
	GString *s;

	if (!tfile || n == 0)
		return;
	s = g_string_new(NULL);
	escape(s, buf, n);
	transcript_event(dev, event, "%s", s->str);
	g_string_free(s, TRUE);
}

void transcript_close(void)
{
	if (tfile)
		fclose(tfile);
	tfile = NULL;
}

