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

/* pppd 2.5 keeps whole 32-byte EAP-TLS keys: nothing to watch. */
static inline void sstp_pppd_eaptls_response_sent(int test_skew)
{
	(void)test_skew;
}

static inline const char *sstp_pppd_eap_key_problem(void)
{
	return "pppd kept short keys";
}

#elif SSTP_PPPD_API == 24

/* 2.4.9's headers declare the key globals only for MPPE-enabled builds,
 * which every distribution ships. eap_state's layout also depends on
 * USE_EAPTLS and CHAPMS, which Debian's and Ubuntu's pppd are built with;
 * sstp_pppd_eap_layout_ok() checks that at run time. */
#define MPPE       1
#define USE_EAPTLS 1
#define CHAPMS     1
#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>
#include <pppd/chap_ms.h>
#include <pppd/eap.h>
#include <pppd/eap-tls.h>
/* patchlevel.h's VERSION must never leak into our own code. */
#undef VERSION

#include <dlfcn.h>
#include <link.h>

#include "eaptls-keys.h"

/* MPPE_MAX_KEY_LEN (16) for MS-CHAP; EAP-TLS keys come whole from pppd's
 * TLS session (eaptls-keys.h). */
#define SSTP_PPPD_MAX_KEY_LEN SSTP_EAPTLS_KEY_LEN

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

/* eap_states's size in pppd's own symbol table must be the size we were
 * compiled with: a pppd built with other options lays eap_state out
 * differently, and then nothing in it may be read. */
static inline int sstp_pppd_eap_layout_ok(void)
{
	const ElfW(Sym) *sym = NULL;
	Dl_info info;

	return dladdr1(eap_states, &info, (void **)&sym, RTLD_DL_SYMENT) && sym &&
	       sym->st_size == sizeof(eap_state) * NUM_PPP;
}

/*
 * pppd is sending an EAP-TLS Response. pppd 2.4.9's eap_request() makes the
 * client session on the EAP-TLS Start request while its state is eapListen,
 * sends the first Response, and only then leaves eapListen; when the
 * handshake is done it frees the session without clearing ea_session (before
 * EAP Success, so at auth-up it is gone). So only now, in eapListen, does
 * ea_session certainly point to a live session: never read it later.
 * test_skew (test builds only) offsets the session pointer handed over, to
 * make the cross-check in sstp_eaptls_watch() fail.
 */
static inline void sstp_pppd_eaptls_response_sent(int test_skew)
{
	struct eaptls_session *ets;

	if (!sstp_pppd_eap_layout_ok()) {
		sstp_eaptls_refuse("pppd's EAP state is not laid out as pppd 2.4.9's headers say");
		return;
	}
	if (eap_states[0].es_client.ea_state != eapListen ||
	    !eap_states[0].es_client.ea_using_eaptls)
		return;
	ets = eap_states[0].es_client.ea_session;
	if (!ets) {
		sstp_eaptls_refuse("pppd made no EAP-TLS session");
		return;
	}
	if (sstp_eaptls_watch(ets->ssl, ets->ctx, (const char *)ets + test_skew) < 0)
		dbglog("sstp: cannot watch pppd's EAP-TLS handshake: %s", sstp_eaptls_problem());
	else
		dbglog("sstp: watching pppd's EAP-TLS handshake for the binding keys");
}

static inline const char *sstp_pppd_eap_key_problem(void)
{
	return sstp_eaptls_problem();
}

/* EAP-TLS: pppd kept the first 16 bytes of each key; the session gave us
 * all 32, and they must begin with pppd's, or they are not the same keys. */
static inline void sstp_pppd_eaptls_keys(unsigned char *send, unsigned char *recv, int *send_len,
					 int *recv_len)
{
	uint8_t tls_send[SSTP_EAPTLS_KEY_LEN], tls_recv[SSTP_EAPTLS_KEY_LEN];

	if (sstp_eaptls_take_keys(tls_send, tls_recv) < 0)
		return;
	if (memcmp(tls_send, mppe_send_key, MPPE_MAX_KEY_LEN) != 0 ||
	    memcmp(tls_recv, mppe_recv_key, MPPE_MAX_KEY_LEN) != 0) {
		sstp_eaptls_refuse("the keys of pppd's EAP-TLS session differ from pppd's own");
	} else {
		memcpy(send, tls_send, SSTP_EAPTLS_KEY_LEN);
		memcpy(recv, tls_recv, SSTP_EAPTLS_KEY_LEN);
		*send_len = *recv_len = SSTP_EAPTLS_KEY_LEN;
	}
	explicit_bzero(tls_send, sizeof(tls_send));
	explicit_bzero(tls_recv, sizeof(tls_recv));
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
	if (size >= SSTP_EAPTLS_KEY_LEN)
		sstp_pppd_eaptls_keys(send, recv, send_len, recv_len);
	return 1;
}

static inline void sstp_pppd_clear_keys(void)
{
	memset(mppe_send_key, 0, sizeof(mppe_send_key));
	memset(mppe_recv_key, 0, sizeof(mppe_recv_key));
	mppe_keys_set = 0;
	sstp_eaptls_forget();
}

#else
#error "SSTP_PPPD_API must be 24 or 25 (set by configure)"
#endif

#endif
