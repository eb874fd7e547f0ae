/*
 * The report page over stored runs: boards, charts, the runs, and a
 * browser of their samples, in one self-contained HTML file.
 */
#ifndef IE_PAGE_H
#define IE_PAGE_H

#include <jansson.h>

#include "instructeval/error.h"
#include "util/strbuf.h"

struct store;

struct report_options {
	const char *title;  /* NULL: "InstructEval report" */
	size_t max_samples; /* records per run and task in the browser (0: 200) */
};

/* The page over runs (finished runs as store_run_get gives them, newest
 * first), their samples read from st, appended to out. */
int report_page(struct store *st, const json_t *runs, const struct report_options *o,
		struct strbuf *out, struct ie_error *err);

#endif
