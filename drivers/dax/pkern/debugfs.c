// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection for crash tests (built only with PKERN_DEBUG_FAULTS):
 * /sys/kernel/debug/pkern/pkernN/fail_after_writes = k makes every media
 * write after the k-th fail with -EIO (0 disables); nr_writes counts the
 * writes so far.  lib/ must then leave the old or the new label set.
 */
#include <linux/debugfs.h>

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
}

void pkern_debugfs_remove(struct pkern_region *rgn)
{
	debugfs_lookup_and_remove(dev_name(&rgn->dev), pkern_debugfs_root);
}
