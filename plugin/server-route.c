/*
 * The host route to the SSTP server (or proxy) through the path the kernel
 * used before the tunnel: one rtnetlink request per call (RFC 3549), each
 * on its own short-lived socket, so nothing is left open across pppd's
 * forks and redials.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "server-route.h"

#define IPV4_HOST_PREFIX 32
#define IPV6_HOST_PREFIX 128

static size_t address_len(int family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

/* Copies an address attribute of the expected size; ignores any other. */
static bool copy_address(const struct nlattr *attr, int family, uint8_t *out)
{
	if (mnl_attr_get_payload_len(attr) != address_len(family))
		return false;
	memcpy(out, mnl_attr_get_payload(attr), address_len(family));
	return true;
}

struct lookup_reply {
	struct sstp_server_route *route;
	bool unicast;
};

static int on_route_attr(const struct nlattr *attr, void *data)
{
	struct sstp_server_route *route = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_GATEWAY:
		route->has_gateway = copy_address(attr, route->family, route->gateway);
		break;
	case RTA_PREFSRC:
		route->has_prefsrc = copy_address(attr, route->family, route->prefsrc);
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			route->oif = mnl_attr_get_u32(attr);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			route->table = mnl_attr_get_u32(attr);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int on_route(const struct nlmsghdr *nlh, void *data)
{
	struct lookup_reply *reply = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != reply->route->family)
		return MNL_CB_OK;
	reply->unicast = rtm->rtm_type == RTN_UNICAST;
	reply->route->table = rtm->rtm_table;
	return mnl_attr_parse(nlh, sizeof(*rtm), on_route_attr, reply->route);
}

/* Sends one request and runs cb on every answer until the kernel's ACK
 * (or its error). 0 or a negative errno. */
static int transact(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid;
	ssize_t n;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

static struct rtmsg *put_route_header(char *buf, uint16_t type, uint16_t flags, int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = family == AF_INET ? IPV4_HOST_PREFIX : IPV6_HOST_PREFIX;
	return rtm;
}

int sstp_route_lookup(const struct sockaddr *addr, struct sstp_server_route *route)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct lookup_reply reply = {.route = route};
	int ret;

	memset(route, 0, sizeof(*route));
	route->family = addr->sa_family;
	if (addr->sa_family == AF_INET)
		memcpy(route->dst, &((const struct sockaddr_in *)addr)->sin_addr, 4);
	else if (addr->sa_family == AF_INET6)
		memcpy(route->dst, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
	else
		return -EAFNOSUPPORT;

	put_route_header(buf, RTM_GETROUTE, 0, route->family);
	mnl_attr_put(nlh, RTA_DST, address_len(route->family), route->dst);
	ret = transact(nlh, on_route, &reply);
	if (ret < 0)
		return ret;
	if (!reply.unicast || route->oif == 0)
		return -EHOSTUNREACH;
	return 0;
}

/* The request that names exactly our host route, for adding or deleting. */
static void put_host_route(char *buf, uint16_t type, uint16_t flags,
			   const struct sstp_server_route *route)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtmsg *rtm = put_route_header(buf, type, flags, route->family);
	size_t len = address_len(route->family);

	/* Tables above 255 only fit the attribute. */
	rtm->rtm_table = route->table < 256 ? (unsigned char)route->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	/* An IPv4 route without a gateway is on-link, as "ip route add ... dev"
	 * makes it; IPv6 has no such scopes. */
	rtm->rtm_scope =
	    route->family == AF_INET && !route->has_gateway ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, RTA_DST, len, route->dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, route->table);
	mnl_attr_put_u32(nlh, RTA_OIF, route->oif);
	if (route->has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, len, route->gateway);
	if (route->has_prefsrc && type == RTM_NEWROUTE)
		mnl_attr_put(nlh, RTA_PREFSRC, len, route->prefsrc);
}

int sstp_route_add(const struct sstp_server_route *route)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	put_host_route(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, route);
	return transact((struct nlmsghdr *)buf, NULL, NULL);
}

int sstp_route_delete(const struct sstp_server_route *route)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	put_host_route(buf, RTM_DELROUTE, 0, route);
	return transact((struct nlmsghdr *)buf, NULL, NULL);
}

void sstp_route_describe(const struct sstp_server_route *route, char *buf, size_t size)
{
	char dst[INET6_ADDRSTRLEN] = "?", gateway[INET6_ADDRSTRLEN] = "";
	char dev[IF_NAMESIZE] = "";

	inet_ntop(route->family, route->dst, dst, sizeof(dst));
	if (route->has_gateway)
		inet_ntop(route->family, route->gateway, gateway, sizeof(gateway));
	if (!if_indextoname(route->oif, dev))
		snprintf(dev, sizeof(dev), "#%u", route->oif);
	snprintf(buf, size, "%s%s%s dev %s", dst, route->has_gateway ? " via " : "", gateway, dev);
}
