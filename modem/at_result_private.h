/* SPDX-License-Identifier: MIT */
/* Internal layout of struct at_result, shared by at_result.c and at_chan.c. */
#ifndef FIELDGATE_MODEM_AT_RESULT_PRIVATE_H
#define FIELDGATE_MODEM_AT_RESULT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

struct at_result_line {
	char *text; /* owned by the result */
	bool is_pdu;
};

struct at_result {
	struct at_result_line *lines;
	size_t n, cap;
	const char *final; /* borrowed from the lexer during callbacks */
};

#endif
