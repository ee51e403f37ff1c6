// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl: manage pkern regions and namespaces, live or on an image.
 * This file only dispatches to the commands and owns the message format.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "pkdaxctl.h"

const char *pkd_cmd = "pkdaxctl";

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} cmds[] = {
	{ "list", cmd_list, "list regions and namespaces as JSON" },
	{ "create-namespace", cmd_create, "create a guest or iommu namespace" },
	{ "destroy-namespace", cmd_destroy, "destroy a namespace (memory is zeroed)" },
	{ "init-labels", cmd_init, "format a region's label area" },
	{ "check", cmd_check, "check a label area, one line per problem" },
	{ "inspect", cmd_inspect, "decode every label structure as JSON" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "pkdaxctl %s: ", pkd_cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pkd_err(const char *fmt, ...)
{
	va_list ap;

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

int pkd_bad_option(int c, char **argv)
{
	/* getopt's own messages are off (opterr = 0): one line, ours */
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

static void usage(FILE *f)
{
	fputs("usage: pkdaxctl [--version] [--help] COMMAND [ARGS]\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-19s %s\n", cmds[i].name, cmds[i].what);
	fputs("\nEvery command takes --image FILE to act on a region image, and --help.\n"
	      "See pkdaxctl(1) and pkdaxctl-COMMAND(1).\n", f);
}

int main(int argc, char **argv)
{
	const char *name;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return PKD_EXIT_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("pkdaxctl %s (label format %d.%d)\n", PKDAXCTL_VERSION,
		       PKERN_MAJOR, PKERN_MINOR);
		return PKD_EXIT_OK;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		usage(stdout);
		return PKD_EXIT_OK;
	}
	for (size_t i = 0; i < NR_CMDS; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		pkd_cmd = cmds[i].name;
		opterr = 0;
		/* getopt sees "pkdaxctl-<cmd> args..." */
		rc = cmds[i].fn(argc - 1, argv + 1);
		pkd_dax_release();
		return rc;
	}
	fprintf(stderr, "pkdaxctl: unknown command '%s'; commands:", name);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(stderr, " %s", cmds[i].name);
	fputc('\n', stderr);
	return PKD_EXIT_USAGE;
}
