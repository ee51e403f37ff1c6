// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOMMU page-table providers.
 *
 * A provider hands out page-table pages that the buddy allocator does not
 * own, e.g. from reserved memory that survives kexec, so that the tables
 * of a domain can outlive the kernel that built them.  Providers register
 * by name; a pool is opened by name and refcounted: one reference for each
 * binding that names it (see the IOMMU group attribute "pgtable_pool") and
 * one for each domain whose tables come from it.  A name has at most one
 * open pool, shared by all its users, so two domains have the same pool
 * exactly if they have the same pool pointer (e.g. the VT-d kexec handoff
 * keeps the devices of one pool).  An open pool pins the provider's
 * module, so a provider can only unregister when nothing uses it.
 */
#define pr_fmt(fmt) "iommu: " fmt

#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "iommu-pages.h"
#include "iommu-pgtable.h"

/* Serialises registration, open and the last put of a pool. */
static DEFINE_MUTEX(iommu_pgtable_mutex);
static LIST_HEAD(iommu_pgtable_providers);
/*
 * Open pools, one per name.  Changed with both locks held; read under the
 * mutex by open, from atomic context by iommu_pgtable_lookup().
 */
static DEFINE_SPINLOCK(iommu_pgtable_pools_lock);
static LIST_HEAD(iommu_pgtable_pools);

/**
 * iommu_pgtable_provider_register() - make a page-table provider available
 * @prov: provider; all ops must be set
 *
 * Return: 0, -EINVAL if an op is missing, -EEXIST if the name is taken.
 */
int iommu_pgtable_provider_register(struct iommu_pgtable_provider *prov)
{
	struct iommu_pgtable_provider *p;
	int ret = 0;

	if (!prov->name || !prov->open || !prov->close || !prov->alloc ||
	    !prov->free || !prov->phys_to_virt || !prov->virt_to_phys)
		return -EINVAL;

	mutex_lock(&iommu_pgtable_mutex);
	list_for_each_entry(p, &iommu_pgtable_providers, list) {
		if (!strcmp(p->name, prov->name)) {
			ret = -EEXIST;
			goto out;
		}
	}
	list_add_tail(&prov->list, &iommu_pgtable_providers);
	pr_info("page-table provider %s registered\n", prov->name);
out:
	mutex_unlock(&iommu_pgtable_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(iommu_pgtable_provider_register);

/**
 * iommu_pgtable_provider_unregister() - withdraw a provider
 * @prov: provider from iommu_pgtable_provider_register()
 *
 * Open pools pin the provider's module, so none can be open here.
 */
void iommu_pgtable_provider_unregister(struct iommu_pgtable_provider *prov)
{
	mutex_lock(&iommu_pgtable_mutex);
	list_del(&prov->list);
	mutex_unlock(&iommu_pgtable_mutex);
}
EXPORT_SYMBOL_GPL(iommu_pgtable_provider_unregister);

/*
 * Ask each provider in registration order; the first one that knows the
 * name wins.
 */
static int iommu_pgtable_open_one(struct iommu_pgtable_pool *pool)
{
	struct iommu_pgtable_provider *prov;
	void *priv;

	list_for_each_entry(prov, &iommu_pgtable_providers, list) {
		if (!try_module_get(prov->owner))
			continue;
		priv = prov->open(pool->name);
		if (!IS_ERR(priv)) {
			pool->prov = prov;
			pool->priv = priv;
			return 0;
		}
		module_put(prov->owner);
		if (PTR_ERR(priv) != -ENOENT)
			return PTR_ERR(priv);
	}
	return -ENOENT;
}

/**
 * iommu_pgtable_pool_open() - open a page-table pool by name
 * @name: pool name, as the providers know it
 *
 * If the pool is open already, this is another reference to it: a name
 * has one pool object, whichever provider it belongs to.
 *
 * Context: process context.
 * Return: the pool with one more reference, or an ERR_PTR(): -ENOENT if
 * no provider has the pool, or the provider's error.
 */
struct iommu_pgtable_pool *iommu_pgtable_pool_open(const char *name)
{
	size_t len = strlen(name) + 1;
	struct iommu_pgtable_pool *pool;
	unsigned long flags;
	int ret;

	mutex_lock(&iommu_pgtable_mutex);
	/* The last put removes a pool from the list with the mutex held */
	list_for_each_entry(pool, &iommu_pgtable_pools, list) {
		if (!strcmp(pool->name, name)) {
			refcount_inc(&pool->ref);
			goto out;
		}
	}

	pool = kzalloc(struct_size(pool, name, len), GFP_KERNEL);
	if (!pool) {
		pool = ERR_PTR(-ENOMEM);
		goto out;
	}
	memcpy(pool->name, name, len);
	refcount_set(&pool->ref, 1);
	ret = iommu_pgtable_open_one(pool);
	if (ret) {
		kfree(pool);
		pool = ERR_PTR(ret);
		goto out;
	}

	spin_lock_irqsave(&iommu_pgtable_pools_lock, flags);
	list_add(&pool->list, &iommu_pgtable_pools);
	spin_unlock_irqrestore(&iommu_pgtable_pools_lock, flags);
out:
	mutex_unlock(&iommu_pgtable_mutex);
	return pool;
}

/**
 * iommu_pgtable_pool_get() - take another reference
 * @pool: open pool
 */
void iommu_pgtable_pool_get(struct iommu_pgtable_pool *pool)
{
	refcount_inc(&pool->ref);
}

/**
 * iommu_pgtable_pool_put() - drop a reference; the last one closes the pool
 * @pool: open pool, or NULL
 *
 * Context: process context.
 */
void iommu_pgtable_pool_put(struct iommu_pgtable_pool *pool)
{
	const struct iommu_pgtable_provider *prov;
	unsigned long flags;

	/* With the mutex, so that open cannot find the pool being closed */
	if (!pool || !refcount_dec_and_mutex_lock(&pool->ref,
						  &iommu_pgtable_mutex))
		return;

	spin_lock_irqsave(&iommu_pgtable_pools_lock, flags);
	list_del(&pool->list);
	spin_unlock_irqrestore(&iommu_pgtable_pools_lock, flags);

	prov = pool->prov;
	prov->close(pool->priv);
	module_put(prov->owner);
	mutex_unlock(&iommu_pgtable_mutex);
	kfree(pool);
}

/**
 * iommu_pgtable_pool_name() - the name a pool was opened with
 * @pool: open pool
 *
 * Return: the name, valid while the pool is open.
 */
const char *iommu_pgtable_pool_name(const struct iommu_pgtable_pool *pool)
{
	return pool->name;
}

void *__iommu_pgtable_alloc_page(struct iommu_pgtable_pool *pool, int nid,
				 gfp_t gfp)
{
	return pool->prov->alloc(pool->priv, nid, gfp);
}

void __iommu_pgtable_free_page(struct iommu_pgtable_pool *pool, void *virt)
{
	pool->prov->free(pool->priv, virt);
}

void *__iommu_pgtable_phys_to_virt(struct iommu_pgtable_pool *pool,
				   phys_addr_t phys)
{
	void *virt = pool->prov->phys_to_virt(pool->priv, phys);

	/* A table entry of a pool domain points outside its pool. */
	WARN_ONCE(!virt, "iommu: %pa is not a page of pool %s\n", &phys,
		  pool->name);
	return virt;
}

phys_addr_t __iommu_pgtable_virt_to_phys(struct iommu_pgtable_pool *pool,
					 void *virt)
{
	return pool->prov->virt_to_phys(pool->priv, virt);
}

/**
 * iommu_pgtable_lookup() - virtual address of any page-table page
 * @phys: physical address read from a hardware structure
 *
 * For code that walks tables without knowing their domain (debugfs, fault
 * dumps): ask the open pools, then fall back to the direct map for memory
 * with a memmap, as those callers always did.  Pool memory has none.
 *
 * Context: any, including hard interrupts (DMAR fault dumps).
 * Return: the virtual address, or NULL if @phys is neither a pool page
 * nor memory with a memmap.
 */
void *iommu_pgtable_lookup(phys_addr_t phys)
{
	struct iommu_pgtable_pool *pool;
	unsigned long flags;
	void *virt = NULL;

	spin_lock_irqsave(&iommu_pgtable_pools_lock, flags);
	list_for_each_entry(pool, &iommu_pgtable_pools, list) {
		virt = pool->prov->phys_to_virt(pool->priv, phys);
		if (virt)
			break;
	}
	spin_unlock_irqrestore(&iommu_pgtable_pools_lock, flags);

	if (!virt && pfn_valid(PHYS_PFN(phys)))
		virt = phys_to_virt(phys);
	return virt;
}
