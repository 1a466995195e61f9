/* Small system-call helpers. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>

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
