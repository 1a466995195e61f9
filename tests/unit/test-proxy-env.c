/* "sstp-proxy env": the variables curl reads for https:// URLs and its
 * no_proxy rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ip-literal.h"
#include "proxy-env.h"
#include "unit.h"

static void clear_environment(void)
{
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("http_proxy");
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
}

static void test_variable_order(void)
{
	const char *variable = "unset";

	clear_environment();
	CHECK(sstp_proxy_from_environment(&variable) == NULL);
	CHECK(variable == NULL);

	/* http_proxy is for http:// URLs only: SSTP is https. */
	setenv("http_proxy", "http://plain.example:3128", 1);
	CHECK(sstp_proxy_from_environment(&variable) == NULL);

	setenv("ALL_PROXY", "socks5h://all-upper.example", 1);
	CHECK_STR(sstp_proxy_from_environment(&variable), "socks5h://all-upper.example");
	CHECK_STR(variable, "ALL_PROXY");
	setenv("all_proxy", "http://all.example:8080", 1);
	CHECK_STR(sstp_proxy_from_environment(&variable), "http://all.example:8080");
	CHECK_STR(variable, "all_proxy");
	setenv("HTTPS_PROXY", "http://upper.example:3128", 1);
	CHECK_STR(sstp_proxy_from_environment(&variable), "http://upper.example:3128");
	CHECK_STR(variable, "HTTPS_PROXY");
	setenv("https_proxy", "http://lower.example:3128", 1);
	CHECK_STR(sstp_proxy_from_environment(&variable), "http://lower.example:3128");
	CHECK_STR(variable, "https_proxy");

	/* Set but empty counts as unset. */
	setenv("https_proxy", "", 1);
	CHECK_STR(sstp_proxy_from_environment(&variable), "http://upper.example:3128");

	CHECK(sstp_no_proxy_from_environment() == NULL);
	setenv("NO_PROXY", "upper.example", 1);
	CHECK_STR(sstp_no_proxy_from_environment(), "upper.example");
	setenv("no_proxy", "lower.example", 1);
	CHECK_STR(sstp_no_proxy_from_environment(), "lower.example");
	clear_environment();
}

static void test_no_proxy_names(void)
{
	CHECK(!sstp_no_proxy_matches(NULL, "vpn.example.com"));
	CHECK(!sstp_no_proxy_matches("", "vpn.example.com"));
	CHECK(sstp_no_proxy_matches("*", "vpn.example.com"));
	CHECK(sstp_no_proxy_matches("*", "192.0.2.1"));

	CHECK(sstp_no_proxy_matches("example.com", "example.com"));
	CHECK(sstp_no_proxy_matches("example.com", "vpn.example.com"));
	CHECK(sstp_no_proxy_matches(".example.com", "vpn.example.com"));
	CHECK(sstp_no_proxy_matches(".example.com", "example.com"));
	CHECK(sstp_no_proxy_matches("EXAMPLE.com", "Vpn.Example.COM"));
	CHECK(sstp_no_proxy_matches("example.com.", "vpn.example.com."));
	CHECK(!sstp_no_proxy_matches("example.com", "notanexample.com"));
	CHECK(!sstp_no_proxy_matches("example.com", "example.com.othertld"));
	CHECK(!sstp_no_proxy_matches("vpn.example.com", "example.com"));

	/* Lists: commas and blanks, empty entries ignored. */
	CHECK(sstp_no_proxy_matches("localhost,,intranet, example.com", "vpn.example.com"));
	CHECK(sstp_no_proxy_matches("localhost example.com", "vpn.example.com"));
	CHECK(sstp_no_proxy_matches(" localhost ,\texample.com ", "vpn.example.com"));
	CHECK(!sstp_no_proxy_matches("localhost, intranet", "vpn.example.com"));
	CHECK(!sstp_no_proxy_matches(",,, ", "vpn.example.com"));
}

static void test_no_proxy_addresses(void)
{
	CHECK(sstp_no_proxy_matches("192.0.2.1", "192.0.2.1"));
	CHECK(!sstp_no_proxy_matches("192.0.2.1", "192.0.2.10"));
	CHECK(sstp_no_proxy_matches("192.0.2.0/24", "192.0.2.77"));
	CHECK(!sstp_no_proxy_matches("192.0.2.0/24", "192.0.3.1"));
	CHECK(sstp_no_proxy_matches("192.0.2.0/23", "192.0.3.1"));
	CHECK(sstp_no_proxy_matches("10.0.0.0/8, 192.0.2.128/25", "192.0.2.200"));
	CHECK(!sstp_no_proxy_matches("192.0.2.128/25", "192.0.2.127"));
	CHECK(sstp_no_proxy_matches("0.0.0.0/0", "198.51.100.7"));
	CHECK(!sstp_no_proxy_matches("192.0.2.0/33", "192.0.2.1"));
	CHECK(!sstp_no_proxy_matches("192.0.2.0/x", "192.0.2.1"));
	/* A name entry never matches an address by its digits. */
	CHECK(!sstp_no_proxy_matches("2.1", "192.0.2.1"));

	CHECK(sstp_no_proxy_matches("2001:db8::1", "2001:db8::1"));
	CHECK(sstp_no_proxy_matches("2001:db8::/32", "2001:db8:ffff::1"));
	CHECK(!sstp_no_proxy_matches("2001:db8::/32", "2001:db9::1"));
	CHECK(!sstp_no_proxy_matches("192.0.2.0/24", "2001:db8::1"));
	/* A zone picks the interface; the address is what no_proxy lists. */
	CHECK(sstp_no_proxy_matches("fe80::/10", "fe80::1%eth0"));
}

/* The literal check no_proxy shares with the certificate name check. */
static void test_ip_literal(void)
{
	static const uint8_t v4[4] = {192, 0, 2, 1};
	static const uint8_t link_local[16] = {0xfe, 0x80, [15] = 1};
	uint8_t raw[16];

	CHECK(sstp_parse_ip_literal("192.0.2.1", raw) == 4);
	CHECK(memcmp(raw, v4, sizeof(v4)) == 0);
	CHECK(sstp_parse_ip_literal("fe80::1%eth0", raw) == 16);
	CHECK(memcmp(raw, link_local, sizeof(link_local)) == 0);
	CHECK(sstp_parse_ip_literal("2001:db8::1", raw) == 16);
	CHECK(sstp_parse_ip_literal("vpn.example.com", raw) == 0);
	CHECK(sstp_parse_ip_literal("[2001:db8::1]", raw) == 0);
	CHECK(sstp_parse_ip_literal("192.0.2.1%eth0", raw) == 0);
	CHECK(sstp_parse_ip_literal("", raw) == 0);
}

int main(void)
{
	test_variable_order();
	test_no_proxy_names();
	test_no_proxy_addresses();
	test_ip_literal();
	return unit_finish("test-proxy-env");
}
