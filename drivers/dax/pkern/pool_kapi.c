// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel API over iommu namespaces: persistent page-table pools.
 * The on-media allocator is lib/pool.c; this file maps the pool, locks
 * it, and ties its lifetime to the namespace and the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/libnvdimm.h>
#include <linux/module.h>
#include <linux/range.h>
#include <linux/slab.h>

#include "internal.h"
#include <linux/pkern.h>

/* Bitmap words and pages are written with normal stores: write back. */
static void pkern_pool_persist(void *ctx, const void *addr, u64 len)
{
	arch_wb_cache_pmem((void *)addr, len);
	/* the write-back completes before the bitmap word that depends on it */
	wmb();
}

static void pkern_pool_release(struct kref *ref)
{
	struct pkern_pool *pool = container_of(ref, struct pkern_pool, ref);

	memunmap(pool->st.m.base);
	kfree(pool);
}

/* Is the page at pool offset @off one with a memory error?  Pool locked. */
static bool pkern_pool_is_bad(const struct pkern_pool *pool, u64 off)
{
	u32 lo = 0, hi = pool->nr_bad, mid;

	off = ALIGN_DOWN(off, PKERN_POOL_PAGE);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pool->bad[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pool->nr_bad && pool->bad[lo] == off;
}

/*
 * Take the page at pool offset @off out of circulation, pool locked.  A
 * bad header or bitmap page stops every access to the pool's state.
 * Return: 1 if the page was free, 0 if in use (or the pool stopped),
 * -EEXIST if it was retired already, or -ENOSPC (only if the region's
 * list, which bounds this one, lied).
 */
static int pkern_pool_retire_page(struct pkern_pool *pool, u64 off)
{
	u32 i;

	off = ALIGN_DOWN(off, PKERN_POOL_PAGE);
	if (pkern_pool_is_bad(pool, off))
		return -EEXIST;
	if (pool->nr_bad == ARRAY_SIZE(pool->bad))
		return -ENOSPC;
	for (i = pool->nr_bad; i && pool->bad[i - 1] > off; i--)
		pool->bad[i] = pool->bad[i - 1];
	pool->bad[i] = off;
	pool->nr_bad++;
	if (off < pool->st.data_off)
		pool->meta_bad = true;
	if (pool->meta_bad)
		return 0;
	return pkern_pool_take(&pool->st, off) > 0;
}

/*
 * Pages of @nd's namespace with a memory error, as namespace offsets,
 * into @pool->bad; rgn->lock held.  Return: the lowest one, or U64_MAX.
 */
static u64 pkern_pool_bad_of_ns(struct pkern_pool *pool,
				const struct pkern_nsdev *nd)
{
	const struct pkern_labels *r = nd->rgn->labels;
	u64 end = nd->ns.offset + nd->ns.size, pos, off, len, p;

	for (pos = nd->ns.offset; pkern_bad_next_range(r, pos, end, &off, &len);
	     pos = off + len)
		for (p = off; p < off + len && pool->nr_bad < PKERN_MAX_BAD;
		     p += PKERN_POOL_PAGE)
			pool->bad[pool->nr_bad++] = p - nd->ns.offset;
	return pool->nr_bad ? pool->bad[0] : U64_MAX;
}

/* Map and validate the pool of @nd; rgn->lock held. */
static int pkern_pool_open_ns(struct pkern_nsdev *nd)
{
	struct pkern_region *rgn = nd->rgn;
	struct pkern_pool_media m = { };
	struct pkern_pool *pool;
	u64 nr, bitmap_off, data_off, first_bad;
	unsigned int taken = 0;
	bool fresh;
	u32 i;
	int ret;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	/*
	 * Reading the header or the bitmap of a poisoned page would be a
	 * machine check in the kernel: such a pool is not opened at all.
	 */
	first_bad = pkern_pool_bad_of_ns(pool, nd);
	if (!pkern_pool_geometry(nd->ns.size, &nr, &bitmap_off, &data_off) &&
	    first_bad < data_off) {
		pr_err("%s: pool %s (slot %u): its %s page at offset %#llx has a recorded memory error; the pool is not opened, its page tables are not read\n",
		       dev_name(&rgn->dev), nd->ns.name, nd->slot,
		       first_bad ? "allocation bitmap" : "header", first_bad);
		kfree(pool);
		return -EIO;
	}
	kref_init(&pool->ref);
	spin_lock_init(&pool->lock);
	atomic_set(&pool->holders, 0);
	pool->phys = rgn->phys + nd->ns.offset;
	m.base = memremap(pool->phys, nd->ns.size, MEMREMAP_WB);
	if (!m.base) {
		kfree(pool);
		return -ENOMEM;
	}
	m.size = nd->ns.size;
	m.persist = pkern_pool_persist;
	ret = pkern_pool_open(&pool->st, &m, nd->ns.uuid, &fresh);
	if (ret) {
		pr_err("%s: pool %s (slot %u): %s; not usable\n",
		       dev_name(&rgn->dev), nd->ns.name, nd->slot,
		       ret == -PKERN_E_CORRUPT ?
		       "header invalid while pages are marked in use" :
		       "too small for a pool");
		memunmap(m.base);
		kfree(pool);
		return -EIO;
	}
	/* all data pages, sorted: the region's list is */
	for (i = 0; i < pool->nr_bad; i++)
		taken += pkern_pool_take(&pool->st, pool->bad[i]) > 0;
	pr_info("%s: pool %s: %llu of %llu pages in use%s\n",
		dev_name(&rgn->dev), nd->ns.name, pool->st.in_use,
		pool->st.nr_pages, fresh ? " (new)" : "");
	if (pool->nr_bad)
		pr_warn("%s: pool %s: %u pages with a recorded memory error are never handed out (%u were free)\n",
			dev_name(&rgn->dev), nd->ns.name, pool->nr_bad, taken);
	nd->pool = pool;
	return 0;
}

/**
 * pkern_pool_retire() - a page of an iommu namespace had a memory error
 * @rgn: region, lock held
 * @off: region offset of the page, just recorded in the bad-page list
 *
 * If the namespace's pool is open, the page leaves circulation now: free,
 * it is marked in use so no allocation hands it out; in use, it stays so
 * when its owner frees it.  Either way no translation that uses it is
 * kept across kexec (pkern_pool_page_poisoned()).  A pool that is not
 * open reads the list when it is.
 */
void pkern_pool_retire(struct pkern_region *rgn, u64 off)
{
	struct pkern_nsdev *nd;
	struct pkern_pool *pool;
	unsigned long flags;
	bool meta_was;
	u32 slot;
	int ret;

	for (slot = 0; slot < PKERN_MAX_SLOTS; slot++) {
		nd = rgn->nsdev[slot];
		if (nd && nd->pool && off >= nd->ns.offset &&
		    off - nd->ns.offset < nd->ns.size)
			break;
	}
	if (slot == PKERN_MAX_SLOTS)
		return;
	pool = nd->pool;
	spin_lock_irqsave(&pool->lock, flags);
	meta_was = pool->meta_bad;
	ret = pkern_pool_retire_page(pool, off - nd->ns.offset);
	spin_unlock_irqrestore(&pool->lock, flags);
	if (pool->meta_bad && !meta_was)
		pr_err("%s: pool %s: memory error in its header or allocation bitmap; no page is allocated or freed again and none of its translation is kept across kexec\n",
		       dev_name(&rgn->dev), nd->ns.name);
	else if (ret == -ENOSPC)
		pr_err("%s: pool %s: page at offset %#llx not retired: too many bad pages\n",
		       dev_name(&rgn->dev), nd->ns.name, off - nd->ns.offset);
	else if (ret > 0)
		pr_warn("%s: pool %s: free page at offset %#llx retired\n",
			dev_name(&rgn->dev), nd->ns.name, off - nd->ns.offset);
	else if (!ret && !pool->meta_bad)
		pr_warn("%s: pool %s: page at offset %#llx is in use: it stays out of the pool when freed, and the translation it is part of is not kept across kexec\n",
			dev_name(&rgn->dev), nd->ns.name, off - nd->ns.offset);
}

/**
 * pkern_pool_detach() - the namespace of a pool goes away
 * @nd: namespace, region lock held
 *
 * Later allocations fail.  The mapping stays until the last holder puts
 * the pool, and so do lookups and frees: a holder's tables stay
 * walkable and can still be given back.
 */
void pkern_pool_detach(struct pkern_nsdev *nd)
{
	struct pkern_pool *pool = nd->pool;
	unsigned long flags;

	if (!pool)
		return;
	nd->pool = NULL;
	spin_lock_irqsave(&pool->lock, flags);
	pool->dead = true;
	spin_unlock_irqrestore(&pool->lock, flags);
	kref_put(&pool->ref, pkern_pool_release);
}

/**
 * pkern_pool_get() - look up an iommu pool by namespace name
 * @name: namespace name; every ready region is searched, lowest first
 *
 * The pool's namespace cannot be destroyed and the module cannot be
 * unloaded until pkern_pool_put().  Opening maps the pool and validates
 * its header and bitmap; a fresh (zeroed) pool gets a header.
 *
 * Context: process context, may sleep.
 * Return: the pool, or an ERR_PTR(): -ENOENT (no such iommu namespace),
 * -EIO (pool unusable: header corrupt or namespace too small), -ENOMEM.
 */
struct pkern_pool *pkern_pool_get(const char *name)
{
	struct pkern_pool *pool = ERR_PTR(-ENOENT);
	const struct pkern_ns *ns;
	struct pkern_nsdev *nd;
	struct pkern_region *rgn;
	int ret;

	mutex_lock(&pkern_regions_lock);
	list_for_each_entry(rgn, &pkern_regions, node) {
		mutex_lock(&rgn->lock);
		ns = NULL;
		if (rgn->state == PKERN_STATE_READY && !rgn->dead)
			ns = pkern_find_name(rgn->labels, name);
		nd = ns ? rgn->nsdev[ns->slot] : NULL;
		if (!nd || nd->ns.kind != PKERN_KIND_IOMMU) {
			mutex_unlock(&rgn->lock);
			continue;
		}
		ret = nd->pool ? 0 : pkern_pool_open_ns(nd);
		if (ret) {
			pool = ERR_PTR(ret);
		} else if (!try_module_get(THIS_MODULE)) {
			pool = ERR_PTR(-ENODEV);
		} else {
			pool = nd->pool;
			kref_get(&pool->ref);
			atomic_inc(&pool->holders);
		}
		mutex_unlock(&rgn->lock);
		break;
	}
	mutex_unlock(&pkern_regions_lock);
	return pool;
}
EXPORT_SYMBOL_GPL(pkern_pool_get);

/**
 * pkern_pool_put() - release a pool from pkern_pool_get()
 * @pool: pool
 *
 * Pages stay allocated on media; a later pkern_pool_get() (also after
 * kexec) sees them in use.
 */
void pkern_pool_put(struct pkern_pool *pool)
{
	if (IS_ERR_OR_NULL(pool))
		return;
	atomic_dec(&pool->holders);
	kref_put(&pool->ref, pkern_pool_release);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(pkern_pool_put);

/**
 * pkern_pool_alloc_page() - take a zeroed 4 KiB page from a pool
 * @pool: pool from pkern_pool_get()
 * @phys: out: physical address of the page
 *
 * The page is zeroed and durable, and marked in use on media, before
 * this returns.
 *
 * Context: any; does not sleep.
 * Return: kernel virtual address of the page, or NULL if the pool is
 * full or its namespace is gone.
 */
void *pkern_pool_alloc_page(struct pkern_pool *pool, phys_addr_t *phys)
{
	unsigned long flags;
	void *va = NULL;
	u64 off;

	spin_lock_irqsave(&pool->lock, flags);
	if (!pool->dead && !pool->meta_bad &&
	    !pkern_pool_alloc(&pool->st, &off)) {
		*phys = pool->phys + off;
		va = pool->st.m.base + off;
	}
	spin_unlock_irqrestore(&pool->lock, flags);
	return va;
}
EXPORT_SYMBOL_GPL(pkern_pool_alloc_page);

static bool pkern_pool_off(struct pkern_pool *pool, phys_addr_t phys,
			   u64 *off)
{
	if (phys < pool->phys || phys - pool->phys >= pool->st.m.size)
		return false;
	*off = phys - pool->phys;
	return true;
}

/**
 * pkern_pool_free_page() - give a page back
 * @pool: pool from pkern_pool_get()
 * @phys: physical address from pkern_pool_alloc_page()
 *
 * A page with a memory error stays marked in use: it is never handed out
 * again.  So does every page once the pool's own state had one.
 *
 * Context: any; does not sleep.
 * Return: 0, or -EINVAL if @phys is not an allocated page of @pool.
 */
int pkern_pool_free_page(struct pkern_pool *pool, phys_addr_t phys)
{
	unsigned long flags;
	int ret = -EINVAL;
	u64 off;

	spin_lock_irqsave(&pool->lock, flags);
	if (!pkern_pool_off(pool, phys, &off))
		ret = -EINVAL;
	else if (pool->meta_bad || pkern_pool_is_bad(pool, off))
		ret = 0;
	else
		ret = pkern_errno(pkern_pool_free(&pool->st, off));
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(pkern_pool_free_page);

/**
 * pkern_pool_page_allocated() - is @phys an allocated page of @pool?
 * @pool: pool from pkern_pool_get()
 * @phys: physical address
 *
 * Lets the IOMMU hook check page-table pointers it finds after kexec.
 * Once the pool's bitmap had a memory error it is not read: every data
 * page counts as allocated, and pkern_pool_page_poisoned() is true for
 * all of them.
 *
 * Context: any; does not sleep.
 * Return: true if @phys is the start of a page marked in use.
 */
bool pkern_pool_page_allocated(struct pkern_pool *pool, phys_addr_t phys)
{
	unsigned long flags;
	bool ret = false;
	u64 off;

	spin_lock_irqsave(&pool->lock, flags);
	if (!pkern_pool_off(pool, phys, &off))
		ret = false;
	else if (pool->meta_bad)
		ret = off >= pool->st.data_off && PAGE_ALIGNED(off);
	else
		ret = pkern_pool_page_in_use(&pool->st, off);
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(pkern_pool_page_allocated);

/**
 * pkern_pool_page_poisoned() - did the page at @phys have a memory error?
 * @pool: pool from pkern_pool_get()
 * @phys: physical address inside the pool
 *
 * For the IOMMU hook, before it reads a table it would keep or adopt
 * across kexec: a poisoned page must not be read by the kernel (a machine
 * check) nor trusted by the next one.  True for every page once the
 * pool's header or bitmap had one.
 *
 * Context: any; does not sleep.
 * Return: true if the page, or the pool's own state, has a memory error.
 */
bool pkern_pool_page_poisoned(struct pkern_pool *pool, phys_addr_t phys)
{
	unsigned long flags;
	bool ret = false;
	u64 off;

	spin_lock_irqsave(&pool->lock, flags);
	if (pkern_pool_off(pool, phys, &off))
		ret = pool->meta_bad || pkern_pool_is_bad(pool, off);
	spin_unlock_irqrestore(&pool->lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(pkern_pool_page_poisoned);

/**
 * pkern_pool_phys_to_virt() - kernel address of an allocated page
 * @pool: pool from pkern_pool_get()
 * @phys: physical address of an allocated page
 *
 * Context: any; does not sleep.
 * Return: the page's kernel virtual address, or NULL if @phys is not an
 * allocated page of @pool.
 */
void *pkern_pool_phys_to_virt(struct pkern_pool *pool, phys_addr_t phys)
{
	u64 off;

	if (!pkern_pool_page_allocated(pool, phys) ||
	    !pkern_pool_off(pool, phys, &off))
		return NULL;
	return pool->st.m.base + off;
}
EXPORT_SYMBOL_GPL(pkern_pool_phys_to_virt);

/**
 * pkern_pool_handoff_area() - where the IOMMU driver leaves its kexec record
 * @pool: pool from pkern_pool_get()
 * @phys: set to the area's physical address
 * @len: set to its length
 * @start: set to the physical address of the whole pool
 * @size: set to the pool's size
 *
 * The area is the second half of the pool's header page (lib/pkern_pool.h):
 * no allocation ever hands it out, and it survives kexec like the pages.
 *
 * Context: any; does not sleep.
 * Return: the area's kernel virtual address, or NULL once the header page
 * had a memory error (nothing is kept across kexec then).
 */
void *pkern_pool_handoff_area(struct pkern_pool *pool, phys_addr_t *phys,
			      size_t *len, phys_addr_t *start, u64 *size)
{
	if (pkern_pool_page_poisoned(pool, pool->phys))
		return NULL;
	*phys = pool->phys + PKERN_POOL_HANDOFF_OFF;
	*len = PKERN_POOL_HANDOFF_LEN;
	*start = pool->phys;
	*size = pool->st.m.size;
	return pool->st.m.base + PKERN_POOL_HANDOFF_OFF;
}
EXPORT_SYMBOL_GPL(pkern_pool_handoff_area);

/**
 * pkern_pool_in_use() - pages currently allocated
 * @pool: pool from pkern_pool_get()
 *
 * Return: number of pages marked in use on media.
 */
u64 pkern_pool_in_use(struct pkern_pool *pool)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&pool->lock, flags);
	n = pool->st.in_use;
	spin_unlock_irqrestore(&pool->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(pkern_pool_in_use);

/**
 * pkern_pool_nr_poisoned() - pages of the pool with a memory error
 * @pool: pool from pkern_pool_get()
 *
 * Return: how many; they count as in use (pkern_pool_in_use()).
 */
u32 pkern_pool_nr_poisoned(struct pkern_pool *pool)
{
	unsigned long flags;
	u32 n;

	spin_lock_irqsave(&pool->lock, flags);
	n = pool->nr_bad;
	spin_unlock_irqrestore(&pool->lock, flags);
	return n;
}
EXPORT_SYMBOL_GPL(pkern_pool_nr_poisoned);

/**
 * pkern_pool_capacity() - allocatable pages
 * @pool: pool from pkern_pool_get()
 *
 * Return: number of 4 KiB pages the pool can hand out in total.
 */
u64 pkern_pool_capacity(struct pkern_pool *pool)
{
	return pool->st.nr_pages;
}
EXPORT_SYMBOL_GPL(pkern_pool_capacity);

/* The region whose namespace @pool is; pkern_regions_lock held */
static struct pkern_region *pkern_pool_region(struct pkern_pool *pool)
{
	struct pkern_region *rgn;

	list_for_each_entry(rgn, &pkern_regions, node)
		if (pool->phys >= rgn->phys &&
		    pool->phys - rgn->phys < rgn->size)
			return rgn;
	return NULL;
}

/* Fill @ranges from @rgn's live guest namespaces; rgn->lock held */
static int pkern_pool_region_guests(struct pkern_region *rgn,
				    struct pkern_pool *pool,
				    struct range *ranges, int max)
{
	const struct pkern_nsdev *nd;
	bool found = false;
	int n = 0;
	u32 slot;

	if (rgn->state != PKERN_STATE_READY || rgn->dead)
		return -ENXIO;
	for (slot = 0; slot < PKERN_MAX_SLOTS; slot++) {
		nd = rgn->nsdev[slot];
		if (!nd)
			continue;
		if (nd->pool == pool)
			found = true;
		if (nd->ns.kind != PKERN_KIND_GUEST)
			continue;
		if (n < max) {
			ranges[n].start = rgn->phys + nd->ns.offset;
			ranges[n].end = ranges[n].start + nd->ns.size - 1;
		}
		n++;
	}
	return found ? n : -ENXIO;
}

/**
 * pkern_pool_guest_extents() - the guest memory next to a pool
 * @pool: pool from pkern_pool_get()
 * @ranges: filled with at most @max physical ranges
 * @max: room in @ranges
 *
 * The extents of the live guest namespaces of the pool's region: those
 * with a device, so none that is being destroyed (destroy removes the
 * device first, under the same lock).  A domain whose translation is kept
 * across kexec may map these and nothing else of the region: not the
 * labels, not the pool, not free space.
 *
 * Context: process context, also kexec shutdown (interrupts off, other
 * CPUs stopped); does not sleep: it only tries the locks, so a label
 * update in flight makes it fail rather than wait.
 * Return: how many guest namespaces there are (may exceed @max), or
 * -EBUSY (a label update is in flight), -ENXIO (the pool's namespace or
 * region is gone).
 */
int pkern_pool_guest_extents(struct pkern_pool *pool, struct range *ranges,
			     int max)
{
	struct pkern_region *rgn;
	int ret = -EBUSY;

	if (!mutex_trylock(&pkern_regions_lock))
		return -EBUSY;
	rgn = pkern_pool_region(pool);
	if (!rgn) {
		ret = -ENXIO;
	} else if (mutex_trylock(&rgn->lock)) {
		ret = pool->dead ? -ENXIO :
		      pkern_pool_region_guests(rgn, pool, ranges, max);
		mutex_unlock(&rgn->lock);
	}
	mutex_unlock(&pkern_regions_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pkern_pool_guest_extents);
