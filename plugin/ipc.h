/* Messages between the pppd glue and its per-link helper process, carried
 * as datagrams on an AF_UNIX SOCK_SEQPACKET socketpair. */
#ifndef SSTP_IPC_H
#define SSTP_IPC_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "crypto-binding.h"
#include "error.h"

enum sstp_ipc_type {
	SSTP_IPC_READY = 1,  /* helper -> glue: Call Connect Ack received, pty live */
	SSTP_IPC_FAIL,       /* helper -> glue: setup failed, see error */
	SSTP_IPC_KEYS,       /* glue -> helper: HLAK after PPP authentication */
	SSTP_IPC_KEYS_DONE,  /* helper -> glue: Call Connected sent (or error) */
	SSTP_IPC_DISCONNECT, /* glue -> helper: send Call Disconnect and leave */
	/* glue -> helper: pppd has put the pty into PPP mode. Bytes written to
	 * the pty before that would be lost when the line discipline changes. */
	SSTP_IPC_ESTABLISHED,
	/* glue -> helper: pppd's receive asyncmap, in force in the kernel from
	 * now on: the control bytes its line discipline drops unless escaped. */
	SSTP_IPC_ACCM,
};

struct sstp_ipc_msg {
	uint32_t type;
	union {
		struct sstp_error error;     /* FAIL, KEYS_DONE (exit_status 0 = ok) */
		uint8_t hlak[SSTP_HLAK_LEN]; /* KEYS */
		uint32_t accm;               /* ACCM */
		/* READY: where the helper's TCP connection goes, the server or
		 * the proxy (AF_UNSPEC when unknown: an https:// proxy's relay),
		 * so that pppd can keep it out of the tunnel's routes. */
		struct sockaddr_storage peer;
	} u;
};

/* Sends one message; 0 or a negative errno. Never raises SIGPIPE. */
int sstp_ipc_send(int fd, const struct sstp_ipc_msg *msg);

/*
 * Waits up to timeout_ms (-1: no limit) for one message. Returns 1 with *msg
 * filled, 0 when the peer has gone, -ETIMEDOUT, -EINTR (so the caller can look
 * at its signal flags) or another negative errno.
 */
int sstp_ipc_recv(int fd, struct sstp_ipc_msg *msg, int timeout_ms);

#endif
