/*
 * hsxfer_report.c - what hsxfer says: a progress bar while stderr is a
 * terminal (bytes, rate, time left, retries), a line for each file that
 * was refused or failed, and the --json summary with each file's SHA-256.
 * File names come from the peer: every one is escaped before printing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <handshake/handshake.h>
#include "hsxfer.h"
#include "tool.h"

/* How often the bar is redrawn, at most. */
#define BAR_EVERY_S 0.1

double hsx_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *label(const struct hs_xfer_file *f, char *buf, size_t cap)
{
	if (f && f->name[0])
		return hs_xfer_printable(f->name, buf, cap);
	if (f && f->path[0])
		return hs_xfer_printable(f->path, buf, cap);
	return "(file)";
}

void hsx_progress(void *ctx, const struct hs_xfer_stats *s)
{
	static double last;
	struct hsx_run *run = ctx;
	double now = hsx_now(), secs = now - run->started;
	unsigned long long done = run->sending ? s->sent : s->bytes;
	double rate = secs > 0 ? (double)done / secs : 0;
	char name[64];

	if (!run->bar || now - last < BAR_EVERY_S)
		return;
	last = now;
	fprintf(stderr, "\r%s: %.30s ", tool_name, label(s->file, name, sizeof(name)));
	if (s->total && done <= s->total) {
		int pct = (int)(done * 100 / s->total), fill = pct / 5;
		double eta = rate > 0 ? (double)(s->total - done) / rate : -1;
		fprintf(stderr, "[%.*s%*s] %3d%% ", fill, "====================", 20 - fill, "", pct);
		fprintf(stderr, "%llu/%llu B %.1f KiB/s", done, (unsigned long long)s->total,
			rate / 1024);
		if (eta >= 0)
			fprintf(stderr, " %d:%02d left", (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "%llu B %.1f KiB/s", done, rate / 1024);
	}
	fprintf(stderr, ", %u retries \033[K", s->retries);
	fflush(stderr);
}

static char *dup_or_empty(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		tool_die(EX_OSERR, "out of memory");
	return d;
}

static const char *padding_text(enum hs_xfer_padding p)
{
	switch (p) {
	case HS_XFER_PAD_KEPT:
		return "kept";
	case HS_XFER_PAD_STRIPPED:
		return "stripped";
	case HS_XFER_PAD_LENGTH:
		return "length";
	default:
		return NULL;
	}
}

void hsx_file_done(void *ctx, const struct hs_xfer_file *f)
{
	struct hsx_run *run = ctx;
	char name[HS_XFER_NAME_MAX * 4 + 1];

	if (run->bar)
		fputs("\r\033[K", stderr);
	label(f, name, sizeof(name));
	if (f->status != HS_OK) {
		/* A refused or short file is said now; the error that ended
		 * the transfer (the file's message is that error) at the end. */
		if (strcmp(f->message, hs_last_error()) != 0)
			tool_warn("%s: %s", name, f->message);
	} else if (run->bar || run->verbose) {
		char from[64] = "";
		if (f->offset)
			snprintf(from, sizeof(from), " (resumed at offset %llu)",
				 (unsigned long long)f->offset);
		tool_warn("%s: %llu bytes %s%s%s", name, (unsigned long long)f->bytes,
			  run->sending ? "sent and confirmed" : "received", from,
			  f->padding == HS_XFER_PAD_KEPT ?
			  " (XMODEM padding kept: the sender gives no length; --strip-sub drops trailing SUB bytes)" :
			  f->padding == HS_XFER_PAD_STRIPPED ? " (trailing SUB padding dropped)" : "");
	}
	if (run->nfiles == HSX_MAX_FILES) {
		run->dropped++;
		return;
	}
	run->files[run->nfiles++] = (struct hsx_file){
		.name = dup_or_empty(f->name), .path = dup_or_empty(f->path),
		.size = (long long)f->size, .bytes = (unsigned long long)f->bytes,
		.offset = (unsigned long long)f->offset,
		.padding = f->padding, .status = f->status,
		.message = dup_or_empty(f->message),
	};
}

static void json_file(struct tool_json *j, const struct hsx_file *f)
{
	char hex[65];

	tool_json_object(j, NULL);
	tool_json_str(j, "name", f->name);
	tool_json_str(j, "path", f->path);
	tool_json_int(j, "size", f->size);
	tool_json_int(j, "offset", (long long)f->offset);
	tool_json_int(j, "bytes", (long long)f->bytes);
	tool_json_str(j, "sha256", f->path[0] && hsx_sha256_file(f->path, hex) == 0 ? hex : NULL);
	tool_json_str(j, "padding", padding_text(f->padding));
	tool_json_str(j, "status", f->status == HS_OK ? "ok" : hs_err_name(f->status));
	tool_json_str(j, "message", f->message);
	tool_json_close(j);
}

void hsx_report(struct hsx_run *run, const struct hs_xfer_stats *s, int rc, int status)
{
	struct tool_json j;

	if (run->bar)
		fputs("\r\033[K", stderr);
	if (rc < 0)
		tool_warn("%s", hs_last_error());
	if (run->dropped)
		tool_warn("%d more files are not listed", run->dropped);
	if (!tool_json_out)
		return;
	tool_json_begin(&j, tool_json_out);
	tool_json_bool(&j, "ok", rc == HS_OK);
	tool_json_int(&j, "exit", status);
	tool_json_str(&j, "mode", run->sending ? "send" : "receive");
	tool_json_str(&j, "device", run->device);
	tool_json_str(&j, "protocol",
		      hs_xfer_protocol_name(s->files || s->blocks ? s->protocol : run->asked));
	tool_json_str(&j, "check", s->crc == 2 ? "crc32" : s->crc ? "crc16" : "checksum");
	tool_json_int(&j, "time_ms", (long long)((hsx_now() - run->started) * 1000));
	tool_json_int(&j, "bytes", (long long)s->bytes);
	tool_json_int(&j, "total", (long long)s->total);
	tool_json_int(&j, "blocks", s->blocks);
	tool_json_int(&j, "retries", s->retries);
	tool_json_object(&j, "errors");
	tool_json_int(&j, "crc", s->err_crc);
	tool_json_int(&j, "timeout", s->err_timeout);
	tool_json_int(&j, "sequence", s->err_sequence);
	tool_json_int(&j, "garbage", s->err_garbage);
	tool_json_close(&j);
	tool_json_array(&j, "files");
	for (int i = 0; i < run->nfiles; i++)
		json_file(&j, &run->files[i]);
	tool_json_close(&j);
	if (rc != HS_OK)
		tool_json_error(&j, rc, hs_last_error());
	tool_json_end(&j);
}

void hsx_free(struct hsx_run *run)
{
	for (int i = 0; i < run->nfiles; i++) {
		free(run->files[i].name);
		free(run->files[i].path);
		free(run->files[i].message);
	}
	run->nfiles = 0;
}
