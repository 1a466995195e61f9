/* Logging for code outside the pppd glue. The glue implements these on top of
 * pppd's own logger, so helper-process messages land in pppd's log too. */
#ifndef SSTP_LOG_H
#define SSTP_LOG_H

#define SSTP_PRINTF(a, b) __attribute__((format(printf, a, b)))

void sstp_log_debug(const char *fmt, ...) SSTP_PRINTF(1, 2);
void sstp_log_info(const char *fmt, ...) SSTP_PRINTF(1, 2);
void sstp_log_notice(const char *fmt, ...) SSTP_PRINTF(1, 2);
void sstp_log_warn(const char *fmt, ...) SSTP_PRINTF(1, 2);
void sstp_log_error(const char *fmt, ...) SSTP_PRINTF(1, 2);

#endif
