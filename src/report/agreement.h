/*
 * How far a judge model's IMPACT ratings agree with people's, and people's
 * with each other's: a judge's scores are worth what their agreement with
 * people is. Both comparisons pool their pairs: the judge against people
 * has one pair per rated (item, rater), people against each other one per
 * pair of raters per item both rated. Each is given for relevance and
 * coherence, over all items and per category (stats_agreement on 1..5).
 */
#ifndef IE_AGREEMENT_H
#define IE_AGREEMENT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "instructeval/error.h"

struct store;

/* The IMPACT records of run in st as stored (JSON lines; the caller
 * frees *jsonl). IE_EINPUT when the run has none, IE_EUSAGE when there is
 * no such run. */
int agreement_impact_samples(struct store *st, int64_t run, char **jsonl, struct ie_error *err);

/*
 * The agreement of the judge's "reference" scores in impact_jsonl (the
 * records, one a line) with ratings (as store_ratings_get gives them;
 * ratings of items not in the records are left out):
 *   {"judge_human": {"relevance": {"all": STAT, "<category>": STAT, ...},
 *                    "coherence": {...}},
 *    "human_human": {... the same ...},
 *    "raters": [names, sorted], "rated_items": N}
 * STAT is {n, exact, within_one, spearman, kappa}, each figure null where
 * it is not defined (no pairs, or one side constant). Categories come in
 * the records' order. *out belongs to the caller. IE_EINPUT for a record
 * that is not JSON.
 */
int agreement_json(const char *impact_jsonl, const json_t *ratings, json_t **out,
		   struct ie_error *err);

/* agreement_json's document as tables: one per comparison and mode, a row
 * per category. */
void agreement_print(FILE *f, const json_t *a);

#endif
