/*
 * What the data folder holds (datasets.h): each dataset's files against
 * the pinned hashes and those `download` recorded, for `verify`,
 * `data-status` and the check every run makes.
 */
#include <stdlib.h>
#include <string.h>

#include "data/sources.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* The record's hashes of files without a pinned one: {path: sha256}. */
static json_t *recorded_hashes(const char *data_dir)
{
	char *path = path_join(data_dir, DATASET_RECORD_FILE);
	json_t *rec = dataset_record_read(path), *out = json_object(), *sha;
	const char *rel;

	json_object_foreach(rec, rel, sha)
		if (!dataset_pinned(rel))
			json_object_set(out, rel, sha);
	json_decref(rec);
	free(path);
	return out;
}

json_t *dataset_expected_hashes(const char *data_dir)
{
	json_t *out = json_object(), *rec = recorded_hashes(data_dir), *sha;
	const char *rel;

	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++)
		json_object_set_new(out, c->path, json_pack("{s:s, s:s}", "sha256", c->sha256,
							    "source", "pinned"));
	json_object_foreach(rec, rel, sha)
		json_object_set_new(out, rel, json_pack("{s:O, s:s}", "sha256", sha, "source",
							"download"));
	json_decref(rec);
	return out;
}

static void file_state(const char *data_dir, struct data_file_status *f, const json_t *rec)
{
	const struct dataset_checksum *c = dataset_pinned(f->path);
	const char *want = c ? c->sha256 : json_string_value(json_object_get(rec, f->path));
	char *full = path_join(data_dir, f->path);

	f->source = c ? "pinned" : want ? "download" : NULL;
	snprintf(f->expected, sizeof(f->expected), "%s", want ? want : "");
	if (!file_exists(full))
		f->state = DATA_MISSING;
	else if (sha256_file(full, f->sha256, NULL) < 0)
		f->state = DATA_CHANGED;
	else
		f->state = !want ? DATA_UNVERIFIED : strcmp(want, f->sha256) ? DATA_CHANGED
									 : DATA_OK;
	free(full);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct data_file_status *)a)->path,
		      ((const struct data_file_status *)b)->path);
}

int dataset_status(const char *name, const char *data_dir, struct data_file_status **files,
		   size_t *n, struct ie_error *err)
{
	const struct dataset *ds = dataset_find(name);
	json_t *rec, *sha, *paths = json_object();
	struct data_file_status *v;
	const char *rel;
	char **own;
	size_t i = 0;

	if (!ds)
		return ie_error_set(err, IE_EUSAGE, "unknown dataset '%s'", name);
	own = dataset_files(ds);
	for (char **p = own; *p; p++)
		json_object_set_new(paths, *p, json_true());
	dataset_files_free(own);
	rec = recorded_hashes(data_dir);
	json_object_foreach(rec, rel, sha)
		if (!strncmp(rel, ds->prefix, strlen(ds->prefix)))
			json_object_set_new(paths, rel, json_true());
	v = xcalloc(json_object_size(paths) + 1, sizeof(*v));
	json_object_foreach(paths, rel, sha) {
		v[i].path = xstrdup(rel);
		file_state(data_dir, &v[i++], rec);
	}
	qsort(v, i, sizeof(*v), by_path);
	json_decref(rec);
	json_decref(paths);
	*files = v;
	*n = i;
	return 0;
}

void dataset_status_free(struct data_file_status *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}
