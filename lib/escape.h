/*
 * escape.h - private: hs_escape() for byte runs that may hold NUL (the
 * trace's payloads), which the public call, taking a C string, wraps.
 */
#ifndef HS_ESCAPE_H
#define HS_ESCAPE_H

#include <stddef.h>
#include "handshake/device.h"

/* As hs_escape(), over n bytes; *cut (may be NULL) is set when not all
 * of them fitted. Returns the length written; cap must be >= 3 for a
 * quoted mode, >= 1 otherwise. */
size_t hs_escape_bytes(char *out, size_t cap, const void *in, size_t n,
		       enum hs_escape_mode mode, int *cut);

#endif
