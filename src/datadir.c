/* Where benchmark data lives when --data is not given. */
#include <stdio.h>
#include <stdlib.h>

#include "instructeval/eval.h"
#include "util/banned.h"

const char *ie_default_data_dir(void)
{
	static char buf[4096];
	const char *env = getenv("INSTRUCTEVAL_DATA");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (env && *env)
		return env;
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/instructeval", xdg);
	else
		snprintf(buf, sizeof(buf), "%s/.local/share/instructeval", home ? home : ".");
	return buf;
}

const char *ie_version(void)
{
	return IE_VERSION;
}
