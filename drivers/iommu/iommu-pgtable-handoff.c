// SPDX-License-Identifier: GPL-2.0-only
/*
 * What an IOMMU driver needs from a page-table pool to keep translation
 * running across kexec: the pool's handoff area, where the old kernel
 * describes the tables it kept, and a quiet test of whether an address is
 * an allocated page of the pool, for checking tables another kernel wrote,
 * which never reads a page that had a memory error.
 */
#include <linux/iommu.h>

#include "iommu-pages.h"
#include "iommu-pgtable.h"

/**
 * iommu_pgtable_pool_page_poisoned() - did a page of @pool have a memory error?
 * @pool: open pool
 * @phys: physical address of a page of @pool
 *
 * Context: any.
 * Return: true if the provider says so; false if it cannot tell.
 */
bool iommu_pgtable_pool_page_poisoned(struct iommu_pgtable_pool *pool,
				      phys_addr_t phys)
{
	return pool->prov->page_poisoned &&
	       pool->prov->page_poisoned(pool->priv, phys);
}

/**
 * iommu_pgtable_pool_page() - virtual address of a page of @pool, if it is one
 * @pool: open pool
 * @phys: physical address, e.g. read from a table another kernel wrote
 *
 * Unlike iommu_pgtable_phys_to_virt(), an address that is not an allocated
 * page of @pool is an expected answer here, not a bug.  So is a page that
 * had a memory error: reading it would be a machine check, and what it
 * holds cannot be trusted, so it is never returned.
 *
 * Context: any.
 * Return: the virtual address, or NULL.
 */
void *iommu_pgtable_pool_page(struct iommu_pgtable_pool *pool,
			      phys_addr_t phys)
{
	if (iommu_pgtable_pool_page_poisoned(pool, phys))
		return NULL;
	return pool->prov->phys_to_virt(pool->priv, phys);
}

/**
 * iommu_pgtable_handoff_area() - the pool's area for a kexec handoff record
 * @pool: open pool
 * @phys: set to the area's physical address
 * @len: set to its length in bytes
 * @range: set to the physical range of the whole pool
 *
 * Context: any.
 * Return: the area's virtual address, or NULL if the provider has none.
 */
void *iommu_pgtable_handoff_area(struct iommu_pgtable_pool *pool,
				 phys_addr_t *phys, size_t *len,
				 struct range *range)
{
	if (!pool->prov->handoff_area)
		return NULL;
	return pool->prov->handoff_area(pool->priv, phys, len, range);
}
