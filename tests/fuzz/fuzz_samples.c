/*
 * The samples file of `exec-samples` (exec/samples.c), read as that
 * command reads it up to the sandbox: JSON lines from a file's text, each
 * record's "task_id" and "completion", its problem found, the completion
 * post-processed or not, the program made; then pass@k from the records'
 * "passed" and the results file's lines. The problems are HumanEval's own
 * ($IE_FUZZ_HUMANEVAL, the data file) or, without it, three made here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "tasks/humaneval.h"
#include "util/jsonfile.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static struct he_problems problems;

static void release_problems(void)
{
	he_problems_release(&problems);
}

static void add_problem(const char *id, const char *entry)
{
	struct he_problem *p;
	struct strbuf prompt = STRBUF_INIT;

	strbuf_addf(&prompt, "def %s(x):\n    \"\"\"Returns x.\"\"\"\n", entry);
	XGROW(problems.v, problems.cap, problems.n + 1);
	p = &problems.v[problems.n++];
	p->task_id = xstrdup(id);
	p->prompt = strbuf_detach(&prompt, NULL);
	p->entry_point = xstrdup(entry);
	p->canonical_solution = xstrdup("    return x\n");
	p->test = xstrdup("def check(f):\n    assert f(1) == 1\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("IE_FUZZ_HUMANEVAL");
	struct ie_error err = { 0 };

	(void)argc;
	(void)argv;
	if (path && *path && he_problems_load(&problems, path, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	if (!problems.n) {
		add_problem("HumanEval/0", "first");
		add_problem("HumanEval/1", "second");
		add_problem("HumanEval/2", "third");
	}
	atexit(release_problems);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct ie_error err = { 0 };
	struct he_counts hc;
	struct strbuf out = STRBUF_INIT;
	json_t *recs = NULL, *r, *pk;
	size_t i;

	he_counts_init(&hc, problems.n);
	if (json_lines_parse(text, size, "samples.jsonl", &recs, &err) < 0)
		goto out;
	json_array_foreach(recs, i, r) {
		const char *id = json_str(r, "task_id"), *completion = json_str(r, "completion");
		const struct he_problem *pb;
		char *post, *program;

		if (!id || !completion || !(pb = he_problems_find(&problems, id)))
			goto out; /* the command stops at the first such record */
		post = he_postprocess(completion);
		program = he_program(pb, (i & 1) ? post : completion);
		if (!strstr(program, pb->prompt) || strlen(post) > strlen(completion) * 2 + 1) {
			fprintf(stderr, "samples: a program or completion out of shape\n");
			abort();
		}
		free(program);
		json_object_set_new(r, "completion", json_string(post));
		free(post);
		he_counts_add(&hc, (size_t)(pb - problems.v),
			      json_is_true(json_object_get(r, "passed")));
	}
	pk = he_pass_at_k(hc.n, hc.c, he_counts_pack(&hc));
	json_array_foreach(recs, i, r)
		jsonl_append(&out, r);
	json_decref(pk);
out:
	strbuf_release(&out);
	json_decref(recs);
	he_counts_release(&hc);
	free(text);
	return 0;
}
