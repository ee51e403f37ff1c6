// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Updates: format, create and destroy, and the order of their writes.
 *
 * Nothing live is written in place.  Each update writes blocks the live
 * state does not reference, then commits with one write of a block that
 * only becomes live if its checksum is intact (an index block with a
 * higher generation, or a superblock copy with a higher sequence).  A
 * crash or failed callback at any point therefore leaves the old or the
 * new state on media.  Which one a failed callback left is only known to
 * the media (a write may have landed before its persist failed), so after
 * one the region is loaded again: it describes the media, never a guess.
 *
 * Both superblock copies are kept alike, so that one damaged copy always
 * leaves a valid one.  A format commits the new state with the inactive
 * copy (sequence n + 1 beats the live n), then writes the same bytes over
 * the old copy.  The twin carries the same sequence, not n + 2: the new
 * index block is bound to exactly one sequence.  Each copy is written
 * body first and magic last (see commit_sb()), so a torn write never
 * makes a blank region look damaged.  A crash before the first copy is
 * durable leaves the old state (the torn copy fails its CRC or is still
 * blank, the old copy stands); a crash during the second write leaves
 * the new state from the first copy, with the second one damaged or
 * still old, which check reports and pkern_repair() fixes.  A repair only ever writes the
 * copy that is not live, again with the live copy's bytes, so a crash
 * during it changes nothing that load selects.
 */
#include "pkern_lib.h"

/* @err from a label write; after a media failure re-read what it left */
int pk_update_failed(struct pkern_labels *r, int err)
{
	struct pkern_media m = r->media;

	if (err == -PKERN_E_IO)
		pkern_load(r, &m);
	return err;
}

static bool has_labels(const struct pkern_labels *r)
{
	switch (-r->status) {
	case PKERN_OK:
		return r->nr_used > 0;
	case PKERN_E_SIZE_CHANGED:
		/* an unreadable index may hide namespaces */
		return r->nr_used > 0 || r->active_index < 0;
	case PKERN_E_VERSION:
	case PKERN_E_CORRUPT:
		return true;
	default:
		return false;
	}
}

/*
 * The new format must outnumber every checksum-valid superblock copy,
 * including ones with bad geometry or an unknown version, and every
 * checksum-valid index block, whatever it is bound to.
 */
static int next_numbers(const struct pkern_labels *r, u64 *seq, u64 *gen)
{
	u64 max_seq = 0, max_gen = 0;
	int i;

	for (i = 0; i < 2; i++) {
		const struct pkern_sb_info *s = &r->sb[i];

		if ((s->problem == PKERN_P_NONE ||
		     s->problem == PKERN_P_SB_VERSION ||
		     s->problem == PKERN_P_SB_GEOMETRY) && s->seq > max_seq)
			max_seq = s->seq;
		if (r->index[i].problem != PKERN_P_IDX_CRC &&
		    r->index[i].generation > max_gen)
			max_gen = r->index[i].generation;
	}
	if (max_seq == ~0ULL || max_gen == ~0ULL)
		return -PKERN_E_STATE;
	*seq = max_seq + 1;
	*gen = max_gen + 1;
	return 0;
}

bool pk_media_writable(const struct pkern_media *m)
{
	return m->ops && m->ops->read && m->ops->write && m->ops->persist;
}

/*
 * Write a superblock copy body first and its magic last, each persisted.
 * A copy with the magic but no valid checksum reads as damage, never as
 * blank, so a torn write must not leave a fresh magic behind: the 8-byte
 * magic lands whole or not at all.  Over a blank block a crash then
 * leaves it blank; over an old copy it leaves a checksum failure in a
 * copy that is not the one load selects.
 */
static int commit_sb(struct pkern_labels *r, int copy)
{
	const u8 *raw = (const u8 *)&r->buf.sb;
	u64 mlen = sizeof(r->buf.sb.magic);
	int ret;

	ret = pk_commit(r, PKERN_SB_OFF(copy) + mlen, raw + mlen,
			sizeof(r->buf.sb) - mlen);
	if (ret)
		return ret;
	return pk_commit(r, PKERN_SB_OFF(copy), raw, mlen);
}

/*
 * A format forgets namespaces, not what is known about the memory: the
 * recorded pages that lie in the new data area go into the new index.
 * Filtered in place: @r is loaded again after the format either way.
 */
static void keep_bad_pages(struct pkern_labels *r, u64 data_start, u64 size)
{
	u32 n, kept = 0;

	if (r->active_index < 0)
		r->nr_bad = 0;
	for (n = 0; n < r->nr_bad; n++)
		if (r->bad[n] >= data_start / PKERN_GRANULE &&
		    r->bad[n] < size / PKERN_GRANULE)
			r->bad[kept++] = r->bad[n];
	r->nr_bad = kept;
}

/**
 * pkern_format() - write an empty label area
 * @r: region state; loaded from @m first, and again after the writes
 * @m: media
 * @p: region UUID, slot count and force
 *
 * Refuses to drop namespaces (or a state it cannot read, such as a
 * damaged superblock) unless @p->force; @r then still describes what is
 * there.  Writes the inactive index block bound to the new sequence
 * first, then the inactive superblock copy, which commits, then the same
 * copy over the other one; each copy body first and magic last.  The
 * recorded bad pages of a readable index that fall in the new data area
 * are kept.  Whatever the result, @r describes what @m holds.
 *
 * Return: 0, -PKERN_E_INVAL (bad parameters, or a region size that is not
 * a multiple of 4 KiB), -PKERN_E_TOO_SMALL, -PKERN_E_HAS_LABELS,
 * -PKERN_E_STATE (sequence exhausted) or -PKERN_E_IO.
 */
int pkern_format(struct pkern_labels *r, const struct pkern_media *m,
		 const struct pkern_format_params *p)
{
	struct pkern_sb_info sb;
	u64 gen;
	u32 nslots;
	int ret, load, target = 0;

	ret = pkern_load(r, m);
	if (ret == -PKERN_E_IO)
		return ret;
	if (!p || !pk_media_writable(m))
		return -PKERN_E_INVAL;
	nslots = p->nslots ? p->nslots : PKERN_DEFAULT_SLOTS;
	if (nslots < PKERN_MIN_SLOTS || nslots > PKERN_MAX_SLOTS || nslots % 8 ||
	    pk_uuid_zero(p->uuid) || m->size % PKERN_GRANULE)
		return -PKERN_E_INVAL;
	if (m->size < pkern_label_area_size(nslots) + PKERN_GRANULE)
		return -PKERN_E_TOO_SMALL;
	if (!p->force && has_labels(r))
		return -PKERN_E_HAS_LABELS;

	memset(&sb, 0, sizeof(sb));
	ret = next_numbers(r, &sb.seq, &gen);
	if (ret)
		return ret;
	memcpy(sb.uuid, p->uuid, PKERN_UUID_LEN);
	sb.nslots = nslots;
	memset(r->bitmap, 0, sizeof(r->bitmap));
	keep_bad_pages(r, pkern_label_area_size(nslots), m->size);

	pk_index_encode(&r->buf.index, gen, &sb, r->bitmap, r->bad, r->nr_bad);
	ret = pk_commit(r, PKERN_INDEX_OFF(r->active_index == 0 ? 1 : 0),
			&r->buf.index, sizeof(r->buf.index));
	if (!ret) {
		target = r->active_sb == 0 ? 1 : 0;
		pk_sb_encode(&r->buf.sb, sb.seq, m->size, nslots, p->uuid);
		ret = commit_sb(r, target);
	}
	/* the new state is live: now its twin over the old copy */
	if (!ret)
		ret = commit_sb(r, 1 - target);
	/* @r's bitmap was cleared above: re-read the media either way */
	load = pkern_load(r, m);
	return ret ? ret : load;
}

/* The copy that is not live needs rewriting: damaged, blank or stale */
static bool twin_stale(const struct pkern_labels *r)
{
	const struct pkern_sb_info *live = pk_live_sb(r);
	const struct pkern_sb_info *twin = &r->sb[1 - r->active_sb];

	return twin->problem != PKERN_P_NONE || twin->seq != live->seq;
}

/**
 * pkern_repair() - restore the superblock copy that is not live
 * @r: region state; loaded from @m first, and again after a write
 * @m: media
 *
 * Rewrites the copy that is damaged, blank or older than the live one
 * with the live copy's bytes.  Only that copy is written, so a crash
 * leaves the live copy, and the state load selects, unchanged.  Without
 * a valid copy to restore from nothing is written.
 *
 * Return: 1 if a copy was rewritten, 0 if both copies were already alike,
 * -PKERN_E_UNFORMATTED (both copies blank), -PKERN_E_CORRUPT (no valid
 * copy), -PKERN_E_VERSION (the live copy has an unknown major),
 * -PKERN_E_INVAL (media not writable) or -PKERN_E_IO.
 */
int pkern_repair(struct pkern_labels *r, const struct pkern_media *m)
{
	struct pkern_sb_info chk;
	int ret, load, live;

	ret = pkern_load(r, m);
	if (ret == -PKERN_E_IO)
		return ret;
	if (!pk_media_writable(m))
		return -PKERN_E_INVAL;
	live = r->active_sb;
	if (live < 0)
		return r->status;
	if (r->sb[live].problem != PKERN_P_NONE)
		return -PKERN_E_VERSION;
	if (!twin_stale(r))
		return 0;
	/* copy the raw bytes, checked again, so the twin is exact */
	ret = pk_read(r, PKERN_SB_OFF(live), &r->buf.sb, sizeof(r->buf.sb));
	if (ret)
		return ret;
	pk_sb_decode(&r->buf.sb, &chk);
	if (chk.problem != PKERN_P_NONE || chk.seq != r->sb[live].seq)
		return -PKERN_E_IO;
	ret = commit_sb(r, 1 - live);
	load = pkern_load(r, m);
	if (ret)
		return ret;
	return load == -PKERN_E_IO ? load : 1;
}

/**
 * pk_commit_index() - write the inactive index block and make it live
 * @r: loaded region
 * @bitmap: the new used-slot bitmap
 * @bad: the new bad-page list, ascending; may be @r->bad itself
 * @nr_bad: entries in @bad
 *
 * Return: 0, or -PKERN_E_IO with @r unchanged (callers reload).
 */
int pk_commit_index(struct pkern_labels *r, const u8 *bitmap, const u64 *bad,
		    u32 nr_bad)
{
	int target = 1 - r->active_index;
	int ret;

	pk_index_encode(&r->buf.index, r->generation + 1, pk_live_sb(r), bitmap,
			bad, nr_bad);
	ret = pk_commit(r, PKERN_INDEX_OFF(target), &r->buf.index,
			sizeof(r->buf.index));
	if (ret)
		return ret;
	pk_index_decode(&r->buf.index, pk_live_sb(r), &r->index[target]);
	r->active_index = target;
	r->generation++;
	memcpy(r->bitmap, bitmap, PKERN_BITMAP_BYTES);
	if (bad != r->bad)
		memcpy(r->bad, bad, (size_t)nr_bad * sizeof(*bad));
	r->nr_bad = nr_bad;
	return 0;
}

static bool name_or_uuid_used(const struct pkern_labels *r,
			      const struct pkern_create_params *p)
{
	u32 n, nslots = pk_live_sb(r)->nslots;

	for (n = 0; n < nslots; n++) {
		const struct pkern_ns *ns = &r->ns[n];

		if (!pk_bit(r->bitmap, n) || ns->problem == PKERN_P_LBL_CRC)
			continue;
		if (pk_name_eq(ns->name, p->name) ||
		    !memcmp(ns->uuid, p->uuid, PKERN_UUID_LEN))
			return true;
	}
	return false;
}

/* Where the extent may start: the label's alignment or a stricter one */
static u64 place_align(const struct pkern_create_params *p)
{
	return p->place_align > p->align ? p->place_align : p->align;
}

static int check_create(const struct pkern_labels *r,
			const struct pkern_create_params *p)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);

	if (!p || !pkern_name_valid(p->name) || pk_uuid_zero(p->uuid) ||
	    (p->kind != PKERN_KIND_GUEST && p->kind != PKERN_KIND_IOMMU) ||
	    !pk_align_valid(p->align) || !p->size ||
	    (p->size & (p->align - 1)))
		return -PKERN_E_INVAL;
	if (p->place_align & (p->place_align - 1))
		return -PKERN_E_INVAL;
	/* an IOMMU walking a table on a poisoned page is not survivable */
	if (p->allow_bad && p->kind == PKERN_KIND_IOMMU)
		return -PKERN_E_INVAL;
	if (p->size & (place_align(p) - 1))
		return -PKERN_E_INVAL;
	if (p->offset != PKERN_OFFSET_ANY &&
	    ((p->offset & (place_align(p) - 1)) || p->offset < sb->data_start ||
	     p->offset + p->size < p->offset ||
	     p->offset + p->size > sb->region_size))
		return -PKERN_E_INVAL;
	if (name_or_uuid_used(r, p))
		return -PKERN_E_EXIST;
	return 0;
}

static int free_slot(const struct pkern_labels *r, u32 *slot)
{
	u32 n, nslots = pk_live_sb(r)->nslots;

	for (n = 0; n < nslots; n++) {
		if (!pk_bit(r->bitmap, n)) {
			*slot = n;
			return 0;
		}
	}
	return -PKERN_E_NOSLOT;
}

/**
 * pkern_create() - create a namespace
 * @r: loaded region (status 0)
 * @p: the namespace
 * @out: optional; set to the new namespace in @r
 *
 * Zeroes the extent (if the media has a scrub callback, around recorded
 * bad pages) before the label can make it visible, writes the label into the first free slot, then
 * commits the inactive index block with the slot set.  On success @r is
 * updated in memory, without reading the media back; after a failed
 * label write it is loaded again (see pk_update_failed()).
 *
 * Return: 0, -PKERN_E_STATE, -PKERN_E_INVAL, -PKERN_E_EXIST,
 * -PKERN_E_NOSLOT, -PKERN_E_NOSPC, -PKERN_E_BADPAGE (a fixed offset over
 * a recorded bad page without @p->allow_bad) or -PKERN_E_IO.  A page-table
 * pool never covers a recorded page: @p->allow_bad with the iommu kind is
 * -PKERN_E_INVAL.
 */
int pkern_create(struct pkern_labels *r, const struct pkern_create_params *p,
		 const struct pkern_ns **out)
{
	const struct pkern_media *m = &r->media;
	u8 bitmap[PKERN_BITMAP_BYTES];
	u64 off;
	u32 slot;
	int ret;

	if (r->status || r->active_index < 0 || !pk_media_writable(m) ||
	    r->generation == ~0ULL)
		return -PKERN_E_STATE;
	ret = check_create(r, p);
	if (ret)
		return ret;
	ret = free_slot(r, &slot);
	if (ret)
		return ret;
	off = p->offset;
	if (off == PKERN_OFFSET_ANY)
		ret = pk_first_fit(r, p->size, place_align(p), !p->allow_bad,
				   &off);
	else if (!pk_range_free(r, off, p->size))
		ret = -PKERN_E_NOSPC;
	else if (!p->allow_bad && pkern_bad_count(r, off, p->size))
		ret = -PKERN_E_BADPAGE;
	if (ret)
		return ret;

	/* no label written yet: @r still describes the media */
	if (pk_scrub(r, off, p->size))
		return -PKERN_E_IO;
	pk_label_encode(&r->buf.label, p, off, r->generation + 1);
	ret = pk_commit(r, PKERN_SLOT_OFF + (u64)slot * PKERN_SLOT_SIZE,
			&r->buf.label, sizeof(r->buf.label));
	if (ret)
		return pk_update_failed(r, ret);
	/* the slot is unused until the index commits: safe to fill now */
	pk_label_decode(&r->buf.label, slot, &r->ns[slot]);

	memcpy(bitmap, r->bitmap, sizeof(bitmap));
	pk_set_bit(bitmap, slot, true);
	ret = pk_commit_index(r, bitmap, r->bad, r->nr_bad);
	if (ret)
		return pk_update_failed(r, ret);
	r->nr_used++;
	pk_validate(r);
	if (out)
		*out = &r->ns[slot];
	return 0;
}

/**
 * pkern_destroy() - destroy a namespace, usable or not
 * @r: loaded region (status 0)
 * @slot: used label slot
 *
 * Commits the inactive index block with the slot cleared (the bad-page
 * list stays as it is), then zeroes the extent, around recorded bad
 * pages, if the media has a scrub callback and the bytes are the label's
 * own: its extent passed the range checks and no older label overlaps it.
 * If that scrub fails the namespace is still gone; the error says its
 * bytes may not be zero.  After a failed index write @r is loaded again,
 * so either way pkern_find_uuid() tells whether the namespace is gone.
 *
 * Return: 0, -PKERN_E_STATE, -PKERN_E_NOENT or -PKERN_E_IO.
 */
int pkern_destroy(struct pkern_labels *r, u32 slot)
{
	const struct pkern_media *m = &r->media;
	u8 bitmap[PKERN_BITMAP_BYTES];
	bool scrub;
	u64 off, size;
	int ret;

	if (r->status || r->active_index < 0 || !pk_media_writable(m) ||
	    r->generation == ~0ULL)
		return -PKERN_E_STATE;
	if (slot >= pk_live_sb(r)->nslots || !pk_bit(r->bitmap, slot))
		return -PKERN_E_NOENT;
	scrub = m->ops->scrub && pk_extent_ok(r, &r->ns[slot]) &&
		!pk_overlaps_older(r, slot);
	off = r->ns[slot].offset;
	size = r->ns[slot].size;

	memcpy(bitmap, r->bitmap, sizeof(bitmap));
	pk_set_bit(bitmap, slot, false);
	ret = pk_commit_index(r, bitmap, r->bad, r->nr_bad);
	if (ret)
		return pk_update_failed(r, ret);
	r->nr_used--;
	memset(&r->ns[slot], 0, sizeof(r->ns[slot]));
	r->ns[slot].slot = slot;
	pk_validate(r);

	/* the index committed: @r describes the media */
	if (scrub && pk_scrub(r, off, size))
		return -PKERN_E_IO;
	return 0;
}
