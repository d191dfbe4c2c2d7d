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

static void json_file(const struct hsx_file *f)
{
	char hex[65];
	const char *pad = padding_text(f->padding);

	printf("{\"name\":");
	tool_json_string(stdout, f->name);
	printf(",\"path\":");
	tool_json_string(stdout, f->path);
	printf(",\"size\":%lld,\"offset\":%llu,\"bytes\":%llu,\"sha256\":", f->size, f->offset,
	       f->bytes);
	if (f->path[0] && hsx_sha256_file(f->path, hex) == 0)
		printf("\"%s\"", hex);
	else
		printf("null");
	printf(",\"padding\":");
	if (pad)
		printf("\"%s\"", pad);
	else
		printf("null");
	printf(",\"status\":\"%s\",\"message\":", f->status == HS_OK ? "ok" : hs_err_name(f->status));
	tool_json_string(stdout, f->message);
	printf("}");
}

void hsx_report(struct hsx_run *run, const struct hs_xfer_stats *s, int rc, int json)
{
	if (run->bar)
		fputs("\r\033[K", stderr);
	if (rc < 0)
		tool_warn("%s", hs_last_error());
	if (run->dropped)
		tool_warn("%d more files are not listed", run->dropped);
	if (!json)
		return;
	printf("{\"protocol\":\"%s\",\"result\":\"%s\",\"message\":",
	       hs_xfer_protocol_name(s->files || s->blocks ? s->protocol : run->asked),
	       rc == HS_OK ? "ok" : hs_err_name(rc));
	tool_json_string(stdout, rc == HS_OK ? "" : hs_last_error());
	printf(",\"seconds\":%.3f,\"bytes\":%llu,\"total\":%llu,\"blocks\":%u,\"retries\":%u,",
	       hsx_now() - run->started, (unsigned long long)s->bytes,
	       (unsigned long long)s->total, s->blocks, s->retries);
	printf("\"errors\":{\"crc\":%u,\"timeout\":%u,\"sequence\":%u,\"garbage\":%u},",
	       s->err_crc, s->err_timeout, s->err_sequence, s->err_garbage);
	printf("\"check\":\"%s\",\"files\":[",
	       s->crc == 2 ? "crc32" : s->crc ? "crc16" : "checksum");
	for (int i = 0; i < run->nfiles; i++) {
		if (i)
			putchar(',');
		json_file(&run->files[i]);
	}
	printf("]}\n");
	fflush(stdout);
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
