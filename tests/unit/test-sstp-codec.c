/* SSTP packet and control message codec against MS-SSTP 2.2. */
#include <errno.h>

#include "sstp-codec.h"
#include "unit.h"

/* MS-SSTP 4.7 Call Connect Ack. */
static const char ack_v1[] = "10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 02"
			     "41 2B 48 9A EB D7 EC C7 D0 89 66 F2 6B E7 CD 72"
			     "B2 31 A0 E9 21 0D 7C 91 B3 08 86 2B 03 44 C4 35";
static const char nonce_v1[] = "41 2B 48 9A EB D7 EC C7 D0 89 66 F2 6B E7 CD 72"
			       "B2 31 A0 E9 21 0D 7C 91 B3 08 86 2B 03 44 C4 35";

/* Parses a whole control packet given as hex; returns sstp_control_parse's result. */
static int parse_control_hex(const char *hex, struct sstp_control *msg)
{
	uint8_t buf[SSTP_MAX_PACKET_LEN];
	struct sstp_packet pkt;
	size_t len = unit_hex(hex, buf, sizeof(buf));
	int ret = sstp_packet_parse(buf, len, &pkt);

	if (!CHECK_INT(ret, len) || !CHECK(pkt.is_control))
		return -1000;
	return sstp_control_parse(pkt.payload, pkt.payload_len, msg);
}

static void test_encoders(void)
{
	uint8_t out[64], expected[64];
	size_t n;

	n = unit_hex("10 01 00 0E 00 01 00 01 00 01 00 06 00 01", expected, sizeof(expected));
	CHECK_INT(sstp_encode_call_connect_request(out), n);
	CHECK_MEM(out, expected, n);

	n = unit_hex("10 01 00 08 00 08 00 00", expected, sizeof(expected));
	CHECK_INT(sstp_encode_simple(out, SSTP_MSG_ECHO_REQUEST), n);
	CHECK_MEM(out, expected, n);
	n = unit_hex("10 01 00 08 00 09 00 00", expected, sizeof(expected));
	CHECK_INT(sstp_encode_simple(out, SSTP_MSG_ECHO_RESPONSE), n);
	CHECK_MEM(out, expected, n);
	n = unit_hex("10 01 00 08 00 07 00 00", expected, sizeof(expected));
	CHECK_INT(sstp_encode_simple(out, SSTP_MSG_CALL_DISCONNECT_ACK), n);
	CHECK_MEM(out, expected, n);
	n = unit_hex("10 01 00 08 00 05 00 00", expected, sizeof(expected));
	CHECK_INT(sstp_encode_simple(out, SSTP_MSG_CALL_ABORT), n);
	CHECK_MEM(out, expected, n);

	/* accel-ppp's Call Disconnect */
	n = unit_hex("10 01 00 14 00 06 00 01 00 02 00 0C 00 00 00 00 00 00 00 00", expected,
		     sizeof(expected));
	CHECK_INT(sstp_encode_with_status(out, SSTP_MSG_CALL_DISCONNECT, SSTP_ATTR_NO_ERROR,
					  SSTP_STATUS_NO_ERROR),
		  n);
	CHECK_MEM(out, expected, n);
	n = unit_hex("10 01 00 14 00 05 00 01 00 02 00 0C 00 00 00 02 00 00 00 07", expected,
		     sizeof(expected));
	CHECK_INT(sstp_encode_with_status(out, SSTP_MSG_CALL_ABORT, SSTP_ATTR_STATUS_INFO,
					  SSTP_STATUS_INVALID_FRAME_RECEIVED),
		  n);
	CHECK_MEM(out, expected, n);
	/* all four status bytes in order */
	n = unit_hex("10 01 00 14 00 05 00 01 00 02 00 0C 00 00 00 04 A1 B2 C3 D4", expected,
		     sizeof(expected));
	sstp_encode_with_status(out, SSTP_MSG_CALL_ABORT, SSTP_ATTR_CRYPTO_BINDING_REQ, 0xa1b2c3d4);
	CHECK_MEM(out, expected, n);

	/* V6: the data packet carrying an 18-byte LCP frame */
	n = unit_hex("10 00 00 16", expected, sizeof(expected));
	sstp_encode_data_header(out, 18);
	CHECK_MEM(out, expected, n);
	n = unit_hex("10 00 0F FF", expected, sizeof(expected));
	sstp_encode_data_header(out, SSTP_MAX_DATA_LEN);
	CHECK_MEM(out, expected, n);
	n = unit_hex("10 00 00 04", expected, sizeof(expected));
	sstp_encode_data_header(out, 0);
	CHECK_MEM(out, expected, n);
}

static void test_encoders_round_trip(void)
{
	uint8_t out[SSTP_STATUS_MSG_LEN];
	struct sstp_control msg;
	struct sstp_packet pkt;

	sstp_encode_call_connect_request(out);
	CHECK_INT(sstp_packet_parse(out, SSTP_CALL_CONNECT_REQUEST_LEN, &pkt),
		  SSTP_CALL_CONNECT_REQUEST_LEN);
	CHECK_INT(sstp_control_parse(pkt.payload, pkt.payload_len, &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_CONNECT_REQUEST);
	CHECK(msg.has_encapsulated_protocol);
	CHECK_INT(msg.encapsulated_protocol, SSTP_ENCAPSULATED_PROTOCOL_PPP);

	sstp_encode_with_status(out, SSTP_MSG_CALL_ABORT, SSTP_ATTR_STATUS_INFO,
				SSTP_STATUS_NEGOTIATION_TIMEOUT);
	CHECK_INT(sstp_packet_parse(out, sizeof(out), &pkt), SSTP_STATUS_MSG_LEN);
	CHECK_INT(sstp_control_parse(pkt.payload, pkt.payload_len, &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_ABORT);
	CHECK_INT(msg.num_status, 1);
	CHECK_INT(msg.status[0].attr_id, SSTP_ATTR_STATUS_INFO);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_NEGOTIATION_TIMEOUT);
}

static void test_packet_parse(void)
{
	uint8_t buf[SSTP_MAX_PACKET_LEN + 16] = {0};
	struct sstp_packet pkt;
	size_t len;

	len = unit_hex(ack_v1, buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, len, &pkt), 48);
	CHECK(pkt.is_control);
	CHECK(pkt.payload == buf + 4);
	CHECK_INT(pkt.payload_len, 44);
	CHECK_INT(pkt.total_len, 48);
	/* more bytes than the packet: only the packet is consumed */
	CHECK_INT(sstp_packet_parse(buf, len + 10, &pkt), 48);

	/* too short to tell, and a packet not yet complete: need more */
	for (len = 0; len < 48; len++)
		CHECK_INT(sstp_packet_parse(buf, len, &pkt), 0);

	/* data packets, from the shortest (empty) to the longest */
	unit_hex("10 00 00 04", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 4, &pkt), 4);
	CHECK(!pkt.is_control);
	CHECK_INT(pkt.payload_len, 0);
	unit_hex("10 00 0F FF", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, SSTP_MAX_PACKET_LEN, &pkt), SSTP_MAX_PACKET_LEN);
	CHECK_INT(pkt.payload_len, SSTP_MAX_DATA_LEN);
	CHECK_INT(sstp_packet_parse(buf, SSTP_MAX_PACKET_LEN - 1, &pkt), 0);
	unit_hex("10 00 00 16 FF 03 C0 21", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 0x16, &pkt), 0x16);
	CHECK(!pkt.is_control);
	CHECK_INT(pkt.payload_len, 0x12);

	/* reserved bits are ignored: the rest of byte 1, the top of the length */
	unit_hex("10 FE F0 08", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), 8);
	CHECK(!pkt.is_control);
	unit_hex("10 FF 70 08 00 08 00 00", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), 8);
	CHECK(pkt.is_control);
	CHECK_INT(pkt.payload_len, 4);

	/* cannot be delineated */
	unit_hex("11 01 00 08 00 08 00 00", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), -EBADMSG);
	unit_hex("00 00 00 08", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), -EBADMSG);
	unit_hex("10 00 00 03", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), -EBADMSG);
	unit_hex("10 00 F0 00", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), -EBADMSG);
	unit_hex("10 01 00 07", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), -EBADMSG);
	unit_hex("10 01 00 04", buf, sizeof(buf));
	CHECK_INT(sstp_packet_parse(buf, 8, &pkt), -EBADMSG);
	/* a bad length is reported before waiting for the rest */
	CHECK_INT(sstp_packet_parse(buf, 4, &pkt), -EBADMSG);
}

static void test_parse_ack(void)
{
	struct sstp_control msg;
	uint8_t nonce[SSTP_NONCE_LEN];

	unit_hex(nonce_v1, nonce, sizeof(nonce));
	CHECK_INT(parse_control_hex(ack_v1, &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_CONNECT_ACK);
	CHECK_INT(msg.num_attrs, 1);
	CHECK(msg.has_crypto_binding_req);
	CHECK_INT(msg.hash_bitmask, SSTP_HASH_SHA256);
	CHECK_MEM(msg.nonce, nonce, SSTP_NONCE_LEN);
	CHECK(!msg.has_crypto_binding);
	CHECK(!msg.has_encapsulated_protocol);
	CHECK_INT(msg.num_status, 0);
	CHECK_INT(msg.num_unknown_attrs, 0);

	/* the raw bitmask is kept, unknown bits included; reserved bytes ignored */
	CHECK_INT(parse_control_hex("10 01 00 30 00 02 00 01 00 04 00 28 AA BB CC F3"
				    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
				    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01",
				    &msg),
		  0);
	CHECK_INT(msg.hash_bitmask, 0xf3);
	CHECK_INT(msg.nonce[31], 1);
}

static void test_parse_nak(void)
{
	struct sstp_control msg;

	/* SoftEther's NAK */
	CHECK_INT(
	    parse_control_hex("10 01 00 14 00 03 00 01 00 02 00 0C 00 00 00 01 00 00 00 04", &msg),
	    0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_CONNECT_NAK);
	CHECK_INT(msg.num_status, 1);
	CHECK_INT(msg.status[0].attr_id, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_VALUE_NOT_SUPPORTED);

	/* three Status Infos, the first with a 2-byte value as accel-ppp sends */
	CHECK_INT(parse_control_hex("10 01 00 2E 00 03 00 03"
				    "00 02 00 0E 00 00 00 01 00 00 00 04 00 00"
				    "00 02 00 0C 00 00 00 04 00 00 00 03"
				    "00 02 00 0C 00 00 00 00 00 00 00 0B",
				    &msg),
		  0);
	CHECK_INT(msg.num_attrs, 3);
	CHECK_INT(msg.num_status, 3);
	CHECK_INT(msg.status[0].attr_id, 1);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_VALUE_NOT_SUPPORTED);
	CHECK_INT(msg.status[1].attr_id, 4);
	CHECK_INT(msg.status[1].status, SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH);
	CHECK_INT(msg.status[2].attr_id, 0);
	CHECK_INT(msg.status[2].status, SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG);
	CHECK_INT(msg.num_unknown_attrs, 0);
}

static void test_parse_many_status_infos(void)
{
	uint8_t buf[256];
	struct sstp_control msg;
	const size_t count = SSTP_MAX_STATUS_INFOS + 2;
	size_t i, len = 8 + 12 * count;

	unit_hex("10 01 00 00 00 03 00 00", buf, sizeof(buf));
	buf[3] = (uint8_t)len;
	buf[7] = (uint8_t)count;
	for (i = 0; i < count; i++)
		unit_hex("00 02 00 0C 00 00 00 00 00 00 00 00", buf + 8 + 12 * i, 12);
	for (i = 0; i < count; i++)
		buf[8 + 12 * i + 11] = (uint8_t)(i + 1);
	CHECK_INT(sstp_control_parse(buf + 4, len - 4, &msg), 0);
	CHECK_INT(msg.num_status, SSTP_MAX_STATUS_INFOS);
	CHECK_INT(msg.status[0].status, 1);
	CHECK_INT(msg.status[SSTP_MAX_STATUS_INFOS - 1].status, SSTP_MAX_STATUS_INFOS);
	CHECK_INT(msg.num_unknown_attrs, 0);

	/* the ones not kept are still validated */
	buf[8 + 12 * (count - 1) + 3] = 11;
	CHECK_INT(sstp_control_parse(buf + 4, len - 4, &msg), -EBADMSG);
}

static void test_parse_abort_disconnect(void)
{
	struct sstp_control msg;

	CHECK_INT(
	    parse_control_hex("10 01 00 14 00 05 00 01 00 02 00 0C 00 00 00 02 00 00 00 07", &msg),
	    0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_ABORT);
	CHECK_INT(msg.num_status, 1);
	CHECK_INT(msg.status[0].attr_id, 2);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_INVALID_FRAME_RECEIVED);

	/* sstp-server 0.7's Call Abort: a Status Info of the bare status */
	CHECK_INT(parse_control_hex("10 01 00 10 00 05 00 01 00 02 00 08 00 00 00 07", &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_ABORT);
	CHECK_INT(msg.num_status, 1);
	CHECK_INT(msg.status[0].attr_id, 0);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_INVALID_FRAME_RECEIVED);

	CHECK_INT(parse_control_hex("10 01 00 08 00 05 00 00", &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_ABORT);
	CHECK_INT(msg.num_attrs, 0);
	CHECK_INT(msg.num_status, 0);

	CHECK_INT(
	    parse_control_hex("10 01 00 14 00 06 00 01 00 02 00 0C 00 00 00 00 00 00 00 00", &msg),
	    0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_DISCONNECT);
	CHECK_INT(msg.num_status, 1);
	CHECK_INT(msg.status[0].attr_id, 0);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_NO_ERROR);

	CHECK_INT(parse_control_hex("10 01 00 08 00 06 00 00", &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_DISCONNECT);
	CHECK_INT(msg.num_status, 0);
}

static void test_parse_other_messages(void)
{
	static const struct {
		const char *hex;
		uint16_t type;
	} simple[] = {
	    {"10 01 00 08 00 07 00 00", SSTP_MSG_CALL_DISCONNECT_ACK},
	    {"10 01 00 08 00 08 00 00", SSTP_MSG_ECHO_REQUEST},
	    {"10 01 00 08 00 09 00 00", SSTP_MSG_ECHO_RESPONSE},
	    {"10 01 00 08 00 42 00 00", 0x0042},
	};
	struct sstp_control msg;
	size_t i;

	for (i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		CHECK_INT(parse_control_hex(simple[i].hex, &msg), 0);
		CHECK_INT(msg.type, simple[i].type);
		CHECK_INT(msg.num_attrs, 0);
	}

	CHECK_INT(parse_control_hex("10 01 00 0E 00 01 00 01 00 01 00 06 00 01", &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_CONNECT_REQUEST);
	CHECK(msg.has_encapsulated_protocol);
	CHECK_INT(msg.encapsulated_protocol, 1);

	/* V1 Call Connected */
	CHECK_INT(parse_control_hex(
		      "10010070000400010003006800000002412b489aebd7ecc7d08966f26be7cd72b231a0e9"
		      "210d7c91b308862b0344c4357993ef314c493dace9f02d60e7e61c84b6690aafe9d7aeea"
		      "92cbbe8ad599422d52a68efd8cffbf52770b8f0fe8ec73716583af6d611eb6d179b3b208"
		      "40985449",
		      &msg),
		  0);
	CHECK_INT(msg.type, SSTP_MSG_CALL_CONNECTED);
	CHECK(msg.has_crypto_binding);
	CHECK(!msg.has_crypto_binding_req);

	/* unknown attributes are counted, known ones still decoded; the
	 * reserved top bits of an attribute length are ignored */
	CHECK_INT(parse_control_hex("10 01 00 1E 00 05 00 03 00 42 00 04 00 00 F0 06 AB CD"
				    "00 02 00 0C 00 00 00 02 00 00 00 07",
				    &msg),
		  0);
	CHECK_INT(msg.num_unknown_attrs, 2);
	CHECK_INT(msg.num_status, 1);
	CHECK_INT(msg.status[0].status, SSTP_STATUS_INVALID_FRAME_RECEIVED);

	/* bytes after the announced attributes are ignored */
	CHECK_INT(parse_control_hex("10 01 00 0C 00 08 00 00 DE AD BE EF", &msg), 0);
	CHECK_INT(msg.type, SSTP_MSG_ECHO_REQUEST);
	CHECK_INT(parse_control_hex("10 01 00 16 00 05 00 01 00 02 00 0C 00 00 00 02 00 00 00 07 "
				    "00 02",
				    &msg),
		  0);
	CHECK_INT(msg.num_status, 1);
}

static void test_parse_malformed(void)
{
	static const char *const bad[] = {
	    /* attribute length below 4 */
	    "10 01 00 0C 00 05 00 01 00 42 00 03",
	    "10 01 00 0C 00 05 00 01 00 42 00 00",
	    /* attribute running past the payload */
	    "10 01 00 0C 00 05 00 01 00 42 00 05",
	    "10 01 00 14 00 05 00 01 00 02 00 0D 00 00 00 02 00 00 00 07",
	    /* fewer attributes than announced */
	    "10 01 00 08 00 05 00 01",
	    "10 01 00 14 00 05 00 02 00 02 00 0C 00 00 00 02 00 00 00 07",
	    "10 01 00 0A 00 05 00 01 00 02",
	    "10 01 00 08 00 05 FF FF",
	    /* known attributes with the wrong length */
	    "10 01 00 0F 00 01 00 01 00 01 00 07 00 01 00",
	    "10 01 00 0D 00 01 00 01 00 01 00 05 00",
	    "10 01 00 0C 00 01 00 01 00 01 00 04",
	    "10 01 00 13 00 05 00 01 00 02 00 0B 00 00 00 02 00 00 00",
	    "10 01 00 0C 00 05 00 01 00 02 00 04",
	    "10 01 00 2F 00 02 00 01 00 04 00 27 00 00 00 02"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	    "10 01 00 31 00 02 00 01 00 04 00 29 00 00 00 02"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
	};
	uint8_t buf[256];
	struct sstp_control msg;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!CHECK_INT(parse_control_hex(bad[i], &msg), -EBADMSG))
			fprintf(stderr, "  case %zu: %s\n", i, bad[i]);
	}

	/* a Crypto Binding of 103 and 105 bytes */
	memset(buf, 0, sizeof(buf));
	for (len = 103; len <= 105; len += 2) {
		unit_hex("10 01 00 00 00 04 00 01 00 03 00 00", buf, sizeof(buf));
		buf[3] = (uint8_t)(8 + len);
		buf[11] = (uint8_t)len;
		CHECK_INT(sstp_control_parse(buf + 4, 4 + len, &msg), -EBADMSG);
	}

	/* shorter than the control header */
	unit_hex("00 08 00 00", buf, sizeof(buf));
	for (len = 0; len < 4; len++)
		CHECK_INT(sstp_control_parse(buf, len, &msg), -EBADMSG);
	CHECK_INT(sstp_control_parse(buf, 4, &msg), 0);
}

static void describe_hex(const char *hex, char *text, size_t size)
{
	struct sstp_control msg;

	CHECK_INT(parse_control_hex(hex, &msg), 0);
	sstp_control_describe(&msg, text, size);
}

static void test_describe(void)
{
	struct sstp_control msg;
	char text[160];

	describe_hex(ack_v1, text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_ACK hash=SHA-256");
	describe_hex("10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 03"
		     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		     text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_ACK hash=SHA-1|SHA-256");
	describe_hex("10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 00"
		     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		     text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_ACK hash=none");
	describe_hex("10 01 00 30 00 02 00 01 00 04 00 28 00 00 00 81"
		     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
		     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		     text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_ACK hash=SHA-1|0x80");

	describe_hex("10 01 00 14 00 03 00 01 00 02 00 0C 00 00 00 01 00 00 00 04", text,
		     sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_NAK status=VALUE_NOT_SUPPORTED(attr 1)");
	describe_hex("10 01 00 20 00 03 00 02 00 02 00 0C 00 00 00 01 00 00 00 04"
		     "00 02 00 0C 00 00 00 04 00 00 01 00",
		     text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_NAK status=VALUE_NOT_SUPPORTED(attr 1) "
			"status=0x00000100(attr 4)");
	describe_hex("10 01 00 14 00 05 00 01 00 02 00 0C 00 00 00 02 00 00 00 07", text,
		     sizeof(text));
	CHECK_STR(text, "CALL_ABORT status=INVALID_FRAME_RECEIVED(attr 2)");
	describe_hex("10 01 00 08 00 06 00 00", text, sizeof(text));
	CHECK_STR(text, "CALL_DISCONNECT");
	describe_hex("10 01 00 08 00 08 00 00", text, sizeof(text));
	CHECK_STR(text, "ECHO_REQUEST");
	describe_hex("10 01 00 08 00 42 00 00", text, sizeof(text));
	CHECK_STR(text, "UNKNOWN(0x0042)");
	describe_hex("10 01 00 10 00 42 00 02 00 77 00 04 00 78 00 04", text, sizeof(text));
	CHECK_STR(text, "UNKNOWN(0x0042) unknown-attrs=2");
	describe_hex("10 01 00 0E 00 01 00 01 00 01 00 06 00 01", text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_REQUEST protocol=PPP");
	describe_hex("10 01 00 0E 00 01 00 01 00 01 00 06 00 21", text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECT_REQUEST protocol=0x0021");
	describe_hex("10010070000400010003006800000002412b489aebd7ecc7d08966f26be7cd72b231a0e9"
		     "210d7c91b308862b0344c4357993ef314c493dace9f02d60e7e61c84b6690aafe9d7aeea"
		     "92cbbe8ad599422d52a68efd8cffbf52770b8f0fe8ec73716583af6d611eb6d179b3b208"
		     "40985449",
		     text, sizeof(text));
	CHECK_STR(text, "CALL_CONNECTED crypto-binding");

	/* truncation: always terminated, never past size */
	CHECK_INT(
	    parse_control_hex("10 01 00 14 00 05 00 01 00 02 00 0C 00 00 00 02 00 00 00 07", &msg),
	    0);
	memset(text, 'x', sizeof(text));
	sstp_control_describe(&msg, text, 5);
	CHECK_STR(text, "CALL");
	CHECK(text[5] == 'x');
	memset(text, 'x', sizeof(text));
	sstp_control_describe(&msg, text, 14);
	CHECK_STR(text, "CALL_ABORT st");
	CHECK(text[14] == 'x');
	sstp_control_describe(&msg, text, 1);
	CHECK_STR(text, "");
	text[0] = 'x';
	sstp_control_describe(&msg, text, 0);
	CHECK(text[0] == 'x');
}

static void test_names(void)
{
	CHECK_STR(sstp_msg_name(SSTP_MSG_CALL_CONNECT_ACK), "CALL_CONNECT_ACK");
	CHECK_STR(sstp_msg_name(SSTP_MSG_ECHO_RESPONSE), "ECHO_RESPONSE");
	CHECK_STR(sstp_msg_name(SSTP_MSG_CALL_DISCONNECT_ACK), "CALL_DISCONNECT_ACK");
	CHECK_STR(sstp_msg_name(0), "UNKNOWN");
	CHECK_STR(sstp_msg_name(10), "UNKNOWN");
	CHECK_STR(sstp_status_name(SSTP_STATUS_NO_ERROR), "NO_ERROR");
	CHECK_STR(sstp_status_name(SSTP_STATUS_NEGOTIATION_TIMEOUT), "NEGOTIATION_TIMEOUT");
	CHECK_STR(sstp_status_name(SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG),
		  "STATUS_INFO_NOT_SUPPORTED_IN_MSG");
	CHECK_STR(sstp_status_name(0x0c), "UNKNOWN");
	CHECK_STR(sstp_status_name(0xffffffff), "UNKNOWN");
	CHECK_STR(sstp_hash_name(SSTP_HASH_SHA1), "SHA-1");
	CHECK_STR(sstp_hash_name(SSTP_HASH_SHA256), "SHA-256");
	CHECK_STR(sstp_hash_name(0), "none");
	CHECK_STR(sstp_hash_name(3), "unknown");
}

/* The reason given when a packet cannot be delineated names the field. */
static void test_describe_packet_error(void)
{
	static const uint8_t bad_version[] = {0x11, 0x01, 0x00, 0x30};
	static const uint8_t short_control[] = {0x10, 0x01, 0xf0, 0x03};
	static const uint8_t short_data[] = {0x10, 0x00, 0x00, 0x02};
	char why[80];

	sstp_packet_describe_error(bad_version, why, sizeof(why));
	CHECK_STR(why, "version 0x11 (expected 0x10)");
	sstp_packet_describe_error(short_control, why, sizeof(why));
	CHECK_STR(why, "control packet length 3 (at least 8 needed)");
	sstp_packet_describe_error(short_data, why, sizeof(why));
	CHECK_STR(why, "data packet length 2 (at least 4 needed)");
}

int main(void)
{
	test_encoders();
	test_encoders_round_trip();
	test_packet_parse();
	test_parse_ack();
	test_parse_nak();
	test_parse_many_status_infos();
	test_parse_abort_disconnect();
	test_parse_other_messages();
	test_parse_malformed();
	test_describe();
	test_names();
	test_describe_packet_error();
	return unit_finish("test-sstp-codec");
}
