/*
 * gateway/web_config.c: fieldgate-web's configuration (web_config.h).
 */
#include <errno.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/web_config.h"
#include "rules/confwalk.h"

#define OFF(f) offsetof(struct web_config, f)

int web_config_listen(const char *listen, char host[64], int *ret_port)
{
	const char *colon;
	char *end;
	long port;

	if (!listen || !(colon = strrchr(listen, ':')) || colon == listen ||
			(size_t) (colon - listen) > 63)
		return -EINVAL;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return -EINVAL;
	memcpy(host, listen, (size_t) (colon - listen));
	host[colon - listen] = '\0';
	*ret_port = (int) port;
	return 0;
}

static const char *check_listen(const char *v)
{
	char host[64];
	int port;

	if (web_config_listen(v, host, &port) < 0)
		return "must be \"ADDRESS:PORT\", e.g. \"127.0.0.1:8080\"";
	return NULL;
}

static const char *check_nonempty(const char *v)
{
	return *v ? NULL : "must not be empty";
}

static const struct cw_field database_fields[] = {
		{"conninfo", CW_STRING, OFF(db_conninfo), true, 0, 0, NULL,
				NULL, NULL, NULL, NULL},
		{"pool", CW_INT, OFF(db_pool), false, 1, 64, NULL, NULL, NULL,
				NULL, NULL},
		{"statement_timeout_ms", CW_INT, OFF(db_statement_timeout_ms),
				false, 100, 600000, NULL, NULL, NULL, NULL,
				NULL},
		{"connect_timeout_s", CW_INT, OFF(db_connect_timeout_s), false,
				1, 300, NULL, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field login_fields[] = {
		{"code_ttl_s", CW_INT, OFF(code_ttl_s), false, 10, 3600, NULL,
				NULL, NULL, NULL, NULL},
		{"code_interval_s", CW_INT, OFF(code_interval_s), false, 0,
				3600, NULL, NULL, NULL, NULL, NULL},
		{"max_tries", CW_INT, OFF(max_tries), false, 1, 20, NULL, NULL,
				NULL, NULL, NULL},
		{"lock_s", CW_INT, OFF(lock_s), false, 1, 86400 * 7, NULL, NULL,
				NULL, NULL, NULL},
		{"session_ttl_s", CW_INT, OFF(session_ttl_s), false, 1,
				86400 * 30, NULL, NULL, NULL, NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static const struct cw_field root_fields[] = {
		{"listen", CW_STRING, OFF(listen), false, 0, 0, NULL,
				check_listen, NULL, NULL, NULL},
		{"tls_cert", CW_STRING, OFF(tls_cert), false, 0, 0, NULL,
				check_nonempty, NULL, NULL, NULL},
		{"tls_key", CW_STRING, OFF(tls_key), false, 0, 0, NULL,
				check_nonempty, NULL, NULL, NULL},
		{"threads", CW_INT, OFF(threads), false, 1, 64, NULL, NULL,
				NULL, NULL, NULL},
		{"database", CW_GROUP, 0, true, 0, 0, NULL, NULL,
				database_fields, NULL, NULL},
		{"login", CW_GROUP, 0, false, 0, 0, NULL, NULL, login_fields,
				NULL, NULL},
		{NULL, 0, 0, false, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

static char *join_diags(struct diag_list *d)
{
	size_t i, len = 1;
	char *s, *p;

	diag_sort(d);
	for (i = 0; i < d->n; i++)
		len += strlen(d->v[i].line_text) + 1;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (i = 0; i < d->n; i++)
		p += sprintf(p, "%s\n", d->v[i].line_text);
	return s;
}

void web_config_free(struct web_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->path);
	free(cfg->listen);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->db_conninfo);
	free(cfg);
}

int web_config_load(
		const char *path, struct web_config **ret, char **ret_errors)
{
	struct diag_list diags = {0};
	struct web_config *cfg = NULL;
	struct cw_ctx c = {0};
	config_t cf;
	FILE *fp;
	int r;

	*ret_errors = NULL;
	c.path = path;
	c.diags = &diags;
	fp = fopen(path, "r");
	if (!fp) {
		r = -errno;
		cw_diag(&c, DIAG_ERROR, NULL, 0, "cannot open: %s",
				strerror(-r));
		*ret_errors = join_diags(&diags);
		diag_free(&diags);
		return r;
	}
	config_init(&cf);
	r = cw_read(&c, &cf, fp);
	fclose(fp);
	if (r < 0)
		goto out;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		r = -ENOMEM;
		goto out;
	}
	cfg->threads = 4;
	cfg->db_statement_timeout_ms = 5000;
	cfg->db_connect_timeout_s = 5;
	cfg->code_ttl_s = 300;
	cfg->code_interval_s = 60;
	cfg->max_tries = 5;
	cfg->lock_s = 900;
	cfg->session_ttl_s = 43200;
	cfg->path = strdup(path);
	if (!cfg->path)
		c.oom = true;
	cw_walk_group(&c, config_root_setting(&cf), "", root_fields, cfg, cfg);
	if (!cfg->listen && !(cfg->listen = strdup("127.0.0.1:8080")))
		c.oom = true;
	if (!cfg->db_pool)
		cfg->db_pool = cfg->threads;
	if (!cfg->tls_cert != !cfg->tls_key)
		cw_diag(&c, DIAG_ERROR, NULL, 0,
				"'tls_cert' and 'tls_key' go together");
	r = diags.n_errors ? -EINVAL : 0;
out:
	config_destroy(&cf);
	cw_ctx_done(&c);
	if (c.oom || diags.oom)
		r = -ENOMEM;
	if (diags.n)
		*ret_errors = join_diags(&diags);
	diag_free(&diags);
	if (r < 0) {
		web_config_free(cfg);
		return r;
	}
	*ret = cfg;
	return 0;
}
