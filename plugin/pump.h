/* The established call: PPP frames between pppd's pty and SSTP data packets,
 * SSTP control messages, timers and teardown. */
#ifndef SSTP_PUMP_H
#define SSTP_PUMP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "helper.h"
#include "ipc.h"
#include "sstp-codec.h"
#include "tls.h"

/* Room for a full read burst plus one partial packet left over from the last. */
#define SSTP_TLS_IN_SIZE (64 * 1024 + SSTP_MAX_PACKET_LEN)

/* What the connect sequence hands to the pump. */
struct sstp_link {
	const struct sstp_link_config *cfg;
	struct sstp_tls tls;
	int pty_master;
	int ipc_fd;
	struct sstp_call call; /* from the Call Connect Request on */
	/* Bytes read from TLS and not consumed yet: whatever followed the
	 * Call Connect Ack in the same read is the pump's first input. */
	uint8_t *tls_in;
	size_t tls_in_len;
	/* Where messages from the glue are read: locked memory, since one
	 * carries the HLAK. */
	struct sstp_ipc_msg *ipc_in;
};

/*
 * From the Call Connect Request on, SIGTERM (pppd cancelling the call, or
 * dying) asks for Call Disconnect. It stays blocked except while waiting
 * with *wait_mask, so it cannot slip in between the check and the wait.
 */
void sstp_catch_sigterm(sigset_t *wait_mask);
bool sstp_sigterm_received(void);

/* Logs the control messages in packets, one decoded line each. */
void sstp_log_control(const char *direction, const uint8_t *packet, size_t len);

/*
 * Runs the call from Call Connect Ack to teardown. Returns 0 after a
 * disconnect we asked for, 1 after any other end of the call.
 */
int sstp_pump_run(struct sstp_link *link);

#endif
