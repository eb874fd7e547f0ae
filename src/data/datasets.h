/*
 * The benchmark datasets: where each is published, how its files map into
 * the data folder, and the hashes the published files are known to have.
 * `instructeval download` fetches them (from the canonical addresses, or a
 * mirror that copies their layout), checks them and installs each file
 * whole; `instructeval verify` checks a data folder again.
 */
#ifndef IE_DATASETS_H
#define IE_DATASETS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "instructeval/error.h"

struct dataset_checksum {
	const char *path; /* in the data folder */
	const char *sha256;
	int64_t size;
};

/* Pinned hashes, NULL-terminated (checksums.c). */
extern const struct dataset_checksum dataset_checksums[];

/* The names of the datasets, NULL-terminated: mmlu, bbh, drop, crass,
 * humaneval, hhh, impact. */
const char *const *dataset_names(void);

struct download_opts {
	const char *data_dir;
	const char *mirror; /* NULL: canonical URLs; else MIRROR/host/path */
	int quiet;
};

/* Downloads, checks and installs dataset name. Files already installed are
 * replaced only when every new file checked out. IE_EUSAGE: unknown name;
 * IE_EIO: network or file failure; IE_EINPUT: a file failed its check. */
int dataset_download(const char *name, const struct download_opts *o, struct ie_error *err);

/* What the files of data_dir should hash to, by path in the folder:
 * {"mmlu/dev/x.csv": {"sha256": ..., "source": "pinned" | "download"}},
 * the pinned hashes first, then those `download` recorded for files
 * without one (a new object). */
json_t *dataset_expected_hashes(const char *data_dir);

/* Checks the files of dataset name in data_dir against the pinned hashes
 * and those recorded at download; prints one line per problem to out.
 * Sets *problems; returns 0 unless the check itself could not run. */
int dataset_verify(const char *name, const char *data_dir, FILE *out, int *problems,
		   struct ie_error *err);

#endif
