/*
 * The one place that includes pppd's headers. The glue is written against
 * the pppd 2.5 plugin API; on 2.4.9 this header maps those names onto the
 * older globals and functions.
 */
#ifndef SSTP_PPPD_COMPAT_H
#define SSTP_PPPD_COMPAT_H

#include <stddef.h>
#include <string.h>

#if SSTP_PPPD_API == 25

/* pppd 2.5 declares its getters as "type f();". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <pppd/pppd.h>
#include <pppd/options.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/chap_ms.h>
#include <pppd/eap.h>
#include <pppd/mppe.h>
#pragma GCC diagnostic pop

/* Exported by pppd 2.5 but left out of its installed headers. */
extern int auth_done[];
int tty_establish_ppp(int fd);
void tty_disestablish_ppp(int fd);
void tty_send_config(int mtu, uint32_t accm, int pcomp, int accomp);
void tty_recv_config(int mru, uint32_t accm, int pcomp, int accomp);

/* auth.c's private auth_done bits for our own authentication to the peer. */
#define EAP_WITHPEER      0x10
#define CHAP_MS_WITHPEER  0x100
#define CHAP_MS2_WITHPEER 0x400

#define SSTP_PPPD_MAX_KEY_LEN 32

static inline int sstp_pppd_get_keys(unsigned char *send, unsigned char *recv, int size,
				     int *send_len, int *recv_len)
{
	if (!mppe_keys_isset())
		return 0;
	*send_len = mppe_get_send_key(send, size);
	*recv_len = mppe_get_recv_key(recv, size);
	return 1;
}

static inline void sstp_pppd_clear_keys(void)
{
	mppe_clear_keys();
}

#elif SSTP_PPPD_API == 24

/* 2.4.9's headers declare the key globals only for MPPE-enabled builds,
 * which every distribution ships. */
#define MPPE 1
#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/chap_ms.h>
#include <pppd/eap.h>
/* patchlevel.h's VERSION must never leak into our own code. */
#undef VERSION

#define SSTP_PPPD_MAX_KEY_LEN MPPE_MAX_KEY_LEN

typedef int ppp_exit_code_t;

#define ppp_add_options(opts) add_options(opts)
#define ppp_set_status(code)  (status = (code))
#define ppp_status()          (status)
#define ppp_signaled(sig)     ((sig) == SIGTERM ? got_sigterm != 0 : 0)
#define debug_on()            (debug != 0)
#define ppp_sync_serial()     (sync_serial != 0)
#define ppp_option_error      option_error
#define ppp_devnam()          ((const char *)devnam)
#define ppp_set_modem(on)     (modem = (on))

enum ppp_notify { NF_AUTH_UP, NF_PHASE_CHANGE, NF_EXIT };

static inline void ppp_add_notify(enum ppp_notify type, void (*fn)(void *, int), void *ctx)
{
	struct notifier **list[] = {
	    [NF_AUTH_UP] = &auth_up_notifier,
	    [NF_PHASE_CHANGE] = &phasechange,
	    [NF_EXIT] = &exitnotify,
	};

	add_notifier(list[type], fn, ctx);
}

static inline int ppp_set_devnam(const char *name)
{
	strlcpy(devnam, name, sizeof(devnam));
	return 0;
}

static inline int ppp_set_pppdevnam(const char *name)
{
	strlcpy(ppp_devnam, name, sizeof(ppp_devnam));
	return 0;
}

static inline int sstp_pppd_get_keys(unsigned char *send, unsigned char *recv, int size,
				     int *send_len, int *recv_len)
{
	int len = size < MPPE_MAX_KEY_LEN ? size : MPPE_MAX_KEY_LEN;

	if (!mppe_keys_set)
		return 0;
	memcpy(send, mppe_send_key, len);
	memcpy(recv, mppe_recv_key, len);
	*send_len = *recv_len = len;
	return 1;
}

static inline void sstp_pppd_clear_keys(void)
{
	memset(mppe_send_key, 0, sizeof(mppe_send_key));
	memset(mppe_recv_key, 0, sizeof(mppe_recv_key));
	mppe_keys_set = 0;
}

#else
#error "SSTP_PPPD_API must be 24 or 25 (set by configure)"
#endif

#endif
