/* The proxy environment variables the way curl reads them for an https://
 * URL, so that "sstp-proxy env" behaves like curl on the same machine.
 * secure_getenv: a setuid pppd must never take them from the invoking user
 * (check_options refuses "sstp-proxy env" there; this is the second lock). */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ip-literal.h"
#include "proxy-env.h"

#define NO_PROXY_ENTRY_MAX 256

const char *sstp_proxy_from_environment(const char **variable)
{
	/* curl's order for https:// URLs: the scheme's own variable (lower
	 * case first), then the catch-all. */
	static const char *const names[] = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	const char *value;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		value = secure_getenv(names[i]);
		if (value && value[0]) {
			*variable = names[i];
			return value;
		}
	}
	*variable = NULL;
	return NULL;
}

const char *sstp_no_proxy_from_environment(void)
{
	const char *value = secure_getenv("no_proxy");

	return value ? value : secure_getenv("NO_PROXY");
}

/* entry is an address, optionally with /bits; host_raw is the host's
 * address, host_len its length in bytes (4 or 16). */
static bool address_entry_matches(char *entry, size_t host_len, const uint8_t host_raw[16])
{
	uint8_t entry_raw[16];
	char *slash = strchr(entry, '/');
	unsigned long bits, max_bits = host_len * 8;
	unsigned full_bytes, rest;

	if (slash)
		*slash = '\0';
	if (sstp_parse_ip_literal(entry, entry_raw) != host_len)
		return false;
	bits = max_bits;
	if (slash) {
		char *end;

		bits = strtoul(slash + 1, &end, 10);
		if (end == slash + 1 || *end || bits > max_bits)
			return false;
	}
	full_bytes = bits / 8;
	rest = bits % 8;
	if (memcmp(entry_raw, host_raw, full_bytes) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (entry_raw[full_bytes] & mask) == (host_raw[full_bytes] & mask);
	}
	return true;
}

/* A name entry exempts the host itself and every name below it. */
static bool name_entry_matches(const char *entry, const char *host, size_t host_len)
{
	size_t entry_len;

	while (*entry == '.')
		entry++;
	entry_len = strlen(entry);
	while (entry_len && entry[entry_len - 1] == '.')
		entry_len--;
	if (!entry_len || entry_len > host_len)
		return false;
	if (strncasecmp(host + host_len - entry_len, entry, entry_len) != 0)
		return false;
	return entry_len == host_len || host[host_len - entry_len - 1] == '.';
}

bool sstp_no_proxy_matches(const char *no_proxy, const char *host)
{
	char entry[NO_PROXY_ENTRY_MAX];
	uint8_t host_raw[16];
	size_t host_len, host_ip_len, len;
	const char *p = no_proxy;

	if (!no_proxy || !host || !host[0])
		return false;
	host_len = strlen(host);
	while (host_len && host[host_len - 1] == '.')
		host_len--;
	host_ip_len = sstp_parse_ip_literal(host, host_raw);

	while (*p) {
		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (!len)
			break;
		if (len < sizeof(entry)) {
			memcpy(entry, p, len);
			entry[len] = '\0';
			if (strcmp(entry, "*") == 0)
				return true;
			if (host_ip_len ? address_entry_matches(entry, host_ip_len, host_raw)
					: name_entry_matches(entry, host, host_len))
				return true;
		}
		p += len;
	}
	return false;
}
