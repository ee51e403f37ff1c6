// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl check: fsck for label areas.  Runs lib's pkern_load_report()
 * and prints each finding once, one line each (or as JSON).
 * Exit status: 0 clean, 1 problems found, 2 could not check.
 * With --repair a damaged, blank or stale superblock copy is rewritten
 * from the intact one (lib's pkern_repair()), then the region is checked
 * again; nothing is written when there is no intact copy.
 */
#include <stdio.h>

#include "backend.h"
#include "json.h"
#include "opts.h"
#include "pkdaxctl.h"

enum { OPT_REPAIR = PKD_LONGOPT_CMD };

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION,
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	{ "json", 'j', NULL, "findings as JSON instead of text lines", 0 },
	{ "repair", OPT_REPAIR, NULL,
	  "rewrite a damaged, blank or stale superblock copy from the intact one",
	  0 },
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline check_cmdline = {
	.opts = opts,
	.notes = "Exit status: 0 clean, 1 problems found, 2 could not check.\n"
		 "With --repair: the status of the check after the repair.\n",
};

struct check_ctx {
	const struct pkd_region *r;
	struct json_object *arr;	/* JSON mode */
	unsigned int errors, warnings;
};

static bool has_other(enum pkern_problem_code code)
{
	return code == PKERN_P_LBL_OVERLAP || code == PKERN_P_LBL_DUP_NAME ||
	       code == PKERN_P_LBL_DUP_UUID;
}

static void print_line(const struct check_ctx *cx, const struct pkern_problem *p)
{
	const char *sev = p->severity == PKERN_SEV_ERROR ? "error" : "warning";
	char where[32];

	if (p->where == PKERN_AT_SLOT)
		snprintf(where, sizeof(where), "slot %u", p->slot);
	else
		snprintf(where, sizeof(where), "%s", pkern_where_str(p->where));
	printf("%s: %s: %s", cx->r->dev, where, pkern_problem_str(p->code));
	if (has_other(p->code))
		printf(" (conflicts with slot %u)", p->other);
	else if (p->code == PKERN_P_SB_NONE)
		printf(" (unformatted: pkdaxctl init-labels formats it)");
	else if (p->code == PKERN_P_SB_DAMAGED)
		printf(" (labels may still be intact, nothing changed; no intact copy to repair from: do not reformat)");
	else if (p->where <= PKERN_AT_SB1 && p->severity == PKERN_SEV_WARN)
		printf(" (the other copy is intact: pkdaxctl check --repair restores this one)");
	else if (p->code == PKERN_P_SB_SIZE_CHANGED)
		printf(" (formatted for %llu bytes, region has %llu)",
		       (unsigned long long)p->value,
		       (unsigned long long)cx->r->size);
	printf(" [%s]\n", sev);
}

static void add_json(const struct check_ctx *cx, const struct pkern_problem *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "where",
			       json_object_new_string(pkern_where_str(p->where)));
	if (p->where == PKERN_AT_SLOT)
		json_object_object_add(o, "slot",
				       json_object_new_int((int)p->slot));
	json_object_object_add(o, "code", json_object_new_int(p->code));
	json_object_object_add(o, "problem", json_object_new_string(
		pkern_problem_str(p->code)));
	json_object_object_add(o, "severity", json_object_new_string(
		p->severity == PKERN_SEV_ERROR ? "error" : "warning"));
	if (has_other(p->code))
		json_object_object_add(o, "conflict_slot",
				       json_object_new_int((int)p->other));
	if (p->value)
		json_object_object_add(o, "value", pkd_json_u64(p->value));
	json_object_array_add(cx->arr, o);
}

static void on_problem(void *arg, const struct pkern_problem *p)
{
	struct check_ctx *cx = arg;

	if (p->severity == PKERN_SEV_ERROR)
		cx->errors++;
	else
		cx->warnings++;
	if (cx->arr)
		add_json(cx, p);
	else
		print_line(cx, p);
}

/*
 * Rewrite the superblock copy that is not live; prints what it did.
 * Returns 0 if the region may be checked again, else the exit status.
 */
static int repair_one(struct pkd_region *r)
{
	int live = r->labels->active_sb, rc;

	rc = r->ops->repair(r);
	if (rc == 1) {
		printf("%s: superblock copy %d restored from copy %d\n", r->dev,
		       1 - live, live);
		return 0;
	}
	if (!rc) {
		printf("%s: superblock copies are intact, nothing to repair\n",
		       r->dev);
		return 0;
	}
	if (rc == -PKERN_E_CORRUPT)
		pkd_err("%s: no intact superblock copy to restore from: no automatic repair is possible and nothing was changed; the labels may still be intact, do not reformat",
			r->dev);
	else if (rc == -PKERN_E_UNFORMATTED)
		pkd_err("%s: region is unformatted, nothing to repair; nothing was changed",
			r->dev);
	else if (rc == -PKERN_E_VERSION)
		pkd_err("%s: the live superblock has a format version this tool cannot write: no automatic repair is possible and nothing was changed",
			r->dev);
	else
		pkd_err("%s: repair failed: %s", r->dev, pkd_strerror(r, rc));
	return rc == -PKERN_E_IO ? PKD_EXIT_USAGE : PKD_EXIT_FAIL;
}

/* Returns the exit status for this region */
static int check_one(struct pkd_region *r, bool json, struct json_object *out)
{
	struct check_ctx cx = { .r = r };
	struct json_object *o = NULL;
	int rc;

	if (json) {
		o = json_object_new_object();
		cx.arr = json_object_new_array();
		json_object_object_add(o, "dev", json_object_new_string(r->dev));
	}
	rc = pkern_load_report(r->labels, r->media, on_problem, &cx);
	if (rc == -PKERN_E_IO) {
		if (json) {
			json_object_object_add(o, "checked",
					       json_object_new_boolean(false));
			json_object_object_add(o, "problems", cx.arr);
			json_object_array_add(out, o);
		}
		pkd_err("%s: could not read the label area: %s", r->dev,
		       pkd_strerror(r, rc));
		return PKD_EXIT_USAGE;
	}
	if (json) {
		json_object_object_add(o, "checked",
				       json_object_new_boolean(true));
		json_object_object_add(o, "state", json_object_new_string(
			pkern_state_str(pkern_uapi_state(rc))));
		json_object_object_add(o, "errors",
				       json_object_new_int((int)cx.errors));
		json_object_object_add(o, "warnings",
				       json_object_new_int((int)cx.warnings));
		json_object_object_add(o, "problems", cx.arr);
		pkd_badblocks_json(o, r->labels, 0, r->size, 0);
		json_object_array_add(out, o);
	} else if (!cx.errors && !cx.warnings) {
		printf("%s: clean: %u namespace%s, generation %llu\n", r->dev,
		       r->labels->nr_used, r->labels->nr_used == 1 ? "" : "s",
		       (unsigned long long)r->labels->generation);
	}
	/* memory errors are not label damage: reported, exit status kept */
	if (!json && r->labels->nr_bad)
		printf("%s: %u recorded bad pages (memory errors; pkdaxctl list --media-errors shows where)\n",
		       r->dev, r->labels->nr_bad);
	return cx.errors || cx.warnings ? PKD_EXIT_FAIL : PKD_EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	struct json_object *out = NULL;
	struct pkd_target t = { 0 };
	struct pkd_getopt g = { .cl = &check_cmdline, .target = &t };
	struct pkd_regions rs;
	bool json = false, repair = false;
	int c, ret = PKD_EXIT_OK;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case OPT_REPAIR:
			repair = true;
			break;
		}
	}
	if (c < 0)
		return g.status;
	if (repair && json)
		return pkd_usage_err("--repair prints text lines; run it without --json");
	/* only a repair writes: a plain check works on a read-only image */
	t.readonly = !repair;
	if (pkd_open(&t, &rs))
		return PKD_EXIT_USAGE;	/* could not check */
	if (!rs.n) {
		pkd_err("no pkern regions to check (is dax_pkern loaded? use --image FILE for an image)");
		ret = PKD_EXIT_USAGE;
	}
	if (json)
		out = json_object_new_array();
	for (int i = 0; i < rs.n; i++) {
		int rc = check_one(rs.r[i], json, out);

		if (repair && rc != PKD_EXIT_USAGE) {
			rc = repair_one(rs.r[i]);
			if (!rc)
				rc = check_one(rs.r[i], false, NULL);
		}

		if (rc > ret)
			ret = rc;
	}
	if (json)
		pkd_json_print(out);
	pkd_close_all(&rs);
	return ret;
}
