/*
 * The tunnel through a proxy. libcurl does all of the proxy protocol: the
 * HTTP CONNECT with every authentication scheme it knows (Basic, Digest,
 * NTLM, Negotiate), or the SOCKS handshake. With CURLOPT_CONNECT_ONLY it
 * stops once the tunnel is open; we then take a duplicate of its socket and
 * run our own TLS to the SSTP server over it, so the server's name check,
 * SNI and the crypto binding's certificate hash are the SSTP server's.
 *
 * An https:// proxy puts its own TLS under ours: the socket carries the
 * proxy's records, so the tunnel stays with libcurl in a relay process
 * (proxy-relay.c) and we get the relay's socket instead. The proxy's
 * certificate is checked by libcurl against sstp-proxy-ca-file (or its
 * default trust store); it has nothing to do with the SSTP server's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "proxy-relay.h"
#include "proxy.h"
#include "sanitize.h"
#include "sysutil.h"
#include "text.h"

/* libcurl's defaults when a proxy URL has no port. */
#define CURL_DEFAULT_PROXY_PORT       "1080"
#define CURL_DEFAULT_HTTPS_PROXY_PORT "443"

/* MS-SSTP 4.5: tells a proxy that the CONNECT is for SSTP. */
#define SSTP_PROXY_VERSION_HEADER "SSTPVERSION: 1.0"

static const struct {
	const char *name;
	enum sstp_proxy_auth auth;
	unsigned long curl_mask;
} auth_names[] = {
    {"any", SSTP_PROXY_AUTH_ANY, CURLAUTH_ANY},
    {"basic", SSTP_PROXY_AUTH_BASIC, CURLAUTH_BASIC},
    {"digest", SSTP_PROXY_AUTH_DIGEST, CURLAUTH_DIGEST},
    {"ntlm", SSTP_PROXY_AUTH_NTLM, CURLAUTH_NTLM},
    {"negotiate", SSTP_PROXY_AUTH_NEGOTIATE, CURLAUTH_NEGOTIATE},
};

/* The schemes a proxy may offer, in the words of its Proxy-Authenticate. */
static const struct {
	unsigned long bit;
	const char *name;
} offered_names[] = {
    {CURLAUTH_BASIC, "Basic"},         {CURLAUTH_DIGEST, "Digest"},
    {CURLAUTH_NTLM, "NTLM"},           {CURLAUTH_NEGOTIATE, "Negotiate"},
    {CURLAUTH_DIGEST_IE, "Digest-IE"}, {CURLAUTH_BEARER, "Bearer"},
};

int sstp_proxy_auth_parse(const char *name, enum sstp_proxy_auth *auth)
{
	for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++) {
		if (strcasecmp(name, auth_names[i].name) == 0) {
			*auth = auth_names[i].auth;
			return 0;
		}
	}
	return -EINVAL;
}

static unsigned long curl_auth_mask(enum sstp_proxy_auth auth)
{
	for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
		if (auth_names[i].auth == auth)
			return auth_names[i].curl_mask;
	return CURLAUTH_ANY;
}

static const char *auth_name(enum sstp_proxy_auth auth)
{
	for (size_t i = 0; i < sizeof(auth_names) / sizeof(auth_names[0]); i++)
		if (auth_names[i].auth == auth)
			return auth_names[i].name;
	return "any";
}

static void format_offered(unsigned long mask, char *buf, size_t size)
{
	struct sstp_text t;

	sstp_text_init(&t, buf, size);
	for (size_t i = 0; i < sizeof(offered_names) / sizeof(offered_names[0]); i++)
		if (mask & offered_names[i].bit)
			sstp_text_append(&t, "%s%s", t.used ? ", " : "", offered_names[i].name);
	if (!t.used)
		sstp_text_append(&t, "no scheme we know");
}

/* --- the proxy URL ------------------------------------------------------------- */

/* What a proxy URL says, credentials left out. */
struct proxy_url {
	char scheme[16];
	char host[256];
	char port[8];
	bool has_user;
	bool tls; /* https://: TLS to the proxy */
};

static int parse_proxy_url(const char *url, struct proxy_url *out, char *why, size_t why_size)
{
	CURLU *parsed = curl_url();
	char *with_scheme = NULL, *part = NULL;
	CURLUcode rc;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!parsed) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	/* Like libcurl, take a proxy without a scheme as an HTTP proxy. */
	if (!strstr(url, "://") && asprintf(&with_scheme, "http://%s", url) < 0) {
		with_scheme = NULL;
		snprintf(why, why_size, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	rc = curl_url_set(parsed, CURLUPART_URL, with_scheme ? with_scheme : url,
			  CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK) {
		snprintf(why, why_size, "not a proxy URL: %s", curl_url_strerror(rc));
		goto out;
	}

	if (curl_url_get(parsed, CURLUPART_SCHEME, &part, 0) != CURLUE_OK) {
		snprintf(why, why_size, "the proxy URL has no scheme");
		goto out;
	}
	for (char *c = part; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	if (strcmp(part, "http") != 0 && strcmp(part, "https") != 0 &&
	    strcmp(part, "socks4") != 0 && strcmp(part, "socks4a") != 0 &&
	    strcmp(part, "socks5") != 0 && strcmp(part, "socks5h") != 0) {
		snprintf(why, why_size,
			 "unsupported proxy scheme %.16s:// (use http://, https://, socks4://, "
			 "socks4a://, socks5:// or socks5h://)",
			 part);
		goto out;
	}
	snprintf(out->scheme, sizeof(out->scheme), "%s", part);
	out->tls = strcmp(part, "https") == 0;
	curl_free(part);
	part = NULL;

	if (curl_url_get(parsed, CURLUPART_HOST, &part, 0) != CURLUE_OK || !part[0]) {
		snprintf(why, why_size, "the proxy URL names no host");
		goto out;
	}
	if (strlen(part) >= sizeof(out->host)) {
		snprintf(why, why_size, "the proxy host name is too long");
		goto out;
	}
	snprintf(out->host, sizeof(out->host), "%s", part);
	curl_free(part);
	part = NULL;

	if (curl_url_get(parsed, CURLUPART_PORT, &part, 0) == CURLUE_OK)
		snprintf(out->port, sizeof(out->port), "%s", part);
	else
		snprintf(out->port, sizeof(out->port), "%s",
			 out->tls ? CURL_DEFAULT_HTTPS_PROXY_PORT : CURL_DEFAULT_PROXY_PORT);
	curl_free(part);
	part = NULL;

	if (curl_url_get(parsed, CURLUPART_USER, &part, 0) == CURLUE_OK)
		out->has_user = true;
	ret = 0;
out:
	/* part may be the user name: nothing secret, but nothing to keep. */
	curl_free(part);
	free(with_scheme);
	curl_url_cleanup(parsed);
	return ret;
}

int sstp_proxy_describe(const char *url, char *display, size_t display_size, char *why,
			size_t why_size)
{
	struct proxy_url parsed;
	int ret;

	ret = parse_proxy_url(url, &parsed, why, why_size);
	if (ret < 0)
		return ret;
	snprintf(display, display_size, "%s://%s:%s", parsed.scheme, parsed.host, parsed.port);
	return 0;
}

/* --- watching the CONNECT exchange ------------------------------------------------ */

/* What the user needs to hear about the proxy's answers, and nothing more. */
struct tunnel_watch {
	char auth_used[32];    /* scheme word of the last Proxy-Authorization sent */
	char proxy_status[96]; /* "403 Forbidden", from the last status line */
};

/* How many of the first len bytes of text come before one of stop. */
static size_t strcspn_n(const char *text, size_t len, const char *stop)
{
	size_t n = 0;

	while (n < len && !strchr(stop, text[n]))
		n++;
	return n;
}

/* The start of text[0..len) up to a CR or LF, sanitised: it is the proxy's. */
static void copy_line(char *dst, size_t size, const char *text, size_t len)
{
	sstp_sanitize(dst, size, text, strcspn_n(text, len, "\r\n"));
}

/*
 * Sees the CONNECT requests libcurl sends. Only the scheme word of
 * Proxy-Authorization is kept: the rest carries the credentials. Nothing
 * else curl reports is logged, since its text may name the proxy URL.
 */
static int on_curl_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *ctx)
{
	static const char header[] = "proxy-authorization:";
	struct tunnel_watch *watch = ctx;
	const char *line = data, *end = data + size;

	(void)handle;
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	/* Each CONNECT (one per authentication round) is judged on its own. */
	watch->auth_used[0] = '\0';
	while (line < end) {
		const char *eol = memchr(line, '\n', end - line);
		size_t len = (eol ? eol : end) - line;

		if (len > sizeof(header) - 1 &&
		    strncasecmp(line, header, sizeof(header) - 1) == 0) {
			const char *word = line + sizeof(header) - 1;
			size_t word_len;

			while (word < line + len && *word == ' ')
				word++;
			word_len = strcspn(word, " \r\n");
			if (word_len > (size_t)(line + len - word))
				word_len = line + len - word;
			copy_line(watch->auth_used, sizeof(watch->auth_used), word, word_len);
		}
		line = eol ? eol + 1 : end;
	}
	sstp_log_debug("sent CONNECT to the proxy%s%s", watch->auth_used[0] ? " with " : "",
		       watch->auth_used[0] ? watch->auth_used : "");
	return 0;
}

/* Sees the proxy's response header lines; keeps the status line's tail. */
static size_t on_curl_header(char *data, size_t size, size_t count, void *ctx)
{
	struct tunnel_watch *watch = ctx;
	size_t len = size * count;

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0) {
		const char *status = memchr(data, ' ', len);

		if (status) {
			status++;
			copy_line(watch->proxy_status, sizeof(watch->proxy_status), status,
				  data + len - status);
			sstp_log_debug("proxy answered: %s", watch->proxy_status);
		}
	}
	return len;
}

/* --- the tunnel ------------------------------------------------------------------- */

/* The URL libcurl "connects" to: only its host and port matter, and the
 * scheme must not be https, or libcurl would run TLS to the server itself. */
static int build_target_url(char *buf, size_t size, const char *host, unsigned port)
{
	bool ipv6 = strchr(host, ':') != NULL;
	struct sstp_text t;

	sstp_text_init(&t, buf, size);
	sstp_text_append(&t, "http://%s", ipv6 ? "[" : "");
	/* A zone ("%eth0") has to be percent-encoded inside a URL. */
	for (const char *c = host; *c; c++) {
		if (*c == '%')
			sstp_text_append(&t, "%%25");
		else
			sstp_text_append(&t, "%c", *c);
	}
	sstp_text_append(&t, "%s:%u/", ipv6 ? "]" : "", port);
	return t.truncated ? -ENOSPC : 0;
}

/* The socket libcurl opened, as our own blocking descriptor. */
static int take_socket(CURL *curl)
{
	curl_socket_t sock = CURL_SOCKET_BAD;
	int one = 1;
	int fd, ret;

	if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &sock) != CURLE_OK ||
	    sock == CURL_SOCKET_BAD)
		return -ENOTCONN;
	/* libcurl closes its descriptor in curl_easy_cleanup(); a plain close()
	 * of one of two descriptors leaves the connection open for the other. */
	fd = fcntl(sock, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = sstp_set_nonblocking(fd, false);
	if (ret == 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static void explain_auth_failure(CURL *curl, const struct sstp_proxy_config *proxy,
				 const char *display, bool has_credentials, struct sstp_error *err)
{
	unsigned long allowed = curl_auth_mask(proxy->auth);
	long offered_mask = 0;
	char offered[96];

	curl_easy_getinfo(curl, CURLINFO_PROXYAUTH_AVAIL, &offered_mask);
	format_offered((unsigned long)offered_mask, offered, sizeof(offered));
	if (!has_credentials)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "proxy %s requires authentication, offered: %s (set sstp-proxy-user "
			       "and sstp-proxy-password-file)",
			       display, offered);
	else if (offered_mask && !((unsigned long)offered_mask & allowed))
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "proxy %s offers only %s, but sstp-proxy-auth is %s", display,
			       offered, auth_name(proxy->auth));
	else
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "proxy %s: proxy authentication failed, offered: %s (check "
			       "sstp-proxy-user and the proxy password)",
			       display, offered);
}

/* One tunnel to open: what sstp_proxy_connect() was asked, parsed. */
struct tunnel_request {
	const struct sstp_proxy_config *proxy;
	struct proxy_url url;
	char display[300]; /* the proxy URL without credentials */
	char target[320];  /* build_target_url() */
	const char *host;
	unsigned port;
	int timeout_ms;
};

/* TLS to an https:// proxy failed: the proxy's certificate, not the server's. */
static void explain_proxy_tls_failure(CURLcode rc, const char *detail,
				      const struct tunnel_request *req, struct sstp_error *err)
{
	const char *ca_file = req->proxy->ca_file;

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		if (strstr(detail, "does not match"))
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "certificate of proxy %s does not match its name: %s (use "
				       "a name the proxy's certificate lists in sstp-proxy)",
				       req->display, detail);
		else
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "certificate of proxy %s is not trusted: %s (%s)",
				       req->display, detail,
				       ca_file ? "is sstp-proxy-ca-file the CA that signed the "
						 "proxy's certificate?"
					       : "use sstp-proxy-ca-file if the proxy uses a "
						 "private CA");
		break;
	case CURLE_SSL_CACERT_BADFILE:
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "cannot use CAs for proxy %s from %s: %s (check "
			       "sstp-proxy-ca-file)",
			       req->display, ca_file ? ca_file : "the system trust store", detail);
		break;
	default:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "TLS with proxy %s failed: %s (does the proxy speak TLS on this "
			       "port? http:// is for its plain port)",
			       req->display, detail);
		break;
	}
}

static void explain_failure(CURL *curl, CURLcode rc, const char *errbuf,
			    const struct tunnel_request *req, const struct tunnel_watch *watch,
			    struct sstp_error *err)
{
	bool has_credentials = req->proxy->user || req->url.has_user;
	char detail_text[SSTP_SANITIZED_MAX];
	/* libcurl's text may quote the proxy (its certificate's names). */
	const char *detail = sstp_sanitize_str(detail_text, sizeof(detail_text),
					       errbuf[0] ? errbuf : curl_easy_strerror(rc));
	const char *display = req->display, *host = req->host;
	unsigned port = req->port;
	long connect_code = 0, proxy_code = 0;

	curl_easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &connect_code);
	if (connect_code == 407) {
		explain_auth_failure(curl, req->proxy, display, has_credentials, err);
		return;
	}
	if (connect_code && (connect_code < 200 || connect_code > 299)) {
		if (watch->proxy_status[0])
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "proxy %s refused CONNECT to %s:%u: %s", display, host, port,
				       watch->proxy_status);
		else
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "proxy %s refused CONNECT to %s:%u: HTTP %ld", display, host,
				       port, connect_code);
		return;
	}
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_PROXY:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot resolve proxy %s: %s (check sstp-proxy and DNS)", display,
			       detail);
		break;
	case CURLE_COULDNT_CONNECT:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "cannot connect to proxy %s: %s",
			       display, detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "no tunnel through proxy %s to %s:%u within %d s: %s", display, host,
			       port, req->timeout_ms / 1000, detail);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		/* libcurl reports a SOCKS proxy's own name this way (an HTTP
		 * proxy's as CURLE_COULDNT_RESOLVE_PROXY); the SSTP server's
		 * name, resolved for SOCKS, comes back as CURLE_PROXY below. */
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot resolve proxy %s: %s (check sstp-proxy and DNS)", display,
			       detail);
		break;
	case CURLE_PROXY:
		if (curl_easy_getinfo(curl, CURLINFO_PROXY_ERROR, &proxy_code) == CURLE_OK &&
		    proxy_code == CURLPX_RESOLVE_HOST) {
			sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
				       "cannot resolve SSTP server %s for proxy %s: %s (check "
				       "sstp-server and DNS; socks5h:// lets the proxy resolve it)",
				       host, display, detail);
			break;
		}
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "proxy %s did not open a tunnel to %s:%u: %s", display, host, port,
			       detail);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		/* With CONNECT_ONLY to an http:// target, any TLS is the proxy's. */
		explain_proxy_tls_failure(rc, detail, req, err);
		break;
	default:
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "tunnel through proxy %s to %s:%u failed: %s", display, host, port,
			       detail);
		break;
	}
}

/* What libcurl keeps pointers to lives in open_tunnel()'s frame; the handle
 * outlives it in the relay. */
static void forget_stack(CURL *curl)
{
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, NULL);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, NULL);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(curl, CURLOPT_PROXYHEADER, NULL);
}

/* Runs the CONNECT (or the SOCKS handshake): 0 with *out the handle whose
 * connection is the tunnel, or a negative errno with err set. */
static int open_tunnel(const struct tunnel_request *req, CURL **out, struct sstp_error *err)
{
	const struct sstp_proxy_config *proxy = req->proxy;
	struct tunnel_watch watch = {0};
	struct curl_slist *proxy_headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *curl = NULL;
	CURLcode rc;
	int ret = 0;

	/* A forked helper (or relay), single-threaded: the one place libcurl starts. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(curl = curl_easy_init())) {
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR, "cannot initialise libcurl");
		ret = -ENOMEM;
		goto out;
	}
	proxy_headers = curl_slist_append(NULL, SSTP_PROXY_VERSION_HEADER);
	if (!proxy_headers) {
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR, "out of memory");
		ret = -ENOMEM;
		goto out;
	}

	sstp_log_debug("opening a tunnel to %s port %u through proxy %s (sstp-proxy-auth %s)",
		       req->host, req->port, req->display, auth_name(proxy->auth));
	/* pppd treats SIGALRM as fatal: no signal-based resolver time-outs. */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_URL, req->target);
	curl_easy_setopt(curl, CURLOPT_PROXY, proxy->url);
	/* The port we name in every message, whatever libcurl's default. */
	curl_easy_setopt(curl, CURLOPT_PROXYPORT, strtol(req->url.port, NULL, 10));
	/* The user chose this proxy (or no_proxy was already applied for
	 * "env"): libcurl must not apply no_proxy from the environment again. */
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "");
	curl_easy_setopt(curl, CURLOPT_HTTPPROXYTUNNEL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(curl, CURLOPT_PROXYHEADER, proxy_headers);
	curl_easy_setopt(curl, CURLOPT_HEADEROPT, (long)CURLHEADER_SEPARATE);
	curl_easy_setopt(curl, CURLOPT_PROXYAUTH, curl_auth_mask(proxy->auth));
	if (req->url.tls) {
		/* libcurl's defaults, stated: a proxy that sees the CONNECT and
		 * the proxy password must prove who it is. */
		curl_easy_setopt(curl, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(curl, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
		if (proxy->ca_pem) {
			struct curl_blob blob = {
			    .data = (void *)proxy->ca_pem,
			    .len = proxy->ca_pem_len,
			    .flags = CURL_BLOB_COPY,
			};

			/* libcurl with GnuTLS (Debian's 7.88) takes no blob. */
			if (curl_easy_setopt(curl, CURLOPT_PROXY_CAINFO_BLOB, &blob) != CURLE_OK)
				curl_easy_setopt(curl, CURLOPT_PROXY_CAINFO, proxy->ca_path);
		}
	}
	if (proxy->user)
		curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, proxy->user);
	if (proxy->password)
		curl_easy_setopt(curl, CURLOPT_PROXYPASSWORD, proxy->password);
	if (proxy->auth == SSTP_PROXY_AUTH_NEGOTIATE && !proxy->user && !req->url.has_user)
		/* Kerberos takes the identity from the ticket cache, but
		 * libcurl only tries Negotiate when some user name is set. */
		curl_easy_setopt(curl, CURLOPT_PROXYUSERNAME, "");
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_curl_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &watch);
	/* The debug callback only runs in verbose mode; it prints nothing itself. */
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_curl_debug);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &watch);

	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		explain_failure(curl, rc, errbuf, req, &watch, err);
		ret = -ECONNREFUSED;
		goto out;
	}
	sstp_log_info("tunnel to %s port %u open through proxy %s (proxy authentication: %s)",
		      req->host, req->port, req->display,
		      watch.auth_used[0] ? watch.auth_used : "none");
out:
	if (curl)
		forget_stack(curl);
	curl_slist_free_all(proxy_headers);
	*out = curl;
	return ret;
}

/* In the relay process, whose copy of the password has no other use. */
static int open_tunnel_in_relay(void *ctx, CURL **curl, struct sstp_error *err)
{
	const struct tunnel_request *req = ctx;
	int ret;

	ret = open_tunnel(req, curl, err);
	if (req->proxy->password)
		explicit_bzero(req->proxy->password, strlen(req->proxy->password));
	return ret;
}

int sstp_proxy_connect(const struct sstp_proxy_config *proxy, const char *host, unsigned port,
		       int timeout_ms, pid_t *relay, struct sstp_error *err)
{
	struct tunnel_request req = {
	    .proxy = proxy,
	    .host = host,
	    .port = port,
	    .timeout_ms = timeout_ms,
	};
	char why[200];
	CURL *curl = NULL;
	int ret;

	*relay = -1;
	ret = parse_proxy_url(proxy->url, &req.url, why, sizeof(why));
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "sstp-proxy: %s", why);
		return ret;
	}
	snprintf(req.display, sizeof(req.display), "%s://%s:%s", req.url.scheme, req.url.host,
		 req.url.port);
	if (build_target_url(req.target, sizeof(req.target), host, port) < 0) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "server name %s is too long", host);
		return -ENAMETOOLONG;
	}
	if (req.url.tls) {
		struct sstp_relay_config relay_cfg = {
		    .open = open_tunnel_in_relay,
		    .open_ctx = &req,
		    .display = req.display,
		    .close_fds = proxy->relay_close_fds,
		    .num_close_fds = proxy->num_relay_close_fds,
		    .timeout_ms = timeout_ms,
		};

		return sstp_relay_start(&relay_cfg, relay, err);
	}

	ret = open_tunnel(&req, &curl, err);
	if (ret < 0)
		goto out;
	ret = take_socket(curl);
	if (ret < 0)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot take over the tunnel through proxy %s: %s", req.display,
			       strerror(-ret));
out:
	/* Closes libcurl's descriptor only: HTTP and SOCKS have nothing to
	 * say on the way out, so no byte reaches the tunnel. */
	if (curl)
		curl_easy_cleanup(curl);
	return ret;
}

const char *sstp_proxy_libcurl_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}
