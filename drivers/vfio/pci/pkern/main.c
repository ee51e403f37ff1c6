// SPDX-License-Identifier: GPL-2.0-only
/*
 * pkern-vfio-pci: a vfio-pci variant driver for devices whose DMA keeps
 * running across the kexec of a hypervisor live update.
 *
 * The VM is paused and its device state saved with the VFIO migration
 * interface, the host kexecs while the device goes on doing DMA through
 * the IOMMU translation the old kernel kept, and the VMM of the new
 * kernel loads the state and continues.  The device must never notice:
 * this driver's migration states are the VMM's view only.  STOP does not
 * stop the device (there is nothing that could copy its internal state
 * anyway); the data names the device (state.c), so that the next kernel
 * resumes only the same device whose translation it adopted.  On a device
 * that was kept, opening does not clear Bus Master or reset it and the
 * VMM's reset before loading is a no-op, until the state is resumed
 * (vfio_pci_core_device.dma_kept).  The device is never runtime-suspended:
 * a device in D3hot cannot master the bus when the kexec comes.
 *
 * Only for a live update on the same host: a device that keeps running
 * while "stopped" would corrupt a real migration of guest memory.
 * Saving therefore requires that the device's DMA survives kexec (its
 * IOMMU group is bound to a page-table pool).
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>

#include "pkern.h"

static struct pkvfio_device *to_pkvfio(struct vfio_device *vdev)
{
	return container_of(vdev, struct pkvfio_device, core.vdev);
}

static void pkvfio_close_files(struct pkvfio_device *pk)
{
	if (pk->save) {
		pkvfio_file_close(pk->save);
		pk->save = NULL;
	}
	if (pk->resume) {
		pkvfio_file_close(pk->resume);
		pk->resume = NULL;
	}
}

/*
 * The kept mappings that the VMM did not map again end now.  Through
 * type1 that happened when the device was opened, after the VMM mapped
 * its memory; a VMM on iommufd fills its IOAS after it attached the
 * device, and is done by the time it resumes it or closes it.
 */
static void pkvfio_complete_adoption(struct pkvfio_device *pk)
{
	if (!pk->core.vdev.adoption_waits_resume)
		return;
	pk->core.vdev.adoption_waits_resume = false;
	iommu_complete_adoption(&pk->core.pdev->dev);
}

/* One arc of the migration state machine; the device itself runs on */
static struct file *pkvfio_step(struct pkvfio_device *pk,
				enum vfio_device_mig_state next)
{
	struct pci_dev *pdev = pk->core.pdev;
	enum vfio_device_mig_state cur = pk->state;
	struct pkvfio_file *f;
	int ret;

	if (cur == VFIO_DEVICE_STATE_RUNNING && next == VFIO_DEVICE_STATE_STOP)
		return NULL;

	if (cur == VFIO_DEVICE_STATE_STOP && next == VFIO_DEVICE_STATE_RUNNING) {
		if (pk->resumed && pk->core.dma_kept) {
			pk->core.dma_kept = false;
			pkvfio_complete_adoption(pk);
			pci_info(pdev, "resumed by its VMM; its DMA ran on throughout\n");
		}
		return NULL;
	}

	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_STOP_COPY) {
		if (!iommu_dma_survives_kexec(&pdev->dev)) {
			pci_err(pdev, "save refused: the device's DMA would not survive kexec (bind its IOMMU group to a page-table pool before the VMM opens it)\n");
			return ERR_PTR(-EOPNOTSUPP);
		}
		f = pkvfio_save_open(pk);
		if (IS_ERR(f))
			return ERR_CAST(f);
		pk->save = f;
		return pkvfio_file_get(f);
	}

	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		pkvfio_close_files(pk);
		return NULL;
	}

	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING) {
		f = pkvfio_resume_open(pk);
		if (IS_ERR(f))
			return ERR_CAST(f);
		pk->resume = f;
		pk->resumed = false;
		return pkvfio_file_get(f);
	}

	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		ret = pkvfio_resume_result(pk->resume);
		pkvfio_close_files(pk);
		if (ret == -EAGAIN)
			pci_err(pdev, "resume refused: the VMM wrote an incomplete state\n");
		if (ret)
			return ERR_PTR(ret == -EAGAIN ? -EINVAL : ret);
		pk->resumed = true;
		return NULL;
	}

	return ERR_PTR(-EINVAL);
}

static struct file *pkvfio_set_state(struct vfio_device *vdev,
				     enum vfio_device_mig_state new_state)
{
	struct pkvfio_device *pk = to_pkvfio(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&pk->state_mutex);
	while (pk->state != new_state) {
		ret = vfio_mig_get_next_state(vdev, pk->state, new_state, &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = pkvfio_step(pk, next);
		if (IS_ERR(res))
			break;
		pk->state = next;
		if (WARN_ON(res && next != new_state)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mutex_unlock(&pk->state_mutex);
	return res;
}

static int pkvfio_get_state(struct vfio_device *vdev,
			    enum vfio_device_mig_state *state)
{
	struct pkvfio_device *pk = to_pkvfio(vdev);

	mutex_lock(&pk->state_mutex);
	*state = pk->state;
	mutex_unlock(&pk->state_mutex);
	return 0;
}

static int pkvfio_get_data_size(struct vfio_device *vdev,
				unsigned long *stop_copy_length)
{
	*stop_copy_length = pkvfio_state_size();
	return 0;
}

static const struct vfio_migration_ops pkvfio_mig_ops = {
	.migration_set_state = pkvfio_set_state,
	.migration_get_state = pkvfio_get_state,
	.migration_get_data_size = pkvfio_get_data_size,
};

static int pkvfio_open_device(struct vfio_device *vdev)
{
	struct pkvfio_device *pk = to_pkvfio(vdev);
	struct pci_dev *pdev = pk->core.pdev;
	int ret;

	/* The device is the paused VM's: leave it exactly as it is */
	pk->core.dma_kept = iommu_dma_kept(&pdev->dev);
	pk->core.vdev.adoption_waits_resume = pk->core.dma_kept;
	if (pk->core.dma_kept)
		pci_info(pdev, "DMA kept across kexec: not stopping or resetting the device before its VMM resumes it\n");
	ret = vfio_pci_core_enable(&pk->core);
	if (ret) {
		pk->core.dma_kept = false;
		pkvfio_complete_adoption(pk);
		return ret;
	}
	pk->state = VFIO_DEVICE_STATE_RUNNING;
	pk->resumed = false;
	vfio_pci_core_finish_enable(&pk->core);
	return 0;
}

static void pkvfio_close_device(struct vfio_device *vdev)
{
	struct pkvfio_device *pk = to_pkvfio(vdev);

	mutex_lock(&pk->state_mutex);
	pkvfio_close_files(pk);
	pkvfio_complete_adoption(pk);
	mutex_unlock(&pk->state_mutex);
	/* Not resumed: the device is stopped and reset as on any close */
	vfio_pci_core_close_device(vdev);
}

/* A sleeping device cannot keep its DMA across kexec */
static int pkvfio_device_feature(struct vfio_device *vdev, u32 flags,
				 void __user *arg, size_t argsz)
{
	switch (flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
		return -ENOTTY;
	}
	return vfio_pci_core_ioctl_feature(vdev, flags, arg, argsz);
}

static int pkvfio_init_dev(struct vfio_device *vdev)
{
	struct pkvfio_device *pk = to_pkvfio(vdev);
	int ret;

	ret = vfio_pci_core_init_dev(vdev);
	if (ret)
		return ret;
	mutex_init(&pk->state_mutex);
	pk->core.disable_idle_d3 = true;
	vdev->migration_flags = VFIO_MIGRATION_STOP_COPY;
	vdev->mig_ops = &pkvfio_mig_ops;
	return 0;
}

static void pkvfio_release_dev(struct vfio_device *vdev)
{
	struct pkvfio_device *pk = to_pkvfio(vdev);

	mutex_destroy(&pk->state_mutex);
	vfio_pci_core_release_dev(vdev);
}

static const struct vfio_device_ops pkvfio_ops = {
	.name = "pkern-vfio-pci",
	.init = pkvfio_init_dev,
	.release = pkvfio_release_dev,
	.open_device = pkvfio_open_device,
	.close_device = pkvfio_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = pkvfio_device_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
};

static int pkvfio_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct pkvfio_device *pk;
	int ret;

	pk = vfio_alloc_device(pkvfio_device, core.vdev, &pdev->dev,
			       &pkvfio_ops);
	if (IS_ERR(pk))
		return PTR_ERR(pk);
	dev_set_drvdata(&pdev->dev, &pk->core);
	ret = vfio_pci_core_register_device(&pk->core);
	if (ret)
		goto out_put;
	return 0;

out_put:
	vfio_put_device(&pk->core.vdev);
	return ret;
}

static void pkvfio_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(core);
	vfio_put_device(&core->vdev);
}

/* Any device, but only through driver_override */
static const struct pci_device_id pkvfio_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID, PCI_ANY_ID) },
	{}
};
MODULE_DEVICE_TABLE(pci, pkvfio_table);

static struct pci_driver pkvfio_driver = {
	.name = KBUILD_MODNAME,
	.id_table = pkvfio_table,
	.probe = pkvfio_probe,
	.remove = pkvfio_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	.driver_managed_dma = true,
};

module_pci_driver(pkvfio_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI driver for devices kept running across kexec");
