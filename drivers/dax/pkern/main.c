// SPDX-License-Identifier: GPL-2.0-only
/*
 * dax_pkern: labelled, persistent device-dax on legacy persistent memory.
 *
 * memmap=nn!ss ranges (e820 type 12) are registered by arch code as one
 * platform device, "e820_pmem", which nd_e820 normally binds.  pkern
 * takes that device instead through driver_override, the driver core's
 * mechanism for "this device belongs to that driver", the same way
 * upstream ramdax does:
 *
 *  - at load, if e820_pmem is unbound, the module sets its
 *    driver_override to "dax_pkern" (module parameter claim=0 disables
 *    this) and registers its driver, which then binds;
 *  - the shipped modprobe.d file adds "softdep nd_e820 pre: dax_pkern",
 *    so whenever the device's modalias loads nd_e820, dax_pkern loads
 *    and claims the device first; the udev rule sets the override on the
 *    "add" event and loads dax_pkern, covering hosts where nd_e820 loads
 *    some other way.  Either way, after kexec the region comes up under
 *    pkern with no userspace state.
 *
 * If nd_e820 already owns the device, pkern leaves it alone and says so.
 * On unload the override is cleared again if pkern set it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/sort.h>

#include "internal.h"

#define PKERN_E820_NAME	"e820_pmem"

static bool claim = true;
module_param(claim, bool, 0444);
MODULE_PARM_DESC(claim, "Take an unbound e820_pmem device via driver_override at load (default: Y)");

/* protects pkern_regions; taken before any region lock */
DEFINE_MUTEX(pkern_regions_lock);
LIST_HEAD(pkern_regions);
dev_t pkern_devt;
static bool pkern_set_override;

static char *pkern_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return NULL;
}

const struct class pkern_class = {
	.name = "pkern",
	.devnode = pkern_devnode,
};

struct pkern_range {
	u64 start;
	u64 size;
};

struct pkern_ranges {
	struct pkern_range r[PKERN_MAX_REGIONS];
	unsigned int n;
	unsigned int skipped;
};

static int pkern_collect(struct resource *res, void *arg)
{
	struct pkern_ranges *rs = arg;

	if (rs->n == PKERN_MAX_REGIONS) {
		rs->skipped++;
		return 0;
	}
	rs->r[rs->n].start = res->start;
	rs->r[rs->n].size = resource_size(res);
	rs->n++;
	return 0;
}

static int pkern_range_cmp(const void *a, const void *b)
{
	const struct pkern_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* One region per legacy range, pkern0 at the lowest address. */
static int pkern_e820_probe(struct platform_device *pdev)
{
	struct pkern_ranges *rs;
	unsigned int i;
	int ret;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	if (!rs)
		return -ENOMEM;
	walk_iomem_res_desc(IORES_DESC_PERSISTENT_MEMORY_LEGACY,
			    IORESOURCE_MEM, 0, -1, rs, pkern_collect);
	if (rs->skipped)
		pr_warn("%u legacy pmem ranges beyond the first %d ignored\n",
			rs->skipped, PKERN_MAX_REGIONS);
	sort(rs->r, rs->n, sizeof(rs->r[0]), pkern_range_cmp, NULL);
	for (i = 0; i < rs->n; i++) {
		ret = pkern_region_add(&pdev->dev, i, rs->r[i].start,
				       rs->r[i].size);
		if (ret)
			pr_err("pkern%u: %#llx+%#llx: cannot set up region: %d\n",
			       i, rs->r[i].start, rs->r[i].size, ret);
	}
	if (!rs->n)
		pr_warn("no legacy persistent memory ranges (boot with memmap=nn!ss)\n");
	kfree(rs);
	return 0;
}

static void pkern_e820_remove(struct platform_device *pdev)
{
	struct pkern_region *rgn;

	for (;;) {
		mutex_lock(&pkern_regions_lock);
		rgn = list_empty(&pkern_regions) ? NULL :
		      list_last_entry(&pkern_regions, struct pkern_region, node);
		mutex_unlock(&pkern_regions_lock);
		if (!rgn)
			break;
		pkern_region_remove(rgn);
	}
}

/*
 * remove() cannot fail, and it takes the pools' namespaces away while
 * IOMMU domains may still walk their tables: no manual unbind.  Module
 * unload, the only other way here, is refused while a pool is held
 * (each pkern_pool_get() pins the module).
 */
static struct platform_driver pkern_e820_driver = {
	.probe = pkern_e820_probe,
	.remove_new = pkern_e820_remove,
	.driver = {
		.name = KBUILD_MODNAME,
		.suppress_bind_attrs = true,
	},
};

/* Point e820_pmem at this driver unless another driver already has it. */
static void pkern_claim(void)
{
	struct device *dev;
	const char *owner = NULL;
	bool ours;
	int ret;

	dev = bus_find_device_by_name(&platform_bus_type, NULL,
				      PKERN_E820_NAME);
	if (!dev) {
		pr_info("no %s device: boot with memmap=nn!ss to reserve a range\n",
			PKERN_E820_NAME);
		return;
	}
	device_lock(dev);
	if (dev->driver)
		owner = dev->driver->name;
	device_unlock(dev);
	ours = device_match_driver_override(dev, &pkern_e820_driver.driver) > 0;

	if (owner && strcmp(owner, KBUILD_MODNAME)) {
		pr_warn("%s is bound to %s; unbind it there or install dax_pkern's modprobe.d file so pkern loads first\n",
			PKERN_E820_NAME, owner);
	} else if (!ours && claim) {
		ret = device_set_driver_override(dev, KBUILD_MODNAME);
		if (ret)
			pr_err("cannot set %s driver_override: %d\n",
			       PKERN_E820_NAME, ret);
		else
			pkern_set_override = true;
	}
	put_device(dev);
}

static void pkern_unclaim(void)
{
	struct device *dev;

	if (!pkern_set_override)
		return;
	dev = bus_find_device_by_name(&platform_bus_type, NULL,
				      PKERN_E820_NAME);
	if (!dev)
		return;
	device_set_driver_override(dev, "");
	put_device(dev);
}

static int __init pkern_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&pkern_devt, 0, PKERN_MAX_REGIONS, "pkern");
	if (ret)
		return ret;
	ret = class_register(&pkern_class);
	if (ret)
		goto err_chrdev;
	ret = platform_driver_register(&pkern_ns_driver);
	if (ret)
		goto err_class;
	pkern_debugfs_init();
	pkern_mce_register();
	pkern_claim();
	ret = platform_driver_register(&pkern_e820_driver);
	if (ret)
		goto err_ns;
	return 0;

err_ns:
	pkern_unclaim();
	pkern_mce_unregister();
	pkern_debugfs_exit();
	platform_driver_unregister(&pkern_ns_driver);
err_class:
	class_unregister(&pkern_class);
err_chrdev:
	unregister_chrdev_region(pkern_devt, PKERN_MAX_REGIONS);
	return ret;
}

static void __exit pkern_exit(void)
{
	platform_driver_unregister(&pkern_e820_driver);
	pkern_unclaim();
	pkern_mce_unregister();
	pkern_debugfs_exit();
	platform_driver_unregister(&pkern_ns_driver);
	/* nothing is left to queue more; the work must not outlive us */
	pkern_poison_flush();
	class_unregister(&pkern_class);
	unregister_chrdev_region(pkern_devt, PKERN_MAX_REGIONS);
}

module_init(pkern_init);
module_exit(pkern_exit);

/* device_dax binds the dax devices; load it first so they appear at once */
MODULE_SOFTDEP("pre: device_dax");
MODULE_ALIAS("platform:" PKERN_E820_NAME);
MODULE_DESCRIPTION("pkern: labelled persistent device-dax on legacy pmem");
MODULE_LICENSE("GPL");
