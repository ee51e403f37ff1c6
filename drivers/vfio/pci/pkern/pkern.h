/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pkern-vfio-pci: the state shared by the driver (main.c) and its
 * migration data (state.c).
 */
#ifndef __VFIO_PCI_PKERN_H
#define __VFIO_PCI_PKERN_H

#include <linux/mutex.h>
#include <linux/vfio_pci_core.h>

struct pkvfio_file;

/**
 * struct pkvfio_device - a device handed from kernel to kernel
 * @core: the vfio-pci core device
 * @state_mutex: serialises migration state changes and the files
 * @state: the migration state as the VMM sees it; the device itself
 *	keeps running in every state
 * @save: the open STOP_COPY data file, if any
 * @resume: the open RESUMING data file, if any
 * @resumed: the VMM loaded data that this kernel checked
 */
struct pkvfio_device {
	struct vfio_pci_core_device core;
	struct mutex state_mutex;	/* the migration state, the files */
	enum vfio_device_mig_state state;
	struct pkvfio_file *save;
	struct pkvfio_file *resume;
	bool resumed;
};

struct pkvfio_file *pkvfio_save_open(struct pkvfio_device *pk);
struct pkvfio_file *pkvfio_resume_open(struct pkvfio_device *pk);
struct file *pkvfio_file_get(struct pkvfio_file *f);
int pkvfio_resume_result(struct pkvfio_file *f);
void pkvfio_file_close(struct pkvfio_file *f);
size_t pkvfio_state_size(void);

#endif /* __VFIO_PCI_PKERN_H */
