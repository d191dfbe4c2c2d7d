/*
 * handshake/handshake.h - the whole public API of libhandshake in one
 * include, and its version.
 */
#ifndef HANDSHAKE_HANDSHAKE_H
#define HANDSHAKE_HANDSHAKE_H

#include "handshake/error.h"
#include "handshake/link.h"
#include "handshake/at.h"
#include "handshake/modem.h"
#include "handshake/chat.h"
#include "handshake/ieee1284.h"
#include "handshake/printer.h"
#include "handshake/usb.h"
#include "handshake/xfer.h"

#define HS_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version at run time, e.g. "0.1.0". */
const char *hs_version(void);

#ifdef __cplusplus
}
#endif
#endif
