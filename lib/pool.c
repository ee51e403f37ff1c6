// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pkern IOMMU page-table pool: header, geometry and bitmap allocator.
 * Layout and crash-consistency argument: pkern_pool.h.
 */
#include "pkern_pool.h"

/*
 * One bitmap word is read and written as a single 64-bit access: the
 * crash-consistency argument depends on the store not being split.
 */
#ifdef __KERNEL__
#include <linux/compiler.h>
#define pool_load64(p)		READ_ONCE(*(p))
#define pool_store64(p, v)	WRITE_ONCE(*(p), (v))
#else
#define pool_load64(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define pool_store64(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#endif

static __le64 *pool_bitmap(const struct pkern_pool_state *s)
{
	return (__le64 *)((u8 *)s->m.base + s->bitmap_off);
}

/* Write bitmap word @w as one 64-bit store and make it durable */
static void pool_set_word(struct pkern_pool_state *s, u64 w, u64 word)
{
	__le64 *bm = pool_bitmap(s);

	pool_store64(&bm[w], cpu_to_le64(word));
	s->m.persist(s->m.ctx, &bm[w], sizeof(bm[w]));
}

static u64 pool_words(u64 nr_pages)
{
	return (nr_pages + 63) / 64;
}

static u32 pool_weight64(u64 w)
{
	u32 n = 0;

	while (w) {
		w &= w - 1;
		n++;
	}
	return n;
}

/**
 * pkern_pool_geometry() - lay out a pool of @size bytes
 * @size: namespace size, a multiple of 4 KiB
 * @nr_pages: out: allocatable pages
 * @bitmap_off: out: offset of the bitmap
 * @data_off: out: offset of the first allocatable page
 *
 * One header page, then as many bitmap pages as the remaining pages need
 * (each bitmap page describes 32768 pages), then the data pages.
 *
 * Return: 0, -PKERN_E_INVAL for a size that is not a multiple of 4 KiB,
 * or -PKERN_E_TOO_SMALL if no data page fits.
 */
int pkern_pool_geometry(u64 size, u64 *nr_pages, u64 *bitmap_off,
			u64 *data_off)
{
	u64 pages, bpages;

	if (size % PKERN_POOL_PAGE)
		return -PKERN_E_INVAL;
	pages = size / PKERN_POOL_PAGE;
	if (pages < 3)
		return -PKERN_E_TOO_SMALL;
	/* pages - 1 = data + bitmap, and a bitmap page covers itself too */
	bpages = (pages - 1 + PKERN_POOL_BITS_PER_PAGE) /
		 (PKERN_POOL_BITS_PER_PAGE + 1);
	*nr_pages = pages - 1 - bpages;
	*bitmap_off = PKERN_POOL_BITMAP_OFF;
	*data_off = PKERN_POOL_BITMAP_OFF + bpages * PKERN_POOL_PAGE;
	return 0;
}

static bool pool_zero(const u8 *p, u64 len)
{
	u64 i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static bool pool_hdr_valid(const struct pkern_pool_state *s,
			   const struct pkern_pool_hdr *h, const u8 *ns_uuid)
{
	if (memcmp(h->magic, PKERN_POOL_MAGIC, sizeof(h->magic)) ||
	    le16_to_cpu(h->major) != PKERN_POOL_MAJOR ||
	    le32_to_cpu(h->hdr_size) != sizeof(*h) ||
	    pkern_crc32(h, sizeof(*h) - sizeof(h->crc)) != le32_to_cpu(h->crc))
		return false;
	/* geometry is recomputed from the size, the header must agree */
	return le64_to_cpu(h->pool_size) == s->m.size &&
	       le64_to_cpu(h->page_size) == PKERN_POOL_PAGE &&
	       le64_to_cpu(h->nr_pages) == s->nr_pages &&
	       le64_to_cpu(h->bitmap_off) == s->bitmap_off &&
	       le64_to_cpu(h->data_off) == s->data_off &&
	       !memcmp(h->ns_uuid, ns_uuid, PKERN_UUID_LEN);
}

static void pool_write_hdr(struct pkern_pool_state *s, const u8 *ns_uuid)
{
	struct pkern_pool_hdr *h = s->m.base;
	u64 blen = s->data_off - s->bitmap_off;

	/* bitmap first: the header must never describe stale bits */
	memset((u8 *)s->m.base + s->bitmap_off, 0, blen);
	s->m.persist(s->m.ctx, (u8 *)s->m.base + s->bitmap_off, blen);

	memset(h, 0, PKERN_POOL_PAGE);
	memcpy(h->magic, PKERN_POOL_MAGIC, sizeof(h->magic));
	h->major = cpu_to_le16(PKERN_POOL_MAJOR);
	h->minor = cpu_to_le16(PKERN_POOL_MINOR);
	h->hdr_size = cpu_to_le32(sizeof(*h));
	h->pool_size = cpu_to_le64(s->m.size);
	h->page_size = cpu_to_le64(PKERN_POOL_PAGE);
	h->nr_pages = cpu_to_le64(s->nr_pages);
	h->bitmap_off = cpu_to_le64(s->bitmap_off);
	h->data_off = cpu_to_le64(s->data_off);
	memcpy(h->ns_uuid, ns_uuid, PKERN_UUID_LEN);
	h->crc = cpu_to_le32(pkern_crc32(h, sizeof(*h) - sizeof(h->crc)));
	s->m.persist(s->m.ctx, h, PKERN_POOL_PAGE);
}

/**
 * pkern_pool_open() - validate (or lay out) a pool and count used pages
 * @s: state to fill
 * @m: the pool's memory
 * @ns_uuid: UUID of the owning namespace label
 * @initialized: out, may be NULL: true if a new header was written
 *
 * A pool whose header does not validate is (re)initialised only when its
 * whole bitmap is zero, so no page that might be in use is ever lost.
 * Reads the bitmap once: O(pool size / 32768).
 *
 * Return: 0; -PKERN_E_TOO_SMALL / -PKERN_E_INVAL for an unusable size;
 * -PKERN_E_CORRUPT if the header is bad while pages are marked in use or
 * the bitmap has bits beyond the last page.
 */
int pkern_pool_open(struct pkern_pool_state *s,
		    const struct pkern_pool_media *m, const u8 *ns_uuid,
		    bool *initialized)
{
	const struct pkern_pool_hdr *h;
	const __le64 *bm;
	u64 w, nwords, last;
	int ret;

	memset(s, 0, sizeof(*s));
	s->m = *m;
	if (initialized)
		*initialized = false;
	ret = pkern_pool_geometry(m->size, &s->nr_pages, &s->bitmap_off,
				  &s->data_off);
	if (ret)
		return ret;

	h = m->base;
	if (!pool_hdr_valid(s, h, ns_uuid)) {
		if (!pool_zero((const u8 *)m->base + s->bitmap_off,
			       s->data_off - s->bitmap_off))
			return -PKERN_E_CORRUPT;
		pool_write_hdr(s, ns_uuid);
		if (initialized)
			*initialized = true;
		return 0;
	}

	bm = pool_bitmap(s);
	nwords = pool_words(s->nr_pages);
	for (w = 0; w < nwords; w++)
		s->in_use += pool_weight64(le64_to_cpu(pool_load64(&bm[w])));
	/* bits past nr_pages in the last word, and later words, must be 0 */
	last = s->nr_pages % 64;
	if (last && (le64_to_cpu(pool_load64(&bm[nwords - 1])) >> last))
		return -PKERN_E_CORRUPT;
	if (!pool_zero((const u8 *)&bm[nwords],
		       s->data_off - s->bitmap_off - nwords * 8))
		return -PKERN_E_CORRUPT;
	return 0;
}

/**
 * pkern_pool_alloc() - take one zeroed page
 * @s: open pool
 * @off: out: offset of the page from the start of the namespace
 *
 * Zeroes and persists the page, then sets its bit with one 64-bit store
 * and persists that word.  O(1) amortised: the search resumes where the
 * previous one stopped.
 *
 * Return: 0 or -PKERN_E_NOSPC when every page is in use.
 */
int pkern_pool_alloc(struct pkern_pool_state *s, u64 *off)
{
	__le64 *bm = pool_bitmap(s);
	u64 nwords = pool_words(s->nr_pages);
	u64 i, w, word, free, bit, page;

	if (s->in_use >= s->nr_pages)
		return -PKERN_E_NOSPC;
	for (i = 0; i < nwords; i++) {
		w = (s->next + i) % nwords;
		word = le64_to_cpu(pool_load64(&bm[w]));
		free = ~word & (word + 1);	/* lowest clear bit */
		if (!free)
			continue;
		for (bit = 0; !(free & (1ULL << bit)); bit++)
			;
		page = w * 64 + bit;
		if (page >= s->nr_pages)
			continue;
		*off = s->data_off + page * PKERN_POOL_PAGE;
		memset((u8 *)s->m.base + *off, 0, PKERN_POOL_PAGE);
		s->m.persist(s->m.ctx, (u8 *)s->m.base + *off,
			     PKERN_POOL_PAGE);
		pool_set_word(s, w, word | free);
		s->in_use++;
		s->next = w;
		return 0;
	}
	return -PKERN_E_NOSPC;
}

/* Word @w, bit @mask and current value @word of the data page at @off */
static int pool_locate(const struct pkern_pool_state *s, u64 off,
		       u64 *w, u64 *mask, u64 *word)
{
	u64 page;

	if (off < s->data_off || (off - s->data_off) % PKERN_POOL_PAGE)
		return -PKERN_E_INVAL;
	page = (off - s->data_off) / PKERN_POOL_PAGE;
	if (page >= s->nr_pages)
		return -PKERN_E_INVAL;
	*w = page / 64;
	*mask = 1ULL << (page % 64);
	*word = le64_to_cpu(pool_load64(&pool_bitmap(s)[*w]));
	return 0;
}

/**
 * pkern_pool_page_in_use() - is the page at @off allocated?
 * @s: open pool
 * @off: offset of a data page
 *
 * Return: true if @off names a data page whose bit is set.
 */
bool pkern_pool_page_in_use(const struct pkern_pool_state *s, u64 off)
{
	u64 w, mask, word;

	if (pool_locate(s, off, &w, &mask, &word))
		return false;
	return word & mask;
}

/**
 * pkern_pool_free() - return a page to the pool
 * @s: open pool
 * @off: offset returned by pkern_pool_alloc()
 *
 * Clears the page's bit with one 64-bit store and persists it.  The page
 * is not zeroed here: pkern_pool_alloc() zeroes every page it hands out.
 *
 * Return: 0 or -PKERN_E_INVAL if @off is not an allocated data page.
 */
int pkern_pool_free(struct pkern_pool_state *s, u64 off)
{
	u64 w, mask, word;
	int ret;

	ret = pool_locate(s, off, &w, &mask, &word);
	if (ret)
		return ret;
	if (!(word & mask))
		return -PKERN_E_INVAL;
	pool_set_word(s, w, word & ~mask);
	s->in_use--;
	return 0;
}

/**
 * pkern_pool_take() - take one given page out of circulation
 * @s: open pool
 * @off: offset of a data page
 *
 * For a page with a memory error: a free page gets its bit set with one
 * 64-bit store, persisted, as pkern_pool_alloc() does, so no allocation
 * hands it out again, here or after kexec.  The page itself is neither
 * read nor written.  A page in use is left as it is.
 *
 * Return: 1 if the page was free and is taken now, 0 if it was in use,
 * -PKERN_E_INVAL if @off is not a data page.
 */
int pkern_pool_take(struct pkern_pool_state *s, u64 off)
{
	u64 w, mask, word;
	int ret;

	ret = pool_locate(s, off, &w, &mask, &word);
	if (ret)
		return ret;
	if (word & mask)
		return 0;
	pool_set_word(s, w, word | mask);
	s->in_use++;
	return 1;
}
