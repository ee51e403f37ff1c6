// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkern_iommu: IOMMU page tables from pkern pools.
 *
 * Registers the "pkern" page-table provider with the IOMMU core (patch
 * series in drivers/iommu/patches/), so that writing the name of a pkern
 * `iommu` namespace to /sys/kernel/iommu_groups/N/pgtable_pool makes the
 * VFIO domains of that group take every page-table page from the pool,
 * whose allocation state survives kexec.
 *
 * A separate module rather than part of dax_pkern: dax_pkern also builds
 * against stock kernels, which lack the provider API.  Loading this module
 * pins dax_pkern (symbol use); each open pool pins this module (IOMMU
 * core) and its namespace (pkern_pool_get()).
 *
 * debugfs:
 *   pkern_iommu/pools  one line per open pool: name, pages in use, capacity,
 *                      pages with a memory error (counted as in use)
 * and, built with PKERN_IOMMU_DEBUG_FAULTS only (tests use them to check
 * that page tables live in the pool and survive kexec byte for byte, and
 * to damage them):
 *   pkern_iommu/page   write a physical address, read back "PHYS CRC32" of
 *                      that page if it is allocated in an open pool, then
 *                      "INDEX VALUE" (hex) for each non-zero 64-bit word:
 *                      a test can walk the tables without the VT-d dump,
 *                      which skips tables that map nothing
 *   pkern_iommu/poke   fault injection: write "PHYS INDEX VALUE" to store
 *                      VALUE in 64-bit word INDEX of the allocated pool
 *                      page at PHYS, e.g. to corrupt a page table that
 *                      is about to be kept across kexec
 *   pkern_iommu/guest_extra
 *                      fault injection: write "START SIZE" and every pool
 *                      also reports that range as guest memory (a provider
 *                      that lies), "0 0" to stop: the next kernel's checks
 *                      of a kept translation must catch what this let by
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pkern.h>
#include <linux/range.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

/**
 * struct pkern_iommu_pool - a pkern pool opened for the IOMMU core
 * @pool: the pool from pkern_pool_get()
 * @delta: virtual minus physical address of its pages; the pool is one
 *         linear mapping, so this is learnt from the first page handed out
 * @list: entry in pkern_iommu_pools
 * @name: namespace name
 */
struct pkern_iommu_pool {
	struct pkern_pool *pool;
	atomic_long_t delta;
	struct list_head list;
	char name[];
};

static DEFINE_MUTEX(pkern_iommu_lock);
static LIST_HEAD(pkern_iommu_pools);
static struct dentry *pkern_iommu_dir;

/* 0 is never a valid delta: pool pages are not identity-mapped */
static void pkern_iommu_learn(struct pkern_iommu_pool *p, void *virt,
			      phys_addr_t phys)
{
	long delta = (long)((unsigned long)virt - (unsigned long)phys);
	long old = atomic_long_cmpxchg(&p->delta, 0, delta);

	WARN_ONCE(old && old != delta, "pool %s is not linearly mapped\n",
		  p->name);
}

static void *pkern_iommu_open(const char *name)
{
	struct pkern_iommu_pool *p;
	size_t len = strlen(name) + 1;

	p = kzalloc(struct_size(p, name, len), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	memcpy(p->name, name, len);
	p->pool = pkern_pool_get(name);
	if (IS_ERR(p->pool)) {
		long err = PTR_ERR(p->pool);

		kfree(p);
		return ERR_PTR(err);
	}
	mutex_lock(&pkern_iommu_lock);
	list_add_tail(&p->list, &pkern_iommu_pools);
	mutex_unlock(&pkern_iommu_lock);
	pr_info("pool %s opened: %llu of %llu pages in use\n", name,
		pkern_pool_in_use(p->pool), pkern_pool_capacity(p->pool));
	return p;
}

static void pkern_iommu_close(void *priv)
{
	struct pkern_iommu_pool *p = priv;

	mutex_lock(&pkern_iommu_lock);
	list_del(&p->list);
	mutex_unlock(&pkern_iommu_lock);
	pr_info("pool %s closed: %llu pages in use\n", p->name,
		pkern_pool_in_use(p->pool));
	pkern_pool_put(p->pool);
	kfree(p);
}

/* pkern pages are zeroed and durable before they are handed out */
static void *pkern_iommu_alloc(void *priv, int nid, gfp_t gfp)
{
	struct pkern_iommu_pool *p = priv;
	phys_addr_t phys;
	void *virt;

	virt = pkern_pool_alloc_page(p->pool, &phys);
	if (virt)
		pkern_iommu_learn(p, virt, phys);
	return virt;
}

static phys_addr_t pkern_iommu_virt_to_phys(void *priv, void *virt)
{
	struct pkern_iommu_pool *p = priv;

	return (unsigned long)virt - atomic_long_read(&p->delta);
}

static void pkern_iommu_free(void *priv, void *virt)
{
	struct pkern_iommu_pool *p = priv;
	phys_addr_t phys = pkern_iommu_virt_to_phys(priv, virt);
	int ret;

	ret = pkern_pool_free_page(p->pool, phys);
	WARN_ONCE(ret, "pool %s: freeing %pa failed (%d)\n", p->name, &phys,
		  ret);
}

static void *pkern_iommu_phys_to_virt(void *priv, phys_addr_t phys)
{
	struct pkern_iommu_pool *p = priv;

	return pkern_pool_phys_to_virt(p->pool, phys);
}

static bool pkern_iommu_page_poisoned(void *priv, phys_addr_t phys)
{
	struct pkern_iommu_pool *p = priv;

	return pkern_pool_page_poisoned(p->pool, phys);
}

static void *pkern_iommu_handoff_area(void *priv, phys_addr_t *phys,
				      size_t *len, struct range *range)
{
	struct pkern_iommu_pool *p = priv;
	phys_addr_t start;
	u64 size;
	void *area;

	area = pkern_pool_handoff_area(p->pool, phys, len, &start, &size);
	if (!area)
		return NULL;
	range->start = start;
	range->end = start + size - 1;
	return area;
}

#ifdef PKERN_IOMMU_DEBUG_FAULTS
/* guest_extra: a range every pool claims as guest memory, if size is set */
static u64 pkern_iommu_extra_start, pkern_iommu_extra_size;
#endif

/* Extra (lying) guest ranges of the fault-injection build */
static int pkern_iommu_guest_extra_add(struct range *ranges, int n, int max)
{
#ifdef PKERN_IOMMU_DEBUG_FAULTS
	u64 start = READ_ONCE(pkern_iommu_extra_start);
	u64 size = READ_ONCE(pkern_iommu_extra_size);

	if (!size)
		return n;
	if (n < max) {
		ranges[n].start = start;
		ranges[n].end = start + size - 1;
	}
	return n + 1;
#else
	return n;
#endif
}

/* Called at kexec shutdown: pkern_pool_guest_extents() never waits */
static int pkern_iommu_guest_ranges(void *priv, struct range *ranges,
				    int max)
{
	struct pkern_iommu_pool *p = priv;
	int n;

	n = pkern_pool_guest_extents(p->pool, ranges, max);
	if (n < 0)
		return n;
	return pkern_iommu_guest_extra_add(ranges, n, max);
}

static struct iommu_pgtable_provider pkern_iommu_provider = {
	.name		= "pkern",
	.owner		= THIS_MODULE,
	.open		= pkern_iommu_open,
	.close		= pkern_iommu_close,
	.alloc		= pkern_iommu_alloc,
	.free		= pkern_iommu_free,
	.phys_to_virt	= pkern_iommu_phys_to_virt,
	.virt_to_phys	= pkern_iommu_virt_to_phys,
	.handoff_area	= pkern_iommu_handoff_area,
	.page_poisoned	= pkern_iommu_page_poisoned,
	.guest_ranges	= pkern_iommu_guest_ranges,
};

static int pkern_iommu_pools_show(struct seq_file *m, void *unused)
{
	struct pkern_iommu_pool *p;

	mutex_lock(&pkern_iommu_lock);
	list_for_each_entry(p, &pkern_iommu_pools, list)
		seq_printf(m, "%s %llu %llu %u\n", p->name,
			   pkern_pool_in_use(p->pool),
			   pkern_pool_capacity(p->pool),
			   pkern_pool_nr_poisoned(p->pool));
	mutex_unlock(&pkern_iommu_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pkern_iommu_pools);

#ifdef PKERN_IOMMU_DEBUG_FAULTS
/* private_data of an open "page" file: the address last written */
static int pkern_iommu_page_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc(sizeof(phys_addr_t), GFP_KERNEL);
	return file->private_data ? 0 : -ENOMEM;
}

static int pkern_iommu_page_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t pkern_iommu_page_write(struct file *file,
				      const char __user *ubuf, size_t len,
				      loff_t *ppos)
{
	phys_addr_t *phys = file->private_data;
	u64 val;
	int ret;

	ret = kstrtou64_from_user(ubuf, len, 0, &val);
	if (ret)
		return ret;
	if (!PAGE_ALIGNED(val))
		return -EINVAL;
	*phys = val;
	return len;
}

/* One line per non-zero 64-bit word after the header: "INDEX VALUE" */
#define PKERN_IOMMU_PAGE_TEXT	(48 + (PAGE_SIZE / sizeof(u64)) * 22)

static ssize_t pkern_iommu_page_read(struct file *file, char __user *ubuf,
				     size_t len, loff_t *ppos)
{
	phys_addr_t *phys = file->private_data;
	struct pkern_iommu_pool *p;
	const u64 *virt = NULL;
	ssize_t ret;
	char *buf;
	size_t n = 0;
	int i;

	buf = kvmalloc(PKERN_IOMMU_PAGE_TEXT, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&pkern_iommu_lock);
	list_for_each_entry(p, &pkern_iommu_pools, list) {
		virt = pkern_pool_phys_to_virt(p->pool, *phys);
		if (virt)
			break;
	}
	if (virt) {
		n = scnprintf(buf, PKERN_IOMMU_PAGE_TEXT, "%pa %08x\n", phys,
			      crc32_le(0, (const u8 *)virt, PAGE_SIZE));
		for (i = 0; i < PAGE_SIZE / sizeof(u64); i++)
			if (virt[i])
				n += scnprintf(buf + n,
					       PKERN_IOMMU_PAGE_TEXT - n,
					       "%03x %016llx\n", i, virt[i]);
	}
	mutex_unlock(&pkern_iommu_lock);
	ret = virt ? simple_read_from_buffer(ubuf, len, ppos, buf, n) : -ENOENT;
	kvfree(buf);
	return ret;
}

static ssize_t pkern_iommu_poke_write(struct file *file,
				      const char __user *ubuf, size_t len,
				      loff_t *ppos)
{
	struct pkern_iommu_pool *p;
	unsigned long long phys, val;
	unsigned int idx;
	u64 *virt = NULL;
	char *buf;
	int n;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 128));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	n = sscanf(buf, "%llx %u %llx", &phys, &idx, &val);
	kfree(buf);
	if (n != 3 || idx >= PAGE_SIZE / sizeof(u64) || !PAGE_ALIGNED(phys))
		return -EINVAL;

	mutex_lock(&pkern_iommu_lock);
	list_for_each_entry(p, &pkern_iommu_pools, list) {
		virt = pkern_pool_phys_to_virt(p->pool, phys);
		if (virt)
			break;
	}
	if (virt) {
		pr_warn("poke: word %u of pool page %llx: %llx -> %llx\n", idx,
			phys, virt[idx], val);
		WRITE_ONCE(virt[idx], val);
	}
	mutex_unlock(&pkern_iommu_lock);
	return virt ? len : -ENOENT;
}

static ssize_t pkern_iommu_guest_extra_write(struct file *file,
					     const char __user *ubuf,
					     size_t len, loff_t *ppos)
{
	unsigned long long start, size;
	char *buf;
	int n;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 64));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	n = sscanf(buf, "%llx %llx", &start, &size);
	kfree(buf);
	if (n != 2 || start + size < start)
		return -EINVAL;
	pr_warn("guest_extra: pools report %llx+%llx as guest memory\n", start,
		size);
	WRITE_ONCE(pkern_iommu_extra_size, 0);
	WRITE_ONCE(pkern_iommu_extra_start, start);
	WRITE_ONCE(pkern_iommu_extra_size, size);
	return len;
}

static const struct file_operations pkern_iommu_guest_extra_fops = {
	.owner		= THIS_MODULE,
	.write		= pkern_iommu_guest_extra_write,
	.llseek		= noop_llseek,
};

static const struct file_operations pkern_iommu_poke_fops = {
	.owner		= THIS_MODULE,
	.write		= pkern_iommu_poke_write,
	.llseek		= noop_llseek,
};

static const struct file_operations pkern_iommu_page_fops = {
	.owner		= THIS_MODULE,
	.open		= pkern_iommu_page_open,
	.release	= pkern_iommu_page_release,
	.read		= pkern_iommu_page_read,
	.write		= pkern_iommu_page_write,
	.llseek		= default_llseek,
};

/* Test-only: reads and writes any allocated page of an open pool */
static void pkern_iommu_debugfs_faults(struct dentry *dir)
{
	debugfs_create_file("page", 0600, dir, NULL, &pkern_iommu_page_fops);
	debugfs_create_file("poke", 0200, dir, NULL, &pkern_iommu_poke_fops);
	debugfs_create_file("guest_extra", 0200, dir, NULL,
			    &pkern_iommu_guest_extra_fops);
}
#else
static void pkern_iommu_debugfs_faults(struct dentry *dir)
{
}
#endif /* PKERN_IOMMU_DEBUG_FAULTS */

static int __init pkern_iommu_init(void)
{
	int ret;

	ret = iommu_pgtable_provider_register(&pkern_iommu_provider);
	if (ret)
		return ret;
	pkern_iommu_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("pools", 0400, pkern_iommu_dir, NULL,
			    &pkern_iommu_pools_fops);
	pkern_iommu_debugfs_faults(pkern_iommu_dir);
	return 0;
}
module_init(pkern_iommu_init);

static void __exit pkern_iommu_exit(void)
{
	debugfs_remove_recursive(pkern_iommu_dir);
	iommu_pgtable_provider_unregister(&pkern_iommu_provider);
}
module_exit(pkern_iommu_exit);

MODULE_DESCRIPTION("IOMMU page tables from pkern persistent pools");
MODULE_LICENSE("GPL");
