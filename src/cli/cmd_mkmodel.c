/* instructeval mkmodel: a random-weight GGUF model for tests. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "instructeval/mkmodel.h"
#include "util/banned.h"

static const struct cli_opt mkmodel_opts[] = {
	{ "vocab", 'v', "FILE", "the tokenizer-only GGUF whose vocabulary the model gets" },
	{ "out", 'o', "FILE", "the model to write" },
	{ "arch", 'a', "A",
	  "llama (default; LLaMA, Alpaca, Vicuna, ...), gpt-neox (Pythia, Dolly, RedPajama, "
	  "StableLM-alpha), bloom (BLOOMZ), stablelm (StableLM-3B-4E1T, StableLM 2), mpt "
	  "(MPT-Instruct, MPT-Chat), falcon (Falcon-Instruct) or t5 (encoder-decoder: Flan-T5, "
	  "mT0, UL2; --layers blocks in each of encoder and decoder)" },
	{ "layers", 'L', "N", "transformer blocks (default 2)" },
	{ "dim", 'D', "N", "embedding size (default 64)" },
	{ "heads", 'H', "N", "attention heads (default 4)" },
	{ "kv-heads", 'K', "N", "key/value heads (default 2)" },
	{ "ff", 'F', "N", "feed-forward size (default 128)" },
	{ "ctx", 'C', "N", "training context recorded in the model (default 4096)" },
	{ "seed", 's', "N", "weight seed (default 0)" },
	{ "f16", '6', NULL, "store matrices as F16 (default F32)" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt_group mkmodel_groups[] = {
	{ "Options", mkmodel_opts },
	{ NULL, NULL },
};

static const struct cli_spec mkmodel_spec = {
	.name = "mkmodel",
	.usage = "mkmodel --vocab FILE --out FILE [options]",
	.about = "Writes a GGUF model with random weights and the tokenizer of a\n"
		 "tokenizer-only GGUF (llama.cpp's models/ggml-vocab-*.gguf). The same options\n"
		 "give the same bytes.\n",
	.groups = mkmodel_groups,
};

int cmd_mkmodel(int argc, char **argv)
{
	struct ie_mkmodel_params p;
	struct ie_error err = { 0 };
	int c;
	long v;

	ie_mkmodel_params_init(&p);
	optind = 1;
	while ((c = cli_getopt(&mkmodel_spec, argc, argv)) != -1) {
		int *field = NULL;
		const char *name = NULL;

		switch (c) {
		case 'a': p.arch = optarg; continue;
		case 'v': p.vocab = optarg; continue;
		case 'o': p.out = optarg; continue;
		case '6': p.f16 = 1; continue;
		case 'h': cli_help(&mkmodel_spec, stdout); return 0;
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
