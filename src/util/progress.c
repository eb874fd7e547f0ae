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
	p->bytes = false;
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

static void amount(char *buf, size_t n, double bytes)
{
	if (bytes >= 1e6)
		snprintf(buf, n, "%.1f MB", bytes / 1e6);
	else
		snprintf(buf, n, "%.0f kB", bytes / 1e3);
}

static void fill_bar(char bar[31], double frac)
{
	int fill = (int)(frac * 30);

	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
}

/* A download's line: "  name  [###...] 40%  1.2 MB of 3.0 MB  2.1 MB/s". */
static void draw_bytes(const struct progress *p, double rate, const char *eta, bool final)
{
	char have[32], total[32], speed[32], bar[31];

	amount(have, sizeof(have), (double)p->done);
	amount(total, sizeof(total), (double)p->total);
	amount(speed, sizeof(speed), rate);
	fprintf(stderr, "\r  %-28.28s ", p->label);
	if (p->total) {
		fill_bar(bar, (double)p->done / (double)p->total);
		fprintf(stderr, "[%s] %3d%%  %s of %s", bar, (int)(100.0 * (double)p->done /
			(double)p->total), have, total);
	} else {
		fputs(have, stderr);
	}
	fprintf(stderr, "  %s/s  ETA %s\033[K%s", speed, p->total ? eta : "--:--",
		final ? "\n" : "");
}

static void draw(struct progress *p, double now, bool final)
{
	double elapsed = now - p->start, rate = elapsed > 0 ? (double)p->done / elapsed : 0;
	double frac = p->total ? (double)p->done / (double)p->total : 1.0;
	char eta[32], more[96] = "", bar[31];

	if (p->status)
		p->status(p->status_data, more, sizeof(more));
	format_eta(eta, sizeof(eta),
		   rate > 0 && p->total >= p->done ? (double)(p->total - p->done) / rate : -1.0);
	if (p->bytes && p->tty) {
		draw_bytes(p, rate, eta, final);
	} else if (p->tty) {
		fill_bar(bar, frac);
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
