/*
 * Micro-benchmark of the plugin's pure data-path code, natively, one core:
 *
 *   to server:  pty bytes (async HDLC) -> hdlc_decode -> call gating -> SSTP data header
 *   to pppd:    SSTP data packets -> sstp_packet_parse -> call gating -> hdlc_encode
 *
 * the same calls, in the same order and into the same kind of buffers as
 * plugin/pump.c. Frames are FF 03 00 21 + random bytes (IP payload looks
 * random to HDLC); MB/s counts PPP frame bytes.
 *
 *   datapath-bench                     table for 64-, 576- and 1500-byte frames
 *   datapath-bench --one DIR SIZE MB   one fixed run, for callgrind (DIR is
 *       to-server, to-pppd or to-pppd-accm0):
 *       valgrind --tool=callgrind --collect-atstart=no \
 *                --toggle-collect=run_to_server --toggle-collect=run_to_pppd ...
 *
 * accm: the encoder escapes what pppd's receive asyncmap asks for; "all" is
 * the RFC 1662 default (every control byte), "none" what pppd negotiates by
 * default (asyncmap 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "call.h"
#include "hdlc.h"
#include "sstp-codec.h"

#define STREAM_BYTES (4u << 20) /* input per pass */
/* Output wraps around within a window the size of the pump's queues, so
 * that it stays in cache as it does in the pump, which flushes them. */
#define OUT_WINDOW (128u << 10)

struct workload {
	size_t frame_len, frames;
	uint8_t *hdlc; /* encoded stream as pppd writes it to the pty */
	size_t hdlc_len;
	uint8_t *sstp; /* data packets as they come out of TLS */
	size_t sstp_len;
	uint8_t *out; /* output buffer, reused */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_workload(struct workload *w, size_t frame_len, uint32_t wire_accm)
{
	uint8_t frame[SSTP_MAX_DATA_LEN];
	size_t i;

	w->frame_len = frame_len;
	w->frames = STREAM_BYTES / frame_len;
	w->hdlc = malloc(w->frames * HDLC_ENCODED_MAX(frame_len));
	w->sstp = malloc(w->frames * (frame_len + SSTP_HEADER_LEN));
	w->out = malloc(OUT_WINDOW + 2 * HDLC_ENCODED_MAX(SSTP_MAX_DATA_LEN));
	if (!w->hdlc || !w->sstp || !w->out) {
		perror("malloc");
		exit(1);
	}
	w->hdlc_len = w->sstp_len = 0;
	srand(42);
	for (size_t f = 0; f < w->frames; f++) {
		frame[0] = 0xff;
		frame[1] = 0x03;
		frame[2] = 0x00;
		frame[3] = 0x21;
		for (i = 4; i < frame_len; i++)
			frame[i] = (uint8_t)rand();
		w->hdlc_len += hdlc_encode(frame, frame_len, wire_accm, w->hdlc + w->hdlc_len);
		sstp_encode_data_header(w->sstp + w->sstp_len, frame_len);
		memcpy(w->sstp + w->sstp_len + SSTP_HEADER_LEN, frame, frame_len);
		w->sstp_len += frame_len + SSTP_HEADER_LEN;
	}
}

/* The call, as the pump asks it about every frame; put in Call_Connected at
 * run time, through the library, so the compiler cannot drop the checks. */
static struct sstp_call call;

static void connect_call(void)
{
	const struct sstp_call_config cfg = {.server = "bench"};

	sstp_call_init(&call, &cfg);
	call.state = SSTP_CLIENT_CALL_CONNECTED;
	call.forward = SSTP_FORWARD_ALL;
}

/* pty -> TLS, as pump.c's process_pty_in() does it. Returns frames out. */
__attribute__((noinline)) size_t run_to_server(struct workload *w);
__attribute__((noinline)) size_t run_to_server(struct workload *w)
{
	struct hdlc_decoder d;
	size_t pos = 0, out_len = 0, frames = 0, frame_len;

	hdlc_decoder_init(&d, w->out + SSTP_HEADER_LEN, SSTP_MAX_DATA_LEN + 2);
	while (pos < w->hdlc_len) {
		pos += hdlc_decode(&d, w->hdlc + pos, w->hdlc_len - pos, &frame_len);
		if (frame_len) {
			const uint8_t *frame = w->out + out_len + SSTP_HEADER_LEN;

			if (!sstp_call_may_forward(&call, frame[2] << 8 | frame[3]))
				continue;
			sstp_encode_data_header(w->out + out_len, frame_len);
			out_len += SSTP_HEADER_LEN + frame_len;
			frames++;
			if (out_len > OUT_WINDOW)
				out_len = 0;
			hdlc_decoder_reset_output(&d, w->out + out_len + SSTP_HEADER_LEN,
						  SSTP_MAX_DATA_LEN + 2);
		}
	}
	return frames;
}

/* TLS -> pty, as pump.c's process_tls_in()/deliver_data() do it. */
__attribute__((noinline)) size_t run_to_pppd(struct workload *w, uint32_t accm);
__attribute__((noinline)) size_t run_to_pppd(struct workload *w, uint32_t accm)
{
	struct sstp_packet pkt;
	size_t off = 0, out_len = 0, frames = 0;
	int len;

	while ((len = sstp_packet_parse(w->sstp + off, w->sstp_len - off, &pkt)) > 0) {
		off += (size_t)len;
		if (call.forward != SSTP_FORWARD_ALL &&
		    !sstp_call_may_forward(&call, pkt.payload[2] << 8 | pkt.payload[3]))
			continue;
		out_len += hdlc_encode(pkt.payload, pkt.payload_len, accm, w->out + out_len);
		frames++;
		if (out_len > OUT_WINDOW)
			out_len = 0;
	}
	return frames;
}

static void measure(const char *name, struct workload *w, int to_server, uint32_t accm)
{
	double best = 1e9;

	for (int rep = 0; rep < 7; rep++) {
		double t0 = now(), t;
		size_t frames = to_server ? run_to_server(w) : run_to_pppd(w, accm);

		t = now() - t0;
		if (frames != w->frames) {
			fprintf(stderr, "%s: %zu frames out of %zu\n", name, frames, w->frames);
			exit(1);
		}
		if (t < best)
			best = t;
	}
	printf("%-28s %6zu %9.0f %9.1f\n", name, w->frame_len,
	       (double)(w->frames * w->frame_len) / best / 1e6, best / (double)w->frames * 1e9);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {64, 576, 1500};
	struct workload w;

	connect_call();
	if (argc == 5 && !strcmp(argv[1], "--one")) {
		/* fixed work for callgrind: SIZE-byte frames, about MB megabytes */
		size_t size = strtoul(argv[3], NULL, 10), passes = strtoul(argv[4], NULL, 10) / 4;
		int to_server = !strcmp(argv[2], "to-server");
		uint32_t accm = strcmp(argv[2], "to-pppd-accm0") ? HDLC_ACCM_ALL : 0;

		make_workload(&w, size, 0);
		for (size_t i = 0; i < (passes ? passes : 1); i++)
			if (to_server)
				run_to_server(&w);
			else
				run_to_pppd(&w, accm);
		printf("bytes %zu\n", (passes ? passes : 1) * w.frames * w.frame_len);
		return 0;
	}
	printf("%-28s %6s %9s %9s\n", "direction", "frame", "MB/s", "ns/frame");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		make_workload(&w, sizes[i], 0);
		measure("to server (decode)", &w, 1, 0);
		measure("to pppd (encode, accm all)", &w, 0, HDLC_ACCM_ALL);
		measure("to pppd (encode, accm 0)", &w, 0, 0);
		free(w.hdlc);
		free(w.sstp);
		free(w.out);
	}
	return 0;
}
