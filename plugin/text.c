/* The bounded text builder. */
#include <stdarg.h>
#include <stdio.h>

#include "text.h"

void sstp_text_init(struct sstp_text *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->used = 0;
	t->truncated = false;
	if (size)
		buf[0] = '\0';
}

void sstp_text_append(struct sstp_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used + 1 >= t->size) {
		t->truncated = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->truncated = true;
		return;
	}
	if ((size_t)n >= t->size - t->used) {
		t->used = t->size - 1;
		t->truncated = true;
	} else {
		t->used += (size_t)n;
	}
}
