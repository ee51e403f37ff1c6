// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adopt the VT-d translation a previous kernel kept running across kexec
 * (handoff.c) for the devices of its page-table-pool domains, once
 * handoff_check.c validated it.
 *
 * The kept context entries are copied into the new kernel's tables as
 * kdump copies them, so translation never stops, and the devices wait
 * (deferred attach) until a VMM binds them to the pool again: the first
 * domain allocated for such a device from that pool adopts its page
 * tables.
 *
 * In scalable mode the copied entries point at the PASID directory and
 * table the previous kernel built in the pool for each device; they go
 * back to the pool once the device no longer runs on its copied entry.
 * One pool and one IOMMU per handoff.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/pci.h>
#include <asm/tsc.h>

#include "handoff_adopt.h"
#include "iommu.h"
#include "pasid.h"
#include "../iommu-pages.h"

/* see handoff_adopt.h for what the locks guard */
DEFINE_MUTEX(vtd_handoff_lock);
DEFINE_SPINLOCK(vtd_kept_lock);
struct vtd_handoff *vtd_handoff_cur;

/**
 * vtd_handoff_install() - put the kept context entries into the new tables
 * @iommu: IOMMU after vtd_handoff_check() and iommu_alloc_root_entry()
 *
 * Like kdump's copy, the entries are marked copied: the devices' default
 * domain attach is deferred and their first real attach replaces them.
 * On failure no entry stays, and translation stays enabled (blocking).
 *
 * Context: init_dmars(), before the root table is programmed.
 */
void __init vtd_handoff_install(struct intel_iommu *iommu)
{
	struct vtd_handoff *h = iommu->handoff;
	struct vtd_handoff_rec *rec = &h->rec;
	struct context_entry *ce;
	u64 ns = 0, now;
	u32 i;

	iommu->copied_tables = bitmap_zalloc(BIT_ULL(16), GFP_KERNEL);
	if (!iommu->copied_tables || !vtd_kept_record(h))
		goto fail;
	for (i = 0; i < rec->nr_devs; i++) {
		ce = iommu_context_addr(iommu, rec->dev[i].bus,
					rec->dev[i].devfn, 1);
		if (!ce)
			goto fail;
		ce->lo = rec->dev[i].lo;
		ce->hi = rec->dev[i].hi;
		__iommu_flush_cache(iommu, ce, sizeof(*ce));
		set_bit(rec->dev[i].did, iommu->domain_ids);
		set_context_copied(iommu, rec->dev[i].bus, rec->dev[i].devfn);
		set_bit(i, h->copied);
	}

	now = rdtsc_ordered();
	if (tsc_khz && now > rec->tsc)
		ns = mul_u64_u32_div(now - rec->tsc, 1000000, tsc_khz);
	h->iommu = iommu;
	vtd_handoff_cur = h;
	pr_info("%s: adopted the translation of %u device(s) kept by the previous kernel in pool %s; unmanaged for %llu us\n",
		iommu->name, rec->nr_devs, rec->pool, div_u64(ns, 1000));
	return;

fail:
	for (i = 0; i < rec->nr_devs; i++) {
		ce = iommu_context_addr(iommu, rec->dev[i].bus,
					rec->dev[i].devfn, 0);
		if (ce)
			context_clear_entry(ce);
	}
	vtd_kept_free_all(h);
	bitmap_free(iommu->copied_tables);
	iommu->copied_tables = NULL;
	iommu->handoff = NULL;
	kfree(h);
	pr_err("%s: out of memory adopting kept translation; blocking all DMA until devices are attached again\n",
	       iommu->name);
}

/* The old root and context tables: unused since the new root was set */
static void vtd_handoff_release(struct vtd_handoff *h,
				struct iommu_pgtable_pool *pool)
{
	struct root_entry *root;
	void *ctx;
	int bus;

	if (h->released)
		return;
	h->released = true;
	root = iommu_pgtable_pool_page(pool, h->rec.root);
	if (!root)
		return;
	for (bus = 0; bus < VTD_HANDOFF_BUSES; bus++) {
		if (root[bus].lo & 1) {
			ctx = iommu_pgtable_pool_page(pool, root[bus].lo & VTD_PAGE_MASK);
			if (ctx)
				iommu_pgtable_free_page(pool, ctx);
		}
		if (root[bus].hi & 1) {
			ctx = iommu_pgtable_pool_page(pool, root[bus].hi & VTD_PAGE_MASK);
			if (ctx)
				iommu_pgtable_free_page(pool, ctx);
		}
	}
	iommu_pgtable_free_page(pool, root);
}

/**
 * vtd_handoff_release_pasid() - give back a device's kept PASID tables
 * @h: the handoff
 * @i: the device's index in @h->rec
 * @pool: the pool, open
 *
 * In scalable mode the copied context entry of @h->rec.dev[@i] points at
 * a PASID directory and table the previous kernel built in the pool;
 * once the device runs on another entry nothing walks them.
 *
 * Context: vtd_handoff_lock held; the device's copied entry is gone.
 */
void vtd_handoff_release_pasid(struct vtd_handoff *h, u32 i,
			       struct iommu_pgtable_pool *pool)
{
	struct pasid_dir_entry *dir;
	void *table;

	if (!(h->rec.flags & VTD_HANDOFF_SCALABLE) || test_bit(i, h->copied) ||
	    test_and_set_bit(i, h->pasid_released))
		return;
	dir = iommu_pgtable_pool_page(pool, h->rec.dev[i].lo & VTD_PAGE_MASK);
	if (!dir)
		return;
	table = iommu_pgtable_pool_page(pool, dir[0].val & VTD_PAGE_MASK);
	if (table)
		iommu_pgtable_free_page(pool, table);
	iommu_pgtable_free_page(pool, dir);
}

struct vtd_pool_walk {
	struct vtd_walk walk;
	struct iommu_pgtable_pool *pool;
};

/* Every table is an allocated page of @pool (the pool may be new) */
static u64 *vtd_pool_walk_table(struct vtd_walk *walk, u64 phys)
{
	struct vtd_pool_walk *w = container_of(walk, struct vtd_pool_walk, walk);
	u64 *table = iommu_pgtable_pool_page(w->pool, phys);

	if (!table && iommu_pgtable_pool_page_poisoned(w->pool, phys))
		walk->no_table = VTD_WALK_POISONED;
	return table;
}

/* NULL if every table below @phys is a sound page of @pool, else why not */
static const char *vtd_handoff_in_pool(struct iommu_pgtable_pool *pool,
				       u64 phys, int level)
{
	struct vtd_pool_walk w = {
		.walk.table = vtd_pool_walk_table,
		.walk.budget = ULONG_MAX,
		.pool = pool,
	};

	return vtd_walk_tables(&w.walk, phys, level, 0);
}

/**
 * intel_iommu_adopt_translation() - iommu_domain_ops.adopt_translation for VT-d
 * @domain: fresh paging domain, just switched to its group's pool
 * @dev: the device it is allocated for
 *
 * If @dev still runs on a context entry kept by the previous kernel in
 * this pool, the domain's page tables become the kept ones: the attach
 * that follows rewrites the context entry with the same tables, and
 * mapping an IOVA again exactly as it is mapped succeeds.
 */
void intel_iommu_adopt_translation(struct iommu_domain *domain,
				   struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);
	struct dmar_domain *dmar_domain = to_dmar_domain(domain);
	struct iommu_pgtable_pool *pool = domain_pgtable_pool(dmar_domain);
	struct intel_iommu *iommu = info->iommu;
	struct vtd_handoff *h;
	struct dma_pte *kept;
	const char *why;
	bool first;
	u64 pgd;
	u32 i;

	mutex_lock(&vtd_handoff_lock);
	h = iommu->handoff;
	if (!h || !context_copied(iommu, info->bus, info->devfn))
		goto out;
	for (i = 0; i < h->rec.nr_devs; i++)
		if (h->rec.dev[i].bus == info->bus &&
		    h->rec.dev[i].devfn == info->devfn)
			break;
	if (i == h->rec.nr_devs || test_bit(i, h->adopted))
		goto out;
	pgd = h->rec.dev[i].pgd;

	if (strcmp(iommu_pgtable_pool_name(pool), h->rec.pool)) {
		dev_warn(dev, "kept translation is in pool %s, not %s; not adopted\n",
			 h->rec.pool, iommu_pgtable_pool_name(pool));
		goto out;
	}
	first = h->rec.dev[i].format == VTD_HANDOFF_FIRST_STAGE;
	if (dmar_domain->use_first_level != first) {
		dev_warn(dev, "kept %s-stage page tables, the new domain uses the other kind; not adopted\n",
			 dmar_domain->use_first_level ? "second" : "first");
		goto out;
	}
	why = dmar_domain->agaw < iommu->agaw ?
	      "more levels than the new domain has" :
	      vtd_handoff_in_pool(pool, pgd, h->rec.dev[i].levels);
	/* a memory error recorded since the walk */
	if (!why) {
		kept = iommu_pgtable_pool_page(pool, pgd);
		if (!kept)
			why = VTD_WALK_POISONED;
	}
	if (why) {
		dev_warn(dev, "kept page tables of pool %s not adopted: %s\n",
			 h->rec.pool, why);
		goto out;
	}
	/* Another device of the same kept domain already brought its tables */
	for (i = 0; i < h->rec.nr_devs; i++)
		if (test_bit(i, h->adopted) && h->rec.dev[i].pgd == pgd)
			goto out;

	vtd_handoff_release(h, pool);
	iommu_pgtable_free_page(pool, dmar_domain->pgd);
	dmar_domain->pgd = kept;
	/* the levels and width attaching would knock a fresh domain down to */
	dmar_domain->agaw = iommu->agaw;
	dmar_domain->gaw = min_t(int, agaw_to_width(iommu->agaw),
				 cap_mgaw(iommu->cap));
	dmar_domain->has_mappings = true;
	dmar_domain->adopted = true;
	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs; i++) {
		if (h->rec.dev[i].pgd != pgd)
			continue;
		set_bit(i, h->adopted);
		h->owner[i] = dmar_domain;
	}
	spin_unlock(&vtd_kept_lock);
	dev_info(dev, "domain adopts the page tables kept by the previous kernel (pool %s)\n",
		 h->rec.pool);
out:
	mutex_unlock(&vtd_handoff_lock);
}

/*
 * Drop the copied scalable context entry of @h->rec.dev[@i] (@ce) and
 * flush what the IOMMU cached of it: context, PASID and IOTLB entries
 * of its domain id, first-stage ones through the PASID-based flush.
 */
static void vtd_handoff_drop_sm_entry(struct vtd_handoff *h, u32 i,
				      struct context_entry *ce)
{
	const struct vtd_handoff_dev *d = &h->rec.dev[i];
	struct intel_iommu *iommu = h->iommu;

	vtd_handoff_entry_gone(iommu, d->bus, d->devfn);
	context_clear_present(ce);
	__iommu_flush_cache(iommu, ce, sizeof(*ce));
	iommu->flush.flush_context(iommu, 0, PCI_DEVID(d->bus, d->devfn),
				   DMA_CCMD_MASK_NOBIT, DMA_CCMD_DEVICE_INVL);
	qi_flush_pasid_cache(iommu, d->did, QI_PC_ALL_PASIDS, 0);
	vtd_handoff_flush_did(iommu, d);
	context_clear_entry(ce);
	__iommu_flush_cache(iommu, ce, sizeof(*ce));
	clear_context_copied(iommu, d->bus, d->devfn);
}

/**
 * vtd_handoff_flush_did() - flush the IOTLB of a kept translation
 * @iommu: its IOMMU
 * @d: the kept device
 *
 * First-stage translations are tagged with a PASID as well and need the
 * PASID-based flush; second-stage ones the domain-selective one.
 */
void vtd_handoff_flush_did(struct intel_iommu *iommu,
			   const struct vtd_handoff_dev *d)
{
	if (d->format == VTD_HANDOFF_FIRST_STAGE)
		qi_flush_piotlb(iommu, d->did, IOMMU_NO_PASID, 0, -1, false);
	else
		iommu->flush.flush_iotlb(iommu, d->did, 0, 0, DMA_TLB_DSI_FLUSH);
}

/**
 * vtd_handoff_domain_free() - an adopted domain is about to be freed
 * @dmar_domain: the domain
 *
 * Its tables are about to go back to the pool.  A device that still runs
 * on the copied context entry pointing at them (the domain was freed
 * without ever being attached, e.g. a VFIO setup that failed) must stop
 * walking them first: drop the entry, so its DMA faults from now on.
 */
void vtd_handoff_domain_free(struct dmar_domain *dmar_domain)
{
	struct vtd_handoff *h;
	struct context_entry *ce;
	u32 i;

	mutex_lock(&vtd_handoff_lock);
	h = vtd_handoff_cur;
	for (i = 0; h && i < h->rec.nr_devs; i++) {
		u8 bus = h->rec.dev[i].bus, devfn = h->rec.dev[i].devfn;

		if (h->owner[i] != dmar_domain)
			continue;
		spin_lock(&h->iommu->lock);
		/* copied entries are found with alloc set (iommu_context_addr) */
		ce = iommu_context_addr(h->iommu, bus, devfn, 1);
		if (ce && context_copied(h->iommu, bus, devfn)) {
			if (h->rec.flags & VTD_HANDOFF_SCALABLE)
				vtd_handoff_drop_sm_entry(h, i, ce);
			else
				copied_context_tear_down(h->iommu, ce, bus, devfn);
			pr_info("%s: %02x:%02x.%d: kept translation dropped, its domain was freed unused\n",
				h->iommu->name, bus, PCI_SLOT(devfn),
				PCI_FUNC(devfn));
		}
		spin_unlock(&h->iommu->lock);
		vtd_handoff_release_pasid(h, i, domain_pgtable_pool(dmar_domain));
		spin_lock(&vtd_kept_lock);
		h->owner[i] = NULL;
		spin_unlock(&vtd_kept_lock);
	}
	mutex_unlock(&vtd_handoff_lock);
}

/**
 * vtd_handoff_entry_gone() - a copied context entry is being replaced
 * @iommu: its IOMMU, lock held
 * @bus: the device's bus
 * @devfn: and its devfn
 *
 * Context: copied_context_tear_down().
 */
void vtd_handoff_entry_gone(struct intel_iommu *iommu, u8 bus, u8 devfn)
{
	struct vtd_handoff *h = iommu->handoff;
	u32 i;

	spin_lock(&vtd_kept_lock);
	for (i = 0; i < h->rec.nr_devs; i++) {
		if (h->rec.dev[i].bus != bus || h->rec.dev[i].devfn != devfn ||
		    !test_and_clear_bit(i, h->copied))
			continue;
		/* else the adopting domain's entry, with the same tables, follows */
		if (!h->owner[i])
			pr_info("%s: %02x:%02x.%d: kept translation ended unadopted: another domain took the device\n",
				iommu->name, bus, PCI_SLOT(devfn), PCI_FUNC(devfn));
	}
	spin_unlock(&vtd_kept_lock);
}
