/*
 * handshake/handshake.h - the whole public API of libhandshake in one
 * include, and its version.
 *
 * It includes every other public header. Each header has its man page
 * (handshake-link(3) for handshake/link.h, ...) and every function a
 * page of its name; handshake(7) is the overview.
 */
#ifndef HANDSHAKE_HANDSHAKE_H
#define HANDSHAKE_HANDSHAKE_H

#include "handshake/error.h"
#include "handshake/log.h"
#include "handshake/link.h"
#include "handshake/negotiate.h"
#include "handshake/at.h"
#include "handshake/modem.h"
#include "handshake/chat.h"
#include "handshake/ieee1284.h"
#include "handshake/printer.h"
#include "handshake/usb.h"
#include "handshake/device.h"
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
