/*
 * EAP-TLS keys from pppd 2.4.9's own TLS session, for the crypto binding.
 *
 * pppd 2.4.9 keeps only 16 bytes of each EAP-TLS key, while the binding needs
 * the first 32 bytes of the MSK (MS-SSTP 3.2.5.2). pppd frees its session as
 * soon as its handshake is done, before EAP Success, so the keys cannot be
 * read at auth-up. Instead, when pppd has just created the session, we ask
 * its OpenSSL to call us when the handshake is done, and export the keying
 * material then, exactly as pppd does. Knows nothing of pppd: the compat
 * header finds the session and hands over its SSL and SSL_CTX.
 */
#ifndef SSTP_EAPTLS_KEYS_H
#define SSTP_EAPTLS_KEYS_H

#include <stdint.h>

/* Each of the client's send (MSK[0..31]) and receive (MSK[32..63]) keys. */
#define SSTP_EAPTLS_KEY_LEN 32

struct ssl_st;
struct ssl_ctx_st;

/*
 * pppd has just created its EAP-TLS client session: checks that ssl is a
 * client connection of ctx, handshake not done, that carries session as its
 * ex_data 0 (where pppd 2.4.9 keeps it), and watches for the end of the
 * handshake. Forgets keys from any earlier handshake.
 * Returns 0, or a negative errno; sstp_eaptls_problem() then says why.
 */
int sstp_eaptls_watch(struct ssl_st *ssl, struct ssl_ctx_st *ctx, const void *session);

/*
 * Moves out the keys of the last watched handshake and wipes them here.
 * Returns 0, or -ENOENT when there are none (sstp_eaptls_problem() says why).
 */
int sstp_eaptls_take_keys(uint8_t send_key[SSTP_EAPTLS_KEY_LEN],
			  uint8_t recv_key[SSTP_EAPTLS_KEY_LEN]);

/* Wipes any keys not taken. */
void sstp_eaptls_forget(void);

/* Wipes any keys not taken and records why there are none (a static string). */
void sstp_eaptls_refuse(const char *why);

/* Why no keys were captured: a short phrase for the log. */
const char *sstp_eaptls_problem(void);

#endif
