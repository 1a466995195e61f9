/*
 * The helper's sandbox: an unprivileged user and a seccomp allow-list, so
 * that a bug in the code that parses what the network sends (TLS, HTTP,
 * SSTP, a proxy's replies) gives an attacker neither root nor the means to
 * open a file or run a program. See sandbox.h and the man page's SECURITY
 * section, which lists every allowed call and why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox.h"

static int cap_get_sets(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};

	/* valgrind marks only the first of the two words as written. */
	memset(data, 0, sizeof(data[0]) * _LINUX_CAPABILITY_U32S_3);

	return syscall(SYS_capget, &header, data) < 0 ? -errno : 0;
}

static int fail(struct sstp_error *err, const struct sstp_sandbox_user *user, const char *step,
		int error)
{
	sstp_error_set(err, SSTP_EXIT_FATAL_ERROR,
		       "cannot drop privileges to user %s in the helper process: %s: %s "
		       "(sstp-helper-user; pppd must run as root or setuid root)",
		       user->name, step, strerror(error));
	return -error;
}

int sstp_sandbox_drop_privileges(const struct sstp_sandbox_user *user, struct sstp_error *err)
{
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int cap, ret;

	if (user->uid == 0)
		return fail(err, user, "the user is root", EINVAL);
	/* The bounding set can only shrink while we still hold CAP_SETPCAP;
	 * with it empty, nothing this process runs could regain a capability. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return fail(err, user, "dropping the capability bounding set", errno);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, user, "clearing ambient capabilities", errno);
	/* Groups first: once the uid is not 0, they could not change. */
	if (setgroups(0, NULL) < 0)
		return fail(err, user, "setgroups", errno);
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return fail(err, user, "setresgid", errno);
	/* Setting all three uids away from 0 clears the permitted and
	 * effective capability sets (capabilities(7)). */
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return fail(err, user, "setresuid", errno);

	/* Trust, but verify: never go on half dropped. */
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
		return fail(err, user, "reading the new ids", errno);
	if (ruid != user->uid || euid != user->uid || suid != user->uid || rgid != user->gid ||
	    egid != user->gid || sgid != user->gid || getgroups(0, NULL) != 0)
		return fail(err, user, "the ids did not change", EPERM);
	ret = cap_get_sets(caps);
	if (ret < 0)
		return fail(err, user, "reading the capabilities", -ret);
	if (caps[0].effective || caps[1].effective || caps[0].permitted || caps[1].permitted ||
	    caps[0].inheritable || caps[1].inheritable)
		return fail(err, user, "capabilities are left", EPERM);
	/* No exec could gain anything now (setuid binaries, file
	 * capabilities), and seccomp needs it without CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, user, "PR_SET_NO_NEW_PRIVS", errno);
	/* No core file and no ptrace by other processes of that user: the
	 * helper holds the session keys. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return fail(err, user, "PR_SET_DUMPABLE", errno);
	return 0;
}

int sstp_sandbox_lock_memory(const void *addr, size_t len)
{
	return len && mlock(addr, len) < 0 ? -errno : 0;
}

/* Allowed whatever their arguments. The groups are explained in the man
 * page; keep them in step. */
static const int allowed_calls[] = {
    /* the pump and the TLS session: bytes on descriptors already open */
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(recvfrom),
    SCMP_SYS(sendto),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendmsg),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(close),
    SCMP_SYS(shutdown),
    SCMP_SYS(getsockopt),
    /* time for the deadlines and timers, randomness for TLS */
    SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(getrandom),
    /* memory (mmap and mprotect below, without PROT_EXEC) and locks */
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(futex),
    /* signals and the end: the pump's SIGTERM handler, the relay's
       reaping, exit */
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(kill),
    SCMP_SYS(wait4),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    /* syslog(3) reconnecting to /dev/log (see socket below) */
    SCMP_SYS(connect),
};

static int add_rules(scmp_filter_ctx ctx, pid_t child)
{
	const int masked_types = ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
	size_t i;
	int ret;

	for (i = 0; i < sizeof(allowed_calls) / sizeof(allowed_calls[0]); i++) {
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed_calls[i], 0);
		if (ret < 0)
			return ret;
	}
	/* Memory for malloc and GnuTLS, never executable: no new code. */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* The TLS code makes its socket non-blocking. */
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
				       SCMP_A1(SCMP_CMP_EQ, F_GETFL));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
				       SCMP_A1(SCMP_CMP_EQ, F_SETFL));
	/* Stopping and reaping the proxy relay, and no other process: other
	 * helpers run as the same user. */
	if (ret == 0 && child > 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)child));
	if (ret == 0 && child > 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(wait4), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)child));
	/* The helper clears its parent-death signal once the call is up. */
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
				       SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG),
				       SCMP_A1(SCMP_CMP_EQ, 0));
	/* abort() on a failed assertion is a signal to ourselves. */
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	/* syslog(3) opens a new AF_UNIX datagram socket to /dev/log when the
	 * old one broke (the log daemon restarted): that kind only. */
	if (ret == 0)
		ret = seccomp_rule_add(
		    ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, AF_UNIX),
		    SCMP_A1(SCMP_CMP_MASKED_EQ, (scmp_datum_t)(uint32_t)masked_types, SOCK_DGRAM));
	return ret;
}

int sstp_sandbox_confine(pid_t child, struct sstp_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int ret;

	if (!ctx) {
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR,
			       "cannot set up the helper's seccomp filter: out of memory");
		return -ENOMEM;
	}
	ret = add_rules(ctx, child);
	if (ret == 0)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret < 0)
		sstp_error_set(err, SSTP_EXIT_FATAL_ERROR,
			       "cannot install the helper's seccomp filter: %s (is the kernel "
			       "built with CONFIG_SECCOMP_FILTER?)",
			       strerror(-ret));
	return ret;
}
