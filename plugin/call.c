/*
 * The SSTP client call state machine: MS-SSTP 3.2.1.1.1 (call
 * establishment), 3.1.1.1 (Call Abort and Call Disconnect), the message
 * processing of 3.2.5.3, the timers of 3.1.2 and 3.2.2 and the disconnect
 * event of 3.2.4.2. One function per event; each says which state handles
 * the event how, in the order the spec lists the cases.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "call.h"

#define LOG_LINE_MAX 256

static const char *const state_names[] = {
    [SSTP_CLIENT_CALL_DISCONNECTED] = "Call_Disconnected",
    [SSTP_CLIENT_CONNECT_REQUEST_SENT] = "Connect_Request_Sent",
    [SSTP_CLIENT_CONNECT_ACK_RECEIVED] = "Connect_Ack_Received",
    [SSTP_CLIENT_CALL_CONNECTED] = "Call_Connected",
    [SSTP_CALL_ABORT_IN_PROGRESS_1] = "Call_Abort_In_Progress_1",
    [SSTP_CALL_ABORT_IN_PROGRESS_2] = "Call_Abort_In_Progress_2",
    [SSTP_CALL_ABORT_PENDING] = "Call_Abort_Pending",
    [SSTP_CALL_ABORT_TIMEOUT_PENDING] = "Call_Abort_Timeout_Pending",
    [SSTP_CALL_DISCONNECT_IN_PROGRESS_1] = "Call_Disconnect_In_Progress_1",
    [SSTP_CALL_DISCONNECT_IN_PROGRESS_2] = "Call_Disconnect_In_Progress_2",
    [SSTP_CALL_DISCONNECT_ACK_PENDING] = "Call_Disconnect_Ack_Pending",
    [SSTP_CALL_DISCONNECT_TIMEOUT_PENDING] = "Call_Disconnect_Timeout_Pending",
};

const char *sstp_call_state_name(enum sstp_call_state state)
{
	if ((size_t)state < sizeof(state_names) / sizeof(state_names[0]) && state_names[state])
		return state_names[state];
	return "unknown";
}

SSTP_PRINTF(3, 4)
static void call_log(const struct sstp_call *call, enum sstp_call_log_level level, const char *fmt,
		     ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (!call->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	call->cfg.log(call->cfg.log_ctx, level, line);
}

/* Records why the call failed; the first cause wins (sstp_error_set). */
SSTP_PRINTF(3, 4)
static void call_fail(struct sstp_call *call, int exit_status, const char *fmt, ...)
{
	char text[SSTP_ERROR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sstp_error_set(call->cfg.err, exit_status, "%s", text);
}

static void enter(struct sstp_call *call, enum sstp_call_state next, const char *why)
{
	call_log(call, SSTP_CALL_LOG_DEBUG, "call: %s -> %s (%s)",
		 sstp_call_state_name(call->state), sstp_call_state_name(next), why);
	call->state = next;
	switch (next) {
	case SSTP_CLIENT_CONNECT_ACK_RECEIVED:
		call->forward = SSTP_FORWARD_CONTROL;
		break;
	case SSTP_CLIENT_CALL_CONNECTED:
		call->forward = SSTP_FORWARD_ALL;
		break;
	default:
		call->forward = SSTP_FORWARD_NONE;
		break;
	}
}

static void start_timer(struct sstp_call *call, int64_t now, int ms)
{
	call->deadline = now + ms;
}

static void queue(struct sstp_call_actions *act, const uint8_t *msg, size_t len)
{
	/* Each event sends at most one message; SSTP_CALL_SEND_MAX has room
	 * for the largest plus one more. */
	if (act->send_len + len > sizeof(act->send))
		return;
	memcpy(act->send + act->send_len, msg, len);
	act->send_len += len;
}

static void queue_simple(struct sstp_call_actions *act, enum sstp_msg_type type)
{
	uint8_t msg[SSTP_SIMPLE_MSG_LEN];

	queue(act, msg, sstp_encode_simple(msg, type));
}

static void queue_with_status(struct sstp_call_actions *act, enum sstp_msg_type type,
			      uint8_t attr_id, uint32_t status)
{
	uint8_t msg[SSTP_STATUS_MSG_LEN];

	queue(act, msg, sstp_encode_with_status(msg, type, attr_id, status));
}

/* Clean up: the call is over (Client_Call_Disconnected). */
static void finish(struct sstp_call *call, struct sstp_call_actions *act, const char *why)
{
	enter(call, SSTP_CLIENT_CALL_DISCONNECTED, why);
	call->deadline = -1;
	call->ended = true;
	act->end = true;
}

/* The Abort procedure (MS-SSTP 3.1.5.1). */
static void abort_call(struct sstp_call *call, int64_t now, struct sstp_call_actions *act,
		       uint8_t attr_id, uint32_t status, const char *why)
{
	enter(call, SSTP_CALL_ABORT_IN_PROGRESS_1, why);
	queue_with_status(act, SSTP_MSG_CALL_ABORT, attr_id, status);
	start_timer(call, now, SSTP_ABORT_TIMER_1_MS);
	enter(call, SSTP_CALL_ABORT_PENDING, "Call Abort sent");
}

/* Answering the peer's Call Abort (MS-SSTP 3.2.5.3.4). */
static void answer_abort(struct sstp_call *call, int64_t now, struct sstp_call_actions *act)
{
	enter(call, SSTP_CALL_ABORT_IN_PROGRESS_2, "Call Abort");
	queue_with_status(act, SSTP_MSG_CALL_ABORT, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NO_ERROR);
	start_timer(call, now, SSTP_ABORT_TIMER_2_MS);
	enter(call, SSTP_CALL_ABORT_TIMEOUT_PENDING, "Call Abort sent");
}

bool sstp_call_tearing_down(const struct sstp_call *call)
{
	switch (call->state) {
	case SSTP_CLIENT_CONNECT_REQUEST_SENT:
	case SSTP_CLIENT_CONNECT_ACK_RECEIVED:
	case SSTP_CLIENT_CALL_CONNECTED:
		return false;
	case SSTP_CLIENT_CALL_DISCONNECTED:
		return call->ended;
	default:
		return true;
	}
}

/* The states in which the Ack, Nak, Echo and Disconnect Ack processing of
 * MS-SSTP 3.2.5.3.2-3.2.5.3.8 says "ignore the message". */
static bool ignores_messages(const struct sstp_call *call)
{
	return sstp_call_tearing_down(call) || call->state == SSTP_CLIENT_CALL_DISCONNECTED;
}

void sstp_call_init(struct sstp_call *call, const struct sstp_call_config *cfg)
{
	memset(call, 0, sizeof(*call));
	call->cfg = *cfg;
	call->state = SSTP_CLIENT_CALL_DISCONNECTED;
	call->forward = SSTP_FORWARD_NONE;
	call->deadline = -1;
}

static void clear_actions(struct sstp_call_actions *act)
{
	act->send_len = 0;
	act->accepted = false;
	act->end = false;
}

static void send_connect_request(struct sstp_call *call, int64_t now, struct sstp_call_actions *act)
{
	uint8_t msg[SSTP_CALL_CONNECT_REQUEST_LEN];

	queue(act, msg, sstp_encode_call_connect_request(msg));
	call->connect_requests++;
	start_timer(call, now, SSTP_NEGOTIATION_TIMER_MS);
}

void sstp_call_start(struct sstp_call *call, int64_t now, struct sstp_call_actions *act)
{
	clear_actions(act);
	if (call->state != SSTP_CLIENT_CALL_DISCONNECTED || call->ended)
		return;
	send_connect_request(call, now, act);
	enter(call, SSTP_CLIENT_CONNECT_REQUEST_SENT, "HTTPS connection up");
}

/* MS-SSTP 3.2.5.3.2 */
static void on_connect_ack(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
			   struct sstp_call_actions *act)
{
	const char *server = call->cfg.server;

	call->hash_protocol = sstp_choose_hash(msg->hash_bitmask);
	if (!msg->has_crypto_binding_req || !call->hash_protocol) {
		call_fail(call, SSTP_EXIT_CONNECT_FAILED,
			  "SSTP server %s offered no usable crypto binding hash "
			  "(bitmask 0x%02x; SHA-1 or SHA-256 needed)",
			  server, msg->hash_bitmask);
		abort_call(call, now, act, SSTP_ATTR_CRYPTO_BINDING_REQ,
			   SSTP_STATUS_VALUE_NOT_SUPPORTED,
			   "Call Connect Ack without a usable hash");
		return;
	}
	if (sstp_cert_hash(call->hash_protocol, call->cfg.cert_der, call->cfg.cert_der_len,
			   call->cert_hash) < 0) {
		call_fail(call, SSTP_EXIT_FATAL_ERROR, "cannot hash the server certificate");
		abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NO_ERROR,
			   "certificate hash failed");
		return;
	}
	memcpy(call->nonce, msg->nonce, sizeof(call->nonce));
	start_timer(call, now, SSTP_NEGOTIATION_TIMER_MS);
	act->accepted = true;
	enter(call, SSTP_CLIENT_CONNECT_ACK_RECEIVED, "Call Connect Ack");
	call_log(call, SSTP_CALL_LOG_INFO, "call accepted by %s, crypto binding with %s", server,
		 sstp_hash_name(call->hash_protocol));
}

/* MS-SSTP 3.2.5.3.3 */
static void on_connect_nak(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
			   struct sstp_call_actions *act)
{
	char reasons[SSTP_ERROR_TEXT_MAX / 2];

	sstp_status_describe(msg, reasons, sizeof(reasons));
	call_log(call, SSTP_CALL_LOG_WARN,
		 "SSTP server %s refused Call Connect Request %u of %d: %s", call->cfg.server,
		 call->connect_requests, SSTP_CONNECT_REQUEST_ATTEMPTS, reasons);
	if (call->connect_requests < SSTP_CONNECT_REQUEST_ATTEMPTS) {
		send_connect_request(call, now, act);
		call_log(call, SSTP_CALL_LOG_DEBUG, "call: %s: Call Connect Request %u sent",
			 sstp_call_state_name(call->state), call->connect_requests);
		return;
	}
	call_fail(call, SSTP_EXIT_CONNECT_FAILED, "SSTP server %s refused the call %u times: %s",
		  call->cfg.server, call->connect_requests, reasons);
	abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_RETRY_COUNT_EXCEEDED,
		   "Call Connect Nak, retries exhausted");
}

/* A message the current state does not expect: the Abort procedure
 * (MS-SSTP 3.1.5.1), saying which message it was. */
static void unexpected(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
		       struct sstp_call_actions *act)
{
	char why[64];

	if (call->state == SSTP_CLIENT_CONNECT_REQUEST_SENT)
		call_fail(call, SSTP_EXIT_CONNECT_FAILED,
			  "SSTP server %s sent %s (message type 0x%04x) while we waited for Call "
			  "Connect Ack",
			  call->cfg.server, sstp_msg_name(msg->type), msg->type);
	else
		call_fail(call, SSTP_EXIT_CONNECT_FAILED,
			  "unexpected %s from SSTP server %s; aborting the call",
			  sstp_msg_name(msg->type), call->cfg.server);
	snprintf(why, sizeof(why), "unexpected %s", sstp_msg_name(msg->type));
	abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED, why);
}

/* MS-SSTP 3.2.5.3.4 */
static void on_abort(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
		     struct sstp_call_actions *act)
{
	char reasons[SSTP_ERROR_TEXT_MAX / 2];

	switch (call->state) {
	case SSTP_CALL_ABORT_PENDING:
		start_timer(call, now, SSTP_ABORT_TIMER_2_MS);
		enter(call, SSTP_CALL_ABORT_TIMEOUT_PENDING, "Call Abort");
		return;
	case SSTP_CALL_ABORT_TIMEOUT_PENDING:
	case SSTP_CALL_DISCONNECT_TIMEOUT_PENDING:
	case SSTP_CALL_ABORT_IN_PROGRESS_2:
	case SSTP_CLIENT_CALL_DISCONNECTED:
		return;
	default:
		break;
	}
	sstp_status_describe(msg, reasons, sizeof(reasons));
	/* Hanging up already: the Abort only ends it sooner. */
	if (!call->local_disconnect)
		call_fail(call, SSTP_EXIT_CONNECT_FAILED, "SSTP server %s aborted the call%s: %s",
			  call->cfg.server,
			  call->state == SSTP_CLIENT_CONNECT_REQUEST_SENT ? " during setup" : "",
			  reasons);
	answer_abort(call, now, act);
}

/* MS-SSTP 3.2.5.3.5, and 3.2.4.2: the far end acknowledges a Call
 * Disconnect whatever its state, even while its own waits for an Ack. */
static void on_disconnect(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
			  struct sstp_call_actions *act)
{
	char reasons[SSTP_ERROR_TEXT_MAX / 2];
	bool setup = call->state == SSTP_CLIENT_CONNECT_REQUEST_SENT;

	switch (call->state) {
	case SSTP_CLIENT_CONNECT_REQUEST_SENT:
	case SSTP_CLIENT_CONNECT_ACK_RECEIVED:
	case SSTP_CLIENT_CALL_CONNECTED:
	case SSTP_CALL_DISCONNECT_ACK_PENDING:
		break;
	default:
		return;
	}
	sstp_status_describe(msg, reasons, sizeof(reasons));
	if (!call->local_disconnect)
		call_fail(call, setup ? SSTP_EXIT_CONNECT_FAILED : SSTP_EXIT_HANGUP,
			  "SSTP server %s disconnected the call%s: %s", call->cfg.server,
			  setup ? " during setup" : "", reasons);
	enter(call, SSTP_CALL_DISCONNECT_IN_PROGRESS_2, "Call Disconnect");
	queue_simple(act, SSTP_MSG_CALL_DISCONNECT_ACK);
	start_timer(call, now, SSTP_DISCONNECT_TIMER_2_MS);
	enter(call, SSTP_CALL_DISCONNECT_TIMEOUT_PENDING, "Call Disconnect Ack sent");
}

/* MS-SSTP 3.2.5.3.6 */
static void on_disconnect_ack(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
			      struct sstp_call_actions *act)
{
	if (call->state == SSTP_CALL_DISCONNECT_ACK_PENDING)
		finish(call, act, "Call Disconnect Ack");
	else if (!ignores_messages(call))
		unexpected(call, msg, now, act);
}

/* MS-SSTP 3.2.5.3.7 and 3.2.5.3.8 */
static void on_echo(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
		    struct sstp_call_actions *act)
{
	if (call->state == SSTP_CLIENT_CALL_CONNECTED) {
		sstp_call_received(call, now);
		if (msg->type == SSTP_MSG_ECHO_REQUEST)
			queue_simple(act, SSTP_MSG_ECHO_RESPONSE);
	} else if (!ignores_messages(call)) {
		unexpected(call, msg, now, act);
	}
}

void sstp_call_control(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
		       struct sstp_call_actions *act)
{
	clear_actions(act);
	switch (msg->type) {
	case SSTP_MSG_CALL_CONNECT_ACK:
	case SSTP_MSG_CALL_CONNECT_NAK:
		if (call->state == SSTP_CLIENT_CONNECT_REQUEST_SENT) {
			if (msg->type == SSTP_MSG_CALL_CONNECT_ACK)
				on_connect_ack(call, msg, now, act);
			else
				on_connect_nak(call, msg, now, act);
		} else if (!ignores_messages(call)) {
			unexpected(call, msg, now, act);
		}
		break;
	case SSTP_MSG_CALL_ABORT:
		on_abort(call, msg, now, act);
		break;
	case SSTP_MSG_CALL_DISCONNECT:
		on_disconnect(call, msg, now, act);
		break;
	case SSTP_MSG_CALL_DISCONNECT_ACK:
		on_disconnect_ack(call, msg, now, act);
		break;
	case SSTP_MSG_ECHO_REQUEST:
	case SSTP_MSG_ECHO_RESPONSE:
		on_echo(call, msg, now, act);
		break;
	default:
		/* Call Connect Request, Call Connected (only a server receives
		 * them) and unknown types: invalid for a client (3.1.5.1);
		 * silently discarded while tearing down (3.1.1.1.2). */
		if (!ignores_messages(call))
			unexpected(call, msg, now, act);
		break;
	}
}

void sstp_call_malformed(struct sstp_call *call, int64_t now, struct sstp_call_actions *act)
{
	clear_actions(act);
	if (ignores_messages(call))
		return;
	call_fail(call, SSTP_EXIT_CONNECT_FAILED,
		  "SSTP server %s sent a malformed SSTP control message%s", call->cfg.server,
		  call->state == SSTP_CLIENT_CONNECT_REQUEST_SENT ? " during call setup" : "");
	abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_INVALID_FRAME_RECEIVED,
		   "malformed control message");
}

void sstp_call_received(struct sstp_call *call, int64_t now)
{
	if (call->state != SSTP_CLIENT_CALL_CONNECTED)
		return;
	call->deadline = now + SSTP_HELLO_TIMER_MS;
	call->echo_sent = false;
}

void sstp_call_timer(struct sstp_call *call, int64_t now, struct sstp_call_actions *act)
{
	clear_actions(act);
	if (call->deadline < 0 || now < call->deadline)
		return;
	switch (call->state) {
	case SSTP_CLIENT_CONNECT_REQUEST_SENT:
		call_fail(call, SSTP_EXIT_CONNECT_FAILED,
			  "SSTP server %s did not answer the Call Connect Request within %d s",
			  call->cfg.server, SSTP_NEGOTIATION_TIMER_MS / 1000);
		abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NEGOTIATION_TIMEOUT,
			   "Negotiation timer");
		break;
	case SSTP_CLIENT_CONNECT_ACK_RECEIVED:
		call_fail(call, SSTP_EXIT_CONNECT_FAILED,
			  "PPP authentication did not finish within %d s of the call being "
			  "accepted; aborting the call",
			  SSTP_NEGOTIATION_TIMER_MS / 1000);
		abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NEGOTIATION_TIMEOUT,
			   "Negotiation timer");
		break;
	case SSTP_CLIENT_CALL_CONNECTED:
		/* MS-SSTP 3.1.2.3: the first expiry sends Echo Request; a
		 * second one with nothing received since drops the
		 * connection without a Call Abort. */
		if (!call->echo_sent) {
			queue_simple(act, SSTP_MSG_ECHO_REQUEST);
			call->echo_sent = true;
			start_timer(call, now, SSTP_HELLO_TIMER_MS);
			call_log(call, SSTP_CALL_LOG_DEBUG,
				 "call: Call_Connected: Hello timer, Echo Request sent");
			break;
		}
		call_fail(call, SSTP_EXIT_CONNECT_FAILED,
			  "SSTP server %s stopped answering (nothing received within %d s of an "
			  "Echo Request); dropping the connection",
			  call->cfg.server, SSTP_HELLO_TIMER_MS / 1000);
		finish(call, act, "Hello timer, no answer");
		break;
	case SSTP_CALL_ABORT_PENDING:
		finish(call, act, "Abort timer 1");
		break;
	case SSTP_CALL_ABORT_TIMEOUT_PENDING:
		finish(call, act, "Abort timer 2");
		break;
	case SSTP_CALL_DISCONNECT_ACK_PENDING:
		finish(call, act, "Disconnect timer 1");
		break;
	case SSTP_CALL_DISCONNECT_TIMEOUT_PENDING:
		finish(call, act, "Disconnect timer 2");
		break;
	default:
		call->deadline = -1;
		break;
	}
}

int sstp_call_auth_done(struct sstp_call *call, const uint8_t hlak[SSTP_HLAK_LEN], int64_t now,
			struct sstp_call_actions *act)
{
	uint8_t msg[SSTP_CALL_CONNECTED_LEN];

	clear_actions(act);
	/* LCP renegotiated and pppd authenticated again: already bound. */
	if (call->state == SSTP_CLIENT_CALL_CONNECTED)
		return 0;
	if (call->state != SSTP_CLIENT_CONNECT_ACK_RECEIVED)
		return -ENOTCONN;
	if (sstp_build_call_connected(msg, call->hash_protocol, call->nonce, call->cert_hash,
				      hlak) < 0) {
		call_fail(call, SSTP_EXIT_FATAL_ERROR, "cannot compute the crypto binding");
		abort_call(call, now, act, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NO_ERROR,
			   "crypto binding failed");
		return -EIO;
	}
	queue(act, msg, sizeof(msg));
	gnutls_memset(msg, 0, sizeof(msg));
	/* Stop the Negotiation timer, start Hello (MS-SSTP 3.1.2.3). */
	start_timer(call, now, SSTP_HELLO_TIMER_MS);
	call->echo_sent = false;
	enter(call, SSTP_CLIENT_CALL_CONNECTED, "authentication done, Call Connected sent");
	call_log(call, SSTP_CALL_LOG_INFO, "call connected to %s", call->cfg.server);
	return 0;
}

void sstp_call_disconnect(struct sstp_call *call, int64_t now, struct sstp_call_actions *act)
{
	clear_actions(act);
	switch (call->state) {
	case SSTP_CLIENT_CALL_DISCONNECTED:
		/* Before the call started there is no one to tell. */
		if (!call->ended) {
			call->local_disconnect = true;
			finish(call, act, "local disconnect");
		}
		return;
	case SSTP_CLIENT_CONNECT_REQUEST_SENT:
	case SSTP_CLIENT_CONNECT_ACK_RECEIVED:
	case SSTP_CLIENT_CALL_CONNECTED:
		break;
	default:
		/* An Abort runs its course (3.1.1.1.2); a Disconnect is
		 * already under way. */
		return;
	}
	call->local_disconnect = true;
	enter(call, SSTP_CALL_DISCONNECT_IN_PROGRESS_1, "local disconnect");
	queue_with_status(act, SSTP_MSG_CALL_DISCONNECT, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NO_ERROR);
	start_timer(call, now, SSTP_DISCONNECT_TIMER_1_MS);
	enter(call, SSTP_CALL_DISCONNECT_ACK_PENDING, "Call Disconnect sent");
}
