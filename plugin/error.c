/* Recording why the tunnel could not be set up. */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

void sstp_error_set(struct sstp_error *err, int exit_status, const char *fmt, ...)
{
	va_list args;

	/* The first failure is the cause; whatever fails after it while
	 * unwinding is a consequence and would only hide the real reason. */
	if (!err || err->exit_status != 0)
		return;

	err->exit_status = exit_status;
	va_start(args, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, args);
	va_end(args);
}
