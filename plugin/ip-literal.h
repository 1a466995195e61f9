/* Whether a host name is really an IP address literal, and which. Pure code:
 * shared by the certificate check and no_proxy, unit-tested. */
#ifndef SSTP_IP_LITERAL_H
#define SSTP_IP_LITERAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fills raw with the address when name is an IPv4 or IPv6 literal (no
 * brackets) and returns its length (4 or 16); 0 for a host name. An IPv6
 * zone ("%eth0") only selects the interface and is not part of the address.
 */
size_t sstp_parse_ip_literal(const char *name, uint8_t raw[16]);

#endif
