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

#define VTD_HANDOFF_MAGIC	0x3346464f48445456ULL	/* "VTDHOFF3" */
#define VTD_HANDOFF_MAX_DEVS	40
#define VTD_HANDOFF_MAX_GUEST	16	/* guest memory extents a record names */
#define VTD_HANDOFF_BUSES	256	/* root table entries */
#define VTD_HANDOFF_POOL_NAME	64
/* Address bits of a page-table entry, either stage */
#define VTD_SL_ADDR_MASK	GENMASK_ULL(51, 12)

/* vtd_handoff_rec.flags */
#define VTD_HANDOFF_SCALABLE	BIT(0)	/* root and context tables in scalable mode */

/* vtd_handoff_dev.format: the kind of page tables */
#define VTD_HANDOFF_SECOND_STAGE	0
#define VTD_HANDOFF_FIRST_STAGE		1

/* vtd_handoff_dev.irq: interrupts the device had enabled, masked at shutdown */
#define VTD_HANDOFF_IRQ_INTX	BIT(0)
#define VTD_HANDOFF_IRQ_MSI	BIT(1)
#define VTD_HANDOFF_IRQ_MSIX	BIT(2)

/**
 * struct vtd_handoff_dev - one device whose translation was kept
 * @segment: PCI segment
 * @bus: PCI bus
 * @devfn: PCI device and function
 * @did: domain id its translation is tagged with
 * @levels: levels of its page tables (3, 4 or 5)
 * @format: VTD_HANDOFF_SECOND_STAGE or VTD_HANDOFF_FIRST_STAGE
 * @irq: VTD_HANDOFF_IRQ_* it had enabled; all were masked at the device
 * @reserved: zero
 * @lo: its context entry, low 64 bits (legacy: page-table root and
 *      translation type; scalable: PASID directory, whose only entry
 *      leads to a PASID table whose only entry is RID_PASID's)
 * @hi: its context entry, high 64 bits (legacy: domain id and address
 *      width; scalable: zero, as are the scalable entry's upper 128 bits)
 * @pgd: the root of its page tables
 */
struct vtd_handoff_dev {
	u16 segment;
	u8 bus;
	u8 devfn;
	u16 did;
	u8 levels;
	u8 format;
	u32 irq;
	u32 reserved;
	u64 lo;
	u64 hi;
	u64 pgd;
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
 * @flags: VTD_HANDOFF_SCALABLE if the tables are in scalable mode
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
	u32 flags;
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
 *         is not a page the tables may live in; it may set @no_table to
 *         say why
 * @leaf: called for each mapping (@pte at @level maps IOVA page @iova_pfn,
 *        already checked to be a superpage of at most 1 GiB, aligned);
 *        a reason stops the walk; may be NULL
 * @budget: how many tables the walk may still visit
 * @where: the address the walk stopped at
 * @slot: the entry of the mapping @leaf is called for
 * @no_table: why @table found no table at @where, if it knows
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
	const char *no_table;
};

#define VTD_WALK_POISONED	"page table on a page with a memory error"

struct pasid_entry;

const char *vtd_walk_tables(struct vtd_walk *w, u64 phys, int level,
			    u64 iova_pfn);
const char *vtd_handoff_decode_pasid(const struct pasid_entry *pe,
				     struct vtd_handoff_dev *d);

/* Scalable-mode context entries are two struct context_entry wide */
#define VTD_SM_CTX_SLOT(devfn)	(((devfn) & 0x7f) * 2)
/* Context entry bits a kept scalable entry may have: present, FPD, PASID enable */
#define VTD_SM_CTX_KEEP_BITS	(BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(3))

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
