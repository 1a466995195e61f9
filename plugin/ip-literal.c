/* IP address literals among host names. */
#include <arpa/inet.h>
#include <string.h>

#include "ip-literal.h"

size_t sstp_parse_ip_literal(const char *name, uint8_t raw[16])
{
	char text[INET6_ADDRSTRLEN];
	size_t len;

	if (inet_pton(AF_INET, name, raw) == 1)
		return 4;
	len = strcspn(name, "%");
	if (len >= sizeof(text))
		return 0;
	memcpy(text, name, len);
	text[len] = '\0';
	if (inet_pton(AF_INET6, text, raw) == 1)
		return 16;
	return 0;
}
