/*
 * detect_priv.h - private: what active (detect.c) and passive
 * (detect_listen.c) detection share: the options' defaults, one try's
 * bookkeeping, and line-error sums.
 */
#ifndef HS_DETECT_PRIV_H
#define HS_DETECT_PRIV_H

#include "handshake/negotiate.h"

/* in with its defaults filled in (in may be NULL) */
void hs_search_defaults(const struct hs_detect_opts *in, struct hs_detect_opts *out);

/* Start a try at line: t cleared, the line set and what was read before
 * dropped; -1 (t->result HS_TRY_REFUSED) when the port refuses it. */
int hs_try_set(struct hs_link *link, const struct hs_line *line,
		  struct hs_detect_try *t);
/* Add the line errors of the last read to t. */
void hs_try_errors(struct hs_link *link, struct hs_detect_try *t);
/* Count n bytes read into t and keep the first ones as its reply. */
void hs_try_keep(struct hs_detect_try *t, const unsigned char *buf, size_t n);

void hs_errors_add(struct hs_line_errors *sum, const struct hs_line_errors *e);
/* How many characters came damaged (the larger of the driver's count
 * and the marks). */
unsigned long hs_errors_count(const struct hs_line_errors *e);

#endif
