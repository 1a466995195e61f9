/*
 * The per-link helper process: TCP, TLS, the SSTP HTTP request and the Call
 * Connect negotiation, then the pump. Reports READY or one precise failure to
 * the glue, which is blocked in pppd's connect() until then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "call.h"
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

#define WRITE_TIMEOUT_MS 10000

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
	/* TLS 1.3: the server's verdict on our certificate comes now. */
	if (n < 0 && link->tls.fatal_alert &&
	    sstp_tls_explain_rejection(&link->tls, link->cfg->host, err))
		return (int)n;
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
		if (link->tls.fatal_alert &&
		    sstp_tls_explain_rejection(&link->tls, link->cfg->host, err))
			return ret;
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot send the SSTP request to %s: %s", link->cfg->host,
			       strerror(-ret));
		return ret;
	}
	sstp_log_debug("sent SSTP_DUPLEX_POST");

	deadline = sstp_monotonic_ms() + SSTP_HTTP_RESPONSE_TIMEOUT_MS;
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
		ret = read_more(link, deadline, SSTP_HTTP_RESPONSE_TIMEOUT_MS / 1000,
				"HTTP response", err);
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

static void log_call(void *ctx, enum sstp_call_log_level level, const char *line)
{
	(void)ctx;
	switch (level) {
	case SSTP_CALL_LOG_DEBUG:
		sstp_log_debug("%s", line);
		break;
	case SSTP_CALL_LOG_INFO:
		sstp_log_info("%s", line);
		break;
	case SSTP_CALL_LOG_NOTICE:
		sstp_log_notice("%s", line);
		break;
	case SSTP_CALL_LOG_WARN:
		sstp_log_warn("%s", line);
		break;
	}
}

/* Sends what the call asks for. */
static int send_actions(struct sstp_link *link, const struct sstp_call_actions *act,
			struct sstp_error *err)
{
	int ret;

	if (!act->send_len)
		return 0;
	if (link->cfg->debug)
		sstp_log_control("sent", act->send, act->send_len);
	ret = sstp_tls_write_all(&link->tls, act->send, act->send_len, WRITE_TIMEOUT_MS);
	if (ret < 0)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "cannot send to %s: %s",
			       link->cfg->host, strerror(-ret));
	return ret;
}

/* Hands the next packet in link->tls_in to the call; 0 when there is none. */
static int next_packet(struct sstp_link *link, int64_t now, struct sstp_call_actions *act,
		       struct sstp_error *err)
{
	struct sstp_control msg;
	struct sstp_packet pkt;
	int len;

	len = sstp_packet_parse(link->tls_in, link->tls_in_len, &pkt);
	if (len < 0) {
		char why[80];

		/* MS-SSTP 3.1.5.1: close without a word. */
		sstp_packet_describe_error(link->tls_in, why, sizeof(why));
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "SSTP server %s sent an invalid SSTP packet during call setup: %s",
			       link->cfg->host, why);
		return -EBADMSG;
	}
	if (len == 0)
		return 0;
	sstp_call_received(&link->call, now);
	if (pkt.is_control) {
		if (link->cfg->debug)
			sstp_log_control("received", link->tls_in, len);
		if (sstp_control_parse(pkt.payload, pkt.payload_len, &msg) < 0)
			sstp_call_malformed(&link->call, now, act);
		else
			sstp_call_control(&link->call, &msg, now, act);
	}
	/* A data packet: no PPP frame may pass before the Ack (MS-SSTP 3.2.7.2). */
	consume_tls_in(link, len);
	return 1;
}

/* pppd hung up (or has gone) while the call was being set up. */
static void handle_glue(struct sstp_link *link, int64_t now, struct sstp_call_actions *act)
{
	struct sstp_ipc_msg *msg = link->ipc_in; /* locked memory */
	int ret = sstp_ipc_recv(link->ipc_fd, msg, 0);

	if (ret == 0 || (ret > 0 && msg->type == SSTP_IPC_DISCONNECT))
		sstp_call_disconnect(&link->call, now, act);
	gnutls_memset(msg, 0, sizeof(*msg));
}

/* Waits for the next event of the call setup (a packet, pppd hanging up, the
 * timer) and hands it to the call. */
static int next_event(struct sstp_link *link, const sigset_t *wait_mask,
		      struct sstp_call_actions *act, struct sstp_error *err)
{
	/* Once the call is being torn down, pppd has nothing more to say. */
	struct pollfd fds[] = {
	    {.fd = link->tls.fd, .events = POLLIN},
	    {.fd = sstp_call_tearing_down(&link->call) ? -1 : link->ipc_fd, .events = POLLIN},
	};
	int64_t now = sstp_monotonic_ms(), deadline = sstp_call_deadline(&link->call);
	struct timespec wait;
	ssize_t n;
	int ret;

	memset(act, 0, sizeof(*act));
	if (sstp_sigterm_received() && !sstp_call_tearing_down(&link->call)) {
		sstp_call_disconnect(&link->call, now, act);
		return 0;
	}
	ret = next_packet(link, now, act, err);
	if (ret != 0)
		return ret < 0 ? ret : 0;
	if (deadline >= 0 && now >= deadline) {
		sstp_call_timer(&link->call, now, act);
		return 0;
	}
	/* Decrypted bytes may wait inside GnuTLS, where poll() cannot see them. */
	if (gnutls_record_check_pending(link->tls.session) == 0) {
		ret = sstp_remaining_ms(deadline);
		wait.tv_sec = ret / 1000;
		wait.tv_nsec = ret % 1000 * 1000000L;
		ret = ppoll(fds, 2, ret < 0 ? NULL : &wait, wait_mask);
		if (ret < 0)
			return errno == EINTR ? 0 : -errno;
		if (fds[1].revents) {
			handle_glue(link, sstp_monotonic_ms(), act);
			return 0;
		}
		if (!fds[0].revents)
			return 0; /* the timer is due */
	}
	n = sstp_tls_read(&link->tls, link->tls_in + link->tls_in_len,
			  SSTP_TLS_IN_SIZE - link->tls_in_len, 0);
	if (n > 0) {
		link->tls_in_len += n;
		return 0;
	}
	if (n == -ETIMEDOUT)
		return 0; /* part of a TLS record */
	if (n == 0)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "SSTP server %s closed the connection while we waited for Call "
			       "Connect Ack",
			       link->cfg->host);
	else
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "connection to %s lost while waiting for Call Connect Ack: %s",
			       link->cfg->host, strerror((int)-n));
	return n == 0 ? -ECONNRESET : (int)n;
}

/* Call Connect Request until the call is accepted or over (MS-SSTP 3.2.1.1.1). */
static int negotiate(struct sstp_link *link, struct sstp_error *err)
{
	const struct sstp_call_config call_cfg = {
	    .server = link->cfg->host,
	    .cert_der = link->tls.leaf_der,
	    .cert_der_len = link->tls.leaf_der_len,
	    .log = log_call,
	    .err = err,
	};
	struct sstp_call_actions act;
	sigset_t wait_mask;
	int ret;

	sstp_catch_sigterm(&wait_mask);
	sstp_call_init(&link->call, &call_cfg);
	sstp_call_start(&link->call, sstp_monotonic_ms(), &act);
	for (;;) {
		ret = send_actions(link, &act, err);
		if (ret < 0)
			return ret;
		if (act.accepted)
			return 0;
		if (act.end) {
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "connection attempt cancelled");
			return -ECONNABORTED;
		}
		ret = next_event(link, &wait_mask, &act, err);
		if (ret < 0)
			return ret;
	}
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

	if (proxy.url && strcmp(proxy.url, "env") == 0) {
		proxy.url = proxy_from_environment(cfg->host, err);
		if (proxy.url && !proxy.url[0])
			return -EINVAL;
	}
	if (!proxy.url)
		return sstp_tcp_connect(cfg->host, cfg->port, timeout_ms, err);
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
	    .client_cert = cfg->client_cert,
	    .ocsp_require = cfg->ocsp_require,
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
	return negotiate(link, err);
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
	 * one. SIGTERM ends us at once (default action) until the Call Connect
	 * Request, and with a Call Disconnect after it. A pppd that died
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
