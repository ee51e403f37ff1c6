// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl list: regions and their namespaces as JSON.  Always a JSON
 * array (even of one element) so scripts can index it the same way
 * every time.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"

static const struct pkd_opt opts[] = {
	{ "regions", 'R', NULL,
	  "list regions (default with -N: namespaces nested)", 0 },
	{ "namespaces", 'N', NULL, "list namespaces", 0 },
	{ "devices", 'D', NULL,
	  "add device-dax details from libdaxctl (live only)", 0 },
	{ "media-errors", 'M', NULL,
	  "add the recorded bad ranges (\"badblocks\")", 0 },
	PKD_OPT_HUMAN,
	PKD_OPT_REGION,
	{ "namespace", 'n', "NAMESPACE",
	  "only the namespace with this name or UUID", 0 },
	{ "type", 't', "guest|iommu", "only namespaces of this kind", 0 },
	{ "device", 'd', "DEVICE",
	  "only the namespace of device daxR.S or pkernR.S (on an image: slot S)", 0 },
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline list_cmdline = {
	.opts = opts,
	.notes = "With neither -R nor -N, prints regions with their namespaces nested.\n"
		 "Filters combine; -r all is every region.\n",
};

/* What -n, -t and -d keep; -1 in a field: no such filter */
struct ns_filter {
	const char *name;	/* name or UUID */
	long kind;		/* PKERN_KIND_* */
	long region, slot;	/* from daxR.S or pkernR.S */
};

/* "dax0.3" or "pkern0.3" -> 0 and 3 */
static int parse_device(const char *s, long *region, long *slot)
{
	u32 r, sl;
	const char *dot;
	char buf[16];

	if (!strncmp(s, "dax", 3))
		s += 3;
	else if (!strncmp(s, "pkern", 5))
		s += 5;
	else
		return -1;
	dot = strchr(s, '.');
	if (!dot || (size_t)(dot - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(dot - s));
	buf[dot - s] = '\0';
	if (pkd_parse_u32(buf, &r) || pkd_parse_u32(dot + 1, &sl) ||
	    r > 0x7fffffff || sl > 0x7fffffff)
		return -1;
	*region = r;
	*slot = sl;
	return 0;
}

static bool ns_matches(const struct pkd_region *r, const struct pkern_ns *ns,
		       const struct ns_filter *f)
{
	char u[37];

	/* an image has no region number: its slot alone names the device */
	if (f->slot >= 0 && (ns->slot != f->slot ||
			     (r->live && r->id != f->region)))
		return false;
	if (!f->name && f->kind < 0)
		return true;
	if (ns->problem == PKERN_P_LBL_CRC)
		return false;
	if (f->kind >= 0 && ns->kind != f->kind)
		return false;
	if (!f->name)
		return true;
	pkd_uuid_str(ns->uuid, u);
	return !strcmp(ns->name, f->name) || !strcasecmp(u, f->name);
}

int cmd_list(int argc, char **argv)
{
	struct pkd_target t = { .readonly = true };
	struct json_object *out, *arr;
	bool want_r = false, want_n = false;
	struct ns_filter nf = { .kind = -1, .region = -1, .slot = -1 };
	struct pkd_regions rs;
	struct pkd_getopt g = { .cl = &list_cmdline, .target = &t };
	unsigned int flags = 0;
	int c;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
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
		case 'M':
			flags |= PKD_JSON_MEDIA_ERRORS;
			break;
		case 'u':
			flags |= PKD_JSON_HUMAN;
			break;
		case 'n':
			nf.name = optarg;
			break;
		case 't':
			if (!strcmp(optarg, "guest"))
				nf.kind = PKERN_KIND_GUEST;
			else if (!strcmp(optarg, "iommu"))
				nf.kind = PKERN_KIND_IOMMU;
			else
				return pkd_usage_err("invalid --type '%s': use guest or iommu",
						     optarg);
			break;
		case 'd':
			if (parse_device(optarg, &nf.region, &nf.slot))
				return pkd_usage_err("invalid --device '%s': use daxR.S or pkernR.S, e.g. dax0.3",
						     optarg);
			break;
		}
	}
	if (c < 0)
		return g.status;
	if (t.region && !strcmp(t.region, "all"))
		t.region = NULL;
	/* as ndctl list: -v regions and namespaces, -vv media errors, -vvv devices */
	if (!want_r && !want_n)
		want_r = want_n = true;
	if (pkd_verbose >= 1)
		want_r = want_n = true;
	if (pkd_verbose >= 2)
		flags |= PKD_JSON_MEDIA_ERRORS;
	if (pkd_verbose >= 3 && !t.image)
		flags |= PKD_JSON_DAX;
	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;

	out = json_object_new_array();
	for (int i = 0; i < rs.n; i++) {
		struct pkd_region *r = rs.r[i];
		const struct pkern_ns *ns;
		struct json_object *jr = NULL;

		/* -d on live regions names one region too */
		if (r->live && nf.region >= 0 && r->id != nf.region)
			continue;
		if (want_r) {
			jr = pkd_region_json(r, flags);
			json_object_array_add(out, jr);
		}
		if (!want_n)
			continue;
		arr = want_r ? json_object_new_array() : out;
		pkern_for_each_ns(r->labels, ns)
			if (ns_matches(r, ns, &nf))
				json_object_array_add(arr, pkd_ns_json(r, ns,
					flags | (want_r ? 0 : PKD_JSON_REGION)));
		if (want_r)
			json_object_object_add(jr, "namespaces", arr);
	}
	pkd_json_print(out);
	pkd_close_all(&rs);
	return PKD_EXIT_OK;
}

/*
 * Hidden, for the bash completion: region or namespace names one per line,
 * so completing needs no JSON tool.  Never waits for an image's lock: a
 * shell must not hang on a tab.
 */
int pkd_list_names(const char *what, const char *image)
{
	struct pkd_target t = { .image = image, .readonly = true,
				.has_timeout = image != NULL };
	bool regions = !strcmp(what, "regions");
	struct pkd_regions rs;

	if (!regions && strcmp(what, "namespaces"))
		return pkd_usage_err("--list-names takes regions or namespaces");
	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	for (int i = 0; i < rs.n; i++) {
		const struct pkern_ns *ns;

		if (regions) {
			printf("%s\n", rs.r[i]->dev);
			continue;
		}
		pkern_for_each_ns(rs.r[i]->labels, ns)
			if (ns->problem != PKERN_P_LBL_CRC && ns->name[0])
				printf("%s\n", ns->name);
	}
	pkd_close_all(&rs);
	return PKD_EXIT_OK;
}
