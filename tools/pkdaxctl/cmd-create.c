// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl create-namespace: check the command line, let the backend
 * create the namespace (lib decides every refusal, in the driver for a
 * live region), then print it the way ndctl does.  A refusal comes back
 * as the exact lib error; the message names its cause from the region's
 * labels as they are after the attempt.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "backend.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"

enum { OPT_OFFSET = PKD_LONGOPT_CMD, OPT_ALLOW_BAD };

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION_AS("region (pkernN or N); optional with one region"),
	{ "name", 'n', "NAME", "1-63 characters from A-Z a-z 0-9 _ . : + @ -",
	  PKD_OPT_REQUIRED },
	{ "size", 's', "SIZE",
	  "bytes with optional K/M/G/T suffix; default: the largest free extent",
	  0 },
	{ "type", 't', "guest|iommu",
	  "guest (device-dax, default) or iommu (page-table pool)", 0 },
	{ "align", 'a', "4K|2M|1G",
	  "alignment; default 2M for guest, 4K for iommu", 0 },
	{ "uuid", 'u', "UUID", "namespace UUID (default: generated)", 0 },
	{ "offset", OPT_OFFSET, "OFF",
	  "place at this region offset instead of first fit", 0 },
	{ "allow-bad-pages", OPT_ALLOW_BAD, NULL,
	  "let the namespace cover recorded bad pages (never zeroed; they may fail again)",
	  0 },
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline create_cmdline = { .opts = opts };

static int size_arg(const char *what, const char *s, u64 *v)
{
	int rc = pkd_parse_size(s, v);

	if (rc == -ERANGE)
		return pkd_usage_err("%s '%s' is too large", what, s);
	if (rc)
		return pkd_usage_err("invalid %s '%s': use a number with an optional K, M, G or T suffix, e.g. 4G",
				    what, s);
	return 0;
}

/* Everything that depends only on the command line */
static int check_args(struct pkern_create_params *p, bool have_size)
{
	char a[64], up[64];

	if (!p->name)
		return pkd_usage_err("missing --name; see pkdaxctl create-namespace --help");
	if (!pkern_name_valid(p->name))
		return pkd_usage_err("invalid name '%s': use 1-63 characters from A-Z a-z 0-9 _ . : + @ -, starting with a letter or digit",
				    p->name);
	if (p->allow_bad && p->kind == PKERN_KIND_IOMMU)
		return pkd_usage_err("--allow-bad-pages is for guest memory only: an iommu pool never covers a recorded bad page");
	pkd_human_size(p->align, a, sizeof(a));
	if (have_size && (!p->size || p->size % p->align)) {
		u64 round = p->size / p->align * p->align + p->align;

		if (round < p->align)	/* wrapped: no multiple fits */
			return pkd_usage_err("size %llu is too large",
					    (unsigned long long)p->size);
		pkd_human_size(round, up, sizeof(up));
		return pkd_usage_err("size %llu is not a non-zero multiple of the alignment %s; use e.g. -s %llu (%s) or a smaller -a",
				    (unsigned long long)p->size, a,
				    (unsigned long long)round, up);
	}
	if (p->offset != PKERN_OFFSET_ANY && p->offset % p->align)
		return pkd_usage_err("offset %#llx is not a multiple of the alignment %s",
				    (unsigned long long)p->offset, a);
	/* lib's placement rule: guest memory starts and ends on 2 MiB */
	p->place_align = pkern_place_align(p->kind, p->align);
	if (p->place_align > p->align) {
		if (have_size && p->size % p->place_align)
			return pkd_usage_err("guest namespaces start and end on 2 MiB boundaries (device-dax adds memory in 2 MiB sections); use e.g. -s %lluM",
					    (unsigned long long)((p->size / p->place_align + 1) *
								 (p->place_align >> 20)));
		if (p->offset != PKERN_OFFSET_ANY &&
		    p->offset % p->place_align)
			return pkd_usage_err("offset %#llx of a guest namespace is not a multiple of 2 MiB",
					    (unsigned long long)p->offset);
	}
	return 0;
}

/*
 * Without -s: the largest extent the namespace could take.  With none,
 * ask for the smallest one anyway; lib's refusal says why there is none.
 */
static void default_size(const struct pkd_region *r,
			 struct pkern_create_params *p)
{
	pkern_free_bytes(r->labels, p->place_align, &p->size);
	if (!p->size)
		p->size = p->place_align;
}

static void report_state(const struct pkd_region *r)
{
	switch (r->state) {
	case PKERN_STATE_UNFORMATTED:
		pkd_err("%s has no labels; format it first with: pkdaxctl init-labels %s%s",
		       r->dev, r->live ? "-r " : "--image ", r->dev);
		break;
	case PKERN_STATE_SIZE_CHANGED:
		pkd_report_size_changed(r);
		break;
	default:
		pkd_err("%s is not usable (state %s); see pkdaxctl check", r->dev,
		       pkern_state_str(r->state));
		break;
	}
}

/* Which name or UUID is taken, as the labels say after the attempt */
static void report_exists(const struct pkd_region *r,
			  const struct pkern_create_params *p)
{
	const struct pkern_ns *ns = pkd_find_name_any(r->labels, p->name);

	if (ns) {
		pkd_err("name '%s' is already used in %s (slot %u); pick another name or destroy that namespace first",
		       p->name, r->dev, ns->slot);
		return;
	}
	ns = pkd_find_uuid_any(r->labels, p->uuid);
	if (ns) {
		pkd_err("UUID is already used by '%s' in %s (slot %u); pick another UUID or omit --uuid",
		       ns->name, r->dev, ns->slot);
		return;
	}
	pkd_err("cannot create '%s' in %s: %s", p->name, r->dev,
	       pkd_strerror(r, -PKERN_E_EXIST));
}

static void report_no_space(const struct pkd_region *r,
			    const struct pkern_create_params *p,
			    bool have_size)
{
	char h[64], a[64], s[64];
	u64 largest = 0;

	pkd_human_size(p->align, a, sizeof(a));
	if (p->offset != PKERN_OFFSET_ANY) {
		pkd_err("range %#llx-%#llx is not free in %s (or not in its data area); pick a free --offset (see pkdaxctl list) or omit it",
		       (unsigned long long)p->offset,
		       (unsigned long long)(p->offset + p->size - 1), r->dev);
		return;
	}
	if (!have_size) {
		pkd_err("no free space in %s at alignment %s", r->dev, a);
		return;
	}
	pkern_free_bytes(r->labels, p->place_align, &largest);
	pkd_human_size(largest, h, sizeof(h));
	pkd_human_size(p->size, s, sizeof(s));
	pkd_err("no space in %s for %s at alignment %s: the largest free extent is %llu bytes (%s); use a smaller -s",
	       r->dev, s, a, (unsigned long long)largest, h);
}

static void report_failure(const struct pkd_region *r,
			   const struct pkern_create_params *p, bool have_size,
			   int rc)
{
	const struct pkern_labels *labels = r->labels;

	switch (-rc) {
	case PKERN_E_STATE:
		if (r->state != PKERN_STATE_READY) {
			report_state(r);
			return;
		}
		break;
	case PKERN_E_EXIST:
		report_exists(r, p);
		return;
	case PKERN_E_NOSLOT:
		if (labels->active_sb >= 0) {
			pkd_err("all %u label slots of %s are in use; destroy a namespace first",
			       labels->sb[labels->active_sb].nslots, r->dev);
			return;
		}
		break;
	case PKERN_E_NOSPC:
		report_no_space(r, p, have_size);
		return;
	case PKERN_E_BADPAGE:
		pkd_err("range %#llx-%#llx of %s holds %u recorded bad pages (see pkdaxctl list --media-errors); pick another --offset, omit it, or pass --allow-bad-pages",
			(unsigned long long)p->offset,
			(unsigned long long)(p->offset + p->size - 1), r->dev,
			pkern_bad_count(labels, p->offset, p->size));
		return;
	case PKERN_E_IO:
		/* lib left @labels as the media holds them: say which state */
		if (pkd_find_uuid_any(labels, p->uuid))
			pkd_err("'%s' was created in %s, but writing it reported an error: %s; see pkdaxctl list",
				p->name, r->dev, pkd_strerror(r, rc));
		else
			pkd_err("cannot create '%s' in %s: %s; nothing was created, the labels are as before",
				p->name, r->dev, pkd_strerror(r, rc));
		return;
	case PKERN_E_INVAL:
		if (p->offset != PKERN_OFFSET_ANY) {
			pkd_err("offset %#llx is outside the data area of %s; see label_size and size in pkdaxctl list",
			       (unsigned long long)p->offset, r->dev);
			return;
		}
		break;
	default:
		break;
	}
	pkd_err("cannot create '%s' in %s: %s", p->name, r->dev,
	       pkd_strerror(r, rc));
}

static struct pkd_region *pick_region(struct pkd_regions *rs)
{
	if (rs->n == 1)
		return rs->r[0];
	if (!rs->n)
		pkd_err("no pkern regions (is dax_pkern loaded? use --image FILE for an image)");
	else
		pkd_err("%d regions exist; name one with -r (e.g. -r %s)",
		       rs->n, rs->r[0]->dev);
	return NULL;
}

int cmd_create(int argc, char **argv)
{
	struct pkern_create_params p = { .offset = PKERN_OFFSET_ANY };
	const char *align_arg = NULL, *uuid_arg = NULL;
	struct pkd_target t = { 0 };
	struct pkd_getopt g = { .cl = &create_cmdline, .target = &t };
	bool have_size = false;
	struct pkd_regions rs;
	struct pkd_region *r;
	int c, rc, ret = PKD_EXIT_FAIL;
	u32 slot = 0, bad;

	p.kind = PKERN_KIND_GUEST;
	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		switch (c) {
		case 'n':
			p.name = optarg;
			break;
		case 's':
			if (size_arg("size", optarg, &p.size))
				return PKD_EXIT_USAGE;
			have_size = true;
			break;
		case 't':
			if (pkd_parse_kind(optarg, &p.kind))
				return pkd_usage_err("invalid type '%s': use guest or iommu",
						    optarg);
			break;
		case 'a':
			align_arg = optarg;
			break;
		case 'u':
			uuid_arg = optarg;
			break;
		case OPT_ALLOW_BAD:
			p.allow_bad = true;
			break;
		case OPT_OFFSET:
			if (size_arg("offset", optarg, &p.offset))
				return PKD_EXIT_USAGE;
			if (p.offset == PKERN_OFFSET_ANY)
				return pkd_usage_err("offset '%s' is too large",
						    optarg);
			break;
		}
	}
	if (c < 0)
		return g.status;
	p.align = p.kind == PKERN_KIND_GUEST ? PKERN_ALIGN_2M : PKERN_ALIGN_4K;
	if (align_arg && pkd_parse_align(align_arg, &p.align))
		return pkd_usage_err("invalid alignment '%s': use 4K, 2M or 1G",
				    align_arg);
	if (uuid_arg) {
		if (pkd_parse_uuid(uuid_arg, p.uuid))
			return pkd_usage_err("invalid UUID '%s': use the 8-4-4-4-12 hex form, not all zero",
					    uuid_arg);
	} else {
		uuid_generate(p.uuid);
	}
	if (check_args(&p, have_size))
		return PKD_EXIT_USAGE;

	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	r = pick_region(&rs);
	if (!r)
		goto out;
	if (!have_size)
		default_size(r, &p);
	rc = r->ops->create(r, &p, &slot);
	if (rc) {
		report_failure(r, &p, have_size, rc);
		goto out;
	}
	bad = pkern_bad_count(r->labels, r->labels->ns[slot].offset,
			      r->labels->ns[slot].size);
	if (bad)
		fprintf(stderr, "note: '%s' covers %u recorded bad pages, as asked; they are never zeroed and may fail again when accessed\n",
			p.name, bad);
	pkd_json_print(pkd_ns_json(r, &r->labels->ns[slot],
				 PKD_JSON_DAX | PKD_JSON_REGION));
	ret = PKD_EXIT_OK;
out:
	pkd_close_all(&rs);
	return ret;
}
