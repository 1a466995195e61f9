/* Text that came from the network, made safe to log: one sanitiser for every
 * certificate name, HTTP reason phrase, proxy reply and status text, so that
 * a server can neither send terminal escapes to an administrator's screen nor
 * forge a log line of its own. */
#ifndef SSTP_SANITIZE_H
#define SSTP_SANITIZE_H

#include <stddef.h>

/* Enough for a host name or a certificate name in a log line. */
#define SSTP_SANITIZED_MAX 256

/*
 * Writes text[0..len) to out (size >= 1) as printable ASCII: bytes 0x20-0x7e
 * stay as they are, except the backslash, which becomes "\\"; every other
 * byte (controls, ESC, CR, LF, DEL, NUL, non-ASCII) becomes "\xHH". What does
 * not fit in size - 1 characters is cut and marked with "...". Returns out.
 */
const char *sstp_sanitize(char *out, size_t size, const char *text, size_t len);

/* The same for a NUL-terminated string; NULL gives "". */
const char *sstp_sanitize_str(char *out, size_t size, const char *text);

#endif
