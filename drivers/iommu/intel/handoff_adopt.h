/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The new kernel's state of a handoff, shared by handoff_check.c (the
 * record validated at boot), handoff_adopt.c (kept entries installed,
 * tables adopted) and handoff_kept.c (what kept translation reaches, and
 * its end).
 */
#ifndef __INTEL_HANDOFF_ADOPT_H
#define __INTEL_HANDOFF_ADOPT_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "handoff.h"

struct dmar_domain;
struct intel_iommu;
struct iommu_pgtable_pool;
struct vtd_kept;

/**
 * struct vtd_handoff - validated handoff of one IOMMU, in the new kernel
 * @iommu: the IOMMU
 * @released: the old root and context tables went back to the pool
 * @adopted: bit i set once @rec.dev[i]'s tables belong to a domain
 * @copied: bit i set while @rec.dev[i] runs on its copied context entry
 * @pasid_released: bit i set once @rec.dev[i]'s kept PASID tables went
 *                  back to the pool (scalable mode)
 * @owner: the domain of @adopted, until it is freed
 * @kept: what @rec.dev[i]'s kept tables reach
 * @rec: copy of the record
 */
struct vtd_handoff {
	struct intel_iommu *iommu;
	bool released;
	DECLARE_BITMAP(adopted, VTD_HANDOFF_MAX_DEVS);
	DECLARE_BITMAP(copied, VTD_HANDOFF_MAX_DEVS);
	DECLARE_BITMAP(pasid_released, VTD_HANDOFF_MAX_DEVS);
	struct dmar_domain *owner[VTD_HANDOFF_MAX_DEVS];
	struct vtd_kept *kept[VTD_HANDOFF_MAX_DEVS];
	struct vtd_handoff_rec rec;
};

/* Serialises adoption and the freeing of adopted domains */
extern struct mutex vtd_handoff_lock;
/*
 * Guards @copied, @owner and each vtd_kept for the reachability check,
 * which runs under the IOMMU core's spinlock; innermost of all locks.
 */
extern spinlock_t vtd_kept_lock;
/* The handoff being adopted, if any: one per system */
extern struct vtd_handoff *vtd_handoff_cur;

/* handoff_adopt.c */
void vtd_handoff_release_pasid(struct vtd_handoff *h, u32 i,
			       struct iommu_pgtable_pool *pool);
void vtd_handoff_flush_did(struct intel_iommu *iommu,
			   const struct vtd_handoff_dev *d);

/* handoff_kept.c */
bool vtd_kept_record(struct vtd_handoff *h);
void vtd_kept_free_all(struct vtd_handoff *h);

#endif /* __INTEL_HANDOFF_ADOPT_H */
