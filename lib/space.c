// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Data-area space accounting.
 *
 * A byte is occupied if any used slot's label has a trusted extent
 * covering it (pk_extent_ok()), whether or not that namespace is usable:
 * nothing is ever placed on bytes a live label might still describe.
 * All extents are granule aligned, so free space is in whole granules.
 * Extents may overlap on corrupt media, so the walks below never assume
 * they are disjoint or sorted; with at most PKERN_MAX_SLOTS labels the
 * quadratic scans are cheap and need no memory.
 */
#include "pkern_lib.h"

/**
 * pk_overlaps() - whether two non-empty, non-wrapping extents intersect
 * @off_a: start of the first extent
 * @size_a: its length
 * @off_b: start of the second extent
 * @size_b: its length
 *
 * Return: true if they share at least one byte.
 */
bool pk_overlaps(u64 off_a, u64 size_a, u64 off_b, u64 size_b)
{
	return off_a < off_b + size_b && off_b < off_a + size_a;
}

/* The occupied extent of @slot, or false if it occupies nothing. */
static bool occupied(const struct pkern_labels *r, u32 slot, u64 *off,
		     u64 *size)
{
	const struct pkern_ns *ns = &r->ns[slot];

	if (!pk_bit(r->bitmap, slot) || !pk_extent_ok(r, ns))
		return false;
	*off = ns->offset;
	*size = ns->size;
	return true;
}

static u32 region_slots(const struct pkern_labels *r)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);

	return sb ? sb->nslots : 0;
}

/**
 * pk_range_free() - whether no occupied extent intersects a range
 * @r: loaded region
 * @off: start
 * @size: length (non-zero, @off + @size does not wrap)
 *
 * Return: true if the range is free.
 */
bool pk_range_free(const struct pkern_labels *r, u64 off, u64 size)
{
	u32 n, nslots = region_slots(r);
	u64 o, s;

	for (n = 0; n < nslots; n++)
		if (occupied(r, n, &o, &s) && pk_overlaps(off, size, o, s))
			return false;
	return true;
}

/*
 * End of the furthest-reaching occupied extent covering @pos, or @pos;
 * with @bad, recorded bad pages count as occupied.
 */
static u64 skip_occupied(const struct pkern_labels *r, u64 pos, bool bad)
{
	u32 n, nslots = region_slots(r);
	bool moved = true;
	u64 o, s;

	while (moved) {
		moved = false;
		if (bad && pk_skip_bad(r, pos) != pos) {
			pos = pk_skip_bad(r, pos);
			moved = true;
		}
		for (n = 0; n < nslots; n++) {
			if (occupied(r, n, &o, &s) && o <= pos &&
			    pos < o + s) {
				pos = o + s;
				moved = true;
			}
		}
	}
	return pos;
}

/* Start of the first occupied extent beginning after @pos, or @end. */
static u64 next_occupied(const struct pkern_labels *r, u64 pos, u64 end,
			 bool bad)
{
	u32 n, nslots = region_slots(r);
	u64 o, s;

	if (bad)
		end = pk_next_bad(r, pos, end);
	for (n = 0; n < nslots; n++)
		if (occupied(r, n, &o, &s) && o > pos && o < end)
			end = o;
	return end;
}

/**
 * pk_first_fit() - lowest free, aligned placement for a new namespace
 * @r: loaded region
 * @size: bytes, a non-zero multiple of @align
 * @align: a valid alignment
 * @avoid_bad: treat recorded bad pages as occupied
 * @off: result
 *
 * Return: 0, or -PKERN_E_NOSPC if no gap is large enough.
 */
int pk_first_fit(const struct pkern_labels *r, u64 size, u64 align,
		 bool avoid_bad, u64 *off)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);
	u64 end = sb->region_size, pos = sb->data_start, start, gap_end;

	while (pos < end) {
		pos = skip_occupied(r, pos, avoid_bad);
		if (pos >= end)
			break;
		gap_end = next_occupied(r, pos, end, avoid_bad);
		start = pk_round_up(pos, align);
		if (start >= pos && start < gap_end && gap_end - start >= size) {
			*off = start;
			return 0;
		}
		pos = gap_end;
	}
	return -PKERN_E_NOSPC;
}

/**
 * pk_overlaps_older() - whether a label shares bytes with an older one
 * @r: loaded region
 * @slot: used slot with a trusted extent
 *
 * Destroy uses this to decide that the bytes are not its to zero.
 *
 * Return: true if an older label's trusted extent intersects this one.
 */
bool pk_overlaps_older(const struct pkern_labels *r, u32 slot)
{
	const struct pkern_ns *ns = &r->ns[slot];
	u32 n, nslots = region_slots(r);
	u64 o, s;

	for (n = 0; n < nslots; n++)
		if (n != slot && occupied(r, n, &o, &s) &&
		    pk_older(&r->ns[n], ns) &&
		    pk_overlaps(ns->offset, ns->size, o, s))
			return true;
	return false;
}

/**
 * pkern_free_bytes() - free space in the data area
 * @r: loaded region
 * @align: alignment for @largest (a valid PKERN_ALIGN_* value)
 * @largest: optional; the largest namespace size that could be created at
 *	@align (an aligned start, rounded down to a multiple of @align)
 *
 * Return: total free bytes (whole granules), 0 if @r is not loaded or
 * @align is invalid.
 */
u64 pkern_free_bytes(const struct pkern_labels *r, u64 align, u64 *largest)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);
	u64 total = 0, best = 0, pos, end, gap_end, start, len;

	if (largest)
		*largest = 0;
	if (r->status || !sb || !pk_align_valid(align))
		return 0;
	pos = sb->data_start;
	end = sb->region_size;
	while (pos < end) {
		pos = skip_occupied(r, pos, false);
		if (pos >= end)
			break;
		gap_end = next_occupied(r, pos, end, false);
		total += gap_end - pos;
		start = pk_round_up(pos, align);
		if (start >= pos && start < gap_end) {
			len = (gap_end - start) & ~(align - 1);
			if (len > best)
				best = len;
		}
		pos = gap_end;
	}
	if (largest)
		*largest = best;
	return total;
}
