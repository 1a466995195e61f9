/* The SSTP HTTP handshake (MS-SSTP 3.2.4.1, 4.1). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "sanitize.h"

#define SSTP_HTTPS_PORT         443
#define HTTP_VERSION_PREFIX     "HTTP/1."
#define HTTP_VERSION_PREFIX_LEN (sizeof(HTTP_VERSION_PREFIX) - 1)
/* "HTTP/1.x 200": where the code is; a reason phrase, if any, follows a space. */
#define HTTP_STATUS_CODE_START (HTTP_VERSION_PREFIX_LEN + 2)
#define HTTP_STATUS_CODE_END   (HTTP_STATUS_CODE_START + 3)

void sstp_guid_format(const uint8_t guid[SSTP_GUID_LEN], char out[SSTP_GUID_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	char *p = out;
	int i;

	*p++ = '{';
	for (i = 0; i < SSTP_GUID_LEN; i++) {
		/* 8-4-4-4-12 grouping */
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[guid[i] >> 4];
		*p++ = hex[guid[i] & 0x0f];
	}
	*p++ = '}';
	*p = '\0';
}

/* The host goes verbatim into a header line: nothing that could end it or
 * smuggle in another one. */
static bool host_is_sane(const char *host)
{
	const unsigned char *p = (const unsigned char *)host;

	if (!*p)
		return false;
	for (; *p; p++) {
		if (*p <= ' ' || *p >= 0x7f)
			return false;
	}
	return true;
}

int sstp_http_build_request(char *buf, size_t size, const char *host, unsigned port,
			    const uint8_t guid[SSTP_GUID_LEN])
{
	char guid_text[SSTP_GUID_TEXT_LEN + 1];
	char port_text[sizeof(":65535")] = "";
	bool bracket;
	int n;

	if (!host || !host_is_sane(host) || port == 0 || port > 65535)
		return -EINVAL;
	/* RFC 7230 5.4: an IPv6 literal is bracketed in Host. */
	bracket = strchr(host, ':') && host[0] != '[';
	if (port != SSTP_HTTPS_PORT)
		snprintf(port_text, sizeof(port_text), ":%u", port);
	sstp_guid_format(guid, guid_text);

	n = snprintf(buf, size,
		     "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n"
		     "Host: %s%s%s%s\r\n"
		     "Content-Length: 18446744073709551615\r\n"
		     "SSTPCORRELATIONID: %s\r\n"
		     "\r\n",
		     bracket ? "[" : "", host, bracket ? "]" : "", port_text, guid_text);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Checks the status line as far as it has arrived, so that a server that
 * speaks something else is rejected on its first bytes. Returns the length of
 * the status line including CRLF, 0 when it is still incomplete, or -EBADMSG.
 */
static int check_status_line(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];
		bool ok;

		if (i < HTTP_VERSION_PREFIX_LEN)
			ok = c == HTTP_VERSION_PREFIX[i];
		else if (i == HTTP_VERSION_PREFIX_LEN)
			ok = c == '0' || c == '1';
		else if (i == HTTP_VERSION_PREFIX_LEN + 1)
			ok = c == ' ';
		else if (i == HTTP_STATUS_CODE_START)
			ok = c >= '1' && c <= '9';
		else if (i < HTTP_STATUS_CODE_END)
			ok = is_digit(c);
		else if (i == HTTP_STATUS_CODE_END)
			ok = c == ' ' || c == '\r';
		else if (buf[i - 1] == '\r')
			/* the first CR after the status code ends the line */
			return c == '\n' ? (int)(i + 1) : -EBADMSG;
		else
			ok = c != '\0' && c != '\n';
		if (!ok)
			return -EBADMSG;
	}
	return 0;
}

int sstp_http_parse_response(const char *buf, size_t len, struct sstp_http_response *resp)
{
	size_t limit = len < SSTP_HTTP_MAX_RESPONSE_HEADER ? len : SSTP_HTTP_MAX_RESPONSE_HEADER;
	size_t status_line_len, block_len;
	size_t i;
	int ret;

	ret = check_status_line(buf, limit);
	if (ret < 0)
		return ret;
	if (ret == 0)
		return limit == SSTP_HTTP_MAX_RESPONSE_HEADER ? -E2BIG : 0;
	status_line_len = (size_t)ret;

	/* The status line's CRLF may be the first half of the final CRLFCRLF. */
	for (i = status_line_len - 2; i + 4 <= limit; i++) {
		if (buf[i + 2] == '\0')
			return -EBADMSG;
		if (!memcmp(buf + i, "\r\n\r\n", 4))
			break;
	}
	if (i + 4 > limit) {
		/* the bytes not yet checked for NUL above */
		if (memchr(buf + i + 2, '\0', limit - (i + 2)))
			return -EBADMSG;
		return limit == SSTP_HTTP_MAX_RESPONSE_HEADER ? -E2BIG : 0;
	}
	block_len = i + 4;

	resp->status = 0;
	for (i = HTTP_STATUS_CODE_START; i < HTTP_STATUS_CODE_END; i++)
		resp->status = resp->status * 10 + (buf[i] - '0');
	if (buf[HTTP_STATUS_CODE_END] == ' ')
		sstp_sanitize(resp->reason, sizeof(resp->reason), buf + HTTP_STATUS_CODE_END + 1,
			      status_line_len - HTTP_STATUS_CODE_END - 3);
	else
		resp->reason[0] = '\0';
	return (int)block_len;
}
