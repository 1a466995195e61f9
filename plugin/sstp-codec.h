/* SSTP wire format (MS-SSTP 2.2): packet delineation, control message
 * parsing and encoding. Pure code: no I/O, no allocation, no pppd. */
#ifndef SSTP_CODEC_H
#define SSTP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSTP_VERSION                  0x10
#define SSTP_HEADER_LEN               4
#define SSTP_CONTROL_HEADER_LEN       8 /* packet header + type + attribute count */
#define SSTP_MAX_PACKET_LEN           4095
#define SSTP_MAX_DATA_LEN             (SSTP_MAX_PACKET_LEN - SSTP_HEADER_LEN)
#define SSTP_NONCE_LEN                32
#define SSTP_CERT_HASH_FIELD_LEN      32
#define SSTP_MAC_FIELD_LEN            32
#define SSTP_CALL_CONNECTED_LEN       112
#define SSTP_CALL_CONNECT_REQUEST_LEN 14
#define SSTP_SIMPLE_MSG_LEN           8  /* echo, disconnect ack, attribute-less abort */
#define SSTP_STATUS_MSG_LEN           20 /* abort/disconnect with one empty Status Info */
#define SSTP_MAX_STATUS_INFOS         8  /* Status Infos kept from one Nak/Abort */

enum sstp_msg_type {
	SSTP_MSG_CALL_CONNECT_REQUEST = 0x0001,
	SSTP_MSG_CALL_CONNECT_ACK = 0x0002,
	SSTP_MSG_CALL_CONNECT_NAK = 0x0003,
	SSTP_MSG_CALL_CONNECTED = 0x0004,
	SSTP_MSG_CALL_ABORT = 0x0005,
	SSTP_MSG_CALL_DISCONNECT = 0x0006,
	SSTP_MSG_CALL_DISCONNECT_ACK = 0x0007,
	SSTP_MSG_ECHO_REQUEST = 0x0008,
	SSTP_MSG_ECHO_RESPONSE = 0x0009,
};

enum sstp_attr_id {
	SSTP_ATTR_NO_ERROR = 0x00,
	SSTP_ATTR_ENCAPSULATED_PROTOCOL_ID = 0x01,
	SSTP_ATTR_STATUS_INFO = 0x02,
	SSTP_ATTR_CRYPTO_BINDING = 0x03,
	SSTP_ATTR_CRYPTO_BINDING_REQ = 0x04,
};

enum sstp_status {
	SSTP_STATUS_NO_ERROR = 0x00,
	SSTP_STATUS_DUPLICATE_ATTRIBUTE = 0x01,
	SSTP_STATUS_UNRECOGNIZED_ATTRIBUTE = 0x02,
	SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH = 0x03,
	SSTP_STATUS_VALUE_NOT_SUPPORTED = 0x04,
	SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED = 0x05,
	SSTP_STATUS_RETRY_COUNT_EXCEEDED = 0x06,
	SSTP_STATUS_INVALID_FRAME_RECEIVED = 0x07,
	SSTP_STATUS_NEGOTIATION_TIMEOUT = 0x08,
	SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG = 0x09,
	SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING = 0x0A,
	SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG = 0x0B,
};

#define SSTP_HASH_SHA1                 0x01
#define SSTP_HASH_SHA256               0x02
#define SSTP_ENCAPSULATED_PROTOCOL_PPP 0x0001

/* One SSTP packet found at the start of a byte buffer. */
struct sstp_packet {
	bool is_control;
	const uint8_t *payload; /* bytes after the 4-byte header */
	size_t payload_len;
	size_t total_len; /* header included: bytes to consume */
};

/*
 * Finds the packet at the start of buf. Returns its total length (> 0) and
 * fills *pkt; 0 when more bytes are needed; -EBADMSG when the stream cannot
 * be delineated (bad version, length below the minimum for its kind).
 * Reserved bits are ignored, as MS-SSTP requires.
 */
int sstp_packet_parse(const uint8_t *buf, size_t len, struct sstp_packet *pkt);

/* Why sstp_packet_parse() refused the header at buf (at least 4 bytes), in a
 * few words for a log line, e.g. "version 0x11 (expected 0x10)". */
void sstp_packet_describe_error(const uint8_t *buf, char *out, size_t size);

struct sstp_status_info {
	uint8_t attr_id;
	uint32_t status;
};

/* A decoded control message; only the attributes a client acts upon are kept. */
struct sstp_control {
	uint16_t type;
	uint16_t num_attrs; /* as announced in the header */
	bool has_crypto_binding_req;
	uint8_t hash_bitmask;
	uint8_t nonce[SSTP_NONCE_LEN];
	bool has_encapsulated_protocol;
	uint16_t encapsulated_protocol;
	bool has_crypto_binding; /* a Call Connected's binding attribute */
	size_t num_status;       /* Status Infos kept (at most SSTP_MAX_STATUS_INFOS) */
	struct sstp_status_info status[SSTP_MAX_STATUS_INFOS];
	size_t num_unknown_attrs;
};

/*
 * Decodes a control payload (struct sstp_packet.payload). Returns 0, or
 * -EBADMSG when the message is malformed: shorter than its header, an
 * attribute length below 4 or running past the payload, fewer attributes
 * than announced, or a known attribute with the wrong length. A Status Info
 * of the bare 4-byte status is read as that status, attribute 0.
 */
int sstp_control_parse(const uint8_t *payload, size_t len, struct sstp_control *msg);

/* Encoders write complete packets and return their length. */
size_t sstp_encode_call_connect_request(uint8_t out[SSTP_CALL_CONNECT_REQUEST_LEN]);
/* Echo Request/Response and Disconnect Ack: no attributes. */
size_t sstp_encode_simple(uint8_t out[SSTP_SIMPLE_MSG_LEN], enum sstp_msg_type type);
/* Call Abort / Call Disconnect carrying one Status Info with no value. */
size_t sstp_encode_with_status(uint8_t out[SSTP_STATUS_MSG_LEN], enum sstp_msg_type type,
			       uint8_t attr_id, uint32_t status);
/* Writes the 4-byte header of a data packet whose PPP frame is frame_len long. */
void sstp_encode_data_header(uint8_t out[SSTP_HEADER_LEN], size_t frame_len);

const char *sstp_msg_name(uint16_t type);          /* "CALL_CONNECT_ACK", "UNKNOWN" */
const char *sstp_status_name(uint32_t status);     /* "NEGOTIATION_TIMEOUT", "UNKNOWN" */
const char *sstp_hash_name(uint8_t hash_protocol); /* "SHA-256", "SHA-1", "none" */

/*
 * One-line description of a control message for debug logs, e.g.
 * "CALL_CONNECT_ACK hash=SHA-1|SHA-256" or
 * "CALL_ABORT status=INVALID_FRAME_RECEIVED(attr 2)". Never contains key
 * material (the nonce is public but is left out to keep lines short).
 */
void sstp_control_describe(const struct sstp_control *msg, char *buf, size_t size);

/* The Status Infos of a Nak, Abort or Disconnect for a message to the user:
 * "VALUE_NOT_SUPPORTED (attribute 1), ..." or "no reason given". */
void sstp_status_describe(const struct sstp_control *msg, char *buf, size_t size);

#endif
