/* Phone number normalization, shared by every store that takes a number. */
#include <errno.h>
#include <string.h>

#include "db/store.h"

int db_phone_normalize(const char *in, char out[DB_PHONE_MAX])
{
	char buf[DB_PHONE_MAX];
	size_t n = 0, digits = 0;
	const char *p;

	if (!in || !out)
		return -EINVAL;
	for (p = in; *p; p++) {
		char c = *p;

		if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')')
			continue;
		if (c == '+' && n == 0) {
			buf[n++] = c;
			continue;
		}
		if (c < '0' || c > '9' || n >= DB_PHONE_MAX - 2)
			return -EINVAL;
		buf[n++] = c;
		digits++;
	}
	buf[n] = '\0';
	/* international prefix "00" written as '+' */
	if (buf[0] == '0' && buf[1] == '0' && digits > 2) {
		memmove(buf + 1, buf + 2, n - 1);
		buf[0] = '+';
		digits -= 2;
	}
	if (digits < 3 || digits > 20)
		return -EINVAL;
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}
