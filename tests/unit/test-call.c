/*
 * The call state machine against MS-SSTP's client state table, row by row:
 * every state (3.1.1.1, 3.2.1.1.1) crossed with every event (the control
 * messages of 3.2.5.3, a malformed message, the timer, authentication done,
 * a local disconnect), with what must be sent, the next state, the timer
 * and whether the call ends. A fake clock drives the timers.
 */
#include <errno.h>

#include "call.h"
#include "unit.h"

#define T0 100000 /* the fake clock's start, ms */

enum event {
	EV_ACK,
	EV_ACK_NO_HASH,
	EV_NAK,
	EV_CALL_CONNECTED, /* only a server receives it */
	EV_ABORT,
	EV_DISCONNECT,
	EV_DISCONNECT_ACK,
	EV_ECHO_REQUEST,
	EV_ECHO_RESPONSE,
	EV_UNKNOWN,
	EV_MALFORMED,
	EV_TIMER,
	EV_AUTH_DONE,
	EV_LOCAL_DISCONNECT,
	NUM_EVENTS,
};

static const char *const event_names[] = {
    "Call Connect Ack", "Ack without a usable hash", "Call Connect Nak",    "Call Connected",
    "Call Abort",       "Call Disconnect",           "Call Disconnect Ack", "Echo Request",
    "Echo Response",    "unknown message",           "malformed message",   "timer expiry",
    "auth done",        "local disconnect",
};

static const uint8_t cert_der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
static const uint8_t hlak[SSTP_HLAK_LEN];

static char last_log[256];
static unsigned log_lines;

static void capture_log(void *ctx, enum sstp_call_log_level level, const char *line)
{
	(void)ctx;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", line);
	log_lines++;
	if (getenv("TEST_CALL_VERBOSE"))
		fprintf(stderr, "    %s\n", line);
}

struct harness {
	struct sstp_call call;
	struct sstp_error err;
	struct sstp_call_actions act;
	int64_t now;
};

static void harness_init(struct harness *h)
{
	struct sstp_call_config cfg = {
	    .server = "sstp.test",
	    .cert_der = cert_der,
	    .cert_der_len = sizeof(cert_der),
	    .log = capture_log,
	};

	memset(h, 0, sizeof(*h));
	cfg.err = &h->err;
	sstp_call_init(&h->call, &cfg);
	h->now = T0;
}

static struct sstp_control message(uint16_t type)
{
	struct sstp_control msg = {.type = type};

	if (type == SSTP_MSG_CALL_CONNECT_ACK) {
		msg.num_attrs = 1;
		msg.has_crypto_binding_req = true;
		msg.hash_bitmask = SSTP_HASH_SHA1 | SSTP_HASH_SHA256;
		memset(msg.nonce, 0xa5, sizeof(msg.nonce));
	} else if (type == SSTP_MSG_CALL_CONNECT_NAK || type == SSTP_MSG_CALL_ABORT ||
		   type == SSTP_MSG_CALL_DISCONNECT) {
		msg.num_attrs = 1;
		msg.num_status = 1;
		msg.status[0].attr_id = SSTP_ATTR_NO_ERROR;
		msg.status[0].status = SSTP_STATUS_VALUE_NOT_SUPPORTED;
	}
	return msg;
}

/* Runs one event at h->now; returns what auth_done returned (0 otherwise). */
static int run(struct harness *h, enum event ev)
{
	struct sstp_control msg;

	switch (ev) {
	case EV_ACK:
		msg = message(SSTP_MSG_CALL_CONNECT_ACK);
		break;
	case EV_ACK_NO_HASH:
		msg = message(SSTP_MSG_CALL_CONNECT_ACK);
		msg.hash_bitmask = 0x04;
		break;
	case EV_NAK:
		msg = message(SSTP_MSG_CALL_CONNECT_NAK);
		break;
	case EV_CALL_CONNECTED:
		msg = message(SSTP_MSG_CALL_CONNECTED);
		break;
	case EV_ABORT:
		msg = message(SSTP_MSG_CALL_ABORT);
		break;
	case EV_DISCONNECT:
		msg = message(SSTP_MSG_CALL_DISCONNECT);
		break;
	case EV_DISCONNECT_ACK:
		msg = message(SSTP_MSG_CALL_DISCONNECT_ACK);
		break;
	case EV_ECHO_REQUEST:
		msg = message(SSTP_MSG_ECHO_REQUEST);
		break;
	case EV_ECHO_RESPONSE:
		msg = message(SSTP_MSG_ECHO_RESPONSE);
		break;
	case EV_UNKNOWN:
		msg = message(0x0042);
		break;
	case EV_MALFORMED:
		sstp_call_malformed(&h->call, h->now, &h->act);
		return 0;
	case EV_TIMER:
		if (sstp_call_deadline(&h->call) >= 0)
			h->now = sstp_call_deadline(&h->call);
		sstp_call_timer(&h->call, h->now, &h->act);
		return 0;
	case EV_AUTH_DONE:
		return sstp_call_auth_done(&h->call, hlak, h->now, &h->act);
	case EV_LOCAL_DISCONNECT:
		sstp_call_disconnect(&h->call, h->now, &h->act);
		return 0;
	default:
		abort();
	}
	sstp_call_control(&h->call, &msg, h->now, &h->act);
	return 0;
}

/* The control messages in act.send, by type, at most 4. */
static size_t sent_types(const struct sstp_call_actions *act, uint16_t types[4],
			 struct sstp_control *last)
{
	size_t off = 0, n = 0;

	while (off < act->send_len && n < 4) {
		struct sstp_packet pkt;
		int len = sstp_packet_parse(act->send + off, act->send_len - off, &pkt);

		if (len <= 0 || !pkt.is_control ||
		    sstp_control_parse(pkt.payload, pkt.payload_len, last) < 0) {
			types[n++] = 0xffff; /* garbage: never expected */
			break;
		}
		types[n++] = last->type;
		off += len;
	}
	return n;
}

/* Brings a fresh machine into state, through the events that lead there. */
static void reach(struct harness *h, enum sstp_call_state state)
{
	harness_init(h);
	if (state == SSTP_CLIENT_CALL_DISCONNECTED)
		return;
	sstp_call_start(&h->call, h->now, &h->act);
	switch (state) {
	case SSTP_CLIENT_CONNECT_REQUEST_SENT:
		break;
	case SSTP_CLIENT_CONNECT_ACK_RECEIVED:
		run(h, EV_ACK);
		break;
	case SSTP_CLIENT_CALL_CONNECTED:
		run(h, EV_ACK);
		run(h, EV_AUTH_DONE);
		break;
	case SSTP_CALL_ABORT_PENDING:
		run(h, EV_ACK);
		run(h, EV_MALFORMED);
		break;
	case SSTP_CALL_ABORT_TIMEOUT_PENDING:
		run(h, EV_ACK);
		run(h, EV_AUTH_DONE);
		run(h, EV_ABORT);
		break;
	case SSTP_CALL_DISCONNECT_ACK_PENDING:
		run(h, EV_ACK);
		run(h, EV_AUTH_DONE);
		run(h, EV_LOCAL_DISCONNECT);
		break;
	case SSTP_CALL_DISCONNECT_TIMEOUT_PENDING:
		run(h, EV_ACK);
		run(h, EV_AUTH_DONE);
		run(h, EV_DISCONNECT);
		break;
	default:
		abort();
	}
	if (h->call.state != state) {
		fprintf(stderr, "reach(%s) ended in %s\n", sstp_call_state_name(state),
			sstp_call_state_name(h->call.state));
		abort();
	}
}

/* One row: in state "from", event "ev" sends "sends" (0: nothing) and
 * leads to "to" with the timer "timer_ms" ahead (-1: none); "end": the call
 * is over. */
struct row {
	enum sstp_call_state from;
	enum event ev;
	uint16_t sends;
	enum sstp_call_state to;
	int timer_ms;
	bool end;
};

#define RS  SSTP_CLIENT_CONNECT_REQUEST_SENT
#define AR  SSTP_CLIENT_CONNECT_ACK_RECEIVED
#define CC  SSTP_CLIENT_CALL_CONNECTED
#define AP  SSTP_CALL_ABORT_PENDING
#define ATP SSTP_CALL_ABORT_TIMEOUT_PENDING
#define DAP SSTP_CALL_DISCONNECT_ACK_PENDING
#define DTP SSTP_CALL_DISCONNECT_TIMEOUT_PENDING
#define DIS SSTP_CLIENT_CALL_DISCONNECTED

#define NEG   SSTP_NEGOTIATION_TIMER_MS
#define HELLO SSTP_HELLO_TIMER_MS
#define AB1   SSTP_ABORT_TIMER_1_MS
#define AB2   SSTP_ABORT_TIMER_2_MS
#define DI1   SSTP_DISCONNECT_TIMER_1_MS
#define DI2   SSTP_DISCONNECT_TIMER_2_MS

#define M_REQ   SSTP_MSG_CALL_CONNECT_REQUEST
#define M_CONN  SSTP_MSG_CALL_CONNECTED
#define M_ABORT SSTP_MSG_CALL_ABORT
#define M_DISC  SSTP_MSG_CALL_DISCONNECT
#define M_DACK  SSTP_MSG_CALL_DISCONNECT_ACK
#define M_EREQ  SSTP_MSG_ECHO_REQUEST
#define M_ERSP  SSTP_MSG_ECHO_RESPONSE

/* The Abort procedure (3.1.5.1) and answering a peer's Abort (3.2.5.3.4). */
#define ABORTS(from, ev)                                                                           \
	{                                                                                          \
		from, ev, M_ABORT, AP, AB1, false                                                  \
	}
#define ANSWERS(from)                                                                              \
	{                                                                                          \
		from, EV_ABORT, M_ABORT, ATP, AB2, false                                           \
	}
#define ACKS_DISC(from)                                                                            \
	{                                                                                          \
		from, EV_DISCONNECT, M_DACK, DTP, DI2, false                                       \
	}
#define IGNORES(s, ev, tmr)                                                                        \
	{                                                                                          \
		s, ev, 0, s, tmr, false                                                            \
	}
#define ENDS(from, ev)                                                                             \
	{                                                                                          \
		from, ev, 0, DIS, -1, true                                                         \
	}

static const struct row table[] = {
    /* Client_Call_Disconnected, before the call starts: a local disconnect
     * ends it at once; nothing else can happen. */
    ENDS(DIS, EV_LOCAL_DISCONNECT),

    /* Client_Connect_Request_Sent */
    {RS, EV_ACK, 0, AR, NEG, false},                    /* 3.2.5.3.2: restarts Negotiation */
    ABORTS(RS, EV_ACK_NO_HASH),                         /* 3.2.5.3.2 */
    {RS, EV_NAK, M_REQ, RS, NEG, false},                /* 3.2.5.3.3: retry, timer restarted */
    ABORTS(RS, EV_CALL_CONNECTED),                      /* 3.1.5.1 */
    ANSWERS(RS),                                        /* 3.2.5.3.4 */
    ACKS_DISC(RS),                                      /* 3.2.5.3.5 */
    ABORTS(RS, EV_DISCONNECT_ACK),                      /* 3.2.5.3.6 */
    ABORTS(RS, EV_ECHO_REQUEST),                        /* 3.2.5.3.7 */
    ABORTS(RS, EV_ECHO_RESPONSE),                       /* 3.2.5.3.8 */
    ABORTS(RS, EV_UNKNOWN),                             /* 3.1.5.1 */
    ABORTS(RS, EV_MALFORMED),                           /* 3.1.5.1 */
    ABORTS(RS, EV_TIMER),                               /* 3.2.2.1 */
    IGNORES(RS, EV_AUTH_DONE, NEG),                     /* PPP cannot have run */
    {RS, EV_LOCAL_DISCONNECT, M_DISC, DAP, DI1, false}, /* 3.2.4.2 */

    /* Client_Connect_Ack_Received */
    ABORTS(AR, EV_ACK),
    ABORTS(AR, EV_ACK_NO_HASH),
    ABORTS(AR, EV_NAK),
    ABORTS(AR, EV_CALL_CONNECTED),
    ANSWERS(AR),
    ACKS_DISC(AR),
    ABORTS(AR, EV_DISCONNECT_ACK),
    ABORTS(AR, EV_ECHO_REQUEST),
    ABORTS(AR, EV_ECHO_RESPONSE),
    ABORTS(AR, EV_UNKNOWN),
    ABORTS(AR, EV_MALFORMED),
    ABORTS(AR, EV_TIMER),
    {AR, EV_AUTH_DONE, M_CONN, CC, HELLO, false}, /* 3.2.7.1, Hello started */
    {AR, EV_LOCAL_DISCONNECT, M_DISC, DAP, DI1, false},

    /* Client_Call_Connected */
    ABORTS(CC, EV_ACK),
    ABORTS(CC, EV_ACK_NO_HASH),
    ABORTS(CC, EV_NAK),
    ABORTS(CC, EV_CALL_CONNECTED),
    ANSWERS(CC),
    ACKS_DISC(CC),
    ABORTS(CC, EV_DISCONNECT_ACK),
    {CC, EV_ECHO_REQUEST, M_ERSP, CC, HELLO, false}, /* 3.2.5.3.7 */
    {CC, EV_ECHO_RESPONSE, 0, CC, HELLO, false},     /* 3.2.5.3.8 */
    ABORTS(CC, EV_UNKNOWN),
    ABORTS(CC, EV_MALFORMED),
    {CC, EV_TIMER, M_EREQ, CC, HELLO, false}, /* 3.1.2.3: first expiry */
    IGNORES(CC, EV_AUTH_DONE, HELLO),         /* re-authentication: already bound */
    {CC, EV_LOCAL_DISCONNECT, M_DISC, DAP, DI1, false},

    /* Call_Abort_Pending: only the peer's Abort matters (3.1.2.1) */
    IGNORES(AP, EV_ACK, AB1),
    IGNORES(AP, EV_ACK_NO_HASH, AB1),
    IGNORES(AP, EV_NAK, AB1),
    IGNORES(AP, EV_CALL_CONNECTED, AB1),
    {AP, EV_ABORT, 0, ATP, AB2, false},
    IGNORES(AP, EV_DISCONNECT, AB1),
    IGNORES(AP, EV_DISCONNECT_ACK, AB1),
    IGNORES(AP, EV_ECHO_REQUEST, AB1),
    IGNORES(AP, EV_ECHO_RESPONSE, AB1),
    IGNORES(AP, EV_UNKNOWN, AB1),
    IGNORES(AP, EV_MALFORMED, AB1),
    ENDS(AP, EV_TIMER),
    IGNORES(AP, EV_AUTH_DONE, AB1),
    IGNORES(AP, EV_LOCAL_DISCONNECT, AB1), /* the Abort runs its course */

    /* Call_Abort_Timeout_Pending: everything ignored until Abort 2 */
    IGNORES(ATP, EV_ACK, AB2),
    IGNORES(ATP, EV_ACK_NO_HASH, AB2),
    IGNORES(ATP, EV_NAK, AB2),
    IGNORES(ATP, EV_CALL_CONNECTED, AB2),
    IGNORES(ATP, EV_ABORT, AB2),
    IGNORES(ATP, EV_DISCONNECT, AB2),
    IGNORES(ATP, EV_DISCONNECT_ACK, AB2),
    IGNORES(ATP, EV_ECHO_REQUEST, AB2),
    IGNORES(ATP, EV_ECHO_RESPONSE, AB2),
    IGNORES(ATP, EV_UNKNOWN, AB2),
    IGNORES(ATP, EV_MALFORMED, AB2),
    ENDS(ATP, EV_TIMER),
    IGNORES(ATP, EV_AUTH_DONE, AB2),
    IGNORES(ATP, EV_LOCAL_DISCONNECT, AB2),

    /* Call_Disconnect_Ack_Pending */
    IGNORES(DAP, EV_ACK, DI1),
    IGNORES(DAP, EV_ACK_NO_HASH, DI1),
    IGNORES(DAP, EV_NAK, DI1),
    IGNORES(DAP, EV_CALL_CONNECTED, DI1),
    ANSWERS(DAP),   /* 3.2.5.3.4: not in the ignoring states */
    ACKS_DISC(DAP), /* 3.2.4.2: both hung up at once */
    ENDS(DAP, EV_DISCONNECT_ACK),
    IGNORES(DAP, EV_ECHO_REQUEST, DI1),
    IGNORES(DAP, EV_ECHO_RESPONSE, DI1),
    IGNORES(DAP, EV_UNKNOWN, DI1),
    IGNORES(DAP, EV_MALFORMED, DI1),
    ENDS(DAP, EV_TIMER),
    IGNORES(DAP, EV_AUTH_DONE, DI1),
    IGNORES(DAP, EV_LOCAL_DISCONNECT, DI1),

    /* Call_Disconnect_Timeout_Pending: everything ignored until Disconnect 2 */
    IGNORES(DTP, EV_ACK, DI2),
    IGNORES(DTP, EV_ACK_NO_HASH, DI2),
    IGNORES(DTP, EV_NAK, DI2),
    IGNORES(DTP, EV_CALL_CONNECTED, DI2),
    IGNORES(DTP, EV_ABORT, DI2),
    IGNORES(DTP, EV_DISCONNECT, DI2),
    IGNORES(DTP, EV_DISCONNECT_ACK, DI2),
    IGNORES(DTP, EV_ECHO_REQUEST, DI2),
    IGNORES(DTP, EV_ECHO_RESPONSE, DI2),
    IGNORES(DTP, EV_UNKNOWN, DI2),
    IGNORES(DTP, EV_MALFORMED, DI2),
    ENDS(DTP, EV_TIMER),
    IGNORES(DTP, EV_AUTH_DONE, DI2),
    IGNORES(DTP, EV_LOCAL_DISCONNECT, DI2),
};

static void test_table(void)
{
	bool covered[SSTP_CALL_DISCONNECT_TIMEOUT_PENDING + 1][NUM_EVENTS] = {{false}};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct row *r = &table[i];
		struct harness h;
		uint16_t types[4];
		struct sstp_control last;
		size_t n;
		int64_t at;
		bool ok = true;

		covered[r->from][r->ev] = true;
		reach(&h, r->from);
		run(&h, r->ev);
		at = h.now;
		n = sent_types(&h.act, types, &last);
		ok &= CHECK_INT(n, r->sends ? 1 : 0);
		if (n && r->sends)
			ok &= CHECK_INT(types[0], r->sends);
		ok &= CHECK_STR(sstp_call_state_name(h.call.state), sstp_call_state_name(r->to));
		ok &= CHECK_INT(sstp_call_deadline(&h.call) < 0 ? -1
								: sstp_call_deadline(&h.call) - at,
				r->timer_ms);
		ok &= CHECK_INT(h.act.end, r->end);
		if (!ok)
			fprintf(stderr, "  row %zu: in %s, %s\n", i, sstp_call_state_name(r->from),
				event_names[r->ev]);
	}
	/* Every state x event pair of the reachable states has its row. */
	for (i = SSTP_CLIENT_CONNECT_REQUEST_SENT; i <= SSTP_CALL_DISCONNECT_TIMEOUT_PENDING; i++) {
		enum event ev;

		if (i == SSTP_CALL_ABORT_IN_PROGRESS_1 || i == SSTP_CALL_ABORT_IN_PROGRESS_2 ||
		    i == SSTP_CALL_DISCONNECT_IN_PROGRESS_1 ||
		    i == SSTP_CALL_DISCONNECT_IN_PROGRESS_2)
			continue; /* transient: never seen between events */
		for (ev = 0; ev < NUM_EVENTS; ev++)
			if (!CHECK(covered[i][ev]))
				fprintf(stderr, "  no row for %s x %s\n",
					sstp_call_state_name((enum sstp_call_state)i),
					event_names[ev]);
	}
}

/* The Status Info each Abort carries names the reason (MS-SSTP 2.2.8). */
static void check_abort_status(enum sstp_call_state from, enum event ev, uint8_t attr_id,
			       uint32_t status)
{
	struct harness h;
	struct sstp_control last;
	uint16_t types[4];

	reach(&h, from);
	run(&h, ev);
	if (!CHECK_INT(sent_types(&h.act, types, &last), 1) || !CHECK_INT(types[0], M_ABORT))
		return;
	CHECK_INT(last.num_status, 1);
	CHECK_INT(last.status[0].attr_id, attr_id);
	CHECK_INT(last.status[0].status, status);
}

static void test_abort_reasons(void)
{
	check_abort_status(RS, EV_TIMER, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NEGOTIATION_TIMEOUT);
	check_abort_status(AR, EV_TIMER, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NEGOTIATION_TIMEOUT);
	check_abort_status(RS, EV_ACK_NO_HASH, SSTP_ATTR_CRYPTO_BINDING_REQ,
			   SSTP_STATUS_VALUE_NOT_SUPPORTED);
	check_abort_status(CC, EV_MALFORMED, SSTP_ATTR_NO_ERROR,
			   SSTP_STATUS_INVALID_FRAME_RECEIVED);
	check_abort_status(CC, EV_UNKNOWN, SSTP_ATTR_NO_ERROR,
			   SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED);
	check_abort_status(CC, EV_ABORT, SSTP_ATTR_NO_ERROR, SSTP_STATUS_NO_ERROR);
}

/* MS-SSTP 3.2.5.3.3: Naks are retried, then the call is aborted. */
static void test_nak_retries(void)
{
	struct harness h;
	struct sstp_control last;
	uint16_t types[4];
	unsigned i;

	reach(&h, RS);
	for (i = 1; i < SSTP_CONNECT_REQUEST_ATTEMPTS; i++) {
		h.now += 10000;
		run(&h, EV_NAK);
		CHECK_INT(sent_types(&h.act, types, &last), 1);
		CHECK_INT(types[0], M_REQ);
		CHECK_INT(sstp_call_deadline(&h.call), h.now + NEG);
	}
	run(&h, EV_NAK);
	CHECK_INT(sent_types(&h.act, types, &last), 1);
	CHECK_INT(types[0], M_ABORT);
	CHECK_INT(last.status[0].status, SSTP_STATUS_RETRY_COUNT_EXCEEDED);
	CHECK_STR(sstp_call_state_name(h.call.state), "Call_Abort_Pending");
	CHECK_INT(h.err.exit_status, SSTP_EXIT_CONNECT_FAILED);
	CHECK_STR(
	    h.err.text,
	    "SSTP server sstp.test refused the call 3 times: VALUE_NOT_SUPPORTED (attribute 0)");
	/* The server never answers the Abort: the call ends with Abort 1. */
	run(&h, EV_TIMER);
	CHECK(h.act.end);
	CHECK(h.call.ended);
}

/* MS-SSTP 3.1.2.3: any packet restarts the Hello timer. A server that never
 * answers Echo Request but keeps sending data keeps the call. */
static void test_hello_timer(void)
{
	struct harness h;
	struct sstp_control last;
	uint16_t types[4];
	int64_t connected;
	int i;

	reach(&h, CC);
	connected = h.now;
	for (i = 1; i <= 10; i++) {
		/* An expiry sends Echo Request ... */
		run(&h, EV_TIMER);
		CHECK_INT(h.now, connected + (int64_t)i * 70000 - 10000);
		CHECK_INT(sent_types(&h.act, types, &last), 1);
		CHECK_INT(types[0], M_EREQ);
		CHECK(!h.act.end);
		/* ... never answered, but a data packet 10 s later restarts it. */
		h.now += 10000;
		sstp_call_received(&h.call, h.now);
		CHECK_INT(sstp_call_deadline(&h.call), h.now + HELLO);
	}
	CHECK(!h.call.ended);
	/* Silence for two intervals drops the connection without a Call Abort. */
	run(&h, EV_TIMER);
	CHECK_INT(h.act.send_len, SSTP_SIMPLE_MSG_LEN);
	run(&h, EV_TIMER);
	CHECK_INT(h.act.send_len, 0);
	CHECK(h.act.end);
	CHECK(strstr(h.err.text, "stopped answering") != NULL);

	/* The packets seen in other states do not start it. */
	reach(&h, AR);
	sstp_call_received(&h.call, h.now + 5000);
	CHECK_INT(sstp_call_deadline(&h.call), h.now + NEG);
}

/* Abort collisions (MS-SSTP 3.1.2.1): both sides abort at once. */
static void test_abort_collision(void)
{
	struct harness h;

	reach(&h, AR);
	run(&h, EV_TIMER); /* we abort: Abort 1 */
	CHECK_INT(sstp_call_deadline(&h.call), h.now + AB1);
	h.now += 200;
	run(&h, EV_ABORT); /* theirs crossed ours: Abort 2, no second Abort sent */
	CHECK_INT(h.act.send_len, 0);
	CHECK_INT(sstp_call_deadline(&h.call), h.now + AB2);
	run(&h, EV_TIMER);
	CHECK(h.act.end);
	CHECK_INT(h.now, T0 + NEG + 200 + AB2);
	/* Our own reason stays the cause. */
	CHECK(strstr(h.err.text, "did not finish") != NULL);

	/* The server aborts while we wait for our Disconnect Ack: answer it
	 * and end after Abort 2, not Disconnect 1 (3.2.5.3.4). */
	reach(&h, DAP);
	h.now += 100;
	run(&h, EV_ABORT);
	CHECK_INT(h.act.send_len, SSTP_STATUS_MSG_LEN);
	run(&h, EV_TIMER);
	CHECK(h.act.end);
	CHECK_INT(h.now, T0 + 100 + AB2);
	CHECK_INT(h.err.exit_status, 0); /* we hung up: not a failure */
}

/* MS-SSTP 3.2.4.2: a local disconnect in every state. */
static void test_disconnect_everywhere(void)
{
	static const enum sstp_call_state states[] = {RS, AR, CC};
	struct harness h;
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		reach(&h, states[i]);
		run(&h, EV_LOCAL_DISCONNECT);
		CHECK_INT(h.act.send_len, SSTP_STATUS_MSG_LEN);
		run(&h, EV_DISCONNECT_ACK);
		CHECK(h.act.end);
		CHECK_INT(h.err.exit_status, 0);
		CHECK_INT(h.err.text[0], 0);
	}
	/* No Ack: Disconnect 1 ends it. */
	reach(&h, RS);
	run(&h, EV_LOCAL_DISCONNECT);
	run(&h, EV_TIMER);
	CHECK(h.act.end);
	CHECK_INT(h.now, T0 + DI1);
}

/* MS-SSTP 3.2.7.2: no PPP before the Ack, control frames only before Call
 * Connected, nothing once the call is being torn down. */
static void test_forwarding(void)
{
	static const struct {
		enum sstp_call_state state;
		bool lcp, ipcp, ip;
	} cases[] = {
	    {DIS, false, false, false}, {RS, false, false, false},  {AR, true, true, false},
	    {CC, true, true, true},     {AP, false, false, false},  {ATP, false, false, false},
	    {DAP, false, false, false}, {DTP, false, false, false},
	};
	struct harness h;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reach(&h, cases[i].state);
		CHECK_INT(sstp_call_may_forward(&h.call, 0xc021), cases[i].lcp);
		CHECK_INT(sstp_call_may_forward(&h.call, 0x8021), cases[i].ipcp);
		CHECK_INT(sstp_call_may_forward(&h.call, 0x0021), cases[i].ip);
	}
}

static void test_messages(void)
{
	struct harness h;

	reach(&h, RS);
	run(&h, EV_ABORT);
	CHECK_STR(h.err.text, "SSTP server sstp.test aborted the call during setup: "
			      "VALUE_NOT_SUPPORTED (attribute 0)");
	CHECK_INT(h.err.exit_status, SSTP_EXIT_CONNECT_FAILED);
	reach(&h, CC);
	run(&h, EV_DISCONNECT);
	CHECK_STR(h.err.text,
		  "SSTP server sstp.test disconnected the call: VALUE_NOT_SUPPORTED (attribute 0)");
	CHECK_INT(h.err.exit_status, SSTP_EXIT_HANGUP);
	reach(&h, RS);
	run(&h, EV_UNKNOWN);
	CHECK_STR(h.err.text, "SSTP server sstp.test sent UNKNOWN (message type 0x0042) while we "
			      "waited for Call Connect Ack");
	/* Every transition is logged on one line. */
	reach(&h, RS);
	run(&h, EV_ACK);
	CHECK_STR(last_log, "call accepted by sstp.test, crypto binding with SHA-256");
	run(&h, EV_LOCAL_DISCONNECT);
	CHECK_STR(last_log,
		  "call: Call_Disconnect_In_Progress_1 -> Call_Disconnect_Ack_Pending (Call "
		  "Disconnect sent)");
	/* The binding is computed over the nonce of the Ack. */
	reach(&h, AR);
	run(&h, EV_AUTH_DONE);
	CHECK_INT(h.act.send_len, SSTP_CALL_CONNECTED_LEN);
	CHECK_INT(h.act.send[15], SSTP_HASH_SHA256);
	CHECK_INT(h.act.send[16], 0xa5);
	CHECK_INT(run(&h, EV_AUTH_DONE), 0);
	reach(&h, AP);
	CHECK_INT(run(&h, EV_AUTH_DONE), -ENOTCONN);
}

int main(void)
{
	test_table();
	test_abort_reasons();
	test_nak_retries();
	test_hello_timer();
	test_abort_collision();
	test_disconnect_everywhere();
	test_forwarding();
	test_messages();
	return unit_finish("test-call");
}
