/*
 * gateway/web_int.h: one request as the server (gateway/web.c) hands it
 * to the routes (gateway/web_routes.c), and the answer they fill in.
 */
#ifndef GATEWAY_WEB_INT_H
#define GATEWAY_WEB_INT_H

#include <stdbool.h>

#include "db/store_web.h"
#include "gateway/web_buf.h"
#include "gateway/web_config.h"
#include "gateway/web_page.h"
#include "gateway/web_req.h"

#define WEB_MAX_COOKIES 4

struct web_ctx {
	const struct web_config *cfg;
	struct db *db; /* borrowed from the pool for this request */
	bool tls;
	bool post;
	const char *path;
	const char *cookies; /* the Cookie header or NULL */
	struct web_form query;
	struct web_form form; /* POST body */
	struct web_view view;
	struct db_web_viewer viewer;
	/* the answer */
	int status;
	const char *ctype;
	const char *filename; /* CSV download name, or NULL */
	struct web_buf out;
	char set_cookie[WEB_MAX_COOKIES][320];
	int ncookies;
	char location[512];
};

/* Fills the answer of x (status, body, cookies, redirect). */
void web_route(struct web_ctx *x);

#endif /* GATEWAY_WEB_INT_H */
