/*
 * tests/fuzz/fuzz_config.c - gw_config_load_stream() on arbitrary bytes:
 * a broken config must give diagnostics, never a crash or a leak.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gateway/gwconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks on syntax errors: the string token being scanned
 * (libconfig_yylex, strbuf_append) is not freed when the parser gives up.
 * The leaks are inside the library, a few bytes per failed load, and
 * cannot be freed from outside; ignore leaks allocated by libconfig only.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_config_errors errors = {0};
	struct gw_config *cfg = NULL;
	FILE *fp;

	/* "@include" would make the fuzzer read files from the disk. */
	if (size == 0 || memmem(data, size, "@include", 8))
		return 0;
	fp = fmemopen((void *) data, size, "r");
	if (!fp)
		return 0;
	if (gw_config_load_stream(fp, "fuzz.conf", &cfg, &errors) == 0) {
		/* A config that loads has a database and a modem. */
		if (!cfg->db_conninfo || cfg->n_modems == 0)
			__builtin_trap();
		gw_config_free(cfg);
	} else if (errors.n == 0) {
		/* Refused without saying why. */
		__builtin_trap();
	}
	gw_config_errors_done(&errors);
	fclose(fp);
	return 0;
}
