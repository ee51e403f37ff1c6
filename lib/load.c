// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Loading a region: pick the live superblock copy, the live index block
 * and decode every used label slot.  Nothing read from media is trusted
 * before it has been checked, and no read leaves the region.
 */
#include "pkern_lib.h"

static bool sb_crc_valid(const struct pkern_sb_info *s)
{
	return s->problem == PKERN_P_NONE || s->problem == PKERN_P_SB_VERSION ||
	       s->problem == PKERN_P_SB_GEOMETRY;
}

static int read_sbs(struct pkern_labels *r)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (PKERN_SB_OFF(i) + sizeof(struct pkern_sb) > r->media.size) {
			r->sb[i].problem = PKERN_P_SB_NONE;
			continue;
		}
		ret = pk_read(r, PKERN_SB_OFF(i), &r->buf.sb, sizeof(r->buf.sb));
		if (ret)
			return ret;
		pk_sb_decode(&r->buf.sb, &r->sb[i]);
	}
	return 0;
}

/*
 * Among checksum-valid copies the highest sequence is live.  A copy with
 * impossible geometry is skipped (the other one stands); one with an
 * unknown major version is live and makes the region unreadable.  With
 * no live copy the region is only unformatted if both copies are blank:
 * a copy that has the magic says labels were written, and one flipped
 * bit must not make them look absent (a format would then drop them).
 */
static void pick_sb(struct pkern_labels *r)
{
	bool magic = false;
	int i, best = -1;

	for (i = 0; i < 2; i++) {
		if (r->sb[i].problem != PKERN_P_SB_NONE)
			magic = true;
		if (!sb_crc_valid(&r->sb[i]) ||
		    r->sb[i].problem == PKERN_P_SB_GEOMETRY)
			continue;
		if (best < 0 || r->sb[i].seq > r->sb[best].seq)
			best = i;
	}
	r->active_sb = best;
	if (best < 0)
		r->status = magic ? -PKERN_E_CORRUPT : -PKERN_E_UNFORMATTED;
	else if (r->sb[best].problem == PKERN_P_SB_VERSION)
		r->status = -PKERN_E_VERSION;
	else if (r->sb[best].region_size != r->media.size)
		r->status = -PKERN_E_SIZE_CHANGED;
}

/* Only called for a block that decoded valid: the list is checked. */
static void read_badlist(struct pkern_labels *r, const struct pkern_index *x)
{
	u32 n;

	r->nr_bad = le32_to_cpu(x->nr_bad);
	for (n = 0; n < r->nr_bad; n++)
		r->bad[n] = le64_to_cpu(x->bad[n]);
}

/*
 * Both index blocks are decoded even without a live superblock: a format
 * needs the generation of every checksum-valid block to outnumber it.
 */
static int read_indexes(struct pkern_labels *r, const struct pkern_sb_info *live)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (PKERN_INDEX_OFF(i) + PKERN_BLOCK_SIZE > r->media.size) {
			r->index[i].problem = PKERN_P_IDX_NONE;
			continue;
		}
		ret = pk_read(r, PKERN_INDEX_OFF(i), &r->buf.index,
			      sizeof(r->buf.index));
		if (ret)
			return ret;
		pk_index_decode(&r->buf.index, live, &r->index[i]);
		/* the valid block with the highest generation is live */
		if (r->index[i].problem == PKERN_P_NONE &&
		    (r->active_index < 0 ||
		     r->index[i].generation > r->generation)) {
			r->active_index = i;
			r->generation = r->index[i].generation;
			memcpy(r->bitmap, r->buf.index.bitmap,
			       PKERN_BITMAP_BYTES);
			read_badlist(r, &r->buf.index);
		}
	}
	return 0;
}

static int read_labels(struct pkern_labels *r, u32 nslots)
{
	u32 n;
	int ret;

	for (n = 0; n < nslots; n++) {
		if (!pk_bit(r->bitmap, n))
			continue;
		ret = pk_read(r, PKERN_SLOT_OFF + (u64)n * PKERN_SLOT_SIZE,
			      &r->buf.label, sizeof(r->buf.label));
		if (ret)
			return ret;
		pk_label_decode(&r->buf.label, n, &r->ns[n]);
		r->nr_used++;
	}
	return 0;
}

static void report_one(pkern_report_fn report, void *arg,
		       enum pkern_problem_code code, enum pkern_severity sev,
		       enum pkern_where where, u32 slot, u32 other, u64 value)
{
	struct pkern_problem p = {
		.code = code, .severity = sev, .where = where,
		.slot = slot, .other = other, .value = value,
	};

	report(arg, &p);
}

static u64 label_value(const struct pkern_ns *ns)
{
	switch (ns->problem) {
	case PKERN_P_LBL_KIND:
		return ns->kind;
	case PKERN_P_LBL_FLAGS:
		return ns->flags;
	case PKERN_P_LBL_ALIGN:
		return ns->align;
	case PKERN_P_LBL_SIZE:
		return ns->size;
	case PKERN_P_LBL_MISALIGNED:
	case PKERN_P_LBL_LABEL_AREA:
	case PKERN_P_LBL_OVERLAP:
		return ns->offset;
	case PKERN_P_LBL_OVERFLOW:
	case PKERN_P_LBL_BEYOND:
		return ns->offset + ns->size;
	case PKERN_P_LBL_FUTURE_GEN:
		return ns->create_gen;
	default:
		return 0;
	}
}

/*
 * A copy that is not the live one's twin is reported: damaged, blank or
 * stale, it no longer backs the live copy up (pkern_repair() rewrites
 * it).  Beside a live copy that is a warning, without one an error.
 */
static void report_sb_copy(const struct pkern_labels *r, int i,
			   pkern_report_fn report, void *arg)
{
	const struct pkern_sb_info *s = &r->sb[i];
	const struct pkern_sb_info *live = pk_live_sb(r);
	enum pkern_problem_code code = s->problem;
	bool backup = r->active_sb >= 0 && r->active_sb != i;

	if (code == PKERN_P_SB_NONE && backup &&
	    PKERN_SB_OFF(i) + sizeof(struct pkern_sb) <= r->media.size)
		code = PKERN_P_SB_BLANK;
	else if (code == PKERN_P_NONE && backup && s->seq != live->seq)
		code = PKERN_P_SB_STALE;
	if (code == PKERN_P_NONE || code == PKERN_P_SB_NONE)
		return;
	report_one(report, arg, code, backup ? PKERN_SEV_WARN : PKERN_SEV_ERROR,
		   PKERN_AT_SB0 + i, 0, 0,
		   code == PKERN_P_SB_VERSION ? s->major : s->seq);
}

static void report_all(const struct pkern_labels *r, pkern_report_fn report,
		       void *arg)
{
	const struct pkern_sb_info *live = pk_live_sb(r);
	enum pkern_severity sev;
	u32 n;
	int i;

	for (i = 0; i < 2; i++)
		report_sb_copy(r, i, report, arg);
	if (!live) {
		report_one(report, arg, r->status == -PKERN_E_CORRUPT ?
			   PKERN_P_SB_DAMAGED : PKERN_P_SB_NONE,
			   PKERN_SEV_ERROR, PKERN_AT_REGION, 0, 0, 0);
		return;
	}
	if (r->status == -PKERN_E_VERSION)
		return;
	if (r->status == -PKERN_E_SIZE_CHANGED)
		report_one(report, arg, PKERN_P_SB_SIZE_CHANGED, PKERN_SEV_ERROR,
			   PKERN_AT_REGION, 0, 0, live->region_size);
	for (i = 0; i < 2; i++) {
		const struct pkern_index_info *x = &r->index[i];

		if (x->problem != PKERN_P_IDX_CRC &&
		    x->problem != PKERN_P_IDX_BITMAP &&
		    x->problem != PKERN_P_IDX_BADLIST)
			continue;
		sev = r->active_index >= 0 ? PKERN_SEV_WARN : PKERN_SEV_ERROR;
		report_one(report, arg, x->problem, sev, PKERN_AT_IDX0 + i, 0, 0,
			   x->generation);
	}
	if (r->active_index < 0)
		report_one(report, arg, PKERN_P_IDX_NONE, PKERN_SEV_ERROR,
			   PKERN_AT_REGION, 0, 0, 0);
	for (n = 0; n < live->nslots; n++) {
		const struct pkern_ns *ns = &r->ns[n];

		if (!pk_bit(r->bitmap, n) || ns->problem == PKERN_P_NONE)
			continue;
		sev = ns->problem == PKERN_P_LBL_KIND ? PKERN_SEV_WARN :
		      PKERN_SEV_ERROR;
		report_one(report, arg, ns->problem, sev, PKERN_AT_SLOT, n,
			   ns->other, label_value(ns));
	}
}

static void reset(struct pkern_labels *r, const struct pkern_media *m)
{
	memset(r, 0, offsetof(struct pkern_labels, buf));
	r->media = *m;
	r->active_sb = -1;
	r->active_index = -1;
}

/**
 * pkern_load_report() - load a region and report every problem found
 * @r: region state to fill (caller-allocated)
 * @m: media; @m->size is the size of the reserved range
 * @report: optional callback, called once per problem
 * @arg: passed to @report
 *
 * Selects the live superblock and index block and decodes the used label
 * slots into @r->ns.  With -PKERN_E_SIZE_CHANGED the labels are still
 * decoded (against the recorded size) so tools can show them, but nothing
 * may be exposed.
 *
 * Both superblock copies blank is -PKERN_E_UNFORMATTED; a copy with the
 * magic but no valid copy is -PKERN_E_CORRUPT, so the labels it guards
 * are never taken for absent.
 *
 * Return: 0 (also stored in @r->status) or -PKERN_E_IO, _UNFORMATTED,
 * _VERSION, _SIZE_CHANGED or _CORRUPT.
 */
int pkern_load_report(struct pkern_labels *r, const struct pkern_media *m,
		      pkern_report_fn report, void *arg)
{
	const struct pkern_sb_info *live;
	int ret;

	reset(r, m);
	if (!m->ops || !m->ops->read) {
		r->status = -PKERN_E_IO;
		return r->status;
	}
	ret = read_sbs(r);
	if (ret)
		goto fail;
	pick_sb(r);
	live = r->status == 0 || r->status == -PKERN_E_SIZE_CHANGED ?
	       pk_live_sb(r) : NULL;
	/* a shrunken region may not even hold the recorded label area */
	if (live && live->data_start > m->size)
		live = NULL;
	ret = read_indexes(r, live);
	if (ret)
		goto fail;
	if (live && r->active_index >= 0) {
		ret = read_labels(r, live->nslots);
		if (ret)
			goto fail;
		pk_validate(r);
	} else if (r->status == 0) {
		r->status = -PKERN_E_CORRUPT;
	}
	if (report)
		report_all(r, report, arg);
	return r->status;

fail:
	reset(r, m);
	r->status = ret;
	return ret;
}

/**
 * pkern_load() - load a region without reporting problems
 * @r: region state to fill
 * @m: media
 *
 * Return: as pkern_load_report().
 */
int pkern_load(struct pkern_labels *r, const struct pkern_media *m)
{
	return pkern_load_report(r, m, NULL, NULL);
}
