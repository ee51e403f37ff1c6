// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory errors in guest namespaces: record each poisoned page in the
 * label area, and mark the recorded pages poisoned again after a kexec.
 *
 * The kernel hands a poisoned ZONE_DEVICE page to the memory_failure op
 * of its dev_pagemap (memory_failure_dev_pagemap()), whoever raised it:
 * a machine check, a scrubber, MADV_HWPOISON or the hwpoison injector.
 * pkern builds the pgmap it gives device-dax, so that op is the one hook
 * that sees every poisoned page of a guest namespace and only those.  It
 * returns -EOPNOTSUPP, so the generic handler still marks the page,
 * unmaps it and sends SIGBUS (BUS_MCEERR_*) to every process mapping it.
 * Pages without a pgmap (iommu pools, free space, the label area) are
 * seen only by the machine-check hook (mce.c), which queues them here.
 *
 * The op runs with a pgmap reference held; tearing a namespace down
 * waits for those references while holding the region locks.  So the op
 * only queues the page, under a spinlock, and a work item records it
 * under the region's update lock with lib, as one index commit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "internal.h"

#define PKERN_POISON_QUEUE	64

static DEFINE_SPINLOCK(pkern_poison_lock);
static phys_addr_t pkern_poison_queue_buf[PKERN_POISON_QUEUE];
static unsigned int pkern_poison_pending;

/* The region holding @phys, with a device reference; NULL if none. */
static struct pkern_region *pkern_region_of(phys_addr_t phys)
{
	struct pkern_region *rgn, *found = NULL;

	mutex_lock(&pkern_regions_lock);
	list_for_each_entry(rgn, &pkern_regions, node) {
		if (phys >= rgn->phys && phys - rgn->phys < rgn->size) {
			found = rgn;
			get_device(&rgn->dev);
			break;
		}
	}
	mutex_unlock(&pkern_regions_lock);
	return found;
}

/**
 * pkern_phys_in_region() - is @phys in a pkern region?
 * @phys: physical address
 *
 * Context: process context.
 * Return: true if a listed region holds it.
 */
bool pkern_phys_in_region(phys_addr_t phys)
{
	struct pkern_region *rgn = pkern_region_of(phys);

	if (rgn)
		put_device(&rgn->dev);
	return rgn;
}

static void pkern_poison_record(phys_addr_t phys)
{
	struct pkern_region *rgn = pkern_region_of(phys);
	u64 off;
	int ret = -PKERN_E_STATE;

	if (!rgn) {
		pr_err("poisoned page %pa is in no pkern region; not recorded\n",
		       &phys);
		return;
	}
	off = ALIGN_DOWN(phys - rgn->phys, PAGE_SIZE);
	if (off < pkern_region_data_start(rgn)) {
		pr_err("%s: memory error at offset %#llx (%pa) in the label area; not recorded there: check the labels with 'pkdaxctl check -r %s'\n",
		       dev_name(&rgn->dev), off, &phys, dev_name(&rgn->dev));
		put_device(&rgn->dev);
		return;
	}
	mutex_lock(&rgn->update_lock);
	mutex_lock(&rgn->lock);
	if (!rgn->dead)
		ret = pkern_bad_add(rgn->labels, off, PAGE_SIZE);
	if (ret == -PKERN_E_IO)
		pkern_region_sync(rgn);
	/* in an iommu pool, also when the list was full */
	if (!rgn->dead)
		pkern_pool_retire(rgn, off);
	mutex_unlock(&rgn->lock);
	mutex_unlock(&rgn->update_lock);
	if (ret > 0)
		pr_warn("%s: memory error at offset %#llx (%pa) recorded; the page is never handed out or zeroed again ('pkdaxctl clear-errors' once repaired)\n",
			dev_name(&rgn->dev), off, &phys);
	else if (ret < 0)
		pr_err("%s: memory error at offset %#llx (%pa) NOT recorded: %s; it is forgotten at the next boot\n",
		       dev_name(&rgn->dev), off, &phys, pkern_strerror(ret));
	put_device(&rgn->dev);
}

static void pkern_poison_work_fn(struct work_struct *work)
{
	phys_addr_t phys;

	for (;;) {
		spin_lock_irq(&pkern_poison_lock);
		if (!pkern_poison_pending) {
			spin_unlock_irq(&pkern_poison_lock);
			return;
		}
		phys = pkern_poison_queue_buf[--pkern_poison_pending];
		spin_unlock_irq(&pkern_poison_lock);
		pkern_poison_record(phys);
	}
}

static DECLARE_WORK(pkern_poison_work, pkern_poison_work_fn);

/**
 * pkern_poison_queue() - have a poisoned page of a region recorded
 * @phys: physical address in the page
 *
 * A page queued twice (the machine-check hook and the pgmap op both see
 * an error in guest memory) is recorded once.
 *
 * Context: any; does not sleep.
 */
void pkern_poison_queue(phys_addr_t phys)
{
	unsigned long flags;

	spin_lock_irqsave(&pkern_poison_lock, flags);
	if (pkern_poison_pending < PKERN_POISON_QUEUE)
		pkern_poison_queue_buf[pkern_poison_pending++] = phys;
	else
		pr_err("too many memory errors at once: %pa not recorded\n",
		       &phys);
	spin_unlock_irqrestore(&pkern_poison_lock, flags);
	schedule_work(&pkern_poison_work);
}

static int pkern_memory_failure(struct dev_pagemap *pgmap, unsigned long pfn,
				unsigned long nr_pages, int mf_flags)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i++)
		pkern_poison_queue(PFN_PHYS(pfn + i));
	/* the generic handler marks the page and signals its users */
	return -EOPNOTSUPP;
}

const struct dev_pagemap_ops pkern_pgmap_ops = {
	.memory_failure = pkern_memory_failure,
};

/**
 * pkern_poison_flush() - wait until every queued memory error is recorded
 */
void pkern_poison_flush(void)
{
	flush_work(&pkern_poison_work);
}

/*
 * Set the poison flag of one page, as the generic handler does for a
 * dax page.  memory_failure() cannot do it here: it needs the page to
 * have been mapped once (dax_lock_folio() refuses a page without a
 * mapping, -EBUSY), and after a kexec nothing has mapped it yet.  The
 * memmap exists only while device_dax holds the pgmap: take a reference.
 * A large folio carries the flag on its head, as the generic handler
 * sets it; the record keeps the exact 4 KiB page.  Without
 * CONFIG_MEMORY_FAILURE pages have no poison flag.
 */
static bool pkern_poison_mark(unsigned long pfn)
{
#ifdef CONFIG_MEMORY_FAILURE
	struct dev_pagemap *pgmap = get_dev_pagemap(pfn, NULL);
	bool marked;

	if (!pgmap)
		return false;
	/* on the head page, where the generic handler puts it */
	marked = !TestSetPageHWPoison(compound_head(pfn_to_page(pfn)));
	put_dev_pagemap(pgmap);
	return marked;
#else
	return false;
#endif
}

/* Mark every recorded page of one guest namespace */
static unsigned int pkern_poison_replay_ns(struct pkern_nsdev *nd)
{
	const struct pkern_labels *r = nd->rgn->labels;
	u64 end = nd->ns.offset + nd->ns.size, pos, off, len;
	unsigned long pfn, last;
	unsigned int n = 0;

	for (pos = nd->ns.offset; pkern_bad_next_range(r, pos, end, &off, &len);
	     pos = off + len) {
		last = PHYS_PFN(nd->rgn->phys + off + len);
		for (pfn = PHYS_PFN(nd->rgn->phys + off); pfn < last; pfn++)
			n += pkern_poison_mark(pfn);
	}
	return n;
}

/**
 * pkern_poison_replay() - mark a region's recorded pages poisoned again
 * @rgn: a region whose children are set up; no region lock held
 *
 * The poison flag does not survive a kexec; the record does.  Each
 * recorded page of an exposed guest namespace gets the flag back, as
 * the generic handler set it on the first error, on the folio's head,
 * where device-dax's fault check (kernel series) looks: a VMM touching
 * the page gets SIGBUS BUS_MCEERR_AR as before the kexec.  Stock 6.12
 * device-dax maps a flagged page without looking at the flag (so does
 * it before a kexec, after the SIGBUS): there the VMM is signalled again
 * only when the hardware raises the error again on its access.  The
 * update lock keeps labels and children as they are meanwhile.
 * O(namespaces + recorded pages).
 *
 * Return: the number of pages marked.
 */
unsigned int pkern_poison_replay(struct pkern_region *rgn)
{
	struct pkern_nsdev *nd;
	unsigned int n = 0;
	u32 slot;

	if (!IS_ENABLED(CONFIG_MEMORY_FAILURE) || !rgn->labels->nr_bad)
		return 0;
	mutex_lock(&rgn->update_lock);
	for (slot = 0; slot < PKERN_MAX_SLOTS; slot++) {
		nd = rgn->nsdev[slot];
		if (nd && nd->dev_dax && nd->ns.kind == PKERN_KIND_GUEST)
			n += pkern_poison_replay_ns(nd);
	}
	mutex_unlock(&rgn->update_lock);
	return n;
}
