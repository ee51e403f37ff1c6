/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dax_pkern's kernel API: persistent IOMMU page-table pools.  The control
 * interface userspace uses is <uapi/linux/pkern.h>.
 *
 * An `iommu` namespace of a pkern region is a pool of 4 KiB pages whose
 * allocation state survives kexec (layout: lib/pkern_pool.h).  The IOMMU
 * hook looks a pool up by namespace name, takes zeroed pages for page
 * tables and gives them back; after kexec the pool still knows which
 * pages the previous kernel's domains use.
 *
 * Allocation and free never sleep and may be called in atomic context.
 */
#ifndef _LINUX_PKERN_H
#define _LINUX_PKERN_H

#include <linux/types.h>
#include <uapi/linux/pkern.h>

struct pkern_pool;
struct range;

struct pkern_pool *pkern_pool_get(const char *name);
void pkern_pool_put(struct pkern_pool *pool);
void *pkern_pool_alloc_page(struct pkern_pool *pool, phys_addr_t *phys);
int pkern_pool_free_page(struct pkern_pool *pool, phys_addr_t phys);
bool pkern_pool_page_allocated(struct pkern_pool *pool, phys_addr_t phys);
bool pkern_pool_page_poisoned(struct pkern_pool *pool, phys_addr_t phys);
void *pkern_pool_phys_to_virt(struct pkern_pool *pool, phys_addr_t phys);
void *pkern_pool_handoff_area(struct pkern_pool *pool, phys_addr_t *phys,
			      size_t *len, phys_addr_t *start, u64 *size);
u64 pkern_pool_in_use(struct pkern_pool *pool);
u64 pkern_pool_capacity(struct pkern_pool *pool);
u32 pkern_pool_nr_poisoned(struct pkern_pool *pool);
int pkern_pool_guest_extents(struct pkern_pool *pool, struct range *ranges,
			     int max);

#endif /* _LINUX_PKERN_H */
