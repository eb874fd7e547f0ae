/* Samples files, results.json and the printed score table (report.h). */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "util/fileio.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/banned.h"

void report_sample(struct task *t, const struct sample *s, struct strbuf *sb)
{
	json_t *rec = json_object();

	t->ops->record(t, s, rec);
	jsonl_append(sb, rec);
	json_decref(rec);
}

int report_write_json(const char *path, const json_t *json, struct ie_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	json_append_pretty(&sb, json);
	if (sb.err)
		ret = ie_error_set(err, IE_EEVAL, "cannot serialise '%s'", path);
	else
		ret = file_write_atomic(path, sb.buf, sb.len, err);
	strbuf_release(&sb);
	return ret;
}

static void print_row(FILE *f, const char *name, const json_t *s, int indent,
		      const json_t *counts)
{
	double score = json_number_value(json_object_get(s, "score"));
	double se = json_number_value(json_object_get(s, "stderr"));
	json_int_t n = json_integer_value(json_object_get(s, "n"));
	json_int_t dropped = json_integer_value(json_object_get(counts, "shots_dropped"));
	json_int_t errors = json_integer_value(json_object_get(counts, "errors"));

	if (json_object_get(s, "scale")) /* a judge's 1-5 scale, not a fraction */
		fprintf(f, "%*s%-*s %8.2f  %6s  %7lld", indent, "", 40 - indent, name, score, "",
			(long long)n);
	else
		fprintf(f, "%*s%-*s %7.1f%%  ± %4.1f  %7lld", indent, "", 40 - indent, name,
			100 * score, 100 * se, (long long)n);
	if (dropped)
		fprintf(f, "  (%lld with shots dropped)", (long long)dropped);
	if (errors)
		fprintf(f, "  (%lld model errors)", (long long)errors);
	fputc('\n', f);
}

void report_print_scores(FILE *f, const json_t *results)
{
	const json_t *scores = json_object_get(results, "scores");
	const char *task;
	json_t *s;

	fprintf(f, "%-40s %8s  %6s  %7s\n", "task", "score", "stderr", "n");
	json_object_foreach((json_t *)scores, task, s) {
		const char *name;
		json_t *c;

		print_row(f, task, s, 0,
			  json_object_get(json_object_get(results, "counts"), task));
		if (json_object_get(s, "letter_likelihood"))
			print_row(f, "(letter likelihood, not the board's)",
				  json_object_get(s, "letter_likelihood"), 2, NULL);
		json_object_foreach(json_object_get(s, "categories"), name, c)
			print_row(f, name, c, 2, NULL);
	}
}
