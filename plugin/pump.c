/*
 * The established call. One poll() loop moves bytes both ways:
 *
 *   pty master --read--> HDLC decode --> SSTP data packets --> TLS records
 *   TLS records --> SSTP packets --> HDLC encode --> pty master
 *
 * Frames are decoded straight into the TLS output buffer behind room for
 * their SSTP header, so a frame is copied once, by the decoder. Many frames
 * go out per pty read and per TLS record; a stalled side stops the other
 * side's reads instead of growing buffers. The clock is read once per poll
 * wake-up, never per packet.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "call.h"
#include "deadline.h"
#include "hdlc.h"
#include "ipc.h"
#include "log.h"
#include "ppp.h"
#include "pump.h"
#include "sstp-codec.h"
#include "sysutil.h"

#define PTY_IN_SIZE    (64 * 1024)
#define TLS_OUT_SIZE   (96 * 1024)
#define PTY_OUT_SIZE   (192 * 1024)
#define TLS_RECORD_MAX 16384
/* TLS bytes taken from the socket per recv(): many records at once. */
#define TLS_RX_SIZE (64 * 1024)
/* Linux's n_tty, on the pty master, buffers this much: one read gets at
 * most that (in fact one byte less). */
#define PTY_LDISC_CHUNK 4096
/* How long a partly filled TLS record may wait for the rest of a burst. */
#define HOLD_MS 1
/* The clock is read for real at least every this many wake-ups. */
#define CLOCK_RESYNC_WAKEUPS 64
/* Decoder room: the largest frame SSTP can carry, its FCS, and 3 bytes for
 * restoring FF 03 and a compressed protocol field. */
#define FRAME_ROOM (SSTP_HEADER_LEN + SSTP_MAX_DATA_LEN + 2 + 3)
/* Kept free for control messages queued while pppd's data fills the queue. */
#define CONTROL_ROOM 1024

struct pump {
	struct sstp_link *link;
	struct sstp_call *call; /* the state machine: link->call */
	bool cause_logged;      /* why the call ends has been logged */
	bool pty_live;          /* pppd's line discipline is attached */
	bool attached;          /* it was at some point */

	/* pty -> TLS */
	uint8_t *pty_in;
	size_t pty_in_start, pty_in_len;
	struct hdlc_decoder decoder;
	bool pty_more_coming; /* the last pty read was cut short by the line discipline */
	int64_t hold_until;   /* TLS output held back for more of a burst until then */
	uint8_t *tls_out;
	size_t tls_out_len, tls_out_sent;
	size_t tls_send_retry; /* length GnuTLS must be given again after EAGAIN */

	/* TLS -> pty */
	uint8_t *rx; /* ciphertext read from the socket, not yet taken by GnuTLS */
	size_t rx_start, rx_len;
	bool rx_drained; /* the last recv() emptied the socket: wait for POLLIN */
	uint8_t *pty_out;
	size_t pty_out_len, pty_out_sent;
	uint32_t pty_accm; /* control bytes pppd's line discipline wants escaped */

	int64_t now;
	unsigned wakeups_since_clock;

	unsigned long data_dropped_before_connected;
	unsigned long long bytes_to_server, bytes_from_server;
};

static volatile sig_atomic_t got_sigterm;

static void on_sigterm(int sig)
{
	(void)sig;
	got_sigterm = 1;
}

void sstp_catch_sigterm(sigset_t *wait_mask)
{
	struct sigaction term = {.sa_handler = on_sigterm};
	sigset_t block_term;

	sigemptyset(&block_term);
	sigaddset(&block_term, SIGTERM);
	sigprocmask(SIG_BLOCK, &block_term, wait_mask);
	sigdelset(wait_mask, SIGTERM);
	sigaction(SIGTERM, &term, NULL);
}

bool sstp_sigterm_received(void)
{
	return got_sigterm;
}

void sstp_log_control(const char *direction, const uint8_t *packets, size_t len)
{
	struct sstp_packet pkt;
	struct sstp_control msg;
	char line[256];
	int n;

	for (; (n = sstp_packet_parse(packets, len, &pkt)) > 0; packets += n, len -= n) {
		if (!pkt.is_control)
			continue;
		if (sstp_control_parse(pkt.payload, pkt.payload_len, &msg) < 0) {
			sstp_log_debug("%s malformed control message (%zu bytes)", direction,
				       pkt.total_len);
			continue;
		}
		sstp_control_describe(&msg, line, sizeof(line));
		sstp_log_debug("%s %s", direction, line);
	}
}

/* --- output queues ------------------------------------------------------------ */

/*
 * The decoder collects the next frame right behind the queued bytes, where
 * its SSTP packet will go. Whenever the queue's length changes, a partly
 * collected frame moves along with it.
 */
static void set_tls_out_len(struct pump *p, size_t len)
{
	uint8_t *slot = p->tls_out + len + SSTP_HEADER_LEN;

	if (p->decoder.out != slot) {
		memmove(slot, p->decoder.out, p->decoder.len);
		p->decoder.out = slot;
	}
	p->tls_out_len = len;
}

static void queue_control(struct pump *p, const uint8_t *msg, size_t len)
{
	size_t at = p->tls_out_len;

	/* pppd's data leaves CONTROL_ROOM free, so this only fails if the
	 * server floods us with requests that each need an answer. */
	if (TLS_OUT_SIZE - at < len + FRAME_ROOM) {
		sstp_log_error("output queue full, control message dropped");
		return;
	}
	if (p->link->cfg->debug)
		sstp_log_control("sent", msg, len);
	set_tls_out_len(p, at + len);
	memcpy(p->tls_out + at, msg, len);
}

/* Returns 1 when everything queued is out, 0 when TLS would block, <0 on error. */
static int flush_tls(struct pump *p)
{
	gnutls_session_t session = p->link->tls.session;
	ssize_t ret;
	size_t chunk;

	while (p->tls_out_sent < p->tls_out_len) {
		chunk = p->tls_send_retry;
		if (!chunk) {
			chunk = p->tls_out_len - p->tls_out_sent;
			if (chunk > TLS_RECORD_MAX)
				chunk = TLS_RECORD_MAX;
		}
		ret = gnutls_record_send(session, p->tls_out + p->tls_out_sent, chunk);
		if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
			p->tls_send_retry = chunk;
			return 0;
		}
		if (ret < 0) {
			sstp_log_error("sending to SSTP server %s failed: %s", p->link->cfg->host,
				       gnutls_strerror((int)ret));
			return -EIO;
		}
		p->tls_send_retry = 0;
		p->tls_out_sent += ret;
		p->bytes_to_server += ret;
	}
	p->tls_out_sent = 0;
	set_tls_out_len(p, 0);
	return 1;
}

static int flush_pty(struct pump *p)
{
	ssize_t n;

	while (p->pty_live && p->pty_out_sent < p->pty_out_len) {
		n = write(p->link->pty_master, p->pty_out + p->pty_out_sent,
			  p->pty_out_len - p->pty_out_sent);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		p->pty_out_sent += n;
	}
	if (p->pty_out_sent == p->pty_out_len)
		p->pty_out_len = p->pty_out_sent = 0;
	return 1;
}

/* --- the call ------------------------------------------------------------------ */

/* Why the call ends, logged once, as soon as the call knows it. */
static void report_cause(struct pump *p)
{
	const struct sstp_error *err = p->call->cfg.err;

	if (p->cause_logged || !err->exit_status)
		return;
	p->cause_logged = true;
	if (err->exit_status == SSTP_EXIT_HANGUP)
		sstp_log_notice("%s", err->text);
	else
		sstp_log_error("%s", err->text);
}

static void carry_out(struct pump *p, const struct sstp_call_actions *act)
{
	if (act->send_len)
		queue_control(p, act->send, act->send_len);
	report_cause(p);
}

/* pppd, the user or a signal asked to hang up. */
static void start_disconnect(struct pump *p)
{
	struct sstp_call_actions act;

	sstp_call_disconnect(p->call, p->now, &act);
	carry_out(p, &act);
}

static void handle_control(struct pump *p, const struct sstp_packet *pkt)
{
	struct sstp_call_actions act;
	struct sstp_control msg;

	if (p->link->cfg->debug)
		sstp_log_control("received", pkt->payload - SSTP_HEADER_LEN, pkt->total_len);
	if (sstp_control_parse(pkt->payload, pkt->payload_len, &msg) < 0)
		sstp_call_malformed(p->call, p->now, &act);
	else
		sstp_call_control(p->call, &msg, p->now, &act);
	carry_out(p, &act);
}

/* --- TLS -> pty ---------------------------------------------------------------- */

/* LCP frames go out with every control byte escaped (RFC 1662 7.1), like
 * the kernel's ppp_async sends them: pppd's receive map changes at LCP
 * transitions, and an LCP frame must get through both before and after. */
static bool is_lcp(const uint8_t *frame, size_t len)
{
	return len >= 4 && frame[0] == PPP_ALLSTATIONS && frame[1] == PPP_UI &&
	       (frame[2] << 8 | frame[3]) == PPP_LCP;
}

static void deliver_data(struct pump *p, const struct sstp_packet *pkt)
{
	uint32_t accm = p->pty_accm;

	if (p->call->forward != SSTP_FORWARD_ALL) {
		uint16_t protocol =
		    pkt->payload_len >= 4 ? pkt->payload[2] << 8 | pkt->payload[3] : 0;

		if (!sstp_call_may_forward(p->call, protocol)) {
			p->data_dropped_before_connected++;
			return;
		}
	}
	if (accm != HDLC_ACCM_ALL && is_lcp(pkt->payload, pkt->payload_len))
		accm = HDLC_ACCM_ALL;
	p->pty_out_len +=
	    hdlc_encode(pkt->payload, pkt->payload_len, accm, p->pty_out + p->pty_out_len);
}

/* Handles whole packets in link->tls_in while the pty queue has room.
 * Returns <0 when the stream cannot be delineated any more. */
static int process_tls_in(struct pump *p)
{
	struct sstp_link *link = p->link;
	struct sstp_packet pkt;
	size_t offset = 0;
	int len;

	while (!p->call->ended) {
		if (PTY_OUT_SIZE - p->pty_out_len < HDLC_ENCODED_MAX(SSTP_MAX_DATA_LEN))
			break;
		len = sstp_packet_parse(link->tls_in + offset, link->tls_in_len - offset, &pkt);
		if (len == 0)
			break;
		if (len < 0) {
			char why[80];

			sstp_packet_describe_error(link->tls_in + offset, why, sizeof(why));
			sstp_log_error("invalid SSTP packet from SSTP server %s (%s); closing the "
				       "connection",
				       link->cfg->host, why);
			return -EBADMSG;
		}
		offset += len;
		if (pkt.is_control)
			handle_control(p, &pkt);
		else
			deliver_data(p, &pkt);
	}
	if (offset) {
		memmove(link->tls_in, link->tls_in + offset, link->tls_in_len - offset);
		link->tls_in_len -= offset;
	}
	return 0;
}

/*
 * GnuTLS reads a record in two recv() calls (header, then body) and needs a
 * third to learn that the socket is empty. This pull function gives it bytes
 * from one large recv() instead, and answers EAGAIN without a system call
 * once a short recv() has shown the socket drained, until poll() reports
 * it readable again.
 */
static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	struct pump *p = ptr;
	size_t n;

	if (p->rx_start == p->rx_len) {
		ssize_t got;

		if (p->rx_drained) {
			gnutls_transport_set_errno(p->link->tls.session, EAGAIN);
			return -1;
		}
		got = recv(p->link->tls.fd, p->rx, TLS_RX_SIZE, 0);
		if (got <= 0) {
			if (got < 0)
				gnutls_transport_set_errno(p->link->tls.session, errno);
			return got;
		}
		p->rx_start = 0;
		p->rx_len = (size_t)got;
		p->rx_drained = p->rx_len < TLS_RX_SIZE;
	}
	n = p->rx_len - p->rx_start;
	if (n > len)
		n = len;
	memcpy(buf, p->rx + p->rx_start, n);
	p->rx_start += n;
	return (ssize_t)n;
}

static int tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct pump *p = ptr;
	struct pollfd pfd = {.fd = p->link->tls.fd, .events = POLLIN};
	int ret;

	if (p->rx_start < p->rx_len)
		return 1;
	ret = poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
	if (ret > 0)
		p->rx_drained = false;
	return ret;
}

/* After the call, GnuTLS reads the socket itself again (gnutls_bye). */
static ssize_t tls_pull_direct(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	return recv((int)(intptr_t)ptr, buf, len, 0);
}

static int tls_pull_timeout_direct(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct pollfd pfd = {.fd = (int)(intptr_t)ptr, .events = POLLIN};

	return poll(&pfd, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms);
}

static void use_buffered_pull(struct pump *p, bool on)
{
	gnutls_session_t session = p->link->tls.session;

	if (on) {
		gnutls_transport_set_pull_function(session, tls_pull);
		gnutls_transport_set_pull_timeout_function(session, tls_pull_timeout);
		/* the push side keeps the socket (GnuTLS's own writev) */
		gnutls_transport_set_ptr2(session, p,
					  (gnutls_transport_ptr_t)(intptr_t)p->link->tls.fd);
	} else {
		/* Whatever the buffer still holds is lost with the call. */
		gnutls_transport_set_pull_function(session, tls_pull_direct);
		gnutls_transport_set_pull_timeout_function(session, tls_pull_timeout_direct);
		gnutls_transport_set_int(session, p->link->tls.fd);
	}
}

/* Decrypted bytes in GnuTLS or ciphertext in our buffer: readable without
 * waiting for the socket. */
static bool tls_has_buffered(struct pump *p)
{
	return p->rx_start < p->rx_len || gnutls_record_check_pending(p->link->tls.session) > 0;
}

/* Returns 1 when something was read, 0 when nothing is available, <0 when the
 * connection is gone. */
static int read_tls(struct pump *p)
{
	struct sstp_link *link = p->link;
	ssize_t n;

	if (link->tls_in_len == SSTP_TLS_IN_SIZE)
		return 0;
	errno = 0;
	n = gnutls_record_recv(link->tls.session, link->tls_in + link->tls_in_len,
			       SSTP_TLS_IN_SIZE - link->tls_in_len);
	if (n > 0) {
		link->tls_in_len += n;
		p->bytes_from_server += n;
		return 1;
	}
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return 0;
	if (n == GNUTLS_E_REHANDSHAKE) {
		sstp_log_warn("SSTP server %s asked for TLS renegotiation; ignored",
			      link->cfg->host);
		return 0;
	}
	if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION)
		return -ECONNRESET;
	if (n == GNUTLS_E_PULL_ERROR && errno == ECONNRESET)
		return -ECONNABORTED; /* TCP reset */
	sstp_log_error("receiving from SSTP server %s failed: %s", link->cfg->host,
		       gnutls_strerror((int)n));
	return -EIO;
}

/* --- pty -> TLS ------------------------------------------------------------------ */

/* Restores FF 03 and a 2-byte protocol field if pppd compressed them; the
 * decoder left 3 spare bytes behind the frame. Returns the new length. */
static size_t normalise_frame(uint8_t *frame, size_t len)
{
	size_t shift = 0;

	if (len < 2 || frame[0] != PPP_ALLSTATIONS || frame[1] != PPP_UI)
		shift += 2;
	if (len > (shift ? 0 : 2) && (frame[shift ? 0 : 2] & 1))
		shift += 1;
	if (!shift)
		return len;
	memmove(frame + shift, frame, len);
	frame[0] = PPP_ALLSTATIONS;
	frame[1] = PPP_UI;
	if (shift != 2)
		frame[2] = 0x00;
	return len + shift;
}

static void emit_frame(struct pump *p, size_t frame_len)
{
	uint8_t *packet = p->tls_out + p->tls_out_len;
	uint8_t *frame = packet + SSTP_HEADER_LEN;
	uint16_t protocol;

	frame_len = normalise_frame(frame, frame_len);
	if (frame_len > SSTP_MAX_DATA_LEN || frame_len < 4)
		return;
	protocol = frame[2] << 8 | frame[3];
	if (!sstp_call_may_forward(p->call, protocol)) {
		p->data_dropped_before_connected++;
		return;
	}
	sstp_encode_data_header(packet, frame_len);
	p->tls_out_len += SSTP_HEADER_LEN + frame_len;
}

static void next_frame_slot(struct pump *p)
{
	hdlc_decoder_reset_output(&p->decoder, p->tls_out + p->tls_out_len + SSTP_HEADER_LEN,
				  SSTP_MAX_DATA_LEN + 2);
}

/* Decodes buffered pty bytes into SSTP packets while the TLS queue has room. */
static void process_pty_in(struct pump *p)
{
	size_t frame_len, used;

	while (p->pty_in_start < p->pty_in_len &&
	       TLS_OUT_SIZE - p->tls_out_len >= FRAME_ROOM + CONTROL_ROOM) {
		used = hdlc_decode(&p->decoder, p->pty_in + p->pty_in_start,
				   p->pty_in_len - p->pty_in_start, &frame_len);
		p->pty_in_start += used;
		if (frame_len) {
			emit_frame(p, frame_len);
			next_frame_slot(p);
		}
	}
	if (p->pty_in_start == p->pty_in_len)
		p->pty_in_start = p->pty_in_len = 0;
}

/* Returns 1 when bytes were read, 0 when none are available, <0 when pppd
 * has closed its side. */
static int read_pty(struct pump *p)
{
	ssize_t n;

	if (p->pty_in_len)
		return 0;
	n = read(p->link->pty_master, p->pty_in, PTY_IN_SIZE);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0; /* whether a burst is on its way stays as it was */
	/* n_tty keeps one byte of its buffer free: a full read is 4095 bytes */
	p->pty_more_coming = n == PTY_LDISC_CHUNK - 1 || n == PTY_LDISC_CHUNK || n == PTY_IN_SIZE;
	if (p->pty_more_coming && !p->tls_out_len)
		p->hold_until = p->now + HOLD_MS;
	if (n > 0) {
		p->pty_in_len = n;
		return 1;
	}
	return -EPIPE; /* EOF or EIO: the slave side is closed */
}

/* --- glue messages ------------------------------------------------------------- */

static void send_keys_done(struct pump *p, const char *failure)
{
	struct sstp_ipc_msg reply = {.type = SSTP_IPC_KEYS_DONE};

	if (failure)
		sstp_error_set(&reply.u.error, SSTP_EXIT_CONNECT_FAILED, "%s", failure);
	sstp_ipc_send(p->link->ipc_fd, &reply);
}

static void send_call_connected(struct pump *p, const uint8_t hlak[SSTP_HLAK_LEN])
{
	struct sstp_call_actions act;
	int ret = sstp_call_auth_done(p->call, hlak, p->now, &act);

	/* Queued ahead of anything pppd writes after its auth-up notifier
	 * returns, so no NCP or IP frame can overtake it. */
	carry_out(p, &act);
	if (ret == -ENOTCONN)
		send_keys_done(p, "the call ended before authentication finished");
	else if (ret < 0)
		send_keys_done(p, "cannot compute the crypto binding");
	else
		send_keys_done(p, NULL);
}

/* Returns <0 when the glue has gone. */
static int handle_ipc(struct pump *p)
{
	/* Locked memory: it may carry the HLAK. */
	struct sstp_ipc_msg *msg = p->link->ipc_in;
	int ret;

	ret = sstp_ipc_recv(p->link->ipc_fd, msg, 0);
	if (ret == -ETIMEDOUT || ret == -EINTR)
		return 0;
	if (ret <= 0)
		return -EPIPE;
	switch (msg->type) {
	case SSTP_IPC_KEYS:
		send_call_connected(p, msg->u.hlak);
		break;
	case SSTP_IPC_ESTABLISHED:
		p->pty_live = p->attached = true;
		break;
	case SSTP_IPC_DISCONNECT:
		start_disconnect(p);
		break;
	case SSTP_IPC_ACCM:
		p->pty_accm = msg->u.accm;
		sstp_log_debug("escaping control bytes to pppd per asyncmap 0x%08x", p->pty_accm);
		break;
	default:
		break;
	}
	gnutls_memset(msg, 0, sizeof(*msg));
	return 0;
}

/* --- timers ---------------------------------------------------------------------- */

static void run_timers(struct pump *p)
{
	int64_t deadline = sstp_call_deadline(p->call);
	struct sstp_call_actions act;

	if (deadline < 0 || p->now < deadline)
		return;
	sstp_call_timer(p->call, p->now, &act);
	carry_out(p, &act);
}

static int next_timeout_ms(const struct pump *p)
{
	int64_t deadline = sstp_call_deadline(p->call);

	if (deadline < 0)
		return -1;
	return deadline <= p->now ? 0 : (int)(deadline - p->now);
}

/* --- the loop ---------------------------------------------------------------------- */

enum { FD_IPC, FD_PTY, FD_TLS, NUM_FDS };

/* pppd closed the slave: hang up, and stop polling a descriptor that now
 * reports POLLHUP forever. */
static void pty_gone(struct pump *p, struct pollfd *fds)
{
	fds[FD_PTY].fd = -1;
	p->pty_live = false;
	start_disconnect(p);
}

/*
 * SIGTERM stays blocked except inside ppoll(), so it cannot slip in between
 * the flag check and the wait.
 *
 * The raw system call tells how long it slept (the glibc wrapper hides
 * that), which keeps p->now current without a clock read per wake-up: a
 * clock read is a system call where there is no vDSO (user-mode-linux),
 * and a data burst wakes us thousands of times a second. The time spent
 * working between waits is caught up by a real clock read every
 * CLOCK_RESYNC_WAKEUPS wake-ups and after every time-out, so timers can
 * only fire late by that much, never early.
 */
static int wait_for_events(struct pump *p, struct pollfd *fds, int timeout_ms,
			   const sigset_t *wait_mask)
{
	struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = timeout_ms % 1000 * 1000000L};
	int ret, saved_errno;

	ret = (int)syscall(SYS_ppoll, fds, NUM_FDS, timeout_ms < 0 ? NULL : &ts, wait_mask,
			   (size_t)(_NSIG / 8));
	saved_errno = errno;
	if (timeout_ms < 0 || ret == 0 || ++p->wakeups_since_clock >= CLOCK_RESYNC_WAKEUPS) {
		p->now = sstp_monotonic_ms();
		p->wakeups_since_clock = 0;
	} else {
		p->now += timeout_ms - (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	}
	errno = saved_errno;
	return ret;
}

/*
 * pppd's frames reach us at most PTY_LDISC_CHUNK bytes per read, which would
 * make every 4 KiB its own TLS record and sendmsg(). While reads come back
 * full, more of the burst is on its way: the queue is held back until it
 * makes a whole record, a read comes back short, or HOLD_MS passes.
 */
static bool holding_tls(const struct pump *p)
{
	return p->pty_more_coming && p->call->forward == SSTP_FORWARD_ALL && !p->tls_send_retry &&
	       p->tls_out_len < TLS_RECORD_MAX && p->now < p->hold_until;
}

/* Works through whatever is already buffered, both ways. */
static int work_through_buffers(struct pump *p, struct pollfd *fds)
{
	bool hold;
	int ret;

	do {
		if (process_tls_in(p) < 0)
			return -EBADMSG;
		if (flush_pty(p) < 0) {
			pty_gone(p, fds);
			p->pty_out_len = p->pty_out_sent = 0;
		}
		process_pty_in(p);
		hold = holding_tls(p);
		ret = hold ? 1 : flush_tls(p);
		if (ret < 0)
			return ret;
		/* The read that emptied the line discipline's buffer woke the
		 * kernel worker that refills it, which has run by the time the
		 * read returns (in the benchmark, always): read again without a
		 * poll while a burst is being held. */
		if (hold && !p->pty_in_len && fds[FD_PTY].fd >= 0 && read_pty(p) < 0)
			pty_gone(p, fds);
		/* pty bytes are there when just read, or left over when the
		 * queue filled and was sent. */
	} while (p->pty_in_len && ret > 0);
	return 0;
}

/* What to wait for, each way; returns the poll() timeout. */
static int choose_events(struct pump *p, struct pollfd *fds, bool tls_pending)
{
	bool hold = holding_tls(p);
	int timeout;

	fds[FD_PTY].events = 0;
	if (!sstp_call_tearing_down(p->call) && !p->pty_in_len && (!p->tls_out_len || hold))
		fds[FD_PTY].events |= POLLIN;
	if (p->pty_live && p->pty_out_len)
		fds[FD_PTY].events |= POLLOUT;
	fds[FD_TLS].events = 0;
	if (PTY_OUT_SIZE - p->pty_out_len >= HDLC_ENCODED_MAX(SSTP_MAX_DATA_LEN))
		fds[FD_TLS].events |= POLLIN;
	if (p->tls_out_len && !hold)
		fds[FD_TLS].events |=
		    gnutls_record_get_direction(p->link->tls.session) ? POLLOUT : POLLIN;

	timeout = tls_pending && (fds[FD_TLS].events & POLLIN) ? 0 : next_timeout_ms(p);
	if (hold && (timeout < 0 || timeout > HOLD_MS))
		timeout = HOLD_MS;
	return timeout;
}

/* Reads and handles what the server sent while the pty queue has room.
 * Returns 0 to go on, 1 when the connection ended with the call, <0 when
 * it ended before. */
static int receive_from_server(struct pump *p, const struct pollfd *fds)
{
	bool received = false;
	int ret = 0;

	while ((fds[FD_TLS].events & POLLIN) && (ret = read_tls(p)) > 0) {
		received = true;
		if (process_tls_in(p) < 0)
			return -EBADMSG;
		if (PTY_OUT_SIZE - p->pty_out_len < HDLC_ENCODED_MAX(SSTP_MAX_DATA_LEN))
			break;
	}
	if (received)
		sstp_call_received(p->call, p->now);
	if (ret >= 0)
		return 0;
	if (sstp_call_tearing_down(p->call))
		return 1;
	/* One line for the cause; read_tls() logged others. */
	if (ret == -ECONNRESET)
		sstp_log_error("SSTP server %s closed the connection", p->link->cfg->host);
	else if (ret == -ECONNABORTED)
		sstp_log_error("SSTP server %s reset the connection", p->link->cfg->host);
	return ret;
}

static int pump_loop(struct pump *p, const sigset_t *wait_mask)
{
	struct sstp_link *link = p->link;
	struct pollfd fds[NUM_FDS];
	bool tls_pending;
	int ret;

	fds[FD_IPC] = (struct pollfd){.fd = link->ipc_fd, .events = POLLIN};
	fds[FD_PTY] = (struct pollfd){.fd = link->pty_master};
	fds[FD_TLS] = (struct pollfd){.fd = link->tls.fd};

	for (;;) {
		ret = work_through_buffers(p, fds);
		if (ret < 0)
			return ret;
		run_timers(p);
		/* Whatever had to reach the server was queued in a *_Pending
		 * state, whose timer gave it time to go out. */
		if (p->call->ended)
			return 0;
		if (got_sigterm && !sstp_call_tearing_down(p->call))
			start_disconnect(p);

		tls_pending = tls_has_buffered(p);
		ret = wait_for_events(p, fds, choose_events(p, fds, tls_pending), wait_mask);
		if (ret == 0)
			p->pty_more_coming = false; /* the burst has ended: send */
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret < 0)
			continue;
		if (fds[FD_TLS].revents)
			p->rx_drained = false;

		if (fds[FD_IPC].revents && handle_ipc(p) < 0) {
			fds[FD_IPC].fd = -1; /* pppd is gone */
			start_disconnect(p);
		}
		if (fds[FD_TLS].revents || tls_pending) {
			ret = receive_from_server(p, fds);
			if (ret)
				return ret < 0 ? ret : 0;
		}
		if (fds[FD_PTY].revents & (POLLIN | POLLHUP | POLLERR) && read_pty(p) < 0)
			pty_gone(p, fds);
	}
}

/* How long a helper whose call has already ended waits for pppd to attach
 * to the pty: pppd does that right after connect() returns. */
#define ATTACH_WAIT_MS 5000

/*
 * The call ended (the server aborted or disconnected it at once) before pppd
 * attached its line discipline to the pty. Closing the pty now would make
 * that attach fail ("Couldn't attach to PPP unit ...") and pppd exit with
 * EXIT_FATAL_ERROR; after the attach, pppd sees an ordinary hangup instead.
 */
static void wait_for_attach(struct pump *p)
{
	int64_t deadline = sstp_deadline_after(ATTACH_WAIT_MS);
	struct sstp_ipc_msg *msg = p->link->ipc_in;
	int ret;

	while (!p->pty_live) {
		ret = sstp_ipc_recv(p->link->ipc_fd, msg, sstp_remaining_ms(deadline));
		if (ret == -EINTR)
			continue;
		if (ret <= 0 || msg->type == SSTP_IPC_DISCONNECT)
			break;
		if (msg->type == SSTP_IPC_ESTABLISHED)
			p->pty_live = true;
		else if (msg->type == SSTP_IPC_KEYS)
			send_keys_done(p, "the call ended before authentication finished");
		gnutls_memset(msg, 0, sizeof(*msg));
	}
}

int sstp_pump_run(struct sstp_link *link)
{
	struct pump p = {.link = link, .call = &link->call, .pty_accm = HDLC_ACCM_ALL};
	sigset_t wait_mask;
	int ret = -ENOMEM;

	sstp_catch_sigterm(&wait_mask);
	sstp_set_nonblocking(link->pty_master, true);
	p.pty_in = malloc(PTY_IN_SIZE);
	p.tls_out = malloc(TLS_OUT_SIZE);
	p.pty_out = malloc(PTY_OUT_SIZE);
	p.rx = malloc(TLS_RX_SIZE);
	if (!p.pty_in || !p.tls_out || !p.pty_out || !p.rx) {
		sstp_log_error("out of memory");
		goto out;
	}
	hdlc_decoder_init(&p.decoder, p.tls_out + SSTP_HEADER_LEN, SSTP_MAX_DATA_LEN + 2);
	p.now = sstp_monotonic_ms();

	use_buffered_pull(&p, true);
	ret = pump_loop(&p, &wait_mask);
	use_buffered_pull(&p, false);
	if (!p.attached && !p.call->local_disconnect && !got_sigterm)
		wait_for_attach(&p);
	sstp_log_debug("call ended: %llu bytes sent, %llu received, %lu bad frames from "
		       "pppd, %lu frames dropped outside Call Connected",
		       p.bytes_to_server, p.bytes_from_server, p.decoder.bad_frames,
		       p.data_dropped_before_connected);
out:
	free(p.pty_in);
	free(p.tls_out);
	free(p.pty_out);
	free(p.rx);
	return ret == 0 && p.call->local_disconnect ? 0 : 1;
}
