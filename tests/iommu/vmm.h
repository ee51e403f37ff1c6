/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VFIO side of a VMM, as vfio_edu drives it: a type1 container with
 * the device's group, or iommufd with the device's cdev, each in the
 * order QEMU uses it.  type1: the group joins a container, the domain is
 * attached, memory is mapped, the device is opened last.  iommufd: the
 * device is opened (bound to iommufd) first, an IOAS is allocated and
 * filled, and attaching the device to it allocates the domain (an HWPT)
 * and maps the IOAS into it.
 */
#ifndef PKERN_TESTS_VMM_H
#define PKERN_TESTS_VMM_H

#include <stdbool.h>
#include <stdint.h>

struct vmm {
	bool iommufd;
	int cont, grp;		/* type1: container and group */
	int ictx;		/* iommufd: /dev/iommu */
	uint32_t ioas;		/* iommufd: the IOAS the device attaches to */
	int dev;		/* the device, once opened */
};

/* Join: type1 adds @group to a container; iommufd binds @bdf's cdev */
void vmm_open(struct vmm *v, bool iommufd, int group, const char *bdf);
/* type1: attach the domain before anything is mapped; iommufd: allocate the IOAS */
void vmm_domain(struct vmm *v);
/* Map @size bytes at @vaddr to @iova; 0 or an errno */
int vmm_map(struct vmm *v, const void *vaddr, uint64_t iova, uint64_t size);
/* Unmap exactly @iova..+@size; 0 or an errno */
int vmm_unmap(struct vmm *v, uint64_t iova, uint64_t size);
/* The device fd: type1 opens it now, iommufd attaches it to the IOAS */
int vmm_device(struct vmm *v, const char *bdf);
void vmm_close(struct vmm *v);

#endif
