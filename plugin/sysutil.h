/* Small system-call helpers shared by the glue, the helper and the relay. */
#ifndef SSTP_SYSUTIL_H
#define SSTP_SYSUTIL_H

#include <stdbool.h>
#include <sys/types.h>

/* Sets or clears O_NONBLOCK on fd. 0 or a negative errno. */
int sstp_set_nonblocking(int fd, bool nonblocking);

/*
 * Waits up to timeout_ms for the child pid to exit and reaps it. Returns 1
 * once it has gone, 0 when it is still running at the deadline. *status (if
 * given) gets its wait status, or -1 when someone else reaped it (pppd reaps
 * its children too).
 */
int sstp_reap_within(pid_t pid, int timeout_ms, int *status);

#endif
