/*
 * hsxfer.h - what hsxfer's files share: the run's options and results,
 * the report (progress bar, per-file lines, --json) and SHA-256.
 */
#ifndef HSXFER_H
#define HSXFER_H

#include <handshake/xfer.h>

#define HSX_MAX_FILES 256

/* One file as reported at the end. */
struct hsx_file {
	char *name;           /* as sent or received (untrusted: escape it) */
	char *path;           /* local path; "" if refused */
	long long size;       /* sent or announced; -1 unknown */
	unsigned long long bytes;
	unsigned long long offset; /* ZMODEM: where it resumed; 0 from the start */
	enum hs_xfer_padding padding;
	int status;
	char *message;
};

struct hsx_run {
	int sending;
	int bar;              /* stderr is a terminal: draw progress */
	int verbose;
	const char *device;   /* the URI, as --json says it */
	enum hs_xfer_protocol asked;
	double started;       /* seconds, monotonic */
	struct hsx_file files[HSX_MAX_FILES];
	int nfiles;
	int dropped;          /* files past HSX_MAX_FILES, not listed */
};

double hsx_now(void);
/* Callbacks for hs_xfer_opts (ctx is the struct hsx_run). */
void hsx_progress(void *ctx, const struct hs_xfer_stats *s);
void hsx_file_done(void *ctx, const struct hs_xfer_file *f);
/* The end: a line per problem, and under --json (tool_json_out) the
 * one answer, status being the exit status hsxfer ends with. */
void hsx_report(struct hsx_run *run, const struct hs_xfer_stats *s, int rc, int status);
void hsx_free(struct hsx_run *run);

/* SHA-256 of a file as 64 hex digits; -1 when it cannot be read. */
int hsx_sha256_file(const char *path, char hex[65]);

#endif
