/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dax_pkern internals shared by the files of the module.
 */
#ifndef PKERN_INTERNAL_H
#define PKERN_INTERNAL_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/pkern.h>

#include "pkern_label.h"
#include "pkern_pool.h"

#define PKERN_MAX_REGIONS	16
#define PKERN_NS_DRV_NAME	"pkern-ns"

struct dev_dax;
struct dev_pagemap_ops;
struct pkern_region;

/**
 * struct pkern_pool - an open iommu page-table pool (<linux/pkern.h>)
 * @ref: the namespace holds one reference, each pkern_pool_get() one more
 * @holders: outstanding pkern_pool_get()s; destroy is refused while > 0
 * @lock: serialises the allocator; taken in atomic context
 * @dead: the namespace went away; allocations fail, the rest still works
 * @meta_bad: a header or bitmap page has a memory error: the pool's state
 *	is never read or written again, so nothing is allocated or freed
 * @phys: physical start of the namespace
 * @st: allocator state over @st.m.base, a memremap() of the namespace
 * @nr_bad: entries of @bad
 * @bad: offsets of the pool's pages with a memory error, sorted: taken
 *	out of circulation (pkern_pool_take()), kept out when freed, and
 *	never part of a translation kept across kexec
 */
struct pkern_pool {
	struct kref ref;
	atomic_t holders;
	spinlock_t lock;		/* see @lock above */
	bool dead;
	bool meta_bad;
	phys_addr_t phys;
	struct pkern_pool_state st;
	u32 nr_bad;
	u64 bad[PKERN_MAX_BAD];
};

/**
 * struct pkern_nsdev - one usable namespace exposed as a child device
 * @rgn: owning region
 * @slot: label slot (M of /dev/daxN.M)
 * @ns: copy of the decoded label
 * @pdev: the "pkernN.M" platform device
 * @dev_dax: device-dax instance while the child is bound (guest kind)
 * @pool: open pool (iommu kind), created on first pkern_pool_get()
 */
struct pkern_nsdev {
	struct pkern_region *rgn;
	u32 slot;
	struct pkern_ns ns;
	struct platform_device *pdev;
	struct dev_dax *dev_dax;
	struct pkern_pool *pool;
};

/**
 * struct pkern_region - one legacy persistent-memory range, pkernN
 * @dev: class "pkern" device; also the /dev/pkernN character device
 * @cdev: control interface
 * @id: N
 * @phys: start of the range
 * @size: bytes in the range
 * @label_map: memremap() of the label area (at most its maximum size)
 * @map_len: bytes mapped at @label_map
 * @label_res: iomem reservation of the live label area, if any
 * @update_lock: serialises label updates (format, create, destroy,
 *	repair); taken before @lock and held across a scrub, which runs
 *	without @lock (see pkern_media_scrub())
 * @lock: protects the label state, the children and @dead; every ioctl
 *	and lookup takes it
 * @labels: label state, owned by lib/ (large: vmalloc'ed)
 * @state: enum pkern_region_state
 * @dead: the range is being torn down; ioctls fail with ENXIO
 * @nsdev: child per usable namespace, by slot
 * @node: entry in the global region list
 * @scrub_err: why the last scrub callback failed (e.g. -EINTR)
 * @nr_writes: media writes so far (fault injection counts them)
 * @fail_after: fail every media write after this many (0: never)
 * @scrub_hold: zeroing waits before each chunk while set
 * @scrub_waiting: zeroing is waiting at @scrub_hold
 */
struct pkern_region {
	struct device dev;
	struct cdev cdev;
	int id;
	phys_addr_t phys;
	u64 size;
	void *label_map;
	u64 map_len;
	struct resource *label_res;
	struct mutex update_lock;	/* see @update_lock above */
	struct mutex lock;	/* see @lock above */
	struct pkern_labels *labels;
	u32 state;
	bool dead;
	struct pkern_nsdev *nsdev[PKERN_MAX_SLOTS];
	struct list_head node;
	int scrub_err;
	u64 nr_writes;
	u64 fail_after;
	u32 scrub_hold;
	u32 scrub_waiting;
};

static inline struct pkern_region *to_pkern_region(struct device *dev)
{
	return container_of(dev, struct pkern_region, dev);
}

/* main.c */
extern const struct class pkern_class;
extern dev_t pkern_devt;
extern struct mutex pkern_regions_lock;
extern struct list_head pkern_regions;

/* region.c */
int pkern_region_add(struct device *parent, int id, phys_addr_t phys,
		     u64 size);
void pkern_region_remove(struct pkern_region *rgn);
void pkern_region_sync(struct pkern_region *rgn);
u64 pkern_region_data_start(const struct pkern_region *rgn);

/* media.c */
void pkern_region_media(struct pkern_region *rgn, struct pkern_media *m);

/* ns.c */
extern struct platform_driver pkern_ns_driver;
int pkern_ns_add(struct pkern_region *rgn, const struct pkern_ns *ns);
void pkern_ns_remove(struct pkern_region *rgn, u32 slot);
int pkern_ns_busy(struct pkern_region *rgn, u32 slot);
bool pkern_kept_dma_reaches(phys_addr_t start, u64 len);
int pkern_ns_revoke(struct pkern_region *rgn, u32 slot);

/* ctl.c */
extern const struct file_operations pkern_ctl_fops;

/* sysfs.c */
extern const struct attribute_group *pkern_region_groups[];
extern const struct attribute_group *pkern_ns_groups[];

/* pool_kapi.c */
void pkern_pool_detach(struct pkern_nsdev *nd);
void pkern_pool_retire(struct pkern_region *rgn, u64 off);

/* poison.c */
extern const struct dev_pagemap_ops pkern_pgmap_ops;
void pkern_poison_queue(phys_addr_t phys);
void pkern_poison_flush(void);
bool pkern_phys_in_region(phys_addr_t phys);
unsigned int pkern_poison_replay(struct pkern_region *rgn);

/* mce.c */
#ifdef CONFIG_X86_MCE
void pkern_mce_register(void);
void pkern_mce_unregister(void);
#else
static inline void pkern_mce_register(void) {}
static inline void pkern_mce_unregister(void) {}
#endif

/* debugfs.c */
#ifdef PKERN_DEBUG_FAULTS
void pkern_debugfs_init(void);
void pkern_debugfs_exit(void);
void pkern_debugfs_add(struct pkern_region *rgn);
void pkern_debugfs_remove(struct pkern_region *rgn);
void pkern_debugfs_scrub_gate(struct pkern_region *rgn);
#else
static inline void pkern_debugfs_init(void) {}
static inline void pkern_debugfs_exit(void) {}
static inline void pkern_debugfs_add(struct pkern_region *rgn) {}
static inline void pkern_debugfs_remove(struct pkern_region *rgn) {}
static inline void pkern_debugfs_scrub_gate(struct pkern_region *rgn) {}
#endif

#endif /* PKERN_INTERNAL_H */
