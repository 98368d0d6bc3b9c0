/*
 * gateway/web_auth.h: random secrets of the web dashboard (getrandom()).
 */
#ifndef GATEWAY_WEB_AUTH_H
#define GATEWAY_WEB_AUTH_H

#include <stddef.h>

/* nbytes random bytes as 2*nbytes lowercase hex into out (2n+1 bytes). */
int web_random_hex(char *out, size_t nbytes);
/* A uniformly drawn 6-digit code "000000".."999999" into out[7]. */
int web_random_code(char out[7]);

#endif /* GATEWAY_WEB_AUTH_H */
