/* instructeval download, verify and data-status: get the benchmark data and
 * check it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "data/datasets.h"
#include "instructeval/eval.h"
#include "util/banned.h"

#define DATA_OPTION                                                              \
	{ "data", 'd', "DIR",                                                    \
	  "the data folder (default: $INSTRUCTEVAL_DATA, else "                  \
	  "~/.local/share/instructeval)" }

static const struct cli_opt download_opts[] = {
	DATA_OPTION,
	{ "mirror", 'm', "URL|DIR",
	  "fetch from a mirror instead: a URL or a local folder laid out as a data folder "
	  "(MIRROR/mmlu/dev/..., e.g. another machine's) or as the canonical addresses "
	  "(MIRROR/HOST/PATH); the layout is found per dataset" },
	{ "retries", 'r', "N",
	  "attempts after the first when a transfer breaks (default 4); each resumes where "
	  "the last stopped" },
	{ "quiet", 'q', NULL, "print nothing but errors (no progress bars)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group download_groups[] = {
	{ "Options", download_opts },
	{ NULL, NULL },
};

static const struct cli_spec download_spec = {
	.name = "download",
	.usage = "download [DATASET...] [--data DIR] [--mirror URL|DIR]",
	.about = "Downloads benchmark datasets from their canonical public addresses into the\n"
		 "data folder, checks each file against the sha256 of the published file where\n"
		 "one is known, and installs each file whole. Hashes of what was installed are\n"
		 "recorded for 'instructeval verify'. Without DATASET, all of them.\n\n"
		 "Transfers survive: a broken connection is resumed, and what a failed or\n"
		 "killed download fetched waits in DATA/.partial for the next one, which asks\n"
		 "only for the rest. On a terminal each file gets a progress bar.\n\n"
		 "Datasets: mmlu, bbh, drop, crass, humaneval, hhh, impact\n",
	.groups = download_groups,
};

static const struct cli_opt verify_opts[] = {
	DATA_OPTION,
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group verify_groups[] = {
	{ "Options", verify_opts },
	{ NULL, NULL },
};

static const struct cli_spec verify_spec = {
	.name = "verify",
	.usage = "verify [DATASET...] [--data DIR]",
	.about = "Checks the data folder: every file with a known published sha256, and every\n"
		 "file recorded by 'instructeval download', is present and unchanged. Prints\n"
		 "one line per problem and a count per dataset; exits 2 when any file is\n"
		 "missing, changed or has no known hash. Without DATASET, all of them.\n",
	.groups = verify_groups,
};

static const struct cli_opt status_opts[] = {
	DATA_OPTION,
	{ "json", 'j', NULL, "one JSON document: every file's state and hashes" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group status_groups[] = {
	{ "Options", status_opts },
	{ NULL, NULL },
};

static const struct cli_spec status_spec = {
	.name = "data-status",
	.usage = "data-status [DATASET...] [--data DIR] [--json]",
	.about = "One line per dataset: whether the data folder holds it (present), lacks it\n"
		 "(missing), holds part of it (incomplete), holds a file whose sha256 is not\n"
		 "the published or downloaded one (modified), or holds files no hash is known\n"
		 "for (unverified: placed by hand), with the count of files in each state.\n"
		 "Without DATASET, all of them. Exits 0 whatever the state.\n",
	.groups = status_groups,
};

struct common {
	const char *data;
	const char *mirror;
	int quiet, json;
	long retries;
};

/* Parses a command's options; the datasets are argv[optind..argc).
 * Returns 0 to go on, 1 after --help, else the exit status. */
static int parse(const struct cli_spec *spec, int argc, char **argv, struct common *o)
{
	int c;

	optind = 1;
	while ((c = cli_getopt(spec, argc, argv)) != -1) {
		switch (c) {
		case 'd': o->data = optarg; break;
		case 'm': o->mirror = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'j': o->json = 1; break;
		case 'r':
			if (cli_int(spec->name, "--retries", optarg, 0, 100, &o->retries) < 0)
				return 2;
			break;
		case 'h': cli_help(spec, stdout); return 1;
		default: return cli_usage_error(spec->name, "unknown option");
		}
	}
	for (int i = optind; i < argc; i++) {
		int known = 0;

		for (const char *const *n = dataset_names(); *n; n++)
			known |= !strcmp(*n, argv[i]);
		if (!known)
			return cli_usage_error(spec->name, "unknown dataset '%s'", argv[i]);
	}
	if (!o->data)
		o->data = ie_default_data_dir();
	return 0;
}

/* The datasets named after the options, else all: the i-th, or NULL. */
static const char *nth_dataset(int argc, char **argv, int i)
{
	const char *const *all = dataset_names();

	if (optind < argc)
		return optind + i < argc ? argv[optind + i] : NULL;
	for (int k = 0; k < i; k++)
		if (!all[k])
			return NULL;
	return all[i];
}

int cmd_download(int argc, char **argv)
{
	struct common c = { .retries = 4 };
	struct download_opts o = { 0 };
	struct ie_error err = { 0 };
	const char *name;
	int ret = parse(&download_spec, argc, argv, &c);

	if (ret)
		return ret == 1 ? 0 : ret;
	o.data_dir = c.data;
	o.mirror = c.mirror;
	o.quiet = c.quiet;
	o.progress = !c.quiet && isatty(STDERR_FILENO);
	o.retries = (int)c.retries;
	for (int i = 0; (name = nth_dataset(argc, argv, i)); i++) {
		if (dataset_download(name, &o, &err) < 0)
			return cli_fail(&err);
		if (!o.quiet)
			printf("%s: installed in %s\n", name, o.data_dir);
	}
	return 0;
}

static void print_problem(const struct data_file_status *f)
{
	switch (f->state) {
	case DATA_MISSING:
		printf("missing    %s\n", f->path);
		break;
	case DATA_CHANGED:
		printf("CHANGED    %s (sha256 %s, expected %s)\n", f->path, f->sha256,
		       f->expected);
		break;
	case DATA_UNVERIFIED:
		printf("unverified %s (no known sha256: not installed by 'instructeval "
		       "download')\n", f->path);
		break;
	case DATA_OK:
		break;
	}
}

int cmd_verify(int argc, char **argv)
{
	struct common c = { 0 };
	struct ie_error err = { 0 };
	const char *name;
	int total = 0, ret = parse(&verify_spec, argc, argv, &c);

	if (ret)
		return ret == 1 ? 0 : ret;
	for (int i = 0; (name = nth_dataset(argc, argv, i)); i++) {
		struct data_file_status *files;
		size_t n, ok = 0, missing = 0;

		if (dataset_status(name, c.data, &files, &n, &err) < 0)
			return cli_fail(&err);
		for (size_t k = 0; k < n; k++) {
			print_problem(&files[k]);
			ok += files[k].state == DATA_OK;
			missing += files[k].state == DATA_MISSING;
		}
		if (missing == n)
			printf("missing    %s (not downloaded: 'instructeval download %s')\n",
			       name, name);
		printf("%-10s %zu of %zu files verified\n", name, ok, n);
		total += (int)(n - ok);
		dataset_status_free(files, n);
	}
	if (total)
		fprintf(stderr, "instructeval: %d file(s) missing, changed or unverified in "
			"'%s'\n", total, c.data);
	return total ? 2 : 0;
}

static const char *const state_names[] = { "ok", "missing", "changed", "unverified" };

/* A dataset's state from its files' counts, worst first. */
static const char *dataset_state(const size_t count[4], size_t n)
{
	if (count[DATA_MISSING] == n)
		return "missing";
	if (count[DATA_CHANGED])
		return "modified";
	if (count[DATA_MISSING])
		return "incomplete";
	return count[DATA_UNVERIFIED] ? "unverified" : "present";
}

static json_t *status_json(const char *name, const struct data_file_status *files, size_t n,
			   const char *state)
{
	json_t *arr = json_array();

	for (size_t k = 0; k < n; k++) {
		json_t *f = json_pack("{s:s, s:s}", "path", files[k].path, "state",
				      state_names[files[k].state]);

		if (files[k].sha256[0])
			json_object_set_new(f, "sha256", json_string(files[k].sha256));
		if (files[k].expected[0])
			json_object_set_new(f, "expected", json_string(files[k].expected));
		if (files[k].source)
			json_object_set_new(f, "source", json_string(files[k].source));
		json_array_append_new(arr, f);
	}
	return json_pack("{s:s, s:s, s:o}", "dataset", name, "state", state, "files", arr);
}

int cmd_data_status(int argc, char **argv)
{
	struct common c = { 0 };
	struct ie_error err = { 0 };
	json_t *doc = json_array();
	const char *name;
	int ret = parse(&status_spec, argc, argv, &c);

	if (ret) {
		json_decref(doc);
		return ret == 1 ? 0 : ret;
	}
	if (!c.json)
		printf("%-10s %-11s %5s %5s %8s %8s %10s\n", "dataset", "state", "files", "ok",
		       "missing", "changed", "unverified");
	for (int i = 0; (name = nth_dataset(argc, argv, i)); i++) {
		struct data_file_status *files;
		size_t n, count[4] = { 0 };

		if (dataset_status(name, c.data, &files, &n, &err) < 0) {
			json_decref(doc);
			return cli_fail(&err);
		}
		for (size_t k = 0; k < n; k++)
			count[files[k].state]++;
		if (c.json)
			json_array_append_new(doc, status_json(name, files, n,
							       dataset_state(count, n)));
		else
			printf("%-10s %-11s %5zu %5zu %8zu %8zu %10zu\n", name,
			       dataset_state(count, n), n, count[DATA_OK], count[DATA_MISSING],
			       count[DATA_CHANGED], count[DATA_UNVERIFIED]);
		dataset_status_free(files, n);
	}
	if (c.json) {
		json_t *out = json_pack("{s:s, s:O}", "data", c.data, "datasets", doc);

		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	}
	json_decref(doc);
	return 0;
}
