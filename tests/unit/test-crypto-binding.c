/* Crypto binding against MS-SSTP 4.7, captures of real clients and the
 * RFC 2759 / RFC 3079 3.5.3 sample credentials. */
#include <errno.h>

#include "crypto-binding.h"
#include "unit.h"

/* V1: MS-SSTP 4.7 */
static const char v1_nonce[] = "412b489aebd7ecc7d08966f26be7cd72b231a0e9210d7c91b308862b0344c435";
static const char v1_cert[] = "7993ef314c493dace9f02d60e7e61c84b6690aafe9d7aeea92cbbe8ad599422d";
static const char v1_hlak[] = "2A 1B B4 0D 55 AB 0F 5E F3 2F 06 F2 B3 CC 73 C4"
			      "8F D3 FA C4 1D 7A 13 15 A1 92 28 D9 02 4C A1 64";
static const char v1_cmk[] = "EC F5 9A C9 FE 15 5C F0 A9 E7 D6 6A DC 1B 36 3C"
			     "1A D7 BA 91 A9 21 7F 0C EC 2A 53 42 98 82 8D F6";
static const char v1_msg[] =
    "10010070000400010003006800000002412b489aebd7ecc7d08966f26be7cd72b231a0e9210d7c91b308862b"
    "0344c4357993ef314c493dace9f02d60e7e61c84b6690aafe9d7aeea92cbbe8ad599422d52a68efd8cffbf52"
    "770b8f0fe8ec73716583af6d611eb6d179b3b20840985449";

/* V2: SHA-1 capture */
static const char v2_hlak[] = "4B 31 28 F4 39 25 D9 00 6E EF B1 C4 E8 65 15 A1"
			      "D8 8E 56 BA B3 CA 2B DF 03 73 B7 F5 A8 A1 3B 19";
static const char v2_nonce[] = "0F 1A 2D 58 D4 A3 E3 00 0F AD 3C E4 90 6E 07 B7"
			       "07 AA 9E 44 1C CE AC 5C BD 7B 2C C1 C9 D8 6C DF";
static const char v2_cert[] = "58 26 B6 29 BD A5 9B 8E 6F D8 DC D2 62 2F D3 4C 53 48 05 A5"
			      "00 00 00 00 00 00 00 00 00 00 00 00";
static const char v2_cmk[] = "A9 8B 86 2A 38 CC 7E 22 4B 42 CD 12 85 86 AC B2 2F 0B D1 E9";
static const char v2_msg[] =
    "100100700004000100030068000000010f1a2d58d4a3e3000fad3ce4906e07b707aa9e441cceac5cbd7b2cc1"
    "c9d86cdf5826b629bda59b8e6fd8dcd2622fd34c534805a500000000000000000000000069915dd583d8062f"
    "ef16f61db2f03290ec27cb6c000000000000000000000000";

struct binding {
	uint8_t hash_protocol;
	uint8_t nonce[SSTP_NONCE_LEN];
	uint8_t cert[SSTP_CERT_HASH_FIELD_LEN];
	uint8_t hlak[SSTP_HLAK_LEN];
};

static void load(struct binding *b, uint8_t hash_protocol, const char *nonce, const char *cert,
		 const char *hlak)
{
	memset(b, 0, sizeof(*b));
	b->hash_protocol = hash_protocol;
	unit_hex(nonce, b->nonce, sizeof(b->nonce));
	unit_hex(cert, b->cert, sizeof(b->cert));
	if (hlak)
		unit_hex(hlak, b->hlak, sizeof(b->hlak));
}

/* Builds the Call Connected for b and compares its MAC field with mac_hex. */
static void check_mac(const struct binding *b, const char *mac_hex)
{
	uint8_t msg[SSTP_CALL_CONNECTED_LEN];
	uint8_t expected[SSTP_MAC_FIELD_LEN] = {0};

	unit_hex(mac_hex, expected, sizeof(expected));
	CHECK_INT(sstp_build_call_connected(msg, b->hash_protocol, b->nonce, b->cert, b->hlak), 0);
	CHECK_MEM(msg + 80, expected, SSTP_MAC_FIELD_LEN);
}

static void check_cmk(uint8_t hash_protocol, const uint8_t hlak[SSTP_HLAK_LEN], const char *cmk_hex)
{
	uint8_t cmk[SSTP_MAC_FIELD_LEN];
	uint8_t expected[SSTP_MAC_FIELD_LEN] = {0};

	unit_hex(cmk_hex, expected, sizeof(expected));
	memset(cmk, 0xaa, sizeof(cmk));
	CHECK_INT(sstp_cmk_derive(cmk, hash_protocol, hlak), 0);
	CHECK_MEM(cmk, expected, sizeof(cmk));
}

static void test_v1(void)
{
	struct binding b;
	uint8_t msg[SSTP_CALL_CONNECTED_LEN], expected[SSTP_CALL_CONNECTED_LEN];

	load(&b, SSTP_HASH_SHA256, v1_nonce, v1_cert, v1_hlak);
	unit_hex(v1_msg, expected, sizeof(expected));
	check_cmk(SSTP_HASH_SHA256, b.hlak, v1_cmk);
	memset(msg, 0xaa, sizeof(msg));
	CHECK_INT(sstp_build_call_connected(msg, b.hash_protocol, b.nonce, b.cert, b.hlak), 0);
	CHECK_MEM(msg, expected, sizeof(msg));
}

static void test_v1_swapped_hlak(void)
{
	struct binding b, swapped;
	uint8_t msg[SSTP_CALL_CONNECTED_LEN], expected[SSTP_CALL_CONNECTED_LEN];

	load(&b, SSTP_HASH_SHA256, v1_nonce, v1_cert, v1_hlak);
	swapped = b;
	memcpy(swapped.hlak, b.hlak + 16, 16);
	memcpy(swapped.hlak + 16, b.hlak, 16);
	unit_hex(v1_msg, expected, sizeof(expected));
	CHECK_INT(sstp_build_call_connected(msg, swapped.hash_protocol, swapped.nonce, swapped.cert,
					    swapped.hlak),
		  0);
	CHECK(memcmp(msg + 80, expected + 80, 32) != 0);
	/* the value the document gives for the wrong order */
	CHECK_MEM(msg + 80, "\xcc\xe9\xc1\x8a", 4);
	CHECK_MEM(msg, expected, 80);
}

static void test_v2(void)
{
	struct binding b;
	uint8_t msg[SSTP_CALL_CONNECTED_LEN], expected[SSTP_CALL_CONNECTED_LEN];

	load(&b, SSTP_HASH_SHA1, v2_nonce, v2_cert, v2_hlak);
	unit_hex(v2_msg, expected, sizeof(expected));
	check_cmk(SSTP_HASH_SHA1, b.hlak, v2_cmk);
	CHECK_INT(sstp_build_call_connected(msg, b.hash_protocol, b.nonce, b.cert, b.hlak), 0);
	CHECK_MEM(msg, expected, sizeof(msg));

	/* whatever the caller left in the padding of a SHA-1 cert hash, the
	 * message carries zeros there */
	memset(b.cert + 20, 0xff, 12);
	memset(msg, 0xaa, sizeof(msg));
	CHECK_INT(sstp_build_call_connected(msg, b.hash_protocol, b.nonce, b.cert, b.hlak), 0);
	CHECK_MEM(msg, expected, sizeof(msg));
}

static void test_v3_eap_tls(void)
{
	static const char send_key[] = "BB 2C 17 ED BA A6 43 B3 D5 11 EB 98 48 79 2B 7C"
				       "AB 5F 5D 70 9F E9 BD F8 9B 5D EA F5 A8 C1 7D B7";
	uint8_t key[64];
	struct binding b;
	size_t key_len;

	load(&b, SSTP_HASH_SHA256,
	     "38 8A 1E CB F3 02 BA 02 F9 F3 72 CE 37 48 8E C3 6B 71 A2 8B 5E 1B 19 FB E4 4D 54 65 "
	     "A6 31 C4 63",
	     "7F F1 50 17 6F A8 E3 8A 1F 40 2D 11 FF 89 FF 11 B6 65 05 AD 7F 9A E8 12 05 27 7B A4 "
	     "A6 B9 EF 9D",
	     NULL);
	key_len = unit_hex(send_key, key, sizeof(key));
	sstp_hlak_build(b.hlak, SSTP_KEYS_EAP_MSK, key, key_len, NULL, 0);
	CHECK_MEM(b.hlak, key, SSTP_HLAK_LEN);
	check_mac(&b, "FE 64 73 C7 D1 83 91 4E 48 3F EA 1B 12 A6 E7 60"
		      "A4 DA 16 B6 2F AB 12 A0 A1 E5 4E 0E C3 25 B2 4E");

	/* a longer MSK: only its first 32 bytes count */
	memset(key + 32, 0x5a, 32);
	sstp_hlak_build(b.hlak, SSTP_KEYS_EAP_MSK, key, 64, key + 40, 16);
	check_mac(&b, "FE 64 73 C7 D1 83 91 4E 48 3F EA 1B 12 A6 E7 60"
		      "A4 DA 16 B6 2F AB 12 A0 A1 E5 4E 0E C3 25 B2 4E");
}

static void test_v4_mschapv2(void)
{
	static const char send_key[] = "D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26";
	static const char recv_key[] = "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB";
	uint8_t send[20], recv[20], expected[SSTP_HLAK_LEN];
	struct binding b;

	unit_hex(send_key, send, sizeof(send));
	unit_hex(recv_key, recv, sizeof(recv));
	unit_hex("D5 F0 E9 52 1E 3E A9 58 96 45 E8 60 51 C8 22 26"
		 "8B 7C DC 14 9B 99 3A 1B A1 18 CB 15 3F 56 DC CB",
		 expected, sizeof(expected));

	load(&b, SSTP_HASH_SHA256, v1_nonce, v1_cert, NULL);
	sstp_hlak_build(b.hlak, SSTP_KEYS_MSCHAP, send, 16, recv, 16);
	CHECK_MEM(b.hlak, expected, SSTP_HLAK_LEN);
	/* pppd 2.5 hands over 20-byte keys: the extra bytes are not used */
	memset(send + 16, 0xee, 4);
	memset(recv + 16, 0xdd, 4);
	memset(b.hlak, 0x77, sizeof(b.hlak));
	sstp_hlak_build(b.hlak, SSTP_KEYS_MSCHAP, send, 20, recv, 20);
	CHECK_MEM(b.hlak, expected, SSTP_HLAK_LEN);

	check_cmk(SSTP_HASH_SHA1, b.hlak,
		  "3A FB FF 0B A7 9D D9 74 3B D0 99 49 FA 99 F9 D0 C9 2D 36 98");
	check_cmk(SSTP_HASH_SHA256, b.hlak,
		  "15 07 07 E6 82 B1 6F 4C A9 43 05 60 C5 62 89 4A"
		  "FD 10 05 0D B4 18 2D 35 C3 E9 E0 62 84 44 52 71");
	check_mac(&b, "FC 0F 8E 27 2D D2 3C 80 52 6C 2A 27 11 58 A1 21"
		      "95 EB 2D F5 97 80 B1 7E 6E F6 41 BA 0F E6 99 D0");

	load(&b, SSTP_HASH_SHA1, v2_nonce, v2_cert, NULL);
	sstp_hlak_build(b.hlak, SSTP_KEYS_MSCHAP, send, 16, recv, 16);
	check_mac(&b, "FF 9D 1B 06 5C BA C8 E7 A7 1A D8 5C AD 75 EE E5 B1 48 90 C9");
}

static void test_v5_zero_hlak(void)
{
	static const uint8_t zeros[SSTP_HLAK_LEN];
	static const uint8_t key[16] = {1, 2, 3};
	struct binding b;

	load(&b, SSTP_HASH_SHA256, v1_nonce, v1_cert, NULL);
	memset(b.hlak, 0x77, sizeof(b.hlak));
	/* keys handed over anyway are ignored */
	sstp_hlak_build(b.hlak, SSTP_KEYS_NONE, key, sizeof(key), key, sizeof(key));
	CHECK_MEM(b.hlak, zeros, SSTP_HLAK_LEN);

	check_cmk(SSTP_HASH_SHA1, b.hlak,
		  "AE 57 1E DE 1E 11 EF B7 BB 85 B8 B4 F0 7E 15 F0 E0 86 76 1A");
	check_cmk(SSTP_HASH_SHA256, b.hlak,
		  "D3 42 EB 00 47 7D 6A 37 E1 A1 84 FB 01 68 CB 3E"
		  "A3 B6 64 5F A0 F2 27 90 4D 20 EE F5 CB 8F 93 27");
	check_mac(&b, "37 35 0A 91 68 E4 69 74 95 F2 F5 35 72 1A F4 2B"
		      "E8 0A 18 5D 6D C4 C4 DC 92 9F 8F 87 E3 04 A6 16");

	load(&b, SSTP_HASH_SHA1, v2_nonce, v2_cert, NULL);
	check_mac(&b, "9A 11 1C 75 6B 84 D9 50 02 C9 37 25 56 C1 81 E0 E5 36 0D A7");
}

static void test_hlak_padding(void)
{
	static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
					12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
					23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
	uint8_t hlak[SSTP_HLAK_LEN], expected[SSTP_HLAK_LEN];

	/* short MS-CHAP keys: each half padded on its own */
	memset(hlak, 0x77, sizeof(hlak));
	memset(expected, 0, sizeof(expected));
	memcpy(expected, key, 10);
	memcpy(expected + 16, key + 20, 3);
	sstp_hlak_build(hlak, SSTP_KEYS_MSCHAP, key, 10, key + 20, 3);
	CHECK_MEM(hlak, expected, sizeof(hlak));

	/* missing keys are zeros */
	memset(hlak, 0x77, sizeof(hlak));
	memset(expected, 0, sizeof(expected));
	sstp_hlak_build(hlak, SSTP_KEYS_MSCHAP, NULL, 0, NULL, 0);
	CHECK_MEM(hlak, expected, sizeof(hlak));
	memset(hlak, 0x77, sizeof(hlak));
	sstp_hlak_build(hlak, SSTP_KEYS_EAP_MSK, NULL, 0, NULL, 0);
	CHECK_MEM(hlak, expected, sizeof(hlak));

	/* a short MSK is padded; the receive key plays no part */
	memset(hlak, 0x77, sizeof(hlak));
	memcpy(expected, key, 20);
	sstp_hlak_build(hlak, SSTP_KEYS_EAP_MSK, key, 20, key, 32);
	CHECK_MEM(hlak, expected, sizeof(hlak));
}

static void test_choose_hash(void)
{
	CHECK_INT(sstp_choose_hash(0x00), 0);
	CHECK_INT(sstp_choose_hash(0x01), SSTP_HASH_SHA1);
	CHECK_INT(sstp_choose_hash(0x02), SSTP_HASH_SHA256);
	CHECK_INT(sstp_choose_hash(0x03), SSTP_HASH_SHA256);
	CHECK_INT(sstp_choose_hash(0xfc), 0);
	CHECK_INT(sstp_choose_hash(0xfd), SSTP_HASH_SHA1);
	CHECK_INT(sstp_choose_hash(0xfe), SSTP_HASH_SHA256);
	CHECK_INT(sstp_choose_hash(0xff), SSTP_HASH_SHA256);
}

static void test_cert_hash(void)
{
	uint8_t out[SSTP_CERT_HASH_FIELD_LEN], expected[SSTP_CERT_HASH_FIELD_LEN];

	unit_hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", expected,
		 sizeof(expected));
	CHECK_INT(sstp_cert_hash(SSTP_HASH_SHA256, (const uint8_t *)"abc", 3, out), 0);
	CHECK_MEM(out, expected, sizeof(out));

	memset(expected, 0, sizeof(expected));
	unit_hex("a9993e364706816aba3e25717850c26c9cd0d89d", expected, sizeof(expected));
	memset(out, 0xaa, sizeof(out));
	CHECK_INT(sstp_cert_hash(SSTP_HASH_SHA1, (const uint8_t *)"abc", 3, out), 0);
	CHECK_MEM(out, expected, sizeof(out));

	CHECK_INT(sstp_cert_hash(0, (const uint8_t *)"abc", 3, out), -EINVAL);
	CHECK_INT(sstp_cert_hash(SSTP_HASH_SHA1 | SSTP_HASH_SHA256, (const uint8_t *)"abc", 3, out),
		  -EINVAL);
	CHECK_INT(sstp_cert_hash(SSTP_HASH_SHA256, NULL, 3, out), -EINVAL);
}

static void test_invalid_hash_protocol(void)
{
	struct binding b;
	uint8_t msg[SSTP_CALL_CONNECTED_LEN];
	uint8_t cmk[SSTP_MAC_FIELD_LEN];

	load(&b, SSTP_HASH_SHA256, v1_nonce, v1_cert, v1_hlak);
	CHECK_INT(sstp_build_call_connected(msg, 0, b.nonce, b.cert, b.hlak), -EINVAL);
	CHECK_INT(sstp_build_call_connected(msg, 3, b.nonce, b.cert, b.hlak), -EINVAL);
	CHECK_INT(sstp_cmk_derive(cmk, 0x04, b.hlak), -EINVAL);
}

int main(void)
{
	test_v1();
	test_v1_swapped_hlak();
	test_v2();
	test_v3_eap_tls();
	test_v4_mschapv2();
	test_v5_zero_hlak();
	test_hlak_padding();
	test_choose_hash();
	test_cert_hash();
	test_invalid_hash_protocol();
	return unit_finish("test-crypto-binding");
}
