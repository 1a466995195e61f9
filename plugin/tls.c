/* TLS to the SSTP server with GnuTLS: handshake and record I/O on a
 * non-blocking socket bounded by deadlines, and a server certificate check
 * done by hand after the handshake so that a failure can be explained. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>
#include <gnutls/x509.h>

#include "log.h"
#include "deadline.h"
#include "ip-literal.h"
#include "sanitize.h"
#include "sysutil.h"
#include "tls.h"

#define DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* A renegotiation the server starts mid-tunnel has to finish even when the
 * caller reads with a short (or zero) timeout. */
#define REHANDSHAKE_TIMEOUT_MS 30000

/* Room for the list of names a certificate is valid for, and how many of its
 * alternative names to look at for it. */
#define CERT_NAMES_MAX     200
#define CERT_NAMES_SCANNED 64

/* How long a failed send waits for the alert that may explain it. */
#define ALERT_WAIT_MS 1000

/* RFC 6066 section 8: the alert for an invalid or missing OCSP response,
 * which GnuTLS has no name for. */
#define ALERT_BAD_CERTIFICATE_STATUS_RESPONSE ((gnutls_alert_description_t)113)

/* A client key or PKCS#12 file larger than this is not one. */
#define CLIENT_KEY_FILE_MAX (1024 * 1024)

/* "sha256:" pins: base64 of a SHA-256 digest, and its terminator. */
#define PIN_SIZE   45
#define SHA256_LEN 32

static int public_key_pin(gnutls_x509_crt_t leaf, char out[PIN_SIZE]);

/* Waits until the socket can do what GnuTLS last got stuck on.
 * 0, -ETIMEDOUT or a negative errno from poll(). */
static int wait_for_session(const struct sstp_tls *tls, int64_t deadline)
{
	struct pollfd pfd = {
	    .fd = tls->fd,
	    .events = gnutls_record_get_direction(tls->session) ? POLLOUT : POLLIN,
	};
	int ret;

	for (;;) {
		ret = poll(&pfd, 1, sstp_remaining_ms(deadline));
		if (ret > 0)
			return 0;
		if (ret == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * Runs the handshake to completion or to the deadline. Returns 0 or a GnuTLS
 * error code, GNUTLS_E_TIMEDOUT for the deadline; *sys_errno gets the socket
 * error behind GNUTLS_E_PULL_ERROR / GNUTLS_E_PUSH_ERROR (0 if unknown).
 */
static int run_handshake(struct sstp_tls *tls, int64_t deadline, int *sys_errno)
{
	int ret;

	*sys_errno = 0;
	for (;;) {
		errno = 0;
		ret = gnutls_handshake(tls->session);
		if (ret == GNUTLS_E_SUCCESS)
			return 0;
		if (ret == GNUTLS_E_PULL_ERROR || ret == GNUTLS_E_PUSH_ERROR) {
			*sys_errno = errno;
			return ret;
		}
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
			ret = wait_for_session(tls, deadline);
			if (ret == -ETIMEDOUT)
				return GNUTLS_E_TIMEDOUT;
			if (ret < 0) {
				*sys_errno = -ret;
				return GNUTLS_E_PULL_ERROR;
			}
			continue;
		}
		if (gnutls_error_is_fatal(ret))
			return ret;
		/* A warning alert (e.g. unrecognized_name) or application
		 * data arriving during a renegotiation does not end the
		 * handshake; GnuTLS keeps such data for the next read. */
		if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
			sstp_log_debug("TLS warning alert from server during handshake: %s",
				       gnutls_alert_get_name(gnutls_alert_get(tls->session)));
	}
}

#define NO_COMMON_HINT                                                                             \
	" (no TLS version or cipher in common with the server: check the TLS priority string)"

/* What the user can do about a handshake failure, where there is something. */
static const char *handshake_failure_hint(int code)
{
	switch (code) {
	case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
	case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
	case GNUTLS_E_UNEXPECTED_PACKET:
		return " (is this port an SSTP/HTTPS server?)";
	case GNUTLS_E_INSUFFICIENT_SECURITY:
	case GNUTLS_E_NO_CIPHER_SUITES:
	case GNUTLS_E_NO_COMMON_KEY_SHARE:
	case GNUTLS_E_UNKNOWN_CIPHER_SUITE:
		return NO_COMMON_HINT;
	default:
		return "";
	}
}

static const char *alert_hint(gnutls_alert_description_t alert)
{
	switch (alert) {
	case GNUTLS_A_PROTOCOL_VERSION:
	case GNUTLS_A_HANDSHAKE_FAILURE:
	case GNUTLS_A_INSUFFICIENT_SECURITY:
		return NO_COMMON_HINT;
	case GNUTLS_A_UNRECOGNIZED_NAME:
		return " (the server does not know the name it was dialled by)";
	default:
		return "";
	}
}

static void report_handshake_failure(const struct sstp_tls *tls, const char *server, int code,
				     int sys_errno, int timeout_ms, struct sstp_error *err)
{
	const char *reason = gnutls_strerror(code);
	const char *hint = handshake_failure_hint(code);
	gnutls_alert_description_t alert;
	char alert_text[96];
	char duration[32];

	switch (code) {
	case GNUTLS_E_TIMEDOUT:
		sstp_format_duration(duration, sizeof(duration), timeout_ms);
		sstp_error_set(
		    err, SSTP_EXIT_CONNECT_FAILED,
		    "TLS handshake with %s timed out after %s (the server accepted the TCP "
		    "connection but did not complete TLS)",
		    server, duration);
		return;
	case GNUTLS_E_PULL_ERROR:
	case GNUTLS_E_PUSH_ERROR:
		if (sys_errno != 0)
			reason = strerror(sys_errno);
		break;
	case GNUTLS_E_PREMATURE_TERMINATION:
		reason = "the server closed the connection";
		break;
	case GNUTLS_E_FATAL_ALERT_RECEIVED:
		if (sstp_tls_explain_rejection(tls, server, err))
			return;
		alert = gnutls_alert_get(tls->session);
		snprintf(alert_text, sizeof(alert_text), "the server sent alert \"%s\"",
			 gnutls_alert_get_name(alert));
		reason = alert_text;
		hint = alert_hint(alert);
		break;
	default:
		break;
	}
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "TLS handshake with %s failed: %s%s", server,
		       reason, hint);
}

static const char *file_error(int ret, const char *path)
{
	if (ret == GNUTLS_E_FILE_ERROR && access(path, R_OK) < 0)
		return strerror(errno); /* "Error while reading file." says less */
	return gnutls_strerror(ret);
}

static int load_trust(struct sstp_tls_trust *trust, const struct sstp_tls_config *cfg,
		      struct sstp_error *err)
{
	int ret;

	if (cfg->crl_file) {
		ret = gnutls_certificate_set_x509_crl_file(trust->credentials, cfg->crl_file,
							   GNUTLS_X509_FMT_PEM);
		if (ret <= 0) {
			sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
				       "sstp-crl-file: cannot load %s: %s (name a readable file of "
				       "PEM CRLs)",
				       cfg->crl_file,
				       ret == 0 ? "no PEM CRLs in it"
						: file_error(ret, cfg->crl_file));
			return -EINVAL;
		}
		sstp_log_debug("loaded %d CRL(s) from %s", ret, cfg->crl_file);
	}
	if (cfg->pin_only && !cfg->ca_file)
		return 0; /* the pin decides; no CA is needed */

	if (!cfg->ca_file) {
		ret = gnutls_certificate_set_x509_system_trust(trust->credentials);
		if (ret > 0)
			return 0;
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "cannot load the system's trusted CA certificates: %s (install "
			       "ca-certificates or use sstp-ca-file)",
			       ret == 0 ? "none found" : gnutls_strerror(ret));
		return -EINVAL;
	}

	/* Only the CAs the user named: a private CA is there to pin the
	 * server, which the public ones would undo. */
	ret = gnutls_certificate_set_x509_trust_file(trust->credentials, cfg->ca_file,
						     GNUTLS_X509_FMT_PEM);
	if (ret > 0) {
		sstp_log_debug("loaded %d CA certificate(s) from %s", ret, cfg->ca_file);
		return 0;
	}
	sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
		       "sstp-ca-file: cannot load %s: %s (name a readable PEM file of CA "
		       "certificates)",
		       cfg->ca_file,
		       ret == 0 ? "no PEM certificates in it" : file_error(ret, cfg->ca_file));
	return -EINVAL;
}

/* What a PKCS#12 file is: DER, a SEQUENCE; a PEM file is text. */
static bool is_pkcs12(const gnutls_datum_t *data)
{
	return data->size > 0 && data->data[0] == 0x30 &&
	       !memmem(data->data, data->size, "-----BEGIN", strlen("-----BEGIN"));
}

/* The whole of a file that holds a private key, from a root-only file. */
static int read_key_file(const char *option, const char *path, gnutls_datum_t *out,
			 struct sstp_error *err)
{
	char why[SSTP_ERROR_TEXT_MAX];
	size_t size = 0;
	ssize_t n;
	int fd;

	out->data = NULL;
	out->size = 0;
	fd = sstp_open_root_only(path, why, sizeof(why));
	if (fd < 0) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "%s: %s", option, why);
		return -EACCES;
	}
	out->data = gnutls_malloc(CLIENT_KEY_FILE_MAX);
	if (!out->data) {
		close(fd);
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR, "%s: out of memory", option);
		return -ENOMEM;
	}
	while (size < CLIENT_KEY_FILE_MAX) {
		n = read(fd, out->data + size, CLIENT_KEY_FILE_MAX - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size += (size_t)n;
	}
	if (n < 0 || size == 0 || size == CLIENT_KEY_FILE_MAX) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "%s: cannot read %s: %s", option, path,
			       n < 0       ? strerror(errno)
			       : size == 0 ? "it is empty"
					   : "it is too large");
		close(fd);
		gnutls_memset(out->data, 0, size);
		gnutls_free(out->data);
		out->data = NULL;
		return -EINVAL;
	}
	close(fd);
	out->size = (unsigned int)size;
	return 0;
}

/* The one-line reason GnuTLS refused a key or PKCS#12 file, and the fix. */
static void report_key_error(int ret, const struct sstp_tls_config *cfg, bool pkcs12,
			     struct sstp_error *err)
{
	const char *key_file = pkcs12 ? cfg->client_cert : cfg->client_key;
	const char *option = pkcs12 ? "sstp-tls-cert" : "sstp-tls-key";

	switch (ret) {
	case GNUTLS_E_CERTIFICATE_KEY_MISMATCH:
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "sstp-tls-key: the key in %s does not belong to the certificate in "
			       "%s (name the key that was made with this certificate)",
			       cfg->client_key, cfg->client_cert);
		return;
	case GNUTLS_E_DECRYPTION_FAILED:
	case GNUTLS_E_MAC_VERIFY_FAILED:
		if (cfg->key_password)
			sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
				       "sstp-tls-key-password-file: wrong password for %s (put the "
				       "password of %s on the first line of the password file)",
				       key_file, key_file);
		else
			sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
				       "%s: %s is protected by a password: give it with "
				       "sstp-tls-key-password-file",
				       option, key_file);
		return;
	default:
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "%s: cannot use %s: %s (%s)", option,
			       key_file, gnutls_strerror(ret),
			       pkcs12
				   ? "name a PKCS#12 file with the certificate and its key"
				   : "name a PEM private key; sstp-tls-cert names its certificate");
	}
}

/* The client certificate and its key, into the credentials the helper
 * inherits; the key file's bytes are wiped as soon as GnuTLS has them. */
static int load_client_cert(struct sstp_tls_trust *trust, const struct sstp_tls_config *cfg,
			    struct sstp_error *err)
{
	gnutls_datum_t cert = {NULL, 0}, key = {NULL, 0};
	bool pkcs12;
	int ret;

	if (!cfg->client_cert) {
		if (!cfg->client_key && !cfg->key_password)
			return 0;
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "%s needs sstp-tls-cert (the client certificate)",
			       cfg->client_key ? "sstp-tls-key" : "sstp-tls-key-password-file");
		return -EINVAL;
	}
	/* Read whole to tell PKCS#12 from PEM by what it is, not its name. */
	ret = gnutls_load_file(cfg->client_cert, &cert);
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR, "sstp-tls-cert: cannot load %s: %s",
			       cfg->client_cert, file_error(ret, cfg->client_cert));
		return -EINVAL;
	}
	pkcs12 = is_pkcs12(&cert);
	if (pkcs12 && cfg->client_key) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "sstp-tls-key: %s is a PKCS#12 file, which holds its own key: "
			       "remove sstp-tls-key",
			       cfg->client_cert);
		ret = -EINVAL;
		goto out;
	}
	if (!pkcs12 && !cfg->client_key) {
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "sstp-tls-cert: %s is a PEM certificate without its key: name the "
			       "private key with sstp-tls-key (or give a PKCS#12 file instead)",
			       cfg->client_cert);
		ret = -EINVAL;
		goto out;
	}

	if (pkcs12) {
		/* It holds the key, so it is read again from a root-only file. */
		ret = read_key_file("sstp-tls-cert", cfg->client_cert, &key, err);
		if (ret < 0)
			goto out;
		ret = gnutls_certificate_set_x509_simple_pkcs12_mem(
		    trust->credentials, &key, GNUTLS_X509_FMT_DER,
		    cfg->key_password ? cfg->key_password : "");
	} else {
		ret = read_key_file("sstp-tls-key", cfg->client_key, &key, err);
		if (ret < 0)
			goto out;
		ret = gnutls_certificate_set_x509_key_mem2(
		    trust->credentials, &cert, &key, GNUTLS_X509_FMT_PEM, cfg->key_password, 0);
	}
	if (ret < 0) {
		report_key_error(ret, cfg, pkcs12, err);
		ret = -EINVAL;
		goto out;
	}
	sstp_log_debug("loaded the client certificate from %s%s%s", cfg->client_cert,
		       pkcs12 ? "" : " and its key from ", pkcs12 ? "" : cfg->client_key);
	ret = 0;
out:
	gnutls_memset(cert.data, 0, cert.size); /* a PKCS#12 holds the key */
	gnutls_free(cert.data);
	if (key.data) {
		gnutls_memset(key.data, 0, key.size);
		gnutls_free(key.data);
	}
	return ret;
}

static int load_priority(struct sstp_tls_trust *trust, const struct sstp_tls_config *cfg,
			 struct sstp_error *err)
{
	const char *priority = cfg->priority ? cfg->priority : DEFAULT_PRIORITY;
	const char *error_at = NULL;
	int ret;

	ret = gnutls_priority_init(&trust->priority, priority, &error_at);
	if (ret == GNUTLS_E_SUCCESS)
		return 0;
	trust->priority = NULL;
	if (ret == GNUTLS_E_INVALID_REQUEST && error_at)
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "sstp-tls-priority: invalid priority string \"%s\": error at "
			       "position %zu (\"%s\"; see gnutls-cli --priority and "
			       "gnutls_priority_init(3))",
			       priority, (size_t)(error_at - priority), error_at);
	else
		sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
			       "sstp-tls-priority: cannot use \"%s\": %s", priority,
			       gnutls_strerror(ret));
	return -EINVAL;
}

/* The prefixes a pin may carry: ours, curl's, and certtool's. */
static const char *const pin_prefixes[] = {"sha256:", "sha256//", "pin-sha256:"};

/* Base64 of a SHA-256 digest: 43 characters and one '='. */
#define PIN_BASE64_LEN 44

static bool is_pin_value(const char *value, size_t len)
{
	size_t i;

	if (len != PIN_BASE64_LEN || value[len - 1] != '=')
		return false;
	for (i = 0; i + 1 < len; i++) {
		char c = value[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	return true;
}

/* One pin of the list, blanks around it removed: its base64 value, or NULL
 * if it is not prefix + base64 of 32 bytes. */
static const char *pin_value(const char *pin, size_t len, size_t *value_len)
{
	size_t i, prefix_len;

	for (i = 0; i < sizeof(pin_prefixes) / sizeof(pin_prefixes[0]); i++) {
		prefix_len = strlen(pin_prefixes[i]);
		if (len > prefix_len && strncmp(pin, pin_prefixes[i], prefix_len) == 0 &&
		    is_pin_value(pin + prefix_len, len - prefix_len)) {
			*value_len = len - prefix_len;
			return pin + prefix_len;
		}
	}
	return NULL;
}

/* Calls visit() on each ';'-separated pin, blanks trimmed; stops at the first
 * non-zero return, which it returns. */
static int for_each_pin(const char *pins, int (*visit)(const char *pin, size_t len, void *ctx),
			void *ctx)
{
	const char *p = pins, *end, *last;
	int ret;

	while (*p) {
		p += strspn(p, "; \t");
		if (!*p)
			break;
		end = p + strcspn(p, ";");
		last = end;
		while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
			last--;
		ret = visit(p, (size_t)(last - p), ctx);
		if (ret)
			return ret;
		p = end;
	}
	return 0;
}

struct pin_check {
	struct sstp_error *err;
	unsigned count;
};

static int check_pin_syntax(const char *pin, size_t len, void *ctx)
{
	struct pin_check *check = ctx;
	size_t value_len;

	if (pin_value(pin, len, &value_len)) {
		check->count++;
		return 0;
	}
	sstp_error_set(check->err, SSTP_EXIT_OPTION_ERROR,
		       "sstp-cert-pin: \"%.*s\" is not a pin: write sha256: and the 44-character "
		       "base64 SHA-256 of the server's public key (as certtool --pubkey-info "
		       "prints it after pin-sha256:), ';' between several",
		       (int)(len > 80 ? 80 : len), pin);
	return -EINVAL;
}

int sstp_tls_trust_load(struct sstp_tls_trust *trust, const struct sstp_tls_config *cfg,
			struct sstp_error *err)
{
	struct pin_check pins = {.err = err};
	int ret;

	memset(trust, 0, sizeof(*trust));
	if (cfg->cert_pin) {
		ret = for_each_pin(cfg->cert_pin, check_pin_syntax, &pins);
		if (ret < 0)
			return ret;
		if (pins.count == 0) {
			sstp_error_set(err, SSTP_EXIT_OPTION_ERROR,
				       "sstp-cert-pin: no pin given (write sha256: and the base64 "
				       "SHA-256 of the server's public key)");
			return -EINVAL;
		}
	}
	ret = gnutls_certificate_allocate_credentials(&trust->credentials);
	if (ret < 0) {
		trust->credentials = NULL;
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR, "cannot set up TLS: %s",
			       gnutls_strerror(ret));
		return -ENOMEM;
	}
	ret = load_trust(trust, cfg, err);
	if (ret == 0)
		ret = load_client_cert(trust, cfg, err);
	if (ret == 0)
		ret = load_priority(trust, cfg, err);
	if (ret < 0)
		sstp_tls_trust_free(trust);
	return ret;
}

void sstp_tls_trust_free(struct sstp_tls_trust *trust)
{
	if (trust->credentials)
		gnutls_certificate_free_credentials(trust->credentials);
	if (trust->priority)
		gnutls_priority_deinit(trust->priority);
	trust->credentials = NULL;
	trust->priority = NULL;
}

/* Subject and issuer, so that a refused certificate can be recognised. */
static void log_certificate(gnutls_x509_crt_t crt)
{
	gnutls_datum_t subject = {NULL, 0};
	gnutls_datum_t issuer = {NULL, 0};
	char subject_text[SSTP_SANITIZED_MAX], issuer_text[SSTP_SANITIZED_MAX];

	if (gnutls_x509_crt_get_dn3(crt, &subject, 0) < 0 ||
	    gnutls_x509_crt_get_issuer_dn3(crt, &issuer, 0) < 0)
		goto out;
	sstp_log_debug(
	    "server certificate: subject \"%s\", issuer \"%s\"",
	    sstp_sanitize(subject_text, sizeof(subject_text), (char *)subject.data, subject.size),
	    sstp_sanitize(issuer_text, sizeof(issuer_text), (char *)issuer.data, issuer.size));
out:
	gnutls_free(subject.data);
	gnutls_free(issuer.data);
}

/* Appends name to a comma-separated list; once a name does not fit, the
 * list ends in "..." and stays that way. */
static void append_name(char *buf, size_t size, const char *name)
{
	static const char more[] = "...";
	const char *separator = buf[0] ? ", " : "";
	size_t used = strlen(buf);

	if (used >= sizeof(more) - 1 && strcmp(buf + used - (sizeof(more) - 1), more) == 0)
		return;
	if (used + strlen(separator) + strlen(name) < size) {
		strcat(buf, separator);
		strcat(buf, name);
	} else if (used + strlen(separator) + sizeof(more) <= size) {
		strcat(buf, separator);
		strcat(buf, more);
	}
}

/* The DNS names and IP addresses the certificate is for; the subject CN when
 * it has no such alternative names (which is what GnuTLS then matches).
 * Names are the server's text: sanitised. */
static void describe_certificate_names(gnutls_x509_crt_t crt, char *buf, size_t size)
{
	char name[256], clean[SSTP_SANITIZED_MAX];
	char ip_text[INET6_ADDRSTRLEN];
	size_t name_size;
	unsigned int i;
	int type;

	buf[0] = '\0';
	for (i = 0; i < CERT_NAMES_SCANNED; i++) {
		name_size = sizeof(name) - 1;
		type = gnutls_x509_crt_get_subject_alt_name(crt, i, name, &name_size, NULL);
		/* Past the last name, or a damaged extension: stop either
		 * way. A name too long for the buffer is only skipped. */
		if (type < 0 && type != GNUTLS_E_SHORT_MEMORY_BUFFER)
			break;
		if (type == GNUTLS_SAN_DNSNAME) {
			append_name(buf, size,
				    sstp_sanitize(clean, sizeof(clean), name, name_size));
		} else if (type == GNUTLS_SAN_IPADDRESS &&
			   inet_ntop(name_size == 4 ? AF_INET : AF_INET6, name, ip_text,
				     sizeof(ip_text))) {
			append_name(buf, size, ip_text);
		}
	}
	if (buf[0])
		return;

	memcpy(name, "CN=", 3);
	name_size = sizeof(name) - 3;
	if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, name + 3,
					  &name_size) == 0)
		append_name(buf, size, sstp_sanitize(clean, sizeof(clean), name, name_size + 3));
	else
		append_name(buf, size, "no host names at all");
}

/* The alert that tells the server's admin why we hung up. */
static gnutls_alert_description_t alert_for_status(unsigned int status)
{
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return GNUTLS_A_UNKNOWN_CA;
	if (status & GNUTLS_CERT_EXPIRED)
		return GNUTLS_A_CERTIFICATE_EXPIRED;
	return GNUTLS_A_BAD_CERTIFICATE;
}

static const char *verification_hint(unsigned int status)
{
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
		return ""; /* trust_advice() follows */
	if (status & (GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
		return " (check this machine's clock; otherwise the server needs a new "
		       "certificate)";
	if (status & GNUTLS_CERT_REVOKED)
		return " (a CRL from sstp-crl-file lists it as revoked)";
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return " (a signature in the chain uses a broken hash such as SHA-1 or MD5)";
	if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
		return " (the certificate is not for TLS servers: it lacks the serverAuth extended "
		       "key usage)";
	return "";
}

/*
 * The lines after the error that let a self-signed or private-CA server in:
 * the exact options, and how to make sure first that the key is the
 * server's own and not a man in the middle's. RouterOS and Windows show a
 * certificate's fingerprint, not its key pin, so both are given.
 */
static void trust_advice(gnutls_x509_crt_t leaf, const char *pin, char *buf, size_t size)
{
	uint8_t digest[SHA256_LEN];
	size_t digest_size = sizeof(digest);
	char hex[2 * SHA256_LEN + 1] = "(unknown)";

	if (gnutls_x509_crt_get_fingerprint(leaf, GNUTLS_DIG_SHA256, digest, &digest_size) == 0 &&
	    digest_size == sizeof(digest))
		for (size_t i = 0; i < digest_size; i++)
			snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	snprintf(buf, size,
		 "\nto trust this server by its key alone (a self-signed server), add this line "
		 "to the peers file: sstp-cert-pin sha256:%s sstp-cert-pin-only (for a private "
		 "CA, add sstp-ca-file with the CA's PEM certificate instead)"
		 "\nfirst make sure it is your server's certificate: its SHA-256 fingerprint is "
		 "%s; RouterOS shows it as fingerprint in /certificate print detail; on Windows, "
		 "export the certificate as DER (.cer) and run certutil -hashfile server.cer "
		 "SHA256; or compare the pin with the pin-sha256 that certtool -i --infile "
		 "server.pem prints",
		 pin, hex);
}

static void report_verification_failure(struct sstp_tls *tls, gnutls_x509_crt_t leaf,
					const char *server, unsigned int status,
					struct sstp_error *err)
{
	static const char not_trusted[] = "The certificate is NOT trusted. ";
	gnutls_datum_t printed = {NULL, 0};
	char names[CERT_NAMES_MAX];
	char pin[PIN_SIZE], advice[SSTP_ERROR_TEXT_MAX] = "", with_pin[96] = "";
	uint8_t ip[16];
	const char *reasons = "verification failed";
	size_t len;

	/* One attempt, never waiting: a courtesy for the server's logs. */
	gnutls_alert_send(tls->session, GNUTLS_AL_FATAL, alert_for_status(status));

	if ((status & ~(GNUTLS_CERT_INVALID | GNUTLS_CERT_UNEXPECTED_OWNER)) == 0) {
		describe_certificate_names(leaf, names, sizeof(names));
		sstp_error_set(
		    err, SSTP_EXIT_CONNECT_FAILED,
		    "server certificate does not match %s: it is for %s (%s)", server, names,
		    sstp_parse_ip_literal(server, ip)
			? "an IP address matches only iPAddress subject alternative names: give "
			  "the name with sstp-host"
			: "connect to a name the certificate lists, or give it with sstp-host");
		return;
	}

	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &printed, 0) ==
		0 &&
	    printed.data) {
		/* "is not trusted" is already in our own words; keep the why. */
		reasons = (const char *)printed.data;
		if (strncmp(reasons, not_trusted, sizeof(not_trusted) - 1) == 0 &&
		    reasons[sizeof(not_trusted) - 1])
			reasons += sizeof(not_trusted) - 1;
		len = strlen((char *)printed.data);
		/* What we append follows as the same sentence. */
		while (len > 0 && (printed.data[len - 1] == ' ' || printed.data[len - 1] == '.'))
			printed.data[--len] = '\0';
	}
	/* Self-signed, or a CA we do not know: only the user can decide. */
	if ((status & GNUTLS_CERT_SIGNER_NOT_FOUND) && public_key_pin(leaf, pin) == 0) {
		snprintf(with_pin, sizeof(with_pin), "; its public key is sha256:%s", pin);
		trust_advice(leaf, pin, advice, sizeof(advice));
	}
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
		       "server certificate for %s is not trusted: %s%s%s%s", server, reasons,
		       verification_hint(status), with_pin, advice);
	gnutls_free(printed.data);
}

/* Times in messages: UTC, as OCSP and X.509 state them. */
static void format_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "(unknown)");
}

static const char *revocation_reason(unsigned int reason)
{
	switch (reason) {
	case GNUTLS_X509_CRLREASON_KEYCOMPROMISE:
		return "key compromise";
	case GNUTLS_X509_CRLREASON_CACOMPROMISE:
		return "CA compromise";
	case GNUTLS_X509_CRLREASON_AFFILIATIONCHANGED:
		return "affiliation changed";
	case GNUTLS_X509_CRLREASON_SUPERSEDED:
		return "superseded";
	case GNUTLS_X509_CRLREASON_CESSATIONOFOPERATION:
		return "cessation of operation";
	case GNUTLS_X509_CRLREASON_CERTIFICATEHOLD:
		return "certificate hold";
	case GNUTLS_X509_CRLREASON_PRIVILEGEWITHDRAWN:
		return "privilege withdrawn";
	case GNUTLS_X509_CRLREASON_AACOMPROMISE:
		return "AA compromise";
	default:
		return "unspecified";
	}
}

/* Why GnuTLS found the stapled response invalid, checked again here only to
 * say it (GnuTLS keeps the reason to itself). */
static const char *invalid_ocsp_reason(gnutls_ocsp_resp_t resp, gnutls_x509_crt_t leaf,
				       const struct sstp_tls_trust *trust)
{
	gnutls_x509_trust_list_t list = NULL;
	unsigned int verify = 0;

	if (gnutls_ocsp_resp_check_crt(resp, 0, leaf) < 0)
		return "it is about another certificate";
	gnutls_certificate_get_trust_list(trust->credentials, &list);
	if (!list || gnutls_ocsp_resp_verify(resp, list, &verify, 0) < 0)
		return "it cannot be verified";
	if (verify & GNUTLS_OCSP_VERIFY_SIGNATURE_FAILURE)
		return "its signature does not verify";
	if (verify & (GNUTLS_OCSP_VERIFY_SIGNER_NOT_FOUND | GNUTLS_OCSP_VERIFY_UNTRUSTED_SIGNER |
		      GNUTLS_OCSP_VERIFY_SIGNER_KEYUSAGE_ERROR))
		return "it is signed neither by the certificate's issuer nor by an OCSP responder "
		       "the issuer authorised";
	if (verify & GNUTLS_OCSP_VERIFY_INSECURE_ALGORITHM)
		return "it is signed with an insecure algorithm";
	if (verify & (GNUTLS_OCSP_VERIFY_CERT_EXPIRED | GNUTLS_OCSP_VERIFY_CERT_NOT_ACTIVATED))
		return "the responder's certificate is not valid now";
	return "it cannot be verified";
}

/* The OCSP response (RFC 6960 section 4.2) the server stapled in the
 * handshake (RFC 6066 section 8), parsed for the failure report and for
 * the success log alike: 0 with *resp for the caller to gnutls_ocsp_resp_deinit,
 * or with *resp NULL -ENOENT (none stapled), -ENOMEM, or -EINVAL (it does not
 * parse). */
static int import_stapled_response(gnutls_session_t session, gnutls_ocsp_resp_t *resp)
{
	gnutls_datum_t raw = {NULL, 0};

	*resp = NULL;
	if (gnutls_ocsp_status_request_get2(session, 0, &raw) < 0)
		return -ENOENT;
	if (gnutls_ocsp_resp_init(resp) < 0) {
		*resp = NULL;
		return -ENOMEM;
	}
	if (gnutls_ocsp_resp_import(*resp, &raw) < 0) {
		gnutls_ocsp_resp_deinit(*resp);
		*resp = NULL;
		return -EINVAL;
	}
	return 0;
}

#define OCSP_STATUS_BITS                                                                           \
	(GNUTLS_CERT_REVOKED | GNUTLS_CERT_INVALID_OCSP_STATUS |                                   \
	 GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED | GNUTLS_CERT_MISSING_OCSP_STATUS)

/*
 * The verdict of the server's stapled OCSP response (RFC 6066 section 8,
 * RFC 6960), when that is what failed the verification: revoked, invalid,
 * out of date, or missing where the certificate demands it (RFC 7633).
 * Returns false when the failure was not the staple's, for the general
 * report.
 */
static bool report_ocsp_failure(struct sstp_tls *tls, gnutls_x509_crt_t leaf, const char *server,
				unsigned int status, const struct sstp_tls_config *cfg,
				struct sstp_error *err)
{
	gnutls_ocsp_resp_t resp = NULL;
	unsigned int cert_status = 0;
	time_t this_update = -1, next_update = -1, revoked_at = -1;
	unsigned int reason = 0;
	char when[64], next[64];
	bool parsed;

	if (!(status & OCSP_STATUS_BITS) ||
	    (status & ~(OCSP_STATUS_BITS | GNUTLS_CERT_INVALID)) != 0)
		return false;
	if (status & GNUTLS_CERT_MISSING_OCSP_STATUS) {
		gnutls_alert_send(tls->session, GNUTLS_AL_FATAL,
				  ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
		sstp_error_set(
		    err, SSTP_EXIT_CONNECT_FAILED,
		    "server certificate for %s is not trusted: it demands OCSP stapling "
		    "(TLS feature status_request) and the server stapled no OCSP response",
		    server);
		return true;
	}
	parsed = import_stapled_response(tls->session, &resp) == 0 &&
		 gnutls_ocsp_resp_get_single(resp, 0, NULL, NULL, NULL, NULL, &cert_status,
					     &this_update, &next_update, &revoked_at, &reason) == 0;
	if ((status & GNUTLS_CERT_REVOKED) &&
	    !(parsed && cert_status == GNUTLS_OCSP_CERT_REVOKED)) {
		/* Revoked by a CRL from sstp-crl-file: the general report. */
		if (resp)
			gnutls_ocsp_resp_deinit(resp);
		return false;
	}
	if (status & GNUTLS_CERT_REVOKED) {
		gnutls_alert_send(tls->session, GNUTLS_AL_FATAL, GNUTLS_A_CERTIFICATE_REVOKED);
		format_time(when, sizeof(when), revoked_at);
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "server certificate for %s is revoked: the OCSP response the server "
			       "stapled says it was revoked on %s (reason: %s); the server needs a "
			       "new certificate",
			       server, when, revocation_reason(reason));
	} else if (status & GNUTLS_CERT_INVALID_OCSP_STATUS) {
		gnutls_alert_send(tls->session, GNUTLS_AL_FATAL,
				  ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "server certificate for %s is not trusted: the OCSP response the "
			       "server stapled is invalid: %s (the server's OCSP stapling is "
			       "misconfigured, or someone is in the way)",
			       server,
			       parsed ? invalid_ocsp_reason(resp, leaf, cfg->trust)
				      : "it cannot be parsed");
	} else {
		gnutls_alert_send(tls->session, GNUTLS_AL_FATAL,
				  ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
		format_time(when, sizeof(when), this_update);
		format_time(next, sizeof(next), next_update);
		sstp_error_set(
		    err, SSTP_EXIT_CONNECT_FAILED,
		    "server certificate for %s is not trusted: the OCSP response the "
		    "server stapled is out of date (produced %s, next update %s; check "
		    "this machine's clock, otherwise the server must staple a fresh one)",
		    server, when, next_update == (time_t)-1 ? "not given" : next);
	}
	if (resp)
		gnutls_ocsp_resp_deinit(resp);
	return true;
}

/* After a verification that passed: a good stapled response is logged, and
 * sstp-ocsp-stapling require refuses a server that stapled none. */
static int check_ocsp_stapled(struct sstp_tls *tls, const char *server,
			      const struct sstp_tls_config *cfg, struct sstp_error *err)
{
	gnutls_ocsp_resp_t resp;
	time_t next_update = -1;
	char next[64];

	if (gnutls_ocsp_status_request_is_checked(tls->session, 0)) {
		if (import_stapled_response(tls->session, &resp) == 0) {
			gnutls_ocsp_resp_get_single(resp, 0, NULL, NULL, NULL, NULL, NULL, NULL,
						    &next_update, NULL, NULL);
			gnutls_ocsp_resp_deinit(resp);
		}
		format_time(next, sizeof(next), next_update);
		sstp_log_debug("server's stapled OCSP response: good (next update %s)",
			       next_update == (time_t)-1 ? "not given" : next);
		return 0;
	}
	if (!cfg->ocsp_require) {
		sstp_log_debug("server stapled no OCSP response");
		return 0;
	}
	gnutls_alert_send(tls->session, GNUTLS_AL_FATAL, ALERT_BAD_CERTIFICATE_STATUS_RESPONSE);
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
		       "server %s stapled no OCSP response for its certificate, and "
		       "sstp-ocsp-stapling require asks for one (enable OCSP stapling on the "
		       "server, or set sstp-ocsp-stapling if-present)",
		       server);
	return -EACCES;
}

/* The pin of the leaf's public key: base64 of the SHA-256 of its DER
 * SubjectPublicKeyInfo (the value curl's --pinnedpubkey and RFC 7469 use). */
static int public_key_pin(gnutls_x509_crt_t leaf, char out[PIN_SIZE])
{
	gnutls_pubkey_t key = NULL;
	gnutls_datum_t spki = {NULL, 0}, b64 = {NULL, 0};
	uint8_t digest[32];
	gnutls_datum_t digest_datum = {digest, sizeof(digest)};
	int ret;

	ret = gnutls_pubkey_init(&key);
	if (ret < 0)
		return ret;
	ret = gnutls_pubkey_import_x509(key, leaf, 0);
	if (ret >= 0)
		ret = gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki);
	if (ret >= 0)
		ret = gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, digest);
	if (ret >= 0)
		ret = gnutls_base64_encode2(&digest_datum, &b64);
	if (ret >= 0 && b64.size != 44)
		ret = GNUTLS_E_BASE64_ENCODING_ERROR;
	if (ret >= 0) {
		memcpy(out, b64.data, 44);
		out[44] = '\0';
	}
	gnutls_free(b64.data);
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(key);
	return ret < 0 ? ret : 0;
}

struct pin_match {
	const char *pin;
	bool found;
};

static int match_pin(const char *pin, size_t len, void *ctx)
{
	struct pin_match *match = ctx;
	size_t value_len = 0;
	const char *value = pin_value(pin, len, &value_len);

	if (value && value_len == strlen(match->pin) && memcmp(value, match->pin, value_len) == 0)
		match->found = true;
	return match->found;
}

/* Does one of the ';'-separated pins (checked by sstp_tls_trust_load) name
 * this key? */
static bool pin_matches(const char *pins, const char *pin)
{
	struct pin_match match = {.pin = pin};

	for_each_pin(pins, match_pin, &match);
	return match.found;
}

static int check_pin(struct sstp_tls *tls, gnutls_x509_crt_t leaf, const char *server,
		     const struct sstp_tls_config *cfg, struct sstp_error *err)
{
	char pin[PIN_SIZE];
	int ret;

	ret = public_key_pin(leaf, pin);
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot read the public key of server %s: %s", server,
			       gnutls_strerror(ret));
		return -EACCES;
	}
	sstp_log_debug("server public key: sha256:%s", pin);
	if (!cfg->cert_pin || pin_matches(cfg->cert_pin, pin))
		return 0;
	gnutls_alert_send(tls->session, GNUTLS_AL_FATAL, GNUTLS_A_BAD_CERTIFICATE);
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
		       "server certificate for %s does not match sstp-cert-pin: its public key is "
		       "sha256:%s (the server's key changed, or this is not the server you "
		       "pinned)",
		       server, pin);
	return -EACCES;
}

/* RSA, DSA and elliptic-curve keys below 112 bits of security are refused
 * whatever else is said about the certificate, with a message that says so.
 * (GnuTLS's verification profiles would do it less legibly, and in GnuTLS
 * 3.7 the MEDIUM profile also refused every ECDHE session as "insecure".) */
static int check_key_strength(struct sstp_tls *tls, gnutls_x509_crt_t leaf, const char *server,
			      struct sstp_error *err)
{
	unsigned int bits = 0;
	int algo = gnutls_x509_crt_get_pk_algorithm(leaf, &bits);

	if (algo < 0 || bits == 0 ||
	    gnutls_pk_bits_to_sec_param(algo, bits) >= GNUTLS_SEC_PARAM_MEDIUM)
		return 0;
	gnutls_alert_send(tls->session, GNUTLS_AL_FATAL, GNUTLS_A_INSUFFICIENT_SECURITY);
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
		       "server certificate for %s is not trusted: its %u-bit %s key is too weak "
		       "(at least 2048-bit RSA or a 224-bit elliptic curve is needed)",
		       server, bits, gnutls_pk_algorithm_get_name(algo));
	return -EACCES;
}

/*
 * Checks the chain against the trust anchors, the validity dates, the name
 * that was dialled (DNS name against SAN/CN with wildcards; an IP literal
 * against iPAddress SANs only) and the serverAuth purpose (MS-SSTP 3.2.4.1).
 */
static int verify_server(struct sstp_tls *tls, gnutls_x509_crt_t leaf,
			 const struct sstp_tls_config *cfg, struct sstp_error *err)
{
	const char *server = cfg->server_name;
	gnutls_typed_vdata_st checks[2];
	uint8_t ip[16];
	size_t ip_len = sstp_parse_ip_literal(server, ip);
	unsigned int status = 0;
	size_t oid_size = 0;
	int ret;

	ret = check_key_strength(tls, leaf, server, err);
	if (ret < 0)
		return ret;
	if (cfg->pin_only) {
		/* Asked for: the pinned key is the whole trust decision. */
		return check_pin(tls, leaf, server, cfg, err);
	}

	memset(checks, 0, sizeof(checks));
	if (ip_len) {
		checks[0].type = GNUTLS_DT_IP_ADDRESS;
		checks[0].data = ip;
		checks[0].size = (unsigned int)ip_len;
	} else {
		checks[0].type = GNUTLS_DT_DNS_HOSTNAME;
		checks[0].data = (unsigned char *)server;
	}
	/* GnuTLS also accepts anyExtendedKeyUsage here, as MS-SSTP asks. */
	checks[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	checks[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;

	ret = gnutls_certificate_verify_peers(tls->session, checks, 2, &status);
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "cannot verify the server certificate for %s: %s", server,
			       gnutls_strerror(ret));
		return -EACCES;
	}
	if (status != 0) {
		if (!report_ocsp_failure(tls, leaf, server, status, cfg, err))
			report_verification_failure(tls, leaf, server, status, err);
		return -EACCES;
	}
	/* GnuTLS reads a certificate without the EKU extension as fit for any
	 * purpose; MS-SSTP 3.2.4.1 wants serverAuth (or any) listed. */
	ret = gnutls_x509_crt_get_key_purpose_oid(leaf, 0, NULL, &oid_size, NULL);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		char pin[PIN_SIZE], advice[SSTP_ERROR_TEXT_MAX] = "";

		/* Windows RRAS refuses it too; pinning the key is the way in
		 * until the server gets a proper certificate. */
		if (public_key_pin(leaf, pin) == 0)
			trust_advice(leaf, pin, advice, sizeof(advice));
		gnutls_alert_send(tls->session, GNUTLS_AL_FATAL, GNUTLS_A_BAD_CERTIFICATE);
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "server certificate for %s is not trusted: it lists no extended key "
			       "usage, and SSTP requires serverAuth (the server needs a "
			       "certificate issued for TLS servers, or trust its key alone with "
			       "sstp-cert-pin-only)%s",
			       server, advice);
		return -EACCES;
	}
	ret = check_ocsp_stapled(tls, server, cfg, err);
	if (ret < 0)
		return ret;
	return check_pin(tls, leaf, server, cfg, err);
}

/* The leaf certificate stays with the session for the crypto binding. */
static int keep_leaf_certificate(struct sstp_tls *tls, gnutls_x509_crt_t *leaf, const char *server,
				 struct sstp_error *err)
{
	const gnutls_datum_t *chain;
	unsigned int chain_len = 0;
	int ret;

	chain = gnutls_certificate_get_peers(tls->session, &chain_len);
	if (!chain || chain_len == 0 || chain[0].size == 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "server %s sent no certificate",
			       server);
		return -EPROTO;
	}
	ret = gnutls_x509_crt_init(leaf);
	if (ret < 0)
		goto fail;
	ret = gnutls_x509_crt_import(*leaf, &chain[0], GNUTLS_X509_FMT_DER);
	if (ret < 0)
		goto fail;
	tls->leaf_der = malloc(chain[0].size);
	if (!tls->leaf_der) {
		ret = GNUTLS_E_MEMORY_ERROR;
		goto fail;
	}
	memcpy(tls->leaf_der, chain[0].data, chain[0].size);
	tls->leaf_der_len = chain[0].size;
	return 0;
fail:
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
		       "cannot read the certificate of server %s: %s", server,
		       gnutls_strerror(ret));
	return ret == GNUTLS_E_MEMORY_ERROR ? -ENOMEM : -EPROTO;
}

int sstp_tls_open(struct sstp_tls *tls, int fd, const struct sstp_tls_config *cfg, int timeout_ms,
		  struct sstp_error *err)
{
	const char *server = cfg->server_name;
	gnutls_x509_crt_t leaf = NULL;
	uint8_t ip[16];
	char *desc;
	int sys_errno;
	int ret;

	memset(tls, 0, sizeof(*tls));
	tls->fd = fd;
	tls->client_cert = cfg->client_cert;

	ret = gnutls_init(&tls->session, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL);
	if (ret < 0) {
		tls->session = NULL;
		goto gnutls_failed;
	}
	/* Loaded before dialling: nothing here opens a file. */
	ret = gnutls_credentials_set(tls->session, GNUTLS_CRD_CERTIFICATE, cfg->trust->credentials);
	if (ret < 0)
		goto gnutls_failed;
	ret = gnutls_priority_set(tls->session, cfg->trust->priority);
	if (ret < 0)
		goto gnutls_failed;
	/* Ask for the server's OCSP response (RFC 6066 section 8) always:
	 * GnuTLS does by default, but that is a default, not a promise. */
	ret = gnutls_ocsp_status_request_enable_client(tls->session, NULL, 0, NULL);
	if (ret < 0)
		goto gnutls_failed;
	/* RFC 6066 allows only host names in SNI. */
	if (!sstp_parse_ip_literal(server, ip)) {
		ret = gnutls_server_name_set(tls->session, GNUTLS_NAME_DNS, server, strlen(server));
		if (ret < 0)
			goto gnutls_failed;
	}

	ret = sstp_set_nonblocking(fd, true);
	if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "cannot set up TLS with %s: %s",
			       server, strerror(-ret));
		goto out;
	}
	gnutls_transport_set_int(tls->session, fd);
	/* Our deadline bounds the handshake; a second, internal one would
	 * only produce a less precise message. */
	gnutls_handshake_set_timeout(tls->session, 0);

	ret = run_handshake(tls, sstp_deadline_after(timeout_ms), &sys_errno);
	if (ret < 0) {
		report_handshake_failure(tls, server, ret, sys_errno, timeout_ms, err);
		ret = ret == GNUTLS_E_TIMEDOUT ? -ETIMEDOUT : -EPROTO;
		goto out;
	}
	desc = gnutls_session_get_desc(tls->session);
	sstp_log_debug("TLS session with %s: %s", server, desc ? desc : "?");
	gnutls_free(desc);

	ret = keep_leaf_certificate(tls, &leaf, server, err);
	if (ret < 0)
		goto out;
	log_certificate(leaf);
	ret = verify_server(tls, leaf, cfg, err);
	goto out;

gnutls_failed:
	sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED, "cannot set up TLS with %s: %s", server,
		       gnutls_strerror(ret));
	ret = ret == GNUTLS_E_MEMORY_ERROR ? -ENOMEM : -EIO;
out:
	if (leaf)
		gnutls_x509_crt_deinit(leaf);
	return ret;
}

/*
 * A send failed before the server sent any data, to a server that asked for
 * our certificate: with TLS 1.3 it judges the certificate after our side of
 * the handshake is over, and its alert saying why may be waiting unread.
 */
static void read_pending_alert(struct sstp_tls *tls)
{
	int64_t deadline = sstp_deadline_after(ALERT_WAIT_MS);
	struct pollfd pfd = {.fd = tls->fd, .events = POLLIN};
	uint8_t byte;
	ssize_t ret;

	if (tls->data_received || !gnutls_certificate_client_get_request_status(tls->session))
		return;
	for (;;) {
		ret = gnutls_record_recv(tls->session, &byte, sizeof(byte));
		if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
			tls->fatal_alert = true;
		if ((ret != GNUTLS_E_AGAIN && ret != GNUTLS_E_INTERRUPTED) ||
		    poll(&pfd, 1, sstp_remaining_ms(deadline)) <= 0)
			return;
	}
}

int sstp_tls_write_all(struct sstp_tls *tls, const void *buf, size_t len, int timeout_ms)
{
	const uint8_t *bytes = buf;
	int64_t deadline = sstp_deadline_after(timeout_ms);
	size_t done = 0;
	ssize_t sent;
	int ret = 0;

	while (done < len) {
		errno = 0;
		sent = gnutls_record_send(tls->session, bytes + done, len - done);
		if (sent > 0) {
			done += (size_t)sent;
			continue;
		}
		/* After GNUTLS_E_AGAIN the same data must be offered again:
		 * GnuTLS has already encrypted it into a pending record. */
		if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED) {
			ret = wait_for_session(tls, deadline);
			if (ret < 0)
				goto out;
			continue;
		}
		/* An invalidated session is one the server already closed
		 * (the read side reported that). */
		if (sent == GNUTLS_E_INVALID_SESSION ||
		    (sent == GNUTLS_E_PUSH_ERROR && (errno == EPIPE || errno == ECONNRESET))) {
			ret = -EPIPE;
		} else {
			sstp_log_notice("TLS send to the server failed: %s",
					gnutls_strerror((int)sent));
			ret = -EIO;
		}
		read_pending_alert(tls);
		goto out;
	}
out:
	return ret;
}

/* The server asked for a TLS 1.2 renegotiation. Its certificate was verified
 * and hashed for the crypto binding: it must not change now. */
static int renegotiate(struct sstp_tls *tls)
{
	const gnutls_datum_t *chain;
	unsigned int chain_len = 0;
	int sys_errno;
	int ret;

	sstp_log_debug("server requested TLS renegotiation");
	ret = run_handshake(tls, sstp_deadline_after(REHANDSHAKE_TIMEOUT_MS), &sys_errno);
	if (ret < 0) {
		sstp_log_notice("TLS renegotiation with the server failed: %s",
				sys_errno ? strerror(sys_errno) : gnutls_strerror(ret));
		return -EIO;
	}
	chain = gnutls_certificate_get_peers(tls->session, &chain_len);
	if (!chain || chain_len == 0 || chain[0].size != tls->leaf_der_len ||
	    memcmp(chain[0].data, tls->leaf_der, tls->leaf_der_len) != 0) {
		sstp_log_error("server presented a different certificate when renegotiating TLS");
		return -EIO;
	}
	return 0;
}

ssize_t sstp_tls_read(struct sstp_tls *tls, void *buf, size_t size, int timeout_ms)
{
	int64_t deadline = sstp_deadline_after(timeout_ms);
	int sys_errno;
	ssize_t ret;

	for (;;) {
		errno = 0;
		ret = gnutls_record_recv(tls->session, buf, size);
		if (ret > 0)
			tls->data_received = true;
		if (ret >= 0)
			return ret;

		switch (ret) {
		case GNUTLS_E_AGAIN:
		case GNUTLS_E_INTERRUPTED:
			/* Decrypted bytes may already be waiting inside
			 * GnuTLS, where poll() cannot see them. */
			if (gnutls_record_check_pending(tls->session) > 0)
				continue;
			ret = wait_for_session(tls, deadline);
			if (ret < 0)
				return ret;
			continue;
		case GNUTLS_E_REHANDSHAKE:
			ret = renegotiate(tls);
			if (ret < 0)
				return ret;
			continue;
		case GNUTLS_E_PREMATURE_TERMINATION:
			/* Windows servers hang up without close_notify. */
			sstp_log_debug("server closed the connection without TLS close_notify");
			return 0;
		case GNUTLS_E_INVALID_SESSION:
			/* Read again after the end was already reported. */
			return 0;
		case GNUTLS_E_PULL_ERROR:
			sys_errno = errno ? errno : EIO;
			sstp_log_debug("TLS receive from server failed: %s", strerror(sys_errno));
			return sys_errno == ECONNRESET || sys_errno == EPIPE ? -ECONNRESET : -EIO;
		case GNUTLS_E_FATAL_ALERT_RECEIVED:
			tls->fatal_alert = true;
			sstp_log_notice("server ended the TLS session with alert: %s",
					gnutls_alert_get_name(gnutls_alert_get(tls->session)));
			return -ECONNRESET;
		default:
			if (!gnutls_error_is_fatal((int)ret)) {
				sstp_log_debug("TLS receive: %s", gnutls_strerror((int)ret));
				continue;
			}
			sstp_log_notice("TLS receive from the server failed: %s",
					gnutls_strerror((int)ret));
			return -EIO;
		}
	}
}

/* Alerts by which a server that asked for our certificate says it will not
 * have it (or our not having one): RFC 8446 6.2, RFC 5246 7.2.2. */
static bool is_certificate_alert(gnutls_alert_description_t alert)
{
	switch (alert) {
	case GNUTLS_A_BAD_CERTIFICATE:
	case GNUTLS_A_UNSUPPORTED_CERTIFICATE:
	case GNUTLS_A_CERTIFICATE_REVOKED:
	case GNUTLS_A_CERTIFICATE_EXPIRED:
	case GNUTLS_A_CERTIFICATE_UNKNOWN:
	case GNUTLS_A_UNKNOWN_CA:
	case GNUTLS_A_ACCESS_DENIED:
	case GNUTLS_A_HANDSHAKE_FAILURE:
	case GNUTLS_A_DECRYPT_ERROR:
	case GNUTLS_A_CERTIFICATE_REQUIRED:
		return true;
	default:
		return false;
	}
}

bool sstp_tls_explain_rejection(const struct sstp_tls *tls, const char *server,
				struct sstp_error *err)
{
	gnutls_alert_description_t alert;
	const char *name;

	if (!tls->session || tls->data_received ||
	    !gnutls_certificate_client_get_request_status(tls->session))
		return false;
	alert = gnutls_alert_get(tls->session);
	if (!is_certificate_alert(alert))
		return false;
	name = gnutls_alert_get_name(alert);
	if (gnutls_certificate_get_ours(tls->session))
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "the SSTP server %s rejected our client certificate (TLS alert: "
			       "%s); check sstp-tls-cert %s: is it issued by a CA the server "
			       "trusts, still valid, and meant for client authentication?",
			       server, name ? name : "unknown", tls->client_cert);
	else if (tls->client_cert)
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "the SSTP server %s asked for a client certificate and refused the "
			       "connection (TLS alert: %s); sstp-tls-cert %s was not sent: it is "
			       "not issued by a CA the server named, or its key type is not one "
			       "the server accepts",
			       server, name ? name : "unknown", tls->client_cert);
	else
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "the SSTP server %s requires a TLS client certificate, and none is "
			       "configured (TLS alert: %s); give one with sstp-tls-cert and "
			       "sstp-tls-key",
			       server, name ? name : "unknown");
	return true;
}

void sstp_tls_close(struct sstp_tls *tls)
{
	if (!tls)
		return;

	if (tls->session) {
		/* leaf_der is set exactly when a handshake has completed:
		 * before that there is no session to close politely. The fd
		 * is non-blocking by then, so this cannot hang. */
		if (tls->leaf_der)
			gnutls_bye(tls->session, GNUTLS_SHUT_WR);
		gnutls_deinit(tls->session);
	}
	free(tls->leaf_der);

	/* A zeroed struct has fd 0 without owning it. Once sstp_tls_open()
	 * has run there is a session unless memory ran out at its start;
	 * only then would a socket that happens to be fd 0 stay open. */
	if (tls->fd > 0 || (tls->fd == 0 && tls->session))
		close(tls->fd);

	tls->session = NULL;
	tls->leaf_der = NULL;
	tls->leaf_der_len = 0;
	tls->fd = -1;
}
