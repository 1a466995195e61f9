/*
 * The host route that keeps the tunnel's own TCP connection out of the
 * tunnel: once pppd's defaultroute (or an ip-up script's routes) cover the
 * SSTP server, its packets would follow them into ppp0 and the link would
 * die. Talks rtnetlink through libmnl; knows nothing of pppd.
 */
#ifndef SSTP_SERVER_ROUTE_H
#define SSTP_SERVER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for "2001:db8::1 via fe80::1 dev eth0 src 2001:db8::2 table 254". */
#define SSTP_ROUTE_TEXT_MAX 160

/* The kernel's path to one address, and the host route that copies it. */
struct sstp_server_route {
	int family; /* AF_INET or AF_INET6 */
	uint8_t dst[16];
	uint8_t gateway[16];
	uint8_t prefsrc[16];
	bool has_gateway; /* false: the address is on-link */
	bool has_prefsrc;
	uint32_t oif;
	uint32_t table;
};

/*
 * Asks the kernel (RTM_GETROUTE) how it reaches addr (AF_INET or AF_INET6)
 * now. 0 with *route filled in; -EHOSTUNREACH when the answer is not a
 * unicast route through a device (local, blackhole, unreachable), or another
 * negative errno.
 */
int sstp_route_lookup(const struct sockaddr *addr, struct sstp_server_route *route);

/*
 * Adds route->dst/32 (or /128) through the same gateway, device and source
 * (RTM_NEWROUTE with NLM_F_EXCL). 0 when added; -EEXIST when a route to
 * that host exists already (it is not ours: leave it); another negative
 * errno on failure.
 */
int sstp_route_add(const struct sstp_server_route *route);

/* Deletes exactly the route sstp_route_add() added. 0 or a negative errno
 * (-ESRCH when it has gone already). */
int sstp_route_delete(const struct sstp_server_route *route);

/* "192.0.2.1 via 10.0.0.1 dev eth0" for messages. */
void sstp_route_describe(const struct sstp_server_route *route, char *buf, size_t size);

#endif
