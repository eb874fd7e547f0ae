/*
 * Error reporting shared by the whole library. A function that can fail
 * returns 0 or a negative IE_E* code and, when given a struct ie_error,
 * fills it with a one-line message naming the input that failed (a file and
 * line, a request, a task). Only the command layer prints messages.
 */
#ifndef INSTRUCTEVAL_ERROR_H
#define INSTRUCTEVAL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum ie_errcode {
	IE_OK = 0,
	IE_EUSAGE = -1,  /* bad arguments or options */
	IE_EINPUT = -2,  /* bad or missing input file (data, model) */
	IE_EIO = -3,     /* could not read or write a file */
	IE_EMODEL = -4,  /* the model backend failed */
	IE_EEVAL = -5,   /* evaluation failed for another reason */
	IE_ENOMEM = -6,
	IE_ENODATA = -7, /* a task's benchmark data is not in the data folder */
	IE_EMODIFIED = -8, /* a data file is not the published one */
};

struct ie_error {
	int code;
	char msg[1024];
};

/* Sets err (may be NULL) to code and a printf-style message; returns code. */
int ie_error_set(struct ie_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Exit status for an error code: 0 ok, 2 usage or input, 1 anything else. */
int ie_error_exit_status(int code);

#ifdef __cplusplus
}
#endif
#endif
