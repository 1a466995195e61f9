/* The SSTP HTTP request text and response parsing (MS-SSTP 3.2.4.1, 4.1). */
#include <errno.h>

#include "http.h"
#include "unit.h"

static const uint8_t test_guid[SSTP_GUID_LEN] = {0x8c, 0x0c, 0x9c, 0x14, 0x6c, 0x6d, 0x4d, 0x1b,
						 0x9d, 0x7e, 0x2a, 0x0f, 0x4e, 0x7b, 0x3c, 0x11};

#define REQUEST_LINE "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n"
#define REQUEST_TAIL                                                                               \
	"Content-Length: 18446744073709551615\r\n"                                                 \
	"SSTPCORRELATIONID: {8C0C9C14-6C6D-4D1B-9D7E-2A0F4E7B3C11}\r\n"                            \
	"\r\n"

static void test_guid_format(void)
{
	uint8_t guid[SSTP_GUID_LEN];
	char text[SSTP_GUID_TEXT_LEN + 1];
	int i;

	for (i = 0; i < SSTP_GUID_LEN; i++)
		guid[i] = (uint8_t)i;
	memset(text, 'x', sizeof(text));
	sstp_guid_format(guid, text);
	CHECK_STR(text, "{00010203-0405-0607-0809-0A0B0C0D0E0F}");
	CHECK_INT(strlen(text), SSTP_GUID_TEXT_LEN);

	for (i = 0; i < SSTP_GUID_LEN; i++)
		guid[i] = (uint8_t)(0xff - i * 0x11);
	sstp_guid_format(guid, text);
	CHECK_STR(text, "{FFEEDDCC-BBAA-9988-7766-554433221100}");

	sstp_guid_format(test_guid, text);
	CHECK_STR(text, "{8C0C9C14-6C6D-4D1B-9D7E-2A0F4E7B3C11}");
}

static void check_request(const char *host, unsigned port, const char *expected)
{
	char buf[512];
	int n = sstp_http_build_request(buf, sizeof(buf), host, port, test_guid);

	if (CHECK_INT(n, strlen(expected)))
		CHECK_STR(buf, expected);
}

static void test_build_request(void)
{
	static const char expected[] = REQUEST_LINE "Host: vpn.example.com\r\n" REQUEST_TAIL;
	char buf[512];
	size_t size;

	check_request("vpn.example.com", 443, expected);
	check_request("192.0.2.1", 443, REQUEST_LINE "Host: 192.0.2.1\r\n" REQUEST_TAIL);
	check_request("2001:db8::1", 443, REQUEST_LINE "Host: [2001:db8::1]\r\n" REQUEST_TAIL);
	check_request("2001:db8::1", 8443,
		      REQUEST_LINE "Host: [2001:db8::1]:8443\r\n" REQUEST_TAIL);
	check_request("[2001:db8::1]", 443, REQUEST_LINE "Host: [2001:db8::1]\r\n" REQUEST_TAIL);
	check_request("vpn.example.com", 4433,
		      REQUEST_LINE "Host: vpn.example.com:4433\r\n" REQUEST_TAIL);
	check_request("192.0.2.1", 65535, REQUEST_LINE "Host: 192.0.2.1:65535\r\n" REQUEST_TAIL);

	/* exactly enough room, one byte short, none */
	size = strlen(expected) + 1;
	CHECK_INT(sstp_http_build_request(buf, size, "vpn.example.com", 443, test_guid), size - 1);
	CHECK_INT(sstp_http_build_request(buf, size - 1, "vpn.example.com", 443, test_guid),
		  -ENOSPC);
	CHECK_INT(sstp_http_build_request(buf, 0, "vpn.example.com", 443, test_guid), -ENOSPC);

	/* a host that would break the header line */
	CHECK_INT(sstp_http_build_request(buf, sizeof(buf), "vpn\r\nX-Evil: 1", 443, test_guid),
		  -EINVAL);
	CHECK_INT(sstp_http_build_request(buf, sizeof(buf), "vpn example", 443, test_guid),
		  -EINVAL);
	CHECK_INT(sstp_http_build_request(buf, sizeof(buf), "", 443, test_guid), -EINVAL);
	CHECK_INT(sstp_http_build_request(buf, sizeof(buf), NULL, 443, test_guid), -EINVAL);
	CHECK_INT(sstp_http_build_request(buf, sizeof(buf), "vpn", 0, test_guid), -EINVAL);
	CHECK_INT(sstp_http_build_request(buf, sizeof(buf), "vpn", 65536, test_guid), -EINVAL);
}

/* Parses text; also checks that no prefix of a complete block is taken as one. */
static int parse(const char *text, size_t len, struct sstp_http_response *resp)
{
	int ret = sstp_http_parse_response(text, len, resp);
	size_t i;

	if (ret > 0) {
		struct sstp_http_response partial;

		for (i = 0; i < (size_t)ret; i++) {
			if (!CHECK_INT(sstp_http_parse_response(text, i, &partial), 0))
				break;
		}
	}
	return ret;
}

#define PARSE(literal, resp) parse((literal), sizeof(literal) - 1, (resp))

static void test_parse_success(void)
{
	static const char windows[] = "HTTP/1.1 200\r\n"
				      "Content-Length: 18446744073709551615\r\n"
				      "Server: Microsoft-HTTPAPI/2.0\r\n"
				      "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
				      "\r\n";
	static const char accel[] = "HTTP/1.1 200 OK\r\n"
				    "Connection: keep-alive\r\n"
				    "\r\n"
				    "\x10\x01\x00\x30\x00\x02";
	struct sstp_http_response resp;

	memset(&resp, 'x', sizeof(resp));
	CHECK_INT(PARSE(windows, &resp), sizeof(windows) - 1);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.reason, "");

	/* the SSTP bytes after the header block are not consumed */
	CHECK_INT(PARSE(accel, &resp), sizeof(accel) - 1 - 6);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.reason, "OK");

	CHECK_INT(PARSE("HTTP/1.0 200 OK\r\n\r\n", &resp), 19);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.reason, "OK");
	CHECK_INT(PARSE("HTTP/1.1 200\r\n\r\nHTTP/1.1 200\r\n\r\n", &resp), 16);
	CHECK_STR(resp.reason, "");
}

static void test_parse_failure_status(void)
{
	static const struct {
		const char *text;
		int status;
		const char *reason;
	} cases[] = {
	    {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, "Not Found"},
	    {"HTTP/1.1 400 Bad Request\r\n\r\n", 400, "Bad Request"},
	    {"HTTP/1.0 501 Not Implemented\r\nServer: x\r\n\r\n", 501, "Not Implemented"},
	    {"HTTP/1.1 503 Service Unavailable\r\n\r\n", 503, "Service Unavailable"},
	    {"HTTP/1.1 301 Moved Permanently\r\nLocation: https://x/\r\n\r\n", 301,
	     "Moved Permanently"},
	    {"HTTP/1.1 999 \r\n\r\n", 999, ""},
	    {"HTTP/1.1 100 a  b \r\n\r\n", 100, "a  b "},
	    /* non-printable bytes are not passed on to logs (sstp_sanitize) */
	    {"HTTP/1.1 500 Bad \x1b[31m\x80"
	     "a\tb\x7f!\r\n\r\n",
	     500, "Bad \\x1b[31m\\x80a\\x09b\\x7f!"},
	    /* truncated to the buffer, and marked */
	    {"HTTP/1.1 500 0123456789012345678901234567890123456789012345678901234567890123456789"
	     "\r\n\r\n",
	     500, "012345678901234567890123456789012345678901234567890123456789..."},
	};
	struct sstp_http_response resp;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].text);

		CHECK_INT(parse(cases[i].text, len, &resp), len);
		CHECK_INT(resp.status, cases[i].status);
		CHECK_STR(resp.reason, cases[i].reason);
	}
}

static void test_parse_garbage(void)
{
	static const char *const garbage[] = {
	    "\x10",
	    "\x10\x01\x00\x08",
	    "S",
	    "SSH-2.0-OpenSSH\r\n",
	    "h",
	    "http/1.1 200 OK\r\n\r\n",
	    "HTTP/2 200\r\n\r\n",
	    "HTTP/1.2",
	    "HTTP/1.1_200",
	    "HTTP/1.1 0",
	    "HTTP/1.1 20x",
	    "HTTP/1.1  200",
	    "HTTP/1.1 2000",
	    "HTTP/1.1 200OK",
	    "HTTP/1.1 200\n\r\n",
	    "HTTP/1.1 200\rX",
	    "HTTP/1.1 200 OK\n",
	    "HTTP/1.1 200 OK\rX",
	    " HTTP/1.1 200 OK\r\n\r\n",
	    "<html>",
	};
	struct sstp_http_response resp;
	size_t i;

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		if (!CHECK_INT(sstp_http_parse_response(garbage[i], strlen(garbage[i]), &resp),
			       -EBADMSG))
			fprintf(stderr, "  case %zu\n", i);
	}

	/* NUL anywhere in the block, complete or not */
	CHECK_INT(PARSE("HTTP/1.1 200 O\0K\r\n\r\n", &resp), -EBADMSG);
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\nServer: \0\r\n\r\n", &resp), -EBADMSG);
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\nServer: \0", &resp), -EBADMSG);
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\n\0", &resp), -EBADMSG);
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\n\r\0", &resp), -EBADMSG);
	/* a NUL after the block belongs to the SSTP stream */
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\n\r\n\0", &resp), 19);
}

static void test_parse_incomplete(void)
{
	struct sstp_http_response resp;

	CHECK_INT(sstp_http_parse_response("", 0, &resp), 0);
	CHECK_INT(PARSE("H", &resp), 0);
	CHECK_INT(PARSE("HTTP/1.", &resp), 0);
	CHECK_INT(PARSE("HTTP/1.1 200", &resp), 0);
	CHECK_INT(PARSE("HTTP/1.1 200\r", &resp), 0);
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\nServer: x\r\n", &resp), 0);
	CHECK_INT(PARSE("HTTP/1.1 200 OK\r\nServer: x\r\n\r", &resp), 0);
}

static void test_parse_oversize(void)
{
	static const char start[] = "HTTP/1.1 200 OK\r\nX-Long: ";
	static char big[SSTP_HTTP_MAX_RESPONSE_HEADER + 64];
	struct sstp_http_response resp;
	const size_t max = SSTP_HTTP_MAX_RESPONSE_HEADER;
	size_t i;

	/* a status line followed by an endless header */
	memcpy(big, start, strlen(start));
	for (i = strlen(start); i < sizeof(big); i++)
		big[i] = 'a';
	CHECK_INT(sstp_http_parse_response(big, max - 1, &resp), 0);
	CHECK_INT(sstp_http_parse_response(big, max, &resp), -E2BIG);
	CHECK_INT(sstp_http_parse_response(big, sizeof(big), &resp), -E2BIG);

	/* a block of exactly the limit fits, one byte more does not */
	memcpy(big + max - 4, "\r\n\r\n", 4);
	CHECK_INT(sstp_http_parse_response(big, sizeof(big), &resp), max);
	CHECK_INT(resp.status, 200);
	big[max - 4] = 'a';
	memcpy(big + max - 3, "\r\n\r\n", 4);
	CHECK_INT(sstp_http_parse_response(big, sizeof(big), &resp), -E2BIG);

	/* an endless status line */
	memcpy(big, "HTTP/1.1 200 ", 13);
	for (i = 13; i < sizeof(big); i++)
		big[i] = 'b';
	CHECK_INT(sstp_http_parse_response(big, max - 1, &resp), 0);
	CHECK_INT(sstp_http_parse_response(big, sizeof(big), &resp), -E2BIG);
}

int main(void)
{
	test_guid_format();
	test_build_request();
	test_parse_success();
	test_parse_failure_status();
	test_parse_garbage();
	test_parse_incomplete();
	test_parse_oversize();
	return unit_finish("test-http");
}
