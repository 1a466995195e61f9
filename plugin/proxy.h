/* The byte path to the SSTP server through a web or SOCKS proxy: libcurl
 * opens the tunnel (and negotiates proxy authentication), we take the socket. */
#ifndef SSTP_PROXY_H
#define SSTP_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* "sstp-proxy-auth": which schemes libcurl may answer a 407 with. */
enum sstp_proxy_auth {
	SSTP_PROXY_AUTH_ANY, /* whatever the proxy offers, the strongest first */
	SSTP_PROXY_AUTH_BASIC,
	SSTP_PROXY_AUTH_DIGEST,
	SSTP_PROXY_AUTH_NTLM,
	SSTP_PROXY_AUTH_NEGOTIATE,
};

struct sstp_proxy_config {
	const char *url;  /* scheme://[user:password@]host[:port]; no scheme: http */
	const char *user; /* NULL: from the URL, if any */
	char *password;   /* NULL: from the URL, if any; an https:// relay wipes its copy */
	enum sstp_proxy_auth auth;
	const char *ca_file; /* https:// proxies: CAs for the proxy (for messages); NULL:
				libcurl's default store */
	/* ca_file's contents, read while still root: given to libcurl as a blob
	 * where it can take one, else as ca_path, a copy the helper can open. */
	const char *ca_pem;
	size_t ca_pem_len;
	const char *ca_path;
	/* https:// proxies: the caller's descriptors the relay process closes */
	const int *relay_close_fds;
	size_t num_relay_close_fds;
};

/* "any", "basic", ... into *auth; -EINVAL for an unknown name. */
int sstp_proxy_auth_parse(const char *name, enum sstp_proxy_auth *auth);

/*
 * Checks that url names a proxy we can tunnel through (http://, https://,
 * socks4://, socks4a://, socks5://, socks5h://, or no scheme for http) and writes it
 * without any user name or password to display ("http://proxy:3128"), for
 * logs and messages. Returns 0, or -EINVAL with why filled in.
 */
int sstp_proxy_describe(const char *url, char *display, size_t display_size, char *why,
			size_t why_size);

/*
 * Opens a tunnel through the proxy to host:port within timeout_ms and
 * returns its socket: a blocking, close-on-exec socket on which the next
 * byte is the SSTP server's, as from sstp_tcp_connect(). For an https://
 * proxy that is a socket to a relay process, *relay its pid (else -1); once
 * the socket is closed, sstp_relay_stop(*relay) reaps it. On failure
 * returns a negative errno, no relay is left, and err names the proxy and
 * the cause ("proxy http://proxy:3128 refused CONNECT to
 * vpn.example.com:443: 403 Forbidden"). The password is never logged.
 */
int sstp_proxy_connect(const struct sstp_proxy_config *proxy, const char *host, unsigned port,
		       int timeout_ms, pid_t *relay, struct sstp_error *err);

/* The version of the libcurl loaded at run time ("7.88.1"), for the logs. */
const char *sstp_proxy_libcurl_version(void);

#endif
