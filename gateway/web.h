/*
 * gateway/web.h: fieldgate-web's server (libmicrohttpd) and its request
 * handling: sessions, access checks, routing to the pages.
 */
#ifndef GATEWAY_WEB_H
#define GATEWAY_WEB_H

#include "gateway/web_config.h"

#define WEB_BODY_MAX 4096 /* a form body larger than this is 413 */

struct web_server;

/*
 * Connects the database pool and starts listening. *ret owned by the
 * caller (web_server_stop()). -errno with a message logged.
 */
int web_server_start(const struct web_config *cfg, struct web_server **ret);
/* The port listened on (useful with port 0). */
int web_server_port(const struct web_server *s);
/* Stops and frees. NULL is a no-op. */
void web_server_stop(struct web_server *s);

#endif /* GATEWAY_WEB_H */
