/*
 * libFuzzer target: the call state machine under random event sequences
 * (control messages of every type, malformed ones, packets seen, time
 * passing, authentication, local hang-ups), checking MS-SSTP's invariants:
 * - no network-layer data passes before Client_Call_Connected (3.2.7.2);
 * - while the call lives, a timer runs, and once the Abort or Disconnect
 *   procedure has started the call ends within Disconnect 1 + Abort 2;
 * - once it has started, only the answers the spec allows go out: Call
 *   Abort answering the peer's (3.2.5.3.4), Disconnect Ack (3.2.5.3.5);
 * - everything sent is a well-formed control message; nothing crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "call.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t cert_der[] = {0x30, 0x03, 0x02, 0x01, 0x01};

/* Longest teardown: Disconnect 1 nearly out, then the peer aborts. */
#define TEARDOWN_MAX_MS (SSTP_DISCONNECT_TIMER_1_MS + SSTP_ABORT_TIMER_2_MS)

static void check_sent(const struct sstp_call_actions *act, bool tearing_down)
{
	size_t off = 0;

	while (off < act->send_len) {
		struct sstp_packet pkt;
		struct sstp_control msg;
		int len = sstp_packet_parse(act->send + off, act->send_len - off, &pkt);

		if (len <= 0 || !pkt.is_control ||
		    sstp_control_parse(pkt.payload, pkt.payload_len, &msg) < 0)
			__builtin_trap();
		if (tearing_down && msg.type != SSTP_MSG_CALL_ABORT &&
		    msg.type != SSTP_MSG_CALL_DISCONNECT_ACK)
			__builtin_trap();
		off += (size_t)len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sstp_error err = {0};
	struct sstp_call_config cfg = {
	    .server = "fuzz",
	    .cert_der = cert_der,
	    .cert_der_len = sizeof(cert_der),
	    .err = &err,
	};
	struct sstp_call call;
	struct sstp_call_actions act;
	uint8_t hlak[SSTP_HLAK_LEN] = {0};
	int64_t now = 1000, teardown_since = -1;
	size_t i;

	sstp_call_init(&call, &cfg);
	sstp_call_start(&call, now, &act);
	check_sent(&act, false);

	for (i = 0; i + 1 < size && !call.ended; i += 2) {
		uint8_t op = data[i] % 16, arg = data[i + 1];
		bool was_tearing_down = sstp_call_tearing_down(&call);
		struct sstp_control msg = {.type = op};

		memset(&act, 0, sizeof(act));
		switch (op) {
		case 0: /* time passes; the driver fires a due timer */
			now += (int64_t)arg * 250;
			if (sstp_call_deadline(&call) >= 0 && now >= sstp_call_deadline(&call))
				sstp_call_timer(&call, now, &act);
			break;
		case 10:
			sstp_call_malformed(&call, now, &act);
			break;
		case 11:
			sstp_call_received(&call, now);
			break;
		case 12:
			hlak[0] = arg;
			if (sstp_call_auth_done(&call, hlak, now, &act) == 0 &&
			    call.state != SSTP_CLIENT_CALL_CONNECTED)
				__builtin_trap();
			break;
		case 13:
			sstp_call_disconnect(&call, now, &act);
			break;
		case 14:
		case 15:
			/* Time jumps to the deadline, as a poll() timeout would. */
			if (sstp_call_deadline(&call) >= 0 && sstp_call_deadline(&call) > now)
				now = sstp_call_deadline(&call);
			sstp_call_timer(&call, now, &act);
			break;
		default: /* 1..9: a control message, its attributes from arg */
			msg.num_attrs = arg & 3;
			msg.has_crypto_binding_req = arg & 4;
			msg.hash_bitmask = arg >> 4;
			memset(msg.nonce, arg, sizeof(msg.nonce));
			msg.num_status = (arg >> 3) & 1;
			msg.status[0].status = arg >> 5;
			sstp_call_control(&call, &msg, now, &act);
			break;
		}
		check_sent(&act, was_tearing_down);
		if (act.end != call.ended)
			__builtin_trap();
		/* Data only in Call_Connected, control frames not before the Ack. */
		if (sstp_call_may_forward(&call, 0x0021) &&
		    call.state != SSTP_CLIENT_CALL_CONNECTED)
			__builtin_trap();
		if (sstp_call_may_forward(&call, 0xc021) &&
		    call.state != SSTP_CLIENT_CALL_CONNECTED &&
		    call.state != SSTP_CLIENT_CONNECT_ACK_RECEIVED)
			__builtin_trap();
		if (!call.ended && sstp_call_deadline(&call) < 0)
			__builtin_trap(); /* a live call without a timer could hang */
		if (sstp_call_tearing_down(&call) && teardown_since < 0)
			teardown_since = now;
		if (teardown_since >= 0 && !call.ended &&
		    sstp_call_deadline(&call) > teardown_since + TEARDOWN_MAX_MS)
			__builtin_trap();
	}
	return 0;
}
