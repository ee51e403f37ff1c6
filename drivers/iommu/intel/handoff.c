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
 * happens if the next kernel was loaded by kexec_file_load() and told
 * where the record is (intel_iommu_handoff=); otherwise the devices'
 * DMA is stopped, as without this file.
 *
 * Only legacy (non-scalable) mode, one pool and one IOMMU per handoff.
 */
#define pr_fmt(fmt)	"DMAR: " fmt

#include <linux/ctype.h>
#include <linux/kexec.h>
#include <linux/pci.h>
#include <linux/range.h>
#include <asm/tsc.h>

#include "handoff.h"
#include "iommu.h"
#include "../iommu-pages.h"

#define VTD_HANDOFF_MAX_BUSES	8	/* context tables one handoff builds */

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

	return info && !sm_supported(info->iommu) && vtd_pool_device(info);
}

struct vtd_keep {
	struct intel_iommu *iommu;
	struct iommu_pgtable_pool *pool;
	struct vtd_handoff_rec *rec;
	size_t rec_len;
	struct root_entry *root;
	int nr_buses;
	struct {
		u8 bus;
		struct context_entry *table;
	} ctx[VTD_HANDOFF_MAX_BUSES];
};

static struct context_entry *vtd_keep_ctx(struct vtd_keep *k, u8 bus)
{
	struct context_entry *table;
	int i;

	for (i = 0; i < k->nr_buses; i++)
		if (k->ctx[i].bus == bus)
			return k->ctx[i].table;
	if (k->nr_buses == VTD_HANDOFF_MAX_BUSES)
		return NULL;
	table = iommu_pgtable_alloc_page(k->pool, NUMA_NO_NODE, GFP_ATOMIC);
	if (!table)
		return NULL;
	k->ctx[k->nr_buses].bus = bus;
	k->ctx[k->nr_buses++].table = table;
	k->root[bus].lo = iommu_pgtable_virt_to_phys(k->pool, table) | 1;
	k->root[bus].hi = 0;
	return table;
}

/* Copy @info's live context entry into the tables being built */
static bool vtd_keep_dev(struct vtd_keep *k, struct device_domain_info *info)
{
	struct vtd_handoff_rec *rec = k->rec;
	struct context_entry *live, *table;
	struct vtd_handoff_dev *d;

	if (domain_pgtable_pool(info->domain) != k->pool ||
	    vtd_handoff_rec_size(rec->nr_devs + 1) > k->rec_len ||
	    rec->nr_devs == VTD_HANDOFF_MAX_DEVS)
		return false;
	live = iommu_context_addr(k->iommu, info->bus, info->devfn, 0);
	if (!live || !context_present(live) ||
	    context_copied(k->iommu, info->bus, info->devfn))
		return false;
	table = vtd_keep_ctx(k, info->bus);
	if (!table)
		return false;

	table[info->devfn] = *live;
	d = &rec->dev[rec->nr_devs++];
	d->segment = k->iommu->segment;
	d->bus = info->bus;
	d->devfn = info->devfn;
	d->lo = live->lo;
	d->hi = live->hi;
	return true;
}

static void vtd_keep_undo(struct vtd_keep *k)
{
	int i;

	for (i = 0; i < k->nr_buses; i++)
		iommu_pgtable_free_page(k->pool, k->ctx[i].table);
	if (k->root)
		iommu_pgtable_free_page(k->pool, k->root);
	if (k->rec)
		memset(k->rec, 0, k->rec_len);
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
			if (!vtd_keep_dev(k, info))
				dev_warn(info->dev, "cannot keep its translation across kexec\n");
			break;
		case VTD_KEEP_STOP:
			vtd_keep_stop(k, info);
			break;
		}
	}
}

/*
 * Only keep translation the next kernel will find: it must be loaded by
 * kexec_file_load() with intel_iommu_handoff= naming this record (the
 * last one wins, as for any __setup).  Otherwise it would disable
 * translation while the device still masters the bus.
 */
static bool vtd_keep_next_told(phys_addr_t rec_phys)
{
#ifdef CONFIG_KEXEC_FILE
	static const char key[] = "intel_iommu_handoff=";
	struct kimage *image = kexec_image;
	const char *p, *end, *found = NULL;
	char val[24];
	size_t len;
	u64 addr;

	if (!image || !image->file_mode || !image->cmdline)
		return false;
	p = image->cmdline;
	end = p + strlen(p);
	while ((p = strnstr(p, key, end - p))) {
		if (p == image->cmdline || isspace(p[-1]))
			found = p + sizeof(key) - 1;
		p += sizeof(key) - 1;
	}
	if (!found)
		return false;
	len = strcspn(found, " \t\n");
	if (len >= sizeof(val))
		return false;
	memcpy(val, found, len);
	val[len] = '\0';
	return !kstrtou64(val, 0, &addr) && addr == rec_phys;
#else
	return false;
#endif
}

static bool vtd_keep_build(struct vtd_keep *k)
{
	struct range range;
	phys_addr_t rec_phys;

	vtd_keep_each(k, VTD_KEEP_FIND_POOL);
	if (!k->pool)
		return false;

	k->rec = iommu_pgtable_handoff_area(k->pool, &rec_phys, &k->rec_len,
					    &range);
	if (!k->rec || k->rec_len < vtd_handoff_rec_size(1)) {
		pr_err("%s: pool %s has no handoff area; translation not kept\n",
		       k->iommu->name, iommu_pgtable_pool_name(k->pool));
		k->rec = NULL;
		return false;
	}
	if (!vtd_keep_next_told(rec_phys)) {
		pr_err("%s: the next kernel is not loaded by kexec_file_load with intel_iommu_handoff=%pa; translation not kept\n",
		       k->iommu->name, &rec_phys);
		k->rec = NULL;
		return false;
	}
	memset(k->rec, 0, k->rec_len);
	k->root = iommu_pgtable_alloc_page(k->pool, NUMA_NO_NODE, GFP_ATOMIC);
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
	pr_info("%s: keeping translation of %u device(s) across kexec: root %pa in pool %s, record at %pa\n",
		k->iommu->name, k->rec->nr_devs, &k->rec->root, k->rec->pool,
		&rec_phys);
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

	if (!kexec_in_progress || sm_supported(iommu))
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
	return true;
}
