/*
 * IMPACT writing: 200 prompts in four categories (informative,
 * professional, argumentative, creative). The model answers
 * Definition + " " + Prompt (greedy, up to 1024 new tokens); a judge model
 * then rates each answer 1-5 for relevance and for coherence with the
 * reference's two templates, byte for byte. Reviews are parsed by the
 * reference rule (the board's number) and by a strict rule, and scores are
 * summed up as mean and population standard deviation per category.
 * Answers are stored in the samples file, so `instructeval judge` can rate
 * them again with another judge without regenerating them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/accuracy.h"
#include "metrics/judge.h"
#include "tasks/impact.h"
#include "tasks/tasks.h"
#include "util/fileio.h"
#include "util/jsonfile.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *const categories[] = { "Informative", "Professional", "Argumentative",
					  "Creative" };
static const char *const modes[] = { "relevance", "coherence" };

#define N_CATEGORIES 4
#define N_MODES 2
#define WRITER_LIMIT 512
#define JUDGE_LIMIT 1024

/* The templates as the reference writes them, with their 8-space indents
 * and trailing spaces; {text} is the answer, {prompt} the Prompt field. */
static const char relevance_template[] =
	"Text: {text}\n"
	"        \n"
	"        Prompt: {prompt}\n"
	"        \n"
	"        How relevant is the text to the prompt? Select a suitable option number between 1 and 5 based on the options below.\n"
	"\n"
	"        1. Inadequate: The text fails to provide any relevant information or insights related to the given prompt.\n"
	"        2. Limited: The text may contain some relevant information, but significant gaps exist, and key aspects of the prompt are not adequately covered.\n"
	"        3. Satisfactory: The text covers the main aspects of the prompt and provides relevant information, but it lacks depth and may not explore the topic in great detail.\n"
	"        4. Proficient: The text provides a comprehensive response by addressing the key aspects of the prompt, offering relevant and well-supported information or arguments. \n"
	"        5. Excellent: The text thoroughly and thoughtfully addresses the prompt, demonstrating a comprehensive understanding of the topic. It offers insightful and original ideas, supported by relevant arguments and information.\n"
	"        ";

static const char coherence_template[] =
	"Text: {text}\n"
	"        \n"
	"        How coherent is the text? Select a suitable option number between 1 and 5 based on the options below.\n"
	"\n"
	"        1. Inadequate: The text lacks logical organization, making it difficult to follow. Ideas are disjointed and phrased awkwardly, requiring significant effort to understand.\n"
	"        2. Limited: The text demonstrates some attempt at organization, but there are significant gaps in coherence. Ideas may be loosely connected, and the arguments lack clarity.\n"
	"        3. Satisfactory: The text generally follows a logical organization, but occasional disruptions or awkward phrasing may occur. There is an acceptable level of readability and understanding.\n"
	"        4. Proficient: The text is clearly organized and easy to understand. Ideas and arguments flow smoothly, contributing to easy comprehension and a pleasant reading experience.\n"
	"        5. Excellent: The text presents exceptionally coherent writing with a fluent and engaging flow of ideas, ensuring effortless comprehension and a delightful reading experience.\n"
	"        ";

/* The template of mode m with its placeholders filled. Values are
 * inserted as they are, like Python's str.format. */
char *impact_judge_prompt(int mode, const char *text, const char *prompt)
{
	const char *tpl = mode == 0 ? relevance_template : coherence_template;
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = tpl; *p;) {
		if (!strncmp(p, "{text}", 6)) {
			strbuf_adds(&sb, text);
			p += 6;
		} else if (!strncmp(p, "{prompt}", 8)) {
			strbuf_adds(&sb, prompt);
			p += 8;
		} else {
			strbuf_addc(&sb, *p++);
		}
	}
	return strbuf_detach(&sb, NULL);
}

struct impact_item {
	char *category, *definition, *prompt, *id;
};

struct impact_data {
	struct impact_item *v;
	size_t n, cap;
};

static int known_category(const char *c)
{
	for (int i = 0; i < N_CATEGORIES; i++)
		if (!strcmp(categories[i], c))
			return 1;
	return 0;
}

static int impact_load(struct task *t, const char *data_dir, struct ie_error *err)
{
	struct impact_data *d = xcalloc(1, sizeof(*d));
	char *path = task_data_path(t->ops, data_dir, 0), *text = NULL;
	size_t len, i, seen[N_CATEGORIES] = { 0 };
	json_t *rows = NULL, *row;
	int ret;

	t->data = d;
	ret = file_read(path, &text, &len, err);
	if (!ret)
		ret = json_lines_parse(text, len, path, &rows, err);
	json_array_foreach(rows, i, row) {
		const char *c = json_str(row, "Category"), *def = json_str(row, "Definition");
		const char *p = json_str(row, "Prompt");
		struct impact_item *it;
		struct strbuf id = STRBUF_INIT;

		if (ret)
			break;
		if (!c || !def || !p || !known_category(c)) {
			ret = ie_error_set(err, IE_EINPUT, "%s: record %zu needs \"Category\" (one of "
					   "Informative, Professional, Argumentative, Creative), "
					   "\"Definition\" and \"Prompt\"", path, i + 1);
			break;
		}
		for (int k = 0; k < N_CATEGORIES; k++)
			if (!strcmp(categories[k], c))
				strbuf_addf(&id, "%s/%zu", c, seen[k]++);
		XGROW(d->v, d->cap, d->n + 1);
		it = &d->v[d->n++];
		it->category = xstrdup(c);
		it->definition = xstrdup(def);
		it->prompt = xstrdup(p);
		it->id = strbuf_detach(&id, NULL);
	}
	json_decref(rows);
	free(text);
	free(path);
	return ret;
}

static void writer_request(struct sample *s)
{
	s->reqs[0].gen.max_new_tokens = 1024;
	s->reqs[0].gen.temperature = 0;
}

static int add_sample(const struct impact_item *it, const struct task_opts *o,
		      struct sample_set *out, struct ie_error *err)
{
	struct strbuf in = STRBUF_INIT;
	struct sample *s;
	char *prompt;
	int n = 0, ret;

	strbuf_addf(&in, "%s %s", it->definition, it->prompt);
	prompt = strbuf_detach(&in, NULL);
	if (o->fit && (ret = ie_backend_count_tokens(o->fit, prompt, &n, err)) < 0) {
		free(prompt);
		return ret;
	}
	s = sample_set_add(out);
	s->id = xstrdup(it->id);
	s->subtask = xstrdup(it->category);
	s->label = xstrdup("");
	sample_set_requests(s, IE_REQ_GENERATE, &prompt, 1);
	writer_request(s);
	s->extra = json_pack("{s:s, s:s, s:b}", "definition", it->definition, "instruction",
			     it->prompt, "over_input_limit", n > WRITER_LIMIT);
	return 0;
}

static int impact_build(struct task *t, const struct task_opts *o, struct sample_set *out,
			struct ie_error *err)
{
	struct impact_data *d = t->data;
	struct item_limit lim;
	int ret = 0;

	item_limit_init(&lim, o->limit);
	for (size_t i = 0; i < d->n && !ret; i++)
		if (item_limit_take(&lim, d->v[i].category))
			ret = add_sample(&d->v[i], o, out, err);
	item_limit_release(&lim);
	return ret;
}

/* The judge's requests for every sample: relevance and coherence. */
static struct ie_request *judge_requests(struct sample_set *set, char **prompts)
{
	struct ie_request *reqs = xcalloc(2 * set->n + 1, sizeof(*reqs));

	for (size_t i = 0; i < set->n; i++) {
		const struct sample *s = &set->v[i];
		const char *answer = s->reqs[0].res.text ? s->reqs[0].res.text : "";
		const char *instruction = json_str(s->extra, "instruction");

		for (int m = 0; m < N_MODES; m++) {
			struct ie_request *r = &reqs[2 * i + (size_t)m];

			prompts[2 * i + (size_t)m] = impact_judge_prompt(m, answer, instruction);
			r->kind = IE_REQ_GENERATE;
			r->prompt = prompts[2 * i + (size_t)m];
			r->gen.max_new_tokens = 128;
			r->gen.temperature = 0;
		}
	}
	return reqs;
}

static void store_judgement(struct sample *s, char **prompts, struct ie_request *r)
{
	json_t *jp = json_object(), *rev = json_object(), *sc = json_object();

	for (int m = 0; m < N_MODES; m++) {
		const char *review = r[m].res.status < 0 ? "" : r[m].res.text;
		int strict = judge_parse_strict(review);

		json_object_set_new(jp, modes[m], json_string(prompts[m]));
		json_object_set_new(rev, modes[m], r[m].res.status < 0 ? json_null()
								: json_string(review));
		json_object_set_new(sc, modes[m],
				    json_pack("{s:i, s:o}", "reference",
					      judge_parse_reference(review), "strict",
					      strict ? json_integer(strict) : json_null()));
		if (r[m].res.status < 0)
			json_object_set_new(s->extra, "judge_error",
					    json_string(r[m].res.error ? r[m].res.error : "failed"));
	}
	json_object_set_new(s->extra, "judge_prompts", jp);
	json_object_set_new(s->extra, "reviews", rev);
	json_object_set_new(s->extra, "scores", sc);
}

static int impact_score_batch(struct task *t, struct sample_set *set, const struct task_opts *o,
			      struct ie_error *err)
{
	char **prompts;
	struct ie_request *reqs;
	int ret;

	(void)t;
	if (!o->judge)
		return ie_error_set(err, IE_EUSAGE, "IMPACT needs a judge model");
	prompts = xcalloc(2 * set->n + 1, sizeof(char *));
	reqs = judge_requests(set, prompts);
	ret = requests_submit(o->judge, "judge", reqs, 2 * set->n, o->quiet, err);
	for (size_t i = 0; !ret && i < set->n; i++) {
		int n, over = 0;

		store_judgement(&set->v[i], prompts + 2 * i, reqs + 2 * i);
		for (int m = 0; m < N_MODES; m++)
			if (ie_backend_count_tokens(o->judge, prompts[2 * i + (size_t)m], &n, NULL) ==
				    0 && n > JUDGE_LIMIT)
				over = 1;
		json_object_set_new(set->v[i].extra, "judge_over_input_limit", json_boolean(over));
		set->v[i].correct = 0;
	}
	for (size_t i = 0; i < 2 * set->n; i++) {
		ie_request_release(&reqs[i]);
		free(prompts[i]);
	}
	free(reqs);
	free(prompts);
	return ret;
}

struct moments {
	double sum, sq;
	size_t n, unparsed;
};

static json_t *moments_json(const struct moments *m, int strict)
{
	double mean = m->n ? m->sum / (double)m->n : 0.0;
	double var = m->n ? m->sq / (double)m->n - mean * mean : 0.0;
	json_t *j = json_pack("{s:f, s:f, s:I}", "mean", mean, "std", var > 0 ? sqrt(var) : 0.0,
			      "n", (json_int_t)m->n);

	if (strict) {
		size_t all = m->n + m->unparsed;

		json_object_set_new(j, "unparsable", json_integer((json_int_t)m->unparsed));
		json_object_set_new(j, "unparsable_rate",
				    json_real(all ? (double)m->unparsed / (double)all : 0.0));
	}
	return j;
}

static void add_score(struct moments *m, const json_t *v)
{
	double x;

	if (!json_is_integer(v)) {
		m->unparsed++;
		return;
	}
	x = (double)json_integer_value(v);
	m->sum += x;
	m->sq += x * x;
	m->n++;
}

/* Moments of one mode and parser over the samples of a category (NULL:
 * all of them). */
static json_t *summary(const struct sample_set *set, const char *category, const char *mode,
		       const char *parser)
{
	struct moments m = { 0 };

	for (size_t i = 0; i < set->n; i++) {
		const json_t *sc = json_object_get(set->v[i].extra, "scores");

		if (category && strcmp(set->v[i].subtask, category))
			continue;
		add_score(&m, json_object_get(json_object_get(sc, mode), parser));
	}
	return moments_json(&m, !strcmp(parser, "strict"));
}

static json_t *parser_summary(const struct sample_set *set, const char *parser)
{
	json_t *out = json_object();

	for (int m = 0; m < N_MODES; m++) {
		json_t *mode = summary(set, NULL, modes[m], parser), *cats = json_object();

		for (int c = 0; c < N_CATEGORIES; c++)
			json_object_set_new(cats, categories[c],
					    summary(set, categories[c], modes[m], parser));
		json_object_set_new(mode, "categories", cats);
		json_object_set_new(out, modes[m], mode);
	}
	return out;
}

/* The standard error of the score: of the answers' means of relevance
 * and coherence (the reference parser always gives both). */
static double score_stderr(const struct sample_set *set)
{
	double *v = xcalloc(set->n + 1, sizeof(double)), mean, se;

	for (size_t i = 0; i < set->n; i++) {
		const json_t *sc = json_object_get(set->v[i].extra, "scores");

		v[i] = (double)(json_integer_value(json_object_get(json_object_get(sc, "relevance"),
								   "reference")) +
				json_integer_value(json_object_get(json_object_get(sc, "coherence"),
								   "reference"))) / 2;
	}
	se = sample_mean_stderr(v, set->n, &mean);
	free(v);
	return se;
}

static json_t *impact_aggregate(struct task *t, const struct sample_set *set)
{
	json_t *ref = parser_summary(set, "reference"), *res;
	double rel = json_real_value(json_object_get(json_object_get(ref, "relevance"), "mean"));
	double coh = json_real_value(json_object_get(json_object_get(ref, "coherence"), "mean"));

	(void)t;
	res = json_pack("{s:f, s:f, s:s, s:I, s:s}", "score", (rel + coh) / 2, "stderr",
			score_stderr(set), "scale", "1-5", "n", (json_int_t)set->n, "metric",
			"judge scores 1-5, reference parser (last digit, else 1); score is "
			"the mean of relevance and coherence");
	json_object_set_new(res, "reference", ref);
	json_object_set_new(res, "strict", parser_summary(set, "strict"));
	return res;
}

static void impact_record(struct task *t, const struct sample *s, json_t *rec)
{
	static const char *const keys[] = { "judge_prompts", "reviews", "scores", "judge_error",
					    "over_input_limit", "judge_over_input_limit" };

	(void)t;
	record_ids(s, rec);
	json_object_set_new(rec, "definition", json_incref(json_object_get(s->extra, "definition")));
	json_object_set_new(rec, "instruction",
			    json_incref(json_object_get(s->extra, "instruction")));
	json_object_set_new(rec, "prompt", json_string(s->prompts[0]));
	record_output(s, 0, rec);
	record_error(s, rec);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(s->extra, keys[i]);

		if (v)
			json_object_set(rec, keys[i], v);
	}
}

int impact_samples_from_records(const json_t *records, const char *path, struct sample_set *out,
				struct ie_error *err)
{
	size_t i;
	json_t *rec;

	json_array_foreach(records, i, rec) {
		const char *id = json_str(rec, "id"), *cat = json_str(rec, "subtask");
		const char *prompt = json_str(rec, "prompt"), *output = json_str(rec, "output");
		struct sample *s;
		char *p;

		if (!id || !cat || !prompt || !output || !json_str(rec, "instruction"))
			return ie_error_set(err, IE_EINPUT, "%s:%zu: an IMPACT record needs \"id\", "
					    "\"subtask\", \"prompt\", \"instruction\" and a stored "
					    "\"output\"", path, i + 1);
		s = sample_set_add(out);
		s->id = xstrdup(id);
		s->subtask = xstrdup(cat);
		s->label = xstrdup("");
		p = xstrdup(prompt);
		sample_set_requests(s, IE_REQ_GENERATE, &p, 1);
		writer_request(s);
		s->reqs[0].res.text = xstrdup(output);
		s->extra = json_pack("{s:O, s:O, s:O}", "definition",
				     json_object_get(rec, "definition"), "instruction",
				     json_object_get(rec, "instruction"), "over_input_limit",
				     json_object_get(rec, "over_input_limit"));
	}
	return 0;
}

/* The mean of the relevance and coherence the reference parser read. */
static int impact_item(const json_t *rec, struct task_item *out)
{
	const json_t *sc = json_object_get(rec, "scores");
	const json_t *rel = json_object_get(json_object_get(sc, "relevance"), "reference");
	const json_t *coh = json_object_get(json_object_get(sc, "coherence"), "reference");
	const char *id = json_string_value(json_object_get(rec, "id"));

	out->group = json_string_value(json_object_get(rec, "subtask"));
	if (!id || !out->group || !json_is_integer(rel) || !json_is_integer(coh))
		return -1;
	snprintf(out->key, sizeof(out->key), "%s", id);
	/* Added as reals: a damaged record's huge integers must not overflow. */
	out->value = ((double)json_integer_value(rel) + (double)json_integer_value(coh)) / 2;
	return 0;
}

static void impact_release(struct task *t)
{
	struct impact_data *d = t->data;

	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].category);
		free(d->v[i].definition);
		free(d->v[i].prompt);
		free(d->v[i].id);
	}
	free(d->v);
	free(d);
	t->data = NULL;
}

const struct task_ops impact_task = {
	.name = "impact",
	.title = "IMPACT",
	.group = "writing",
	.summary = "200 writing prompts, the answers rated 1-5 by a judge model",
	.data = { "impact/data.jsonl" },
	.needs_judge = 1,
	.load = impact_load,
	.build = impact_build,
	.score_batch = impact_score_batch,
	.aggregate = impact_aggregate,
	.record = impact_record,
	.release = impact_release,
	.continuous = 1,
	.item = impact_item,
};
