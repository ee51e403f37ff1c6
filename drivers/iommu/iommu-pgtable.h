/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An open page-table pool, shared by the files that implement the pool
 * helpers of iommu-pages.h; everybody else sees it as an opaque pointer.
 */
#ifndef __IOMMU_PGTABLE_H
#define __IOMMU_PGTABLE_H

#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/refcount.h>

/**
 * struct iommu_pgtable_pool - an open pool of a provider
 * @prov: the provider
 * @priv: the provider's cookie from open()
 * @ref: binding and domain references
 * @list: entry in iommu_pgtable_pools, for iommu_pgtable_lookup()
 * @name: pool name as opened
 */
struct iommu_pgtable_pool {
	const struct iommu_pgtable_provider *prov;
	void *priv;
	refcount_t ref;
	struct list_head list;
	char name[];
};

#endif /* __IOMMU_PGTABLE_H */
