/* Prompts, context fitting and scoring of the few-shot tasks (fewshot.h). */
#include <stdlib.h>
#include <string.h>

#include "backends/chat.h"
#include "metrics/accuracy.h"
#include "tasks/fewshot.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct fewshot_group *fewshot_add_group(struct fewshot *fs, const char *name,
					const char *header)
{
	struct fewshot_group *g;

	XGROW(fs->groups, fs->cap_groups, fs->n_groups + 1);
	g = &fs->groups[fs->n_groups++];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(name);
	g->header = xstrdup(header);
	return g;
}

void fewshot_add_item(struct fewshot_group *g, const char *id, const char *query,
		      const char *label)
{
	struct fewshot_example *e;

	XGROW(g->items, g->cap_items, g->n_items + 1);
	e = &g->items[g->n_items++];
	e->id = xstrdup(id);
	e->query = xstrdup(query);
	e->answer = xstrdup(label);
	e->n_options = 0;
}

void fewshot_add_lettered(struct fewshot_group *g, const char *id, const char *query,
			  const char *label, int n_options)
{
	fewshot_add_item(g, id, query, label);
	g->items[g->n_items - 1].n_options = n_options > 4 ? 4 : n_options;
}

/* The continuations whose tokens are the letters, as harnesses that score
 * likelihoods split context and continuation: space and letter. */
static const char *const letter_continuations[] = { " A", " B", " C", " D" };

char *fewshot_prompt(const struct fewshot_group *g, const struct fewshot_example *item, int k,
		     int turns)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, g->header);
	for (int i = 0; i < k && (size_t)i < g->n_shots; i++) {
		strbuf_adds(&sb, g->shots[i].query);
		strbuf_adds(&sb, turns ? IE_TURN_SEPARATOR : " ");
		strbuf_adds(&sb, g->shots[i].answer);
		strbuf_adds(&sb, turns ? IE_TURN_SEPARATOR : "\n\n");
	}
	strbuf_adds(&sb, item->query);
	return strbuf_detach(&sb, NULL);
}

/* The shots of s: as many as fit, k going down while the prompt's count on
 * fit is over the limit and k > 0 (fit NULL: all k); and the length of
 * the block the group's prompts share (instruction and exemplars). */
static int fit_sample(const struct fewshot *fs, struct sample *s, struct ie_backend *fit,
		      struct ie_error *err)
{
	const struct fewshot_group *g = &fs->groups[s->from[0]];
	const struct fewshot_example *item = &g->items[s->from[1]];
	int k = s->max_shots, n = 0, ret = 0;
	char *p = fewshot_prompt(g, item, k, fs->multiturn);

	while (fit && k > 0) {
		if ((ret = ie_backend_count_tokens(fit, p, &n, err)) < 0 || n <= fs->input_limit)
			break;
		free(p);
		p = fewshot_prompt(g, item, --k, fs->multiturn);
	}
	if (!ret) {
		s->shots = k;
		s->reqs[0].shared_len = strlen(p) - strlen(item->query);
	}
	free(p);
	return ret;
}

/* The sample of group gi's item i. Its prompt is made when it is needed
 * (fewshot_task_prompt: a full MMLU run's prompts are 40 MB), and its
 * shots are fitted then too (fewshot_task_fit_shots), when a model counts
 * them. */
static int add_sample(const struct fewshot *fs, size_t gi, size_t i, const struct task_opts *o,
		      struct sample_set *out, struct ie_error *err)
{
	const struct fewshot_group *g = &fs->groups[gi];
	const struct fewshot_example *item = &g->items[i];
	struct sample *s = sample_set_add(out);

	s->id = xstrdup(item->id);
	s->subtask = xstrdup(g->name);
	s->label = xstrdup(item->answer);
	s->shots = -1;
	s->max_shots = o->set_shots && o->shots < fs->k ? o->shots : fs->k;
	s->from[0] = gi;
	s->from[1] = i;
	sample_set_requests(s, IE_REQ_GENERATE, NULL, 1);
	s->reqs[0].gen.max_new_tokens = fs->max_new_tokens;
	if (item->n_options) {
		s->reqs[0].candidates = letter_continuations;
		s->reqs[0].n_candidates = (size_t)item->n_options;
	}
	if (fs->decide && !o->full_outputs)
		s->reqs[0].gen.decide_label = s->label;
	return o->fit ? 0 : fit_sample(fs, s, NULL, err);
}

/* Turns are cut at IE_TURN_SEPARATOR: a text that holds one would be cut
 * where no turn ends. */
static int check_no_separator(const struct fewshot_group *g, struct ie_error *err)
{
	const char *what = strstr(g->header, IE_TURN_SEPARATOR) ? "its instruction" : NULL;

	for (size_t i = 0; !what && i < g->n_shots; i++)
		if (strstr(g->shots[i].query, IE_TURN_SEPARATOR) ||
		    strstr(g->shots[i].answer, IE_TURN_SEPARATOR))
			what = "an exemplar";
	for (size_t i = 0; !what && i < g->n_items; i++)
		if (strstr(g->items[i].query, IE_TURN_SEPARATOR))
			what = g->items[i].id;
	if (!what)
		return 0;
	return ie_error_set(err, IE_EINPUT, "%s: %s holds the character U+001E, which "
			    "separates turns: the prompts cannot be sent as turns", g->name, what);
}

int fewshot_build(struct fewshot *fs, const struct task_opts *o, struct sample_set *out,
		  struct ie_error *err)
{
	struct item_limit lim;
	int ret = 0;

	fs->multiturn = o->multiturn;
	for (size_t gi = 0; fs->multiturn && gi < fs->n_groups && !ret; gi++)
		ret = check_no_separator(&fs->groups[gi], err);
	if (ret)
		return ret;
	item_limit_init(&lim, o->limit);
	for (size_t gi = 0; gi < fs->n_groups && !ret; gi++) {
		const struct fewshot_group *g = &fs->groups[gi];

		for (size_t i = 0; i < g->n_items && !ret; i++)
			if (item_limit_take(&lim, g->name))
				ret = add_sample(fs, gi, i, o, out, err);
	}
	item_limit_release(&lim);
	return ret;
}

/* The likeliest letter (the first on ties) against the label. A served
 * model's letters outside its top log-probabilities have upper bounds
 * (res.bounds), each below every exact one: the likeliest is known when
 * one letter is exact, and the sample is left out when none is. */
static void score_letters(struct sample *s)
{
	const struct ie_request *r = &s->reqs[0];
	int best = -1;

	if (!r->n_candidates || !r->res.scores || r->res.status < 0)
		return;
	for (size_t i = 0; i < r->n_candidates; i++)
		if (!(r->res.bounds >> (i < 31 ? i : 31) & 1) &&
		    (best < 0 || r->res.scores[i] > r->res.scores[best]))
			best = (int)i;
	if (best >= 0)
		s->letter_correct = s->label[0] == "ABCD"[best] && !s->label[1];
}

void fewshot_score(struct sample *s)
{
	const struct ie_request *r = &s->reqs[0];
	char *out;

	score_letters(s);
	if (r->res.status < 0 || !r->res.text) {
		s->correct = 0;
		return;
	}
	out = text_strip(r->res.text);
	s->correct = text_starts_with(out, s->label);
	free(out);
}

/* The letter-likelihood accuracy beside the reference's score, where the
 * samples have one. */
static void add_letter_accuracy(const struct sample_set *set, json_t *res)
{
	struct acc letters = { 0 };
	json_t *j;

	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].letter_correct >= 0)
			acc_add(&letters, set->v[i].letter_correct == 1);
	if (!letters.n)
		return;
	j = acc_json(&letters);
	json_object_set_new(j, "metric", json_string("the label's letter is the likeliest "
						     "next token at the prompt's end (not the "
						     "leaderboard's number)"));
	json_object_set_new(res, "letter_likelihood", j);
}

json_t *fewshot_aggregate(const struct sample_set *set)
{
	struct acc_groups by_task;
	struct acc all = { 0 };
	json_t *res, *sub = json_object();

	acc_groups_init(&by_task);
	for (size_t i = 0; i < set->n; i++) {
		acc_add(&all, set->v[i].correct == 1);
		acc_add(acc_groups_get(&by_task, set->v[i].subtask), set->v[i].correct == 1);
	}
	res = acc_json(&all);
	add_letter_accuracy(set, res);
	for (size_t i = 0; i < by_task.n; i++)
		json_object_set_new(sub, by_task.names[i], acc_json(&by_task.accs[i]));
	json_object_set_new(res, "subtasks", sub);
	acc_groups_release(&by_task);
	return res;
}

/* Whether generation ended because the score was settled, before the
 * token budget: the text settles and the budget was not spent (an end
 * of generation token cannot follow a settled text, as generation ends
 * before one is drawn). */
static int stopped_early(const struct ie_request *r)
{
	const char *t = r->res.text;

	return r->res.status == 0 && t && r->res.n_new_tokens < r->gen.max_new_tokens &&
	       text_match_settled(t, strlen(t), r->gen.decide_label);
}

void fewshot_record(struct task *t, const struct sample *s, json_t *rec)
{
	const struct ie_request *r = &s->reqs[0];
	char *made;
	const char *prompt;

	record_ids(s, rec);
	prompt = sample_prompt(t, s, 0, &made);
	json_object_set_new(rec, "prompt", json_string(prompt));
	if (((const struct fewshot *)t->data)->multiturn)
		json_object_set_new(rec, "turns", chat_msgs_json(NULL, prompt, 1));
	free(made);
	json_object_set_new(rec, "shots", json_integer(s->shots));
	record_output(s, 0, rec);
	if (r->gen.decide_label)
		json_object_set_new(rec, "stopped_early", json_boolean(stopped_early(r)));
	json_object_set_new(rec, "label", json_string(s->label));
	json_object_set_new(rec, "correct", json_boolean(s->correct == 1));
	if (r->n_candidates && r->res.scores) {
		json_t *lp = json_object();

		for (size_t i = 0; i < r->n_candidates; i++) {
			char letter[2] = { "ABCD"[i], '\0' };

			json_object_set_new(lp, letter, json_real(r->res.scores[i]));
		}
		json_object_set_new(rec, "letter_logprobs", lp);
		json_object_set_new(rec, "letter_correct", s->letter_correct < 0
								   ? json_null()
								   : json_boolean(s->letter_correct));
		if (r->res.bounds) {
			json_t *ub = json_array();

			for (size_t i = 0; i < r->n_candidates; i++)
				if (r->res.bounds >> (i < 31 ? i : 31) & 1)
					json_array_append_new(ub, json_stringn(&"ABCD"[i], 1));
			json_object_set_new(rec, "letter_logprobs_upper_bounds", ub);
		}
	}
	json_object_set_new(rec, "prompt_tokens", json_integer(r->res.n_prompt_tokens));
	record_error(s, rec);
}

static void example_release(struct fewshot_example *e)
{
	free(e->query);
	free(e->answer);
	free(e->id);
}

void fewshot_release(struct fewshot *fs)
{
	for (size_t gi = 0; gi < fs->n_groups; gi++) {
		struct fewshot_group *g = &fs->groups[gi];

		for (size_t i = 0; i < g->n_shots; i++)
			example_release(&g->shots[i]);
		for (size_t i = 0; i < g->n_items; i++)
			example_release(&g->items[i]);
		free(g->shots);
		free(g->items);
		free(g->name);
		free(g->header);
	}
	free(fs->groups);
	memset(fs, 0, sizeof(*fs));
}

int fewshot_task_build(struct task *t, const struct task_opts *o, struct sample_set *out,
		       struct ie_error *err)
{
	return fewshot_build(t->data, o, out, err);
}

void fewshot_task_score(struct task *t, struct sample *s)
{
	(void)t;
	fewshot_score(s);
}

json_t *fewshot_task_aggregate(struct task *t, const struct sample_set *set)
{
	(void)t;
	return fewshot_aggregate(set);
}

void fewshot_task_record(struct task *t, const struct sample *s, json_t *rec)
{
	fewshot_record(t, s, rec);
}

int fewshot_task_fit_shots(struct task *t, struct sample *s, struct ie_backend *fit,
			   struct ie_error *err)
{
	return fit_sample(t->data, s, fit, err);
}

char *fewshot_task_prompt(struct task *t, const struct sample *s, size_t j)
{
	const struct fewshot *fs = t->data;
	const struct fewshot_group *g = &fs->groups[s->from[0]];

	(void)j;
	return fewshot_prompt(g, &g->items[s->from[1]], s->shots, fs->multiturn);
}

void fewshot_task_release(struct task *t)
{
	if (t->data)
		fewshot_release(t->data);
	free(t->data);
	t->data = NULL;
}

struct fewshot *fewshot_task_init(struct task *t, int k, int input_limit, int max_new_tokens)
{
	struct fewshot *fs = xcalloc(1, sizeof(*fs));

	fs->k = k;
	fs->input_limit = input_limit;
	fs->max_new_tokens = max_new_tokens;
	fs->decide = 1;
	t->data = fs;
	return fs;
}
