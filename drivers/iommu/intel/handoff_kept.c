// SPDX-License-Identifier: GPL-2.0-only
/*
 * What VT-d translation kept across kexec reaches, and when it ends.
 *
 * What the kept tables reach (the tables and every page they map) is
 * recorded at boot: nothing in this kernel holds that memory yet, so its
 * owner asks iommu_kept_dma_reaches() before handing it out again.  A
 * kept translation stays live until its adoption completes, when the new
 * owner opens the device (the kept mappings it did not map again are
 * revoked then), or until it ends unadopted: another domain takes the
 * device's context entry, or the adopting domain is freed unused.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/range.h>
#include <linux/sort.h>

#include "handoff_adopt.h"
#include "iommu.h"
#include "../iommu-pages.h"

/**
 * struct vtd_kept_run - kept leaves that map one contiguous range
 * @iova_pfn: IOVA of the first, in VT-d pages
 * @pte: the first one's entry; each next one maps the next page
 * @bit: the first one's bit in vtd_kept.declared
 * @nr: how many leaves
 * @level: their level: 1 (4 KiB pages), 2 (2 MiB) or 3 (1 GiB)
 */
struct vtd_kept_run {
	u64 iova_pfn;
	u64 pte;
	u64 bit;
	u32 nr;
	u8 level;
};

/**
 * struct vtd_kept - what one kept set of page tables reaches
 * @tables: its tables, as sorted and merged physical ranges
 * @runs: its leaves, in IOVA order
 * @declared: a bit per leaf: mapped again by the new owner
 * @nr_tables: entries of @tables
 * @nr_runs: entries of @runs
 * @done: its adoption completed; the leaves not mapped again are revoked
 *
 * Devices of one kept domain share one.
 */
struct vtd_kept {
	struct range *tables;
	struct vtd_kept_run *runs;
	unsigned long *declared;
	u32 nr_tables;
	u32 nr_runs;
	bool done;
};

/* Walk of kept tables that handoff_check.c approved, recording them */
struct vtd_kept_walk {
	struct vtd_walk walk;
	void *pool;
	u64 pool_start;
	u64 pool_size;
	struct vtd_kept *k;
	bool fill;
	struct range table;
	struct vtd_kept_run run;
	u32 nr_tables;
	u32 nr_runs;
	u64 nr_leaves;
};

static void __init vtd_kept_end_table(struct vtd_kept_walk *w)
{
	if (w->fill)
		w->k->tables[w->nr_tables] = w->table;
	w->nr_tables++;
}

static void __init vtd_kept_end_run(struct vtd_kept_walk *w)
{
	if (w->fill)
		w->k->runs[w->nr_runs] = w->run;
	w->nr_runs++;
}

static void __init vtd_kept_add_table(struct vtd_kept_walk *w, u64 phys)
{
	/* a table's end is never 0: it tells whether there is one */
	if (w->table.end && w->table.end + 1 == phys) {
		w->table.end += VTD_PAGE_SIZE;
		return;
	}
	if (w->table.end)
		vtd_kept_end_table(w);
	w->table.start = phys;
	w->table.end = phys + VTD_PAGE_SIZE - 1;
}

static void __init vtd_kept_add_leaf(struct vtd_kept_walk *w, u64 iova_pfn,
				     u64 pte, int level)
{
	struct vtd_kept_run *r = &w->run;
	u64 span = lvl_to_nr_pages(level);

	if (r->nr && r->level == level && r->iova_pfn + r->nr * span == iova_pfn &&
	    r->pte + ((r->nr * span) << VTD_PAGE_SHIFT) == pte) {
		r->nr++;
	} else {
		if (r->nr)
			vtd_kept_end_run(w);
		*r = (struct vtd_kept_run){ .iova_pfn = iova_pfn, .pte = pte,
					    .bit = w->nr_leaves, .nr = 1,
					    .level = level };
	}
	w->nr_leaves++;
}

static u64 * __init vtd_kept_table(struct vtd_walk *walk, u64 phys)
{
	struct vtd_kept_walk *w = container_of(walk, struct vtd_kept_walk, walk);
	u64 off = phys - w->pool_start;

	if (phys < w->pool_start || off >= w->pool_size ||
	    !IS_ALIGNED(phys, VTD_PAGE_SIZE))
		return NULL;
	vtd_kept_add_table(w, phys);
	return w->pool + off;
}

static const char * __init vtd_kept_leaf(struct vtd_walk *walk, u64 iova_pfn,
					 u64 pte, int level)
{
	vtd_kept_add_leaf(container_of(walk, struct vtd_kept_walk, walk),
			  iova_pfn, pte, level);
	return NULL;
}

static int vtd_kept_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void vtd_kept_free(struct vtd_kept *k)
{
	kvfree(k->tables);
	kvfree(k->runs);
	kvfree(k->declared);
	k->tables = NULL;
	k->runs = NULL;
	k->declared = NULL;
	k->nr_tables = 0;
	k->nr_runs = 0;
}

/* What the kept tables from @pgd reach: one pass counts, one records */
static struct vtd_kept * __init vtd_kept_build(const struct vtd_handoff_rec *rec,
					       void *pool, u64 pgd, int level)
{
	struct vtd_kept_walk w = { .walk.table = vtd_kept_table,
				   .walk.leaf = vtd_kept_leaf, .pool = pool,
				   .pool_start = rec->pool_start,
				   .pool_size = rec->pool_size };
	struct vtd_kept *k = kzalloc(sizeof(*k), GFP_KERNEL);
	u32 i, n;

	if (!k)
		return NULL;
	w.k = k;
	for (;;) {
		w.walk.budget = rec->pool_size / VTD_PAGE_SIZE;
		w.nr_tables = 0;
		w.nr_runs = 0;
		w.nr_leaves = 0;
		w.table = (struct range){ };
		w.run = (struct vtd_kept_run){ };
		if (vtd_walk_tables(&w.walk, pgd, level, 0))
			goto fail;
		vtd_kept_end_table(&w);
		if (w.run.nr)
			vtd_kept_end_run(&w);
		if (w.fill)
			break;
		k->tables = kvcalloc(w.nr_tables, sizeof(*k->tables), GFP_KERNEL);
		k->runs = kvcalloc(max(w.nr_runs, 1U), sizeof(*k->runs), GFP_KERNEL);
		k->declared = kvcalloc(max(BITS_TO_LONGS(w.nr_leaves), 1UL),
				       sizeof(long), GFP_KERNEL);
		if (!k->tables || !k->runs || !k->declared)
			goto fail;
		w.fill = true;
	}
	sort(k->tables, w.nr_tables, sizeof(*k->tables), vtd_kept_cmp, NULL);
	for (i = 1, n = 0; i < w.nr_tables; i++) {
		if (k->tables[i].start <= k->tables[n].end + 1)
			k->tables[n].end = max(k->tables[n].end, k->tables[i].end);
		else
			k->tables[++n] = k->tables[i];
	}
	k->nr_tables = n + 1;
	k->nr_runs = w.nr_runs;
	return k;
fail:
	vtd_kept_free(k);
	kfree(k);
	return NULL;
}

void vtd_kept_free_all(struct vtd_handoff *h)
{
	u32 i, j;

	for (i = 0; i < h->rec.nr_devs; i++) {
		for (j = 0; j < i && h->kept[i]; j++)
			if (h->kept[j] == h->kept[i])
				break;
		if (h->kept[i] && j == i) {
			vtd_kept_free(h->kept[i]);
			kfree(h->kept[i]);
		}
		h->kept[i] = NULL;
	}
}

/* Record what each kept device's tables reach; devices may share tables */
bool __init vtd_kept_record(struct vtd_handoff *h)
{
	struct vtd_handoff_rec *rec = &h->rec;
	void *pool;
	u32 i, j;

	pool = memremap(rec->pool_start, rec->pool_size, MEMREMAP_WB);
	if (!pool)
		return false;
	for (i = 0; i < rec->nr_devs; i++) {
		u64 pgd = rec->dev[i].pgd;

		for (j = 0; j < i; j++)
			if (rec->dev[j].pgd == pgd)
				h->kept[i] = h->kept[j];
		if (!h->kept[i])
			h->kept[i] = vtd_kept_build(rec, pool, pgd,
						    rec->dev[i].levels);
		if (!h->kept[i])
			break;
	}
	memunmap(pool);
	if (i == rec->nr_devs)
		return true;
	vtd_kept_free_all(h);
	return false;
}

/* Still live: reached through a copied entry or an adopting domain */
static bool vtd_kept_live(const struct vtd_handoff *h, u32 i)
{
	return h->kept[i] && !h->kept[i]->done &&
	       (test_bit(i, h->copied) || h->owner[i]);
}

static bool vtd_kept_overlaps(const struct vtd_kept *k, u64 start, u64 last)
{
	u32 i;

	for (i = 0; i < k->nr_tables; i++)
		if (k->tables[i].start <= last && start <= k->tables[i].end)
			return true;
	for (i = 0; i < k->nr_runs; i++) {
		const struct vtd_kept_run *r = &k->runs[i];
		u64 phys = r->pte & VTD_SL_ADDR_MASK;
		u64 len = ((u64)r->nr * lvl_to_nr_pages(r->level)) << VTD_PAGE_SHIFT;

		if (phys <= last && start <= phys + len - 1)
			return true;
	}
	return false;
}

/**
 * intel_iommu_kept_dma_reaches() - iommu_ops.kept_dma_reaches for VT-d
 * @iommu_dev: the IOMMU
 * @start: physical address
 * @len: bytes from @start
 *
 * Return: true if a kept translation that is still live has a table or
 * a leaf mapping in [@start, @start + @len).
 */
bool intel_iommu_kept_dma_reaches(struct iommu_device *iommu_dev,
				  phys_addr_t start, u64 len)
{
	struct intel_iommu *iommu = container_of(iommu_dev, struct intel_iommu,
						 iommu);
	struct vtd_handoff *h = iommu->handoff;
	u64 last = start + len - 1;
	bool ret = false;
	u32 i;

	if (!h || !len)
		return false;
	if (last < start)
		last = U64_MAX;
	spin_lock(&vtd_kept_lock);
	for (i = 0; !ret && i < h->rec.nr_devs; i++)
		ret = vtd_kept_live(h, i) &&
		      vtd_kept_overlaps(h->kept[i], start, last);
	spin_unlock(&vtd_kept_lock);
	return ret;
}

/**
 * vtd_handoff_mapped() - an adopted domain mapped a range
 * @dmar_domain: the domain
 * @iov_pfn: first IOVA page of the range
 * @nr_pages: its length in VT-d pages
 *
 * Until adoption completes, a kept leaf that the range covers whole is
 * declared by the new owner and stays.
 */
void vtd_handoff_mapped(struct dmar_domain *dmar_domain, unsigned long iov_pfn,
			unsigned long nr_pages)
{
	struct vtd_handoff *h = vtd_handoff_cur;
	u64 end = (u64)iov_pfn + nr_pages;
	struct vtd_kept *k = NULL;
	u32 i, lo, hi;

	if (!h)
		return;
	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs && !k; i++)
		if (h->owner[i] == dmar_domain && !h->kept[i]->done)
			k = h->kept[i];
	if (!k)
		goto out;
	/* the first run that ends after @iov_pfn */
	for (lo = 0, hi = k->nr_runs; lo < hi;) {
		const struct vtd_kept_run *r = &k->runs[(lo + hi) / 2];

		if (r->iova_pfn + r->nr * lvl_to_nr_pages(r->level) <= iov_pfn)
			lo = (lo + hi) / 2 + 1;
		else
			hi = (lo + hi) / 2;
	}
	for (i = lo; i < k->nr_runs && k->runs[i].iova_pfn < end; i++) {
		const struct vtd_kept_run *r = &k->runs[i];
		int shift = 9 * (r->level - 1);
		u64 first = 0, stop;

		if (iov_pfn > r->iova_pfn)
			first = (iov_pfn - r->iova_pfn + BIT_ULL(shift) - 1) >> shift;
		stop = min_t(u64, (end - r->iova_pfn) >> shift, r->nr);
		if (stop > first)
			bitmap_set(k->declared, r->bit + first, stop - first);
	}
out:
	spin_unlock(&vtd_kept_lock);
}

/* The entry of @domain's tables at @level for IOVA page @pfn, or NULL */
static struct dma_pte *vtd_kept_pte(struct dmar_domain *domain, u64 pfn,
				    int level)
{
	struct iommu_pgtable_pool *pool = domain_pgtable_pool(domain);
	struct dma_pte *table = domain->pgd, *pte;
	int l;

	for (l = agaw_to_level(domain->agaw); l >= level; l--) {
		pte = &table[pfn_level_offset(pfn, l)];
		if (l == level)
			return pte;
		if (!dma_pte_present(pte) || dma_pte_superpage(pte))
			return NULL;
		table = iommu_pgtable_pool_page(pool, dma_pte_addr(pte));
		if (!table)
			return NULL;
	}
	return NULL;
}

/* Unmap every kept leaf of @k that the new owner did not map again */
static unsigned long vtd_kept_revoke(struct vtd_handoff *h,
				     struct dmar_domain *domain,
				     struct vtd_kept *k)
{
	struct intel_iommu *iommu = h->iommu;
	unsigned long n = 0;
	u32 i, j;

	for (i = 0; i < k->nr_runs; i++) {
		const struct vtd_kept_run *r = &k->runs[i];
		u64 span = lvl_to_nr_pages(r->level);

		for (j = 0; j < r->nr; j++) {
			u64 want = r->pte + ((j * span) << VTD_PAGE_SHIFT);
			struct dma_pte *pte;

			if (test_bit(r->bit + j, k->declared))
				continue;
			pte = vtd_kept_pte(domain, r->iova_pfn + j * span, r->level);
			if (!pte || !try_cmpxchg64(&pte->val, &want, 0ULL))
				continue;
			if (!domain->iommu_coherency)
				clflush_cache_range(pte, sizeof(*pte));
			n++;
		}
	}
	if (!n)
		return 0;
	cache_tag_flush_all(domain);
	/* a device of these tables that still runs on its copied entry */
	for (i = 0; i < h->rec.nr_devs; i++)
		if (h->kept[i] == k && test_bit(i, h->copied))
			vtd_handoff_flush_did(iommu, &h->rec.dev[i]);
	return n;
}

/**
 * intel_iommu_complete_adoption() - iommu_ops.complete_adoption for VT-d
 * @dev: device whose user is about to drive it
 *
 * If @dev's kept tables were adopted, the kept mappings its new owner did
 * not map again are unmapped now; from here on the domain holds only
 * what its owner mapped.
 */
void intel_iommu_complete_adoption(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct vtd_handoff *h = info->iommu->handoff;
	struct vtd_kept *k;
	unsigned long n;
	u32 i;

	if (!h)
		return;
	mutex_lock(&vtd_handoff_lock);
	for (i = 0; i < h->rec.nr_devs; i++)
		if (h->rec.dev[i].bus == info->bus &&
		    h->rec.dev[i].devfn == info->devfn)
			break;
	if (i == h->rec.nr_devs || !h->owner[i] || h->kept[i]->done)
		goto out;
	k = h->kept[i];
	n = vtd_kept_revoke(h, h->owner[i], k);
	vtd_handoff_release_pasid(h, i, domain_pgtable_pool(h->owner[i]));
	spin_lock(&vtd_kept_lock);
	k->done = true;
	spin_unlock(&vtd_kept_lock);
	vtd_kept_free(k);
	dev_info(dev, "adoption of the kept translation complete: %lu kept mapping(s) not mapped again revoked\n",
		 n);
out:
	mutex_unlock(&vtd_handoff_lock);
}

/**
 * intel_iommu_dma_kept() - iommu_ops.dma_kept for VT-d
 * @dev: device
 *
 * Return: true if @dev runs on its copied context entry, or is attached
 * to the domain that adopted its kept tables.
 */
bool intel_iommu_dma_kept(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct vtd_handoff *h = info ? info->iommu->handoff : NULL;
	bool ret = false;
	u32 i;

	if (!h)
		return false;
	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs; i++)
		if (h->rec.dev[i].bus == info->bus &&
		    h->rec.dev[i].devfn == info->devfn)
			ret = test_bit(i, h->copied) ||
			      (h->owner[i] && info->domain == h->owner[i]);
	spin_unlock(&vtd_kept_lock);
	return ret;
}
