// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keep the translation of page-table-pool domains running across kexec.
 *
 * A hypervisor live update kexecs while devices assigned to VMs go on
 * doing DMA.  Their domains take every page table from a pool that
 * survives kexec (iommu-pgtable.c); this file hands the rest over.
 *
 * Old kernel, at kexec shutdown: for the devices attached to pool
 * domains, build a root table and context tables in the same pool that
 * hold only their context entries, point the IOMMU at them while
 * translation stays enabled, and describe them in the pool's handoff
 * area (struct vtd_handoff_rec).  Every other device behind the IOMMU is
 * blocked from then on, instead of being left untranslated.  This only
 * happens if the next kernel was loaded by kexec_file_load(), told where
 * the record is (intel_iommu_handoff=) and not told to leave VT-d off,
 * and only for devices whose every mapping lies in guest memory that
 * survives with the pool (the provider's guest ranges), or in memory that
 * does not survive kexec at all, whose mappings are dropped; otherwise
 * the devices' DMA is stopped, as without this file.  The kept devices'
 * interrupts are masked at the device: until their new owner enables
 * them again, an interrupt message would go through remapping tables (or
 * to vectors) that now belong to the next kernel.
 *
 * Legacy and scalable mode, second- or first-stage tables; in scalable
 * mode a device keeps only its RID_PASID translation, through a PASID
 * directory and table of its own in the pool.  One pool and one IOMMU
 * per handoff.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/ioport.h>
#include <linux/kexec.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/range.h>
#include <linux/slab.h>
#include <asm/tsc.h>

#include "handoff.h"
#include "iommu.h"
#include "pasid.h"
#include "../iommu-pages.h"
#include "../iommu-pgtable.h"

#define VTD_HANDOFF_MAX_BUSES	8	/* context tables one handoff builds */
#define VTD_KEEP_MAX_RANGES	512	/* guest ranges asked of the provider */

/* One record per system: the first IOMMU with pool devices writes it */
static bool vtd_handoff_written;

static bool vtd_pool_device(struct device_domain_info *info)
{
	return info->dev && dev_is_pci(info->dev) && info->domain &&
	       info->domain_attached && domain_pgtable_pool(info->domain);
}

/**
 * intel_iommu_dma_survives_kexec() - iommu_ops.dma_survives_kexec for VT-d
 * @dev: device being shut down for kexec
 *
 * Return: true if vtd_handoff_keep() will keep @dev's translation (or, if
 * it cannot after all, stop the device's DMA itself).
 */
bool intel_iommu_dma_survives_kexec(struct device *dev)
{
	struct device_domain_info *info = dev_iommu_priv_get(dev);

	return info && vtd_pool_device(info);
}

struct vtd_keep {
	struct intel_iommu *iommu;
	struct iommu_pgtable_pool *pool;
	struct vtd_handoff_rec *rec;
	size_t rec_len;
	struct root_entry *root;
	struct range pool_range;
	struct vtd_walk walk;
	unsigned long dropped;
	struct range *guest;
	int nr_guest;
	int nr_buses;
	unsigned int nr_pages;
	struct {
		u8 bus;
		u8 upper;
		struct context_entry *table;
	} ctx[VTD_HANDOFF_MAX_BUSES];
};

/* The guest range that holds [@addr, @addr + @size), named in the record */
static const char *vtd_keep_guest(struct vtd_keep *k, u64 addr, u64 size)
{
	struct vtd_handoff_rec *rec = k->rec;
	const struct range *g = NULL;
	u32 i;
	int j;

	for (j = 0; j < k->nr_guest && !g; j++)
		if (addr >= k->guest[j].start && addr <= k->guest[j].end &&
		    size - 1 <= k->guest[j].end - addr)
			g = &k->guest[j];
	if (!g)
		return "mapping outside the guest memory of the pool's region";
	for (i = 0; i < rec->nr_guest; i++)
		if (rec->guest[i].start == g->start)
			return NULL;
	if (rec->nr_guest == VTD_HANDOFF_MAX_GUEST)
		return "mappings in more guest namespaces than a record holds";
	rec->guest[rec->nr_guest].start = g->start;
	rec->guest[rec->nr_guest++].size = range_len(g);
	return NULL;
}

/**
 * vtd_walk_tables() - visit every table and mapping below a table
 * @w: the walk
 * @phys: physical address of the table
 * @level: its level (agaw_to_level() of the top one)
 * @iova_pfn: first IOVA page it translates
 *
 * Context: any; recursion is bounded by @level, the work by @w->budget.
 * Return: NULL, or why the walk stopped (and @w->where).
 */
const char *vtd_walk_tables(struct vtd_walk *w, u64 phys, int level,
			    u64 iova_pfn)
{
	u64 *pte = w->table(w, phys);
	const char *why = NULL;
	int i;

	w->where = phys;
	if (!pte)
		return w->no_table ?: "page table outside the pool";
	if (!w->budget)
		return "more page tables than the pool holds";
	w->budget--;
	for (i = 0; !why && i < VTD_PAGE_SIZE / sizeof(*pte); i++) {
		u64 v = READ_ONCE(pte[i]), addr = v & VTD_SL_ADDR_MASK;
		u64 pfn = iova_pfn + ((u64)i << (9 * (level - 1)));

		if (!(v & (DMA_PTE_READ | DMA_PTE_WRITE)))
			continue;
		if (level > 1 && !(v & DMA_PTE_LARGE_PAGE)) {
			why = vtd_walk_tables(w, addr, level - 1, pfn);
			continue;
		}
		w->where = v;
		w->slot = &pte[i];
		if (level > 3)
			why = "superpage above 1 GiB";
		else if (!IS_ALIGNED(addr, BIT_ULL(VTD_PAGE_SHIFT + 9 * (level - 1))))
			why = "misaligned superpage";
		else if (w->leaf)
			why = w->leaf(w, pfn, v, level);
	}
	return why;
}

/* Never read a table on a page with a memory error, nor keep it */
static u64 *vtd_keep_table(struct vtd_walk *w, u64 phys)
{
	struct vtd_keep *k = container_of(w, struct vtd_keep, walk);
	u64 *table = iommu_pgtable_pool_page(k->pool, phys);

	if (!table && iommu_pgtable_pool_page_poisoned(k->pool, phys))
		w->no_table = VTD_WALK_POISONED;
	return table;
}

/*
 * Every table of a kept domain is a page of the pool, every mapping in
 * guest memory: the next kernel must not find a device that can reach
 * anything else (RAM it will own, the labels, the pool itself).
 *
 * A VM's domain also maps memory that does not survive kexec at all: a
 * VMM's ROMs and firmware in RAM, other devices' BARs.  After kexec the
 * same addresses belong to the next kernel, so those mappings are
 * dropped from the live tables here (the caller's root switch flushes
 * the IOTLB); the VMM maps such memory again after the update.  Nothing
 * of this kernel runs DMA through them any more: the VM is paused for
 * good.  Mappings into persistent memory outside the guest namespaces
 * are never legitimate and still refuse the device.
 */
static const char *vtd_keep_leaf(struct vtd_walk *w, u64 iova_pfn, u64 pte,
				 int level)
{
	struct vtd_keep *k = container_of(w, struct vtd_keep, walk);
	u64 addr = pte & VTD_SL_ADDR_MASK;
	u64 size = BIT_ULL(VTD_PAGE_SHIFT + 9 * (level - 1));
	const char *why;

	w->where = addr;
	why = vtd_keep_guest(k, addr, size);
	if (why && region_intersects(addr, size, IORESOURCE_MEM,
				     IORES_DESC_PERSISTENT_MEMORY_LEGACY) ==
		   REGION_DISJOINT) {
		WRITE_ONCE(*w->slot, 0);
		__iommu_flush_cache(k->iommu, w->slot, sizeof(*w->slot));
		k->dropped++;
		return NULL;
	}
	return why;
}

/**
 * vtd_handoff_decode_pasid() - what a scalable-mode PASID entry translates with
 * @pe: the entry
 * @d: its @format, @pgd, @levels and @did are filled in
 *
 * Return: NULL, or why the entry cannot be kept.
 */
const char *vtd_handoff_decode_pasid(const struct pasid_entry *pe,
				     struct vtd_handoff_dev *d)
{
	u64 v0 = READ_ONCE(pe->val[0]), v2 = READ_ONCE(pe->val[2]);

	if (!(v0 & PASID_PTE_PRESENT))
		return "RID_PASID entry not present";
	switch ((v0 >> 6) & 7) {
	case PASID_ENTRY_PGTT_SL_ONLY:
		d->format = VTD_HANDOFF_SECOND_STAGE;
		d->pgd = v0 & VTD_SL_ADDR_MASK;
		d->levels = agaw_to_level((v0 >> 2) & 7);
		break;
	case PASID_ENTRY_PGTT_FL_ONLY:
		d->format = VTD_HANDOFF_FIRST_STAGE;
		d->pgd = v2 & VTD_SL_ADDR_MASK;
		d->levels = (v2 >> 2) & 3 ? 5 : 4;
		break;
	default:
		return "RID_PASID entry is neither first- nor second-stage translation";
	}
	d->did = READ_ONCE(pe->val[1]) & GENMASK_ULL(15, 0);
	return NULL;
}

/*
 * The live RID_PASID entry of a scalable-mode context entry.  Only that
 * one is kept: a device that uses other PASIDs (SVA, a PASID-attached
 * domain) or device-TLB or page requests is not.
 */
static const char *vtd_keep_sm_entry(const struct context_entry *live,
				     struct pasid_entry **pe)
{
	struct pasid_dir_entry *dir = phys_to_virt(live->lo & VTD_PAGE_MASK);
	int n = get_pasid_dir_size(live), i, j;

	*pe = NULL;
	if (live->hi || live[1].lo || live[1].hi)
		return "scalable context entry with a RID_PASID other than 0";
	if (live->lo & ~(VTD_SM_CTX_KEEP_BITS | GENMASK_ULL(11, 9) | VTD_PAGE_MASK))
		return "device-TLB or page requests enabled";
	for (i = 0; i < n; i++) {
		struct pasid_entry *table = get_pasid_table_from_pde(&dir[i]);

		if (!table)
			continue;
		for (j = i ? 0 : 1; j < PASID_TBL_ENTRIES; j++)
			if (pasid_pte_is_present(&table[j]))
				return "PASIDs other than RID_PASID in use";
		if (!i)
			*pe = table;
	}
	return *pe ? NULL : "no PASID table";
}

/*
 * What @live translates with, into @d; in scalable mode also its live
 * RID_PASID entry (@pe).  Then walk the tables: on failure the record
 * names no new guest range.
 */
static const char *vtd_keep_check(struct vtd_keep *k,
				  struct context_entry *live,
				  struct vtd_handoff_dev *d,
				  struct pasid_entry **pe, u64 *where)
{
	u32 nr_guest = k->rec->nr_guest;
	const char *why;

	*where = live->lo;
	*pe = NULL;
	if (sm_supported(k->iommu)) {
		why = vtd_keep_sm_entry(live, pe);
		if (!why)
			why = vtd_handoff_decode_pasid(*pe, d);
		if (why)
			return why;
	} else {
		if (((live->lo >> 2) & 3) != CONTEXT_TT_MULTI_LEVEL)
			return "context entry is not multi-level translation";
		d->format = VTD_HANDOFF_SECOND_STAGE;
		d->pgd = live->lo & VTD_SL_ADDR_MASK;
		d->levels = agaw_to_level(live->hi & 7);
		d->did = context_domain_id(live);
	}
	k->walk = (struct vtd_walk){
		.table = vtd_keep_table,
		.leaf = vtd_keep_leaf,
		.budget = range_len(&k->pool_range) / VTD_PAGE_SIZE,
	};
	why = vtd_walk_tables(&k->walk, d->pgd, d->levels, 0);
	*where = k->walk.where;
	if (why)
		k->rec->nr_guest = nr_guest;
	return why;
}

static void *vtd_keep_page(struct vtd_keep *k)
{
	void *page = iommu_pgtable_alloc_page(k->pool, NUMA_NO_NODE, GFP_ATOMIC);

	if (page)
		k->nr_pages++;
	return page;
}

static void vtd_keep_free_page(struct vtd_keep *k, void *page)
{
	iommu_pgtable_free_page(k->pool, page);
	k->nr_pages--;
}

/*
 * The context entry of @bus/@devfn in the tables being built.  Scalable
 * mode has two context tables per bus (root entry lo for devfn 0-127, hi
 * for 128-255), each entry two struct context_entry wide.
 */
static struct context_entry *vtd_keep_ctx(struct vtd_keep *k, u8 bus, u8 devfn)
{
	bool sm = sm_supported(k->iommu), upper = sm && devfn >= 0x80;
	struct context_entry *table = NULL;
	u64 *slot;
	int i;

	for (i = 0; i < k->nr_buses && !table; i++)
		if (k->ctx[i].bus == bus && k->ctx[i].upper == upper)
			table = k->ctx[i].table;
	if (!table) {
		if (k->nr_buses == VTD_HANDOFF_MAX_BUSES)
			return NULL;
		table = vtd_keep_page(k);
		if (!table)
			return NULL;
		k->ctx[k->nr_buses].bus = bus;
		k->ctx[k->nr_buses].upper = upper;
		k->ctx[k->nr_buses++].table = table;
		slot = upper ? &k->root[bus].hi : &k->root[bus].lo;
		*slot = iommu_pgtable_virt_to_phys(k->pool, table) | 1;
	}
	return sm ? &table[VTD_SM_CTX_SLOT(devfn)] : &table[devfn];
}

/*
 * A PASID directory and table in the pool that hold only @live's
 * RID_PASID entry, and the scalable context entry (@ce) pointing at them.
 */
static bool vtd_keep_sm_tables(struct vtd_keep *k,
			       const struct context_entry *live,
			       const struct pasid_entry *pe,
			       struct context_entry *ce)
{
	struct pasid_dir_entry *dir;
	struct pasid_entry *table;

	dir = vtd_keep_page(k);
	table = vtd_keep_page(k);
	if (!dir || !table) {
		if (dir)
			vtd_keep_free_page(k, dir);
		if (table)
			vtd_keep_free_page(k, table);
		return false;
	}
	table[0] = *pe;
	dir[0].val = iommu_pgtable_virt_to_phys(k->pool, table) | PASID_PTE_PRESENT;
	__iommu_flush_cache(k->iommu, table, sizeof(*table));
	__iommu_flush_cache(k->iommu, dir, sizeof(*dir));
	/* a one-page directory: PDTS 0 (128 entries) */
	ce->lo = iommu_pgtable_virt_to_phys(k->pool, dir) |
		 (live->lo & VTD_SM_CTX_KEEP_BITS);
	ce->hi = 0;
	return true;
}

/* Free the PASID directory and table a kept scalable context entry points at */
static void vtd_keep_sm_free(struct vtd_keep *k, u64 ctx_lo)
{
	struct pasid_dir_entry *dir;
	void *table;

	dir = iommu_pgtable_pool_page(k->pool, ctx_lo & VTD_PAGE_MASK);
	if (!dir)
		return;
	table = iommu_pgtable_pool_page(k->pool, dir[0].val & VTD_PAGE_MASK);
	if (table)
		vtd_keep_free_page(k, table);
	vtd_keep_free_page(k, dir);
}

/*
 * Silence @pdev's interrupts for the window in which nobody owns them:
 * INTx disabled, MSI and MSI-X off.  A message sent now would go through
 * interrupt remapping tables, or to vectors, of the old kernel, which
 * the next one reuses as it boots; and with posted interrupts the IOMMU
 * would write to descriptors in that memory.  Whoever enables them next
 * (the VMM, through VFIO) programs them anew; the record says which were
 * on.  Return: the VTD_HANDOFF_IRQ_* that were on, or -EIO if one does
 * not read back off.
 */
static int vtd_keep_mask_irqs(struct pci_dev *pdev)
{
	int irq = 0;
	u16 cmd, ctl;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (pdev->msi_cap) {
		pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctl);
		if (ctl & PCI_MSI_FLAGS_ENABLE) {
			irq |= VTD_HANDOFF_IRQ_MSI;
			pci_write_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS,
					      ctl & ~PCI_MSI_FLAGS_ENABLE);
			pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctl);
			if (ctl & PCI_MSI_FLAGS_ENABLE)
				return -EIO;
		}
	}
	if (pdev->msix_cap) {
		pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctl);
		if (ctl & PCI_MSIX_FLAGS_ENABLE) {
			irq |= VTD_HANDOFF_IRQ_MSIX;
			pci_write_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS,
					      ctl & ~PCI_MSIX_FLAGS_ENABLE);
			pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctl);
			if (ctl & PCI_MSIX_FLAGS_ENABLE)
				return -EIO;
		}
	}
	if (!(cmd & PCI_COMMAND_INTX_DISABLE)) {
		if (pdev->pin && !irq)
			irq |= VTD_HANDOFF_IRQ_INTX;
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_INTX_DISABLE);
		pci_read_config_word(pdev, PCI_COMMAND, &cmd);
		if (pdev->pin && !(cmd & PCI_COMMAND_INTX_DISABLE))
			return -EIO;
	}
	return irq;
}

/*
 * Copy @info's live context entry into the tables being built, once its
 * tables check out.  Return: NULL, or why not (and @where).
 */
static const char *vtd_keep_dev(struct vtd_keep *k,
				struct device_domain_info *info, u64 *where)
{
	struct vtd_handoff_rec *rec = k->rec;
	struct vtd_handoff_dev *d = &rec->dev[rec->nr_devs];
	struct context_entry *live, *ce, kept;
	struct pasid_entry *pe;
	const char *why;
	int irq;

	*where = 0;
	if (domain_pgtable_pool(info->domain) != k->pool)
		return "its domain is in another pool";
	if (vtd_handoff_rec_size(rec->nr_devs + 1) > k->rec_len ||
	    rec->nr_devs == VTD_HANDOFF_MAX_DEVS)
		return "the record is full";
	live = iommu_context_addr(k->iommu, info->bus, info->devfn, 0);
	if (!live || !context_present(live) ||
	    context_copied(k->iommu, info->bus, info->devfn))
		return "no live context entry";
	k->dropped = 0;
	memset(d, 0, sizeof(*d));
	why = vtd_keep_check(k, live, d, &pe, where);
	if (k->dropped)
		dev_info(info->dev, "dropped %lu mapping(s) of memory that does not survive kexec (RAM, MMIO) from its kept translation\n",
			 k->dropped);
	if (why)
		return why;
	ce = vtd_keep_ctx(k, info->bus, info->devfn);
	if (!ce)
		return "no pool page for a context table";
	kept = *live;
	if (pe && !vtd_keep_sm_tables(k, live, pe, &kept))
		return "no pool page for a PASID table";
	irq = vtd_keep_mask_irqs(to_pci_dev(info->dev));
	if (irq < 0) {
		if (pe)
			vtd_keep_sm_free(k, kept.lo);
		return "its interrupts cannot be masked";
	}

	if (irq)
		dev_info(info->dev, "interrupts masked at the device (%s%s%s) until its new owner enables them\n",
			 irq & VTD_HANDOFF_IRQ_INTX ? " INTx" : "",
			 irq & VTD_HANDOFF_IRQ_MSI ? " MSI" : "",
			 irq & VTD_HANDOFF_IRQ_MSIX ? " MSI-X" : "");
	*ce = kept;
	d->segment = k->iommu->segment;
	d->bus = info->bus;
	d->devfn = info->devfn;
	d->irq = irq;
	d->lo = kept.lo;
	d->hi = kept.hi;
	rec->nr_devs++;
	return NULL;
}

static void vtd_keep_undo(struct vtd_keep *k)
{
	int i;
	u32 j;

	for (i = 0; i < k->nr_buses; i++)
		iommu_pgtable_free_page(k->pool, k->ctx[i].table);
	if (k->root)
		iommu_pgtable_free_page(k->pool, k->root);
	if (k->rec && (k->rec->flags & VTD_HANDOFF_SCALABLE))
		for (j = 0; j < k->rec->nr_devs; j++)
			vtd_keep_sm_free(k, k->rec->dev[j].lo);
	if (k->rec)
		memset(k->rec, 0, k->rec_len);
	kfree(k->guest);
	k->guest = NULL;
}

/* Stop the DMA of a pool device that is not in the record */
static void vtd_keep_stop(struct vtd_keep *k, struct device_domain_info *info)
{
	u32 i;

	for (i = 0; k->rec && i < k->rec->nr_devs; i++)
		if (k->rec->dev[i].bus == info->bus &&
		    k->rec->dev[i].devfn == info->devfn)
			return;
	dev_warn(info->dev, "translation not kept across kexec; stopping its DMA\n");
	pci_clear_master(to_pci_dev(info->dev));
}

enum vtd_keep_step { VTD_KEEP_FIND_POOL, VTD_KEEP_ADD, VTD_KEEP_STOP };

/*
 * Apply @step to each device of @iommu attached to a pool domain.  The
 * PCI device list, because VT-d tracks devices by RID only if they do ATS.
 */
static void vtd_keep_each(struct vtd_keep *k, enum vtd_keep_step step)
{
	struct device_domain_info *info;
	struct pci_dev *pdev = NULL;
	const char *why;
	u64 where;

	for_each_pci_dev(pdev) {
		info = dev_iommu_priv_get(&pdev->dev);
		if (!info || info->iommu != k->iommu || !vtd_pool_device(info))
			continue;
		switch (step) {
		case VTD_KEEP_FIND_POOL:
			if (!k->pool)
				k->pool = domain_pgtable_pool(info->domain);
			break;
		case VTD_KEEP_ADD:
			why = vtd_keep_dev(k, info, &where);
			if (why)
				dev_warn(info->dev, "cannot keep its translation across kexec: %s (0x%llx)\n",
					 why, where);
			break;
		case VTD_KEEP_STOP:
			vtd_keep_stop(k, info);
			break;
		}
	}
}

/* What the next kernel's command line says, as that kernel will read it */
struct vtd_next_cmdline {
	phys_addr_t rec_phys;
	int handoffs;		/* intel_iommu_handoff= words */
	bool other;		/* one of them names something else */
	bool vtd_on;		/* the last intel_iommu= on/off option is on */
	bool iommu_off;		/* an iommu= option is off */
};

/* parse_args() callback: the checks of __setup/early_param, in order */
static int vtd_next_param(char *param, char *val, const char *doing,
			  void *arg)
{
	struct vtd_next_cmdline *n = arg;
	u64 addr;

	if (!val)
		return 0;
	if (parameq(param, "intel_iommu_handoff")) {
		n->handoffs++;
		if (kstrtou64(val, 0, &addr) || addr != n->rec_phys)
			n->other = true;
		return 0;
	}
	/* intel_iommu_setup() and iommu_setup() match option prefixes */
	for (; *val; val += strspn(val, ",")) {
		if (parameq(param, "intel_iommu")) {
			if (!strncmp(val, "on", 2))
				n->vtd_on = true;
			else if (!strncmp(val, "off", 3))
				n->vtd_on = false;
		} else if (parameq(param, "iommu")) {
			if (!strncmp(val, "off", 3))
				n->iommu_off = true;
		} else {
			break;
		}
		val += strcspn(val, ",");
	}
	return 0;
}

/*
 * Only keep translation the next kernel will adopt: it must be loaded by
 * kexec_file_load() from an image that says it adopts kept VT-d
 * translation (KEXEC_HANDOFF_VTD, from its x86 kernel_info), with
 * intel_iommu_handoff= naming this record (every time it is given), and
 * with VT-d left on: intel_iommu=on as the last word on it (it
 * is off by default in many builds) and no iommu=off.  Otherwise it would
 * disable translation while the devices still master the bus.  The
 * command line is parsed as the kernel parses its own: quotes, "-" for
 * "_", nothing after "--".
 *
 * Return: NULL, or what is wrong with the next kernel.
 */
static const char *vtd_keep_next_told(phys_addr_t rec_phys)
{
	static const char not_told[] =
		"is not loaded by kexec_file_load with intel_iommu_handoff= naming the record";
#ifdef CONFIG_KEXEC_FILE
	struct vtd_next_cmdline n = { .rec_phys = rec_phys };
	struct kimage *image = kexec_image;
	char *cmdline;

	if (!image || !image->file_mode || !image->cmdline)
		return not_told;
	if (!(image->handoff & KEXEC_HANDOFF_VTD))
		return "is an image that does not adopt kept VT-d translation";
	cmdline = kstrdup(image->cmdline, GFP_ATOMIC);
	if (!cmdline)
		return "cannot be checked (out of memory)";
	parse_args("kexec command line", cmdline, NULL, 0, 0, 0, &n,
		   vtd_next_param);
	kfree(cmdline);
	if (!n.handoffs || (n.handoffs == 1 && n.other))
		return not_told;
	if (n.other)
		return "names intel_iommu_handoff= more than once, differently";
	if (n.iommu_off)
		return "has iommu=off, which switches VT-d off";
	if (!n.vtd_on)
		return "does not leave VT-d on (intel_iommu=on, last)";
	return NULL;
#else
	return not_told;
#endif
}

/* The guest ranges of the pool, which every kept mapping must lie in */
static int vtd_keep_get_guest(struct vtd_keep *k)
{
	const struct iommu_pgtable_provider *prov = k->pool->prov;
	int n;

	if (!prov->guest_ranges)
		return -EOPNOTSUPP;
	k->guest = kmalloc_array(VTD_KEEP_MAX_RANGES, sizeof(*k->guest),
				 GFP_ATOMIC);
	if (!k->guest)
		return -ENOMEM;
	n = prov->guest_ranges(k->pool->priv, k->guest, VTD_KEEP_MAX_RANGES);
	if (n > VTD_KEEP_MAX_RANGES)
		return -E2BIG;
	if (n >= 0)
		k->nr_guest = n;
	return min(n, 0);
}

static bool vtd_keep_build(struct vtd_keep *k)
{
	struct range range;
	phys_addr_t rec_phys;
	const char *why;
	int ret;

	vtd_keep_each(k, VTD_KEEP_FIND_POOL);
	if (!k->pool)
		return false;

	k->rec = iommu_pgtable_handoff_area(k->pool, &rec_phys, &k->rec_len,
					    &range);
	if (!k->rec || k->rec_len < vtd_handoff_rec_size(1)) {
		pr_err("%s: pool %s has no usable handoff area; translation not kept\n",
		       k->iommu->name, iommu_pgtable_pool_name(k->pool));
		k->rec = NULL;
		return false;
	}
	why = vtd_keep_next_told(rec_phys);
	if (why) {
		pr_err("%s: the next kernel %s (intel_iommu_handoff=%pa); translation not kept\n",
		       k->iommu->name, why, &rec_phys);
		k->rec = NULL;
		return false;
	}
	k->pool_range = range;
	ret = vtd_keep_get_guest(k);
	if (ret) {
		pr_err("%s: pool %s cannot tell its guest memory (%d); translation not kept\n",
		       k->iommu->name, iommu_pgtable_pool_name(k->pool), ret);
		k->rec = NULL;
		return false;
	}
	memset(k->rec, 0, k->rec_len);
	if (sm_supported(k->iommu))
		k->rec->flags = VTD_HANDOFF_SCALABLE;
	k->root = vtd_keep_page(k);
	if (!k->root)
		return false;

	vtd_keep_each(k, VTD_KEEP_ADD);
	if (!k->rec->nr_devs)
		return false;

	k->rec->magic = VTD_HANDOFF_MAGIC;
	k->rec->size = vtd_handoff_rec_size(k->rec->nr_devs) -
		       offsetof(struct vtd_handoff_rec, size);
	k->rec->reg_phys = k->iommu->reg_phys;
	k->rec->root = iommu_pgtable_virt_to_phys(k->pool, k->root);
	k->rec->pool_start = range.start;
	k->rec->pool_size = range_len(&range);
	strscpy(k->rec->pool, iommu_pgtable_pool_name(k->pool),
		sizeof(k->rec->pool));
	pr_info("%s: keeping translation of %u device(s) across kexec (%s mode): root %pa in pool %s, %u handoff page(s), mappings in %u guest range(s), record at %pa\n",
		k->iommu->name, k->rec->nr_devs,
		sm_supported(k->iommu) ? "scalable" : "legacy", &k->rec->root,
		k->rec->pool, k->nr_pages, k->rec->nr_guest, &rec_phys);
	return true;
}

/**
 * vtd_handoff_keep() - keep @iommu translating for the next kernel
 * @iommu: IOMMU being shut down for kexec
 *
 * Context: kexec shutdown, dmar_global_lock held for writing.
 * Return: true if translation must stay enabled; false to disable it as
 * always (no pool device, or keeping failed: their DMA is stopped then).
 */
bool vtd_handoff_keep(struct intel_iommu *iommu)
{
	struct vtd_keep k = { .iommu = iommu };
	int i;

	if (!kexec_in_progress)
		return false;
	if (vtd_handoff_written || !vtd_keep_build(&k)) {
		vtd_keep_undo(&k);
		k.rec = NULL;
		vtd_keep_each(&k, VTD_KEEP_STOP);
		return false;
	}
	vtd_keep_each(&k, VTD_KEEP_STOP);

	for (i = 0; i < k.nr_buses; i++)
		__iommu_flush_cache(iommu, k.ctx[i].table, VTD_PAGE_SIZE);
	__iommu_flush_cache(iommu, k.root, VTD_PAGE_SIZE);
	/* Translation stays enabled; from here on only the record's devices map */
	__iommu_set_root_entry(iommu, k.rec->root);

	k.rec->tsc = rdtsc_ordered();
	k.rec->crc = vtd_handoff_crc(k.rec, k.rec->size);
	vtd_handoff_written = true;
	kfree(k.guest);
	return true;
}
