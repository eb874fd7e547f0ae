/* IMPACT's judge prompts and the re-judging of stored answers. */
#ifndef IE_IMPACT_H
#define IE_IMPACT_H

#include "tasks/task.h"

/* The judge template of mode (0 relevance, 1 coherence) filled with the
 * answer text and the item's Prompt field (caller frees). */
char *impact_judge_prompt(int mode, const char *text, const char *prompt);
/* Rebuilds IMPACT samples (answers, no judgement) from the records of a
 * samples file. */
int impact_samples_from_records(const json_t *records, const char *path, struct sample_set *out,
				struct ie_error *err);

#endif
