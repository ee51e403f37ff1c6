// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl: manage pkern regions and namespaces, live or on an image.
 * This file only dispatches to the commands and owns the message format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "opts.h"
#include "pkdaxctl.h"

const char *pkd_cmd = "pkdaxctl";
int pkd_verbose;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const struct pkd_cmdline *cl;
	const char *what;
} cmds[] = {
	{ "list", cmd_list, &list_cmdline,
	  "list regions and namespaces as JSON" },
	{ "create-namespace", cmd_create, &create_cmdline,
	  "create a guest or iommu namespace" },
	{ "destroy-namespace", cmd_destroy, &destroy_cmdline,
	  "destroy a namespace (memory is zeroed)" },
	{ "init-labels", cmd_init, &init_cmdline,
	  "format a region's label area" },
	{ "check", cmd_check, &check_cmdline,
	  "check a label area, one line per problem" },
	{ "inspect", cmd_inspect, &inspect_cmdline,
	  "decode every label structure as JSON" },
	{ "clear-errors", cmd_clear_errors, &clear_errors_cmdline,
	  "forget recorded bad pages of a range" },
	{ "read-labels", cmd_read_labels, &read_labels_cmdline,
	  "back up a region's label area to a file" },
	{ "write-labels", cmd_write_labels, &write_labels_cmdline,
	  "restore a label area onto a region image" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

/*
 * @s with control characters escaped (\n, \t, \xNN): what a message
 * quotes comes from the command line or the media, and a newline in it
 * must not break the one-line-per-message rule.
 */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void vmsg(const char *fmt, va_list ap)
{
	char *msg = NULL;

	fputs("pkdaxctl ", stderr);
	put_escaped(stderr, pkd_cmd);
	fputs(": ", stderr);
	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("(out of memory formatting a message)\n", stderr);
		return;
	}
	put_escaped(stderr, msg);
	fputc('\n', stderr);
	free(msg);
}

void pkd_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void pkd_info(const char *fmt, ...)
{
	va_list ap;

	if (!pkd_verbose)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

int pkd_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return PKD_EXIT_USAGE;
}

static void usage(FILE *f)
{
	fputs("usage: pkdaxctl [-v|--version] [--help] [--verbose] COMMAND [ARGS]\n"
	      "       pkdaxctl help COMMAND\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-19s %s\n", cmds[i].name, cmds[i].what);
	fputs("\nEvery command takes --image FILE to act on a region image, -v for more\n"
	      "detail, -h for its options and --help for its manual page.\n"
	      "See pkdaxctl(1) and pkdaxctl-COMMAND(1).\n", f);
}

static int find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(name, cmds[i].name))
			return (int)i;
	fputs("pkdaxctl: unknown command '", stderr);
	put_escaped(stderr, name);
	fputs("'; commands:", stderr);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(stderr, " %s", cmds[i].name);
	fputc('\n', stderr);
	return -1;
}

/* Hidden: what the bash completion offers, from the option tables */
static int list_for_completion(int argc, char **argv)
{
	int i;

	if (!strcmp(argv[1], "--list-cmds")) {
		for (size_t j = 0; j < NR_CMDS; j++)
			printf("%s\n", cmds[j].name);
		return PKD_EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-names")) {
		if (argc != 3 && argc != 4) {
			fputs("pkdaxctl: --list-names takes regions or namespaces, and an image\n",
			      stderr);
			return PKD_EXIT_USAGE;
		}
		pkd_cmd = "list";
		return pkd_list_names(argv[2], argc == 4 ? argv[3] : NULL);
	}
	if (argc != 3) {
		fputs("pkdaxctl: --list-opts takes one command\n", stderr);
		return PKD_EXIT_USAGE;
	}
	i = find_cmd(argv[2]);
	if (i < 0)
		return PKD_EXIT_USAGE;
	pkd_list_opts(stdout, cmds[i].cl);
	return PKD_EXIT_OK;
}

static int print_version(void)
{
	printf("pkdaxctl %s (label format %d.%d", PKERN_VERSION, PKERN_MAJOR,
	       PKERN_MINOR);
	if (*PKERN_GIT_REV)
		printf(", git %s", PKERN_GIT_REV);
	puts(")");
	return PKD_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *name;
	int i, rc;

	if (argc < 2) {
		usage(stderr);
		return PKD_EXIT_USAGE;
	}
	/* as ndctl: -v before the command is the version, --verbose is -v after it */
	while (argc > 1 && !strcmp(argv[1], "--verbose")) {
		pkd_verbose++;
		argc--;
		argv++;
	}
	if (argc < 2) {
		usage(stderr);
		return PKD_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--version") || !strcmp(name, "-v") ||
	    !strcmp(name, "version"))
		return print_version();
	if (!strcmp(name, "help") && argc == 3) {
		i = find_cmd(argv[2]);
		if (i < 0)
			return PKD_EXIT_USAGE;
		pkd_cmd = cmds[i].name;
		return pkd_show_man(cmds[i].name);
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		usage(stdout);
		return PKD_EXIT_OK;
	}
	if (!strcmp(name, "--list-cmds") || !strcmp(name, "--list-opts") ||
	    !strcmp(name, "--list-names"))
		return list_for_completion(argc, argv);
	i = find_cmd(name);
	if (i < 0)
		return PKD_EXIT_USAGE;
	pkd_cmd = cmds[i].name;
	/* getopt sees "pkdaxctl-<cmd> args..." */
	rc = cmds[i].fn(argc - 1, argv + 1);
	pkd_dax_release();
	return rc;
}
