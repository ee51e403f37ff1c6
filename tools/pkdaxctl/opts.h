/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pkdaxctl command lines.  Each command declares its options once, with
 * their help text, in a table of struct pkd_opt; getopt_long's short
 * string and option array, the --help text and the option list the bash
 * completion asks for (pkdaxctl --list-opts CMD) are all made from it.
 */
#ifndef PKDAXCTL_OPTS_H
#define PKDAXCTL_OPTS_H

#include <getopt.h>
#include <stdio.h>

struct pkd_target;

/* Codes of options without a short letter: above every character */
enum {
	PKD_LONGOPT_BASE = 256,
	PKD_LONGOPT_IMAGE = PKD_LONGOPT_BASE,
	PKD_LONGOPT_TIMEOUT,
	PKD_LONGOPT_CMD,	/* first code free for a command's own */
};

/* pkd_opt.flags */
#define PKD_OPT_REQUIRED	1u	/* not in [] in the synopsis */

struct pkd_opt {
	const char *name;	/* long name, without the dashes */
	int val;		/* short letter, or a PKD_LONGOPT_* code */
	/*
	 * Placeholder of the value, NULL for an option that takes none.
	 * The completion goes by it: FILE, REGION and NAMESPACE (an
	 * existing one) are completed, and "a|b|c" offers a, b and c.
	 */
	const char *arg;
	const char *help;	/* for --help, wrapped at 79 columns */
	unsigned int flags;
};

/* Options several commands share, declared here once */
#define PKD_SHORT_REGION	'r'
#define PKD_OPT_REGION_AS(help)	{ "region", PKD_SHORT_REGION, "REGION", help, 0 }
#define PKD_OPT_REGION	PKD_OPT_REGION_AS("only region REGION (pkernN or N)")
#define PKD_OPT_IMAGE	{ "image", PKD_LONGOPT_IMAGE, "FILE", \
			  "act on the region image FILE instead of live regions", 0 }
#define PKD_OPT_TIMEOUT	{ "timeout", PKD_LONGOPT_TIMEOUT, "SECONDS", \
			  "with --image: give up after SECONDS waiting for another pkdaxctl run's lock on FILE (default: wait)", 0 }
#define PKD_OPT_HUMAN	{ "human", 'u', NULL, "human-readable sizes, hex offsets", 0 }
#define PKD_SHORT_VERBOSE	'v'
#define PKD_OPT_VERBOSE	{ "verbose", PKD_SHORT_VERBOSE, NULL, \
			  "more detail (repeat for more); see the command's page", 0 }
#define PKD_SHORT_HELP	'h'
#define PKD_OPT_HELP	{ "help", PKD_SHORT_HELP, NULL, "-h: print this help; --help: the manual page", 0 }
#define PKD_OPT_END	{ NULL, 0, NULL, NULL, 0 }

/* One command's command line, for its --help and its parser */
struct pkd_cmdline {
	/* synopsis before the options; NULL: the command takes no operands */
	const char *operands;
	const struct pkd_opt *opts;	/* ends with PKD_OPT_END */
	const char *notes;		/* --help text after the options, or NULL */
};

#define PKD_OPTS_MAX	16

/* getopt_long's view of a pkd_cmdline, made on the first pkd_getopt() */
struct pkd_getopt {
	const struct pkd_cmdline *cl;
	struct pkd_target *target;	/* where -r, --image, --timeout go, or NULL */
	char shorts[2 + 2 * PKD_OPTS_MAX];	/* ':', then "x" or "x:" each */
	struct option longs[PKD_OPTS_MAX + 1];
	int status;		/* exit status once pkd_getopt() returned -1 */
};

/*
 * The next option's code (its pkd_opt.val, optarg set as by getopt_long),
 * 0 after the last one, or -1 when the command is to end now with exit
 * status g->status: --help was printed, or a bad option, or an operand
 * to a command that takes none, reported.  With g->target set, -r,
 * --image and --timeout are stored there and not returned; -v is
 * counted in pkd_verbose and never returned.
 */
int pkd_getopt(struct pkd_getopt *g, int argc, char **argv);

void pkd_usage(FILE *f, const struct pkd_cmdline *cl);

/* For the completion: one line per option, e.g. "-r --region=REGION" */
void pkd_list_opts(FILE *f, const struct pkd_cmdline *cl);

#endif /* PKDAXCTL_OPTS_H */
