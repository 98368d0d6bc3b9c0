/*
 * gateway/web.c: fieldgate-web's HTTP side (libmicrohttpd): limits on
 * what a client may send, the database pool, and the plumbing between a
 * request and gateway/web_routes.c. See gateway/web.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "db/db.h"
#include "gateway/log.h"
#include "gateway/web.h"
#include "gateway/web_int.h"

struct web_server {
	const struct web_config *cfg;
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db **dbs;
	bool *busy;
	size_t n;
	char *tls_cert, *tls_key;
	int port;
};

/* Per request: the raw target (from the URI log callback) and body. */
struct req {
	char target[WEB_TARGET_MAX];
	bool target_too_long;
	bool started;
	bool body_too_big;
	size_t body_len;
	char body[WEB_BODY_MAX];
};

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *rq = calloc(1, sizeof(*rq));

	(void) cls;
	(void) c;
	if (!rq)
		return NULL;
	if (strlen(uri) >= sizeof(rq->target))
		rq->target_too_long = true;
	else
		strcpy(rq->target, uri);
	return rq;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	(void) cls;
	(void) c;
	(void) toe;
	free(*con_cls);
	*con_cls = NULL;
}

static struct db *pool_get(struct web_server *s, size_t *ret_i)
{
	struct db *db = NULL;
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		for (i = 0; i < s->n; i++)
			if (!s->busy[i])
				break;
		if (i < s->n)
			break;
		pthread_cond_wait(&s->cv, &s->mu);
	}
	s->busy[i] = true;
	db = s->dbs[i];
	pthread_mutex_unlock(&s->mu);
	*ret_i = i;
	if (!db_is_connected(db)) {
		struct db_error err;
		if (db_reconnect(db, &err) < 0)
			log_warnx("database: %s", err.message);
	}
	return db;
}

static void pool_put(struct web_server *s, size_t i)
{
	pthread_mutex_lock(&s->mu);
	s->busy[i] = false;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static const char csp[] =
		"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
		"data:; form-action 'self'; frame-ancestors 'none'; "
		"base-uri 'none'";

static enum MHD_Result send_buf(struct MHD_Connection *c, int status,
		const char *ctype, char *body, size_t len,
		const struct web_ctx *x)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int i;

	resp = MHD_create_response_from_buffer(
			len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	if (x) {
		for (i = 0; i < x->ncookies; i++)
			MHD_add_response_header(
					resp, "Set-Cookie", x->set_cookie[i]);
		if (x->location[0])
			MHD_add_response_header(resp, "Location", x->location);
		if (x->filename) {
			char disp[160];
			snprintf(disp, sizeof(disp),
					"attachment; filename=\"%s\"",
					x->filename);
			MHD_add_response_header(
					resp, "Content-Disposition", disp);
		}
	}
	ret = MHD_queue_response(c, (unsigned) status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_plain(
		struct MHD_Connection *c, int status, const char *msg)
{
	size_t len = strlen(msg);
	char *body = malloc(len + 1);

	if (!body)
		return MHD_NO;
	memcpy(body, msg, len + 1);
	return send_buf(c, status, "text/plain; charset=utf-8", body, len,
			NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
		const char *url, const char *method, const char *version,
		const char *upload, size_t *upload_size, void **con_cls)
{
	struct web_server *s = cls;
	struct req *rq = *con_cls;
	struct web_ctx x;
	char path[WEB_TARGET_MAX];
	const char *query = "";
	enum MHD_Result ret;
	char *body;
	size_t len, slot;
	bool post;

	(void) url;
	(void) version;
	if (!rq)
		return MHD_NO;
	post = !strcmp(method, MHD_HTTP_METHOD_POST);
	if (!post && strcmp(method, MHD_HTTP_METHOD_GET) &&
			strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_plain(c, 405, "method not allowed\n");
	if (!rq->started) {
		const char *cl = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, "Content-Length");
		rq->started = true;
		if (cl && strtoull(cl, NULL, 10) > WEB_BODY_MAX)
			return send_plain(c, 413, "request body too large\n");
		if (post)
			return MHD_YES;
	}
	if (*upload_size) {
		if (!rq->body_too_big &&
				rq->body_len + *upload_size <= WEB_BODY_MAX) {
			memcpy(rq->body + rq->body_len, upload, *upload_size);
			rq->body_len += *upload_size;
		} else {
			rq->body_too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!post && rq->body_len)
		return send_plain(c, 400, "unexpected body\n");
	if (rq->body_too_big)
		return send_plain(c, 413, "request body too large\n");
	if (rq->target_too_long)
		return send_plain(c, 414, "request target too long\n");
	if (web_target_split(rq->target, path, sizeof(path), &query) < 0)
		return send_plain(c, 400, "bad request target\n");
	memset(&x, 0, sizeof(x));
	x.cfg = s->cfg;
	x.tls = s->tls_cert != NULL;
	x.post = post;
	x.path = path;
	x.cookies = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
	if (x.cookies && !web_text_ok(x.cookies, strlen(x.cookies)))
		return send_plain(c, 400, "bad cookie header\n");
	if (web_form_parse(query, strlen(query), &x.query) < 0)
		return send_plain(c, 400, "bad query string\n");
	if (post) {
		const char *ct = MHD_lookup_connection_value(
				c, MHD_HEADER_KIND, "Content-Type");
		if (!ct || strncmp(ct, "application/x-www-form-urlencoded",
					   33)) {
			web_form_free(&x.query);
			return send_plain(c, 415, "forms only\n");
		}
		if (web_form_parse(rq->body, rq->body_len, &x.form) < 0) {
			web_form_free(&x.query);
			return send_plain(c, 400, "bad form body\n");
		}
	}
	x.db = pool_get(s, &slot);
	web_route(&x);
	pool_put(s, slot);
	web_form_free(&x.query);
	web_form_free(&x.form);
	if (x.out.oom) {
		web_buf_free(&x.out);
		return send_plain(c, 500, "out of memory\n");
	}
	body = web_buf_take(&x.out, &len);
	if (!body)
		return MHD_NO;
	ret = send_buf(c, x.status ? x.status : 200,
			x.ctype ? x.ctype : "text/html; charset=utf-8", body,
			len, &x);
	return ret;
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 && n < 1 << 20 &&
			fseek(fp, 0, SEEK_SET) == 0 &&
			(buf = calloc(1, (size_t) n + 1)) &&
			fread(buf, 1, (size_t) n, fp) != (size_t) n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

int web_server_start(const struct web_config *cfg, struct web_server **ret)
{
	struct web_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	char host[64];
	int port, r;
	size_t i;
	const union MHD_DaemonInfo *info;

	if (!s)
		return -ENOMEM;
	s->cfg = cfg;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (web_config_listen(cfg->listen, host, &port) < 0) {
		r = -EINVAL;
		goto fail;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t) port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		log_warnx("listen: \"%s\" is not an IPv4 address", host);
		r = -EINVAL;
		goto fail;
	}
	s->n = (size_t) cfg->db_pool;
	s->dbs = calloc(s->n, sizeof(*s->dbs));
	s->busy = calloc(s->n, sizeof(*s->busy));
	if (!s->dbs || !s->busy) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < s->n; i++) {
		struct db_error err;
		r = db_connect(cfg->db_conninfo, "fieldgate-web",
				cfg->db_connect_timeout_s,
				cfg->db_statement_timeout_ms, &s->dbs[i], &err);
		if (r < 0) {
			log_warnx("database: %s", err.message);
			goto fail;
		}
	}
	if (cfg->tls_cert) {
		s->tls_cert = read_file(cfg->tls_cert);
		s->tls_key = read_file(cfg->tls_key);
		if (!s->tls_cert || !s->tls_key) {
			log_warnx("tls: cannot read %s or %s", cfg->tls_cert,
					cfg->tls_key);
			r = -EIO;
			goto fail;
		}
		flags |= MHD_USE_TLS;
	}
	if (s->tls_cert)
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s,
				MHD_OPTION_SOCK_ADDR, &sin,
				MHD_OPTION_THREAD_POOL_SIZE,
				(unsigned) cfg->threads,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t) 32768, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned) 1000, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned) 30, MHD_OPTION_URI_LOG_CALLBACK,
				uri_log, s, MHD_OPTION_NOTIFY_COMPLETED,
				completed, s, MHD_OPTION_HTTPS_MEM_CERT,
				s->tls_cert, MHD_OPTION_HTTPS_MEM_KEY,
				s->tls_key, MHD_OPTION_END);
	else
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, s,
				MHD_OPTION_SOCK_ADDR, &sin,
				MHD_OPTION_THREAD_POOL_SIZE,
				(unsigned) cfg->threads,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				(size_t) 32768, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned) 1000, MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned) 30, MHD_OPTION_URI_LOG_CALLBACK,
				uri_log, s, MHD_OPTION_NOTIFY_COMPLETED,
				completed, s, MHD_OPTION_END);
	if (!s->d) {
		log_warnx("cannot listen on %s", cfg->listen);
		r = -EADDRINUSE;
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	*ret = s;
	return 0;
fail:
	web_server_stop(s);
	return r;
}

int web_server_port(const struct web_server *s)
{
	return s->port;
}

void web_server_stop(struct web_server *s)
{
	size_t i;

	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	for (i = 0; s->dbs && i < s->n; i++)
		db_free(s->dbs[i]);
	free(s->dbs);
	free(s->busy);
	free(s->tls_cert);
	free(s->tls_key);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
