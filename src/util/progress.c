/* The progress display of progress.h. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"
#include "util/banned.h"

double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, const char *label, size_t total, bool quiet)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO);
	p->start = progress_now();
	p->last_draw = 0;
	p->status = NULL;
	p->status_data = NULL;
}

static void format_eta(char *buf, size_t n, double secs)
{
	long s = (long)(secs + 0.5);

	if (secs < 0 || secs > 1e7)
		snprintf(buf, n, "--:--");
	else if (s >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, n, "%02ld:%02ld", s / 60, s % 60);
}

static void draw(struct progress *p, double now, bool final)
{
	double elapsed = now - p->start, rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	double frac = p->total ? (double)p->done / (double)p->total : 1.0;
	char eta[32], more[96] = "";

	if (p->status)
		p->status(p->status_data, more, sizeof(more));
	format_eta(eta, sizeof(eta),
		   rate > 0 ? (double)(p->total - p->done) / rate : -1.0);
	if (p->tty) {
		char bar[31];
		int fill = (int)(frac * 30);

		for (int i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(stderr, "\r%-10s [%s] %zu/%zu %.1f/s ETA %s%s\033[K%s", p->label, bar,
			p->done, p->total, rate, eta, more, final ? "\n" : "");
	} else {
		fprintf(stderr, "%s: %zu/%zu (%.0f%%) %.1f/s ETA %s%s\n", p->label, p->done,
			p->total, frac * 100, rate, eta, more);
	}
	fflush(stderr);
	p->last_draw = now;
}

void progress_update(struct progress *p, size_t done)
{
	double now;

	p->done = done;
	if (p->quiet)
		return;
	now = progress_now();
	if (now - p->last_draw >= (p->tty ? 0.2 : 10.0))
		draw(p, now, false);
}

void progress_finish(struct progress *p)
{
	if (!p->quiet)
		draw(p, progress_now(), true);
}
