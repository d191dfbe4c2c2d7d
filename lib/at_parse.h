/*
 * at_parse.h - private: what a line from a modem is. Pure functions over
 * one line of text, with no I/O, so the engine (at.c) reads top to bottom
 * and the parser can be tested on its own.
 */
#ifndef HS_AT_PARSE_H
#define HS_AT_PARSE_H

#include <stddef.h>
#include "handshake/at.h"

/* Is the line a URC? Fills urc (pointing into scratch, cap bytes) and
 * returns 1. cmd_name is the command's "+NAME" (or "") whose own
 * "+NAME:" lines are a reply, not a URC; extra is the driver's prefixes. */
int hs_atp_urc(const char *line, const char *cmd_name,
		    const char *const *extra, struct hs_at_urc *urc,
		    char *scratch, size_t cap);

/* Read CARRIER / PROTOCOL / COMPRESSION information lines (W2 style)
 * into c; returns 1 when the line was one. */
int hs_atp_connect_info(const char *line, struct hs_at_connect *c);

/* Is the line the echo of cmd, whole or a piece of it (>= 2 chars)? */
int hs_atp_is_echo(const char *line, const char *cmd);

/* All digits (1..3 of them)? */
int hs_atp_is_number(const char *line);

/* The "+NAME" of an extended command in cmd ("AT+CLIP?" -> "+CLIP"), or
 * "" when it has none. */
void hs_atp_command_name(const char *cmd, char *out, size_t cap);

/* What the basic commands in cmd change: E, V, Q, S3, S4 (-1 = not
 * touched); Z and &F count as "back to E1 V1 Q0, CR, LF". */
struct hs_atp_settings {
	int echo, verbose, quiet, s3, s4;
};
void hs_atp_scan_settings(const char *cmd, struct hs_atp_settings *s);

#endif
