/*
 * One file over HTTP(S) or file://, resumable: the bytes arrive in
 * PATH.part, which survives a failed attempt, a broken connection or a
 * killed process; the next attempt asks only for the rest (a Range request
 * guarded by If-Range with the validator the first response gave, so a file
 * that changed on the server is fetched whole again rather than spliced).
 * Transient faults are retried with back-off; the file appears at PATH only
 * when it is complete.
 */
#ifndef IE_DATA_FETCH_H
#define IE_DATA_FETCH_H

#include "instructeval/error.h"

struct fetch_opts {
	const char *label; /* beside the progress bar */
	int progress;      /* draw a progress bar on stderr */
	int retries;       /* attempts after the first on transient faults */
};

/* Fetches url to path as above; IE_EIO when it could not (the partial
 * file stays for the next attempt). */
int fetch_file(const char *url, const char *path, const struct fetch_opts *o,
	       struct ie_error *err);

/* Whether url answers (2xx to a HEAD request, or a file:// path that is a
 * readable file). */
int fetch_exists(const char *url);

#endif
