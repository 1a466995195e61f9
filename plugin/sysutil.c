/* Small system-call helpers. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "sysutil.h"

/* How often a child's exit is looked for while waiting for it. */
#define REAP_POLL_MS 20

int sstp_set_nonblocking(int fd, bool nonblocking)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -errno;
	flags = nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	if (fcntl(fd, F_SETFL, flags) < 0)
		return -errno;
	return 0;
}

int sstp_reap_within(pid_t pid, int timeout_ms, int *status)
{
	int64_t deadline = sstp_deadline_after(timeout_ms);
	int wstatus;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, &wstatus, WNOHANG);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret != 0) {
			/* reaped, or not ours to wait for any more */
			if (status)
				*status = ret == pid ? wstatus : -1;
			return 1;
		}
		if (sstp_remaining_ms(deadline) == 0)
			return 0;
		poll(NULL, 0, REAP_POLL_MS);
	}
}

int sstp_open_root_only(const char *path, char *why, size_t why_size)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, why_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* fstat on the open file: what we check is what we read. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "%s is not a regular file", path);
		goto refuse;
	}
	/* Group-readable counts too: group dip is exactly the users who may
	 * run pppd but must not learn root's secrets. */
	if (st.st_uid != 0 || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(why, why_size,
			 "refusing %s: it must be owned by root and readable by root alone (chown "
			 "root %s; chmod 600 %s)",
			 path, path, path);
		goto refuse;
	}
	return fd;
refuse:
	close(fd);
	return -1;
}
