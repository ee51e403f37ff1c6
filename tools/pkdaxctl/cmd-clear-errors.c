// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl clear-errors: forget the recorded bad pages of an explicit
 * range, once the operator knows the memory there is repaired.  Never a
 * default range: forgetting a bad page lets it be handed out again.
 */
#include <stdio.h>

#include "backend.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"

enum { OPT_OFFSET = PKD_LONGOPT_CMD, OPT_LENGTH };

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION_AS("the region (pkernN or N); required with several"),
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	{ "offset", OPT_OFFSET, "OFF",
	  "start of the range, a region offset (4 KiB aligned)",
	  PKD_OPT_REQUIRED },
	{ "length", OPT_LENGTH, "LEN",
	  "bytes of the range (a multiple of 4 KiB)", PKD_OPT_REQUIRED },
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline clear_errors_cmdline = {
	.operands = NULL,
	.opts = opts,
	.notes = "The ranges recorded are in 'pkdaxctl list --media-errors'. Forget only memory known to be repaired: a forgotten page can be given to a new namespace.\n",
};

static int range_arg(const char *what, const char *s, u64 *v)
{
	if (pkd_parse_size(s, v) || *v % PKERN_GRANULE)
		return pkd_usage_err("invalid --%s '%s': use a multiple of 4 KiB, e.g. 0x205000 or 8K",
				     what, s);
	return 0;
}

int cmd_clear_errors(int argc, char **argv)
{
	struct pkd_target t = { 0 };
	struct pkd_getopt g = { .cl = &clear_errors_cmdline, .target = &t };
	bool have_off = false, have_len = false;
	int c, rc, ret = PKD_EXIT_FAIL;
	struct pkd_regions rs;
	struct pkd_region *r;
	u64 off = 0, len = 0;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		switch (c) {
		case OPT_OFFSET:
			if (range_arg("offset", optarg, &off))
				return PKD_EXIT_USAGE;
			have_off = true;
			break;
		case OPT_LENGTH:
			if (range_arg("length", optarg, &len))
				return PKD_EXIT_USAGE;
			have_len = true;
			break;
		}
	}
	if (c < 0)
		return g.status;
	if (!have_off || !have_len || !len)
		return pkd_usage_err("give the range to forget with --offset and a non-zero --length; see pkdaxctl list --media-errors");
	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	if (rs.n != 1) {
		pkd_err("%d regions selected; pick one with -r", rs.n);
		goto out;
	}
	r = rs.r[0];
	rc = r->ops->clear_errors(r, off, len);
	if (rc < 0) {
		pkd_err("cannot clear errors in %s at %#llx+%#llx: %s; nothing changed",
			r->dev, (unsigned long long)off,
			(unsigned long long)len, pkd_strerror(r, rc));
		goto out;
	}
	fprintf(stderr, "forgot %d recorded bad pages in %s\n", rc, r->dev);
	ret = PKD_EXIT_OK;
out:
	pkd_close_all(&rs);
	return ret;
}
