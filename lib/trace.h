/*
 * trace.h - private: the library's side of handshake/log.h. Callers test
 * hs_tracing(level) before building a message, so tracing that is off
 * costs one load and one comparison on the hot path.
 */
#ifndef HS_TRACE_H
#define HS_TRACE_H

#include <stddef.h>
#include "handshake/log.h"
#include "fail.h"

/* The level in force: HS_DEBUG's, or hs_set_log()'s. */
extern int hs_trace_level;

#define hs_tracing(level) (__builtin_expect(hs_trace_level >= (level), 0))

/* One event (the caller checked hs_tracing). */
void hs_trace(int level, const char *func, const char *fmt, ...) HS_PRINTF(3, 4);

/* n bytes that went out to (dir "out") or came in from (dir "in") the
 * device at path, C-escaped, split into lines of at most 64 bytes. */
void hs_trace_bytes(const char *func, const char *path, const char *dir,
		    const void *buf, size_t n);

#endif
