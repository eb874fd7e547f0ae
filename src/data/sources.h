/*
 * Where each dataset is published and how its files map into the data
 * folder: the table that download and the status checks share.
 */
#ifndef IE_DATA_SOURCES_H
#define IE_DATA_SOURCES_H

#include <stddef.h>

#include <jansson.h>

#include "data/datasets.h"

/* The record `download` keeps in the data folder: "sha256  path" lines. */
#define DATASET_RECORD_FILE "instructeval-sha256.tsv"

enum fetch_kind { FETCH_FILE, FETCH_TAR, FETCH_ZIP };

struct member_map {
	const char *from; /* archive member, or a folder of them ending in "/" */
	const char *to;
};

#define SOURCE_MAPS 5

struct source {
	const char *url;
	enum fetch_kind kind;
	const char *dest;              /* FETCH_FILE */
	struct member_map maps[SOURCE_MAPS]; /* archives */
};

struct dataset {
	const char *name;
	const struct source *sources;
	size_t n;
	const char *prefix;   /* its files in the data folder */
	int warn_only;        /* a hash mismatch is a warning (CRASS) */
};

const struct dataset *dataset_find(const char *name);
/* The pinned hash of a data-folder path, or NULL. */
const struct dataset_checksum *dataset_pinned(const char *path);

/* The files dataset ds installs, by path in the data folder, sorted: the
 * destinations of its files, and of its archives' members (a mapped
 * folder's files are the pinned ones below it). NULL-terminated; the
 * caller frees the array and each path. */
char **dataset_files(const struct dataset *ds);
void dataset_files_free(char **files);

/* A record file's "sha256  path" lines as {path: sha256}; an empty object
 * when it cannot be read. It is read outside any task's read ledger: it
 * is not data. */
json_t *dataset_record_read(const char *path);

#endif
