/*
 * Reading a judge's 1-5 score out of its review text, two ways.
 *
 * The reference rule (the default, for comparability): the last decimal
 * digit anywhere in the review is the score; when there is none, or it is
 * not 1-5, the score is 1.
 *
 * The strict rule: the first standalone digit 1-5 (not part of a longer
 * number such as "10", "2.5" or "x3"); a review without one is unparsable
 * and is counted as such rather than scored.
 */
#ifndef IE_JUDGE_H
#define IE_JUDGE_H

/* The reference rule: always 1..5. */
int judge_parse_reference(const char *review);
/* The strict rule: 1..5, or 0 when unparsable. */
int judge_parse_strict(const char *review);

#endif
