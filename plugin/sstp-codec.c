/* SSTP wire format (MS-SSTP 2.2): packet delineation, control messages. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sstp-codec.h"
#include "text.h"

#define SSTP_LENGTH_MASK     0x0fff /* the top 4 bits of every length are reserved */
#define SSTP_CONTROL_FLAG    0x01
#define SSTP_ATTR_HEADER_LEN 4

#define SSTP_ATTR_ENCAPSULATED_PROTOCOL_LEN 6
#define SSTP_ATTR_CRYPTO_BINDING_REQ_LEN    40
#define SSTP_ATTR_CRYPTO_BINDING_LEN        104
#define SSTP_ATTR_STATUS_INFO_MIN_LEN       12
/* A Status Info that carries only the 4-byte status, without the reserved
 * bytes and attribute id of MS-SSTP 2.2.8: what sstp-server 0.7 sends in
 * its Call Abort. */
#define SSTP_ATTR_BARE_STATUS_LEN (SSTP_ATTR_HEADER_LEN + 4)

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

int sstp_packet_parse(const uint8_t *buf, size_t len, struct sstp_packet *pkt)
{
	size_t total_len;
	bool is_control;

	if (len < SSTP_HEADER_LEN)
		return 0;
	if (buf[0] != SSTP_VERSION)
		return -EBADMSG;

	is_control = buf[1] & SSTP_CONTROL_FLAG;
	total_len = get_be16(buf + 2) & SSTP_LENGTH_MASK;
	if (total_len < (is_control ? SSTP_CONTROL_HEADER_LEN : SSTP_HEADER_LEN))
		return -EBADMSG;
	if (len < total_len)
		return 0;

	pkt->is_control = is_control;
	pkt->payload = buf + SSTP_HEADER_LEN;
	pkt->payload_len = total_len - SSTP_HEADER_LEN;
	pkt->total_len = total_len;
	return (int)total_len;
}

void sstp_packet_describe_error(const uint8_t *buf, char *out, size_t size)
{
	bool is_control = buf[1] & SSTP_CONTROL_FLAG;

	if (buf[0] != SSTP_VERSION)
		snprintf(out, size, "version 0x%02x (expected 0x%02x)", buf[0], SSTP_VERSION);
	else
		snprintf(out, size, "%s packet length %u (at least %u needed)",
			 is_control ? "control" : "data", get_be16(buf + 2) & SSTP_LENGTH_MASK,
			 is_control ? SSTP_CONTROL_HEADER_LEN : SSTP_HEADER_LEN);
}

/* value points past the attribute header, value_len = attribute length - 4. */
static int control_parse_attr(struct sstp_control *msg, uint8_t attr_id, const uint8_t *value,
			      size_t value_len)
{
	size_t attr_len = value_len + SSTP_ATTR_HEADER_LEN;
	struct sstp_status_info *info;

	switch (attr_id) {
	case SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID:
		if (attr_len != SSTP_ATTR_ENCAPSULATED_PROTOCOL_LEN)
			return -EBADMSG;
		msg->has_encapsulated_protocol = true;
		msg->encapsulated_protocol = get_be16(value);
		break;
	case SSTP_ATTR_CRYPTO_BINDING_REQ:
		if (attr_len != SSTP_ATTR_CRYPTO_BINDING_REQ_LEN)
			return -EBADMSG;
		/* value: 3 reserved bytes, hash protocol bitmask, nonce */
		msg->has_crypto_binding_req = true;
		msg->hash_bitmask = value[3];
		memcpy(msg->nonce, value + 4, SSTP_NONCE_LEN);
		break;
	case SSTP_ATTR_CRYPTO_BINDING:
		if (attr_len != SSTP_ATTR_CRYPTO_BINDING_LEN)
			return -EBADMSG;
		msg->has_crypto_binding = true;
		break;
	case SSTP_ATTR_STATUS_INFO:
		if (attr_len == SSTP_ATTR_BARE_STATUS_LEN) {
			/* The server's reason is still plain; reading it beats
			 * calling the message malformed. No attribute named. */
			if (msg->num_status < SSTP_MAX_STATUS_INFOS) {
				info = &msg->status[msg->num_status++];
				info->attr_id = 0;
				info->status = get_be32(value);
			}
			break;
		}
		if (attr_len < SSTP_ATTR_STATUS_INFO_MIN_LEN)
			return -EBADMSG;
		/* Beyond the first few, further Status Infos add nothing a
		 * client could act upon; they are validated but not kept. */
		if (msg->num_status >= SSTP_MAX_STATUS_INFOS)
			break;
		/* value: 3 reserved bytes, attribute id, status, attribute value */
		info = &msg->status[msg->num_status++];
		info->attr_id = value[3];
		info->status = get_be32(value + 4);
		break;
	default:
		msg->num_unknown_attrs++;
		break;
	}
	return 0;
}

int sstp_control_parse(const uint8_t *payload, size_t len, struct sstp_control *msg)
{
	size_t pos = SSTP_CONTROL_HEADER_LEN - SSTP_HEADER_LEN;
	unsigned i;
	int ret;

	memset(msg, 0, sizeof(*msg));
	if (len < pos)
		return -EBADMSG;
	msg->type = get_be16(payload);
	msg->num_attrs = get_be16(payload + 2);

	for (i = 0; i < msg->num_attrs; i++) {
		size_t attr_len;

		if (len - pos < SSTP_ATTR_HEADER_LEN)
			return -EBADMSG;
		attr_len = get_be16(payload + pos + 2) & SSTP_LENGTH_MASK;
		if (attr_len < SSTP_ATTR_HEADER_LEN || attr_len > len - pos)
			return -EBADMSG;
		ret =
		    control_parse_attr(msg, payload[pos + 1], payload + pos + SSTP_ATTR_HEADER_LEN,
				       attr_len - SSTP_ATTR_HEADER_LEN);
		if (ret < 0)
			return ret;
		pos += attr_len;
	}
	/* Bytes after the announced attributes are padding as far as a client
	 * is concerned: MS-SSTP gives them no meaning. */
	return 0;
}

static void encode_control_header(uint8_t *out, size_t total_len, enum sstp_msg_type type,
				  uint16_t num_attrs)
{
	out[0] = SSTP_VERSION;
	out[1] = SSTP_CONTROL_FLAG;
	put_be16(out + 2, (uint16_t)total_len);
	put_be16(out + 4, (uint16_t)type);
	put_be16(out + 6, num_attrs);
}

static void encode_attr_header(uint8_t *out, enum sstp_attr_id id, size_t attr_len)
{
	out[0] = 0;
	out[1] = (uint8_t)id;
	put_be16(out + 2, (uint16_t)attr_len);
}

size_t sstp_encode_call_connect_request(uint8_t out[SSTP_CALL_CONNECT_REQUEST_LEN])
{
	encode_control_header(out, SSTP_CALL_CONNECT_REQUEST_LEN, SSTP_MSG_CALL_CONNECT_REQUEST, 1);
	encode_attr_header(out + 8, SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID,
			   SSTP_ATTR_ENCAPSULATED_PROTOCOL_LEN);
	put_be16(out + 12, SSTP_ENCAPSULATED_PROTOCOL_PPP);
	return SSTP_CALL_CONNECT_REQUEST_LEN;
}

size_t sstp_encode_simple(uint8_t out[SSTP_SIMPLE_MSG_LEN], enum sstp_msg_type type)
{
	encode_control_header(out, SSTP_SIMPLE_MSG_LEN, type, 0);
	return SSTP_SIMPLE_MSG_LEN;
}

size_t sstp_encode_with_status(uint8_t out[SSTP_STATUS_MSG_LEN], enum sstp_msg_type type,
			       uint8_t attr_id, uint32_t status)
{
	encode_control_header(out, SSTP_STATUS_MSG_LEN, type, 1);
	encode_attr_header(out + 8, SSTP_ATTR_STATUS_INFO, SSTP_ATTR_STATUS_INFO_MIN_LEN);
	out[12] = 0;
	out[13] = 0;
	out[14] = 0;
	out[15] = attr_id;
	put_be32(out + 16, status);
	return SSTP_STATUS_MSG_LEN;
}

void sstp_encode_data_header(uint8_t out[SSTP_HEADER_LEN], size_t frame_len)
{
	out[0] = SSTP_VERSION;
	out[1] = 0;
	/* Callers keep frames within SSTP_MAX_DATA_LEN; the mask only keeps an
	 * oversized value from spilling into the reserved bits. */
	put_be16(out + 2, (uint16_t)((frame_len + SSTP_HEADER_LEN) & SSTP_LENGTH_MASK));
}

/* NULL for values MS-SSTP does not define, so callers can print the number. */
static const char *known_msg_name(uint16_t type)
{
	switch (type) {
	case SSTP_MSG_CALL_CONNECT_REQUEST:
		return "CALL_CONNECT_REQUEST";
	case SSTP_MSG_CALL_CONNECT_ACK:
		return "CALL_CONNECT_ACK";
	case SSTP_MSG_CALL_CONNECT_NAK:
		return "CALL_CONNECT_NAK";
	case SSTP_MSG_CALL_CONNECTED:
		return "CALL_CONNECTED";
	case SSTP_MSG_CALL_ABORT:
		return "CALL_ABORT";
	case SSTP_MSG_CALL_DISCONNECT:
		return "CALL_DISCONNECT";
	case SSTP_MSG_CALL_DISCONNECT_ACK:
		return "CALL_DISCONNECT_ACK";
	case SSTP_MSG_ECHO_REQUEST:
		return "ECHO_REQUEST";
	case SSTP_MSG_ECHO_RESPONSE:
		return "ECHO_RESPONSE";
	}
	return NULL;
}

const char *sstp_msg_name(uint16_t type)
{
	const char *name = known_msg_name(type);

	return name ? name : "UNKNOWN";
}

static const char *known_status_name(uint32_t status)
{
	static const char *const names[] = {
	    [SSTP_STATUS_NO_ERROR] = "NO_ERROR",
	    [SSTP_STATUS_DUPLICATE_ATTRIBUTE] = "DUPLICATE_ATTRIBUTE",
	    [SSTP_STATUS_UNRECOGNIZED_ATTRIBUTE] = "UNRECOGNIZED_ATTRIBUTE",
	    [SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH] = "INVALID_ATTRIB_VALUE_LENGTH",
	    [SSTP_STATUS_VALUE_NOT_SUPPORTED] = "VALUE_NOT_SUPPORTED",
	    [SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED] = "UNACCEPTED_FRAME_RECEIVED",
	    [SSTP_STATUS_RETRY_COUNT_EXCEEDED] = "RETRY_COUNT_EXCEEDED",
	    [SSTP_STATUS_INVALID_FRAME_RECEIVED] = "INVALID_FRAME_RECEIVED",
	    [SSTP_STATUS_NEGOTIATION_TIMEOUT] = "NEGOTIATION_TIMEOUT",
	    [SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG] = "ATTRIB_NOT_SUPPORTED_IN_MSG",
	    [SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING] = "REQUIRED_ATTRIBUTE_MISSING",
	    [SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG] = "STATUS_INFO_NOT_SUPPORTED_IN_MSG",
	};

	if (status < sizeof(names) / sizeof(names[0]))
		return names[status];
	return NULL;
}

const char *sstp_status_name(uint32_t status)
{
	const char *name = known_status_name(status);

	return name ? name : "UNKNOWN";
}

const char *sstp_hash_name(uint8_t hash_protocol)
{
	switch (hash_protocol) {
	case SSTP_HASH_SHA256:
		return "SHA-256";
	case SSTP_HASH_SHA1:
		return "SHA-1";
	case 0:
		return "none";
	}
	return "unknown";
}

static void describe_hash_bitmask(struct sstp_text *t, uint8_t bitmask)
{
	uint8_t unknown_bits = bitmask & ~(SSTP_HASH_SHA1 | SSTP_HASH_SHA256);
	const char *sep = "";

	sstp_text_append(t, " hash=");
	if (bitmask & SSTP_HASH_SHA1) {
		sstp_text_append(t, "%s", sstp_hash_name(SSTP_HASH_SHA1));
		sep = "|";
	}
	if (bitmask & SSTP_HASH_SHA256) {
		sstp_text_append(t, "%s%s", sep, sstp_hash_name(SSTP_HASH_SHA256));
		sep = "|";
	}
	if (unknown_bits)
		sstp_text_append(t, "%s0x%02x", sep, unknown_bits);
	else if (!bitmask)
		sstp_text_append(t, "none");
}

void sstp_control_describe(const struct sstp_control *msg, char *buf, size_t size)
{
	const char *type_name = known_msg_name(msg->type);
	struct sstp_text t;
	size_t i;

	if (!size)
		return;
	sstp_text_init(&t, buf, size);

	if (type_name)
		sstp_text_append(&t, "%s", type_name);
	else
		sstp_text_append(&t, "UNKNOWN(0x%04x)", msg->type);

	if (msg->has_encapsulated_protocol) {
		if (msg->encapsulated_protocol == SSTP_ENCAPSULATED_PROTOCOL_PPP)
			sstp_text_append(&t, " protocol=PPP");
		else
			sstp_text_append(&t, " protocol=0x%04x", msg->encapsulated_protocol);
	}
	if (msg->has_crypto_binding_req)
		describe_hash_bitmask(&t, msg->hash_bitmask);
	if (msg->has_crypto_binding)
		sstp_text_append(&t, " crypto-binding");
	for (i = 0; i < msg->num_status; i++) {
		const struct sstp_status_info *info = &msg->status[i];
		const char *name = known_status_name(info->status);

		if (name)
			sstp_text_append(&t, " status=%s(attr %u)", name, info->attr_id);
		else
			sstp_text_append(&t, " status=0x%08x(attr %u)", (unsigned)info->status,
					 info->attr_id);
	}
	if (msg->num_unknown_attrs)
		sstp_text_append(&t, " unknown-attrs=%zu", msg->num_unknown_attrs);
}

void sstp_status_describe(const struct sstp_control *msg, char *buf, size_t size)
{
	struct sstp_text t;
	size_t i;

	if (!size)
		return;
	sstp_text_init(&t, buf, size);
	for (i = 0; i < msg->num_status; i++)
		sstp_text_append(&t, "%s%s (attribute %u)", i ? ", " : "",
				 sstp_status_name(msg->status[i].status), msg->status[i].attr_id);
	if (!msg->num_status)
		sstp_text_append(&t, "no reason given");
}
