/*
 * The relay for an https:// proxy. There, the proxy's TLS wraps every byte
 * of the tunnel, so our TLS to the SSTP server cannot run on libcurl's
 * socket; and curl_easy_recv() buffers decrypted bytes that poll() on that
 * socket cannot see, which the pump's wait would miss. So a child process
 * owns the libcurl handle and copies bytes between it and a socket pair; the
 * helper gets the other end, a socket like any other, and nothing after the
 * tunnel knows a relay is there.
 *
 * The relay's first bytes on the socket are its verdict, a struct
 * sstp_error: exit_status 0 when the tunnel is open, else why it is not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "proxy-relay.h"
#include "sandbox.h"
#include "sysutil.h"

/* Room for one full TLS record each way. */
#define RELAY_BUF_SIZE 16384
/* Past open()'s own time-out: libcurl enforces that one; this only catches
 * a relay that hangs anyway. */
#define RELAY_VERDICT_MARGIN_MS 5000
/* A relay whose socket has closed only flushes and says goodbye to the proxy. */
#define RELAY_EXIT_WAIT_MS 2000

struct relay_buf {
	uint8_t data[RELAY_BUF_SIZE];
	size_t start, end;
};

/* The two directions of the tunnel, from the relay's side. */
struct relay {
	CURL *curl;
	curl_socket_t proxy;
	int local;
	const char *display;
	struct relay_buf down; /* proxy to helper */
	struct relay_buf up;   /* helper to proxy */
	bool proxy_drained;    /* curl_easy_recv() said CURLE_AGAIN */
	bool proxy_blocked;    /* curl_easy_send() said CURLE_AGAIN */
	bool proxy_eof;
	bool helper_told_eof;
	bool helper_eof;
};

static bool buf_empty(const struct relay_buf *buf)
{
	return buf->start == buf->end;
}

/* Moves what the proxy sent towards the helper; returns <0 to stop, else
 * whether any byte moved. */
static int pass_down(struct relay *r)
{
	bool moved = false;
	CURLcode rc;
	ssize_t sent;
	size_t n;

	if (!r->proxy_eof && buf_empty(&r->down)) {
		r->down.start = r->down.end = 0;
		rc = curl_easy_recv(r->curl, r->down.data, sizeof(r->down.data), &n);
		if (rc == CURLE_AGAIN) {
			r->proxy_drained = true;
		} else if (rc != CURLE_OK) {
			sstp_log_warn("tunnel through proxy %s broken: %s", r->display,
				      curl_easy_strerror(rc));
			return -EIO;
		} else {
			if (n == 0) {
				sstp_log_debug("proxy %s closed the tunnel", r->display);
				r->proxy_eof = true;
			}
			r->down.end = n;
			r->proxy_drained = false;
			moved = true;
		}
	}
	if (!buf_empty(&r->down)) {
		sent = send(r->local, r->down.data + r->down.start, r->down.end - r->down.start,
			    MSG_NOSIGNAL);
		if (sent > 0) {
			r->down.start += sent;
			moved = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -errno;
		}
	}
	/* The helper's TLS then sees the end it would see on a TCP socket. */
	if (r->proxy_eof && buf_empty(&r->down) && !r->helper_told_eof) {
		shutdown(r->local, SHUT_WR);
		r->helper_told_eof = true;
	}
	return moved;
}

/* Moves what the helper wrote towards the proxy; as pass_down(). */
static int pass_up(struct relay *r)
{
	bool moved = false;
	CURLcode rc;
	ssize_t got;
	size_t n;

	/* Refilled only when empty: after CURLE_AGAIN, GnuTLS wants the same
	 * bytes offered again. */
	if (!r->helper_eof && buf_empty(&r->up)) {
		r->up.start = r->up.end = 0;
		got = recv(r->local, r->up.data, sizeof(r->up.data), 0);
		if (got > 0) {
			r->up.end = got;
			moved = true;
		} else if (got == 0) {
			r->helper_eof = true;
			moved = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -errno;
		}
	}
	r->proxy_blocked = false;
	if (!buf_empty(&r->up)) {
		rc = curl_easy_send(r->curl, r->up.data + r->up.start, r->up.end - r->up.start, &n);
		if (rc == CURLE_OK && n > 0) {
			r->up.start += n;
			moved = true;
		} else if (rc == CURLE_OK || rc == CURLE_AGAIN) {
			r->proxy_blocked = true;
		} else {
			sstp_log_warn("tunnel through proxy %s broken: %s", r->display,
				      curl_easy_strerror(rc));
			return -EIO;
		}
	}
	return moved;
}

/* Copies bytes both ways until the helper closes its end; 0 then. */
static int relay_bytes(struct relay *r)
{
	struct pollfd fds[2];
	int down, up, ret;

	ret = sstp_set_nonblocking(r->local, true);
	if (ret < 0)
		return ret;
	for (;;) {
		down = pass_down(r);
		if (down < 0)
			return down;
		up = pass_up(r);
		if (up < 0)
			return up;
		if (r->helper_eof && buf_empty(&r->up))
			return 0;
		if (down || up)
			continue;

		/* Nothing moved: every side we depend on said "not now". */
		fds[0].fd = r->local;
		fds[0].events = (!r->helper_eof && buf_empty(&r->up) ? POLLIN : 0) |
				(!buf_empty(&r->down) ? POLLOUT : 0);
		fds[1].fd = r->proxy;
		fds[1].events =
		    (!r->proxy_eof && buf_empty(&r->down) && r->proxy_drained ? POLLIN : 0) |
		    (r->proxy_blocked ? POLLOUT : 0);
		/* A hung-up descriptor we wait nothing from would wake us forever. */
		for (int i = 0; i < 2; i++)
			if (!fds[i].events)
				fds[i].fd = -1;
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return -errno;
	}
}

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

__attribute__((noreturn)) static void relay_main(const struct sstp_relay_config *cfg, int local,
						 pid_t helper)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct sstp_error verdict = {0};
	CURL *curl = NULL;
	int ret = -ENOMEM;

	/* Killed with the helper, whatever kills it: the relay must never
	 * outlive the link, and the check closes the race with an early death. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != helper)
		_exit(1);
	prctl(PR_SET_NAME, "sstp-relay");
	for (size_t i = 0; i < cfg->num_close_fds; i++)
		if (cfg->close_fds[i] >= 0)
			close(cfg->close_fds[i]);

	if (!r) {
		sstp_error_set(&verdict, SSTP_EXIT_FATAL_ERROR, "out of memory");
		goto report;
	}
	ret = cfg->open(cfg->open_ctx, &curl, &verdict);
	if (ret >= 0 && (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &r->proxy) != CURLE_OK ||
			 r->proxy == CURL_SOCKET_BAD)) {
		ret = -ENOTCONN;
		sstp_error_set(&verdict, SSTP_EXIT_CONNECT_FAILED,
			       "cannot take over the tunnel through proxy %s", cfg->display);
	}
	/* The tunnel is open and the proxy's reply parsed: from here on the
	 * relay only moves bytes, under the helper's seccomp filter. */
	if (ret >= 0)
		ret = sstp_sandbox_confine(-1, &verdict);
	/* open() names the cause; this only covers one that did not. */
	if (ret < 0)
		sstp_error_set(&verdict, SSTP_EXIT_CONNECT_FAILED, "no tunnel through proxy %s: %s",
			       cfg->display, strerror(-ret));
report:
	if (write_all(local, &verdict, sizeof(verdict)) < 0 || verdict.exit_status)
		goto out;
	r->curl = curl;
	r->local = local;
	r->display = cfg->display;
	ret = relay_bytes(r);
	if (ret < 0 && ret != -EIO)
		sstp_log_debug("relay for proxy %s ended: %s", cfg->display, strerror(-ret));
out:
	/* Sends the proxy its TLS close_notify: the helper is done or gone. */
	if (curl)
		curl_easy_cleanup(curl);
	free(r);
	close(local);
	/* Never exit(): pppd's atexit handlers belong to pppd. */
	_exit(ret < 0 ? 1 : 0);
}

/* The relay's verdict, within timeout_ms: 0, -ETIMEDOUT, or -ECONNRESET
 * when the relay ended without one. */
static int read_verdict(int fd, struct sstp_error *verdict, int timeout_ms)
{
	int64_t deadline = sstp_deadline_after(timeout_ms);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t got = 0;
	ssize_t n;
	int ret;

	while (got < sizeof(*verdict)) {
		ret = poll(&pfd, 1, sstp_remaining_ms(deadline));
		if (ret == 0)
			return -ETIMEDOUT;
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		n = read(fd, (char *)verdict + got, sizeof(*verdict) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		got += n;
	}
	return 0;
}

int sstp_relay_start(const struct sstp_relay_config *cfg, pid_t *pid, struct sstp_error *err)
{
	struct sstp_error verdict = {0};
	int pair[2] = {-1, -1};
	pid_t helper = getpid(), child = -1;
	int ret;

	*pid = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		ret = -errno;
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR,
			       "cannot create the socket for proxy %s: %s", cfg->display,
			       strerror(-ret));
		goto out;
	}
	child = fork();
	if (child < 0) {
		ret = -errno;
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR,
			       "cannot start the relay for proxy %s: %s", cfg->display,
			       strerror(-ret));
		goto out;
	}
	if (child == 0) {
		close(pair[0]);
		relay_main(cfg, pair[1], helper);
	}
	close(pair[1]);
	pair[1] = -1;

	ret = read_verdict(pair[0], &verdict, cfg->timeout_ms + RELAY_VERDICT_MARGIN_MS);
	if (ret == 0 && verdict.exit_status) {
		verdict.text[sizeof(verdict.text) - 1] = '\0';
		sstp_error_set(err, verdict.exit_status, "%s", verdict.text);
		ret = -ECONNREFUSED;
	} else if (ret == -ETIMEDOUT) {
		kill(child, SIGKILL);
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "no tunnel through proxy %s within %d s", cfg->display,
			       cfg->timeout_ms / 1000);
	} else if (ret < 0) {
		sstp_error_set(err, SSTP_EXIT_CONNECT_FAILED,
			       "the relay for proxy %s ended before the tunnel was open: %s",
			       cfg->display, strerror(-ret));
	}
	if (ret == 0) {
		*pid = child;
		ret = pair[0];
		pair[0] = -1;
	}
out:
	if (pair[0] >= 0)
		close(pair[0]);
	if (pair[1] >= 0)
		close(pair[1]);
	if (ret < 0)
		sstp_relay_stop(child);
	return ret;
}

void sstp_relay_stop(pid_t pid)
{
	if (pid <= 0 || sstp_reap_within(pid, RELAY_EXIT_WAIT_MS, NULL))
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
