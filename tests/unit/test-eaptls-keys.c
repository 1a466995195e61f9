/* The pppd 2.4.9 EAP-TLS key watch (plugin/eaptls-keys.c) on real OpenSSL
 * handshakes in memory, TLS 1.2 and 1.3: the session checks refuse what is
 * not a fresh client session of pppd's, and the keys are exactly the export
 * pppd makes, the same on both ends. Built for pppd 2.4.9 only. */
#include <errno.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "eaptls-keys.h"
#include "unit.h"

#define KEY_MATERIAL_LEN 128
#define CERT_DAYS_S      (24 * 60 * 60)

/* What pppd keeps as the SSL's ex_data 0: any object will do here. */
static int pppd_session;

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *cert = X509_new();
	X509_NAME *name = X509_get_subject_name(cert);

	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), CERT_DAYS_S);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"work", -1, -1,
				   0);
	X509_set_issuer_name(cert, name);
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	return cert;
}

/* Drives both ends until neither has anything left to do. */
static void handshake(SSL *client, SSL *server)
{
	int round;

	for (round = 0; round < 20; round++) {
		SSL_do_handshake(client);
		SSL_do_handshake(server);
		if (SSL_is_init_finished(client) && SSL_is_init_finished(server))
			break;
	}
	/* TLS 1.3: let the client read the server's NewSessionTicket too. */
	{
		char byte;

		SSL_read(client, &byte, 1);
	}
}

static void run(int version, const char *label)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = self_signed(key);
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX *other_ctx = SSL_CTX_new(TLS_client_method());
	SSL *client, *server, *busy;
	BIO *cbio, *sbio;
	uint8_t send_key[SSTP_EAPTLS_KEY_LEN], recv_key[SSTP_EAPTLS_KEY_LEN];
	uint8_t pppd_client[KEY_MATERIAL_LEN], pppd_server[KEY_MATERIAL_LEN];
	uint8_t rfc9190[KEY_MATERIAL_LEN];
	const unsigned char eap_type_tls = 13;
	int other;

	SSL_CTX_use_certificate(sctx, cert);
	SSL_CTX_use_PrivateKey(sctx, key);
	SSL_CTX_set_max_proto_version(cctx, version);
	SSL_CTX_set_max_proto_version(sctx, version);
	client = SSL_new(cctx);
	server = SSL_new(sctx);
	BIO_new_bio_pair(&cbio, 0, &sbio, 0);
	SSL_set_bio(client, cbio, cbio);
	SSL_set_bio(server, sbio, sbio);
	SSL_set_connect_state(client);
	SSL_set_accept_state(server);
	SSL_set_ex_data(client, 0, &pppd_session);
	SSL_set_ex_data(server, 0, &pppd_session);

	/* Not pppd's session, or not laid out as pppd 2.4.9's. */
	CHECK_INT(sstp_eaptls_watch(client, other_ctx, &pppd_session), -EPROTO);
	CHECK_STR(sstp_eaptls_problem(),
		  "pppd's EAP-TLS session does not look as pppd 2.4.9 lays it out");
	CHECK_INT(sstp_eaptls_watch(client, cctx, &other), -EPROTO);
	CHECK_INT(sstp_eaptls_watch(client, NULL, &pppd_session), -EPROTO);
	CHECK_INT(sstp_eaptls_watch(NULL, cctx, &pppd_session), -EPROTO);
	/* A server connection. */
	CHECK_INT(sstp_eaptls_watch(server, sctx, &pppd_session), -EPROTO);
	CHECK_STR(sstp_eaptls_problem(),
		  "pppd's EAP-TLS session is not a client handshake in progress");
	/* Someone else's info callback stays. */
	busy = SSL_new(cctx);
	SSL_set_ex_data(busy, 0, &pppd_session);
	SSL_set_info_callback(busy, (void (*)(const SSL *, int, int))SSL_version);
	CHECK_INT(sstp_eaptls_watch(busy, cctx, &pppd_session), -EBUSY);
	SSL_free(busy);

	CHECK_INT(sstp_eaptls_watch(client, cctx, &pppd_session), 0);
	CHECK_INT(sstp_eaptls_take_keys(send_key, recv_key), -ENOENT);
	CHECK_STR(sstp_eaptls_problem(), "pppd's EAP-TLS handshake did not finish");
	handshake(client, server);
	CHECK_INT(SSL_version(client), version);

	/* pppd's own export (eaptls_gen_mppe_keys), on each end. */
	SSL_export_keying_material(client, pppd_client, sizeof(pppd_client), label, strlen(label),
				   &eap_type_tls, 1, 0);
	SSL_export_keying_material(server, pppd_server, sizeof(pppd_server), label, strlen(label),
				   &eap_type_tls, 1, 0);
	CHECK_MEM(pppd_client, pppd_server, sizeof(pppd_client));
	CHECK_INT(sstp_eaptls_take_keys(send_key, recv_key), 0);
	CHECK_MEM(send_key, pppd_client, SSTP_EAPTLS_KEY_LEN);
	CHECK_MEM(recv_key, pppd_client + SSTP_EAPTLS_KEY_LEN, SSTP_EAPTLS_KEY_LEN);
	/* Taken once, then wiped. */
	CHECK_INT(sstp_eaptls_take_keys(send_key, recv_key), -ENOENT);
	/* The same export with RFC 9190's context differs for TLS 1.3 only:
	 * pppd's use_context 0 drops it. */
	SSL_export_keying_material(client, rfc9190, sizeof(rfc9190), label, strlen(label),
				   &eap_type_tls, 1, 1);
	if (version == TLS1_3_VERSION)
		CHECK(memcmp(rfc9190, pppd_client, sizeof(rfc9190)) != 0);
	/* A finished handshake is not one pppd has just started. */
	CHECK_INT(sstp_eaptls_watch(client, cctx, &pppd_session), -EPROTO);

	SSL_free(client);
	SSL_free(server);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	SSL_CTX_free(other_ctx);
	X509_free(cert);
	EVP_PKEY_free(key);
}

int main(void)
{
	run(TLS1_2_VERSION, "client EAP encryption");
	run(TLS1_3_VERSION, "EXPORTER_EAP_TLS_Key_Material");
	return unit_finish("test-eaptls-keys");
}
