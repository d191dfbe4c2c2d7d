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

/* Record that what could not be opened because the process (EMFILE) or
 * the system (ENFILE) has no descriptor left, with the limit to raise.
 * Returns HS_ERR_IO. */
int hs_fail_no_fds(const char *what, int err);

/* Record why node could not be opened (EACCES, EPERM) and what would
 * help: its owner, group and mode, then join its group, log in again, or
 * (a node of group root, or a mode without group access) a udev rule
 * "udev_match, GROUP="group", MODE="0660"". Returns HS_ERR_PERMISSION. */
int hs_fail_permission(const char *node, const char *udev_match, const char *group);

#endif
