/* instructeval mkmodel: a random-weight GGUF model for tests. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "instructeval/mkmodel.h"
#include "util/banned.h"

static void help(void)
{
	printf("usage: instructeval mkmodel --vocab FILE --out FILE [options]\n\n"
	       "Writes a GGUF model with random weights and the tokenizer of a\n"
	       "tokenizer-only GGUF (llama.cpp's models/ggml-vocab-*.gguf). The same options\n"
	       "give the same bytes.\n\n"
	       "Options:\n"
	       "  --arch A        llama (default; LLaMA, Alpaca, Vicuna, ...), gpt-neox\n"
	       "                  (Pythia, Dolly, RedPajama) or t5 (encoder-decoder: Flan-T5,\n"
	       "                  mT0, UL2; --layers blocks in each of encoder and decoder)\n"
	       "  --layers N      transformer blocks (default 2)\n"
	       "  --dim N         embedding size (default 64)\n"
	       "  --heads N       attention heads (default 4)\n"
	       "  --kv-heads N    key/value heads (default 2)\n"
	       "  --ff N          feed-forward size (default 128)\n"
	       "  --ctx N         training context recorded in the model (default 4096)\n"
	       "  --seed N        weight seed (default 0)\n"
	       "  --f16           store matrices as F16 (default F32)\n%s",
	       cli_exit_help);
}

int cmd_mkmodel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "vocab", required_argument, NULL, 'v' },
		{ "out", required_argument, NULL, 'o' },
		{ "layers", required_argument, NULL, 'L' },
		{ "dim", required_argument, NULL, 'D' },
		{ "heads", required_argument, NULL, 'H' },
		{ "kv-heads", required_argument, NULL, 'K' },
		{ "ff", required_argument, NULL, 'F' },
		{ "ctx", required_argument, NULL, 'C' },
		{ "seed", required_argument, NULL, 's' },
		{ "f16", no_argument, NULL, '6' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ie_mkmodel_params p;
	struct ie_error err = { 0 };
	int c;
	long v;

	ie_mkmodel_params_init(&p);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int *field = NULL;
		const char *name = NULL;

		switch (c) {
		case 'a': p.arch = optarg; continue;
		case 'v': p.vocab = optarg; continue;
		case 'o': p.out = optarg; continue;
		case '6': p.f16 = 1; continue;
		case 'h': help(); return 0;
		case 's':
			if (cli_u64("mkmodel", "--seed", optarg, &p.seed) < 0)
				return 2;
			continue;
		case 'L': field = &p.layers, name = "--layers"; break;
		case 'D': field = &p.dim, name = "--dim"; break;
		case 'H': field = &p.heads, name = "--heads"; break;
		case 'K': field = &p.kv_heads, name = "--kv-heads"; break;
		case 'F': field = &p.ff, name = "--ff"; break;
		case 'C': field = &p.ctx, name = "--ctx"; break;
		default: return cli_usage_error("mkmodel", "unknown option");
		}
		if (cli_int("mkmodel", name, optarg, 1, 1 << 20, &v) < 0)
			return 2;
		*field = (int)v;
	}
	if (optind < argc)
		return cli_usage_error("mkmodel", "unexpected argument '%s'", argv[optind]);
	if (!p.vocab || !p.out)
		return cli_usage_error("mkmodel", "--vocab and --out are required");
	if (ie_mkmodel(&p, &err) < 0)
		return cli_fail(&err);
	return 0;
}
