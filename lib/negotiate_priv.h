/*
 * negotiate_priv.h - private: the parts of rate negotiation (negotiate.c)
 * that tests look at directly.
 */
#ifndef HS_NEGOTIATE_PRIV_H
#define HS_NEGOTIATE_PRIV_H

/* The rates in a modem's answer to AT+IPR=? ("+IPR: (0,300,1200-115200),
 * (230400)": each rate named, and the usual rates inside a range; 0,
 * autobaud, is not a rate) into the ascending list rates[*n], at most
 * cap, each once. */
void hs_ipr_rates(const char *text, int *rates, int *n, int cap);

#endif
