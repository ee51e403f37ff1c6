// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection for crash tests (built only with PKERN_DEBUG_FAULTS):
 * /sys/kernel/debug/pkern/pkernN/fail_after_writes = k makes every media
 * write after the k-th fail with -EIO (0 disables); nr_writes counts the
 * writes so far.  lib/ must then leave the old or the new label set.
 * scrub_hold = 1 holds every zeroing of namespace memory before its next
 * chunk (scrub_waiting reads 1 while one waits) until it is set back to
 * 0, so a test can do things while a create or destroy provably zeroes.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/sched/signal.h>

#include "internal.h"

static struct dentry *pkern_debugfs_root;

void pkern_debugfs_init(void)
{
	pkern_debugfs_root = debugfs_create_dir("pkern", NULL);
}

void pkern_debugfs_exit(void)
{
	debugfs_remove_recursive(pkern_debugfs_root);
}

void pkern_debugfs_add(struct pkern_region *rgn)
{
	struct dentry *d;

	d = debugfs_create_dir(dev_name(&rgn->dev), pkern_debugfs_root);
	debugfs_create_u64("fail_after_writes", 0600, d, &rgn->fail_after);
	debugfs_create_u64("nr_writes", 0400, d, &rgn->nr_writes);
	debugfs_create_u32("scrub_hold", 0600, d, &rgn->scrub_hold);
	debugfs_create_u32("scrub_waiting", 0400, d, &rgn->scrub_waiting);
}

/**
 * pkern_debugfs_scrub_gate() - wait while scrub_hold is set
 * @rgn: region being zeroed
 *
 * Returns early if the caller is killed or the region goes away, so a
 * held scrub never blocks an unload.
 */
void pkern_debugfs_scrub_gate(struct pkern_region *rgn)
{
	if (!READ_ONCE(rgn->scrub_hold))
		return;
	WRITE_ONCE(rgn->scrub_waiting, 1);
	while (READ_ONCE(rgn->scrub_hold) && !READ_ONCE(rgn->dead) &&
	       !fatal_signal_pending(current))
		msleep_interruptible(10);
	WRITE_ONCE(rgn->scrub_waiting, 0);
}

void pkern_debugfs_remove(struct pkern_region *rgn)
{
	debugfs_lookup_and_remove(dev_name(&rgn->dev), pkern_debugfs_root);
}
