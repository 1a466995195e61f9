/* The sanitiser for network text: nothing but printable ASCII leaves it, no
 * line break survives, and the length is bounded. */
#include <string.h>

#include "sanitize.h"
#include "unit.h"

static bool all_printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static void test_plain_text_unchanged(void)
{
	char out[64];

	CHECK_STR(sstp_sanitize_str(out, sizeof(out), "vpn.example.com"), "vpn.example.com");
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), ""), "");
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), NULL), "");
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), "403 Forbidden"), "403 Forbidden");
}

static void test_controls_escaped(void)
{
	char out[128];

	/* A terminal escape and a forged second log line. */
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), "a\x1b[31mred\nsstp: fake line\r"),
		  "a\\x1b[31mred\\x0asstp: fake line\\x0d");
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), "tab\there\x7f"), "tab\\x09here\\x7f");
	/* The escape character itself is escaped, so "\x1b" typed by a
	 * server cannot pass for one we wrote. */
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), "\\x1b"), "\\\\x1b");
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), "caf\xc3\xa9"), "caf\\xc3\\xa9");
	/* Embedded NUL bytes count when a length is given. */
	CHECK_STR(sstp_sanitize(out, sizeof(out), "a\0b", 3), "a\\x00b");
}

static void test_bounded(void)
{
	char big[2000], out[32];
	size_t i;

	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sstp_sanitize_str(out, sizeof(out), big);
	CHECK(strlen(out) <= sizeof(out) - 1);
	CHECK(all_printable(out));
	CHECK(strchr(out, '\n') == NULL);
	/* Cut at a whole escape, and the cut is marked. */
	CHECK_STR(out, "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a...");

	memset(big, 'a', 40);
	big[40] = '\0';
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), big), "aaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
	/* Exactly fitting text is not marked. */
	big[31] = '\0';
	CHECK_STR(sstp_sanitize_str(out, sizeof(out), big), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	/* Tiny buffers stay terminated. */
	CHECK_STR(sstp_sanitize_str(out, 1, "abc"), "");
	CHECK_STR(sstp_sanitize_str(out, 3, "abcdef"), "..");
	/* Every byte value, in every buffer size. */
	for (i = 0; i < 256; i++)
		big[i] = (char)i;
	for (i = 1; i <= sizeof(out); i++) {
		sstp_sanitize(out, i, big, 256);
		CHECK(strlen(out) < i);
		CHECK(all_printable(out));
	}
}

int main(void)
{
	test_plain_text_unchanged();
	test_controls_escaped();
	test_bounded();
	return unit_finish("test-sanitize");
}
