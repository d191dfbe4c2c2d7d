/*
 * hsdial_log.c - --log FILE: what the far end sent during a call or a
 * console session, as it came, appended to FILE and flushed at every
 * line's end (a session cut short loses no finished line); with
 * --timestamps each line starts with the time its first byte arrived,
 * "[2026-12-02 03:10:51.123] ", as tio's log does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "hsdial_call.h"
#include "tool.h"

static FILE *log_fp;
static int stamps;
static int at_bol = 1;   /* the next byte starts a line */
static int failed;

void hsd_log_open(const char *path, int timestamps)
{
	if (!(log_fp = fopen(path, "a")))
		tool_die(EX_CANTCREAT, "cannot open the log %s: %s", path, strerror(errno));
	stamps = timestamps;
}

static void stamp(void)
{
	struct timeval tv;
	struct tm tm;
	char when[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log_fp, "[%s.%03ld] ", when, (long)(tv.tv_usec / 1000));
}

void hsd_log(const char *buf, size_t n)
{
	if (!log_fp || failed)
		return;
	for (size_t i = 0; i < n; i++) {
		if (at_bol && stamps)
			stamp();
		fputc(buf[i], log_fp);
		at_bol = buf[i] == '\n';
		if (at_bol)
			fflush(log_fp);
	}
	if (ferror(log_fp)) {
		/* a full disk must not end the call: say so once */
		tool_warn("writing the log failed: %s; the session goes on unlogged", strerror(errno));
		failed = 1;
	}
}

void hsd_log_close(void)
{
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
}
