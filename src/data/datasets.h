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
	/* NULL: the canonical URLs; else a URL or a local folder that holds
	 * the data-folder layout (MIRROR/mmlu/dev/...) or the canonical
	 * addresses' (MIRROR/host/path) */
	const char *mirror;
	int quiet;    /* no message but errors */
	int progress; /* a progress bar per file on stderr */
	int retries;  /* attempts after the first on a transient fault */
};

/* Downloads, checks and installs dataset name. Files already installed are
 * replaced only when every new file checked out. A transfer that fails
 * leaves its part in DATA/.partial, and the next call resumes it.
 * IE_EUSAGE: unknown name or a mirror that is neither URL nor folder;
 * IE_EIO: network or file failure; IE_EINPUT: a file failed its check. */
int dataset_download(const char *name, const struct download_opts *o, struct ie_error *err);

/* What the files of data_dir should hash to, by path in the folder:
 * {"mmlu/dev/x.csv": {"sha256": ..., "source": "pinned" | "download"}},
 * the pinned hashes first, then those `download` recorded for files
 * without one (a new object). */
json_t *dataset_expected_hashes(const char *data_dir);

enum data_file_state { DATA_OK, DATA_MISSING, DATA_CHANGED, DATA_UNVERIFIED };

/* One file of a dataset in the data folder. UNVERIFIED: present, but no
 * hash is known for it (placed there by hand, not by `download`). */
struct data_file_status {
	char *path;             /* in the data folder */
	enum data_file_state state;
	char sha256[65];        /* the file's, when present ("" when missing) */
	char expected[65];      /* "" when none is known */
	const char *source;     /* of expected: "pinned", "download" or NULL */
};

/* The state of every file of dataset name in data_dir: those it installs
 * and those `download` recorded for it, sorted by path. The caller frees
 * with dataset_status_free. IE_EUSAGE: unknown name. */
int dataset_status(const char *name, const char *data_dir, struct data_file_status **files,
		   size_t *n, struct ie_error *err);
void dataset_status_free(struct data_file_status *files, size_t n);

#endif
