/* Monotonic time in milliseconds, deadlines turned into poll() timeouts, and
 * time-outs written for messages. */
#ifndef SSTP_DEADLINE_H
#define SSTP_DEADLINE_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline int64_t sstp_monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* timeout_ms < 0 means no limit, represented as deadline -1. */
static inline int64_t sstp_deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : sstp_monotonic_ms() + timeout_ms;
}

/* What is left until deadline as a poll() timeout: -1 for none, 0 when passed. */
static inline int sstp_remaining_ms(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - sstp_monotonic_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* "30 s", or "1500 ms" when whole seconds would misstate it. */
static inline void sstp_format_duration(char *buf, size_t size, int ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%d s", ms / 1000);
	else
		snprintf(buf, size, "%d ms", ms);
}

#endif
