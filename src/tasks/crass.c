/*
 * CRASS (counterfactual reasoning): 274 premise/question rows with three or
 * four answer options, the correct one first in the file. The options of
 * each row are shuffled with Python's generator seeded 0 once before the
 * first row, as the reference does; three fixed exemplars; 8 new tokens.
 */
#include <stdlib.h>
#include <string.h>

#include "tasks/fewshot.h"
#include "tasks/tasks.h"
#include "util/fileio.h"
#include "util/pyrandom.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/utf8.h"
#include "util/banned.h"

static const struct {
	const char *premise, *question, *options[3];
	int answer;
} exemplars[] = {
	{ "A feather falls from a skyscraper.",
	  "What would have happened if a computer had fallen from the skyscraper?",
	  { "The computer would have remained intact.", "That is not possible.",
	    "The computer would have been crushed." },
	  2 },
	{ "A lightning hits a tree.",
	  "What would have happened if a marble would have hit the tree?",
	  { "It would have burned down.", "Nothing special would have happened.",
	    "The tree would have kissed the lightning." },
	  1 },
	{ "A man drinks a beer.", "What would have happened if the man had drunk a rainbow?",
	  { "It would have been tasty.", "It would have been awful.", "That is not possible." },
	  2 },
};

/* premise.strip() + " " + question.strip() + "\nA. " + option ... + "\nAnswer:" */
static char *crass_query(const char *premise, const char *question, char *const *options,
			 size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char *p = text_strip(premise), *q = text_strip(question);

	strbuf_addf(&sb, "%s %s", p, q);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "\n%c. %s", "ABCD"[i], options[i]);
	strbuf_adds(&sb, "\nAnswer:");
	free(p);
	free(q);
	return strbuf_detach(&sb, NULL);
}

static void add_exemplars(struct fewshot_group *g)
{
	size_t n = sizeof(exemplars) / sizeof(exemplars[0]);

	g->shots = xcalloc(n, sizeof(*g->shots));
	for (size_t i = 0; i < n; i++) {
		g->shots[i].query = crass_query(exemplars[i].premise, exemplars[i].question,
						(char *const *)exemplars[i].options, 3);
		g->shots[i].answer = xstrndup(&"ABCD"[exemplars[i].answer], 1);
	}
	g->n_shots = n;
}

/* Splits line on ';' into at most max fields pointing into line. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *s = line; *s && n < max; s++) {
		if (*s == ';') {
			*s = '\0';
			f[n++] = s + 1;
		}
	}
	return n;
}

/* One data row: the options are fields 5-8 stripped, empty ones dropped;
 * the answer is the first; the options are then shuffled. */
static int add_row(struct fewshot_group *g, struct pyrandom *rng, char *line, const char *path,
		   long lineno, size_t index, struct ie_error *err)
{
	char *f[9], *opts[4];
	size_t nf = split_fields(line, f, 9), n = 0, answer = 0;
	struct strbuf id = STRBUF_INIT;
	char *query, label[2] = { 0 };
	const char *first;

	if (nf < 5)
		return ie_error_set(err, IE_EINPUT, "%s:%ld: expected at least 5 ';'-separated "
				    "fields, found %zu", path, lineno, nf);
	for (size_t i = 4; i < nf && i < 8; i++) {
		char *o = text_strip(f[i]);

		if (*o)
			opts[n++] = o;
		else
			free(o);
	}
	if (!n)
		return ie_error_set(err, IE_EINPUT, "%s:%ld: no answer options", path, lineno);
	first = opts[0];
	pyrandom_shuffle_ptrs(rng, (void **)opts, n);
	while (strcmp(opts[answer], first) != 0) /* the first equal one, like list.index */
		answer++;
	label[0] = "ABCD"[answer];
	query = crass_query(f[2], f[3], opts, n);
	strbuf_addf(&id, "crass/%zu", index);
	fewshot_add_lettered(g, id.buf, query, label, (int)n);
	strbuf_release(&id);
	free(query);
	for (size_t i = 0; i < n; i++)
		free(opts[i]);
	return 0;
}

static int crass_load(struct task *t, const char *data_dir, struct ie_error *err)
{
	struct fewshot *fs = fewshot_task_init(t, 3, 2048, 8);
	char *path = task_data_path(t->ops, data_dir, 0), *data, *save = NULL;
	struct fewshot_group *g = fewshot_add_group(fs, "crass", "");
	struct pyrandom rng;
	size_t len, index = 0;
	long lineno = 0;
	int ret;

	add_exemplars(g);
	if ((ret = file_read(path, &data, &len, err)) < 0) {
		free(path);
		return ret;
	}
	pyrandom_seed(&rng, 0);
	/* Lines end in LF or CRLF; the strip removes the CR. Blank lines are
	 * skipped, and so is the header. */
	for (char *line = data; line && !ret; line = save) {
		char *nl = strchr(line, '\n'), *s;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		/* Python reads the file as UTF-8 and stops at a byte that is not. */
		if (!utf8_valid(line, strlen(line))) {
			ret = ie_error_set(err, IE_EINPUT, "%s:%ld: not valid UTF-8", path, lineno);
			break;
		}
		s = text_strip(line);
		if (lineno > 1 && *s)
			ret = add_row(g, &rng, s, path, lineno, index++, err);
		free(s);
		if (!save || !*save)
			break;
	}
	free(data);
	free(path);
	return ret;
}

const struct task_ops crass_task = {
	.name = "crass",
	.title = "CRASS",
	.group = "problem-solving",
	.summary = "counterfactual what-if questions, 3 or 4 options, 3-shot",
	.data = { "crass/CRASS_FTM_main_data_set.csv" },
	.shots = 3,
	.load = crass_load,
	.build = fewshot_task_build,
	.score = fewshot_task_score,
	.aggregate = fewshot_task_aggregate,
	.record = fewshot_task_record,
	.prompt = fewshot_task_prompt,
	.fit_shots = fewshot_task_fit_shots,
	.release = fewshot_task_release,
};
