/*
 * The leaderboard: the reference's three boards over the runs of a store,
 * one row per model (and, on request, per setting that changes a number).
 */
#ifndef IE_LEADERBOARD_H
#define IE_LEADERBOARD_H

#include <jansson.h>

#include "instructeval/error.h"
#include "util/strbuf.h"

enum leaderboard_format { LEADERBOARD_MD, LEADERBOARD_CSV, LEADERBOARD_JSON, LEADERBOARD_HTML };

/* The boards of runs (an array of run objects as store_run_get gives them,
 * newest first; unfinished runs and other commands are skipped): for each
 * board its title, group, decimals, column headings (averages last, their
 * count in "averages") and rows, each with model, settings ("" for the
 * reference's), judge (judged boards), values (in the board's unit, null:
 * not run), partial (an average of only some columns) and runs (the run
 * id each task's number came from). Without all_settings only numbers at
 * the reference settings are kept. */
json_t *leaderboard_build(const json_t *runs, int all_settings);
/* What the boards are made of: for each model at each setting (and each
 * judge, for judged tasks) an entry with model (its label), model_key,
 * tags (each key's newest value among the model's runs), settings, judge
 * ("" for tasks without one), scores (task: its scores object from the
 * newest run of it) and runs (task: that run's id). */
json_t *leaderboard_entries(const json_t *runs, int all_settings);
/* Sorts every board's rows by column col (a heading, case ignored, or
 * "model"; NULL: each board's first average), numbers high to low and
 * cells that did not run last. IE_EUSAGE when no board has col. */
int leaderboard_sort(json_t *lb, const char *col, struct ie_error *err);
/* Whether no board has a row. */
int leaderboard_empty(const json_t *lb);
void leaderboard_render(const json_t *lb, enum leaderboard_format fmt, struct strbuf *out);
/* One board of lb as a sortable HTML table, for pages that hold more. */
void leaderboard_html_table(const json_t *board, struct strbuf *out);

/* What names a run's model in a table: its "model" tag, else the model's
 * name, file or address. */
const char *leaderboard_model_label(const json_t *run);
/* The name of run's model in every table: as its entries' model (a string
 * borrowed from runs). */
const char *leaderboard_model_name(const json_t *runs, const json_t *run);
/* The settings of run that make task's number differ from the
 * reference's, as a label ("limit=10, greedy"); "" when none. The shot
 * count is among them when with_shots. */
void leaderboard_settings(const json_t *run, const char *task, int with_shots,
			  struct strbuf *sb);
/* The shot count run used for task: the one it was given, else the
 * reference's. */
int leaderboard_shots(const json_t *run, const char *task);

#endif
