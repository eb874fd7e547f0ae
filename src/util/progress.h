/*
 * Progress reporting on stderr for long work: a bar redrawn in place with
 * done/total, rate and ETA when stderr is a terminal, plain lines every few
 * seconds otherwise, nothing when quiet.
 */
#ifndef IE_PROGRESS_H
#define IE_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct progress {
	const char *label;
	size_t total, done;
	bool quiet, tty;
	double start, last_draw;
	/* Counts are bytes (a download): shown as kB and MB with the
	 * percentage, and a total of 0 is not known yet (no bar then). */
	bool bytes;
	/* Optional: more to show after the counts (", 3 in flight"). */
	void (*status)(void *data, char *buf, size_t n);
	void *status_data;
};

void progress_start(struct progress *p, const char *label, size_t total, bool quiet);
void progress_update(struct progress *p, size_t done);
/* Draws the final state and ends the line. */
void progress_finish(struct progress *p);
/* Seconds since an arbitrary fixed point (monotonic clock). */
double progress_now(void);

#endif
