/* A failure on the way to a working tunnel: what pppd should exit with and
 * one line telling the user what went wrong. */
#ifndef SSTP_ERROR_H
#define SSTP_ERROR_H

#include "log.h"

#define SSTP_ERROR_TEXT_MAX 1024

/* Matches pppd's EXIT_* values without including pppd headers. */
enum sstp_exit {
	SSTP_EXIT_FATAL_ERROR = 1,
	SSTP_EXIT_OPTION_ERROR = 2,
	SSTP_EXIT_CONNECT_FAILED = 8,
	SSTP_EXIT_HANGUP = 16,
};

struct sstp_error {
	int exit_status;
	char text[SSTP_ERROR_TEXT_MAX];
};

/* Records the first failure only: later ones are consequences of it. */
void sstp_error_set(struct sstp_error *err, int exit_status, const char *fmt, ...)
    SSTP_PRINTF(3, 4);

#endif
