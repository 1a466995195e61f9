/* libFuzzer target: the HTTP response header parser, fed whatever a server
 * or a man in the middle answers to SSTP_DUPLEX_POST. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sstp_http_response resp;
	int ret = sstp_http_parse_response((const char *)data, size, &resp);

	if (ret > 0) {
		if ((size_t)ret > size || resp.status < 100 || resp.status > 999 ||
		    memchr(resp.reason, '\0', sizeof(resp.reason)) == NULL)
			__builtin_trap();
	}
	return 0;
}
