/* TCP connection to the SSTP server: name resolution, then a connect to each
 * of the server's addresses in turn, all within one overall deadline. */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "deadline.h"
#include "sysutil.h"
#include "transport.h"

/* The failed attempt that will be reported if no address works. */
struct connect_failure {
	int error; /* positive errno; 0 while nothing has failed */
	char address[NI_MAXHOST];
};

/*
 * When every address fails, the user needs the failure that says most about
 * the server: a refusal proves the host is there but not listening on the
 * port; a timeout points at a filter or a dead host; "network unreachable"
 * for one address family usually only means this machine lacks IPv6 (or
 * IPv4) routing while another address of the server was reachable.
 */
static int failure_rank(int error)
{
	switch (error) {
	case 0:
		return 0;
	case EAFNOSUPPORT:
	case EADDRNOTAVAIL:
	case ENETUNREACH:
		return 1;
	case ETIMEDOUT:
		return 3;
	case ECONNREFUSED:
		return 4;
	default:
		return 2;
	}
}

/* "vpn.example.com (192.0.2.1)", or just the address when it was dialled as one. */
static void format_server(char *buf, size_t size, const char *host, const char *address)
{
	if (!address[0] || strcmp(host, address) == 0)
		snprintf(buf, size, "%s", host);
	else
		snprintf(buf, size, "%s (%s)", host, address);
}

/* Returns a connected blocking socket or a negative errno. */
static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
	struct pollfd pfd;
	socklen_t optlen = sizeof(int);
	int so_error = 0;
	int one = 1;
	int fd;
	int ret;

	/* Non-blocking so that the wait is ours to bound: a blocking connect
	 * sits in SYN retransmissions for minutes. */
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;

	/* An interrupted connect goes on asynchronously: wait for it as for
	 * EINPROGRESS. */
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		for (;;) {
			ret = poll(&pfd, 1, sstp_remaining_ms(deadline));
			if (ret > 0)
				break;
			if (ret == 0) {
				ret = -ETIMEDOUT;
				goto out;
			}
			if (errno != EINTR) {
				ret = -errno;
				goto out;
			}
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &optlen) < 0) {
			ret = -errno;
			goto out;
		}
		if (so_error != 0) {
			ret = -so_error;
			goto out;
		}
	}

	/* PPP frames are small and often interactive (LCP echo, TCP ACKs of
	 * the tunnelled traffic): Nagle would only add latency. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		ret = -errno;
		goto out;
	}
	ret = sstp_set_nonblocking(fd, false);
	if (ret < 0)
		goto out;
	ret = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

static void report_failure(const char *host, unsigned port, int timeout_ms,
			   const struct connect_failure *failure, struct sstp_error *err)
{
	char server[2 * NI_MAXHOST];
	char duration[32];

	format_server(server, sizeof(server), host, failure->address);
	switch (failure->error) {
	case 0:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot reach SSTP server %s port %u: no usable address", host,
			       port);
		break;
	case ECONNREFUSED:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "SSTP server %s port %u refused the connection", server, port);
		break;
	case ETIMEDOUT:
		if (timeout_ms < 0) {
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "connection to SSTP server %s port %u timed out", server,
				       port);
			break;
		}
		sstp_format_duration(duration, sizeof(duration), timeout_ms);
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "connection to SSTP server %s port %u timed out after %s", server,
			       port, duration);
		break;
	default:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot reach SSTP server %s port %u: %s", server, port,
			       strerror(failure->error));
		break;
	}
}

int sstp_tcp_connect(const char *host, unsigned port, int timeout_ms, struct sstp_error *err)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV,
	};
	struct connect_failure failure = {0};
	struct addrinfo *addrs = NULL;
	const struct addrinfo *ai;
	char address[NI_MAXHOST];
	char service[16];
	int64_t deadline;
	int fd = -EINVAL;
	int ret;

	if (!host || !host[0] || port == 0 || port > 65535) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "invalid SSTP server %s port %u",
			       host && host[0] ? host : "(none)", port);
		goto out;
	}

	snprintf(service, sizeof(service), "%u", port);
	ret = getaddrinfo(host, service, &hints, &addrs);
	if (ret != 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot resolve SSTP server %s: %s (check sstp-server and DNS)",
			       host, ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		addrs = NULL;
		fd = -EHOSTUNREACH;
		goto out;
	}

	deadline = timeout_ms < 0 ? -1 : sstp_monotonic_ms() + timeout_ms;
	for (ai = addrs; ai; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, address, sizeof(address), NULL, 0,
				NI_NUMERICHOST) != 0)
			snprintf(address, sizeof(address), "%s", host);

		sstp_log_debug("connecting to %s port %u", address, port);
		ret = connect_one(ai, deadline);
		if (ret >= 0) {
			sstp_log_debug("connected to %s port %u", address, port);
			fd = ret;
			goto out;
		}
		sstp_log_debug("connecting to %s port %u failed: %s", address, port,
			       strerror(-ret));

		/* Ties go to the later attempt: it is the one closest to the
		 * deadline and to what the user will see in a packet trace. */
		if (failure_rank(-ret) >= failure_rank(failure.error)) {
			failure.error = -ret;
			snprintf(failure.address, sizeof(failure.address), "%s", address);
		}
		/* The budget is for the whole connect, not per address. */
		if (deadline >= 0 && sstp_remaining_ms(deadline) == 0)
			break;
	}
	report_failure(host, port, timeout_ms, &failure, err);
	fd = failure.error ? -failure.error : -ECONNREFUSED;
out:
	if (addrs)
		freeaddrinfo(addrs);
	return fd;
}
