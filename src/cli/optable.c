/*
 * Option tables: each command lists its options once, with their help, and
 * both getopt_long's array and the --help text are made from that list, so
 * the two cannot drift apart.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/banned.h"

enum { HELP_COL = 23, HELP_WIDTH = 79, MAX_OPTIONS = 96 };

/* Writes text from column col (the cursor is there already), wrapped at
 * word boundaries to HELP_WIDTH; a '\n' in text starts a new line. */
static void print_wrapped(FILE *f, const char *text, int col)
{
	int at = col;

	while (*text) {
		size_t word = strcspn(text, " \n");

		if (at > col && at + 1 + (int)word > HELP_WIDTH) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fwrite(text, 1, word, f);
		at += (int)word;
		text += word;
		if (*text == '\n') {
			fprintf(f, "\n%*s", col, "");
			at = col;
		}
		while (*text == ' ' || *text == '\n')
			text++;
	}
	fputc('\n', f);
}

static void print_option(FILE *f, const struct cli_opt *o)
{
	int n = fprintf(f, "  --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");

	/* A long option and argument get their text on the next line. */
	if (n + 2 > HELP_COL)
		fprintf(f, "\n%*s", HELP_COL, "");
	else
		fprintf(f, "%*s", HELP_COL - n, "");
	print_wrapped(f, o->help, HELP_COL);
}

void cli_help(const struct cli_spec *s, FILE *f)
{
	fprintf(f, "usage: instructeval %s\n", s->usage);
	if (s->about)
		fprintf(f, "\n%s", s->about);
	for (const struct cli_opt_group *g = s->groups; g && g->opts; g++) {
		fprintf(f, "\n%s:\n", g->title);
		for (const struct cli_opt *o = g->opts; o->name; o++)
			print_option(f, o);
	}
	if (s->middle)
		s->middle(f);
	if (s->after)
		fprintf(f, "\n%s", s->after);
	fputs(cli_exit_help, f);
}

/* A repeated name or code would send an option to the wrong case; that is
 * a mistake in a table, found by any --help. */
static void check_unique(const struct option *opts, int n, const char *cmd)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(opts[i].name, opts[k].name) || opts[i].val == opts[k].val) {
				fprintf(stderr, "instructeval %s: option table repeats --%s\n",
					cmd, opts[i].name);
				abort();
			}
}

static int build(const struct cli_spec *s, struct option *opts)
{
	int n = 0;

	for (const struct cli_opt_group *g = s->groups; g && g->opts; g++)
		for (const struct cli_opt *o = g->opts; o->name; o++) {
			if (n == MAX_OPTIONS - 2)
				abort();
			opts[n++] = (struct option){ o->name,
						     o->arg ? required_argument : no_argument,
						     NULL, o->code };
		}
	opts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	check_unique(opts, n, s->name);
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	return n;
}

int cli_getopt(const struct cli_spec *s, int argc, char **argv)
{
	/* One command runs per process; the array is built on its first call. */
	static struct option opts[MAX_OPTIONS];
	static const struct cli_spec *built;

	if (built != s) {
		build(s, opts);
		built = s;
		optind = 1;
	}
	return getopt_long(argc, argv, "h", opts, NULL);
}
