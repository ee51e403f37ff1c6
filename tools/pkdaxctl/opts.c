// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turns a command's option table into what getopt_long parses with and
 * into its --help text, so an option is added or changed in one place.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"

#define WIDTH		79	/* --help wraps before this column */
#define HELP_COL_MAX	26	/* longer option names put help on the next line */

static bool has_short(const struct pkd_opt *o)
{
	return o->val < PKD_LONGOPT_BASE;
}

static void build(struct pkd_getopt *g)
{
	const struct pkd_opt *o;
	char *s = g->shorts;
	int n = 0;

	*s++ = ':';	/* a missing value returns ':', not '?' */
	for (o = g->cl->opts; o->name; o++, n++) {
		if (n == PKD_OPTS_MAX) {
			/* a table the arrays cannot hold is a bug in the table */
			pkd_err("more than %d options; raise PKD_OPTS_MAX",
				PKD_OPTS_MAX);
			abort();
		}
		g->longs[n] = (struct option){
			.name = o->name,
			.has_arg = o->arg ? required_argument : no_argument,
			.val = o->val,
		};
		if (has_short(o)) {
			*s++ = (char)o->val;
			if (o->arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	g->longs[n] = (struct option){ 0 };
	/* getopt's own messages are off: bad_option() writes one line, ours */
	opterr = 0;
}

/* getopt_long's ':' (missing value) or '?' (unknown option) */
static int bad_option(int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return pkd_usage_err("option '%s' needs a value; see pkdaxctl %s --help",
				     arg, pkd_cmd);
	if (optopt && optopt != '?')
		return pkd_usage_err("unknown option '-%c'; see pkdaxctl %s --help",
				     optopt, pkd_cmd);
	return pkd_usage_err("unknown option '%s'; see pkdaxctl %s --help",
			     arg, pkd_cmd);
}

int pkd_getopt(struct pkd_getopt *g, int argc, char **argv)
{
	int c;

	if (!g->shorts[0])
		build(g);
	for (;;) {
		c = getopt_long(argc, argv, g->shorts, g->longs, NULL);
		if (c == PKD_SHORT_VERBOSE) {
			pkd_verbose++;
		} else if (g->target && c == PKD_SHORT_REGION) {
			g->target->region = optarg;
		} else if (g->target && c == PKD_LONGOPT_IMAGE) {
			if (!*optarg) {
				g->status = pkd_usage_err("--image needs a file name, not an empty string");
				return -1;
			}
			g->target->image = optarg;
		} else if (g->target && c == PKD_LONGOPT_TIMEOUT) {
			if (pkd_parse_u32(optarg, &g->target->timeout)) {
				g->status = pkd_usage_err("invalid --timeout '%s': use a whole number of seconds (0: do not wait)",
							  optarg);
				return -1;
			}
			g->target->has_timeout = true;
		} else {
			break;
		}
	}
	if (c == -1 && !g->cl->operands && optind < argc) {
		g->status = pkd_usage_err("unexpected argument '%s'; see pkdaxctl %s --help",
					  argv[optind], pkd_cmd);
		return -1;
	}
	if (c == -1)
		return 0;
	if (c == PKD_SHORT_HELP && !strcmp(argv[optind - 1], "--help")) {
		g->status = pkd_show_man(pkd_cmd);
		return -1;
	}
	if (c == PKD_SHORT_HELP) {
		pkd_usage(stdout, g->cl);
		g->status = PKD_EXIT_OK;
		return -1;
	}
	if (c == ':' || c == '?') {
		g->status = bad_option(c, argv);
		return -1;
	}
	return c;
}

/* Word @s of @len bytes at *col, on a new line indented by @indent if full */
static void put_word(FILE *f, int *col, int indent, const char *s, int len)
{
	if (*col > indent && *col + 1 + len > WIDTH) {
		fprintf(f, "\n%*s", indent, "");
		*col = indent;
	} else if (*col > indent) {
		fputc(' ', f);
		(*col)++;
	}
	fprintf(f, "%.*s", len, s);
	*col += len;
}

static void put_words(FILE *f, int *col, int indent, const char *text)
{
	while (*text) {
		int len = (int)strcspn(text, " ");

		if (len)
			put_word(f, col, indent, text, len);
		text += len + (text[len] == ' ');
	}
}

/* "-r REGION" or "--offset OFF", in [] unless required */
static void put_synopsis(FILE *f, int *col, int indent, const struct pkd_opt *o)
{
	const char *open = o->flags & PKD_OPT_REQUIRED ? "" : "[";
	const char *close = *open ? "]" : "";
	char name[64], buf[160];
	int len;

	if (has_short(o))
		snprintf(name, sizeof(name), "-%c", o->val);
	else
		snprintf(name, sizeof(name), "--%s", o->name);
	len = snprintf(buf, sizeof(buf), "%s%s%s%s%s", open, name,
		       o->arg ? " " : "", o->arg ? o->arg : "", close);
	if (len >= (int)sizeof(buf))
		len = (int)sizeof(buf) - 1;
	put_word(f, col, indent, buf, len);
}

/* "  -r, --region=REGION" or "      --image=FILE"; returns its width */
static int put_names(FILE *f, const struct pkd_opt *o)
{
	int len;

	if (has_short(o))
		len = fprintf(f, "  -%c, ", o->val);
	else
		len = fprintf(f, "      ");
	len += fprintf(f, "--%s", o->name);
	if (o->arg)
		len += fprintf(f, "=%s", o->arg);
	return len;
}

static int names_width(const struct pkd_opt *o)
{
	return 6 + 2 + (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
}

void pkd_usage(FILE *f, const struct pkd_cmdline *cl)
{
	const struct pkd_opt *o;
	int col, indent, help_col = 0;

	col = fprintf(f, "usage: pkdaxctl %s ", pkd_cmd);
	indent = col;
	if (cl->operands)
		put_words(f, &col, indent, cl->operands);
	for (o = cl->opts; o->name; o++)
		put_synopsis(f, &col, indent, o);
	fputc('\n', f);

	for (o = cl->opts; o->name; o++) {
		int w = names_width(o);

		if (w <= HELP_COL_MAX && w > help_col)
			help_col = w;
	}
	help_col += 2;
	for (o = cl->opts; o->name; o++) {
		col = put_names(f, o);
		if (col + 2 > help_col) {
			fputc('\n', f);
			col = 0;
		}
		fprintf(f, "%*s", help_col - col, "");
		col = help_col;
		put_words(f, &col, help_col, o->help);
		fputc('\n', f);
	}
	if (cl->notes)
		fputs(cl->notes, f);
}

void pkd_list_opts(FILE *f, const struct pkd_cmdline *cl)
{
	for (const struct pkd_opt *o = cl->opts; o->name; o++) {
		if (has_short(o))
			fprintf(f, "-%c ", o->val);
		fprintf(f, "--%s%s%s\n", o->name, o->arg ? "=" : "",
			o->arg ? o->arg : "");
	}
}
