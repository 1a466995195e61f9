/* The helper process gives up what it does not need before it talks to the
 * network: root (for an unprivileged user), every capability, and, once the
 * connection is open, every system call outside a short allow-list. */
#ifndef SSTP_SANDBOX_H
#define SSTP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Resolved by the glue in check_options, as root, so that the helper does
 * no user-database lookup of its own. */
struct sstp_sandbox_user {
	const char *name;
	uid_t uid;
	gid_t gid;
};

/*
 * Becomes user for good: no supplementary groups, real, effective and saved
 * uid and gid all the user's, no capabilities (effective, permitted,
 * inheritable, ambient, bounding set), no_new_privs, not dumpable. Must be
 * called with euid 0 (pppd runs as root or setuid root). Checks the result;
 * on any failure returns a negative errno and err names what failed: the
 * caller must then stop, never go on with what it had.
 */
int sstp_sandbox_drop_privileges(const struct sstp_sandbox_user *user, struct sstp_error *err);

/*
 * Installs the seccomp filter: from here on only the system calls the TLS
 * session, the pump, logging and exit need are allowed, and any other call
 * kills the process with SIGSYS. No file can be opened, no program run, no
 * socket made except an AF_UNIX datagram socket (syslog reconnecting), no
 * signal sent except to child (the proxy relay; <= 0 for none). The man
 * page's SECURITY section lists the calls and why each is there.
 */
int sstp_sandbox_confine(pid_t child, struct sstp_error *err);

/* Keeps [addr, addr + len) out of swap (mlock); 0 or a negative errno. */
int sstp_sandbox_lock_memory(const void *addr, size_t len);

#endif
