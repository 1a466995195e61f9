/* Small system-call helpers shared by the glue, the helper and the relay. */
#ifndef SSTP_SYSUTIL_H
#define SSTP_SYSUTIL_H

#include <stdbool.h>
#include <stddef.h>
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

/*
 * Opens a file that holds a secret of root's configuration (a password, a
 * private key) for reading: a regular file owned by root that neither its
 * group nor others may read. Returns the descriptor, or -1 with why set to
 * what is wrong and how to fix it, e.g. "refusing /etc/ppp/key.pem: it must
 * be owned by root and readable by root alone (chown root ...; chmod 600 ...)".
 */
int sstp_open_root_only(const char *path, char *why, size_t why_size);

#endif
