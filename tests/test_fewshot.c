/* The few-shot prompt builder, context fitting with a real tokenizer,
 * prefix scoring, and MMLU's loader and pooled aggregation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>

#include <cmocka.h>

#include "instructeval/mkmodel.h"
#include "tasks/fewshot.h"
#include "tasks/tasks.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "testing.h"

static char tmpdir[] = "/tmp/ie-fewshot-XXXXXX";
static struct ie_backend *model;

static void write_file(const char *rel, const char *text)
{
	char *path = path_join(tmpdir, rel);
	struct ie_error err;

	assert_int_equal(file_write_atomic(path, text, strlen(text), &err), 0);
	free(path);
}

static int setup(void **state)
{
	struct ie_mkmodel_params p;
	struct ie_backend_config cfg;
	struct ie_error err = { 0 };
	const char *vocab_dir = getenv("IE_VOCAB_DIR");
	char *vocab, *out;

	(void)state;
	if (!mkdtemp(tmpdir) || !vocab_dir)
		return -1;
	vocab = path_join(vocab_dir, "ggml-vocab-llama-spm.gguf");
	out = path_join(tmpdir, "m.gguf");
	ie_mkmodel_params_init(&p);
	p.vocab = vocab;
	p.out = out;
	ie_backend_config_init(&cfg);
	cfg.model = out;
	cfg.threads = 1;
	if (ie_mkmodel(&p, &err) < 0 || ie_backend_open(&cfg, &model, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	free(vocab);
	free(out);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	ie_backend_free(model);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A group with three exemplars "Q0".."Q2" and one test item. */
static void three_shot_group(struct fewshot *fs)
{
	struct fewshot_group *g;

	memset(fs, 0, sizeof(*fs));
	fs->k = 3;
	fs->max_new_tokens = 2;
	g = fewshot_add_group(fs, "g", "Header.\n\n");
	g->shots = xcalloc(3, sizeof(*g->shots));
	for (int i = 0; i < 3; i++) {
		struct strbuf q = STRBUF_INIT;

		strbuf_addf(&q, "Question %d is rather long, with several words in it.\nAnswer:", i);
		g->shots[i].query = strbuf_detach(&q, NULL);
		g->shots[i].answer = xstrdup(i == 1 ? "B" : "A");
	}
	g->n_shots = 3;
	fewshot_add_item(g, "g/0", "Test?\nAnswer:", "C");
}

static void prompt_with_k_shots(void **state)
{
	struct fewshot fs;
	char *p;

	(void)state;
	three_shot_group(&fs);
	p = fewshot_prompt(&fs.groups[0], &fs.groups[0].items[0], 0, 0);
	assert_string_equal(p, "Header.\n\nTest?\nAnswer:");
	free(p);
	p = fewshot_prompt(&fs.groups[0], &fs.groups[0].items[0], 2, 0);
	assert_string_equal(p, "Header.\n\n"
			       "Question 0 is rather long, with several words in it.\nAnswer: A\n\n"
			       "Question 1 is rather long, with several words in it.\nAnswer: B\n\n"
			       "Test?\nAnswer:");
	free(p);
	fewshot_release(&fs);
}

static int shots_with_limit(struct fewshot *fs, struct ie_backend *fit, int limit)
{
	struct task_opts o = { .fit = fit };
	struct sample_set set = { 0 };
	struct ie_error err = { 0 };
	int shots;

	struct task t = { .data = fs };

	fs->input_limit = limit;
	assert_int_equal(fewshot_build(fs, &o, &set, &err), 0);
	assert_int_equal(set.n, 1);
	/* With a model the shots are fitted just before the prompt runs. */
	if (fit) {
		assert_int_equal(set.v[0].shots, -1);
		assert_int_equal(fewshot_task_fit_shots(&t, &set.v[0], fit, &err), 0);
	}
	shots = set.v[0].shots;
	assert_int_equal(set.v[0].max_shots, 3);
	assert_int_equal(set.v[0].reqs[0].gen.max_new_tokens, 2);
	sample_set_release(&set);
	return shots;
}

static void shots_drop_until_the_prompt_fits(void **state)
{
	struct fewshot fs;
	struct ie_error err = { 0 };
	int n[4];

	(void)state;
	three_shot_group(&fs);
	for (int k = 0; k <= 3; k++) {
		char *p = fewshot_prompt(&fs.groups[0], &fs.groups[0].items[0], k, 0);

		assert_int_equal(ie_backend_count_tokens(model, p, &n[k], &err), 0);
		free(p);
	}
	assert_true(n[0] < n[1] && n[1] < n[2] && n[2] < n[3]);
	assert_int_equal(shots_with_limit(&fs, model, n[3]), 3);
	assert_int_equal(shots_with_limit(&fs, model, n[3] - 1), 2);
	assert_int_equal(shots_with_limit(&fs, model, n[1]), 1);
	assert_int_equal(shots_with_limit(&fs, model, n[1] - 1), 0);
	/* At k = 0 the prompt is used even when it is still too long. */
	assert_int_equal(shots_with_limit(&fs, model, 1), 0);
	/* Without a tokenizer no shot is dropped. */
	assert_int_equal(shots_with_limit(&fs, NULL, 1), 3);
	fewshot_release(&fs);
}

static void bos_is_counted(void **state)
{
	struct ie_error err = { 0 };
	int n = 0;

	(void)state;
	/* The llama SPM vocab adds BOS: an empty text is one token. */
	assert_int_equal(ie_backend_count_tokens(model, "", &n, &err), 0);
	assert_int_equal(n, 1);
}

static int score(const char *output, const char *label, int status)
{
	struct sample s = { 0 };
	struct ie_request r = { 0 };

	r.res.text = output ? xstrdup(output) : NULL;
	r.res.status = status;
	s.reqs = &r;
	s.n_reqs = 1;
	s.label = (char *)label;
	fewshot_score(&s);
	free(r.res.text);
	return s.correct;
}

/* The letter decision of scores (4 letters) with the bounds bits set. */
static int letters(const double *scores, unsigned bounds, const char *label)
{
	static const char *const cands[] = { " A", " B", " C", " D" };
	struct sample s = { 0 };
	struct ie_request r = { 0 };

	r.res.text = xstrdup(" A");
	r.res.scores = xcalloc(4, sizeof(double));
	memcpy(r.res.scores, scores, 4 * sizeof(double));
	r.res.bounds = bounds;
	r.candidates = cands;
	r.n_candidates = 4;
	s.reqs = &r;
	s.n_reqs = 1;
	s.label = (char *)label;
	s.letter_correct = -1;
	fewshot_score(&s);
	free(r.res.text);
	free(r.res.scores);
	return s.letter_correct;
}

/* A served model's letters outside its top log-probabilities carry the
 * lowest shown as an upper bound: never the likeliest while one letter is
 * exact, and no decision when none is. */
static void letters_with_upper_bounds(void **state)
{
	const double sc[4] = { -5.0, -3.0, -4.0, -6.0 };

	(void)state;
	assert_int_equal(letters(sc, 0, "B"), 1);
	assert_int_equal(letters(sc, 1u << 1, "B"), 0);
	assert_int_equal(letters(sc, 1u << 1, "C"), 1);
	assert_int_equal(letters(sc, 1u << 1 | 1u << 2, "A"), 1);
	assert_int_equal(letters(sc, 0xf, "B"), -1);
}

static void prefix_scoring(void **state)
{
	(void)state;
	assert_int_equal(score(" B", "B", 0), 1);
	assert_int_equal(score("\n\n  B. 4", "B", 0), 1);
	assert_int_equal(score("Bob", "B", 0), 1); /* the reference's prefix rule */
	assert_int_equal(score(" C", "B", 0), 0);
	assert_int_equal(score(" b", "B", 0), 0);
	assert_int_equal(score("", "B", 0), 0);
	assert_int_equal(score(" 42 yards", "42", 0), 1);
	assert_int_equal(score(" 4", "42", 0), 0);
	assert_int_equal(score(" B", "B", IE_EMODEL), 0);
	assert_int_equal(score(NULL, "B", 0), 0);
}

static void mmlu_loader_builds_protocol_prompts(void **state)
{
	struct task t;
	struct sample_set set = { 0 };
	struct task_opts o = { 0 };
	struct ie_error err = { 0 };
	char *dir = path_join(tmpdir, "data");
	char *sub, *made;

	(void)state;
	sub = path_join(dir, "mmlu/dev");
	assert_int_equal(file_mkdirs(sub, &err), 0);
	free(sub);
	sub = path_join(dir, "mmlu/test");
	assert_int_equal(file_mkdirs(sub, &err), 0);
	free(sub);
	write_file("data/mmlu/dev/high_school_physics_dev.csv",
		   "\"What, if \"\"anything\"\"?\",1,2,3,4,B\r\nSecond,w,x,y,z,D\r\n"
		   "Third,a,b,c,d,A\r\nFourth,a,b,c,d,C\r\nFifth,a,b,c,d,B\r\n");
	write_file("data/mmlu/test/high_school_physics_test.csv",
		   "\"Two\nlines\",a,b,c,d,C\r\nOther,a,b,c,d,A\r\n");
	write_file("data/mmlu/test/notes.txt", "ignored");
	assert_int_equal(task_load(&t, &mmlu_task, dir, &err), 0);
	o.limit = 1;
	assert_int_equal(t.ops->build(&t, &o, &set, &err), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0].id, "high_school_physics/0");
	assert_string_equal(set.v[0].subtask, "high_school_physics");
	assert_string_equal(set.v[0].label, "C");
	assert_int_equal(set.v[0].shots, 5);
	/* Made when needed: the sample holds none. */
	assert_null(set.v[0].prompts[0]);
	assert_string_equal(sample_prompt(&t, &set.v[0], 0, &made),
			    "The following are multiple choice questions (with answers) about  "
			    "high school physics.\n\n"
			    "What, if \"anything\"?\nA. 1\nB. 2\nC. 3\nD. 4\nAnswer: B\n\n"
			    "Second\nA. w\nB. x\nC. y\nD. z\nAnswer: D\n\n"
			    "Third\nA. a\nB. b\nC. c\nD. d\nAnswer: A\n\n"
			    "Fourth\nA. a\nB. b\nC. c\nD. d\nAnswer: C\n\n"
			    "Fifth\nA. a\nB. b\nC. c\nD. d\nAnswer: B\n\n"
			    "Two\nlines\nA. a\nB. b\nC. c\nD. d\nAnswer:");
	free(made);
	sample_set_release(&set);
	task_release(&t);
	free(dir);
}

static void add_scored(struct sample_set *set, const char *subject, int correct)
{
	struct sample *s = sample_set_add(set);

	s->subtask = xstrdup(subject);
	s->correct = correct;
}

static double num(json_t *o, const char *path1, const char *path2, const char *key)
{
	json_t *v = o;

	if (path1)
		v = json_object_get(v, path1);
	if (path2)
		v = json_object_get(v, path2);
	v = json_object_get(v, key);
	assert_non_null(v);
	return json_number_value(v);
}

static void mmlu_pools_within_groups(void **state)
{
	struct sample_set set = { 0 };
	json_t *res;

	(void)state;
	/* math: 3 of 4; physics: 0 of 2; law: 1 of 1; an unmapped subject 1 of 1. */
	add_scored(&set, "abstract_algebra", 1);
	add_scored(&set, "abstract_algebra", 1);
	add_scored(&set, "college_mathematics", 1);
	add_scored(&set, "college_mathematics", 0);
	add_scored(&set, "astronomy", 0);
	add_scored(&set, "astronomy", 0);
	add_scored(&set, "professional_law", 1);
	add_scored(&set, "my_subject", 1);
	res = mmlu_task.aggregate(NULL, &set);
	assert_near(num(res, NULL, NULL, "score"), 5.0 / 8, 1e-12);
	assert_near(num(res, NULL, NULL, "stderr"), sqrt(5.0 / 8 * 3 / 8 / 8), 1e-12);
	assert_near(num(res, "subtasks", "abstract_algebra", "score"), 1.0, 1e-12);
	assert_near(num(res, "subcategories", "math", "score"), 0.75, 1e-12);
	assert_near(num(res, "subcategories", "physics", "score"), 0.0, 1e-12);
	/* STEM pools math and physics questions: 3 of 6, not the mean of 0.75 and 0. */
	assert_near(num(res, "categories", "STEM", "score"), 0.5, 1e-12);
	assert_near(num(res, "categories", "STEM", "n"), 6, 0);
	assert_near(num(res, "categories", "humanities", "score"), 1.0, 1e-12);
	assert_null(json_object_get(json_object_get(res, "categories"), "social sciences"));
	json_decref(res);
	sample_set_release(&set);
}

/* MMLU's and CRASS's letter likelihood, read from the generation's first
 * pass, is what next-token score requests on the same prompts give for
 * the letters (with this SPM vocabulary "A" alone is the token that follows
 * "Answer:" in " A"), bit for bit, and it picks the likeliest letter. */
static void check_letters(const struct task_ops *ops)
{
	static const char *const letters[] = { "A", "B", "C", "D" };
	const char *data = getenv("INSTRUCTEVAL_DATA");
	struct task_opts o = { .fit = model, .limit = 1, .quiet = 1 };
	struct sample_set set = { 0 };
	struct ie_error err = { 0 };
	struct task t = { 0 };
	struct ie_request *q;
	char **made;
	size_t agree = 0;

	assert_non_null(data);
	assert_int_equal(task_load(&t, ops, data, &err), 0);
	assert_int_equal(ops->build(&t, &o, &set, &err), 0);
	assert_int_equal(sample_set_submit(&t, &set, model, "test", 1, &err), 0);
	q = xcalloc(set.n, sizeof(*q));
	made = xcalloc(set.n, sizeof(*made));
	for (size_t i = 0; i < set.n; i++) {
		ops->score(&t, &set.v[i]);
		q[i].kind = IE_REQ_NEXT_SCORES;
		q[i].prompt = sample_prompt(&t, &set.v[i], 0, &made[i]);
		if (!made[i])
			q[i].prompt = made[i] = xstrdup(q[i].prompt);
		q[i].candidates = letters;
		q[i].n_candidates = set.v[i].reqs[0].n_candidates;
	}
	assert_int_equal(ie_backend_submit(model, q, set.n, NULL, NULL, &err), 0);
	for (size_t i = 0; i < set.n; i++) {
		const struct ie_request *g = &set.v[i].reqs[0];
		size_t best = 0;

		assert_true(g->n_candidates >= 3 && g->res.scores && q[i].res.scores);
		for (size_t c = 0; c < g->n_candidates; c++) {
			assert_true(g->res.scores[c] == q[i].res.scores[c]);
			if (q[i].res.scores[c] > q[i].res.scores[best])
				best = c;
		}
		assert_int_equal(set.v[i].letter_correct, set.v[i].label[0] == "ABCD"[best]);
		agree++; /* every sample compared */
		ie_request_release(&q[i]);
		free(made[i]);
	}
	assert_true(agree == set.n && set.n >= 1);
	free(q);
	free(made);
	sample_set_release(&set);
	task_release(&t);
}

static void letter_likelihood_is_next_token_scores(void **state)
{
	(void)state;
	check_letters(&mmlu_task);
	check_letters(&crass_task);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prompt_with_k_shots),
		cmocka_unit_test(shots_drop_until_the_prompt_fits),
		cmocka_unit_test(bos_is_counted),
		cmocka_unit_test(prefix_scoring),
		cmocka_unit_test(letters_with_upper_bounds),
		cmocka_unit_test(mmlu_loader_builds_protocol_prompts),
		cmocka_unit_test(mmlu_pools_within_groups),
		cmocka_unit_test(letter_likelihood_is_next_token_scores),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
