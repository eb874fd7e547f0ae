/*
 * instructeval rate: people rate a run's IMPACT answers 1-5 for relevance
 * and coherence, as the judge does, so that 'analyze --agreement' can say
 * how far the judge goes with them. Ratings are typed one key at a time
 * or read from a file (CSV, JSON or JSON lines). At the keyboard each
 * answer's ratings are stored as soon as both are given, so quitting
 * loses nothing and the next session goes on where this one stopped; a
 * file is checked whole before anything of it is stored.
 */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/agreement.h"
#include "store/store.h"
#include "util/csv.h"
#include "util/fileio.h"
#include "util/text.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/jsonfile.h"
#include "util/banned.h"

/* Problems in a file reported before the rest are only counted. */
#define MAX_PROBLEMS 20

static const struct cli_opt rate_opts[] = {
	{ "rater", 'r', "NAME",
	  "whose ratings these are (default: $USER, else 'rater'): printable UTF-8, at most "
	  "64 bytes" },
	{ "category", 'c', "C",
	  "only the answers of category C (Informative, Professional, Argumentative or "
	  "Creative)" },
	{ "from", 'f', "FILE",
	  "read the ratings from FILE instead: CSV with the header id,relevance,coherence and "
	  "optionally a rater column (which overrides --rater), a JSON array of objects with "
	  "those members, or JSON lines. Every row is checked first; one problem stores "
	  "nothing. A rater's earlier rating of an answer is replaced." },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group rate_groups[] = {
	{ "Options", rate_opts },
	{ "Store", cli_store_path_opts },
	{ NULL, NULL },
};

static const struct cli_spec rate_spec = {
	.name = "rate",
	.usage = "rate RUN [--rater NAME] [--category C] [--store FILE]\n"
		 "       instructeval rate RUN --from FILE [--rater NAME] [--store FILE]",
	.about = "Rates the IMPACT answers of a stored run (RUN is its id, as 'instructeval\n"
		 "runs' lists them, or 'latest') yourself, 1 to 5 for relevance and for\n"
		 "coherence, on the judge's scale. 'instructeval analyze --agreement RUN'\n"
		 "then tells how far the judge agrees with people, and people with each\n"
		 "other.\n\n"
		 "At the keyboard each answer not yet rated by NAME is shown with its\n"
		 "category and prompt; press 1-5 for relevance, then for coherence; s skips\n"
		 "the answer, b goes back, q quits, ? explains the keys. Each answer's\n"
		 "ratings are stored as soon as both are given: run the command again to go\n"
		 "on where you stopped. Keys may also be piped in; white space between\n"
		 "them is ignored and the end of the input quits.\n",
	.groups = rate_groups,
};

/* ---- the run's answers ---- */

/* One IMPACT answer of the run; the strings belong to the records. */
struct answer {
	const char *id, *category, *prompt, *output;
};

struct answers {
	int64_t run;
	json_t *records;
	struct answer *v;
	size_t n, cap;
};

static const char *member(const json_t *rec, const char *name, const char *dflt)
{
	const char *v = json_string_value(json_object_get(rec, name));

	return v ? v : dflt;
}

static void add_answer(struct answers *a, const json_t *rec)
{
	struct answer *x;

	if (!member(rec, "id", NULL))
		return;
	XGROW(a->v, a->cap, a->n + 1);
	x = &a->v[a->n++];
	x->id = member(rec, "id", NULL);
	x->category = member(rec, "subtask", "?");
	x->prompt = member(rec, "prompt", member(rec, "instruction", ""));
	x->output = member(rec, "output", "");
}

/* Returns 0 or the exit status (already reported). */
static int answers_load(struct store *st, int64_t run, struct answers *a)
{
	struct ie_error err = { 0 };
	char *jsonl = NULL, where[64];
	size_t i;
	json_t *rec;
	int ret;

	a->run = run;
	if (agreement_impact_samples(st, run, &jsonl, &err) < 0)
		return cli_fail(&err);
	snprintf(where, sizeof(where), "the stored IMPACT records of run %lld", (long long)run);
	ret = json_lines_parse(jsonl, strlen(jsonl), where, &a->records, &err);
	free(jsonl);
	if (ret < 0)
		return cli_fail(&err);
	json_array_foreach(a->records, i, rec)
		add_answer(a, rec);
	return 0;
}

static void answers_release(struct answers *a)
{
	free(a->v);
	json_decref(a->records);
}

static const struct answer *find_answer(const struct answers *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].id, id))
			return &a->v[i];
	return NULL;
}

/* A rater's name is shown in tables and typed in files, like a tag's
 * value: printable UTF-8 of at most 64 bytes. NULL when it is one. */
static const char *rater_problem(const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return "is empty";
	if (n > 64)
		return "is longer than 64 bytes";
	if (!utf8_valid(name, n))
		return "is not UTF-8";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return "has a control character";
	return NULL;
}

/* ---- keys ---- */

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

static void tty_restore(void)
{
	if (tty_changed) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		tty_changed = 0;
	}
}

static void on_signal(int sig)
{
	tty_restore();
	fd_write_all(STDOUT_FILENO, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One key press is enough at a terminal: no line editing, no echo (the
 * key is printed as it is taken). Ctrl-C still interrupts; the terminal
 * is put back however the command ends. */
static void tty_raw(void)
{
	struct sigaction sa;
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(tty_restore);
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	/* Set first, so that a signal in between restores what is unchanged. */
	tty_changed = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) < 0)
		tty_changed = 0;
}

/* The next key. White space is no key (Enter at a terminal, spacing in
 * piped keys); the end of the input, or Ctrl-D at a raw terminal, quits. */
static int read_key(void)
{
	int c;

	do
		c = getchar();
	while (c != EOF && text_is_space((unsigned char)c));
	return c == EOF || c == 4 ? 'q' : c;
}

static void print_keys(void)
{
	printf("  1-5  the rating: 1 inadequate, 2 limited, 3 satisfactory, 4 proficient,\n"
	       "       5 excellent (the judge's scale). Relevance: how well the answer\n"
	       "       does what the prompt asks; coherence: how clear, well organized\n"
	       "       and easy to follow it is\n"
	       "  s    skip this answer (it is asked again next time)\n"
	       "  b    back: at relevance to the previous answer, at coherence to this\n"
	       "       answer's relevance\n"
	       "  q    quit; what you rated is kept, and the same command goes on from\n"
	       "       here\n"
	       "  ?    this help\n");
}

enum { KEY_SKIP = -1, KEY_BACK = -2, KEY_QUIT = -3 };

/* Asks for mode's rating: 1-5, or one of KEY_*. */
static int ask(const char *mode)
{
	for (;;) {
		int c;

		printf("%s 1-5 (s skip, b back, q quit, ? help): ", mode);
		fflush(stdout);
		c = read_key();
		printf("%c\n", isprint(c) ? c : '?');
		if (c >= '1' && c <= '5')
			return c - '0';
		if (c == 's')
			return KEY_SKIP;
		if (c == 'b')
			return KEY_BACK;
		if (c == 'q')
			return KEY_QUIT;
		if (c == '?')
			print_keys();
		else
			printf("the keys are 1-5, s, b, q and ?\n");
	}
}

/* ---- rating at the keyboard ---- */

struct session {
	struct store *st;
	const char *rater;
	const struct answers *a;
	size_t *todo;	     /* indices into a->v, in the run's order */
	unsigned char *done; /* per todo entry: rated by this rater */
	size_t n, n_done;
	int status; /* the exit status of a failed store */
};

/* The answers of category (NULL: all), and which of them rater rated. */
static void session_init(struct session *s, const json_t *ratings, const char *category)
{
	const json_t *r;
	size_t i;

	s->todo = xcalloc(s->a->n + 1, sizeof(*s->todo));
	s->done = xcalloc(s->a->n + 1, 1);
	for (i = 0; i < s->a->n; i++)
		if (!category || !strcmp(s->a->v[i].category, category))
			s->todo[s->n++] = i;
	json_array_foreach(ratings, i, r) {
		if (strcmp(member(r, "rater", ""), s->rater))
			continue;
		for (size_t j = 0; j < s->n; j++)
			if (!s->done[j] && !strcmp(s->a->v[s->todo[j]].id, member(r, "item", ""))) {
				s->done[j] = 1;
				s->n_done++;
			}
	}
}

/* Model text goes to a terminal: control characters other than line
 * breaks and tabs (escape sequences, a carriage return that would hide a
 * line), C1 ones included, are shown as spaces. */
static void put_text(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
			putchar(' ');
			p++;
		} else if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			putchar(' ');
		} else {
			putchar(*p);
		}
	}
}

static void show(const struct session *s, size_t i)
{
	const struct answer *a = &s->a->v[s->todo[i]];

	printf("\n==== %zu of %zu rated ==== %s (%s)%s\n\nPrompt:\n", s->n_done, s->n, a->id,
	       a->category, s->done[i] ? ", rated before: rate it again" : "");
	put_text(a->prompt);
	printf("\n\nAnswer:\n");
	put_text(a->output);
	printf("\n\n");
}

enum step { STEP_RATED, STEP_SKIP, STEP_BACK, STEP_QUIT, STEP_FAILED };

static enum step key_step(int key)
{
	return key == KEY_SKIP ? STEP_SKIP : key == KEY_BACK ? STEP_BACK : STEP_QUIT;
}

static enum step rate_one(struct session *s, size_t i)
{
	const struct answer *a = &s->a->v[s->todo[i]];
	struct ie_error err = { 0 };
	int rel, coh;

	show(s, i);
	do {
		if ((rel = ask("relevance")) < 0)
			return key_step(rel);
		coh = ask("coherence");
	} while (coh == KEY_BACK);
	if (coh < 0)
		return key_step(coh);
	if (store_rating_put(s->st, s->a->run, a->id, s->rater, rel, coh, &err) < 0) {
		s->status = cli_fail(&err);
		return STEP_FAILED;
	}
	if (!s->done[i]) {
		s->done[i] = 1;
		s->n_done++;
	}
	return STEP_RATED;
}

static size_t next_todo(const struct session *s, size_t from)
{
	while (from < s->n && s->done[from])
		from++;
	return from;
}

/* Goes through the answers not rated yet. 'b' returns along the answers
 * of this session: the stack holds them in the order shown, each below
 * the one shown after it, so it never holds more than s->n. */
static void session_run(struct session *s)
{
	size_t *back = xcalloc(s->n + 1, sizeof(*back)), n_back = 0;
	size_t i = next_todo(s, 0);

	while (i < s->n) {
		enum step step = rate_one(s, i);

		if (step == STEP_QUIT || step == STEP_FAILED)
			break;
		if (step == STEP_BACK) {
			if (n_back)
				i = back[--n_back];
			else
				printf("(this is the first answer of this session)\n");
			continue;
		}
		back[n_back++] = i;
		i = next_todo(s, i + 1);
	}
	free(back);
}

static int rate_keys(struct store *st, const struct answers *a, const char *rater,
		     const char *category)
{
	struct session s = { .st = st, .rater = rater, .a = a };
	struct ie_error err = { 0 };
	json_t *ratings = NULL;

	if (store_ratings_get(st, a->run, &ratings, &err) < 0)
		return cli_fail(&err);
	session_init(&s, ratings, category);
	json_decref(ratings);
	printf("Run %lld: %zu IMPACT answers%s%s, %zu of them rated by %s.\n",
	       (long long)a->run, s.n, category ? " of category " : "", category ? category : "",
	       s.n_done, rater);
	if (s.n_done < s.n) {
		printf("Press 1-5 for each rating, ? for help.\n");
		tty_raw();
		session_run(&s);
		tty_restore();
	}
	if (!s.status && s.n_done == s.n)
		printf("All %zu answers are rated by %s.\n", s.n, rater);
	else if (!s.status)
		printf("%zu of %zu rated by %s; the same command goes on with the rest.\n",
		       s.n_done, s.n, rater);
	free(s.todo);
	free(s.done);
	return s.status;
}

/* ---- ratings from a file ---- */

struct entry {
	long where;
	char *id, *rater;
	int relevance, coherence;
};

struct reader {
	const char *path;
	int array; /* places are indices into a JSON array, not lines */
	const char *rater;
	const struct answers *a;
	struct entry *v;
	size_t n, cap;
	int problems;
};

static void problem(struct reader *r, long where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct reader *r, long where, const char *fmt, ...)
{
	va_list ap;

	if (++r->problems > MAX_PROBLEMS)
		return;
	if (r->array)
		fprintf(stderr, "instructeval rate: %s: index %ld of the array: ", r->path, where);
	else
		fprintf(stderr, "instructeval rate: %s:%ld: ", r->path, where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Checks one rating (a value of 0 was already reported) and keeps it. */
static void add_entry(struct reader *r, long where, const char *id, const char *rater, int rel,
		      int coh)
{
	const char *why = rater_problem(rater);
	int ok = rel && coh;
	struct entry *e;

	if (!find_answer(r->a, id)) {
		problem(r, where, "'%s' is not an IMPACT answer of run %lld", id,
			(long long)r->a->run);
		ok = 0;
	}
	if (why) {
		problem(r, where, "the rater's name %s", why);
		ok = 0;
	}
	for (size_t i = 0; i < r->n && !why; i++)
		if (!strcmp(r->v[i].id, id) && !strcmp(r->v[i].rater, rater)) {
			problem(r, where, "'%s' is rated by '%s' a second time (first at %s %ld)",
				id, rater, r->array ? "index" : "line", r->v[i].where);
			ok = 0;
			break;
		}
	if (!ok)
		return;
	XGROW(r->v, r->cap, r->n + 1);
	e = &r->v[r->n++];
	e->where = where;
	e->id = xstrdup(id);
	e->rater = xstrdup(rater);
	e->relevance = rel;
	e->coherence = coh;
}

/* ---- CSV ---- */

enum { COL_ID, COL_RELEVANCE, COL_COHERENCE, COL_RATER, N_COLS };
static const char *const col_names[N_COLS] = { "id", "relevance", "coherence", "rater" };

/* The column of each name in the header row (-1: absent). */
static int csv_header(struct reader *r, const struct csv_row *row, long col[N_COLS])
{
	int bad = 0;

	for (int c = 0; c < N_COLS; c++)
		col[c] = -1;
	for (size_t i = 0; i < row->n; i++) {
		int c = 0;

		while (c < N_COLS && strcmp(row->fields[i], col_names[c]))
			c++;
		if (c == N_COLS || col[c] >= 0) {
			problem(r, row->line, "%s column '%s' in the header (the columns are id, "
				"relevance, coherence and, optionally, rater)",
				c == N_COLS ? "unknown" : "a second", row->fields[i]);
			bad = 1;
		} else {
			col[c] = (long)i;
		}
	}
	for (int c = 0; c < COL_RATER; c++)
		if (col[c] < 0) {
			problem(r, row->line, "the header has no '%s' column", col_names[c]);
			bad = 1;
		}
	return bad ? -1 : 0;
}

static int csv_value(struct reader *r, long line, const char *mode, const char *cell)
{
	long v;

	if (text_parse_long(cell, 1, 5, &v) == 0)
		return (int)v;
	problem(r, line, "%s must be a whole number from 1 to 5, not '%s'", mode, cell);
	return 0;
}

static void read_csv(struct reader *r, const char *data, size_t len)
{
	struct csv_reader cr;
	struct csv_row row = { 0 };
	struct ie_error err = { 0 };
	long col[N_COLS];
	size_t width;
	int rc;

	csv_reader_init(&cr, data, len, r->path, ',');
	if ((rc = csv_read_row(&cr, &row, &err)) > 0 && csv_header(r, &row, col) < 0)
		goto out;
	width = row.n;
	if (rc == 0)
		problem(r, 1, "the file is empty (it starts with the header "
			"id,relevance,coherence)");
	while (rc > 0 && (rc = csv_read_row(&cr, &row, &err)) > 0) {
		const char *rater = col[COL_RATER] >= 0 ? row.fields[col[COL_RATER]] : r->rater;
		int rel, coh;

		if (row.n != width) {
			problem(r, row.line, "%zu fields, where the header has %zu", row.n, width);
			continue;
		}
		rel = csv_value(r, row.line, "relevance", row.fields[col[COL_RELEVANCE]]);
		coh = csv_value(r, row.line, "coherence", row.fields[col[COL_COHERENCE]]);
		add_entry(r, row.line, row.fields[col[COL_ID]], rater, rel, coh);
	}
	if (rc < 0) {
		r->problems++;
		fprintf(stderr, "instructeval rate: %s\n", err.msg);
	}
out:
	csv_row_release(&row);
}

/* ---- JSON ---- */

static int json_rating(struct reader *r, long where, const json_t *o, const char *mode)
{
	const json_t *v = json_object_get(o, mode);
	char *text;

	if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 5)
		return (int)json_integer_value(v);
	if (!v) {
		problem(r, where, "no %s", mode);
		return 0;
	}
	text = json_dumps(v, JSON_ENCODE_ANY);
	problem(r, where, "%s must be a whole number from 1 to 5, not %s", mode,
		text ? text : "this");
	free(text);
	return 0;
}

static void json_entry(struct reader *r, long where, const json_t *o)
{
	const char *k, *id, *rater;
	const json_t *v;
	int rel, coh, bad = 0;

	if (!json_is_object(o)) {
		problem(r, where, "not an object with id, relevance and coherence");
		return;
	}
	json_object_foreach((json_t *)o, k, v) {
		int c = 0;

		while (c < N_COLS && strcmp(k, col_names[c]))
			c++;
		if (c == N_COLS) {
			problem(r, where, "unknown member '%s' (the members are id, relevance, "
				"coherence and, optionally, rater)", k);
			bad = 1;
		}
	}
	id = json_string_value(json_object_get(o, "id"));
	v = json_object_get(o, "rater");
	rater = v ? json_string_value(v) : r->rater;
	if (!id || !rater) {
		problem(r, where, "%s must be a string", id ? "rater" : "id");
		bad = 1;
	}
	rel = json_rating(r, where, o, "relevance");
	coh = json_rating(r, where, o, "coherence");
	/* After another problem the rest is still checked, but not kept. */
	if (id && rater)
		add_entry(r, where, id, rater, bad ? 0 : rel, bad ? 0 : coh);
}

static void read_json_array(struct reader *r, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *doc = json_loadb(data, len, 0, &jerr), *o;
	size_t i;

	if (!doc) {
		problem(r, jerr.line, "not JSON: %s", jerr.text);
		return;
	}
	r->array = 1;
	json_array_foreach(doc, i, o)
		json_entry(r, (long)i, o);
	json_decref(doc);
}

static void read_json_lines(struct reader *r, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	for (long line = 1; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *stop = nl ? nl : end;
		size_t s, e;
		json_error_t jerr;
		json_t *o;

		text_strip_span(p, (size_t)(stop - p), &s, &e);
		if (s < e) {
			if ((o = json_loadb(p + s, e - s, 0, &jerr)))
				json_entry(r, line, o);
			else
				problem(r, line, "not JSON: %s", jerr.text);
			json_decref(o);
		}
		p = stop + 1;
	}
}

static void read_ratings(struct reader *r, const char *data, size_t len)
{
	size_t i = 0;

	/* A byte order mark, as spreadsheets write, is no part of the data. */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	while (i < len && text_is_space((unsigned char)data[i]))
		i++;
	if (i < len && data[i] == '[')
		read_json_array(r, data, len);
	else if (i < len && data[i] == '{')
		read_json_lines(r, data, len);
	else
		read_csv(r, data, len);
}

static void print_raters(const struct reader *r)
{
	for (size_t i = 0, first = 1; i < r->n; i++) {
		size_t j = 0;

		while (j < i && strcmp(r->v[j].rater, r->v[i].rater))
			j++;
		if (j < i)
			continue;
		printf("%s%s", first ? "" : ", ", r->v[i].rater);
		first = 0;
	}
}

static int store_entries(struct store *st, const struct reader *r)
{
	struct store_rating *v = xcalloc(r->n, sizeof(*v));
	struct ie_error err = { 0 };
	int ret = 0;

	for (size_t i = 0; i < r->n; i++)
		v[i] = (struct store_rating){ r->v[i].id, r->v[i].rater, r->v[i].relevance,
					      r->v[i].coherence };
	if (store_ratings_put_many(st, r->a->run, v, r->n, &err) < 0) {
		ret = cli_fail(&err);
	} else {
		printf("Stored %zu ratings of run %lld from %s, by ", r->n, (long long)r->a->run,
		       r->path);
		print_raters(r);
		printf(".\n");
	}
	free(v);
	return ret;
}

static int rate_file(struct store *st, const struct answers *a, const char *rater,
		     const char *path)
{
	struct reader r = { .path = path, .rater = rater, .a = a };
	struct ie_error err = { 0 };
	char *data = NULL;
	size_t len = 0;
	int ret = 2;

	if (file_read(path, &data, &len, &err) < 0)
		return cli_fail(&err);
	read_ratings(&r, data, len);
	if (!r.problems && !r.n)
		fprintf(stderr, "instructeval rate: %s holds no ratings\n", path);
	else if (r.problems > MAX_PROBLEMS)
		fprintf(stderr, "instructeval rate: %s: %d problems more\n", path,
			r.problems - MAX_PROBLEMS);
	if (r.problems)
		fprintf(stderr, "instructeval rate: nothing of %s was stored\n", path);
	else if (r.n)
		ret = store_entries(st, &r);
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].id);
		free(r.v[i].rater);
	}
	free(r.v);
	free(data);
	return ret;
}

/* ---- the command ---- */

static int check_category(const struct answers *a, const char *category)
{
	if (!category)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].category, category))
			return 0;
	fprintf(stderr, "instructeval rate: run %lld has no IMPACT answers of category '%s'; it "
			"has", (long long)a->run, category);
	for (size_t i = 0; i < a->n; i++) {
		size_t j = 0;

		while (j < i && strcmp(a->v[j].category, a->v[i].category))
			j++;
		if (j == i)
			fprintf(stderr, "%s %s", i ? "," : "", a->v[i].category);
	}
	fputc('\n', stderr);
	return 2;
}

int cmd_rate(int argc, char **argv)
{
	const char *path = NULL, *from = NULL, *category = NULL, *why;
	const char *user = getenv("USER");
	const char *rater = user && *user ? user : "rater";
	struct answers a = { 0 };
	struct store *st = NULL;
	json_t *run = NULL;
	int c, m, ret;

	optind = 1;
	while ((c = cli_getopt(&rate_spec, argc, argv)) != -1) {
		if ((m = cli_store_option("rate", c, optarg, &path, NULL)) < 0)
			return 2;
		if (m > 0)
			continue;
		switch (c) {
		case 'r': rater = optarg; break;
		case 'f': from = optarg; break;
		case 'c': category = optarg; break;
		case 'h': cli_help(&rate_spec, stdout); return 0;
		default: return cli_usage_error("rate", "unknown option");
		}
	}
	if (optind == argc)
		return cli_usage_error("rate", "which run? (a run id or 'latest')");
	if (argc - optind > 1)
		return cli_usage_error("rate", "unexpected argument '%s'", argv[optind + 1]);
	if ((why = rater_problem(rater)))
		return cli_usage_error("rate", "the rater's name '%s' %s (see --rater)", rater,
				       why);
	if (from && category)
		return cli_usage_error("rate", "--category is for rating at the keyboard, not "
				       "with --from");
	if ((ret = cli_store_open_existing(path, &st)) != 0)
		return ret;
	if ((ret = cli_run_load("rate", st, path, argv[optind], &run)) == 0 &&
	    (ret = answers_load(st, json_integer_value(json_object_get(run, "id")), &a)) == 0 &&
	    (ret = check_category(&a, category)) == 0)
		ret = from ? rate_file(st, &a, rater, from) : rate_keys(st, &a, rater, category);
	answers_release(&a);
	json_decref(run);
	store_close(st);
	return ret;
}
