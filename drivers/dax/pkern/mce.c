// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory errors in pkern memory that has no struct page: iommu pools,
 * free space, the label area.
 *
 * memory_failure() gives up on such a page ("memory outside kernel
 * control") before any dev_pagemap op could see it, so poison.c never
 * hears of it.  The x86 machine-check decode chain does: every logged
 * machine check passes it, in process context, with its physical
 * address, whatever memory it hit.  The NFIT driver keeps its badblocks
 * of persistent memory the same way.  A guest page is seen here and by
 * its pgmap op; recording is idempotent, so it is recorded once.
 *
 * Errors that are not seen here: corrected ones (nothing is lost), and
 * poison found without a machine check (an injector that calls
 * memory_failure() directly cannot name a page without struct page).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/notifier.h>
#include <asm/mce.h>

#include "internal.h"

static int pkern_mce_notify(struct notifier_block *nb, unsigned long val,
			    void *data)
{
	struct mce *m = data;

	if (!m || !mce_is_memory_error(m) || mce_is_correctable(m) ||
	    !mce_usable_address(m))
		return NOTIFY_DONE;
	/* the address is exact to within a page (mce_usable_address()) */
	if (pkern_phys_in_region(m->addr))
		pkern_poison_queue(m->addr);
	return NOTIFY_DONE;
}

static struct notifier_block pkern_mce_nb = {
	.notifier_call	= pkern_mce_notify,
	.priority	= MCE_PRIO_NFIT,
};

/**
 * pkern_mce_register() - start recording machine checks in pkern regions
 */
void pkern_mce_register(void)
{
	mce_register_decode_chain(&pkern_mce_nb);
}

/**
 * pkern_mce_unregister() - stop; queued errors still need pkern_poison_flush()
 */
void pkern_mce_unregister(void)
{
	mce_unregister_decode_chain(&pkern_mce_nb);
}
