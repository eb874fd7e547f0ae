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
/* The boards, as the reference publishes them: board b has
 * report_board_width(b) columns, its tasks' numbers and then its averages.
 * A cell is read from scores, an object of each task's scores (as a
 * results document's "scores"), in the board's unit: percent, or the
 * judge's 1-5 scale, to be shown with report_board_decimals(b) decimals. */
size_t report_boards_n(void);
const char *report_board_title(size_t b);
const char *report_board_group(size_t b);
int report_board_decimals(size_t b);
size_t report_board_width(size_t b);
/* Of which the first report_board_columns(b) are tasks' numbers. */
size_t report_board_columns(size_t b);
const char *report_board_heading(size_t b, size_t c);
/* The task column c reads; NULL for an average. */
const char *report_board_task(size_t b, size_t c);
/* 1 and *v when the cell has a number (*partial: an average of only the
 * columns that ran), 0 when nothing it needs ran. */
int report_board_cell(size_t b, size_t c, const json_t *scores, double *v, int *partial);
/* How many of the data files a results document lists were not the
 * published ones. */
size_t report_modified_files(const json_t *results);
/* Checks the boards against the task table: each column's task is there,
 * in the board's group. IE_EEVAL names the first column that is not. */
int report_boards_check(struct ie_error *err);

#endif
