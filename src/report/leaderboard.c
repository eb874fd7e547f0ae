/*
 * The leaderboard of a store: the reference's three boards with one row
 * per model, each cell from that model's newest finished run of the task
 * at the reference settings. Settings that change a task's number (a
 * subset of the items, other shot counts, HumanEval's greedy decoding or
 * sample count, altered data) make a run not the reference's; shown on
 * request, such a run's numbers get rows of their own, labelled with the
 * settings. The writing board's numbers also depend on the judge: its
 * rows say which judge rated them, and each judge gets its own row.
 *
 * The board is built as a JSON document first (the json format is that
 * document), then rendered as Markdown, CSV or a self-contained HTML page.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/html.h"
#include "report/leaderboard.h"
#include "report/report.h"
#include "store/store.h"
#include "tasks/task.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char *str_or(const char *s)
{
	return s ? s : "";
}

/* What tells two models apart: the file's sha256, or a served model's
 * address and name. */
static char *model_key(const json_t *model)
{
	const char *sha = json_string_value(json_object_get(model, "sha256"));
	struct strbuf sb = STRBUF_INIT;

	if (sha)
		strbuf_addf(&sb, "sha256:%s", sha);
	else
		strbuf_addf(&sb, "%s|%s", str_or(json_string_value(json_object_get(model, "url"))),
			    str_or(json_string_value(json_object_get(model, "name"))));
	return strbuf_detach(&sb, NULL);
}

/* A model's (or judge's) name in tables: its name, file or address. */
static const char *identity_name(const json_t *model)
{
	static const char *const members[] = { "name", "file", "url" };

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const char *v = json_string_value(json_object_get(model, members[i]));

		if (v && *v)
			return v;
	}
	return "?";
}

const char *leaderboard_model_label(const json_t *run)
{
	const char *tag = json_string_value(json_object_get(json_object_get(run, "tags"),
							    "model"));

	return tag && *tag ? tag : identity_name(json_object_get(run, "model"));
}

void leaderboard_settings(const json_t *run, const char *task, int with_shots, struct strbuf *sb)
{
	const json_t *results = json_object_get(run, "results");
	const json_t *config = json_object_get(results, "config");
	const json_t *he = json_object_get(config, "humaneval");
	json_int_t limit = json_integer_value(json_object_get(config, "limit"));
	const json_t *shots = json_object_get(json_object_get(config, "shots"), task);
	const struct task_ops *ops = task_find(task);

	strbuf_reset(sb);
	if (limit > 0)
		strbuf_addf(sb, "%slimit=%lld", sb->len ? ", " : "", (long long)limit);

	if (with_shots && json_is_integer(shots) && ops && json_integer_value(shots) != ops->shots)
		strbuf_addf(sb, "%sshots=%lld", sb->len ? ", " : "",
			    (long long)json_integer_value(shots));
	if (!strcmp(task, "humaneval") && json_is_true(json_object_get(he, "greedy")))
		strbuf_addf(sb, "%sgreedy", sb->len ? ", " : "");
	if (!strcmp(task, "humaneval") && json_integer_value(json_object_get(he, "samples")) > 1)
		strbuf_addf(sb, "%ssamples=%lld", sb->len ? ", " : "",
			    (long long)json_integer_value(json_object_get(he, "samples")));
	if (json_is_string(json_object_get(config, "chat_template")))
		strbuf_addf(sb, "%schat template", sb->len ? ", " : "");
	if (json_is_true(json_object_get(config, "fewshot_as_multiturn")))
		strbuf_addf(sb, "%sexemplars as turns", sb->len ? ", " : "");
	if (json_object_get(config, "system"))
		strbuf_addf(sb, "%ssystem prompt", sb->len ? ", " : "");
	if (report_modified_files(results))
		strbuf_addf(sb, "%smodified data", sb->len ? ", " : "");
}

int leaderboard_shots(const json_t *run, const char *task)
{
	const json_t *config = json_object_get(json_object_get(run, "results"), "config");
	const json_t *shots = json_object_get(json_object_get(config, "shots"), task);
	const struct task_ops *ops = task_find(task);

	if (json_is_integer(shots))
		return (int)json_integer_value(shots);
	return ops ? ops->shots : 0;
}

/* The judge of a judged task, as its rows name it; "" for other tasks. */
static const char *judge_label(const json_t *run, const char *task)
{
	const struct task_ops *ops = task_find(task);

	if (!ops || !ops->needs_judge)
		return "";
	return identity_name(json_object_get(json_object_get(run, "results"), "judge"));
}

/* An entry being filled: one model at one setting (and judge). */
struct row {
	char *key;
	json_t *entry;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

/* Whether run r is of the model whose key is mk. */
static int same_model(const json_t *r, const char *mk)
{
	char *rk = model_key(json_object_get(r, "model"));
	int same = !strcmp(rk, mk);

	free(rk);
	return same;
}

const char *leaderboard_model_name(const json_t *runs, const json_t *run)
{
	char *mk = model_key(json_object_get(run, "model"));
	const char *label = NULL;
	size_t i;
	json_t *r;

	json_array_foreach(runs, i, r) {
		if (!same_model(r, mk))
			continue;
		if (json_object_get(json_object_get(r, "tags"), "model")) {
			label = leaderboard_model_label(r);
			break;
		}
		if (!label)
			label = leaderboard_model_label(r);
	}
	free(mk);
	return label ? label : leaderboard_model_label(run);
}

/* An entry's model: its name in every table (leaderboard_model_name) and
 * its tags, each key's newest value among the model's runs. */
static json_t *model_of(const json_t *runs, const json_t *run)
{
	char *mk = model_key(json_object_get(run, "model"));
	json_t *tags = json_object(), *r, *v;
	const char *k;
	size_t i;

	json_array_foreach(runs, i, r) {
		if (!same_model(r, mk))
			continue;
		json_object_foreach(json_object_get(r, "tags"), k, v)
			if (!json_object_get(tags, k))
				json_object_set(tags, k, v);
	}
	r = json_pack("{s:s, s:s, s:o}", "model", leaderboard_model_name(runs, run), "model_key",
		      mk, "tags", tags);
	v = json_object_get(json_object_get(run, "model"), "n_params");
	if (json_is_integer(v))
		json_object_set(r, "n_params", v);
	free(mk);
	return r;
}

static struct row *row_get(struct rows *rs, const json_t *runs, const json_t *run,
			   const char *settings, const char *judge)
{
	char *mk = model_key(json_object_get(run, "model"));
	struct strbuf key = STRBUF_INIT;
	struct row *r;

	strbuf_addf(&key, "%s\x1f%s\x1f%s", mk, settings, judge);
	free(mk);
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].key, key.buf)) {
			strbuf_release(&key);
			return &rs->v[i];
		}
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 16;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	r = &rs->v[rs->n++];
	r->key = strbuf_detach(&key, NULL);
	r->entry = model_of(runs, run);
	json_object_set_new(r->entry, "settings", json_string(settings));
	json_object_set_new(r->entry, "judge", json_string(judge));
	json_object_set_new(r->entry, "scores", json_object());
	json_object_set_new(r->entry, "runs", json_object());
	return r;
}

/* Files each task of a finished run under its entry. */
static void add_run(struct rows *rs, const json_t *runs, const json_t *run, int all_settings,
		    struct strbuf *sb)
{
	const json_t *scores = json_object_get(json_object_get(run, "results"), "scores");
	const char *task;
	json_t *s;

	json_object_foreach((json_t *)scores, task, s) {
		struct row *r;

		leaderboard_settings(run, task, 1, sb);
		if (sb->len && !all_settings)
			continue;
		r = row_get(rs, runs, run, strbuf_str(sb), judge_label(run, task));
		if (json_object_get(json_object_get(r->entry, "scores"), task))
			continue;
		json_object_set(json_object_get(r->entry, "scores"), task, s);
		json_object_set(json_object_get(r->entry, "runs"), task,
				json_object_get(run, "id"));
	}
}

json_t *leaderboard_entries(const json_t *runs, int all_settings)
{
	struct strbuf sb = STRBUF_INIT;
	struct rows rs = { 0 };
	json_t *out = json_array(), *run;
	size_t i;

	json_array_foreach(runs, i, run) {
		const char *status = json_string_value(json_object_get(run, "status"));
		const char *cmd = json_string_value(json_object_get(run, "command"));

		if (status && !strcmp(status, "finished") && cmd && !strcmp(cmd, "run"))
			add_run(&rs, runs, run, all_settings, &sb);
	}
	for (i = 0; i < rs.n; i++) {
		json_array_append_new(out, rs.v[i].entry);
		free(rs.v[i].key);
	}
	free(rs.v);
	strbuf_release(&sb);
	return out;
}

/* The cells of entry e on board b; NULL when it has none there. */
static json_t *board_row(size_t b, const json_t *e)
{
	const json_t *scores = json_object_get(e, "scores"), *eruns = json_object_get(e, "runs");
	size_t w = report_board_width(b);
	json_t *values = json_array(), *partial = json_array(), *out, *runs = json_object();
	int any = 0;

	for (size_t c = 0; c < w; c++) {
		const char *task = report_board_task(b, c);
		int part;
		double v;

		if (report_board_cell(b, c, scores, &v, &part)) {
			json_array_append_new(values, json_real(v));
			any |= task != NULL;
		} else {
			json_array_append_new(values, json_null());
		}
		json_array_append_new(partial, json_boolean(part));
		if (task && json_object_get(eruns, task))
			json_object_set(runs, task, json_object_get(eruns, task));
	}
	if (!any) {
		json_decref(values);
		json_decref(partial);
		json_decref(runs);
		return NULL;
	}
	out = json_pack("{s:O, s:O, s:o, s:o, s:o}", "model", json_object_get(e, "model"),
			"settings", json_object_get(e, "settings"), "values", values, "partial",
			partial, "runs", runs);
	if (*json_string_value(json_object_get(e, "judge")))
		json_object_set(out, "judge", json_object_get(e, "judge"));
	return out;
}

static json_t *board_json(size_t b, const json_t *entries)
{
	json_t *cols = json_array(), *rows = json_array(), *e;
	size_t w = report_board_width(b), i;

	for (size_t c = 0; c < w; c++)
		json_array_append_new(cols, json_string(report_board_heading(b, c)));
	json_array_foreach(entries, i, e) {
		json_t *row = board_row(b, e);

		if (row)
			json_array_append_new(rows, row);
	}
	return json_pack("{s:s, s:s, s:i, s:i, s:o, s:o}", "title", report_board_title(b),
			 "group", report_board_group(b), "decimals", report_board_decimals(b),
			 "averages", (int)(w - report_board_columns(b)), "columns", cols, "rows",
			 rows);
}

json_t *leaderboard_build(const json_t *runs, int all_settings)
{
	json_t *entries = leaderboard_entries(runs, all_settings), *boards = json_array();

	for (size_t b = 0; b < report_boards_n(); b++)
		json_array_append_new(boards, board_json(b, entries));
	json_decref(entries);
	return json_pack("{s:o}", "boards", boards);
}

/* ---- sorting ---- */

/* The index of the heading named col in board (case ignored); -1 for the
 * model's name, -2 when the board has no such column. */
static int column_index(const json_t *board, const char *col)
{
	size_t i;
	json_t *h;

	if (!strcasecmp(col, "model"))
		return -1;
	json_array_foreach(json_object_get(board, "columns"), i, h)
		if (!strcasecmp(json_string_value(h), col))
			return (int)i;
	return -2;
}

static int sort_col;

static int by_model(const json_t *a, const json_t *b)
{
	int c = strcmp(json_string_value(json_object_get(a, "model")),
		       json_string_value(json_object_get(b, "model")));

	return c ? c : strcmp(json_string_value(json_object_get(a, "settings")),
			      json_string_value(json_object_get(b, "settings")));
}

/* Numbers high to low, then cells that did not run; ties by model. */
static int by_cell(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	const json_t *va, *vb;

	if (sort_col < 0)
		return by_model(a, b);
	va = json_array_get(json_object_get(a, "values"), (size_t)sort_col);
	vb = json_array_get(json_object_get(b, "values"), (size_t)sort_col);
	if (json_is_number(va) != json_is_number(vb))
		return json_is_number(va) ? -1 : 1;
	if (json_is_number(va) && json_number_value(va) != json_number_value(vb))
		return json_number_value(va) > json_number_value(vb) ? -1 : 1;
	return by_model(a, b);
}

static void sort_board(json_t *board, int col)
{
	json_t *rows = json_object_get(board, "rows");
	size_t n = json_array_size(rows);
	json_t **v = xcalloc(n + 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(rows, i));
	sort_col = col;
	qsort(v, n, sizeof(*v), by_cell);
	json_array_clear(rows);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, v[i]);
	free(v);
}

int leaderboard_sort(json_t *lb, const char *col, struct ie_error *err)
{
	int found = !col;
	size_t i;
	json_t *board;

	json_array_foreach(json_object_get(lb, "boards"), i, board) {
		/* The board's first average unless told: the reference's order. */
		size_t first_avg = json_array_size(json_object_get(board, "columns")) -
				   (size_t)json_integer_value(json_object_get(board, "averages"));
		int c = col ? column_index(board, col) : (int)first_avg;

		found |= c != -2;
		sort_board(board, c == -2 ? (int)first_avg : c);
	}
	if (!found)
		return ie_error_set(err, IE_EUSAGE, "no board has a column '%s' (columns are "
				    "Model, the boards' headings and Average)", col);
	return 0;
}

/* ---- rendering ---- */

/* What a row's cells need beside the numbers: its settings and judge. */
static int board_has(const json_t *board, const char *member)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(board, "rows"), i, r) {
		const char *v = json_string_value(json_object_get(r, member));

		if (v && *v)
			return 1;
	}
	return 0;
}

/* A cell as text: the number in the board's decimals, "-" when it did
 * not run; a partial average gets mark (CSV: none, it shows "-"). */
static void cell_text(const json_t *board, const json_t *row, size_t c, const char *mark,
		      struct strbuf *sb)
{
	const json_t *v = json_array_get(json_object_get(row, "values"), c);
	int partial = json_is_true(json_array_get(json_object_get(row, "partial"), c));

	strbuf_reset(sb);
	if (!json_is_number(v) || (partial && !mark))
		strbuf_adds(sb, "-");
	else
		strbuf_addf(sb, "%.*f%s", (int)json_integer_value(json_object_get(board,
							"decimals")),
			    json_number_value(v), partial ? mark : "");
}

static void csv_field(struct strbuf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addc(out, '"');
		strbuf_addc(out, *s);
	}
	strbuf_addc(out, '"');
}

static void md_field(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_')
			strbuf_addc(out, '\\');
		strbuf_addc(out, *s == '\n' ? ' ' : *s);
	}
}

typedef void (*field_fn)(struct strbuf *out, const char *s);

/* One table in a delimited form: CSV (a leading Board column, so the
 * three boards are one file) or Markdown. */
static void render_delimited(const json_t *board, int csv, struct strbuf *out)
{
	const char *sep = csv ? "," : " | ", *open = csv ? "" : "| ", *close = csv ? "" : " |";
	field_fn field = csv ? csv_field : md_field;
	int settings = board_has(board, "settings"), judge = board_has(board, "judge");
	const json_t *cols = json_object_get(board, "columns");
	const char *title = json_string_value(json_object_get(board, "title"));
	struct strbuf cell = STRBUF_INIT;
	size_t i, c;
	json_t *row, *h;

	if (!csv)
		strbuf_addf(out, "### %s\n\n", title);
	strbuf_adds(out, open);
	if (csv)
		strbuf_adds(out, "Board,");
	strbuf_adds(out, "Model");
	if (settings)
		strbuf_addf(out, "%sSettings", sep);
	if (judge)
		strbuf_addf(out, "%sJudge", sep);
	json_array_foreach(cols, c, h)
		strbuf_addf(out, "%s%s", sep, json_string_value(h));
	strbuf_addf(out, "%s\n", close);
	if (!csv) {
		strbuf_adds(out, "|---|");
		for (c = 0; c < (size_t)settings + (size_t)judge; c++)
			strbuf_adds(out, "---|");
		for (c = 0; c < json_array_size(cols); c++)
			strbuf_adds(out, "---:|");
		strbuf_addc(out, '\n');
	}
	json_array_foreach(json_object_get(board, "rows"), i, row) {
		strbuf_adds(out, open);
		if (csv) {
			field(out, title);
			strbuf_adds(out, sep);
		}
		field(out, json_string_value(json_object_get(row, "model")));
		if (settings) {
			strbuf_adds(out, sep);
			field(out, json_string_value(json_object_get(row, "settings")));
		}
		if (judge) {
			strbuf_adds(out, sep);
			field(out, str_or(json_string_value(json_object_get(row, "judge"))));
		}
		for (c = 0; c < json_array_size(cols); c++) {
			cell_text(board, row, c, csv ? NULL : "*", &cell);
			strbuf_addf(out, "%s%s", sep, cell.buf);
		}
		strbuf_addf(out, "%s\n", close);
	}
	strbuf_release(&cell);
}

/* One board as an HTML table whose headings sort it (the page's script
 * reads data-v, the unrounded number). */
void leaderboard_html_table(const json_t *board, struct strbuf *out)
{
	int settings = board_has(board, "settings"), judge = board_has(board, "judge");
	const json_t *cols = json_object_get(board, "columns");
	struct strbuf cell = STRBUF_INIT;
	size_t i, c;
	json_t *row, *h;

	strbuf_adds(out, "<h2>");
	html_escape(out, json_string_value(json_object_get(board, "title")));
	strbuf_adds(out, "</h2>\n<table class=\"board sortable\"><thead><tr><th>Model</th>");
	if (settings)
		strbuf_adds(out, "<th>Settings</th>");
	if (judge)
		strbuf_adds(out, "<th>Judge</th>");
	json_array_foreach(cols, c, h) {
		strbuf_adds(out, "<th class=\"num\">");
		html_escape(out, json_string_value(h));
		strbuf_adds(out, "</th>");
	}
	strbuf_adds(out, "</tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(board, "rows"), i, row) {
		strbuf_adds(out, "<tr><td>");
		html_escape(out, json_string_value(json_object_get(row, "model")));
		strbuf_adds(out, "</td>");
		if (settings) {
			strbuf_adds(out, "<td>");
			html_escape(out, json_string_value(json_object_get(row, "settings")));
			strbuf_adds(out, "</td>");
		}
		if (judge) {
			strbuf_adds(out, "<td>");
			html_escape(out, str_or(json_string_value(json_object_get(row, "judge"))));
			strbuf_adds(out, "</td>");
		}
		for (c = 0; c < json_array_size(cols); c++) {
			const json_t *v = json_array_get(json_object_get(row, "values"), c);

			cell_text(board, row, c, "*", &cell);
			if (json_is_number(v))
				strbuf_addf(out, "<td class=\"num\" data-v=\"%.17g\">%s</td>",
					    json_number_value(v), cell.buf);
			else
				strbuf_addf(out, "<td class=\"num\" data-v=\"\">-</td>");
		}
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</tbody></table>\n");
	strbuf_release(&cell);
}

static const char partial_note[] =
	"* an average of only the columns that ran; - not run";

void leaderboard_render(const json_t *lb, enum leaderboard_format fmt, struct strbuf *out)
{
	const json_t *boards = json_object_get(lb, "boards");
	int first = 1;
	size_t i;
	json_t *b;

	if (fmt == LEADERBOARD_JSON) {
		json_append_pretty(out, lb);
		return;
	}
	if (fmt == LEADERBOARD_HTML) {
		html_page_begin(out, "InstructEval leaderboard");
		json_array_foreach(boards, i, b)
			if (json_array_size(json_object_get(b, "rows")))
				leaderboard_html_table(b, out);
		strbuf_addf(out, "<p class=\"note\">%s</p>\n", partial_note);
		html_page_end(out);
		return;
	}
	json_array_foreach(boards, i, b) {
		if (!json_array_size(json_object_get(b, "rows")))
			continue;
		if (!first)
			strbuf_addc(out, '\n');
		render_delimited(b, fmt == LEADERBOARD_CSV, out);
		first = 0;
	}
	if (fmt == LEADERBOARD_MD && !first)
		strbuf_addf(out, "\n%s\n", partial_note);
}

int leaderboard_empty(const json_t *lb)
{
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(lb, "boards"), i, b)
		if (json_array_size(json_object_get(b, "rows")))
			return 0;
	return 1;
}
