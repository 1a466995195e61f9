/* Datagram messages between the pppd glue and the helper process. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "ipc.h"

int sstp_ipc_send(int fd, const struct sstp_ipc_msg *msg)
{
	ssize_t n;

	do {
		n = send(fd, msg, sizeof(*msg), MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(*msg) ? 0 : -EMSGSIZE;
}

int sstp_ipc_recv(int fd, struct sstp_ipc_msg *msg, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;

	n = recv(fd, msg, sizeof(*msg), MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? -EINTR : -errno;
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(*msg))
		return -EBADMSG;
	return 1;
}
