// SPDX-License-Identifier: GPL-2.0-only
/*
 * The media backend lib/ runs on: the memremap()ed label area for label
 * reads and writes, short-lived chunk mappings for scrubbing data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/libnvdimm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "internal.h"

/* Big enough to amortise map/unmap, small enough to stay responsive. */
#define PKERN_SCRUB_CHUNK	SZ_2M

static bool pkern_in_labels(struct pkern_region *rgn, u64 off, u64 len)
{
	return rgn->label_map && off <= rgn->map_len && len <= rgn->map_len - off;
}

static int pkern_media_read(void *ctx, u64 off, void *buf, u64 len)
{
	struct pkern_region *rgn = ctx;

	if (!pkern_in_labels(rgn, off, len))
		return -EIO;
	memcpy(buf, rgn->label_map + off, len);
	return 0;
}

/*
 * Label writes bypass the cache (non-temporal stores) so that persist()
 * only has to order them; this is what makes a label update durable on
 * real legacy NVDIMMs too, not only across kexec on DRAM.
 */
static int pkern_media_write(void *ctx, u64 off, const void *buf, u64 len)
{
	struct pkern_region *rgn = ctx;

	if (!pkern_in_labels(rgn, off, len))
		return -EIO;
	rgn->nr_writes++;
	if (rgn->fail_after && rgn->nr_writes > rgn->fail_after)
		return -EIO;
	memcpy_flushcache(rgn->label_map + off, buf, len);
	return 0;
}

static int pkern_media_persist(void *ctx, u64 off, u64 len)
{
	struct pkern_region *rgn = ctx;

	if (!pkern_in_labels(rgn, off, len))
		return -EIO;
	/* orders the non-temporal stores of pkern_media_write() */
	wmb();
	return 0;
}

static int pkern_media_zero(struct pkern_region *rgn, u64 off, u64 len)
{
	u64 chunk;
	void *p;

	while (len) {
		if (fatal_signal_pending(current))
			return -EINTR;
		/* the region is going away: a create stops before its label */
		if (READ_ONCE(rgn->dead))
			return -ENXIO;
		pkern_debugfs_scrub_gate(rgn);
		chunk = min_t(u64, len, PKERN_SCRUB_CHUNK -
			      ((rgn->phys + off) & (PKERN_SCRUB_CHUNK - 1)));
		p = memremap(rgn->phys + off, chunk, MEMREMAP_WB);
		if (!p)
			return -ENOMEM;
		memset(p, 0, chunk);
		arch_wb_cache_pmem(p, chunk);
		memunmap(p);
		off += chunk;
		len -= chunk;
		cond_resched();
	}
	/* order the write-backs before the label write that follows */
	wmb();
	return 0;
}

/*
 * Zero a data-area extent: new namespaces before their label is written,
 * destroyed ones after their label is gone.  The data area is never kept
 * mapped, so map it a chunk at a time; stop early (before the label is
 * written, on create) if the caller is being killed.
 *
 * Zeroing a large namespace takes seconds, so it runs without rgn->lock:
 * lookups, sysfs, INFO and pkern_pool_get() (VFIO setup) go on meanwhile.
 * The update lock keeps every other label update out, so lib's state
 * stays as pkern_create() or pkern_destroy() left it: a create's extent
 * is still free in it, and nothing else can take that extent, until the
 * label commits under rgn->lock again.
 */
static int pkern_media_scrub(void *ctx, u64 off, u64 len)
{
	struct pkern_region *rgn = ctx;
	int ret;

	lockdep_assert_held(&rgn->update_lock);
	lockdep_assert_held(&rgn->lock);
	rgn->scrub_err = 0;
	if (off > rgn->size || len > rgn->size - off)
		return -EIO;
	mutex_unlock(&rgn->lock);
	ret = pkern_media_zero(rgn, off, len);
	mutex_lock(&rgn->lock);
	if (!ret && rgn->dead)
		ret = -ENXIO;
	rgn->scrub_err = ret;
	return ret;
}

static const struct pkern_media_ops pkern_memremap_media_ops = {
	.read = pkern_media_read,
	.write = pkern_media_write,
	.persist = pkern_media_persist,
	.scrub = pkern_media_scrub,
};

/**
 * pkern_region_media() - describe a region's range to the label code
 * @rgn: the region
 * @m: filled with the memremap()-backed callbacks, @rgn and its size
 */
void pkern_region_media(struct pkern_region *rgn, struct pkern_media *m)
{
	m->ops = &pkern_memremap_media_ops;
	m->ctx = rgn;
	m->size = rgn->size;
}
