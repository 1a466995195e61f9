/*
 * EAP-TLS keys from pppd 2.4.9's own TLS session (see eaptls-keys.h).
 *
 * The SSL object belongs to the libssl that pppd links, so its functions are
 * looked up in the process with the OpenSSL 3 symbol version rather than
 * linked: that binds to the very library instance that made the object (a
 * second libssl can never be pulled in), the plugin gains no dependency, and
 * a pppd without OpenSSL 3 makes the lookup fail instead of crashing.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "eaptls-keys.h"

#if OPENSSL_VERSION_MAJOR != 3
#error "the lookups below name libssl.so.3's symbol version: build with OpenSSL 3 headers"
#endif
#define OPENSSL3_SYMBOL_VERSION "OPENSSL_3.0.0"

/* pppd 2.4.9 keeps its struct eaptls_session as the SSL's ex_data 0. */
#define PPPD_SESSION_EX_INDEX 0

/* RFC 5216 2.3 (TLS 1.2 and older) and RFC 9190 2.3 (TLS 1.3): the exporter
 * labels, and the 128 bytes of Key_Material (MSK || EMSK); with TLS 1.3 the
 * length enters the derivation, so it must be exactly this. */
#define EAP_TLS_LABEL            "client EAP encryption"
#define EAP_TLS13_LABEL          "EXPORTER_EAP_TLS_Key_Material"
#define EAP_TLS_KEY_MATERIAL_LEN 128

static struct {
	__typeof__(SSL_export_keying_material) *export_keying_material;
	__typeof__(SSL_get_ex_data) *get_ex_data;
	__typeof__(SSL_get_SSL_CTX) *get_ssl_ctx;
	__typeof__(SSL_get_info_callback) *get_info_callback;
	__typeof__(SSL_CTX_get_info_callback) *ctx_get_info_callback;
	__typeof__(SSL_set_info_callback) *set_info_callback;
	__typeof__(SSL_is_server) *is_server;
	__typeof__(SSL_is_init_finished) *is_init_finished;
	__typeof__(SSL_version) *version;
} ossl;
static bool ossl_resolved;

static uint8_t msk_send[SSTP_EAPTLS_KEY_LEN], msk_recv[SSTP_EAPTLS_KEY_LEN];
static bool have_keys;
static const char *problem = "pppd started no EAP-TLS session on this link";

#define RESOLVE(field, name)                                                                       \
	(ossl.field = (__typeof__(ossl.field))dlvsym(RTLD_DEFAULT, #name, OPENSSL3_SYMBOL_VERSION))

static int resolve_openssl(void)
{
	if (ossl_resolved)
		return 0;
	if (!RESOLVE(export_keying_material, SSL_export_keying_material) ||
	    !RESOLVE(get_ex_data, SSL_get_ex_data) || !RESOLVE(get_ssl_ctx, SSL_get_SSL_CTX) ||
	    !RESOLVE(get_info_callback, SSL_get_info_callback) ||
	    !RESOLVE(ctx_get_info_callback, SSL_CTX_get_info_callback) ||
	    !RESOLVE(set_info_callback, SSL_set_info_callback) ||
	    !RESOLVE(is_server, SSL_is_server) ||
	    !RESOLVE(is_init_finished, SSL_is_init_finished) || !RESOLVE(version, SSL_version))
		return -ENOENT;
	ossl_resolved = true;
	return 0;
}

void sstp_eaptls_forget(void)
{
	gnutls_memset(msk_send, 0, sizeof(msk_send));
	gnutls_memset(msk_recv, 0, sizeof(msk_recv));
	have_keys = false;
}

void sstp_eaptls_refuse(const char *why)
{
	sstp_eaptls_forget();
	problem = why;
}

/* The same export pppd 2.4.9's eaptls_gen_mppe_keys() makes, so that the
 * compat header can check our keys against the 16 bytes pppd kept. pppd
 * passes the EAP type as the TLS 1.3 context but with use_context 0, which
 * OpenSSL ignores: its TLS 1.3 keys (those of any pppd-based server too)
 * have an empty context, unlike RFC 9190 2.3's. We bind with what the
 * server's pppd derives. */
static void export_keys(SSL *ssl)
{
	uint8_t material[EAP_TLS_KEY_MATERIAL_LEN];
	int version = ossl.version(ssl);
	const char *label;

	if (version == TLS1_3_VERSION) {
		label = EAP_TLS13_LABEL;
	} else if (version >= TLS1_VERSION && version <= TLS1_2_VERSION) {
		label = EAP_TLS_LABEL;
	} else {
		problem = "pppd's EAP-TLS session negotiated an unexpected TLS version";
		return;
	}
	if (ossl.export_keying_material(ssl, material, sizeof(material), label, strlen(label), NULL,
					0, 0) != 1) {
		problem = "OpenSSL could not export pppd's EAP-TLS keying material";
		return;
	}
	/* RFC 5216 2.3: the client's send key is MSK[0..31], its receive key
	 * MSK[32..63], as pppd assigns them. */
	memcpy(msk_send, material, SSTP_EAPTLS_KEY_LEN);
	memcpy(msk_recv, material + SSTP_EAPTLS_KEY_LEN, SSTP_EAPTLS_KEY_LEN);
	gnutls_memset(material, 0, sizeof(material));
	have_keys = true;
}

/* OpenSSL calls this inside pppd's own handshake steps, while the session
 * is alive. With TLS 1.3 "done" comes again after each post-handshake
 * message (NewSessionTicket); the export gives the same keys each time. */
static void on_tls_state(const SSL *ssl, int where, int ret)
{
	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE) || !ossl.is_init_finished(ssl))
		return;
	/* Our callback, on pppd's non-const object: OpenSSL's type adds the const. */
	export_keys((SSL *)ssl);
}

int sstp_eaptls_watch(struct ssl_st *ssl, struct ssl_ctx_st *ctx, const void *session)
{
	sstp_eaptls_forget();
	if (resolve_openssl() < 0) {
		problem = "pppd has no OpenSSL 3 library loaded";
		return -ENOENT;
	}
	/* Cross-checks that the pointers read from pppd's struct are the
	 * session pppd made: a wrong layout fails here. */
	if (!ssl || !ctx || ossl.get_ssl_ctx(ssl) != ctx ||
	    ossl.get_ex_data(ssl, PPPD_SESSION_EX_INDEX) != session) {
		problem = "pppd's EAP-TLS session does not look as pppd 2.4.9 lays it out";
		return -EPROTO;
	}
	if (ossl.is_server(ssl) || ossl.is_init_finished(ssl)) {
		problem = "pppd's EAP-TLS session is not a client handshake in progress";
		return -EPROTO;
	}
	/* pppd sets no info callback; never replace someone else's. */
	if (ossl.get_info_callback(ssl) || ossl.ctx_get_info_callback(ctx)) {
		problem = "pppd's EAP-TLS session already has an OpenSSL info callback";
		return -EBUSY;
	}
	ossl.set_info_callback(ssl, on_tls_state);
	problem = "pppd's EAP-TLS handshake did not finish";
	return 0;
}

int sstp_eaptls_take_keys(uint8_t send_key[SSTP_EAPTLS_KEY_LEN],
			  uint8_t recv_key[SSTP_EAPTLS_KEY_LEN])
{
	if (!have_keys)
		return -ENOENT;
	memcpy(send_key, msk_send, SSTP_EAPTLS_KEY_LEN);
	memcpy(recv_key, msk_recv, SSTP_EAPTLS_KEY_LEN);
	sstp_eaptls_forget();
	problem = "the EAP-TLS keys were already used";
	return 0;
}

const char *sstp_eaptls_problem(void)
{
	return problem;
}
