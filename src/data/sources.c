/*
 * The datasets' published addresses and their layout in the data folder
 * (sources.h).
 */
#include <stdlib.h>
#include <string.h>

#include "data/sources.h"
#include "util/fileio.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define BBH_URL "https://raw.githubusercontent.com/suzgunmirac/BIG-Bench-Hard/main/bbh/"
#define BBH(t) { BBH_URL t ".json", FETCH_FILE, "bbh/" t ".json", { { NULL, NULL } } }
#define HHH_URL \
	"https://raw.githubusercontent.com/google/BIG-bench/main/bigbench/benchmark_tasks/hhh_alignment/"
#define HHH(s) { HHH_URL s "/task.json", FETCH_FILE, "hhh/" s "/task.json", { { NULL, NULL } } }

static const struct source mmlu_sources[] = {
	{ "https://people.eecs.berkeley.edu/~hendrycks/data.tar", FETCH_TAR, NULL,
	  { { "data/dev/", "mmlu/dev/" },
	    { "data/val/", "mmlu/val/" },
	    { "data/test/", "mmlu/test/" },
	    { "data/README.txt", "mmlu/README.txt" } } },
};

static const struct source bbh_sources[] = {
	BBH("boolean_expressions"), BBH("causal_judgement"), BBH("date_understanding"),
	BBH("disambiguation_qa"), BBH("dyck_languages"), BBH("formal_fallacies"),
	BBH("geometric_shapes"), BBH("hyperbaton"), BBH("logical_deduction_five_objects"),
	BBH("logical_deduction_seven_objects"), BBH("logical_deduction_three_objects"),
	BBH("movie_recommendation"), BBH("multistep_arithmetic_two"), BBH("navigate"),
	BBH("object_counting"), BBH("penguins_in_a_table"),
	BBH("reasoning_about_colored_objects"), BBH("ruin_names"),
	BBH("salient_translation_error_detection"), BBH("snarks"), BBH("sports_understanding"),
	BBH("temporal_sequences"), BBH("tracking_shuffled_objects_five_objects"),
	BBH("tracking_shuffled_objects_seven_objects"),
	BBH("tracking_shuffled_objects_three_objects"), BBH("web_of_lies"), BBH("word_sorting"),
};

static const struct source drop_sources[] = {
	{ "https://s3-us-west-2.amazonaws.com/allennlp/datasets/drop/drop_dataset.zip", FETCH_ZIP,
	  NULL, { { "drop_dataset/drop_dataset_dev.json", "drop/drop_dataset_dev.json" } } },
};

static const struct source crass_sources[] = {
	{ "https://raw.githubusercontent.com/apergo-ai/CRASS-data-set/main/"
	  "CRASS_FTM_main_data_set.csv",
	  FETCH_FILE, "crass/CRASS_FTM_main_data_set.csv", { { NULL, NULL } } },
};

static const struct source humaneval_sources[] = {
	{ "https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz", FETCH_FILE,
	  "humaneval/HumanEval.jsonl.gz", { { NULL, NULL } } },
};

static const struct source hhh_sources[] = {
	HHH("harmless"), HHH("helpful"), HHH("honest"), HHH("other"),
};

static const struct source impact_sources[] = {
	{ "https://huggingface.co/datasets/declare-lab/InstructEvalImpact/resolve/main/data.jsonl",
	  FETCH_FILE, "impact/data.jsonl", { { NULL, NULL } } },
};

#define N(a) (sizeof(a) / sizeof(a[0]))

static const struct dataset datasets[] = {
	{ "mmlu", mmlu_sources, N(mmlu_sources), "mmlu/", 0 },
	{ "bbh", bbh_sources, N(bbh_sources), "bbh/", 0 },
	{ "drop", drop_sources, N(drop_sources), "drop/", 0 },
	{ "crass", crass_sources, N(crass_sources), "crass/", 1 },
	{ "humaneval", humaneval_sources, N(humaneval_sources), "humaneval/", 0 },
	{ "hhh", hhh_sources, N(hhh_sources), "hhh/", 0 },
	{ "impact", impact_sources, N(impact_sources), "impact/", 0 },
};

const char *const *dataset_names(void)
{
	static const char *names[N(datasets) + 1];

	for (size_t i = 0; i < N(datasets); i++)
		names[i] = datasets[i].name;
	return names;
}

const struct dataset *dataset_find(const char *name)
{
	for (size_t i = 0; i < N(datasets); i++)
		if (!strcmp(datasets[i].name, name))
			return &datasets[i];
	return NULL;
}

const struct dataset_checksum *dataset_pinned(const char *path)
{
	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++)
		if (!strcmp(c->path, path))
			return c;
	return NULL;
}


static void files_add(char ***v, size_t *n, size_t *cap, const char *path)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], path))
			return;
	XGROW(*v, *cap, *n + 2);
	(*v)[(*n)++] = xstrdup(path);
	(*v)[*n] = NULL;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder map's files: the pinned paths below its destination. */
static void add_folder(char ***v, size_t *n, size_t *cap, const char *to)
{
	size_t len = strlen(to);

	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++)
		if (!strncmp(c->path, to, len))
			files_add(v, n, cap, c->path);
}

char **dataset_files(const struct dataset *ds)
{
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0, cap = 1;

	for (size_t i = 0; i < ds->n; i++) {
		const struct source *s = &ds->sources[i];

		if (s->kind == FETCH_FILE)
			files_add(&v, &n, &cap, s->dest);
		for (size_t k = 0; s->kind != FETCH_FILE && k < SOURCE_MAPS && s->maps[k].from; k++) {
			const char *to = s->maps[k].to;

			if (to[strlen(to) - 1] == '/')
				add_folder(&v, &n, &cap, to);
			else
				files_add(&v, &n, &cap, to);
		}
	}
	qsort(v, n, sizeof(*v), by_path);
	return v;
}

void dataset_files_free(char **files)
{
	for (char **p = files; p && *p; p++)
		free(*p);
	free(files);
}

json_t *dataset_record_read(const char *path)
{
	json_t *out = json_object();
	char *text = NULL, *save = NULL;
	size_t len;

	if (file_read(path, &text, &len, NULL) < 0)
		return out;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strlen(line) > 66 && line[64] == ' ' && line[65] == ' ') {
			line[64] = '\0';
			json_object_set_new(out, line + 66, json_string(line));
		}
	free(text);
	return out;
}
