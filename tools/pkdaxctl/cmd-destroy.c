// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl destroy-namespace: find the namespace by name or UUID across
 * the selected regions, insist on exactly one match, and remove it.
 * Damaged labels can be destroyed too (that is how a region is repaired).
 */
#include <stdbool.h>
#include <stdio.h>

#include "backend.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"

enum { OPT_SLOT = PKD_LONGOPT_CMD };

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION,
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	{ "slot", OPT_SLOT, "N",
	  "instead of NAME|UUID: the label in slot N, whatever it holds (repairs a label whose checksum or name is damaged; images only)",
	  0 },
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline destroy_cmdline = {
	.operands = "NAME|UUID",
	.opts = opts,
	.notes = "The namespace's memory is zeroed; a busy device (open, mapped or pinned for DMA) is refused.\n",
};

/* Is @slot still in use (lib reloaded the labels after a failed write)? */
static bool slot_used(const struct pkern_labels *labels, u32 slot)
{
	const struct pkern_ns *ns;

	pkern_for_each_ns(labels, ns)
		if (ns->slot == slot)
			return true;
	return false;
}

static void report_failure(const struct pkd_region *r,
			   const struct pkern_ns *ns, int rc)
{
	if (rc == -PKD_E_BUSY && ns->kind == PKERN_KIND_GUEST)
		pkd_err("/dev/dax%d.%u (namespace '%s') is busy: it is open, mapped or pinned for DMA, e.g. by a VMM, or DMA kept across kexec still reaches it (the kernel log says which); stop its users and retry",
		       r->id, ns->slot, ns->name);
	else if (rc == -PKD_E_BUSY)
		pkd_err("namespace '%s' in %s is busy: its pages are in use (%s pool), or DMA kept across kexec still reaches it (the kernel log says which); release them first",
		       ns->name, r->dev, pkern_kind_str(ns->kind));
	else if (rc == -PKERN_E_NOENT && r->live && !pkern_ns_usable(ns))
		pkd_err("'%s' in %s is an unusable label (%s); the driver only destroys usable namespaces",
			ns->name, r->dev, pkern_problem_str(ns->problem));
	else if (rc == -PKERN_E_IO && slot_used(r->labels, ns->slot))
		pkd_err("cannot destroy '%s' in %s: %s; it was not destroyed, the labels are as before",
			ns->name, r->dev, pkd_strerror(r, rc));
	else if (rc == -PKERN_E_IO)
		pkd_err("'%s' was destroyed in %s, but zeroing its memory failed: %s; its bytes may not be zero until a new namespace there zeroes them",
			ns->name, r->dev, pkd_strerror(r, rc));
	else if (rc == -PKERN_E_STATE &&
		 r->state == PKERN_STATE_SIZE_CHANGED)
		pkd_report_size_changed(r);
	else if (rc == -PKERN_E_STATE)
		pkd_err("%s is not usable (state %s): its labels cannot change; see pkdaxctl check",
		       r->dev, pkern_state_str(r->state));
	else
		pkd_err("cannot destroy '%s' in %s: %s", ns->name, r->dev,
		       pkd_strerror(r, rc));
}

/* --slot: any used slot, even one whose label cannot be named */
static const struct pkern_ns *by_slot(const struct pkd_region *r, u32 slot)
{
	const struct pkern_ns *ns;

	pkern_for_each_ns(r->labels, ns)
		if (ns->slot == slot)
			return ns;
	pkd_err("slot %u of %s holds no namespace; see pkdaxctl inspect",
		slot, r->dev);
	return NULL;
}

int cmd_destroy(int argc, char **argv)
{
	const struct pkern_ns *ns = NULL;
	struct pkd_region *r = NULL;
	struct pkd_target t = { 0 };
	int c, rc, matches = 0, ret = PKD_EXIT_FAIL;
	const char *what;
	struct pkd_regions rs;
	char where[256] = "";
	struct pkern_ns victim;
	size_t used = 0;
	struct pkd_getopt g = { .cl = &destroy_cmdline, .target = &t };
	bool have_slot = false;
	u32 slot = 0;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		switch (c) {
		case OPT_SLOT:
			if (pkd_parse_u32(optarg, &slot) ||
			    slot >= PKERN_MAX_SLOTS)
				return pkd_usage_err("invalid --slot '%s': use a slot number below %u",
						     optarg, PKERN_MAX_SLOTS);
			have_slot = true;
			break;
		}
	}
	if (c < 0)
		return g.status;
	if (have_slot) {
		if (optind < argc)
			return pkd_usage_err("give either NAME|UUID or --slot, not both");
		if (!t.image)
			return pkd_usage_err("--slot works on images only: the driver destroys usable namespaces by name or UUID");
		if (pkd_open(&t, &rs))
			return PKD_EXIT_FAIL;
		r = rs.r[0];
		ns = by_slot(r, slot);
		what = ns ? ns->name : "";
		if (!ns)
			goto out;
		goto destroy;
	}
	if (optind >= argc)
		return pkd_usage_err("missing NAME or UUID; see pkdaxctl destroy-namespace --help");
	if (optind + 1 < argc)
		return pkd_usage_err("unexpected argument '%s': destroy one namespace at a time",
				    argv[optind + 1]);
	what = argv[optind];

	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	for (int i = 0; i < rs.n; i++) {
		const struct pkern_ns *hit = pkd_lookup(rs.r[i]->labels, what);

		if (used < sizeof(where))
			used += snprintf(where + used, sizeof(where) - used,
					 "%s%s", i ? ", " : "", rs.r[i]->dev);
		if (!hit)
			continue;
		matches++;
		r = rs.r[i];
		ns = hit;
	}
	if (!matches) {
		pkd_err("no namespace named '%s' in %s; see pkdaxctl list",
		       what, rs.n ? where : "any region");
		goto out;
	}
	if (matches > 1) {
		pkd_err("'%s' names namespaces in several regions; pick one with -r",
		       what);
		goto out;
	}
destroy:
	/* @ns points into state the backend reloads; keep a copy */
	victim = *ns;
	rc = r->ops->destroy(r, &victim);
	if (rc) {
		report_failure(r, &victim, rc);
		goto out;
	}
	fprintf(stderr, "destroyed 1 namespace: '%s' (%s slot %u)\n",
		victim.name, r->dev, victim.slot);
	ret = PKD_EXIT_OK;
out:
	pkd_close_all(&rs);
	return ret;
}
