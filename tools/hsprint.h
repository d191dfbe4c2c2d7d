/*
 * hsprint.h - what hsprint.c (the command) and hsprint_cups.c (the same
 * program as the CUPS backend "hs") share.
 */
#ifndef HS_HSPRINT_H
#define HS_HSPRINT_H

#include <stddef.h>
#include <handshake/printer.h>

/* hsprint_cups.c: the CUPS backend mode (installed as backend "hs"). */
int hsprint_cups_wanted(int argc, char **argv);
int hsprint_cups_main(int argc, char **argv);

/* A finished job's count in words ("the printer took all N bytes"),
 * saying who took them and how sure that is. */
void hsprint_took_all(char *out, size_t cap, struct hs_printer *p, size_t accepted);

#endif
