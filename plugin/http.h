/* The SSTP HTTP handshake (MS-SSTP 3.2.4.1, 4.1): request text and response
 * header parsing. Pure code: no I/O. */
#ifndef SSTP_HTTP_H
#define SSTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define SSTP_GUID_LEN                 16
#define SSTP_GUID_TEXT_LEN            38 /* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" */
#define SSTP_HTTP_MAX_RESPONSE_HEADER 8192
#define SSTP_HTTP_RESPONSE_TIMEOUT_MS 60000 /* MS-SSTP 4.1 */

/* Formats a GUID in braces, upper-case hex, NUL-terminated. */
void sstp_guid_format(const uint8_t guid[SSTP_GUID_LEN], char out[SSTP_GUID_TEXT_LEN + 1]);

/*
 * Writes the SSTP_DUPLEX_POST request. host is a name or an IP literal (an
 * IPv6 literal is bracketed in the Host header); port is added to Host when it
 * is not 443. Returns the request length, or -ENOSPC.
 */
int sstp_http_build_request(char *buf, size_t size, const char *host, unsigned port,
			    const uint8_t guid[SSTP_GUID_LEN]);

struct sstp_http_response {
	int status;      /* 100..999 */
	char reason[64]; /* reason phrase, possibly empty, through sstp_sanitize() */
};

/*
 * Parses an HTTP/1.x status line and header block at the start of buf.
 * Returns the length of the header block including its final CRLFCRLF
 * (bytes after it belong to the SSTP stream); 0 when the block is not
 * complete yet; -EBADMSG when the bytes are not an HTTP/1.x response;
 * -E2BIG when no complete block fits in SSTP_HTTP_MAX_RESPONSE_HEADER.
 */
int sstp_http_parse_response(const char *buf, size_t len, struct sstp_http_response *resp);

#endif
