// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Label validation: per-label checks and the cross checks between labels.
 *
 * Checksum, UUID and name depend only on the label bytes and are decided
 * once when the slot is decoded (codec.c).  Everything else depends on
 * the superblock, the live generation or the other labels, so it is
 * recomputed here after every load, create and destroy; the in-memory
 * state then always equals what a reload would find.
 */
#include "pkern_lib.h"

/**
 * pk_live_sb() - the superblock copy the region was loaded from
 * @r: region
 *
 * Return: the copy, or NULL if no copy was selected.
 */
const struct pkern_sb_info *pk_live_sb(const struct pkern_labels *r)
{
	if (r->active_sb < 0 || r->active_sb > 1)
		return NULL;
	return &r->sb[r->active_sb];
}

/* Alignment, size and range checks, in the documented order. */
static enum pkern_problem_code extent_problem(const struct pkern_sb_info *sb,
					      const struct pkern_ns *ns)
{
	u64 mask = ns->align - 1;

	if (!pk_align_valid(ns->align))
		return PKERN_P_LBL_ALIGN;
	if (!ns->size || (ns->size & mask))
		return PKERN_P_LBL_SIZE;
	if (ns->offset & mask)
		return PKERN_P_LBL_MISALIGNED;
	if (ns->offset + ns->size < ns->offset)
		return PKERN_P_LBL_OVERFLOW;
	if (ns->offset < sb->data_start)
		return PKERN_P_LBL_LABEL_AREA;
	if (ns->offset + ns->size > sb->region_size)
		return PKERN_P_LBL_BEYOND;
	return PKERN_P_NONE;
}

/**
 * pk_extent_ok() - whether a label's extent can be trusted
 * @r: loaded region
 * @ns: label in a used slot
 *
 * True when the checksum is good and the extent is aligned and inside the
 * data area, whatever else is wrong with the label.  Such extents are
 * never handed out again while the label is live.  A label with a bad
 * checksum has no trustworthy extent, so its bytes cannot be protected.
 *
 * Return: true if the extent passed the range checks.
 */
bool pk_extent_ok(const struct pkern_labels *r, const struct pkern_ns *ns)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);

	if (!sb || ns->problem == PKERN_P_LBL_CRC)
		return false;
	return extent_problem(sb, ns) == PKERN_P_NONE;
}

/**
 * pk_older() - order of creation between two labels
 * @a: label
 * @b: label
 *
 * Return: true if @a was created before @b (creation generation, then
 * slot number as a tie-break).
 */
bool pk_older(const struct pkern_ns *a, const struct pkern_ns *b)
{
	if (a->create_gen != b->create_gen)
		return a->create_gen < b->create_gen;
	return a->slot < b->slot;
}

static enum pkern_problem_code label_problem(const struct pkern_labels *r,
					     const struct pkern_ns *ns)
{
	enum pkern_problem_code p = extent_problem(pk_live_sb(r), ns);

	if (p)
		return p;
	if (ns->create_gen > r->generation)
		return PKERN_P_LBL_FUTURE_GEN;
	if (ns->flags & PKERN_LABEL_INCOMPAT_MASK)
		return PKERN_P_LBL_FLAGS;
	if (ns->kind != PKERN_KIND_GUEST && ns->kind != PKERN_KIND_IOMMU)
		return PKERN_P_LBL_KIND;
	return PKERN_P_NONE;
}

/* How @b (older, extent trusted) conflicts with @a (otherwise usable). */
static enum pkern_problem_code conflict(const struct pkern_ns *a,
					const struct pkern_ns *b)
{
	if (pk_overlaps(a->offset, a->size, b->offset, b->size))
		return PKERN_P_LBL_OVERLAP;
	/* first bytes first: this runs for every pair of labels */
	if (a->name[0] == b->name[0] && b->problem != PKERN_P_LBL_NAME &&
	    pk_name_eq(a->name, b->name))
		return PKERN_P_LBL_DUP_NAME;
	if (a->uuid[0] == b->uuid[0] &&
	    !memcmp(a->uuid, b->uuid, PKERN_UUID_LEN))
		return PKERN_P_LBL_DUP_UUID;
	return PKERN_P_NONE;
}

/*
 * The older label wins: a label that conflicts with any older one whose
 * extent is trusted becomes unusable.  Older labels count whether or not
 * they are usable themselves, so the outcome does not depend on the
 * order the checks run in.  The worst conflict (overlap first) is
 * reported, against the oldest label that has it.
 */
static void cross_check(struct pkern_labels *r, const u8 *trusted,
			u32 nslots, u32 i)
{
	struct pkern_ns *a = &r->ns[i];
	enum pkern_problem_code best = PKERN_P_NONE, c;
	u32 j, other = 0;

	for (j = 0; j < nslots; j++) {
		const struct pkern_ns *b = &r->ns[j];

		if (j == i || !pk_bit(trusted, j) || !pk_older(b, a))
			continue;
		c = conflict(a, b);
		if (c == PKERN_P_NONE)
			continue;
		if (best == PKERN_P_NONE || c < best ||
		    (c == best && pk_older(b, &r->ns[other]))) {
			best = c;
			other = j;
		}
	}
	if (best != PKERN_P_NONE) {
		a->problem = best;
		a->other = other;
	}
}

/*
 * Mark every label that shares bytes, a name or a UUID with at least one
 * other trusted label: neighbours in offset, name and UUID order.  Only
 * those need the exact scan for the oldest conflict, so a clean region
 * costs O(n log n) rather than a comparison of every pair.  @r->buf is
 * free while validating (no block I/O is in flight).
 */
static void mark_involved(struct pkern_labels *r, const u8 *trusted,
			  u32 nslots, u8 *involved)
{
	u16 *v = r->buf.order;
	const struct pkern_ns *x;
	u32 i, n, k;
	u64 maxend = 0;
	int key;
	bool hit;

	for (key = PK_BY_OFFSET; key <= PK_BY_UUID; key++) {
		n = 0;
		for (i = 0; i < nslots; i++) {
			if (!pk_bit(trusted, i))
				continue;
			/* bad names never count as duplicates */
			if (key == PK_BY_NAME &&
			    r->ns[i].problem == PKERN_P_LBL_NAME)
				continue;
			v[n++] = (u16)i;
		}
		pk_sort_slots(r, key, v, n);
		for (k = 0; k < n; k++) {
			x = &r->ns[v[k]];
			if (key == PK_BY_OFFSET) {
				/* sorted by start: overlap a predecessor or the next */
				hit = (k > 0 && x->offset < maxend) ||
				      (k + 1 < n && r->ns[v[k + 1]].offset <
						     x->offset + x->size);
				if (x->offset + x->size > maxend)
					maxend = x->offset + x->size;
			} else {
				hit = (k > 0 && !pk_ns_cmp(r, key, v[k - 1], v[k])) ||
				      (k + 1 < n &&
				       !pk_ns_cmp(r, key, v[k], v[k + 1]));
			}
			if (hit)
				pk_set_bit(involved, v[k], true);
		}
	}
}

/**
 * pk_validate() - (re)compute the problem of every used slot
 * @r: region with a live superblock, bitmap and decoded labels
 */
void pk_validate(struct pkern_labels *r)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);
	u32 nslots = sb ? sb->nslots : 0;
	u8 trusted[PKERN_BITMAP_BYTES];		/* used, extent trusted */
	u8 involved[PKERN_BITMAP_BYTES];	/* in some conflict */
	u32 i;

	for (i = 0; i < nslots; i++) {
		struct pkern_ns *ns = &r->ns[i];

		if (!pk_bit(r->bitmap, i))
			continue;
		ns->other = 0;
		if (ns->problem == PKERN_P_LBL_CRC ||
		    ns->problem == PKERN_P_LBL_UUID ||
		    ns->problem == PKERN_P_LBL_NAME)
			continue;
		ns->problem = label_problem(r, ns);
	}
	memset(trusted, 0, sizeof(trusted));
	memset(involved, 0, sizeof(involved));
	for (i = 0; i < nslots; i++)
		if (pk_bit(r->bitmap, i) && pk_extent_ok(r, &r->ns[i]))
			pk_set_bit(trusted, i, true);
	mark_involved(r, trusted, nslots, involved);
	for (i = 0; i < nslots; i++)
		if (pk_bit(involved, i) && r->ns[i].problem == PKERN_P_NONE)
			cross_check(r, trusted, nslots, i);
}
