/* PPP frame constants the data path needs (RFC 1661, RFC 1662), named as
 * in pppd's <net/ppp_defs.h>; never included together with pppd's headers. */
#ifndef SSTP_PPP_H
#define SSTP_PPP_H

#include <stdbool.h>
#include <stdint.h>

#ifndef PPP_LCP
#define PPP_ALLSTATIONS 0xff   /* Address field, RFC 1662 3.1 */
#define PPP_UI          0x03   /* Control field, RFC 1662 3.1 */
#define PPP_LCP         0xc021 /* RFC 1661 5 */
#endif

/* Protocol numbers 0x8000 and up are network and link control protocols,
 * below are network-layer data (RFC 1661 2). */
static inline bool ppp_is_control_protocol(uint16_t protocol)
{
	return protocol >= 0x8000;
}

#endif
