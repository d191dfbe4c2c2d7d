/*
 * fail.h - private: how library code reports a failure. hs_fail() records
 * the message for hs_last_error(), traces it with the function that failed
 * (handshake/log.h) and returns the code, so every error path is one line:
 * `return hs_fail(HS_ERR_BUSY, "%s is locked ...", ...)`.
 */
#ifndef HS_FAIL_H
#define HS_FAIL_H

#include "handshake/error.h"

#if defined(__GNUC__)
#define HS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HS_PRINTF(a, b)
#endif

int hs_fail_in(const char *func, int code, const char *fmt, ...) HS_PRINTF(3, 4);
#define hs_fail(...) hs_fail_in(__func__, __VA_ARGS__)

/* The enum hs_err for an errno from opening or using a device. */
int hs_errno_code(int err);

#endif
