// SPDX-License-Identifier: GPL-2.0-only
/* The VFIO side of a VMM: type1 container or iommufd + cdev (vmm.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "edu.h"
#include "vmm.h"

/* /dev/vfio/devices/vfioN of @bdf, from sysfs */
static int cdev_open(const char *bdf)
{
	char path[320];
	struct dirent *d;
	DIR *dir;
	int fd = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	if (!dir)
		die("%s: %s; is %s bound to a vfio-pci driver, and the kernel built with VFIO_DEVICE_CDEV?",
		    path, strerror(errno), bdf);
	while ((d = readdir(dir)))
		if (!strncmp(d->d_name, "vfio", 4)) {
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s",
				 d->d_name);
			fd = open(path, O_RDWR);
			if (fd < 0)
				die("%s: %s", path, strerror(errno));
			break;
		}
	closedir(dir);
	if (fd < 0)
		die("%s has no VFIO cdev", bdf);
	return fd;
}

void vmm_open(struct vmm *v, bool iommufd, int group, const char *bdf)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char path[64];

	*v = (struct vmm){ .iommufd = iommufd, .cont = -1, .grp = -1,
			   .ictx = -1, .dev = -1 };
	if (iommufd) {
		v->ictx = open("/dev/iommu", O_RDWR);
		if (v->ictx < 0)
			die("/dev/iommu: %s; is the kernel built with IOMMUFD?",
			    strerror(errno));
		v->dev = cdev_open(bdf);
		bind.iommufd = v->ictx;
		if (ioctl(v->dev, VFIO_DEVICE_BIND_IOMMUFD, &bind))
			die("binding %s to iommufd: %s", bdf, strerror(errno));
		return;
	}
	v->cont = open("/dev/vfio/vfio", O_RDWR);
	if (v->cont < 0)
		die("/dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(v->cont, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    !ioctl(v->cont, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))
		die("VFIO type1v2 not supported");
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	v->grp = open(path, O_RDWR);
	if (v->grp < 0)
		die("%s: %s; is the device bound to vfio-pci?", path,
		    strerror(errno));
	if (ioctl(v->grp, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("%s is not viable: bind every device of the group to vfio-pci",
		    path);
	if (ioctl(v->grp, VFIO_GROUP_SET_CONTAINER, &v->cont))
		die("adding %s to a container: %s", path, strerror(errno));
}

void vmm_domain(struct vmm *v)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	if (v->iommufd) {
		if (ioctl(v->ictx, IOMMU_IOAS_ALLOC, &alloc))
			die("IOMMU_IOAS_ALLOC: %s", strerror(errno));
		v->ioas = alloc.out_ioas_id;
		return;
	}
	if (ioctl(v->cont, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("attaching the group to a type1 domain: %s", strerror(errno));
}

int vmm_map(struct vmm *v, const void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};
	struct iommu_ioas_map imap = {
		.size = sizeof(imap),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = v->ioas,
		.user_va = (uintptr_t)vaddr,
		.length = size,
		.iova = iova,
	};
	int ret;

	if (v->iommufd)
		ret = ioctl(v->ictx, IOMMU_IOAS_MAP, &imap);
	else
		ret = ioctl(v->cont, VFIO_IOMMU_MAP_DMA, &map);
	return ret ? errno : 0;
}

int vmm_unmap(struct vmm *v, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = size,
	};
	struct iommu_ioas_unmap iunmap = {
		.size = sizeof(iunmap),
		.ioas_id = v->ioas,
		.iova = iova,
		.length = size,
	};

	if (v->iommufd) {
		if (ioctl(v->ictx, IOMMU_IOAS_UNMAP, &iunmap))
			return errno;
		return iunmap.length == size ? 0 : EIO;
	}
	if (ioctl(v->cont, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return errno;
	return unmap.size == size ? 0 : EIO;
}

int vmm_device(struct vmm *v, const char *bdf)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = v->ioas,
	};

	if (v->iommufd) {
		if (ioctl(v->dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
			die("attaching %s to IOAS %u: %s", bdf, v->ioas,
			    strerror(errno));
		return v->dev;
	}
	v->dev = ioctl(v->grp, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->dev < 0)
		die("device %s: %s", bdf, strerror(errno));
	return v->dev;
}

void vmm_close(struct vmm *v)
{
	if (v->dev >= 0)
		close(v->dev);
	if (v->grp >= 0)
		close(v->grp);
	if (v->cont >= 0)
		close(v->cont);
	if (v->ictx >= 0)
		close(v->ictx);
}
