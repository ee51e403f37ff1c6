// SPDX-License-Identifier: GPL-2.0-only
/*
 * One pkern region per legacy persistent-memory range: map the label
 * area, load the labels, expose the usable namespaces.  Nothing here
 * reads or writes namespace data; a probe costs O(namespaces).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"

/* One line per problem found while loading, naming region and slot. */
static void pkern_report(void *arg, const struct pkern_problem *p)
{
	struct pkern_region *rgn = arg;
	const char *what = pkern_problem_str(p->code);
	const char *name = dev_name(&rgn->dev);

	/* region-wide findings are what pkern_region_explain() logs */
	if (p->where == PKERN_AT_REGION)
		return;
	if (p->where != PKERN_AT_SLOT) {
		pr_warn("%s: %s: %s\n", name, pkern_where_str(p->where), what);
		return;
	}
	switch (p->code) {
	case PKERN_P_LBL_OVERLAP:
	case PKERN_P_LBL_DUP_NAME:
	case PKERN_P_LBL_DUP_UUID:
		pr_warn("%s: slot %u: %s (slot %u is older and wins); namespace not exposed\n",
			name, p->slot, what, p->other);
		break;
	default:
		pr_warn("%s: slot %u: %s; namespace not exposed\n",
			name, p->slot, what);
	}
}

/**
 * pkern_region_data_start() - first data byte of a loaded region
 * @rgn: region
 *
 * Return: the live superblock's data start, or 0 without one.
 */
u64 pkern_region_data_start(const struct pkern_region *rgn)
{
	const struct pkern_labels *r = rgn->labels;

	if (r->active_sb < 0 || r->active_sb > 1 ||
	    r->sb[r->active_sb].problem != PKERN_P_NONE)
		return 0;
	return r->sb[r->active_sb].data_start;
}

/* Keep the live label area reserved in /proc/iomem. */
static void pkern_region_reserve(struct pkern_region *rgn)
{
	u64 len = rgn->state == PKERN_STATE_READY ?
		  pkern_region_data_start(rgn) : 0;

	if (rgn->label_res && resource_size(rgn->label_res) == len)
		return;
	if (rgn->label_res) {
		release_mem_region(rgn->label_res->start,
				   resource_size(rgn->label_res));
		rgn->label_res = NULL;
	}
	if (len)
		rgn->label_res = request_mem_region(rgn->phys, len,
						    dev_name(&rgn->dev));
}

static void pkern_region_explain(struct pkern_region *rgn)
{
	const struct pkern_labels *r = rgn->labels;
	const char *name = dev_name(&rgn->dev);
	int sb = r->active_sb;

	/* a live copy of a known version: its twin can be restored from it */
	if ((sb == 0 || sb == 1) && rgn->state != PKERN_STATE_VERSION &&
	    rgn->state != PKERN_STATE_IO_ERROR &&
	    (r->sb[1 - sb].problem != PKERN_P_NONE ||
	     r->sb[1 - sb].seq != r->sb[sb].seq))
		pr_warn("%s: superblock copy %d is damaged, blank or stale, copy %d is intact; labels are loaded from it (restore with 'pkdaxctl check -r %s --repair')\n",
			name, 1 - sb, sb, name);
	switch (rgn->state) {
	case PKERN_STATE_UNFORMATTED:
		pr_info("%s: no labels (unformatted), nothing exposed; format with 'pkdaxctl init-labels -r %s'\n",
			name, name);
		break;
	case PKERN_STATE_SIZE_CHANGED:
		pr_err("%s: labels were written for a %llu-byte region but the range has %llu bytes; nothing exposed, nothing changed (boot with the original memmap= or reformat)\n",
		       name, (sb == 0 || sb == 1) ? r->sb[sb].region_size : 0,
		       rgn->size);
		break;
	case PKERN_STATE_VERSION:
		sb = r->sb[0].problem == PKERN_P_SB_VERSION ? 0 : 1;
		pr_err("%s: label format major %u is not supported by this driver (major %u); nothing exposed, nothing changed\n",
		       name, r->sb[sb].major, PKERN_MAJOR);
		break;
	case PKERN_STATE_CORRUPT:
		if (sb != 0 && sb != 1)
			pr_err("%s: label superblock damaged (no valid copy); labels may still be intact; nothing exposed, nothing changed; inspect with 'pkdaxctl check -r %s', do not reformat\n",
			       name, name);
		else
			pr_err("%s: superblock valid but no usable index block; labels may still be intact; nothing exposed, nothing changed (inspect with 'pkdaxctl check -r %s')\n",
			       name, name);
		break;
	case PKERN_STATE_IO_ERROR:
		pr_err("%s: cannot read the label area; nothing exposed\n",
		       name);
		break;
	}
}

/* What the region shows follows lib's label state. */
static void pkern_region_set_state(struct pkern_region *rgn)
{
	rgn->state = pkern_uapi_state(rgn->labels->status);
	pkern_region_reserve(rgn);
}

/* Probe: read the labels, logging every problem found. */
static void pkern_region_load(struct pkern_region *rgn)
{
	struct pkern_media m;

	pkern_region_media(rgn, &m);
	pkern_load_report(rgn->labels, &m, pkern_report, rgn);
	pkern_region_set_state(rgn);
}

static bool pkern_ns_same(const struct pkern_ns *a, const struct pkern_ns *b)
{
	return !memcmp(a->uuid, b->uuid, sizeof(a->uuid)) &&
	       !strncmp(a->name, b->name, sizeof(a->name)) &&
	       a->kind == b->kind && a->offset == b->offset &&
	       a->size == b->size && a->align == b->align &&
	       a->create_gen == b->create_gen;
}

/*
 * Every usable namespace of a ready region gets a child device; children
 * whose label went away or changed are removed.
 */
static void pkern_region_sync_children(struct pkern_region *rgn)
{
	DECLARE_BITMAP(want, PKERN_MAX_SLOTS);
	const struct pkern_ns *ns;
	struct pkern_nsdev *nd;
	u32 slot;
	int ret;

	bitmap_zero(want, PKERN_MAX_SLOTS);
	if (rgn->state == PKERN_STATE_READY && !rgn->dead)
		pkern_for_each_ns(rgn->labels, ns)
			if (pkern_ns_usable(ns) && ns->slot < PKERN_MAX_SLOTS)
				__set_bit(ns->slot, want);

	for (slot = 0; slot < PKERN_MAX_SLOTS; slot++) {
		nd = rgn->nsdev[slot];
		if (nd && (!test_bit(slot, want) ||
			   !pkern_ns_same(&nd->ns, &rgn->labels->ns[slot])))
			pkern_ns_remove(rgn, slot);
		if (!rgn->nsdev[slot] && test_bit(slot, want)) {
			ret = pkern_ns_add(rgn, &rgn->labels->ns[slot]);
			if (ret)
				pr_err("%s: slot %u (%s): cannot expose namespace: %d\n",
				       dev_name(&rgn->dev), slot,
				       rgn->labels->ns[slot].name, ret);
		}
	}
}

/**
 * pkern_region_sync() - make the region follow its label state
 * @rgn: region, lock held
 *
 * Called after every update, successful or not: lib leaves the label
 * state describing the media either way, and the region's state, its
 * iomem reservation and its child devices follow it.
 */
void pkern_region_sync(struct pkern_region *rgn)
{
	pkern_region_set_state(rgn);
	pkern_region_sync_children(rgn);
}

static unsigned int pkern_region_nr_exposed(struct pkern_region *rgn)
{
	unsigned int n = 0;
	u32 slot;

	for (slot = 0; slot < PKERN_MAX_SLOTS; slot++)
		n += !!rgn->nsdev[slot];
	return n;
}

static void pkern_region_release(struct device *dev)
{
	struct pkern_region *rgn = to_pkern_region(dev);

	vfree(rgn->labels);
	kvfree(rgn);
}

/**
 * pkern_region_add() - bring up region pkern@id on one legacy range
 * @parent: the e820_pmem platform device
 * @id: region index (N of pkernN and of daxN.M)
 * @phys: start of the range
 * @size: bytes in the range
 *
 * Maps only the label area, loads labels, registers /dev/pkernN and a
 * child per usable namespace, and logs how long that took.  A region in
 * any state but "ready" still gets /dev/pkernN so that it can be
 * inspected and, explicitly, formatted.
 *
 * Return: 0 or a negative errno.
 */
int pkern_region_add(struct device *parent, int id, phys_addr_t phys,
		     u64 size)
{
	ktime_t t0 = ktime_get();
	struct pkern_region *rgn;
	unsigned int n, marked;
	int ret;

	rgn = kvzalloc(sizeof(*rgn), GFP_KERNEL);
	if (!rgn)
		return -ENOMEM;
	rgn->labels = vzalloc(sizeof(*rgn->labels));
	if (!rgn->labels) {
		kvfree(rgn);
		return -ENOMEM;
	}
	rgn->id = id;
	rgn->phys = phys;
	rgn->size = size;
	mutex_init(&rgn->update_lock);
	mutex_init(&rgn->lock);
	INIT_LIST_HEAD(&rgn->node);

	device_initialize(&rgn->dev);
	rgn->dev.class = &pkern_class;
	rgn->dev.parent = parent;
	rgn->dev.groups = pkern_region_groups;
	rgn->dev.release = pkern_region_release;
	rgn->dev.devt = MKDEV(MAJOR(pkern_devt), id);
	ret = dev_set_name(&rgn->dev, "pkern%d", id);
	if (ret)
		goto err_put;

	/* the label area only: never more than its largest possible size */
	rgn->map_len = min_t(u64, size,
			     pkern_label_area_size(PKERN_MAX_SLOTS));
	rgn->label_map = memremap(phys, rgn->map_len, MEMREMAP_WB);
	if (!rgn->label_map) {
		ret = -ENOMEM;
		goto err_put;
	}

	pkern_region_load(rgn);
	pkern_region_explain(rgn);

	cdev_init(&rgn->cdev, &pkern_ctl_fops);
	rgn->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&rgn->cdev, &rgn->dev);
	if (ret)
		goto err_unmap;

	mutex_lock(&pkern_regions_lock);
	list_add_tail(&rgn->node, &pkern_regions);
	mutex_unlock(&pkern_regions_lock);
	pkern_debugfs_add(rgn);

	mutex_lock(&rgn->lock);
	pkern_region_sync_children(rgn);
	n = pkern_region_nr_exposed(rgn);
	mutex_unlock(&rgn->lock);
	marked = pkern_poison_replay(rgn);

	if (rgn->labels->nr_bad)
		pr_warn("%s: %u recorded bad pages (%u pages in exposed guest namespaces flagged poisoned again); list them with 'pkdaxctl list -r %s --media-errors'\n",
			dev_name(&rgn->dev), rgn->labels->nr_bad, marked,
			dev_name(&rgn->dev));
	if (rgn->state == PKERN_STATE_READY)
		pr_info("%s: %u namespaces ready in %lld us (label generation %llu)\n",
			dev_name(&rgn->dev), n,
			ktime_us_delta(ktime_get(), t0), rgn->labels->generation);
	return 0;

err_unmap:
	if (rgn->label_res)
		release_mem_region(rgn->label_res->start,
				   resource_size(rgn->label_res));
	memunmap(rgn->label_map);
err_put:
	put_device(&rgn->dev);
	return ret;
}

/**
 * pkern_region_remove() - tear a region down
 * @rgn: region from pkern_region_add()
 *
 * Removes the children (which unmaps every user mapping of their dax
 * devices), the control device and the label mapping.  Open control
 * files keep the structure alive and get ENXIO from then on.
 */
void pkern_region_remove(struct pkern_region *rgn)
{
	/* memory errors already queued are recorded while it is listed */
	pkern_poison_flush();
	mutex_lock(&pkern_regions_lock);
	list_del_init(&rgn->node);
	mutex_unlock(&pkern_regions_lock);
	pkern_debugfs_remove(rgn);

	/* stops a running scrub at its next chunk, then waits for it */
	mutex_lock(&rgn->lock);
	WRITE_ONCE(rgn->dead, true);
	mutex_unlock(&rgn->lock);
	mutex_lock(&rgn->update_lock);

	mutex_lock(&rgn->lock);
	pkern_region_sync_children(rgn);
	mutex_unlock(&rgn->lock);

	cdev_device_del(&rgn->cdev, &rgn->dev);

	mutex_lock(&rgn->lock);
	if (rgn->label_res)
		release_mem_region(rgn->label_res->start,
				   resource_size(rgn->label_res));
	rgn->label_res = NULL;
	memunmap(rgn->label_map);
	rgn->label_map = NULL;
	mutex_unlock(&rgn->lock);
	mutex_unlock(&rgn->update_lock);
	put_device(&rgn->dev);
}
