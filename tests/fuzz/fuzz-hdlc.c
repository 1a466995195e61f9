/*
 * libFuzzer target: the async-HDLC decoder on an arbitrary pty stream, cut
 * into two reads at a point the input chooses. Every frame it accepts must
 * survive an encode/decode round trip unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hdlc.h"

#define FRAME_CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const uint8_t *frame, size_t len)
{
	static uint8_t wire[HDLC_ENCODED_MAX(FRAME_CAP)];
	static uint8_t again[FRAME_CAP + 2];
	struct hdlc_decoder d;
	size_t wire_len, used, frame_len = 0;

	wire_len = hdlc_encode(frame, len, len & 1 ? HDLC_ACCM_ALL : 0, wire);
	hdlc_decoder_init(&d, again, sizeof(again));
	used = hdlc_decode(&d, wire, wire_len, &frame_len);
	if (frame_len != len || memcmp(again, frame, len) != 0 || used > wire_len)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[FRAME_CAP + 2];
	struct hdlc_decoder d;
	size_t split, pos = 0, frame_len, used;

	if (size < 1)
		return 0;
	split = 1 + (size > 1 ? data[0] % (size - 1) : 0);
	hdlc_decoder_init(&d, out, sizeof(out));
	while (pos < size) {
		size_t end = pos < split ? split : size;

		used = hdlc_decode(&d, data + pos, end - pos, &frame_len);
		if (used == 0 && !frame_len)
			__builtin_trap(); /* no progress on non-empty input */
		pos += used;
		if (frame_len) {
			if (frame_len > sizeof(out) - 2)
				__builtin_trap();
			check_round_trip(out, frame_len);
			hdlc_decoder_reset_output(&d, out, sizeof(out));
		}
	}
	return 0;
}
