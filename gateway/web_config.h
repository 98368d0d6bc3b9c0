/*
 * gateway/web_config.h: fieldgate-web's configuration file (libconfig,
 * read with the schema walker of rules/confwalk.h like the daemon's, so
 * errors read "file:line: message"). docs/fieldgate-web.8 describes it.
 */
#ifndef GATEWAY_WEB_CONFIG_H
#define GATEWAY_WEB_CONFIG_H

#include <stdbool.h>

struct web_config {
	char *path;
	char *listen;	/* "host:port", default "127.0.0.1:8080" */
	char *tls_cert; /* PEM file or NULL (plain HTTP) */
	char *tls_key;
	int threads; /* libmicrohttpd thread pool (default 4) */
	char *db_conninfo;
	int db_pool; /* PostgreSQL connections (default = threads) */
	int db_statement_timeout_ms;
	int db_connect_timeout_s;
	int code_ttl_s;	     /* 300 */
	int code_interval_s; /* 60: one code per number this often */
	int max_tries;	     /* 5 */
	int lock_s;	     /* 900 */
	int session_ttl_s;   /* 43200 */
};

/*
 * Loads @path. 0 with *ret owned by the caller (web_config_free());
 * -EINVAL with every problem as one line "file:line: message" in
 * *ret_errors (a malloc'ed, '\n'-separated string the caller frees, also
 * set for -ENOENT etc.); -ENOMEM.
 */
int web_config_load(const char *path, struct web_config **ret,
		char **ret_errors) __attribute__((warn_unused_result));
void web_config_free(struct web_config *cfg);

/* Splits "host:port"; 0 or -EINVAL. host gets at most 63 bytes. */
int web_config_listen(const char *listen, char host[64], int *ret_port);

#endif /* GATEWAY_WEB_CONFIG_H */
