/*
 * The SSTP client call as one state machine (MS-SSTP 3.1.1.1, 3.2.1.1.1),
 * from the first Call Connect Request to the end of the call. Pure code like
 * the codecs: no I/O, no clock. The driver passes events in (a decoded
 * control message, packets seen, the time at a timer's expiry, pppd's
 * authentication result, a local hang-up) and carries out the actions that
 * come back: control messages to send, the timer deadline, which PPP frames
 * may pass, and the end of the call with its sstp_error.
 */
#ifndef SSTP_CALL_H
#define SSTP_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto-binding.h"
#include "error.h"
#include "ppp.h"
#include "sstp-codec.h"

/* Timers, each the value MS-SSTP says it SHOULD have. */
#define SSTP_NEGOTIATION_TIMER_MS  60000 /* 3.2.2.1, in both setup states */
#define SSTP_HELLO_TIMER_MS        60000 /* 3.1.2.3 */
#define SSTP_ABORT_TIMER_1_MS      3000  /* 3.1.2.1: we aborted, wait for the peer's Abort */
#define SSTP_ABORT_TIMER_2_MS      1000  /* 3.1.2.1: Aborts exchanged */
#define SSTP_DISCONNECT_TIMER_1_MS 5000  /* 3.1.2.2: we disconnected, wait for the Ack */
#define SSTP_DISCONNECT_TIMER_2_MS 1000  /* 3.1.2.2: we acked the peer's Disconnect */
/* Call Connect Requests sent before a Nak ends the call; the count is the
 * implementation's choice (3.2.5.3.3), Windows uses 3 (MS-SSTP 6, <10>). */
#define SSTP_CONNECT_REQUEST_ATTEMPTS 3
/* Longest possible wait from the first Call Connect Request until the call
 * is accepted or over: every attempt Nak'ed just before its timer expires,
 * then the Abort procedure. */
#define SSTP_CALL_SETUP_MAX_MS                                                                     \
	(SSTP_CONNECT_REQUEST_ATTEMPTS * SSTP_NEGOTIATION_TIMER_MS + SSTP_ABORT_TIMER_1_MS)

/* CurrentState (MS-SSTP 3.1.1.1, 3.2.1.1.1). The *_In_Progress_* states
 * last only while one event is handled: send, start the timer, move on. */
enum sstp_call_state {
	SSTP_CLIENT_CALL_DISCONNECTED,
	SSTP_CLIENT_CONNECT_REQUEST_SENT,
	SSTP_CLIENT_CONNECT_ACK_RECEIVED,
	SSTP_CLIENT_CALL_CONNECTED,
	SSTP_CALL_ABORT_IN_PROGRESS_1,
	SSTP_CALL_ABORT_IN_PROGRESS_2,
	SSTP_CALL_ABORT_PENDING,
	SSTP_CALL_ABORT_TIMEOUT_PENDING,
	SSTP_CALL_DISCONNECT_IN_PROGRESS_1,
	SSTP_CALL_DISCONNECT_IN_PROGRESS_2,
	SSTP_CALL_DISCONNECT_ACK_PENDING,
	SSTP_CALL_DISCONNECT_TIMEOUT_PENDING,
};

/* Which PPP frames may pass, both ways (MS-SSTP 3.2.7.1, 3.2.7.2). */
enum sstp_call_forward {
	SSTP_FORWARD_NONE,
	SSTP_FORWARD_CONTROL, /* LCP, authentication, NCPs */
	SSTP_FORWARD_ALL,
};

enum sstp_call_log_level {
	SSTP_CALL_LOG_DEBUG,
	SSTP_CALL_LOG_INFO,
	SSTP_CALL_LOG_NOTICE,
	SSTP_CALL_LOG_WARN,
};

typedef void sstp_call_log_fn(void *ctx, enum sstp_call_log_level level, const char *line);

struct sstp_call_config {
	const char *server; /* names the server in messages */
	/* The server's leaf certificate (DER), hashed for the crypto binding
	 * once the Ack has chosen the hash; must outlive the call. */
	const uint8_t *cert_der;
	size_t cert_der_len;
	sstp_call_log_fn *log; /* one line each: transitions (debug) and events */
	void *log_ctx;
	/* The first failure is recorded here (sstp_error_set): what ended
	 * the call, unless we hung up ourselves. */
	struct sstp_error *err;
};

/* Room for what one event may send: Call Connected is the largest. */
#define SSTP_CALL_SEND_MAX (SSTP_CALL_CONNECTED_LEN + SSTP_STATUS_MSG_LEN)

/* What the driver must do after an event, in this order. */
struct sstp_call_actions {
	uint8_t send[SSTP_CALL_SEND_MAX]; /* whole control packets, back to back */
	size_t send_len;
	bool accepted; /* Call Connect Ack: PPP may start (MS-SSTP 3.1.7.1 Lower Link Up) */
	bool end;      /* the call is over: close TLS and TCP once send[] has gone out */
};

struct sstp_call {
	struct sstp_call_config cfg;
	enum sstp_call_state state;
	enum sstp_call_forward forward;
	bool ended;
	bool local_disconnect; /* pppd or the user asked to hang up */
	int64_t deadline;      /* the one timer running in this state; -1: none */
	bool echo_sent;        /* the Hello timer expired once and we sent Echo Request */
	unsigned connect_requests;
	uint8_t hash_protocol;
	uint8_t nonce[SSTP_NONCE_LEN];
	uint8_t cert_hash[SSTP_CERT_HASH_FIELD_LEN];
};

void sstp_call_init(struct sstp_call *call, const struct sstp_call_config *cfg);

/* The HTTPS connection is up: Call Connect Request, Negotiation timer. */
void sstp_call_start(struct sstp_call *call, int64_t now, struct sstp_call_actions *act);

/* A control message decoded by sstp_control_parse(). */
void sstp_call_control(struct sstp_call *call, const struct sstp_control *msg, int64_t now,
		       struct sstp_call_actions *act);

/* A control message sstp_control_parse() refused (MS-SSTP 3.1.5.1). */
void sstp_call_malformed(struct sstp_call *call, int64_t now, struct sstp_call_actions *act);

/* Some SSTP packet, data or control, arrived at now: restarts the Hello
 * timer (MS-SSTP 3.1.2.3). Cheap; call it once per batch of packets. */
void sstp_call_received(struct sstp_call *call, int64_t now);

/* The timer's deadline has passed (now >= sstp_call_deadline()). */
void sstp_call_timer(struct sstp_call *call, int64_t now, struct sstp_call_actions *act);

/*
 * pppd finished authentication (MS-SSTP 3.2.7.1 Inner Authentication
 * Completed): Call Connected with the crypto binding over hlak. Returns 0
 * when the call is bound (now or already), -ENOTCONN when it is not in a
 * state to be bound, -EIO when the binding could not be computed (the call
 * is then aborted).
 */
int sstp_call_auth_done(struct sstp_call *call, const uint8_t hlak[SSTP_HLAK_LEN], int64_t now,
			struct sstp_call_actions *act);

/* pppd or the user asked to hang up (MS-SSTP 3.2.4.2). */
void sstp_call_disconnect(struct sstp_call *call, int64_t now, struct sstp_call_actions *act);

/* When the driver must call sstp_call_timer(); -1 for never. */
static inline int64_t sstp_call_deadline(const struct sstp_call *call)
{
	return call->deadline;
}

/* Whether a PPP frame of this protocol may pass now, either way. */
static inline bool sstp_call_may_forward(const struct sstp_call *call, uint16_t protocol)
{
	return call->forward == SSTP_FORWARD_ALL ||
	       (call->forward == SSTP_FORWARD_CONTROL && ppp_is_control_protocol(protocol));
}

/* After the Abort or Disconnect procedure has started, or the call ended. */
bool sstp_call_tearing_down(const struct sstp_call *call);

/* "Connect_Request_Sent", "Call_Abort_Pending": MS-SSTP's names, without
 * the Client_ prefix. */
const char *sstp_call_state_name(enum sstp_call_state state);

#endif
