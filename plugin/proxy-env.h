/* Which proxy the environment names for an https:// connection, and whether
 * no_proxy exempts a host, following curl's documented rules. Pure code apart
 * from getenv(): unit-tested. */
#ifndef SSTP_PROXY_ENV_H
#define SSTP_PROXY_ENV_H

#include <stdbool.h>

/*
 * The proxy curl would use for an https:// URL: https_proxy, HTTPS_PROXY,
 * all_proxy, ALL_PROXY, the first one set and not empty. Returns NULL when
 * none is; *variable gets the variable's name either way (NULL if none).
 */
const char *sstp_proxy_from_environment(const char **variable);

/* no_proxy, else NO_PROXY; NULL when neither is set. */
const char *sstp_no_proxy_from_environment(void);

/*
 * Whether the no_proxy list exempts host (a name or an IP literal without
 * brackets). The list is separated by commas or blanks; "*" alone exempts
 * every host; a name exempts itself and its subdomains (a leading dot is
 * optional); an IP address exempts itself, or a network with "/bits".
 * Names compare case-insensitively; trailing dots are ignored.
 */
bool sstp_no_proxy_matches(const char *no_proxy, const char *host);

#endif
