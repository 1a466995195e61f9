/* libFuzzer target: SSTP packet delineation and control message parsing, as
 * fed by a hostile server's byte stream. */
#include <stddef.h>
#include <stdint.h>

#include "sstp-codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t offset = 0;

	while (offset < size) {
		struct sstp_packet pkt;
		struct sstp_control msg;
		char line[256];
		int len = sstp_packet_parse(data + offset, size - offset, &pkt);

		if (len <= 0)
			break;
		if ((size_t)len > size - offset || pkt.total_len != (size_t)len ||
		    pkt.payload + pkt.payload_len != data + offset + len)
			__builtin_trap();
		if (pkt.is_control && sstp_control_parse(pkt.payload, pkt.payload_len, &msg) == 0) {
			if (msg.num_status > SSTP_MAX_STATUS_INFOS)
				__builtin_trap();
			sstp_control_describe(&msg, line, sizeof(line));
		}
		offset += len;
	}
	return 0;
}
