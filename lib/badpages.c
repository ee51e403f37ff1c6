// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Recorded bad pages: data-area pages the memory reported as poisoned.
 *
 * The list is part of the index block (see struct pkern_index), so each
 * change is one index commit: the inactive block is written with the new
 * list and generation + 1, and a crash leaves the old or the new list.
 * Entries are single 4 KiB pages, kept sorted and unique: adding a page
 * that is already there is a no-op that writes nothing, and a change that
 * does not fit is refused whole (-PKERN_E_BADFULL), never truncated.
 * Lookups are binary searches, so placement and scrubbing stay
 * O(namespaces + bad pages).
 */
#include "pkern_lib.h"

#define PAGE_OF(off)	((off) / PKERN_GRANULE)

/**
 * pk_bad_first() - position of the first recorded page at or after @page
 * @r: loaded region
 * @page: region offset / 4 KiB
 *
 * Return: an index into @r->bad, @r->nr_bad if there is none.
 */
u32 pk_bad_first(const struct pkern_labels *r, u64 page)
{
	u32 lo = 0, hi = r->nr_bad, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->bad[mid] < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/**
 * pk_skip_bad() - end of the run of recorded pages that covers @pos
 * @r: loaded region
 * @pos: region offset
 *
 * Return: @pos if its page is not recorded, else the end of the last page
 * of the run of consecutive recorded pages it is in.
 */
u64 pk_skip_bad(const struct pkern_labels *r, u64 pos)
{
	u32 i = pk_bad_first(r, PAGE_OF(pos));
	u64 page = PAGE_OF(pos);

	if (i >= r->nr_bad || r->bad[i] != page)
		return pos;
	while (i + 1 < r->nr_bad && r->bad[i + 1] == r->bad[i] + 1)
		i++;
	return (r->bad[i] + 1) * PKERN_GRANULE;
}

/**
 * pk_next_bad() - start of the first recorded page that starts after @pos
 * @r: loaded region
 * @pos: region offset
 * @end: returned when no such page starts before it
 *
 * Return: a region offset, at most @end.
 */
u64 pk_next_bad(const struct pkern_labels *r, u64 pos, u64 end)
{
	u32 i = pk_bad_first(r, PAGE_OF(pos) + 1);
	u64 start;

	if (i >= r->nr_bad)
		return end;
	start = r->bad[i] * PKERN_GRANULE;
	return start < end ? start : end;
}

/**
 * pk_scrub() - zero an extent through the scrub callback, around bad pages
 * @r: loaded region
 * @off: start, granule aligned
 * @len: bytes, granule aligned
 *
 * Recorded pages are never written: a store to a poisoned line is a
 * machine check the kernel may not survive.  Without a scrub callback
 * this does nothing.
 *
 * Return: 0, or -PKERN_E_IO if a callback failed.
 */
int pk_scrub(const struct pkern_labels *r, u64 off, u64 len)
{
	const struct pkern_media *m = &r->media;
	u64 pos = off, end = off + len, next;

	if (!m->ops->scrub)
		return 0;
	while (pos < end) {
		pos = pk_skip_bad(r, pos);
		if (pos >= end)
			break;
		next = pk_next_bad(r, pos, end);
		if (m->ops->scrub(m->ctx, pos, next - pos))
			return -PKERN_E_IO;
		pos = next;
	}
	return 0;
}

/* A page range inside the data area of a loaded, writable region. */
static int check_range(const struct pkern_labels *r, u64 off, u64 len)
{
	const struct pkern_sb_info *sb = pk_live_sb(r);

	if (r->status || r->active_index < 0 || !sb ||
	    !pk_media_writable(&r->media) || r->generation == ~0ULL)
		return -PKERN_E_STATE;
	if (!len || off % PKERN_GRANULE || len % PKERN_GRANULE ||
	    off < sb->data_start || off + len < off ||
	    off + len > sb->region_size)
		return -PKERN_E_INVAL;
	return 0;
}

/**
 * pkern_bad_count() - recorded pages inside a range
 * @r: loaded region
 * @off: region offset
 * @len: bytes
 *
 * Return: the number of recorded pages that share a byte with the range.
 */
u32 pkern_bad_count(const struct pkern_labels *r, u64 off, u64 len)
{
	u64 end = off + len;

	if (!len || end < off)
		return 0;
	return pk_bad_first(r, (end + PKERN_GRANULE - 1) / PKERN_GRANULE) -
	       pk_bad_first(r, PAGE_OF(off));
}

/**
 * pkern_bad_next_range() - next run of consecutive recorded pages
 * @r: loaded region
 * @from: region offset to start looking at
 * @to: end of the window
 * @off: out: start of the run, clipped to [@from, @to)
 * @len: out: bytes of the run inside the window
 *
 * Iterate with @from = @off + @len.  Runs are what the list holds,
 * merged: the list itself stores single pages.
 *
 * Return: true if a run was found.
 */
bool pkern_bad_next_range(const struct pkern_labels *r, u64 from, u64 to,
			  u64 *off, u64 *len)
{
	u32 i = pk_bad_first(r, PAGE_OF(from));
	u64 start, end;

	if (i >= r->nr_bad)
		return false;
	start = r->bad[i] * PKERN_GRANULE;
	if (start >= to)
		return false;
	end = pk_skip_bad(r, start);
	if (start < from)
		start = from;
	if (end > to)
		end = to;
	*off = start;
	*len = end - start;
	return true;
}

/**
 * pkern_bad_add() - record the pages of a range as bad
 * @r: loaded region (status 0)
 * @off: region offset, 4 KiB aligned, inside the data area
 * @len: bytes, a non-zero multiple of 4 KiB
 *
 * Pages already recorded are left as they are; if all are, nothing is
 * written.  Otherwise the new list is committed with one index update.
 * If the list cannot take every new page nothing is recorded.  Pages
 * under namespaces and free pages are recorded alike.
 *
 * Return: the number of pages newly recorded (0 if all were known),
 * -PKERN_E_STATE, -PKERN_E_INVAL, -PKERN_E_BADFULL or -PKERN_E_IO (then
 * @r has been loaded again, see pkern_create()).
 */
int pkern_bad_add(struct pkern_labels *r, u64 off, u64 len)
{
	u64 first = PAGE_OF(off), last, page, known;
	u32 i, n, add;
	int ret;

	ret = check_range(r, off, len);
	if (ret)
		return ret;
	last = first + PAGE_OF(len);
	known = pkern_bad_count(r, off, len);
	if (known == last - first)
		return 0;
	if (last - first - known > PKERN_MAX_BAD - r->nr_bad)
		return -PKERN_E_BADFULL;
	add = (u32)(last - first - known);

	/* merge from the back, in place: the tail moves up by @add */
	i = r->nr_bad;
	n = r->nr_bad + add;
	page = last;
	while (page > first) {
		while (i && r->bad[i - 1] >= page)
			r->bad[--n] = r->bad[--i];
		page--;
		if (i && r->bad[i - 1] == page)
			i--;
		r->bad[--n] = page;
	}
	/* @r->bad now holds the new list; commit it, or reload the old */
	ret = pk_commit_index(r, r->bitmap, r->bad, r->nr_bad + add);
	if (ret)
		return pk_update_failed(r, ret);
	return (int)add;
}

/**
 * pkern_bad_clear() - forget the recorded pages of a range
 * @r: loaded region (status 0)
 * @off: region offset, 4 KiB aligned, inside the data area
 * @len: bytes, a non-zero multiple of 4 KiB
 *
 * For an operator who knows the memory was repaired or replaced.  If no
 * page of the range is recorded nothing is written.
 *
 * Return: the number of pages forgotten, -PKERN_E_STATE, -PKERN_E_INVAL
 * or -PKERN_E_IO (then @r has been loaded again).
 */
int pkern_bad_clear(struct pkern_labels *r, u64 off, u64 len)
{
	u32 lo, hi, n;
	int ret;

	ret = check_range(r, off, len);
	if (ret)
		return ret;
	lo = pk_bad_first(r, PAGE_OF(off));
	hi = pk_bad_first(r, PAGE_OF(off + len));
	if (lo == hi)
		return 0;
	for (n = hi; n < r->nr_bad; n++)
		r->bad[lo + n - hi] = r->bad[n];
	ret = pk_commit_index(r, r->bitmap, r->bad, r->nr_bad - (hi - lo));
	if (ret)
		return pk_update_failed(r, ret);
	return (int)(hi - lo);
}
