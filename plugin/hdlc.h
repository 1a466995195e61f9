/* Async HDLC framing (RFC 1662) between pppd's pty and bare PPP frames.
 * Pure code: no I/O, no allocation. */
#ifndef SSTP_HDLC_H
#define SSTP_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HDLC_FLAG     0x7e
#define HDLC_ESCAPE   0x7d
#define HDLC_FCS_INIT 0xffff
#define HDLC_FCS_GOOD 0xf0b8
#define HDLC_ACCM_ALL 0xffffffffu

uint16_t hdlc_fcs16(uint16_t fcs, const uint8_t *data, size_t len);

/*
 * Streaming de-framer. The caller points it at an output buffer; bytes of the
 * frame being collected (FCS included) go there directly, so a frame costs
 * no extra copy. State survives across calls: a frame may be split at any
 * byte between reads. The whole of out[0..cap) is working space: bytes past
 * the frame may be overwritten.
 */
struct hdlc_decoder {
	uint8_t *out;
	size_t cap;
	size_t len; /* bytes collected for the current frame */
	uint16_t fcs;
	bool escaped;             /* previous byte was 0x7d */
	bool in_frame;            /* a flag has been seen since start/last error */
	bool overflow;            /* current frame exceeds cap: discard at next flag */
	unsigned long bad_frames; /* FCS errors, runts, overlong, aborted frames */
};

void hdlc_decoder_init(struct hdlc_decoder *d, uint8_t *out, size_t cap);

/*
 * Consumes input until a complete valid frame has been collected or the input
 * is used up. Returns the number of bytes consumed. When a frame is complete,
 * *frame_len is set to its length without the FCS (the frame starts at
 * d->out) and the caller must hdlc_decoder_reset_output() before the next
 * call; otherwise *frame_len is 0. Invalid frames (bad FCS, shorter than 4
 * bytes with FCS, longer than cap, ending in 7D 7E) are dropped and counted.
 */
size_t hdlc_decode(struct hdlc_decoder *d, const uint8_t *in, size_t len, size_t *frame_len);

/* Points the decoder at a new output buffer for the next frame. */
void hdlc_decoder_reset_output(struct hdlc_decoder *d, uint8_t *out, size_t cap);

/* Worst-case encoded size of a frame of len bytes (flags, FCS, escapes). */
#define HDLC_ENCODED_MAX(len) (2 * ((len) + 2) + 2)

/*
 * Encodes one frame: opening flag, escaped bytes, escaped FCS, closing flag.
 * Bytes 0x00-0x1f are escaped when their bit is set in accm; 0x7d and 0x7e
 * always. out must hold HDLC_ENCODED_MAX(len), all of which may be written
 * to. Returns the encoded length.
 */
size_t hdlc_encode(const uint8_t *frame, size_t len, uint32_t accm, uint8_t *out);

#endif
