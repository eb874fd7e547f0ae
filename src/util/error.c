/* Filling struct ie_error and mapping codes to exit statuses. */
#include <stdarg.h>
#include <stdio.h>

#include "instructeval/error.h"
#include "util/banned.h"

int ie_error_set(struct ie_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int ie_error_exit_status(int code)
{
	if (code == IE_OK)
		return 0;
	if (code == IE_EUSAGE || code == IE_EINPUT || code == IE_ENODATA || code == IE_EMODIFIED)
		return 2;
	return 1;
}
