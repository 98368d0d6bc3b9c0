/*
 * libFuzzer target: everything fieldgate-web parses from a client
 * (gateway/web_req.h): the request target, query strings and form
 * bodies, the Cookie header; and the escapers over what was parsed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/web_buf.h"
#include "gateway/web_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct web_form f;
	struct web_buf b = {0};
	char path[256], out[80];
	const char *q;
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (web_form_parse((const char *) data, size, &f) == 0) {
		for (i = 0; i < f.n; i++) {
			web_html(&b, f.v[i].key);
			web_html(&b, f.v[i].val);
			web_csv_field(&b, f.v[i].val);
			web_url(&b, f.v[i].val);
		}
		web_form_free(&f);
	}
	if (web_target_split(s, path, sizeof(path), &q) == 0 &&
			web_form_parse(q, strlen(q), &f) == 0)
		web_form_free(&f);
	(void) web_cookie_get(s, "fg_session", out, sizeof(out));
	(void) web_cookie_get(s, "-", out, sizeof(out));
	web_html(&b, s);
	web_buf_free(&b);
	free(s);
	return 0;
}
