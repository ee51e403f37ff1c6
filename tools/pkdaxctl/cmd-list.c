// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl list: regions and their namespaces as JSON.  Always a JSON
 * array (even of one element) so scripts can index it the same way
 * every time.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "json.h"
#include "parse.h"
#include "pkdaxctl.h"

static const char usage[] =
"usage: pkdaxctl list [-R] [-N] [-D] [-u] [-r REGION] [-n NAME] [--image FILE]\n"
"  -R, --regions      list regions (default with -N: namespaces nested)\n"
"  -N, --namespaces   list namespaces\n"
"  -D, --devices      add device-dax details from libdaxctl (live only)\n"
"  -u, --human        human-readable sizes, hex offsets\n"
"  -r, --region=R     only region R (pkernN or N)\n"
"  -n, --namespace=N  only the namespace with this name or UUID\n"
"      --image=FILE   act on a region image instead of live regions\n"
"  -h, --help         this text\n"
"With neither -R nor -N, prints regions with their namespaces nested.\n";

enum { OPT_IMAGE = 256 };

static const struct option opts[] = {
	{ "regions", no_argument, NULL, 'R' },
	{ "namespaces", no_argument, NULL, 'N' },
	{ "devices", no_argument, NULL, 'D' },
	{ "human", no_argument, NULL, 'u' },
	{ "region", required_argument, NULL, 'r' },
	{ "namespace", required_argument, NULL, 'n' },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static bool ns_matches(const struct pkern_ns *ns, const char *filter)
{
	char u[37];

	if (!filter)
		return true;
	if (ns->problem == PKERN_P_LBL_CRC)
		return false;
	pkd_uuid_str(ns->uuid, u);
	return !strcmp(ns->name, filter) || !strcasecmp(u, filter);
}

int cmd_list(int argc, char **argv)
{
	struct pkd_target t = { 0 };
	struct json_object *out, *arr;
	bool want_r = false, want_n = false;
	const char *ns_filter = NULL;
	struct pkd_regions rs;
	unsigned int flags = 0;
	int c;

	while ((c = getopt_long(argc, argv, ":RNDur:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			want_r = true;
			break;
		case 'N':
			want_n = true;
			break;
		case 'D':
			flags |= PKD_JSON_DAX;
			break;
		case 'u':
			flags |= PKD_JSON_HUMAN;
			break;
		case 'r':
			t.region = optarg;
			break;
		case 'n':
			ns_filter = optarg;
			break;
		case OPT_IMAGE:
			t.image = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return PKD_EXIT_OK;
		default:
			return pkd_bad_option(c, argv);
		}
	}
	if (optind < argc)
		return pkd_usage_err("unexpected argument '%s'; see pkdaxctl list --help",
				    argv[optind]);
	if (!want_r && !want_n)
		want_r = want_n = true;
	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;

	out = json_object_new_array();
	for (int i = 0; i < rs.n; i++) {
		struct pkd_region *r = rs.r[i];
		const struct pkern_ns *ns;
		struct json_object *jr = NULL;

		if (want_r) {
			jr = pkd_region_json(r, flags);
			json_object_array_add(out, jr);
		}
		if (!want_n)
			continue;
		arr = want_r ? json_object_new_array() : out;
		pkern_for_each_ns(r->lr, ns)
			if (ns_matches(ns, ns_filter))
				json_object_array_add(arr, pkd_ns_json(r, ns,
					flags | (want_r ? 0 : PKD_JSON_REGION)));
		if (want_r)
			json_object_object_add(jr, "namespaces", arr);
	}
	pkd_json_print(out);
	pkd_close_all(&rs);
	return PKD_EXIT_OK;
}
