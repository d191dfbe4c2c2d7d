/*
 * hsprobe.h - what the parts of hsprobe share. The devices, their
 * identification and the talking are the library's (handshake/device.h);
 * hsprobe prints them: hsprobe_json.c as JSON (also the state file
 * --setup writes), hsprobe.c as a table, udev lines and events.
 */
#ifndef HS_HSPROBE_H
#define HS_HSPROBE_H

#include <stddef.h>
#include <stdio.h>

#include <handshake/device.h>

#include "tool.h"

/* The device's members, into the JSON object j has open (the state file
 * --setup writes is that object alone). */
void hsprobe_json(struct tool_json *j, const struct hs_device *d);

/* DIR/<name>.json (DIR: $HS_RUN_DIR, else /run/handshake), written whole
 * or not at all; *file gets its path. 0 or -errno. */
int hsprobe_write_state(const struct hs_device *d, char *file, size_t cap);

/* --detect (hsprobe_detect.c): find the line settings of the device at
 * dev (a URI or a path), actively or (passive) by listening only; print
 * them. Returns the exit status. */
int hsprobe_detect(const char *dev, int passive, int json, int timeout_ms);

/* A modem at another rate (hsprobe_rate.c): is detection at setup opted
 * in (HS_SETUP_DETECT=1)? And for --udev, ID_MM_TTY_BAUDRATE from the
 * rate the last setup found, when it is not ModemManager's default. */
int hsprobe_rate_opted_in(void);
void hsprobe_rate_udev(const struct hs_device *d);

#endif
