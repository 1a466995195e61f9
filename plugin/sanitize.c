/* One sanitiser for network text; see sanitize.h. */
#include <string.h>

#include "sanitize.h"

#define TRUNCATION_MARK "..."

/* The longest form one byte takes: "\xHH". */
#define ESCAPED_BYTE_MAX 4

static size_t escape_byte(char out[ESCAPED_BYTE_MAX], unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\') {
		out[0] = out[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return ESCAPED_BYTE_MAX;
}

const char *sstp_sanitize(char *out, size_t size, const char *text, size_t len)
{
	const size_t mark_len = sizeof(TRUNCATION_MARK) - 1;
	char piece[ESCAPED_BYTE_MAX];
	size_t room = size - 1, total = 0, limit, used = 0, i, n;

	if (size == 0)
		return out;
	for (i = 0; i < len; i++)
		total += escape_byte(piece, (unsigned char)text[i]);
	/* Cut at a whole escape, so that no "\x1" is left dangling. */
	limit = total <= room ? room : (room > mark_len ? room - mark_len : 0);
	for (i = 0; i < len; i++) {
		n = escape_byte(piece, (unsigned char)text[i]);
		if (used + n > limit)
			break;
		memcpy(out + used, piece, n);
		used += n;
	}
	if (i < len) {
		n = room - used < mark_len ? room - used : mark_len;
		memcpy(out + used, TRUNCATION_MARK, n);
		used += n;
	}
	out[used] = '\0';
	return out;
}

const char *sstp_sanitize_str(char *out, size_t size, const char *text)
{
	return sstp_sanitize(out, size, text ? text : "", text ? strlen(text) : 0);
}
