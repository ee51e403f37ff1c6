// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkdaxctl init-labels: write a fresh, empty label area.  Never silently
 * drops anything: without --force only a region whose label area is all
 * zero is formatted.  A region that holds labels (even an empty label
 * area, or labels this version cannot read) is left alone, and the
 * refusal says how many namespaces formatting would lose; so is one whose
 * label area holds anything else, which may be data someone still needs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "backend.h"
#include "json.h"
#include "opts.h"
#include "parse.h"
#include "pkdaxctl.h"

enum { OPT_SLOTS = PKD_LONGOPT_CMD };

static const struct pkd_opt opts[] = {
	PKD_OPT_REGION_AS("region to format (pkernN or N)"),
	{ "force", 'f', NULL,
	  "format even if the region is formatted or holds other data (it is lost)",
	  0 },
	{ "uuid", 'u', "UUID", "region UUID (default: generated)", 0 },
	{ "slots", OPT_SLOTS, "N",
	  "label slots = namespace limit: 64-1024, multiple of 8 (default 512)",
	  0 },
	PKD_OPT_IMAGE,
	PKD_OPT_TIMEOUT,
	{ "size", 's', "SIZE",
	  "with --image: create FILE with this size (K/M/G/T)", 0 },
	PKD_OPT_VERBOSE,
	PKD_OPT_HELP,
	PKD_OPT_END
};

const struct pkd_cmdline init_cmdline = {
	.opts = opts,
	.notes = "Name a live region with -r, or a region image with --image.\n",
};

/*
 * Writing a file this run created failed (a full filesystem, say): it
 * must not stay behind half-made, and "as before" means no file at all.
 */
static void report_new_image_failure(const struct pkd_region *r,
				     const char *path, int rc)
{
	int e = unlink(path) ? errno : 0;

	if (e)
		pkd_err("cannot format new image %s: %s; removing the half-made file failed (%s): remove it by hand",
			path, pkd_strerror(r, rc), strerror(e));
	else
		pkd_err("cannot format new image %s: %s; the file was removed, nothing was created",
			path, pkd_strerror(r, rc));
}

static void report_failure(const struct pkd_region *r,
			   const struct pkern_format_params *p, int rc,
			   u32 nr_lost)
{
	if (rc == -PKERN_E_HAS_LABELS && nr_lost)
		pkd_err("%s holds %u namespace%s (state %s); formatting would lose %s; add --force to format anyway",
		       r->dev, nr_lost, nr_lost == 1 ? "" : "s",
		       pkern_state_str(r->state), nr_lost == 1 ? "it" : "them");
	else if (rc == -PKERN_E_HAS_LABELS &&
		 r->state == PKERN_STATE_CORRUPT)
		pkd_err("%s: label area is damaged (state corrupt), its labels may still be intact; nothing was changed; run: pkdaxctl check %s%s",
			r->dev, r->live ? "-r " : "--image ", r->dev);
	else if (rc == -PKERN_E_HAS_LABELS)
		pkd_err("%s holds labels this tool cannot use (state %s); see pkdaxctl check, or add --force to format and lose whatever they describe",
		       r->dev, pkern_state_str(r->state));
	else if (rc == -PKERN_E_TOO_SMALL)
		pkd_err("%s (%llu bytes) is too small for %u label slots plus data; use fewer --slots or a larger region",
		       r->dev, (unsigned long long)r->size,
		       p->nslots ? p->nslots : PKERN_DEFAULT_SLOTS);
	else if (rc == -PKD_E_BUSY)
		pkd_err("cannot format %s: a namespace device is open or mapped, a pool is in use, or DMA kept across kexec still reaches the region (the kernel log says which); stop its users first",
			r->dev);
	else if (rc == -PKERN_E_IO && r->labels->active_sb >= 0 &&
		 !memcmp(r->labels->sb[r->labels->active_sb].uuid, p->uuid,
			 sizeof(p->uuid)))
		pkd_err("%s was formatted, but writing it reported an error: %s; see pkdaxctl check",
			r->dev, pkd_strerror(r, rc));
	else if (rc == -PKERN_E_IO)
		pkd_err("cannot format %s: %s; its labels are as before",
			r->dev, pkd_strerror(r, rc));
	else
		pkd_err("cannot format %s: %s", r->dev, pkd_strerror(r, rc));
}

/*
 * First non-zero byte where the label area of @p would go, or -1 if it
 * is all zero.  Blocks the backend cannot read (a live driver serves only
 * parts of an unformatted area) are not evidence of data and are skipped.
 */
static long long first_nonzero(const struct pkd_region *r,
			       const struct pkern_format_params *p, u64 *area)
{
	static u8 buf[PKERN_GRANULE];
	u64 len = pkern_label_area_size(p->nslots ? p->nslots :
					PKERN_DEFAULT_SLOTS);

	if (len > r->size)
		len = r->size;
	*area = len;
	for (u64 off = 0; off < len; off += sizeof(buf)) {
		if (r->media->ops->read(r->media->ctx, off, buf, sizeof(buf)))
			continue;
		for (size_t i = 0; i < sizeof(buf); i++)
			if (buf[i])
				return (long long)(off + i);
	}
	return -1;
}

/*
 * What lib would format without asking, but --force must: an empty label
 * area (formatting it again replaces the region UUID) and an unformatted
 * one that is not all zero.  Returns 0 when formatting may go ahead.
 */
static int refuse_unforced(const struct pkd_region *r,
			   const struct pkern_format_params *p)
{
	const char *opt = r->live ? "-r " : "--image ";
	long long nz;
	u64 area;

	if (p->force)
		return 0;
	if (r->state == PKERN_STATE_READY && !r->labels->nr_used) {
		pkd_err("%s is already formatted (pkern labels, no namespaces, generation %llu); nothing was changed; see pkdaxctl list %s%s, or add --force to format it again",
			r->dev, (unsigned long long)r->labels->generation,
			opt, r->dev);
		return -1;
	}
	if (r->state != PKERN_STATE_UNFORMATTED || r->created)
		return 0;
	nz = first_nonzero(r, p, &area);
	if (nz < 0)
		return 0;
	pkd_err("%s: the first %llu KiB, where the labels go, hold data that is not pkern labels (first non-zero byte at offset %lld, 0x%llx); nothing was changed; if that data is not needed, add --force to overwrite it",
		r->dev, (unsigned long long)(area >> 10), nz,
		(unsigned long long)nz);
	return -1;
}

int cmd_init(int argc, char **argv)
{
	struct pkern_format_params p = { .force = false };
	struct pkd_target t = { 0 };
	struct pkd_regions rs;
	struct pkd_region *r;
	int c, rc, ret = PKD_EXIT_FAIL;
	struct pkd_getopt g = { .cl = &init_cmdline, .target = &t };
	u32 nr_lost = 0;
	bool have_uuid = false;

	while ((c = pkd_getopt(&g, argc, argv)) > 0) {
		switch (c) {
		case 'f':
			p.force = true;
			break;
		case 'u':
			if (pkd_parse_uuid(optarg, p.uuid))
				return pkd_usage_err("invalid UUID '%s': use the 8-4-4-4-12 hex form, not all zero",
						    optarg);
			have_uuid = true;
			break;
		case OPT_SLOTS:
			if (pkd_parse_u32(optarg, &p.nslots) ||
			    p.nslots < PKERN_MIN_SLOTS ||
			    p.nslots > PKERN_MAX_SLOTS || p.nslots % 8)
				return pkd_usage_err("invalid --slots '%s': use a multiple of 8 from %u to %u",
						    optarg, PKERN_MIN_SLOTS,
						    PKERN_MAX_SLOTS);
			break;
		case 's':
			rc = pkd_parse_size(optarg, &t.create_size);
			if (rc || !t.create_size)
				return pkd_usage_err("invalid size '%s': use a number with an optional K, M, G or T suffix, e.g. 1G",
						    optarg);
			break;
		}
	}
	if (c < 0)
		return g.status;
	if (t.create_size && !t.image)
		return pkd_usage_err("--size only applies to --image; a live region's size is fixed by memmap=");
	if (!t.image && !t.region)
		return pkd_usage_err("which region? name it with -r pkernN (see pkdaxctl list -R)");
	if (!have_uuid)
		uuid_generate(p.uuid);

	if (pkd_open(&t, &rs))
		return PKD_EXIT_FAIL;
	r = rs.r[0];
	if (refuse_unforced(r, &p))
		goto out;
	rc = r->ops->format(r, &p, &nr_lost);
	if (rc == -PKERN_E_IO && r->created) {
		report_new_image_failure(r, t.image, rc);
		goto out;
	}
	if (rc) {
		report_failure(r, &p, rc, nr_lost);
		if (r->created && unlink(t.image))
			pkd_err("cannot remove %s: %s", t.image, strerror(errno));
		goto out;
	}
	pkd_json_print(pkd_region_json(r, 0));
	ret = PKD_EXIT_OK;
out:
	pkd_close_all(&rs);
	return ret;
}
