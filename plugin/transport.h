/* The byte path to the SSTP server: a connected TCP socket. */
#ifndef SSTP_TRANSPORT_H
#define SSTP_TRANSPORT_H

#include "error.h"

/*
 * Resolves host (name, IPv4 or IPv6 literal) and connects to port, trying
 * every address in turn within timeout_ms overall. Returns a blocking,
 * close-on-exec socket with TCP_NODELAY set, or a negative errno (-EINVAL,
 * -EHOSTUNREACH when the name does not resolve, or the last connect
 * failure) with err describing the cause ("cannot resolve vpn.example.com: Name or service not
 * known", "connection to 192.0.2.1 port 443 refused", "... timed out").
 */
int sstp_tcp_connect(const char *host, unsigned port, int timeout_ms, struct sstp_error *err);

#endif
