/* The per-link helper process: connects to the SSTP server, then pumps PPP
 * frames between pppd's pty and the TLS stream until the link ends. */
#ifndef SSTP_HELPER_H
#define SSTP_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "proxy.h"
#include "sandbox.h"
#include "tls.h"

struct sstp_link_config {
	pid_t pppd_pid;   /* the helper's parent: it stops if pppd dies during setup */
	const char *host; /* as the user wrote it, brackets removed */
	/* sstp-host: the name for SNI, the HTTP Host header and the
	 * certificate check; host when not set. */
	const char *server_name;
	unsigned port;
	const char *ca_file;
	const char *tls_priority;
	const char *cert_pin; /* sstp-cert-pin: public key pins, NULL for none */
	bool pin_only;        /* sstp-cert-pin-only: the pin replaces the CA checks */
	const char *crl_file;
	const char *client_cert; /* sstp-tls-cert, for messages: loaded into tls_trust */
	bool ocsp_require;       /* sstp-ocsp-stapling require */
	/* ca_file, crl_file, the client certificate and tls_priority as
	 * loaded in check_options. */
	const struct sstp_tls_trust *tls_trust;
	/* Whom the helper becomes before it touches the network. */
	struct sstp_sandbox_user helper_user;
	int connect_timeout_s; /* TCP connect (or proxy tunnel) + TLS handshake */
	bool debug;
	/* Proxy: NULL url for a direct connection, "env" for the environment's.
	 * The helper wipes proxy.password (its own copy) once the tunnel is up. */
	const char *proxy_url;
	const char *proxy_user;
	char *proxy_password;
	enum sstp_proxy_auth proxy_auth;
	const char *proxy_ca_file; /* https:// proxies: CAs for the proxy's certificate, */
	const char *proxy_ca_pem;  /* as read in check_options (NULL: the default store) */
	size_t proxy_ca_pem_len;
	const char *proxy_ca_path; /* the same bytes in a file the helper can still open */
#ifdef SSTP_TEST_HOOKS
	/* sstp-test-sandbox: "execve" or "open" once the filter is in place,
	 * "no-filter" for valgrind. Never in the release plugin. */
	const char *test_sandbox;
#endif
};

/*
 * Runs in the forked child. pty_master carries pppd's async-HDLC stream,
 * ipc_fd the control socket to the glue. Never returns: exits with 0 after a
 * clean disconnect, non-zero otherwise.
 */
__attribute__((noreturn)) void sstp_helper_run(const struct sstp_link_config *cfg, int pty_master,
					       int ipc_fd);

#endif
