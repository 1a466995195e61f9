/* SSTP crypto binding (MS-SSTP 3.2.5.2): HLAK, CMK, Compound MAC and the
 * Call Connected message. No I/O; the primitives come from GnuTLS. */
#ifndef SSTP_CRYPTO_BINDING_H
#define SSTP_CRYPTO_BINDING_H

#include <stddef.h>
#include <stdint.h>

#include "sstp-codec.h"

#define SSTP_HLAK_LEN 32

/* How the PPP authentication produced (or did not produce) keys. */
enum sstp_key_source {
	SSTP_KEYS_NONE,    /* PAP, CHAP-MD5, no authentication: zero HLAK */
	SSTP_KEYS_MSCHAP,  /* MS-CHAPv2, EAP-MSCHAPv2: send[0..15] || recv[0..15] */
	SSTP_KEYS_EAP_MSK, /* EAP-TLS and other EAP: first 32 bytes of the send key */
};

/* Fills hlak per MS-SSTP 3.2.5.2 (MS-CHAPv2 keys as RFC 3079 3.3-3.5 derive
 * them on the client side). Short keys are zero-padded. */
void sstp_hlak_build(uint8_t hlak[SSTP_HLAK_LEN], enum sstp_key_source source,
		     const uint8_t *send_key, size_t send_len, const uint8_t *recv_key,
		     size_t recv_len);

/* SHA-256 when offered, else SHA-1, else 0 (nothing usable offered). */
uint8_t sstp_choose_hash(uint8_t bitmask);

/* Digest of the leaf certificate's DER, zero-padded to 32 bytes. 0 or -EINVAL/-EIO. */
int sstp_cert_hash(uint8_t hash_protocol, const uint8_t *der, size_t der_len,
		   uint8_t out[SSTP_CERT_HASH_FIELD_LEN]);

/*
 * The Compound MAC Key: 20 (SHA-1) or 32 (SHA-256) bytes, zero-padded to 32.
 * Exposed for tests against the published vectors; the caller wipes it.
 * Returns 0, or -EINVAL/-EIO.
 */
int sstp_cmk_derive(uint8_t cmk[SSTP_MAC_FIELD_LEN], uint8_t hash_protocol,
		    const uint8_t hlak[SSTP_HLAK_LEN]);

/*
 * Builds the complete 112-byte Call Connected message with its Compound MAC.
 * The CMK is wiped before returning. Returns 0, or -EINVAL/-EIO.
 */
int sstp_build_call_connected(uint8_t msg[SSTP_CALL_CONNECTED_LEN], uint8_t hash_protocol,
			      const uint8_t nonce[SSTP_NONCE_LEN],
			      const uint8_t cert_hash[SSTP_CERT_HASH_FIELD_LEN],
			      const uint8_t hlak[SSTP_HLAK_LEN]);

#endif
