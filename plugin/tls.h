/* TLS to the SSTP server with GnuTLS: strict certificate checks, SNI, and the
 * leaf certificate kept for the crypto binding. */
#ifndef SSTP_TLS_H
#define SSTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#include "error.h"

struct sstp_tls_config {
	const char *server_name; /* what was dialled: SNI (unless an IP literal) and name check */
	const char *ca_file;     /* PEM bundle; NULL: the system trust store */
	const char *priority;    /* GnuTLS priority string; NULL:
				    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" */
	/* Public key pins, ';'-separated: "sha256:" (or curl's "sha256//", or
	 * "pin-sha256:" as certtool prints it) and the base64 SHA-256 of the
	 * DER SubjectPublicKeyInfo. NULL: no pinning. When set, the server's
	 * key must match one of them in addition to the CA checks. */
	const char *cert_pin;
	bool pin_only;        /* the pin alone decides: no CA, date, name or EKU check */
	const char *crl_file; /* PEM CRLs to check the chain against; NULL: none */
	/* TLS client authentication; NULL: none. client_cert is a PEM
	 * certificate (chain) whose key is in client_key, or a PKCS#12 file
	 * (told by its content: DER, not PEM text) that holds both, with
	 * client_key NULL. The key, or the PKCS#12, must be a root-only file.
	 * key_password unlocks an encrypted PEM key or the PKCS#12. */
	const char *client_cert;
	const char *client_key;
	const char *key_password;
	/* sstp-ocsp-stapling require: refuse a server that staples no valid
	 * OCSP response for its certificate (one that staples an invalid or
	 * revoked response is refused either way). */
	bool ocsp_require;
	/* For sstp_tls_open(): what sstp_tls_trust_load() made of the above. */
	const struct sstp_tls_trust *trust;
};

/*
 * The files and strings of the configuration, loaded once before any
 * dialling (in pppd's check_options, as root): the CA certificates (or the
 * system store) and CRLs in one credentials object, and the compiled
 * priority string. The helper process inherits them over fork(), so that it
 * never opens a file, and every redial reuses them.
 */
struct sstp_tls_trust {
	gnutls_certificate_credentials_t credentials;
	gnutls_priority_t priority;
};

/*
 * Loads ca_file (or the system trust store unless pin_only without a CA
 * file), crl_file, the client certificate and key, and priority from cfg,
 * and checks the syntax of cert_pin ("sha256:" and 44 base64 characters,
 * ';' between several). The key's bytes are wiped once GnuTLS has them;
 * cfg->key_password is the caller's to wipe. On failure
 * returns a negative errno, with err naming the option and the fix.
 */
int sstp_tls_trust_load(struct sstp_tls_trust *trust, const struct sstp_tls_config *cfg,
			struct sstp_error *err);
void sstp_tls_trust_free(struct sstp_tls_trust *trust);

struct sstp_tls {
	gnutls_session_t session; /* with cfg->trust's credentials, not owned */
	int fd;
	uint8_t *leaf_der; /* DER of the server's end-entity certificate */
	size_t leaf_der_len;
	const char *client_cert; /* cfg->client_cert, for messages */
	bool data_received;      /* any application data from the server yet */
	bool fatal_alert;        /* the server ended the session with a fatal alert */
};

/*
 * Makes fd non-blocking and runs the handshake on it (bounded by
 * timeout_ms) and verifies the server: chain to a trusted CA, validity
 * dates, host name against SAN/CN (wildcards, IP addresses), serverAuth EKU.
 * On failure returns a negative errno with err naming the reason, e.g.
 * "server certificate for vpn.example.com is not trusted: signer not found".
 * tls->fd is set to fd in either case; sstp_tls_close() closes it.
 */
int sstp_tls_open(struct sstp_tls *tls, int fd, const struct sstp_tls_config *cfg, int timeout_ms,
		  struct sstp_error *err);

/* Writes all bytes, waiting in poll() on EAGAIN, bounded by timeout_ms.
 * 0 or a negative errno (-ETIMEDOUT, -EPIPE for a closed connection, -EIO);
 * after a failure, sstp_tls_explain_rejection() may know why. */
int sstp_tls_write_all(struct sstp_tls *tls, const void *buf, size_t len, int timeout_ms);

/* Reads what is available, waiting up to timeout_ms for the first byte.
 * Returns bytes read, 0 for a clean close by the server, or a negative errno
 * (-ETIMEDOUT, -ECONNRESET, -EIO). */
ssize_t sstp_tls_read(struct sstp_tls *tls, void *buf, size_t size, int timeout_ms);

/*
 * After a read or write failed: if the server ended the session with a fatal alert
 * before sending any data, after asking for our certificate (with TLS 1.3
 * its verdict on the certificate comes only after our handshake is done),
 * sets err to say that it refused our certificate, or that we sent none,
 * naming the alert. Returns whether it did.
 */
bool sstp_tls_explain_rejection(const struct sstp_tls *tls, const char *server,
				struct sstp_error *err);

/* Sends close_notify if possible (without waiting long), frees everything, closes fd. */
void sstp_tls_close(struct sstp_tls *tls);

#endif
