/*
 * pppd glue: options, the SSTP channel that replaces pppd's tty channel, and
 * the auth-up notifier that hands the MPPE keys to the helper process.
 *
 * connect() forks one helper per link. The helper owns TCP, TLS and SSTP and
 * pumps frames between TLS and the master side of a raw pty; pppd gets the
 * slave side and runs its ordinary async-PPP line discipline on it. When the
 * tunnel dies, the helper exits, the pty hangs up and pppd sees "Modem hangup"
 * and follows its usual persist rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <strings.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "pppd-compat.h"

#include "call.h"
#include "crypto-binding.h"
#include "deadline.h"
#include "helper.h"
#include "http.h"
#include "ipc.h"
#include "log.h"
#include "proxy.h"
#include "server-route.h"
#include "sandbox.h"
#include "sysutil.h"
#include "tls.h"

#define SSTP_DEFAULT_PORT              443
#define SSTP_DEFAULT_CONNECT_TIMEOUT_S 30
/* On top of TCP and TLS: the HTTP response wait and the call setup with
 * its Nak retries (MS-SSTP 4.1, 3.2.2.1), and some slack. */
#define SSTP_SETUP_MARGIN_S  ((SSTP_HTTP_RESPONSE_TIMEOUT_MS + SSTP_CALL_SETUP_MAX_MS) / 1000 + 10)
#define SSTP_KEYS_TIMEOUT_MS 5000
/* The helper waits for a Disconnect Ack up to Disconnect 1. */
#define SSTP_DISCONNECT_WAIT_MS (SSTP_DISCONNECT_TIMER_1_MS + 1500)
#define SSTP_CLEANUP_WAIT_MS    1500
/* The buffer for a password file's first line (sstp-proxy-password-file,
 * sstp-tls-key-password-file): a longer password is refused. */
#define SSTP_PASSWORD_FILE_MAX 1024
/* RFC 1035 2.3.4: a host name is at most 253 characters in text. */
#define SSTP_HOST_NAME_MAX 253
/* A CA bundle larger than this is not what sstp-proxy-ca-file is for. */
#define SSTP_PROXY_CA_FILE_MAX   (4 * 1024 * 1024)
#define SSTP_DEFAULT_HELPER_USER "nobody"

__attribute__((visibility("default"))) char pppd_version[] = SSTP_PPPD_VERSION;
__attribute__((visibility("default"))) void plugin_init(void);

static char *opt_server;
static char *opt_host;
static char *opt_ca_file;
static char *opt_tls_priority;
static char *opt_cert_pin;
static bool opt_pin_only;
static char *opt_crl_file;
static char *opt_tls_cert;
static char *opt_tls_key;
static char *opt_tls_key_password_file;
static char *opt_ocsp_stapling_name;
static bool ocsp_require;
static int opt_connect_timeout = SSTP_DEFAULT_CONNECT_TIMEOUT_S;
/* As written: may carry a user name and password, so pppd prints
 * opt_proxy_display instead, which never does. */
static char *opt_proxy;
static char *opt_proxy_display;
static char *opt_proxy_user;
static char *opt_proxy_password_file;
static char *opt_proxy_auth_name;
static char *opt_proxy_ca_file;
static enum sstp_proxy_auth proxy_auth = SSTP_PROXY_AUTH_ANY;
static char *opt_helper_user;
#ifdef SSTP_TEST_HOOKS
static char *opt_test_sandbox;
/* sstp-test-eaptls-foreign: hand a wrong EAP-TLS session pointer to the
 * pppd 2.4.9 key watch, whose cross-check must then refuse it. */
static bool opt_test_eaptls_foreign;
#define test_eaptls_skew (opt_test_eaptls_foreign ? 1 : 0)
#else
#define test_eaptls_skew 0
#endif

/* Loaded by check_options, as root, before any dialling; every helper
 * inherits them and never opens these files itself. */
static struct sstp_tls_trust tls_trust;
static struct sstp_sandbox_user helper_user;
static char helper_user_name[64];
static char *proxy_ca_pem;
static size_t proxy_ca_pem_len;
static char proxy_ca_path[32];
/* Read once by check_options and kept for redials, as pppd keeps secrets. */
static char proxy_password[SSTP_PASSWORD_FILE_MAX];
static bool have_proxy_password;

static char server_host[256];
static unsigned server_port = SSTP_DEFAULT_PORT;

/* sstp-server-route: keep a host route to the address the helper connected
 * to (the server, or the proxy) through the path it used before the tunnel. */
enum server_route_mode {
	SERVER_ROUTE_AUTO, /* when that path goes through a gateway */
	SERVER_ROUTE_YES,  /* always; failing to add it fails the call */
	SERVER_ROUTE_NO,
};
static enum server_route_mode server_route_mode = SERVER_ROUTE_AUTO;
static char *opt_server_route_name;
/* Per link: the host route we added, to be deleted when the link ends. */
static struct sstp_server_route server_route;
static bool server_route_added;

/* Per link; reset by sstp_cleanup(). */
static pid_t helper_pid = -1;
static int helper_sock = -1;
static int pty_slave = -1;
static char pty_name[64];
/* EAP method of our last EAP Response on this link (0: none yet). */
static int eap_method;
/* pppd's exit status when it began to terminate this link (EXIT_OK: not yet). */
static int status_at_terminate;
static void (*prev_snoop_send_hook)(unsigned char *p, int len);

static int set_server(char **argv);
static int set_proxy(char **argv);
static int set_proxy_auth(char **argv);
static int tty_option_after_server(char *word, char **argv, int doit);
static int set_server_route(char **argv);
static int set_ocsp_stapling(char **argv);

static struct channel sstp_channel;

/* pppd's tty channel options, saved when sstp-server takes the channel over:
 * pppd then stops looking them up (it searches the_channel's table only), so
 * without them a tty option after sstp-server was an "unrecognized option". */
static option_t *tty_channel_options;

/* What pppd looks up in the_channel's table once sstp-server has chosen us.
 * OPT_NOARG, as for pppd's own device-name entry: an o_wild option would
 * otherwise swallow the next word as its argument. */
static option_t sstp_channel_options[] = {
    {.name = "serial-line option",
     .type = o_wild,
     .addr = (void *)tty_option_after_server,
     .description = "pppd's tty options: refused or ignored over SSTP",
     .flags = OPT_NOPRINT | OPT_NOARG},
    {.name = NULL}};

/*
 * Who may set what (the man page's "Who may set which option" table says
 * why for each). Debian's pppd is setuid root: a user in group dip runs it
 * with root's peers files and secrets, so anything that decides where the
 * call goes, what it sends there or how strictly the server is checked is
 * OPT_PRIV: only root's command line, /etc/ppp/options and files read by
 * "call" may set it; an ordinary user's command line, ~/.ppprc and "file"
 * get "requires root privilege". What only affects the user's own call is
 * OPT_PRIO | OPT_PRIVFIX: the user may set it where root did not, and a
 * value from a privileged source cannot be overridden from the command line.
 */
static option_t sstp_options[] = {
    {.name = "sstp-server",
     .type = o_special,
     .addr = (void *)set_server,
     .description = "SSTP server to dial: host[:port] or [IPv6 address]:port",
     .flags = OPT_DEVNAM | OPT_PRIV | OPT_A2STRVAL,
     .addr2 = &opt_server},
    {.name = "sstp-host",
     .type = o_string,
     .addr = &opt_host,
     .description = "Name for SNI, the HTTP Host header and the certificate check, when "
		    "sstp-server is an address or another name",
     .flags = OPT_PRIV},
    {.name = "sstp-server-route",
     .type = o_special,
     .addr = (void *)set_server_route,
     .description = "Host route to the server outside the tunnel: auto (when it is behind a "
		    "gateway), yes or no",
     .flags = OPT_PRIO | OPT_PRIVFIX | OPT_A2STRVAL,
     .addr2 = &opt_server_route_name},
    {.name = "sstp-ca-file",
     .type = o_string,
     .addr = &opt_ca_file,
     .description = "PEM file of CAs trusted for the SSTP server (default: system store)",
     .flags = OPT_PRIV},
    {.name = "sstp-tls-priority",
     .type = o_string,
     .addr = &opt_tls_priority,
     .description = "GnuTLS priority string for the TLS session with the SSTP server",
     .flags = OPT_PRIV},
    {.name = "sstp-cert-pin",
     .type = o_string,
     .addr = &opt_cert_pin,
     .description = "Require this server public key: sha256:BASE64 of the SubjectPublicKeyInfo "
		    "(';' between several)",
     .flags = OPT_PRIV},
    {.name = "sstp-cert-pin-only",
     .type = o_bool,
     .addr = &opt_pin_only,
     .description = "Trust the server on its sstp-cert-pin alone (no CA, date or name checks)",
     .flags = OPT_PRIV | 1},
    {.name = "sstp-crl-file",
     .type = o_string,
     .addr = &opt_crl_file,
     .description = "PEM file of CRLs: refuse a server certificate they revoke",
     .flags = OPT_PRIV},
    {.name = "sstp-ocsp-stapling",
     .type = o_special,
     .addr = (void *)set_ocsp_stapling,
     .description = "Server OCSP staple: if-present (check one that is sent) or require",
     .flags = OPT_PRIO | OPT_PRIVFIX | OPT_A2STRVAL,
     .addr2 = &opt_ocsp_stapling_name},
    {.name = "sstp-tls-cert",
     .type = o_string,
     .addr = &opt_tls_cert,
     .description = "TLS client certificate: PEM (with sstp-tls-key) or PKCS#12",
     .flags = OPT_PRIV},
    {.name = "sstp-tls-key",
     .type = o_string,
     .addr = &opt_tls_key,
     .description = "PEM private key of sstp-tls-cert (root-owned, not readable by others)",
     .flags = OPT_PRIV},
    {.name = "sstp-tls-key-password-file",
     .type = o_string,
     .addr = &opt_tls_key_password_file,
     .description = "File holding the password of sstp-tls-key or the PKCS#12 (root-owned, "
		    "not readable by others)",
     .flags = OPT_PRIV},
    {.name = "sstp-connect-timeout",
     .type = o_int,
     .addr = &opt_connect_timeout,
     .description = "Seconds allowed for the TCP connection and the TLS handshake",
     .flags = OPT_LIMITS | OPT_PRIO | OPT_PRIVFIX,
     .upper_limit = 600,
     .lower_limit = 1},
    {.name = "sstp-proxy",
     .type = o_special,
     .addr = (void *)set_proxy,
     .description = "Proxy to tunnel through: http://, https:// or socks5h:// URL, env, or none",
     .flags = OPT_PRIV | OPT_A2STRVAL,
     .addr2 = &opt_proxy_display},
    {.name = "sstp-proxy-user",
     .type = o_string,
     .addr = &opt_proxy_user,
     .description = "User name for the proxy (DOMAIN\\user for NTLM)",
     .flags = OPT_PRIV},
    {.name = "sstp-proxy-password-file",
     .type = o_string,
     .addr = &opt_proxy_password_file,
     .description = "File holding the proxy password (root-owned, not world-readable)",
     .flags = OPT_PRIV},
    {.name = "sstp-proxy-auth",
     .type = o_special,
     .addr = (void *)set_proxy_auth,
     .description = "Proxy authentication: any, basic, digest, ntlm or negotiate",
     .flags = OPT_PRIV | OPT_A2STRVAL,
     .addr2 = &opt_proxy_auth_name},
    {.name = "sstp-proxy-ca-file",
     .type = o_string,
     .addr = &opt_proxy_ca_file,
     .description = "PEM file of CAs trusted for an https:// proxy (default: system store)",
     .flags = OPT_PRIV},
    {.name = "sstp-helper-user",
     .type = o_string,
     .addr = &opt_helper_user,
     .description = "Unprivileged user the helper process runs as (default: nobody)",
     .flags = OPT_PRIV},
#ifdef SSTP_TEST_HOOKS
    {.name = "sstp-test-sandbox",
     .type = o_string,
     .addr = &opt_test_sandbox,
     .description = "Test builds only: execve, open or no-filter",
     .flags = OPT_PRIV},
    {.name = "sstp-test-eaptls-foreign",
     .type = o_bool,
     .addr = &opt_test_eaptls_foreign,
     .description = "Test builds only: make the EAP-TLS session check fail",
     .flags = OPT_PRIV | 1},
#endif
    {.name = NULL}};

/* --- logging backend for the code that knows nothing of pppd ------------- */

/* Every line gets the "sstp: " prefix here, so callers never repeat it. */

#define DEFINE_LOGGER(name, pppd_fn, only_when_debugging)                                          \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		char line[1024];                                                                   \
		va_list ap;                                                                        \
		if (only_when_debugging && !debug_on())                                            \
			return;                                                                    \
		va_start(ap, fmt);                                                                 \
		vsnprintf(line, sizeof(line), fmt, ap);                                            \
		va_end(ap);                                                                        \
		pppd_fn("sstp: %s", line);                                                         \
	}

DEFINE_LOGGER(sstp_log_debug, dbglog, 1)
DEFINE_LOGGER(sstp_log_info, info, 0)
DEFINE_LOGGER(sstp_log_notice, notice, 0)
DEFINE_LOGGER(sstp_log_warn, warn, 0)
DEFINE_LOGGER(sstp_log_error, error, 0)

/* --- options -------------------------------------------------------------- */

/* Accepts host, host:port, [v6], [v6]:port and a bare IPv6 literal. */
static int parse_server(const char *arg, char *host, size_t host_size, unsigned *port)
{
	const char *host_start = arg, *host_end, *port_text = NULL;
	char *end;
	unsigned long value;

	if (arg[0] == '[') {
		host_start = arg + 1;
		host_end = strchr(host_start, ']');
		if (!host_end)
			return -1;
		if (host_end[1] == ':')
			port_text = host_end + 2;
		else if (host_end[1] != '\0')
			return -1;
	} else {
		const char *colon = strchr(arg, ':');

		host_end = arg + strlen(arg);
		if (colon && !strchr(colon + 1, ':')) {
			host_end = colon;
			port_text = colon + 1;
		}
	}
	if (host_end == host_start || (size_t)(host_end - host_start) >= host_size)
		return -1;
	memcpy(host, host_start, host_end - host_start);
	host[host_end - host_start] = '\0';

	*port = SSTP_DEFAULT_PORT;
	if (port_text) {
		errno = 0;
		value = strtoul(port_text, &end, 10);
		if (errno || end == port_text || *end || value < 1 || value > 65535)
			return -1;
		*port = (unsigned)value;
	}
	return 0;
}

/*
 * "https://host[:port][/]", pasted from a browser, names the server as well
 * as host[:port] does: SSTP's request URI is fixed (MS-SSTP 3.2.4.1), so only
 * the authority counts. Anything else after it, user information, or
 * another scheme would be ignored or mean something else: refused.
 * Returns 1 with the authority in buf, 0 for an argument that is no URL,
 * -1 after an option error.
 */
static int server_from_url(const char *arg, char *buf, size_t size)
{
	static const char https[] = "https://";
	const char *scheme_end = strstr(arg, "://"), *authority, *end, *at;
	size_t len;

	if (!scheme_end)
		return 0;
	authority = scheme_end + 3;
	len = strcspn(authority, "/?#");
	end = authority + len;
	if (strncasecmp(arg, https, strlen(https)) != 0) {
		ppp_option_error("sstp-server: '%s': SSTP runs over HTTPS only; write "
				 "sstp-server %.*s",
				 arg, (int)len, authority);
		return -1;
	}
	at = memchr(authority, '@', len);
	if (at) {
		/* Never echo it: it may hold a password. */
		len -= at + 1 - authority;
		ppp_option_error("sstp-server: a URL with a user name or password is not a "
				 "server; write sstp-server %.*s",
				 (int)len, at + 1);
		return -1;
	}
	if (end[0] && strcmp(end, "/") != 0) {
		ppp_option_error("sstp-server: '%s' has a path, but SSTP always uses its own; "
				 "write sstp-server %.*s",
				 arg, (int)len, authority);
		return -1;
	}
	if (len == 0 || len >= size) {
		ppp_option_error("sstp-server: '%s' is not host[:port] or [IPv6 address]:port",
				 arg);
		return -1;
	}
	memcpy(buf, authority, len);
	buf[len] = '\0';
	return 1;
}

/* Serial-line options that would change what pppd does (a device name, a
 * program or script to run, synchronous HDLC) cannot work with SSTP. The
 * other ones (crtscts, lock, modem, a speed...) are harmless and ignored:
 * Debian's own /etc/ppp/options sets some of them. */
static bool tty_option_is_refused(const option_t *opt)
{
	if (opt->type == o_wild)
		return (opt->flags & OPT_DEVEQUIV) != 0; /* a device name */
	if (strcmp(opt->name, "sync") == 0 || strcmp(opt->name, "notty") == 0)
		return true;
	/* pty, socket, connect, init, record...: what pppd's n_arguments() says
	 * takes an argument; an o_wild option cannot swallow one. */
	return opt->type != o_bool && opt->type != o_special_noarg && !(opt->flags & OPT_NOARG);
}

static void refuse_tty_option(const char *word)
{
	ppp_option_error("sstp: '%s' is an option for serial lines and cannot be used with "
			 "sstp-server (SSTP carries PPP over TLS); remove it",
			 word);
}

/* The tty option that word names: exact names first, as pppd looks them up. */
static option_t *find_tty_option(char *word)
{
	option_t *opt;

	if (!tty_channel_options)
		return NULL;
	for (opt = tty_channel_options; opt->name; opt++)
		if (opt->type != o_wild && strcmp(opt->name, word) == 0)
			return opt;
	for (opt = tty_channel_options; opt->name; opt++)
		if (opt->type == o_wild &&
		    ((int (*)(char *, char **, int))opt->addr)(word, NULL, 0))
			return opt;
	return NULL;
}

/* A tty option after sstp-server gets the same answer as one before it. */
static int tty_option_after_server(char *word, char **argv, int doit)
{
	option_t *opt = find_tty_option(word);

	(void)argv;
	if (!doit)
		return opt != NULL;
	if (opt && tty_option_is_refused(opt)) {
		refuse_tty_option(word);
		return 0;
	}
	return 1;
}

/* A tty option before sstp-server was parsed into the tty channel, which
 * marks it with its source. */
static int refuse_earlier_tty_options(void)
{
	option_t *opt;

	for (opt = the_channel->options; opt && opt->name; opt++) {
		if (!opt->source || !tty_option_is_refused(opt))
			continue;
		refuse_tty_option(opt->type == o_wild ? ppp_devnam() : opt->name);
		return -1;
	}
	return 0;
}

static int set_server(char **argv)
{
	char from_url[256];
	const char *server = *argv;
	int is_url = server_from_url(*argv, from_url, sizeof(from_url));

	if (is_url < 0)
		return 0;
	if (is_url) {
		server = from_url;
		notice("sstp: sstp-server takes host[:port], not a URL: using %s (write "
		       "sstp-server %s)",
		       server, server);
	}
	if (parse_server(server, server_host, sizeof(server_host), &server_port) < 0) {
		ppp_option_error("sstp-server: '%s' is not host[:port] or [IPv6 address]:port",
				 *argv);
		return 0;
	}
	if (the_channel != &sstp_channel) {
		if (refuse_earlier_tty_options() < 0)
			return 0;
		tty_channel_options = the_channel->options;
	}
	free(opt_server);
	opt_server = strdup(server);
	if (!opt_server) {
		ppp_option_error("sstp-server: out of memory");
		return 0;
	}
	the_channel = &sstp_channel;
	ppp_set_modem(0);
	ppp_set_devnam(opt_server);
	return 1;
}

static int set_proxy(char **argv)
{
	char display[300], why[200];
	char *copy, *display_copy;

	if (strcmp(*argv, "none") == 0 || strcmp(*argv, "env") == 0) {
		snprintf(display, sizeof(display), "%s", *argv);
	} else if (sstp_proxy_describe(*argv, display, sizeof(display), why, sizeof(why)) < 0) {
		/* Never echo the argument: it may carry a password. */
		ppp_option_error("sstp-proxy: %s", why);
		return 0;
	}
	copy = strcmp(*argv, "none") == 0 ? NULL : strdup(*argv);
	display_copy = strdup(display);
	if ((strcmp(*argv, "none") != 0 && !copy) || !display_copy) {
		free(copy);
		free(display_copy);
		ppp_option_error("sstp-proxy: out of memory");
		return 0;
	}
	if (opt_proxy)
		gnutls_memset(opt_proxy, 0, strlen(opt_proxy));
	free(opt_proxy);
	free(opt_proxy_display);
	opt_proxy = copy;
	opt_proxy_display = display_copy;
	return 1;
}

static int set_proxy_auth(char **argv)
{
	enum sstp_proxy_auth auth;
	char *name;

	if (sstp_proxy_auth_parse(*argv, &auth) < 0) {
		ppp_option_error("sstp-proxy-auth: '%s' is not any, basic, digest, ntlm or "
				 "negotiate",
				 *argv);
		return 0;
	}
	name = strdup(*argv);
	if (!name) {
		ppp_option_error("sstp-proxy-auth: out of memory");
		return 0;
	}
	free(opt_proxy_auth_name);
	opt_proxy_auth_name = name;
	proxy_auth = auth;
	return 1;
}

static int set_ocsp_stapling(char **argv)
{
	char *name;

	if (strcmp(*argv, "require") != 0 && strcmp(*argv, "if-present") != 0) {
		ppp_option_error("sstp-ocsp-stapling: '%s' is not require or if-present", *argv);
		return 0;
	}
	name = strdup(*argv);
	if (!name) {
		ppp_option_error("sstp-ocsp-stapling: out of memory");
		return 0;
	}
	free(opt_ocsp_stapling_name);
	opt_ocsp_stapling_name = name;
	ocsp_require = strcmp(name, "require") == 0;
	return 1;
}

static int set_server_route(char **argv)
{
	static const struct {
		const char *name;
		enum server_route_mode mode;
	} modes[] = {
	    {"auto", SERVER_ROUTE_AUTO},
	    {"yes", SERVER_ROUTE_YES},
	    {"no", SERVER_ROUTE_NO},
	};
	char *name;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(*argv, modes[i].name) != 0)
			continue;
		name = strdup(*argv);
		if (!name) {
			ppp_option_error("sstp-server-route: out of memory");
			return 0;
		}
		free(opt_server_route_name);
		opt_server_route_name = name;
		server_route_mode = modes[i].mode;
		return 1;
	}
	ppp_option_error("sstp-server-route: '%s' is not auto, yes or no", *argv);
	return 0;
}

/* It goes into the TLS handshake and the HTTP request: letters, digits,
 * '-', '_' and '.', as in a DNS name. */
static bool is_host_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > SSTP_HOST_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
	       len;
}

/*
 * A password is the first line of a file only root can have written and
 * that others cannot read. The proxy password stays in pppd's memory for
 * redials and goes to each helper in memory, never on a command line or in
 * the environment. option names the option in messages.
 */
static int read_password_file(const char *option, const char *path, char *password, size_t size)
{
	char why[SSTP_ERROR_TEXT_MAX];
	ssize_t n;
	size_t len;
	int fd, ret = -1;

	fd = sstp_open_root_only(path, why, sizeof(why));
	if (fd < 0) {
		ppp_option_error("%s: %s", option, why);
		return -1;
	}
	n = read(fd, password, size - 1);
	if (n < 0) {
		ppp_option_error("%s: cannot read %s: %s", option, path, strerror(errno));
		goto out;
	}
	password[n] = '\0';
	len = strcspn(password, "\r\n");
	if ((size_t)n == size - 1 && len == (size_t)n) {
		ppp_option_error("%s: the password in %s is too long", option, path);
		goto out;
	}
	gnutls_memset(password + len, 0, size - len);
	if (len == 0) {
		ppp_option_error("%s: %s holds no password on its first line", option, path);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		gnutls_memset(password, 0, size);
	close(fd);
	return ret;
}

/*
 * sstp-proxy-ca-file, read while still root: the helper has dropped root by
 * the time libcurl wants it. libcurl takes it as a blob where it can; where
 * it cannot (libcurl with GnuTLS before 8.x), from a sealed memory file the
 * helper inherits and opens as /proc/self/fd/N.
 */
static void load_proxy_ca_file(const char *path)
{
	gnutls_certificate_credentials_t check = NULL;
	gnutls_datum_t pem = {NULL, 0};
	const char *reason = NULL;
	int ret, fd;

	ret = gnutls_load_file(path, &pem);
	if (ret < 0)
		reason = ret == GNUTLS_E_FILE_ERROR && access(path, R_OK) < 0
			     ? strerror(errno)
			     : gnutls_strerror(ret);
	else if (pem.size > SSTP_PROXY_CA_FILE_MAX)
		reason = "larger than 4 MiB";
	else if (gnutls_certificate_allocate_credentials(&check) < 0)
		reason = "out of memory";
	else if (gnutls_certificate_set_x509_trust_mem(check, &pem, GNUTLS_X509_FMT_PEM) <= 0)
		reason = "no PEM certificates in it";
	if (check)
		gnutls_certificate_free_credentials(check);
	if (reason) {
		ppp_option_error("sstp-proxy-ca-file: cannot load %s: %s (name a readable PEM file "
				 "of CA certificates)",
				 path, reason);
		exit(EXIT_OPTION_ERROR);
	}
	fd = memfd_create("sstp-proxy-ca", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || write(fd, pem.data, pem.size) != (ssize_t)pem.size ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		ppp_option_error("sstp-proxy-ca-file: cannot keep a copy of %s: %s", path,
				 strerror(errno));
		exit(EXIT_OPTION_ERROR);
	}
	snprintf(proxy_ca_path, sizeof(proxy_ca_path), "/proc/self/fd/%d", fd);
	proxy_ca_pem = (char *)pem.data;
	proxy_ca_pem_len = pem.size;
}

/* The helper's user, looked up here: after the fork there is no NSS. */
static void resolve_helper_user(void)
{
	const char *name = opt_helper_user ? opt_helper_user : SSTP_DEFAULT_HELPER_USER;
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		ppp_option_error("sstp-helper-user: no user %s%s%s (name an existing unprivileged "
				 "user, e.g. nobody)",
				 name, errno ? ": " : "", errno ? strerror(errno) : "");
		exit(EXIT_OPTION_ERROR);
	}
	if (pw->pw_uid == 0) {
		ppp_option_error("sstp-helper-user: %s is root; name an unprivileged user, e.g. "
				 "nobody",
				 name);
		exit(EXIT_OPTION_ERROR);
	}
	strlcpy(helper_user_name, name, sizeof(helper_user_name));
	helper_user.name = helper_user_name;
	helper_user.uid = pw->pw_uid;
	helper_user.gid = pw->pw_gid;
}

/* Every file the configuration names, loaded before the first dial: an
 * error is an option error now, never a failed call in the persist loop.
 * The client key lives on only inside the credentials; its password is
 * wiped here. */
static void load_tls_files(void)
{
	static char key_password[SSTP_PASSWORD_FILE_MAX];
	struct sstp_tls_config cfg = {
	    .ca_file = opt_ca_file,
	    .priority = opt_tls_priority,
	    .cert_pin = opt_cert_pin,
	    .pin_only = opt_pin_only != 0,
	    .crl_file = opt_crl_file,
	    .client_cert = opt_tls_cert,
	    .client_key = opt_tls_key,
	};
	struct sstp_error err = {0};
	int ret;

	if (opt_tls_key_password_file) {
		if (read_password_file("sstp-tls-key-password-file", opt_tls_key_password_file,
				       key_password, sizeof(key_password)) < 0)
			exit(EXIT_OPTION_ERROR);
		cfg.key_password = key_password;
	}
	sstp_tls_trust_free(&tls_trust);
	ret = sstp_tls_trust_load(&tls_trust, &cfg, &err);
	gnutls_memset(key_password, 0, sizeof(key_password));
	if (ret < 0) {
		ppp_option_error("sstp: %s", err.text);
		exit(EXIT_OPTION_ERROR);
	}
}

static void check_proxy_options(void)
{
	bool direct = !opt_proxy;

	if (direct && (opt_proxy_user || opt_proxy_password_file || opt_proxy_auth_name ||
		       opt_proxy_ca_file)) {
		ppp_option_error("sstp: sstp-proxy-user, sstp-proxy-password-file, "
				 "sstp-proxy-auth and sstp-proxy-ca-file need sstp-proxy");
		exit(EXIT_OPTION_ERROR);
	}
	/* A setuid pppd runs with the invoking user's environment: https_proxy
	 * would let them send the call, and any proxy password, anywhere. */
	if (opt_proxy && strcmp(opt_proxy, "env") == 0 && getauxval(AT_SECURE)) {
		ppp_option_error(
		    "sstp: sstp-proxy env cannot be used when pppd runs setuid (started "
		    "by a user other than root): name the proxy with sstp-proxy URL in "
		    "the peers file");
		exit(EXIT_OPTION_ERROR);
	}
	if (opt_proxy_password_file) {
		if (read_password_file("sstp-proxy-password-file", opt_proxy_password_file,
				       proxy_password, sizeof(proxy_password)) < 0)
			exit(EXIT_OPTION_ERROR);
		have_proxy_password = true;
	}
	if (opt_proxy_ca_file)
		load_proxy_ca_file(opt_proxy_ca_file);
	if (have_proxy_password && !opt_proxy_user) {
		/* A password alone would silently lose to one in the URL, or
		 * be sent with an empty user name. */
		ppp_option_error("sstp: sstp-proxy-password-file needs sstp-proxy-user");
		exit(EXIT_OPTION_ERROR);
	}
}

static void sstp_check_options(void)
{
	if (opt_pin_only && !opt_cert_pin) {
		ppp_option_error("sstp: sstp-cert-pin-only needs sstp-cert-pin");
		exit(EXIT_OPTION_ERROR);
	}
	if (opt_pin_only && opt_crl_file) {
		ppp_option_error(
		    "sstp: sstp-crl-file cannot be used with sstp-cert-pin-only, which "
		    "skips the certificate chain the CRL would be checked against; "
		    "remove one of them (to drop a revoked key, remove its pin)");
		exit(EXIT_OPTION_ERROR);
	}
	if (opt_pin_only && ocsp_require) {
		/* An OCSP response is signed by the certificate's issuer,
		 * which pin-only mode does not know. */
		ppp_option_error(
		    "sstp: sstp-ocsp-stapling require cannot be used with sstp-cert-pin-only, "
		    "which skips the issuer the OCSP response would be checked against; "
		    "remove one of them (to drop a revoked key, remove its pin)");
		exit(EXIT_OPTION_ERROR);
	}
	/* SSTP servers expect FF 03 and 2-byte protocol fields on every frame
	 * (MS-SSTP 2.2.3 says only "PPP frame"; SoftEther and Open-SSTP-Client
	 * reject frames without FF 03): never let pppd compress them away. */
	lcp_wantoptions[0].neg_accompression = 0;
	lcp_wantoptions[0].neg_pcompression = 0;
	lcp_allowoptions[0].neg_accompression = 0;
	lcp_allowoptions[0].neg_pcompression = 0;
	if (opt_host && !is_host_name(opt_host)) {
		ppp_option_error(
		    "sstp-host: '%s' is not a host name (letters, digits, '-', '_' and "
		    "'.')",
		    opt_host);
		exit(EXIT_OPTION_ERROR);
	}
	check_proxy_options();
	load_tls_files();
	resolve_helper_user();
}

/* --- helper process lifecycle ---------------------------------------------- */

/* A helper that died of a signal we did not send: one line that says so.
 * Returns whether it did. */
static bool report_helper_death(int status)
{
	int sig;

	if (!WIFSIGNALED(status))
		return false;
	sig = WTERMSIG(status);
	if (sig == SIGSYS) {
		error("sstp: the helper process was killed by the sandbox (signal SIGSYS): it made "
		      "a system call its seccomp filter does not allow; this is a bug, please "
		      "report it with the log (debug)");
		return true;
	}
	if (sig == SIGTERM || sig == SIGKILL)
		return false; /* ours, from stop_helper() */
	error("sstp: the helper process died of signal %d (%s); this is a bug, please report "
	      "it with the log (debug)",
	      sig, strsignal(sig));
	return true;
}

/* Waits for the helper to exit; pppd's own SIGCHLD reaper may beat us to it.
 * *died_of_signal (if given) tells whether a crash was reported. */
static int reap_helper(int timeout_ms, bool *died_of_signal)
{
	bool reported;
	int status;

	if (helper_pid <= 0)
		return 1;
	if (!sstp_reap_within(helper_pid, timeout_ms, &status))
		return 0;
	reported = status >= 0 && report_helper_death(status);
	if (died_of_signal)
		*died_of_signal = reported;
	helper_pid = -1;
	return 1;
}

static void stop_helper(int grace_ms)
{
	if (helper_pid > 0 && !reap_helper(grace_ms, NULL)) {
		kill(helper_pid, SIGTERM);
		if (!reap_helper(SSTP_CLEANUP_WAIT_MS, NULL)) {
			kill(helper_pid, SIGKILL);
			reap_helper(SSTP_CLEANUP_WAIT_MS, NULL);
		}
	}
	if (helper_sock >= 0) {
		close(helper_sock);
		helper_sock = -1;
	}
}

/* pppd gives up on a call being set up: from the Call Connect Request on,
 * SIGTERM makes the helper say Call Disconnect (MS-SSTP 3.2.4.2), which
 * may take the Disconnect 1 timer; before that it just ends the helper. */
static void cancel_helper(void)
{
	if (helper_pid > 0)
		kill(helper_pid, SIGTERM);
	stop_helper(SSTP_DISCONNECT_WAIT_MS);
}

static void ask_helper_to_disconnect(int wait_ms)
{
	struct sstp_ipc_msg msg = {.type = SSTP_IPC_DISCONNECT};

	if (helper_sock >= 0)
		sstp_ipc_send(helper_sock, &msg);
	stop_helper(wait_ms);
}

static int open_raw_pty(int *master, int *slave)
{
	struct termios tio;
	const char *name;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -1;
	if (grantpt(*master) < 0 || !(name = ptsname(*master)))
		goto fail;
	strlcpy(pty_name, name, sizeof(pty_name));
	/* devpts gives the slave its mount's mode (often 0620) and, in a
	 * setuid pppd, the invoking user's group, who could then write frames
	 * into pppd's line. While it is still locked nobody can open it:
	 * make it root's alone first, as pppd does with its own ptys. */
	if (chmod(pty_name, S_IRUSR | S_IWUSR) < 0 || unlockpt(*master) < 0)
		goto fail;
	/* O_NOCTTY: pppd is a session leader after detaching and must not
	 * acquire the pty as its controlling terminal. */
	*slave = open(pty_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		goto fail;
	if (tcgetattr(*slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(*slave, TCSANOW, &tio);
	}
	return 0;
fail:
	close(*master);
	return -1;
}

/* In the forked child: undo what pppd set up for itself, then become the helper. */
__attribute__((noreturn)) static void become_helper(int pty_master, int sock, pid_t pppd_pid)
{
	struct sstp_link_config cfg = {
	    .pppd_pid = pppd_pid,
	    .host = server_host,
	    .server_name = opt_host ? opt_host : server_host,
	    .port = server_port,
	    .ca_file = opt_ca_file,
	    .tls_priority = opt_tls_priority,
	    .cert_pin = opt_cert_pin,
	    .pin_only = opt_pin_only != 0,
	    .crl_file = opt_crl_file,
	    .client_cert = opt_tls_cert,
	    .ocsp_require = ocsp_require,
	    .connect_timeout_s = opt_connect_timeout,
	    .debug = debug_on(),
	    .proxy_url = opt_proxy,
	    .proxy_user = opt_proxy_user,
	    .proxy_password = have_proxy_password ? proxy_password : NULL,
	    .proxy_auth = proxy_auth,
	    .proxy_ca_file = opt_proxy_ca_file,
	    .proxy_ca_pem = proxy_ca_pem,
	    .proxy_ca_pem_len = proxy_ca_pem_len,
	    .proxy_ca_path = proxy_ca_path,
	    .tls_trust = &tls_trust,
	    .helper_user = helper_user,
#ifdef SSTP_TEST_HOOKS
	    .test_sandbox = opt_test_sandbox,
#endif
	};
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigset_t none;
	int sig;

	/* pppd's handlers would run die() inside the helper. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	/* Ctrl-C on a nodetach pppd reaches the whole process group; pppd
	 * tells the helper when to hang up, so it can say Call Disconnect. */
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGHUP, &ign, NULL);
	sigaction(SIGPIPE, &ign, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* pppd's other descriptors (syslog, log file) stay open: the helper
	 * logs through pppd's logger and never execs. */
	close(pty_slave);
	close(helper_sock);

	sstp_helper_run(&cfg, pty_master, sock);
}

/* --- the host route to the server ------------------------------------------ */

/* One line about the host route; with "yes" the call fails on it. */
static int server_route_failed(const char *what, const char *text, int err)
{
	if (server_route_mode == SERVER_ROUTE_YES) {
		error("sstp: cannot %s %s: %s (sstp-server-route yes)", what, text, strerror(-err));
		return -1;
	}
	warn("sstp: cannot %s %s: %s; if the tunnel's routes cover it, the link will fail "
	     "(add that route yourself, or set sstp-server-route yes to make this fatal)",
	     what, text, strerror(-err));
	return 0;
}

/*
 * Runs before pppd configures the interface: once defaultroute (or an ip-up
 * script) routes the server's address into ppp0, the tunnel's own packets
 * would follow it and the link would die. "auto" adds the route only when
 * the server is behind a gateway: routes from ip-up scripts cannot be
 * foreseen, while a server on-link keeps its more specific connected route
 * whatever default route pppd adds. Returns 0, or -1 to fail the call.
 */
static int keep_server_route(const struct sockaddr_storage *peer)
{
	char text[SSTP_ROUTE_TEXT_MAX], address[64] = "?";
	int ret;

	if (server_route_mode == SERVER_ROUTE_NO)
		return 0;
	if (peer->ss_family != AF_INET && peer->ss_family != AF_INET6)
		/* The relay process alone knows the https:// proxy's address. */
		return server_route_failed("add a host route for", "the https:// proxy",
					   -EDESTADDRREQ);
	ret = sstp_route_lookup((const struct sockaddr *)peer, &server_route);
	if (ret < 0) {
		getnameinfo((const struct sockaddr *)peer, sizeof(*peer), address, sizeof(address),
			    NULL, 0, NI_NUMERICHOST);
		return server_route_failed("find the route to", address, ret);
	}
	sstp_route_describe(&server_route, text, sizeof(text));
	if (!server_route.has_gateway && server_route_mode == SERVER_ROUTE_AUTO) {
		dbglog("sstp: no host route needed for %s: on-link (sstp-server-route auto)", text);
		return 0;
	}
	ret = sstp_route_add(&server_route);
	if (ret == -EEXIST) {
		info("sstp: a host route for %s exists already; leaving it as it is", text);
		return 0;
	}
	if (ret < 0)
		return server_route_failed("add the host route", text, ret);
	server_route_added = true;
	info("sstp: added host route %s, to keep the tunnel's connection out of the tunnel", text);
	return 0;
}

/* On every way out of a link: ours only, and only once. */
static void remove_server_route(void)
{
	char text[SSTP_ROUTE_TEXT_MAX];
	int ret;

	if (!server_route_added)
		return;
	server_route_added = false;
	sstp_route_describe(&server_route, text, sizeof(text));
	ret = sstp_route_delete(&server_route);
	if (ret < 0 && ret != -ESRCH)
		warn("sstp: cannot remove the host route %s: %s (remove it with ip route del)",
		     text, strerror(-ret));
	else
		dbglog("sstp: removed host route %s", text);
}

/* The helper's failure: one line, and maybe lines of advice after it. */
static void log_helper_error(char *text)
{
	char *line, *next;

	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0])
			error("sstp: %s", line);
	}
}

static void log_connect_banner(void)
{
	const char *as = opt_host ? " as " : "", *host = opt_host ? opt_host : "";

	info("sstp: pppd-sstp %s (pppd %s, GnuTLS %s, libcurl %s)", PACKAGE_VERSION,
	     SSTP_PPPD_VERSION, gnutls_check_version(NULL), sstp_proxy_libcurl_version());
	if (!opt_proxy)
		info("sstp: connecting to %s port %u%s%s", server_host, server_port, as, host);
	else if (strcmp(opt_proxy, "env") == 0)
		info("sstp: connecting to %s port %u%s%s (proxy from the environment)", server_host,
		     server_port, as, host);
	else
		info("sstp: connecting to %s port %u%s%s through proxy %s", server_host,
		     server_port, as, host, opt_proxy_display);
}

/* Waits until the helper has the call set up (*msg is then its READY, with
 * the peer address) or has failed; on failure, logs why, sets pppd's exit
 * status and returns -1. SIGTERM cancels the attempt. */
static int wait_for_helper_ready(struct sstp_ipc_msg *msg)
{
	int limit_s = opt_connect_timeout * 2 + SSTP_SETUP_MARGIN_S;
	int64_t deadline = sstp_deadline_after(limit_s * 1000);
	bool crashed = false;
	int ret;

	for (;;) {
		if (ppp_signaled(SIGTERM)) {
			notice("sstp: connection attempt cancelled");
			ppp_set_status(EXIT_USER_REQUEST);
			cancel_helper();
			return -1;
		}
		ret = sstp_ipc_recv(helper_sock, msg, sstp_remaining_ms(deadline));
		if (ret == -EINTR)
			continue;
		if (ret == -ETIMEDOUT) {
			error("sstp: no answer from %s within %d s", server_host, limit_s);
			ppp_set_status(EXIT_CONNECT_FAILED);
			return -1;
		}
		if (ret <= 0) {
			reap_helper(SSTP_CLEANUP_WAIT_MS, &crashed);
			if (!crashed)
				error("sstp: the helper process ended unexpectedly");
			ppp_set_status(EXIT_CONNECT_FAILED);
			return -1;
		}
		if (msg->type == SSTP_IPC_READY)
			return 0;
		if (msg->type == SSTP_IPC_FAIL) {
			/* Network text in it went through sstp_sanitize() in
			 * the helper; escaping again would double backslashes. */
			msg->u.error.text[sizeof(msg->u.error.text) - 1] = '\0';
			log_helper_error(msg->u.error.text);
			ppp_set_status(msg->u.error.exit_status ? msg->u.error.exit_status
								: EXIT_CONNECT_FAILED);
			return -1;
		}
	}
}

static int sstp_connect(void)
{
	struct sstp_ipc_msg msg;
	int pair[2] = {-1, -1}, master = -1;
	pid_t pppd_pid = getpid();

	/* Stale keys from an earlier link must never reach this link's binding. */
	sstp_pppd_clear_keys();
	eap_method = 0;
	status_at_terminate = EXIT_OK;

	if (open_raw_pty(&master, &pty_slave) < 0) {
		error("sstp: cannot allocate a pty: %m");
		ppp_set_status(EXIT_FATAL_ERROR);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		error("sstp: cannot create the helper socket: %m");
		ppp_set_status(EXIT_FATAL_ERROR);
		goto fail;
	}
	helper_sock = pair[0];

	log_connect_banner();
	helper_pid = fork();
	if (helper_pid < 0) {
		error("sstp: cannot start the helper process: %m");
		ppp_set_status(EXIT_FATAL_ERROR);
		goto fail;
	}
	if (helper_pid == 0)
		become_helper(master, pair[1], pppd_pid); /* closes pair[0], helper_sock */
	close(master);
	master = -1;
	close(pair[1]);
	pair[1] = -1;

	if (wait_for_helper_ready(&msg) < 0)
		goto fail;
	if (keep_server_route(&msg.u.peer) < 0) {
		ppp_set_status(EXIT_CONNECT_FAILED);
		goto fail;
	}
	ppp_set_pppdevnam(pty_name);
	return pty_slave;

fail:
	if (master >= 0)
		close(master);
	if (pair[1] >= 0)
		close(pair[1]);
	stop_helper(0);
	remove_server_route();
	close(pty_slave);
	pty_slave = -1;
	return -1;
}

/* Bytes the helper wrote to the pty before pppd attached its line
 * discipline would be lost, so it holds them until told. */
static int sstp_establish_ppp(int fd)
{
	struct sstp_ipc_msg msg = {.type = SSTP_IPC_ESTABLISHED};
	int ppp_fd = tty_establish_ppp(fd);

	if (ppp_fd >= 0 && sstp_ipc_send(helper_sock, &msg) < 0)
		warn("sstp: the helper process has gone");
	return ppp_fd;
}

/*
 * The helper HDLC-encodes what it writes to the pty and escapes every control
 * byte until told which ones pppd's line discipline wants escaped (it drops
 * the others). The kernel is configured first: while the helper has not
 * heard yet it escapes more than needed, which is harmless, except when LCP
 * goes down and the map widens back to all ones: then a data frame still in
 * flight may be dropped, which matters no more than the link going down.
 */
static void sstp_recv_config(int mru, uint32_t accm, int pcomp, int accomp)
{
	struct sstp_ipc_msg msg = {.type = SSTP_IPC_ACCM, .u.accm = accm};

	tty_recv_config(mru, accm, pcomp, accomp);
	if (helper_sock >= 0)
		sstp_ipc_send(helper_sock, &msg);
}

/* pppd ends a link it has given up on (our authentication failed, the peer
 * stopped answering LCP echoes, ...) with LCP Terminate. A server that drops
 * the call at that moment makes pppd read a hangup and replace its reason
 * with EXIT_HANGUP. Note the reason when termination starts, so that
 * disconnect() can put it back and scripts see why the call ended. */
static void sstp_phase_change(void *ctx, int phase)
{
	(void)ctx;
	if (phase == PHASE_TERMINATE && status_at_terminate == EXIT_OK)
		status_at_terminate = ppp_status();
}

static void restore_status_hidden_by_hangup(void)
{
	if (ppp_status() == EXIT_HANGUP && status_at_terminate != EXIT_OK &&
	    status_at_terminate != EXIT_HANGUP)
		ppp_set_status(status_at_terminate);
}

static void sstp_disconnect(void)
{
	restore_status_hidden_by_hangup();
	ask_helper_to_disconnect(SSTP_DISCONNECT_WAIT_MS);
	remove_server_route();
	if (pty_slave >= 0) {
		close(pty_slave);
		pty_slave = -1;
	}
}

/* Also runs from die(), where disconnect() is skipped: must be idempotent. */
static void sstp_cleanup(void)
{
	ask_helper_to_disconnect(SSTP_CLEANUP_WAIT_MS);
	remove_server_route();
	if (pty_slave >= 0) {
		close(pty_slave);
		pty_slave = -1;
	}
}

/* In every child pppd forks for scripts: drop our descriptors, nothing else. */
static void sstp_close(void)
{
	if (helper_sock >= 0)
		close(helper_sock);
	if (pty_slave >= 0)
		close(pty_slave);
}

/* --- crypto binding keys ---------------------------------------------------- */

/* pppd's auth_done[] says "EAP" but not which EAP method; the method decides
 * which keys make the HLAK, so note the type of each EAP Response we send. */
static void sstp_snoop_send(unsigned char *p, int len)
{
	unsigned char *q = p;
	int n = len;

	if (n >= 2 && q[0] == 0xff && q[1] == 0x03) {
		q += 2;
		n -= 2;
	}
	/* protocol 0xc227, code 2 (Response), id, length, type */
	if (n >= 7 && q[0] == 0xc2 && q[1] == 0x27 && q[2] == 2 && q[6] > 3) {
		eap_method = q[6];
		if (eap_method == EAPT_TLS)
			sstp_pppd_eaptls_response_sent(test_eaptls_skew);
	}
	if (prev_snoop_send_hook)
		prev_snoop_send_hook(p, len);
}

static enum sstp_key_source key_source(int send_len)
{
	int done = auth_done[0];

	if (done & (CHAP_MS2_WITHPEER | CHAP_MS_WITHPEER))
		return SSTP_KEYS_MSCHAP;
	if (!(done & EAP_WITHPEER))
		return SSTP_KEYS_NONE;
	switch (eap_method) {
	case EAPT_MD5CHAP:
		return SSTP_KEYS_NONE; /* no keys: zero HLAK, like CHAP-MD5 */
	case EAPT_MSCHAPV2:
		return SSTP_KEYS_MSCHAP;
	case EAPT_TLS:
		return SSTP_KEYS_EAP_MSK;
	default:
		/* PEAP with the crypto-binding TLV and other methods leave
		 * 32-byte keys; PEAP without it leaves MS-CHAPv2 ones. */
		return send_len >= SSTP_HLAK_LEN ? SSTP_KEYS_EAP_MSK : SSTP_KEYS_MSCHAP;
	}
}

static const char *eap_method_name(int type)
{
	switch (type) {
	case EAPT_MD5CHAP:
		return "EAP-MD5";
	case EAPT_TLS:
		return "EAP-TLS";
	case EAPT_PEAP:
		return "PEAP";
	case EAPT_MSCHAPV2:
		return "EAP-MSCHAPv2";
	default:
		return "EAP";
	}
}

static const char *key_source_name(enum sstp_key_source source)
{
	switch (source) {
	case SSTP_KEYS_MSCHAP:
		return "MS-CHAP keys";
	case SSTP_KEYS_EAP_MSK:
		return "EAP keys";
	default:
		return "no keys (zero HLAK)";
	}
}

/* Runs before pppd opens CCP and the NCPs, so the keys are intact and no
 * frame pppd writes afterwards can overtake the Call Connected message. */
static void sstp_auth_up(void *arg, int unused)
{
	unsigned char send_key[SSTP_PPPD_MAX_KEY_LEN], recv_key[SSTP_PPPD_MAX_KEY_LEN];
	int send_len = 0, recv_len = 0;
	struct sstp_ipc_msg msg = {.type = SSTP_IPC_KEYS};
	enum sstp_key_source source;
	int ret;

	(void)arg;
	(void)unused;
	if (the_channel != &sstp_channel || helper_sock < 0)
		return;

	if (!sstp_pppd_get_keys(send_key, recv_key, sizeof(send_key), &send_len, &recv_len))
		send_len = recv_len = 0;
	source = key_source(send_len);
	if (source != SSTP_KEYS_NONE && send_len == 0) {
		warn("sstp: authentication produced no MPPE keys; the server will likely reject "
		     "the crypto binding (is pppd built without MPPE support?)");
		source = SSTP_KEYS_NONE;
	}
	if (source == SSTP_KEYS_EAP_MSK && send_len < SSTP_HLAK_LEN)
		error("sstp: cannot compute a correct crypto binding for %s: %s, and pppd %s "
		      "keeps only %d of the 32 key bytes it needs, so the server will refuse "
		      "the call (use pppd 2.5, or MS-CHAPv2 / EAP-MSCHAPv2)",
		      eap_method_name(eap_method), sstp_pppd_eap_key_problem(), SSTP_PPPD_VERSION,
		      send_len);
	sstp_hlak_build(msg.u.hlak, source, send_key, send_len, recv_key, recv_len);
	gnutls_memset(send_key, 0, sizeof(send_key));
	gnutls_memset(recv_key, 0, sizeof(recv_key));

	if (auth_done[0] & EAP_WITHPEER)
		dbglog("sstp: authentication done (%s), binding with %s",
		       eap_method_name(eap_method), key_source_name(source));
	else
		dbglog("sstp: authentication done, binding with %s", key_source_name(source));
	ret = sstp_ipc_send(helper_sock, &msg);
	gnutls_memset(&msg, 0, sizeof(msg));
	if (ret < 0) {
		error("sstp: cannot pass the keys to the helper: %s", strerror(-ret));
		return;
	}
	do {
		ret = sstp_ipc_recv(helper_sock, &msg, SSTP_KEYS_TIMEOUT_MS);
	} while (ret == -EINTR);
	if (ret == 1 && msg.type == SSTP_IPC_KEYS_DONE && msg.u.error.exit_status == 0)
		return;
	if (ret == 1 && msg.type == SSTP_IPC_KEYS_DONE) {
		msg.u.error.text[sizeof(msg.u.error.text) - 1] = '\0';
		error("sstp: %s", msg.u.error.text);
	} else {
		error("sstp: the helper did not confirm the Call Connected message");
	}
}

/* --- channel ----------------------------------------------------------------- */

static struct channel sstp_channel = {
    .options = sstp_channel_options,
    .process_extra_options = NULL,
    .check_options = sstp_check_options,
    .connect = sstp_connect,
    .disconnect = sstp_disconnect,
    .establish_ppp = sstp_establish_ppp,
    .disestablish_ppp = tty_disestablish_ppp,
    .send_config = tty_send_config,
    .recv_config = sstp_recv_config,
    .cleanup = sstp_cleanup,
    .close = sstp_close,
};

static void sstp_wipe_secrets(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	gnutls_memset(proxy_password, 0, sizeof(proxy_password));
	if (opt_proxy)
		gnutls_memset(opt_proxy, 0, strlen(opt_proxy));
}

__attribute__((visibility("default"))) void plugin_init(void)
{
	ppp_add_options(sstp_options);
	ppp_add_notify(NF_AUTH_UP, sstp_auth_up, NULL);
	ppp_add_notify(NF_PHASE_CHANGE, sstp_phase_change, NULL);
	ppp_add_notify(NF_EXIT, sstp_wipe_secrets, NULL);
	prev_snoop_send_hook = snoop_send_hook;
	snoop_send_hook = sstp_snoop_send;
	dbglog("sstp plugin %s for pppd %s, GnuTLS %s", PACKAGE_VERSION, SSTP_PPPD_VERSION,
	       gnutls_check_version(NULL));
}
