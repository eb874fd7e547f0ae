/*
 * What an evaluation leaves behind: the per-sample JSONL files, the
 * results document, and the score table printed at the end of a run.
 */
#ifndef IE_REPORT_H
#define IE_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "instructeval/error.h"
#include "tasks/task.h"
#include "util/strbuf.h"

/* One sample's record as a line of JSONL appended to sb. */
void report_sample(struct task *t, const struct sample *s, struct strbuf *sb);
/* Writes json (pretty) to path, atomically. */
int report_write_json(const char *path, const json_t *json, struct ie_error *err);
/* The table of scores of a results document. */
void report_print_scores(FILE *f, const json_t *results);
/* The leaderboard rows of the boards whose tasks ran. */
void report_print_boards(FILE *f, const json_t *results);
/* Checks the boards against the task table: each column's task is there,
 * in the board's group. IE_EEVAL names the first column that is not. */
int report_boards_check(struct ie_error *err);

#endif
