// SPDX-License-Identifier: GPL-2.0-only
/*
 * One child device per usable namespace, "pkernN.M" (M = label slot).
 *
 * The dax core must be driven from the probe() of a driver bound to the
 * parent of the dax devices, and devm_create_dev_dax() always allocates
 * from the start of its dax region.  So every guest namespace gets its
 * own platform device, bound (through driver_override) to the
 * "pkern-ns" driver below, whose probe() creates a static dax region
 * covering exactly the namespace and the device-dax instance daxN.M on
 * it; everything is devm on the child, so unregistering the child is
 * the whole teardown, and it unmaps every user mapping first.  iommu
 * namespaces get a child too (sysfs attributes) but no dax device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/range.h>
#include <linux/slab.h>

#include "bus.h"
#include "dax-private.h"
#include "internal.h"

/* lib's guest placement is what memremap_pages() needs */
static_assert(PKERN_GUEST_PLACE_ALIGN % SUBSECTION_SIZE == 0);

static struct pkern_nsdev *pkern_nsdev_of(struct device *dev)
{
	struct pkern_nsdev **p = dev_get_platdata(dev);

	return p ? *p : NULL;
}

static int pkern_ns_probe(struct platform_device *pdev)
{
	struct pkern_nsdev *nd = pkern_nsdev_of(&pdev->dev);
	struct dev_pagemap pgmap = { };
	struct dax_region *dax_region;
	struct dev_dax_data data;
	struct dev_dax *dev_dax;
	struct range range;
	u64 place;
	int nid;

	if (!nd)
		return -ENODEV;
	if (nd->ns.kind != PKERN_KIND_GUEST)
		return 0;

	range.start = nd->rgn->phys + nd->ns.offset;
	range.end = range.start + nd->ns.size - 1;
	/*
	 * Labels place extents within the region; the range itself may not
	 * be aligned in physical memory.  Check where it really lies.
	 */
	place = pkern_place_align(nd->ns.kind, nd->ns.align);
	if (!IS_ALIGNED(range.start, place) || !IS_ALIGNED(nd->ns.size, place)) {
		dev_err(&pdev->dev, "%s at %#llx, %llu bytes, does not start and end on the %llu-byte boundaries device-dax needs (the range starts at %pa); not exposed\n",
			nd->ns.name, range.start, nd->ns.size, place,
			&nd->rgn->phys);
		return -EINVAL;
	}
	nid = phys_to_target_node(range.start);
	dax_region = alloc_dax_region(&pdev->dev, nd->rgn->id, &range, nid,
				      nd->ns.align, IORESOURCE_DAX_STATIC);
	if (!dax_region)
		return -ENOMEM;

	pgmap.range = range;
	pgmap.nr_range = 1;
	/* device-dax copies the pgmap and sets only its type and shift */
	pgmap.ops = &pkern_pgmap_ops;
	data = (struct dev_dax_data) {
		.dax_region = dax_region,
		.id = nd->slot,
		.pgmap = &pgmap,
		.size = range_len(&range),
		.memmap_on_memory = false,
	};
	dev_dax = devm_create_dev_dax(&data);
	if (IS_ERR(dev_dax))
		return PTR_ERR(dev_dax);
	nd->dev_dax = dev_dax;
	return 0;
}

static void pkern_ns_remove_drv(struct platform_device *pdev)
{
	struct pkern_nsdev *nd = pkern_nsdev_of(&pdev->dev);

	/* devm tears the dax device down right after this */
	if (nd)
		nd->dev_dax = NULL;
}

struct platform_driver pkern_ns_driver = {
	.probe = pkern_ns_probe,
	.remove_new = pkern_ns_remove_drv,
	.driver = {
		.name = PKERN_NS_DRV_NAME,
		.suppress_bind_attrs = true,
	},
};

/**
 * pkern_ns_add() - register the child device of a usable namespace
 * @rgn: region, lock held
 * @ns: the namespace's decoded label
 *
 * Return: 0 once the child is registered and bound, else a negative errno
 * (and no child).
 */
int pkern_ns_add(struct pkern_region *rgn, const struct pkern_ns *ns)
{
	struct platform_device *pdev;
	struct pkern_nsdev *nd;
	char name[32];
	int ret;

	nd = kzalloc(sizeof(*nd), GFP_KERNEL);
	if (!nd)
		return -ENOMEM;
	nd->rgn = rgn;
	nd->slot = ns->slot;
	nd->ns = *ns;

	snprintf(name, sizeof(name), "pkern%d.%u", rgn->id, ns->slot);
	pdev = platform_device_alloc(name, PLATFORM_DEVID_NONE);
	if (!pdev) {
		ret = -ENOMEM;
		goto err_free;
	}
	pdev->dev.parent = &rgn->dev;
	pdev->dev.groups = pkern_ns_groups;
	ret = platform_device_add_data(pdev, &nd, sizeof(nd));
	if (ret)
		goto err_put;
	ret = device_set_driver_override(&pdev->dev, PKERN_NS_DRV_NAME);
	if (ret)
		goto err_put;

	nd->pdev = pdev;
	rgn->nsdev[ns->slot] = nd;
	ret = platform_device_add(pdev);
	if (ret) {
		rgn->nsdev[ns->slot] = NULL;
		goto err_put;
	}
	if (!device_is_bound(&pdev->dev)) {
		/* probe failed and said why; leave nothing half-exposed */
		rgn->nsdev[ns->slot] = NULL;
		platform_device_unregister(pdev);
		kfree(nd);
		return -ENXIO;
	}
	return 0;

err_put:
	platform_device_put(pdev);
err_free:
	kfree(nd);
	return ret;
}

/**
 * pkern_ns_remove() - unregister a namespace's child device
 * @rgn: region, lock held
 * @slot: label slot
 *
 * Unregistering kills the dax device, which unmaps it from every process
 * (later faults get SIGBUS), before the memory can be scrubbed.
 */
void pkern_ns_remove(struct pkern_region *rgn, u32 slot)
{
	struct pkern_nsdev *nd = rgn->nsdev[slot];

	if (!nd)
		return;
	rgn->nsdev[slot] = NULL;
	pkern_pool_detach(nd);
	platform_device_unregister(nd->pdev);
	kfree(nd);
}

/*
 * A device-dax file holds one reference on the dax inode's cdev kobject
 * for as long as it is open (chrdev_open() takes it, the last fput()
 * drops it), and an mmap keeps its file.  So with device_dax bound the
 * cdev's count is 1 when nothing uses the device.
 */
static bool pkern_dax_in_use(struct dev_dax *dev_dax, const char **why)
{
	struct device *ddev = &dev_dax->dev;
	struct inode *inode;
	bool busy = false;

	device_lock(ddev);
	if (ddev->driver && strcmp(ddev->driver->name, "device_dax")) {
		*why = ddev->driver->name;
		busy = true;
	} else if (ddev->driver) {
		inode = dax_inode(dev_dax->dax_dev);
		if (mapping_mapped(inode->i_mapping)) {
			*why = "mapped";
			busy = true;
		} else if (inode->i_cdev &&
			   kref_read(&inode->i_cdev->kobj.kref) > 1) {
			*why = "open";
			busy = true;
		}
	}
	device_unlock(ddev);
	return busy;
}

/* iommu_kept_dma_reaches() of a kernel with the IOMMU series */
typedef bool (*pkern_kept_dma_reaches_fn)(phys_addr_t start, u64 len);

/**
 * pkern_kept_dma_reaches() - does DMA translation kept across kexec reach memory
 * @start: physical address
 * @len: bytes from @start
 *
 * After a live update that kept devices' DMA translation running, the
 * IOMMU walks page tables in a pool and reaches guest memory that nothing
 * in this kernel has opened yet, until the translation is adopted or
 * ends.  Asked without a link dependency, so the module still loads on
 * kernels without the IOMMU series (which keep no translation).
 *
 * Return: true while a kept translation reaches [@start, @start + @len).
 */
bool pkern_kept_dma_reaches(phys_addr_t start, u64 len)
{
	pkern_kept_dma_reaches_fn fn = __symbol_get("iommu_kept_dma_reaches");
	bool ret;

	if (!fn)
		return false;
	ret = fn(start, len);
	__symbol_put("iommu_kept_dma_reaches");
	return ret;
}

/*
 * VFIO type1, RDMA and io_uring pin pages long-term (FOLL_PIN) and hold
 * no reference on the pgmap, the file or the mapping: after munmap and
 * close the pins alone keep the memory reachable by a device.  Unpinned
 * device-dax pages sit at refcount 1 (memmap init sets every
 * MEMORY_DEVICE_GENERIC page to 1; mapping them takes no reference), so
 * any pin, and any other reference, shows on the folio.  One read per
 * folio: O(namespace / align), only when a namespace is destroyed.
 */
static bool pkern_dax_pages_pinned(struct pkern_nsdev *nd)
{
	unsigned long pfn = PHYS_PFN(nd->rgn->phys + nd->ns.offset);
	unsigned long end = pfn + (nd->ns.size >> PAGE_SHIFT);
	struct folio *folio;

	while (pfn < end) {
		folio = page_folio(pfn_to_page(pfn));
		if (folio_maybe_dma_pinned(folio) || folio_ref_count(folio) > 1)
			return true;
		pfn = folio_pfn(folio) + folio_nr_pages(folio);
		cond_resched();
	}
	return false;
}

/*
 * The pages have a memmap only while device_dax is bound to the dax
 * device (its probe creates the pgmap); bound elsewhere or unbound, the
 * other checks decide.
 */
static bool pkern_ns_pinned(struct pkern_nsdev *nd, const char **why)
{
	struct device *ddev;
	bool pinned = false;

	if (!nd->dev_dax)
		return false;
	ddev = &nd->dev_dax->dev;
	device_lock(ddev);
	if (ddev->driver && !strcmp(ddev->driver->name, "device_dax"))
		pinned = pkern_dax_pages_pinned(nd);
	device_unlock(ddev);
	if (pinned) {
		*why = "pinned for DMA";
		/* stock put_pfn() skips PageReserved pages, as ZONE_DEVICE pages are */
		pr_info_once("pages stay pinned while a VFIO container maps them; VFIO type1 of a kernel without pkern's IOMMU series never unpins device-dax pages: there a kexec, or reloading dax_pkern once no VMM uses any pkern namespace, clears such pins\n");
	}
	return pinned;
}

/**
 * pkern_ns_busy() - may the namespace in @slot be destroyed now?
 * @rgn: region, lock held
 * @slot: label slot
 *
 * A guest namespace is busy while its dax device is open, mapped, bound
 * to a driver other than device_dax (e.g. kmem has onlined it), or any
 * of its pages is pinned (e.g. mapped for DMA by VFIO).  An iommu pool
 * is busy while a kernel user holds it.  Either is busy while DMA
 * translation kept across kexec reaches it.  An open, mmap or pin racing
 * with destroy after this check is caught by pkern_ns_revoke().
 *
 * Return: 0 or -EBUSY (logged with the reason).
 */
int pkern_ns_busy(struct pkern_region *rgn, u32 slot)
{
	struct pkern_nsdev *nd = rgn->nsdev[slot];
	const char *why = NULL;
	bool busy = false;

	if (!nd)
		return 0;
	device_lock(&nd->pdev->dev);
	if (nd->dev_dax)
		busy = pkern_dax_in_use(nd->dev_dax, &why);
	if (nd->pool && atomic_read(&nd->pool->holders)) {
		why = "held by a kernel user";
		busy = true;
	}
	if (!busy && pkern_kept_dma_reaches(rgn->phys + nd->ns.offset,
					    nd->ns.size)) {
		why = "reached by DMA translation kept across kexec";
		busy = true;
	}
	if (!busy)
		busy = pkern_ns_pinned(nd, &why);
	device_unlock(&nd->pdev->dev);
	if (busy)
		pr_info("%s: namespace %s (slot %u) is busy (%s)\n",
			dev_name(&rgn->dev), nd->ns.name, slot, why);
	return busy ? -EBUSY : 0;
}

/**
 * pkern_ns_revoke() - stop new users of a namespace about to go away
 * @rgn: region, lock held
 * @slot: label slot, pkern_ns_busy() said 0
 *
 * Kills the dax device: later faults and mmaps fail, every user mapping
 * is zapped, so nothing can pin its pages from here on (GUP needs a
 * page table entry, and takes its pin before the zap or not at all).
 * A pin taken between pkern_ns_busy() and this shows now, while the
 * memmap still exists; the namespace is then kept, label and memory
 * untouched, with its device revoked, until the pin goes.
 *
 * Return: 0 (pkern_ns_remove() may follow) or -EBUSY (logged).
 */
int pkern_ns_revoke(struct pkern_region *rgn, u32 slot)
{
	struct pkern_nsdev *nd = rgn->nsdev[slot];
	const char *why = NULL;
	bool pinned;

	if (!nd || !nd->dev_dax)
		return 0;
	device_lock(&nd->pdev->dev);
	if (nd->dev_dax)
		kill_dev_dax(nd->dev_dax);
	pinned = pkern_ns_pinned(nd, &why);
	device_unlock(&nd->pdev->dev);
	if (pinned)
		pr_warn("%s: namespace %s (slot %u) was %s while being destroyed; kept, its device revoked\n",
			dev_name(&rgn->dev), nd->ns.name, slot, why);
	return pinned ? -EBUSY : 0;
}
