/*
 * MMLU: 57 subjects of four-choice questions, 5-shot from each subject's
 * dev rows, 2 new tokens, scored by prefix and pooled over all questions,
 * with per-subject, per-subcategory and per-category accuracy.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics/accuracy.h"
#include "tasks/fewshot.h"
#include "tasks/tasks.h"
#include "util/csv.h"
#include "util/fileio.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const struct {
	const char *subcategory, *category;
	const char *subjects[10];
} groups[] = {
	{ "math", "STEM",
	  { "abstract_algebra", "college_mathematics", "elementary_mathematics",
	    "high_school_mathematics", "high_school_statistics" } },
	{ "health", "other (business, health, misc.)",
	  { "anatomy", "clinical_knowledge", "college_medicine", "human_aging",
	    "medical_genetics", "nutrition", "professional_medicine", "virology" } },
	{ "physics", "STEM",
	  { "astronomy", "college_physics", "conceptual_physics", "high_school_physics" } },
	{ "business", "other (business, health, misc.)",
	  { "business_ethics", "management", "marketing" } },
	{ "biology", "STEM", { "college_biology", "high_school_biology" } },
	{ "chemistry", "STEM", { "college_chemistry", "high_school_chemistry" } },
	{ "computer science", "STEM",
	  { "college_computer_science", "computer_security", "high_school_computer_science",
	    "machine_learning" } },
	{ "economics", "social sciences",
	  { "econometrics", "high_school_macroeconomics", "high_school_microeconomics" } },
	{ "engineering", "STEM", { "electrical_engineering" } },
	{ "philosophy", "humanities",
	  { "formal_logic", "logical_fallacies", "moral_disputes", "moral_scenarios",
	    "philosophy", "world_religions" } },
	{ "other", "other (business, health, misc.)",
	  { "global_facts", "miscellaneous", "professional_accounting" } },
	{ "history", "humanities",
	  { "high_school_european_history", "high_school_us_history",
	    "high_school_world_history", "prehistory" } },
	{ "geography", "social sciences", { "high_school_geography" } },
	{ "politics", "social sciences",
	  { "high_school_government_and_politics", "public_relations", "security_studies",
	    "us_foreign_policy" } },
	{ "psychology", "social sciences",
	  { "high_school_psychology", "professional_psychology" } },
	{ "culture", "social sciences", { "human_sexuality", "sociology" } },
	{ "law", "humanities", { "international_law", "jurisprudence", "professional_law" } },
};

static const char *const category_order[] = {
	"STEM", "humanities", "social sciences", "other (business, health, misc.)",
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

/* The group index of a subject, or -1 for one outside the published map. */
static int subject_group(const char *subject)
{
	for (size_t g = 0; g < N_GROUPS; g++)
		for (size_t i = 0; i < 10 && groups[g].subjects[i]; i++)
			if (!strcmp(groups[g].subjects[i], subject))
				return (int)g;
	return -1;
}

/* The header names the subject as the reference formats it: each word
 * after one space, after the space that ends "about", so two spaces lead
 * ("about  abstract algebra."). */
static char *mmlu_header(const char *subject)
{
	struct strbuf sb = STRBUF_INIT;
	const char *w = subject;

	strbuf_adds(&sb, "The following are multiple choice questions (with answers) about ");
	for (;;) {
		const char *end = strchr(w, '_');

		strbuf_addc(&sb, ' ');
		strbuf_add(&sb, w, end ? (size_t)(end - w) : strlen(w));
		if (!end)
			break;
		w = end + 1;
	}
	strbuf_adds(&sb, ".\n\n");
	return strbuf_detach(&sb, NULL);
}

/* question + "\nA. " + A + ... + "\nAnswer:" */
static char *mmlu_query(char *const *f)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, f[0]);
	for (int i = 0; i < 4; i++)
		strbuf_addf(&sb, "\n%c. %s", "ABCD"[i], f[1 + i]);
	strbuf_adds(&sb, "\nAnswer:");
	return strbuf_detach(&sb, NULL);
}

static int check_row(const char *path, const struct csv_row *row, struct ie_error *err)
{
	const char *a;

	if (row->n != 6)
		return ie_error_set(err, IE_EINPUT,
				    "%s:%ld: expected 6 columns (question, A, B, C, D, answer), "
				    "found %zu",
				    path, row->line, row->n);
	a = row->fields[5];
	if (strlen(a) != 1 || a[0] < 'A' || a[0] > 'D')
		return ie_error_set(err, IE_EINPUT, "%s:%ld: answer '%s' is not A, B, C or D",
				    path, row->line, a);
	return 0;
}

/* Reads one CSV file; calls add(g, row, index) for each row. */
static int read_rows(const char *path, struct fewshot_group *g,
		     void (*add)(struct fewshot_group *, char *const *, size_t),
		     struct ie_error *err)
{
	struct csv_reader r;
	struct csv_row row = { 0 };
	size_t len, index = 0;
	char *data;
	int ret;

	if ((ret = file_read(path, &data, &len, err)) < 0)
		return ret;
	csv_reader_init(&r, data, len, path, ',');
	while ((ret = csv_read_row(&r, &row, err)) > 0) {
		if ((ret = check_row(path, &row, err)) < 0)
			break;
		add(g, row.fields, index++);
	}
	csv_row_release(&row);
	free(data);
	return ret < 0 ? ret : 0;
}

static void add_shot(struct fewshot_group *g, char *const *f, size_t index)
{
	(void)index;
	g->shots = xrealloc(g->shots, (g->n_shots + 1) * sizeof(*g->shots));
	g->shots[g->n_shots].query = mmlu_query(f);
	g->shots[g->n_shots].answer = xstrdup(f[5]);
	g->shots[g->n_shots].id = NULL;
	g->n_shots++;
}

static void add_item(struct fewshot_group *g, char *const *f, size_t index)
{
	struct strbuf id = STRBUF_INIT;
	char *query = mmlu_query(f);

	strbuf_addf(&id, "%s/%zu", g->name, index);
	fewshot_add_lettered(g, id.buf, query, f[5], 4);
	strbuf_release(&id);
	free(query);
}

/* Subjects: the names in test/ that end in "_test.csv", sorted. */
static int list_subjects(const char *test_dir, char ***out, size_t *n_out, struct ie_error *err)
{
	if (dir_list_suffix(test_dir, "_test.csv", 0, out, n_out) < 0)
		return ie_error_set(err, IE_EIO, "cannot list the folder '%s'", test_dir);
	if (!*n_out) {
		free(*out);
		return task_data_missing(&mmlu_task, "*_test.csv in", test_dir, err);
	}
	return 0;
}

static int load_subject(struct fewshot *fs, const char *dev_dir, const char *test_dir,
			const char *subject, struct ie_error *err)
{
	struct strbuf dev = STRBUF_INIT, test = STRBUF_INIT;
	char *header = mmlu_header(subject);
	struct fewshot_group *g = fewshot_add_group(fs, subject, header);
	int ret;

	strbuf_addf(&dev, "%s/%s_dev.csv", dev_dir, subject);
	strbuf_addf(&test, "%s/%s_test.csv", test_dir, subject);
	ret = read_rows(dev.buf, g, add_shot, err);
	/* Fewer exemplars would make "5-shot" silently fewer-shot. */
	if (!ret && g->n_shots < (size_t)fs->k)
		ret = ie_error_set(err, IE_EINPUT, "%s: %zu exemplar rows, MMLU's prompts take %d",
				   dev.buf, g->n_shots, fs->k);
	if (!ret)
		ret = read_rows(test.buf, g, add_item, err);
	if (!ret && !g->n_items)
		ret = ie_error_set(err, IE_EINPUT, "%s: no questions", test.buf);
	strbuf_release(&dev);
	strbuf_release(&test);
	free(header);
	return ret;
}

static int mmlu_load(struct task *t, const char *data_dir, struct ie_error *err)
{
	struct fewshot *fs = fewshot_task_init(t, 5, 2048, 2);
	char *test_dir = task_data_path(t->ops, data_dir, 0);
	char *dev_dir = task_data_path(t->ops, data_dir, 1);
	char **subjects = NULL;
	size_t n = 0;
	int ret;

	ret = list_subjects(test_dir, &subjects, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (!ret)
			ret = load_subject(fs, dev_dir, test_dir, subjects[i], err);
		free(subjects[i]);
	}
	free(subjects);
	free(test_dir);
	free(dev_dir);
	return ret;
}

static json_t *mmlu_aggregate(struct task *t, const struct sample_set *set)
{
	struct acc sub[N_GROUPS] = { { 0 } }, cat[4] = { { 0 } };
	json_t *res = fewshot_aggregate(set), *js = json_object(), *jc = json_object();

	(void)t;
	for (size_t i = 0; i < set->n; i++) {
		int g = subject_group(set->v[i].subtask);

		if (g < 0)
			continue;
		acc_add(&sub[g], set->v[i].correct == 1);
		for (size_t c = 0; c < 4; c++)
			if (!strcmp(groups[g].category, category_order[c]))
				acc_add(&cat[c], set->v[i].correct == 1);
	}
	for (size_t g = 0; g < N_GROUPS; g++)
		if (sub[g].n)
			json_object_set_new(js, groups[g].subcategory, acc_json(&sub[g]));
	for (size_t c = 0; c < 4; c++)
		if (cat[c].n)
			json_object_set_new(jc, category_order[c], acc_json(&cat[c]));
	json_object_set_new(res, "subcategories", js);
	json_object_set_new(res, "categories", jc);
	json_object_set_new(res, "metric", json_string("accuracy (prefix match, pooled)"));
	return res;
}

const struct task_ops mmlu_task = {
	.name = "mmlu",
	.title = "MMLU",
	.group = "problem-solving",
	.summary = "57 subjects of four-choice questions, 5-shot",
	.data = { "mmlu/test/", "mmlu/dev/" },
	.shots = 5,
	.load = mmlu_load,
	.build = fewshot_task_build,
	.score = fewshot_task_score,
	.aggregate = mmlu_aggregate,
	.record = fewshot_task_record,
	.prompt = fewshot_task_prompt,
	.fit_shots = fewshot_task_fit_shots,
	.release = fewshot_task_release,
};
