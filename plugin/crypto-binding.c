/* SSTP crypto binding (MS-SSTP 3.2.5.2, 2.2.7, 4.7). */
#include <errno.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "crypto-binding.h"

#define SHA1_LEN       20
#define SHA256_LEN     32
#define MSCHAP_KEY_LEN 16

/* MS-SSTP 3.2.5.2: the CMK is T1 of a PRF keyed with the HLAK. */
#define CMK_SEED          "SSTP inner method derived CMK"
#define CMK_SEED_LEN      (sizeof(CMK_SEED) - 1)
#define CMK_PRF_INPUT_LEN (CMK_SEED_LEN + 3) /* + 2-byte length + iteration 0x01 */

/* Offsets in the Call Connected message (MS-SSTP 2.2.11, 2.2.7). */
#define CC_HASH_PROTOCOL 15
#define CC_NONCE         16
#define CC_CERT_HASH     48
#define CC_MAC           80

static void copy_padded(uint8_t *dst, size_t dst_len, const uint8_t *src, size_t src_len)
{
	size_t n = !src ? 0 : src_len < dst_len ? src_len : dst_len;

	if (n)
		memcpy(dst, src, n);
	memset(dst + n, 0, dst_len - n);
}

void sstp_hlak_build(uint8_t hlak[SSTP_HLAK_LEN], enum sstp_key_source source,
		     const uint8_t *send_key, size_t send_len, const uint8_t *recv_key,
		     size_t recv_len)
{
	switch (source) {
	case SSTP_KEYS_MSCHAP:
		/* pppd 2.5 hands over 20-byte keys (whole SHA-1 digests); only
		 * the 16-byte master keys of RFC 3079 belong in the HLAK. */
		copy_padded(hlak, MSCHAP_KEY_LEN, send_key, send_len);
		copy_padded(hlak + MSCHAP_KEY_LEN, MSCHAP_KEY_LEN, recv_key, recv_len);
		break;
	case SSTP_KEYS_EAP_MSK:
		copy_padded(hlak, SSTP_HLAK_LEN, send_key, send_len);
		break;
	case SSTP_KEYS_NONE:
	default:
		memset(hlak, 0, SSTP_HLAK_LEN);
		break;
	}
}

uint8_t sstp_choose_hash(uint8_t bitmask)
{
	if (bitmask & SSTP_HASH_SHA256)
		return SSTP_HASH_SHA256;
	if (bitmask & SSTP_HASH_SHA1)
		return SSTP_HASH_SHA1;
	return 0;
}

/* The one hash protocol value selects digest, PRF and HMAC alike. */
static int hash_algorithms(uint8_t hash_protocol, gnutls_digest_algorithm_t *digest,
			   gnutls_mac_algorithm_t *mac, size_t *len)
{
	switch (hash_protocol) {
	case SSTP_HASH_SHA1:
		*digest = GNUTLS_DIG_SHA1;
		*mac = GNUTLS_MAC_SHA1;
		*len = SHA1_LEN;
		return 0;
	case SSTP_HASH_SHA256:
		*digest = GNUTLS_DIG_SHA256;
		*mac = GNUTLS_MAC_SHA256;
		*len = SHA256_LEN;
		return 0;
	}
	return -EINVAL;
}

int sstp_cert_hash(uint8_t hash_protocol, const uint8_t *der, size_t der_len,
		   uint8_t out[SSTP_CERT_HASH_FIELD_LEN])
{
	gnutls_digest_algorithm_t digest;
	gnutls_mac_algorithm_t mac;
	size_t len;

	memset(out, 0, SSTP_CERT_HASH_FIELD_LEN);
	if (hash_algorithms(hash_protocol, &digest, &mac, &len) < 0 || (!der && der_len))
		return -EINVAL;
	if (gnutls_hash_fast(digest, der, der_len, out) < 0) {
		memset(out, 0, SSTP_CERT_HASH_FIELD_LEN);
		return -EIO;
	}
	return 0;
}

int sstp_cmk_derive(uint8_t cmk[SSTP_MAC_FIELD_LEN], uint8_t hash_protocol,
		    const uint8_t hlak[SSTP_HLAK_LEN])
{
	uint8_t prf_input[CMK_PRF_INPUT_LEN];
	gnutls_digest_algorithm_t digest;
	gnutls_mac_algorithm_t mac;
	size_t hash_len;

	memset(cmk, 0, SSTP_MAC_FIELD_LEN);
	if (hash_algorithms(hash_protocol, &digest, &mac, &hash_len) < 0)
		return -EINVAL;

	/* The PRF length field is little-endian: the MS-SSTP 4.7 example and
	 * every interoperable peer agree, big-endian does not verify. */
	memcpy(prf_input, CMK_SEED, CMK_SEED_LEN);
	prf_input[CMK_SEED_LEN] = (uint8_t)hash_len;
	prf_input[CMK_SEED_LEN + 1] = 0;
	prf_input[CMK_SEED_LEN + 2] = 0x01;

	if (gnutls_hmac_fast(mac, hlak, SSTP_HLAK_LEN, prf_input, sizeof(prf_input), cmk) < 0) {
		gnutls_memset(cmk, 0, SSTP_MAC_FIELD_LEN);
		return -EIO;
	}
	return 0;
}

static void build_call_connected_fields(uint8_t msg[SSTP_CALL_CONNECTED_LEN], uint8_t hash_protocol,
					const uint8_t nonce[SSTP_NONCE_LEN],
					const uint8_t cert_hash[SSTP_CERT_HASH_FIELD_LEN],
					size_t hash_len)
{
	static const uint8_t header[CC_HASH_PROTOCOL] = {
	    SSTP_VERSION, 0x01,
	    0x00,         SSTP_CALL_CONNECTED_LEN, /* control packet */
	    0x00,         SSTP_MSG_CALL_CONNECTED,
	    0x00,         0x01, /* type, one attribute */
	    0x00,         SSTP_ATTR_CRYPTO_BINDING,
	    0x00,         0x68, /* 104-byte attribute */
	    0x00,         0x00,
	    0x00, /* reserved */
	};

	memset(msg, 0, SSTP_CALL_CONNECTED_LEN);
	memcpy(msg, header, sizeof(header));
	msg[CC_HASH_PROTOCOL] = hash_protocol;
	memcpy(msg + CC_NONCE, nonce, SSTP_NONCE_LEN);
	/* A SHA-1 digest is padded with zeros whatever the caller left there:
	 * the peer hashes the padding into its MAC too. */
	memcpy(msg + CC_CERT_HASH, cert_hash, hash_len);
}

int sstp_build_call_connected(uint8_t msg[SSTP_CALL_CONNECTED_LEN], uint8_t hash_protocol,
			      const uint8_t nonce[SSTP_NONCE_LEN],
			      const uint8_t cert_hash[SSTP_CERT_HASH_FIELD_LEN],
			      const uint8_t hlak[SSTP_HLAK_LEN])
{
	uint8_t cmk[SSTP_MAC_FIELD_LEN];
	uint8_t mac[SHA256_LEN];
	gnutls_digest_algorithm_t digest;
	gnutls_mac_algorithm_t mac_alg;
	size_t hash_len;
	int ret;

	if (hash_algorithms(hash_protocol, &digest, &mac_alg, &hash_len) < 0)
		return -EINVAL;

	/* The MAC field is zero while the MAC is computed over the message. */
	build_call_connected_fields(msg, hash_protocol, nonce, cert_hash, hash_len);

	ret = sstp_cmk_derive(cmk, hash_protocol, hlak);
	if (!ret && gnutls_hmac_fast(mac_alg, cmk, hash_len, msg, SSTP_CALL_CONNECTED_LEN, mac) < 0)
		ret = -EIO;
	gnutls_memset(cmk, 0, sizeof(cmk));

	if (ret) {
		/* Never leave a half-built message around to be sent. */
		memset(msg, 0, SSTP_CALL_CONNECTED_LEN);
		return ret;
	}
	memcpy(msg + CC_MAC, mac, hash_len);
	return 0;
}
