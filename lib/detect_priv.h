/*
 * detect_priv.h - private: what active (detect.c) and passive
 * (detect_listen.c) detection share: the options' defaults, one try's
 * bookkeeping, and line-error sums.
 */
#ifndef HS_DETECT_PRIV_H
#define HS_DETECT_PRIV_H

#include "handshake/negotiate.h"
#include "link_priv.h"

/* in with its defaults filled in (in may be NULL) */
void hs_search_defaults(const struct hs_detect_opts *in, struct hs_detect_opts *out);

/* A search in progress, active or passive. */
struct hs_search {
	struct hs_link *link;
	struct hs_detect_opts o;      /* with the defaults filled in */
	struct hs_detect_result *res;
	struct hs_line orig;          /* the link's line before */
	int64_t start, deadline;
	int canceled;                 /* on_try asked to stop */
	int twice;                    /* active: AT twice a try */
};

/* Start s: check the arguments (who names the caller in the message),
 * clear res, fill the options and note the line and the clock. */
int hs_search_start(struct hs_search *s, const char *who, struct hs_link *link,
		    const struct hs_detect_opts *opts, struct hs_detect_result *res);
/* Count try t into the result (tries, bytes sent, errors), stamp it and
 * tell on_try. */
void hs_search_tried(struct hs_search *s, struct hs_detect_try *t);
/* Stopped, or past the deadline. */
int hs_search_over(const struct hs_search *s);
/* The end: res->ms, and the link back as it was when nothing was found
 * (rc < 0); returns rc. */
int hs_search_end(struct hs_search *s, int rc);

/* Start a try at line: t cleared, the line set and what was read before
 * dropped; -1 (t->result HS_TRY_REFUSED) when the port refuses it. */
int hs_try_set(struct hs_link *link, const struct hs_line *line,
		  struct hs_detect_try *t);
/* Add the line errors of the last read to t. */
void hs_try_errors(struct hs_link *link, struct hs_detect_try *t);
/* Count n bytes read into t and keep the first ones as its reply. */
void hs_try_keep(struct hs_detect_try *t, const unsigned char *buf, size_t n);

/* How many characters came damaged (the larger of the driver's count
 * and the marks). */
unsigned long hs_errors_count(const struct hs_line_errors *e);

#endif
