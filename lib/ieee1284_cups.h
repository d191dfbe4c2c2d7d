/*
 * ieee1284_cups.h - private: the make-and-model string CUPS derives from a
 * device ID's fields (ieee1284_cups.c), for hs_1284_parse().
 */
#ifndef HS_IEEE1284_CUPS_H
#define HS_IEEE1284_CUPS_H

#include <stddef.h>

/*
 * Write to out (cap bytes) the make and model CUPS 2.4 gives a printer
 * whose ID has these values: mfg from MANUFACTURER or MFG, mdl from MODEL
 * or MDL, des from DESCRIPTION or DES; NULL where the ID has no such key
 * ("" is a key with an empty value, which CUPS treats differently).
 * "Unknown" when nothing usable is left, as CUPS says.
 */
void hs_cups_make_model(const char *mfg, const char *mdl, const char *des, char *out,
			size_t cap);

#endif
