/*
 * Allocation that cannot fail: on out-of-memory the process prints one
 * line and exits with status 1. An evaluation that cannot allocate a few
 * bytes has no useful way to go on, and checking every small allocation
 * would bury the logic.
 */
#ifndef IE_XALLOC_H
#define IE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (holding *cap elements of size elem) to hold at least need. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

#define XGROW(ptr, cap, need) xgrow((void **)&(ptr), &(cap), (need), sizeof(*(ptr)))

#endif
