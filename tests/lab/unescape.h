/*
 * unescape.h — C escapes in the lab's text arguments (modem scripts,
 * labhost steps), shared by hslab and labhost, which links no GLib.
 */
#ifndef LAB_UNESCAPE_H
#define LAB_UNESCAPE_H

#include <stddef.h>

/* unescape C escapes (\r \n \t \\ \" \xHH \e \0) into out, which needs
 * strlen(in) + 1 bytes; NUL-terminates and returns the length */
size_t lab_unescape(const char *in, char *out);

#endif
