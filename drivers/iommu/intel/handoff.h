/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The record one kernel leaves the next when it keeps VT-d translation
 * running across kexec: written by handoff.c at kexec shutdown into the
 * handoff area of the page-table pool, validated by handoff_check.c
 * and adopted by handoff_adopt.c in the next kernel.
 */
#ifndef __INTEL_HANDOFF_H
#define __INTEL_HANDOFF_H

#include <linux/bits.h>
#include <linux/crc32.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define VTD_HANDOFF_MAGIC	0x3246464f48445456ULL	/* "VTDHOFF2" */
#define VTD_HANDOFF_MAX_DEVS	64
#define VTD_HANDOFF_MAX_GUEST	16	/* guest memory extents a record names */
#define VTD_HANDOFF_BUSES	256	/* root table entries */
#define VTD_HANDOFF_POOL_NAME	64
/* Address bits of a second-level entry */
#define VTD_SL_ADDR_MASK	GENMASK_ULL(51, 12)

/**
 * struct vtd_handoff_dev - one device whose translation was kept
 * @segment: PCI segment
 * @bus: PCI bus
 * @devfn: PCI device and function
 * @reserved: zero
 * @lo: its context entry, low 64 bits (page-table root, translation type)
 * @hi: its context entry, high 64 bits (domain id, address width)
 */
struct vtd_handoff_dev {
	u16 segment;
	u8 bus;
	u8 devfn;
	u32 reserved;
	u64 lo;
	u64 hi;
};

/**
 * struct vtd_handoff_guest - guest memory the kept mappings may point into
 * @start: physical start
 * @size: bytes
 */
struct vtd_handoff_guest {
	u64 start;
	u64 size;
};

/**
 * struct vtd_handoff_rec - what one kernel tells the next about kept translation
 * @magic: VTD_HANDOFF_MAGIC
 * @crc: CRC-32 of the @size bytes from @size on
 * @size: bytes from @size to the end of @dev[@nr_devs - 1]
 * @nr_devs: entries in @dev
 * @reserved: zero
 * @reg_phys: register base of the IOMMU whose translation was kept
 * @root: root table the IOMMU was left using (DMAR_RTADDR_REG)
 * @pool_start: physical start of the pool that holds every table
 * @pool_size: its size in bytes
 * @tsc: TSC when the old kernel stopped managing the IOMMU
 * @pool: pool name, NUL-terminated
 * @nr_guest: entries of @guest in use
 * @reserved2: zero
 * @guest: the live guest-memory namespaces of the pool's region that the
 *         kept mappings point into, checked at shutdown: every mapping
 *         lies inside one of them
 * @dev: the devices, in the order they were found
 *
 * Written at kexec shutdown into the pool's handoff area and read by the
 * next kernel on the same machine, hence native byte order.
 */
struct vtd_handoff_rec {
	u64 magic;
	u32 crc;
	u32 size;
	u32 nr_devs;
	u32 reserved;
	u64 reg_phys;
	u64 root;
	u64 pool_start;
	u64 pool_size;
	u64 tsc;
	char pool[VTD_HANDOFF_POOL_NAME];
	u32 nr_guest;
	u32 reserved2;
	struct vtd_handoff_guest guest[VTD_HANDOFF_MAX_GUEST];
	struct vtd_handoff_dev dev[];
};

/**
 * struct vtd_walk - one walk over the second-level page tables of a handoff
 * @table: the table at @phys as the walk may read it, or NULL if @phys
 *         is not a page the tables may live in
 * @leaf: called for each mapping (@pte at @level maps IOVA page @iova_pfn,
 *        already checked to be a superpage of at most 1 GiB, aligned);
 *        a reason stops the walk; may be NULL
 * @budget: how many tables the walk may still visit
 * @where: the address the walk stopped at
 * @slot: the entry of the mapping @leaf is called for
 *
 * The old kernel checks the tables it keeps, the next one checks, records
 * and adopts them: all with vtd_walk_tables().
 */
struct vtd_walk {
	u64 *(*table)(struct vtd_walk *w, u64 phys);
	const char *(*leaf)(struct vtd_walk *w, u64 iova_pfn, u64 pte,
			    int level);
	unsigned long budget;
	u64 where;
	u64 *slot;
};

const char *vtd_walk_tables(struct vtd_walk *w, u64 phys, int level,
			    u64 iova_pfn);

static inline size_t vtd_handoff_rec_size(u32 nr_devs)
{
	return struct_size_t(struct vtd_handoff_rec, dev, nr_devs);
}

static inline u32 vtd_handoff_crc(const struct vtd_handoff_rec *rec, u32 size)
{
	size_t skip = offsetof(struct vtd_handoff_rec, size);

	return crc32_le(~0U, (const u8 *)rec + skip, size);
}

#endif /* __INTEL_HANDOFF_H */
