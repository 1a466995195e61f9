/* Async HDLC framing against RFC 1662 (FCS-16 of C.2, the CRC-16/X-25 check value). */
#include "hdlc.h"
#include "unit.h"

#define MAX_FRAME  4096
#define MAX_FRAMES 64
#define DECODE_CAP (MAX_FRAME + 2)

/* V6: LCP Configure-Request, MRU 1500, magic 0x12345678 */
static const char v6_frame[] = "FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78";
static const char v6_wire_all[] = "7E FF 7D 23 C0 21 7D 21 7D 21 7D 20 7D 2E 7D 21 7D 24 7D 25 DC"
				  "7D 25 7D 26 7D 32 34 56 78 6E 4E 7E";
static const char v6_wire_none[] = "7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78"
				   "6E 4E 7E";

/* Bit-at-a-time FCS straight from the definition, to check the tables. */
static uint16_t reference_fcs16(uint16_t fcs, const uint8_t *p, size_t len)
{
	int bit;

	while (len--) {
		fcs ^= *p++;
		for (bit = 0; bit < 8; bit++)
			fcs = fcs & 1 ? (fcs >> 1) ^ 0x8408 : fcs >> 1;
	}
	return fcs;
}

/* Byte-at-a-time encoder written from RFC 1662, to check the fast one. */
static size_t reference_encode(const uint8_t *frame, size_t len, uint32_t accm, uint8_t *out)
{
	uint16_t fcs = reference_fcs16(0xffff, frame, len) ^ 0xffff;
	size_t n = 0, i;

	out[n++] = 0x7e;
	for (i = 0; i < len + 2; i++) {
		uint8_t c = i < len ? frame[i] : i == len ? fcs & 0xff : fcs >> 8;

		if (c == 0x7e || c == 0x7d || (c < 0x20 && (accm >> c) & 1)) {
			out[n++] = 0x7d;
			out[n++] = c ^ 0x20;
		} else {
			out[n++] = c;
		}
	}
	out[n++] = 0x7e;
	return n;
}

/* Like reference_encode, but also escapes some bytes that need no escaping,
 * which RFC 1662 allows; escaping 0x5D gives 7D 7D. */
static size_t generous_encode(const uint8_t *frame, size_t len, uint64_t *seed, uint8_t *out)
{
	uint16_t fcs = reference_fcs16(0xffff, frame, len) ^ 0xffff;
	size_t n = 0, i;

	out[n++] = 0x7e;
	for (i = 0; i < len + 2; i++) {
		uint8_t c = i < len ? frame[i] : i == len ? fcs & 0xff : fcs >> 8;

		if (c == 0x7e || c == 0x7d || unit_random(seed) % 3 == 0) {
			out[n++] = 0x7d;
			out[n++] = c ^ 0x20;
		} else {
			out[n++] = c;
		}
	}
	out[n++] = 0x7e;
	return n;
}

struct decoded {
	size_t cap; /* buffer size given to the decoder */
	size_t count;
	size_t len[MAX_FRAMES];
	uint8_t data[MAX_FRAMES][DECODE_CAP];
};

/*
 * Feeds a stream to a decoder in pieces: at split (when non-zero), then in
 * chunks of chunk bytes (0: all at once). Each frame gets its own buffer,
 * as a caller handing frames on without copying would do.
 */
static void decode_stream(struct hdlc_decoder *d, const uint8_t *in, size_t len, size_t split,
			  size_t chunk, struct decoded *res)
{
	size_t pos = 0;

	while (pos < len) {
		size_t end = len;
		size_t frame_len;

		if (split && pos < split)
			end = split;
		else if (chunk && len - pos > chunk)
			end = pos + chunk;
		while (pos < end) {
			size_t used = hdlc_decode(d, in + pos, end - pos, &frame_len);

			/* no progress would loop forever */
			if (!CHECK(used > 0 && used <= end - pos))
				return;
			pos += used;
			if (!frame_len)
				continue;
			if (!CHECK(res->count < MAX_FRAMES))
				return;
			res->len[res->count++] = frame_len;
			if (res->count < MAX_FRAMES)
				hdlc_decoder_reset_output(d, res->data[res->count], res->cap);
		}
	}
}

static void decoder_start(struct hdlc_decoder *d, struct decoded *res, size_t cap)
{
	res->cap = cap;
	res->count = 0;
	hdlc_decoder_init(d, res->data[0], cap);
}

static void test_fcs(void)
{
	uint8_t buf[300];
	uint64_t seed = 1;
	size_t len, split;

	CHECK_INT(hdlc_fcs16(HDLC_FCS_INIT, (const uint8_t *)"123456789", 9) ^ 0xffff, 0x906e);
	CHECK_INT(hdlc_fcs16(HDLC_FCS_INIT, NULL, 0), HDLC_FCS_INIT);

	for (len = 0; len < sizeof(buf); len++)
		buf[len] = (uint8_t)unit_random(&seed);
	for (len = 0; len <= sizeof(buf); len += 7) {
		uint16_t expected = reference_fcs16(0xffff, buf, len);

		CHECK_INT(hdlc_fcs16(0xffff, buf, len), expected);
		/* continuing over a split gives the same value */
		for (split = 0; split <= len; split += 5)
			CHECK_INT(
			    hdlc_fcs16(hdlc_fcs16(0xffff, buf, split), buf + split, len - split),
			    expected);
	}

	/* V6: FCS 0x4E6E; over frame and FCS the residue is the good value */
	len = unit_hex(v6_frame, buf, sizeof(buf));
	CHECK_INT(hdlc_fcs16(HDLC_FCS_INIT, buf, len) ^ 0xffff, 0x4e6e);
	buf[len] = 0x6e;
	buf[len + 1] = 0x4e;
	CHECK_INT(hdlc_fcs16(HDLC_FCS_INIT, buf, len + 2), HDLC_FCS_GOOD);
}

static void test_v6(void)
{
	uint8_t frame[64], wire[64], out[HDLC_ENCODED_MAX(64)];
	struct hdlc_decoder d;
	static struct decoded res;
	size_t frame_len, wire_len;

	frame_len = unit_hex(v6_frame, frame, sizeof(frame));

	wire_len = unit_hex(v6_wire_all, wire, sizeof(wire));
	CHECK_INT(hdlc_encode(frame, frame_len, HDLC_ACCM_ALL, out), wire_len);
	CHECK_MEM(out, wire, wire_len);
	decoder_start(&d, &res, DECODE_CAP);
	decode_stream(&d, wire, wire_len, 0, 0, &res);
	CHECK_INT(res.count, 1);
	CHECK_INT(res.len[0], frame_len);
	CHECK_MEM(res.data[0], frame, frame_len);
	CHECK_INT(d.bad_frames, 0);

	wire_len = unit_hex(v6_wire_none, wire, sizeof(wire));
	CHECK_INT(hdlc_encode(frame, frame_len, 0, out), wire_len);
	CHECK_MEM(out, wire, wire_len);
	decoder_start(&d, &res, DECODE_CAP);
	decode_stream(&d, wire, wire_len, 0, 0, &res);
	CHECK_INT(res.count, 1);
	CHECK_INT(res.len[0], frame_len);
	CHECK_MEM(res.data[0], frame, frame_len);
}

static void test_encode_escapes(void)
{
	uint8_t frame[256], out[HDLC_ENCODED_MAX(256)], expected[HDLC_ENCODED_MAX(256)];
	static const uint32_t accms[] = {0, HDLC_ACCM_ALL, 0x000a0000, 0x80000001, 0x55555555};
	uint64_t seed = 7;
	size_t i, k, n;

	for (i = 0; i < 256; i++)
		frame[i] = (uint8_t)i;
	for (k = 0; k < sizeof(accms) / sizeof(accms[0]); k++) {
		n = hdlc_encode(frame, 256, accms[k], out);
		CHECK_INT(n, reference_encode(frame, 256, accms[k], expected));
		CHECK_MEM(out, expected, n);
		CHECK(n <= HDLC_ENCODED_MAX(256));
		/* between the flags: no flag, and no control byte the map escapes */
		for (i = 1; i + 1 < n; i++) {
			CHECK(out[i] != 0x7e);
			if (out[i] < 0x20)
				CHECK(!((accms[k] >> out[i]) & 1));
		}
	}

	/* XON/XOFF only: just 0x11 and 0x13 among the control bytes */
	frame[0] = 0x11;
	frame[1] = 0x12;
	frame[2] = 0x13;
	n = hdlc_encode(frame, 3, 0x000a0000, out);
	CHECK_MEM(out, "\x7e\x7d\x31\x12\x7d\x33", 6);

	/* worst case: everything escaped, FCS included */
	memset(frame, 0x7e, sizeof(frame));
	for (n = 0; n < 256; n++) {
		uint16_t fcs = hdlc_fcs16(HDLC_FCS_INIT, frame, n) ^ 0xffff;
		size_t escaped_fcs =
		    ((fcs & 0xff) == 0x7e || (fcs & 0xff) == 0x7d || (fcs & 0xff) < 0x20) +
		    ((fcs >> 8) == 0x7e || (fcs >> 8) == 0x7d || (fcs >> 8) < 0x20);

		CHECK_INT(hdlc_encode(frame, n, HDLC_ACCM_ALL, out), 2 * n + 4 + escaped_fcs);
	}

	/* random frames of every length up to 256, compared with the reference */
	for (n = 0; n <= 256 * 3; n++) {
		uint32_t accm = n % 3 == 0   ? 0
				: n % 3 == 1 ? HDLC_ACCM_ALL
					     : (uint32_t)unit_random(&seed);
		size_t frame_len = n / 3;
		size_t len;

		for (i = 0; i < frame_len; i++)
			frame[i] = (uint8_t)unit_random(&seed);
		len = hdlc_encode(frame, frame_len, accm, out);
		if (!CHECK_INT(len, reference_encode(frame, frame_len, accm, expected)) ||
		    !CHECK_MEM(out, expected, len))
			break;
	}
}

/* An FCS byte needing escape is escaped, and decodes. */
static void test_escaped_fcs(void)
{
	uint8_t frame[8], out[HDLC_ENCODED_MAX(8)];
	uint64_t seed = 99;
	struct hdlc_decoder d;
	static struct decoded res;
	int found = 0;
	size_t n;

	while (found < 4) {
		uint16_t fcs;
		int i, escapes;

		/* bytes 0x20-0x5f: none needs escaping with an empty ACCM */
		for (i = 0; i < 8; i++)
			frame[i] = 0x20 + (uint8_t)(unit_random(&seed) & 0x3f);
		fcs = hdlc_fcs16(HDLC_FCS_INIT, frame, 8) ^ 0xffff;
		escapes = ((fcs & 0xff) == 0x7e) + ((fcs >> 8) == 0x7d);
		if (!escapes)
			continue;
		found++;
		n = hdlc_encode(frame, 8, 0, out);
		CHECK_INT(n, 1 + 8 + 2 + escapes + 1);
		decoder_start(&d, &res, DECODE_CAP);
		decode_stream(&d, out, n, 0, 0, &res);
		CHECK_INT(res.count, 1);
		CHECK_INT(res.len[0], 8);
		CHECK_MEM(res.data[0], frame, 8);
	}
}

struct stream {
	uint8_t wire[MAX_FRAMES * (HDLC_ENCODED_MAX(MAX_FRAME) + 1)];
	size_t wire_len;
	size_t count;
	size_t len[MAX_FRAMES];
	uint8_t frames[MAX_FRAMES][MAX_FRAME];
};

static void check_decoded(const struct decoded *res, const struct stream *s)
{
	size_t i;

	if (!CHECK_INT(res->count, s->count))
		return;
	for (i = 0; i < s->count; i++) {
		if (!CHECK_INT(res->len[i], s->len[i]) ||
		    !CHECK_MEM(res->data[i], s->frames[i], s->len[i]))
			return;
	}
}

/* Random frames with random ACCMs, some sharing flags, some with idle fill. */
static void build_random_stream(struct stream *s, uint64_t *seed, size_t count, size_t max_len)
{
	size_t i, k;

	s->wire_len = 0;
	s->count = count;
	for (i = 0; i < count; i++) {
		uint64_t r = unit_random(seed);
		uint32_t accm = r & 1 ? HDLC_ACCM_ALL : r & 2 ? 0 : (uint32_t)(r >> 32);
		size_t n;

		s->len[i] = 2 + unit_random(seed) % (max_len - 1);
		for (k = 0; k < s->len[i]; k++)
			s->frames[i][k] = (uint8_t)unit_random(seed);
		/* some frames made mostly of bytes that need escaping */
		if (r & 4) {
			for (k = 0; k < s->len[i]; k += 2)
				s->frames[i][k] = (r & 8) ? 0x7e : 0x7d;
		}
		n = hdlc_encode(s->frames[i], s->len[i], accm, s->wire + s->wire_len);
		/* share the flag with the previous frame half of the time */
		if (s->wire_len && r & 16)
			memmove(s->wire + s->wire_len - 1, s->wire + s->wire_len, n--);
		s->wire_len += n;
		if (r & 32)
			s->wire[s->wire_len++] = 0x7e;
	}
}

static void test_round_trip_random(void)
{
	static struct stream s;
	static struct decoded res;
	struct hdlc_decoder d;
	uint64_t seed = 0x5eed;
	int round;

	for (round = 0; round < 40; round++) {
		size_t chunk = round < 10 ? 0 : 1 + unit_random(&seed) % 700;

		build_random_stream(&s, &seed, MAX_FRAMES, round & 1 ? 64 : MAX_FRAME);
		decoder_start(&d, &res, DECODE_CAP);
		decode_stream(&d, s.wire, s.wire_len, 0, chunk, &res);
		check_decoded(&res, &s);
		CHECK_INT(d.bad_frames, 0);
	}
}

/* Every possible split, and byte-at-a-time, give the same frames. */
static void test_every_split(void)
{
	static struct stream s;
	static struct decoded res;
	struct hdlc_decoder d;
	uint64_t seed = 42;
	size_t split;

	build_random_stream(&s, &seed, 6, 40);
	/* plus the V6 frame, escape-heavy */
	s.len[s.count] = unit_hex(v6_frame, s.frames[s.count], MAX_FRAME);
	s.wire_len +=
	    hdlc_encode(s.frames[s.count], s.len[s.count], HDLC_ACCM_ALL, s.wire + s.wire_len);
	s.count++;

	for (split = 1; split < s.wire_len; split++) {
		decoder_start(&d, &res, DECODE_CAP);
		decode_stream(&d, s.wire, s.wire_len, split, 0, &res);
		check_decoded(&res, &s);
		CHECK_INT(d.bad_frames, 0);
	}
	decoder_start(&d, &res, DECODE_CAP);
	decode_stream(&d, s.wire, s.wire_len, 0, 1, &res);
	check_decoded(&res, &s);
	CHECK_INT(d.bad_frames, 0);
}

/* Decodes hex in one go and in single bytes; both must give count frames
 * and bad bad frames. Returns the one-go result in *res. */
static void decode_hex(const char *hex, size_t cap, struct decoded *res, size_t count, size_t bad)
{
	static struct decoded bytewise;
	static uint8_t wire[1024];
	struct hdlc_decoder d;
	size_t len = unit_hex(hex, wire, sizeof(wire));
	size_t i;

	decoder_start(&d, &bytewise, cap);
	decode_stream(&d, wire, len, 0, 1, &bytewise);
	CHECK_INT(bytewise.count, count);
	CHECK_INT(d.bad_frames, bad);

	decoder_start(&d, res, cap);
	decode_stream(&d, wire, len, 0, 0, res);
	if (!CHECK_INT(res->count, count) || !CHECK_INT(d.bad_frames, bad))
		fprintf(stderr, "  input: %s\n", hex);
	for (i = 0; i < count && i < bytewise.count; i++) {
		CHECK_INT(res->len[i], bytewise.len[i]);
		CHECK_MEM(res->data[i], bytewise.data[i], res->len[i]);
	}
}

static void test_stream_structure(void)
{
	static struct decoded res;
	uint8_t frame[64];
	size_t frame_len = unit_hex(v6_frame, frame, sizeof(frame));

	/* one flag between two frames, and several */
	decode_hex("7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E"
		   "7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7E",
		   DECODE_CAP, &res, 2, 0);
	CHECK_INT(res.len[1], frame_len);
	CHECK_MEM(res.data[1], frame, frame_len);
	decode_hex("7E 7E 7E 7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E"
		   "7E 7E 7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7E 7E",
		   DECODE_CAP, &res, 2, 0);
	/* only flags */
	decode_hex("7E 7E 7E 7E 7E", DECODE_CAP, &res, 0, 0);

	/* garbage before the first flag, including a complete frame body */
	decode_hex("FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7D 5E 7D"
		   "7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7E",
		   DECODE_CAP, &res, 1, 0);
	CHECK_MEM(res.data[0], frame, frame_len);

	/* a frame with no closing flag yet is not delivered */
	decode_hex("7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E", DECODE_CAP,
		   &res, 0, 0);
}

static void test_invalid_frames(void)
{
	static struct decoded res;
	uint8_t frame[64];
	size_t frame_len = unit_hex(v6_frame, frame, sizeof(frame));

	/* bad FCS, then a good frame */
	decode_hex("7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 79 6E 4E"
		   "7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7E",
		   DECODE_CAP, &res, 1, 1);
	CHECK_MEM(res.data[0], frame, frame_len);
	decode_hex("7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4F 7E", DECODE_CAP,
		   &res, 0, 1);

	/* runts: 1 to 3 bytes; 2 bytes are even a valid FCS of nothing */
	decode_hex("7E 01 7E 01 02 7E 01 02 03 7E 7E", DECODE_CAP, &res, 0, 3);
	decode_hex("7E 00 00 7E", DECODE_CAP, &res, 0, 1);
	decode_hex("7E FF FF 7E", DECODE_CAP, &res, 0, 1);
	decode_hex("7E 7D 5E 7D 5D 7E", DECODE_CAP, &res, 0, 1);

	/* 7D 7E aborts the frame; the flag opens the next one */
	decode_hex("7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7D"
		   "7E FF 03 C0 21 01 01 00 0E 01 04 05 DC 05 06 12 34 56 78 6E 4E 7E",
		   DECODE_CAP, &res, 1, 1);
	CHECK_MEM(res.data[0], frame, frame_len);
	decode_hex("7E 7D 7E 7E", DECODE_CAP, &res, 0, 1);

	/* escape of an escape: unescaped like any other byte (gives 0x5D) */
	decode_hex("7E 7D 7D 01 02 03 7E", DECODE_CAP, &res, 0, 1);
}

static void test_shortest_frame(void)
{
	static struct decoded res;
	uint8_t frame[2] = {0xc0, 0x21};
	uint8_t wire[HDLC_ENCODED_MAX(2)];
	struct hdlc_decoder d;
	size_t n = hdlc_encode(frame, 2, 0, wire);

	decoder_start(&d, &res, DECODE_CAP);
	decode_stream(&d, wire, n, 0, 0, &res);
	CHECK_INT(res.count, 1);
	CHECK_INT(res.len[0], 2);
	CHECK_MEM(res.data[0], frame, 2);

	/* an empty frame (FCS only) is a runt */
	n = hdlc_encode(frame, 0, 0, wire);
	decoder_start(&d, &res, DECODE_CAP);
	decode_stream(&d, wire, n, 0, 0, &res);
	CHECK_INT(res.count, 0);
	CHECK_INT(d.bad_frames, 1);
}

static void test_overlong(void)
{
	static struct stream s;
	static struct decoded res;
	struct hdlc_decoder d;
	uint64_t seed = 3;
	size_t cap, i, n;
	uint8_t escaped_frame[40];

	/* frames of 6..14 bytes (FCS included) against a 10-byte buffer */
	for (cap = 8; cap <= 12; cap++) {
		s.wire_len = 0;
		for (i = 0; i < 9; i++) {
			size_t k;

			s.len[i] = 4 + i;
			for (k = 0; k < s.len[i]; k++)
				s.frames[i][k] = (uint8_t)unit_random(&seed);
			s.wire_len +=
			    hdlc_encode(s.frames[i], s.len[i], HDLC_ACCM_ALL, s.wire + s.wire_len);
		}
		for (n = 0; n < 2; n++) {
			size_t expected = 0;

			decoder_start(&d, &res, cap);
			decode_stream(&d, s.wire, s.wire_len, 0, n, &res);
			for (i = 0; i < 9; i++) {
				if (s.len[i] + 2 > cap)
					continue;
				CHECK_INT(res.len[expected], s.len[i]);
				CHECK_MEM(res.data[expected], s.frames[i], s.len[i]);
				expected++;
			}
			CHECK_INT(res.count, expected);
			CHECK_INT(d.bad_frames, 9 - expected);
		}
	}

	/* exactly full with escapes, then overflowing on an escaped byte */
	for (i = 0; i < sizeof(escaped_frame); i++)
		escaped_frame[i] = 0x7d;
	s.wire_len = hdlc_encode(escaped_frame, 8, 0, s.wire);
	s.wire_len += hdlc_encode(escaped_frame, 11, 0, s.wire + s.wire_len);
	for (n = 0; n < 2; n++) {
		decoder_start(&d, &res, 10);
		decode_stream(&d, s.wire, s.wire_len, 0, n, &res);
		CHECK_INT(res.count, 1);
		CHECK_INT(res.len[0], 8);
		CHECK_MEM(res.data[0], escaped_frame, 8);
		CHECK_INT(d.bad_frames, 1);
	}
	/* overlong frame aborted with 7D 7E counts once */
	decode_hex("7E 01 02 03 04 05 06 07 08 09 0A 0B 0C 7D 7E 7E", 8, &res, 0, 1);
}

/* Byte-at-a-time de-framer written from RFC 1662 4.3 with the same rules
 * for runts, overlong and aborted frames, to check the fast one against. */
struct reference_decoder {
	bool in_frame, escaped, overflow;
	size_t cap, n;
	uint8_t buf[DECODE_CAP];
	unsigned long bad;
};

static void reference_decode(struct reference_decoder *r, const uint8_t *in, size_t len,
			     struct decoded *res)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (!r->in_frame) {
			r->in_frame = c == 0x7e;
			continue;
		}
		if (c == 0x7e) {
			if (r->escaped || r->overflow ||
			    (r->n && (r->n < 4 || reference_fcs16(0xffff, r->buf, r->n) != 0xf0b8)))
				r->bad++;
			else if (r->n && res->count < MAX_FRAMES) {
				memcpy(res->data[res->count], r->buf, r->n - 2);
				res->len[res->count++] = r->n - 2;
			}
			r->n = 0;
			r->escaped = r->overflow = false;
			continue;
		}
		if (r->overflow)
			continue;
		if (r->escaped) {
			c ^= 0x20;
			r->escaped = false;
		} else if (c == 0x7d) {
			r->escaped = true;
			continue;
		}
		if (r->n == r->cap)
			r->overflow = true;
		else
			r->buf[r->n++] = c;
	}
}

/* A hostile mix: valid frames of all sizes, runs of 7D and 7E, random bytes. */
static size_t build_hostile_stream(uint8_t *wire, size_t size, uint64_t *seed)
{
	static const uint8_t specials[] = {0x7d, 0x7e, 0x5d, 0x5e, 0x7d, 0x7d};
	uint8_t frame[300];
	size_t len = 0;

	while (len + HDLC_ENCODED_MAX(sizeof(frame)) < size) {
		uint64_t r = unit_random(seed);
		size_t n = unit_random(seed) % sizeof(frame);
		size_t k;

		switch (r % 4) {
		case 0:
		case 1:
			/* many 0x5D, which escaped is 7D 7D */
			for (k = 0; k < n; k++)
				frame[k] =
				    unit_random(seed) & 1 ? 0x5d : (uint8_t)unit_random(seed);
			if (r & 32)
				len += generous_encode(frame, n, seed, wire + len);
			else
				len += hdlc_encode(frame, n, r & 4 ? HDLC_ACCM_ALL : 0, wire + len);
			/* sometimes cut it short or damage a byte */
			if (r & 8 && n)
				wire[len - 1 - unit_random(seed) % n] ^= 0x01 << (r >> 8) % 8;
			if (r & 16)
				len -= unit_random(seed) % (n + 1);
			break;
		case 2:
			for (k = 0; k < n % 40; k++)
				wire[len++] = specials[unit_random(seed) % sizeof(specials)];
			break;
		default:
			for (k = 0; k < n; k++)
				wire[len++] = (uint8_t)unit_random(seed);
			break;
		}
	}
	return len;
}

static void test_against_reference(void)
{
	static const size_t caps[] = {DECODE_CAP, 300, 100, 64, 17, 16, 15, 4};
	static uint8_t wire[12000];
	static struct decoded fast, ref;
	static struct reference_decoder r;
	struct hdlc_decoder d;
	uint64_t seed = 2024;
	size_t c, round, i;

	for (round = 0; round < 100; round++) {
		size_t len = build_hostile_stream(wire, sizeof(wire), &seed);

		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			size_t chunk = round % 2 ? 0 : 1 + unit_random(&seed) % 100;

			memset(&r, 0, sizeof(r));
			r.cap = caps[c];
			ref.count = 0;
			reference_decode(&r, wire, len / 2, &ref);
			reference_decode(&r, wire + len / 2, len - len / 2, &ref);

			decoder_start(&d, &fast, caps[c]);
			decode_stream(&d, wire, len, len / 2, chunk, &fast);

			if (!CHECK_INT(fast.count, ref.count) || !CHECK_INT(d.bad_frames, r.bad)) {
				fprintf(stderr, "  round %zu cap %zu\n", round, caps[c]);
				continue;
			}
			for (i = 0; i < ref.count; i++) {
				if (!CHECK_INT(fast.len[i], ref.len[i]) ||
				    !CHECK_MEM(fast.data[i], ref.data[i], ref.len[i]))
					break;
			}
		}
	}
}

/*
 * Output buffers of exactly the documented size, on the heap so that the
 * sanitizer build sees any write past them: HDLC_ENCODED_MAX(len) for the
 * encoder, cap for the decoder.
 */
static void test_exact_buffers(void)
{
	static const uint8_t fills[] = {0x7e, 0x00, 0x41};
	uint8_t frame[300];
	uint64_t seed = 11;
	size_t len, f, cap;

	for (f = 0; f < sizeof(fills); f++) {
		memset(frame, fills[f], sizeof(frame));
		for (len = 0; len <= sizeof(frame); len++) {
			uint8_t *out = malloc(HDLC_ENCODED_MAX(len));

			if (!out)
				abort();
			CHECK(hdlc_encode(frame, len, HDLC_ACCM_ALL, out) <= HDLC_ENCODED_MAX(len));
			free(out);
		}
	}

	for (cap = 1; cap <= 80; cap++) {
		uint8_t wire[HDLC_ENCODED_MAX(90)];
		struct hdlc_decoder d;
		size_t expected = 0, got = 0, frame_len;
		uint8_t *out = malloc(cap);

		if (!out)
			abort();
		hdlc_decoder_init(&d, out, cap);
		for (len = 2; len <= 88; len++) {
			size_t wire_len, i, pos = 0;

			for (i = 0; i < len; i++)
				frame[i] =
				    unit_random(&seed) & 1 ? 0x7d : (uint8_t)unit_random(&seed);
			wire_len = hdlc_encode(frame, len, HDLC_ACCM_ALL, wire);
			expected += len + 2 <= cap;
			while (pos < wire_len) {
				pos += hdlc_decode(&d, wire + pos, wire_len - pos, &frame_len);
				if (frame_len) {
					got++;
					CHECK_INT(frame_len, len);
					CHECK_MEM(out, frame, len);
					hdlc_decoder_reset_output(&d, out, cap);
				}
			}
		}
		CHECK_INT(got, expected);
		CHECK_INT(d.bad_frames, 87 - expected);
		free(out);
	}
}

/* The decoder stops right after a frame; the rest is left for the next call. */
static void test_consumed_count(void)
{
	uint8_t wire[128], out[DECODE_CAP];
	struct hdlc_decoder d;
	size_t len, used, frame_len;

	len = unit_hex(v6_wire_all, wire, sizeof(wire));
	memcpy(wire + len, wire, len);
	hdlc_decoder_init(&d, out, sizeof(out));
	used = hdlc_decode(&d, wire, 2 * len, &frame_len);
	CHECK_INT(used, len);
	CHECK_INT(frame_len, 18);
	hdlc_decoder_reset_output(&d, out, sizeof(out));
	/* the shared closing flag already opened the next frame */
	used = hdlc_decode(&d, wire + len + 1, len - 1, &frame_len);
	CHECK_INT(used, len - 1);
	CHECK_INT(frame_len, 18);
	used = hdlc_decode(&d, wire, 0, &frame_len);
	CHECK_INT(used, 0);
	CHECK_INT(frame_len, 0);
}

int main(void)
{
	test_fcs();
	test_v6();
	test_encode_escapes();
	test_escaped_fcs();
	test_round_trip_random();
	test_every_split();
	test_stream_structure();
	test_invalid_frames();
	test_shortest_frame();
	test_overlong();
	test_consumed_count();
	test_against_reference();
	test_exact_buffers();
	return unit_finish("test-hdlc");
}
