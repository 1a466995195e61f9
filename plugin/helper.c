/*
 * The per-link helper process: TCP, TLS, the SSTP HTTP request and the Call
 * Connect negotiation, then the pump. Reports READY or one precise failure to
 * the glue, which is blocked in pppd's connect() until then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "crypto-binding.h"
#include "deadline.h"
#include "helper.h"
#include "http.h"
#include "ipc.h"
#include "log.h"
#include "proxy-env.h"
#include "proxy-relay.h"
#include "pump.h"
#include "sandbox.h"
#include "sstp-codec.h"
#include "tls.h"
#include "transport.h"

#define HTTP_RESPONSE_TIMEOUT_MS 60000 /* MS-SSTP 4.1 */
#define NEGOTIATION_TIMEOUT_MS   60000 /* MS-SSTP 3.2.2.1 */
#define ABORT_WAIT_MS            3000  /* Abort 1 timer, MS-SSTP 3.1.2.1 */
#define CONNECT_REQUEST_ATTEMPTS 3
#define WRITE_TIMEOUT_MS         10000

static void consume_tls_in(struct sstp_link *link, size_t n)
{
	memmove(link->tls_in, link->tls_in + n, link->tls_in_len - n);
	link->tls_in_len -= n;
}

/* Reads more of the TLS stream into link->tls_in; what names what we wait
 * for, and wait_s how long the whole wait is allowed to take. */
static int read_more(struct sstp_link *link, int64_t deadline, int wait_s, const char *what,
		     struct sstp_error *err)
{
	ssize_t n;

	if (link->tls_in_len == SSTP_TLS_IN_SIZE) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "%s from %s is too long", what,
			       link->cfg->host);
		return -E2BIG;
	}
	n = sstp_tls_read(&link->tls, link->tls_in + link->tls_in_len,
			  SSTP_TLS_IN_SIZE - link->tls_in_len, sstp_remaining_ms(deadline));
	if (n > 0) {
		link->tls_in_len += n;
		return 0;
	}
	if (n == 0)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "SSTP server %s closed the connection while we waited for %s",
			       link->cfg->host, what);
	else if (n == -ETIMEDOUT)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "no %s from %s within %d s", what,
			       link->cfg->host, wait_s);
	else
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "connection to %s lost while waiting for %s: %s", link->cfg->host,
			       what, strerror((int)-n));
	return n == 0 ? -ECONNRESET : (int)n;
}

static int send_control(struct sstp_link *link, const uint8_t *packet, size_t len,
			struct sstp_error *err)
{
	int ret;

	sstp_log_control("sent", packet, len);
	ret = sstp_tls_write_all(&link->tls, packet, len, WRITE_TIMEOUT_MS);
	if (ret < 0)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "cannot send to %s: %s",
			       link->cfg->host, strerror(-ret));
	return ret;
}

static int http_handshake(struct sstp_link *link, struct sstp_error *err)
{
	uint8_t guid[SSTP_GUID_LEN];
	char request[1024];
	struct sstp_http_response resp;
	int64_t deadline;
	int len, ret;

	if (gnutls_rnd(GNUTLS_RND_NONCE, guid, sizeof(guid)) < 0) {
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR, "cannot generate a correlation ID");
		return -EIO;
	}
	len = sstp_http_build_request(request, sizeof(request), link->cfg->server_name,
				      link->cfg->port, guid);
	if (len < 0) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "server name %s is too long",
			       link->cfg->server_name);
		return len;
	}
	ret = sstp_tls_write_all(&link->tls, request, len, WRITE_TIMEOUT_MS);
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot send the SSTP request to %s: %s", link->cfg->host,
			       strerror(-ret));
		return ret;
	}
	sstp_log_debug("sent SSTP_DUPLEX_POST");

	deadline = sstp_monotonic_ms() + HTTP_RESPONSE_TIMEOUT_MS;
	for (;;) {
		ret = sstp_http_parse_response((const char *)link->tls_in, link->tls_in_len, &resp);
		if (ret > 0)
			break;
		if (ret == -EBADMSG) {
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "SSTP server %s did not answer the SSTP request with HTTP; "
				       "is it an SSTP "
				       "server (check sstp-server and the port)?",
				       link->cfg->host);
			return ret;
		}
		if (ret == -E2BIG) {
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "the HTTP response from %s is too long", link->cfg->host);
			return ret;
		}
		ret = read_more(link, deadline, HTTP_RESPONSE_TIMEOUT_MS / 1000, "HTTP response",
				err);
		if (ret < 0)
			return ret;
	}
	consume_tls_in(link, ret);
	sstp_log_debug("HTTP %d %s", resp.status, resp.reason);
	if (resp.status != 200) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "SSTP server %s refused the SSTP connection: HTTP %d%s%s%s",
			       link->cfg->host, resp.status, resp.reason[0] ? " " : "", resp.reason,
			       resp.status == 404 ? " (is SSTP enabled on this server and port?)"
						  : "");
		return -ECONNREFUSED;
	}
	return 0;
}

/* The Abort procedure during setup: say why, give the server Abort 1's time
 * to answer, then let the caller close. */
static void abort_call(struct sstp_link *link, uint8_t attr_id, uint32_t status)
{
	uint8_t abort_msg[SSTP_STATUS_MSG_LEN];
	struct sstp_error ignored = {0};
	struct sstp_packet pkt;
	int64_t deadline = sstp_monotonic_ms() + ABORT_WAIT_MS;
	int len;

	send_control(link, abort_msg,
		     sstp_encode_with_status(abort_msg, SSTP_MSG_CALL_ABORT, attr_id, status),
		     &ignored);
	for (;;) {
		len = sstp_packet_parse(link->tls_in, link->tls_in_len, &pkt);
		if (len < 0)
			return;
		if (len > 0) {
			bool is_abort =
			    pkt.is_control && pkt.payload_len >= 2 &&
			    (pkt.payload[0] << 8 | pkt.payload[1]) == SSTP_MSG_CALL_ABORT;

			consume_tls_in(link, len);
			if (is_abort)
				return;
			continue;
		}
		if (read_more(link, deadline, ABORT_WAIT_MS / 1000, "Call Abort", &ignored) < 0)
			return;
	}
}

static void describe_statuses(const struct sstp_control *msg, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < msg->num_status && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%s (attribute %u)", i ? ", " : "",
				 sstp_status_name(msg->status[i].status), msg->status[i].attr_id);
	if (!msg->num_status)
		snprintf(buf, size, "no reason given");
}

/* Call Connect Request until a valid Ack (MS-SSTP 3.2.5.3). */
static int negotiate(struct sstp_link *link, struct sstp_error *err)
{
	uint8_t request[SSTP_CALL_CONNECT_REQUEST_LEN], reply[SSTP_SIMPLE_MSG_LEN];
	struct sstp_control msg;
	struct sstp_packet pkt;
	char reasons[256];
	int64_t deadline;
	int attempt, len, ret;

	for (attempt = 1; attempt <= CONNECT_REQUEST_ATTEMPTS; attempt++) {
		ret = send_control(link, request, sstp_encode_call_connect_request(request), err);
		if (ret < 0)
			return ret;
		deadline = sstp_monotonic_ms() + NEGOTIATION_TIMEOUT_MS;
		for (;;) {
			len = sstp_packet_parse(link->tls_in, link->tls_in_len, &pkt);
			if (len < 0) {
				char why[80];

				/* MS-SSTP 3.1.5.1: close without a word. */
				sstp_packet_describe_error(link->tls_in, why, sizeof(why));
				sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
					       "SSTP server %s sent an invalid SSTP packet during "
					       "call setup: %s",
					       link->cfg->host, why);
				return -EBADMSG;
			}
			if (len == 0) {
				if (sstp_monotonic_ms() >= deadline) {
					sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
						       "SSTP server %s did not answer the Call "
						       "Connect Request "
						       "within %d s",
						       link->cfg->host,
						       NEGOTIATION_TIMEOUT_MS / 1000);
					abort_call(link, SSTP_ATTR_NO_ERROR,
						   SSTP_STATUS_NEGOTIATION_TIMEOUT);
					return -ETIMEDOUT;
				}
				ret = read_more(link, deadline, NEGOTIATION_TIMEOUT_MS / 1000,
						"Call Connect Ack", err);
				if (ret == -ETIMEDOUT) {
					abort_call(link, SSTP_ATTR_NO_ERROR,
						   SSTP_STATUS_NEGOTIATION_TIMEOUT);
					return ret;
				}
				if (ret < 0)
					return ret;
				continue;
			}
			if (!pkt.is_control) {
				/* MS-SSTP 3.4: no PPP before the Ack; drop it. */
				consume_tls_in(link, len);
				continue;
			}
			sstp_log_control("received", link->tls_in, len);
			ret = sstp_control_parse(pkt.payload, pkt.payload_len, &msg);
			consume_tls_in(link, len);
			if (ret < 0) {
				sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
					       "SSTP server %s sent a malformed SSTP control "
					       "message during call "
					       "setup",
					       link->cfg->host);
				abort_call(link, SSTP_ATTR_NO_ERROR,
					   SSTP_STATUS_INVALID_FRAME_RECEIVED);
				return -EBADMSG;
			}
			switch (msg.type) {
			case SSTP_MSG_CALL_CONNECT_ACK:
				link->hash_protocol = sstp_choose_hash(msg.hash_bitmask);
				if (!msg.has_crypto_binding_req || !link->hash_protocol) {
					sstp_error_set(
					    err, SSTP_EXIT_CONNECT_FAILED,
					    "SSTP server %s offered no usable crypto binding hash "
					    "(bitmask 0x%02x; SHA-1 or SHA-256 needed)",
					    link->cfg->host, msg.hash_bitmask);
					abort_call(link, SSTP_ATTR_CRYPTO_BINDING_REQ,
						   SSTP_STATUS_VALUE_NOT_SUPPORTED);
					return -EPROTO;
				}
				memcpy(link->nonce, msg.nonce, sizeof(link->nonce));
				return 0;
			case SSTP_MSG_CALL_CONNECT_NAK:
				describe_statuses(&msg, reasons, sizeof(reasons));
				sstp_log_warn(
				    "SSTP server %s refused Call Connect Request %d of %d: %s",
				    link->cfg->host, attempt, CONNECT_REQUEST_ATTEMPTS, reasons);
				if (attempt == CONNECT_REQUEST_ATTEMPTS) {
					sstp_error_set(
					    err, SSTP_EXIT_CONNECT_FAILED,
					    "SSTP server %s refused the call %d times: %s",
					    link->cfg->host, attempt, reasons);
					abort_call(link, SSTP_ATTR_NO_ERROR,
						   SSTP_STATUS_RETRY_COUNT_EXCEEDED);
					return -ECONNREFUSED;
				}
				break;
			case SSTP_MSG_CALL_ABORT:
				describe_statuses(&msg, reasons, sizeof(reasons));
				sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
					       "SSTP server %s aborted the call during setup: %s",
					       link->cfg->host, reasons);
				abort_call(link, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NO_ERROR);
				return -ECONNABORTED;
			case SSTP_MSG_CALL_DISCONNECT:
				describe_statuses(&msg, reasons, sizeof(reasons));
				sstp_error_set(
				    err, SSTP_EXIT_CONNECT_FAILED,
				    "SSTP server %s disconnected the call during setup: %s",
				    link->cfg->host, reasons);
				send_control(
				    link, reply,
				    sstp_encode_simple(reply, SSTP_MSG_CALL_DISCONNECT_ACK), err);
				return -ECONNRESET;
			case SSTP_MSG_ECHO_REQUEST:
				/* Some servers keep the connection warm from the start. */
				ret = send_control(
				    link, reply, sstp_encode_simple(reply, SSTP_MSG_ECHO_RESPONSE),
				    err);
				if (ret < 0)
					return ret;
				continue;
			default:
				sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
					       "SSTP server %s sent %s (message type 0x%04x) while "
					       "we waited for "
					       "Call Connect Ack",
					       link->cfg->host, sstp_msg_name(msg.type), msg.type);
				abort_call(link, SSTP_ATTR_NO_ERROR,
					   SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED);
				return -EPROTO;
			}
			break; /* Nak: next attempt */
		}
	}
	return -ECONNREFUSED;
}

/*
 * "sstp-proxy env": the proxy curl would use for this https:// server.
 * Returns the URL, or NULL for a direct connection (nothing set, or no_proxy
 * covers the server). The decision is ours, made before connecting, so that
 * every message names what we actually connect to.
 */
static const char *proxy_from_environment(const char *host, struct sstp_error *err)
{
	const char *variable, *url, *no_proxy;
	char display[300], why[200];

	url = sstp_proxy_from_environment(&variable);
	if (!url) {
		sstp_log_info("sstp-proxy env: none of https_proxy, HTTPS_PROXY, all_proxy, "
			      "ALL_PROXY is set; connecting directly");
		return NULL;
	}
	if (sstp_proxy_describe(url, display, sizeof(display), why, sizeof(why)) < 0) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "sstp-proxy env: %s: %s", variable,
			       why);
		return "";
	}
	no_proxy = sstp_no_proxy_from_environment();
	if (sstp_no_proxy_matches(no_proxy, host)) {
		sstp_log_info("sstp-proxy env: no_proxy covers %s; connecting directly, not "
			      "through %s",
			      host, display);
		return NULL;
	}
	sstp_log_debug("sstp-proxy env: using proxy %s from %s", display, variable);
	return url;
}

/* TCP to the server, directly or through a proxy tunnel: a socket or <0;
 * *relay as from sstp_proxy_connect(). */
static int open_byte_path(const struct sstp_link *link, pid_t *relay, struct sstp_error *err)
{
	const struct sstp_link_config *cfg = link->cfg;
	const int link_fds[] = {link->pty_master, link->ipc_fd};
	struct sstp_proxy_config proxy = {
	    .url = cfg->proxy_url,
	    .user = cfg->proxy_user,
	    .password = cfg->proxy_password,
	    .auth = cfg->proxy_auth,
	    .ca_file = cfg->proxy_ca_file,
	    .ca_pem = cfg->proxy_ca_pem,
	    .ca_pem_len = cfg->proxy_ca_pem_len,
	    .ca_path = cfg->proxy_ca_path,
	    .relay_close_fds = link_fds,
	    .num_relay_close_fds = sizeof(link_fds) / sizeof(link_fds[0]),
	};
	int timeout_ms = cfg->connect_timeout_s * 1000;
	int fd;

	if (proxy.url && strcmp(proxy.url, "env") == 0) {
		proxy.url = proxy_from_environment(cfg->host, err);
		if (proxy.url && !proxy.url[0])
			return -EINVAL;
	}
	if (!proxy.url) {
		fd = sstp_tcp_connect(cfg->host, cfg->port, timeout_ms, err);
		return fd < 0 ? -ECONNREFUSED : fd;
	}
	return sstp_proxy_connect(&proxy, cfg->host, cfg->port, timeout_ms, relay, err);
}

#ifdef SSTP_TEST_HOOKS
/* Test builds only: show that the filter holds (the helper must die of
 * SIGSYS), or leave it out where valgrind needs the system calls. */
static int confine(const struct sstp_link_config *cfg, pid_t relay, struct sstp_error *err)
{
	const char *hook = cfg->test_sandbox ? cfg->test_sandbox : "";
	char *const argv[] = {"/bin/true", NULL};
	int ret;

	if (strcmp(hook, "no-filter") == 0) {
		sstp_log_warn("test hook: no seccomp filter in the helper");
		return 0;
	}
	ret = sstp_sandbox_confine(relay, err);
	if (ret < 0)
		return ret;
	sstp_log_debug("helper: seccomp filter in place");
	if (strcmp(hook, "execve") == 0) {
		sstp_log_notice("test hook: calling execve() inside the sandbox");
		execve(argv[0], argv, NULL);
	} else if (strcmp(hook, "open") == 0) {
		sstp_log_notice("test hook: calling open() inside the sandbox");
		ret = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (ret >= 0)
			close(ret);
	}
	sstp_log_error("test hook: %s survived the sandbox", hook);
	return 0;
}
#else
static int confine(const struct sstp_link_config *cfg, pid_t relay, struct sstp_error *err)
{
	int ret;

	(void)cfg;
	ret = sstp_sandbox_confine(relay, err);
	if (ret == 0)
		sstp_log_debug("helper: seccomp filter in place");
	return ret;
}
#endif

/*
 * The far end of the TCP connection: the server, or the proxy we tunnel
 * through. An IPv4-mapped IPv6 address is reported as the IPv4 address the
 * packets really go to. AF_UNSPEC when the socket is not TCP (the socket
 * pair to an https:// proxy's relay).
 */
static void get_peer_address(int fd, struct sockaddr_storage *peer)
{
	socklen_t len = sizeof(*peer);
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)peer;

	memset(peer, 0, sizeof(*peer));
	if (getpeername(fd, (struct sockaddr *)peer, &len) < 0 ||
	    (peer->ss_family != AF_INET && peer->ss_family != AF_INET6)) {
		memset(peer, 0, sizeof(*peer));
		peer->ss_family = AF_UNSPEC;
		return;
	}
	if (peer->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = in6->sin6_port};

		memcpy(&in4.sin_addr, &in6->sin6_addr.s6_addr[12], sizeof(in4.sin_addr));
		memset(peer, 0, sizeof(*peer));
		memcpy(peer, &in4, sizeof(in4));
	}
}

static int connect_call(struct sstp_link *link, pid_t *relay, struct sockaddr_storage *peer,
			struct sstp_error *err)
{
	const struct sstp_link_config *cfg = link->cfg;
	struct sstp_tls_config tls_cfg = {
	    .server_name = cfg->server_name,
	    .ca_file = cfg->ca_file,
	    .priority = cfg->tls_priority,
	    .cert_pin = cfg->cert_pin,
	    .pin_only = cfg->pin_only,
	    .crl_file = cfg->crl_file,
	    .trust = cfg->tls_trust,
	};
	int fd, ret;

	fd = open_byte_path(link, relay, err);
	/* Our copy of the proxy password has done its job, whatever the outcome. */
	if (cfg->proxy_password)
		gnutls_memset(cfg->proxy_password, 0, strlen(cfg->proxy_password));
	if (fd < 0)
		return fd;
	/* For the glue's host route; getpeername is not allowed in the sandbox. */
	get_peer_address(fd, peer);
	/* Name resolution and the proxy tunnel needed files (resolv.conf,
	 * hosts, NSS modules); from here on, everything the server sends is
	 * parsed with no way to open a file or run a program. */
	ret = confine(cfg, *relay, err);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	ret = sstp_tls_open(&link->tls, fd, &tls_cfg, cfg->connect_timeout_s * 1000, err);
	if (ret < 0)
		return ret;
	ret = http_handshake(link, err);
	if (ret < 0)
		return ret;
	ret = negotiate(link, err);
	if (ret < 0)
		return ret;
	ret = sstp_cert_hash(link->hash_protocol, link->tls.leaf_der, link->tls.leaf_der_len,
			     link->cert_hash);
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR, "cannot hash the server certificate");
		return ret;
	}
	sstp_log_info("call accepted by %s, crypto binding with %s", cfg->host,
		      sstp_hash_name(link->hash_protocol));
	return 0;
}

/* Messages from the glue, one of which carries the HLAK: locked memory. */
static struct sstp_ipc_msg ipc_in;

void sstp_helper_run(const struct sstp_link_config *cfg, int pty_master, int ipc_fd)
{
	struct sstp_link link = {
	    .cfg = cfg,
	    .tls = {.fd = -1},
	    .pty_master = pty_master,
	    .ipc_fd = ipc_fd,
	};
	struct sstp_ipc_msg msg = {.type = SSTP_IPC_READY};
	struct sstp_error err = {0};
	pid_t relay = -1;
	int exit_code = 1;

	link.tls_in = malloc(SSTP_TLS_IN_SIZE);
	if (!link.tls_in) {
		sstp_error_set(&err, SSTP_EXIT_FATAL_ERROR, "out of memory");
		goto fail;
	}
	/* Locks do not survive fork(): take them here, while root, where
	 * RLIMIT_MEMLOCK does not apply. */
	link.ipc_in = &ipc_in;
	if (sstp_sandbox_lock_memory(&ipc_in, sizeof(ipc_in)) < 0 ||
	    (cfg->proxy_password &&
	     sstp_sandbox_lock_memory(cfg->proxy_password, strlen(cfg->proxy_password) + 1) < 0))
		sstp_log_warn("cannot lock the helper's key buffers in memory: %s",
			      strerror(errno));
	/* Before any name is resolved or byte received. */
	if (sstp_sandbox_drop_privileges(&cfg->helper_user, &err) < 0)
		goto fail;
	sstp_log_debug("helper: running as user %s (uid %u, gid %u), no capabilities",
		       cfg->helper_user.name, (unsigned)cfg->helper_user.uid,
		       (unsigned)cfg->helper_user.gid);
	/* Until READY, pppd sits in connect() waiting for us; if it dies, the
	 * setup (up to minutes of TCP, proxy, TLS and SSTP timers) is for no
	 * one. SIGTERM ends us at once (default action). A pppd that died
	 * before the prctl shows up as a changed parent. After the privilege
	 * drop: changing credentials clears the parent-death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != cfg->pppd_pid)
		_exit(1);
	if (connect_call(&link, &relay, &msg.u.peer, &err) < 0)
		goto fail;
	if (sstp_ipc_send(ipc_fd, &msg) < 0)
		goto out; /* pppd has gone */
	/* From here on pppd's death shows as EOF on ipc_fd and EIO on the pty.
	 * The parent-death signal must not outlive setup: "updetach" makes
	 * pppd's parent process exit while its child carries on with the link. */
	prctl(PR_SET_PDEATHSIG, 0);
	exit_code = sstp_pump_run(&link);
	goto out;

fail:
	msg.type = SSTP_IPC_FAIL;
	msg.u.error = err;
	sstp_ipc_send(ipc_fd, &msg);
out:
	/* Closing the socket is what tells a relay to finish. */
	sstp_tls_close(&link.tls);
	sstp_relay_stop(relay);
	free(link.tls_in);
	gnutls_memset(&ipc_in, 0, sizeof(ipc_in));
	close(pty_master);
	close(ipc_fd);
	_exit(exit_code);
}
