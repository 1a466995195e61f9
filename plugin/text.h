/* A bounded text builder: appends until the buffer is full, then drops the
 * rest and remembers it did, always leaving the text NUL-terminated. */
#ifndef SSTP_TEXT_H
#define SSTP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

struct sstp_text {
	char *buf;
	size_t size;
	size_t used;
	bool truncated;
};

/* Starts an empty text in buf (size > 0). */
void sstp_text_init(struct sstp_text *t, char *buf, size_t size);

void sstp_text_append(struct sstp_text *t, const char *fmt, ...) SSTP_PRINTF(2, 3);

#endif
