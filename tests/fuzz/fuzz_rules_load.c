/*
 * tests/fuzz/fuzz_rules_load.c - rules_load() on arbitrary bytes written
 * to a temporary file: a broken rule file gives diagnostics, never a
 * crash, a hang or a leak; a file that loads answers a message.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks a token on syntax errors (see fuzz_config.c). */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list d = {0};
	struct rules *r = NULL;
	FILE *f;
	int rc;

	/* "@include" would make the fuzzer read files from the disk. */
	if (size == 0 || memmem(data, size, "@include", 8))
		return 0;
	if (!path[0]) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fuzz_rules_XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			return 0;
		close(fd);
	}
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	rc = rules_load(path, &r, &d);
	if (rc == 0) {
		struct rules_msg msg = {0};
		struct rules_parsed *p = NULL;
		struct rules_decision *dec = NULL;

		if (!r || d.n_errors)
			__builtin_trap();
		msg.text = (const char *) data;
		msg.len = size < 64 ? size : 64;
		msg.sender.role = "rep";
		msg.received.year = 2026;
		msg.received.month = 6;
		msg.received.day = 1;
		if (rules_parse(r, &msg, &p) == 0 &&
				rules_decide(r, p, &msg, NULL, &dec) == 0)
			rules_decision_free(dec);
		rules_parsed_free(p);
		rules_free(r);
	} else if (rc == -22 && d.n_errors == 0) {
		/* refused without saying why */
		__builtin_trap();
	}
	diag_free(&d);
	return 0;
}
