/* instructeval download and verify: get the benchmark data and check it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "data/datasets.h"
#include "instructeval/eval.h"
#include "util/banned.h"

static void help_download(void)
{
	printf("usage: instructeval download [DATASET...] [--data DIR] [--mirror URL]\n\n"
	       "Downloads benchmark datasets from their canonical public addresses into the\n"
	       "data folder, checks each file against the sha256 of the published file where\n"
	       "one is known, and installs each file whole. Hashes of what was installed are\n"
	       "recorded for 'instructeval verify'. Without DATASET, all of them.\n\n"
	       "Datasets: mmlu, bbh, drop, crass, humaneval, hhh, impact\n\n"
	       "Options:\n"
	       "  --data DIR      the data folder (default: $INSTRUCTEVAL_DATA, else\n"
	       "                  ~/.local/share/instructeval)\n"
	       "  --mirror URL    fetch https://HOST/PATH from URL/HOST/PATH instead\n"
	       "  --quiet         print nothing but errors\n%s",
	       cli_exit_help);
}

static void help_verify(void)
{
	printf("usage: instructeval verify [DATASET...] [--data DIR]\n\n"
	       "Checks the data folder: every file with a known published sha256, and every\n"
	       "file recorded by 'instructeval download', is present and unchanged. Prints\n"
	       "one line per problem and a count per dataset; exits 2 when any file is\n"
	       "missing or changed. Without DATASET, all of them.\n%s",
	       cli_exit_help);
}

/* Parses the shared options; the datasets are argv[*first..argc). */
static int parse(const char *cmd, int argc, char **argv, const char **data, const char **mirror,
		 int *quiet, void (*help)(void))
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "mirror", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *data = optarg; break;
		case 'm':
			if (!mirror)
				return cli_usage_error(cmd, "unknown option");
			*mirror = optarg;
			break;
		case 'q': *quiet = 1; break;
		case 'h': help(); return -1;
		default: return cli_usage_error(cmd, "unknown option");
		}
	}
	for (int i = optind; i < argc; i++) {
		int known = 0;

		for (const char *const *n = dataset_names(); *n; n++)
			known |= !strcmp(*n, argv[i]);
		if (!known)
			return cli_usage_error(cmd, "unknown dataset '%s'", argv[i]);
	}
	if (!*data)
		*data = ie_default_data_dir();
	return 0;
}

int cmd_download(int argc, char **argv)
{
	struct download_opts o = { 0 };
	struct ie_error err = { 0 };
	const char *const *names = dataset_names();
	int ret = parse("download", argc, argv, &o.data_dir, &o.mirror, &o.quiet, help_download);

	if (ret)
		return ret < 0 ? 0 : ret;
	for (int i = optind; i < argc || (optind == argc && *names); i++) {
		const char *name = optind == argc ? *names++ : argv[i];

		if ((ret = dataset_download(name, &o, &err)) < 0)
			return cli_fail(&err);
		if (!o.quiet)
			printf("%s: installed in %s\n", name, o.data_dir);
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct ie_error err = { 0 };
	const char *data = NULL;
	const char *const *names = dataset_names();
	int quiet = 0, total = 0, problems, ret;

	ret = parse("verify", argc, argv, &data, NULL, &quiet, help_verify);
	if (ret)
		return ret < 0 ? 0 : ret;
	for (int i = optind; i < argc || (optind == argc && *names); i++) {
		const char *name = optind == argc ? *names++ : argv[i];

		if (dataset_verify(name, data, stdout, &problems, &err) < 0)
			return cli_fail(&err);
		total += problems;
	}
	if (total)
		fprintf(stderr, "instructeval: %d file(s) missing or changed in '%s'\n", total, data);
	return total ? 2 : 0;
}
