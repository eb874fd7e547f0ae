/*
 * Fetching datasets (datasets.h). Each dataset is staged in a private
 * folder inside the data folder: files are downloaded with libcurl,
 * archives unpacked with libarchive (only the members the dataset maps,
 * never a path that climbs out), every file with a pinned hash is checked,
 * and only then is each file renamed into place. A failure anywhere leaves
 * the data folder as it was. The hashes of installed files are recorded in
 * DATA/instructeval-sha256.tsv for `verify`.
 */
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/datasets.h"
#include "util/fileio.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define RECORD_FILE "instructeval-sha256.tsv"

enum fetch_kind { FETCH_FILE, FETCH_TAR, FETCH_ZIP };

struct member_map {
	const char *from; /* archive member, or a folder of them ending in "/" */
	const char *to;
};

struct source {
	const char *url;
	enum fetch_kind kind;
	const char *dest;              /* FETCH_FILE */
	struct member_map maps[5];     /* archives */
};

#define BBH_URL "https://raw.githubusercontent.com/suzgunmirac/BIG-Bench-Hard/main/bbh/"
#define BBH(t) { BBH_URL t ".json", FETCH_FILE, "bbh/" t ".json", { { NULL, NULL } } }
#define HHH_URL \
	"https://raw.githubusercontent.com/google/BIG-bench/main/bigbench/benchmark_tasks/hhh_alignment/"
#define HHH(s) { HHH_URL s "/task.json", FETCH_FILE, "hhh/" s "/task.json", { { NULL, NULL } } }

static const struct source mmlu_sources[] = {
	{ "https://people.eecs.berkeley.edu/~hendrycks/data.tar", FETCH_TAR, NULL,
	  { { "data/dev/", "mmlu/dev/" },
	    { "data/val/", "mmlu/val/" },
	    { "data/test/", "mmlu/test/" },
	    { "data/README.txt", "mmlu/README.txt" } } },
};

static const struct source bbh_sources[] = {
	BBH("boolean_expressions"), BBH("causal_judgement"), BBH("date_understanding"),
	BBH("disambiguation_qa"), BBH("dyck_languages"), BBH("formal_fallacies"),
	BBH("geometric_shapes"), BBH("hyperbaton"), BBH("logical_deduction_five_objects"),
	BBH("logical_deduction_seven_objects"), BBH("logical_deduction_three_objects"),
	BBH("movie_recommendation"), BBH("multistep_arithmetic_two"), BBH("navigate"),
	BBH("object_counting"), BBH("penguins_in_a_table"),
	BBH("reasoning_about_colored_objects"), BBH("ruin_names"),
	BBH("salient_translation_error_detection"), BBH("snarks"), BBH("sports_understanding"),
	BBH("temporal_sequences"), BBH("tracking_shuffled_objects_five_objects"),
	BBH("tracking_shuffled_objects_seven_objects"),
	BBH("tracking_shuffled_objects_three_objects"), BBH("web_of_lies"), BBH("word_sorting"),
};

static const struct source drop_sources[] = {
	{ "https://s3-us-west-2.amazonaws.com/allennlp/datasets/drop/drop_dataset.zip", FETCH_ZIP,
	  NULL, { { "drop_dataset/drop_dataset_dev.json", "drop/drop_dataset_dev.json" } } },
};

static const struct source crass_sources[] = {
	{ "https://raw.githubusercontent.com/apergo-ai/CRASS-data-set/main/"
	  "CRASS_FTM_main_data_set.csv",
	  FETCH_FILE, "crass/CRASS_FTM_main_data_set.csv", { { NULL, NULL } } },
};

static const struct source humaneval_sources[] = {
	{ "https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz", FETCH_FILE,
	  "humaneval/HumanEval.jsonl.gz", { { NULL, NULL } } },
};

static const struct source hhh_sources[] = {
	HHH("harmless"), HHH("helpful"), HHH("honest"), HHH("other"),
};

static const struct source impact_sources[] = {
	{ "https://huggingface.co/datasets/declare-lab/InstructEvalImpact/resolve/main/data.jsonl",
	  FETCH_FILE, "impact/data.jsonl", { { NULL, NULL } } },
};

#define N(a) (sizeof(a) / sizeof(a[0]))

static const struct dataset {
	const char *name;
	const struct source *sources;
	size_t n;
	const char *prefix;   /* its files in the data folder */
	int warn_only;        /* a hash mismatch is a warning (CRASS) */
} datasets[] = {
	{ "mmlu", mmlu_sources, N(mmlu_sources), "mmlu/", 0 },
	{ "bbh", bbh_sources, N(bbh_sources), "bbh/", 0 },
	{ "drop", drop_sources, N(drop_sources), "drop/", 0 },
	{ "crass", crass_sources, N(crass_sources), "crass/", 1 },
	{ "humaneval", humaneval_sources, N(humaneval_sources), "humaneval/", 0 },
	{ "hhh", hhh_sources, N(hhh_sources), "hhh/", 0 },
	{ "impact", impact_sources, N(impact_sources), "impact/", 0 },
};

const char *const *dataset_names(void)
{
	static const char *names[N(datasets) + 1];

	for (size_t i = 0; i < N(datasets); i++)
		names[i] = datasets[i].name;
	return names;
}

static const struct dataset *find_dataset(const char *name)
{
	for (size_t i = 0; i < N(datasets); i++)
		if (!strcmp(datasets[i].name, name))
			return &datasets[i];
	return NULL;
}

static const struct dataset_checksum *pinned(const char *path)
{
	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++)
		if (!strcmp(c->path, path))
			return c;
	return NULL;
}

/* ---- fetching ---- */

/* The address to fetch: the canonical URL, or MIRROR/host/path. */
static char *effective_url(const char *url, const char *mirror)
{
	struct strbuf sb = STRBUF_INIT;
	const char *rest = strstr(url, "://");

	if (!mirror)
		return xstrdup(url);
	strbuf_adds(&sb, mirror);
	if (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_truncate(&sb, sb.len - 1);
	strbuf_addf(&sb, "/%s", rest ? rest + 3 : url);
	return strbuf_detach(&sb, NULL);
}

static size_t write_cb(char *data, size_t size, size_t n, void *f)
{
	return fwrite(data, size, n, f) * size;
}

static int fetch(const char *url, const char *path, struct ie_error *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	FILE *f = fopen(path, "wb");
	CURL *c;
	CURLcode rc;
	long status = 0;

	if (!f)
		return ie_error_set(err, IE_EIO, "cannot create '%s': %s", path, strerror(errno));
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "instructeval/" IE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (fclose(f) != 0 && rc == CURLE_OK)
		return ie_error_set(err, IE_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (rc != CURLE_OK)
		return ie_error_set(err, IE_EIO, "cannot download %s: %s", url,
				    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return 0;
}

/* ---- unpacking ---- */

/* Where member goes in the stage, or NULL when the dataset does not use it. */
static char *member_dest(const struct source *s, const char *member)
{
	if (strstr(member, "..") || member[0] == '/')
		return NULL;
	for (size_t i = 0; i < N(s->maps) && s->maps[i].from; i++) {
		const char *from = s->maps[i].from;
		size_t n = strlen(from);

		if (from[n - 1] == '/' && !strncmp(member, from, n) && member[n] &&
		    !strchr(member + n, '/'))
			return path_join(s->maps[i].to, member + n);
		if (!strcmp(member, from))
			return xstrdup(s->maps[i].to);
	}
	return NULL;
}

static int copy_entry(struct archive *a, const char *path, struct ie_error *err)
{
	char buf[65536];
	la_ssize_t n;
	FILE *f = fopen(path, "wb");

	if (!f)
		return ie_error_set(err, IE_EIO, "cannot create '%s': %s", path, strerror(errno));
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
			break;
	if (fclose(f) != 0 || n != 0)
		return ie_error_set(err, IE_EIO, "cannot unpack '%s': %s", path,
				    n < 0 ? archive_error_string(a) : strerror(errno));
	return 0;
}

static int unpack(const struct source *s, const char *archive_path, const char *stage,
		  struct ie_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int ret = 0, r;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, archive_path, 65536) != ARCHIVE_OK) {
		ret = ie_error_set(err, IE_EINPUT, "'%s' from %s is not a readable archive: %s",
				   archive_path, s->url, archive_error_string(a));
		goto out;
	}
	while (!ret && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *rel, *dest;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (!(rel = member_dest(s, archive_entry_pathname(e))))
			continue;
		dest = path_join(stage, rel);
		ret = file_mkdirs_parent(dest, err);
		if (!ret)
			ret = copy_entry(a, dest, err);
		free(dest);
		free(rel);
	}
	if (!ret && r != ARCHIVE_EOF)
		ret = ie_error_set(err, IE_EINPUT, "cannot read the archive from %s: %s", s->url,
				   archive_error_string(a));
out:
	archive_read_free(a);
	return ret;
}

/* ---- staging, checking, installing ---- */

struct file_list {
	char **v;
	size_t n, cap;
};

static void list_add(struct file_list *l, const char *s)
{
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = xstrdup(s);
}

static void list_release(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Adds every regular file below stage/rel to l (paths relative to stage). */
static void list_files(const char *stage, const char *rel, struct file_list *l)
{
	char *dir = path_join(stage, rel);
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)) != NULL) {
		char *r, *full;

		if (e->d_name[0] == '.')
			continue;
		r = rel[0] ? path_join(rel, e->d_name) : xstrdup(e->d_name);
		full = path_join(stage, r);
		if (file_is_dir(full))
			list_files(stage, r, l);
		else if (file_size(full) >= 0)
			list_add(l, r);
		free(full);
		free(r);
	}
	if (d)
		closedir(d);
	free(dir);
}

static int fetch_source(const struct source *s, const struct download_opts *o,
			const char *stage, struct ie_error *err)
{
	char *url = effective_url(s->url, o->mirror), *dest;
	int ret;

	if (!o->quiet)
		fprintf(stderr, "download: %s\n", url);
	if (s->kind == FETCH_FILE) {
		dest = path_join(stage, s->dest);
		ret = file_mkdirs_parent(dest, err);
		if (!ret)
			ret = fetch(url, dest, err);
	} else {
		dest = path_join(stage, ".archive");
		ret = fetch(url, dest, err);
		if (!ret)
			ret = unpack(s, dest, stage, err);
		unlink(dest);
	}
	free(dest);
	free(url);
	return ret;
}

/* Every staged file against its pinned hash, and every pinned file of the
 * dataset present. */
static int check_stage(const struct dataset *ds, const char *stage, const struct file_list *l,
		       struct ie_error *err)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct dataset_checksum *c = pinned(l->v[i]);
		char *full = path_join(stage, l->v[i]), hex[65];
		int ret = sha256_file(full, hex, err);

		free(full);
		if (ret < 0)
			return ret;
		if (!c || !strcmp(c->sha256, hex))
			continue;
		if (!ds->warn_only)
			return ie_error_set(err, IE_EINPUT, "%s: sha256 %s, expected %s; the "
					    "download is corrupt or not the published file",
					    l->v[i], hex, c->sha256);
		fprintf(stderr, "warning: %s: sha256 %s differs from %s, the copy this tool "
			"knows; keeping it\n", l->v[i], hex, c->sha256);
	}
	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++) {
		int found = 0;

		if (strncmp(c->path, ds->prefix, strlen(ds->prefix)))
			continue;
		for (size_t i = 0; i < l->n && !found; i++)
			found = !strcmp(l->v[i], c->path);
		if (!found)
			return ie_error_set(err, IE_EINPUT, "the %s download lacks %s", ds->name,
					    c->path);
	}
	return 0;
}

/* The record file: one "sha256  path" line per installed file. */
static int update_record(const char *data_dir, const char *stage, const struct file_list *l,
			 struct ie_error *err)
{
	char *path = path_join(data_dir, RECORD_FILE), *old = NULL, *save = NULL;
	struct strbuf out = STRBUF_INIT;
	size_t len;
	int ret = 0;

	if (file_read(path, &old, &len, NULL) == 0) {
		for (char *line = strtok_r(old, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *p = strlen(line) > 66 ? line + 66 : "";
			int replaced = 0;

			for (size_t i = 0; i < l->n && !replaced; i++)
				replaced = !strcmp(p, l->v[i]);
			if (!replaced && *p)
				strbuf_addf(&out, "%s\n", line);
		}
	}
	for (size_t i = 0; i < l->n && !ret; i++) {
		char *full = path_join(stage, l->v[i]), hex[65];

		ret = sha256_file(full, hex, err);
		strbuf_addf(&out, "%s  %s\n", hex, l->v[i]);
		free(full);
	}
	if (!ret)
		ret = file_write_atomic(path, strbuf_str(&out), out.len, err);
	strbuf_release(&out);
	free(old);
	free(path);
	return ret;
}

static int install(const char *data_dir, const char *stage, const struct file_list *l,
		   struct ie_error *err)
{
	int ret = update_record(data_dir, stage, l, err);

	for (size_t i = 0; i < l->n && !ret; i++) {
		char *from = path_join(stage, l->v[i]), *to = path_join(data_dir, l->v[i]);

		ret = file_mkdirs_parent(to, err);
		if (!ret && rename(from, to) != 0)
			ret = ie_error_set(err, IE_EIO, "cannot install '%s': %s", to,
					   strerror(errno));
		free(from);
		free(to);
	}
	return ret;
}

int dataset_download(const char *name, const struct download_opts *o, struct ie_error *err)
{
	const struct dataset *ds = find_dataset(name);
	struct strbuf stage = STRBUF_INIT;
	struct file_list files = { 0 };
	int ret;

	if (!ds)
		return ie_error_set(err, IE_EUSAGE, "unknown dataset '%s'", name);
	if ((ret = file_mkdirs(o->data_dir, err)) < 0)
		return ret;
	strbuf_addf(&stage, "%s/.download-%s-%ld", o->data_dir, name, (long)getpid());
	file_remove_tree(stage.buf);
	if ((ret = file_mkdirs(stage.buf, err)) < 0)
		goto out;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; i < ds->n && !ret; i++)
		ret = fetch_source(&ds->sources[i], o, stage.buf, err);
	if (!ret)
		list_files(stage.buf, "", &files);
	if (!ret)
		ret = check_stage(ds, stage.buf, &files, err);
	if (!ret)
		ret = install(o->data_dir, stage.buf, &files, err);
out:
	file_remove_tree(stage.buf);
	list_release(&files);
	strbuf_release(&stage);
	return ret;
}

/* ---- verifying ---- */

static int check_file(const char *data_dir, const char *rel, const char *want, FILE *out,
		      int *problems)
{
	char *full = path_join(data_dir, rel), hex[65];
	int ret = 0;

	if (!file_exists(full)) {
		fprintf(out, "missing   %s\n", rel);
		++*problems;
	} else if (sha256_file(full, hex, NULL) < 0 || strcmp(hex, want)) {
		fprintf(out, "CHANGED   %s (sha256 %s, expected %s)\n", rel, hex, want);
		++*problems;
	} else {
		ret = 1;
	}
	free(full);
	return ret;
}

/* The record's hashes of files without a pinned one: {path: sha256}. */
static json_t *recorded_hashes(const char *data_dir)
{
	char *record = path_join(data_dir, RECORD_FILE), *text = NULL, *save = NULL;
	json_t *out = json_object();
	size_t len;

	/* The record is read outside any task's read ledger: it is not data. */
	if (file_read(record, &text, &len, NULL) == 0) {
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *rel = strlen(line) > 66 ? line + 66 : "";

			line[64] = '\0';
			if (*rel && !pinned(rel))
				json_object_set_new(out, rel, json_string(line));
		}
	}
	free(text);
	free(record);
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

int dataset_verify(const char *name, const char *data_dir, FILE *out, int *problems,
		   struct ie_error *err)
{
	const struct dataset *ds = find_dataset(name);
	json_t *rec, *sha;
	const char *rel;
	size_t ok = 0, seen = 0;

	*problems = 0;
	if (!ds)
		return ie_error_set(err, IE_EUSAGE, "unknown dataset '%s'", name);
	for (const struct dataset_checksum *c = dataset_checksums; c->path; c++) {
		if (strncmp(c->path, ds->prefix, strlen(ds->prefix)))
			continue;
		seen++;
		ok += (size_t)check_file(data_dir, c->path, c->sha256, out, problems);
	}
	rec = recorded_hashes(data_dir);
	json_object_foreach(rec, rel, sha) {
		if (strncmp(rel, ds->prefix, strlen(ds->prefix)))
			continue;
		seen++;
		ok += (size_t)check_file(data_dir, rel, json_string_value(sha), out, problems);
	}
	json_decref(rec);
	if (!seen) {
		fprintf(out, "missing   %s (not downloaded: 'instructeval download %s')\n",
			ds->prefix, name);
		++*problems;
	}
	fprintf(out, "%-10s %zu of %zu files verified\n", name, ok, seen);
	return 0;
}
