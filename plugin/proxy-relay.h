/* The tunnel through an https:// proxy as a plain socket: a relay process
 * owns the libcurl handle (whose TLS to the proxy wraps every byte) and
 * copies bytes between it and one end of a socket pair. */
#ifndef SSTP_PROXY_RELAY_H
#define SSTP_PROXY_RELAY_H

#include <stddef.h>
#include <sys/types.h>

#include <curl/curl.h>

#include "error.h"

/*
 * Opens the tunnel in the relay process: returns 0 with *curl a handle
 * whose CONNECT_ONLY transfer is done, or a negative errno with err set.
 * On failure *curl is NULL or a handle for the relay to clean up.
 */
typedef int (*sstp_tunnel_opener)(void *ctx, CURL **curl, struct sstp_error *err);

struct sstp_relay_config {
	sstp_tunnel_opener open;
	void *open_ctx;
	const char *display; /* the proxy, without credentials, for messages */
	/* The caller's descriptors the relay must not hold: pppd learns that
	 * the helper has gone when the last copy of these closes. */
	const int *close_fds;
	size_t num_close_fds;
	int timeout_ms; /* for open(); the relay waits a little longer for it */
};

/*
 * Forks the relay, which calls cfg->open and then copies bytes until either
 * side closes. Returns the local end of the tunnel (blocking, close-on-exec,
 * the next byte is the far end's) with *pid the relay's process id, or a
 * negative errno with err set as open() set it and no process left.
 */
int sstp_relay_start(const struct sstp_relay_config *cfg, pid_t *pid, struct sstp_error *err);

/*
 * Waits briefly for a relay whose socket the caller has closed, then kills
 * it; reaps it either way. A pid <= 0 is ignored.
 */
void sstp_relay_stop(pid_t pid);

#endif
